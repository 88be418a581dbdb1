"""What the notebooks' prose states as a measured number is a number their outputs show:
text written before a re-execution cannot silently disagree with the outputs beside it."""
import json
import re

import pytest

from signopt import config
from signopt.deliverables import NOTEBOOKS
from test_notebooks import output_text, present

# A percentage with two decimals (how every accuracy is shown) or an integer with thousands
# separators (how every size is shown): the forms a measured number takes in the prose.
MEASURED = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])|(?<![\d.])\d+\.\d\d%")
# Numbers the prose may state without an output showing them: definitions, not measurements.
DEFINED = {"4,000": "the size target of the project's issue, in gzip bytes",
           "1,024": "the converter's threshold: dynamic range leaves smaller tensors float",
           "89.75%": "q3: the test accuracy of the pick of the first, looser choice rule, which led to "
                     "the stricter rule; a past measurement of a file no longer kept, disclosed"}


def stated_numbers(text):
    """The measured-looking numbers of ``text``, less those given as approximations ("about 1,300")."""
    return {m.group() for m in MEASURED.finditer(text)
            if not text[:m.start()].rstrip().endswith(("about", "~", "roughly"))}


def prose(name):
    cells = json.loads((config.ROOT / name).read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def test_every_notebook_is_checked():
    assert present() == NOTEBOOKS


def test_approximations_and_definitions_are_not_taken_for_measurements():
    assert stated_numbers("about 1,300 photos; 96.26% test, 6,920 bytes; ~2,300 bytes") == {"96.26%", "6,920"}


@pytest.mark.parametrize("name", present())
def test_measured_numbers_in_the_prose_appear_in_the_outputs(name):
    shown = output_text(name)
    tokens = set(re.findall(r"(?<![\d.,])[\d,]*\d(?:\.\d\d%)?(?![\d])", shown))  # whole numbers as shown
    unseen = sorted(number for number in stated_numbers(prose(name))
                    if number not in DEFINED and number not in tokens and number.replace(",", "") not in tokens)
    assert not unseen, f"{name} states numbers that no output shows: {unseen}"
