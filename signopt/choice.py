"""The rules that pick from a sweep, on the validation split: the smallest candidate that
reaches the floor plus a margin with the project's seed and under every other seed (the
answers of Q2 and Q3); the best candidate, one image of difference being a tie (a training
length, a QKeras setting); and whether another baseline replaces the Q1 one."""
from typing import Callable

import pandas as pd

from signopt.units import say, settings_text


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
        say(f"passed over {settings_text(grid[index])}: {score} under other seeds "
              f"{', '.join(f'{v:.2%}' for v in seeds[score])}, not all at {bar:.0%} or above")
    raise ValueError(f"no candidate reaches {bar:.0%} {score} under every seed")


def best_or_tie(frame: pd.DataFrame, grid: list[dict], images: int, prefer: list[str],
                score: str = "val_accuracy") -> dict:
    """The settings with the best ``score`` on a split of ``images`` images, where a difference
    of one image or less is a tie (one image decides nothing): among the rows within one image
    of the best, the first by ``prefer`` (columns, ascending: fewer epochs, fewer bits) wins.
    Prints which rows tied."""
    if len(frame) != len(grid) or not frame.index.equals(pd.RangeIndex(len(grid))):
        raise ValueError(f"the frame has {len(frame)} rows for {len(grid)} settings: pass the sweep's own frame")
    if images < 1:
        raise ValueError(f"images must be the size of the split the score is measured on, got {images}")
    if frame[score].isna().all():
        raise ValueError(f"no row has a {score}")
    tied = frame[frame[score] >= frame[score].max() - 1 / images - 1e-12]
    winner = tied.sort_values(prefer + [score], ascending=[True] * len(prefer) + [False], kind="stable").index[0]
    if len(tied) > 1:
        say(f"tie within one image of the best ({len(tied)} rows: "
            + "; ".join(f"{grid[i]} {100 * frame.loc[i, score]:.2f}%" for i in tied.index)
            + f"): the first by {', '.join(prefer)} wins")
    return grid[winner]


BASELINE_BAR = 0.995  # the Q1 baseline's own validation accuracy must stay at 99.5% for another baseline to replace it


def baseline_verdict(study: pd.DataFrame, bar: float, baseline_bar: float = BASELINE_BAR) -> str:
    """The baseline rule, applied to ``tables.baseline_study`` (its first row the Q1 baseline with
    the answers): another baseline replaces it only if its own validation accuracy reaches
    ``baseline_bar`` and, for every question, its compressed file reaches ``bar`` on validation
    with fewer gzip bytes than the answer. Returns the verdict in one sentence."""
    questions = [c.removesuffix(" gzip") for c in study.columns if c.endswith(" gzip")]
    answer, others = study.iloc[0], study.iloc[1:]
    better = others[(others.baseline_val_accuracy >= baseline_bar)]
    for q in questions:
        better = better[(better[f"{q} val"] >= bar) & (better[f"{q} gzip"] < answer[f"{q} gzip"])]
    if len(better):
        names = ", ".join(better.baseline)
        return f"the rule picks another baseline: {names} (smaller for every question, at {bar:.0%} on validation)"
    return (f"none of the {len(others)} other baselines reaches {baseline_bar:.1%} on validation with every "
            f"question's file at {bar:.0%} in fewer bytes than its answer: the Q1 baseline stays")
