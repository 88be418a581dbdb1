"""What a QKeras model's quantized weights hold, and its size in bits (q4.ipynb builds the model).

QConv2D and QDense train with float "shadow" weights but compute with the weights their
quantizers produce: ``quantized_bits(4, 0, alpha=...)`` maps each weight to one of 16
levels (integer codes -8..7 times a scale). ``alpha`` sets the scale: 1 uses a fixed grid of
step 1/8, so small weights round to zero; "auto_po2" picks a power-of-two scale per output
channel from the weights themselves. BatchNormalization stays float (the homework allows it).
"""
import numbers
import re

import numpy as np
import tensorflow as tf
from qkeras import QConv2D, QDense, binary, quantized_bits, ternary

from signopt import convert, int4, measurement, training

QUANTIZED_LAYERS = (QConv2D, QDense)


def copy_weights(source: tf.keras.Model, target: tf.keras.Model) -> tf.keras.Model:
    """Start ``target`` from the weights of the layers of ``source`` with the same names."""
    for layer in target.layers:
        if layer.weights:
            layer.set_weights(source.get_layer(layer.name).get_weights())
    return target


def quantized_weights(model: tf.keras.Model) -> list[dict]:
    """Each quantized layer's kernel and bias as the quantizer makes them from the stored
    float weights, with the integer codes on the quantizer's grid."""
    found = []
    for layer in model.layers:
        if not isinstance(layer, QUANTIZED_LAYERS):
            continue
        for kind, weight, quantizer in (("kernel", layer.kernel, layer.kernel_quantizer_internal),
                                        ("bias", getattr(layer, "bias", None), getattr(layer, "bias_quantizer_internal", None))):
            if weight is None:
                continue
            values = quantizer(weight).numpy() if quantizer else weight.numpy()
            found.append({"layer": layer.name, "weight": kind, "quantizer": str(quantizer),
                          "bits": _quantizer_bits(quantizer), "values": values,
                          "codes": _codes(values, quantizer)})
    return found


def _codes(values: np.ndarray, quantizer) -> np.ndarray | None:
    """values / scale * 2**(bits - 1 - integer) for quantized_bits: integers if on the grid."""
    if not isinstance(quantizer, quantized_bits):
        return None
    scale = np.asarray(quantizer.scale, dtype=np.float64)
    return values / scale * 2.0 ** (quantizer.bits - 1 - quantizer.integer)


def grid_table(model: tf.keras.Model) -> list[dict]:
    """Per quantized weight: distinct values (whole tensor, and at most per output
    channel), and whether every value is an integer code within the quantizer's bits."""
    rows = []
    for w in quantized_weights(model):
        values, codes = w["values"], w["codes"]
        per_channel = values.reshape(-1, values.shape[-1])
        row = {"layer": w["layer"], "weight": w["weight"], "quantizer": w["quantizer"],
               "elements": int(values.size), "distinct_values": int(len(np.unique(values))),
               "max_distinct_per_channel": int(max(len(np.unique(per_channel[:, c]))
                                                   for c in range(per_channel.shape[1])))}
        if codes is not None:
            bits = w["bits"]
            on_grid = np.allclose(codes, np.round(codes), atol=1e-4)
            low, high = np.round(codes).min(), np.round(codes).max()
            row.update(on_grid=bool(on_grid and -2 ** (bits - 1) <= low and high <= 2 ** (bits - 1) - 1),
                       code_range=f"{int(low)}..{int(high)}")
        rows.append(row)
    return rows


SCALE_BITS = {"auto_po2": 8, "auto": 32}  # a power-of-two scale needs its exponent; "auto" a float


def size_in_bits(model: tf.keras.Model) -> list[dict]:
    """Bits per layer: each quantized weight at its quantizer's bits (ternary 2, binary 1),
    plus the scale its quantizer keeps per output channel (alpha "auto_po2": an 8-bit exponent;
    "auto": a 32-bit float; a fixed alpha: nothing stored), and every other parameter
    (BatchNormalization's four per channel included) at 32 bits."""
    rows = []
    for layer in model.layers:
        for weight in layer.weights:
            bits = 32
            name = weight.name.split("/")[-1].split(":")[0]
            count = int(np.prod(weight.shape))
            quantizer = None
            if isinstance(layer, QUANTIZED_LAYERS):
                kind = "bias" if "bias" in weight.name else "kernel"
                quantizer = getattr(layer, f"{kind}_quantizer_internal", None)
                bits = _quantizer_bits(quantizer)
            rows.append({"layer": layer.name, "weight": name, "parameters": count, "bits_each": bits,
                         "bits": count * bits})
            scale_bits = SCALE_BITS.get(str(getattr(quantizer, "alpha", None)), 0)
            if scale_bits:
                channels = int(weight.shape[-1])
                rows.append({"layer": layer.name, "weight": f"{name} scales", "parameters": 0,
                             "bits_each": scale_bits, "bits": channels * scale_bits})
    return rows


def _quantizer_bits(quantizer) -> int:
    if quantizer is None:
        return 32
    if isinstance(quantizer, ternary):
        return 2
    if isinstance(quantizer, binary):
        return 1
    return int(quantizer.bits)


QUANTIZED_KIND = {"Conv2D": {"QConv2D"}, "Dense": {"QDense"}, "ReLU": {"ReLU", "QActivation"}}


def check_mirrors(qkeras_model: tf.keras.Model, baseline_model: tf.keras.Model) -> None:
    """Raise ValueError unless ``qkeras_model`` has the baseline's layers one for one: the same
    names, kinds and output shapes, with QConv2D / QDense where the baseline has Conv2D / Dense
    (and QActivation allowed for ReLU). The only layer it may add is the softmax that the
    baseline's Dense layer applies itself, split out after QDense."""
    found = {layer.name: layer for layer in qkeras_model.layers}
    problems = []
    for layer in baseline_model.layers:
        kind = type(layer).__name__
        mirror = found.pop(layer.name, None)
        if mirror is None:
            problems.append(f"no layer {layer.name!r} ({kind})")
        elif type(mirror).__name__ not in QUANTIZED_KIND.get(kind, {kind}):
            problems.append(f"{layer.name!r} is {type(mirror).__name__}, expected {' or '.join(sorted(QUANTIZED_KIND.get(kind, {kind})))}")
        elif mirror.output_shape != layer.output_shape:
            problems.append(f"{layer.name!r} gives {mirror.output_shape}, the baseline's {layer.output_shape}")
    extra = [name for name, layer in found.items()
             if not (isinstance(layer, tf.keras.layers.Activation) and layer.get_config()["activation"] == "softmax")]
    problems += [f"a layer the baseline does not have: {name!r}" for name in extra]
    if problems:
        raise ValueError(f"{qkeras_model.name} does not mirror {baseline_model.name}: " + "; ".join(problems))


def qstats_text(model: tf.keras.Model) -> str:
    """What QKeras' ``print_qstats(model)`` prints, as text (it prints to standard output).

    print_qstats quantizes the model's weights in place (its "... quantizing model" line): the
    float shadow weights become their quantized values, so the model would no longer hold the
    weights of its file. They are put back afterwards."""
    import contextlib
    import io

    from qkeras import print_qstats
    weights = model.get_weights()
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            print_qstats(model)
    finally:
        model.set_weights(weights)
    return printed.getvalue()


def qstats_weight_bits(text: str) -> list[dict]:
    """The "Weight profiling" lines of ``print_qstats``' output ("conv2_weights : 4608
    (4-bit unit)"), each with its bits: count x bits per unit. What print_qstats profiles is
    the weights and biases of the quantized layers; it leaves out BatchNormalization's
    parameters and the quantizers' scales (``size_in_bits`` counts both)."""
    if "Weight profiling:" not in text:
        raise ValueError(f"no 'Weight profiling:' section in this print_qstats output: {text[:200]!r}")
    section = text.split("Weight profiling:", 1)[1]
    rows = []
    for line in section.splitlines()[1:]:
        if not line.strip() or not line[0].isspace():  # a blank line or the next section's title ends it
            break
        found = re.match(r"\s+(\S+)\s*:\s*(\d+)\s+\((\d+)-bit unit\)", line)
        if not found:
            raise ValueError(f"a 'Weight profiling' line of print_qstats that is not 'name : count (N-bit unit)': {line!r}")
        name, count, bits = found.group(1), int(found.group(2)), int(found.group(3))
        rows.append({"weight": name, "count": count, "bits_each": bits, "bits": count * bits})
    if not rows:
        raise ValueError("the 'Weight profiling:' section of this print_qstats output has no weight lines")
    return rows


def weight_quantizer(bits, alpha="auto_po2"):
    """QKeras' quantizer for ``bits``: quantized_bits(bits, 0, alpha), integer codes in
    -2^(bits-1)..2^(bits-1)-1 times a scale; ternary (-1, 0, 1) or binary (-1, 1) times a
    scale for bits="ternary" or "binary"."""
    if bits == "ternary":
        return ternary(alpha=alpha)
    if bits == "binary":
        return binary(alpha=alpha)
    if isinstance(bits, bool) or not isinstance(bits, numbers.Integral) or bits < 2:
        raise ValueError(f"bits must be an integer of at least 2, 'ternary' or 'binary', got {bits!r}")
    return quantized_bits(bits, 0, alpha=alpha)


def validation_row(model: tf.keras.Model, splits) -> dict:
    """One row of a QKeras sweep: the model's validation accuracy and its size in bits (``size_in_bits``)."""
    return {"val_accuracy": training.model_accuracy(model, splits.x_val, splits.y_val),
            "total_bits": int(sum(r["bits"] for r in size_in_bits(model)))}


def float_conv_model(qkeras_model: tf.keras.Model, name: str | None = None) -> tf.keras.Model:
    """A plain Keras copy of a QKeras model that computes what it computes, for TFLiteConverter:
    each QConv2D becomes a Conv2D holding its quantized weights, and the QDense classifier on
    the flattened map becomes a Conv2D over the whole map (the Dense kernel reshaped to it,
    row-major as Flatten orders it), then Flatten. TFLite Micro runs 4-bit filters in CONV_2D
    only, so this is the form in which every weight tensor can be stored in 4 bits. Dropout,
    a no-op at inference, is left out; quantized activations are refused."""
    quantized = {(w["layer"], w["weight"]): w["values"] for w in quantized_weights(qkeras_model)}
    inputs = tf.keras.Input(qkeras_model.input_shape[1:], name=qkeras_model.layers[0].name)
    x, pending_flatten = inputs, None
    for layer in qkeras_model.layers[1:]:
        kind = type(layer).__name__
        if kind == "QActivation":
            raise ValueError(f"{layer.name}: quantized activations have no plain Keras copy; use a model with float activations")
        if kind == "Dropout":
            continue
        if kind == "Flatten":
            pending_flatten = layer
            continue
        if kind == "QConv2D":
            config = {key: layer.get_config()[key] for key in ("filters", "kernel_size", "strides", "padding", "use_bias")}
            copy = tf.keras.layers.Conv2D(name=layer.name, **config)
        elif kind == "QDense":
            if pending_flatten is None:
                raise ValueError(f"{layer.name}: expected a Flatten before the QDense classifier")
            copy = tf.keras.layers.Conv2D(layer.units, x.shape[1:3], padding="valid", name=layer.name)
        else:
            copy = type(layer).from_config(layer.get_config())
        x = copy(x)
        if kind in ("QConv2D", "QDense"):
            kernel = quantized[(layer.name, "kernel")].reshape(copy.kernel.shape)
            copy.set_weights([kernel] + ([quantized[(layer.name, "bias")]] if copy.use_bias else []))
            if kind == "QDense":
                x = tf.keras.layers.Flatten(name=pending_flatten.name)(x)
        elif layer.weights:
            copy.set_weights(layer.get_weights())
    return tf.keras.Model(inputs, x, name=name or f"{qkeras_model.name}_float_conv")


def int4_tflite(qkeras_model: tf.keras.Model, calibration_images: np.ndarray) -> tuple[bytes, list[dict]]:
    """The steps q4.ipynb shows, in one call for its sweep: ``float_conv_model``, TFLiteConverter's
    full-integer file of it, and that file's filters stored in 4 bits (``int4.conv_filters_to_int4``)."""
    return int4.conv_filters_to_int4(convert.to_tflite(float_conv_model(qkeras_model), "int8", calibration_images))


def int4_validation_row(qmodel: tf.keras.Model, splits) -> dict:
    """One row of a sweep of 4-bit TFLite Micro files: ``int4_tflite(qmodel)`` measured as every
    candidate file is (``measurement.candidate``), on the validation split."""
    return measurement.candidate(int4_tflite(qmodel, splits.x_train)[0], splits.x_val, splits.y_val)
