"""The fitted state of an estimator: everything a fit leaves behind, in one object.

The estimators give their state out as a :class:`FittedState` and take it
in from one (``get_fitted_state`` / ``set_fitted_state``). ``fit``,
``partial_fit``, ``warm_start``, checkpoints, :mod:`sknielsen.persistence`
and the import of the book's files all go through that pair, so a model
that was saved and loaded continues training exactly as the unsaved one
would.
"""

import copy
import numbers
from dataclasses import dataclass

import numpy as np

from .._core.rules import (
    Choice,
    Context,
    Explained,
    Field,
    Integer,
    ModelFileError,
    Nullable,
    Record,
)
from ..callbacks import HISTORY_KEYS
from ..plugins._returns import returned_state

#: The dtypes a fitted network computes in.
FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))

#: The generator's state (``numpy.random.PCG64().state``), declared once: a model
#: file's ``fitted.rng_state`` is read by it, and :meth:`FittedState.check` checks
#: a state given in memory by it, so that what one takes the other takes too.
RNG_STATE = Explained(
    Nullable(
        Record(
            Field("bit_generator", Choice(("PCG64",)), "NumPy's default bit generator."),
            Field(
                "state",
                Record(
                    Field("state", Integer(below=2**128), "Below 2**128."),
                    Field("inc", Integer(below=2**128), "Below 2**128."),
                ),
                "Its 128-bit state and increment.",
            ),
            Field("has_uint32", Choice((0, 1)), "Whether a 32-bit half is buffered."),
            Field("uinteger", Integer(below=2**32), "The buffered half, below 2**32."),
        )
    ),
    "{path} is not a PCG64 generator state.",
)


#: Values a list may hold and its shallow copy still share nothing that can change.
_IMMUTABLE = frozenset({float, int, bool, str, type(None)})


def _copied(value):
    """A copy of ``value`` sharing nothing that can change, as ``copy.deepcopy`` makes.

    ``copy.deepcopy`` visits every number of the history's lists in Python:
    a stream of ``partial_fit`` calls, which copies the state two or three
    times a call, spent 33 ms a call copying after 8,000 epochs, more at
    every call. Lists of numbers are copied whole here, arrays by NumPy.
    """
    if type(value) is dict:
        return {key: _copied(item) for key, item in value.items()}
    if type(value) is list:
        if set(map(type, value)) <= _IMMUTABLE:
            return list(value)
        return [_copied(item) for item in value]
    if type(value) is np.ndarray and value.dtype != object:
        return value.copy()
    return copy.deepcopy(value)


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
        The number of features of the training inputs (``n_features_in_``).
    feature_names_in : ndarray or None
        The names of those features, when they were columns named by
        strings (``feature_names_in_``); else None.
    n_iter : int
        Epochs run in all.
    samples_seen : int
        Training samples seen in all (scikit-learn's ``t_``).
    input_scale : float or None, default=None
        The root mean square of the training inputs, against which
        ``predict`` checks that new rows were scaled alike; None when
        unknown (a model read from a file of format version 1 or 2).
    target_names_in : ndarray or None, default=None
        The names of the target columns, one per output, when the model
        was fitted on a 2-D table of targets named by strings; else None
        (1-D targets, one label a row, or columns not all named by strings).
    split_seed : int or None, default=None
        The seed of the ``validation_fraction`` split the first fit held
        out, which the fits continuing it hold out again; None when no fit
        held rows out (or a model file of format version 1 or 2).

    Examples
    --------
    The estimators give it out with ``get_fitted_state`` and take it back
    with ``set_fitted_state`` or ``from_fitted_state``:

    >>> from sklearn.datasets import load_digits
    >>> from sknielsen import NielsenMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> net = NielsenMLPClassifier(hidden_layer_sizes=(10,), epochs=2, random_state=0)
    >>> state = net.fit(X / 16.0, y).get_fitted_state()
    >>> [w.shape for w in state.coefs], state.n_iter, state.samples_seen
    ([(64, 10), (10, 10)], 2, 3594)
    >>> twin = NielsenMLPClassifier.from_fitted_state(state, hidden_layer_sizes=(10,))
    >>> bool((twin.predict_proba(X / 16.0) == net.predict_proba(X / 16.0)).all())
    True
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
    input_scale: float = None
    target_names_in: np.ndarray = None
    split_seed: int = None

    @classmethod
    def copied(cls, **fields):
        """Return a state holding deep copies of ``fields``: later training never changes it.

        Parameters
        ----------
        **fields : dict
            The state's fields, by name.

        Returns
        -------
        state : FittedState
            Of copies.
        """
        return cls(**_copied(fields))

    def check(self):
        """Refuse a state whose parts do not fit together.

        Raises
        ------
        ValueError
            Naming the first inconsistency found.
        """
        _check_layers(self)
        _check_names(self.feature_names_in, self.n_features_in, "feature_names_in", "features")
        outputs = self.coefs[-1].shape[1]
        _check_names(self.target_names_in, outputs, "target_names_in", "outputs")
        if set(self.history) != set(HISTORY_KEYS):
            raise ValueError(f"The history must have the keys {list(HISTORY_KEYS)}.")
        _check_counts_and_history(self)
        _check_optimizer_state(self)
        try:
            RNG_STATE.read(self.rng_state, "rng_state", Context())
        except ModelFileError as exc:  # no file here
            raise ValueError(str(exc)) from None
        seed = self.split_seed
        if seed is not None and not (
            isinstance(seed, numbers.Integral)
            and not isinstance(seed, bool)
            and 0 <= seed < np.iinfo(np.int32).max
        ):
            raise ValueError(f"split_seed must be an int in [0, 2**31 - 1) or None; got {seed!r}.")
        scale = self.input_scale
        if scale is not None and not (
            isinstance(scale, float) and np.isfinite(scale) and scale > 0
        ):
            raise ValueError(f"input_scale must be a positive finite float or None; got {scale!r}.")


def _check_names(names, count, field, counted):
    """Refuse column names (None for none) that are not ``count`` strings in a row.

    scikit-learn records only string column names, and a file holds strings
    only. A str passed a check of strings (its characters are), and became a
    0-d array that ``save`` could not write.
    """
    if names is None:
        return
    if isinstance(names, (str, bytes)) or np.ndim(names) != 1:
        raise ValueError(
            f"{field} must be a list or 1-D array of names, as fit records them; got {names!r:.60}."
        )
    if len(names) != count:
        what = field.split("_")[0]  # "feature", "target"
        plural = "s" if len(names) != 1 else ""
        raise ValueError(f"{len(names)} {what} name{plural} for {count} {counted} ({field}).")
    if not all(isinstance(name, str) for name in names):
        raise ValueError(f"{field} must be strings, as fit records them; got {list(names[:5])}.")


def check_classes(classes, multilabel, where):
    """Refuse class labels that no fit leaves: the one statement of these rules.

    ``set_fitted_state`` applies them to a state made in memory, and a
    model file's reader to the labels it reads, so that what one takes the
    other takes too (set in memory, a multilabel model of the classes
    ``[0.0, 1.0, 2.0]`` was a model that ``save`` refused to write).

    Parameters
    ----------
    classes : ndarray of shape (n_classes,)
        Anything else is refused.
    multilabel : bool
        Whether the classes are a multilabel indicator matrix's columns.
    where : str
        The name of the classes in the message: ``"fitted.targets.classes"``.

    Raises
    ------
    ValueError
        Naming ``where``, the rule and the classes.
    """
    if not isinstance(classes, np.ndarray):  # classes_[indices] fails on a list
        raise ValueError(
            f"{where} must be a NumPy array, as fit leaves it; got {type(classes).__name__}."
        )
    shown = classes[:10].tolist()
    # fit takes object labels only as strings ("Unknown label type" otherwise);
    # strings mixed with others are refused where the classes are sorted.
    if classes.dtype.kind == "O" and not any(isinstance(label, str) for label in classes.tolist()):
        raise ValueError(
            f"{where}: values of dtype object must be strings, as fit leaves them; got {shown}."
        )
    columns = np.arange(len(classes))
    if multilabel and (classes.dtype.kind not in "iu" or not np.array_equal(classes, columns)):
        # The next partial_fit, whose classes must be these, would refuse any others.
        raise ValueError(
            f"{where}: a multilabel model's classes are its columns, the integers 0 to "
            f"{len(classes) - 1}; got {shown} (dtype {classes.dtype})."
        )


def _check_counts_and_history(state):
    """Counts are non-negative integers, history lists hold numbers: as a model file's do."""
    for name in ("n_iter", "samples_seen"):
        value = getattr(state, name)
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer; got {value!r}.")
    for key, values in state.history.items():
        if not isinstance(values, list) or not all(map(_is_real, values)):
            raise ValueError(f"history.{key} must be a list of real numbers.")


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _check_layers(state):
    if not state.coefs or len(state.coefs) != len(state.intercepts):
        raise ValueError("coefs and intercepts must be non-empty and of the same length.")
    _check_arrays(state)
    if state.coefs[0].shape[0] != state.n_features_in:
        raise ValueError("n_features_in does not match the first layer's weights.")
    for i, (w, b) in enumerate(zip(state.coefs, state.intercepts)):
        if w.ndim != 2:
            raise ValueError(f"Layer {i}: coefs[{i}] must be 2-D; got shape {w.shape}.")
        if b.shape != (w.shape[1],):
            raise ValueError(
                f"Layer {i}: weights and biases disagree: coefs[{i}] of shape {w.shape} needs "
                f"intercepts[{i}] of shape ({w.shape[1]},); got {b.shape}."
            )
        if 0 in w.shape:
            raise ValueError(f"Layer {i} has no neurons or no inputs: weights of shape {w.shape}.")
        if i and state.coefs[i - 1].shape[1] != w.shape[0]:
            raise ValueError(
                f"Layer {i} expects {w.shape[0]} inputs but layer {i - 1} has "
                f"{state.coefs[i - 1].shape[1]} neurons."
            )


def _check_arrays(state):
    """Weights and biases: finite NumPy arrays of one float dtype, as a fit leaves them.

    A state built by hand (``from_fitted_state``) with NaN weights predicted
    the first class for every row, and one of integers failed deep in NumPy.
    """
    dtype = getattr(state.coefs[0], "dtype", None)
    for name, arrays in (("coefs", state.coefs), ("intercepts", state.intercepts)):
        for i, array in enumerate(arrays):
            if not isinstance(array, np.ndarray) or dtype not in FLOAT_DTYPES:
                raise ValueError(
                    f"{name}[{i}] must be a NumPy array of float64 or float32; got "
                    f"{getattr(array, 'dtype', type(array).__name__)}."
                )
            if array.dtype != dtype:
                raise ValueError(f"{name}[{i}] is {array.dtype} but coefs[0] is {dtype}.")
            if not np.all(np.isfinite(array)):
                raise ValueError(f"{name}[{i}] holds NaN or infinite values.")


def initial_optimizer_arrays(optimizer, coefs):
    """The arrays ``optimizer.init`` makes for a network of weight matrices ``coefs``.

    Parameters
    ----------
    optimizer : Optimizer
    coefs : list of ndarray of shape (n_in, n_out)
        The network's weights; its biases are one per column of each, and
        every parameter is in the weights' dtype.

    Returns
    -------
    arrays : dict
        By name, as ``init`` returns them (checked), each in the dtype it
        makes (Adam's step count is a float64 whatever the weights').
    """
    n_params = sum(w.size + w.shape[1] for w in coefs)
    params = np.zeros(n_params, dtype=coefs[0].dtype)
    return returned_state(optimizer, "init", optimizer.init(params))


def _check_optimizer_state(state):
    """The optimizer state must hold η and the arrays, and shapes, its optimizer makes."""
    optimizer_state = state.optimizer_state
    for key in ("eta", "eta0"):
        value = optimizer_state.get(key)
        if not isinstance(value, float) or not np.isfinite(value) or value < 0:
            raise ValueError(f"optimizer_state.{key} must be a finite non-negative number.")
    optimizer = state.plugins["optimizer"]
    expected = initial_optimizer_arrays(optimizer, state.coefs)
    arrays = {k: v for k, v in optimizer_state.items() if k not in ("eta", "eta0")}
    if set(arrays) != set(expected):
        raise ValueError(f"optimizer_state should have the keys {sorted(expected)}.")
    for key, value in arrays.items():
        if np.shape(value) != np.shape(expected[key]):
            raise ValueError(f"optimizer_state.{key} has the wrong size.")
    # What no step leaves (Adam's step count of 0.11): refused here, not blamed on a
    # callback when training resumes.
    problem = optimizer.state_problem(optimizer_state)
    if problem is not None:
        raise ValueError(f"optimizer_state: {problem}.")
