"""Helpers for using the estimators with scikit-learn's own tools, and for writing files."""

import re

import numpy as np
import sklearn
from sklearn.base import is_regressor

from . import plugins
from ._base import check_is_estimator, check_params, resolved_config
from ._core.files import check_outputs, write_atomically
from ._core.interrupts import InterruptWatch
from ._core.sparse import SparseInputError, canonical_csr

__all__ = [
    "InterruptWatch",
    "SparseInputError",
    "canonical_csr",
    "check_outputs",
    "check_params",
    "expected_failed_checks",
    "write_atomically",
]

#: Mini-batches at least this large hold all of any data set of scikit-learn's checks.
_FULL_BATCH_SIZE = 1000

_WEIGHT_EQUIVALENCE_CHECKS = (
    "check_sample_weight_equivalence_on_dense_data",
    "check_sample_weight_equivalence_on_sparse_data",
)

_REFIT_CHECKS = ("check_classifiers_multilabel_representation_invariance", "check_supervised_y_2d")

_WARM_START_REASON = (
    "These checks fit one estimator twice and compare the predictions: with warm_start the "
    "second fit continues the first, as scikit-learn's own warm-started estimators do."
)

_FLOAT32_REASON = (
    "dtype='float32' predicts in float32, as asked; the check wants float64 predictions."
)

#: Checks whose tiny data sets hold out validation sets that cannot rank epochs: a
#: regressor's of 1 sample, or of equal targets (R² is 0 whatever it predicts).
_REGRESSOR_VALIDATION_CHECKS = (
    "check_dict_unchanged",
    "check_dont_overwrite_parameters",
    "check_estimators_dtypes",
    "check_estimators_nan_inf",
    "check_estimators_pickle",
    "check_fit2d_1feature",
    "check_fit2d_predict1d",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_pipeline_consistency",
    "check_regressors_no_decision_function",
    "check_sample_weights_not_overwritten",
    "check_sample_weights_shape",
)

#: A classifier's: the held-out sample of the check's 10 has a weight of 0.
_CLASSIFIER_VALIDATION_CHECKS = ("check_classifiers_one_label_sample_weights",)

_VALIDATION_REASON = (
    "Early stopping, the schedule and validation monitors hold out validation_fraction of "
    "the data; of the check's few samples that is a set no score can rank epochs by (one "
    "sample, equal targets, or no weight), which is refused. Give X_val and y_val."
)

_HELD_OUT_WEIGHTS_REASON = (
    "The validation set is held out of the rows: a repeated row can fall on both sides of "
    "the split, a weighted row on one, so the models differ."
)

_STOCHASTIC_REASON = (
    "With mini-batches (or dropout), a sample of weight 2 is visited once per epoch "
    "with a doubled gradient, while a repeated sample is visited twice, in other "
    "mini-batches and with more steps per epoch: the objectives are equal (without a "
    "penalty), the stochastic paths are not. Full-batch configurations (a Solver such as "
    "'lbfgs', or a mini-batch larger than the data, without dropout or a penalty) pass "
    "this check."
)

_PENALTY_REASON = (
    "With a penalty (lmbda > 0), λ/n counts the rows, not their weights (sample weights "
    "are relative: scaling them all changes nothing): a sample of weight 2 is one of n "
    "rows, repeated it is two of n + 1, so the penalty weighs differently against the "
    "cost. Full-batch configurations without one (lmbda=0, or regularizer='none') pass."
)


def expected_failed_checks(estimator):
    """The scikit-learn estimator checks a configuration is expected to fail, with why.

    Pass it to :func:`sklearn.utils.estimator_checks.check_estimator` or
    :func:`~sklearn.utils.estimator_checks.parametrize_with_checks` as
    ``expected_failed_checks``.

    Parameters
    ----------
    estimator : NielsenMLPClassifier or NielsenMLPRegressor
        The configuration to check.

    Returns
    -------
    failures : dict
        Check names mapped to the reason each fails for this configuration.

    Raises
    ------
    sklearn.utils._param_validation.InvalidParameterError
        If ``estimator`` is no estimator of this package, or one whose
        parameters are invalid (as :func:`check_params` refuses them).

    Examples
    --------
    >>> from sklearn.utils.estimator_checks import check_estimator
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.utils import expected_failed_checks
    >>> net = NielsenMLPClassifier(random_state=0)
    >>> sorted(expected_failed_checks(net))  # doctest: +NORMALIZE_WHITESPACE
    ['check_sample_weight_equivalence_on_dense_data',
     'check_sample_weight_equivalence_on_sparse_data']
    >>> check_estimator(net, expected_failed_checks=expected_failed_checks(net))  # doctest: +SKIP
    """
    failures = {}
    check_is_estimator(estimator, "expected_failed_checks")  # resolved_config checks none
    config = resolved_config(estimator)  # check_estimator's fits warn of unread parameters
    solver = isinstance(config.plugins.optimizer, plugins.Solver)
    full_batch = config.mini_batch_size >= _FULL_BATCH_SIZE and not config.dropout
    # A Solver refuses the sparse check's data, as that check accepts.
    equivalence = _WEIGHT_EQUIVALENCE_CHECKS[:1] if solver else _WEIGHT_EQUIVALENCE_CHECKS
    if not solver and not full_batch:
        failures.update(dict.fromkeys(_WEIGHT_EQUIVALENCE_CHECKS, _STOCHASTIC_REASON))
    elif config.lmbda > 0 and not isinstance(config.plugins.regularizer, plugins.NoRegularizer):
        failures.update(dict.fromkeys(equivalence, _PENALTY_REASON))
    if estimator.warm_start:
        failures.update(dict.fromkeys(_REFIT_CHECKS, _WARM_START_REASON))
    regressor = is_regressor(estimator)
    if regressor and config.dtype == np.float32:
        failures["check_regressor_multioutput"] = _FLOAT32_REASON
    if config.needs_validation:
        checks = _REGRESSOR_VALIDATION_CHECKS if regressor else _CLASSIFIER_VALIDATION_CHECKS
        if regressor and _release(sklearn.__version__) < (1, 7):
            checks += ("check_n_features_in_after_fitting",)  # 10 samples there, 15 since
        failures.update(dict.fromkeys(checks, _VALIDATION_REASON))
        # Repeated rows and weighted rows are split apart differently.
        for check in equivalence:
            failures.setdefault(check, _HELD_OUT_WEIGHTS_REASON)
    return failures


def _release(version):
    """``(major, minor)`` of a version string such as ``'1.8.dev0'``."""
    major, minor = re.match(r"(\d+)\.(\d+)", version).groups()
    return int(major), int(minor)
