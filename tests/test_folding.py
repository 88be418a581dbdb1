"""Folding BatchNormalization changes the parameters, not the function."""
import numpy as np
import tensorflow as tf

from signopt.folding import fold_batch_norm
from tiny import tiny_images, tiny_model


def test_folded_model_computes_the_same_outputs_without_batch_norm():
    model = tiny_model()
    rng = np.random.default_rng(1)
    for layer in model.layers:  # non-trivial BN statistics, as after training
        if isinstance(layer, tf.keras.layers.BatchNormalization):
            n = layer.gamma.shape[0]
            layer.set_weights([rng.uniform(0.5, 2, n), rng.normal(0, 0.5, n),
                               rng.normal(0, 0.5, n), rng.uniform(0.2, 3, n)])
    folded = fold_batch_norm(model)
    assert not any(isinstance(l, tf.keras.layers.BatchNormalization) for l in folded.layers)
    images = tiny_images(16)[0]
    np.testing.assert_allclose(folded.predict(images, verbose=0), model.predict(images, verbose=0), atol=1e-5)
    assert model.count_params() - folded.count_params() == sum(
        3 * l.gamma.shape[0] for l in model.layers if isinstance(l, tf.keras.layers.BatchNormalization))


def test_a_pre_folded_model_converts_to_exactly_its_own_weights():
    """q1 converts the model folded by numpy (correctly rounded float32 operations, the same on
    every IEEE-754 CPU): the float file then holds those values bit for bit, so it does not
    depend on the converter's own folding arithmetic, whose last bits vary with the CPU."""
    from signopt import convert, tflite_files
    from tiny import tiny_model
    folded = fold_batch_norm(tiny_model())
    letter = folded.get_layer("letter")  # an untrained bias is zero, and the converter drops a zero bias
    letter.set_weights([letter.kernel.numpy(), np.linspace(-1, 1, 25, dtype=np.float32)])
    gaps = tflite_files.float_ulp_gap(convert.to_tflite(folded, "float"), folded)
    assert [g["layer"] for g in gaps] == ["conv1", "conv2", "letter"]
    assert all(g["kernel_ulp"] == 0 and g["bias_ulp"] == 0 for g in gaps), gaps
