"""scikit-learn's own estimator checks, on three configurations."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sknielsen import NielsenMLPClassifier

# Full-batch gradient descent: every epoch is one exact step on the weighted
# mean cost, so weights and repeated samples must give the same model.
FULL_BATCH = NielsenMLPClassifier(mini_batch_size=100_000, eta=1.0, epochs=100, random_state=0)

# L-BFGS on the whole training set: deterministic, like full-batch descent.
LBFGS_NET = NielsenMLPClassifier(hidden_layer_sizes=(10,), optimizer="lbfgs", epochs=100,
                                 random_state=0)  # fmt: skip

ESTIMATORS = [
    NielsenMLPClassifier(random_state=0),
    NielsenMLPClassifier(
        hidden_layer_sizes=(8, 6), cost="log_likelihood", optimizer="momentum",
        eta=0.1, dropout=0.1, dtype="float32", random_state=0,
    ),
    FULL_BATCH,
    LBFGS_NET,
]  # fmt: skip

STOCHASTIC_REASON = (
    "With mini-batches, a sample of weight 2 is visited once per epoch with a "
    "doubled gradient, while a repeated sample is visited twice, in other "
    "mini-batches and with more steps per epoch: the objectives are equal, "
    "the stochastic paths are not. The full-batch configuration passes."
)


def expected_failed_checks(estimator):
    if estimator is FULL_BATCH or estimator is LBFGS_NET:
        return {}
    return {
        "check_sample_weight_equivalence_on_dense_data": STOCHASTIC_REASON,
    }


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
