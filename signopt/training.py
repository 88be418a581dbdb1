"""The one training routine of the project, deterministic: the baseline, QAT, the clustering
and pruning fine-tunes and QKeras all call ``fit``, so they differ only in what they say
they change.

Seeded runs on several CPU threads are not repeatable by default (the order of parallel
float sums varies). ``tf.config.experimental.enable_op_determinism`` makes every op
deterministic, tf.data's shuffling and augmentation included, at no cost in speed here:
the same settings on the same machine give the same weights, and the same .tflite bytes.
"""
import tensorflow as tf

from signopt import config

keras = tf.keras
layers = keras.layers
tf.get_logger().setLevel("ERROR")  # hides the "Assets written to ..." line of every conversion
tf.config.experimental.enable_op_determinism()

BATCH_SIZE = 128


def seed_everything(seed: int = config.SEED) -> None:
    """Python's, NumPy's and TensorFlow's random generators, all from one seed, and Keras'
    counters of automatic layer names: a model built after others would otherwise get names
    such as "quantize_layer_2", which end up in the .tflite file and change its bytes."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)


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


def steps_per_epoch(splits) -> int:
    return -(-len(splits.y_train) // BATCH_SIZE)


def compile_for_training(model: keras.Model, learning_rate: float, steps: int) -> keras.Model:
    """Adam with a cosine decay over ``steps`` batches, sparse categorical cross-entropy."""
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, max(steps, 1))
    model.compile(optimizer=keras.optimizers.Adam(schedule),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def fit(model: keras.Model, splits, epochs: int, learning_rate: float, augment: bool = True,
        callbacks=(), verbose: int = 2, seed: int = config.SEED) -> keras.callbacks.History:
    """Train ``model`` on the training split, watching the validation split.

    Seeds every generator first, so a run does not depend on what ran before it in the
    same process: a sweep's candidate and the notebook's visible rebuild are the same bytes.
    """
    seed_everything(seed)
    data = training_data(splits.x_train, splits.y_train, augment=augment, seed=seed)
    compile_for_training(model, learning_rate, epochs * len(data))
    return model.fit(data, epochs=epochs, validation_data=(splits.x_val, splits.y_val),
                     callbacks=list(callbacks), verbose=verbose)


def model_accuracy(model: keras.Model, x, y) -> float:
    """Fraction of ``x`` that the Keras model labels as ``y`` (files: tflite_files.file_accuracy)."""
    predicted = model.predict(x, batch_size=512, verbose=0).argmax(axis=1)
    return float((predicted == y).mean())


def clone_with_weights(model: keras.Model, dropout: bool = True) -> keras.Model:
    """A fresh copy with the same weights: cluster_weights and friends change their input.

    ``dropout=False`` sets every Dropout rate to 0 in the copy, for fine-tuning a model
    squeezed into a few clusters or a few non-zero weights, which leaves dropout little
    redundancy to exploit.
    """
    def copy_layer(layer):
        layer_config = layer.get_config()
        if isinstance(layer, layers.Dropout) and not dropout:
            layer_config["rate"] = 0.0
        return type(layer).from_config(layer_config)
    copy = keras.models.clone_model(model, clone_function=copy_layer)
    copy.set_weights(model.get_weights())
    return copy


def weights_sha256(model: keras.Model) -> str:
    """Hash of every weight's bytes, in layer order: a Keras file's zip carries timestamps,
    so two saves of the same weights differ as files but not here."""
    import hashlib
    digest = hashlib.sha256()
    for weight in model.get_weights():
        digest.update(weight.tobytes())
    return digest.hexdigest()
