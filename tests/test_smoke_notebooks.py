"""The submission zip runs, and a rebuild on another machine completes.

`make submission`'s zip is unzipped into an empty folder, and the README's `make all` runs
there in smoke mode (SIGNOPT_SMOKE=1: a few hundred training rows, one epoch, tiny sweeps),
on the data and package inside the zip: each notebook top to bottom without error, its
models and records in the zip's models/, never over the committed ones (q1 first: q2..q4
start from the baseline it saves). Then q1..q3 run again with SIGNOPT_PRETEND_OTHER_MACHINE=1,
which makes every stored sweep sha256 disagree with the rebuild, as on another CPU: each
notebook must re-measure its rebuilt files, record them, and end with every record matching
its file. (`make setup`, the README's first command, is what .ci/run itself runs.)"""
import json
import os
import subprocess
import sys
import zipfile

import pytest

from signopt import config, rebuild, submission, tflite_files
from signopt.deliverables import QUESTIONS

REBUILT = [q for q in QUESTIONS.values() if q.notebook in ("q1.ipynb", "q2.ipynb", "q3.ipynb")]


def committed_hashes():
    return {p.name: tflite_files.sizes(p)["sha256"] for p in (config.ROOT / "models").glob("*") if p.is_file()}


def run_there(folder, command, **extra_env):
    env = {k: v for k, v in os.environ.items() if k not in ("SIGNOPT_MODELS_DIR", "SIGNOPT_DATA_DIR")}
    env.update(SIGNOPT_SMOKE="1", PYTHONPATH=str(folder), **extra_env)
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=2400)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def records_match_their_files(folder):
    records = json.loads((folder / "models" / "results.json").read_text())["models"]
    for question in QUESTIONS.values():
        for name in question.files:
            path = folder / "models" / name
            assert path.exists(), name
            assert records[name]["test_images"] < 7172, name  # a smoke run, on a cut test set
            assert tflite_files.sizes(path)["sha256"] == records[name]["sha256"], f"{name}: record and file differ"
    return records


@pytest.fixture(scope="module")
def unzipped(tmp_path_factory):
    folder = tmp_path_factory.mktemp("unzipped")
    archive = submission.build(folder.parent / "submission.zip")
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(folder)
    return folder


def test_the_zip_holds_what_the_notebooks_need(unzipped):
    for name in ("Makefile", "data/sign_mnist_train.csv.gz", "data/sign_mnist_test.csv.gz",
                 "models/sign_mnist_baseline.keras", "models/results.json", "signopt/__init__.py"):
        assert (unzipped / name).is_file(), name
    readme = (unzipped / "README.md").read_text()
    assert "make setup" in readme and "make all" in readme


def test_make_all_runs_in_the_unzipped_folder(unzipped):
    before = committed_hashes()
    out = run_there(unzipped, ["make", "all", f"PYTHON={sys.executable}"])
    assert "make all:" in out
    records_match_their_files(unzipped)
    assert (unzipped / "report.pdf").stat().st_size > 10_000
    assert committed_hashes() == before, "the smoke run changed committed models"


def test_a_rebuild_that_its_sweep_does_not_describe_is_measured_and_recorded(unzipped):
    if not (unzipped / "models" / "sign_mnist_baseline.keras").exists():
        pytest.fail("the smoke `make all` did not run first")
    run_there(unzipped, [sys.executable, "-m", "signopt.run_notebooks", *(q.notebook for q in REBUILT)],
              **{rebuild.PRETEND_OTHER_MACHINE: "1"})
    records = records_match_their_files(unzipped)
    rebuilt = [records[name] for q in REBUILT for name in q.files if "rebuild" in records[name]]
    assert len(rebuilt) >= 4 and not any(r["rebuild"]["reproduced"] for r in rebuilt)
    for r in rebuilt:
        assert r["rebuild"]["rebuilt"]["sha256"] == r["sha256"], r["file"]
    for q in REBUILT:
        assert "rebuilt here" in (unzipped / q.notebook).read_text(), q.notebook
