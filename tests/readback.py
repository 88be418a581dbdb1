"""Test helpers that read model files back: what the tests check the package's output with."""
import re
from pathlib import Path

import numpy as np

from signopt import tflite_files


def io_types(path) -> dict:
    """dtypes of the input and output tensors and of every activation between them."""
    runner = tflite_files.interpreter(path)
    details = runner.get_tensor_details()
    return {"input": runner.get_input_details()[0]["dtype"].__name__,
            "output": runner.get_output_details()[0]["dtype"].__name__,
            "tensor_dtypes": sorted({np.dtype(d["dtype"]).name for d in details})}


def c_array_bytes(source) -> bytes:
    """The bytes of the array in a .cc file that ``c_array.write`` made, and a check of its length."""
    text = Path(source).read_text()
    body = text[text.index("{") + 1:text.index("};")]
    blob = bytes(int(h, 16) for h in re.findall(r"0x([0-9a-f]{2})", body))
    found = re.search(r"_len = (\d+);", text)
    if not found:
        raise ValueError(f"{source}: no `<name>_len = <bytes>;` line, not a file that c_array.write made")
    declared = int(found.group(1))
    if declared != len(blob):
        raise ValueError(f"{source}: the array holds {len(blob)} bytes, its _len says {declared}")
    return blob


def load_keras(path):
    """Load a saved baseline or QKeras model for evaluation (QKeras' loader knows both)."""
    from qkeras.utils import load_qmodel
    return load_qmodel(str(path), compile=False)
