"""Store a full-integer .tflite file's convolution filters in 4 bits (TFLite's INT4 type).

TFLiteConverter writes int8 filters only. TFLite Micro's CONV_2D also takes packed INT4
filters (two codes per byte, the even element in the low nibble), unpacking them into its
arena at run time; its FULLY_CONNECTED does not, so a classifier that should be 4-bit has to
be a convolution. A filter whose weights already sit on a 16-level grid per output channel
(QKeras' quantized_bits(4), BatchNormalization folded in by the converter) keeps its values:
the converter's int8 codes are then, within its rounding of half an int8 step, multiples of
127 / k for some k <= 8, and each channel's 4-bit codes are those multiples, its scale the grid
step (so the 4-bit file is back on QKeras' grid, where the int8 file was half a step off). Each
bias is rounded in the new accumulator units (input scale x filter scale). Anything not on such
a grid is refused, with the layer and channel named: a repacking onto the grid, not a quantizer.
"""
import numpy as np
from tensorflow.lite.python import schema_py_generated as schema
from tensorflow.lite.tools import flatbuffer_utils

GRID_TOLERANCE = 0.05  # int8 rounding moves a code by <= 0.5, i.e. <= 0.5 * 8 / 127 = 0.03 of a 4-bit step
LOW, HIGH = -8, 7


def channel_codes(codes8: np.ndarray) -> tuple[np.ndarray, float]:
    """One output channel's int8 codes as 4-bit codes, and the factor from the int8 scale to the
    4-bit one. The coarsest grid that holds the codes wins (k = 1..8 steps to the largest one)."""
    peak = int(np.abs(codes8).max())
    if peak == 0:
        return np.zeros_like(codes8), 1.0
    for k in range(1, 9):
        codes4 = codes8 * (k / peak)
        rounded = np.round(codes4)
        if np.abs(codes4 - rounded).max() <= GRID_TOLERANCE and rounded.min() >= LOW and rounded.max() <= HIGH:
            return rounded.astype(np.int8), peak / k
    raise ValueError(f"int8 codes with peak {peak} are not on a 16-level grid (no k in 1..8 fits)")


def pack(codes: np.ndarray) -> np.ndarray:
    """Codes in -8..7 as TFLite's packed INT4 bytes: element 2i in the low nibble of byte i."""
    flat = codes.reshape(-1).astype(np.int8)
    if flat.min() < LOW or flat.max() > HIGH:
        raise ValueError(f"4-bit codes must be in {LOW}..{HIGH}, found {flat.min()}..{flat.max()}")
    if len(flat) % 2:
        flat = np.append(flat, np.int8(0))
    nibbles = (flat & 0x0F).astype(np.uint8)
    return nibbles[0::2] | (nibbles[1::2] << 4)


def unpack(packed: np.ndarray, count: int) -> np.ndarray:
    """The inverse of ``pack``: ``count`` signed codes."""
    low = (packed.astype(np.int8) << 4) >> 4
    high = packed.astype(np.int8) >> 4
    return np.stack([low, high], axis=1).reshape(-1)[:count]


def layer_name(output_name: str) -> str:
    """The Keras layer of a CONV_2D output tensor ("model/relu1/Relu;model/bn1/...;model/conv1/Conv2D"
    -> "conv1"): the filter's own name is the converter's ("tfl.pseudo_qconst3")."""
    parts = [part.split("/") for part in output_name.split(";") if "Conv2D" in part]
    return parts[0][-2] if parts and len(parts[0]) >= 2 else output_name


def conv_filters_to_int4(tflite_bytes: bytes) -> tuple[bytes, list[dict]]:
    """The file with every CONV_2D filter stored as INT4, and one row per filter (its name,
    weights, distinct 4-bit codes, and how far the largest weight moved, in int8 steps)."""
    model = flatbuffer_utils.read_model_from_bytearray(bytearray(tflite_bytes))
    graph = model.subgraphs[0]
    rows = []
    for op in graph.operators:
        if model.operatorCodes[op.opcodeIndex].builtinCode != schema.BuiltinOperator.CONV_2D:
            continue
        data, weights = graph.tensors[op.inputs[0]], graph.tensors[op.inputs[1]]
        bias = graph.tensors[op.inputs[2]] if len(op.inputs) > 2 and op.inputs[2] >= 0 else None
        name = layer_name(graph.tensors[op.outputs[0]].name.decode())
        if weights.type != schema.TensorType.INT8:
            raise ValueError(f"{name}: expected an int8 filter (a full-integer file), found tensor type {weights.type}")
        if data.type != schema.TensorType.INT8:
            raise ValueError(f"{name}: expected int8 activations, found tensor type {data.type}")
        shape = tuple(weights.shape)
        per_channel = weights.quantization
        if (per_channel is None or per_channel.quantizedDimension != 0 or len(per_channel.scale) != shape[0]
                or np.any(np.asarray(per_channel.zeroPoint) != 0)):
            raise ValueError(f"{name}: expected one scale per output channel (dimension 0) and zero points 0, "
                             f"found {0 if per_channel is None else len(per_channel.scale)} scales for {shape[0]} channels")
        codes8 = np.frombuffer(bytes(model.buffers[weights.buffer].data), dtype=np.int8).reshape(shape[0], -1)
        scales8 = np.asarray(per_channel.scale, dtype=np.float64)
        codes4, factors = np.empty_like(codes8), np.empty(shape[0])
        for channel in range(shape[0]):
            try:
                codes4[channel], factors[channel] = channel_codes(codes8[channel])
            except ValueError as err:
                raise ValueError(f"{name}, output channel {channel}: {err}") from None
        weights.type = schema.TensorType.INT4
        per_channel.scale = list(scales8 * factors)
        model.buffers[weights.buffer].data = pack(codes4)
        moved = np.abs(codes4 * factors[:, None] - codes8).max()
        if bias is not None and bias.buffer:
            bias32 = np.frombuffer(bytes(model.buffers[bias.buffer].data), dtype=np.int32)
            model.buffers[bias.buffer].data = np.round(bias32 / factors).astype(np.int32).view(np.uint8)
            bias.quantization.scale = list(np.asarray(bias.quantization.scale, dtype=np.float64) * factors)
        rows.append({"layer": name, "weights": int(codes8.size), "distinct_codes": int(len(np.unique(codes4))),
                     "largest_move_int8_steps": round(float(moved), 3)})
    if not rows:
        raise ValueError("no CONV_2D operator in this file: nothing to store in 4 bits")
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model)), rows

