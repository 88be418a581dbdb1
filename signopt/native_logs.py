"""Output of the C++ code under TensorFlow Lite, caught at the file-descriptor level.

The TFLite converter and TFLite Micro print through C++ logging straight to file
descriptors 1 and 2 ("W0000 ... Ignored output_format", "fully_quantize: 0, ...", arena
reports); Python's warnings filters cannot reach them, and Jupyter saves them into a
notebook's outputs. ``captured()`` collects that text, ``quiet()`` drops it.
"""
import os
import tempfile
from contextlib import contextmanager


@contextmanager
def captured():
    """What the C++ code prints to stdout and stderr while inside, as a list of one string."""
    text = [""]
    with tempfile.TemporaryFile(mode="w+b") as sink:
        saved = os.dup(1), os.dup(2)
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            yield text
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
            sink.seek(0)
            text[0] = sink.read().decode(errors="replace")


@contextmanager
def quiet():
    """Run the block with the C++ log lines dropped (Python's own output still shows)."""
    import sys
    import warnings
    sys.stdout.flush()
    sys.stderr.flush()
    with captured(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the converter's "Statistics for quantized inputs" UserWarning
        yield
