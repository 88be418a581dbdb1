"""Sweeps are chosen on what they say: the smallest model reaching a floor, the Pareto
front, and stored results reused only for the same starting model."""
import time

import pandas as pd
import pytest

from signopt import baseline, choice, figures, measurement, sweeps, tables

FRAME = pd.DataFrame({"gzip_bytes": [900, 500, 700, 300, 800],
                      "raw_bytes": [1, 1, 1, 1, 1],
                      "val_accuracy": [0.99, 0.93, 0.97, 0.40, 0.96]})


def test_pareto_front_keeps_only_undominated_rows():
    assert figures.pareto_front(FRAME).gzip_bytes.tolist() == [300, 500, 700, 900]


def test_only_uncrowded_front_points_get_a_label():
    front = pd.DataFrame({"gzip_bytes": [1000, 1010, 1500, 1520], "val_accuracy": [0.90, 0.91, 0.95, 0.99]})
    assert figures.uncrowded(front, "gzip_bytes", "val_accuracy").gzip_bytes.tolist() == [1000, 1500, 1520]


def test_run_sweep_reuses_results_only_from_the_same_start(models_dir, tmp_path):
    start = tmp_path / "baseline.bin"
    start.write_bytes(b"one")
    calls = []

    def measure(settings):
        calls.append(settings["k"])
        return {"val_accuracy": settings["k"] / 10}

    sweeps.run_sweep("t", [{"k": 1}, {"k": 2}], measure, start_from=start)
    frame = sweeps.run_sweep("t", [{"k": 1}, {"k": 2}, {"k": 3}], measure, start_from=start)
    assert calls == [1, 2, 3] and frame.val_accuracy.tolist() == [0.1, 0.2, 0.3]
    start.write_bytes(b"two")  # a retrained baseline: nothing is reused
    sweeps.run_sweep("t", [{"k": 1}], measure, start_from=start)
    assert calls == [1, 2, 3, 1]


def test_a_row_holds_the_sha256_sizes_and_machine_of_the_file_it_measured(models_dir, tmp_path):
    from tiny import tiny_images, tiny_model
    from signopt import convert, environment, tflite_files
    images, labels = tiny_images()
    blob = convert.to_tflite(tiny_model(), "float")
    sweeps.run_tflite_sweep("t", [{"k": 1}], lambda s: blob,
                            lambda b: measurement.candidate(b, images, labels), start_from="a" * 64)
    row = sweeps.stored_row("t", {"k": 1})
    path = tmp_path / "same.tflite"
    path.write_bytes(blob)
    assert {k: row[k] for k in ("sha256", "raw_bytes", "gzip_bytes")} == \
        {k: v for k, v in tflite_files.sizes(path).items() if k in ("sha256", "raw_bytes", "gzip_bytes")}
    assert row["environment"]["cpu"] == environment.cpu_name() and "tensorflow" in row["environment"]
    assert not list((models_dir / "sweeps").glob("*/*.tflite"))  # no candidate files kept
    with pytest.raises(KeyError, match="no row"):
        sweeps.stored_row("t", {"k": 2})


def test_a_digest_can_name_the_start_and_time_is_estimated_from_past_runs(models_dir, capsys):
    sweeps.run_sweep("t", [{"k": 1}, {"k": 2}], lambda s: {"val_accuracy": 0.5}, start_from="a" * 64)
    assert sweeps.estimate_seconds("t", [{"k": 1}, {"k": 9}]) is not None
    assert sweeps.estimate_seconds("never", [{"k": 1}]) is None
    sweeps.run_sweep("t", [{"k": 1}], lambda s: {"val_accuracy": 0.6}, start_from="b" * 64)
    assert "1 to run, about" in capsys.readouterr().out  # a recompute says how long it will take


def test_choose_robust_skips_a_pick_that_fails_under_another_seed(capsys):
    frame = pd.DataFrame({"gzip_bytes": [300, 500, 700], "raw_bytes": [1, 1, 1],
                          "val_accuracy": [0.95, 0.93, 0.92], "runs_on_tflm": [True, True, False]})
    grid = [{"k": 3}, {"k": 5}, {"k": 7}]
    seeds = {3: [0.95, 0.90], 5: [0.92, 0.93], 7: [0.99, 0.99]}
    chosen, runs = choice.choose_robust(frame, grid, 0.90, 0.02,
                                        lambda s: pd.DataFrame({"val_accuracy": seeds[s["k"]]}))
    assert chosen == {"k": 5} and runs.val_accuracy.tolist() == [0.93, 0.92, 0.93]
    assert "passed over k 3:" in capsys.readouterr().out  # 0.90 is above the floor, not above the bar


def test_choose_robust_by_raw_size_among_chosen_rows():
    frame = pd.DataFrame({"gzip_bytes": [300, 500], "raw_bytes": [900, 100], "quant": ["int8", "sparse_int8"],
                          "val_accuracy": [0.95, 0.95], "runs_on_tflm": [True, False]})
    always = lambda s: pd.DataFrame({"val_accuracy": [0.95]})  # noqa: E731
    assert choice.choose_robust(frame, [{"k": 3}, {"k": 5}], 0.90, 0.01, always, size="raw_bytes")[0] == {"k": 3}
    assert choice.choose_robust(frame, [{"k": 3}, {"k": 5}], 0.90, 0.01, always, size="raw_bytes",
                                among=frame.quant == "sparse_int8")[0] == {"k": 5}


def test_lever_table_states_each_change_against_the_reference(models_dir):
    measured = {1: (6000, 0.95), 2: (5500, 0.93), 3: (6100, 0.97)}
    sweeps.run_sweep("levers", [{"x": k} for k in measured],
                     lambda s: {"gzip_bytes": measured[s["x"]][0], "val_accuracy": measured[s["x"]][1],
                                "runs_on_tflm": True}, start_from="0" * 64)
    sweeps.save_levers("levers", {"x": 1}, {"smaller": {"x": 2}, "distilled": {"x": 3}})  # explicit, for the report
    table = tables.lever_table("levers", {"x": 1}, {"smaller": {"x": 2}, "distilled": {"x": 3}})
    assert table.lever.tolist() == ["reference", "smaller", "distilled"]
    assert table.bytes_change.tolist() == [0, -500, 100]
    assert table.pp_change.tolist() == [0.0, -2.0, 2.0]
    assert tables.stored_lever_table("levers").equals(table)  # kept for the report
    assert tables.stored_lever_table("never_tabled") is None
    with pytest.raises(KeyError, match="never|not measured"):
        tables.lever_table("levers", {"x": 1}, {"unmeasured": {"x": 4}})


def test_levers_are_described_in_words():
    assert tables.describe_levers({"epochs": 4}) == "-"
    assert tables.describe_levers({"distill": True, "names": "short", "block": {"letter": [4, 1]}}) == \
        "distilled, short names, letter blocks 4x1"
    assert tables.with_levers("pruning 95%", {"epochs": 4}) == "pruning 95%"
    assert tables.with_levers("pruning 95%", {"distill": True}) == "pruning 95%, distilled"


def test_trade_table_puts_the_baseline_first_and_keeps_only_the_reference_settings(models_dir):
    sweeps.run_sweep("compress", [{"k": 1}], lambda s: {"val_accuracy": 0.95, "gzip_bytes": 6000},
                     start_from="0" * 64)
    trade = {(8, 1): 0.80, (8, 2): 0.70, (4, 1): 0.60}  # (filters, compression setting) -> validation accuracy
    sweeps.run_sweep("smaller", [{"filters": [f], "compression": {"k": k}} for f, k in trade],
                     lambda s: {"baseline_parameters": 10 * s["filters"][0], "baseline_val_accuracy": 0.99,
                                "val_accuracy": trade[(s["filters"][0], s["compression"]["k"])], "gzip_bytes": 100},
                     start_from="0" * 64)
    table = tables.trade_table("smaller", "compress", {"k": 1}, {"filters": [16, 32], "baseline_parameters": 500,
                                                                  "baseline_val_accuracy": 1.0})
    assert table.baseline.tolist() == ["16/32 flatten", "8 flatten", "4 flatten"]
    assert table.val_accuracy.tolist() == [0.95, 0.80, 0.60] and table.gzip_bytes.tolist() == [6000, 100, 100]


def test_a_baseline_is_labelled_by_what_differs_from_the_q1_one():
    assert tables.baseline_label({"epochs": 10}, q1_epochs=40) == "16/32/64 flatten"
    assert tables.baseline_label({"filters": [16, 32, 32], "head": "gap", "baseline_epochs": 40}, 40) == "16/32/32 gap"
    assert tables.baseline_label({"downsample": "stride2", "baseline_epochs": 80}, 40) == \
        "16/32/64 flatten, stride 2, 80 epochs"
    assert tables.baseline_label({"baseline_epochs": 80}, q1_epochs=None) == "16/32/64 flatten"  # Q1's unknown


def test_every_studied_baseline_has_its_own_label_apart_from_the_q1_one():
    q1_epochs = 40
    labels = [tables.baseline_label({"baseline_epochs": q1_epochs, **other}, q1_epochs) for other in baseline.STUDIED]
    assert len(set(labels)) == len(labels), labels
    assert tables.baseline_label({"baseline_epochs": q1_epochs}, q1_epochs) not in labels


def test_trade_table_refuses_two_rows_it_would_label_alike(models_dir):
    sweeps.run_sweep("compress", [{"k": 1}], lambda s: {"val_accuracy": 0.95, "gzip_bytes": 6000},
                     start_from="0" * 64)
    sweeps.run_sweep("smaller", [{"filters": [8], "baseline_lr": lr, "compression": {"k": 1}} for lr in (1e-3, 3e-3)],
                     lambda s: {"baseline_parameters": 80, "baseline_val_accuracy": 0.99, "val_accuracy": 0.8,
                                "gzip_bytes": 100}, start_from="0" * 64)
    with pytest.raises(ValueError, match="'8 flatten' each name more than one row"):
        tables.trade_table("smaller", "compress", {"k": 1}, {"filters": [16, 32], "baseline_parameters": 500,
                                                              "baseline_val_accuracy": 1.0})


def test_sweep_seconds_add_up_the_time_each_setting_took(models_dir):
    def slow(settings):
        time.sleep(0.2)
        return {"val_accuracy": 0.5}
    sweeps.run_sweep("t", [{"k": 1}, {"k": 2}], slow, start_from="a" * 64)
    assert 0.4 <= sweeps.stored_seconds("t") < 2
    assert sweeps.stored_seconds("never") == 0
