"""The fitted state of an estimator: everything a fit leaves behind, in one object.

The estimators capture their state into a :class:`FittedState` and restore
it from one (``_capture_state`` / ``_restore_state``). ``fit``,
``partial_fit``, ``warm_start``, :mod:`sknielsen.persistence` and the import
of the book's files all go through that pair, so a model that was saved and
loaded continues training exactly as the unsaved one would.
"""

import copy
from dataclasses import dataclass

import numpy as np


@dataclass
class FittedState:
    """Everything a fit leaves behind.

    Attributes
    ----------
    coefs, intercepts : list of ndarray
        Weights (n_in, n_out) and biases (n_out,) of each layer.
    plugins : dict
        The fitted plugin instances by parameter name (``cost``,
        ``activation``, ``output_activation``, ``initializer``,
        ``regularizer``, ``optimizer``).
    optimizer_state : dict
        The optimizer's arrays plus ``eta`` (the current η) and ``eta0``
        (the η training started from).
    history : dict of list
        Per-epoch records, keys ``sknielsen.callbacks.HISTORY_KEYS``.
    rng_state : dict or None
        State of the generator of shuffling, dropout and augmentation
        (``numpy.random.Generator.bit_generator.state``); None when unknown.
    targets : dict
        The label encoding: ``classes`` and ``multilabel`` for a classifier,
        ``y_1d`` for a regressor.
    n_features_in : int
    feature_names_in : ndarray or None
    n_iter : int
        Epochs run in all.
    samples_seen : int
        Training samples seen in all (scikit-learn's ``t_``).
    """

    coefs: list
    intercepts: list
    plugins: dict
    optimizer_state: dict
    history: dict
    rng_state: dict
    targets: dict
    n_features_in: int
    feature_names_in: np.ndarray
    n_iter: int
    samples_seen: int

    def copy(self):
        """A deep copy: training on it never changes the original."""
        return copy.deepcopy(self)
