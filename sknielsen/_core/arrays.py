"""Arrays of other array libraries, read as NumPy arrays wherever they come in."""

import contextlib
import functools

import numpy as np
from scipy.sparse import issparse
from sklearn import config_context, get_config


def in_numpy():
    """A context in which scikit-learn reads arrays of any array library as NumPy arrays.

    The network computes in NumPy. Under scikit-learn's
    ``array_api_dispatch=True`` its validation keeps an array of another
    library (``array_api_strict``, CuPy, PyTorch) in that library, and
    failed inside it on NumPy's dtypes ("'dtype' must be a dtype"), as it
    does for scikit-learn's own MLP. Without dispatch, its default, it
    converts them with ``np.asarray``; outputs and fitted attributes are
    NumPy arrays either way.
    """
    return config_context(array_api_dispatch=False)


def reads_numpy(function):
    """``function`` run within :func:`in_numpy`.

    A wrapper of the library's own rather than ``config_context`` as a
    decorator: warnings that point at the user's line step over the
    library's frames, and would take ``contextlib``'s for the user's.
    """

    @functools.wraps(function)
    def run_in_numpy(*args, **kwargs):
        with in_numpy():
            return function(*args, **kwargs)

    return run_in_numpy


def working_memory():
    """Bytes a computation may hold in temporary arrays: scikit-learn's ``working_memory``.

    Set with ``sklearn.set_config(working_memory=...)`` (MiB, default 1024),
    as for scikit-learn's own chunked computations (``pairwise_distances_chunked``).
    """
    return int(get_config()["working_memory"] * 2**20)


def stacked_in_chunks(n_rows, max_rows, compute):
    """``compute(rows)`` of consecutive slices of ``n_rows`` rows, in one array.

    As few slices as hold at most ``max_rows`` rows each, of equal sizes (to
    a row), so that no small one is left over: a chunked computation's
    temporaries are those of one slice, its result whole.

    Parameters
    ----------
    n_rows : int
    max_rows : int
        At least 1.
    compute : callable
        ``compute(rows)`` for a ``slice`` of the rows: an array of their
        rows' results, all of one shape beyond the first axis and one dtype.

    Returns
    -------
    stacked : ndarray of shape (n_rows, ...)
    """
    n_chunks = -(-n_rows // max_rows)
    stacked = None
    for chunk in range(n_chunks):
        rows = slice(chunk * n_rows // n_chunks, (chunk + 1) * n_rows // n_chunks)
        part = compute(rows)
        if stacked is None:
            stacked = np.empty((n_rows, *part.shape[1:]), dtype=part.dtype)
        stacked[rows] = part
    return stacked


def ragged_row_lengths(values):
    """The lengths of the rows of a list or tuple of rows, longest first, when they differ.

    NumPy 2 refuses rows of different lengths ("inhomogeneous shape"), while
    NumPy 1 made an array of lists of them: the callers refuse them before
    either, in the same words on both. An empty list when they do not differ,
    or when ``values`` is no list or tuple of rows.
    """
    if not isinstance(values, (list, tuple)):
        return []
    lengths = {len(row) for row in values if isinstance(row, (list, tuple, np.ndarray))}
    return sorted(lengths, reverse=True) if len(lengths) > 1 else []


@contextlib.contextmanager
def refusing_huge_integers(name):
    """A context in which an integer beyond the largest float is refused, naming ``name``.

    Python's integers have no bound: NumPy's conversion of one beyond
    float64's range (about 1.8e308) failed as "OverflowError: int too large
    to convert to float", naming no argument.

    Parameters
    ----------
    name : str
        The argument converted within the context, for the message.

    Raises
    ------
    ValueError
        For an ``OverflowError`` raised within the context.
    """
    try:
        yield
    except OverflowError:
        raise ValueError(
            f"{name} holds an integer beyond the largest float (about 1.8e+308), which the "
            f"network cannot compute with: give {name} in smaller units."
        ) from None


def missing_rows(y):
    """The positions of the rows of ``y`` holding a missing label; none for what is unreadable.

    Missing: None, a NaN (a float's, a complex number's or a Decimal's),
    pandas' NA or NaT, in a pandas object (by its own ``isna``) or among
    Python objects. A numeric array's NaN is left to the validation that
    follows, which names it; so is a list or array that NumPy cannot make
    one array of (ragged rows), and a sparse matrix (a label indicator).

    Parameters
    ----------
    y : array-like, pandas object or sparse matrix
        Labels or targets, a row of them per sample.

    Returns
    -------
    rows : ndarray of int
    """
    isna = getattr(y, "isna", None)
    if isna is not None and hasattr(y, "dtypes"):  # pandas: its own idea of missing
        missing = np.asarray(isna())
    elif issparse(y):
        return np.array([], dtype=int)
    else:
        # As objects: NumPy makes ["a", nan] the strings "a" and "nan", a class of its own.
        try:
            values = y if isinstance(y, np.ndarray) else np.asarray(y, dtype=object)
        except (ValueError, TypeError):
            return np.array([], dtype=int)
        if values.dtype.kind != "O" or values.ndim == 0:
            return np.array([], dtype=int)
        missing = np.frompyfunc(_is_missing, 1, 1)(values).astype(bool)
    if not missing.size:  # no labels at all: validation says so (reshape cannot, of 0 rows)
        return np.array([], dtype=int)
    return np.flatnonzero(missing.reshape(len(missing), -1).any(axis=1))


def _is_missing(value):
    """Whether one label among objects is missing: None, pandas' NA or NaT, or a NaN."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):  # NA == NA is NA
        return True
    try:
        return bool(value != value)  # NaN (float, complex, Decimal), NumPy's NaT: unequal
    except (TypeError, ValueError, ArithmeticError):  # an array; a signalling Decimal NaN
        return False
