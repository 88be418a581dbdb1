"""A rebuild that the sweep's row does not describe is re-measured and checked against the
choice rule, never asserted away; SIGNOPT_PRETEND_OTHER_MACHINE makes this machine take that path."""
import hashlib

import pytest

from signopt import environment, rebuild, sweeps

BLOB = b"rebuilt file"
ROW = {"sha256": hashlib.sha256(BLOB).hexdigest(), "raw_bytes": 12, "gzip_bytes": 30, "val_accuracy": 0.95,
       "runs_on_tflm": True}


@pytest.fixture(autouse=True)
def stored_row(models_dir):
    """Sweep "s" holds ROW for the settings {"k": 1}, as measured on this machine."""
    sweeps.run_sweep("s", [{"k": 1}], lambda settings: ROW, start_from="a" * 64)


def measured(val_accuracy, runs_on_tflm=True):
    return lambda blob: {"sha256": hashlib.sha256(blob).hexdigest(), "raw_bytes": len(blob), "gzip_bytes": 31,
                         "val_accuracy": val_accuracy, "runs_on_tflm": runs_on_tflm}


def test_the_same_bytes_are_reproduced_and_nothing_is_measured(capsys):
    def never(blob):
        raise AssertionError("measured again")
    found = rebuild.check(BLOB, "s", {"k": 1}, never, bar=0.93, retrain_seeds=never)
    assert found == {"reproduced": True, "sweep_sha256": ROW["sha256"], "swept_on": environment.machine()}
    assert "rebuilt byte for byte" in capsys.readouterr().out


def test_other_bytes_are_measured_again_and_recorded_if_they_pass(monkeypatch, capsys):
    monkeypatch.setenv(rebuild.PRETEND_OTHER_MACHINE, "1")
    found = rebuild.check(BLOB, "s", {"k": 1}, measured(0.96), bar=0.93,
                          retrain_seeds=lambda: [{"val_accuracy": 0.94}, {"val_accuracy": 0.95}])
    assert not found["reproduced"] and found["rebuilt"]["val_accuracy"] == 0.96
    assert found["sweep"]["gzip_bytes"] == 30 and found["rebuilt"]["gzip_bytes"] == 31
    assert found["seed_runs"] == [0.94, 0.95]
    out = capsys.readouterr().out
    assert "gzip 30 -> 31" in out and "validation 95.00% -> 96.00%" in out and "passes the choice rule" in out


@pytest.mark.parametrize("measure, seeds, reason", [
    (measured(0.92), [], "validation 92.00% is under the bar"),
    (measured(0.96), [{"val_accuracy": 0.91}], "seed run 1 91.00% is under the bar"),
    (measured(0.96, runs_on_tflm=False), [], "TFLite Micro refuses"),
])
def test_a_rebuild_that_fails_the_rule_stops_with_the_reason(monkeypatch, measure, seeds, reason):
    monkeypatch.setenv(rebuild.PRETEND_OTHER_MACHINE, "1")
    with pytest.raises(rebuild.RebuildError, match=reason):
        rebuild.check(BLOB, "s", {"k": 1}, measure, bar=0.93, retrain_seeds=lambda: seeds)


def test_a_row_without_sha256_asks_for_a_rerun_of_the_sweep():
    sweeps.run_sweep("old", [{"k": 1}], lambda settings: {k: v for k, v in ROW.items() if k != "sha256"},
                     start_from="a" * 64)
    with pytest.raises(KeyError, match="clean-sweeps"):
        rebuild.check(BLOB, "old", {"k": 1}, measured(0.96))
