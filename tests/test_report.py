"""report.pdf and the README show the records of models/results.json, and the report is
generated, not typed: rebuilding it from the records gives the same text."""
import pytest
from pypdf import PdfReader

from signopt import config, report, results, units


@pytest.fixture(scope="module")
def pdf_text():
    reader = PdfReader(config.ROOT / "report.pdf")
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_report_has_a_few_printable_pages(pdf_text):
    assert 4 <= pdf_text[1] <= 12


@pytest.mark.parametrize("name", sorted(results.load()))
def test_report_shows_each_record(pdf_text, name):
    record = results.load()[name]
    text = pdf_text[0]
    assert name in text
    assert units.percent(record["test_accuracy"]) in text
    assert f"{record['raw_bytes']:,}" in text and f"{record['gzip_bytes']:,}" in text


def test_report_names_the_environment(pdf_text):
    assert "TensorFlow" in pdf_text[0] and "QKeras" in pdf_text[0] and "CPU" in pdf_text[0]


def test_readme_results_table_is_the_generated_one():
    readme = (config.ROOT / "README.md").read_text()
    block = readme[readme.index(report.README_START) + len(report.README_START):readme.index(report.README_END)]
    assert block.strip() == report.markdown_table().strip()
    assert block.count("\n| Q") == len(results.load())


def test_rebuilt_report_has_the_same_text(tmp_path, pdf_text):
    rebuilt = report.build(tmp_path / "report.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(rebuilt).pages)
    strip_date = lambda t: "\n".join(line for line in t.splitlines() if not line.startswith("Generated"))  # noqa: E731
    assert strip_date(text) == strip_date(pdf_text[0])


def test_the_same_records_make_the_same_report_bytes(tmp_path):
    """Deterministic: two builds on the same day write the same file (the creation date is the day)."""
    first = report.build(tmp_path / "first.pdf").read_bytes()
    assert report.build(tmp_path / "second.pdf").read_bytes() == first
