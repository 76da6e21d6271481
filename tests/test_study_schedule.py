"""The study's predictions: each set predicted once, whatever the scorers ask for."""

from collections import Counter

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.svm import SVC

from sknielsen.comparison import training_size_comparison
from sknielsen.datasets import load_digits_split
from sknielsen.studies._responses import SharedResponses


@pytest.fixture(scope="module")
def digits():
    return load_digits_split()


def study(digits, estimators, **kwargs):
    kwargs = {"sizes": [60, 300, 1198], "seeds": [0, 1], **kwargs}
    return training_size_comparison(
        estimators, digits.X_train, digits.y_train, digits.X_test, digits.y_test, **kwargs
    )


class CountingSVC(SVC):
    """An SVC that counts the rows each response method is asked for, and its calls."""

    rows = Counter()
    calls = Counter()

    def _count(self, method, X):
        CountingSVC.rows[method] += len(X)
        CountingSVC.calls[method] += 1

    def predict(self, X):
        self._count("predict", X)
        return super().predict(X)  # libsvm's, not through decision_function

    def decision_function(self, X):
        self._count("decision_function", X)
        return super().decision_function(X)


def error_rate(estimator, X, y):
    """A custom scorer that asks for the predictions three times."""
    assert (estimator.predict(X) == estimator.predict(X)).all()
    return 1 - accuracy_score(y, estimator.predict(X))


def test_each_set_is_predicted_once_for_all_the_scorers(digits):
    CountingSVC.rows.clear()
    CountingSVC.calls.clear()
    scoring = {
        "accuracy": "accuracy",
        "f1": "f1_macro",
        "balanced": "balanced_accuracy",
        "top2": "top_k_accuracy",  # decision values
        "error": error_rate,
    }
    sets = {"train": (digits.X_train, digits.y_train)}
    kwargs = {"sizes": [300], "seeds": [0], "scoring": scoring, "eval_sets": sets}
    records = study(digits, {"SVC": CountingSVC()}, **kwargs)
    n_rows = len(digits.y_test) + len(digits.y_train)
    for method in ("predict", "decision_function"):
        assert CountingSVC.rows[method] == n_rows  # every row once
        assert CountingSVC.calls[method] == 2  # 2 sets
    assert records[0]["error_test"] == pytest.approx(1 - records[0]["accuracy_test"])


class Counting(ClassifierMixin, BaseEstimator):
    """A classifier that counts the calls of each response method of the one it wraps."""

    calls = Counter()

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y):
        self.estimator_ = clone(self.estimator).fit(X, y)
        self.classes_ = self.estimator_.classes_
        return self

    def predict(self, X):
        Counting.calls["predict"] += 1
        return self.estimator_.predict(X)

    def predict_proba(self, X):
        Counting.calls["predict_proba"] += 1
        return self.estimator_.predict_proba(X)


def test_probabilities_are_computed_once_for_all_the_scorers(digits):
    Counting.calls.clear()
    scoring = ["accuracy", "neg_log_loss", "roc_auc_ovr", error_rate]
    records = study(
        digits,
        {"LR": Counting(LogisticRegression(max_iter=5000))},
        sizes=[300],
        seeds=[0],
        scoring=scoring,
        eval_sets={"train": (digits.X_train, digits.y_train)},
    )
    assert Counting.calls == {"predict": 2, "predict_proba": 2}  # 2 sets
    assert records[0]["roc_auc_ovr_test"] > 0.9


def test_shared_responses_answer_as_the_model_does(digits):
    svc = SVC().fit(digits.X_train, digits.y_train)
    shared = SharedResponses(svc, {"test": digits.X_test})
    assert not hasattr(shared, "predict_proba")  # an SVC without probability=True has none
    assert shared.classes_ is svc.classes_ and shared.score(digits.X_test, digits.y_test) > 0.9
    assert shared.predict(digits.X_test) is shared.predict(digits.X_test)  # kept
    np.testing.assert_array_equal(shared.predict(digits.X_test[:5]), svc.predict(digits.X_test[:5]))
