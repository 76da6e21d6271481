"""Helpers for using the estimators with scikit-learn's own tools, and for writing files."""

import re

import sklearn

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

_SPARSE_REFUSAL_REASON = (
    "scikit-learn before 1.7 runs this check on estimators whose tags refuse sparse "
    "input too, and takes only a TypeError as their refusal; the full-batch "
    "optimizers (a Solver such as 'lbfgs') refuse sparse X with a ValueError. "
    "scikit-learn 1.7 runs it only where the tags accept sparse input."
)


def _sklearn_release():
    """scikit-learn's (major, minor) release, read from ``sklearn.__version__``."""
    major, minor = re.match(r"(\d+)\.(\d+)", sklearn.__version__).groups()
    return int(major), int(minor)


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

    Notes
    -----
    The list depends on scikit-learn's release where its checks do: before
    1.7, a full-batch optimizer's configuration also lists the sparse
    version of ``check_sample_weight_equivalence``, which those releases run
    on estimators that refuse sparse input.

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
        if _sklearn_release() < (1, 7):
            return {"check_sample_weight_equivalence_on_sparse_data": _SPARSE_REFUSAL_REASON}
        return {}
    if estimator.mini_batch_size >= _FULL_BATCH_SIZE and not estimator.dropout:
        return {}
    return {
        "check_sample_weight_equivalence_on_dense_data": _STOCHASTIC_REASON,
        "check_sample_weight_equivalence_on_sparse_data": _STOCHASTIC_REASON,
    }
