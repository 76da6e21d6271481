"""The digest of the C engine's sources, which a build of the kernels records.

setup.py compiles it into each kernel module (``SOURCE_DIGEST``) and
:func:`~._cengine.load` compares it with the sources beside the modules, so
that kernels built before an edit or a ``git pull`` are not run as if they
were the sources'. setup.py loads this file by its path, before the
package's dependencies are installed: it imports the standard library only.
"""

import hashlib
from pathlib import Path

#: The files of the kernels' sources, in the engine's folder.
PATTERNS = ("*.c", "*.h")


def source_digest(folder):
    """The SHA-256 of the C sources in ``folder``, their names and contents, as hex.

    Parameters
    ----------
    folder : path-like
        The engine's folder (``sknielsen/engine``).

    Returns
    -------
    digest : str
        64 hexadecimal digits; that of no file where ``folder`` holds none.
    """
    paths = sorted(path for pattern in PATTERNS for path in Path(folder).glob(pattern))
    digest = hashlib.sha256()
    for path in paths:
        data = path.read_bytes()
        # The name and the length first: no two sets of files hash the same bytes.
        digest.update(f"{path.name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()
