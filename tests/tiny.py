"""A tiny baseline-shaped model and random images, for tests that convert models fast."""
import numpy as np

from signopt import baseline


def tiny_model(seed: int = 0):
    import tensorflow as tf
    tf.keras.utils.set_random_seed(seed)
    return baseline.build_baseline(filters=(4, 8), name="tiny")


def tiny_images(n: int = 64, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 28, 28, 1), dtype=np.float32), rng.choice(sorted(range(25)), n)
