"""Arrays of other array libraries, read as NumPy arrays wherever they come in."""

import functools

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
