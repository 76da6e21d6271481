"""MNIST's four IDX files written from arrays, for the tests of its reader and commands."""

from sknielsen.io._datasets import MNIST_FILES, _write_idx


def write_mnist_layout(folder, train, test):
    """Write ``train`` and ``test``, each ``(images, labels)``, as MNIST's gzipped files."""
    parts = {"train": train, "test": test}
    for part, (images, labels) in parts.items():
        _write_idx(folder / f"{MNIST_FILES[f'{part}_images']}.gz", images)
        _write_idx(folder / f"{MNIST_FILES[f'{part}_labels']}.gz", labels)
