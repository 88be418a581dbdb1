"""The baseline CNN of Q1(a): build it, load it back, and train the other baselines of the
baseline studies of q2 and q3. (Saving it with its record is ``results.write_keras``.)

Three Conv-BatchNorm-ReLU-MaxPool blocks and one Dense softmax. Every BatchNormalization
sits directly before its activation (the homework's rule; it also lets TFLite and tfmot
fold BN into the convolution). The convolutions have no bias: BN's shift replaces it.
Random rotation, zoom and shift of the training images let so small a CNN generalise to
the test CSV, whose photographs differ from the training ones.
"""
import tensorflow as tf

from signopt import config, training
from signopt.data import NUM_CLASSES, Splits
from signopt.deliverables import BASELINE

keras = tf.keras
layers = keras.layers

FILTERS = (16, 32, 64)
# The other baselines of the baseline studies (q2 and q3 must study the same ones: q3 puts both in one table):
# narrower, a global-average head, and stride-2 convolutions instead of pooling. Each is a 40-epoch training (about
# 3 min on 2 cores), so the list is what fits the ~20-minute recompute of a question (deliverables.RECOMPUTE_MINUTES);
# left out for it: 16/32/32 with a GAP head and the Q1 network at 80 epochs (neither changed the choice).
STUDIED = ({"filters": [16, 32, 32], "head": "flatten"}, {"filters": [16, 32, 64], "head": "gap"},
           {"filters": [16, 32, 64], "head": "flatten", "downsample": "stride2"})
SMOKE_STUDIED = ({"filters": [4, 8, 8], "head": "flatten"},)  # what a smoke run studies instead


HEADS = ("flatten", "gap")  # the classifier's input: the flattened last map, or its global average
DOWNSAMPLING = ("pool", "stride2")  # how each block halves the map: 2x2 max pooling, or a stride-2 convolution


def build_baseline(filters=FILTERS, dropout: float = 0.25, name: str = "baseline", head: str = "flatten",
                   downsample: str = "pool") -> keras.Model:
    """Conv-BN-ReLU blocks with ``filters`` channels, each followed by 2x2 max pooling
    (``downsample="pool"``, the Q1 baseline) or with a stride-2 convolution instead (``"stride2"``:
    under a third of the multiply-adds, a 4x4 last map), then Dropout and Dense, on the flattened
    last map (``head="flatten"``, the Q1 baseline) or on its global average (``"gap"``: one value
    per channel, far fewer Dense weights)."""
    if head not in HEADS:
        raise ValueError(f"head must be one of {HEADS}, got {head!r}")
    if downsample not in DOWNSAMPLING:
        raise ValueError(f"downsample must be one of {DOWNSAMPLING}, got {downsample!r}")
    inputs = keras.Input((28, 28, 1), name="image")
    x = inputs
    for i, width in enumerate(filters, start=1):
        x = layers.Conv2D(width, 3, strides=2 if downsample == "stride2" else 1, padding="same", use_bias=False,
                          name=f"conv{i}")(x)
        x = layers.BatchNormalization(name=f"bn{i}")(x)
        x = layers.ReLU(name=f"relu{i}")(x)
        if downsample == "pool":
            x = layers.MaxPooling2D(name=f"pool{i}")(x)
    x = layers.Flatten(name="flatten")(x) if head == "flatten" else layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="letter")(x)
    return keras.Model(inputs, outputs, name=name)


ACTIVATION_LAYERS = {"ReLU", "Activation", "QActivation"}


def check_batch_norm_placement(model: keras.Model) -> None:
    """Raise ValueError unless every BatchNormalization feeds straight into an activation
    (ReLU, Activation, or QKeras' QActivation), the homework's rule for the baseline."""
    for layer in model.layers:
        if not isinstance(layer, layers.BatchNormalization):
            continue
        after = [node.outbound_layer for node in layer._outbound_nodes]
        if len(after) != 1 or type(after[0]).__name__ not in ACTIVATION_LAYERS:
            names = [type(a).__name__ for a in after] or ["nothing"]
            raise ValueError(f"{model.name}: BatchNormalization {layer.name!r} is followed by "
                             f"{', '.join(names)}, expected exactly one activation layer")


def check_same_network(model: keras.Model, reference: keras.Model) -> None:
    """Raise ValueError unless ``model`` has the layers of ``reference``, in order, with the same
    configuration: q1 writes the baseline's layers out in a cell, and the other baselines of
    q2/q3's baseline studies are built here, so the two must be one network."""
    def layer_configs(m):
        return [(type(layer).__name__, {k: v for k, v in layer.get_config().items() if k != "name"}, layer.name)
                for layer in m.layers]
    found, expected = layer_configs(model), layer_configs(reference)
    if len(found) != len(expected):
        raise ValueError(f"{model.name} has {len(found)} layers, expected {len(expected)} as {reference.name}")
    for (kind, config_found, name), (kind_expected, config_expected, name_expected) in zip(found, expected):
        if (kind, name) != (kind_expected, name_expected):
            raise ValueError(f"{model.name}: layer {name} ({kind}) where {reference.name} has {name_expected} "
                             f"({kind_expected})")
        differ = {k: (config_found.get(k), config_expected.get(k)) for k in config_found.keys() | config_expected.keys()
                  if config_found.get(k) != config_expected.get(k)}
        if differ:
            raise ValueError(f"{model.name}: layer {name} differs from {reference.name}'s in "
                             + ", ".join(f"{k} {a!r} (expected {b!r})" for k, (a, b) in sorted(differ.items())))


def recipe_accuracy(build, recipe: dict, splits: Splits) -> dict:
    """Validation accuracy of a fresh ``build()`` trained by ``recipe`` ("epochs", "lr") from the
    project's seed: one row of q1's recipe comparison."""
    training.seed_everything()
    candidate = build()
    training.fit(candidate, splits, epochs=recipe["epochs"], learning_rate=recipe["lr"], verbose=0)
    return {"val_accuracy": training.model_accuracy(candidate, splits.x_val, splits.y_val)}


def study_baseline(filters, splits: Splits, epochs: int, learning_rate: float, tied_to: str,
                   head: str = "flatten", downsample: str = "pool") -> keras.Model:
    """A baseline with ``filters`` channels (and ``head``, ``downsample``) trained for ``epochs``
    at ``learning_rate`` from the project's seed, by the Q1 baseline's training code, for the
    baseline studies of q2 and q3.

    Trained once: the weights are kept under models/sweeps/baselines/, in a file named after
    the settings and ``tied_to`` (the Q1 baseline's weights hash, so that a retrained Q1
    baseline, after a change to the data or the training code, retrains these too), and the
    next study loads them. ``make clean-sweeps`` forgets them with the sweeps.
    """
    name = ("-".join(map(str, filters)) + ("" if head == "flatten" else f"_{head}")
            + ("" if downsample == "pool" else f"_{downsample}") + f"_{epochs}ep_lr{learning_rate:g}_{tied_to[:12]}.weights.h5")
    path = config.study_baselines_dir() / name
    training.seed_everything()  # the initial weights too, as in q1
    model = build_baseline(filters=tuple(filters), head=head, downsample=downsample)
    if path.exists():
        model.load_weights(path)
        return model
    training.fit(model, splits, epochs=epochs, learning_rate=learning_rate, verbose=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"partial_{path.name}")  # renamed once complete: a stopped run leaves no half file
    model.save_weights(partial)
    partial.replace(path)
    return model


def load_baseline() -> keras.Model:
    """The Q1 baseline that q2..q4 start from (models/sign_mnist_baseline.keras)."""
    path = config.models_dir() / BASELINE
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run q1.ipynb first, it trains and saves the baseline")
    return keras.models.load_model(path)
