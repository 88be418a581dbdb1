"""Each notebook runs top to bottom on a fresh install, in smoke mode (a few hundred
training rows, one epoch, tiny sweeps), in a temporary copy: no error, and its models and
records land in the temporary models folder, never over the committed ones. q1 runs first,
since q2..q4 start from the baseline it saves."""
import json
import shutil

import pytest

from signopt import config, run_notebooks, tflite_files
from signopt.deliverables import QUESTIONS

EXPECTED = {q.notebook: q.files for q in QUESTIONS.values()}


def committed_hashes():
    return {p.name: tflite_files.sizes(p)["sha256"] for p in (config.ROOT / "models").glob("*") if p.is_file()}


@pytest.fixture(scope="module")
def smoke_folder(tmp_path_factory, real_data_folder):
    """One temporary folder for the four smoke runs, so that q2..q4 find q1's baseline."""
    folder = tmp_path_factory.mktemp("smoke")
    patch = pytest.MonkeyPatch()
    patch.setenv("SIGNOPT_SMOKE", "1")
    patch.setenv("SIGNOPT_MODELS_DIR", str(folder / "models"))
    patch.setenv("SIGNOPT_DATA_DIR", str(real_data_folder))
    patch.setenv("PYTHONPATH", str(config.ROOT))
    yield folder
    patch.undo()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_runs_in_smoke_mode_and_writes_its_models(name, smoke_folder):
    if name != "q1.ipynb" and not (smoke_folder / "models" / "sign_mnist_baseline.keras").exists():
        pytest.fail("q1's smoke run did not save the baseline that q2..q4 start from")
    before = committed_hashes()
    copy = smoke_folder / name
    shutil.copy(config.ROOT / name, copy)
    run_notebooks.execute(copy, timeout=900)
    records = json.loads((smoke_folder / "models" / "results.json").read_text())["models"]
    for model_file in EXPECTED[name]:
        assert (smoke_folder / "models" / model_file).exists(), model_file
        assert records[model_file]["test_images"] < 7172  # a smoke run, on a cut test set
    assert committed_hashes() == before, "the smoke run changed committed models"
