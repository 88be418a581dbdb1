"""A tiny baseline-shaped model and random images, for tests that convert models fast."""
import numpy as np

from signopt import baseline


def tiny_model(seed: int = 0):
    import tensorflow as tf
    tf.keras.utils.set_random_seed(seed)
    return baseline.build_baseline(filters=(4, 8), name="tiny")


def tiny_images(n: int = 64, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 28, 28, 1), dtype=np.float32), rng.choice(sorted(range(25)), n)


def tiny_qkeras(bits=4, alpha="auto_po2", activation_bits=None, filters=(4,)):
    """A small QKeras model shaped like q4.ipynb's: QConv2D-BN-ReLU-pool blocks without
    conv bias, then a QDense whose bias sits on the fixed grid alpha=1."""
    import tensorflow as tf
    from qkeras import QActivation, QConv2D, QDense, binary, quantized_bits, quantized_relu, ternary
    quantizer = {"ternary": lambda a: ternary(alpha=a), "binary": lambda a: binary(alpha=a)}.get(
        bits, lambda a: quantized_bits(bits, 0, alpha=a))
    inputs = tf.keras.Input((28, 28, 1))
    x = inputs
    for i, width in enumerate(filters, start=1):
        x = QConv2D(width, 3, padding="same", use_bias=False, name=f"conv{i}", kernel_quantizer=quantizer(alpha))(x)
        x = tf.keras.layers.BatchNormalization(name=f"bn{i}")(x)
        x = (QActivation(quantized_relu(activation_bits), name=f"relu{i}") if activation_bits
             else tf.keras.layers.ReLU(name=f"relu{i}"))(x)
        x = tf.keras.layers.MaxPooling2D(name=f"pool{i}")(x)
    x = tf.keras.layers.Flatten(name="flatten")(x)
    x = QDense(25, name="letter", kernel_quantizer=quantizer(alpha), bias_quantizer=quantizer(1))(x)
    return tf.keras.Model(inputs, tf.keras.layers.Activation("softmax", name="softmax")(x), name="tiny_q")
