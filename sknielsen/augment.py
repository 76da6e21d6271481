"""Expanding the training data offline, as the book's ``expand_mnist.py`` does.

``NielsenMLPClassifier(augment=...)`` distorts every mini-batch anew during
training; :func:`expand` instead makes a fixed, larger data set once, of
random distortions, for comparison with the on-the-fly mode or for other
estimators. :func:`expand_mnist` makes the book's own expanded set: every
image and its four one-pixel shifts.
"""

import copy
from numbers import Integral

import numpy as np
from scipy.sparse import issparse
from sklearn.utils._param_validation import Interval

from ._core.arrays import missing_rows, ragged_row_lengths
from ._core.params import validate_arguments
from .plugins._augmenters import (
    apply_augmenter,
    as_augmenter,
    check_image_shape,
    image_shape_for,
)
from .training._run import seeded_generator

__all__ = ["expand", "expand_mnist"]


@validate_arguments(
    {
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "augment": "no_validation",  # checked by as_augmenter, naming the path
        "copies": [Interval(Integral, 1, None, closed="left")],
        "image_shape": "no_validation",  # checked by check_image_shape
        "random_state": ["random_state"],
    }
)
def expand(X, y, augment="shift", *, copies=4, image_shape=None, random_state=0):
    """Return the original examples followed by ``copies`` distorted copies of each.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Images as rows; sparse ones are made dense (the copies are, whose
        moved pixels fill their neighbours).
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Labels, repeated for the copies: class labels of any type, a
        multilabel indicator matrix or regression targets.
    augment : str, Augmenter or list, default='shift'
        As the estimator's ``augment`` parameter.
    copies : int, default=4
        Distorted copies per example, at least 1. Each copy is a random
        distortion: ``'shift'`` moves an image by a random number of pixels
        on both axes, not by the book's four one-pixel shifts
        (:func:`expand_mnist` makes those).
    image_shape : tuple of int, optional
        (height, width); default square.
    random_state : int, RandomState instance or None, default=0
        Seeds the distortions, as scikit-learn's ``random_state``.

    Returns
    -------
    X_expanded : ndarray of shape (n_samples * (copies + 1), n_features)
        The original images, then the copies; of ``X``'s dtype, or of the
        floats an augmenter returns for integer or boolean images.
    y_expanded : ndarray of shape (n_samples * (copies + 1),) or (..., n_outputs)
        Their labels.

    Raises
    ------
    TypeError
        If ``X`` holds other than real numbers (strings, objects, complex
        numbers, dates or durations), or ``y`` complex numbers.
    ValueError
        If ``X`` is not 2-D (a list of rows of different lengths, say),
        holds no image or images of no pixels, NaN or infinity, or its rows
        are not images of ``image_shape``; if ``y`` is a column (shape
        (n_samples, 1)), has more than 2 dimensions or rows of different
        lengths, holds NaN, infinity or a missing label (None, pd.NA,
        NaT), or has not one label per row of ``X``.
    MemoryError
        If the expanded arrays would not fit in memory, before any copy is
        distorted.

    Examples
    --------
    Two shifted copies of 100 digits, after the originals:

    >>> from sklearn.datasets import load_digits
    >>> from sknielsen.augment import expand
    >>> X, y = load_digits(return_X_y=True)
    >>> X_more, y_more = expand(X[:100], y[:100], "shift", copies=2, random_state=0)
    >>> X_more.shape, y_more.shape
    ((300, 64), (300,))
    >>> bool((X_more[:100] == X[:100]).all()), bool((y_more[200:] == y[:100]).all())
    (True, True)
    """
    X = _checked_images(X, "expand")
    y = _checked_labels(y, len(X))
    n_samples, n_features = X.shape
    image_shape = image_shape_for(n_features, check_image_shape(image_shape, "expand"))
    augmenter = as_augmenter(augment, "expand")
    rng = seeded_generator(random_state)
    images = X.reshape(n_samples, *image_shape)
    dtype = _expanded_dtype(augmenter, images, rng)
    X_expanded, y_expanded = _allocated(X, y, copies, dtype)
    for number in range(1, copies + 1):
        distorted = apply_augmenter(augmenter, images, rng).reshape(n_samples, n_features)
        if not np.can_cast(distorted.dtype, X_expanded.dtype):
            # An augmenter whose dtype changed after the first image: kept, not truncated.
            X_expanded = X_expanded.astype(np.result_type(X_expanded, distorted))
        X_expanded[number * n_samples : (number + 1) * n_samples] = distorted
    return X_expanded, y_expanded


#: expand_mnist.py's displacements in its order, down, up, right, left: (pixels, axis of
#: the image) for np.roll, then the edge whose row or column rolled round, set to 0.
_BOOK_SHIFTS = ((1, 0, 0), (-1, 0, -1), (1, 1, 0), (-1, 1, -1))


@validate_arguments(
    {
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "image_shape": "no_validation",  # checked by check_image_shape
    }
)
def expand_mnist(X, y, *, image_shape=None):
    """Return each image followed by its four one-pixel shifts, as the book's ``expand_mnist.py``.

    Each image is moved one pixel down, up, right and left, in that order,
    and the row or column left empty at the edge it moved away from is 0 (the
    book rolls the image and zeroes the row or column that rolled round).
    The five images of each example stay together, in the book's order
    before its ``random.shuffle`` of the whole list; training shuffles them
    anyway.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Images as rows; sparse ones are made dense.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Labels, repeated for the shifted images.
    image_shape : tuple of int, optional
        (height, width); default square.

    Returns
    -------
    X_expanded : ndarray of shape (n_samples * 5, n_features)
        For each image: itself, then moved down, up, right and left; of
        ``X``'s dtype.
    y_expanded : ndarray of shape (n_samples * 5,) or (..., n_outputs)
        Their labels.

    Raises
    ------
    TypeError, ValueError
        As :func:`expand`, for images or labels it refuses.

    See Also
    --------
    expand : Random distortions (rotations, shifts, elastic), as many copies as asked.

    Examples
    --------
    A bright pixel in the middle of a 3 × 3 image moves down, up, right and
    left:

    >>> import numpy as np
    >>> from sknielsen.augment import expand_mnist
    >>> dot = np.zeros((1, 9))
    >>> dot[0, 4] = 1.0
    >>> X_more, y_more = expand_mnist(dot, [5])
    >>> [int(np.flatnonzero(image)[0]) for image in X_more]  # row * 3 + column
    [4, 7, 1, 5, 3]
    >>> y_more.tolist()
    [5, 5, 5, 5, 5]
    """
    X = _checked_images(X, "expand_mnist")
    y = _checked_labels(y, len(X))
    n_samples, n_features = X.shape
    image_shape = image_shape_for(n_features, check_image_shape(image_shape, "expand_mnist"))
    images = X.reshape(n_samples, *image_shape)
    expanded = np.empty((n_samples, 1 + len(_BOOK_SHIFTS), *image_shape), dtype=X.dtype)
    expanded[:, 0] = images
    for number, (pixels, axis, edge) in enumerate(_BOOK_SHIFTS, start=1):
        moved = np.roll(images, pixels, axis=axis + 1)
        index = [slice(None)] * 3
        index[axis + 1] = edge
        moved[tuple(index)] = 0
        expanded[:, number] = moved
    y_expanded = np.repeat(y, 1 + len(_BOOK_SHIFTS), axis=0)
    return expanded.reshape(-1, n_features), y_expanded


def _expanded_dtype(augmenter, images, rng):
    """The dtype of the expanded images: the images', or the floats an augmenter returns.

    Augmenters return floats of a float image's dtype, but may return floats for
    integer or boolean images, which are kept rather than truncated. One image,
    distorted with a copy of ``rng`` (the copies' draws unchanged), tells which.
    """
    if images.dtype.kind == "f":
        return images.dtype
    probe = apply_augmenter(augmenter, images[:1], copy.deepcopy(rng))
    return np.result_type(images.dtype, probe.dtype)


def _allocated(X, y, copies, dtype):
    """The expanded arrays: ``X`` then room for its copies, in ``dtype``, and ``y`` repeated.

    Made before any distortion, so that copies beyond memory are refused at
    once (each copy was distorted and kept, and all joined at the end: the
    result was held twice, and ``copies=10**15`` ran until memory ran out).
    """
    n_rows = len(X) * (copies + 1)
    try:
        X_expanded = np.empty((n_rows, X.shape[1]), dtype=dtype)
        y_expanded = np.tile(y, (copies + 1,) + (1,) * (y.ndim - 1))
    except (MemoryError, ValueError) as exc:  # ValueError: beyond any array's size
        raise MemoryError(
            f"expand(copies={copies}) would make {n_rows:,} rows of {X.shape[1]} {dtype} "
            f"pixels, more than memory holds ({exc}): ask for fewer copies, or expand X in "
            "parts."
        ) from None
    X_expanded[: len(X)] = X
    return X_expanded, y_expanded


def _checked_images(X, owner):
    """``X`` as an array of images in rows, refused (by ``owner``) when they cannot be distorted."""
    X = X.toarray() if issparse(X) else _as_array(X, "X", "one image per row, all of one length")
    if X.ndim != 2:
        stack = " (a stack of images: pass X.reshape(len(X), -1))" if X.ndim == 3 else ""
        raise ValueError(f"X must be 2-D, one image per row; got shape {X.shape}{stack}.")
    if np.issubdtype(X.dtype, np.complexfloating):
        # scipy distorts the real and imaginary parts alike, into complex copies.
        raise TypeError(
            f"{owner} needs real-valued images; X holds {X.dtype}: take X.real or np.abs(X) first."
        )
    if X.dtype.kind not in "biuf":
        # scipy would fail deep inside: "data type 'str32' not understood", or for
        # durations, integers to NumPy, "data type not supported".
        raise TypeError(
            f"{owner} needs images of numbers; X holds {X.dtype}: convert it first, "
            "with X.astype(float), say."
        )
    if not X.size:
        what = "no images" if not len(X) else "images of no pixels"
        raise ValueError(f"X holds {what}: shape {X.shape}; there is nothing to expand.")
    # Interpolation mixes neighbouring pixels: one NaN would spoil its neighbours too.
    _check_finite(X, "X", "the distortions would spread it to neighbouring pixels")
    return X


def _checked_labels(y, n_samples):
    """``y`` as an array of one label (or row of targets) per image."""
    y = _as_array(y, "y", "one label (or row of targets) per image, all of one length")
    if y.ndim == 2 and y.shape[1] == 1:
        # The copies would keep the column, which classifiers take for a mistake.
        raise ValueError(f"y of shape {y.shape} is a column: pass y.ravel(), a 1-D array.")
    if y.ndim not in (1, 2):
        raise ValueError(
            "y must be a 1-D array of labels (2-D for a multilabel indicator matrix or "
            f"several targets); got shape {y.shape}."
        )
    if len(y) != n_samples:
        raise ValueError(
            f"y must hold one label per row of X: {len(y)} labels for {n_samples} rows."
        )
    if np.issubdtype(y.dtype, np.complexfloating):
        raise TypeError(f"expand needs real labels; y holds {y.dtype}.")
    _check_finite(y, "y", "every image needs a label")
    return y


def _as_array(values, name, what):
    """``values`` as an array, or a ValueError naming ``name`` and saying it must be ``what``."""
    lengths = ragged_row_lengths(values)  # NumPy 1 made an array of lists of them
    if lengths:
        raise ValueError(
            f"{name} must be {what}; it has rows of lengths {lengths[0]} and {lengths[1]}."
        )
    try:
        return np.asarray(values)
    except ValueError as exc:  # rows of different lengths: NumPy's words name no argument
        raise ValueError(
            f"{name} must be {what}; NumPy cannot make one array of it: {exc}"
        ) from None


def _check_finite(array, name, why):
    """Refuse NaN or infinity among the numbers of ``array``, and missing labels, saying ``why``."""
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array)
        if np.any(bad):
            what = "NaN" if np.any(np.isnan(array[bad])) else "infinity"
            raise ValueError(f"{name} contains {what}: {why}.")
        return
    if array.dtype.kind in "mM":
        rows = np.flatnonzero(np.isnat(array).reshape(len(array), -1).any(axis=1))
    else:  # labels of pandas, or a list, as objects: None, NaN, pd.NA or NaT
        rows = missing_rows(array)
    if rows.size:
        raise ValueError(
            f"{name} contains a missing label (None, NaN, pd.NA or NaT) at position "
            f"{int(rows[0])}: {why}."
        )
