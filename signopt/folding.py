"""Fold each BatchNormalization into the convolution before it.

TFLite does this folding itself at conversion, scaling every output channel of the kernel
by gamma / sqrt(variance + epsilon). A kernel clustered *before* that scaling ends up with
k distinct values per channel, k x channels in the file; folding first and clustering the
folded kernel keeps k values in the whole tensor. The folded model computes the same
function as the original in inference mode.
"""
import numpy as np
import tensorflow as tf

layers = tf.keras.layers


def _copy(layer, **changes):
    return type(layer).from_config({**layer.get_config(), **changes})


def fold_batch_norm(model: tf.keras.Model) -> tf.keras.Model:
    """A BN-free copy of a chain-shaped model (each layer feeds the next, as the baseline)."""
    chain = model.layers[1:]
    inputs = tf.keras.Input(model.input_shape[1:], name=model.layers[0].name)
    x = inputs
    for layer, following in zip(chain, chain[1:] + [None]):
        if isinstance(layer, layers.BatchNormalization):
            if not isinstance(layer._inbound_nodes[0].inbound_layers, layers.Conv2D):
                raise ValueError(f"{layer.name} does not follow a Conv2D: cannot fold it")
            continue
        if isinstance(layer, layers.Conv2D) and isinstance(following, layers.BatchNormalization):
            folded = _copy(layer, use_bias=True)
            x = folded(x)
            gamma, beta, mean, variance = following.get_weights()
            scale = gamma / np.sqrt(variance + following.epsilon)
            bias = layer.bias.numpy() if layer.use_bias else 0.0
            folded.set_weights([layer.kernel.numpy() * scale, beta + (bias - mean) * scale])
        else:
            copy = _copy(layer)
            x = copy(x)
            copy.set_weights(layer.get_weights())
    return tf.keras.Model(inputs, x, name=f"{model.name}_folded")
