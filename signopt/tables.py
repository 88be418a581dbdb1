"""Views: the records and the sweeps as text and tables, for the notebooks, the README table
and the report. They only read (results.json, the sweep files); nothing here writes."""
import json

import pandas as pd

from signopt import results, sweeps
from signopt.deliverables import BASELINE
from signopt.units import count, percent


def tflm_cell(record: dict) -> str:
    """TFLite Micro accuracy, or why it does not run there ("-" for a Keras file)."""
    if "runs_on_tflm" not in record:
        return "-"
    if not record["runs_on_tflm"]:
        return "refused"
    return percent(record["tflm_accuracy"])


def display_rows(question: str | None = None) -> list[dict]:
    """The records (of one question) as text, one dict per file: what the notebooks' tables,
    the README table and the report show, formatted once here."""
    return [{"question": r["question"], "file": r["file"], "technique": r["technique"],
             "test accuracy": percent(r["test_accuracy"]), "raw bytes (flash)": count(r["raw_bytes"]),
             "gzip bytes": count(r["gzip_bytes"]),
             "LiteRT ms/image": "-" if r.get("latency_ms") is None else f"{r['latency_ms']:.3f}",
             "TFLite Micro accuracy": tflm_cell(r), "arena bytes (RAM)": count(r.get("arena_bytes")),
             "TFLM ms/image": "-" if r.get("tflm_ms") is None else f"{r['tflm_ms']:.2f}",
             "parameters": count(r["parameters"])}
            for r in results.load().values() if question is None or r["question"] == question]


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


def describe_layers(value, layers: list[str], fmt=str) -> str:
    """A per-layer setting as "conv1/conv2/conv3/dense" ("-" for a layer not named), or the
    value itself when it is the same for every layer."""
    if not isinstance(value, dict):
        return str(value)
    return "/".join(fmt(value[name]) if name in value else "-" for name in layers)


def lever_table(name: str, reference: dict, levers: dict[str, dict]) -> pd.DataFrame:
    """What each lever does, as sweep ``name`` measured it: one row for the ``reference``
    settings and one per lever (a label and the full settings it was measured with), with
    gzip bytes, validation accuracy and their change from the reference. Raises KeyError for
    settings the sweep never measured. (``sweeps.save_levers`` keeps the definitions for the report.)"""
    measured = sweeps.stored_results(name)
    missing = [label for label, s in {"reference": reference, **levers}.items() if sweeps.key(s) not in measured]
    if missing:
        raise KeyError(f"sweep {name} has not measured the settings of: {', '.join(missing)}")
    base = measured[sweeps.key(reference)]
    rows = []
    for label, settings in {"reference": reference, **levers}.items():
        row = measured[sweeps.key(settings)]
        rows.append({"lever": label, "gzip_bytes": row["gzip_bytes"],
                     "bytes_change": row["gzip_bytes"] - base["gzip_bytes"],
                     "val_accuracy": row["val_accuracy"],
                     "pp_change": round(100 * (row["val_accuracy"] - base["val_accuracy"]), 2),
                     "runs_on_tflm": row["runs_on_tflm"]})
    return pd.DataFrame(rows)


def stored_lever_table(name: str) -> pd.DataFrame | None:
    """``lever_table`` of the levers the notebook last tabled for sweep ``name`` (None if never)."""
    stored = sweeps.stored_levers(name)
    return None if stored is None else lever_table(name, *stored)


def trade_table(name: str, reference_sweep: str, reference: dict, baseline_row: dict) -> pd.DataFrame:
    """A smaller-baseline study: the Q1 baseline (``baseline_row``, from ``study_row``) with the
    row of sweep ``reference_sweep`` for the ``reference`` compression settings, then each baseline of sweep ``name`` compressed with those same
    settings (rows measured with other settings are left out). Filters shown as "16/32/64"."""
    rows = [{**baseline_row, **sweeps.stored_results(reference_sweep)[sweeps.key(reference)]}]
    for key, row in sweeps.stored_results(name).items():
        settings = json.loads(key)
        if reference in settings.values():
            rows.append({"filters": settings["filters"], **row})
    frame = pd.DataFrame(rows)
    frame["filters"] = frame["filters"].map(lambda filters: "/".join(map(str, filters)))
    return frame[["filters", "baseline_parameters", "baseline_val_accuracy", "val_accuracy", "gzip_bytes"]]


def describe_levers(settings: dict) -> str:
    """The size levers a settings dict turns on, in words ("-" for none): knowledge
    distillation, short layer names, block sparsity per layer."""
    parts = ["distilled"] if settings.get("distill") else []
    if settings.get("names") == "short":
        parts.append("short names")
    parts += [f"{layer} blocks {rows}x{cols}" for layer, (rows, cols) in settings.get("block", {}).items()]
    return ", ".join(parts) or "-"


def with_levers(text: str, settings: dict) -> str:
    """``text`` followed by the size levers ``settings`` turns on (``describe_levers``), if any."""
    levers = describe_levers(settings)
    return text if levers == "-" else f"{text}, {levers}"


def study_row(filters) -> dict:
    """The Q1 baseline's row in a smaller-baseline study (``trade_table``): its ``filters``,
    parameters and validation accuracy, from its record."""
    record = results.load()[BASELINE]
    return {"filters": list(filters), "baseline_parameters": record["parameters"],
            "baseline_val_accuracy": record["val_accuracy"]}
