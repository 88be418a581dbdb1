"""Writes cannot be torn: a write interrupted part way leaves the old file whole, for the
model files, results.json, the sweep files, split.json and benchmarks.json alike (they all
write through signopt.atomic)."""
import json
import os

import pytest

from signopt import atomic, results, split, sweeps


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    atomic.write_text(path, '{"old": true}\n')

    def interrupted(fd):
        raise KeyboardInterrupt  # after the new bytes went to the temporary file, before the rename

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic.write_text(path, '{"new": true, "half": ')
    assert json.loads(path.read_text()) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_results_and_sweeps_survive_a_failed_write(models_dir, monkeypatch):
    results.save({"file": "a.tflite", "question": "Q1", "test_accuracy": 0.5, "sha256": "1" * 64})
    sweeps.run_sweep("t", [{"k": 1}], lambda s: {"val_accuracy": 0.5}, start_from="a" * 64)
    before = {p.name: p.read_bytes() for p in models_dir.rglob("*.json")}
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        results.save({"file": "b.tflite", "question": "Q1", "test_accuracy": 0.6, "sha256": "2" * 64})
    with pytest.raises(OSError, match="disk full"):
        sweeps.run_sweep("t", [{"k": 1}, {"k": 2}], lambda s: {"val_accuracy": 0.6}, start_from="a" * 64)
    with pytest.raises(OSError, match="disk full"):
        split.save({"validation_rows": [1]}, models_dir / "split.json")
    assert {p.name: p.read_bytes() for p in models_dir.rglob("*.json")} == before
    assert not [p for p in models_dir.rglob("*.partial")]


def test_a_new_file_gets_ordinary_permissions(tmp_path):
    path = atomic.write_bytes(tmp_path / "model.tflite", b"x")
    assert path.stat().st_mode & 0o777 == 0o644
