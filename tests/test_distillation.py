"""Knowledge distillation trains the student only, repeatably, with pruning wrappers inside."""
import numpy as np
import tensorflow as tf
import tensorflow_model_optimization as tfmot

from signopt import training
from test_determinism import tiny_splits, wrapped
from tiny import tiny_model


def test_loss_is_the_label_term_alone_when_student_matches_teacher():
    probabilities = tf.constant([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    labels = tf.constant([0, 2])
    both = tf.concat([probabilities, probabilities], axis=1)
    loss = training.distillation_loss(weight=0.5)(labels, both).numpy()
    expected = 0.5 * tf.keras.losses.sparse_categorical_crossentropy(labels, probabilities).numpy()
    assert np.allclose(loss, expected, atol=1e-5)


def test_loss_grows_as_the_student_leaves_the_teacher():
    teacher = tf.constant([[0.7, 0.2, 0.1]])
    near, far = tf.constant([[0.6, 0.3, 0.1]]), tf.constant([[0.1, 0.2, 0.7]])
    loss = training.distillation_loss(weight=1.0)  # the teacher term only
    labels = tf.constant([0])
    assert loss(labels, tf.concat([near, teacher], 1)).numpy() < loss(labels, tf.concat([far, teacher], 1)).numpy()


def test_loss_matches_a_hand_computation():
    student, teacher = np.array([0.5, 0.3, 0.2]), np.array([0.7, 0.2, 0.1])
    soften = lambda p, t: p ** (1 / t) / (p ** (1 / t)).sum()  # noqa: E731  softmax(log(p) / T)
    s, t = soften(student, 2.0), soften(teacher, 2.0)
    expected = 0.75 * -np.log(student[0]) + 0.25 * 4.0 * (t * np.log(t / s)).sum()  # KL(teacher || student) x T^2
    both = tf.constant([np.concatenate([student, teacher])], tf.float32)
    loss = training.distillation_loss(weight=0.25, temperature=2.0)(tf.constant([0]), both).numpy()
    assert np.allclose(loss, expected, rtol=1e-4)


def test_distilled_pruning_trains_the_student_repeatably_and_leaves_the_teacher_alone():
    teacher = tiny_model(seed=3)
    before = [w.copy() for w in teacher.get_weights()]
    schedule = tfmot.sparsity.keras.PolynomialDecay(0.0, 0.8, begin_step=0, end_step=2, frequency=1)
    prune = lambda layer: tfmot.sparsity.keras.prune_low_magnitude(layer, pruning_schedule=schedule)  # noqa: E731
    hashes = []
    for _ in range(2):
        student = wrapped(prune)
        history = training.fit(student, tiny_splits(), epochs=4, learning_rate=1e-3, verbose=0, teacher=teacher,
                               callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
        hashes.append(training.weights_sha256(student))
    assert hashes[0] == hashes[1]
    assert "val_accuracy" in history.history  # the student's, under the usual name
    kernel = tfmot.sparsity.keras.strip_pruning(student).get_layer("letter").kernel.numpy()
    assert abs((kernel == 0).mean() - 0.8) < 0.01  # the pruning step ran inside the wrapper model
    assert teacher.trainable and all(np.array_equal(a, b) for a, b in zip(before, teacher.get_weights()))
