"""results.json is written only by measuring files, and reads back what was written."""
import json

import pytest

from signopt import convert, measurement, results, tables, tflite_files, units
from tiny import tiny_images, tiny_model


def test_record_round_trip_measures_the_file(models_dir):
    model = tiny_model()
    images, labels = tiny_images()
    path = models_dir / "tiny.tflite"
    record = results.write_tflite(convert.to_tflite(model, "float"), path, "Q9", "float", images, labels,
                                  model.count_params(), note="x")
    assert json.loads((models_dir / "results.json").read_text())["models"]["tiny.tflite"] == record
    assert results.load()["tiny.tflite"] == record
    assert record["raw_bytes"] == path.stat().st_size
    assert record["sha256"] == tflite_files.sizes(path)["sha256"]
    expected = (tflite_files.predict(path, images, progress=False) == labels).mean()
    assert record["test_accuracy"] == expected and record["note"] == "x"
    assert tables.table("Q9").loc["tiny.tflite", "test accuracy"] == units.percent(expected)
    results.save({**record, "file": "later.tflite"})
    assert tables.table("Q9", files=["tiny.tflite"]).index.tolist() == ["tiny.tflite"]  # not a record written later


def test_a_new_record_of_the_same_file_replaces_the_old(models_dir):
    results.save({"file": "a.tflite", "question": "Q1", "test_accuracy": 0.5, "sha256": "0.5"})
    results.save({"file": "b.tflite", "question": "Q1", "test_accuracy": 0.6, "sha256": "0.6"})
    results.save({"file": "a.tflite", "question": "Q1", "test_accuracy": 0.7, "sha256": "0.7"})
    assert {k: v["test_accuracy"] for k, v in results.load().items()} == {"a.tflite": 0.7, "b.tflite": 0.6}


def test_a_failed_measurement_leaves_the_old_file_and_its_record(models_dir, monkeypatch):
    model = tiny_model()
    images, labels = tiny_images()
    path = models_dir / "tiny.tflite"
    old = results.write_tflite(convert.to_tflite(model, "float"), path, "Q9", "float", images, labels, 1)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # a stop part way through the measurement

    monkeypatch.setattr(measurement.tflm, "measure", interrupted)
    with pytest.raises(KeyboardInterrupt):
        results.write_tflite(convert.to_tflite(model, "dynamic"), path, "Q9", "dynamic", images, labels, 1)
    assert tflite_files.sizes(path)["sha256"] == old["sha256"] == results.load()["tiny.tflite"]["sha256"]
    assert sorted(p.name for p in models_dir.iterdir()) == ["results.json", "tiny.tflite"]  # no temporary left


def test_a_new_record_says_what_changed_against_the_old(models_dir, capsys):
    first = {"file": "a.tflite", "question": "Q1", "sha256": "1" * 64, "raw_bytes": 1000, "gzip_bytes": 900,
             "test_accuracy": 0.95}
    results.save(first)
    results.save(first)
    assert "the same as its record before this run" in capsys.readouterr().out
    results.save({**first, "sha256": "2" * 64, "gzip_bytes": 880, "test_accuracy": 0.96})
    line = capsys.readouterr().out
    assert "other bytes than its record before this run" in line and "gzip_bytes 900 -> 880" in line
    assert "test_accuracy 95.00% -> 96.00%" in line


def test_saving_the_same_keras_model_again_keeps_the_file_and_new_weights_replace_it(models_dir):
    model = tiny_model()
    images, labels = tiny_images()
    path = models_dir / "tiny.keras"
    first = results.write_keras(model, path, "Q9", "keras", images, labels)
    inode = path.stat().st_ino
    again = results.write_keras(model, path, "Q9", "keras", images, labels)
    # a fresh save writes its date into the file: kept, the bytes (and the record) stay the same
    assert path.stat().st_ino == inode and again["sha256"] == first["sha256"] == tflite_files.sizes(path)["sha256"]
    model.layers[-1].bias.assign(model.layers[-1].bias + 1.0)
    changed = results.write_keras(model, path, "Q9", "keras", images, labels)
    assert path.stat().st_ino != inode and changed["weights_sha256"] != first["weights_sha256"]
    assert changed["sha256"] == tflite_files.sizes(path)["sha256"]


def test_two_saves_of_one_model_differ_only_in_their_date(models_dir):
    import zipfile

    path = models_dir / "tiny.keras"
    results.write_keras(tiny_model(), path, "Q9", "keras", *tiny_images())

    def copy_with_metadata(name, **changes):
        copy = models_dir / name
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(copy, "w") as target:
            for member in source.namelist():
                data = source.read(member)
                if member == results.METADATA:
                    data = json.dumps({**json.loads(data), **changes}).encode()
                target.writestr(zipfile.ZipInfo(member, date_time=(2030, 1, 1, 0, 0, 0)), data)
        return copy

    assert results.same_keras_model(path, copy_with_metadata("later.keras", date_saved="2030-01-01@00:00:00"))
    assert not results.same_keras_model(path, copy_with_metadata("older.keras", keras_version="2.0.0"))
    (models_dir / "broken.keras").write_bytes(b"not a zip")
    assert not results.same_keras_model(path, models_dir / "broken.keras")
