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


def compile_for_training(model: keras.Model, learning_rate: float, steps: int,
                         loss="sparse_categorical_crossentropy", metrics=("accuracy",)) -> keras.Model:
    """Adam with a cosine decay over ``steps`` batches; sparse categorical cross-entropy
    unless another ``loss`` is given."""
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, max(steps, 1))
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss=loss, metrics=list(metrics))
    return model


DISTILLATION_WEIGHT = 0.5  # share of the loss that follows the teacher, the rest follows the labels
TEMPERATURE = 4.0          # softens both distributions, so the teacher's near-misses carry signal


def with_teacher(student: keras.Model, teacher: keras.Model) -> keras.Model:
    """One model whose output is the student's probabilities followed by the frozen teacher's,
    for a loss that compares them (``distillation_loss``). Training it trains ``student``;
    the teacher is a frozen copy, so the model passed in stays trainable for later clones."""
    copy = clone_with_weights(teacher)
    frozen = keras.Model(copy.inputs, copy.outputs, name="teacher")  # its own name: the student may share it
    frozen.trainable = False
    inputs = keras.Input(student.input_shape[1:], name="images")
    both = layers.Concatenate(name="student_then_teacher")([student(inputs), frozen(inputs, training=False)])
    return keras.Model(inputs, both, name=f"{student.name}_distilled")


def _halves(both):
    half = tf.shape(both)[-1] // 2
    return both[:, :half], both[:, half:]


def distillation_loss(weight: float = DISTILLATION_WEIGHT, temperature: float = TEMPERATURE):
    """Knowledge distillation (Hinton et al., 2015): (1 - weight) x cross-entropy with the
    labels + weight x T^2 x KL(teacher || student), both softened by the temperature T. The
    models output probabilities, so their logarithms serve as logits."""
    def loss(labels, both):
        student, teacher = _halves(both)
        hard = keras.losses.sparse_categorical_crossentropy(labels, student)
        soft_student = tf.nn.softmax(tf.math.log(student + 1e-8) / temperature)
        soft_teacher = tf.nn.softmax(tf.math.log(teacher + 1e-8) / temperature)
        soft = keras.losses.kl_divergence(soft_teacher, soft_student) * temperature ** 2
        return (1 - weight) * hard + weight * soft
    return loss


def student_accuracy(labels, both):
    """Accuracy of the student's half of a ``with_teacher`` output."""
    return keras.metrics.sparse_categorical_accuracy(labels, _halves(both)[0])


def fit(model: keras.Model, splits, epochs: int, learning_rate: float, augment: bool = True,
        callbacks=(), verbose: int = 2, seed: int = config.SEED,
        teacher: keras.Model | None = None) -> keras.callbacks.History:
    """Train ``model`` on the training split, watching the validation split; given a
    ``teacher``, by knowledge distillation from it (``distillation_loss``). Either way the
    history's "accuracy" and "val_accuracy" are ``model``'s.

    Seeds every generator first, so a run does not depend on what ran before it in the
    same process: a sweep's candidate and the notebook's visible rebuild are the same bytes.
    """
    seed_everything(seed)
    data = training_data(splits.x_train, splits.y_train, augment=augment, seed=seed)
    trained = model
    if teacher is None:
        compile_for_training(model, learning_rate, epochs * len(data))
    else:
        trained = with_teacher(model, teacher)
        compile_for_training(trained, learning_rate, epochs * len(data), loss=distillation_loss(),
                             metrics=[keras.metrics.MeanMetricWrapper(student_accuracy, name="accuracy")])
    return trained.fit(data, epochs=epochs, validation_data=(splits.x_val, splits.y_val),
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
