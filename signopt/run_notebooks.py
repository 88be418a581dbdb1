"""Execute notebooks top to bottom, in place, with progress and timings.

    python -m signopt.run_notebooks q1.ipynb q2.ipynb q3.ipynb q4.ipynb

Each notebook runs in a fresh kernel with the notebook's folder as working directory, so the
committed outputs are exactly what one clean run printed. The seconds per notebook go to
models/notebook_times.json (a benchmark the report shows).
"""
import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from signopt import config

TIMES_FILE = "notebook_times.json"


def execute(path, timeout: int = 3600) -> float:
    """Run the notebook at ``path`` and save it with its outputs; return the seconds.

    A cell that raises stops the run with nbclient's CellExecutionError (the notebook is
    then not saved, so a broken run never replaces good committed outputs)."""
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "code":
                print(f"  {path.name}: cell {index + 1}/{len(notebook.cells)}", end="\r", flush=True)
            client.execute_cell(cell, index)
    seconds = time.perf_counter() - start
    nbformat.write(notebook, path)
    print(f"  {path.name}: done in {seconds:.0f} s" + " " * 20, flush=True)
    return seconds


def main(paths: list[str]) -> None:
    times_path = config.models_dir() / TIMES_FILE
    times = json.loads(times_path.read_text()) if times_path.exists() else {}
    total = time.perf_counter()
    for path in paths:
        print(f"running {path}", flush=True)
        times[Path(path).name] = round(execute(path), 1)
        times_path.write_text(json.dumps(times, indent=1) + "\n")
    print(f"all {len(paths)} notebooks in {time.perf_counter() - total:.0f} s")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m signopt.run_notebooks NOTEBOOK.ipynb [...]")
    main(sys.argv[1:])
