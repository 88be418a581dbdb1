"""Where things live, the seed, and the smoke switch that CI uses.

SIGNOPT_DATA_DIR   folder holding the Kaggle CSVs (default: data/ at the project root)
SIGNOPT_MODELS_DIR folder the models and results.json are written to (default: models/)
SIGNOPT_SMOKE=1    a quick run: a few hundred training rows, one epoch, tiny sweeps.
                   It proves the notebooks run; its numbers mean nothing.
"""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 528
BENCHMARKS_FILE = "benchmarks.json"  # notebook run times and the environment, written by run_notebooks


def data_dir() -> Path:
    return Path(os.environ.get("SIGNOPT_DATA_DIR", ROOT / "data"))


def models_dir() -> Path:
    path = Path(os.environ.get("SIGNOPT_MODELS_DIR", ROOT / "models"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def study_baselines_dir() -> Path:
    """Where the baseline studies keep the other baselines they trained (``baseline.study_baseline``):
    q2 trains them, q3 loads them, `make clean-sweeps` forgets them with the sweeps."""
    return models_dir() / "sweeps" / "baselines"


def smoke() -> bool:
    return os.environ.get("SIGNOPT_SMOKE", "") == "1"
