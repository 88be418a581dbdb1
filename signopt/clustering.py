"""Weight clustering with tfmot, per layer, on a copy of the model it is given.

``cluster_weights`` wraps a layer so that training moves k shared centroids instead of
every weight; ``strip_clustering`` leaves a plain Keras layer whose kernel holds only
those k values, which gzip then stores in about log2(k) bits each.
"""
import tensorflow as tf
import tensorflow_model_optimization as tfmot
# Sparsity-preserving clustering is not in tfmot's public API yet; its guide imports it so.
from tensorflow_model_optimization.python.core.clustering.keras.experimental import cluster as experimental_cluster

from signopt.training import check_layer_names, clone_with_weights

CentroidInitialization = tfmot.clustering.keras.CentroidInitialization
INITIALIZATIONS = {"kmeans++": CentroidInitialization.KMEANS_PLUS_PLUS,
                   "linear": CentroidInitialization.LINEAR,
                   "density": CentroidInitialization.DENSITY_BASED}


def cluster(model: tf.keras.Model, clusters: dict[str, int], init: str | dict[str, str] = "kmeans++",
            dropout: bool = True, preserve_sparsity: bool = False) -> tf.keras.Model:
    """A copy of ``model`` with ``clusters[layer name]`` centroids on each named layer.

    ``init`` is the centroid initialisation of every clustered layer, or a dict giving it per
    layer. Layers not named stay as they are; ``dropout=False`` turns Dropout off in the copy.
    ``preserve_sparsity=True`` keeps the zeros of a pruned layer at zero (tfmot's experimental
    sparsity-preserving clustering). ``model`` itself is left untouched: cluster_weights would
    otherwise change the layers it is given.
    """
    check_layer_names(model, clusters)
    inits = init if isinstance(init, dict) else {name: init for name in clusters}
    if set(inits) != set(clusters):
        raise ValueError(f"init names layers {sorted(inits)}, expected the clustered layers {sorted(clusters)}")
    for name, how in inits.items():
        if how not in INITIALIZATIONS:
            raise ValueError(f"init must be one of {sorted(INITIALIZATIONS)}, got {how!r} for {name}")

    def wrap(layer):
        if layer.name not in clusters:
            return layer
        settings = {"number_of_clusters": clusters[layer.name],
                    "cluster_centroids_init": INITIALIZATIONS[inits[layer.name]]}
        if preserve_sparsity:
            return experimental_cluster.cluster_weights(layer, preserve_sparsity=True, **settings)
        return tfmot.clustering.keras.cluster_weights(layer, **settings)
    return tf.keras.models.clone_model(clone_with_weights(model, dropout), clone_function=wrap)


def strip(model: tf.keras.Model) -> tf.keras.Model:
    """The plain Keras model, clustered weights in place, ready to convert."""
    return tfmot.clustering.keras.strip_clustering(model)


def cluster_preserving_qat(stripped: tf.keras.Model) -> tf.keras.Model:
    """Quantization-aware training model that keeps the clusters (tfmot's CQAT)."""
    annotated = tfmot.quantization.keras.quantize_annotate_model(stripped)
    return tfmot.quantization.keras.quantize_apply(
        annotated, tfmot.experimental.combine.Default8BitClusterPreserveQuantizeScheme())
