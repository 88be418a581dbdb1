"""Execute notebooks top to bottom, in place, with progress and timings.

    python -m signopt.run_notebooks [NOTEBOOK.ipynb ...]   # default: q1..q4, in order

Each notebook runs in a fresh kernel with the notebook's folder as working directory, so the
committed outputs are exactly what one clean run printed. The seconds per notebook, the
total, and the machine and library versions go to models/benchmarks.json, which the report
shows. A notebook that started with none of its sweeps stored (after `make clean-sweeps`)
recomputed every candidate: its seconds are also kept as its full recompute (``full_recompute``),
the cost that the project holds to ``deliverables.RECOMPUTE_MINUTES`` a question, with the sweep
seconds it left (a later change to the sweeps makes the measurement stale, which a test catches)
and whether the baseline studies' trained baselines were already there (q3 loads those q2 trained).
"""
import json
import sys
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

from signopt import atomic, config, environment, sweeps
from signopt.deliverables import BY_NOTEBOOK, NOTEBOOKS


def execute(path, timeout: int = 3600) -> float:
    """Run the notebook at ``path`` and save it with its outputs; return the seconds.

    A cell that raises stops the run with nbclient's CellExecutionError (the notebook is
    then not saved, so a broken run never replaces good committed outputs)."""
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    # The kernel listens on loopback TCP; its log level keeps its warning about unencrypted
    # local traffic off the terminal (IPC sockets would avoid it, but their relative paths
    # break when the kernel runs in another folder than this process)
    manager = KernelManager(kernel_name="python3")
    client = NotebookClient(notebook, km=manager, timeout=timeout, kernel_name="python3",
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    try:
        with client.setup_kernel():
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type == "code":
                    print(f"  {path.name}: cell {index + 1}/{len(notebook.cells)}", end="\r", flush=True)
                client.execute_cell(cell, index)
    finally:
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)  # a kernel left running warns when this process exits
    seconds = time.perf_counter() - start
    nbformat.write(notebook, path)
    print(f"  {path.name}: done in {seconds:.0f} s" + " " * 20, flush=True)
    return seconds


def main(paths: list[str]) -> None:
    path = config.models_dir() / config.BENCHMARKS_FILE
    bench = json.loads(path.read_text()) if path.exists() else {"notebook_seconds": {}}
    bench["environment"] = environment.describe()
    start = time.perf_counter()
    for notebook in paths:
        print(f"running {notebook}", flush=True)
        name = Path(notebook).name
        its_sweeps = BY_NOTEBOOK[name].sweeps if name in BY_NOTEBOOK else ()
        recomputes = (bool(its_sweeps) and not config.smoke()
                      and not any(sweeps.sweep_path(sweep).exists() for sweep in its_sweeps))
        baselines_there = config.study_baselines_dir().exists()
        seconds = round(execute(notebook), 1)
        bench["notebook_seconds"][name] = seconds
        if recomputes:
            bench.setdefault("full_recompute", {})[name] = {
                "seconds": seconds, "sweep_seconds": round(sum(map(sweeps.stored_seconds, its_sweeps)), 1),
                "study_baselines_loaded": baselines_there}
        atomic.write_text(path, json.dumps(bench, indent=1) + "\n")
    bench["last_run"] = {"notebooks": [Path(n).name for n in paths], "seconds": round(time.perf_counter() - start, 1)}
    if bench["last_run"]["notebooks"] == NOTEBOOKS:
        bench["last_full_run"] = bench["last_run"]
    atomic.write_text(path, json.dumps(bench, indent=1) + "\n")
    print(f"all {len(paths)} notebooks in {bench['last_run']['seconds']:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1:] or [str(config.ROOT / name) for name in NOTEBOOKS])
