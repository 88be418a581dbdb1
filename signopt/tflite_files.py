"""Measure a .tflite file itself: accuracy through the interpreter, size, latency, and
what its weight tensors hold.

Every number the notebooks report for a .tflite model comes from here, by running or
reading the file, never from the Keras model it was converted from.
"""
import gzip
import hashlib
import io
import time
import zipfile
from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import Interpreter, OpResolverType
from tqdm import tqdm

from signopt import int4

BATCH_SIZE = 256


def interpreter(path) -> Interpreter:
    """An interpreter with the built-in kernels only.

    The default XNNPACK delegate refuses some quantized and sparse models ("failed to
    delegate FULLY_CONNECTED"); without it every file here runs, and runs the same way.
    """
    return Interpreter(model_path=str(path),
                       experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)


def quantize_input(images: np.ndarray, dtype, scale: float, zero_point: int) -> np.ndarray:
    """Float images in [0, 1] as an input tensor of ``dtype`` wants them (quantized if it is)."""
    if dtype == np.float32:
        return images.astype(np.float32)
    info = np.iinfo(dtype)
    return np.clip(np.round(images / scale + zero_point), info.min, info.max).astype(dtype)


def _to_input(images: np.ndarray, detail: dict) -> np.ndarray:
    return quantize_input(images, detail["dtype"], *detail["quantization"])


def predict(path, images: np.ndarray, batch_size: int = BATCH_SIZE, progress: bool = False) -> np.ndarray:
    """Predicted label of every image, from the .tflite file at ``path``, in batches."""
    runner = interpreter(path)
    inp = runner.get_input_details()[0]
    out = runner.get_output_details()[0]
    runner.resize_tensor_input(inp["index"], [batch_size, *images.shape[1:]])
    runner.allocate_tensors()
    labels = np.empty(len(images), dtype=np.int64)
    batches = range(0, len(images), batch_size)
    for start in tqdm(batches, desc=Path(path).name, disable=not progress, leave=False):
        batch = images[start:start + batch_size]
        padded = np.zeros((batch_size, *images.shape[1:]), np.float32)
        padded[:len(batch)] = batch
        runner.set_tensor(inp["index"], _to_input(padded, inp))
        runner.invoke()
        labels[start:start + len(batch)] = runner.get_tensor(out["index"])[:len(batch)].argmax(axis=1)
    return labels


def file_accuracy(path, images: np.ndarray, labels: np.ndarray, progress: bool = False) -> float:
    """Fraction of ``images`` that the .tflite file labels right."""
    return float((predict(path, images, progress=progress) == labels).mean())


def latency_ms(path, images: np.ndarray, repeats: int = 200) -> float:
    """Mean milliseconds for one image at batch size 1 (after a warm-up), one thread."""
    runner = interpreter(path)
    inp = runner.get_input_details()[0]
    runner.allocate_tensors()
    samples = [_to_input(images[i % len(images)][None], inp) for i in range(repeats)]
    runner.set_tensor(inp["index"], samples[0])
    runner.invoke()
    start = time.perf_counter()
    for sample in samples:
        runner.set_tensor(inp["index"], sample)
        runner.invoke()
    return 1000 * (time.perf_counter() - start) / repeats


def gzip_size(blob: bytes) -> int:
    """Bytes after gzip at level 9, with no timestamp: the same for the same bytes."""
    return len(gzip.compress(blob, compresslevel=9, mtime=0))


def zip_size(blob: bytes, name: str) -> int:
    """Bytes of a zip archive holding only this file, as the member ``name`` (its base name),
    ZIP_DEFLATED at zlib's default level: the measure of the TFMOT guides'
    ``get_gzipped_model_size``. The name is stored twice, so the guides' ``f.write(path)``, which
    stores the path it is given, adds 2 bytes per character of path beyond the base name."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as opened:
        opened.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), blob,
                        compress_type=zipfile.ZIP_DEFLATED)
    return len(archive.getvalue())


def sizes(path) -> dict:
    """Raw bytes, gzip bytes (``gzip_size``: gzip -9), zip bytes (``zip_size``: the TFMOT guides'
    measure) and sha256 of the file."""
    blob = Path(path).read_bytes()
    return {"raw_bytes": len(blob),
            "gzip_bytes": gzip_size(blob),
            "zip_bytes": zip_size(blob, Path(path).name),
            "sha256": hashlib.sha256(blob).hexdigest()}


def weight_tensors(path) -> list[dict]:
    """The constant tensors with more than one element, read from the flatbuffer.

    Each entry: name, dtype, shape, ``values`` (the stored numbers; a sparse tensor
    stores only its non-zero blocks), ``size`` (elements of the dense tensor), ``sparse``
    (whether the file stores it in a sparse format) and ``read_by`` (``_readers``).
    """
    from tensorflow.lite.python import schema_py_generated as schema
    from tensorflow.lite.tools import flatbuffer_utils

    model = flatbuffer_utils.read_model(str(path))
    dtypes = {schema.TensorType.FLOAT32: np.float32, schema.TensorType.FLOAT16: np.float16,
              schema.TensorType.INT32: np.int32, schema.TensorType.INT8: np.int8,
              schema.TensorType.INT16: np.int16, schema.TensorType.INT64: np.int64,
              schema.TensorType.INT4: np.uint8}
    readers = _readers(model, schema)
    found = []
    for index, tensor in enumerate(model.subgraphs[0].tensors):
        data = model.buffers[tensor.buffer].data
        shape = [int(d) for d in tensor.shape] if tensor.shape is not None else []
        if data is None or tensor.type not in dtypes or int(np.prod(shape)) <= 1:
            continue
        values = np.frombuffer(bytes(bytearray(data)), dtype=dtypes[tensor.type])
        if tensor.type == schema.TensorType.INT4:  # two codes per byte
            values = int4.unpack(values, int(np.prod(shape)))
        found.append({"name": tensor.name.decode(), "dtype": "int4" if tensor.type == schema.TensorType.INT4
                      else np.dtype(dtypes[tensor.type]).name,
                      "shape": shape, "values": values, "size": int(np.prod(shape)),
                      "sparse": tensor.sparsity is not None, "read_by": readers.get(index, "-")})
    return found


PASS_THROUGH = ("DENSIFY",)  # operators that only turn a stored tensor into the one a layer reads


def _readers(model, schema) -> dict[int, str]:
    """Tensor index -> the first operator that reads it, as "CONV_2D 2" (the second CONV_2D
    in the order the graph runs): a file with short names keeps no layer names, but each
    layer is one operator (q4's int4 files run the Dense layer as a CONV_2D). A tensor that
    DENSIFY only turns into another is named by the operator that reads what it becomes."""
    names = {code: name for name, code in vars(schema.BuiltinOperator).items() if not name.startswith("_")}
    operators, counts = [], {}
    for op in model.subgraphs[0].operators:
        code = model.operatorCodes[op.opcodeIndex]
        name = names.get(max(code.builtinCode, code.deprecatedBuiltinCode), "CUSTOM")
        counts[name] = counts.get(name, 0) + 1
        operators.append((name, f"{name} {counts[name]}", [int(i) for i in op.inputs], [int(i) for i in op.outputs]))
    readers = {}
    for name, label, inputs, outputs in reversed(operators):  # a pass-through's reader is labelled first
        for i in inputs:
            readers[i] = readers.get(outputs[0], label) if name in PASS_THROUGH else label
    return readers


def layer_weights(path, min_size: int = 64) -> list[dict]:
    """Per weight tensor (at least ``min_size`` elements, so kernels and not biases): the
    operator that reads it, distinct stored values and the fraction of zeros, as the file
    stores them."""
    rows = []
    for t in weight_tensors(path):
        if t["size"] < min_size:
            continue
        nonzero = int(np.count_nonzero(t["values"]))
        distinct = np.unique(t["values"])
        if t["sparse"] and nonzero < t["size"]:
            distinct = np.union1d(distinct, [0])
        rows.append({"read_by": t["read_by"], "tensor": t["name"], "dtype": t["dtype"], "shape": t["shape"],
                     "elements": t["size"], "distinct_values": int(len(distinct)),
                     "zero_fraction": round(1 - nonzero / t["size"], 4), "sparse_format": t["sparse"]})
    return rows


LARGE_TENSOR = 1024  # elements: the kernels of conv2, conv3 and the Dense layer, not conv1's 144 nor any bias


def gzip_bytes_by_part(path, min_size: int = LARGE_TENSOR) -> list[dict]:
    """What each part of the file costs gzipped, measured on a copy from which the parts are
    taken out one after the other (each costs what taking it out saves, once the parts
    before it are gone): the constant tensors of ``min_size`` elements or more (set to zeros,
    their runs of zeros still counted in the last part), the other constants (int32 biases,
    conv1's kernel), the tensor names, the metadata and signature, the quantization
    parameters; the last part is what is left: operators, tensor shapes, the flatbuffer's
    tables (and a sparse tensor's index arrays). The parts add up to the file's gzip size.
    The copies are only measured, never written or run. Raises ValueError if the file does
    not read back to the same bytes (then the parts would not be the file's)."""
    from tensorflow.lite.tools import flatbuffer_utils

    blob = Path(path).read_bytes()
    model = flatbuffer_utils.read_model(str(path))
    serialized = lambda: bytes(flatbuffer_utils.convert_object_to_bytearray(model))  # noqa: E731
    if serialized() != blob:
        raise ValueError(f"{path}: expected the flatbuffer to read back to its {len(blob):,} bytes, "
                         f"found {len(serialized()):,} different bytes; its parts cannot be measured")
    tensors = model.subgraphs[0].tensors
    large = {t.buffer for t in tensors if t.shape is not None and int(np.prod(t.shape)) >= min_size}
    metadata = {entry.buffer for entry in model.metadata or []}

    def zero_buffers(chosen):
        for index in chosen:
            if model.buffers[index].data is not None:
                model.buffers[index].data = np.zeros_like(model.buffers[index].data)

    def drop_names():
        for tensor in tensors:
            tensor.name = b""

    def drop_metadata():
        for index in metadata:
            model.buffers[index].data = None
        model.metadata, model.signatureDefs, model.description = None, None, None

    def drop_quantization():
        for tensor in tensors:
            tensor.quantization = None

    steps = [("large weight tensors", lambda: zero_buffers(large)),
             ("biases and other small constants",
              lambda: zero_buffers(set(range(len(model.buffers))) - large - metadata)),
             ("tensor names", drop_names),
             ("metadata and signature", drop_metadata),
             ("quantization scales and zero points", drop_quantization)]
    before, parts = gzip_size(blob), []
    for part, take_out in steps:
        take_out()
        after = gzip_size(serialized())
        parts.append({"part": part, "gzip_bytes": before - after})
        before = after
    parts.append({"part": "operators, shapes and layout", "gzip_bytes": before})
    return parts


def weight_cost(path) -> dict:
    """Where the gzip bytes of a file go: ``parts`` (``gzip_bytes_by_part``), and in short,
    the gzip size, what the file costs without its large weight tensors, how many weights
    those tensors hold, and what each of them costs in bits."""
    parts = gzip_bytes_by_part(path)
    gzipped = sum(part["gzip_bytes"] for part in parts)  # the file's gzip size: the parts add up to it
    weights = sum(row["elements"] for row in layer_weights(path, min_size=LARGE_TENSOR))
    return {"gzip_bytes": gzipped, "not_weights_gzip_bytes": gzipped - parts[0]["gzip_bytes"], "weights": weights,
            "bits_per_weight": 8 * parts[0]["gzip_bytes"] / weights, "parts": parts}


def float_ulp_gap(tflite_bytes: bytes, model) -> list[dict]:
    """How far the float32 kernels and biases a converted file stores are from the weights of
    the BN-free Keras ``model`` it came from, in units in the last place (ULP: adjacent float32
    values are 1 apart): per layer, the largest gap of its kernel and of its bias, each against
    the stored float32 tensor of its shape that is closest. 0 means bit for bit the same."""
    runner = Interpreter(model_content=tflite_bytes,
                         experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    stored = []
    for detail in runner.get_tensor_details():
        try:
            value = runner.get_tensor(detail["index"])
        except ValueError:  # an activation, not a constant
            continue
        if value.dtype == np.float32:
            stored.append(value.copy())

    def gap(mine: np.ndarray) -> int | None:
        bits = mine.astype(np.float32).view(np.int32).astype(np.int64)
        gaps = [int(np.abs(t.view(np.int32).astype(np.int64) - bits).max()) for t in stored if t.shape == mine.shape]
        return min(gaps) if gaps else None

    rows = []
    for layer in model.layers:
        if hasattr(layer, "kernel"):
            kernel, bias = layer.get_weights()
            kernel = np.moveaxis(kernel, -1, 0) if kernel.ndim == 4 else kernel.T  # as TFLite stores it
            rows.append({"layer": layer.name, "kernel_ulp": gap(kernel), "bias_ulp": gap(bias)})
    return rows
