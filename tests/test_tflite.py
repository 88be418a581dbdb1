"""Conversion modes store what they promise, and the measuring helpers read files right."""
import numpy as np
import pytest
import tensorflow_model_optimization as tfmot

from signopt import config, convert, tflite_files, training
from readback import io_types
from tiny import tiny_images, tiny_model


@pytest.fixture(scope="module")
def tiny():
    return tiny_model(), tiny_images()[0]


def write(tmp_path, name, blob):
    path = tmp_path / name
    path.write_bytes(blob)
    return path


def kernel_dtypes(path):
    """dtypes of the large weight tensors (dynamic range leaves those under 1,024 elements float)."""
    return {t["dtype"] for t in tflite_files.weight_tensors(path) if t["size"] >= 1024}


def test_dynamic_range_file_stores_int8_weights_and_float_activations(tmp_path, tiny):
    path = write(tmp_path, "dyn.tflite", convert.to_tflite(tiny[0], "dynamic"))
    assert kernel_dtypes(path) == {"int8"}
    assert io_types(path)["input"] == "float32"
    float_path = write(tmp_path, "float.tflite", convert.to_tflite(tiny[0], "float"))
    assert kernel_dtypes(float_path) == {"float32"}
    assert tflite_files.sizes(path)["raw_bytes"] < tflite_files.sizes(float_path)["raw_bytes"]


def test_16x8_file_has_int16_activations(tmp_path, tiny):
    path = write(tmp_path, "16x8.tflite", convert.to_tflite(tiny[0], "int16x8", tiny[1]))
    assert "int16" in io_types(path)["tensor_dtypes"]
    assert "int8" in kernel_dtypes(path)


def test_int8_needs_calibration_data(tiny):
    with pytest.raises(ValueError, match="needs calibration_images"):
        convert.to_tflite(tiny[0], "int8")
    with pytest.raises(ValueError, match="mode must be one of"):
        convert.to_tflite(tiny[0], "int4")


def test_qat_file_is_int8(tmp_path, tiny):
    qat = tfmot.quantization.keras.quantize_model(training.clone_with_weights(tiny[0]))
    path = write(tmp_path, "qat.tflite", convert.to_tflite(qat, "dynamic"))
    assert kernel_dtypes(path) == {"int8"}
    assert "int8" in io_types(path)["tensor_dtypes"]


def test_interpreter_predictions_match_keras_for_float_file(tmp_path, tiny):
    model, images = tiny
    path = write(tmp_path, "float.tflite", convert.to_tflite(model, "float"))
    keras_labels = model.predict(images, verbose=0).argmax(axis=1)
    # batch size that does not divide the images: the padded last batch must be handled
    assert np.array_equal(tflite_files.predict(path, images, batch_size=24, progress=False), keras_labels)


def test_int8_input_is_quantized_before_running(tmp_path, tiny):
    model, images = tiny
    path = write(tmp_path, "int8.tflite", convert.to_tflite(model, "int8", images))
    assert io_types(path)["input"] == "int8"
    agree = (tflite_files.predict(path, images, progress=False) == model.predict(images, verbose=0).argmax(1)).mean()
    # an untrained model's outputs are near ties, so int8 rounding flips some; inputs fed
    # unquantized (0 or 1 as int8) would agree about as often as chance, 1 in 25
    assert agree > 0.5


def test_layer_weights_count_distinct_values_and_zeros(tmp_path, tiny):
    model = training.clone_with_weights(tiny[0])
    dense = model.get_layer("letter")
    kernel = dense.kernel.numpy()
    kernel[:, :] = np.where(np.arange(kernel.size).reshape(kernel.shape) % 2 == 0, 0.0, 0.5)
    dense.kernel.assign(kernel)
    path = write(tmp_path, "float.tflite", convert.to_tflite(model, "float"))
    row = next(r for r in tflite_files.layer_weights(path) if r["shape"] == [25, kernel.shape[0]])
    assert row["distinct_values"] == 2 and row["zero_fraction"] == 0.5
    assert row["read_by"] == "FULLY_CONNECTED 1"  # short layer names leave the operator as the only name


def test_a_sparse_tensor_is_named_by_the_layer_that_reads_its_densified_copy():
    rows = tflite_files.layer_weights(config.ROOT / "models" / "sign_mnist_pruned_quant_sparse.tflite", min_size=100)
    assert [(row["read_by"], row["sparse_format"]) for row in rows] == [
        ("CONV_2D 1", False), ("CONV_2D 2", True), ("CONV_2D 3", True), ("FULLY_CONNECTED 1", True)]


def test_gzip_size_is_deterministic_and_smaller_for_repetitive_bytes(tmp_path):
    path = write(tmp_path, "zeros.bin", bytes(10_000))
    first, second = tflite_files.sizes(path), tflite_files.sizes(path)
    assert first == second and first["raw_bytes"] == 10_000 and first["gzip_bytes"] < 100


def test_gzip_bytes_by_part_add_up_and_the_weights_dominate_a_float_file(tmp_path, tiny):
    path = write(tmp_path, "float.tflite", convert.to_tflite(tiny[0], "float"))
    before = tflite_files.sizes(path)["sha256"]
    parts = tflite_files.gzip_bytes_by_part(path)
    assert tflite_files.sizes(path)["sha256"] == before  # the file is only read
    assert sum(part["gzip_bytes"] for part in parts) == tflite_files.sizes(path)["gzip_bytes"]
    assert all(part["gzip_bytes"] > 0 for part in parts), parts
    dense_kernel_bytes = 4 * 392 * 25  # float32 Dense kernel, random values: gzip cannot shrink them much
    assert parts[0]["part"] == "large weight tensors" and parts[0]["gzip_bytes"] > 0.8 * dense_kernel_bytes


def test_short_names_make_a_smaller_file_that_predicts_the_same(tmp_path, tiny):
    model, images = tiny
    renamed = convert.with_short_names(model)
    assert {layer.name for layer in renamed.layers} >= {"c1", "c2", "l"}
    long_path = write(tmp_path, "long.tflite", convert.to_tflite(model, "int8", images))
    short_path = write(tmp_path, "short.tflite", convert.to_tflite(renamed, "int8", images))
    assert tflite_files.sizes(short_path)["gzip_bytes"] < tflite_files.sizes(long_path)["gzip_bytes"]
    assert (tflite_files.predict(short_path, images) == tflite_files.predict(long_path, images)).all()


def test_weight_cost_splits_the_gzip_bytes_between_weights_and_the_rest(tmp_path, tiny):
    path = write(tmp_path, "int8.tflite", convert.to_tflite(tiny[0], "int8", tiny[1]))
    cost = tflite_files.weight_cost(path)
    assert cost["gzip_bytes"] == tflite_files.sizes(path)["gzip_bytes"] == sum(p["gzip_bytes"] for p in cost["parts"])
    assert 0 < cost["not_weights_gzip_bytes"] < cost["gzip_bytes"]
    assert cost["weights"] == 392 * 25  # the tiny model's one kernel of 1,024 elements or more: the Dense layer's
    assert 7 < cost["bits_per_weight"] < 9  # random int8 weights: gzip cannot pack them, about a byte each


def test_parts_of_a_file_that_does_not_read_back_the_same_are_refused(tmp_path, tiny):
    path = write(tmp_path, "padded.tflite", convert.to_tflite(tiny[0], "float") + bytes(8))
    with pytest.raises(ValueError, match="read back"):
        tflite_files.gzip_bytes_by_part(path)


def test_zip_bytes_are_the_tfmot_guides_measure(tmp_path, tiny):
    """get_gzipped_model_size of the TFMOT guides: the file written into a ZIP_DEFLATED zip."""
    import os
    import zipfile
    model, images = tiny
    path = write(tmp_path, "tiny.tflite", convert.to_tflite(model, "int8", images))
    archive = tmp_path / "guide.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as opened:
        opened.write(path, arcname=path.name)
    assert tflite_files.sizes(path)["zip_bytes"] == os.path.getsize(archive)
