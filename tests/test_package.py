"""The package's shape: imports run one way (config -> data -> split -> training/convert ->
measure -> store -> choice -> views -> report), counting imports inside functions; the model's
definition imports no store; the report names no model file and measures nothing."""
import ast
import re
from pathlib import Path

from signopt import config, deliverables

PACKAGE = config.ROOT / "signopt"


def imports_of(path: Path) -> set[str]:
    """The signopt modules that ``path`` imports anywhere in it, functions included."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("signopt"):
            if node.module == "signopt":
                found |= {alias.name for alias in node.names}
            else:
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("signopt.")}
    return found - {path.stem}


GRAPH = {p.stem: imports_of(p) for p in PACKAGE.glob("*.py") if p.stem != "__init__"}


def test_no_import_cycle_among_the_modules():
    state = {}

    def visit(module, trail):
        if state.get(module) == "done":
            return
        assert state.get(module) != "open", "import cycle: " + " -> ".join([*trail, module])
        state[module] = "open"
        for imported in GRAPH.get(module, ()):
            visit(imported, [*trail, module])
        state[module] = "done"

    for module in GRAPH:
        visit(module, [])


def test_the_model_definition_and_the_store_do_not_reach_for_views_or_records():
    assert "results" not in GRAPH["baseline"] and "sweeps" not in GRAPH["baseline"]
    assert GRAPH["sweeps"] <= {"atomic", "config", "environment", "units"}  # the sweep store only stores (and prints)
    assert not GRAPH["results"] & {"tables", "figures", "report", "choice"}
    assert "split" not in GRAPH["data"]


def test_the_report_names_no_model_file_and_measures_nothing():
    text = (PACKAGE / "report.py").read_text()
    names = {f for q in deliverables.QUESTIONS.values() for f in q.files}
    assert not [name for name in names if name in text]
    assert not re.search(r"\bsign_mnist\w*\.(tflite|keras|h5)\b", text)
    assert not GRAPH["report"] & {"tflite_files", "tflm", "measurement", "training"}


def test_the_readme_lists_every_module_after_those_it_imports():
    readme = (config.ROOT / "README.md").read_text()
    layout = readme[readme.index("## Layout"):]
    listed = re.findall(r"^  (\w+)\.py ", layout, re.M)
    assert sorted(listed) == sorted(GRAPH), "README's layout and signopt/ list other modules"
    for position, module in enumerate(listed):
        later = GRAPH[module] & set(listed[position + 1:])
        assert not later, f"{module} imports {sorted(later)}, listed after it in README's layout"
