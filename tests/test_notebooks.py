"""The committed notebooks are executed top to bottom, with no error, and show the
numbers of models/results.json."""
import json

import pytest

from signopt import config, tables, units
from signopt.deliverables import NOTEBOOKS, QUESTIONS, SMALLEST_FILE

RECORDS = json.loads((config.ROOT / "models" / "results.json").read_text())["models"]


def present():
    return [nb for nb in NOTEBOOKS if (config.ROOT / nb).exists()]


def code_cells(name):
    cells = json.loads((config.ROOT / name).read_text())["cells"]
    return [c for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def output_text(name):
    parts = []
    for cell in code_cells(name):
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")))
            parts.append("".join(out.get("data", {}).get("text/plain", "")))
            parts.append("".join(out.get("data", {}).get("text/html", "")))
    return "\n".join(parts)


def test_q1_is_committed():
    assert "q1.ipynb" in present()


@pytest.mark.parametrize("name", present())
def test_executed_in_order_without_errors(name):
    counts = [c["execution_count"] for c in code_cells(name)]
    assert None not in counts, "a code cell was never executed"
    assert counts == list(range(1, len(counts) + 1)), "cells were not run once, top to bottom"
    errors = [o for c in code_cells(name) for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, f"error output: {errors[:1]}"


@pytest.mark.parametrize("name", present())
def test_shows_the_recorded_numbers_of_its_models(name):
    question = "Q" + name[1]
    shown = output_text(name)
    mine = [r for r in RECORDS.values() if r["question"] == question and r["file"] in shown]
    assert mine, f"{name} shows none of its records"
    for record in mine:
        assert units.percent(record["test_accuracy"]) in shown, record["file"]
        assert str(record["raw_bytes"]) in shown or f"{record['raw_bytes']:,}" in shown, record["file"]


@pytest.mark.parametrize("question", [key for key, q in QUESTIONS.items() if q.answer])
def test_answer_section_shows_the_record(question):
    """Q4's answer line is printed (folded to the output width); Q2's and Q3's answer opens the
    notebook (test_the_answer_comes_first_as_its_record_says)."""
    spec = QUESTIONS[question]
    if question in SMALLEST_FILE:
        assert "".join(json.loads((config.ROOT / spec.notebook).read_text())["cells"][1]["source"]) == \
            tables.answer_markdown(question)
    else:
        assert units.wrap(tables.answer_line(RECORDS[spec.answer])) in output_text(spec.notebook)


@pytest.mark.parametrize("name", present())
def test_saved_outputs_hold_no_noise(name):
    shown = output_text(name)
    for noise in ("cuInit", "W0000", "Styler at", "it/s]"):
        assert noise not in shown, noise


@pytest.mark.parametrize("question", SMALLEST_FILE)
def test_the_answer_comes_first_as_its_record_says(question):
    """Right under the title: the file, raw / gzip / zip bytes, test accuracy and TFLite Micro."""
    cells = json.loads((config.ROOT / QUESTIONS[question].notebook).read_text())["cells"]
    assert "".join(cells[1]["source"]) == tables.answer_markdown(question)
    record = RECORDS[QUESTIONS[question].answer]
    for number in (record["raw_bytes"], record["gzip_bytes"], record["zip_bytes"]):
        assert f"{number:,}" in tables.answer_markdown(question)
