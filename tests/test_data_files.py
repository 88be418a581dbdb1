"""data/ ships the Kaggle CSVs: decompressed, they are byte-identical to Kaggle's files."""
import gzip
import hashlib

import pytest

from signopt import config

DATA = config.ROOT / "data"


def expected_sums() -> dict[str, str]:
    lines = (DATA / "SHA256SUMS").read_text().split("\n")
    return {name: digest for digest, name in (line.split() for line in lines if line.strip())}


def test_both_csvs_are_listed():
    assert sorted(expected_sums()) == ["sign_mnist_test.csv", "sign_mnist_train.csv"]


@pytest.mark.parametrize("name", ["sign_mnist_train.csv", "sign_mnist_test.csv"])
def test_shipped_csv_matches_kaggle_checksum(name):
    path = DATA / f"{name}.gz"
    assert path.is_file(), f"{path} is missing: data/ ships the gzipped Kaggle CSVs"
    digest = hashlib.sha256(gzip.decompress(path.read_bytes())).hexdigest()
    assert digest == expected_sums()[name], f"{path} does not decompress to Kaggle's {name}"
