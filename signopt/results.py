"""models/results.json: one record per model file, the single source of the numbers that
the notebooks, the README, the report and the tests show. This module only stores; the
numbers come from ``signopt.measurement`` and the views from ``signopt.tables``.

A record is written only by measuring the file: ``write_tflite`` measures the bytes of a
.tflite file in a temporary copy, then puts the file in place and saves its record, so that a
stop part way leaves the old file with its old record; ``write_keras`` does the same for a
Keras model, ``record_keras`` records a Keras file already saved. All three hash the file, so a
record can never describe an older model than the one on disk. Each save prints what changed
against the file's previous record (the committed one, on a fresh clone): a rebuild on another
machine says so in the notebook that made it.
"""
import json
import tempfile
import zipfile
from pathlib import Path

import pandas as pd

from signopt import atomic, config, measurement, training
from signopt.units import percent, say

RESULTS_FILE = "results.json"
COLUMNS = ["file", "technique", "test_accuracy", "raw_bytes", "gzip_bytes", "zip_bytes", "latency_ms",
           "tflm_accuracy", "arena_bytes", "tflm_ms", "parameters"]


def results_path() -> Path:
    return config.models_dir() / RESULTS_FILE


def load() -> dict[str, dict]:
    """All records, keyed by file name (empty if nothing was recorded yet)."""
    path = results_path()
    return json.loads(path.read_text())["models"] if path.exists() else {}


def save(record: dict) -> dict:
    """Add or replace the record of ``record['file']`` and write results.json (in one step:
    an interrupted write leaves the old file). Prints ``change_line`` against the old record."""
    records = load()
    if record["file"] in records:
        say(change_line(records[record["file"]], record))
    records[record["file"]] = record
    ordered = dict(sorted(records.items(), key=lambda kv: (kv[1]["question"], kv[0])))
    atomic.write_text(results_path(), json.dumps({"models": ordered}, indent=2) + "\n")
    return record


def change_line(previous: dict, record: dict) -> str:
    """One line on a file's new record against its record before this run (the committed one,
    on a fresh clone): the same bytes (and then the same numbers, training and measurement
    being deterministic), or what changed."""
    hashes = "weights_sha256" if "weights_sha256" in record else "sha256"
    where = f"measured here on {record.get('measured_on', 'this machine')}"
    if previous.get(hashes) == record[hashes]:
        return (f"{record['file']}: {hashes} {record[hashes][:12]}..., the same as its record before this run; "
                f"{where}")
    changes = [f"{hashes} {str(previous.get(hashes))[:12]}... -> {record[hashes][:12]}..."]
    changes += [f"{key} {previous[key]:,} -> {record[key]:,}" for key in ("raw_bytes", "gzip_bytes")
                if key in previous and previous[key] != record[key]]
    changes += [f"{key} {percent(previous[key])} -> {percent(record[key])}"
                for key in ("val_accuracy", "test_accuracy", "tflm_accuracy")
                if previous.get(key) is not None and record.get(key) is not None]
    return f"{record['file']}: other bytes than its record before this run ({where}): " + "; ".join(changes)


def write_tflite(tflite_bytes: bytes, path, question: str, technique: str, x_test, y_test,
                 parameters: int, **extra) -> dict:
    """Write the .tflite file ``path`` and its record together: the bytes are measured
    (``measurement.tflite_file``) in a temporary copy, then the file replaces ``path`` and the
    record is saved. ``extra`` goes into the record."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        staged = Path(folder) / path.name
        staged.write_bytes(tflite_bytes)
        record = {"file": path.name, "question": question, "technique": technique,
                  **measurement.tflite_file(staged, x_test, y_test), "parameters": int(parameters), **extra}
    atomic.write_bytes(path, tflite_bytes)
    return save(record)


def write_keras(model, path, question: str, technique: str, x_test, y_test, **extra) -> dict:
    """Save ``model`` to ``path`` without optimizer state (an uncompiled copy: the model, not
    Adam's slots) and its record together, as ``write_tflite`` does. A file at ``path`` that
    already holds the same model is kept as it is (``same_keras_model``), so that rerunning
    the same steps leaves the same bytes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        staged = Path(folder) / path.name
        training.clone_with_weights(model).save(staged)
        kept = path.exists() and same_keras_model(path, staged)
        record = {"file": path.name, "question": question, "technique": technique,
                  **measurement.keras_file(path if kept else staged, model, x_test, y_test), **extra}
        if not kept:
            staged.replace(path)
    return save(record)


METADATA = "metadata.json"  # a .keras file's member with the Keras version and the save date


def same_keras_model(one, other) -> bool:
    """Whether two .keras files hold the same model: the same members with the same bytes,
    apart from the save date (``date_saved`` in ``METADATA``, and the zip's timestamps)."""
    def undated(archive):
        return {key: value for key, value in json.loads(archive.read(METADATA)).items() if key != "date_saved"}
    try:
        with zipfile.ZipFile(one) as first, zipfile.ZipFile(other) as second:
            names = set(first.namelist()) - {METADATA}
            return (names == set(second.namelist()) - {METADATA} and undated(first) == undated(second)
                    and all(first.read(name) == second.read(name) for name in names))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError):  # not a Keras file (a broken copy, say): replaced
        return False


def record_keras(path, question: str, technique: str, model, x_test, y_test, **extra) -> dict:
    """Save the record of a Keras model file; ``model`` is that file loaded (or saved)."""
    path = Path(path)
    return save({"file": path.name, "question": question, "technique": technique,
                 **measurement.keras_file(path, model, x_test, y_test), **extra})


def frame(question: str | None = None) -> pd.DataFrame:
    """The records (of one question) as a DataFrame, one row per model file."""
    rows = [r for r in load().values() if question is None or r["question"] == question]
    return pd.DataFrame(rows, columns=["question", *COLUMNS])
