"""Magnitude pruning with tfmot, per layer, on a copy of the model it is given.

``prune_low_magnitude`` zeroes the smallest weights of a layer step by step during a
fine-tune, following a schedule, until the layer reaches its final sparsity.
``UpdatePruningStep`` must be among the training callbacks, and ``strip_pruning`` removes
the wrappers before conversion. Pruned weights are still stored densely unless the
converter is told EXPERIMENTAL_SPARSITY; either way gzip squeezes the zeros.
"""
import tensorflow as tf
import tensorflow_model_optimization as tfmot

from signopt.training import check_layer_names, clone_with_weights

sparsity = tfmot.sparsity.keras


def schedule(kind: str, final_sparsity: float, end_step: int, begin_step: int = 0,
             frequency: int = 10) -> "sparsity.PruningSchedule":
    """PolynomialDecay ramps sparsity from 0 to ``final_sparsity`` between the steps;
    ConstantSparsity prunes to it at once. ConstantSparsity's default frequency of 100
    steps can leave a short fine-tune unpruned: we always pass ``frequency``."""
    if kind == "polynomial":
        return sparsity.PolynomialDecay(0.0, final_sparsity, begin_step, end_step, frequency=frequency)
    if kind == "constant":
        return sparsity.ConstantSparsity(final_sparsity, begin_step, end_step, frequency=frequency)
    raise ValueError(f"schedule kind must be 'polynomial' or 'constant', got {kind!r}")


def prune(model: tf.keras.Model, final_sparsity: dict[str, float], end_step: int,
          kind: str = "polynomial", frequency: int = 10, dropout: bool = True,
          begin_step: int = 0) -> tf.keras.Model:
    """A copy of ``model`` with ``prune_low_magnitude`` on each named layer, each ramping
    to its own final sparsity between ``begin_step`` and ``end_step`` training steps;
    ``dropout=False`` turns Dropout off in the copy. ``model`` is left untouched."""
    check_layer_names(model, final_sparsity)

    def wrap(layer):
        if layer.name not in final_sparsity:
            return layer
        return sparsity.prune_low_magnitude(
            layer, pruning_schedule=schedule(kind, final_sparsity[layer.name], end_step, begin_step, frequency))
    return tf.keras.models.clone_model(clone_with_weights(model, dropout), clone_function=wrap)


def callbacks() -> list:
    """The callback that advances the pruning step (training without it raises)."""
    return [sparsity.UpdatePruningStep()]


def strip(model: tf.keras.Model) -> tf.keras.Model:
    return sparsity.strip_pruning(model)


def pruning_preserving_qat(stripped: tf.keras.Model) -> tf.keras.Model:
    """Quantization-aware training model that keeps the zeros (tfmot's PQAT)."""
    annotated = tfmot.quantization.keras.quantize_annotate_model(stripped)
    return tfmot.quantization.keras.quantize_apply(
        annotated, tfmot.experimental.combine.Default8BitPrunePreserveQuantizeScheme())
