"""Saving and loading models as JSON, ours and the book's.

The public face of the private module ``sknielsen.io._persistence``.
"""

from ._core.files import NotARegularFileError, UnsavableModelError
from .io._persistence import (
    FORMAT_VERSION,
    ModelFileError,
    load,
    save,
)

__all__ = [
    "FORMAT_VERSION",
    "ModelFileError",
    "NotARegularFileError",
    "UnsavableModelError",
    "load",
    "save",
]
