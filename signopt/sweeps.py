"""Run a sweep of configurations once, keeping each result in a file as it comes.

A sweep's results live in ``models/sweeps/<name>.json`` together with the sha256 of the
model it started from; a sweep of .tflite candidates (``run_tflite_sweep``) also keeps each
file it measured in ``models/sweeps/<name>/``.
Rerunning a notebook reuses the results of the configurations already measured from that
same model, and runs only the new ones; a retrained baseline (another sha256) starts the
sweep afresh. Keeping the files means that the model a notebook picks is the very file
whose validation accuracy the table shows: retraining it would not give the same bytes,
since training on several CPU threads is seeded but not bit-for-bit repeatable.
Delete the folder models/sweeps to force a full rerun.
"""
import hashlib
import json
import shutil
import time
from pathlib import Path
from typing import Callable

import pandas as pd

from signopt import config


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


LABELLED_EXTRAS = {"then_cluster"}  # settings keys of rows shown in a sweep but never chosen as its answer


def is_labelled_extra(settings: dict) -> bool:
    """Whether a row adds a technique its question does not name (q3's clustering after
    pruning): the notebook shows it and the report leaves it out of the sweep's best."""
    return bool(LABELLED_EXTRAS & set(settings))


def candidate_path(name: str, settings: dict) -> Path:
    """Where sweep ``name`` keeps the .tflite file it built and measured for ``settings``."""
    digest = hashlib.sha256(_key(settings).encode()).hexdigest()[:16]
    return sweep_path(name).with_suffix("") / f"{digest}.tflite"


def candidate(name: str, settings: dict, build: Callable[[dict], bytes]) -> bytes:
    """The .tflite bytes that sweep ``name`` measured for ``settings``; built (and kept)
    now only if the sweep has no file for them (results stored before files were kept)."""
    path = candidate_path(name, settings)
    if not path.exists():
        print(f"sweep {name}: no kept file for {settings}, building it again")
        _keep(name, settings, build(settings))
    return path.read_bytes()


def _keep(name: str, settings: dict, tflite_bytes: bytes) -> None:
    path = candidate_path(name, settings)
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(tflite_bytes)


def run_sweep(name: str, grid: list[dict], measure: Callable[[dict], dict], start_from) -> pd.DataFrame:
    """``measure(settings)`` for every settings dict in ``grid``; one row per settings.

    ``start_from`` is the model file every run starts from; results measured from
    another version of it are not reused (nor the files kept with them).
    """
    path = sweep_path(name)
    origin = hashlib.sha256(Path(start_from).read_bytes()).hexdigest()
    stored = json.loads(path.read_text()) if path.exists() else {}
    done = stored.get("results", {}) if stored.get("start_from_sha256") == origin else {}
    if not done:
        shutil.rmtree(path.with_suffix(""), ignore_errors=True)
    todo = [s for s in grid if _key(s) not in done]
    print(f"sweep {name}: {len(grid)} settings, {len(grid) - len(todo)} reused from {path.name}, "
          f"{len(todo)} to run")
    for i, settings in enumerate(todo, start=1):
        began = time.perf_counter()
        done[_key(settings)] = {**measure(settings), "seconds": round(time.perf_counter() - began, 1)}
        path.write_text(json.dumps({"start_from_sha256": origin, "results": done}, indent=1))
        print(f"  [{i}/{len(todo)}] {settings} -> {done[_key(settings)]}", flush=True)
    return pd.DataFrame([{**s, **done[_key(s)]} for s in grid])


def run_tflite_sweep(name: str, grid: list[dict], build: Callable[[dict], bytes],
                     measure: Callable[[bytes], dict], start_from) -> pd.DataFrame:
    """``run_sweep`` for candidates that are .tflite files: ``build(settings)`` makes the
    bytes, kept under ``candidate_path``, and ``measure(bytes)`` returns numbers about them."""
    def build_keep_measure(settings):
        blob = build(settings)
        _keep(name, settings, blob)
        return measure(blob)
    return run_sweep(name, grid, build_keep_measure, start_from)


def _smallest(frame: pd.DataFrame, floor: float, score: str, size: str) -> pd.Series | None:
    reaching = frame[frame[score] >= floor].sort_values([size, "raw_bytes"])
    return reaching.iloc[0] if len(reaching) else None


def smallest_reaching(frame: pd.DataFrame, floors=(0.90, 0.95, 0.99), score: str = "val_accuracy",
                      size: str = "gzip_bytes") -> pd.DataFrame:
    """For each accuracy floor, the smallest row whose ``score`` reaches it (none: left out)."""
    rows = []
    for floor in floors:
        row = _smallest(frame, floor, score, size)
        if row is not None:
            rows.append(row.to_frame().T.assign(floor=f">= {100 * floor:.0f}%"))
    if not rows:
        return pd.DataFrame(columns=[*frame.columns, "floor"]).set_index("floor")
    return pd.concat(rows).set_index("floor")


def choose(frame: pd.DataFrame, floor: float, score: str = "val_accuracy", size: str = "gzip_bytes") -> pd.Series:
    """The smallest row whose ``score`` reaches ``floor``; if none does, the best-scoring
    row, with a printed warning (the notebook then says the target was missed)."""
    row = _smallest(frame, floor, score, size)
    if row is not None:
        return row
    print(f"WARNING: no candidate reaches {100 * floor:.0f}% {score}; taking the most accurate one")
    return frame.sort_values([score, size], ascending=[False, True]).iloc[0]
