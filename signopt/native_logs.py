"""Output of the C++ code under TensorFlow Lite, caught at the file-descriptor level.

The TFLite converter and TFLite Micro print through C++ logging straight to file
descriptors 1 and 2 ("W0000 ... Ignored output_format", "fully_quantize: 0, ...", arena
reports); Python's warnings filters cannot reach them, and Jupyter saves them into a
notebook's outputs. ``captured()`` collects that text, ``quiet()`` drops it unless the block
fails, when it goes to stderr with the error.
"""
import ctypes
import os
import sys
import tempfile
import warnings
from contextlib import contextmanager


def _flush_all() -> None:
    """Python's buffers and C's stdio buffers, so that no text crosses a redirection."""
    sys.stdout.flush()
    sys.stderr.flush()
    ctypes.CDLL(None).fflush(None)


@contextmanager
def captured():
    """What the C++ code prints to stdout and stderr while inside, as a list of one string."""
    text = [""]
    with tempfile.TemporaryFile(mode="w+b") as sink:
        _flush_all()
        saved = os.dup(1), os.dup(2)
        try:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            yield text
        finally:
            _flush_all()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
            sink.seek(0)
            text[0] = sink.read().decode(errors="replace")


@contextmanager
def quiet():
    """Run the block without the C++ log lines and the converter's UserWarnings; if the block
    raises, what the C++ code printed goes to stderr, since it explains the error."""
    printed = [""]
    try:
        with captured() as printed, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the converter's "Statistics for quantized inputs" UserWarning
            yield
    except Exception:
        sys.stderr.write(printed[0])
        raise
