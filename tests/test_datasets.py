"""IDX reading and the data-set loaders, on files the tests write."""

import gzip
from pathlib import Path

import numpy as np
import pytest

from sknielsen.datasets import (
    DataFileError,
    load_digits_split,
    load_mnist,
    read_idx,
)

MNIST_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def idx_bytes(array, magic=None):
    array = np.asarray(array, dtype=np.uint8)
    magic = magic if magic is not None else 0x0800 | array.ndim
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.tobytes()


@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_round_trip(tmp_path, compress, rng):
    images = rng.integers(0, 256, size=(3, 4, 5))
    data = idx_bytes(images)
    path = tmp_path / "images"
    path.write_bytes(gzip.compress(data) if compress else data)
    np.testing.assert_array_equal(read_idx(path, expected_magic=0x803), images)


def test_read_idx_refuses_bad_files(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(idx_bytes(np.zeros((4, 2, 2)))[:-3])
    with pytest.raises(DataFileError, match="truncated or corrupted"):
        read_idx(path)
    path.write_bytes(b"PK\x03\x04 a zip file, not idx")
    with pytest.raises(DataFileError, match="not an IDX file"):
        read_idx(path)
    path.write_bytes(idx_bytes(np.zeros(4)))
    with pytest.raises(DataFileError, match="expected 0x00000803"):
        read_idx(path, expected_magic=0x803)
    path.write_bytes(gzip.compress(idx_bytes(np.zeros(4)))[:-10])
    with pytest.raises(DataFileError, match="cannot read"):
        read_idx(path)


def test_missing_files_are_named_with_the_place_and_the_remedy(tmp_path):
    with pytest.raises(
        FileNotFoundError, match=r"missing train-images-idx3-ubyte\[.gz\].*SKNIELSEN_DATA"
    ):
        load_mnist(tmp_path)


def test_environment_variable_gives_the_default_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SKNIELSEN_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        load_mnist()


def test_wrong_sizes_are_refused(tmp_path):
    for stem, array in [
        ("train-images-idx3-ubyte", np.zeros((10, 28, 28))),
        ("train-labels-idx1-ubyte", np.zeros(10)),
        ("t10k-images-idx3-ubyte", np.zeros((5, 28, 28))),
        ("t10k-labels-idx1-ubyte", np.zeros(5)),
    ]:
        (tmp_path / stem).write_bytes(idx_bytes(array))
    with pytest.raises(DataFileError, match="60,000 training and 10,000 test"):
        load_mnist(tmp_path)


def test_digits_split():
    digits = load_digits_split()
    assert digits.X_train.shape == (1198, 64) and digits.X_test.shape == (599, 64)
    assert digits.X.min() >= 0.0 and digits.X.max() == 1.0


@pytest.mark.slow
@pytest.mark.skipif(not MNIST_DIR.is_dir(), reason="real MNIST not at ../shared/data/mnist")
def test_real_mnist():
    mnist = load_mnist(MNIST_DIR, dtype=np.float32)
    assert mnist.X_train.shape == (50000, 784) and mnist.X_val.shape == (10000, 784)
    assert mnist.X_test.shape == (10000, 784) and mnist.X_train.dtype == np.float32
    assert mnist.y_train[:5].tolist() == [5, 0, 4, 1, 9]
    assert np.bincount(mnist.y_test).tolist()[:3] == [980, 1135, 1032]


def test_download_only_when_asked(tmp_path, monkeypatch):
    import sklearn.datasets

    calls = []

    def fake_fetch_openml(name, **kwargs):
        calls.append(name)
        X = np.zeros((70000, 784))
        X[:, 0] = np.arange(70000) % 256
        return X, (np.arange(70000) % 10).astype(str)

    monkeypatch.setattr(sklearn.datasets, "fetch_openml", fake_fetch_openml)
    with pytest.raises(FileNotFoundError, match="download=True"):
        load_mnist(tmp_path)
    assert calls == []  # never a silent download
    mnist = load_mnist(tmp_path, download=True)
    assert calls == ["mnist_784"]
    assert mnist.X_train.shape == (50000, 784) and mnist.X_test.shape == (10000, 784)
    assert mnist.y_test[:3].tolist() == [0, 1, 2]  # test images are the last 10,000
    assert mnist.X_test[1, 0] == pytest.approx((60001 % 256) / 255)
    load_mnist(tmp_path, download=True)  # files now there: nothing fetched again
    assert calls == ["mnist_784"]


@pytest.mark.slow
@pytest.mark.skipif(
    not Path("/usr/share/datasets/fashion-mnist").is_dir(),
    reason="apt-get install dataset-fashion-mnist",
)
def test_real_fashion_mnist():
    from sknielsen.datasets import load_fashion_mnist

    fashion = load_fashion_mnist(dtype=np.float32)
    assert fashion.X_train.shape == (50000, 784) and fashion.X_test.shape == (10000, 784)
    assert np.bincount(fashion.y_test).tolist() == [1000] * 10
