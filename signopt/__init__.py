"""signopt: shrinking a Sign Language MNIST classifier for embedded devices.

The plumbing that the four homework notebooks share: loading and checking the Kaggle
CSVs, building and training the baseline CNN, evaluating and sizing .tflite files,
recording results and drawing figures.

tfmot and QKeras need Keras 2 (tf_keras). TensorFlow picks its Keras when it is first
imported, so importing this package first sets TF_USE_LEGACY_KERAS=1.
"""
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # no CUDA probe errors on a CPU-only machine
