"""The book's way of choosing hyper-parameters, as tools.

Chapter 3 of the book gives a procedure rather than a grid: strip the
problem down for fast feedback (:func:`simplify`), find the threshold
learning rate at which the training cost stops falling from the start
(:func:`find_eta_threshold`, then use about half of it), and move λ by
factors of 10 in the direction that improves validation accuracy
(:func:`search_lmbda`). Each function returns plain results, with the trace
of every trial, that :mod:`sknielsen.plotting` can draw.
"""

import itertools
import math
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
from scipy.sparse import issparse
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import _safe_indexing, check_array
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import _get_feature_names, check_consistent_length

from .. import NielsenMLPClassifier, NielsenMLPRegressor, plugins
from .._classifier import check_sortable_labels
from .._core.arrays import reads_numpy
from .._core.params import validate_arguments
from .._core.split import hold_out
from .._core.tables import library
from .._core.warn import silenced, warn
from ..utils import InterruptWatch, canonical_csr
from ._inputs import check_feature_names, checked_values, refuse_sparse_training, refusers

__all__ = ["EtaSearch", "LmbdaSearch", "find_eta_threshold", "search_lmbda", "simplify"]


@validate_arguments(
    {
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "classes": ["array-like"],
        "n": [Interval(Integral, 1, None, closed="left")],
    }
)
@reads_numpy  # arrays of any array library read as NumPy's, as the estimators read them
def simplify(X, y, classes=(0, 1), n=1000):
    """Return the book's stripped-down problem: only some classes, and few examples.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The inputs, finite: the searches that train on the result cannot
        take NaN or infinity, so they are refused here, naming ``X``.
    y : array-like of shape (n_samples,)
        Their labels, finite.
    classes : sequence, default=(0, 1)
        Labels to keep (the book keeps the 0s and 1s of MNIST).
    n : int, default=1000
        Keep the first ``n`` such examples; at least 1.

    Returns
    -------
    X_small, y_small : ndarray, sparse matrix, DataFrame or Series
        The examples kept, in their order: a pandas or polars ``X`` or ``y``
        stays one, with its column names (or name; a pandas one with the
        kept rows' index), a sparse ``X`` stays sparse, anything else is an
        ndarray.

    Raises
    ------
    ValueError
        If ``X`` or ``y`` holds NaN or infinity, ``y`` is not one label per
        row of ``X``, or no label is in ``classes``.

    Examples
    --------
    The zeros and ones of the digits, as the book keeps MNIST's:

    >>> import numpy as np
    >>> from sknielsen.datasets import load_digits_split
    >>> from sknielsen.tuning import simplify
    >>> d = load_digits_split()
    >>> X_small, y_small = simplify(d.X_train, d.y_train, n=200)
    >>> X_small.shape, np.unique(y_small)
    ((200, 64), array([0, 1]))
    """
    # Canonical CSR: the rows of a COO (or DIA) matrix cannot be selected.
    X_checked = check_array(canonical_csr(X, "X"), accept_sparse=True, dtype=None, input_name="X")
    y_checked = check_array(y, ensure_2d=False, dtype=None, input_name="y")
    # Indices into y select rows of X: they must be one label per row.
    if y_checked.ndim != 1 or X_checked.shape[0] != len(y_checked):
        raise ValueError(
            f"simplify needs one label per row of X: y of shape {y_checked.shape} for X of "
            f"shape {X_checked.shape}."
        )
    # NumPy's isin reads a set as one object, matching no label: its members are the classes.
    classes = list(classes) if isinstance(classes, (set, frozenset)) else classes
    keep = np.flatnonzero(np.isin(y_checked, classes))[:n]
    if keep.size == 0:
        raise ValueError(f"No example has a label in {list(classes)}.")
    # pandas and polars data keep their names (check_array keeps only the values).
    X_kept = X if _is_frame(X) else X_checked
    y_kept = y if _is_frame(y) else y_checked
    return _safe_indexing(X_kept, keep), _safe_indexing(y_kept, keep)


def _is_frame(data):
    """Whether ``data`` is a pandas or polars DataFrame or Series, whose rows keep their names.

    scikit-learn selects rows of both from its floor, 1.6, on.
    """
    return hasattr(data, "iloc") or library(data) == "polars"


@dataclass
class EtaSearch:
    """Result of :func:`find_eta_threshold`.

    Attributes
    ----------
    threshold : float
        Largest η tried at which the training cost fell at every one of the
        first epochs.
    recommended : float
        Half of it, the book's advice.
    trace : list of dict
        Every trial in order: ``eta``, ``costs`` (per epoch) and
        ``decreasing``; the numbers are Python floats, whatever numbers
        ``start`` and ``factor`` were, so that ``json.dumps`` takes them.

    Examples
    --------
    The threshold η of the digits' zeros and ones, with two epochs a trial:

    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.datasets import load_digits_split
    >>> from sknielsen.tuning import find_eta_threshold, simplify
    >>> d = load_digits_split()
    >>> X, y = simplify(d.X_train, d.y_train, n=200)
    >>> net = NielsenMLPClassifier(hidden_layer_sizes=(10,), random_state=0)
    >>> result = find_eta_threshold(net, X, y, epochs=2, refine=0)
    >>> for trial in result.trace:
    ...     print(trial["eta"], trial["decreasing"])
    0.01 True
    0.1 True
    1.0 True
    10.0 False
    >>> result.threshold, result.recommended
    (1.0, 0.5)
    """

    threshold: float
    recommended: float
    trace: list = field(default_factory=list)


@dataclass
class LmbdaSearch:
    """Result of :func:`search_lmbda`.

    Attributes
    ----------
    best : float
        The λ with the best validation score among those tried.
    best_score : float
        Its validation score, the best score of ``trace``.
    trace : list of dict
        Every trial in order: ``lmbda`` and ``score``, Python floats
        whatever numbers ``start`` and ``factor`` were.
    scoring : {'accuracy', 'r2'}, default='accuracy'
        What the scores are: a classifier's accuracy (a fraction) or a
        regressor's R² (a coefficient, possibly negative), as ``score`` of
        the estimator searched.

    Examples
    --------
    ``best`` is the λ of the best trial in ``trace``:

    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.datasets import load_digits_split
    >>> from sknielsen.tuning import search_lmbda
    >>> digits = load_digits_split()
    >>> result = search_lmbda(
    ...     NielsenMLPClassifier(hidden_layer_sizes=(10,), eta=1.0, epochs=3, random_state=0),
    ...     digits.X_train[:300], digits.y_train[:300], refine=1, max_steps=2)
    >>> sorted(result.trace[0])
    ['lmbda', 'score']
    >>> result.best_score == max(trial["score"] for trial in result.trace)
    True
    """

    best: float
    best_score: float
    trace: list = field(default_factory=list)
    scoring: str = "accuracy"


def _fit_quietly(estimator, X, y, **fit_params):
    """``estimator.fit(X, y)`` without its convergence warnings, ending the search at Ctrl-C.

    A too-large eta is what the search looks for; its warnings are expected
    (held back in this thread only: the process's filters are every
    thread's). The networks' fit catches Ctrl-C and keeps the epochs run:
    the search went on to its next trial, judging the cut one as any other.
    """
    with silenced(ConvergenceWarning), InterruptWatch() as watch:
        fitted = estimator.fit(X, y, **fit_params)
    if watch.interrupted:
        raise KeyboardInterrupt
    return fitted


def _network(estimator):
    """The network a search sets: ``estimator``, or a pipeline's last step, and its prefix.

    A pipeline (``make_pipeline(StandardScaler(), net)``) takes the network's
    parameters as ``<step>__eta``; nested pipelines are followed to the end.
    """
    prefix = ""
    while hasattr(estimator, "steps") and estimator.steps:
        name, estimator = estimator.steps[-1]
        prefix += f"{name}__"
    return estimator, prefix


def _with_network_params(estimator, **params):
    """A clone of ``estimator`` with its network's ``params`` set."""
    _, prefix = _network(estimator)
    return clone(estimator).set_params(**{prefix + key: value for key, value in params.items()})


def _training_costs(estimator, X, y, eta, epochs):
    # Every epoch at eta, on all of X: the settings that stop a run early, change eta
    # or hold out validation rows are set aside, callbacks and monitor_every included.
    net = _with_network_params(
        estimator,
        eta=eta,
        epochs=epochs,
        monitor=("training_cost",),
        early_stopping=None,
        schedule="constant",
        callbacks=None,
        monitor_every=None,
    )
    fitted, _ = _network(_fit_quietly(net, X, y))
    return list(fitted.history_["training_cost"])


def _falls_throughout(costs):
    return (
        len(costs) >= 2
        and all(np.isfinite(costs))
        and all(later < earlier for earlier, later in itertools.pairwise(costs))
    )


def _geometric(start, multiplier, steps, limit):
    """Up to ``steps`` values start·m, start·m², ... that stay in (0, limit]."""
    values, value = [], start
    for _ in range(steps):
        value *= multiplier  # overflow gives inf and underflow 0, both stopped below
        if not 0 < value <= limit:
            break
        values.append(value)
    return values


def _bracket(falls, start, candidates, falls_at_start):
    """(last η behaving as ``start``, first η behaving otherwise or None) along ``candidates``."""
    last = start
    for eta in candidates:
        if falls(eta) != falls_at_start:
            return last, eta
        last = eta
    return last, None


# Steps by `factor`, searched in each direction, are bounded by `max_steps`;
# more than 30 bisections narrow the interval below any measurable difference.
_SEARCH_CONSTRAINTS = {
    "estimator": [HasMethods(["fit", "get_params", "set_params"])],
    "start": [Interval(Real, 0, np.inf, closed="neither")],
    "factor": [Interval(Real, 1, np.inf, closed="neither")],
    "refine": [Interval(Integral, 0, 30, closed="both")],
    "max_steps": [Interval(Integral, 1, None, closed="left")],
}


@validate_arguments(
    {
        **_SEARCH_CONSTRAINTS,
        "epochs": [Interval(Integral, 2, None, closed="left")],
        "max_eta": [Interval(Real, 0, np.inf, closed="neither")],
    }
)
@reads_numpy  # arrays of any array library read as NumPy's, as the estimators read them
def find_eta_threshold(
    estimator, X, y, *, start=0.01, factor=10.0, epochs=5, refine=4, max_eta=1e4, max_steps=6
):
    """Find the book's threshold learning rate, and half of it to use.

    Start at η = ``start`` and multiply by ``factor`` while the training cost
    falls at every one of the first ``epochs`` epochs; at the first η where
    it oscillates or rises, narrow the interval between the last good and
    the first bad η by ``refine`` bisections on a logarithmic scale. If even
    ``start`` is too large, divide by ``factor`` until the cost falls. At
    most ``max_steps`` steps are taken in either direction, so at most
    ``1 + max_steps + refine`` networks are trained.

    Parameters
    ----------
    estimator : NielsenMLPClassifier, NielsenMLPRegressor or Pipeline
        Cloned, never changed; a pipeline ending in one of them
        (``make_pipeline(StandardScaler(), net)``) has its last step's η
        set. Each trial trains every one of ``epochs``
        epochs at its η on all of ``X``: the network's early stopping,
        schedule, callbacks and ``monitor_every`` are set aside; its other
        settings are kept.
    X, y : array-like
        Training data (a small part is enough: see :func:`simplify`).
    start : float, default=0.01
        Positive and finite.
    factor : float, default=10
        Greater than 1 and finite: a factor of 1 or less never brackets the
        threshold.
    epochs : int, default=5
        Epochs per trial, at least 2: "the first few epochs" of the book.
    refine : int, default=4
        Bisections between the last good and the first bad η, 0 to 30.
    max_eta : float, default=1e4
        Give up growing beyond this; at least ``start``.
    max_steps : int, default=6
        Most multiplications (or divisions) by ``factor``.

    Returns
    -------
    result : EtaSearch
        The threshold, the η to use and every trial.

    Raises
    ------
    ValueError
        A parameter out of its range, a network whose optimizer never reads
        η (``'lbfgs'``) before any trial, or a cost that never fell steadily,
        even ``max_steps`` divisions below ``start``.
    SparseInputError
        A sparse ``X`` for a network whose optimizer trains on dense input
        only (``'newton'``), before any trial.
    KeyboardInterrupt
        At Ctrl-C during a trial, which the estimator's ``fit`` catches: the
        search ends there.

    Warns
    -----
    UserWarning
        If the cost still fell at the largest η tried: the threshold is higher.

    Examples
    --------
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.datasets import load_digits_split
    >>> from sknielsen.tuning import find_eta_threshold
    >>> d = load_digits_split()
    >>> result = find_eta_threshold(NielsenMLPClassifier(random_state=0), d.X_train, d.y_train)
    >>> result.recommended == result.threshold / 2
    True
    """
    _check_read(estimator, "eta")
    _check_set(estimator, X, y, "X", "y")
    # Python floats, whatever numbers were given: a trace of np.float32 is no JSON.
    start, factor, max_eta = float(start), float(factor), float(max_eta)
    if start > max_eta:
        # Trained at start anyway, the search reported a threshold above the bound it named.
        raise ValueError(
            f"start={start:g} is above max_eta={max_eta:g}, the largest eta to try: lower "
            "start or raise max_eta."
        )
    trace = []

    def falls(eta):
        costs = _training_costs(estimator, X, y, eta, epochs)
        trace.append({"eta": eta, "costs": costs, "decreasing": _falls_throughout(costs)})
        return trace[-1]["decreasing"]

    if falls(start):
        good, bad = _bracket(falls, start, _geometric(start, factor, max_steps, max_eta), True)
        if bad is None:
            warn(
                f"The training cost still fell at eta={good:g}, the largest tried (max_eta="
                f"{max_eta:g}, max_steps={max_steps}): the threshold is higher."
            )
    else:
        bad, good = _bracket(falls, start, _geometric(start, 1 / factor, max_steps, np.inf), False)
        if good is None:
            raise ValueError(
                f"The training cost never fell steadily, down to eta={bad:g}: check the "
                "data and the other hyper-parameters."
            )
    for _ in range(refine if bad is not None else 0):
        middle = math.sqrt(good * bad)
        if falls(middle):
            good = middle
        else:
            bad = middle
    return EtaSearch(threshold=good, recommended=good / 2, trace=trace)


def _check_read(estimator, parameter):
    """Refuse a search of ``parameter`` (``'eta'``, ``'lmbda'``) that the network never reads.

    L-BFGS takes the steps of its line search, and ``regularizer='none'``
    adds no penalty: every trial trained alike, and the search reported a
    threshold above every η tried, or its start as the best λ. Only
    sknielsen's networks are judged; a setting that is no plugin is left to
    the first trial's fit, which names it.
    """
    estimator, _ = _network(estimator)
    if not isinstance(estimator, (NielsenMLPClassifier, NielsenMLPRegressor)):
        return
    kind = "optimizer" if parameter == "eta" else "regularizer"
    given = getattr(estimator, kind)
    try:
        plugin = plugins.get(kind, given)
    except (TypeError, ValueError):
        return
    if kind == "optimizer" and not getattr(plugin, "reads_eta", True):
        raise ValueError(
            f"{type(plugin).__name__} chooses its own steps and never reads eta: every trial "
            "of find_eta_threshold would train alike. Search eta for an optimizer that takes "
            "steps of eta ('sgd', 'momentum', 'adam', say)."
        )
    if kind == "regularizer" and isinstance(plugin, plugins.NoRegularizer):
        raise ValueError(
            f"regularizer={given!r} never reads lmbda: every trial of search_lmbda would train "
            "alike. Give the network a regularizer to search ('l2', the book's, or 'l1')."
        )


def _hold_out(estimator, X, y, fraction, random_state):
    """Split (X, y) as the estimators split their validation data.

    Stratified for a classifier's labels, when every class has examples
    enough: a regressor's targets are no classes, and the estimators split
    a multilabel indicator matrix unstratified.
    """
    X, y = _rows_selectable(X, "X"), _rows_selectable(y, "y")
    stratify = y if is_classifier(estimator) and np.ndim(y) == 1 else None
    return hold_out(X, y, test_size=fraction, random_state=random_state, stratify=stratify)


def _rows_selectable(data, name):
    """``data``, or its NumPy array where scikit-learn's row selection cannot take it.

    It selects rows of tables, of NumPy arrays and of lists; an array of
    another array library refused NumPy's indices (``array_api_strict``'s
    "Index arrays ... must be array_api_strict arrays"), and a memoryview
    took none ("invalid slice key"). A sparse matrix is made canonical CSR:
    SciPy selects no rows of a COO or DIA one ("not subscriptable").
    """
    if issparse(data):
        return canonical_csr(data, name)
    if isinstance(data, memoryview) or (
        hasattr(data, "__array_namespace__") and not isinstance(data, np.ndarray)
    ):
        return np.asarray(data)
    return data


def _check_set(estimator, X, y, x_name, y_name, training=True):
    """Refuse a set ``estimator`` cannot take, before the first trial's fit; return its width.

    NaN, infinity or strings in ``X`` (as the estimator's tags say it cannot
    take them: :func:`~sknielsen.studies._inputs.refusers`), NaN or infinity
    in ``y``, or labels of another length failed in a trial's fit, or in its
    score after the fit for rows held out for validation. A sparse training
    set for a full-batch network failed in the first trial's fit; a sparse
    validation set (``training=False``) is predicted as it is.
    """
    X = check_array(
        canonical_csr(X, x_name),
        accept_sparse=True,
        dtype=None,
        ensure_all_finite=False,
        input_name=x_name,
    )
    checked_values(X, x_name, refusers({type(estimator).__name__: estimator}))
    if training:
        refuse_sparse_training(X, x_name, {None: estimator})
    # dtype=None: class labels may be strings; a regressor's y may be 2-D.
    check_array(y, ensure_2d=False, dtype=None, input_name=y_name)
    if is_classifier(estimator) and not issparse(y):  # a sparse y: an indicator of numbers
        check_sortable_labels(y, y_name)  # the split sorts them
    try:
        check_consistent_length(X, y)
    except ValueError as exc:
        raise ValueError(f"{x_name} and {y_name}: {exc}") from None
    return X.shape[1]


_MULTILABEL = "a multilabel indicator matrix"


def _kind_of_targets(labels):
    """How a classifier reads ``labels``: 1-D labels (a column too), a multilabel matrix, ..."""
    kind = type_of_target(labels)
    if kind == "multilabel-indicator":
        return _MULTILABEL
    if kind in ("binary", "multiclass") or np.ndim(labels) == 1:
        return "1-D labels"
    return f"a 2-D array of {kind} targets"


def _check_predictable(estimator, y, y_val):
    """Refuse validation labels that a classifier fitted on ``y`` could never predict.

    Each trial's network has the classes of ``y`` only: labels ``y`` lacks
    (another class, or ``'1'`` for ``1``) were scored wrong by every trial,
    and the search returned its start, of score 0 where none was known,
    without a word; a multilabel ``y_val`` for 1-D labels (or the reverse)
    failed in the first trial's score, in scikit-learn's words.
    """
    if not is_classifier(estimator):
        return
    kinds = [_kind_of_targets(labels) for labels in (y, y_val)]
    if kinds[0] != kinds[1]:
        raise ValueError(
            f"y_val is {kinds[1]}, but y holds {kinds[0]}: give validation targets of y's kind."
        )
    if kinds[0] == _MULTILABEL:
        if np.shape(y_val)[1] != np.shape(y)[1]:
            raise ValueError(
                f"y_val has {np.shape(y_val)[1]} columns, but y has {np.shape(y)[1]}: give "
                "one column per label of y."
            )
        return
    known = set(np.unique(np.asarray(y, dtype=object).ravel()).tolist())
    given = np.unique(np.asarray(y_val).ravel()).tolist()
    unseen = [label for label in given if label not in known]
    if unseen:
        raise ValueError(
            f"y_val holds labels that y does not: {unseen[:10]}; a network trained on y "
            f"knows its classes only ({sorted(known, key=str)[:10]}), and would score every "
            "such label wrong at every λ. Give validation labels among y's."
        )


def _check_rankable(estimator, y_val, x_has, y_has, advice):
    """Refuse a regressor's validation targets whose R² cannot rank λs: one, or all equal.

    R² is undefined (NaN) for one sample and 0 for equal targets whatever
    the prediction, so every trial scored alike and the search returned its
    start, with scikit-learn's warning of an undefined R² at most; the
    regressors refuse such targets for their own validation. A classifier's
    accuracy ranks any. Targets that are no numbers are refused too: each
    trial's score, given them as its ``y``, said "y must hold numbers".
    """
    if not is_regressor(estimator):
        return
    try:
        Y = np.asarray(y_val.toarray() if issparse(y_val) else y_val, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{y_has} values that are not numbers, which a regressor's R² cannot score "
            f"({exc}): give numbers."
        ) from None
    Y = Y.reshape(len(Y), -1)
    if len(Y) < 2:
        raise ValueError(f"{x_has} {len(Y)} sample, but R² needs at least 2: {advice}.")
    if np.all(Y.max(axis=0) == Y.min(axis=0)):  # np.ptp overflows near the largest float
        raise ValueError(
            f"{y_has} {len(Y)} targets all equal ({Y[0, 0]:g}): R² is 0 whatever the network "
            f"predicts, so no λ would score better than another: {advice}."
        )


def _lmbda_sets(estimator, X, y, X_val, y_val, validation_fraction, random_state):
    """``search_lmbda``'s training and validation sets, checked before any trial.

    The validation set is held out of ``X`` and ``y`` when not given (both
    ``X_val`` and ``y_val`` None: the caller checked they come together).
    """
    n_features = _check_set(estimator, X, y, "X", "y")
    if X_val is None:
        X, X_val, y, y_val = _hold_out(estimator, X, y, validation_fraction, random_state)
        held_out = f"The validation_fraction={validation_fraction:g} of {{}} held out has"
        names = (held_out.format("X"), held_out.format("y"))
        advice = "raise validation_fraction, or give X_val and y_val"
    else:
        n_val_features = _check_set(estimator, X_val, y_val, "X_val", "y_val", training=False)
        if n_val_features != n_features:
            raise ValueError(f"X_val has {n_val_features} features, but X has {n_features}.")
        trained, given = _get_feature_names(X), _get_feature_names(X_val)
        # Refused, before any trial, as each trial's score would; a set without names is
        # the score's to warn of.
        if trained is not None and given is not None:
            check_feature_names(given, trained, "validation")
        _check_predictable(estimator, y, y_val)
        names, advice = ("X_val has", "y_val has"), "give more validation samples"
    _check_rankable(estimator, y_val, *names, advice)
    return X, y, X_val, y_val


def _climb(score, start, factor, max_steps, refine):
    """The book's λ search: steps of ``factor`` toward a higher ``score(lmbda)``, then refined.

    Up first, down only when no step up scored higher; then ``refine``
    rounds of the square root of the last ratio, each neighbour replacing
    the best only when it scores higher.
    """
    best = start
    for step in (factor, 1.0 / factor):
        moved = False
        for _ in range(max_steps):
            # A step past float64's range gives inf or 0: no λ of this search to train with.
            if _is_positive_float(best * step) and score(best * step) > score(best):
                best *= step
                moved = True
            else:
                break
        if moved:
            break
    ratio = factor
    for _ in range(refine):
        ratio = math.sqrt(ratio)
        neighbours = (best, best / ratio, best * ratio)
        best = max(filter(_is_positive_float, neighbours), key=score)
    return best


def _is_positive_float(value):
    """Whether ``value`` is a finite float above 0, as every λ and η tried must be."""
    return 0 < value < math.inf


@validate_arguments(
    {
        **_SEARCH_CONSTRAINTS,
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "random_state": ["random_state"],
    }
)
@reads_numpy  # arrays of any array library read as NumPy's, as the estimators read them
def search_lmbda(
    estimator,
    X,
    y,
    X_val=None,
    y_val=None,
    *,
    start=1.0,
    factor=10.0,
    refine=3,
    validation_fraction=0.2,
    random_state=0,
    max_steps=8,
):
    """Search λ as the book does: factors of 10 toward better validation accuracy, then refine.

    Parameters
    ----------
    estimator : NielsenMLPClassifier, NielsenMLPRegressor or Pipeline
        Cloned, never changed; its ``eta`` should already be chosen. A
        pipeline ending in one of them has its last step's λ set. Its
        ``score`` on the validation data (accuracy, or a regressor's R²) is
        what the search improves.
    X, y : array-like
        Training data.
    X_val, y_val : array-like, optional
        Validation data, both or neither; default: ``validation_fraction`` of
        (X, y), stratified for a classifier whose every class has examples enough.
    start : float, default=1.0
        Positive and finite.
    factor : float, default=10
        Greater than 1 and finite.
    refine : int, default=3
        Rounds of trying the best λ times and divided by factor^(1/2),
        factor^(1/4), ..., 0 to 30.
    validation_fraction : float, default=0.2
        Share of (X, y) held out when no validation data is given.
    random_state : int, RandomState instance or None, default=0
        Seed of the validation split, as scikit-learn's ``random_state``:
        an int in [0, 2**32 - 1] splits alike at every call.
    max_steps : int, default=8
        Most moves by ``factor`` in one direction, at least 1.

    Returns
    -------
    result : LmbdaSearch
        The best λ, its score and every trial.

    Raises
    ------
    ValueError
        A parameter out of its range, a network without a regularizer
        (``regularizer='none'`` never reads λ), ``X_val`` without ``y_val``
        (or the reverse), or a validation set that holds NaN or infinity, other
        features than ``X`` (other column names, or ``X``'s in another
        order) or labels of another length, a classifier's labels that ``y``
        lacks (or of another kind: a matrix for labels) or of types that
        cannot be sorted together, or, for a regressor, fewer than
        2 samples or targets all equal (its R² cannot rank λs by them):
        before any trial.
    SparseInputError
        A sparse ``X`` for a network whose optimizer trains on dense input
        only (``'lbfgs'``, ``'newton'``), before any trial.
    KeyboardInterrupt
        At Ctrl-C during a trial, which the estimator's ``fit`` catches: the
        search ends there.

    Examples
    --------
    One move by a factor of 10 at most, without refining: λ = 10 does worse
    than the start, 1, so the search moves down.

    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.datasets import load_digits_split
    >>> from sknielsen.tuning import search_lmbda
    >>> d = load_digits_split()
    >>> net = NielsenMLPClassifier(hidden_layer_sizes=(10,), eta=1.0, epochs=3, random_state=0)
    >>> result = search_lmbda(net, d.X_train[:300], d.y_train[:300], max_steps=1, refine=0)
    >>> [trial["lmbda"] for trial in result.trace]
    [10.0, 1.0, 0.1]
    >>> result.best
    0.1
    """
    if (X_val is None) != (y_val is None):
        # One without the other would be dropped for a split without a word.
        raise ValueError("X_val and y_val must be given together, or neither.")
    _check_read(estimator, "lmbda")
    X, y, X_val, y_val = _lmbda_sets(
        estimator, X, y, X_val, y_val, validation_fraction, random_state
    )
    start, factor = float(start), float(factor)  # as find_eta_threshold's
    trace = []
    scores = {}

    def score(lmbda):
        if lmbda not in scores:
            net = _fit_quietly(_with_network_params(estimator, lmbda=lmbda), X, y)
            scores[lmbda] = net.score(X_val, y_val)
            trace.append({"lmbda": lmbda, "score": scores[lmbda]})
        return scores[lmbda]

    best = _climb(score, start, factor, max_steps, refine)
    # What score() measured, so that a figure can say it: an R² is no share in %.
    scoring = "r2" if is_regressor(estimator) else "accuracy"
    return LmbdaSearch(best=best, best_score=score(best), trace=trace, scoring=scoring)
