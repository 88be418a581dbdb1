"""Load a saved Keras model, whatever custom layers (QKeras, tfmot wrappers) it holds."""
import tensorflow as tf


def load_keras(path) -> tf.keras.Model:
    """Load ``path`` with the QKeras layers and tfmot quantization scopes known."""
    import tensorflow_model_optimization as tfmot
    from qkeras.utils import _add_supported_quantized_objects

    custom = {}
    _add_supported_quantized_objects(custom)
    with tfmot.quantization.keras.quantize_scope():
        return tf.keras.models.load_model(path, custom_objects=custom, compile=False)
