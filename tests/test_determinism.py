"""The same training or conversion, run twice in one process, gives the same bytes."""
import hashlib

from signopt import clustering, convert, pruning, training
from test_clustering_pruning import tiny_splits
from tiny import tiny_images, tiny_model


def trained_twice(make, **fit_args):
    hashes = []
    for _ in range(2):
        model = make()
        training.fit(model, tiny_splits(), epochs=2, learning_rate=1e-3, verbose=0, **fit_args)
        hashes.append(training.weights_sha256(model))
    return hashes


def test_training_twice_gives_identical_weights():
    first, second = trained_twice(tiny_model)
    assert first == second


def test_clustering_and_pruning_fine_tunes_are_repeatable():
    assert len(set(trained_twice(lambda: clustering.cluster(tiny_model(), {"conv2": 3, "letter": 3})))) == 1
    assert len(set(trained_twice(lambda: pruning.prune(tiny_model(), {"letter": 0.8}, end_step=4),
                                 callbacks=pruning.callbacks()))) == 1


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
