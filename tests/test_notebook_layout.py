"""What a grader reading the saved notebooks sees: short cells, few helpers, no output line
cut off, prose about the homework only, the answer built in plain sight, and q2/q3's studies
in an Appendix after a short body."""
import json
import re

import pytest

from signopt import config, units
from signopt.deliverables import NOTEBOOKS, QUESTIONS, SMALLEST_FILE

MAX_CELL_LINES = 30
MAX_HELPERS = 2
MAX_BODY_WORDS = 800
HISTORY = (r"previous round", r"project's history", r"first version", r"\brounds\b", r"earlier round",
           r"4,000-byte target", r"4,000 bytes", r"99\.5% bar", r"must run on a microcontroller")


def cells(name):
    return json.loads((config.ROOT / name).read_text())["cells"]


def source(cell):
    return "".join(cell["source"])


def code(name):
    return [source(c) for c in cells(name) if c["cell_type"] == "code"]


def markdown(name):
    return [source(c) for c in cells(name) if c["cell_type"] == "markdown"]


def shown_lines(name):
    """Every line a reader sees in the saved text outputs (text/plain only where nothing richer is shown)."""
    for cell in cells(name):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            text = "".join(out.get("text", "")) if "text" in out else (
                "" if {"text/html", "image/png"} & data.keys() else "".join(data.get("text/plain", "")))
            yield from text.splitlines()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_code_cell_is_long(name):
    long = [(len(s.splitlines()), s.splitlines()[0]) for s in code(name) if len(s.splitlines()) > MAX_CELL_LINES]
    assert not long, f"cells over {MAX_CELL_LINES} lines: {long}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_at_most_two_helper_functions(name):
    helpers = [m.group(1) or m.group(2) for s in code(name)
               for m in re.finditer(r"^(?:def (\w+)|(\w+) = lambda)", s, re.M)]
    assert len(helpers) <= MAX_HELPERS, f"{name} defines {helpers}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_output_line_is_cut_off(name):
    lines = list(shown_lines(name))
    assert lines, f"{name} has no saved output"
    long = [line[:80] for line in lines if len(line) > units.LINE_WIDTH]
    assert not long, f"{len(long)} output lines over {units.LINE_WIDTH} characters, first: {long[:1]}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_prose_is_about_the_homework_not_the_project_history(name):
    text = "\n".join(markdown(name)).lower()
    found = [word for word in HISTORY if re.search(word, text)]
    assert not found, f"{name}: {found}"


@pytest.mark.parametrize("question", SMALLEST_FILE)
def test_the_body_is_short_and_the_studies_are_in_the_appendix(question):
    name = QUESTIONS[question].notebook
    texts = markdown(name)
    appendix = [i for i, t in enumerate(texts) if t.startswith("# Appendix")]
    assert len(appendix) == 1, "one Appendix section"
    body_words = sum(len(t.split()) for t in texts[:appendix[0]])
    assert body_words <= MAX_BODY_WORDS, f"{name}: {body_words} words of markdown before the Appendix"
    later = "\n".join(texts[appendix[0]:])
    for study in ("lever", "which baseline", "sweeps cost", "gzip bytes go"):
        assert study in later.lower(), study
    heading = next(i for i, c in enumerate(cells(name)) if source(c).startswith("# Appendix"))
    before = "".join(source(c) for c in cells(name)[:heading])
    after = "".join(source(c) for c in cells(name)[heading:])
    for extra in QUESTIONS[question].extras:  # an extra is written, and named, only in the Appendix
        assert extra not in before and extra in after, extra


STEPS = {"Q2": ("cluster_weights(", "tf.keras.models.clone_model(", "clone_function=", "training.fit(",
                "strip_clustering(", "convert.converter(", "converter.convert()", "rebuild.check("),
         "Q3": ("PolynomialDecay(", "prune_low_magnitude(", "tf.keras.models.clone_model(", "training.fit(",
                "UpdatePruningStep()", "strip_pruning(", "convert.converter(", "converter.convert()", "rebuild.check(")}


@pytest.mark.parametrize("question", SMALLEST_FILE)
def test_the_answer_is_built_in_visible_cells_in_the_guides_order(question):
    notebook = cells(QUESTIONS[question].notebook)
    start = next(i for i, c in enumerate(notebook) if source(c).startswith("## The answer, step by step"))
    shown = "\n".join(source(c) for c in notebook[start:] if c["cell_type"] == "code")
    places = [shown.find(step) for step in STEPS[question]]
    assert -1 not in places, [s for s, p in zip(STEPS[question], places) if p < 0]
    assert places == sorted(places), "the steps are out of the guide's order"
    everything = "\n".join(code(QUESTIONS[question].notebook))
    assert "def build(" not in everything and "stripped_models" not in everything, "no cached build helper"


def test_q1_writes_its_layers_and_an_interpreter_loop():
    shown = "\n".join(code("q1.ipynb"))
    for step in ("layers.Conv2D(", "layers.BatchNormalization(", "layers.Dense(", "Interpreter(model_path=",
                 "interpreter.invoke()", "baseline.check_same_network("):
        assert step in shown, step


def test_q4_derives_its_size_from_print_qstats():
    shown = "\n".join(code("q4.ipynb"))
    assert "qk.qstats_text(" in shown and "qk.qstats_weight_bits(" in shown
    assert "Weight profiling:" in "\n".join(shown_lines("q4.ipynb"))
