"""Run a sweep of configurations once, keeping each result in a file as it comes.

A sweep's results live in ``models/sweeps/<name>.json`` together with a sha256 of what it
started from (the baseline's weights, or a file). Each row holds what was measured, the
seconds it took and the machine and library versions it was measured on; a row of a .tflite
candidate also holds the sha256 and sizes of the file it measured (``measure_candidate``),
so a notebook can tell whether its rebuild of a chosen candidate is that very file
(``signopt.rebuild``) without keeping the candidate files. Rerunning a notebook reuses the
results of the configurations already measured from the same start, and runs only the new
ones; another start (a different baseline) begins the sweep afresh. `make clean-sweeps`
forces a full rerun.
"""
import hashlib
import json
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from signopt import atomic, config, environment, tflite_files, tflm

LEVERS_SUFFIX = "_levers"  # models/sweeps/<sweep>_levers.json: the lever table a notebook showed


def sweep_path(name: str) -> Path:
    folder = config.models_dir() / "sweeps"
    folder.mkdir(exist_ok=True)
    return folder / f"{name}.json"


def _key(settings: dict) -> str:
    return json.dumps(settings, sort_keys=True)


def stored_results(name: str) -> dict[str, dict]:
    """What sweep ``name`` measured, keyed by its settings as JSON; {} if it never ran."""
    path = sweep_path(name)
    return json.loads(path.read_text())["results"] if path.exists() else {}


def stored_seconds(name: str) -> float:
    """Seconds that sweep ``name`` spent on the results it stores: what recomputing it from
    scratch (``make clean-sweeps``) costs on the machine that measured it. A sweep file keeps
    the results of settings a notebook no longer asks for until it is recomputed, so count
    on a recomputed file."""
    return sum(row["seconds"] for row in stored_results(name).values())


def stored_row(name: str, settings: dict) -> dict:
    """The row sweep ``name`` stored for ``settings``; KeyError if it never measured them."""
    found = stored_results(name)
    if _key(settings) not in found:
        raise KeyError(f"sweep {name} has no row for {settings}: run its notebook's sweep cell first")
    return found[_key(settings)]


def measure_candidate(tflite_bytes: bytes, images: np.ndarray, labels: np.ndarray) -> dict:
    """Accuracy (through LiteRT), sha256 and sizes, and whether TFLite Micro runs it, of a
    converted model not yet saved: pass the validation split, never the test set."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "candidate.tflite"
        path.write_bytes(tflite_bytes)
        found = tflite_files.sizes(path)
        return {"val_accuracy": tflite_files.file_accuracy(path, images, labels, progress=False),
                "sha256": found["sha256"], "raw_bytes": found["raw_bytes"], "gzip_bytes": found["gzip_bytes"],
                "runs_on_tflm": tflm.runs(path)}


def _seconds_path() -> Path:
    return config.models_dir() / "sweep_seconds.json"


def _past_seconds(name: str) -> dict[str, float]:
    """Seconds each setting of sweep ``name`` took when it last ran; kept apart from the
    results, so that `make clean-sweeps` still leaves an estimate for the full recompute."""
    path = _seconds_path()
    return json.loads(path.read_text()).get(name, {}) if path.exists() else {}


def _remember_seconds(name: str, key: str, seconds: float) -> None:
    path = _seconds_path()
    everything = json.loads(path.read_text()) if path.exists() else {}
    everything.setdefault(name, {})[key] = seconds
    atomic.write_text(path, json.dumps(everything, indent=1, sort_keys=True) + "\n")


def estimate_seconds(name: str, settings: list[dict]) -> float | None:
    """Expected seconds for ``settings`` from what they took before (the mean of known
    settings for a new one); None if sweep ``name`` never ran here."""
    past = _past_seconds(name)
    if not past:
        return None
    mean = sum(past.values()) / len(past)
    return sum(past.get(_key(s), mean) for s in settings)


def _is_digest(value) -> bool:
    """A sha256 in hex, as opposed to the path of a file to hash."""
    return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def run_sweep(name: str, grid: list[dict], measure: Callable[[dict], dict], start_from) -> pd.DataFrame:
    """``measure(settings)`` for every settings dict in ``grid``; one row per settings.

    ``start_from`` identifies what every run starts from: a file (its sha256 is taken), or a
    digest such as ``training.weights_sha256(model)`` (a .keras file's zip carries
    timestamps, its weights do not). Results measured from anything else are not reused
    Each row gets the seconds it took and the ``environment.describe()`` of this machine.
    Prints an estimate of the time before it starts, and a line per setting with the time left.
    """
    path = sweep_path(name)
    origin = start_from if _is_digest(start_from) else hashlib.sha256(Path(start_from).read_bytes()).hexdigest()
    stored = json.loads(path.read_text()) if path.exists() else {}
    done = stored.get("results", {}) if stored.get("start_from_sha256") == origin else {}
    todo = [s for s in grid if _key(s) not in done]
    expected = estimate_seconds(name, todo)
    print(f"sweep {name}: {len(grid)} settings, {len(grid) - len(todo)} reused from {path.name}, "
          f"{len(todo)} to run" + (f", about {expected / 60:.1f} min" if todo and expected is not None else ""),
          flush=True)
    began_all = time.perf_counter()
    for i, settings in enumerate(todo, start=1):
        began = time.perf_counter()
        measured = measure(settings)
        seconds = round(time.perf_counter() - began, 1)
        done[_key(settings)] = {**measured, "seconds": seconds, "environment": environment.describe()}
        _remember_seconds(name, _key(settings), seconds)
        atomic.write_text(path, json.dumps({"start_from_sha256": origin, "results": done}, indent=1))
        spent = time.perf_counter() - began_all
        left = spent / i * (len(todo) - i)
        shown = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in measured.items() if k != "sha256"}
        print(f"  [{i}/{len(todo)}] {settings} -> {shown}; about {left / 60:.1f} min left", flush=True)
    return pd.DataFrame([{**s, **done[_key(s)]} for s in grid])


def run_tflite_sweep(name: str, grid: list[dict], build: Callable[[dict], bytes],
                     measure: Callable[[bytes], dict], start_from) -> pd.DataFrame:
    """``run_sweep`` for candidates that are .tflite files: ``build(settings)`` makes the
    bytes and ``measure(bytes)`` returns numbers about them (``measure_candidate``, whose
    sha256 and sizes let a rebuild be checked against the row)."""
    return run_sweep(name, grid, lambda settings: measure(build(settings)), start_from)


def _by_size(frame: pd.DataFrame, size: str) -> pd.DataFrame:
    """Rows smallest first by ``size``, ties broken by the other size, then by grid order."""
    other = "gzip_bytes" if size == "raw_bytes" else "raw_bytes"
    return frame.sort_values([size, other], kind="stable")


def choose_robust(frame: pd.DataFrame, grid: list[dict], floor: float, margin: float,
                  other_seeds: Callable[[dict], pd.DataFrame], score: str = "val_accuracy",
                  size: str = "gzip_bytes", among: pd.Series | None = None) -> tuple[dict, pd.DataFrame]:
    """The smallest row by ``size`` whose ``score`` reaches ``floor + margin`` with the
    project's seed and with every other seed too, ``other_seeds(settings)`` retraining it:
    a pick that does not owe its score to one lucky shuffle. Rows are taken ``among`` a
    boolean mask (default: the deployable ones, ``runs_on_tflm``). Returns its settings and
    the seed rows (its own first). Raises ValueError if no row passes."""
    if len(frame) != len(grid):
        raise ValueError(f"the frame has {len(frame)} rows for {len(grid)} settings: pass the sweep's own frame")
    if among is None:
        among = frame["runs_on_tflm"] == True  # noqa: E712  (a row never checked, NaN, is not deployable)
    bar = floor + margin
    for index, row in _by_size(frame[among & (frame[score] >= bar)], size).iterrows():
        seeds = other_seeds(grid[index])
        runs = pd.concat([row.to_frame().T, seeds], ignore_index=True)
        if (runs[score] >= bar).all():
            return grid[index], runs
        print(f"passed over {grid[index]}: {score} under other seeds "
              f"{', '.join(f'{v:.2%}' for v in seeds[score])}, not all at {bar:.0%} or above")
    raise ValueError(f"no candidate reaches {bar:.0%} {score} under every seed")


def describe_layers(value, layers: list[str], fmt=str) -> str:
    """A per-layer setting as "conv1/conv2/conv3/dense" ("-" for a layer not named), or the
    value itself when it is the same for every layer."""
    if not isinstance(value, dict):
        return str(value)
    return "/".join(fmt(value[name]) if name in value else "-" for name in layers)


def lever_table(name: str, reference: dict, levers: dict[str, dict]) -> pd.DataFrame:
    """What each lever does, as sweep ``name`` measured it: one row for the ``reference``
    settings and one per lever (a label and the full settings it was measured with), with
    gzip bytes, validation accuracy and their change from the reference. Keeps the lever
    definitions beside the sweep (``<name>_levers.json``) for the report. Raises KeyError for
    settings the sweep never measured."""
    table = _lever_rows(name, reference, levers)
    atomic.write_text(_levers_path(name), json.dumps({"reference": reference, "levers": levers}, indent=1) + "\n")
    return table


def stored_levers(name: str) -> tuple[dict, dict[str, dict]] | None:
    """The reference and the levers that the notebook last tabled for sweep ``name`` (None if never)."""
    path = _levers_path(name)
    if not path.exists():
        return None
    stored = json.loads(path.read_text())
    return stored["reference"], stored["levers"]


def stored_lever_table(name: str) -> pd.DataFrame | None:
    """``lever_table`` of the levers the notebook last tabled for sweep ``name`` (None if never)."""
    stored = stored_levers(name)
    return None if stored is None else _lever_rows(name, *stored)


def _lever_rows(name: str, reference: dict, levers: dict[str, dict]) -> pd.DataFrame:
    measured = stored_results(name)
    missing = [label for label, s in {"reference": reference, **levers}.items() if _key(s) not in measured]
    if missing:
        raise KeyError(f"sweep {name} has not measured the settings of: {', '.join(missing)}")
    base = measured[_key(reference)]
    rows = []
    for label, settings in {"reference": reference, **levers}.items():
        row = measured[_key(settings)]
        rows.append({"lever": label, "gzip_bytes": row["gzip_bytes"],
                     "bytes_change": row["gzip_bytes"] - base["gzip_bytes"],
                     "val_accuracy": row["val_accuracy"],
                     "pp_change": round(100 * (row["val_accuracy"] - base["val_accuracy"]), 2),
                     "runs_on_tflm": row["runs_on_tflm"]})
    return pd.DataFrame(rows)


def _levers_path(name: str) -> Path:
    return sweep_path(name).with_name(f"{name}{LEVERS_SUFFIX}.json")


def trade_table(name: str, reference_sweep: str, reference: dict, baseline_row: dict) -> pd.DataFrame:
    """A smaller-baseline study: the Q1 baseline (``baseline_row``: its filters, parameters and
    validation accuracy) with the row of sweep ``reference_sweep`` for the ``reference``
    compression settings, then each baseline of sweep ``name`` compressed with those same
    settings (rows measured with other settings are left out). Filters shown as "16/32/64"."""
    rows = [{**baseline_row, **stored_results(reference_sweep)[_key(reference)]}]
    for key, row in stored_results(name).items():
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
