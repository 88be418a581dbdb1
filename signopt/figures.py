"""The plots people would rather look at than read: size against accuracy, with the
Pareto front of a sweep marked."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def pareto_front(frame: pd.DataFrame, size: str = "gzip_bytes", score: str = "val_accuracy") -> pd.DataFrame:
    """Rows that no other row beats on both size (smaller) and score (higher)."""
    ordered = frame.sort_values([size, score], ascending=[True, False])
    best, keep = -1.0, []
    for index, row in ordered.iterrows():
        if row[score] > best:
            keep.append(index)
            best = row[score]
    return ordered.loc[keep]


def uncrowded(points: pd.DataFrame, size: str, score: str, min_log_size: float = 0.12,
              min_points: float = 3.0) -> pd.DataFrame:
    """The points to name on a log-size plot: each kept one is at least ``min_log_size``
    decades or ``min_points`` accuracy points away from the last kept one, so that the
    labels of a crowded front do not print over each other."""
    keep, last = [], None
    for index, row in points.sort_values(size).iterrows():
        here = (np.log10(row[size]), 100 * row[score])
        if last is None or abs(here[0] - last[0]) >= min_log_size or abs(here[1] - last[1]) >= min_points:
            keep.append(index)
            last = here
    return points.loc[keep]


def size_vs_accuracy(frame: pd.DataFrame, size: str = "gzip_bytes", score: str = "val_accuracy",
                     label: str | None = None, floor: float | None = 0.90, title: str = "",
                     ax=None, name_all: bool = False, answer: dict | None = None):
    """Scatter of accuracy (%) against size (log scale), Pareto front joined by a line,
    the front's uncrowded points (or all, with ``name_all``) named by ``label`` if given,
    the homework's floor as a dashed line, and the ``answer`` (a row or record with the same
    size and score keys) as a gold star."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 5))
    ax.scatter(frame[size], 100 * frame[score], alpha=0.6, label="tried")
    front = pareto_front(frame, size, score)
    ax.step(front[size], 100 * front[score], where="post", color="C3", label="Pareto front")
    ax.scatter(front[size], 100 * front[score], color="C3", zorder=3)
    if label:
        named = frame if name_all else uncrowded(front, size, score)
        if answer is not None and not name_all:  # no label over the star, which the legend names
            named = named[(np.log10(named[size]) - np.log10(answer[size])).abs() >= 0.12]
        for _, row in named.iterrows():
            ax.annotate(str(row[label]).removesuffix(" -"), (row[size], 100 * row[score]), fontsize=7,
                        xytext=(3, 3), textcoords="offset points")  # "-": no lever, nothing to name
    if floor is not None:
        ax.axhline(100 * floor, color="gray", linestyle="--", label=f"homework floor {100 * floor:.0f}%")
    if answer is not None:
        ax.scatter([answer[size]], [100 * answer[score]], marker="*", s=240, color="gold",
                   edgecolor="black", zorder=4, label="the answer")
    ax.set_xscale("log")
    bytes_label = plt.FuncFormatter(lambda value, _: f"{value:,.0f}")
    ax.xaxis.set_major_formatter(bytes_label)
    ax.xaxis.set_minor_formatter(plt.FuncFormatter(_minor_bytes_label(ax)))
    ax.tick_params(axis="x", which="both", labelsize=8)
    ax.set_xlabel(size.replace("_", " ") + " (log scale)")
    ax.set_ylabel(score.replace("_", " ") + " (%)")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right")
    return ax


def sample_images(images, labels, per_row: int = 12):
    """One training image of every letter, titled with its letter."""
    from signopt.data import LETTERS
    classes = sorted(set(labels.tolist()))
    rows = -(-len(classes) // per_row)
    fig, axes = plt.subplots(rows, per_row, figsize=(per_row, 1.2 * rows))
    for ax in axes.flat:
        ax.axis("off")
    for ax, label in zip(axes.flat, classes):
        ax.imshow(images[labels == label][0].squeeze(), cmap="gray")
        ax.set_title(LETTERS[label])
    fig.tight_layout()
    return fig


def training_curves(history):
    """Loss and accuracy per epoch on the training (augmented) and validation splits."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    for ax, metric in zip(axes, ["loss", "accuracy"]):
        ax.plot(history.history[metric], label="training (augmented)")
        ax.plot(history.history[f"val_{metric}"], label="validation")
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig


def group_count_curve(counts: dict, chosen: float):
    """Number of near-duplicate groups against the distance threshold, the chosen one marked."""
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.plot(list(counts), list(counts.values()), "o-")
    ax.axvline(chosen, color="C3", linestyle="--", label=f"chosen threshold {chosen:g}")
    ax.set_xlabel("threshold on 1 - Pearson correlation")
    ax.set_ylabel("groups in the training CSV")
    ax.set_ylim(0, None)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def files_compared(frame: pd.DataFrame, title: str = "", sort_by: str = "raw_bytes", floor: float | None = None):
    """One row per model file, largest ``sort_by`` on top: raw and gzip bytes as bars on the
    left, test accuracy as dots on the right (dots, not bars cut short, so that tenths of a
    point show), with the homework's ``floor`` drawn where the files have one (Q2, Q3: 90%)."""
    frame = frame.sort_values(sort_by)
    names = [f.removesuffix(".tflite") for f in frame.file]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 0.55 * len(frame) + 1.4), sharey=True,
                                      gridspec_kw={"width_ratios": [3, 2]})
    rows = np.arange(len(frame))
    left.barh(rows + 0.2, frame.raw_bytes, height=0.4, label="raw", color="C0")
    left.barh(rows - 0.2, frame.gzip_bytes, height=0.4, label="gzip (level 9)", color="C0", alpha=0.45)
    for row, raw, gzipped in zip(rows, frame.raw_bytes, frame.gzip_bytes):
        left.annotate(f"{raw:,}", (raw, row + 0.2), xytext=(3, -3), textcoords="offset points", fontsize=7)
        left.annotate(f"{gzipped:,}", (gzipped, row - 0.2), xytext=(3, -3), textcoords="offset points",
                      fontsize=7, color="dimgray")
    left.set_yticks(rows, names, fontsize=8)
    left.set_xlabel("kB (1,000 bytes)")
    left.xaxis.set_major_formatter(plt.FuncFormatter(lambda value, _: f"{value / 1000:g}"))
    left.set_xlim(0, 1.25 * frame.raw_bytes.max())
    left.legend(loc="lower right", fontsize=8)
    accuracy = 100 * frame.test_accuracy
    right.plot(accuracy, rows, "o", color="C2")
    for row, value in zip(rows, accuracy):
        right.annotate(f"{value:.2f}%", (value, row), xytext=(-6, 5), textcoords="offset points", fontsize=7,
                       ha="right")
    if floor is not None:
        right.axvline(100 * floor, color="gray", linestyle="--", label=f"homework floor {100 * floor:.0f}%")
        right.legend(loc="lower left", fontsize=8)
    low = accuracy.min() if floor is None else min(100 * floor, accuracy.min())
    right.set_xlim(low - 0.5, 100.3)
    right.set_xlabel("test accuracy (%)")
    for ax in (left, right):
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def accuracy_by_bits(frame: pd.DataFrame, floor: float = 0.85, title: str = ""):
    """Validation accuracy (dots, axis from 0) against total model bits (log scale, ticks in
    plain numbers), each dot named by its ``bits`` (a category: the dots are not joined), the
    homework's floor dashed."""
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(frame.total_bits, 100 * frame.val_accuracy, "o")
    for _, row in frame.iterrows():
        ax.annotate(f"{row.bits}: {100 * row.val_accuracy:.2f}%", (row.total_bits, 100 * row.val_accuracy),
                    xytext=(5, -12), textcoords="offset points", fontsize=8)
    ax.axhline(100 * floor, color="gray", linestyle="--", label=f"homework floor {100 * floor:.0f}%")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda value, _: f"{value:,.0f}"))
    ax.xaxis.set_minor_formatter(plt.FuncFormatter(lambda value, _: f"{value:,.0f}" if str(round(value))[0] in "25" else ""))
    ax.tick_params(axis="x", which="both", labelsize=8)
    ax.set_ylim(0, 105)
    ax.set_xlabel("total model bits (log scale)")
    ax.set_ylabel("validation accuracy (%)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def _minor_bytes_label(ax):
    """Labels for the minor ticks (2..9 x 10^k) of a log bytes axis: 2, 4, 6 and 8 x 10^k on a wide
    axis, every one when the axis spans less than a factor of 3 (else a narrow axis, such as
    6,000-11,000 bytes, would show only one or two labels)."""
    def label(value, _):
        low, high = ax.get_xlim()
        return f"{value:,.0f}" if high / low < 3 or str(round(value))[0] in "2468" else ""
    return label
