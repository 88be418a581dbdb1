"""Run a .tflite file on TensorFlow Lite Micro, the runtime of microcontrollers.

TFLite Micro is what an MCU project links; its Python package wraps the same C++ kernels
(the portable reference ones) and allocator. Measured here, from the file:

* whether it runs at all: TFLite Micro refuses hybrid (dynamic-range) models, which keep
  float activations beside int8 weights, and sparse-format ones; the refusal is the
  interpreter's own message;
* accuracy, one image at a time, which must agree with LiteRT's;
* the tensor arena, the RAM the model needs on the device (the allocator's own report);
  flash is the raw file size;
* milliseconds per image on this CPU with reference kernels: only the ratios between
  models mean anything, an MCU is far slower and its optimized kernels change the ranking.
"""
import re
import time
from pathlib import Path

import numpy as np
from tflite_micro.python.tflite_micro import runtime

from signopt.native_logs import captured
from signopt.tflite_files import quantize_input


def allocate(path) -> tuple[runtime.Interpreter | None, str]:
    """TFLite Micro's interpreter with its tensors allocated and the allocator's report, or
    None and the interpreter's reason for refusing the file."""
    with captured() as printed:
        try:
            micro = runtime.Interpreter.from_file(str(path))
            micro.print_allocations()
        except RuntimeError as err:
            micro, failure = None, str(err)
    if micro is None:
        reasons = [line for line in printed[0].splitlines() if line.strip() and "RecordingMicroAllocator" not in line]
        return None, "; ".join(reasons) or failure
    return micro, printed[0]


def arena_bytes(allocation_report: str) -> int:
    found = re.search(r"Arena allocation total (\d+) bytes", allocation_report)
    if not found:
        raise ValueError(f"no arena total in TFLite Micro's allocation report: {allocation_report[:200]!r}")
    return int(found.group(1))


def runs(path) -> bool:
    """Whether TFLite Micro accepts the file (it allocates its tensors)."""
    return allocate(path)[0] is not None


def measure(path, images: np.ndarray, labels: np.ndarray) -> dict:
    """TFLite Micro fields of a record: ``runs_on_tflm``, and either ``tflm_accuracy``,
    ``arena_bytes``, ``flash_bytes`` and ``tflm_ms``, or ``tflm_refusal``."""
    if len(images) == 0 or len(images) != len(labels):
        raise ValueError(f"expected as many labels as images, and some: got {len(images)} images, {len(labels)} labels")
    micro, report = allocate(path)
    if micro is None:
        return {"runs_on_tflm": False, "tflm_refusal": report}
    detail = micro.get_input_details(0)
    quant = detail["quantization_parameters"]
    if detail["dtype"] != np.float32 and not len(quant["scales"]):
        raise ValueError(f"{path}: its {np.dtype(detail['dtype']).name} input has no quantization scale")
    scale = float(quant["scales"][0]) if len(quant["scales"]) else 1.0
    zero_point = int(quant["zero_points"][0]) if len(quant["zero_points"]) else 0
    inputs = quantize_input(images, detail["dtype"], scale, zero_point)
    predicted = np.empty(len(images), dtype=np.int64)
    start = time.perf_counter()
    for i, image in enumerate(inputs):
        micro.set_input(image[None], 0)
        micro.invoke()
        predicted[i] = micro.get_output(0)[0].argmax()
    seconds = time.perf_counter() - start
    return {"runs_on_tflm": True, "tflm_accuracy": float((predicted == labels).mean()),
            "arena_bytes": arena_bytes(report), "flash_bytes": Path(path).stat().st_size,
            "tflm_ms": round(1000 * seconds / len(images), 3)}
