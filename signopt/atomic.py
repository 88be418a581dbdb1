"""Writes that cannot be torn: the new content goes to a temporary file in the same folder,
which then replaces the old file in one rename. A run stopped part way (an exception, a
killed kernel) leaves the old file as it was, never half a JSON file or half a model."""
import os
import tempfile
from pathlib import Path


def write_bytes(path, data: bytes) -> Path:
    """Replace ``path`` with ``data`` in one step; the folder is made if missing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o644)  # mkstemp makes it 0600
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_text(path, text: str) -> Path:
    """``write_bytes`` for text, UTF-8."""
    return write_bytes(path, text.encode("utf-8"))
