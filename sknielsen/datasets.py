"""Data sets: MNIST and Fashion-MNIST from their original IDX files, and digits.

The public face of the private module ``sknielsen.io._datasets``.
"""

from .io._datasets import (
    DataFileError,
    load_digits_split,
    load_fashion_mnist,
    load_mnist,
    read_idx,
)

__all__ = [
    "DataFileError",
    "load_digits_split",
    "load_fashion_mnist",
    "load_mnist",
    "read_idx",
]
