"""Atomic file writes: a crash leaves the old file or the new one, never half of one."""

import os
import tempfile
from pathlib import Path


def _file_mode(path):
    """The mode of the file being replaced, or the umask's default for a new file."""
    try:
        return os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_bytes_atomically(path, data):
    """Write ``data`` to ``path`` through a flushed temporary file in the same folder.

    Parameters
    ----------
    path : str or path-like
    data : bytes
    """
    path = Path(path)
    mode = _file_mode(path)
    folder = path.parent if str(path.parent) else Path(".")
    handle = tempfile.NamedTemporaryFile(
        "wb", dir=folder, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, mode)  # temporary files are created private
        os.replace(handle.name, path)
    except BaseException:
        try:
            os.unlink(handle.name)
        except FileNotFoundError:
            pass
        raise


def write_text_atomically(path, text):
    """Write UTF-8 ``text`` to ``path`` atomically (see :func:`write_bytes_atomically`)."""
    write_bytes_atomically(path, text.encode("utf-8"))
