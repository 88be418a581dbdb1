"""The baseline CNN of Q1(a): build it, train it, save it, and load it back.

Three Conv-BatchNorm-ReLU-MaxPool blocks and one Dense softmax. Every BatchNormalization
sits directly before its activation (the homework's rule; it also lets TFLite and tfmot
fold BN into the convolution). The convolutions have no bias: BN's shift replaces it.
Random rotation, zoom and shift of the training images let so small a CNN generalise to
the test CSV, whose photographs differ from the training ones.
"""
import time

import tensorflow as tf

from signopt import config, results
from signopt.data import NUM_CLASSES, Splits

keras = tf.keras
layers = keras.layers
tf.get_logger().setLevel("ERROR")  # hides the "Assets written to ..." line of every conversion

BASELINE_FILE = "sign_mnist_baseline.keras"
FILTERS = (16, 32, 64)
EPOCHS = 25
BATCH_SIZE = 128
LEARNING_RATE = 3e-3


def build_baseline(filters=FILTERS, dropout: float = 0.25, name: str = "baseline") -> keras.Model:
    """Conv-BN-ReLU-MaxPool blocks with ``filters`` channels, then Dropout and Dense."""
    inputs = keras.Input((28, 28, 1), name="image")
    x = inputs
    for i, width in enumerate(filters, start=1):
        x = layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"conv{i}")(x)
        x = layers.BatchNormalization(name=f"bn{i}")(x)
        x = layers.ReLU(name=f"relu{i}")(x)
        x = layers.MaxPooling2D(name=f"pool{i}")(x)
    x = layers.Flatten(name="flatten")(x)
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


def augmenter(seed: int = config.SEED) -> keras.Sequential:
    """Small random rotations, zooms and shifts: a hand is never framed the same way."""
    return keras.Sequential([
        layers.RandomRotation(0.05, fill_mode="nearest", seed=seed),
        layers.RandomZoom(0.1, fill_mode="nearest", seed=seed + 1),
        layers.RandomTranslation(0.1, 0.1, fill_mode="nearest", seed=seed + 2),
    ], name="augment")


def training_data(x, y, batch_size: int = BATCH_SIZE, augment: bool = True,
                  seed: int = config.SEED) -> tf.data.Dataset:
    """Shuffled, batched and (optionally) augmented tf.data pipeline."""
    data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(y), seed=seed).batch(batch_size)
    if augment:
        aug = augmenter(seed)
        data = data.map(lambda a, b: (aug(a, training=True), b), num_parallel_calls=tf.data.AUTOTUNE)
    return data.prefetch(tf.data.AUTOTUNE)


def compile_for_training(model: keras.Model, learning_rate: float, steps: int) -> keras.Model:
    """Adam with a cosine decay over ``steps`` batches, sparse categorical cross-entropy."""
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, max(steps, 1))
    model.compile(optimizer=keras.optimizers.Adam(schedule),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def fit(model: keras.Model, splits: Splits, epochs: int, learning_rate: float,
        augment: bool = True, callbacks=(), verbose: int = 2) -> keras.callbacks.History:
    """Train ``model`` on the training split, watching the validation split.

    The one training routine of the project: the baseline, QAT, clustering and pruning
    fine-tunes and QKeras all call it, so they differ only in what they say they change.
    """
    data = training_data(splits.x_train, splits.y_train, augment=augment)
    compile_for_training(model, learning_rate, epochs * len(data))
    return model.fit(data, epochs=epochs, validation_data=(splits.x_val, splits.y_val),
                     callbacks=list(callbacks), verbose=verbose)


def accuracy(model: keras.Model, x, y) -> float:
    """Fraction of ``x`` that the Keras model labels as ``y``."""
    predicted = model.predict(x, batch_size=512, verbose=0).argmax(axis=1)
    return float((predicted == y).mean())


def training_epochs() -> int:
    return 1 if config.smoke() else EPOCHS


def train_baseline(splits: Splits, epochs: int | None = None):
    """Seeded training of the baseline; returns the model, its history and the seconds."""
    keras.utils.set_random_seed(config.SEED)
    model = build_baseline()
    start = time.perf_counter()
    history = fit(model, splits, epochs or training_epochs(), LEARNING_RATE)
    return model, history, time.perf_counter() - start


def train_and_save_baseline(splits: Splits) -> keras.Model:
    """Train the baseline, save it to models/ and record its test accuracy and time;
    returns the model and its training history."""
    model, history, seconds = train_baseline(splits)
    path = config.models_dir() / BASELINE_FILE
    model.save(path)
    results.record_keras(path, "Q1", "baseline CNN, float32 Keras", model, splits.x_test,
                         splits.y_test, train_seconds=round(seconds, 1), epochs=training_epochs())
    return model, history


def load_or_train_baseline(splits: Splits) -> keras.Model:
    """The Q1 baseline from models/, trained with the Q1 routine (and saved) if missing.

    q2..q4 start from the same weights as q1; each can still run on its own.
    """
    path = config.models_dir() / BASELINE_FILE
    if path.exists():
        return keras.models.load_model(path)
    return train_and_save_baseline(splits)[0]


def check_layer_names(model: keras.Model, names) -> None:
    """Raise ValueError naming any of ``names`` that is not a layer of ``model``."""
    unknown = set(names) - {layer.name for layer in model.layers}
    if unknown:
        raise ValueError(f"no layer named {sorted(unknown)} in {model.name}; layers: "
                         f"{[layer.name for layer in model.layers]}")


def clone_with_weights(model: keras.Model, dropout: bool = True) -> keras.Model:
    """A fresh copy with the same weights: cluster_weights and friends change their input.

    ``dropout=False`` sets every Dropout rate to 0 in the copy, for fine-tuning a model
    squeezed into a few clusters or a few non-zero weights, which leaves dropout little
    redundancy to exploit (q2 and q3 compare both).
    """
    def copy_layer(layer):
        config = layer.get_config()
        if isinstance(layer, layers.Dropout) and not dropout:
            config["rate"] = 0.0
        return type(layer).from_config(config)
    copy = keras.models.clone_model(model, clone_function=copy_layer)
    copy.set_weights(model.get_weights())
    return copy
