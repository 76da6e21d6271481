"""scikit-learn's own estimator checks, on four classifiers and three regressors."""

import warnings

import numpy as np
import pytest
import sklearn
from scipy import sparse
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor
from sknielsen.utils import expected_failed_checks

# scikit-learn's checks train on unscaled random data (values up to 100, say) for
# few epochs: the estimator rightly warns that such inputs saturate the first layer
# and that the cost did not fall. Those warnings are asserted where they are the
# subject (tests/test_reliability.py, tests/test_callbacks.py); here they are noise.
pytestmark = [
    pytest.mark.filterwarnings("ignore:The inputs saturate the first layer:UserWarning"),
    pytest.mark.filterwarnings(
        "ignore:The training cost did not decrease:sklearn.exceptions.ConvergenceWarning"
    ),
]

# Full-batch gradient descent: every epoch is one exact step on the weighted
# mean cost, so weights and repeated samples must give the same model.
FULL_BATCH = NielsenMLPClassifier(mini_batch_size=100_000, eta=1.0, epochs=100, random_state=0)

# L-BFGS on the whole training set: deterministic, like full-batch descent.
LBFGS_NET = NielsenMLPClassifier(
    hidden_layer_sizes=(10,), optimizer="lbfgs", epochs=100, random_state=0
)

# Configurations that expect other failures, each for a reason of its own.
OTHER_CONFIGURATIONS = [
    NielsenMLPClassifier(class_weight="balanced", random_state=0),
    # Mini-batches of 2: the continued fit moves the weights enough to change the refit
    # checks' predictions. With the default, its early stopping (on the first fit's
    # split) keeps an epoch that predicts the check's random labels as the first fit did.
    NielsenMLPClassifier(early_stopping=True, warm_start=True, mini_batch_size=2, random_state=0),
    NielsenMLPClassifier(optimizer="lbfgs", monitor="all", epochs=20, random_state=0),
    NielsenMLPRegressor(dtype="float32", early_stopping=True, random_state=0),
    NielsenMLPRegressor(optimizer="lbfgs", early_stopping=True, epochs=20, random_state=0),
    NielsenMLPRegressor(mini_batch_size=100_000, warm_start=True, eta=0.1, random_state=0),
]

ESTIMATORS = [
    NielsenMLPClassifier(random_state=0),
    NielsenMLPClassifier(
        hidden_layer_sizes=(8, 6),
        cost="log_likelihood",
        optimizer="momentum",
        eta=0.1,
        dropout=0.1,
        dtype="float32",
        random_state=0,
    ),
    FULL_BATCH,
    LBFGS_NET,
]

# Unbounded identity outputs make eta=1.0 diverge on check_regressors_train's data
# (the estimator warns that the cost rose): full-batch descent takes eta=0.1 here.
FULL_BATCH_REGRESSOR = NielsenMLPRegressor(
    mini_batch_size=100_000, eta=0.1, epochs=100, random_state=0
)
LBFGS_REGRESSOR = NielsenMLPRegressor(optimizer="lbfgs", epochs=200, random_state=0)

REGRESSORS = [NielsenMLPRegressor(random_state=0), FULL_BATCH_REGRESSOR, LBFGS_REGRESSOR]


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@parametrize_with_checks(OTHER_CONFIGURATIONS, expected_failed_checks=expected_failed_checks)
def test_other_configurations_fail_only_the_checks_listed(estimator, check):
    check(estimator)


# Their targets are of usual scales: a warning of a tiny or a large one would be a false alarm.
@pytest.mark.filterwarnings("error:y varies on a tiny scale:UserWarning")
@pytest.mark.filterwarnings("error:y lies on a large scale:UserWarning")
@parametrize_with_checks(REGRESSORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_regressor(estimator, check):
    check(estimator)


def test_expected_failures_follow_the_configuration():
    """Mini-batches or dropout, for either estimator, and only they, fail the weight checks."""
    full_batch = [FULL_BATCH, LBFGS_NET, FULL_BATCH_REGRESSOR, LBFGS_REGRESSOR]
    assert all(expected_failed_checks(estimator) == {} for estimator in full_batch)
    stochastic = [
        ESTIMATORS[0],
        ESTIMATORS[1],
        REGRESSORS[0],
        clone(FULL_BATCH).set_params(dropout=0.1),
        clone(FULL_BATCH_REGRESSOR).set_params(dropout=0.1),
    ]
    for estimator in stochastic:
        reasons = expected_failed_checks(estimator)
        assert list(reasons) == [
            "check_sample_weight_equivalence_on_dense_data",
            "check_sample_weight_equivalence_on_sparse_data",
        ]


@pytest.mark.parametrize(
    ("estimator", "listed"),
    [
        (FULL_BATCH, ["dense", "sparse"]),
        (LBFGS_NET, ["dense"]),  # sparse X is refused as the check accepts
        (FULL_BATCH_REGRESSOR, ["dense", "sparse"]),
        (LBFGS_REGRESSOR, ["dense"]),
    ],
    ids=["full batch", "lbfgs", "full batch regressor", "lbfgs regressor"],
)
def test_a_penalty_costs_full_batch_fits_their_sample_weight_equivalence(estimator, listed):
    # λ/n counts rows, not their weights (the weights are relative): a sample of weight 2
    # is one of n rows, repeated it is two of n + 1, so the penalties differ. With a
    # penalty the check failed where expected_failed_checks promised it would pass, and
    # check_estimator(net, expected_failed_checks=expected_failed_checks(net)) failed.
    from sklearn.utils.estimator_checks import check_sample_weight_equivalence_on_dense_data

    for unread in ({"lmbda": 0.0}, {"lmbda": 1.0, "regularizer": "none"}):
        with warnings.catch_warnings():  # a question about the checks: no warning of λ unread
            warnings.simplefilter("error")
            assert expected_failed_checks(clone(estimator).set_params(**unread)) == {}
    penalized = clone(estimator).set_params(lmbda=1.0, regularizer="l1")
    reasons = expected_failed_checks(penalized)
    assert list(reasons) == [f"check_sample_weight_equivalence_on_{data}_data" for data in listed]
    assert all("λ/n counts the rows" in reason for reason in reasons.values())
    with pytest.raises(AssertionError, match="not equivalent"):
        check_sample_weight_equivalence_on_dense_data("net", penalized)


@pytest.mark.parametrize("estimator", [LBFGS_NET, LBFGS_REGRESSOR])
@pytest.mark.parametrize("version", ["1.6.0", "1.6.1", "1.7.0", "1.8.dev0", "2.0rc1"])
def test_the_solvers_expect_to_pass_every_check_on_every_release(estimator, version, monkeypatch):
    """scikit-learn 1.6 gives sparse X to estimators whose tags refuse it, and wants a TypeError.

    Its ``check_sample_weight_equivalence_on_sparse_data`` takes only a
    TypeError for a refusal (1.7 runs it only where the tags accept sparse
    input): L-BFGS and Newton refuse sparse X with one, which is also a
    ValueError, and pass it on every release.
    """
    monkeypatch.setattr(sklearn, "__version__", version)
    assert expected_failed_checks(estimator) == {}
    assert not estimator.__sklearn_tags__().input_tags.sparse
    X = np.random.default_rng(0).random((20, 3))
    y = np.arange(20) % 2
    with pytest.raises(TypeError, match="sparse X"):  # caught as 1.6's check catches it
        clone(estimator).fit(sparse.csr_array(X), y)


def test_a_listed_check_that_passes_fails_the_suite(pytestconfig):
    # parametrize_with_checks marks the listed checks xfail without strict= (before
    # scikit-learn 1.8), so pyproject.toml's xfail_strict decides: without it a check
    # that starts passing shows only as XPASS and stays listed.
    assert pytestconfig.getini("xfail_strict") is True


@pytest.mark.parametrize(
    ("version", "listed"), [("1.6.0", True), ("1.6.1", True), ("1.7.0", False)]
)
def test_a_check_whose_data_changed_is_listed_for_the_releases_it_fails_on(
    version, listed, monkeypatch
):
    # scikit-learn 1.6's check_n_features_in_after_fitting fits 10 samples: too few to
    # hold out a validation set that R² can rank epochs by; 1.7's 15 are enough.
    monkeypatch.setattr(sklearn, "__version__", version)
    regressor = OTHER_CONFIGURATIONS[3]
    assert regressor.early_stopping
    assert ("check_n_features_in_after_fitting" in expected_failed_checks(regressor)) is listed


@pytest.mark.parametrize("estimator", [None, "NielsenMLPClassifier"])
@pytest.mark.parametrize("function", ["expected_failed_checks", "check_params"])
def test_what_is_no_estimator_of_the_package_is_refused_naming_the_function_and_classes(
    estimator, function
):
    from sklearn.utils._param_validation import InvalidParameterError

    import sknielsen.utils

    # expected_failed_checks blamed check_params, which the caller never called, and
    # both named the private base class 'sknielsen._base.BaseNielsenMLP'.
    message = (
        rf"^The 'estimator' parameter of {function} must be a NielsenMLPClassifier or "
        rf"NielsenMLPRegressor\. Got {estimator!r} instead\.$"
    )
    with pytest.raises(InvalidParameterError, match=message):
        getattr(sknielsen.utils, function)(estimator)
