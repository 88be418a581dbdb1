"""Load a saved Keras model, QKeras layers included."""
import tensorflow as tf


def load_keras(path) -> tf.keras.Model:
    """Load ``path`` (the baseline or the QKeras model) for evaluation: QKeras' loader knows
    its quantized layers and quantizers, and plain Keras layers load as usual."""
    from qkeras.utils import load_qmodel
    return load_qmodel(str(path), compile=False)
