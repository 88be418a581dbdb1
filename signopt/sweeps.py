"""Run a sweep of configurations once, keeping each result in a file as it comes.

A sweep's results live in ``models/sweeps/<name>.json`` together with a sha256 of what it
started from (the baseline's weights, or a file). Each row holds what was measured, the
seconds it took and the machine and library versions it was measured on; a row of a .tflite
candidate also holds the sha256 and sizes of the file it measured (``measurement.candidate``),
so a notebook can tell whether its rebuild of a chosen candidate is that very file
(``signopt.rebuild``) without keeping the candidate files. Rerunning a notebook reuses the
results of the configurations already measured from the same start, and runs only the new
ones; another start (a different baseline) begins the sweep afresh. `make clean-sweeps`
forces a full rerun.
"""
import hashlib
import json
import time
from pathlib import Path
from typing import Callable

import pandas as pd

from signopt import atomic, config, environment
from signopt.units import say

LEVERS_SUFFIX = "_levers"  # models/sweeps/<sweep>_levers.json: the levers a notebook tabled


def sweep_path(name: str) -> Path:
    folder = config.models_dir() / "sweeps"
    folder.mkdir(exist_ok=True)
    return folder / f"{name}.json"


def key(settings: dict) -> str:
    """How a settings dict is stored: its JSON with sorted keys."""
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
    if key(settings) not in found:
        raise KeyError(f"sweep {name} has no row for {settings}: run its notebook's sweep cell first")
    return found[key(settings)]


def _seconds_path() -> Path:
    return config.models_dir() / "sweep_seconds.json"


def _past_seconds(name: str) -> dict[str, float]:
    """Seconds each setting of sweep ``name`` took when it last ran; kept apart from the
    results, so that `make clean-sweeps` still leaves an estimate for the full recompute."""
    path = _seconds_path()
    return json.loads(path.read_text()).get(name, {}) if path.exists() else {}


def _remember_seconds(name: str, settings: dict, seconds: float) -> None:
    path = _seconds_path()
    everything = json.loads(path.read_text()) if path.exists() else {}
    everything.setdefault(name, {})[key(settings)] = seconds
    atomic.write_text(path, json.dumps(everything, indent=1, sort_keys=True) + "\n")


def estimate_seconds(name: str, settings: list[dict]) -> float | None:
    """Expected seconds for ``settings`` from what they took before (the mean of known
    settings for a new one); None if sweep ``name`` never ran here."""
    past = _past_seconds(name)
    if not past:
        return None
    mean = sum(past.values()) / len(past)
    return sum(past.get(key(s), mean) for s in settings)


def _is_digest(value) -> bool:
    """A sha256 in hex, as opposed to the path of a file to hash."""
    return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def run_sweep(name: str, grid: list[dict], measure: Callable[[dict], dict], start_from) -> pd.DataFrame:
    """``measure(settings)`` for every settings dict in ``grid``; one row per settings.

    ``start_from`` identifies what every run starts from: a file (its sha256 is taken), or a
    digest such as ``training.weights_sha256(model)`` (a .keras file's zip carries
    timestamps, its weights do not). Results measured from anything else are not reused.
    Each row gets the seconds it took and the ``environment.describe()`` of this machine (kept
    in the file, left out of the returned frame).
    Prints an estimate of the time before it starts, and a line per setting with the time left.
    """
    path = sweep_path(name)
    origin = start_from if _is_digest(start_from) else hashlib.sha256(Path(start_from).read_bytes()).hexdigest()
    stored = json.loads(path.read_text()) if path.exists() else {}
    done = stored.get("results", {}) if stored.get("start_from_sha256") == origin else {}
    todo = [s for s in grid if key(s) not in done]
    expected = estimate_seconds(name, todo)
    print(f"sweep {name}: {len(grid)} settings, {len(grid) - len(todo)} reused from {path.name}, "
          f"{len(todo)} to run" + (f", about {expected / 60:.1f} min" if todo and expected is not None else ""),
          flush=True)
    began_all = time.perf_counter()
    for i, settings in enumerate(todo, start=1):
        began = time.perf_counter()
        measured = measure(settings)
        seconds = round(time.perf_counter() - began, 1)
        done[key(settings)] = {**measured, "seconds": seconds, "environment": environment.describe()}
        _remember_seconds(name, settings, seconds)
        atomic.write_text(path, json.dumps({"start_from_sha256": origin, "results": done}, indent=1))
        spent = time.perf_counter() - began_all
        left = spent / i * (len(todo) - i)
        shown = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in measured.items() if k != "sha256"}
        say(f"  [{i}/{len(todo)}] {settings} -> {shown}; about {left / 60:.1f} min left")
    return pd.DataFrame([{**s, **{k: v for k, v in done[key(s)].items() if k != "environment"}} for s in grid])


def run_tflite_sweep(name: str, grid: list[dict], build: Callable[[dict], bytes],
                     measure: Callable[[bytes], dict], start_from) -> pd.DataFrame:
    """``run_sweep`` for candidates that are .tflite files: ``build(settings)`` makes the
    bytes and ``measure(bytes)`` returns numbers about them (``measurement.candidate``, whose
    sha256 and sizes let a rebuild be checked against the row)."""
    return run_sweep(name, grid, lambda settings: measure(build(settings)), start_from)


def save_levers(name: str, reference: dict, levers: dict[str, dict]) -> None:
    """Keep the lever definitions a notebook tables for sweep ``name`` (a label and the full
    settings of each, and the reference settings) beside the sweep, for the report."""
    atomic.write_text(_levers_path(name), json.dumps({"reference": reference, "levers": levers}, indent=1) + "\n")


def stored_levers(name: str) -> tuple[dict, dict[str, dict]] | None:
    """The reference and the levers that the notebook last saved for sweep ``name`` (None if never)."""
    path = _levers_path(name)
    if not path.exists():
        return None
    stored = json.loads(path.read_text())
    return stored["reference"], stored["levers"]


def _levers_path(name: str) -> Path:
    return sweep_path(name).with_name(f"{name}{LEVERS_SUFFIX}.json")
