"""The clustering and pruning helpers do what they say in the weights that get converted."""
import numpy as np
import pytest

from signopt import clustering, pruning, training
from signopt.data import Splits
from tiny import tiny_images, tiny_model


def tiny_splits():
    x, y = tiny_images(96)
    return Splits(x, y, x[:16], y[:16], x[:16], y[:16])


def kernel(model, name):
    return model.get_layer(name).get_weights()[0]


def test_clustered_kernels_hold_at_most_n_distinct_values_after_fine_tune_and_strip():
    model = tiny_model()
    before = [w.copy() for w in model.get_weights()]
    clustered = clustering.cluster(model, {"conv2": 3, "letter": 2})
    training.fit(clustered, tiny_splits(), epochs=1, learning_rate=1e-3, verbose=0)
    stripped = clustering.strip(clustered)
    assert len(np.unique(kernel(stripped, "conv2"))) <= 3
    assert len(np.unique(kernel(stripped, "letter"))) <= 2
    assert len(np.unique(kernel(stripped, "conv1"))) > 3  # not named, not clustered
    assert all((a == b).all() for a, b in zip(before, model.get_weights())), "the input model changed"


def test_cluster_refuses_unknown_layers_and_inits():
    with pytest.raises(ValueError, match=r"no layer named \['dense_9'\]"):
        clustering.cluster(tiny_model(), {"dense_9": 4})
    with pytest.raises(ValueError, match="init must be one of"):
        clustering.cluster(tiny_model(), {"conv1": 4}, init="random")
    with pytest.raises(ValueError, match=r"expected the clustered layers \['conv1', 'letter'\]"):
        clustering.cluster(tiny_model(), {"conv1": 4, "letter": 2}, init={"conv1": "linear"})


def test_cluster_takes_a_centroid_initialisation_per_layer():
    clustered = clustering.cluster(tiny_model(), {"conv2": 3, "letter": 2},
                                   init={"conv2": "linear", "letter": "kmeans++"})
    stripped = clustering.strip(clustered)
    assert len(np.unique(kernel(stripped, "conv2"))) <= 3
    assert len(np.unique(kernel(stripped, "letter"))) <= 2


def test_sparsity_preserving_clustering_keeps_the_zeros_of_a_pruned_kernel():
    model = tiny_model()
    weights = model.get_layer("letter").get_weights()
    weights[0][::2] = 0.0  # half the rows pruned
    model.get_layer("letter").set_weights(weights)
    clustered = clustering.cluster(model, {"letter": 3}, init="density", preserve_sparsity=True)
    training.fit(clustered, tiny_splits(), epochs=1, learning_rate=1e-3, verbose=0)
    stripped = kernel(clustering.strip(clustered), "letter")
    assert (stripped[::2] == 0).all()
    assert len(np.unique(stripped)) <= 3 + 1  # k centroids for the non-zero weights, and zero


@pytest.mark.parametrize("kind", ["polynomial", "constant"])
def test_pruned_kernels_reach_the_asked_sparsity_after_strip(kind):
    splits = tiny_splits()
    steps = len(training.training_data(splits.x_train, splits.y_train)) * 2
    pruned = pruning.prune(tiny_model(), {"conv2": 0.5, "letter": 0.9}, end_step=steps, kind=kind, frequency=1)
    training.fit(pruned, splits, epochs=2, learning_rate=1e-3, callbacks=pruning.callbacks(), verbose=0)
    stripped = pruning.strip(pruned)
    assert (kernel(stripped, "conv2") == 0).mean() == pytest.approx(0.5, abs=0.01)
    assert (kernel(stripped, "letter") == 0).mean() == pytest.approx(0.9, abs=0.01)
    assert (kernel(stripped, "conv1") == 0).mean() < 0.1


def test_pruning_schedule_kind_is_checked():
    with pytest.raises(ValueError, match="'polynomial' or 'constant'"):
        pruning.schedule("cubic", 0.5, 100)
