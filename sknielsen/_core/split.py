"""Held-out sets: stratified when the classes allow it, never taking a class whole."""

import math

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils import _safe_indexing, check_random_state


def hold_out(*arrays, test_size, random_state, stratify=None):
    """``train_test_split(*arrays)``, stratified by ``stratify`` when every class can be.

    A class with too few examples to appear on both sides makes scikit-learn's
    stratified split fail, with an error about a stratification the caller did
    not ask of the user: the split is then random, except that one example
    of each class stays on the kept side, so that no class is held out whole.

    Parameters
    ----------
    *arrays : sequence of indexables of the same length
    test_size : float
        The share held out.
    random_state : int or numpy.random.RandomState
    stratify : array-like of shape (n_samples,) or None, default=None
        The class of each row, or None for no stratification.

    Returns
    -------
    parts : list
        As ``train_test_split``'s: each array's kept rows, then its held-out rows.

    Raises
    ------
    ValueError
        When the rows left after keeping one of each class are fewer than
        the share held out: every class could not keep an example. It names
        ``test_size`` as the estimators' ``validation_fraction``, which all
        the callers split by.
    """
    if stratify is None:
        return train_test_split(*arrays, test_size=test_size, random_state=random_state)
    classes = np.asarray(stratify)
    rows = np.arange(len(classes))
    try:
        kept, held = train_test_split(
            rows, test_size=test_size, random_state=random_state, stratify=classes
        )
    except ValueError:  # too few samples of some class to stratify
        kept = None
    # Holding out more than half, a stratified split too can leave a class no kept row.
    if kept is None or len(np.unique(classes[kept])) < len(np.unique(classes)):
        kept, held = _keeping_every_class(classes, test_size, random_state)
    return [_safe_indexing(array, part) for array in arrays for part in (kept, held)]


def n_held_out(test_size, n_samples):
    """How many of ``n_samples`` rows a share ``test_size`` holds out: train_test_split's."""
    return math.ceil(test_size * n_samples)


def _keeping_every_class(classes, test_size, random_state):
    """Kept and held-out row indices of a random split that keeps one row of each class."""
    n_samples = len(classes)
    n_held = n_held_out(test_size, n_samples)
    order = check_random_state(random_state).permutation(n_samples)
    _, first = np.unique(classes[order], return_index=True)
    candidates = np.delete(order, first)  # the rest, in the shuffled order
    if len(candidates) < n_held:
        raise ValueError(
            f"validation_fraction={test_size:g}: holding out {n_held} of the {n_samples} "
            f"samples would leave a class with none to train on: {len(first)} classes must "
            "each keep one. Give more samples of the rarest classes, or X_val and y_val."
        )
    held = candidates[:n_held]
    return np.setdiff1d(order, held, assume_unique=True), held
