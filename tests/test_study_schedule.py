"""The study's schedule: longest jobs first, each set predicted once, split predictions.

Whatever the schedule, the records are those of the serial run: the same
jobs, numbers and order; only their timings differ.
"""

import copy
import dataclasses
import json
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest
from joblib import effective_n_jobs, parallel_config
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.svm import SVC

from sknielsen import NielsenMLPClassifier
from sknielsen.comparison import (
    BOOK_SIZES,
    StudyOutput,
    StudyTiming,
    book_estimators,
    planned_runs,
    run_study,
    scaled_params,
    training_size_comparison,
)
from sknielsen.datasets import load_digits_split
from sknielsen.studies import _comparison, _schedule
from sknielsen.studies._responses import SharedResponses, predict_rows
from sknielsen.studies._schedule import (
    chunk_bounds,
    estimated_seconds,
    makespan,
    plan_schedule,
    predicts_row_by_row,
)

TIMINGS = ("fit_seconds", "predict_seconds")


@pytest.fixture(scope="module")
def digits():
    return load_digits_split()


def numbers(records):
    """The records without their timings, in their order."""
    return [{k: v for k, v in r.items() if k not in TIMINGS} for r in records]


def study(digits, estimators, **kwargs):
    kwargs = {"sizes": [60, 300, 1198], "seeds": [0, 1], **kwargs}
    return training_size_comparison(
        estimators, digits.X_train, digits.y_train, digits.X_test, digits.y_test, **kwargs
    )


@pytest.fixture
def split_everything(monkeypatch):
    """Whatever the estimates, split every job's predictions when there are several workers."""
    plan = _schedule.plan_schedule

    def split_all(fit, predict, workers, splittable, min_split_seconds=0.0):
        schedule = plan(fit, predict, workers, splittable)
        split = [i for i in range(len(fit)) if splittable[i] and workers > 1]
        return dataclasses.replace(schedule, split=frozenset(split))

    monkeypatch.setattr(_comparison, "plan_schedule", split_all)


def book_jobs(workers):
    """The MNIST study's jobs, as ``compare --dataset mnist`` plans them, and their schedule."""
    estimators = book_estimators(["network", "svc-auto", "svc"], 50_000, initializer="large")
    runs = planned_runs(
        estimators, BOOK_SIZES, range(3), deterministic=["SVC()", "SVC(gamma='auto')"]
    )
    jobs = []
    for name, size, _ in runs:
        model = estimators[name]
        model = model.__class__(**{**model.get_params(), **scaled_params(model, size, 50_000)})
        jobs.append(SimpleNamespace(name=name, size=size, model=model))
    fit, predict = estimated_seconds(jobs, n_features=784, n_rows=20_000)
    return runs, plan_schedule(fit, predict, workers)


def test_the_two_largest_svms_start_at_once_and_one_worker_keeps_the_plan_order():
    runs, schedule = book_jobs(workers=2)
    first = [runs[i][:2] for i in schedule.order[:4]]
    assert first == [
        ("SVC(gamma='auto')", 50_000),
        ("SVC()", 50_000),
        ("SVC(gamma='auto')", 20_000),
        ("SVC()", 20_000),
    ]
    # The networks (about the same time at every N) fill in after the SVMs of
    # 2,000 images or more, before the smaller ones.
    position = {runs[i]: place for place, i in enumerate(schedule.order)}
    networks = [place for run, place in position.items() if run[0] == "network"]
    large = [place for run, place in position.items() if run[0] != "network" and run[1] >= 2000]
    assert max(large) < min(networks) and max(networks) < len(runs) - 6
    runs, serial = book_jobs(workers=1)
    assert serial.order == tuple(range(len(runs))) and not serial.split


def test_estimates_follow_earlier_records_with_each_estimators_growth():
    svc = SimpleNamespace(name="SVC", size=4000, model=SVC())
    net = SimpleNamespace(name="net", size=4000, model=NielsenMLPClassifier(epochs=10))
    finished = [
        {"estimator": "SVC", "size": 1000, "fit_seconds": 2.0, "predict_seconds": 1.0},
        {"estimator": "net", "size": 1000, "fit_seconds": 5.0, "predict_seconds": 0.1},
        {"estimator": "net", "size": 2000, "fit_seconds": 10.0, "predict_seconds": 0.1},
    ]
    fit, predict = estimated_seconds([svc, net], n_features=64, n_rows=1000, finished=finished)
    # One size measured: the prior's curve through it (fit N², prediction N).
    assert fit[0] == pytest.approx(2.0 * 16) and predict[0] == pytest.approx(1.0 * 4)
    # Two sizes: the power law through them.
    assert fit[1] == pytest.approx(20.0) and predict[1] == pytest.approx(0.1)


def test_makespan_and_when_a_prediction_is_split():
    assert makespan([5, 4, 3, 3], 2) == 8  # 5+3 and 4+3... then 3 to the first free
    assert makespan([1, 2], 1) == 3
    # One job dominates: its predictions go to both workers once it has fitted.
    schedule = plan_schedule([100, 1, 1], [100, 0.1, 0.1], workers=2)
    assert schedule.order[0] == 0 and schedule.split == {0} and schedule.chunks == 2
    assert schedule.seconds == pytest.approx(100 + 50)
    # Balanced jobs: nothing to gain by splitting.
    balanced = plan_schedule([50, 50, 50, 50], [10, 10, 10, 10], workers=2)
    assert not balanced.split and balanced.seconds == pytest.approx(120)
    # Short predictions are never split.
    assert not plan_schedule([100, 1], [1.0, 0], workers=2).split
    assert chunk_bounds(10, 3) == [(0, 3), (3, 6), (6, 10)]
    assert chunk_bounds(2, 4) == [(0, 1), (1, 2)]


def test_records_are_those_of_the_serial_run_on_any_schedule(digits, split_everything):
    estimators = {"network": NielsenMLPClassifier(epochs=3), "SVC": SVC()}
    kwargs = {"scoring": ["accuracy", "f1_macro"], "eval_sets": {"train": (digits.X, digits.y)}}
    serial = study(digits, estimators, n_jobs=1, **kwargs)
    split = study(digits, estimators, n_jobs=2, **kwargs)
    assert numbers(split) == numbers(serial)
    assert all(r["predict_seconds"] > 0 for r in split)


def test_records_are_those_of_the_serial_run_in_longest_first_order(digits):
    estimators = {"network": NielsenMLPClassifier(epochs=3), "SVC": SVC()}
    serial = study(digits, estimators, n_jobs=1)
    assert numbers(study(digits, estimators, n_jobs=2)) == numbers(serial)


def test_no_more_workers_start_than_there_are_tasks(digits, monkeypatch):
    # --n-jobs 500 started 500 worker processes for a study of one job.
    asked = []
    parallel = _comparison.Parallel

    def counting(n_jobs=None, **kwargs):
        asked.append(n_jobs)
        return parallel(n_jobs=n_jobs, **kwargs)

    monkeypatch.setattr(_comparison, "Parallel", counting)
    one = study(digits, {"SVC": SVC()}, sizes=[60], seeds=[0], n_jobs=500)
    assert asked == [1] and len(one) == 1
    asked.clear()
    study(digits, {"SVC": SVC()}, sizes=[60, 100, 200], seeds=[0], n_jobs=2)
    assert asked == [2]
    asked.clear()
    # -1 (every CPU) is the usual setting: on a large machine it started as many.
    study(digits, {"SVC": SVC()}, sizes=[60], seeds=[0], n_jobs=-1)
    assert len(asked) == 1 and effective_n_jobs(asked[0]) == 1


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


@pytest.mark.parametrize("split", [False, True])
def test_each_set_is_predicted_once_for_all_the_scorers(digits, split, request):
    if split:  # in pieces on two worker threads, which count in this process
        request.getfixturevalue("split_everything")
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
    with parallel_config(backend="threading"):
        records = study(digits, {"SVC": CountingSVC()}, n_jobs=2 if split else 1, **kwargs)
    n_rows = len(digits.y_test) + len(digits.y_train)
    for method in ("predict", "decision_function"):
        assert CountingSVC.rows[method] == n_rows  # every row once
        assert CountingSVC.calls[method] == (4 if split else 2)  # 2 sets, in 2 pieces each
    assert records[0]["error_test"] == pytest.approx(1 - records[0]["accuracy_test"])
    serial = study(digits, {"SVC": SVC()}, **kwargs)
    scores = [key for key in records[0] if key.endswith(("_test", "_train"))]
    assert len(scores) == 10
    assert [records[0][key] for key in scores] == [serial[0][key] for key in scores]


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


def test_a_prediction_in_pieces_is_the_prediction_in_one_call(digits):
    svc = SVC().fit(digits.X_train, digits.y_train)
    X = digits.X_test
    methods = ["predict", "decision_function"]
    pieces = [predict_rows(svc, X[a:b], methods)[0] for a, b in chunk_bounds(len(X), 3)]
    for method in methods:
        joined = np.concatenate([piece[method] for piece in pieces])
        np.testing.assert_array_equal(joined, getattr(svc, method)(X))  # to the bit
    # Matrix products may round a row differently in another batch: never split.
    assert predicts_row_by_row(svc) and predicts_row_by_row(CountingSVC())
    assert not predicts_row_by_row(LogisticRegression())
    assert not predicts_row_by_row(NielsenMLPClassifier())


def test_shared_responses_answer_as_the_model_does(digits):
    svc = SVC().fit(digits.X_train, digits.y_train)
    shared = SharedResponses(svc, {"test": digits.X_test})
    assert not hasattr(shared, "predict_proba")  # an SVC without probability=True has none
    assert shared.classes_ is svc.classes_ and shared.score(digits.X_test, digits.y_test) > 0.9
    assert shared.predict(digits.X_test) is shared.predict(digits.X_test)  # kept
    np.testing.assert_array_equal(shared.predict(digits.X_test[:5]), svc.predict(digits.X_test[:5]))
    # A copy is made before its model is set: asking it for one then recursed.
    copied = copy.copy(shared)
    assert copied.predict(digits.X_test) is shared.predict(digits.X_test)


def test_the_study_reports_its_wall_time_against_its_bounds(digits, tmp_path):
    records = [
        {"estimator": name, "size": 100, "seed": seed, "fit_seconds": fit, "predict_seconds": p}
        for name, seed, fit, p in [("SVC", 0, 6.0, 2.0), ("net", 1, 3.0, 1.0)]
    ]
    timing = StudyTiming.of(records, wall_seconds=10.0, workers=2)
    assert (timing.critical_path_seconds, timing.job_seconds) == (8.0, 12.0)
    assert timing.longest_job == "SVC N=100 seed=0" and timing.bound_seconds == 8.0
    assert timing.ratio == pytest.approx(1.25)
    assert StudyTiming.of([], 1.0, 2) is None
    study = {
        "estimators": {"SVC": SVC()},
        "X_train": digits.X_train,
        "y_train": digits.y_train,
        "X_test": digits.X_test,
        "y_test": digits.y_test,
        "sizes": [60, 120],
        "seeds": [0],
    }
    result = run_study(study, StudyOutput(tmp_path), workers=1)
    assert result.timing.job_seconds == pytest.approx(
        sum(r["fit_seconds"] + r["predict_seconds"] for r in result.records)
    )
    assert result.timing.wall_seconds >= result.timing.job_seconds
    written = json.loads((tmp_path / "comparison.json").read_text())["schedule"]
    assert written["ratio"] == pytest.approx(result.timing.ratio) and written["workers"] == 1


def test_time_left_with_the_schedules_prior_when_the_longest_jobs_finish_first():
    from sknielsen.comparison import estimate_seconds_left

    # The first job to finish, longest first, is the largest SVM: 300 s.
    finished = [
        {"estimator": "SVC", "size": 50_000, "fit_seconds": 200.0, "predict_seconds": 100.0}
    ]
    remaining = [("SVC", 5_000, 0), ("network", 50_000, 0), ("network", 100, 1)]
    guesses = {"SVC": lambda n: 3.0 * (n / 5_000) ** 2, "network": lambda n: 4.0}
    seconds = estimate_seconds_left(finished, remaining, 1, lambda name, n: guesses[name](n))
    # The SVM follows the prior's curve through its one size, 300 s * (1/10)^2;
    # the networks, never run, take the prior's 4 s each.
    assert seconds == pytest.approx(3.0 + 4.0 + 4.0)
    # Without a prior, the median of the finished runs: 300 s each.
    assert estimate_seconds_left(finished, remaining) == pytest.approx(900.0)


@pytest.mark.parametrize("backend", ["ray", "Local", "", None, 2])
def test_a_backend_that_is_neither_local_nor_dask_is_refused(backend):
    # Any name but "local" was taken for dask: study_backend("ray") started a cluster.
    from sknielsen.comparison import check_backend, study_backend, study_workers

    for call in (
        lambda: check_backend(backend),
        lambda: study_workers(backend),
        lambda: study_backend(backend).__enter__(),
    ):
        with pytest.raises(ValueError, match=r"backend must be one of \['local', 'dask'\]"):
            call()
