"""Data sets: MNIST and Fashion-MNIST from their original IDX files, and digits.

Nothing is ever downloaded behind the user's back: the loaders read files
that are already on disk and, when they are missing, say which files they
looked for, where, and how to get them.
"""

import csv
import gzip
import math
import numbers
import os
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval

from .._core.files import (
    check_readable,
    file_path,
    make_folder,
    missing_folders,
    write_bytes_atomically,
)
from .._core.names import did_you_mean
from .._core.params import check_bool, validate_arguments
from .._core.split import hold_out
from .._core.warn import warn

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
# IDX magic numbers: two zero bytes, the type code (0x08 = unsigned byte), the rank.
_IMAGES_MAGIC, _LABELS_MAGIC = 0x00000803, 0x00000801
_TRAIN_IMAGES, _TEST_IMAGES, _N_CLASSES = 60000, 10000, 10
# Pixels per image at most when reading (MNIST's are 28 × 28): a header
# announcing larger images is refused before the data are inflated.
_LARGEST_IMAGE = 64 * 64
FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
# Pixel divisors: 255 maps the brightest pixel to 1; the book's mnist.pkl.gz
# holds pixel/256 (brightest 255/256), which exact replays of its runs need.
PIXEL_SCALES = {"unit": 255.0, "book": 256.0}

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
#: The data sets known by name; any other name is a file (see :func:`load_dataset`).
DATASETS = ("digits", "mnist", "fashion-mnist")
#: Files :func:`load_table` reads, by suffix.
TABLE_SUFFIXES = (".csv", ".npz", ".npy")


class DataFileError(ValueError):
    """A data file that is missing, truncated or not in the IDX format.

    Examples
    --------
    An IDX header that announces three 28×28 images, followed by two:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from sknielsen.datasets import DataFileError, read_idx
    >>> header = bytes([0, 0, 0x08, 3]) + b"".join(n.to_bytes(4, "big") for n in (3, 28, 28))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "images-idx3-ubyte"
    ...     _ = path.write_bytes(header + bytes(2 * 28 * 28))
    ...     try:
    ...         read_idx(path)
    ...     except DataFileError as error:
    ...         print(f"{type(error).__name__}: {error}")
    DataFileError: ...images-idx3-ubyte: the header announces 2,352 bytes of data for
    shape (3, 28, 28), more than the file can hold (1,584): truncated or corrupted.
    >>> issubclass(DataFileError, ValueError)
    True
    """


# Deflate never inflates more than 1032 bytes out of one: a gzip file whose
# header announces more data than this bound allows is truncated or lying.
_DEFLATE_MAX_RATIO = 1032
# Bytes inflated per read when filling the array.
_CHUNK = 1 << 20


def _open(path):
    """The file's bytes as a stream (inflated as read for gzip) and the most it can hold."""
    check_readable(path)  # a FIFO or a device would block or never end
    size = os.stat(path).st_size
    with open(path, "rb") as handle:
        compressed = handle.read(2) == b"\x1f\x8b"
    if compressed:
        return gzip.open(path, "rb"), size * _DEFLATE_MAX_RATIO
    return open(path, "rb"), size


def _read_exactly(handle, n):
    """Up to ``n`` bytes: fewer only at the end of the data."""
    data = b""
    while len(data) < n:
        chunk = handle.read(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


#: What the two magic numbers of MNIST's files hold, for messages.
_IDX_KINDS = {_IMAGES_MAGIC: "images", _LABELS_MAGIC: "labels"}


def _header(handle, path, expected_magic):
    """The magic number's checks, then the shape the header announces."""
    start = _read_exactly(handle, 4)
    if len(start) < 4:
        raise DataFileError(f"{path}: too short to be an IDX file.")
    magic = int.from_bytes(start, "big")
    if magic >> 16 != 0 or (magic >> 8) & 0xFF != 0x08:
        raise DataFileError(
            f"{path}: not an IDX file of unsigned bytes (magic number {magic:#010x})."
        )
    if expected_magic is not None and magic != expected_magic:
        raise DataFileError(
            f"{path}: magic number {magic:#010x}, expected {expected_magic:#010x} "
            f"({_IDX_KINDS.get(expected_magic, f'{expected_magic & 0xFF} dimensions')})."
        )
    rank = magic & 0xFF
    dimensions = _read_exactly(handle, 4 * rank)
    if len(dimensions) < 4 * rank:
        raise DataFileError(f"{path}: truncated header.")
    return tuple(int.from_bytes(dimensions[4 * i : 4 * i + 4], "big") for i in range(rank))


def _fill(handle, array, path, shape):
    """Read the data into ``array`` a chunk at a time; refuse missing or trailing bytes."""
    view, filled = memoryview(array.reshape(-1)), 0
    while filled < array.size:
        read = handle.readinto(view[filled : filled + _CHUNK])
        if not read:
            raise DataFileError(
                f"{path}: the header announces {array.size} bytes of data for shape {shape}, "
                f"the file holds {filled} (truncated or corrupted)."
            )
        filled += read
    if handle.read(1):
        raise DataFileError(
            f"{path}: the header announces {array.size} bytes of data for shape {shape}, "
            "the file holds more (trailing data, or corrupted)."
        )


def read_idx(path, *, expected_magic=None, max_bytes=None):
    """Read an IDX file (optionally gzip-compressed) of unsigned bytes.

    The header is read and checked first: a file announcing more data than
    it can hold (its size, or for gzip what deflate can inflate from it) or
    than ``max_bytes`` is refused before anything is inflated or allocated.
    The data are then inflated a chunk at a time into the array.

    Parameters
    ----------
    path : str or path-like
        The file; a gzip-compressed one is recognised by its content.
    expected_magic : int, optional
        Refuse files whose magic number differs (0x803 for images, 0x801 for
        labels).
    max_bytes : int, optional
        Refuse files whose header announces more bytes of data.

    Returns
    -------
    array : ndarray of uint8
        Shaped as the file's header says.

    Raises
    ------
    DataFileError
        If the file is not an IDX file of unsigned bytes, announces more
        data than it or ``max_bytes`` allows, is truncated or has trailing
        data.

    Examples
    --------
    An IDX file is a header, the magic number (two zero bytes, 0x08 for
    unsigned bytes, the number of dimensions) and each dimension as a
    big-endian 32-bit integer, then the data. Three 28×28 images, gzipped
    as MNIST's are distributed:

    >>> import gzip
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from sknielsen.datasets import read_idx
    >>> images = np.zeros((3, 28, 28), dtype=np.uint8)
    >>> images[:, 14, 14] = [0, 128, 255]  # one grey and one white pixel
    >>> header = bytes([0, 0, 0x08, images.ndim])
    >>> header += b"".join(n.to_bytes(4, "big") for n in images.shape)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "my-images-idx3-ubyte.gz"
    ...     _ = path.write_bytes(gzip.compress(header + images.tobytes()))
    ...     array = read_idx(path, expected_magic=0x803)
    >>> array.shape, array.dtype
    ((3, 28, 28), dtype('uint8'))
    >>> array[:, 14, 14]
    array([  0, 128, 255], dtype=uint8)
    """
    _check_idx_arguments(expected_magic, max_bytes)
    try:
        handle, most = _open(path)
        with handle:
            shape = _header(handle, path, expected_magic)
            expected = math.prod(shape)  # Python's integers: no overflow
            announced = f"{path}: the header announces {expected:,} bytes of data for shape {shape}"
            if expected > most:
                raise DataFileError(
                    f"{announced}, more than the file can hold ({most:,}): truncated or corrupted."
                )
            if max_bytes is not None and expected > max_bytes:
                raise DataFileError(f"{announced}, more than the {max_bytes:,} expected here.")
            array = np.empty(shape, dtype=np.uint8)
            _fill(handle, array, path, shape)
    except (OSError, EOFError, zlib.error) as exc:  # gzip raises these for corrupt archives
        raise DataFileError(f"{path}: cannot read the file ({exc}).") from None
    return array


def _check_suffix(path, offer_datasets=False):
    """Refuse a file whose suffix names no kind :func:`load_table` reads."""
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        datasets = f", or one of the data sets {', '.join(DATASETS)}" if offer_datasets else ""
        raise ValueError(
            f"{path}: cannot read {suffix or 'a file without suffix'}; give a "
            f"{', '.join(TABLE_SUFFIXES)} file{datasets}."
        )


def _check_idx_arguments(expected_magic, max_bytes):
    """Refuse a magic number no IDX file of bytes has, and a bound that is no byte count.

    A str failed in the message's formatting, a float NaN disabled the bound,
    and -1 was "more than the -1 expected here".
    """
    for name, value in (("expected_magic", expected_magic), ("max_bytes", max_bytes)):
        is_int = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        if value is not None and not is_int:
            raise TypeError(f"{name} must be an int or None; got {value!r}.")
    if expected_magic is not None and not 0x801 <= expected_magic <= 0x8FF:
        raise ValueError(
            "expected_magic must be the magic number of an IDX file of bytes, 0x801 to 0x8ff "
            f"(0x803 for images, 0x801 for labels); got {expected_magic:#x}."
        )
    if max_bytes is not None and max_bytes < 0:
        raise ValueError(f"max_bytes must be a number of bytes, at least 0; got {max_bytes}.")


def _read_part(path, magic, n_images):
    """One file of a data set; a header announcing more than its part is refused unread."""
    per_item = _LARGEST_IMAGE if magic == _IMAGES_MAGIC else 1
    return read_idx(path, expected_magic=magic, max_bytes=n_images * per_item)


def _check_labels(labels, path):
    """Refuse labels outside 0–9, which would train as classes of their own."""
    wrong = np.unique(labels[labels >= _N_CLASSES])
    if wrong.size:
        raise DataFileError(
            f"{path}: the labels of MNIST and Fashion-MNIST are the classes 0 to 9; this "
            f"file also holds {wrong[:10].tolist()}{' ...' if wrong.size > 10 else ''}."
        )


def _find(data_dir, stem):
    """The file ``stem`` or ``stem.gz`` in ``data_dir``, or None.

    A regular file is preferred; failing one, a FIFO or folder of that name is
    returned, so that reading it refuses it by what it is, not as missing.
    """
    candidates = [data_dir / name for name in (stem, stem + ".gz")]
    for path in candidates:
        if path.is_file():
            return path
    return next((path for path in candidates if path.exists()), None)


def _default_mnist_dir():
    # An empty variable is an unset one, as the shell's conventions have it. A quoted
    # "~/mnist" reaches us unexpanded: a folder named "~" is never what was meant.
    folder = os.environ.get("SKNIELSEN_DATA") or str(Path.home() / ".sknielsen" / "mnist")
    return Path(os.path.expanduser(folder))


def _data_folder(data_dir, default):
    """``data_dir`` as a path, ``default`` for None; an empty name is refused.

    ``Path("")`` is the working directory: an empty name is most often an unset
    variable (``--data-dir "$MNIST"``), and reading the working directory
    instead would be a surprise.
    """
    if data_dir is None:
        return Path(default)
    if isinstance(data_dir, (str, bytes)) and not data_dir.strip():
        raise ValueError(
            f"data_dir is empty ({data_dir!r}): give the folder of the IDX files, or None "
            "for the default folder."
        )
    return file_path(data_dir, "data_dir")


def _pixels(images):
    """The size of one image, as ``(27, 29)`` reads in a message."""
    return str(tuple(int(n) for n in images.shape[1:]))


def _float_dtype(dtype):
    """``dtype`` as a NumPy dtype, refused unless float32 or float64.

    Pixels are scaled to [0, 1]: an integer type would floor them all to 0,
    and the networks compute in float32 or float64 only.
    """
    try:
        checked = np.dtype(dtype)
    except TypeError:
        checked = None
    if checked is None or checked not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(
            f"dtype must be a floating type (float32 or float64); got {dtype!r}: the pixels "
            "are scaled to [0, 1]."
        )
    return checked


def _load_idx_set(data_dir, name, how_to_get, dtype, divisor=255.0):
    """The four IDX files of MNIST's layout in ``data_dir``, checked, as a Bunch of splits."""
    dtype = _float_dtype(dtype)
    data_dir = Path(data_dir)
    paths = _idx_paths(data_dir, name, how_to_get)
    train_images = _read_part(paths["train_images"], _IMAGES_MAGIC, _TRAIN_IMAGES)
    train_labels = _read_part(paths["train_labels"], _LABELS_MAGIC, _TRAIN_IMAGES)
    test_images = _read_part(paths["test_images"], _IMAGES_MAGIC, _TEST_IMAGES)
    test_labels = _read_part(paths["test_labels"], _LABELS_MAGIC, _TEST_IMAGES)
    _check_part(paths["train_images"], train_images, paths["train_labels"], train_labels)
    _check_part(paths["test_images"], test_images, paths["test_labels"], test_labels)
    _check_image_sizes(name, train_images, test_images, paths)
    X, X_test = _scaled(train_images, dtype, divisor), _scaled(test_images, dtype, divisor)
    y, y_test = train_labels.astype(np.int64), test_labels.astype(np.int64)
    return Bunch(
        X=X,
        y=y,
        X_train=X[:50000],
        y_train=y[:50000],
        X_val=X[50000:],
        y_val=y[50000:],
        X_test=X_test,
        y_test=y_test,
        image_shape=train_images.shape[1:],
        data_dir=str(data_dir),
    )


def _idx_paths(data_dir, name, how_to_get):
    """The path of each of :data:`MNIST_FILES` in ``data_dir``; refuse the set if one is missing."""
    paths = {key: _find(data_dir, stem) for key, stem in MNIST_FILES.items()}
    missing = [MNIST_FILES[key] for key, path in paths.items() if path is None]
    if missing:
        missing_folders(data_dir, "data folder")  # a file given for the folder, said as such
        raise FileNotFoundError(
            f"{name} files not found in {data_dir}: missing "
            f"{', '.join(m + '[.gz]' for m in missing)}. {how_to_get}"
        )
    return paths


def _check_part(images_path, images, labels_path, labels):
    """Refuse a part whose images and labels are not one label of 0 to 9 per 2-D image."""
    # 2-D images and 1-D labels: read_idx refused any other magic number, hence rank.
    if len(images) != len(labels):
        raise DataFileError(
            f"{labels_path} holds {len(labels):,} labels for the {len(images):,} images "
            f"of {images_path}; each image needs one label."
        )
    _check_labels(labels, labels_path)


def _check_image_sizes(name, train_images, test_images, paths):
    """Refuse images of two sizes or of no pixel, and other counts than MNIST's."""
    if test_images.shape[1:] != train_images.shape[1:]:
        raise DataFileError(
            f"{paths['test_images']} holds images of {_pixels(test_images)} pixels; the "
            f"training images of {paths['train_images']} are {_pixels(train_images)}."
        )
    if 0 in train_images.shape[1:]:  # loaded as X of no feature, which nothing can learn from
        raise DataFileError(
            f"{paths['train_images']} holds images of {_pixels(train_images)} pixels: none."
        )
    if len(train_images) != _TRAIN_IMAGES or len(test_images) != _TEST_IMAGES:
        raise DataFileError(
            f"{name} should hold 60,000 training and 10,000 test images; found "
            f"{len(train_images)} and {len(test_images)}."
        )


def _scaled(images, dtype, divisor):
    """The images as rows of pixels of ``dtype``, divided by ``divisor``."""
    flat = images.reshape(len(images), -1).astype(dtype)
    flat /= divisor
    return flat


def _write_idx(path, array):
    """Write a uint8 array as a gzip-compressed IDX file, atomically."""
    rank = array.ndim
    header = (0x0800 | rank).to_bytes(4, "big") + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape
    )
    write_bytes_atomically(path, gzip.compress(header + array.astype(np.uint8).tobytes()))


class DownloadError(OSError):
    """A data set could not be downloaded: no network, or the server refused.

    Examples
    --------
    It is an ``OSError``, as the network's own errors are:

    >>> from sknielsen.datasets import DownloadError
    >>> try:
    ...     raise DownloadError("Could not download MNIST from OpenML (no network).")
    ... except OSError as error:
    ...     print(f"{type(error).__name__}: {error}")
    DownloadError: Could not download MNIST from OpenML (no network).
    """


def _download_mnist(data_dir):
    """Fetch MNIST from OpenML (on request only) and store it as the original IDX files."""
    from sklearn.datasets import fetch_openml

    missing_folders(data_dir, "data folder")  # a file in the way, refused before downloading
    print(f"Downloading MNIST (mnist_784) from OpenML into {data_dir} ...")
    try:
        with warnings.catch_warnings():
            # scikit-learn says "Retrying..." at each attempt; the failure is said once, below.
            warnings.filterwarnings("ignore", "A network error occurred", UserWarning)
            X, y = fetch_openml("mnist_784", version=1, as_frame=False, return_X_y=True)
    except OSError as exc:  # urllib's URLError and HTTPError, sockets' errors
        reason = getattr(exc, "reason", None) or exc
        raise DownloadError(
            f"Could not download MNIST from OpenML ({reason}). Check the connection and try "
            f"again, or put the four MNIST IDX files in {data_dir} yourself."
        ) from None
    if X.shape != (70000, 784):
        raise DataFileError(f"OpenML's mnist_784 has shape {X.shape}, expected (70000, 784).")
    images = np.asarray(X).reshape(-1, 28, 28).astype(np.uint8)
    labels = np.asarray(y).astype(np.int64).astype(np.uint8)
    make_folder(data_dir, "data folder")
    # OpenML keeps the original order: 60,000 training images, then 10,000 test images.
    for stem, array in (
        (MNIST_FILES["train_images"], images[:60000]),
        (MNIST_FILES["train_labels"], labels[:60000]),
        (MNIST_FILES["test_images"], images[60000:]),
        (MNIST_FILES["test_labels"], labels[60000:]),
    ):
        _write_idx(data_dir / (stem + ".gz"), array)


def load_mnist(data_dir=None, *, dtype=np.float64, download=False, scale="unit"):
    """Load MNIST from the original IDX files with the book's split.

    Parameters
    ----------
    data_dir : str or path-like, optional
        Folder holding ``train-images-idx3-ubyte[.gz]`` and the three other
        files (an empty name is refused). Default: the ``SKNIELSEN_DATA``
        environment variable (unless empty), then ``~/.sknielsen/mnist``.
    dtype : {float64, float32}, default=float64
        Type of the pixel arrays, scaled to [0, 1].
    download : bool, default=False
        When files are missing, fetch MNIST with
        ``sklearn.datasets.fetch_openml("mnist_784")`` and store it in
        ``data_dir`` as the original IDX files. Never done unless asked.
    scale : {'unit', 'book'}, default='unit'
        ``'unit'``: pixel/255, in [0, 1]. ``'book'``: pixel/256, the values
        of the book's ``mnist.pkl.gz`` (brightest 255/256), needed to replay
        the book's runs exactly (:mod:`sknielsen.book`).

    Returns
    -------
    data : Bunch
        ``X_train``/``y_train`` (the first 50,000 training images),
        ``X_val``/``y_val`` (the last 10,000, the book's validation set),
        ``X_test``/``y_test`` (the 10,000 test images), ``X``/``y`` (all
        60,000 training images) and ``image_shape`` (28, 28). The split
        arrays are views of ``X``/``y``.

    Raises
    ------
    FileNotFoundError
        Naming the files looked for and where, and how to get them.
    DownloadError
        An ``OSError``: ``download`` was asked and failed (no network, say).
    DataFileError
        For a truncated or foreign file, test images of another size than the
        training images, or a labels file that does not hold one label per
        image.
    ValueError
        For an unknown ``scale``, or a ``dtype`` other than float32 or float64.

    Examples
    --------
    Nothing is downloaded unless asked: without the files, the error says
    which files are looked for, where, and how to get them.

    >>> import tempfile
    >>> from sknielsen.datasets import load_mnist
    >>> with tempfile.TemporaryDirectory() as empty:
    ...     try:
    ...         load_mnist(empty)
    ...     except FileNotFoundError as error:
    ...         print(error)
    MNIST files not found in ...: missing train-images-idx3-ubyte[.gz],
    train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz].
    Get the four files from the MNIST distribution and put them there, give their folder
    as data_dir (on the command line: --data-dir DIR) or set SKNIELSEN_DATA to it, or
    fetch them from OpenML with download=True (on the command line: --download).

    With the files in place, ``load_mnist(folder).X_train`` has shape
    (50000, 784).
    """
    if scale not in PIXEL_SCALES:
        raise ValueError(f"scale must be one of {sorted(PIXEL_SCALES)}; got {scale!r}.")
    check_bool(download, "download")
    dtype = _float_dtype(dtype)  # before any download
    data_dir = _data_folder(data_dir, _default_mnist_dir())
    if download and any(_find(data_dir, stem) is None for stem in MNIST_FILES.values()):
        _download_mnist(data_dir)
    how = (
        "Get the four files from the MNIST distribution and put them there, give their "
        "folder as data_dir (on the command line: --data-dir DIR) or set SKNIELSEN_DATA to "
        "it, or fetch them from OpenML with download=True (on the command line: --download)."
    )
    return _load_idx_set(data_dir, "MNIST", how, dtype, PIXEL_SCALES[scale])


def load_fashion_mnist(data_dir=None, *, dtype=np.float64):
    """Load Fashion-MNIST (same IDX format and split as :func:`load_mnist`).

    Parameters
    ----------
    data_dir : str or path-like, optional
        Default: ``/usr/share/datasets/fashion-mnist``, where
        ``apt-get install dataset-fashion-mnist`` puts the files.
    dtype : {float64, float32}, default=float64
        Type of the pixel arrays, scaled to [0, 1].

    Returns
    -------
    data : Bunch
        As :func:`load_mnist`.

    Examples
    --------
    Without the files, the error names them and how to get them:

    >>> import tempfile
    >>> from sknielsen.datasets import load_fashion_mnist
    >>> with tempfile.TemporaryDirectory() as empty:
    ...     load_fashion_mnist(empty)
    Traceback (most recent call last):
    ...
    FileNotFoundError: Fashion-MNIST files not found in ...: missing train-images-idx3-ubyte[.gz],
    train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz].
    On Debian-like systems: apt-get install dataset-fashion-mnist.
    """
    how = "On Debian-like systems: apt-get install dataset-fashion-mnist."
    return _load_idx_set(_data_folder(data_dir, FASHION_MNIST_DIR), "Fashion-MNIST", how, dtype)


@validate_arguments(
    {
        "test_size": [Interval(numbers.Real, 0, 1, closed="neither")],
        "random_state": ["random_state"],
    }
)
def load_digits_split(*, test_size=1 / 3, random_state=0, dtype=np.float64):
    """Load scikit-learn's embedded 8×8 digits, scaled to [0, 1] and split.

    Needs no files, so every example can run anywhere.

    Parameters
    ----------
    test_size : float, default=1/3
        Share of the samples in the test set, in (0, 1).
    random_state : int, RandomState instance or None, default=0
        Seed of the stratified split, as scikit-learn's ``random_state``.
    dtype : {float64, float32}, default=float64
        Type of the pixel arrays; another type is refused with a ``ValueError``.

    Returns
    -------
    data : Bunch
        ``X_train``, ``y_train``, ``X_test``, ``y_test``, ``X``, ``y`` and
        ``image_shape`` (8, 8).

    Raises
    ------
    InvalidParameterError
        A ``ValueError`` and a ``TypeError``: a ``test_size`` that is no
        share in (0, 1) (an int is no count of samples here), or a
        ``random_state`` that is no seed (``True``, a NumPy ``Generator``).
    ValueError
        A ``dtype`` other than float64 or float32.

    Examples
    --------
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.datasets import load_digits_split
    >>> digits = load_digits_split()
    >>> digits.X_train.shape, digits.X_test.shape, digits.image_shape
    ((1198, 64), (599, 64), (8, 8))
    >>> float(digits.X.min()), float(digits.X.max())
    (0.0, 1.0)
    >>> net = NielsenMLPClassifier(hidden_layer_sizes=(20,), epochs=5, random_state=0)
    >>> bool(net.fit(digits.X_train, digits.y_train).score(digits.X_test, digits.y_test) > 0.9)
    True
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    dtype = _float_dtype(dtype)
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(dtype)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=random_state, stratify=y
    )
    return Bunch(
        X=X,
        y=y,
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        image_shape=(8, 8),
    )


def load_dataset(
    name, data_dir=None, *, label=None, hold_out_validation=True, download=False, classes=True
):
    """A data set split for training, validation and test, by name or from a file.

    Parameters
    ----------
    name : str or path-like
        One of :data:`DATASETS`, or a ``.csv`` or ``.npz`` file of your own
        (see :func:`load_table`), whose rows are split at random (seed 0):
        a fifth for the test set, a fifth of the rest for validation.
    data_dir : str or path-like, optional
        Folder of MNIST's or Fashion-MNIST's IDX files; refused for the other
        data sets, which read none.
    label : str or list of str, optional
        The label column, or columns, of a file (see :func:`load_table`); refused for the
        data sets of :data:`DATASETS`, which have their own.
    hold_out_validation : bool, default=True
        Digits and files: hold out validation data from the training data;
        False leaves ``X_val`` None (MNIST keeps its 10,000 validation images).
    download : bool, default=False
        Fetch missing MNIST files (see :func:`load_mnist`).
    classes : bool, default=True
        Whether a file's labels are classes: its split is then stratified
        where every class allows it, and a random split that would hold a
        class out whole keeps a row of each class on the training side
        instead, where that leaves rows to hold out (such a class has
        nothing to train on). False, for a regression's targets, splits at
        random.

    Returns
    -------
    data : Bunch
        ``X_train``, ``y_train``, ``X_val``, ``y_val``, ``X_test``,
        ``y_test``, ``description``, a phrase naming the data, and
        ``feature_names``, the columns of a CSV file (None otherwise).

    Raises
    ------
    FileNotFoundError, DataFileError, DownloadError
        As the loaders raise them.
    ValueError
        As the loaders raise it, for ``data_dir`` or ``download`` given
        with a data set that reads no IDX files, and for ``label`` given with
        one of :data:`DATASETS`.
    TypeError
        For ``hold_out_validation``, ``download`` or ``classes`` other than
        True or False, and for a ``name`` that is neither a str nor path-like.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from sknielsen.datasets import load_dataset
    >>> digits = load_dataset("digits")
    >>> digits.X_train.shape, digits.X_val.shape, digits.X_test.shape
    ((958, 64), (240, 64), (599, 64))
    >>> digits.description
    "scikit-learn's digits (validation: a fifth of the training images)"

    A file of your own, here 50 labelled points in a NumPy archive:

    >>> rng = np.random.default_rng(0)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "points.npz"
    ...     np.savez(path, X=rng.normal(size=(50, 2)), y=np.arange(50) % 2)
    ...     points = load_dataset(path)
    >>> points.X_train.shape, points.X_val.shape, points.X_test.shape
    ((32, 2), (8, 2), (10, 2))
    >>> points.description
    '...points.npz (50 rows) (validation: a fifth of the rest)'
    """
    for switch, value in [
        ("hold_out_validation", hold_out_validation),
        ("download", download),
        ("classes", classes),
    ]:
        check_bool(value, switch)
    if not isinstance(name, (str, os.PathLike)):
        # os.stat(3) read 3 as an open file descriptor: "Bad file descriptor".
        raise TypeError(
            f"name must be one of the data sets {', '.join(map(repr, DATASETS))} or a file's "
            f"path (a str or path-like); got {type(name).__name__}."
        )
    _refuse_unknown_name(name)
    if download and name != "mnist":
        raise ValueError(_download_refusal(name))
    if data_dir is not None and name not in ("mnist", "fashion-mnist"):
        # Silently not read, a folder given for the embedded digits (or a file) misled.
        raise ValueError(
            f"data_dir is read for mnist and fashion-mnist only, not {name!r}: leave it out."
        )
    if label is not None and name in DATASETS:  # silently not read, it misled as data_dir did
        raise ValueError(
            f"label is read from a .csv or .npz file only, not {name!r}, whose labels are "
            "its own: leave it out."
        )
    if name == "digits":
        d = load_digits_split(random_state=0)
        return _split(
            d.X_train,
            d.y_train,
            d.X_test,
            d.y_test,
            "scikit-learn's digits",
            hold_out_validation,
            "the training images",
        )
    if name in ("mnist", "fashion-mnist"):
        loader = load_mnist if name == "mnist" else load_fashion_mnist
        d = loader(data_dir, download=True) if download else loader(data_dir)
        parts = (d.X_train, d.y_train, d.X_val, d.y_val, d.X_test, d.y_test)
        return Bunch(**dict(zip(_PARTS, parts)), description=_NAMES[name], feature_names=None)
    return _file_dataset(name, label, hold_out_validation, classes)


def _refuse_unknown_name(name):
    """Refuse a name that is neither a data set's nor a file's, listing the data sets.

    ``load_dataset("mnsit")`` said "No such file or directory: 'mnsit'" only.
    """
    if name in DATASETS or not isinstance(name, (str, os.PathLike)) or os.path.lexists(name):
        return
    shown = os.fspath(name)
    if isinstance(name, str) and not Path(name).suffix:  # a data set's name, mistyped
        hint = did_you_mean(name, DATASETS)
        raise FileNotFoundError(
            f"{shown!r} is no data set{hint} and no file: the data sets are "
            f"{', '.join(map(repr, DATASETS))}; a file of your own is a "
            f"{', '.join(TABLE_SUFFIXES)} file."
        )


def _download_refusal(name):
    """Why ``download`` is refused for ``name``: a data set other than MNIST, or a file."""
    if name == "fashion-mnist":
        return (
            "download fetches MNIST only: give the folder of Fashion-MNIST's IDX files "
            "with data_dir."
        )
    why = "which is embedded" if name in DATASETS else "which is read as it is"
    return f"download fetches MNIST only, not {str(name)!r}, {why}: leave it out."


def _file_dataset(path, label, hold_out_validation, classes):
    """A file's rows split at random into training, validation and test rows."""
    check_readable(path)
    _check_suffix(Path(path), offer_datasets=True)  # a data set's name, perhaps
    table = load_table(path, label=label, need_labels=True)
    if len(table.y) < 10:
        raise ValueError(
            f"{path} has {len(table.y)} row{'s' if len(table.y) != 1 else ''}; holding out a "
            "test and a validation set needs at least 10."
        )
    X_train, X_test, y_train, y_test = _random_split(table.X, table.y, classes)
    description = f"{path} ({len(table.y):,} rows)"
    data = _split(
        X_train, y_train, X_test, y_test, description, hold_out_validation, "the rest", classes
    )
    data.feature_names = table.feature_names
    return data


_PARTS = ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test")
_NAMES = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}


def _random_split(X, y, classes=True):
    """A fifth of the rows held out at random (seed 0), stratified when the classes allow.

    A row of several targets is one class: scikit-learn stratifies 2-D targets by
    their rows, of which each must then come twice. A random split that holds
    a class out whole keeps one row of each class instead, where that leaves
    a fifth to hold out: such a class has nothing to train on, and a
    classifier refuses validation labels it was not fitted with.
    """
    from sklearn.model_selection import train_test_split

    if not classes:
        return train_test_split(X, y, test_size=0.2, random_state=0)
    _, rows_class, counts = np.unique(
        y, return_inverse=True, return_counts=True, axis=0 if y.ndim == 2 else None
    )
    rows_class = rows_class.ravel()
    if counts.min() >= 2 and len(counts) <= len(y) // 5:
        return train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    kept, held = train_test_split(np.arange(len(y)), test_size=0.2, random_state=0)
    if len(np.unique(rows_class[kept])) < len(counts):  # a class held out whole
        try:
            return hold_out(X, y, test_size=0.2, random_state=0, stratify=rows_class)
        except ValueError:  # too many classes to keep one of each: numbers, not classes
            pass
    return X[kept], X[held], y[kept], y[held]  # the random split, drawn once


def _split(X_train, y_train, X_test, y_test, description, hold_out_validation, whose, classes=True):
    """Training data with a fifth held out for validation when asked."""
    if not hold_out_validation:
        parts = (X_train, y_train, None, None, X_test, y_test)
        return Bunch(**dict(zip(_PARTS, parts)), description=description, feature_names=None)
    X_train, X_val, y_train, y_val = _random_split(X_train, y_train, classes)
    parts = (X_train, y_train, X_val, y_val, X_test, y_test)
    return Bunch(
        **dict(zip(_PARTS, parts)),
        description=f"{description} (validation: a fifth of {whose})",
        feature_names=None,
    )


def load_table(path, *, label=None, need_labels=False):
    """Read the samples of a file of your own: CSV, a NumPy ``.npz`` archive or ``.npy`` array.

    Parameters
    ----------
    path : str or path-like
        ``.csv`` (UTF-8, with or without a byte-order mark): a header row
        naming the columns, then one sample per row; every column but the
        label is a number, as CSV readers read one (digits with underscores,
        ``3_1``, or of other scripts, ``١٢``, are text, which Python's
        ``float`` would read). Spaces around a header or a label are dropped
        (``" cat"`` is ``"cat"``), as they are around a number. ``.npz``: an
        array ``X`` of real numbers, shape
        (n_samples, n_features), and, under the label's name, the labels, a
        1-D array of one label per sample, or a 2-D array of one row of
        targets per sample (n_samples, n_outputs: a multi-output regression's,
        or a multilabel indicator); other arrays are not read. ``.npy``: one
        array of samples, without labels. A 1-D ``X`` is one sample.
    label : str or list of str, optional
        The label column (CSV) or array (``.npz``); default ``'y'`` for
        ``.npz``. When the file holds no such column the data has no labels.
        A list names several columns of a CSV file, read as a 2-D ``y`` of a
        column each, in the list's order (a multilabel indicator, a
        multi-output regression's targets); a file that has some of them
        only is refused. A CSV label column of ``True`` and ``False`` only
        (pandas' spellings) is read as booleans, as pandas reads it.
    need_labels : bool, default=False
        Refuse a file without labels, or with missing labels: an empty CSV
        cell, or NaN.

    Returns
    -------
    table : Bunch
        ``X`` (float64, one row per sample), ``y`` (the labels, integers
        when they all are, floats when they all are numbers, else strings;
        None without labels) and
        ``feature_names`` (None for NumPy files). Without ``need_labels``,
        NaN labels are kept: missing ones, as empty CSV cells among numbers
        are (read as NaN).

    Raises
    ------
    ValueError
        For another suffix, a file that is not what the suffix says, values
        that are not real numbers or not finite (NaN, infinity, or beyond
        float64's range in a CSV cell), an ``X`` of more than 2 dimensions (or
        none), labels that are not 1-D or 2-D, not one per sample or infinite,
        an ``X`` or labels of Python objects, a ``.npz``'s ``label='X'`` (its
        samples), or with ``need_labels`` no labels or missing ones (NaN, empty
        CSV label cells). Also for a CSV file whose first column has no name
        and a different whole number in every row: a table's index, which
        ``DataFrame.to_csv`` writes unless given ``index=False``.
    TypeError
        For a ``label`` that is neither a name nor a list of names, a
        ``path`` that is no file's name (None, a number), and a
        ``need_labels`` other than True or False.
    FileNotFoundError, NotARegularFileError
        For a path to read that is missing (or empty) or not a regular file.

    Warns
    -----
    UserWarning
        For a CSV file whose first row, read as the header, holds numbers
        only: the first sample of a file without a header, perhaps.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sknielsen.datasets import load_table
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "animals.csv"
    ...     _ = path.write_text("height,weight,kind\\n0.3,4.1,cat\\n0.6,30.5,dog\\n0.25,3.8,cat\\n")
    ...     table = load_table(path, label="kind")
    >>> table.X
    array([[ 0.3 ,  4.1 ],
           [ 0.6 , 30.5 ],
           [ 0.25,  3.8 ]])
    >>> table.y.tolist(), table.feature_names
    (['cat', 'dog', 'cat'], ['height', 'weight'])
    """
    path = file_path(path)  # None or 3 failed in pathlib's words
    check_bool(need_labels, "need_labels")  # "no" was taken as true
    check_readable(path)  # first: a FIFO named x.csv must not block the reader
    _check_suffix(path)
    label = _label_names(label)
    suffix = path.suffix.lower()
    reader = {".csv": _read_csv, ".npz": _read_npz, ".npy": _read_npy}[suffix]
    table = reader(path, label, need_labels)
    # A CSV file or a .npz archive without the labels was refused by its reader, naming
    # the column or array; a .npy array holds none, and has no column to name.
    if need_labels and table.y is None:
        raise ValueError(
            f"{path} is a .npy array of samples, without labels: save the samples and their "
            "labels together, in a .npz archive (numpy.savez(path, X=X, y=y)) or a CSV file."
        )
    table.X = _samples(table.X, path)
    if table.y is not None:
        name = label if label is None or isinstance(label, str) else ", ".join(label)
        _check_table_labels(table.y, len(table.X), path, name or "y", need_labels)
    return table


def _label_names(label):
    """``label`` as :func:`load_table` reads it: None, a name, or a list of distinct names."""
    if label is None or isinstance(label, str):
        return label
    names = list(label) if isinstance(label, (list, tuple)) else None
    if not names or not all(isinstance(name, str) for name in names):
        raise TypeError(
            f"label must be a column's name, or a list of them for several targets; got {label!r}."
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"label names {', '.join(map(repr, repeated))} more than once.")
    return names


def _samples(X, path):
    """``X`` as float64 with one row per sample (a 1-D array is one sample)."""
    if X.dtype.kind not in "biuf":
        raise ValueError(
            f"{path}: the samples X are not real numbers ({X.dtype}); give real numbers, "
            "one sample per row."
        )
    if X.size == 0:  # an empty 1-D array was read as one sample of no feature
        raise ValueError(f"{path}: the samples X are empty (shape {X.shape}); give samples.")
    if X.ndim == 1:
        X = X[None, :]
    if X.ndim != 2:
        raise ValueError(
            f"{path}: the samples X must be 2-D, one sample per row (n_samples, n_features); "
            f"got shape {X.shape}."
        )
    X = X.astype(np.float64, copy=False)
    # No estimator of sknielsen takes them: refused here, naming the file, not by a fit's
    # "Input X contains NaN", after training when they fell among the test rows.
    bad = ~np.isfinite(X)
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise ValueError(
            f"{path}: the samples X hold {X[row, column]} at X[{row}, {column}]; give finite "
            "numbers (a missing one too: fill it in, or leave the row out)."
        )
    return X


def _check_table_labels(y, n_rows, path, name, need_labels):
    """Refuse labels that are not one per row of ``X``, or that are NaN or infinite.

    A 2-D array is a row of targets per sample: a multi-output regression's,
    or a multilabel indicator. NaN is a missing label, as an empty CSV cell
    is: refused only where labels are needed (predict reads the rows whose
    labels are unknown).
    """
    if y.ndim not in (1, 2):
        raise ValueError(
            f"{path}: the labels {name!r} must be 1-D, or 2-D with a column per output "
            f"(n_samples, n_outputs); got shape {y.shape}."
        )
    if y.ndim == 2 and y.shape[1] == 0:
        raise ValueError(
            f"{path}: the labels {name!r} have no column (shape {y.shape}); give a column "
            "per output."
        )
    if len(y) != n_rows:
        raise ValueError(
            f"{path}: {len(y):,} labels for {n_rows:,} rows of X; give one label per sample "
            f"in {name!r}."
        )
    missing = np.isnan(y) if y.dtype.kind in "fc" and not need_labels else False
    if y.dtype.kind in "fc" and not (np.isfinite(y) | missing).all():
        raise ValueError(f"{path}: the labels {name!r} include NaN or infinity.")
    # Integers, strings and booleans are labels; complex numbers, bytes, times and
    # records reached the estimators' own checks, or none.
    if y.dtype.kind not in "biufU" or y.dtype.names is not None:
        raise ValueError(
            f"{path}: the labels {name!r} are {y.dtype}; give integers, real numbers or strings."
        )


def _labels(values):
    """Labels read as text: integers when every one is, floats when every one is a number.

    Else the strings themselves; so are integers written otherwise than as
    their number (``007``, ``+5``). An integer beyond int64's range
    (OverflowError) keeps them as text: such a label can only be a class's
    name. Real numbers (``0.5``, ``nan``) are read as numbers so that the
    classifier judges them as it judges them in an array (targets of a
    regression are refused, not trained on as one class per value).
    """
    try:
        integers = [int(v) for v in values]
    except ValueError:
        pass
    else:
        # "007" is a name, not 7 (and "007" and "7" two classes): integers only when each
        # label is its number as written.
        if any(str(n) != v for n, v in zip(integers, values)):
            return np.array(values)
        try:
            return np.array(integers, dtype=np.int64)
        except OverflowError:
            return np.array(values)
    try:
        return np.array([_number(v) for v in values], dtype=np.float64)
    except ValueError:
        return np.array(values)


def _number(cell):
    """``float(cell)``, refusing what CSV readers read as text.

    Python's float() also reads digits separated by underscores ("3_1" is
    31) and other scripts' digits ("١٢" is 12), which pandas and NumPy read
    as text: codes such as "3_1" became numbers silently.
    """
    if "_" in cell or not cell.isascii():
        raise ValueError(f"not a number: {cell!r}")
    return float(cell)


def _feature_values(rows, features):
    """The feature cells of ``rows`` as float64, or ValueError for a cell that is no number."""
    X = np.array([[float(row[i]) for i in features] for row in rows], dtype=np.float64)
    # float()'s wider reading (_number) checked on the rows whose text has what it reads
    # only: a row at a time, joined in C, most files have none.
    for row in rows:
        joined = "".join(row)
        if "_" in joined or not joined.isascii():
            for i in features:
                _number(row[i])
    return X


def _may_be_a_sample(names):
    """Whether a first row, read as the header, holds numbers only: a sample, perhaps.

    pandas names the columns of an array 0, 1, 2, ...: such a header is one.
    """
    try:
        [_number(name) for name in names]
    except ValueError:
        return False
    return names != [str(i) for i in range(len(names))]


def _read_csv(path, label, need_labels):
    """The samples, the labels (None without them) and the feature names of a CSV file."""
    header, numbered = _csv_header(path, _csv_rows(path))
    _check_separator(path, header, numbered)
    columns = _label_columns(path, header, label, need_labels)  # before values are read
    _check_row_lengths(path, header, numbered)
    features = _feature_columns(path, header, columns, label)
    _refuse_index_column(path, header, numbered, features)
    X = _csv_features(path, numbered, header, features)
    y = None if columns is None else _csv_labels(path, numbered, header, columns, need_labels)
    if y is not None and isinstance(label, str):
        y = y[:, 0]
    return Bunch(X=X, y=y, feature_names=[header[i] for i in features])


def _refuse_index_column(path, header, numbered, features):
    """Refuse a first feature column that is a table's index: unnamed, a whole number a row.

    pandas' ``DataFrame.to_csv`` writes the index first by default, under an
    empty name (R's ``write.csv`` its row names, so): read as a feature, the
    row numbers were trained on without a word, and a model fitted on the
    DataFrame refused the file as having a column ``''`` of its own.
    """
    if header[0] or 0 not in features:
        return
    cells = [row[0].strip() for _, row in numbered]
    whole = all(cell.lstrip("-").isdigit() and cell.isascii() for cell in cells)
    if whole and len(set(map(int, cells))) == len(cells):
        raise ValueError(
            f"{path}: its first column has no name and holds a different whole number in "
            "every row, as the index pandas' DataFrame.to_csv writes: read as a feature, "
            "the row numbers would be learnt from. Write the file without it "
            "(to_csv(path, index=False)), or name the column in the header if it is a "
            "feature."
        )


def _csv_rows(path):
    """The rows of a UTF-8 CSV file that hold cells, each with the line where it ends."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:
            # "1, 2, cat" is the class cat, and ', "x,y"' the quoted x,y: spaces after
            # commas are layout, in the cells as in the header.
            reader = csv.reader(file, skipinitialspace=True)
            # Each row with the file's line where it ends, for messages that name one.
            numbered = [(reader.line_num, row) for row in reader]
    except UnicodeDecodeError as exc:  # the codec's message names neither file nor remedy
        with open(path, "rb") as file:
            compressed = file.read(2) == b"\x1f\x8b"
        if compressed:
            raise ValueError(f"{path} is gzip-compressed; decompress it first.") from None
        # exc.start counts from the chunk being decoded, not from the file's start.
        raise ValueError(
            f"{path} is not UTF-8 text (it holds the byte {exc.object[exc.start]:#04x}); "
            "save it as UTF-8."
        ) from None
    return [(line, row) for line, row in numbered if row]  # blank lines hold nothing


def _csv_header(path, numbered):
    """The header's names and the numbered rows of data after it, refused unless both are some."""
    if not numbered:
        raise ValueError(f"{path} is empty; a CSV file starts with a header row.")
    # "a, b, y" is read as the names a, b and y: spaces after commas are layout.
    header, numbered = [name.strip() for name in numbered[0][1]], numbered[1:]
    if _may_be_a_sample(header):
        # The header of a file without one is its first sample, lost as names; but numbers
        # do name columns too (wavelengths, years): read as pandas reads it, and said.
        warn(
            f"{path}: the first row ({', '.join(header)[:60]}) holds numbers only; it is "
            "read as the columns' names, not as a sample. If it is a sample, add a header "
            "row naming the columns."
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:  # a repeated name could not say which column it means
        raise ValueError(f"{path}: the header names {repeated} more than once.")
    if not numbered:  # zero samples of zero features then failed far from the file
        raise ValueError(f"{path} holds a header row and no row of data.")
    return header, numbered


def _check_row_lengths(path, header, numbered):
    """Refuse the first row of another number of cells than the header, naming its line."""
    wrong = next(((line, row) for line, row in numbered if len(row) != len(header)), None)
    if wrong is not None:  # named: in a long file, "every row" leaves the user searching
        line, row = wrong
        raise ValueError(
            f"{path}: line {line} has {len(row)} column{'s' if len(row) != 1 else ''}, not the "
            f"header's {len(header)}; every row must have the header's {len(header)} columns."
        )


def _feature_columns(path, header, columns, label):
    """The header's indices of the columns that are no label, refused unless some."""
    features = [i for i in range(len(header)) if i not in (columns or ())]
    if not features:  # refused as "the samples X are empty", an X never named
        raise ValueError(
            f"{path} has no column besides the label {_names_text(label)}: give the features' "
            "columns too."
        )
    return features


def _csv_features(path, numbered, header, features):
    """The samples X, refused with the line and column of a cell that is no finite number."""
    rows = [row for _, row in numbered]
    try:
        X = _feature_values(rows, features)
    except ValueError:
        raise _not_a_number(path, numbered, header, features) from None
    if not np.isfinite(X).all():  # "nan", "inf" and "1e999" are floats: named here by line
        raise _not_a_number(path, numbered, header, features)
    return X.reshape(len(rows), len(features))


def _names_text(label):
    """A label's name, or names, as messages quote them: ``'y'``, ``'a', 'b'``."""
    return ", ".join(map(repr, [label] if isinstance(label, str) else label))


def _check_separator(path, header, numbered):
    """Refuse a file of another separator than the comma: its header reads as one column.

    Spreadsheets of several languages write semicolons, and ``.csv`` files
    of tabs are common; their rows were said to have no column 'y', or a
    cell that is no number, of a name that was the whole header. The first
    row is searched whole: the decimal commas those spreadsheets write
    split it ("1,5;2" is the cells 1 and 5;2). A header of one name that
    holds the separator is a file of one column when the first row has no
    such character: a number holds none.
    """
    if len(header) != 1 or not numbered:
        return
    first_row = ",".join(numbered[0][1])
    for separator in (";", "\t", "|"):
        if separator in header[0] and separator in first_row:
            raise ValueError(
                f"{path} has one column, whose name holds {separator!r}: save the file "
                "comma-separated."
            )


def _label_columns(path, header, label, need_labels):
    """The header's indices of the label columns, or None where the file has none of them.

    A file without labels is read for its samples, unless labels are needed;
    one that has some of several label columns only is refused, naming
    those it lacks: a typo would leave a target among the features.
    """
    names = [label] if label is None or isinstance(label, str) else label
    missing = [name for name in names if name not in header]
    if not missing:
        return [header.index(name) for name in names]
    if need_labels or len(missing) < len(names):
        what = (
            ": which column holds the labels?"
            if label is None
            else f" has no column{'s' if len(missing) > 1 else ''} {_names_text(missing)}."
        )
        raise ValueError(
            f"{path}{what} Name it with label=... (on the command line: --label COLUMN); "
            f"its columns are {', '.join(header)}."
        )
    return None


def _csv_labels(path, numbered, header, columns, need_labels):
    """The label cells of ``columns``, a row of them per line, read as :func:`_labels` reads."""
    for i in columns:
        # An empty cell is a missing label (pandas writes NaN so), not a class named ''.
        # Refused where labels are needed only: predict leaves the column out, and the
        # rows to predict are those whose labels are unknown.
        unlabelled = [str(line) for line, row in numbered if not row[i].strip()]
        if unlabelled and need_labels:
            shown = ", ".join(unlabelled[:10]) + (" ..." if len(unlabelled) > 10 else "")
            raise ValueError(
                f"{path}: line{'s' if len(unlabelled) > 1 else ''} {shown} "
                f"{'have' if len(unlabelled) > 1 else 'has'} no label in {header[i]!r}; "
                "give every row one, or leave those rows out."
            )
    # Read together: a column of 0.5 among columns of 0 and 1 makes them all numbers.
    cells = [row[i].strip() for _, row in numbered for i in columns]
    cells, every_boolean = _booleans_as_digits(cells, len(columns))
    y = _missing_as_nan(cells)
    if every_boolean and y.dtype.kind in "iu":  # not with a missing label, now NaN
        y = y.astype(bool)
    return y.reshape(len(numbered), len(columns))


#: The cells pandas reads as booleans (its default true_values and false_values).
_BOOLEAN_DIGITS = {"True": "1", "TRUE": "1", "true": "1", "False": "0", "FALSE": "0", "false": "0"}


def _booleans_as_digits(cells, n_columns):
    """The label cells with those of boolean columns as 1 and 0, and whether all columns are.

    ``DataFrame.to_csv`` writes booleans as True and False, which pandas reads
    back as booleans where a column holds nothing else: read as text, a
    multilabel file of them was refused, and the labels did not match those of
    a model fitted on the DataFrame.

    Parameters
    ----------
    cells : list of str
        The label cells, a row after another, stripped.
    n_columns : int
        Label cells a row.

    Returns
    -------
    cells : list of str
    every_boolean : bool
    """
    boolean = [
        any(column) and all(cell in _BOOLEAN_DIGITS for cell in column if cell)
        for column in (cells[k::n_columns] for k in range(n_columns))
    ]
    if not any(boolean):
        return cells, False
    digits = [
        _BOOLEAN_DIGITS.get(cell, cell) if boolean[k % n_columns] else cell
        for k, cell in enumerate(cells)
    ]
    return digits, all(boolean)


def _missing_as_nan(cells):
    """Label cells read by :func:`_labels`, an empty one NaN when the others are numbers.

    Read with the others, an empty cell made every label text ('0', ''):
    a missing number is NaN, as ``"nan"`` and a ``.npz`` archive's NaN are.
    Among names it stays '', the text it is.
    """
    given = [cell for cell in cells if cell]
    if len(given) == len(cells) or not given:
        return _labels(cells)
    known = _labels(given)
    if known.dtype.kind not in "iuf":
        return _labels(cells)
    y = np.full(len(cells), np.nan)
    y[[i for i, cell in enumerate(cells) if cell]] = known
    return y


def _column_text(header, i):
    """The column ``i`` as a message names it: by its name, or by its place when it has none.

    A comma at the end of every line, as spreadsheets write, is a column the
    header leaves unnamed: "column ''" named nothing the user could find.
    """
    if header[i]:
        return f"column {header[i]!r}"
    return f"column {i + 1}, which the header leaves unnamed,"


def _not_a_number(path, numbered, header, features):
    """The error naming the first feature cell that is not a finite number: its line and column."""
    for line, row in numbered:
        for i in features:
            try:
                finite = math.isfinite(_number(row[i]))
            except ValueError:
                cell = "is empty" if not row[i].strip() else f"holds {row[i][:40]!r}"
                return ValueError(
                    f"{path}: line {line}, {_column_text(header, i)} {cell}, not a number; "
                    "features must be numbers (a missing one too: fill it in, or leave the "
                    "row out)."
                )
            if not finite:
                return ValueError(
                    f"{path}: line {line}, {_column_text(header, i)} holds {row[i][:40]!r}, not a "
                    "finite number; features must be finite numbers (a missing one too: fill "
                    "it in, or leave the row out)."
                )
    # Not reached: the cells _feature_values failed on are these, read alike.
    return ValueError(f"{path}: a feature is not a number.")


def _read_npz(path, label, need_labels):
    """The samples ``X`` and the labels (array ``label``, default ``y``) of a .npz archive."""
    if label is not None and not isinstance(label, str):
        raise ValueError(
            f"{path}: label names one array of a .npz archive, not {label}; targets of "
            "several outputs are one 2-D array (n_samples, n_outputs) under one name (on the "
            "command line: one --label)."
        )
    errors = (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error)
    # Opened here, not by np.load(path), which leaves the file it opened open when it
    # refuses the archive.
    with open(path, "rb") as file:
        try:
            archive = np.load(file, allow_pickle=False)
        # A truncated archive or a member whose CRC fails raises zipfile's BadZipFile,
        # corrupt deflate data zlib.error: neither is a ValueError, and both would escape
        # as a traceback.
        except errors as exc:
            raise ValueError(f"{path} is not a NumPy .npz archive: {exc}") from None
        if isinstance(archive, np.ndarray):  # a .npy file's content: np.load reads either
            raise ValueError(f"{path} is a .npy array; name it .npy to read it as the samples X.")
        with archive:
            held = ", ".join(map(repr, sorted(archive.files))) or "none"  # for the refusals
            if "X" not in archive.files:
                raise ValueError(
                    f"{path} holds no array 'X' of samples; it holds {held}. Save the samples "
                    "as X: numpy.savez(path, X=X, y=y)."
                )
            if label == "X":  # the labels would be the samples: a model of its own inputs
                raise ValueError(
                    f"{path}: the labels cannot be the array 'X', the samples; name another "
                    f"array of the archive (it holds {held}) with label=... (on the command "
                    "line: --label NAME)."
                )
            if need_labels and (label or "y") not in archive.files:
                raise ValueError(
                    f"{path} holds no array {label or 'y'!r} of labels; it holds "
                    f"{held}. Name them with label=... "
                    "(on the command line: --label NAME)."
                )
            # The samples and the labels only: other arrays saved beside them (names,
            # notes, Python objects NumPy would have to unpickle) are none of ours.
            names = ["X", label or "y"]
            X, y = (_npz_member(archive, name, path, errors) for name in names)
    return Bunch(X=X, y=y, feature_names=None)


def _npz_member(archive, name, path, errors):
    """The array ``name`` of an open archive, None when it holds none."""
    if name not in archive.files:
        return None
    try:
        return np.asarray(archive[name])
    except ValueError as exc:
        if "allow_pickle" not in str(exc):
            raise ValueError(f"{path} is not a NumPy .npz archive: {exc}") from None
        raise ValueError(
            f"{path}: the array {name!r} holds Python objects (dtype object), which are "
            "not read (loading them could run code); save it as numbers or strings."
        ) from None
    except errors as exc:
        raise ValueError(f"{path} is not a NumPy .npz archive: {exc}") from None


def _read_npy(path, label, need_labels):
    """The samples of a .npy array, which holds no labels (:func:`load_table` says so)."""
    with open(path, "rb") as file:
        start = file.read(6)
    # np.load takes any other bytes for a pickle, and its refusal advises loading the
    # file "unsafely" with allow_pickle: the wrong remedy for text or a compressed file.
    if start != b"\x93NUMPY" and not start.startswith(b"PK\x03\x04"):  # PK: a .npz
        raise ValueError(
            f"{path} is not a NumPy .npy array of numbers: it does not start as a file "
            "written by numpy.save does."
        )
    try:
        X = np.load(path, allow_pickle=False)
    except (ValueError, EOFError) as exc:
        raise ValueError(f"{path} is not a NumPy .npy array of numbers: {exc}") from None
    if not isinstance(X, np.ndarray):
        X.close()
        raise ValueError(f"{path} is a .npz archive; name it .npz to read its array 'X'.")
    return Bunch(X=X, y=None, feature_names=None)
