"""Data sets: MNIST and Fashion-MNIST from their original IDX files, digits, your own files.

The public face of the private module ``sknielsen.io._datasets``.
"""

from .io._datasets import (
    DATASETS,
    DataFileError,
    DownloadError,
    load_dataset,
    load_digits_split,
    load_fashion_mnist,
    load_mnist,
    load_table,
    read_idx,
)

__all__ = [
    "DATASETS",
    "DataFileError",
    "DownloadError",
    "load_dataset",
    "load_digits_split",
    "load_fashion_mnist",
    "load_mnist",
    "load_table",
    "read_idx",
]
