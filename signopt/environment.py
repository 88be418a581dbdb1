"""What machine and library versions the numbers came from (written beside them)."""
import functools
import os
import platform
from pathlib import Path


def cpu_name() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def machine(described: dict | None = None) -> str:
    """The machine in a few words, as records and sweeps name it: "AMD EPYC (Linux x86_64)";
    this one, or the one a stored ``describe()`` names."""
    if described is not None:
        return f"{described.get('cpu', 'an unrecorded CPU')} ({described.get('system', '?')})"
    return f"{cpu_name()} ({platform.system()} {platform.machine()})"


@functools.cache
def describe() -> dict:
    """Python, system, CPU, cores and the versions of the libraries that make and measure models."""
    import qkeras
    import tensorflow as tf
    import tensorflow_model_optimization as tfmot
    from importlib.metadata import version
    return {"python": platform.python_version(), "system": f"{platform.system()} {platform.machine()}",
            "cpu": cpu_name(), "cores": os.cpu_count(), "tensorflow": tf.__version__,
            "tf_keras": version("tf_keras"), "tfmot": tfmot.__version__, "qkeras": qkeras.__version__,
            "ai_edge_litert": version("ai-edge-litert"), "tflite_micro": version("tflite-micro")}
