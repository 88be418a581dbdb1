"""models/results.json: one record per model file, the single source of the numbers that
the notebooks, the README, the report and the tests show.

A record is written only by measuring the file: ``record_tflite`` runs the .tflite file
through the interpreter; ``record_keras`` evaluates a saved Keras model. Both hash the
file, so a record can never describe an older model than the one on disk.
"""
import json
from pathlib import Path

import pandas as pd

from signopt import config, tflite_files, training

RESULTS_FILE = "results.json"
COLUMNS = ["file", "technique", "test_accuracy", "raw_bytes", "gzip_bytes", "latency_ms", "parameters"]


def results_path() -> Path:
    return config.models_dir() / RESULTS_FILE


def load() -> dict[str, dict]:
    """All records, keyed by file name (empty if nothing was recorded yet)."""
    path = results_path()
    return json.loads(path.read_text())["models"] if path.exists() else {}


def save(record: dict) -> dict:
    """Add or replace the record of ``record['file']`` and write results.json."""
    records = load()
    records[record["file"]] = record
    ordered = dict(sorted(records.items(), key=lambda kv: (kv[1]["question"], kv[0])))
    results_path().write_text(json.dumps({"models": ordered}, indent=2) + "\n")
    return record


def record_tflite(path, question: str, technique: str, x_test, y_test, parameters: int,
                  **extra) -> dict:
    """Measure the .tflite file (test accuracy, sizes, latency) and save its record."""
    path = Path(path)
    record = {"file": path.name, "question": question, "technique": technique,
              "test_accuracy": tflite_files.file_accuracy(path, x_test, y_test),
              **tflite_files.sizes(path),
              "latency_ms": round(tflite_files.latency_ms(path, x_test), 4),
              "parameters": int(parameters), "test_images": int(len(y_test)), **extra}
    return save(record)


def record_keras(path, question: str, technique: str, model, x_test, y_test, **extra) -> dict:
    """Save the record of a Keras model file; ``model`` is that file loaded (or saved)."""
    path = Path(path)
    record = {"file": path.name, "question": question, "technique": technique,
              "test_accuracy": training.model_accuracy(model, x_test, y_test), **tflite_files.sizes(path),
              "weights_sha256": training.weights_sha256(model),
              "latency_ms": None, "parameters": int(model.count_params()),
              "test_images": int(len(y_test)), **extra}
    return save(record)


def frame(question: str | None = None) -> pd.DataFrame:
    """The records (of one question) as a DataFrame, one row per model file."""
    rows = [r for r in load().values() if question is None or r["question"] == question]
    return pd.DataFrame(rows, columns=["question", *COLUMNS])


def percent(fraction: float) -> str:
    """How accuracies are shown everywhere (notebooks, README, report): 99.87%."""
    return f"{100 * fraction:.2f}%"


def table(question: str | None = None) -> pd.DataFrame:
    """The records (of one question) for display: accuracy in %, sizes in bytes."""
    shown = frame(question)
    shown["test_accuracy"] = shown["test_accuracy"].map(percent)
    return shown.drop(columns="question" if question else []).set_index("file")


def compare(record: dict, reference: dict) -> str:
    """One line on a model against a reference: sizes, ratios and accuracy change."""
    change = 100 * (record["test_accuracy"] - reference["test_accuracy"])
    return (f"{record['file']}: {record['raw_bytes']:,} bytes raw ({reference['raw_bytes'] / record['raw_bytes']:.1f}x "
            f"smaller than {reference['file']}), {record['gzip_bytes']:,} bytes gzipped "
            f"({reference['gzip_bytes'] / record['gzip_bytes']:.1f}x); test accuracy "
            f"{percent(record['test_accuracy'])} against {percent(reference['test_accuracy'])} "
            f"({change:+.2f} pp); {record['latency_ms']:.3f} ms per image against "
            f"{reference['latency_ms']:.3f} ms")
