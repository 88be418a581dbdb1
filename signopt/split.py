"""The validation split: whole groups of near-duplicate training images held out.

The Kaggle training CSV holds about 1,300 hand photographs, each expanded into ~21 rows by
small rotations, filters and brightness changes. A random row split puts copies of one photo
on both sides, so its validation accuracy measures memory, not generalisation. Here two rows
are near-duplicates when ``1 - Pearson correlation`` of their pixels is below ``THRESHOLD``;
the connected components of that graph are the groups, and the validation split holds out
whole groups, about ``VALIDATION_FRACTION`` of the rows of every letter.

The split is saved in ``models/split.json`` (sorted 0-based data-row indices of
sign_mnist_train.csv), so every notebook uses the same rows and anyone can check them.
``python -m signopt.split`` rebuilds it; the build is deterministic.
"""
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from signopt import atomic, config, data

THRESHOLD = 0.02  # 1 - Pearson correlation below which two rows are copies of one photo
VALIDATION_FRACTION = 0.1
SPLIT_FILE = "split.json"  # in the models folder (config.models_dir())
METHOD = ("near-duplicate groups: rows joined when 1 - Pearson correlation of their 784 pixels "
          "< threshold, connected components; whole groups held out, stratified by label")


class SplitError(ValueError):
    """models/split.json is missing, broken, or belongs to another training CSV."""


def standardize(images: np.ndarray) -> np.ndarray:
    """Rows of unit length after removing each image's mean: a dot product of two rows is
    their Pearson correlation."""
    flat = images.reshape(len(images), -1).astype(np.float64)
    flat -= flat.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(flat, axis=1, keepdims=True)
    return (flat / np.where(norms == 0, 1, norms)).astype(np.float32)


def close_pairs(images: np.ndarray, threshold: float, chunk: int = 2048):
    """All pairs (i < j) of rows whose distance ``1 - correlation`` is below ``threshold``;
    returns (i, j, distance) arrays. Computed in chunks of rows, upper triangle only."""
    z = standardize(images)
    found_i, found_j, found_d = [], [], []
    for start in range(0, len(z), chunk):
        distance = 1 - z[start:start + chunk] @ z[start:].T
        rows, cols = np.nonzero(distance < threshold)
        keep = cols > rows  # j > i, the diagonal and lower triangle are left out
        found_i.append(rows[keep] + start)
        found_j.append(cols[keep] + start)
        found_d.append(distance[rows[keep], cols[keep]])
    return np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_d)


def group_ids(count: int, pairs_i: np.ndarray, pairs_j: np.ndarray) -> np.ndarray:
    """Connected components of the graph whose edges are the pairs: one id per row."""
    graph = coo_matrix((np.ones(len(pairs_i), dtype=np.int8), (pairs_i, pairs_j)), shape=(count, count))
    return connected_components(graph, directed=False)[1]


def group_counts(images: np.ndarray, thresholds) -> dict[float, int]:
    """How many groups each threshold gives: a flat curve around THRESHOLD means the
    groups do not hinge on its exact value."""
    pairs_i, pairs_j, distance = close_pairs(images, max(thresholds))
    return {t: int(group_ids(len(images), pairs_i[distance < t], pairs_j[distance < t]).max() + 1)
            for t in thresholds}


def held_out_groups(groups: np.ndarray, labels: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Sorted row indices of whole groups, taken in a seeded random order within each label
    (a group counts for the label most of its rows carry) until they hold ``fraction`` of
    that label's rows. A group is never split, even one that mixes labels."""
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be between 0 and 1, got {fraction}")
    rng = np.random.default_rng(seed)
    group_label = {int(g): int(np.bincount(labels[groups == g]).argmax()) for g in np.unique(groups)}
    held = []
    for label in np.unique(labels):
        wanted = fraction * np.count_nonzero(labels == label)
        taken = 0
        for group in rng.permutation([g for g, lab in group_label.items() if lab == label]):
            if taken >= wanted:
                break
            rows = np.flatnonzero(groups == group)
            held.append(rows)
            taken += np.count_nonzero(labels[rows] == label)
    return np.sort(np.concatenate(held))


def nearest_neighbours(query: np.ndarray, reference: np.ndarray, chunk: int = 2048):
    """For each query image, the distance (1 - correlation) to its nearest reference image
    and that image's index."""
    zq, zr = standardize(query), standardize(reference)
    distance, index = [], []
    for start in range(0, len(zq), chunk):
        similarity = zq[start:start + chunk] @ zr.T
        best = similarity.argmax(axis=1)
        index.append(best)
        distance.append(1 - similarity[np.arange(len(best)), best])
    return np.concatenate(distance), np.concatenate(index)


def leak_row(name: str, x_ref, y_ref, x_held, y_held, threshold: float = THRESHOLD) -> dict:
    """How close held-out images sit to the images a model trains on, and how well a
    1-nearest-neighbour classifier (pure memory) labels them."""
    distance, index = nearest_neighbours(x_held, x_ref)
    return {"held-out images": name, "rows": len(y_held),
            "median distance": float(np.median(distance)),  # to the nearest training image
            f"closer than {threshold:g}": float((distance < threshold).mean()),
            "1-NN accuracy": float((y_ref[index] == y_held).mean())}


def labels_sha256(labels: np.ndarray) -> str:
    return hashlib.sha256(np.asarray(labels, dtype=np.int64).tobytes()).hexdigest()


def build(images: np.ndarray, labels: np.ndarray, threshold: float = THRESHOLD,
          fraction: float = VALIDATION_FRACTION, seed: int = config.SEED) -> dict:
    """The split record of the training CSV given as ``images``/``labels`` (deterministic)."""
    pairs_i, pairs_j, _ = close_pairs(images, threshold)
    groups = group_ids(len(labels), pairs_i, pairs_j)
    validation = held_out_groups(groups, labels, fraction, seed)
    mixed = [int(g) for g in np.unique(groups) if len(np.unique(labels[groups == g])) > 1]
    return {"method": METHOD, "threshold": threshold, "fraction": fraction, "seed": seed,
            "train_csv_rows": int(len(labels)), "train_csv_labels_sha256": labels_sha256(labels),
            "group_count": int(groups.max() + 1), "groups_with_several_labels": len(mixed),
            "validation_row_count": int(len(validation)),
            "validation_rows": validation.tolist(), "group_of_row": groups.tolist()}


def split_file() -> Path:
    """models/split.json, or split.json in SIGNOPT_MODELS_DIR."""
    return config.models_dir() / SPLIT_FILE


def load(labels: np.ndarray, path: Path | None = None) -> dict:
    """The saved split (``split_file()`` by default), checked against the training CSV whose
    ``labels`` are given."""
    path = path or split_file()
    if not Path(path).is_file():
        raise SplitError(f"{path} is missing: run `python -m signopt.split` to rebuild it "
                         "(deterministic, about a minute)")
    try:
        split = json.loads(Path(path).read_text())
        rows = np.asarray(split["validation_rows"], dtype=np.int64)
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
        raise SplitError(f"{path} is not a split file ({err}); rebuild it with "
                         "`python -m signopt.split`") from None
    if split.get("train_csv_rows") != len(labels) or split.get("train_csv_labels_sha256") != labels_sha256(labels):
        raise SplitError(f"{path} was made from a training CSV of {split.get('train_csv_rows')} rows, "
                         f"but sign_mnist_train.csv has {len(labels)} rows (or other labels); "
                         "rebuild it with `python -m signopt.split`")
    if len(rows) == 0 or rows.min() < 0 or rows.max() >= len(labels) or (np.diff(rows) <= 0).any():
        raise SplitError(f"{path}: validation_rows must be sorted, distinct indices in 0..{len(labels) - 1}")
    return split


def save(split: dict, path: Path | None = None) -> None:
    atomic.write_text(path or split_file(), json.dumps(split, separators=(",", ":")) + "\n")


def _subsample(x, y, rows, seed):
    if rows is None or rows >= len(y):
        return x, y
    _, keep = data.stratified_indices(y, rows / len(y), seed)
    return x[keep], y[keep]


def load_splits(folder=None, train_rows: int | None = None, test_rows: int | None = None) -> data.Splits:
    """Read both CSVs; the validation split is the rows that models/split.json names
    (whole groups of near-duplicate images), the rest is for training.

    In smoke mode (SIGNOPT_SMOKE=1) each part is cut to a few hundred stratified rows
    unless ``train_rows``/``test_rows`` say otherwise.
    """
    if config.smoke():
        train_rows = train_rows or 960
        test_rows = test_rows or 480
    x, y = data.read_csv(data.find_csv("train", folder))
    x_test, y_test = data.read_csv(data.find_csv("test", folder))
    held = np.asarray(load(y)["validation_rows"])
    kept = np.setdiff1d(np.arange(len(y)), held)
    x_train, y_train = _subsample(x[kept], y[kept], train_rows, config.SEED)
    x_val, y_val = _subsample(x[held], y[held], train_rows and max(train_rows // 4, 24), config.SEED)
    x_test, y_test = _subsample(x_test, y_test, test_rows, config.SEED)
    scale = np.float32(1 / 255)
    return data.Splits(x_train * scale, y_train, x_val * scale, y_val, x_test * scale, y_test)


def main() -> None:
    images, labels = data.read_csv(data.find_csv("train"))
    split = build(images, labels)
    save(split)
    print(f"{split_file()}: {split['group_count']:,} groups, {split['validation_row_count']:,} "
          f"validation rows of {split['train_csv_rows']:,}, {split['groups_with_several_labels']} "
          "groups with more than one label")


if __name__ == "__main__":
    sys.exit(main())
