"""Expanding the training data offline: the book's ``expand_mnist.py`` as a function.

``NielsenMLPClassifier(augment=...)`` distorts every mini-batch anew during
training; :func:`expand` instead makes a fixed, larger data set once, for
comparison with the on-the-fly mode or for other estimators.
"""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval

from ._core.params import validate_arguments
from .plugins._augmenters import (
    apply_augmenter,
    as_augmenter,
    check_image_shape,
    image_shape_for,
)
from .training._run import seeded_generator

__all__ = ["expand"]


@validate_arguments(
    {
        "X": ["array-like"],
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
    X : array-like of shape (n_samples, n_features)
        Images as rows.
    y : array-like of shape (n_samples,)
        Labels, repeated for the copies.
    augment : str, Augmenter or list, default='shift'
        As the estimator's ``augment`` parameter.
    copies : int, default=4
        Distorted copies per example, at least 1 (the book's ``expand_mnist.py`` makes 4
        one-pixel shifts).
    image_shape : tuple of int, optional
        (height, width); default square.
    random_state : int, RandomState instance or None, default=0
        Seeds the distortions, as scikit-learn's ``random_state``.

    Returns
    -------
    X_expanded : ndarray of shape (n_samples * (copies + 1), n_features)
        The original images, then the copies.
    y_expanded : ndarray of shape (n_samples * (copies + 1),)
        Their labels.

    Raises
    ------
    TypeError
        If ``X`` holds other than numbers (strings, objects).
    ValueError
        If ``X`` is not 2-D with one row per label, or its rows are not
        images of ``image_shape``.

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
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2 or len(X) != len(y):
        raise ValueError(f"X must be 2-D with one row per label; got {X.shape} and {y.shape}.")
    if not (np.issubdtype(X.dtype, np.number) or X.dtype == bool):
        # scipy would fail deep inside: "data type 'str32' not understood".
        raise TypeError(
            f"expand needs images of numbers; X holds {X.dtype}: convert it first, "
            "with X.astype(float), say."
        )
    n_samples, n_features = X.shape
    image_shape = image_shape_for(n_features, check_image_shape(image_shape, "expand"))
    augmenter = as_augmenter(augment, "expand")
    rng = seeded_generator(random_state)
    images = X.reshape(n_samples, *image_shape)
    distorted = [
        apply_augmenter(augmenter, images, rng).reshape(n_samples, n_features)
        for _ in range(copies)
    ]
    return np.concatenate([X, *distorted]), np.concatenate([y] * (copies + 1))
