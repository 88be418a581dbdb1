"""models/results.json: one record per model file, the single source of the numbers that
the notebooks, the README, the report and the tests show.

A record is written only by measuring the file: ``write_tflite`` measures the bytes of a
.tflite file in a temporary copy (LiteRT, TFLite Micro, sizes), then puts the file in place
and saves its record, so that a stop part way leaves the old file with its old record;
``record_keras`` evaluates a saved Keras model. Both hash the file, so a record can never
describe an older model than the one on disk. Each save prints what changed against the
file's previous record (the committed one, on a fresh clone): a rebuild on another machine
says so in the notebook that made it.
"""
import json
import tempfile
from pathlib import Path

import pandas as pd

from signopt import atomic, config, environment, tflite_files, tflm, training

RESULTS_FILE = "results.json"
COLUMNS = ["file", "technique", "test_accuracy", "raw_bytes", "gzip_bytes", "latency_ms",
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
        print(change_line(records[record["file"]], record))
    records[record["file"]] = record
    ordered = dict(sorted(records.items(), key=lambda kv: (kv[1]["question"], kv[0])))
    atomic.write_text(results_path(), json.dumps({"models": ordered}, indent=2) + "\n")
    return record


def change_line(previous: dict, record: dict) -> str:
    """One line on a file's new record against its previous one: the same bytes (and then the
    same numbers, training and measurement being deterministic), or what changed."""
    hashes = "weights_sha256" if "weights_sha256" in record else "sha256"
    where = f"measured on {record.get('measured_on', 'this machine')}"
    if previous.get(hashes) == record[hashes]:
        return f"{record['file']}: the same {hashes} as its previous record ({record[hashes][:12]}...), {where}"
    changes = [f"{hashes} {str(previous.get(hashes))[:12]}... -> {record[hashes][:12]}..."]
    changes += [f"{key} {previous[key]:,} -> {record[key]:,}" for key in ("raw_bytes", "gzip_bytes")
                if key in previous and previous[key] != record[key]]
    changes += [f"{key} {percent(previous[key])} -> {percent(record[key])}"
                for key in ("val_accuracy", "test_accuracy", "tflm_accuracy")
                if previous.get(key) is not None and record.get(key) is not None]
    return f"{record['file']}: rebuilt with other bytes than its previous record ({where}): " + "; ".join(changes)


def _measure_tflite(path: Path, question: str, technique: str, x_test, y_test, parameters: int,
                    **extra) -> dict:
    return {"file": path.name, "question": question, "technique": technique,
            "test_accuracy": tflite_files.file_accuracy(path, x_test, y_test),
            **tflite_files.sizes(path),
            "latency_ms": round(tflite_files.latency_ms(path, x_test), 4),
            **tflm.measure(path, x_test, y_test),
            "parameters": int(parameters), "test_images": int(len(y_test)),
            "measured_on": environment.machine(), **extra}


def write_tflite(tflite_bytes: bytes, path, question: str, technique: str, x_test, y_test,
                 parameters: int, **extra) -> dict:
    """Write the .tflite file ``path`` and its record together: the bytes are measured (test
    accuracy, sizes, latency; on TFLite Micro whether it runs, its accuracy, RAM and time) in a
    temporary copy, then the file replaces ``path`` and the record is saved. ``extra`` goes
    into the record."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        staged = Path(folder) / path.name
        staged.write_bytes(tflite_bytes)
        record = _measure_tflite(staged, question, technique, x_test, y_test, parameters, **extra)
    atomic.write_bytes(path, tflite_bytes)
    return save(record)


def record_keras(path, question: str, technique: str, model, x_test, y_test, **extra) -> dict:
    """Save the record of a Keras model file; ``model`` is that file loaded (or saved)."""
    path = Path(path)
    record = {"file": path.name, "question": question, "technique": technique,
              "test_accuracy": training.model_accuracy(model, x_test, y_test), **tflite_files.sizes(path),
              "weights_sha256": training.weights_sha256(model),
              "latency_ms": None, "parameters": int(model.count_params()),
              "test_images": int(len(y_test)), "measured_on": environment.machine(), **extra}
    return save(record)


def frame(question: str | None = None) -> pd.DataFrame:
    """The records (of one question) as a DataFrame, one row per model file."""
    rows = [r for r in load().values() if question is None or r["question"] == question]
    return pd.DataFrame(rows, columns=["question", *COLUMNS])


def percent(fraction: float) -> str:
    """How accuracies are shown everywhere (notebooks, README, report): 99.87%."""
    return f"{100 * fraction:.2f}%"


def tflm_cell(record: dict) -> str:
    """TFLite Micro accuracy, or why it does not run there ("-" for a Keras file)."""
    if "runs_on_tflm" not in record:
        return "-"
    if not record["runs_on_tflm"]:
        return "refused"
    return percent(record["tflm_accuracy"])


def _count(value) -> str:
    return "-" if value is None or value != value else f"{int(value):,}"


def display_rows(question: str | None = None) -> list[dict]:
    """The records (of one question) as text, one dict per file: what the notebooks' tables,
    the README table and the report show, formatted once here."""
    return [{"question": r["question"], "file": r["file"], "technique": r["technique"],
             "test accuracy": percent(r["test_accuracy"]), "raw bytes (flash)": _count(r["raw_bytes"]),
             "gzip bytes": _count(r["gzip_bytes"]),
             "LiteRT ms/image": "-" if r.get("latency_ms") is None else f"{r['latency_ms']:.3f}",
             "TFLite Micro accuracy": tflm_cell(r), "arena bytes (RAM)": _count(r.get("arena_bytes")),
             "TFLM ms/image": "-" if r.get("tflm_ms") is None else f"{r['tflm_ms']:.2f}",
             "parameters": _count(r["parameters"])}
            for r in load().values() if question is None or r["question"] == question]


def table(question: str | None = None, files: list[str] | None = None) -> pd.DataFrame:
    """The records (of one question, or only of ``files``) for display in a notebook, as text."""
    shown = pd.DataFrame([row for row in display_rows(question) if files is None or row["file"] in files])
    return shown.drop(columns="question" if question else []).set_index("file")


def _times(size: int, reference: int) -> str:
    return (f"{reference / size:.2f}x smaller" if size <= reference else f"{size / reference:.2f}x larger")


def compare(record: dict, reference: dict) -> str:
    """One line on a model against a reference: sizes, ratios and accuracy change."""
    change = 100 * (record["test_accuracy"] - reference["test_accuracy"])
    return (f"{record['file']} against {reference['file']}: {record['raw_bytes']:,} bytes raw "
            f"({_times(record['raw_bytes'], reference['raw_bytes'])}), {record['gzip_bytes']:,} gzipped "
            f"({_times(record['gzip_bytes'], reference['gzip_bytes'])}); test accuracy "
            f"{percent(record['test_accuracy'])} against {percent(reference['test_accuracy'])} "
            f"({change:+.2f} pp)" + (f"; {record['latency_ms']:.3f} ms per image against "
                                     f"{reference['latency_ms']:.3f} ms"
                                     if record.get("latency_ms") and reference.get("latency_ms") else ""))


def answer_line(record: dict) -> str:
    """The answer of a question in one sentence, every number from its record."""
    line = (f"{record['file']}: {record['technique']}; test accuracy {percent(record['test_accuracy'])}"
            f" (validation {percent(record['val_accuracy'])})" if "val_accuracy" in record else
            f"{record['file']}: {record['technique']}; test accuracy {percent(record['test_accuracy'])}")
    if "total_bits" in record:
        line += (f"; {record['total_bits']:,} bits of parameters against {record['baseline_bits']:,} at 32 bits "
                 f"each ({record['baseline_bits'] / record['total_bits']:.2f}x smaller)")
    line += f"; {record['raw_bytes']:,} bytes raw, {record['gzip_bytes']:,} bytes gzipped"
    if record.get("runs_on_tflm"):
        line += (f"; on TFLite Micro: test accuracy {percent(record['tflm_accuracy'])}, "
                 f"tensor arena {record['arena_bytes']:,} bytes of RAM, {record['flash_bytes']:,} bytes of flash")
    elif "runs_on_tflm" in record:
        line += f"; TFLite Micro refuses it ({record['tflm_refusal']})"
    return line
