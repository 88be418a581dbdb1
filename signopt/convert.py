"""Keras model -> .tflite bytes, in the quantization modes that the sweeps of q2 and q3
compare: the one converter of q2 and q3. q1.ipynb spells out the same TFLiteConverter options
cell by cell.

float     no quantization
dynamic   weights int8, activations float (computed in float at run time)
int8      weights and activations int8, int8 input and output (full integer), a weight
          scale per output channel
int8_per_tensor  the same with one weight scale per tensor (fewer bytes, TFLite Micro runs it)
int16x8   weights int8, activations int16
sparse_*  the same, with weights stored in a sparse format (EXPERIMENTAL_SPARSITY)
"""
import numpy as np
import tensorflow as tf

from signopt.native_logs import quiet

MODES = ("float", "dynamic", "int8", "int8_per_tensor", "int16x8")
REPRESENTATIVE_IMAGES = 500


def representative_dataset(images: np.ndarray, count: int = REPRESENTATIVE_IMAGES, seed: int = 0):
    """Calibration data for full-integer conversion: images of the training split."""
    picked = np.random.default_rng(seed).permutation(len(images))[:count]

    def generate():
        for i in picked:
            yield [images[i:i + 1].astype(np.float32)]
    return generate


def converter(model: tf.keras.Model, mode: str, calibration_images: np.ndarray | None = None) -> tf.lite.TFLiteConverter:
    """A TFLiteConverter for ``model`` with the options of ``mode`` set (``flags`` lists them);
    ``calibration_images`` (training split) are needed by the int8 and int16x8 modes."""
    sparse = mode.startswith("sparse_")
    base = mode.removeprefix("sparse_")
    if base not in MODES or (sparse and base == "float"):
        raise ValueError(f"mode must be one of {MODES} or sparse_<mode> (not sparse_float), got {mode!r}")
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if base != "float":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if sparse:
        converter.optimizations.append(tf.lite.Optimize.EXPERIMENTAL_SPARSITY)
    if base in ("int8", "int8_per_tensor", "int16x8"):
        if calibration_images is None:
            raise ValueError(f"mode {mode!r} needs calibration_images from the training split")
        converter.representative_dataset = representative_dataset(calibration_images)
    if base.startswith("int8"):
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    if base == "int8_per_tensor":
        converter._experimental_disable_per_channel = True  # one weight scale per tensor
    if base == "int16x8":
        converter.target_spec.supported_ops = [
            tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
    return converter


def flags(converter: tf.lite.TFLiteConverter) -> list[str]:
    """The options ``converter`` sets, as the lines of code that would set them."""
    shown = []
    if converter.optimizations:
        shown.append(f"optimizations = [{', '.join(f'tf.lite.Optimize.{o.name}' for o in converter.optimizations)}]")
    if converter.representative_dataset is not None:
        shown.append(f"representative_dataset = {REPRESENTATIVE_IMAGES} training images")
    if converter.target_spec.supported_ops != {tf.lite.OpsSet.TFLITE_BUILTINS}:
        shown.append("target_spec.supported_ops = "
                     f"[{', '.join(f'tf.lite.OpsSet.{o.name}' for o in converter.target_spec.supported_ops)}]")
    for side in ("input", "output"):
        kind = getattr(converter, f"inference_{side}_type")
        if kind not in (None, tf.float32):  # float32 is the default
            shown.append(f"inference_{side}_type = tf.{kind.name}")
    if getattr(converter, "_experimental_disable_per_channel", False):
        shown.append("_experimental_disable_per_channel = True  (one weight scale per tensor)")
    return shown


def to_tflite(model: tf.keras.Model, mode: str, calibration_images: np.ndarray | None = None) -> bytes:
    """Convert ``model`` with the options of ``mode`` (``converter``). q2 and q3 convert every
    candidate here."""
    with quiet():
        return converter(model, mode, calibration_images).convert()


def with_short_names(model: tf.keras.Model) -> tf.keras.Model:
    """The same layers and weights under short names ("conv2" -> "c2", "letter" -> "l") in a
    model named "m": the converter joins model and layer names into the tensor names that a
    .tflite file stores, so shorter names are fewer bytes. Layer names must stay distinct."""
    def rename(layer):
        short = layer.name[0] + "".join(ch for ch in layer.name if ch.isdigit())
        return type(layer).from_config({**layer.get_config(), "name": short})
    copy = tf.keras.models.clone_model(model, clone_function=rename)
    copy.set_weights(model.get_weights())
    return tf.keras.Model(copy.inputs, copy.outputs, name="m")
