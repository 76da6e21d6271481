"""The digest of the C engine's sources, which a build of the kernels records.

setup.py compiles it into each kernel module (``SOURCE_DIGEST``) and
:func:`~._cengine.load` compares it with the sources beside the modules, so
that kernels built before an edit or a ``git pull`` are not run as if they
were the sources'. setup.py loads this file by its path, before the
package's dependencies are installed: it imports the standard library only.
"""

import hashlib
from pathlib import Path

#: The kernels' sources in the engine's folder: each build's own file and what it
#: includes. setup.py rebuilds a module when one of them changes.
SOURCES = (
    "_ckernel.c",
    "_ckernel_body.h",
    "_prefetch.h",
    "_ckernel_base.c",
    "_ckernel_v3.c",
    "_ckernel_v4.c",
)


def source_digest(folder):
    """The SHA-256 of the :data:`SOURCES` in ``folder``, their names and contents, as hex.

    Other files are left out (a scratch file, an editor's lock link).

    Parameters
    ----------
    folder : path-like
        The engine's folder (``sknielsen/engine``).

    Returns
    -------
    digest : str
        64 hexadecimal digits, of the sources ``folder`` holds.
    """
    digest = hashlib.sha256()
    for name in sorted(SOURCES):
        path = Path(folder, name)
        if not path.is_file():
            continue
        data = path.read_bytes()
        # The name and the length first: no two sets of files hash the same bytes.
        digest.update(f"{path.name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()
