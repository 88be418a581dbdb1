"""Load and check the Kaggle "Sign Language MNIST" CSVs; the images as the notebooks use them.

Each CSV has the header ``label,pixel1,...,pixel784``; a row is one 28x28 grayscale
image, row-major, pixels 0..255. Labels are 0..24 without 9: J (and Z) need motion.
The validation split, which makes every choice, holds out whole groups of near-duplicate
rows of the training CSV (signopt.split, models/split.json); the test CSV only gives the
numbers we report.
"""
import gzip
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from signopt import config

IMAGE_SIDE = 28
NUM_CLASSES = 25  # label values 0..24; 9 (J) never occurs
LETTERS = [chr(ord("A") + i) for i in range(NUM_CLASSES)]
VALID_LABELS = frozenset(range(NUM_CLASSES)) - {9}
CLASS_NAMES = [LETTERS[i] for i in sorted(VALID_LABELS)]  # A..Y without J
COLUMNS = ["label"] + [f"pixel{i}" for i in range(1, IMAGE_SIDE * IMAGE_SIDE + 1)]

KAGGLE_HINT = (
    "Download the data set 'Sign Language MNIST' from "
    "https://www.kaggle.com/datasets/datamunge/sign-language-mnist , unzip it and put "
    "sign_mnist_train.csv and sign_mnist_test.csv (or their .csv.gz) in {folder}, or set "
    "SIGNOPT_DATA_DIR to the folder that holds them."
)


class DataError(ValueError):
    """A CSV that is not the Kaggle file we expect; the message names file and row."""


def find_csv(split: str, folder: Path | None = None) -> Path:
    """Path of ``sign_mnist_{split}.csv`` in ``folder``: plain, gzipped, or inside the
    ``sign_mnist_{split}/`` folder that Kaggle's archive unzips to."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    folder = Path(folder) if folder is not None else config.data_dir()
    name = f"sign_mnist_{split}"
    candidates = [folder / f"{name}.csv", folder / f"{name}.csv.gz",
                  folder / name / f"{name}.csv", folder / name / f"{name}.csv.gz"]
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError(
        f"No {name}.csv found; looked for {', '.join(str(p) for p in candidates)}. "
        + KAGGLE_HINT.format(folder=folder))


def read_csv(path) -> tuple[np.ndarray, np.ndarray]:
    """Read one Kaggle CSV; return images (N, 28, 28, 1) uint8 and labels (N,) int64.

    Raises DataError naming the file and the line (the header is line 1) for a wrong
    header, a truncated or overlong row, a non-integer value, a label outside 0..24 or
    equal to 9, or a pixel outside 0..255.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist. " + KAGGLE_HINT.format(folder=path.parent))
    frame = _parse(path, dtype=None)
    _check_header(path, list(frame.columns))
    if not isinstance(frame.index, pd.RangeIndex):  # pandas took the extra values of every row as an index
        _raise_first_long_row(path)
    if len(frame) == 0:
        raise DataError(f"{path} has a header but no image rows")
    if not all(pd.api.types.is_integer_dtype(t) for t in frame.dtypes):
        _raise_first_non_integer(path)
    numbers = frame.to_numpy()
    labels, pixels = numbers[:, 0].astype(np.int64), numbers[:, 1:]
    bad = ~np.isin(labels, sorted(VALID_LABELS))
    if bad.any():
        row = int(np.argmax(bad))
        raise DataError(f"{path}, line {row + 2}: label {labels[row]} is not one of 0..24 "
                        "without 9 (J needs motion and is not in the data set)")
    bad = (pixels < 0) | (pixels > 255)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise DataError(f"{path}, line {row + 2}: {COLUMNS[col + 1]} is "
                        f"{pixels[row, col]:g}, expected 0..255")
    images = pixels.astype(np.uint8).reshape(-1, IMAGE_SIDE, IMAGE_SIDE, 1)
    return images, labels


def _parse(path: Path, dtype) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=dtype, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path} is empty: expected a header and image rows") from None
    except pd.errors.ParserError as err:
        raise DataError(f"{path}: a row has more than {len(COLUMNS)} values ({err})") from None
    except (UnicodeDecodeError, gzip.BadGzipFile, zlib.error, EOFError) as err:  # random bytes, a broken .gz
        raise DataError(f"{path} is not a CSV text file (expected the header "
                        f"'label,pixel1,...,pixel784' and rows of integers): {err}") from None


def _raise_first_long_row(path: Path) -> None:
    """Slow path, only for a broken file: the first line with more values than the header.
    A separator at the end of a line counts as one more (empty) value."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as lines:
        for number, line in enumerate(lines, start=1):
            found = line.rstrip("\r\n").count(",") + 1
            if found != len(COLUMNS):
                raise DataError(f"{path}, line {number}: {found} values, expected {len(COLUMNS)} as the header "
                                "names (label, pixel1..pixel784); a separator at the end of a line adds an "
                                "empty value")
    raise DataError(f"{path}: the rows hold more values than the header names ({len(COLUMNS)})")


def _raise_first_non_integer(path: Path) -> None:
    """Slow path, only for a broken file: find the first cell that is no integer."""
    values = _parse(path, dtype=str).to_numpy()
    for row, cells in enumerate(values):
        missing = cells == ""
        if missing.any():
            raise DataError(f"{path}, line {row + 2}: truncated row, expected {len(COLUMNS)} "
                            f"values, found {int((~missing).sum())}")
        for col, cell in enumerate(cells):
            try:
                int(cell)
            except ValueError:
                raise DataError(f"{path}, line {row + 2}: column {COLUMNS[col]} holds "
                                f"{cell!r}, expected an integer") from None


def _check_header(path: Path, found: list[str]) -> None:
    if found == COLUMNS:
        return
    if len(found) != len(COLUMNS):
        hint = ("; it looks tab- or semicolon-separated, the Kaggle file is comma-separated"
                if len(found) == 1 and any(sep in found[0] for sep in "\t;") else "")
        raise DataError(f"{path}: header has {len(found)} columns, expected {len(COLUMNS)} "
                        f"(label, pixel1..pixel784){hint}")
    col = next(i for i, (a, b) in enumerate(zip(found, COLUMNS)) if a != b)
    raise DataError(f"{path}: header column {col + 1} is {found[col]!r}, expected {COLUMNS[col]!r}")


@dataclass(frozen=True)
class Splits:
    """Images as float32 in [0, 1], shape (N, 28, 28, 1); labels as int64."""
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def describe(self) -> str:
        return (f"train {len(self.y_train):,} / validation {len(self.y_val):,} "
                f"(from the training CSV) / test {len(self.y_test):,} images")


def stratified_indices(labels: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Split indices into (kept, held out) with ``fraction`` of every class held out, rows
    drawn at random (smoke-mode subsets, and the leaky random split q1 compares against)."""
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be between 0 and 1, got {fraction}")
    rng = np.random.default_rng(seed)
    held = []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        held.append(members[: max(1, round(fraction * len(members)))])
    held = np.sort(np.concatenate(held))
    kept = np.setdiff1d(np.arange(len(labels)), held)
    return kept, held
