"""The QKeras model quantizes what the homework asks, and its size count is right."""
import numpy as np
import pytest
import tensorflow as tf

from signopt import baseline, training
from signopt import qkeras_model as qk
from tiny import tiny_qkeras


@pytest.fixture(scope="module")
def tiny_q():
    tf.keras.utils.set_random_seed(0)
    model = tiny_qkeras(bits=4, filters=(4, 8))
    source = baseline.build_baseline(filters=(4, 8))
    for layer in source.layers:  # trained-looking weights, biases included
        layer.set_weights([np.random.default_rng(1).normal(0, 0.3, w.shape) for w in layer.get_weights()])
    return qk.copy_weights(source, model)


def test_every_conv_and_dense_weight_lies_on_the_4_bit_grid(tiny_q):
    rows = qk.grid_table(tiny_q)
    assert {(r["layer"], r["weight"]) for r in rows} == {("conv1", "kernel"), ("conv2", "kernel"),
                                                          ("letter", "kernel"), ("letter", "bias")}
    for row in rows:
        assert row["on_grid"], row
        assert row["max_distinct_per_channel"] <= 16
    for w in qk.quantized_weights(tiny_q):
        codes = np.round(w["codes"])
        assert codes.min() >= -8 and codes.max() <= 7
        # the quantizer really changed the weights: far fewer values than floats
        assert len(np.unique(w["values"])) < w["values"].size or w["values"].size <= 16


def test_bias_uses_a_fixed_grid_of_16_levels(tiny_q):
    bias = next(w for w in qk.quantized_weights(tiny_q) if w["weight"] == "bias")["values"]
    assert len(np.unique(bias)) <= 16
    assert np.allclose(bias * 8, np.round(bias * 8))  # alpha=1: steps of 1/8


def test_size_in_bits_matches_a_hand_count(tiny_q):
    # conv1 4*9 + conv2 8*4*9 kernels, Dense 392*25 + 25: 4 bits; BN 4 per channel: 32 bits
    quantized = 4 * 9 + 8 * 4 * 9 + 7 * 7 * 8 * 25 + 25
    batch_norm = 4 * (4 + 8)
    scales = 8 * (4 + 8 + 25)  # auto_po2 kernels: an 8-bit exponent per output channel; the bias has alpha=1
    assert sum(r["bits"] for r in qk.size_in_bits(tiny_q)) == 4 * quantized + 32 * batch_norm + scales
    assert sum(r["parameters"] for r in qk.size_in_bits(tiny_q)) == tiny_q.count_params()


@pytest.mark.parametrize("bits, each", [(2, 2), ("ternary", 2), ("binary", 1), (8, 8)])
def test_other_widths_are_counted_at_their_bits(bits, each):
    model = tiny_qkeras(bits=bits, filters=(4,))
    kernel = next(r for r in qk.size_in_bits(model) if r["layer"] == "conv1")
    assert kernel["bits_each"] == each


@pytest.mark.parametrize("alpha, scale_bits", [("auto_po2", 8), ("auto", 32), (1, 0)])
def test_per_channel_scales_are_counted(alpha, scale_bits):
    model = tiny_qkeras(alpha=alpha, filters=(4,))
    scales = [r for r in qk.size_in_bits(model) if r["layer"] == "conv1" and r["weight"].endswith("scales")]
    assert sum(r["bits"] for r in scales) == 4 * scale_bits


def test_batch_norm_rule_accepts_qkeras_activations():
    baseline.check_batch_norm_placement(tiny_qkeras(activation_bits=4))
    baseline.check_batch_norm_placement(tiny_qkeras())


def test_a_qkeras_copy_of_the_baseline_mirrors_it_and_a_different_one_is_named():
    from qkeras import QConv2D, QDense, quantized_bits
    reference = baseline.build_baseline(filters=(4,), name="tiny")
    inputs = tf.keras.Input((28, 28, 1), name="image")
    x = QConv2D(4, 3, padding="same", use_bias=False, name="conv1", kernel_quantizer=quantized_bits(4, 0, 1))(inputs)
    x = tf.keras.layers.BatchNormalization(name="bn1")(x)
    x = tf.keras.layers.MaxPooling2D(name="pool1")(tf.keras.layers.ReLU(name="relu1")(x))
    x = tf.keras.layers.Dropout(0.25, name="dropout")(tf.keras.layers.Flatten(name="flatten")(x))
    x = QDense(25, name="letter", kernel_quantizer=quantized_bits(4, 0, 1))(x)
    mirror = tf.keras.Model(inputs, tf.keras.layers.Activation("softmax", name="softmax")(x), name="q")
    qk.check_mirrors(mirror, reference)
    with pytest.raises(ValueError, match="no layer 'dropout'"):
        qk.check_mirrors(tiny_qkeras(filters=(4,)), reference)


def test_qstats_leaves_the_model_weights_as_they_were(tiny_q):
    """print_qstats quantizes weights in place; qstats_text must put them back."""
    model = tiny_q
    before = training.weights_sha256(model)
    text = qk.qstats_text(model)
    assert "Weight profiling:" in text and "quantizing model" in text  # print_qstats did quantize the weights
    assert training.weights_sha256(model) == before
    rows = qk.qstats_weight_bits(text)
    assert rows and all(row["bits"] == row["count"] * row["bits_each"] for row in rows)
