"""Shared fixtures. The real Kaggle CSVs come from SIGNOPT_DATA_DIR (CI points it at
../shared/data); a test that needs them is skipped with a reason when they are absent,
except in CI (CI=true), where their absence is a failure."""
import os

import signopt  # noqa: F401  (sets TF_USE_LEGACY_KERAS before TensorFlow is imported)
import pytest

from signopt import config, data


@pytest.fixture(scope="session")
def real_data_folder():
    try:
        data.find_csv("train")
        data.find_csv("test")
    except FileNotFoundError as err:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run on the real data: {err}")
        pytest.skip(f"real Kaggle CSVs not found: {err}")
    return config.data_dir()


@pytest.fixture(scope="session")
def real_test_set(real_data_folder):
    images, labels = data.read_csv(data.find_csv("test", real_data_folder))
    return images.astype("float32") / 255, labels


@pytest.fixture
def models_dir(tmp_path, monkeypatch):
    """Send everything the package writes to a temporary folder."""
    monkeypatch.setenv("SIGNOPT_MODELS_DIR", str(tmp_path / "models"))
    return config.models_dir()
