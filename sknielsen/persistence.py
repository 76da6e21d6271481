"""Saving and loading models as JSON, ours and the book's.

The public face of the private module ``sknielsen.io._persistence``.
"""

from .io._persistence import (
    FORMAT_VERSION,
    ModelFileError,
    load,
    save,
)

__all__ = [
    "FORMAT_VERSION",
    "ModelFileError",
    "load",
    "save",
]
