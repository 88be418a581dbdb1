"""results.json is written only by measuring files, and reads back what was written."""
import json

from signopt import convert, results, tflite_files
from tiny import tiny_images, tiny_model


def test_record_round_trip_measures_the_file(models_dir):
    model = tiny_model()
    images, labels = tiny_images()
    path = models_dir / "tiny.tflite"
    path.write_bytes(convert.to_tflite(model, "float"))
    record = results.record_tflite(path, "Q9", "float", images, labels, model.count_params(), note="x")
    assert json.loads((models_dir / "results.json").read_text())["models"]["tiny.tflite"] == record
    assert results.load()["tiny.tflite"] == record
    assert record["raw_bytes"] == path.stat().st_size
    assert record["sha256"] == tflite_files.sizes(path)["sha256"]
    expected = (tflite_files.predict(path, images, progress=False) == labels).mean()
    assert record["test_accuracy"] == expected and record["note"] == "x"
    assert results.table("Q9").loc["tiny.tflite", "test accuracy"] == results.percent(expected)
    results.save({**record, "file": "later.tflite"})
    assert results.table("Q9", files=["tiny.tflite"]).index.tolist() == ["tiny.tflite"]  # not a record written later


def test_a_new_record_of_the_same_file_replaces_the_old(models_dir):
    results.save({"file": "a.tflite", "question": "Q1", "test_accuracy": 0.5})
    results.save({"file": "b.tflite", "question": "Q1", "test_accuracy": 0.6})
    results.save({"file": "a.tflite", "question": "Q1", "test_accuracy": 0.7})
    assert {k: v["test_accuracy"] for k, v in results.load().items()} == {"a.tflite": 0.7, "b.tflite": 0.6}
