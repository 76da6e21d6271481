"""How accuracy grows with the training set: the book's network-versus-SVM study.

:func:`training_size_comparison` fits each named estimator on the first N
training examples (or a random sample of N drawn with each seed) for several N
and seeds, and scores it on fixed test sets with any scikit-learn scorers. The
(estimator, size, seed) jobs run through joblib, so
``joblib.parallel_config(backend="dask")`` moves them onto a cluster unchanged;
on several workers the longest start first (``_schedule``). Each set is
predicted once for all the scorers (``_responses``).
Results are plain records (dicts), reported as each job finishes. Ctrl-C ends
the study, even when an estimator's ``fit`` catches it, and returns the records
of the jobs finished before it. Each record carries a fingerprint of its job's
configuration (data, estimator settings, subset, scorers, size, seed), so a
run given earlier records skips the jobs they cover and refuses records of any
other configuration.

:class:`BookScaling` applies the book's rule for λ and epochs inside ``fit``,
so that scikit-learn's own ``learning_curve`` draws the same curve.
"""

import contextlib
import math
import os
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from numbers import Integral, Real

import joblib
import numpy as np
import sklearn
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, MetaEstimatorMixin, _fit_context, clone, is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.metrics import check_scoring, get_scorer
from sklearn.model_selection import train_test_split
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods, Interval, InvalidParameterError
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import (
    _get_feature_names,
    _num_samples,
    check_array,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)

from .. import NielsenMLPClassifier
from .._core.arrays import reads_numpy
from .._core.interrupts import InterruptWatch
from .._core.params import validate_arguments
from .._core.scale import power_of_two_scale
from .._core.warn import warn
from ..utils import SparseInputError, canonical_csr, check_params
from ._inputs import check_feature_names, checked_values, refuse_sparse_training, refusers
from ._responses import SharedResponses, predict_rows, response_methods
from ._schedule import (
    chunk_bounds,
    estimated_seconds,
    final_step,
    grown_seconds,
    plan_schedule,
    predicts_row_by_row,
)

SUBSETS = ("first", "random", "stratified")
DEFAULT_SCORERS = {"accuracy": "accuracy"}
#: The largest seed: scikit-learn's random_state and NumPy's legacy seeds stop there.
MAX_SEED = 2**32 - 1

__all__ = [
    "BookScaling",
    "ComparisonInterrupted",
    "check_plan",
    "conclusions",
    "crossover_statements",
    "estimate_seconds_left",
    "planned_runs",
    "scaled_params",
    "summarize",
    "training_size_comparison",
]


@validate_arguments(
    {
        "estimator": [HasMethods(["get_params"])],
        "size": [Interval(Integral, 1, None, closed="left")],
        "n_full": [Interval(Integral, 1, None, closed="left")],
    }
)
def scaled_params(estimator, size, n_full):
    """The book's rule for training on ``size`` of ``n_full`` examples.

    Epochs scale by n_full/size and λ by size/n_full, so the number of
    gradient steps and the weight decay per step stay those of the full
    training set. The networks a pipeline or a meta-estimator holds get
    theirs under nested names; estimators without ``epochs`` and ``lmbda``
    are unchanged, and so is a :class:`BookScaling`, which applies the rule
    itself when it is fitted.

    Parameters
    ----------
    estimator : estimator
        Its ``epochs`` and ``lmbda`` are the settings for ``n_full`` examples.
    size, n_full : int
        The size of the training set (at least 1), and the size the settings are for.

    Returns
    -------
    params : dict
        Parameters to set, possibly empty.

    Examples
    --------
    The book's network for 50,000 images, trained on 5,000 of them:

    >>> from sklearn.svm import SVC
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.comparison import scaled_params
    >>> scaled_params(NielsenMLPClassifier(epochs=30, lmbda=5.0), size=5000, n_full=50000)
    {'epochs': 300, 'lmbda': 0.5}
    >>> scaled_params(SVC(), size=5000, n_full=50000)
    {}
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> pipeline = make_pipeline(StandardScaler(), NielsenMLPClassifier(epochs=30, lmbda=5.0))
    >>> scaled_params(pipeline, size=5000, n_full=50000)
    {'nielsenmlpclassifier__epochs': 300, 'nielsenmlpclassifier__lmbda': 0.5}
    """
    if isinstance(estimator, BookScaling):
        return {}
    params = estimator.get_params(deep=False)
    scaled = {}
    if "epochs" in params:
        scaled["epochs"] = max(1, round(params["epochs"] * n_full / size))
    if "lmbda" in params:
        scaled["lmbda"] = params["lmbda"] * size / n_full
    if scaled:  # a network: its parameters hold plugins, not networks
        return scaled
    # The estimators this one holds: a pipeline's named steps (top-level names of its deep
    # parameters only), a meta-estimator's estimator.
    for name, held in estimator.get_params(deep=True).items():
        is_estimator = hasattr(held, "fit") and hasattr(held, "get_params")
        if "__" not in name and is_estimator and not isinstance(held, type):
            inner = scaled_params(held, size, n_full)
            scaled.update({f"{name}__{key}": value for key, value in inner.items()})
    return scaled


def _inner_has(method):
    """For ``available_if``: whether the fitted (or else the given) estimator has ``method``."""

    def check(meta):
        getattr(getattr(meta, "estimator_", meta.estimator), method)
        return True

    return check


class BookScaling(MetaEstimatorMixin, BaseEstimator):
    """Fit an estimator with the book's λ and epochs for the size of its training set.

    Chapter 3 trains on N examples with λ = 0.0001·N and 1,500,000/N epochs,
    so that every N gets the same number of gradient steps and the same weight
    decay per step. ``fit`` applies that rule to a clone of ``estimator`` for
    the N examples it is given, which lets scikit-learn's own tools, such as
    ``learning_curve``, vary N.

    Parameters
    ----------
    estimator : estimator
        An estimator with ``lmbda`` and ``epochs`` parameters, such as
        :class:`~sknielsen.NielsenMLPClassifier`; never changed. The two are
        overridden in the clone; its other parameters (``estimator__eta``)
        are used as they are.
    lmbda_per_sample : float, default=0.0001
        The λ of each training example: λ = ``lmbda_per_sample`` · N.
    samples_per_run : float, default=1_500_000
        Examples seen over the whole training: epochs =
        ``samples_per_run`` / N, rounded, and at least 1.

    Attributes
    ----------
    estimator_ : estimator
        The fitted clone.
    lmbda_, epochs_ : float, int
        What the rule set for the last ``fit``.
    classes_ : ndarray
        The fitted clone's classes.

    See Also
    --------
    scaled_params : The same rule, relative to settings for a full training set.
    training_size_comparison : The book's study, which applies the rule with ``scale_rule=True``.

    Examples
    --------
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.comparison import BookScaling
    >>> from sknielsen.datasets import load_digits_split
    >>> d = load_digits_split()
    >>> model = BookScaling(NielsenMLPClassifier(random_state=1), samples_per_run=3000)
    >>> model = model.fit(d.X_train[:300], d.y_train[:300])
    >>> model.epochs_, round(model.lmbda_, 4)
    (10, 0.03)
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict", "set_params"])],
        "lmbda_per_sample": [Interval(Real, 0, None, closed="left")],
        "samples_per_run": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, estimator, *, lmbda_per_sample=0.0001, samples_per_run=1_500_000):
        self.estimator = estimator
        self.lmbda_per_sample = lmbda_per_sample
        self.samples_per_run = samples_per_run

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Fit a clone of ``estimator`` with λ and epochs for the ``len(X)`` examples.

        Parameters
        ----------
        X, y : array-like
            The training set.
        **fit_params : dict
            Passed to the clone's ``fit`` (``X_val`` and ``y_val``, say);
            with metadata routing enabled
            (``sklearn.set_config(enable_metadata_routing=True)``), those the
            estimator requested (``set_fit_request(sample_weight=True)``).

        Returns
        -------
        self : BookScaling
            The fitted meta-estimator.
        """
        if sklearn.get_config()["enable_metadata_routing"]:
            # Else a search's or cross_validate's metadata never reached the clone's fit.
            fit_params = process_routing(self, "fit", **fit_params).estimator.fit
        n_samples = _num_samples(X)
        self.lmbda_ = self.lmbda_per_sample * n_samples
        self.epochs_ = max(1, round(self.samples_per_run / n_samples))
        self.estimator_ = clone(self.estimator).set_params(lmbda=self.lmbda_, epochs=self.epochs_)
        self.estimator_.fit(X, y, **fit_params)
        return self

    @property
    def classes_(self):
        """The fitted clone's class labels."""
        check_is_fitted(self)
        return self.estimator_.classes_

    def predict(self, X):
        """Return the fitted clone's predictions for ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The inputs.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            The predictions.
        """
        check_is_fitted(self)
        return self.estimator_.predict(X)

    @available_if(_inner_has("predict_proba"))
    def predict_proba(self, X):
        """Return the fitted clone's class probabilities for ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probabilities.
        """
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    def score(self, X, y, sample_weight=None):
        """Return the fitted clone's ``score`` (mean accuracy for a classifier).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The inputs.
        y : array-like of shape (n_samples,)
            Their true labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        score : float
            The clone's score.
        """
        check_is_fitted(self)
        return self.estimator_.score(X, y, sample_weight=sample_weight)

    def get_metadata_routing(self):
        """Route ``fit``'s metadata to the estimator's ``fit``, as it requests it.

        ``score`` takes its own ``sample_weight`` (``set_score_request``).

        Returns
        -------
        routing : MetadataRouter
            What ``fit`` passes on, and what ``score`` takes.
        """
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(
                estimator=self.estimator,
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        tags.regressor_tags = inner.regressor_tags
        tags.input_tags.sparse = inner.input_tags.sparse
        return tags


class ComparisonInterrupted(UserWarning):
    """Ctrl-C ended a comparison early; the records of the finished jobs are returned.

    Examples
    --------
    Ctrl-C during a fit (here raised by the estimator itself) ends the study
    with this warning; the records of the jobs finished before it are returned:

    >>> import warnings
    >>> from sklearn.svm import SVC
    >>> from sknielsen.comparison import ComparisonInterrupted, training_size_comparison
    >>> from sknielsen.datasets import load_digits_split
    >>> class CtrlC(SVC):
    ...     def fit(self, X, y):
    ...         raise KeyboardInterrupt
    >>> d = load_digits_split()
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     records = training_size_comparison({"SVC": SVC(), "CtrlC": CtrlC()},
    ...                                        d.X_train, d.y_train, d.X_test, d.y_test, [100])
    >>> print(*[w.message for w in caught if w.category is ComparisonInterrupted])
    Comparison interrupted: returning the 1 of 2 jobs that finished; pass them as previous=
    to resume.
    >>> [(record["estimator"], record["size"]) for record in records]
    [('SVC', 100)]
    """


@dataclass(frozen=True)
class _StudyData:
    """The validated training pool, the fixed sets every model is scored on, and the scorers."""

    X_train: object
    y_train: np.ndarray
    test_sets: dict
    scorers: dict

    def score_bounds(self):
        """The record's key of every (scorer, set) pair (``accuracy_test``, say), with the
        range its scorer's values lie in (see :func:`_score_bounds`)."""
        return {
            f"{name}_{test}": _score_bounds(scorer)
            for test in self.test_sets
            for name, scorer in self.scorers.items()
        }


# The range of scikit-learn's scorers, by name or prefix ("f1" covers
# "f1_macro"): a record holding a score outside it was edited or damaged.
_SCORE_RANGES = (
    (
        (
            "accuracy",
            "balanced_accuracy",
            "top_k_accuracy",
            "average_precision",
            "roc_auc",
            "f1",
            "precision",
            "recall",
            "jaccard",
        ),
        (0.0, 1.0),
    ),
    (("matthews_corrcoef",), (-1.0, 1.0)),
    (("r2", "explained_variance", "d2"), (-math.inf, 1.0)),
    (("neg",), (-math.inf, 0.0)),
)


def _score_bounds(scorer):
    """``(low, high)`` of a scorer's values: known for scikit-learn's names, else any number."""
    if isinstance(scorer, str):
        for names, bounds in _SCORE_RANGES:
            if any(scorer == name or scorer.startswith(name + "_") for name in names):
                return bounds
    return (-math.inf, math.inf)


@dataclass(frozen=True)
class _StudySettings:
    """What decides the jobs of a study, besides the estimators and the data."""

    sizes: list
    seeds: list
    subset: str
    scale_rule: bool
    n_full: int
    deterministic: frozenset


@dataclass(frozen=True)
class _Job:
    """One (estimator, size, seed) fit: the configured model and its record's fingerprint."""

    name: str
    model: object
    params: dict
    size: int
    seed: int
    subset: str
    fingerprint: str


def check_named_estimators(estimators):
    """Refuse ``estimators`` unless a dict of str names to estimator instances.

    A list, a class (``SVC`` for ``SVC()``) or None failed deep inside
    scikit-learn, and names of mixed types when the records were sorted.
    """
    example = "e.g. {'SVC': SVC()}"
    if not isinstance(estimators, Mapping):
        raise TypeError(
            f"estimators must be a dict of names to estimators, {example}; "
            f"got {type(estimators).__name__}."
        )
    if not estimators:
        raise ValueError(f"estimators holds no estimator: name one or more, {example}.")
    for name, estimator in estimators.items():
        if not isinstance(name, str):
            raise TypeError(f"estimators' names must be str; got {name!r} ({type(name).__name__}).")
        if isinstance(estimator, type):
            raise TypeError(
                f"estimators[{name!r}] is the class {estimator.__name__}, not an estimator: "
                f"give an instance, {estimator.__name__}()."
            )
        if not (hasattr(estimator, "fit") and hasattr(estimator, "get_params")):
            raise TypeError(
                f"estimators[{name!r}] is {type(estimator).__name__}, not an estimator "
                "(it has no fit and get_params)."
            )
        if is_regressor(estimator):  # failed after its fit, in a classification metric
            raise TypeError(
                f"estimators[{name!r}] is a regressor ({type(estimator).__name__}): the study "
                "compares classifiers, by the share of test labels they predict."
            )


def _check_network_params(estimators):
    """Refuse a network's parameters before any job, naming the estimator.

    Its first fit refused them, after the jobs before it had run (an SVC's
    minutes on MNIST). sknielsen's networks are found bare, in
    ``BookScaling`` and among a pipeline's steps; the widths are left to the
    fit, as a pipeline's steps before the network may change them.
    """
    for name, estimator in estimators.items():
        for network in _networks_in(estimator):
            with _naming(f"estimators[{name!r}]"):
                check_params(network)


def _networks_in(estimator):
    """The sknielsen networks that ``estimator`` trains, as it is given (a list)."""
    if isinstance(estimator, BookScaling):
        return _networks_in(estimator.estimator)
    if isinstance(estimator, NielsenMLPClassifier):
        return [estimator]
    steps = getattr(estimator, "steps", None)  # a pipeline
    if isinstance(steps, list):
        return [
            network
            for step in steps
            if isinstance(step, tuple)
            for network in _networks_in(step[-1])
        ]
    return []


def _checked_eval_sets(eval_sets):
    """Refuse ``eval_sets`` unless a dict of str names to pairs ``(X, y)``."""
    if eval_sets is None:
        return {}
    if not isinstance(eval_sets, Mapping):
        raise TypeError(
            "eval_sets must be a dict of names to (X, y), e.g. {'validation': (X_val, y_val)}; "
            f"got {type(eval_sets).__name__}."
        )
    for name, pair in eval_sets.items():
        if not isinstance(name, str):
            raise TypeError(f"eval_sets' names must be str; got {name!r} ({type(name).__name__}).")
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(
                f"eval_sets[{name!r}] must be a pair (X, y); got {type(pair).__name__}."
            )
    return eval_sets


def _whole_number(value, name, what="whole numbers"):
    """``value`` as an int, refused unless a whole number (``100.0`` is one, ``100.7`` not).

    ``int()`` truncated 100.7 to 100, a fraction of the training set (as
    scikit-learn's ``learning_curve`` takes sizes) to 0, and failed on None
    naming neither the argument nor the value.
    """
    whole = (
        isinstance(value, Real)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value == int(value)
    )
    if not whole:
        raise ValueError(f"{name} must be {what}; got {value!r:.40}.")
    return int(value)


def _whole_numbers(values, name, what="whole numbers"):
    """``values`` as a list of int, refused unless an iterable of whole numbers."""
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        raise ValueError(
            f"{name} must be a list of whole numbers; got {type(values).__name__} {values!r:.40}."
        )
    return [_whole_number(value, name, what) for value in values]


def _checked_pair(X, y, name):
    """``X`` and ``y`` of one set, validated with scikit-learn's own helpers."""
    try:
        # Shapes, lengths and label kinds; the values are checked_values'.
        X = check_array(canonical_csr(X), accept_sparse=True, dtype=None, ensure_all_finite=False)
        y = column_or_1d(y, warn=True)
        check_consistent_length(X, y)
        check_classification_targets(y)
    except ValueError as exc:
        raise ValueError(f"The {name} set: {exc}") from None
    return X, y


def _argument_names(name):
    """The arguments that give the set ``name``: ``('X_test', 'y_test')``, say."""
    if name in ("training", "test"):
        suffix = "train" if name == "training" else "test"
        return f"X_{suffix}", f"y_{suffix}"
    return f"X of eval_sets[{name!r}]", f"y of eval_sets[{name!r}]"


def _check_label_types(y, y_train, y_name):
    """Refuse labels of another type than the training labels' (str against numbers).

    They failed in the first job's scoring, after its fit, in a metric.
    """
    try:
        unique_labels(y_train, y)
    except ValueError as exc:
        raise ValueError(
            f"{y_name} holds labels of another type than y_train's ({exc}): encode them as "
            "the training labels."
        ) from None


def _scorer_name(scorer, n_scorers):
    """A scorer's name in the records: the name itself, a function's name, or ``score``."""
    if isinstance(scorer, str):
        return scorer
    if hasattr(scorer, "__name__"):
        return scorer.__name__
    if n_scorers == 1:
        return "score"
    raise ValueError(
        f"Cannot name the scorer {scorer!r} among {n_scorers}: pass scoring as a dict "
        "of names to scorers."
    )


def _named_scorers(scoring):
    """``scoring`` as a dict of names to scorer names or callables, each checked."""
    if scoring is None:
        return dict(DEFAULT_SCORERS)
    if isinstance(scoring, dict):
        pairs = list(scoring.items())
    else:
        listed = [scoring] if isinstance(scoring, str) or callable(scoring) else list(scoring)
        pairs = [(_scorer_name(scorer, len(listed)), scorer) for scorer in listed]
    scorers = dict(pairs)
    if not scorers or len(scorers) != len(pairs):
        raise ValueError(f"scoring must name one or more distinct scorers; got {scoring!r}.")
    for scorer in scorers.values():
        get_scorer(scorer)  # an unknown name raises scikit-learn's error, listing the names
    return scorers


def _checked_data(estimators, X_train, y_train, X_test, y_test, eval_sets, scoring):
    """Every set and the scorers, checked before any job starts, each error naming the set."""
    eval_sets = _checked_eval_sets(eval_sets)
    if "test" in eval_sets:
        raise ValueError("eval_sets cannot hold a set named 'test': it would replace X_test.")
    refusing = refusers(estimators)
    train_names = _get_feature_names(X_train)
    X_train, y_train = _checked_pair(X_train, y_train, "training")
    X_train = checked_values(X_train, "X_train", refusing)
    # BookScaling fits its estimator on the inputs as they are given.
    unscaled = {
        name: estimator.estimator if isinstance(estimator, BookScaling) else estimator
        for name, estimator in estimators.items()
    }
    refuse_sparse_training(X_train, "X_train", unscaled)
    test_sets = {}
    for name, (X, y) in {"test": (X_test, y_test), **(eval_sets or {})}.items():
        # Checked before check_array keeps only the values: the estimators see arrays.
        check_feature_names(_get_feature_names(X), train_names, name)
        X, y = _checked_pair(X, y, name)
        if X.shape[1] != X_train.shape[1]:
            raise ValueError(
                f"The {name} set has {X.shape[1]} features but the training set has "
                f"{X_train.shape[1]}."
            )
        x_name, y_name = _argument_names(name)
        X = checked_values(X, x_name, refusing)
        _check_label_types(y, y_train, y_name)
        _warn_of_unknown_labels(y, y_train, name)
        test_sets[name] = (X, y)
    scorers = _named_scorers(scoring)
    _check_responses(estimators, scorers)
    return _StudyData(X_train, y_train, test_sets, scorers)


def _check_responses(estimators, scorers):
    """Refuse a scorer that asks an estimator for a response it lacks, before any job.

    ``neg_log_loss`` of an ``SVC()`` (no ``predict_proba`` without
    ``probability=True``) failed after the first job's fit, with
    "SharedResponses has none of the following attributes", naming a class
    of the study's own. A scorer that names no response (a plain callable)
    is the fit's to judge, and so is an estimator that can say only once fitted.
    """
    for scorer_name, scorer in scorers.items():
        wanted = getattr(get_scorer(scorer), "_response_method", None)
        if wanted is None:
            continue
        wanted = [wanted] if isinstance(wanted, str) else list(wanted)
        # CalibratedClassifierCV gives any classifier probabilities (SVC's own are deprecated).
        wrap = ", or wrap it in CalibratedClassifierCV" if "predict_proba" in wanted else ""
        advice = f"score it with another scorer (accuracy, say){wrap}"
        if "predict" in wanted:  # accuracy's own, or r2's: no scorer mends that
            advice = "the study compares predictors (classifiers or regressors), which have predict"
        for name, estimator in estimators.items():
            if all(_lacks(estimator, method) for method in wanted):
                raise ValueError(
                    f"The scorer {scorer_name!r} asks for {' or '.join(wanted)}, which {name} "
                    f"({type(estimator).__name__}) lacks: {advice}."
                )


def _lacks(estimator, method):
    """Whether the unfitted ``estimator`` says it has no ``method`` (not that it is unfitted)."""
    try:
        getattr(estimator, method)
    except NotFittedError:
        return False
    except AttributeError:
        return True
    return False


def _warn_of_unknown_labels(y, y_train, name):
    """Warn when a set's labels are not all among the training labels: none can be predicted.

    Labels shifted or encoded otherwise than the training set's (``y_test +
    100``) scored 0 for every estimator without a word.
    """
    unknown = np.setdiff1d(np.unique(y), np.unique(y_train))
    if len(unknown):
        share = np.mean(np.isin(np.asarray(y, dtype=object), unknown))
        warn(
            f"The {name} set's labels {unknown[:10].tolist()} are no training label: no "
            f"estimator can predict its {share:.0%} of samples that have them. Are the labels "
            "encoded as the training set's?"
        )


def check_plan(y_train, sizes, seeds, subset="first"):
    """Validate a study's plan before any work: its sizes, seeds and subsets.

    Parameters
    ----------
    y_train : array-like of shape (n_samples,)
        The training labels the subsets are drawn from.
    sizes : iterable of int
        Training-set sizes.
    seeds : iterable of int
        Seeds of the runs at each size.
    subset : {'first', 'random', 'stratified'}, default='first'
        How each training set is drawn; a stratified one needs every class
        at least twice and room for one example of each. Every training set
        must be able to hold two classes (the first ``size`` examples, for
        ``'first'``).

    Returns
    -------
    sizes : list of int
        Sorted and distinct.
    seeds : list of int
        Distinct, in the order given.

    Raises
    ------
    ValueError
        Naming the size or seed that cannot be run.

    Examples
    --------
    >>> from sknielsen.comparison import check_plan
    >>> from sknielsen.datasets import load_digits_split
    >>> y_train = load_digits_split().y_train
    >>> check_plan(y_train, sizes=[400, 100, 400], seeds=[1, 0, 1])
    ([100, 400], [1, 0])

    A plan that cannot run is refused before any fit:

    >>> check_plan(y_train, sizes=[5, 100], seeds=[0], subset="stratified")
    Traceback (most recent call last):
    ...
    ValueError: subset='stratified' needs sizes from 10 (one example per class) to 1188, ...
    """
    sizes, seeds = _checked_sizes_and_seeds(sizes, seeds, len(y_train))
    _check_stratifiable(subset, sizes, np.asarray(y_train))
    _check_two_classes(subset, sizes, np.asarray(y_train))
    return sizes, seeds


def _checked_sizes_and_seeds(sizes, seeds, n_train=None):
    """The sizes sorted and the seeds, each once, or an error; ``n_train`` bounds the sizes."""
    what = "whole numbers of examples, not fractions of the training set"
    sizes = sorted(set(_whole_numbers(sizes, "sizes", what)))
    if not sizes or sizes[0] < 1 or (n_train is not None and sizes[-1] > n_train):
        bound = (
            "at least 1" if n_train is None else f"between 1 and the {n_train} training examples"
        )
        raise ValueError(f"sizes must lie {bound}; got {sizes}.")
    seeds = list(dict.fromkeys(_whole_numbers(seeds, "seeds")))
    if not seeds:
        raise ValueError("seeds must hold at least one seed; got none.")
    # Found before any work: a seed out of range failed in a job's fit, or in the
    # random sample, after the jobs before it had run.
    outside = [seed for seed in seeds if not 0 <= seed <= MAX_SEED]
    if outside:
        raise ValueError(f"seeds must lie in [0, {MAX_SEED}]; got {outside}.")
    return sizes, seeds


def _check_stratifiable(subset, sizes, y):
    """Refuse sizes a stratified sample cannot have: every class twice, room for each."""
    if subset != "stratified":
        return
    bad = [size for size in sizes if size < len(y) and not _can_stratify(y, size)]
    if bad:
        n_classes = len(np.unique(y))
        raise ValueError(
            f"subset='stratified' needs sizes from {n_classes} (one example per class) to "
            f"{len(y) - n_classes}, and every class at least twice in the pool; got {bad}."
        )


def _check_two_classes(subset, sizes, y):
    """Refuse sizes whose training sets would hold one class: no classifier fits them.

    Found before any work, naming the sizes; the first job's estimator said
    it without naming the size. A random sample of 2 or more examples may
    still draw one class by chance, which the job's error then says.
    """
    if y.ndim != 1 or len(y) == 0:
        return  # not labels of one class each: the estimators judge them
    if subset == "first":
        differs = np.flatnonzero(y != y[0])  # the first example of a second class
        fewest = int(differs[0]) + 1 if len(differs) else len(y) + 1
        why = f"the first {fewest - 1} training examples are all of class {y[:1].tolist()[0]!r}"
    else:
        fewest, why = 2, "a single example is of one class"
    bad = [size for size in sizes if size < fewest]
    if bad:
        raise ValueError(
            f"sizes {bad} give training sets of one class ({why}): a classifier needs "
            f"two; use sizes from {fewest}."
        )


def _can_stratify(y, size):
    """Whether a stratified sample of ``size`` exists: every class twice, room for each."""
    _, counts = np.unique(y, return_counts=True)
    return counts.min() >= 2 and len(counts) <= size <= len(y) - len(counts)


def _subset(X, y, size, subset, seed):
    """The training set of one job: the first ``size`` examples or a sample drawn with ``seed``.

    ``'stratified'`` always stratifies (and fails where it cannot); ``'random'``
    stratifies when every class can be represented, and samples uniformly otherwise.
    """
    if subset == "first" or size >= len(y):
        return X[:size], y[:size]
    stratify = y if subset == "stratified" or _can_stratify(y, size) else None
    # The rows drawn, as train_test_split(X, y, ...) draws them; split itself, it copied
    # the rest of X as well, which the job never reads.
    rows, _ = train_test_split(
        np.arange(len(y)), train_size=size, stratify=stratify, random_state=seed
    )
    return X[rows], y[rows]  # an array or CSR matrix (_checked_pair)


def _engine_of(model):
    """The engine that trained a network (``engine_``), also as a pipeline's last step."""
    return getattr(final_step(model), "engine_", None)


def _fit(job, data):
    """One job's model fitted on its subset, and its record without scores."""
    X_part, y_part = _subset(data.X_train, data.y_train, job.size, job.subset, job.seed)
    model = clone(job.model)
    start = time.perf_counter()
    with _naming(f"{job.name} on {job.size} examples of the training set"):
        model.fit(X_part, y_part)
    record = {
        "estimator": job.name,
        "size": job.size,
        "seed": job.seed,
        "subset": job.subset,
        "params": job.params,
        "fingerprint": job.fingerprint,
        "fit_seconds": time.perf_counter() - start,
        "predict_seconds": 0.0,
    }
    engine = _engine_of(model)
    if engine is not None:
        record["engine"] = engine
    return model, record


def _score(record, model, data, known=None):
    """Score a fitted model on every set with every scorer, into its record.

    Each set's responses (``predict``, ``predict_proba``, ...) are computed
    once for all the scorers, or taken from ``known``, by (set, method).
    """
    sets = {name: X for name, (X, _) in data.test_sets.items()}
    shared = SharedResponses(model, sets, known)
    scorer = check_scoring(shared, scoring=data.scorers)
    for test_name, (X_test, y_test) in data.test_sets.items():
        start = time.perf_counter()
        with _naming(f"{record['estimator']} on the {test_name} set"):
            scores = scorer(shared, X_test, y_test)
        record["predict_seconds"] += time.perf_counter() - start
        record.update({f"{name}_{test_name}": float(score) for name, score in scores.items()})
    return record


def _run_job(job, data, predict=True):
    """Fit one configured model on one subset and score it on every test set.

    Returns ``(record, None)``; with ``predict=False`` the job only fits and
    returns ``(record without scores, fitted model)``, for its predictions
    to be split across the workers.
    """
    model, record = _fit(job, data)
    if not predict:
        return record, model
    return _score(record, model, data), None


def _predict_piece(index, set_name, start, model, rows, methods):
    """One piece of a split prediction: ``(job index, set, first row, responses, seconds)``."""
    with _naming(f"{type(model).__name__} on the {set_name} set"):
        return (index, set_name, start, *predict_rows(model, rows, methods))


@contextlib.contextmanager
def _naming(what):
    """Prefix an estimator's refusal of the data it is given with what was given.

    What the study does not check is the estimators' to judge (negative
    values, for ``MultinomialNB``): their refusal came from inside a job,
    naming no set.
    """
    try:
        yield
    except (ValueError, TypeError) as exc:
        # Other subclasses' arguments differ; these take the message alone.
        if type(exc) not in (ValueError, TypeError, SparseInputError, InvalidParameterError):
            raise
        raise type(exc)(f"{what}: {exc}") from exc


def _is_random(name, estimator, subset, deterministic):
    if subset != "first":
        return True
    return name not in deterministic and "random_state" in estimator.get_params(deep=False)


def _scoring_fingerprint(scorers):
    """What identifies the scorers across runs; nothing for the default, as before scoring."""
    if scorers == DEFAULT_SCORERS:
        return ()
    identities = {
        name: scorer if isinstance(scorer, str) else getattr(scorer, "__qualname__", repr(scorer))
        for name, scorer in scorers.items()
    }
    return (sorted(identities.items()),)


def planned_runs(estimators, sizes, seeds, *, subset="first", deterministic=()):
    """The runs :func:`training_size_comparison` plans, in the order it plans them.

    Parameters
    ----------
    estimators : dict of str to estimator
        The named estimators, as in :func:`training_size_comparison`.
    sizes, seeds : sequences of int
        Training-set sizes and seeds.
    subset : {'first', 'random', 'stratified'}, default='first'
        How training sets are drawn, as in :func:`training_size_comparison`.
    deterministic : collection of str, default=()
        As in :func:`training_size_comparison`: these run once per size.

    Returns
    -------
    runs : list of (str, int, int)
        ``(estimator name, size, seed)`` of every job: each size once,
        smallest first, and each seed once, as the study runs them.

    Raises
    ------
    TypeError
        For ``deterministic`` that is no list of names (a str, say).
    ValueError
        For sizes or seeds the study refuses, another ``subset``, or a name
        in ``deterministic`` that is no estimator's.

    Examples
    --------
    ``SVC`` without ``probability=True`` does not depend on its seed: on the
    first N examples it runs once per size.

    >>> from sklearn.svm import SVC
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.comparison import planned_runs
    >>> estimators = {"network": NielsenMLPClassifier(), "SVC": SVC()}
    >>> planned_runs(estimators, [100, 200], seeds=[0, 1], deterministic=["SVC"])
    [('network', 100, 0), ('network', 100, 1), ('SVC', 100, 0),
     ('network', 200, 0), ('network', 200, 1), ('SVC', 200, 0)]
    >>> len(planned_runs(estimators, [100, 200], seeds=[0, 1], subset="random"))
    8
    """
    _check_subset(subset)
    # As the study reads them: each size once, smallest first; each seed once.
    sizes, seeds = _checked_sizes_and_seeds(sizes, seeds)
    deterministic = _checked_deterministic(deterministic, estimators)
    return [
        (name, size, seed)
        for size in sizes
        for name, estimator in estimators.items()
        for seed in (seeds if _is_random(name, estimator, subset, deterministic) else seeds[:1])
    ]


def _check_subset(subset):
    """Refuse a ``subset`` that is none of ``SUBSETS``."""
    if subset not in SUBSETS:
        raise ValueError(f"subset must be one of {SUBSETS}; got {subset!r}.")


def _checked_deterministic(deterministic, estimators):
    """The names of ``deterministic`` as a frozenset, each one of the study's estimators.

    A str was read letter by letter (``"svc"`` ran every seed), and a name
    that is no estimator's was ignored.
    """
    if isinstance(deterministic, (str, bytes)) or not isinstance(deterministic, Iterable):
        raise TypeError(
            "deterministic must be a list of estimator names, e.g. ['SVC']; got "
            f"{type(deterministic).__name__} {deterministic!r:.60}."
        )
    names = frozenset(deterministic)
    unknown = sorted(map(str, names - set(estimators)))
    if unknown:
        raise ValueError(
            f"deterministic names {unknown}, which {'is' if len(unknown) == 1 else 'are'} no "
            f"estimator of the study; its estimators are {sorted(map(str, estimators))}."
        )
    return names


def estimate_seconds_left(finished, remaining, n_jobs=1, prior=None):
    """Estimate the time the remaining runs of a comparison will take.

    The time of a run (fit and scoring) depends on its estimator and size: a
    kernel SVM grows faster than linearly with N, while the book's scaled
    network takes about the same time at every N. Each remaining run is
    estimated from the finished runs of its estimator: their median at the
    same size; else the power law through the two largest finished sizes
    (exponent clipped to [0, 3]); with one finished size, the ``prior``'s
    curve through it, or without a prior the same time at every N (a guess
    that errs low for SVMs until their second size is in, rather than hours
    too high for the book's network). An estimator with no finished run gets
    the ``prior``, or without one the median of all finished runs. The runs
    share ``n_jobs`` workers, but no run is split: the estimate is at least
    the longest remaining run.

    Parameters
    ----------
    finished : list of dict
        Records of finished runs (``estimator``, ``size``, ``fit_seconds``,
        ``predict_seconds``).
    remaining : list of (str, int, ...)
        Estimator name and size of each run still to do, as in
        :func:`planned_runs`.
    n_jobs : int, default=1
        Runs done at once; None or a value below 1 counts as one.
    prior : callable, optional
        ``prior(name, size)``: a guess of a run's seconds before any
        measurement, such as the study's schedule makes (with the largest
        jobs first, the first runs to finish are the longest ones, whose
        median would be hours too high for the rest).

    Returns
    -------
    seconds : float or None
        None before any run has finished.

    Examples
    --------
    An SVM that took 1 s on 100 examples and 4 s on 200 grows as N²:

    >>> from sknielsen.comparison import estimate_seconds_left
    >>> finished = [
    ...     {"estimator": "SVC", "size": n, "fit_seconds": seconds, "predict_seconds": 0.0}
    ...     for n, seconds in [(100, 1.0), (200, 4.0)]
    ... ]
    >>> estimate_seconds_left(finished, [("SVC", 400), ("SVC", 800)])
    80.0

    On two workers the 64 s run at N = 800 still takes 64 s:

    >>> estimate_seconds_left(finished, [("SVC", 400), ("SVC", 800)], n_jobs=2)
    64.0
    """
    if not finished:
        return None
    times = {}
    for record in finished:
        seconds = record["fit_seconds"] + record["predict_seconds"]
        times.setdefault(record["estimator"], {}).setdefault(record["size"], []).append(seconds)
    if prior is None:
        median = float(
            np.median([t for by_size in times.values() for ts in by_size.values() for t in ts])
        )
        prior = lambda name, size: median  # noqa: E731
    runs = [
        grown_seconds(times.get(name, {}), size, lambda n, name=name: prior(name, n))
        for name, size, *_ in remaining
    ]
    if not runs:
        return 0.0
    return max(sum(runs) / max(1, n_jobs or 1), max(runs))


def _plan_jobs(estimators, data, settings):
    """Every job of the study, in order, each with the fingerprint of its configuration."""
    data_fingerprint = joblib.hash(
        (data.X_train, data.y_train, data.test_sets, *_scoring_fingerprint(data.scorers))
    )
    jobs = []
    runs = planned_runs(
        estimators,
        settings.sizes,
        settings.seeds,
        subset=settings.subset,
        deterministic=settings.deterministic,
    )
    for name, size, seed in runs:
        estimator = estimators[name]
        scaled = scaled_params(estimator, size, settings.n_full) if settings.scale_rule else {}
        params = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in scaled.items()}
        model = clone(estimator).set_params(**params)
        if "random_state" in model.get_params(deep=False):
            model.set_params(random_state=seed)
        fingerprint = joblib.hash(
            (data_fingerprint, name, model.get_params(deep=False), settings.subset, size, seed)
        )
        jobs.append(_Job(name, model, params, size, seed, settings.subset, fingerprint))
    return jobs


def _describe(record):
    return f"{record.get('estimator')} N={record.get('size')} seed={record.get('seed')}"


def _is_number(value, kind=Real):
    # NumPy's numbers too: records read back through pandas or NumPy hold np.int64 sizes.
    return isinstance(value, kind) and not isinstance(value, (bool, np.bool_))


def _check_numbers(record, score_bounds):
    """Refuse an earlier record whose timings or scores could not have been made.

    Timings are finite and ≥ 0; scores are finite and within their
    scorer's range (an accuracy in [0, 1]).
    """
    missing = [
        key
        for key in ["fit_seconds", "predict_seconds", *score_bounds]
        if not _is_number(record.get(key))
    ]
    if missing:
        raise ValueError(f"Earlier record {_describe(record)} has no numbers for {missing}.")
    bounds = {"fit_seconds": (0.0, math.inf), "predict_seconds": (0.0, math.inf), **score_bounds}
    _refuse_impossible(
        record,
        [
            f"{key}={record[key]!r} (must be a finite number in [{low:g}, {high:g}])"
            for key, (low, high) in bounds.items()
            if not (math.isfinite(record[key]) and low <= record[key] <= high)
        ],
    )


def _check_job_numbers(record):
    """Refuse a size or seed that is no integer (``true`` would equal the seed 1)."""
    _refuse_impossible(
        record,
        [
            f"{key}={record.get(key)!r} (must be an integer)"
            for key in ("size", "seed")
            if not _is_number(record.get(key), Integral)
        ],
    )


def _refuse_impossible(record, impossible):
    if impossible:
        raise ValueError(
            f"Earlier record {_describe(record)} holds values no run makes: "
            f"{'; '.join(impossible)}. It was edited or damaged: remove it to run its job again."
        )


def _previous_records(previous, planned, score_bounds):
    """The earlier records, refused unless each is the record of one job planned now."""
    jobs = {job.fingerprint: job for job in planned}
    records, foreign = {}, []
    for index, record in enumerate(previous or []):
        if not isinstance(record, dict) or not isinstance(record.get("fingerprint"), str):
            raise ValueError(
                f"Earlier record {index} has no configuration fingerprint (not a record, or "
                "written by an older sknielsen): run the comparison afresh."
            )
        _check_job_numbers(record)
        job = jobs.get(record["fingerprint"])
        if job is None or (record.get("estimator"), record.get("size"), record.get("seed")) != (
            job.name,
            job.size,
            job.seed,
        ):
            foreign.append(record)
        elif record["fingerprint"] in records:
            raise ValueError(f"Earlier records hold the job {_describe(record)} twice.")
        else:
            _check_numbers(record, score_bounds)
            records[record["fingerprint"]] = record
    if foreign:
        raise ValueError(
            f"{len(foreign)} of the {len(previous)} earlier records come from a different "
            "configuration (data, scorers, estimator settings, subset, sizes or seeds), the first "
            f"being {_describe(foreign[0])}: resume only the same comparison, or start afresh."
        )
    return list(records.values())


def _as_finished(tasks, n_jobs, watch):
    """Each task's result as it finishes, the tasks started in their order, until Ctrl-C.

    The warnings of each task are issued here, in the caller's process, as
    its result arrives: a worker process printed them itself, out of reach
    of the caller's filters and of the command line's one-line summary.
    """
    caller = os.getpid()
    tasks = [
        delayed(_recording_warnings)(caller, task, *args, **kwargs) for task, args, kwargs in tasks
    ]
    # Idle processes otherwise: loky starts every worker at once, hundreds for n_jobs=500,
    # one per CPU for n_jobs=-1 (counted by joblib, as its active backend counts them).
    if joblib.effective_n_jobs(n_jobs) > len(tasks):
        n_jobs = max(1, len(tasks))
    # batch_size=1: joblib's automatic batching would bundle short tasks onto one worker.
    try:
        parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered", batch_size=1)
    except ValueError:
        # A backend that returns results only once all are done (joblib's
        # multiprocessing): they are taken then, in order. Anything else wrong with
        # the arguments is refused again here.
        parallel = Parallel(n_jobs=n_jobs, return_as="list", batch_size=1)
    for result, caught in parallel(tasks):
        for category, message in caught:
            warn(message, category)
        if watch.interrupted:  # this result's fit was cut short
            raise KeyboardInterrupt
        yield result


def _recording_warnings(caller, task, *args, **kwargs):
    """``(task's result, [(category, message)])``: its warnings, each, for the caller to issue.

    Only in a process other than the ``caller``'s (its id): a thread's warnings
    reach the caller's filters as they are, and recording them there would
    not be the thread's own (``catch_warnings`` changes the process's state:
    threads recording at once replaced each other's recorders, and lost the
    warnings of the first to finish, and all those issued after).
    """
    if os.getpid() == caller:
        return task(*args, **kwargs), []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # the caller's filters apply where they are issued
        result = task(*args, **kwargs)
    return result, [(w.category, str(w.message)) for w in caught]


def _schedule_of(jobs, data, finished, n_jobs):
    """The jobs' order and split predictions (see ``_schedule.plan_schedule``)."""
    n_rows = sum(_num_samples(X) for X, _ in data.test_sets.values())
    fit, predict = estimated_seconds(jobs, data.X_train.shape[1], n_rows, finished)
    splittable = [predicts_row_by_row(job.model) for job in jobs]
    return plan_schedule(fit, predict, joblib.effective_n_jobs(n_jobs), splittable)


def _fit_phase(jobs, data, schedule, n_jobs, watch, finished):
    """Run every job longest first; return the split ones fitted: index to (record, model)."""
    index = {job.fingerprint: i for i, job in enumerate(jobs)}
    tasks = (delayed(_run_job)(jobs[i], data, i not in schedule.split) for i in schedule.order)
    fitted = {}
    for record, model in _as_finished(tasks, n_jobs, watch):
        if model is None:
            finished(record)
        else:
            fitted[index[record["fingerprint"]]] = (record, model)
    return fitted


def _pieces(fitted, data, schedule):
    """The fitted jobs' predictions as tasks of one piece of a set each, the longest first.

    Returns the tasks and, for each job index, how many pieces it has.
    """
    n_rows = sum(_num_samples(X) for X, _ in data.test_sets.values())
    pieces, counts = [], Counter()
    for i, (_, model) in fitted.items():
        methods = response_methods(data.scorers, model)
        for set_name, (X, _) in data.test_sets.items():
            for start, stop in chunk_bounds(_num_samples(X), schedule.chunks):
                seconds = schedule.predict_seconds[i] * (stop - start) / n_rows
                rows = X[start:stop]
                pieces.append(
                    (seconds, delayed(_predict_piece)(i, set_name, start, model, rows, methods))
                )
                counts[i] += 1
    pieces.sort(key=lambda piece: -piece[0])
    return [task for _, task in pieces], counts


def _predict_phase(fitted, data, schedule, n_jobs, watch, finished):
    """Predict the fitted jobs' sets in pieces across the workers; score each job when whole."""
    tasks, left = _pieces(fitted, data, schedule)
    parts = defaultdict(dict)
    for i, set_name, start, responses, seconds in _as_finished(tasks, n_jobs, watch):
        record, model = fitted[i]
        record["predict_seconds"] += seconds
        parts[i][set_name, start] = responses
        left[i] -= 1
        if not left[i]:
            finished(_score(record, model, data, _joined(parts.pop(i))))


def _joined(parts):
    """``{(set, first row): {method: array}}`` of pieces as ``{(set, method): array}``."""
    joined = defaultdict(list)
    for (set_name, _), responses in sorted(parts.items()):
        for method, values in responses.items():
            joined[set_name, method].append(values)
    return {key: np.concatenate(values) for key, values in joined.items()}


def _collect(jobs, data, records, total, n_jobs, on_result):
    """Run the jobs on their schedule, appending each record as it comes, until done or Ctrl-C."""

    def finished(record):
        records.append(record)
        if on_result is not None:
            on_result(record, len(records), total)

    schedule = _schedule_of(jobs, data, records, n_jobs)
    try:
        with InterruptWatch() as watch:
            fitted = _fit_phase(jobs, data, schedule, n_jobs, watch, finished)
            if fitted:
                _predict_phase(fitted, data, schedule, n_jobs, watch, finished)
    except KeyboardInterrupt:
        warn(
            f"Comparison interrupted: returning the {len(records)} of {total} jobs "
            "that finished; pass them as previous= to resume.",
            ComparisonInterrupted,
        )
    return records


@reads_numpy  # arrays of any array library read as NumPy's, as the estimators read them
def training_size_comparison(
    estimators,
    X_train,
    y_train,
    X_test,
    y_test,
    sizes,
    *,
    seeds=(0,),
    subset="first",
    scoring=None,
    scale_rule=False,
    n_full=None,
    eval_sets=None,
    deterministic=(),
    n_jobs=None,
    previous=None,
    on_result=None,
    on_start=None,
):
    """Fit each estimator on growing training sets and score it on fixed test sets.

    Parameters
    ----------
    estimators : dict of str to estimator
        Named scikit-learn classifiers, e.g. ``{"network": NielsenMLPClassifier(),
        "SVC": SVC()}``. They are cloned, never changed.
    X_train, y_train : array-like
        The pool the training sets are taken from; ``y`` holds class labels,
        one per row of ``X`` (a column vector is accepted with scikit-learn's
        ``DataConversionWarning``). ``X`` holds finite numbers (dense or
        sparse, of any numeric dtype); NaN and infinity only when every
        estimator takes missing values (scikit-learn's ``allow_nan`` tag),
        strings and other categories only when every estimator takes
        categorical input (its ``categorical`` or ``string`` tag): a
        pipeline's tags are its first step's (``SimpleImputer``,
        ``OneHotEncoder``, say), and such values are then the estimators'
        to judge. Every set is checked before the first job starts.
    X_test, y_test : array-like
        The fixed test set, scored as ``<scorer>_test`` (``accuracy_test`` by
        default), with the training set's features and labels of its type.
    sizes : iterable of int
        Training-set sizes N.
    seeds : iterable of int, default=(0,)
        At least one. Each seed sets ``random_state`` of the estimators that have one and
        draws the random sample. On the first N examples, estimators
        without ``random_state`` (or named in ``deterministic``) give the
        same result for every seed and run once.
    subset : {'first', 'random', 'stratified'}, default='first'
        The first N examples (as the book), or N drawn at random with each
        seed: ``'random'`` stratifies by class when every class has two
        examples in the pool and N leaves room for each class (and samples
        uniformly otherwise), ``'stratified'`` always stratifies.
    scoring : str, callable, list or dict, optional
        The scikit-learn scorers (see ``sklearn.metrics.get_scorer_names``): a
        name, a callable ``scorer(estimator, X, y)``, a list of them, or a
        dict of names to them. Each scores every set, recorded as
        ``<name>_<set>``: ``f1_macro_test``, say; a callable is named by its
        ``__name__``, or ``score`` when alone. Default: the accuracy of
        ``predict``, as ``accuracy_<set>``.
    scale_rule : bool, default=False
        Apply the book's rule (:func:`scaled_params`): the estimators' epochs
        and λ are settings for ``n_full`` examples, scaled for each N.
    n_full : int, optional
        Size the settings are for; default ``len(y_train)``.
    eval_sets : dict of str to (X, y), optional
        More fixed sets to score, recorded as ``<scorer>_<name>``.
    deterministic : iterable of str, default=()
        Names of estimators whose fit does not depend on ``random_state``
        (``SVC`` without ``probability=True``, say).
    n_jobs : int, optional
        Jobs run in parallel by joblib (its active backend: loky by default,
        or dask/ray under ``joblib.parallel_config``). On several workers
        the jobs start longest first (estimated from each estimator's growth
        with N, or from ``previous`` records), and an SVM's long prediction
        may be cut into pieces predicted on several workers at the end: the
        records are those of one worker but for their timings.
    previous : list of dict, optional
        Records of an earlier, interrupted run of the same comparison: their
        jobs are not run again and they are part of the result. Records
        whose fingerprint matches no job of this comparison are refused;
        NumPy numbers (records read back through pandas or NumPy) are taken
        as the Python numbers a run writes.
    on_result : callable, optional
        Called with ``(record, done, total)`` as each job finishes, to report
        progress or save partial results.
    on_start : callable, optional
        Called with ``(done, total)`` once the arguments and the earlier
        records are accepted, before the first job runs: a report printed
        there is never followed by an error about them.

    Returns
    -------
    records : list of dict
        One per (estimator, size, seed): ``estimator``, ``size``, ``seed``,
        ``subset``, ``params`` (what the scaling rule set), ``fingerprint``,
        ``fit_seconds``, ``predict_seconds`` (scoring, predictions included,
        each set predicted once for all the scorers; a prediction in pieces
        counts the seconds of every piece),
        ``engine`` for estimators that record the engine that trained them
        (``engine_``: ``'numpy'`` or ``'c'``) and one score per scorer
        and set: ``accuracy_test`` by default, plus one per ``eval_sets``
        entry. See :func:`summarize` for means and spreads. After Ctrl-C,
        only the jobs finished before it, with a
        :class:`ComparisonInterrupted` warning.

    Raises
    ------
    TypeError
        ``estimators`` that is no dict of str names to estimator instances
        (a class, say), or ``eval_sets`` no dict of names to ``(X, y)``.
    ValueError
        Sets of inconsistent lengths or numbers of features, sets holding
        ±∞, values that are not numbers or NaN that an estimator cannot
        take, named by their argument (``X_test contains NaN, ...``),
        targets that are not class labels or not of ``y_train``'s type,
        sizes that are no whole numbers (fractions of the training set) or
        lie outside the pool, no seeds or seeds outside [0, 2³² − 1],
        unknown or unnamed scorers, a scorer asking an estimator for a
        response it lacks (``neg_log_loss`` of ``SVC()``), earlier records
        of another configuration, or a network's parameters (bare, in
        ``BookScaling`` or in a pipeline) that its fit would refuse, named
        by the estimator.
    SparseInputError
        A sparse ``X_train`` for a network whose optimizer trains on dense
        input only (``'lbfgs'``, ``'newton'``), bare, in ``BookScaling`` or
        first in a pipeline, before any job, naming the estimator: a
        ``TypeError`` and a ``ValueError``. Another estimator's refusal
        comes from its first fit, named by the job.

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.comparison import training_size_comparison
    >>> from sknielsen.datasets import load_digits_split
    >>> d = load_digits_split()
    >>> records = training_size_comparison(
    ...     {"network": NielsenMLPClassifier(epochs=10), "SVC": SVC()},
    ...     d.X_train, d.y_train, d.X_test, d.y_test, sizes=[100, 400], seeds=[0, 1])
    >>> sorted({(r["estimator"], r["size"]) for r in records})
    [('SVC', 100), ('SVC', 400), ('network', 100), ('network', 400)]
    """
    _check_subset(subset)
    check_named_estimators(estimators)
    _check_network_params(estimators)
    data = _checked_data(estimators, X_train, y_train, X_test, y_test, eval_sets, scoring)
    sizes, seeds = check_plan(data.y_train, sizes, seeds, subset)
    n_full = (
        len(data.y_train)
        if n_full is None
        else _whole_number(n_full, "n_full", "a whole number of examples")
    )
    if n_full < 1:
        raise ValueError(f"n_full must be a positive number of examples; got {n_full}.")
    deterministic = _checked_deterministic(deterministic, estimators)
    settings = _StudySettings(sizes, seeds, subset, scale_rule, n_full, deterministic)
    planned = _plan_jobs(estimators, data, settings)
    records = _previous_records(previous, planned, data.score_bounds())
    if on_start is not None:
        on_start(len(records), len(planned))
    done = {record["fingerprint"] for record in records}
    jobs = [job for job in planned if job.fingerprint not in done]
    records = _collect(jobs, data, records, len(planned), n_jobs, on_result)
    return sorted(records, key=lambda r: (r["estimator"], r["size"], r["seed"]))


def summarize(records, metric="accuracy_test"):
    """Mean and spread of a metric for each (estimator, size).

    Parameters
    ----------
    records : list of dict
        As returned by :func:`training_size_comparison`.
    metric : str, default='accuracy_test'
        The record's key to summarize, ``<scorer>_<set>``.

    Returns
    -------
    rows : list of dict
        ``estimator``, ``size``, ``n_seeds``, ``mean``, ``std``, ``min``,
        ``max``, ``fit_seconds`` and ``predict_seconds`` (means), sorted by
        estimator and size.

    Raises
    ------
    TypeError
        If ``records`` is no list of dict.
    ValueError
        For a record without ``estimator``, ``size``, ``fit_seconds`` or
        ``predict_seconds``, a value that is no number, the same job
        (estimator, size, seed) twice, or records of one estimator and size
        drawn with different subsets: records of more than one run; and for
        records none of which holds ``metric``.

    Examples
    --------
    Two random training sets of each size, drawn with the seeds 0 and 1:

    >>> from sklearn.svm import SVC
    >>> from sknielsen.comparison import summarize, training_size_comparison
    >>> from sknielsen.datasets import load_digits_split
    >>> d = load_digits_split()
    >>> records = training_size_comparison({"SVC": SVC()}, d.X_train, d.y_train, d.X_test,
    ...                                    d.y_test, [100, 200], seeds=[0, 1], subset="random")
    >>> for row in summarize(records):
    ...     print(row["estimator"], row["size"], row["n_seeds"],
    ...           f"{row['mean']:.3f} ± {row['std']:.3f}")
    SVC 100 2 0.904 ± 0.028
    SVC 200 2 0.952 ± 0.006
    """
    groups = defaultdict(list)
    records = checked_records(records, metric)
    for record in records:
        if metric in record:
            groups[(record["estimator"], record["size"])].append(record)
    if records and not groups:  # a summary of nothing, as if no job had finished
        raise no_metric_error(records, metric)
    for (name, size), group in groups.items():
        _check_one_study(name, size, group)
    rows = []
    for (name, size), group in sorted(groups.items()):
        values = np.array([r[metric] for r in group], dtype=np.float64)
        mean, std = _mean_and_std(values)
        rows.append(
            {
                "estimator": name,
                "size": size,
                "n_seeds": len(group),
                "mean": mean,
                "std": std,
                "min": float(values.min()),
                "max": float(values.max()),
                "fit_seconds": float(np.mean([r["fit_seconds"] for r in group])),
                "predict_seconds": float(np.mean([r["predict_seconds"] for r in group])),
            }
        )
    return rows


def _mean_and_std(values):
    """The mean and standard deviation of ``values``, on a smaller scale where sums overflow.

    A score of a scorer of one's own near 1e308 overflowed NumPy's sums
    (with its warnings); one that is NaN or infinite gives a NaN or infinite
    mean, which the conclusions leave out. Other scores are summarized as
    they always were; the smaller scale is a power of two, which is exact.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        mean, std = float(values.mean()), float(values.std())
        if (np.isfinite(mean) and np.isfinite(std)) or not np.isfinite(values).all():
            return mean, std
        scale = power_of_two_scale(values)
        relative = values / scale
        return float(relative.mean() * scale), float(relative.std() * scale)


#: What a record holds besides its scores and timings (see training_size_comparison).
RECORD_FIELDS = frozenset(
    {"estimator", "size", "seed", "subset", "params", "fingerprint", "engine"}
)


def no_metric_error(records, metric):
    """The error for ``records`` none of which holds ``metric``, naming the scores they hold.

    Those are every key ``<scorer>_<set>``: an eval set's as well as the test set's.
    """
    held = sorted({key for record in records for key in record} - RECORD_FIELDS)
    held = [key for key in held if not key.endswith("_seconds")]
    return ValueError(f"No record holds {metric!r}; they hold {held}: pass one of them as metric=.")


def checked_records(records, metric):
    """The records as a list, refused unless each could be summarized.

    Without these checks a str or a dict summarized to nothing, a missing
    timing failed with a bare ``KeyError`` and a value that is no number
    inside NumPy.
    """
    if isinstance(records, Mapping) and "records" in records:
        # What json.load gives of the comparison.json that a study (the CLI's compare) writes.
        raise TypeError(
            "records must be the list of dict that training_size_comparison returns, not a "
            "study's whole results (its comparison.json): pass its ['records']."
        )
    if isinstance(records, (str, bytes, Mapping)) or not isinstance(records, Iterable):
        raise TypeError(
            "records must be the list of dict that training_size_comparison returns, "
            f"not {type(records).__name__}."
        )
    records = list(records)
    if not all(isinstance(record, Mapping) for record in records):
        raise TypeError("records must be a list of dict, as training_size_comparison returns.")
    for key in ("estimator", "size", "fit_seconds", "predict_seconds"):
        if not all(key in record for record in records):
            raise ValueError(
                f"A record has no {key!r}: pass the records of training_size_comparison."
            )
    for record in records:
        name = record["estimator"]
        if not isinstance(name, str):  # names of two types failed in sorting them
            raise ValueError(
                f"A record's 'estimator' is {type(name).__name__} {name!r:.40}, not a name "
                "(str): pass the records of training_size_comparison."
            )
        numbers = {key: record[key] for key in ("size", "fit_seconds", "predict_seconds")}
        numbers.update({metric: record[metric]} if metric in record else {})
        for key, value in numbers.items():
            if isinstance(value, bool) or not isinstance(value, Real):
                raise ValueError(
                    f"A record's {key!r} is {type(value).__name__} {value!r:.40}, not a "
                    "number: pass the records of training_size_comparison."
                )
    return records


def _check_one_study(name, size, group):
    """Refuse a group of records that are not the seeds of one study's job.

    A job twice (a resumed run's records added to the earlier ones) was
    counted as two seeds, and records of other subsets were averaged as one.
    """
    seen = set()
    for record in group:
        if "seed" not in record:
            continue
        if record["seed"] in seen:
            raise ValueError(
                f"The records hold the job {_describe(record)} twice: summarize the records "
                "of one run (a resumed run returns the earlier records with its own)."
            )
        seen.add(record["seed"])
    subsets = sorted({str(record["subset"]) for record in group if "subset" in record})
    if len(subsets) > 1:
        raise ValueError(
            f"The records of {name} N={size} mix the subset {' and '.join(map(repr, subsets))}: "
            "summarize the records of one study at a time."
        )


def _curves(summary):
    """``{estimator: {size: mean score}}`` from a summary, leaving out means that are not finite.

    A NaN (a scorer's, over a set it could not score) compares false with
    every number: it "led" and "beat" every estimator; an infinity is no
    score to state either.
    """
    by_name = defaultdict(dict)
    for row in summary:
        if np.isfinite(row["mean"]):
            by_name[row["estimator"]][row["size"]] = row["mean"]
    return by_name


def _refuse_timing(metric):
    """Refuse a summary of times: the sentences call the highest value the best."""
    if metric in ("fit_seconds", "predict_seconds"):
        raise ValueError(
            f"conclusions compare scores, higher better; {metric} is a time, lower better: "
            "read the times from summarize's rows, or plot them with "
            f"plot_training_size_comparison(records, metric={metric!r})."
        )


def _score_text(by_name, metric=None):
    """How the sentences write a score: a percentage for an accuracy, else a number.

    R² or a negative log-loss printed as "-200.00%" read as an accuracy. With
    ``metric`` (``<scorer>_<set>``), an accuracy is a percentage and any other
    score a number; without it, scores that all lie in [0, 1] are taken for
    accuracies.
    """
    if metric is not None:
        percent = str(metric).startswith("accuracy_")
    else:
        scores = [score for sizes in by_name.values() for score in sizes.values()]
        percent = all(0.0 <= score <= 1.0 for score in scores)
    if percent:
        return lambda score: f"{score:.2%}"
    return lambda score: f"{score:.4g}"


def conclusions(summary, metric=None):
    """At most three sentences: the crossovers, the leader at the largest N, data efficiency.

    Parameters
    ----------
    summary : list of dict
        As returned by :func:`summarize`.
    metric : str, optional
        The ``metric`` the summary is of (``'r2_test'``, say): an accuracy is
        written as a percentage, any other score as a number. None: scores
        that all lie in [0, 1] are taken for accuracies. The timings
        (``'fit_seconds'``, ``'predict_seconds'``) are refused: the highest
        would lead.

    Returns
    -------
    sentences : list of str
        The sizes at which the lead changes hands (omitted when it never
        does), which estimator leads at the largest size and by how much
        (naming those with no result there, or only NaN means: one alone
        there leads nobody), and
        the smallest training set with which one estimator matches another's
        accuracy at its largest size, when one does.

    Examples
    --------
    The book's figure, from its records: the network and the SVM on the first N
    of MNIST's images (a summary needs ``estimator``, ``size`` and ``mean`` here):

    >>> from sknielsen.book import load_record
    >>> from sknielsen.comparison import BOOK_SIZES, conclusions
    >>> summary = [
    ...     {"estimator": name, "size": size, "mean": percent / 100}
    ...     for name, record in [("network", "more_data"), ("SVC", "more_data_svm")]
    ...     for size, percent in zip(BOOK_SIZES, load_record(record))
    ... ]
    >>> for sentence in conclusions(summary):
    ...     print(sentence)
    At 50,000 examples network leads with 95.97% (then SVC 94.48%).
    network needs only 10,000 examples to match what SVC reaches with 50,000 (94.48%).
    """
    _refuse_timing(metric)
    if not summary:
        return []
    if any("mean" not in row and "fit_seconds" in row for row in summary):
        raise ValueError(
            "conclusions takes the rows of summarize, not the records: pass summarize(records)."
        )
    by_name = _curves(summary)
    if not by_name:
        return []
    text = _score_text(by_name, metric)
    sentences = []
    crossovers = [
        s.removeprefix("Crossover: ").rstrip(".")
        for s in crossover_statements(summary, metric)
        if s.startswith("Crossover: ")
    ]
    if crossovers:
        sentences.append("Crossovers: " + "; ".join(crossovers) + ".")
    # An estimator whose every mean is NaN has no curve, but was in the study all the same.
    studied = {row["estimator"] for row in summary}
    sentences.append(_lead_at_largest(by_name, text, studied))
    efficiency = _most_data_efficient(by_name, text)
    if efficiency:
        sentences.append(efficiency)
    return sentences


def _lead_at_largest(by_name, text, studied):
    """The sentence for who leads at the largest size, naming who has no result there.

    An estimator of ``studied`` without a score at that size (an interrupted
    study, sizes that differ by estimator, means that are NaN) is named as
    such: one alone there "led" an estimator that led it at every size both
    reached.
    """
    largest = max(size for sizes in by_name.values() for size in sizes)
    at_largest = sorted(
        ((sizes[largest], name) for name, sizes in by_name.items() if largest in sizes),
        reverse=True,
    )
    missing = sorted(name for name in studied if largest not in by_name.get(name, {}))
    unmeasured = f"no result for {', '.join(missing)}" if missing else ""
    best, first = at_largest[0]
    if len(at_largest) == 1 and missing:
        return f"At {largest:,} examples only {first} was measured: {text(best)} ({unmeasured})."
    leaders = sorted(name for score, name in at_largest if score == best)
    others = [(score, name) for score, name in at_largest if score != best]
    behind = ", ".join(f"{name} {text(score)}" for score, name in others)
    lead = f"{leaders[0]} leads with" if len(leaders) == 1 else f"{' and '.join(leaders)} tie with"
    notes = "; ".join(note for note in (f"then {behind}" if behind else "", unmeasured) if note)
    return f"At {largest:,} examples {lead} {text(best)}" + (f" ({notes})." if notes else ".")


def _most_data_efficient(by_name, text):
    """The sentence for the smallest fraction of data with which one estimator matches another."""
    best = None
    for a, a_sizes in by_name.items():
        for b, b_sizes in by_name.items():
            if a == b:
                continue
            b_size = max(b_sizes)
            reached = [n for n in sorted(a_sizes) if n < b_size and a_sizes[n] >= b_sizes[b_size]]
            if reached and (best is None or reached[0] / b_size < best[0]):
                best = (reached[0] / b_size, a, reached[0], b, b_size, b_sizes[b_size])
    if best is None:
        return None
    _, a, n, b, b_size, accuracy = best
    return (
        f"{a} needs only {n:,} examples to match what {b} reaches with {b_size:,} "
        f"({text(accuracy)})."
    )


def crossover_statements(summary, metric=None):
    """Return sentences in the book's manner comparing estimators across sizes.

    For each ordered pair (A, B): the smallest size at which A reaches B's
    accuracy at B's largest size ("network at 5,000 (93.2%) matches SVC at
    50,000 (94.5%)"), or that it never does; and every size where the lead
    changes hands.

    Parameters
    ----------
    summary : list of dict
        As returned by :func:`summarize`.
    metric : str, optional
        As for :func:`conclusions`: how the scores are written.

    Returns
    -------
    statements : list of str
        One sentence each.

    Examples
    --------
    The book's network (its λ and epochs scaled to N) against its SVM on the
    digits: the network leads with few examples, the SVM with more.

    >>> from sklearn.svm import SVC
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.comparison import crossover_statements, summarize, training_size_comparison
    >>> from sknielsen.datasets import load_digits_split
    >>> d = load_digits_split()
    >>> estimators = {"network": NielsenMLPClassifier(eta=3.0, epochs=3, random_state=0),
    ...               "SVC(gamma='auto')": SVC(gamma="auto")}
    >>> records = training_size_comparison(estimators, d.X_train, d.y_train, d.X_test, d.y_test,
    ...                                    [100, 200, 400], scale_rule=True, n_full=400)
    >>> for sentence in crossover_statements(summarize(records)):
    ...     print(sentence)
    SVC(gamma='auto') at 200 examples (80.80%) already matches network at 400 (...%).
    SVC(gamma='auto') at 400 (91.65%) beats network at every size up to 400 (...%).
    Crossover: SVC(gamma='auto') overtakes network at 400 examples (91.65% vs ...%).
    """
    _refuse_timing(metric)
    by_name = _curves(summary)
    text = _score_text(by_name, metric)
    names = sorted(by_name)
    statements = []
    for a in names:
        for b in names:
            if a == b:
                continue
            b_size = max(by_name[b])
            b_best = by_name[b][b_size]
            reached = [n for n in sorted(by_name[a]) if by_name[a][n] >= b_best]
            if reached and reached[0] < b_size:
                n = reached[0]
                statements.append(
                    f"{a} at {n:,} examples ({text(by_name[a][n])}) already matches "
                    f"{b} at {b_size:,} ({text(b_best)})."
                )
            elif not reached:
                a_size = max(by_name[a])
                statements.append(
                    f"{b} at {b_size:,} ({text(b_best)}) beats {a} at every size up to "
                    f"{a_size:,} ({text(by_name[a][a_size])})."
                )
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            common = sorted(set(by_name[a]) & set(by_name[b]))
            leader = None
            for n in common:
                if by_name[a][n] == by_name[b][n]:  # a tie: the lead has not changed hands
                    continue
                current = a if by_name[a][n] > by_name[b][n] else b
                if leader is not None and current != leader:
                    statements.append(
                        f"Crossover: {current} overtakes {({a, b} - {current}).pop()} "
                        f"at {n:,} examples ({text(by_name[current][n])} vs "
                        f"{text(by_name[a if current == b else b][n])})."
                    )
                leader = current
    return statements
