"""The rules every model the package builds must follow."""
import pytest
import tensorflow as tf

from signopt import baseline, training
from signopt.data import Splits
from tiny import tiny_images


def test_baseline_is_small_and_uses_only_stock_layers():
    model = baseline.build_baseline()
    assert model.count_params() <= 40_000
    assert model.output_shape == (None, 25)
    assert all(type(layer).__module__.startswith("tf_keras.") for layer in model.layers)


def test_every_batch_norm_of_the_baseline_sits_right_before_an_activation():
    model = baseline.build_baseline()
    baseline.check_batch_norm_placement(model)
    assert sum(isinstance(l, tf.keras.layers.BatchNormalization) for l in model.layers) == 3


def test_batch_norm_placement_check_refuses_bn_before_a_non_activation():
    inputs = tf.keras.Input((28, 28, 1))
    x = tf.keras.layers.Conv2D(4, 3)(inputs)
    x = tf.keras.layers.BatchNormalization(name="bn_bad")(x)
    x = tf.keras.layers.Flatten()(x)
    model = tf.keras.Model(inputs, tf.keras.layers.Dense(25)(x))
    with pytest.raises(ValueError, match="'bn_bad' is followed by Flatten, expected exactly one activation"):
        baseline.check_batch_norm_placement(model)


def test_a_stride_2_baseline_halves_the_map_in_its_convolutions_and_keeps_the_bn_rule():
    model = baseline.build_baseline(downsample="stride2")
    assert not any(isinstance(l, tf.keras.layers.MaxPooling2D) for l in model.layers)
    assert model.get_layer("flatten").output_shape == (None, 4 * 4 * 64)  # 28 -> 14 -> 7 -> 4
    baseline.check_batch_norm_placement(model)
    with pytest.raises(ValueError, match="downsample must be one of"):
        baseline.build_baseline(downsample="avgpool")


def test_clone_with_weights_is_an_independent_copy():
    model = baseline.build_baseline(filters=(4,))
    copy = training.clone_with_weights(model)
    assert all((a == b).all() for a, b in zip(model.get_weights(), copy.get_weights()))
    copy.layers[1].kernel.assign(copy.layers[1].kernel * 0)
    assert model.layers[1].kernel.numpy().any()


def test_clone_without_dropout_keeps_weights_and_sets_every_rate_to_zero():
    model = baseline.build_baseline(filters=(4,))
    copy = training.clone_with_weights(model, dropout=False)
    assert [l.rate for l in copy.layers if isinstance(l, tf.keras.layers.Dropout)] == [0.0]
    assert model.get_layer("dropout").rate == 0.25, "the original changed"
    assert all((a == b).all() for a, b in zip(model.get_weights(), copy.get_weights()))



def test_a_study_baseline_is_trained_once_then_loaded_with_the_same_weights(models_dir, monkeypatch):
    x, y = tiny_images(64)
    splits = Splits(x, y, x[:16], y[:16], x[:16], y[:16])
    trained = baseline.study_baseline((4, 8), splits, epochs=1, learning_rate=1e-3, tied_to="a" * 64)
    training.seed_everything()  # the Q1 recipe, by hand: the cache must not change what is trained
    by_hand = baseline.build_baseline(filters=(4, 8))
    training.fit(by_hand, splits, epochs=1, learning_rate=1e-3, verbose=0)
    assert training.weights_sha256(trained) == training.weights_sha256(by_hand)

    def no_training(*args, **kwargs):
        raise RuntimeError("trained again instead of loading")
    monkeypatch.setattr(training, "fit", no_training)
    loaded = baseline.study_baseline((4, 8), splits, epochs=1, learning_rate=1e-3, tied_to="a" * 64)
    assert training.weights_sha256(loaded) == training.weights_sha256(trained)
    with pytest.raises(RuntimeError, match="trained again"):  # another Q1 baseline: its own file
        baseline.study_baseline((4, 8), splits, epochs=1, learning_rate=1e-3, tied_to="b" * 64)
