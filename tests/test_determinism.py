"""The same training or conversion, run twice in one process, gives the same bytes: what
lets a notebook rebuild its answer and get the very file its sweep measured."""
import hashlib

import numpy as np
import tensorflow as tf
import tensorflow_model_optimization as tfmot

from signopt import convert, training
from signopt.data import Splits
from tiny import tiny_images, tiny_model


def tiny_splits():
    x, y = tiny_images(96)
    return Splits(x, y, x[:16], y[:16], x[:16], y[:16])


def wrapped(wrap_layer):
    """The tiny model with ``wrap_layer`` applied to its Dense layer, as q2/q3 do per layer."""
    return tf.keras.models.clone_model(
        tiny_model(), clone_function=lambda layer: wrap_layer(layer) if layer.name == "letter" else layer)


def trained_twice(make, **fit_args):
    hashes = []
    for _ in range(2):
        training.seed_everything()
        model = make()
        training.fit(model, tiny_splits(), epochs=2, learning_rate=1e-3, verbose=0, **fit_args)
        hashes.append(training.weights_sha256(model))
    return hashes


def test_training_twice_gives_identical_weights():
    first, second = trained_twice(tiny_model)
    assert first == second


def test_clustering_fine_tune_is_repeatable_and_keeps_k_values():
    cluster = lambda layer: tfmot.clustering.keras.cluster_weights(  # noqa: E731
        layer, number_of_clusters=3,
        cluster_centroids_init=tfmot.clustering.keras.CentroidInitialization.KMEANS_PLUS_PLUS)
    assert len(set(trained_twice(lambda: wrapped(cluster)))) == 1
    model = wrapped(cluster)
    training.fit(model, tiny_splits(), epochs=1, learning_rate=1e-3, verbose=0)
    kernel = tfmot.clustering.keras.strip_clustering(model).get_layer("letter").kernel.numpy()
    assert len(np.unique(kernel)) <= 3


def test_pruning_fine_tune_is_repeatable_and_reaches_its_sparsity():
    schedule = tfmot.sparsity.keras.PolynomialDecay(0.0, 0.8, begin_step=0, end_step=2, frequency=1)
    prune = lambda layer: tfmot.sparsity.keras.prune_low_magnitude(layer, pruning_schedule=schedule)  # noqa: E731
    callbacks = [tfmot.sparsity.keras.UpdatePruningStep()]
    assert len(set(trained_twice(lambda: wrapped(prune), callbacks=callbacks))) == 1
    model = wrapped(prune)
    training.fit(model, tiny_splits(), epochs=4, learning_rate=1e-3, verbose=0, callbacks=callbacks)  # one step an epoch
    kernel = tfmot.sparsity.keras.strip_pruning(model).get_layer("letter").kernel.numpy()
    assert abs((kernel == 0).mean() - 0.8) < 0.01


def test_another_seed_gives_other_weights():
    model_a, model_b = tiny_model(), tiny_model()
    training.fit(model_a, tiny_splits(), epochs=1, learning_rate=1e-3, verbose=0, seed=1)
    training.fit(model_b, tiny_splits(), epochs=1, learning_rate=1e-3, verbose=0, seed=2)
    assert training.weights_sha256(model_a) != training.weights_sha256(model_b)


def test_converting_twice_gives_identical_tflite_bytes():
    model = tiny_model()
    images, _ = tiny_images(32)
    for mode in ("float", "dynamic", "int8", "int16x8"):
        first = convert.to_tflite(model, mode, images)
        second = convert.to_tflite(model, mode, images)
        assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest(), mode
