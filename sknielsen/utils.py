"""Helpers for using the estimators with scikit-learn's own tools, and for writing files."""

from . import plugins
from ._base import check_params
from ._core.files import check_outputs, write_atomically
from ._core.sparse import SparseInputError, canonical_csr

__all__ = [
    "SparseInputError",
    "canonical_csr",
    "check_outputs",
    "check_params",
    "expected_failed_checks",
    "write_atomically",
]

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
    >>> sorted(expected_failed_checks(net))  # doctest: +NORMALIZE_WHITESPACE
    ['check_sample_weight_equivalence_on_dense_data',
     'check_sample_weight_equivalence_on_sparse_data']
    >>> check_estimator(net, expected_failed_checks=expected_failed_checks(net))  # doctest: +SKIP
    """
    optimizer = plugins.get("optimizer", estimator.optimizer)
    if isinstance(optimizer, plugins.Solver):
        return {}
    if estimator.mini_batch_size >= _FULL_BATCH_SIZE and not estimator.dropout:
        return {}
    return {
        "check_sample_weight_equivalence_on_dense_data": _STOCHASTIC_REASON,
        "check_sample_weight_equivalence_on_sparse_data": _STOCHASTIC_REASON,
    }
