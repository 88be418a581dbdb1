"""The rule that picks a sweep's answer: the smallest candidate that reaches the floor plus a
margin on the validation split, with the project's seed and under every other seed."""
from typing import Callable

import pandas as pd


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
