"""Helpers for using the estimators with scikit-learn's own tools."""

import numpy as np
from sklearn.base import clone

from . import plugins
from ._loop import check_randomness
from ._network import parameter_count

__all__ = ["check_params", "expected_failed_checks"]

#: Mini-batches at least this large hold all of any data set of scikit-learn's checks.
_FULL_BATCH_SIZE = 1000

_STOCHASTIC_REASON = (
    "With mini-batches (or dropout), a sample of weight 2 is visited once per epoch "
    "with a doubled gradient, while a repeated sample is visited twice, in other "
    "mini-batches and with more steps per epoch: the objectives are equal, the "
    "stochastic paths are not. Full-batch configurations (a Solver such as 'lbfgs', "
    "or a mini-batch larger than the data, without dropout) pass this check."
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

    Examples
    --------
    >>> from sklearn.utils.estimator_checks import check_estimator
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.utils import expected_failed_checks
    >>> net = NielsenMLPClassifier(random_state=0)
    >>> list(expected_failed_checks(net))
    ['check_sample_weight_equivalence_on_dense_data', 'check_sample_weight_equivalence_on_sparse_data']
    >>> check_estimator(net, expected_failed_checks=expected_failed_checks(net))  # doctest: +SKIP
    """
    optimizer = plugins.get("optimizer", estimator.optimizer)
    full_batch = isinstance(optimizer, plugins.Solver) or (
        estimator.mini_batch_size >= _FULL_BATCH_SIZE and not estimator.dropout
    )
    if full_batch:
        return {}
    return {
        "check_sample_weight_equivalence_on_dense_data": _STOCHASTIC_REASON,
        "check_sample_weight_equivalence_on_sparse_data": _STOCHASTIC_REASON,
    }


def check_params(estimator, n_features=None, n_outputs=None):
    """Validate an estimator's parameters and plugins as ``fit`` would, without fitting.

    Useful before a long job: the command line calls it before printing
    anything. The estimator itself is not changed.

    Parameters
    ----------
    estimator : NielsenMLPClassifier or NielsenMLPRegressor
        The estimator to check.
    n_features, n_outputs : int, optional
        The network's input and output widths. When both are given, the
        optimizer also checks the network's size: Newton's method, for one,
        refuses more than ``optimizer__max_params`` parameters.

    Raises
    ------
    sklearn.utils._param_validation.InvalidParameterError
        A ``ValueError`` naming the parameter (``optimizer__mu`` for a
        plugin's) and what it must be.

    Examples
    --------
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.utils import check_params
    >>> net = NielsenMLPClassifier().set_params(optimizer="momentum", optimizer__mu=2.0)
    >>> check_params(net)
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: The 'optimizer__mu' parameter ...
    """
    probe = clone(estimator)  # resolving plugins sets fitted attributes: on a copy
    probe._validate_params()
    probe._resolve_plugins()
    hidden = probe._hidden_sizes()
    probe._monitored(has_validation=True)
    check_randomness(probe.optimizer_, probe.dropout, probe.augment)
    if n_features is not None and n_outputs is not None:
        n_params = parameter_count([n_features, *hidden, n_outputs])
        probe.optimizer_.init(np.zeros(n_params, dtype=probe._dtype))
