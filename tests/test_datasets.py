"""IDX reading and the data-set loaders, on files the tests write."""

import gc
import gzip
import os
import re
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from mnist_layout import write_mnist_layout

from sknielsen.datasets import (
    DataFileError,
    DownloadError,
    load_dataset,
    load_digits_split,
    load_fashion_mnist,
    load_mnist,
    load_table,
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
    path.write_bytes(b"\x00\x00")
    with pytest.raises(DataFileError, match="too short to be an IDX file"):
        read_idx(path)
    path.write_bytes(idx_bytes(np.zeros((4, 2, 2)))[:10])  # 2 of the 3 dimensions
    with pytest.raises(DataFileError, match="truncated header"):
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


@pytest.mark.parametrize("empty", ["", "  ", b""])
def test_an_empty_folder_name_is_refused_not_read_as_the_working_directory(
    empty, tmp_path, monkeypatch
):
    # Path("") is ".": an unset variable (--data-dir "$MNIST") read the working directory.
    monkeypatch.chdir(tmp_path)
    for load in (load_mnist, load_fashion_mnist):
        with pytest.raises(ValueError, match="data_dir is empty"):
            load(empty)
    with pytest.raises(ValueError, match="data_dir is empty"):
        load_dataset("mnist", empty)


def test_an_empty_environment_variable_is_no_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SKNIELSEN_DATA", "")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "home" / ".sknielsen" / "mnist")):
        load_mnist()


@pytest.mark.parametrize("name", ["digits", "points.npz"])
def test_a_data_dir_for_a_data_set_that_reads_none_is_refused(name, tmp_path):
    # As download is: a folder given for the embedded digits was silently not read.
    with pytest.raises(ValueError, match="data_dir is read for mnist and fashion-mnist only"):
        load_dataset(name if name == "digits" else str(tmp_path / name), tmp_path)


@pytest.mark.parametrize(
    "name, message",
    [
        ("digits", "download fetches MNIST only, not 'digits', which is embedded"),
        ("fashion-mnist", "download fetches MNIST only: give the folder of Fashion-MNIST's"),
        ("points.csv", "download fetches MNIST only, not 'points.csv', which is read as it is"),
    ],
)
def test_download_for_a_data_set_other_than_mnist_says_why(name, message):
    # All three were told "for Fashion-MNIST give data_dir".
    with pytest.raises(ValueError, match=re.escape(message)):
        load_dataset(name, download=True)


@pytest.mark.parametrize("name", ["digits", "mnist"])
def test_a_label_for_a_data_set_of_its_own_labels_is_refused(name):
    # The label column named was dropped without a word, and the data set's labels used.
    with pytest.raises(
        ValueError, match=f"label is read from a .csv or .npz file only, not '{name}'"
    ):
        load_dataset(name, label="species")


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
    (tmp_path / "file").write_text("")
    for folder in (tmp_path / "file", tmp_path / "file" / "mnist"):
        for download in (True, False):  # without: "MNIST files not found in .../file"
            with pytest.raises(NotADirectoryError, match="is a file, not a folder"):
                load_mnist(folder, download=download)
    assert calls == ["mnist_784"]  # refused before downloading
    for truthy in ("no", "False", 1, None):  # "no" downloaded
        with pytest.raises(TypeError, match=r"download must be True or False; got "):
            load_mnist(tmp_path / "empty", download=truthy)
        with pytest.raises(TypeError, match=r"download must be True or False; got "):
            load_dataset("mnist", tmp_path / "empty", download=truthy)
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


def test_a_download_of_other_data_than_mnist_s_is_refused(tmp_path, monkeypatch):
    import sklearn.datasets

    def fetch_openml(name, **kwargs):  # a dataset of the same name, changed since
        return np.zeros((100, 784)), np.zeros(100).astype(str)

    monkeypatch.setattr(sklearn.datasets, "fetch_openml", fetch_openml)
    with pytest.raises(DataFileError, match=r"mnist_784 has shape \(100, 784\), expected"):
        load_mnist(tmp_path, download=True)
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize("name", ["mnist", "fashion-mnist"])
def test_load_dataset_of_mnist_s_layout_splits_it_as_the_book(name, tmp_path):
    # 70,000 images of one pixel, its value the image's number (mod 256).
    pixels = (np.arange(70_000) % 256).astype(np.uint8).reshape(-1, 1, 1)
    labels = (np.arange(70_000) % 10).astype(np.uint8)
    train, test = slice(60_000), slice(60_000, None)
    write_mnist_layout(tmp_path, (pixels[train], labels[train]), (pixels[test], labels[test]))
    data = load_dataset(name, tmp_path)
    sizes = [len(data[f"{a}_{part}"]) for part in ("train", "val", "test") for a in "Xy"]
    assert sizes == [50_000, 50_000, 10_000, 10_000, 10_000, 10_000]
    assert data.X_val[0, 0] == pytest.approx((50_000 % 256) / 255)
    assert data.y_test[:3].tolist() == [0, 1, 2] and data.feature_names is None
    assert "MNIST" in data.description


def test_a_failed_download_is_one_error_saying_what_to_do(tmp_path, monkeypatch):
    """Offline: no traceback of urllib, no 'Retrying...' warning, one DownloadError."""
    import urllib.error
    import warnings

    import sklearn.datasets

    def offline(name, **kwargs):
        message = "A network error occurred while downloading https://x. Retrying..."
        warnings.warn(message, UserWarning, stacklevel=2)  # as scikit-learn's retry says it
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(sklearn.datasets, "fetch_openml", offline)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DownloadError, match=r"Could not download MNIST .*Name or service"):
            load_mnist(tmp_path, download=True)


def test_your_own_files_as_data_sets(tmp_path):
    """CSV with a named label column, .npz with X and labels, .npy without labels."""
    rng = np.random.default_rng(0)
    X, y = rng.random((40, 3)), np.array(["cat", "dog"] * 20)
    lines = ["width,label,height,depth"] + [f"{a},{b},{c},{d}" for (a, c, d), b in zip(X, y)]
    (tmp_path / "pets.csv").write_text("\n".join(lines) + "\n")
    table = load_table(tmp_path / "pets.csv", label="label")
    np.testing.assert_allclose(table.X, X)
    assert table.y.tolist() == y.tolist() and table.feature_names == ["width", "height", "depth"]
    np.savez(tmp_path / "pets.npz", X=X, kind=np.arange(40) % 2)
    assert load_table(tmp_path / "pets.npz", label="kind").y.dtype.kind == "i"
    assert load_table(tmp_path / "pets.npz").y is None
    data = load_dataset(tmp_path / "pets.csv", label="label")
    assert (len(data.y_train), len(data.y_val), len(data.y_test)) == (25, 7, 8)
    assert "(validation: a fifth of the rest)" in data.description
    with pytest.raises(
        ValueError, match=r"has no column 'species'\. .*its columns are width, label"
    ):
        load_dataset(tmp_path / "pets.csv", label="species")
    digits = load_dataset("digits")
    assert len(digits.y_train) == 958 and digits.X_val.shape == (240, 64)


def write_mnist(
    folder, test_images_shape=(10000, 28, 28), n_test_labels=10000, train_images_shape=None
):
    """Tiny all-zero stand-ins for the four MNIST files, with the sizes asked."""
    for stem, shape in [
        ("train-images-idx3-ubyte", train_images_shape or (60000, 28, 28)),
        ("train-labels-idx1-ubyte", (60000,)),
        ("t10k-images-idx3-ubyte", test_images_shape),
        ("t10k-labels-idx1-ubyte", (n_test_labels,)),
    ]:
        (folder / stem).write_bytes(idx_bytes(np.zeros(shape)))


def test_images_of_no_pixel_are_refused(tmp_path):
    # They loaded as an X_train of shape (50000, 0).
    write_mnist(tmp_path, test_images_shape=(10000, 0, 5), train_images_shape=(60000, 0, 5))
    with pytest.raises(
        DataFileError, match=r"train-images-idx3-ubyte holds images of \(0, 5\) pixels: none"
    ):
        load_mnist(tmp_path)


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("expected_magic", "x"),
        ("expected_magic", 2049.0),
        ("expected_magic", 0x9999),
        ("expected_magic", True),
        ("max_bytes", "10"),
        ("max_bytes", float("nan")),
        ("max_bytes", -1),
    ],
)
def test_read_idx_refuses_arguments_that_are_no_magic_number_or_byte_count(
    tmp_path, argument, value
):
    # A str failed inside the message's formatting, NaN disabled the bound, -1 was
    # "more than the -1 expected here", and 0x9999 was called "labels".
    path = tmp_path / "labels"
    path.write_bytes(idx_bytes(np.zeros(4)))
    error = ValueError if isinstance(value, int) and not isinstance(value, bool) else TypeError
    with pytest.raises(error, match=rf"^{argument} must be"):
        read_idx(path, **{argument: value})


def test_test_images_of_another_size_are_refused(tmp_path):
    write_mnist(tmp_path, test_images_shape=(10000, 27, 29))
    with pytest.raises(DataFileError, match=r"t10k-images-idx3-ubyte.*27, 29.*28, 28"):
        load_mnist(tmp_path)


@pytest.mark.parametrize(
    ("make", "name", "kind"),
    [
        (os.mkfifo, "t10k-labels-idx1-ubyte", "a FIFO"),
        (os.mkdir, "t10k-labels-idx1-ubyte.gz", "a directory"),
    ],
)
def test_a_fifo_or_folder_named_like_a_file_is_refused_as_what_it_is(tmp_path, make, name, kind):
    write_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    make(tmp_path / name)
    with pytest.raises(DataFileError, match=rf"{name}: .*it is {kind}"):
        load_mnist(tmp_path)


def test_a_regular_file_is_preferred_to_a_folder_of_the_other_name(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").mkdir()
    assert load_mnist(tmp_path).X_test.shape == (10000, 784)


def test_labels_that_disagree_with_their_images_are_refused_by_name(tmp_path):
    write_mnist(tmp_path, n_test_labels=9999)
    with pytest.raises(DataFileError, match=r"t10k-labels-idx1-ubyte holds 9,999 labels"):
        load_mnist(tmp_path)


@pytest.mark.parametrize("dtype", [np.int32, str, np.uint8, "no such type"])
def test_pixels_must_be_floats(tmp_path, dtype):
    with pytest.raises(ValueError, match=r"dtype must be a floating type \(float32 or float64\)"):
        load_mnist(tmp_path, dtype=dtype)
    with pytest.raises(ValueError, match=r"dtype must be a floating type"):
        load_digits_split(dtype=dtype)


def test_digits_split_in_float32():
    assert load_digits_split(dtype=np.float32).X.dtype == np.float32


@pytest.mark.parametrize("seed", [True, np.random.default_rng(0), "abc", -1])
def test_digits_split_refuses_a_random_state_that_is_no_seed_by_name(seed):
    # True split as seed 1; the others were refused in train_test_split's name.
    with pytest.raises(ValueError, match="The 'random_state' parameter of load_digits_split"):
        load_digits_split(random_state=seed)


@pytest.mark.parametrize("test_size", [0, 1.0, 1.5, 2, "a", None])
def test_digits_split_refuses_a_test_size_that_is_no_share_by_name(test_size):
    # Refused in train_test_split's words ("Invalid value for test_size: a"), and the
    # int 2 as "greater or equal to the number of classes": the share was read as a count.
    with pytest.raises(ValueError, match="The 'test_size' parameter of load_digits_split"):
        load_digits_split(test_size=test_size)


def test_digits_split_takes_a_random_state_as_scikit_learn_does():
    expected = load_digits_split(random_state=3).y_train
    given = load_digits_split(random_state=np.random.RandomState(3))
    assert np.array_equal(given.y_train, expected)
    assert not np.array_equal(load_digits_split(random_state=4).y_train, expected)


@pytest.mark.parametrize(
    "X",
    [np.ones((4, 2), dtype=bool), np.ones((4, 2), dtype=np.float16), np.arange(8).reshape(4, 2)],
)
def test_numeric_arrays_are_read_as_float64(tmp_path, X):
    np.save(tmp_path / "x.npy", X)
    np.savez(tmp_path / "x.npz", X=X)
    for suffix in (".npy", ".npz"):
        table = load_table(tmp_path / f"x{suffix}")
        assert table.X.dtype == np.float64
        np.testing.assert_array_equal(table.X, X.astype(np.float64))


@pytest.mark.parametrize(
    "X, problem",
    [
        (np.array([["a", "b"], ["c", "d"]]), r"not real numbers \(<U1\)"),
        (np.ones((2, 2), dtype=complex), r"not real numbers \(complex128\)"),
        (np.zeros((19, 2, 3)), r"must be 2-D.*got shape \(19, 2, 3\)"),
        (np.float64(3.0), r"must be 2-D.*got shape \(\)"),
    ],
)
def test_arrays_that_are_not_a_table_of_numbers_are_refused(tmp_path, X, problem):
    np.save(tmp_path / "x.npy", X)
    with pytest.raises(ValueError, match=r"x\.npy.*" + problem):
        load_table(tmp_path / "x.npy")
    np.savez(tmp_path / "x.npz", X=X, y=np.zeros(len(X) if X.ndim else 1))
    with pytest.raises(ValueError, match=r"x\.npz.*" + problem):
        load_dataset(tmp_path / "x.npz")


def test_one_sample_as_a_1d_array_is_one_row(tmp_path):
    np.save(tmp_path / "x.npy", np.arange(3))
    assert load_table(tmp_path / "x.npy").X.shape == (1, 3)
    np.save(tmp_path / "x.npy", np.zeros(0))  # was one sample of no feature
    with pytest.raises(ValueError, match=r"x\.npy: the samples X are empty \(shape \(0,\)\)"):
        load_table(tmp_path / "x.npy")


@pytest.mark.parametrize(
    "y, problem",
    [
        (np.arange(19) % 2, r"19 labels for 20 rows of X"),
        (np.zeros((20, 2, 2)), r"labels 'y' must be 1-D, or 2-D.*\(20, 2, 2\)"),
        (np.zeros((20, 0)), r"labels 'y' have no column \(shape \(20, 0\)\)"),
        (np.r_[np.nan, np.zeros(19)], r"labels 'y' include NaN or infinity"),
        (np.r_[np.inf, np.zeros(19)], r"labels 'y' include NaN or infinity"),
        # These reached the estimators' own checks, or none.
        (np.arange(20) + 1j, r"labels 'y' are complex128; give integers, real numbers or str"),
        (np.arange(20).astype("m8[s]"), r"labels 'y' are timedelta64\[s\]"),
        (np.array([b"a", b"b"] * 10), r"labels 'y' are \|S1"),
        (np.zeros(20, dtype=[("a", int)]), r"labels 'y' are \[\('a'"),
    ],
)
def test_npz_labels_are_checked(tmp_path, y, problem):
    np.savez(tmp_path / "d.npz", X=np.zeros((20, 2)), y=y)
    with pytest.raises(ValueError, match=r"d\.npz.*" + problem):
        load_dataset(tmp_path / "d.npz")


def test_npz_targets_of_several_outputs_are_a_2d_array(tmp_path):
    # A multi-output regression's targets, or a multilabel indicator, one column each:
    # refused as "the labels 'y' must be 1-D", though the estimators take them.
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(20, 3)), rng.normal(size=(20, 2))
    np.savez(tmp_path / "d.npz", X=X, y=Y)
    np.testing.assert_array_equal(load_table(tmp_path / "d.npz", need_labels=True).y, Y)
    data = load_dataset(tmp_path / "d.npz")
    assert data.y_train.shape == (12, 2) and data.y_test.shape == (4, 2)


def test_npz_arrays_besides_the_samples_and_labels_are_not_read(tmp_path):
    # Every array was loaded: a column of names saved beside them, an object array that
    # NumPy loads only by unpickling, refused the archive as "not a NumPy .npz archive".
    names = np.array(["a", "b", None], dtype=object)
    np.savez(tmp_path / "d.npz", X=np.zeros((20, 3)), y=np.arange(20) % 2, names=names)
    assert load_table(tmp_path / "d.npz").y.tolist() == [0, 1] * 10


@pytest.mark.parametrize("name", ["X", "y"])
def test_npz_samples_or_labels_of_python_objects_are_named(tmp_path, name):
    arrays = {"X": np.zeros((4, 2)), "y": np.arange(4)}
    arrays[name] = arrays[name].astype(object)
    np.savez(tmp_path / "d.npz", **arrays)
    message = rf"d\.npz: the array {name!r} holds Python objects \(dtype object\), which "
    with pytest.raises(ValueError, match=message):
        load_table(tmp_path / "d.npz")


def test_nan_labels_are_missing_ones_refused_only_where_labels_are_needed(tmp_path):
    # As an empty CSV cell is: the rows to predict are those whose labels are unknown, and
    # predict, which reads the samples only, refused a file of them.
    y = np.r_[np.nan, np.arange(19.0)]
    np.savez(tmp_path / "d.npz", X=np.zeros((20, 2)), y=y)
    np.testing.assert_array_equal(load_table(tmp_path / "d.npz").y, y)
    (tmp_path / "d.csv").write_text("a,y\n1,nan\n2,1\n")
    assert np.isnan(load_table(tmp_path / "d.csv", label="y").y[0])
    for path, label in [(tmp_path / "d.npz", None), (tmp_path / "d.csv", "y")]:
        with pytest.raises(ValueError, match="the labels 'y' include NaN or infinity"):
            load_table(path, label=label, need_labels=True)
    np.savez(tmp_path / "d.npz", X=np.zeros((20, 2)), y=np.r_[np.inf, np.arange(19.0)])
    with pytest.raises(ValueError, match="the labels 'y' include NaN or infinity"):
        load_table(tmp_path / "d.npz")  # no missing label: a fault of the file


def test_npz_labels_not_found_are_named_with_the_arrays_it_holds(tmp_path):
    # "holds no label column 'Y'; name the labels' column": an archive has arrays, and
    # which it held was not said.
    np.savez(tmp_path / "d.npz", X=np.zeros((4, 2)), y=np.arange(4), target=np.arange(4))
    message = r"d\.npz holds no array 'Y' of labels; it holds 'X', 'target', 'y'\. Name them"
    with pytest.raises(ValueError, match=message):
        load_table(tmp_path / "d.npz", label="Y", need_labels=True)
    np.savez(tmp_path / "d.npz", X=np.zeros((4, 2)), target=np.arange(4))
    with pytest.raises(ValueError, match=r"holds no array 'y' of labels; it holds 'X', 'target'"):
        load_table(tmp_path / "d.npz", need_labels=True)


def test_csv_with_a_byte_order_mark(tmp_path):
    text = "y,a\n" + "".join(f"{i % 2},{i}\n" for i in range(4))
    (tmp_path / "excel.csv").write_bytes(text.encode("utf-8-sig"))
    table = load_table(tmp_path / "excel.csv", label="y")
    assert table.feature_names == ["a"] and table.y.tolist() == [0, 1, 0, 1]


def test_csv_labels_beyond_int64_are_read_as_text(tmp_path):
    # int() reads them, NumPy's int64 cannot hold them: an OverflowError escaped the CLI.
    text = "a,y\n" + "".join(f"{i},{i % 2}\n" for i in range(3)) + "3,99999999999999999999999\n"
    (tmp_path / "big.csv").write_text(text)
    table = load_table(tmp_path / "big.csv", label="y")
    assert table.y.tolist() == ["0", "1", "0", "99999999999999999999999"]


def test_a_npy_array_is_samples_without_labels(tmp_path):
    np.save(tmp_path / "x.npy", np.ones((3, 2)))
    assert load_table(tmp_path / "x.npy").y is None
    # It said "name the labels' column with label=...": a .npy array has no columns.
    for label in (None, "y"):
        with pytest.raises(
            ValueError, match=r"x\.npy is a \.npy array of samples, without labels: "
        ):
            load_table(tmp_path / "x.npy", label=label, need_labels=True)


def test_a_missing_label_among_names_stays_an_empty_name(tmp_path):
    # Among numbers an empty cell is NaN; among names it is the text it is.
    (tmp_path / "d.csv").write_text("a,kind\n1,cat\n2,\n3,dog\n")
    assert load_table(tmp_path / "d.csv", label="kind").y.tolist() == ["cat", "", "dog"]
    (tmp_path / "n.csv").write_text("a,kind\n1,3\n2,\n3,4\n")
    assert np.isnan(load_table(tmp_path / "n.csv", label="kind").y[1])


@pytest.mark.parametrize("damage", ["truncated", "corrupted member", "member cut short"])
def test_a_damaged_npz_archive_is_a_value_error(tmp_path, damage):
    # zipfile's BadZipFile is no ValueError: the command line showed a traceback.
    np.savez(tmp_path / "d.npz", X=np.arange(200.0).reshape(100, 2), y=np.arange(100) % 2)
    data = bytearray((tmp_path / "d.npz").read_bytes())
    if damage == "truncated":
        data = data[:-50]
    elif damage == "corrupted member":
        data[300] ^= 0xFF  # inside X's data: its CRC no longer matches
    else:  # an archive whose X.npy ends within its header (NumPy's ValueError)
        with zipfile.ZipFile(tmp_path / "d.npz", "w") as archive:
            archive.writestr("X.npy", b"\x93NUMPY\x01\x00cut")
        data = (tmp_path / "d.npz").read_bytes()
    (tmp_path / "d.npz").write_bytes(bytes(data))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        with pytest.raises(ValueError, match=r"d\.npz is not a NumPy \.npz archive"):
            load_table(tmp_path / "d.npz")
        gc.collect()  # the file, were it left open, warns when collected
    # np.load(path) leaves the file it opened open when the archive is refused.
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []


def test_a_npy_array_named_npz_is_refused_saying_so(tmp_path):
    # np.load returns the array itself, which failed in "with": "does not support the
    # context manager protocol".
    with open(tmp_path / "d.npz", "wb") as file:
        np.save(file, np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"d\.npz is a \.npy array; name it \.npy"):
        load_table(tmp_path / "d.npz")


def test_a_npz_archive_named_npy_is_refused_saying_so(tmp_path):
    with open(tmp_path / "d.npy", "wb") as file:  # savez adds .npz to a name without it
        np.savez(file, X=np.ones((3, 2)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        with pytest.raises(ValueError, match=r"d\.npy is a \.npz archive; name it \.npz"):
            load_table(tmp_path / "d.npy")
        gc.collect()
    assert [w for w in caught if w.category is ResourceWarning] == []


@pytest.mark.parametrize(
    "data, problem",
    [
        (gzip.compress(b"a,y\n1,0\n"), r"gzip-compressed; decompress it first"),
        ("é,y\n1,0\n".encode("latin-1"), r"not UTF-8 text.*save it as UTF-8"),
    ],
    ids=["gzip", "latin-1"],
)
def test_a_csv_that_is_not_utf8_is_refused_by_name(tmp_path, data, problem):
    # The codec's own message named neither the file nor the remedy.
    (tmp_path / "d.csv").write_bytes(data)
    with pytest.raises(ValueError, match=r"d\.csv.*" + problem):
        load_table(tmp_path / "d.csv", label="y")


@pytest.mark.parametrize(
    "data",
    [b"hello\n", b"a,b\n1,2\n", gzip.compress(b"\x93NUMPY"), b"\x93NUMPY\x01\x00cut"],
    ids=["text", "csv", "gzip", "cut short"],
)
def test_a_npy_of_other_bytes_is_refused_without_advice_to_unpickle(tmp_path, data):
    # np.load takes bytes without the .npy magic for a pickle, and its message advised
    # loading the file "unsafely" with allow_pickle.
    (tmp_path / "x.npy").write_bytes(data)
    with pytest.raises(ValueError, match=r"x\.npy is not a NumPy \.npy array") as error:
        load_table(tmp_path / "x.npy")
    assert "pickle" not in str(error.value)


def test_csv_rows_without_a_label_are_refused_by_line(tmp_path):
    # An empty cell (pandas writes a missing value so) was read as a class named ''.
    text = "a,y\n" + "".join(f"{i},{i % 2}\n" for i in range(20)) + "20,\n\n21, \n"
    (tmp_path / "d.csv").write_text(text)
    with pytest.raises(ValueError, match=r"d\.csv: lines 22, 24 have no label in 'y'"):
        load_dataset(tmp_path / "d.csv", label="y")
    # A column left out of the rows to predict may be empty: their labels are unknown.
    assert load_table(tmp_path / "d.csv", label="y").X.shape == (22, 1)


def test_csv_targets_of_several_columns_are_a_2d_array(tmp_path):
    # A multilabel indicator or a multi-output regression's targets, a column each: the
    # label named one column, and the others were read as features.
    text = "a,cat,b,dog\n" + "".join(f"{i},{i % 2},{i % 3},{i % 5 == 0:d}\n" for i in range(9))
    (tmp_path / "d.csv").write_text(text)
    table = load_table(tmp_path / "d.csv", label=["dog", "cat"], need_labels=True)
    assert table.feature_names == ["a", "b"] and table.y.dtype.kind == "i"
    assert table.y.tolist() == [[int(i % 5 == 0), i % 2] for i in range(9)]
    # One name in a list is one column of a 2-D array, as NumPy's X[:, [0]].
    assert load_table(tmp_path / "d.csv", label=["cat"]).y.shape == (9, 1)
    (tmp_path / "real.csv").write_text(text.replace("\n1,1,1,0\n", "\n1,0.5,1,0\n"))
    assert load_table(tmp_path / "real.csv", label=["cat", "dog"]).y.dtype.kind == "f"
    with pytest.raises(ValueError, match=r"label names 'cat' more than once"):
        load_table(tmp_path / "d.csv", label=["cat", "dog", "cat"])
    with pytest.raises(TypeError, match=r"label must be a column's name, or a list of them"):
        load_table(tmp_path / "d.csv", label=[])


@pytest.mark.parametrize("need_labels", [False, True])
def test_csv_target_columns_that_are_missing_or_empty_are_named(tmp_path, need_labels):
    (tmp_path / "d.csv").write_text("a,cat,dog\n1,0,1\n2,1,\n")
    with pytest.raises(ValueError, match=r"d\.csv has no column 'eel'\. .*columns are a, cat"):
        load_table(tmp_path / "d.csv", label=["cat", "eel"], need_labels=need_labels)
    if need_labels:
        with pytest.raises(ValueError, match=r"d\.csv: line 3 has no label in 'dog'"):
            load_table(tmp_path / "d.csv", label=["cat", "dog"], need_labels=True)


@pytest.mark.parametrize("label", ["dog", ["cat", "dog"]])
def test_an_empty_csv_label_cell_among_numbers_is_nan_where_labels_are_not_needed(tmp_path, label):
    # As "nan" is: the empty cell turned every target of every column into text ('0', '').
    (tmp_path / "d.csv").write_text("a,cat,dog\n1,0,0.5\n2,1,\n")
    y = load_table(tmp_path / "d.csv", label=label).y
    expected = [0.5, np.nan] if label == "dog" else [[0, 0.5], [1, np.nan]]
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y, expected)


def test_npz_targets_are_named_once(tmp_path):
    np.savez(tmp_path / "d.npz", X=np.zeros((4, 2)), a=np.arange(4), b=np.arange(4))
    message = r"d\.npz: label names one array of a \.npz archive, not \['a', 'b'\]"
    with pytest.raises(ValueError, match=message):
        load_table(tmp_path / "d.npz", label=["a", "b"])


def test_blank_lines_before_the_csv_header_are_skipped(tmp_path):
    # The first line was the header even when blank: a file of blank lines was a table of
    # nothing, and one starting with a blank line was refused for its rows' width.
    (tmp_path / "blank.csv").write_text("\n\n")
    with pytest.raises(ValueError, match=r"blank\.csv is empty"):
        load_table(tmp_path / "blank.csv")
    (tmp_path / "d.csv").write_text("\n\na,y\n1,0\n")
    table = load_table(tmp_path / "d.csv", label="y")
    assert table.feature_names == ["a"] and table.y.tolist() == [0]


def test_a_csv_row_of_another_width_is_named_by_line(tmp_path):
    (tmp_path / "d.csv").write_text("a,b,y\n1,2,0\n   \n3,4,1\n")
    with pytest.raises(ValueError, match=r"d\.csv: line 3 has 1 column, not the header's 3"):
        load_table(tmp_path / "d.csv", label="y")


def test_spaces_around_csv_header_names_are_layout(tmp_path):
    path = tmp_path / "spaced.csv"
    path.write_text("a, b , y\n1,2,0\n3,4,1\n", encoding="utf-8")
    table = load_table(path, label="y")  # it had no column 'y', only ' y'
    assert table.feature_names == ["a", "b"] and table.y.tolist() == [0, 1]


def test_a_csv_header_naming_a_column_twice_is_refused(tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text("a,b,a,y\n1,2,3,0\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"twice.csv: the header names \['a'\] more than once"):
        load_table(path, label="y")


def test_csv_labels_that_are_real_numbers_are_read_as_numbers(tmp_path):
    # As text they became one class per value ('0.5', '1.25', ...), trained on silently.
    path = tmp_path / "real.csv"
    path.write_text("a,y\n1,0.5\n2,1.25\n3,2\n", encoding="utf-8")
    assert load_table(path, label="y").y.tolist() == [0.5, 1.25, 2.0]
    path.write_text("a,y\n1,0\n2,nan\n", encoding="utf-8")
    with pytest.raises(ValueError, match="the labels 'y' include NaN or infinity"):
        load_table(path, label="y", need_labels=True)
    path.write_text("a,y\n1,cat\n2,1.5\n", encoding="utf-8")  # names, whatever they look like
    assert load_table(path, label="y").y.tolist() == ["cat", "1.5"]
    # Labels Python's float() reads as numbers and CSV readers as text are names: "2_5"
    # and "1_0.5" were the numbers 25 and 10.5.
    path.write_text("a,y\n1,2_5\n2,1_0.5\n3,1.5\n", encoding="utf-8")
    assert load_table(path, label="y").y.tolist() == ["2_5", "1_0.5", "1.5"]


def test_csv_labels_are_read_without_the_spaces_around_them(tmp_path):
    # "1, 2, cat" and "3,4,cat" were the classes ' cat' and 'cat'.
    path = tmp_path / "animals.csv"
    path.write_text('a, b, kind\n1, 2, cat\n3,4,cat\n5,6, "dog"\n')
    assert load_table(path, label="kind").y.tolist() == ["cat", "cat", "dog"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("a,b,y\n1,2,0\n3,,1\n", r"line 3, column 'b' is empty, not a number"),
        ("a,b,y\n1,2,0\n\n3,n/a,1\n", r"line 4, column 'b' holds 'n/a', not a number"),
        # Python's float() reads "1_0" as 10 and other scripts' digits as numbers, where
        # CSV readers (pandas, NumPy) read text: codes such as "3_1" were silently 31.
        ("a,b,y\n1,2,0\n3_1,4,1\n", r"line 3, column 'a' holds '3_1', not a number"),
        ("a,b,y\n1,\u0661\u0662,0\n", r"line 2, column 'b' holds '\u0661\u0662', not a number"),
        ("a,b,y\n1,\uff12,0\n", r"line 2, column 'b' holds '\uff12', not a number"),
        ("a,b,y\n", r"holds a header row and no row of data"),
        # A comma at the end of every line (spreadsheets write them) is a column without a
        # name: "column '' is empty" named nothing the user could find.
        (
            "a,b,y,\n1,2,0,\n",
            r"line 2, column 4, which the header leaves unnamed, is empty, not a number",
        ),
    ],
)
def test_a_csv_cell_that_is_no_number_is_named_by_line_and_column(tmp_path, text, message):
    # "a feature is not a number (could not convert string to float: '')" named no place,
    # and a file of a header alone gave zero samples that failed far from it.
    path = tmp_path / "table.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=rf"table\.csv.*{message}"):
        load_table(path, label="y")


@pytest.mark.parametrize("text", ['"a;b"\n1.5\n', "x|y\n2\n", '"a;b","c,d"\n1,2\n'])
def test_a_comma_separated_header_holding_other_separators_is_read(tmp_path, text):
    # Names holding ';' or '|' in a file that is comma-separated, of one column or more.
    path = tmp_path / "table.csv"
    path.write_text(text)
    assert load_table(path).X.shape == (1, text.split("\n")[1].count(",") + 1)


@pytest.mark.parametrize(
    "text, message",
    [
        # Semicolons, as spreadsheets of some languages write: "no column 'y'; its columns
        # are a;b;y", and a file without labels was read as one column of text.
        (
            "a;b;y\n1;2;0\n",
            r"table\.csv has one column, whose name holds ';': save the file comma-separated",
        ),
        ("a\tb\n1\t2\n", r"table\.csv has one column, whose name holds '\\t': save the"),
        # With decimal commas, as those spreadsheets write numbers: "line 2 has 3 columns,
        # not the header's 1".
        (
            "a;b;y\n1,5;2,25;0\n",
            r"table\.csv has one column, whose name holds ';': save the file comma-separated",
        ),
    ],
)
@pytest.mark.parametrize("label", [None, "y"])
def test_a_csv_file_of_other_separators_or_no_feature_says_so(tmp_path, text, message, label):
    path = tmp_path / "table.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        load_table(path, label=label)
    # "the samples X are empty (shape (1, 0))": an X the user never named.
    path.write_text("y\n0\n")
    with pytest.raises(ValueError, match=r"has no column besides the label 'y': give the fea"):
        load_table(path, label="y")


def test_csv_labels_written_otherwise_than_their_number_stay_names(tmp_path):
    # "007" was read as 7 (and "007" and "7" as one class), "+5" as 5.
    path = tmp_path / "agents.csv"
    path.write_text("a,agent\n1,007\n2,7\n3,+5\n")
    assert load_table(path, label="agent").y.tolist() == ["007", "7", "+5"]
    path.write_text("a,agent\n1,7\n2,-3\n")
    assert load_table(path, label="agent").y.tolist() == [7, -3]


def test_a_csv_file_whose_first_row_holds_numbers_only_is_read_with_a_warning(tmp_path):
    # A file without a header lost its first sample as the columns' names, silently; but
    # numbers name columns too (wavelengths, years), and refusing those left no way round.
    path = tmp_path / "points.csv"
    path.write_text("0.1,0.2,1\n0.3,0.4,0\n")
    with pytest.warns(UserWarning, match=r"points\.csv: the first row \(0\.1, 0\.2, 1\) holds"):
        table = load_table(path)
    assert table.feature_names == ["0.1", "0.2", "1"] and table.X.tolist() == [[0.3, 0.4, 0.0]]
    path.write_text("400,450,500\n0.1,0.2,0.3\n")
    with pytest.warns(UserWarning, match="read as the columns' names, not as a sample"):
        assert load_table(path).feature_names == ["400", "450", "500"]
    path.write_text("x1,x2,y\n0.1,0.2,1\n")  # names with digits are names
    assert load_table(path, label="y").feature_names == ["x1", "x2"]


@pytest.mark.parametrize(
    ("name", "hint"),
    [("mnsit", "did you mean 'mnist'"), ("MNIST", "did you mean 'mnist'"), ("nope", "")],
)
def test_a_name_that_is_no_data_set_and_no_file_lists_the_data_sets(tmp_path, name, hint):
    # A bare "No such file or directory: 'mnsit'"; with a data_dir, "data_dir is read for
    # mnist and fashion-mnist only, not 'MNIST'".
    for arguments in ({}, {"data_dir": tmp_path}):
        with pytest.raises(FileNotFoundError, match=rf"'{name}' is no data set.*{hint}.*'digits'"):
            load_dataset(name, **arguments)


def test_a_file_of_another_kind_names_the_files_and_data_sets_load_dataset_reads(tmp_path):
    path = tmp_path / "model.json"
    path.write_text("{}")
    with pytest.raises(ValueError, match=r"give a .csv, .npz, .npy file, or one of the data sets"):
        load_dataset(path)
    with pytest.raises(ValueError, match=r"give a .csv, .npz, .npy file\.$"):  # no data set
        load_table(path)


@pytest.mark.parametrize("keyword", ["classes", "hold_out_validation"])
def test_load_dataset_s_switches_are_booleans_as_download_is(keyword, tmp_path):
    # classes="no" split a regression's targets as classes: a truthy string acted.
    path = tmp_path / "points.npz"
    np.savez(path, X=np.zeros((20, 2)), y=np.arange(20.0))
    with pytest.raises(TypeError, match=f"^{keyword} must be True or False; got 'no'"):
        load_dataset(path, **{keyword: "no"})


def test_a_file_split_stays_random_where_every_class_keeps_a_row(tmp_path):
    # The class-keeping split is for splits that held a class out whole: 12 rows of 3
    # classes were split as before (at random, too few rows to stratify), not stratified.
    from sklearn.model_selection import train_test_split

    from sknielsen.datasets import load_dataset

    X = np.arange(24.0).reshape(12, 2)
    y = np.repeat([0, 1, 2], 4)
    np.savez(tmp_path / "d.npz", X=X, y=y)
    data = load_dataset(tmp_path / "d.npz")
    X_rest, X_test, y_rest, _ = train_test_split(X, y, test_size=0.2, random_state=0)
    X_train, X_val, _, _ = train_test_split(X_rest, y_rest, test_size=0.2, random_state=0)
    for given, expected in [(data.X_test, X_test), (data.X_val, X_val), (data.X_train, X_train)]:
        np.testing.assert_array_equal(given, expected)


@pytest.mark.parametrize("path", [None, 3, 2.5, ["data.csv"]])
def test_file_readers_and_writers_refuse_what_is_no_path_by_type(path):
    # os.stat(3) read 3 as an open file descriptor: "[Errno 9] Bad file descriptor: 3";
    # None failed in pathlib's or os's words, naming no argument.
    from sknielsen.utils import check_outputs, write_atomically

    with pytest.raises(TypeError, match=r"^path must be a str or path-like"):
        load_table(path)
    with pytest.raises(TypeError, match=r"^name must be one of the data sets .* or a file's path"):
        load_dataset(path)
    with pytest.raises(TypeError, match=r"^path must be a str or path-like"):
        write_atomically(path, "text")
    if path is not None:  # check_outputs skips None, an output not asked for
        # Named as its argument, *paths, as its inputs are: it has no argument 'path'.
        with pytest.raises(TypeError, match=r"^paths must be a str or path-like"):
            check_outputs(path)
        with pytest.raises(TypeError, match=r"^paths must be a str or path-like"):
            check_outputs("model.json", path)


def test_load_table_s_need_labels_is_a_boolean(tmp_path):
    # need_labels="no" was taken as true, and need_labels=None as false.
    path = tmp_path / "data.csv"
    path.write_text("a,y\n1,0\n2,1\n")
    for value in ("no", None, 1):
        with pytest.raises(TypeError, match="need_labels must be True or False"):
            load_table(path, label="y", need_labels=value)
