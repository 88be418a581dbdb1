"""TFLite Micro measures what a microcontroller would run; the C arrays hold the file's bytes."""
import pytest

from signopt import c_array, convert, tflite_files, tflm
from signopt.deliverables import QUESTIONS, SMALLEST_FILE
from readback import c_array_bytes
from tiny import tiny_images, tiny_model


@pytest.fixture(scope="module")
def tiny_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tflm")
    model = tiny_model()
    images, _ = tiny_images(32)
    paths = {}
    for mode in ("int8", "dynamic", "float"):
        paths[mode] = folder / f"tiny_{mode}.tflite"
        paths[mode].write_bytes(convert.to_tflite(model, mode, images))
    return paths


def test_int8_model_runs_and_agrees_with_litert(tiny_files):
    images, labels = tiny_images(64, seed=1)
    measured = tflm.measure(tiny_files["int8"], images, labels)
    assert measured["runs_on_tflm"] and measured["arena_bytes"] > 0
    assert measured["flash_bytes"] == tiny_files["int8"].stat().st_size
    litert = tflite_files.predict(tiny_files["int8"], images)
    assert measured["tflm_accuracy"] == pytest.approx(float((litert == labels).mean()), abs=2 / 64)


def test_float_model_runs_too(tiny_files):
    images, labels = tiny_images(16)
    assert tflm.measure(tiny_files["float"], images, labels)["runs_on_tflm"]


def test_dynamic_range_model_is_refused_with_the_interpreters_message(tiny_files):
    images, labels = tiny_images(8)
    measured = tflm.measure(tiny_files["dynamic"], images, labels)
    assert measured == {"runs_on_tflm": False, "tflm_refusal": measured["tflm_refusal"]}
    assert "failed to prepare" in measured["tflm_refusal"]  # TFLite Micro's words: float input, int8 weights
    assert not tflm.runs(tiny_files["dynamic"]) and tflm.runs(tiny_files["int8"])


def test_c_array_round_trip(tiny_files, tmp_path):
    header, source = c_array.write(tiny_files["int8"], tmp_path)
    assert c_array_bytes(source) == tiny_files["int8"].read_bytes()
    assert "alignas(16) const unsigned char g_tiny_int8[]" in source.read_text()
    assert "extern const unsigned int g_tiny_int8_len;" in header.read_text()


def test_committed_c_arrays_equal_their_files():
    from signopt import config
    folder = config.ROOT / "models" / "c"
    sources = sorted(folder.glob("*.cc"))
    answers = {QUESTIONS[key].answer for key in SMALLEST_FILE}
    assert {f"{s.stem}.tflite" for s in sources} == answers | {"sign_mnist_quant_aware_training.tflite"}  # the int8 answers
    for source in sources:
        assert c_array_bytes(source) == (config.ROOT / "models" / f"{source.stem}.tflite").read_bytes(), source.name


def test_native_output_is_caught_and_the_descriptors_come_back(capfd):
    import os
    from signopt.native_logs import captured, quiet
    with captured() as printed:
        os.write(1, b"from C, stdout\n")
        os.write(2, b"from C, stderr\n")
    assert "from C, stdout" in printed[0] and "from C, stderr" in printed[0]
    with pytest.raises(RuntimeError):
        with quiet():
            os.write(2, b"why it failed\n")
            raise RuntimeError("conversion failed")
    os.write(1, b"after\n")
    out, err = capfd.readouterr()
    assert "after" in out and "why it failed" in err and "from C" not in out + err
