"""The grouped validation split: whole groups of near-duplicates held out, saved in
models/split.json, checked against the training CSV."""

import numpy as np
import pytest

from signopt import data, split


def copies_of(base: np.ndarray, count: int, rng) -> np.ndarray:
    """Near-duplicates of one image: brightness and a little noise."""
    return np.stack([np.clip(base * rng.uniform(0.9, 1.1) + rng.normal(0, 2, base.shape), 0, 255)
                     for _ in range(count)])


def grouped_images(photos: int = 24, copies: int = 10, seed: int = 0):
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for photo in range(photos):
        images.append(copies_of(rng.uniform(0, 255, (28, 28, 1)), copies, rng))
        labels += [photo % 12] * copies
    return np.concatenate(images).astype(np.uint8), np.array(labels)


def test_groups_find_the_photos_and_hold_out_whole_groups():
    images, labels = grouped_images()
    record = split.build(images, labels, fraction=0.25, seed=0)
    groups = np.array(record["group_of_row"])
    assert record["group_count"] == 24 and record["groups_with_several_labels"] == 0
    held = np.array(record["validation_rows"])
    assert set(groups[held]).isdisjoint(np.delete(groups, held))
    assert record == split.build(images, labels, fraction=0.25, seed=0)  # deterministic


def test_a_split_file_of_another_csv_is_refused(tmp_path):
    images, labels = grouped_images()
    path = tmp_path / "split.json"
    split.save(split.build(images, labels, fraction=0.25), path)
    assert split.load(labels, path)["group_count"] == 24
    with pytest.raises(split.SplitError, match="rows"):
        split.load(labels[:-1], path)
    with pytest.raises(split.SplitError, match="missing"):
        split.load(labels, tmp_path / "none.json")
    path.write_text("{not json")
    with pytest.raises(split.SplitError, match="not a split file"):
        split.load(labels, path)


@pytest.fixture(scope="module")
def real_train(real_data_folder):
    return data.read_csv(data.find_csv("train", real_data_folder))


def test_committed_split_matches_the_training_csv(real_train):
    images, labels = real_train
    record = split.load(labels)
    rows = np.array(record["validation_rows"])
    assert 0.09 < len(rows) / len(labels) < 0.12
    assert np.bincount(labels[rows], minlength=25)[sorted(data.VALID_LABELS)].min() > 0
    assert record["threshold"] == split.THRESHOLD


def test_no_validation_row_has_a_near_copy_in_training(real_train):
    images, labels = real_train
    held = np.array(split.load(labels)["validation_rows"])
    kept = np.setdiff1d(np.arange(len(labels)), held)
    distance, _ = split.nearest_neighbours(images[held], images[kept])
    assert distance.min() >= split.THRESHOLD


def test_groups_are_label_pure(real_train):
    _, labels = real_train
    groups = np.array(split.load(labels)["group_of_row"])
    order = np.argsort(groups, kind="stable")
    change = np.flatnonzero(np.diff(groups[order]) == 0)
    assert (labels[order][change] == labels[order][change + 1]).all()
