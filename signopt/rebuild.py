"""A notebook's rebuild of the candidate a sweep chose, checked against the sweep's row.

On the machine that ran the sweep, training and conversion are deterministic, so the
rebuilt file has the sha256 that the sweep row recorded: the answer is reproduced byte for
byte, and the row's numbers are the file's. On another CPU the bytes can differ (README,
"What is reproduced byte for byte"). That is normal, not an error: the rebuilt file is then
measured again on the validation split and must pass the choice rule itself (the bar, under
the other seeds too, retrained here, and TFLite Micro where the row ran on it), and it is
that file which the notebook records. Only a rebuilt file that fails the rule stops the
notebook, before anything is written.

SIGNOPT_PRETEND_OTHER_MACHINE=1 makes every stored sha256 disagree with the rebuild, so that
the other-machine path runs (and is tested) on this one.
"""
import hashlib
import os
from typing import Callable

from signopt import environment, sweeps
from signopt.units import percent, say

PRETEND_OTHER_MACHINE = "SIGNOPT_PRETEND_OTHER_MACHINE"


class RebuildError(RuntimeError):
    """A rebuilt answer that does not pass the rule its sweep row passed."""


def stored_sha256(row: dict) -> str:
    """The sha256 of the file a sweep row measured; reversed, so that it cannot match, when
    SIGNOPT_PRETEND_OTHER_MACHINE=1."""
    if "sha256" not in row:
        raise KeyError("this sweep row holds no sha256 of the file it measured: rerun the sweep "
                       "(make clean-sweeps) so that its rows carry one")
    return row["sha256"][::-1] if os.environ.get(PRETEND_OTHER_MACHINE) == "1" else row["sha256"]


def check(tflite_bytes: bytes, sweep: str, settings: dict, measure: Callable[[bytes], dict],
          bar: float | None = None, retrain_seeds: Callable[[], list[dict]] | None = None,
          score: str = "val_accuracy") -> dict:
    """Compare the rebuilt ``tflite_bytes`` with the row that sweep ``sweep`` stored for
    ``settings``; print one line saying which; return what to keep in the file's record
    (``rebuild=``).

    The same sha256: reproduced byte for byte, nothing is measured again. Other bytes:
    ``measure(bytes)`` (the validation split) gives the rebuilt file's numbers, which must reach
    ``bar`` (None: no bar, as for a pick by the best score), as must every result of
    ``retrain_seeds()`` (the other seeds' runs, retrained here), and the file must run on
    TFLite Micro if the row's did. Raises RebuildError, naming what failed, if not.
    """
    row = sweeps.stored_row(sweep, settings)
    sha256 = hashlib.sha256(tflite_bytes).hexdigest()
    swept_on = environment.machine(row.get("environment", {}))
    if sha256 == stored_sha256(row):
        say(f"rebuilt byte for byte: sha256 {sha256[:12]}... is the file that sweep {sweep} measured on "
              f"{swept_on} ({row['gzip_bytes']:,} gzip bytes, validation {percent(row[score])})")
        return {"reproduced": True, "sweep_sha256": row["sha256"], "swept_on": swept_on}
    rebuilt = measure(tflite_bytes)
    seeds = retrain_seeds() if retrain_seeds is not None else []
    say(f"rebuilt here ({environment.machine()}) with other bytes than sweep {sweep} measured on {swept_on}: "
          f"sha256 {row['sha256'][:12]}... -> {sha256[:12]}..., raw {row['raw_bytes']:,} -> {rebuilt['raw_bytes']:,}, "
          f"gzip {row['gzip_bytes']:,} -> {rebuilt['gzip_bytes']:,}, validation {percent(row[score])} -> "
          f"{percent(rebuilt[score])}" + (f"; other seeds retrained here: "
                                          f"{', '.join(percent(s[score]) for s in seeds)}" if seeds else ""))
    failures = [f"{what} {percent(value)} is under the bar of {percent(bar)}"
                for what, value in [("validation", rebuilt[score]),
                                    *((f"seed run {i}", s[score]) for i, s in enumerate(seeds, 1))]
                if bar is not None and value < bar]
    if row.get("runs_on_tflm") and not rebuilt.get("runs_on_tflm"):
        failures.append("TFLite Micro refuses the rebuilt file, though it ran the swept one")
    if failures:
        raise RebuildError("the answer rebuilt on this machine fails the choice rule its sweep row passed: "
                           + "; ".join(failures) + ". Nothing was written; rerun the sweep here "
                           "(make clean-sweeps) to choose again on this machine's numbers.")
    say(f"  it passes the choice rule{f' (>= {percent(bar)})' if bar is not None else ''}: "
          "the rebuilt file is what gets recorded")
    return {"reproduced": False, "sweep_sha256": row["sha256"], "swept_on": swept_on,
            "sweep": {k: row[k] for k in ("raw_bytes", "gzip_bytes", score)},
            "rebuilt": {k: rebuilt[k] for k in ("sha256", "raw_bytes", "gzip_bytes", score)},
            "seed_runs": [s[score] for s in seeds]}
