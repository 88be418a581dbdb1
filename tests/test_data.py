"""The loader reads the Kaggle CSVs and refuses broken ones with a message naming file and line."""
import gzip

import numpy as np
import pytest

from signopt import data, split
from signopt.data import COLUMNS, DataError


def write_csv(path, rows, header=COLUMNS):
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def valid_rows(n=48):
    rng = np.random.default_rng(0)
    labels = [label for label in sorted(data.VALID_LABELS)] * (n // 24)
    return [[label, *rng.integers(0, 256, 784)] for label in labels]


def test_reads_a_valid_file(tmp_path):
    rows = valid_rows()
    images, labels = data.read_csv(write_csv(tmp_path / "sign_mnist_train.csv", rows))
    assert images.shape == (48, 28, 28, 1) and images.dtype == np.uint8
    assert labels.tolist() == [r[0] for r in rows]
    assert images[0, 0, :3, 0].tolist() == rows[0][1:4]  # row-major pixels


def test_class_names_are_the_24_letters_without_j_and_z():
    assert data.CLASS_NAMES == list("ABCDEFGHIKLMNOPQRSTUVWXY")


@pytest.mark.parametrize("layout", ["{n}.csv", "{n}.csv.gz", "{n}/{n}.csv"])
def test_finds_plain_gzipped_and_kaggle_folder_layouts(tmp_path, layout):
    path = tmp_path / layout.format(n="sign_mnist_test")
    path.parent.mkdir(exist_ok=True)
    text = "\n".join([",".join(COLUMNS)] + [",".join(map(str, r)) for r in valid_rows(24)])
    path.write_bytes(gzip.compress(text.encode()) if layout.endswith(".gz") else text.encode())
    assert data.find_csv("test", tmp_path) == path
    assert len(data.read_csv(path)[1]) == 24


def test_missing_file_says_where_to_put_the_kaggle_data(tmp_path):
    with pytest.raises(FileNotFoundError, match="kaggle.com/datasets/datamunge/sign-language-mnist"):
        data.find_csv("train", tmp_path)


@pytest.mark.parametrize("edit, message", [
    (lambda rows, header: (rows, ["lbl"] + header[1:]), r"header column 1 is 'lbl', expected 'label'"),
    (lambda rows, header: (rows, header[:-1]), r"header has 784 columns, expected 785"),
    (lambda rows, header: ([*rows[:5], [9, *rows[5][1:]], *rows[6:]], header), r"line 7: label 9 is not one of"),
    (lambda rows, header: ([*rows[:2], [25, *rows[2][1:]], *rows[3:]], header), r"line 4: label 25"),
    (lambda rows, header: ([*rows[:3], [*rows[3][:10], 256, *rows[3][11:]], *rows[4:]], header),
     r"line 5: pixel10 is 256, expected 0..255"),
    (lambda rows, header: ([*rows[:1], [*rows[1][:5], -1, *rows[1][6:]], *rows[2:]], header), r"line 3: pixel5 is -1"),
    (lambda rows, header: ([*rows[:4], rows[4][:400], *rows[5:]], header), r"line 6: truncated row, expected 785 values, found 400"),
    (lambda rows, header: ([*rows[:2], [*rows[2][:7], "x", *rows[2][8:]], *rows[3:]], header),
     r"line 4: column pixel7 holds 'x', expected an integer"),
    (lambda rows, header: ([*rows[:2], [*rows[2][:7], 3.5, *rows[2][8:]], *rows[3:]], header), r"line 4: column pixel7 holds '3.5'"),
    (lambda rows, header: ([], header), r"has a header but no image rows"),
])
def test_broken_files_raise_one_clear_error_naming_file_and_line(tmp_path, edit, message):
    rows, header = edit(valid_rows(), list(COLUMNS))
    path = write_csv(tmp_path / "broken.csv", rows, header)
    with pytest.raises(DataError, match=message) as err:
        data.read_csv(path)
    assert str(path) in str(err.value)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(DataError, match="is empty"):
        data.read_csv(path)


@pytest.mark.parametrize("name", ["noise.csv", "noise.csv.gz"])
def test_a_file_that_is_not_text_raises_a_clear_error(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    with pytest.raises(DataError, match="is not a CSV text file") as err:
        data.read_csv(path)
    assert str(path) in str(err.value)


def test_overlong_row(tmp_path):
    rows = valid_rows()
    rows[3] = rows[3] + [7]
    with pytest.raises(DataError, match="more than 785 values"):
        data.read_csv(write_csv(tmp_path / "long.csv", rows))


def test_validation_split_is_stratified_seeded_and_disjoint():
    labels = np.repeat(np.arange(24), 50)
    kept, held = data.stratified_indices(labels, 0.1, seed=1)
    assert np.intersect1d(kept, held).size == 0 and len(kept) + len(held) == len(labels)
    assert (np.bincount(labels[held]) == 5).all()
    assert np.array_equal(held, data.stratified_indices(labels, 0.1, seed=1)[1])
    assert not np.array_equal(held, data.stratified_indices(labels, 0.1, seed=2)[1])


def test_real_files_have_the_kaggle_shape(real_data_folder):
    splits = split.load_splits(folder=real_data_folder)
    assert len(splits.y_train) + len(splits.y_val) == 27455
    assert len(splits.y_test) == 7172
    assert set(np.unique(splits.y_test)) == data.VALID_LABELS
    assert 0.0 <= splits.x_test.min() and splits.x_test.max() <= 1.0


def test_an_extra_value_on_every_row_stops_with_file_and_line(tmp_path):
    """pandas would take the first value of each row as an index and shift every column: the
    labels would silently become pixel1's values."""
    rows = [row + [0] for row in valid_rows()]
    with pytest.raises(DataError, match=r"extra\.csv, line 2: 786 values, expected 785"):
        data.read_csv(write_csv(tmp_path / "extra.csv", rows))


@pytest.mark.parametrize("gzipped", [False, True])
def test_a_separator_at_the_end_of_every_row_is_named(tmp_path, gzipped):
    text = "\n".join([",".join(COLUMNS)] + [",".join(map(str, r)) + "," for r in valid_rows()]) + "\n"
    path = tmp_path / ("trailing.csv.gz" if gzipped else "trailing.csv")
    path.write_bytes(gzip.compress(text.encode()) if gzipped else text.encode())
    with pytest.raises(DataError, match="line 2: 786 values.*separator at the end of a line"):
        data.read_csv(path)


def test_a_tab_separated_file_is_named_as_such(tmp_path):
    text = "\n".join(["\t".join(COLUMNS)] + ["\t".join(map(str, r)) for r in valid_rows()]) + "\n"
    (tmp_path / "tabs.csv").write_text(text)
    with pytest.raises(DataError, match="header has 1 columns.*tab- or semicolon-separated"):
        data.read_csv(tmp_path / "tabs.csv")
