"""Run a sweep of configurations once, keeping each result in a file as it comes.

A sweep's results live in ``models/sweeps/<name>.json`` together with a sha256 of what it
started from (the baseline's weights, or a file); a sweep of .tflite candidates
(``run_tflite_sweep``) also keeps each file it measured in ``models/sweeps/<name>/``.
Rerunning a notebook reuses the results of the configurations already measured from the
same start, and runs only the new ones; another start (a different baseline) begins the
sweep afresh. Training is deterministic, so a notebook that rebuilds its chosen candidate
gets the very file the sweep kept, which it checks. `make clean-sweeps` forces a full rerun.
"""
import hashlib
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from signopt import config, tflite_files, tflm


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


def candidate_path(name: str, settings: dict) -> Path:
    """Where sweep ``name`` keeps the .tflite file it built and measured for ``settings``."""
    digest = hashlib.sha256(_key(settings).encode()).hexdigest()[:16]
    return sweep_path(name).with_suffix("") / f"{digest}.tflite"


def _keep(name: str, settings: dict, tflite_bytes: bytes) -> None:
    path = candidate_path(name, settings)
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(tflite_bytes)


def measure_candidate(tflite_bytes: bytes, images: np.ndarray, labels: np.ndarray) -> dict:
    """Accuracy (through LiteRT), sizes, and whether TFLite Micro runs it, of a converted
    model not yet saved: pass the validation split, never the test set."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "candidate.tflite"
        path.write_bytes(tflite_bytes)
        found = tflite_files.sizes(path)
        return {"val_accuracy": tflite_files.file_accuracy(path, images, labels, progress=False),
                "raw_bytes": found["raw_bytes"], "gzip_bytes": found["gzip_bytes"],
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
    path.write_text(json.dumps(everything, indent=1, sort_keys=True) + "\n")


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
    (nor the files kept with them).
    Prints an estimate of the time before it starts, and a line per setting with the time left.
    """
    path = sweep_path(name)
    origin = start_from if _is_digest(start_from) else hashlib.sha256(Path(start_from).read_bytes()).hexdigest()
    stored = json.loads(path.read_text()) if path.exists() else {}
    done = stored.get("results", {}) if stored.get("start_from_sha256") == origin else {}
    if not done:
        shutil.rmtree(path.with_suffix(""), ignore_errors=True)
    todo = [s for s in grid if _key(s) not in done]
    expected = estimate_seconds(name, todo)
    print(f"sweep {name}: {len(grid)} settings, {len(grid) - len(todo)} reused from {path.name}, "
          f"{len(todo)} to run" + (f", about {expected / 60:.1f} min" if todo and expected is not None else ""),
          flush=True)
    began_all = time.perf_counter()
    for i, settings in enumerate(todo, start=1):
        began = time.perf_counter()
        done[_key(settings)] = {**measure(settings), "seconds": 0.0}
        seconds = round(time.perf_counter() - began, 1)
        done[_key(settings)]["seconds"] = seconds
        _remember_seconds(name, _key(settings), seconds)
        path.write_text(json.dumps({"start_from_sha256": origin, "results": done}, indent=1))
        spent = time.perf_counter() - began_all
        left = spent / i * (len(todo) - i)
        shown = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in done[_key(settings)].items()}
        print(f"  [{i}/{len(todo)}] {settings} -> {shown}; about {left / 60:.1f} min left", flush=True)
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


def choose_robust(frame: pd.DataFrame, grid: list[dict], floor: float, margin: float,
                  other_seeds: Callable[[dict], pd.DataFrame], score: str = "val_accuracy",
                  size: str = "gzip_bytes") -> tuple[dict, pd.DataFrame]:
    """The smallest deployable row (``runs_on_tflm``) whose ``score`` reaches ``floor + margin``
    and whose retraining under other seeds, ``other_seeds(settings)``, keeps every run at
    ``floor`` or above: a pick that does not sit on a cliff. Returns its settings and the
    seed rows (its own first). Raises ValueError if no row passes."""
    if len(frame) != len(grid):
        raise ValueError(f"the frame has {len(frame)} rows for {len(grid)} settings: pass the sweep's own frame")
    deployable = frame["runs_on_tflm"] == True  # noqa: E712  (a row never checked, NaN, is not deployable)
    reaching = frame[deployable & (frame[score] >= floor + margin)]
    for index, row in reaching.sort_values([size, "raw_bytes"]).iterrows():
        seeds = other_seeds(grid[index])
        runs = pd.concat([row.to_frame().T, seeds], ignore_index=True)
        if (runs[score] >= floor).all():
            return grid[index], runs
        print(f"passed over {grid[index]}: {score} under other seeds "
              f"{', '.join(f'{v:.2%}' for v in seeds[score])}, below {floor:.0%}")
    raise ValueError(f"no deployable candidate reaches {floor + margin:.0%} {score} under every seed")


def describe_layers(value, layers: list[str], fmt=str) -> str:
    """A per-layer setting as "conv1/conv2/conv3/dense" ("-" for a layer not named), or the
    value itself when it is the same for every layer."""
    if not isinstance(value, dict):
        return str(value)
    return "/".join(fmt(value[name]) if name in value else "-" for name in layers)
