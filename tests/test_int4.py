"""4-bit filters: TFLite's INT4 packing, the repacking of on-grid filters, and a file
TFLite Micro runs that predicts what the QKeras model predicts."""
import numpy as np
import pytest
import tensorflow as tf

from signopt import baseline, convert, int4, tflite_files, tflm
from signopt import qkeras_model as qk
from tiny import tiny_images, tiny_qkeras


def test_packing_puts_the_even_element_in_the_low_nibble_and_unpacks_back():
    codes = np.array([-8, 7, -1, 0, 3], dtype=np.int8)
    packed = int4.pack(codes)
    assert list(packed) == [0x78, 0x0F, 0x03]
    assert list(int4.unpack(packed, len(codes))) == list(codes)
    with pytest.raises(ValueError, match="-8..7"):
        int4.pack(np.array([8], dtype=np.int8))


def test_int8_codes_on_a_16_level_grid_become_their_4_bit_codes():
    grid = np.array([-8, -3, 0, 5, 7])
    codes8 = np.round(grid * 127 / 8).astype(np.int8)  # the converter's int8 codes: the peak at 127
    codes4, factor = int4.channel_codes(codes8)
    assert list(codes4) == list(grid) and factor == pytest.approx(127 / 8)
    with pytest.raises(ValueError, match="not on a 16-level grid"):
        int4.channel_codes(np.array([127, 50, 3], dtype=np.int8))


@pytest.fixture(scope="module")
def tiny_q():
    tf.keras.utils.set_random_seed(0)
    model = tiny_qkeras(bits=4, filters=(4, 8))
    source = baseline.build_baseline(filters=(4, 8))
    for layer in source.layers:  # trained-looking weights, BatchNormalization's included
        layer.set_weights([np.random.default_rng(1).uniform(0.5, 1.5, w.shape) if "variance" in w.name
                           else np.random.default_rng(1).normal(0, 0.3, w.shape) for w in layer.weights])
    return qk.copy_weights(source, model)


def test_the_plain_conv_copy_computes_what_the_qkeras_model_computes(tiny_q):
    images, _ = tiny_images(32)
    copy = qk.float_conv_model(tiny_q)
    assert [type(layer).__name__ for layer in copy.layers].count("Dense") == 0
    np.testing.assert_allclose(copy.predict(images, verbose=0), tiny_q.predict(images, verbose=0), atol=1e-5)
    with pytest.raises(ValueError, match="quantized activations"):
        qk.float_conv_model(tiny_qkeras(activation_bits=4))


def test_the_4_bit_file_runs_on_tflite_micro_and_predicts_what_the_int8_file_predicts(tiny_q, tmp_path):
    images, labels = tiny_images(64)
    int8_bytes = convert.to_tflite(qk.float_conv_model(tiny_q), "int8", images)
    int4_bytes, rows = int4.conv_filters_to_int4(int8_bytes)
    assert len(rows) == 3 and all(r["distinct_codes"] <= 16 for r in rows)  # conv1, conv2 and the classifier
    assert len(int4_bytes) < len(int8_bytes) - 0.4 * sum(r["weights"] for r in rows)
    paths = {}
    for kind, data in (("int8", int8_bytes), ("int4", int4_bytes)):
        paths[kind] = tmp_path / f"{kind}.tflite"
        paths[kind].write_bytes(data)
    assert tflm.runs(paths["int4"])
    assert tflite_files.predict(paths["int4"], images).tolist() == tflite_files.predict(paths["int8"], images).tolist()


def test_a_filter_off_the_grid_is_refused_with_its_layer_named():
    images, _ = tiny_images(16)
    model = baseline.build_baseline(filters=(4,), name="float")  # float weights: on no 4-bit grid
    with pytest.raises(ValueError, match="output channel"):
        int4.conv_filters_to_int4(convert.to_tflite(model, "int8", images))
