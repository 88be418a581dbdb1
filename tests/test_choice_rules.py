"""The rules that pick from a sweep, and the checks that keep a settings typo from passing."""
import pandas as pd
import pytest

from signopt import baseline, candidates, choice, convert, units
from signopt import qkeras_model as qk

GRID = [{"epochs": 2}, {"epochs": 4}, {"epochs": 8}]


def test_one_image_of_difference_is_a_tie_that_goes_to_the_shorter_training(capsys):
    frame = pd.DataFrame({"val_accuracy": [2989 / 2990, 2980 / 2990, 1.0], "epochs": [2, 4, 8]})
    assert choice.best_or_tie(frame, GRID, images=2990, prefer=["epochs"]) == {"epochs": 2}
    assert "tie within one image" in capsys.readouterr().out


def test_two_images_of_difference_are_not_a_tie():
    frame = pd.DataFrame({"val_accuracy": [2988 / 2990, 2980 / 2990, 1.0], "epochs": [2, 4, 8]})
    assert choice.best_or_tie(frame, GRID, images=2990, prefer=["epochs"]) == {"epochs": 8}


def test_best_or_tie_refuses_a_frame_that_is_not_the_sweeps_own():
    frame = pd.DataFrame({"val_accuracy": [1.0, 0.9, 0.8], "epochs": [2, 4, 8]}, index=[5, 6, 7])
    with pytest.raises(ValueError, match="sweep's own frame"):
        choice.best_or_tie(frame, GRID, images=10, prefer=["epochs"])


def study(q2_bytes, q3_bytes, baseline_val=0.999, val=0.95):
    return pd.DataFrame({"baseline": ["16/32/64 flatten", "16/32/32 gap"],
                         "baseline_parameters": [38057, 15113], "baseline_val_accuracy": [1.0, baseline_val],
                         "Q2 val": [0.94, val], "Q2 gzip": [6149, q2_bytes], "Q3 val": [0.95, val],
                         "Q3 gzip": [6799, q3_bytes]})


def test_another_baseline_replaces_the_q1_one_only_if_it_wins_everywhere():
    assert "the Q1 baseline stays" in choice.baseline_verdict(study(5000, 7000), bar=0.93)
    assert "the Q1 baseline stays" in choice.baseline_verdict(study(5000, 5000, baseline_val=0.99), bar=0.93)
    assert "the Q1 baseline stays" in choice.baseline_verdict(study(5000, 5000, val=0.92), bar=0.93)
    assert "16/32/32 gap" in choice.baseline_verdict(study(5000, 5000), bar=0.93)


def test_a_settings_typo_names_the_layers_it_could_have_meant():
    model = baseline.build_baseline(filters=(4, 8, 8))
    with pytest.raises(ValueError, match="conv9"):
        candidates.clustered({"clusters": {"conv9": 2}, "init": "linear"}, model)
    with pytest.raises(ValueError, match="centroid initialisation"):
        candidates.clustered({"clusters": {"conv2": 2}, "init": {"conv3": "linear"}}, model)
    with pytest.raises(ValueError, match="letters"):
        candidates.pruned({"sparsity": {"letters": 0.9}, "epochs": 1, "ramp": [0, 1]}, model, steps_per_epoch=1)


def test_the_converter_flags_are_the_lines_that_set_them():
    model = baseline.build_baseline(filters=(4, 8, 8))
    import numpy as np
    flags = convert.flags(convert.converter(model, "int8_per_tensor", np.zeros((2, 28, 28, 1), np.float32)))
    assert "inference_input_type = tf.int8" in flags and "optimizations = [tf.lite.Optimize.DEFAULT]" in flags
    assert any(f.startswith("_experimental_disable_per_channel = True") for f in flags)
    assert convert.flags(convert.converter(model, "float")) == []
    with pytest.raises(ValueError, match="sparse_float"):
        convert.converter(model, "sparse_float")


def test_print_qstats_lines_are_read_or_refused():
    text = "Weight profiling:\n    conv1_weights : 144   (4-bit unit)\n    conv1_bias : 0 (32-bit unit)\n\nWeight sparsity:\n"
    assert qk.qstats_weight_bits(text) == [{"weight": "conv1_weights", "count": 144, "bits_each": 4, "bits": 576},
                                           {"weight": "conv1_bias", "count": 0, "bits_each": 32, "bits": 0}]
    with pytest.raises(ValueError, match="not 'name : count"):
        qk.qstats_weight_bits("Weight profiling:\n    conv1 weights : 1.5 (4-bit unit)\n")
    with pytest.raises(ValueError, match="no 'Weight profiling:'"):
        qk.qstats_weight_bits("Number of operations in model:\n")


def test_long_lines_are_folded_to_the_output_width():
    folded = units.wrap("word " * 60)
    assert all(len(line) <= units.LINE_WIDTH for line in folded.splitlines()) and len(folded.splitlines()) == 3
