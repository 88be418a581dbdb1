"""What a record holds about a model file, measured from the file (or, for a Keras file, the
model loaded from it): the one place that turns a file into numbers.

``candidate`` measures converted bytes on the validation split for a sweep row;
``tflite_file`` and ``keras_file`` measure a file on the test set for its record.
"""
import tempfile
from pathlib import Path

import numpy as np

from signopt import environment, tflite_files, tflm, training


def candidate(tflite_bytes: bytes, images: np.ndarray, labels: np.ndarray) -> dict:
    """Accuracy (through LiteRT), sha256 and sizes, and whether TFLite Micro runs it, of a
    converted model not yet saved: pass the validation split, never the test set."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "candidate.tflite"
        path.write_bytes(tflite_bytes)
        found = tflite_files.sizes(path)
        return {"val_accuracy": tflite_files.file_accuracy(path, images, labels, progress=False),
                "sha256": found["sha256"], "raw_bytes": found["raw_bytes"], "gzip_bytes": found["gzip_bytes"],
                "runs_on_tflm": tflm.runs(path)}


def tflite_file(path, x_test, y_test) -> dict:
    """Test accuracy, sizes, latency, where the gzip bytes go, and on TFLite Micro whether it
    runs, its accuracy, RAM and time; and the machine that measured them."""
    path = Path(path)
    return {"test_accuracy": tflite_files.file_accuracy(path, x_test, y_test),
            **tflite_files.sizes(path),
            "latency_ms": round(tflite_files.latency_ms(path, x_test), 4),
            **tflm.measure(path, x_test, y_test),
            "weight_cost": tflite_files.weight_cost(path),
            "test_images": int(len(y_test)), "measured_on": environment.machine()}


def keras_file(path, model, x_test, y_test) -> dict:
    """Test accuracy of ``model`` (the file at ``path``, loaded or just saved), the file's sizes,
    the weights' hash and parameter count; and the machine that measured them."""
    return {"test_accuracy": training.model_accuracy(model, x_test, y_test), **tflite_files.sizes(path),
            "weights_sha256": training.weights_sha256(model), "latency_ms": None,
            "parameters": int(model.count_params()), "test_images": int(len(y_test)),
            "measured_on": environment.machine()}
