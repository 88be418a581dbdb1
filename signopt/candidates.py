"""The sweeps' candidate files for q2 and q3: for one settings dict, the steps that the
notebook spells out in visible cells for its answer. ``cluster_weights`` (q2) or
``prune_low_magnitude`` (q3) goes on the chosen layers through ``clone_model``; then one
``training.fit``, ``strip_clustering`` or ``strip_pruning``, and ``convert.to_tflite``.

On the machine that ran a sweep, the notebook's visible build gets the sha256 of the sweep's
row for the same settings (``signopt.rebuild`` checks it), which shows that the two are the
same steps. ``Builder`` adds only what a sweep needs: one fine-tune serves every conversion
(quantization, layer names) of the same settings.
"""
import tensorflow as tf
import tensorflow_model_optimization as tfmot

from signopt import baseline, config, convert, training
from signopt.folding import fold_batch_norm

CONVERSION_ONLY = ("quant", "names")  # settings that change the conversion, not the fine-tune
CENTROID_INIT = {"kmeans++": tfmot.clustering.keras.CentroidInitialization.KMEANS_PLUS_PLUS,
                 "linear": tfmot.clustering.keras.CentroidInitialization.LINEAR,
                 "density": tfmot.clustering.keras.CentroidInitialization.DENSITY_BASED}
TECHNIQUES = ("clustering", "pruning")


def clustered(settings: dict, start: tf.keras.Model) -> tf.keras.Model:
    """``start`` with cluster_weights on each layer of ``settings["clusters"]`` (a count per
    layer name), centroids initialised by ``settings["init"]`` (one name, or one per layer)."""
    clusters, init = settings["clusters"], settings["init"]
    _check_layers(start, clusters, "clusters")
    inits = {name: init if isinstance(init, str) else init.get(name) for name in clusters}
    for name, how in inits.items():
        if how not in CENTROID_INIT:
            raise ValueError(f"layer {name}: centroid initialisation must be one of {sorted(CENTROID_INIT)}, got {how!r}")

    def apply_clustering(layer):
        if layer.name not in clusters:
            return layer
        return tfmot.clustering.keras.cluster_weights(layer, number_of_clusters=clusters[layer.name],
                                                      cluster_centroids_init=CENTROID_INIT[inits[layer.name]])
    return tf.keras.models.clone_model(training.clone_with_weights(start, dropout=False), clone_function=apply_clustering)


def pruned(settings: dict, start: tf.keras.Model, steps_per_epoch: int) -> tf.keras.Model:
    """``start`` with prune_low_magnitude on each layer of ``settings["sparsity"]`` (a final
    sparsity per layer name), reached by a polynomial ramp over ``settings["ramp"]`` (fractions
    of the fine-tune), in blocks of ``settings["block"][layer]`` weights where given."""
    sparsity, steps = settings["sparsity"], settings["epochs"] * steps_per_epoch
    blocks = settings.get("block") or {}
    _check_layers(start, sparsity, "sparsity")
    _check_layers(start, blocks, "block")

    def apply_pruning(layer):
        if layer.name not in sparsity:
            return layer
        schedule = tfmot.sparsity.keras.PolynomialDecay(
            initial_sparsity=0.0, final_sparsity=sparsity[layer.name], frequency=10,
            begin_step=int(settings["ramp"][0] * steps), end_step=int(settings["ramp"][1] * steps))
        return tfmot.sparsity.keras.prune_low_magnitude(layer, pruning_schedule=schedule,
                                                        block_size=tuple(blocks.get(layer.name, (1, 1))))
    return tf.keras.models.clone_model(training.clone_with_weights(start, dropout=False), clone_function=apply_pruning)


def _check_layers(model: tf.keras.Model, per_layer: dict, setting: str) -> None:
    """A per-layer setting must name layers of ``model``: a typo would leave a layer uncompressed."""
    unknown = sorted(set(per_layer) - {layer.name for layer in model.layers})
    if unknown:
        raise ValueError(f"settings[{setting!r}] names {unknown}, which {model.name} has no layer called; "
                         f"its layers: {[layer.name for layer in model.layers if layer.weights]}")


def fine_tuned(technique: str, settings: dict, start: tf.keras.Model, splits, teacher: tf.keras.Model,
               verbose: int = 0) -> tf.keras.Model:
    """The stripped model of ``settings``: ``start`` wrapped for ``technique``, fine-tuned by
    ``training.fit`` (distilled from ``teacher`` if ``settings["distill"]``), then stripped."""
    if technique not in TECHNIQUES:
        raise ValueError(f"technique must be one of {TECHNIQUES}, got {technique!r}")
    seed = settings.get("seed", config.SEED)
    training.seed_everything(seed)
    if technique == "clustering":
        wrapped, callbacks = clustered(settings, start), []
    else:
        wrapped = pruned(settings, start, training.steps_per_epoch(splits))
        callbacks = [tfmot.sparsity.keras.UpdatePruningStep()]
    training.fit(wrapped, splits, epochs=settings["epochs"], learning_rate=settings["lr"], verbose=verbose,
                 callbacks=callbacks, seed=seed, teacher=teacher if settings.get("distill") else None)
    if technique == "clustering":
        return tfmot.clustering.keras.strip_clustering(wrapped)
    return tfmot.sparsity.keras.strip_pruning(wrapped)


def converted(stripped: tf.keras.Model, settings: dict, calibration_images) -> bytes:
    """The .tflite bytes of a stripped model: short layer names if ``settings["names"]`` is
    "short", then ``convert.to_tflite`` in the mode ``settings["quant"]``."""
    if settings.get("names") == "short":
        stripped = convert.with_short_names(stripped)
    return convert.to_tflite(stripped, settings["quant"], calibration_images=calibration_images)


class Builder:
    """``builder(settings)`` -> the candidate's .tflite bytes, for ``sweeps.run_tflite_sweep``:
    ``fine_tuned`` from ``start`` then ``converted``, each fine-tune kept for the other
    conversions of the same settings. ``builder(settings, start=other)`` starts from another
    model (another baseline of a baseline study) and keeps nothing."""

    def __init__(self, technique: str, start: tf.keras.Model, splits, teacher: tf.keras.Model):
        if technique not in TECHNIQUES:
            raise ValueError(f"technique must be one of {TECHNIQUES}, got {technique!r}")
        self.technique, self.start, self.splits, self.teacher = technique, start, splits, teacher
        self._fine_tunes = {}

    def __call__(self, settings: dict, start: tf.keras.Model | None = None) -> bytes:
        key = repr({k: v for k, v in sorted(settings.items()) if k not in CONVERSION_ONLY})
        if start is not None:
            stripped = fine_tuned(self.technique, settings, start, self.splits, self.teacher)
        elif key in self._fine_tunes:
            stripped = self._fine_tunes[key]
        else:
            stripped = self._fine_tunes[key] = fine_tuned(self.technique, settings, self.start, self.splits,
                                                          self.teacher)
        return converted(stripped, settings, self.splits.x_train)


def baseline_study_row(builder: Builder, study: dict, settings: dict, splits, measure, tied_to: str) -> dict:
    """One row of a baseline study: the baseline with ``study["filters"]`` channels,
    ``study["head"]`` and ``study["downsample"]`` (defaults: the Q1 baseline's), trained for
    ``study["baseline_epochs"]`` at ``study["baseline_lr"]`` (once, shared by q2 and q3), then
    compressed by ``builder`` with ``settings`` (folded first for clustering, as the Q1 baseline
    is) and measured by ``measure``."""
    small = baseline.study_baseline(study["filters"], splits, study["baseline_epochs"], study["baseline_lr"],
                                   tied_to=tied_to, head=study.get("head", "flatten"),
                                   downsample=study.get("downsample", "pool"))
    start = fold_batch_norm(small) if builder.technique == "clustering" else small
    return {"baseline_parameters": small.count_params(),
            "baseline_val_accuracy": training.model_accuracy(small, splits.x_val, splits.y_val),
            **measure(builder(settings, start=start))}
