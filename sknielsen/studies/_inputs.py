"""The inputs a study's estimators can take, checked once before any fit.

Every study entry point (:func:`~sknielsen.comparison.training_size_comparison`,
:func:`~sknielsen.tuning.find_eta_threshold`, :func:`~sknielsen.tuning.search_lmbda`)
refuses NaN, infinity and values that are no numbers up front, as
scikit-learn's tags of its estimators say they cannot take them: inside a
fit they failed after earlier fits, or in a score after a fit, naming no
argument. A sparse training set is refused up front too when a network of
the study trains on dense input only (:func:`refuse_sparse_training`), and
a set whose column names are not the training set's
(:func:`check_feature_names`).
"""

from typing import NamedTuple

import numpy as np
from scipy.sparse import issparse
from sklearn.utils import get_tags

from .. import NielsenMLPClassifier, NielsenMLPRegressor, plugins
from .._core.sparse import MINI_BATCH_INSTEAD, refuse_sparse
from .._core.warn import warn

__all__ = [
    "Refusers",
    "check_feature_names",
    "checked_values",
    "refuse_sparse_training",
    "refusers",
]

# How a dtype that holds no real numbers is named in an error.
_NOT_NUMBERS = {"U": "strings", "S": "bytes", "M": "dates", "m": "durations"}


class Refusers(NamedTuple):
    """The names of a study's estimators that refuse some inputs, by scikit-learn's tags.

    ``missing``: no ``allow_nan`` (they refuse NaN, and infinity with it);
    ``non_numbers``: neither ``categorical`` nor ``string`` input (they
    refuse strings and other values that are no numbers).
    """

    missing: list
    non_numbers: list


def refusers(estimators):
    """The :class:`Refusers` of a study's ``estimators`` (a dict by name)."""
    tags = {
        name: get_tags(_input_step(estimator)).input_tags for name, estimator in estimators.items()
    }
    return Refusers(
        missing=[name for name, tag in tags.items() if not tag.allow_nan],
        non_numbers=[name for name, tag in tags.items() if not (tag.categorical or tag.string)],
    )


def _input_step(estimator):
    """The estimator that sees the data: a pipeline's first step (its own tags say less).

    scikit-learn's ``Pipeline`` leaves ``allow_nan`` and ``categorical``
    False even when its first step imputes or encodes. A pipeline of no
    step is its own.
    """
    while hasattr(estimator, "steps"):
        steps = [step for _, step in estimator.steps if step not in (None, "passthrough")]
        if not steps:
            return estimator
        estimator = steps[0]
    return estimator


def refuse_sparse_training(X, x_name, estimators):
    """Refuse a sparse training set ``X`` if a network of the study trains on dense input only.

    Only sknielsen's networks are judged, bare or as a pipeline's first
    step: their optimizer says whether they take sparse input. What an
    earlier step makes of it, or another estimator, is left to its fit.

    Parameters
    ----------
    X : ndarray or sparse matrix
        The training set's inputs.
    x_name : str
        The argument that gave ``X``, for the message.
    estimators : dict
        The study's estimators by name; the name None (a search's one
        estimator) names none in the message.

    Raises
    ------
    SparseInputError
        If ``X`` is sparse and an estimator's network has a full-batch
        optimizer, in the words of the network's own refusal.
    """
    for name, estimator in estimators.items():
        optimizer = _full_batch_optimizer(_input_step(estimator))
        if optimizer is not None:
            owner = "The" if name is None else f"{name}'s"
            refuse_sparse(
                X, f"{owner} full-batch optimizer {optimizer}", MINI_BATCH_INSTEAD, x_name
            )


def _full_batch_optimizer(estimator):
    """The class name of ``estimator``'s optimizer if it is a network's full-batch one, or None.

    An optimizer that is no plugin is left to the fit, which names it.
    """
    if not isinstance(estimator, (NielsenMLPClassifier, NielsenMLPRegressor)):
        return None
    try:
        optimizer = plugins.get("optimizer", estimator.optimizer)
    except (TypeError, ValueError):
        return None
    return type(optimizer).__name__ if isinstance(optimizer, plugins.Solver) else None


def checked_values(X, x_name, refusers):
    """``X``, refused when it holds values that an estimator of the study cannot take.

    Values that every estimator takes (by its tags: :func:`refusers`) are
    left to them, which judge them further. An object array of numbers is
    converted to float64, as the estimators would.

    Parameters
    ----------
    X : ndarray or sparse matrix
        A set's inputs, of any dtype (``check_array(..., dtype=None,
        ensure_all_finite=False)`` gives them); a sparse matrix has its
        values in ``data`` (CSR, CSC or COO).
    x_name : str
        The argument that gave ``X``, for the messages.
    refusers : Refusers
        The estimators that refuse missing values and those that refuse
        values that are no numbers.

    Returns
    -------
    X : ndarray or sparse matrix
        ``X``, of a numeric dtype unless every estimator takes categories.

    Raises
    ------
    ValueError
        If ``X`` holds values that are no numbers, infinity or NaN and an
        estimator cannot take them, naming ``x_name`` and the estimators.
    """
    names = ", ".join(refusers.non_numbers)
    advice = "encode them as numbers first (OneHotEncoder, say), or use estimators that take them"
    if X.dtype.kind == "O":
        try:
            X = X.astype(np.float64)
        except (TypeError, ValueError) as exc:
            if not refusers.non_numbers:
                return X
            raise ValueError(
                f"{x_name} holds values that are not numbers, which {names} cannot take "
                f"({exc}): {advice}."
            ) from None
    if X.dtype.kind not in "biuf":
        if not refusers.non_numbers:
            return X
        what = _NOT_NUMBERS.get(X.dtype.kind, "values")
        raise ValueError(
            f"{x_name} holds {what} ({X.dtype}), not numbers, which {names} cannot take: {advice}."
        )
    if X.dtype.kind != "f" or not refusers.missing:  # integers and booleans are finite
        return X
    values = X.data if issparse(X) else X
    names = ", ".join(refusers.missing)
    if np.isinf(values).any():
        raise ValueError(
            f"{x_name} contains infinity, which {names} cannot take: replace it with finite values."
        )
    if np.isnan(values).any():
        raise ValueError(
            f"{x_name} contains NaN, which {names} cannot take: impute it first (SimpleImputer, "
            "say), or use estimators that take missing values."
        )
    return X


def check_feature_names(given, trained, name):
    """Refuse a set whose column names are not the training set's, as ``predict`` would.

    The estimators are fitted and scored on arrays, the names left behind:
    a DataFrame with the training set's columns reordered or renamed was
    scored by position, silently wrong.

    Parameters
    ----------
    given, trained : ndarray of str or None
        The set's and the training set's feature names (None for none).
    name : str
        The set's name in the messages.
    """
    if given is None and trained is None:
        return
    if trained is None or given is None:
        has, lacks = (
            (f"The {name} set", "the training set")
            if trained is None
            else (
                "The training set",
                f"the {name} set",
            )
        )
        warn(f"{has} has feature names, but {lacks} has none: the columns are matched by position.")
        return
    if len(given) == len(trained) and np.all(given == trained):
        return
    unseen = [str(n) for n in given if n not in set(trained)]
    missing = [str(n) for n in trained if n not in set(given)]
    detail = (
        "the same names in another order"
        if not unseen and not missing
        else f"names it was not trained with: {unseen[:5]}; names missing: {missing[:5]}"
    )
    raise ValueError(
        f"The {name} set's feature names differ from the training set's ({detail}): give it "
        "the training set's columns, in their order."
    )
