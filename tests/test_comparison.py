"""The training-set-size comparison: scaling rule, seeds, schema, resume, plots, command."""

import json
import operator
import os
import re
import signal
import sys
import threading
import time
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone, is_classifier
from sklearn.decomposition import TruncatedSVD
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import DataConversionWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, make_scorer
from sklearn.model_selection import GridSearchCV, learning_curve, train_test_split
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC

from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor
from sknielsen import __main__ as cli
from sknielsen.__main__ import main
from sknielsen.comparison import (
    BookScaling,
    ComparisonInterrupted,
    StudyOutput,
    StudyTiming,
    check_plan,
    conclusions,
    crossover_statements,
    run_study,
    scaled_params,
    summarize,
    training_size_comparison,
)
from sknielsen.datasets import load_digits_split
from sknielsen.engine import _cengine
from sknielsen.plotting import plot_training_size_comparison
from sknielsen.utils import SparseInputError

RECORD_KEYS = {
    "estimator",
    "size",
    "seed",
    "subset",
    "params",
    "fingerprint",
    "fit_seconds",
    "predict_seconds",
    "accuracy_test",
}


@pytest.fixture(scope="module")
def digits():
    return load_digits_split()


def test_book_scaling_rule():
    net = NielsenMLPClassifier(epochs=30, lmbda=5.0)
    assert scaled_params(net, 50000, 50000) == {"epochs": 30, "lmbda": 5.0}
    # The book's figure: epochs = 1,500,000 / N and lambda = 0.0001 N.
    for size in (100, 1000, 5000, 20000):
        params = scaled_params(net, size, 50000)
        assert params["epochs"] == round(1_500_000 / size)
        assert params["lmbda"] == pytest.approx(0.0001 * size)
    assert scaled_params(SVC(), 100, 50000) == {}


def test_book_scaling_rule_reaches_the_networks_of_pipelines_and_meta_estimators(digits):
    # The pipeline's network trained with the full set's epochs and lambda at every size:
    # scaled_params returned {}, without a word.
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    net = NielsenMLPClassifier(epochs=30, lmbda=5.0)
    pipeline = make_pipeline(StandardScaler(), net)
    assert scaled_params(pipeline, 5000, 50000) == {
        "nielsenmlpclassifier__epochs": 300,
        "nielsenmlpclassifier__lmbda": 0.5,
    }
    nested = make_pipeline(StandardScaler(), make_pipeline(StandardScaler(), net))
    assert scaled_params(nested, 5000, 50000) == {
        "pipeline__nielsenmlpclassifier__epochs": 300,
        "pipeline__nielsenmlpclassifier__lmbda": 0.5,
    }
    calibrated = CalibratedClassifierCV(net)
    assert scaled_params(calibrated, 5000, 50000) == {
        "estimator__epochs": 300,
        "estimator__lmbda": 0.5,
    }
    # BookScaling applies the rule itself, when it is fitted: not twice.
    assert scaled_params(BookScaling(net), 5000, 50000) == {}
    assert scaled_params(make_pipeline(StandardScaler(), BookScaling(net)), 5000, 50000) == {}
    records = training_size_comparison(
        {"pipeline": make_pipeline(StandardScaler(), NielsenMLPClassifier(epochs=2))},
        digits.X_train,
        digits.y_train,
        digits.X_test,
        digits.y_test,
        sizes=[60],
        seeds=[0],
        scale_rule=True,
    )
    n_full = len(digits.y_train)
    assert records[0]["params"] == {
        "nielsenmlpclassifier__epochs": round(2 * n_full / 60),
        "nielsenmlpclassifier__lmbda": 0.0,
    }


def run(digits, **kwargs):
    defaults = {"sizes": [60, 200], "seeds": [0, 1]}
    defaults.update(kwargs)
    return training_size_comparison(
        {"network": NielsenMLPClassifier(epochs=5), "SVC": SVC()},
        digits.X_train,
        digits.y_train,
        digits.X_test,
        digits.y_test,
        **defaults,
    )


def test_records_schema_seeds_and_scaling(digits):
    records = run(digits, scale_rule=True, eval_sets={"train": (digits.X_train, digits.y_train)})
    assert all(RECORD_KEYS | {"accuracy_train"} <= set(r) for r in records)
    network = [r for r in records if r["estimator"] == "network"]
    svc = [r for r in records if r["estimator"] == "SVC"]
    assert sorted((r["size"], r["seed"]) for r in network) == [(60, 0), (60, 1), (200, 0), (200, 1)]
    # SVC has random_state but no randomness here: it is not named deterministic,
    # so it runs for every seed and gives the same accuracy each time.
    assert len({r["accuracy_test"] for r in svc if r["size"] == 60}) == 1
    n_full = len(digits.y_train)
    assert network[0]["params"] == {"epochs": round(5 * n_full / 60), "lmbda": 0.0 * 60}
    assert svc[0]["params"] == {}
    seeds_differ = {r["accuracy_test"] for r in network if r["size"] == 60}
    assert len(seeds_differ) == 2  # the seed reaches the network
    # Which engine trained each network is kept; an SVC has none.
    assert {r["engine"] for r in network} == {"c" if _cengine.available() else "numpy"}
    assert not any("engine" in r for r in svc)
    json.dumps(records)  # plain data


def test_deterministic_estimators_run_once_and_stratified_sampling(digits):
    records = run(digits, deterministic=["SVC"])
    assert sum(r["estimator"] == "SVC" for r in records) == 2
    stratified = run(digits, subset="stratified", sizes=[50], deterministic=["SVC"])
    svc = [r for r in stratified if r["estimator"] == "SVC"]
    assert len(svc) == 2 and svc[0]["accuracy_test"] != svc[1]["accuracy_test"]


def test_same_seed_same_numbers(digits):
    first, second = run(digits, sizes=[100]), run(digits, sizes=[100])
    assert [r["accuracy_test"] for r in first] == [r["accuracy_test"] for r in second]


def test_interrupted_run_keeps_finished_jobs_and_resumes(digits):
    complete = run(digits)

    def interrupt_after_three(record, done, total):
        if done == 3:
            raise KeyboardInterrupt

    with pytest.warns(UserWarning, match="interrupted: returning the 3 of 8") as record:
        partial = run(digits, on_result=interrupt_after_three)
    assert {w.filename for w in record} == {__file__}  # the caller's line, found, not counted
    assert len(partial) == 3
    seen = []
    resumed = run(digits, previous=partial, on_result=lambda r, d, t: seen.append((d, t)))
    assert len(seen) == 5 and seen[-1] == (8, 8)
    key = lambda r: (r["estimator"], r["size"], r["seed"])  # noqa: E731
    assert [key(r) for r in resumed] == [key(r) for r in complete]
    assert [r["accuracy_test"] for r in resumed] == [r["accuracy_test"] for r in complete]


def test_bad_arguments(digits):
    with pytest.raises(ValueError, match="subset must be one of"):
        run(digits, subset="sometimes")
    with pytest.raises(ValueError, match="sizes must lie between 1 and the 1198"):
        run(digits, sizes=[5000])


def test_book_estimators_refuse_an_unknown_name_listing_the_known():
    from sknielsen.comparison import book_estimators

    message = r"Unknown estimator 'bogus'; choose from network, svc-auto, svc, mlp\."
    with pytest.raises(ValueError, match=message):
        book_estimators(["network", "bogus"], n_full=10)
    with pytest.raises(TypeError, match=r"a sequence of names, such as \['network'\]"):
        book_estimators("network", n_full=10)


def test_book_estimators_answer_a_mistyped_name_with_the_nearest():
    from sknielsen.comparison import book_estimators

    message = r"^Unknown estimator 'SVC-auto' \(did you mean 'svc-auto'\?\); choose from"
    with pytest.raises(ValueError, match=message):
        book_estimators(["SVC-auto"], n_full=10)
    with pytest.raises(TypeError, match=r"^Estimators are named by str, such as 'network'"):
        book_estimators([["network"]], n_full=10)  # "unhashable type: 'list'"


def test_summary_and_crossover_statements():
    records = [
        {
            "estimator": e,
            "size": n,
            "seed": s,
            "accuracy_test": a,
            "fit_seconds": 1.0,
            "predict_seconds": 0.1,
        }
        for e, n, s, a in [
            ("net", 100, 0, 0.70),
            ("net", 100, 1, 0.68),
            ("net", 1000, 0, 0.90),
            ("net", 1000, 1, 0.92),
            ("svm", 100, 0, 0.50),
            ("svm", 1000, 0, 0.95),
            ("net", 10000, 0, 0.96),
            ("svm", 10000, 0, 0.93),
        ]
    ]
    summary = summarize(records)
    net_100 = next(r for r in summary if (r["estimator"], r["size"]) == ("net", 100))
    assert net_100["mean"] == pytest.approx(0.69) and net_100["std"] == pytest.approx(0.01)
    assert net_100["n_seeds"] == 2
    assert crossover_statements(summary) == [
        "net at 10,000 (96.00%) beats svm at every size up to 10,000 (93.00%).",
        "Crossover: svm overtakes net at 1,000 examples (95.00% vs 91.00%).",
        "Crossover: net overtakes svm at 10,000 examples (96.00% vs 93.00%).",
    ]
    summary.append({"estimator": "svm", "size": 20000, "mean": 0.97})
    assert crossover_statements(summary)[0] == (
        "svm at 20,000 (97.00%) beats net at every size up to 10,000 (96.00%)."
    )


def test_plots_to_png(digits, tmp_path):
    pytest.importorskip("matplotlib")
    from sknielsen.plotting import plot_training_size_comparison

    records = run(digits, sizes=[60, 200])
    for log in (False, True):
        path = tmp_path / f"figure{log}.png"
        fig = plot_training_size_comparison(
            records, path, log=log, reference={"book": ([60, 200], [0.8, 0.9])}
        )
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert fig.axes[0].get_xscale() == ("log" if log else "linear")
        assert len(fig.axes[0].lines) == 3


def test_the_timing_line_judges_a_schedule_only_on_several_workers():
    records = [
        {"estimator": name, "size": 100, "seed": 0, "fit_seconds": fit, "predict_seconds": 1.0}
        for name, fit in [("SVC", 6.0), ("net", 3.0)]
    ]
    two = cli._timing_text(StudyTiming.of(records, wall_seconds=9.0, workers=2))
    expected = "on 2 workers, 1.29 × the least they could take: the longest job (SVC N=100 seed=0)"
    assert expected + " took 7.0 s" in two
    # No more workers than jobs: --n-jobs 100000 said "on 100000 workers".
    assert StudyTiming.of(records, wall_seconds=9.0, workers=100000).workers == 2
    one = cli._timing_text(StudyTiming.of(records, wall_seconds=12.0, workers=1))
    assert cli._timing_text(StudyTiming.of(records[:1], wall_seconds=7.5, workers=100000)) == (
        "The jobs ran in 7.5 s on 1 worker; their fits and predictions took 7.0 s, "
        "the longest (SVC N=100 seed=0) 7.0 s."
    )
    assert one == (
        "The jobs ran in 12.0 s on 1 worker; their fits and predictions took 11.0 s, "
        "the longest (SVC N=100 seed=0) 7.0 s."
    )


def test_compare_command_end_to_end(tmp_path, capsys):
    out = tmp_path / "results"
    argv = ["compare", "--train-sizes", "100", "300", "--seeds", "2", "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "network" in printed and "SVC(gamma='auto')" in printed and "Wrote" in printed
    assert "2 seed(s), 1 job at a time" in printed and "n_jobs=None" not in printed
    # One worker: the times, without a schedule's ratio to judge.
    assert "The jobs ran in " in printed and " on 1 worker; their fits " in printed
    assert "the least they could take" not in printed
    document = json.loads((out / "comparison.json").read_text())
    assert document["dataset"] == "digits" and document["sizes"] == [100, 300]
    assert len(document["records"]) == 2 * 2 + 2 + 2  # network has 2 seeds, SVCs run once
    assert document["schedule"]["workers"] == 1 and document["schedule"]["ratio"] > 0
    assert (out / "comparison.csv").read_text().startswith("estimator,size,n_seeds,mean")
    # --resume finds every job done and runs nothing: no wall time to report.
    assert main([*argv, "--resume"]) == 0
    printed = capsys.readouterr().out
    assert "Resuming: 8 finished jobs" in printed and "The jobs ran in" not in printed


def test_compare_refuses_to_replace_another_studys_results_unless_forced(tmp_path, capsys):
    out = tmp_path / "results"
    argv = ["compare", "--train-sizes", "60", "--seeds", "1", "--estimators", "svc"]
    argv += ["--out", str(out)]
    assert main(argv) == 0
    assert main(argv) == 0  # the same study again replaces its own results
    saved = {path.name: path.read_bytes() for path in out.iterdir()}
    capsys.readouterr()
    # Another study, whose results would be lost (a list flag given twice is refused).
    other = [("80" if value == "60" else value) for value in argv]
    assert main(other) == 2
    printed, err = capsys.readouterr()
    assert "Comparing" not in printed and err == (
        f"error: {out} already holds the results of another study (comparison.json): "
        "--resume to continue it, --force to replace it, or --out another folder.\n"
    )
    assert {path.name: path.read_bytes() for path in out.iterdir()} == saved
    assert main([*other, "--force", "--resume"]) == 2
    assert "--resume: not allowed with argument --force" in capsys.readouterr().err
    assert main([*other, "--force"]) == 0
    assert "Comparing SVC() on digits" in capsys.readouterr().out
    document = json.loads((out / "comparison.json").read_text())
    assert document["sizes"] == [80] and len(document["records"]) == 1


def test_compare_on_a_local_dask_cluster(digits):
    """The same numbers through joblib's dask backend (scheduler on 127.0.0.1)."""
    distributed = pytest.importorskip("dask.distributed")
    from joblib import parallel_config

    local = run(digits, sizes=[100], seeds=[0])
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster),
        parallel_config(backend="dask"),
    ):
        remote = run(digits, sizes=[100], seeds=[0])
    assert [r["accuracy_test"] for r in remote] == [r["accuracy_test"] for r in local]


def test_the_dask_backend_starts_a_cluster_of_its_own_and_closes_it(monkeypatch):
    distributed = pytest.importorskip("dask.distributed")
    from sknielsen.comparison import study_backend

    started, real = [], distributed.LocalCluster

    def in_this_process(**kwargs):  # `compare --backend dask`'s cluster, without processes
        started.append(real(processes=False, **kwargs))
        return started[-1]

    monkeypatch.setattr(distributed, "LocalCluster", in_this_process)
    said = []
    with study_backend("dask", n_jobs=2, report=said.append):
        assert said[0] == "Started a local dask cluster of 2 workers."
        assert said[1].startswith("Running the jobs on the dask cluster at ")
    (cluster,) = started
    assert cluster.status.name == "closed"


def test_the_dask_backend_without_dask_says_what_to_install(monkeypatch):
    from sknielsen.comparison import check_backend

    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # its import now fails
    with pytest.raises(
        ValueError, match=r'needs dask.distributed: pip install "sknielsen\[distrib'
    ):
        check_backend("dask")


def test_compare_on_joblibs_multiprocessing_backend(digits):
    """A backend that returns results only at the end: joblib refused the study's
    return_as="generator_unordered" ("does not support return_as=generator_unordered")."""
    from joblib import parallel_config

    local = run(digits, sizes=[100], seeds=[0])
    with parallel_config(backend="multiprocessing"):
        pooled = run(digits, sizes=[100], seeds=[0], n_jobs=2)
    key = operator.itemgetter("estimator", "size", "seed")
    assert [r["accuracy_test"] for r in sorted(pooled, key=key)] == [
        r["accuracy_test"] for r in sorted(local, key=key)
    ]


class CatchesCtrlC(ClassifierMixin, BaseEstimator):
    """Gets Ctrl-C during fit and, as NielsenMLPClassifier does, catches it and returns."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(10)  # the handler raises KeyboardInterrupt within the sleep
        except KeyboardInterrupt:
            warnings.warn("Training interrupted", UserWarning, stacklevel=2)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def study(digits, estimators, **kwargs):
    return training_size_comparison(
        estimators, digits.X_train, digits.y_train, digits.X_test, digits.y_test, **kwargs
    )


@pytest.mark.filterwarnings("ignore:Training interrupted")
def test_ctrl_c_caught_inside_a_fit_still_ends_the_study(digits):
    estimators = {"SVC": SVC(), "catches": CatchesCtrlC()}
    with pytest.warns(ComparisonInterrupted, match="returning the 1 of 4 jobs"):
        records = study(digits, estimators, sizes=[60, 200])
    assert [(r["estimator"], r["size"]) for r in records] == [("SVC", 60)]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored


@pytest.mark.filterwarnings("ignore:Training interrupted")
def test_ctrl_c_during_a_network_fit_ends_the_study(digits):
    alarm = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    estimators = {"SVC": SVC(), "network": NielsenMLPClassifier(epochs=100_000)}
    try:
        with pytest.warns(ComparisonInterrupted, match="returning the 1 of 2 jobs"):
            records = study(digits, estimators, sizes=[60], on_result=lambda *_: alarm.start())
    finally:
        alarm.cancel()
    assert [r["estimator"] for r in records] == ["SVC"]  # no half-trained network


def test_column_shaped_targets_score_as_one_dimensional_ones(digits):
    estimators = {"SVC": SVC()}
    flat = study(digits, estimators, sizes=[200])
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        column = training_size_comparison(
            estimators,
            digits.X_train,
            digits.y_train[:, None],
            digits.X_test,
            digits.y_test[:, None],
            sizes=[200],
        )
    assert column[0]["accuracy_test"] == flat[0]["accuracy_test"] > 0.9


def replace(digits, **changes):
    sets = {
        "X_train": digits.X_train,
        "y_train": digits.y_train,
        "X_test": digits.X_test,
        "y_test": digits.y_test,
    }
    sets.update(changes)
    return sets


@pytest.mark.parametrize(
    "changes, message",
    [
        (lambda d: {"y_test": np.c_[d.y_test, d.y_test]}, "The test set: y should be a 1d array"),
        (lambda d: {"y_test": d.y_test[:-1]}, "The test set: Found input variables with incon"),
        (lambda d: {"X_test": d.X_test[:, :10]}, "test set has 10 features but the training set"),
        (lambda d: {"y_train": d.y_train + 0.5}, "The training set: Unknown label type"),
        (lambda d: {"X_train": d.X_train[:, 0]}, "The training set: Expected 2D array"),
        (lambda d: {"X_train": d.X_train[:0], "y_train": d.y_train[:0]}, "The training set:.*0 s"),
        (lambda d: {"eval_sets": {"validation": (d.X_test, d.y_test[1:])}}, "The validation set"),
        (lambda d: {"seeds": []}, "seeds must hold at least one seed"),
        (lambda d: {"n_full": 0, "scale_rule": True}, "n_full must be a positive number"),
        (lambda d: {"eval_sets": {"test": (d.X_test, d.y_test)}}, "cannot hold a set named 'test'"),
    ],
)
def test_inconsistent_data_is_refused_naming_the_set(digits, changes, message):
    arguments = {"sizes": [60], **replace(digits), **changes(digits)}
    with pytest.raises(ValueError, match=message):
        training_size_comparison({"SVC": SVC()}, **arguments)


def test_records_of_another_configuration_are_refused(digits):
    previous = run(digits, sizes=[60], seeds=[0])
    assert all(len(r["fingerprint"]) == 32 for r in previous)
    other = {"network": NielsenMLPClassifier(epochs=6), "SVC": SVC()}
    with pytest.raises(ValueError, match="1 of the 2 earlier records come from a different"):
        study(digits, other, sizes=[60], seeds=[0], previous=previous)
    expected = r"2 of the 2 earlier records.*first being SVC N=60 seed=0"
    with pytest.raises(ValueError, match=expected):
        training_size_comparison(
            {"network": NielsenMLPClassifier(epochs=5), "SVC": SVC()},
            **replace(digits, X_test=digits.X_test[::-1]),
            sizes=[60],
            previous=previous,
        )
    with pytest.raises(ValueError, match="record 0 has no configuration fingerprint"):
        run(
            digits,
            sizes=[60],
            seeds=[0],
            previous=[{k: v for k, v in previous[0].items() if k != "fingerprint"}],
        )
    with pytest.raises(ValueError, match=r"hold the job .* twice"):
        run(digits, sizes=[60], seeds=[0], previous=previous + previous[:1])
    tampered = [{**previous[0], "accuracy_test": "93%"}, previous[1]]
    with pytest.raises(ValueError, match=r"has no numbers for \['accuracy_test'\]"):
        run(digits, sizes=[60], seeds=[0], previous=tampered)


@pytest.mark.filterwarnings("ignore:Training interrupted")
def test_compare_command_exits_130_on_ctrl_c_keeping_finished_jobs(tmp_path, capsys, monkeypatch):
    estimators = {"SVC": SVC(), "catches": CatchesCtrlC()}
    monkeypatch.setattr(cli, "_comparison_estimators", lambda *args: estimators)
    out = tmp_path / "results"
    argv = ["compare", "--train-sizes", "60", "--seeds", "1", "--out", str(out)]
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("interrupted: the 1 finished jobs are in")
    kept = json.loads((out / "comparison.json").read_text())["records"]
    assert [r["estimator"] for r in kept] == ["SVC"]
    estimators = {"SVC": SVC(), "dummy": DummyClassifier()}
    assert main([*argv, "--resume"]) == 0
    assert "Resuming: 1 finished jobs" in capsys.readouterr().out


class CatchesCtrlCWhenArmed(CatchesCtrlC):
    """A CatchesCtrlC whose fit gets Ctrl-C only when armed: one study, run twice."""

    armed = False

    def fit(self, X, y):
        if type(self).armed:
            return super().fit(X, y)
        self.classes_ = np.unique(y)
        return self


@pytest.mark.filterwarnings("ignore:Training interrupted")
def test_ctrl_c_before_any_job_finished_leaves_earlier_results(tmp_path, capsys, monkeypatch):
    """The same study run again, Ctrl-C at once: its complete results became an empty list."""
    monkeypatch.setattr(
        cli, "_comparison_estimators", lambda *args: {"net": CatchesCtrlCWhenArmed()}
    )
    out = tmp_path / "results"
    argv = ["compare", "--train-sizes", "60", "--seeds", "1", "--out", str(out)]
    assert main(argv) == 0
    earlier = (out / "comparison.json").read_bytes()
    monkeypatch.setattr(CatchesCtrlCWhenArmed, "armed", True)
    capsys.readouterr()
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert err == f"interrupted before any job finished: {out / 'comparison.json'} is as it was\n"
    assert (out / "comparison.json").read_bytes() == earlier
    fresh = tmp_path / "fresh" / "results"
    assert main([*argv[:-1], str(fresh)]) == 130
    assert capsys.readouterr().err == "interrupted before any job finished: nothing was written\n"
    assert not (tmp_path / "fresh").exists()  # the folders it made, empty, are gone


@pytest.mark.filterwarnings("ignore:Training interrupted")
def test_ctrl_c_in_a_rerun_keeps_the_earlier_run_of_the_jobs_not_run_again(
    tmp_path, capsys, monkeypatch
):
    """The same study again, Ctrl-C after a job: the earlier complete results became partial."""
    estimators = {"SVC": SVC(), "net": CatchesCtrlCWhenArmed()}
    monkeypatch.setattr(cli, "_comparison_estimators", lambda *args: estimators)
    out = tmp_path / "results"
    argv = ["compare", "--train-sizes", "60", "--seeds", "1", "--out", str(out)]
    assert main(argv) == 0
    earlier = json.loads((out / "comparison.json").read_text())["records"]
    monkeypatch.setattr(CatchesCtrlCWhenArmed, "armed", True)
    capsys.readouterr()
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert err == (
        f"interrupted: the 1 finished jobs are in {out / 'comparison.json'}, beside the "
        "earlier run's 1 other; rerun to replace them all\n"
    )
    kept = json.loads((out / "comparison.json").read_text())
    assert sorted(r["estimator"] for r in kept["records"]) == ["SVC", "net"]
    assert [r for r in kept["records"] if r["estimator"] == "net"] == [
        r for r in earlier if r["estimator"] == "net"
    ]
    assert len(kept["summary"]) == 2
    assert main([*argv, "--resume"]) == 0  # nothing left to run: the study is whole
    assert "Resuming: 2 finished jobs" in capsys.readouterr().out


@pytest.mark.skipif(not hasattr(os, "fork"), reason="flock is POSIX's")
def test_a_folder_another_compare_run_uses_is_refused(tmp_path, capsys):
    # Two runs into one folder both passed the "another study" check before either wrote,
    # then wrote each other's results: comparison.json of one, comparison.csv of the other.
    import fcntl

    out = tmp_path / "results"
    out.mkdir()
    other = os.open(out, os.O_RDONLY)
    fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as the other run holds it
    argv = ["compare", "--train-sizes", "50", "--seeds", "1", "--estimators", "svc"]
    try:
        assert main([*argv, "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "is in use by another study" in err
        assert list(out.iterdir()) == []
    finally:
        os.close(other)
    assert main([*argv, "--out", str(out)]) == 0  # released: it runs
    assert main([*argv, "--out", str(out)]) == 0  # and it released its own hold


@pytest.mark.skipif(not hasattr(os, "fork"), reason="flock is POSIX's")
def test_a_folder_another_study_output_holds_is_refused(tmp_path):
    # Only `compare` held its folder: two run_study into one folder from Python wrote
    # each other's results into comparison.json.
    folder = tmp_path / "made" / "study"
    first = StudyOutput(folder)
    with pytest.raises(ValueError, match=r"study is in use by another study of this process"):
        StudyOutput(folder)
    assert folder.is_dir()  # the refused output removed no folder of the first's
    first.close()
    first.close()  # closing again does nothing
    with StudyOutput(folder) as held, pytest.raises(ValueError, match="in use by another"):
        StudyOutput(folder)
    assert held.folder == folder
    forgotten = StudyOutput(folder)
    del forgotten  # released when collected, as a file is closed
    StudyOutput(folder).close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="flock is POSIX's")
def test_a_notebook_cell_run_again_is_told_how_to_release_its_folder(tmp_path):
    # A cell run again while its earlier output was still open (named by a variable, or
    # kept by the traceback of a run_study that failed) was told to "wait for it to
    # finish", as for another process's study.
    folder = tmp_path / "study"

    def failing_cell():
        run_study({"estimators": {}}, StudyOutput(folder))  # a study's key missing

    with pytest.raises(TypeError) as failed:  # its traceback keeps the output, as IPython's
        failing_cell()
    with pytest.raises(
        ValueError,
        match=r"^\S+ is in use by another study of this process: an "
        r"earlier StudyOutput.*close\(\).*with StudyOutput\(\.\.\.\) as output",
    ):
        StudyOutput(folder)
    # No variable names that output: the folder is released by its name, which the
    # message gives (it said "call its close()", of an object out of reach).
    with pytest.raises(ValueError, match=rf"StudyOutput\.release\('{re.escape(str(folder))}'\)"):
        StudyOutput(folder)
    assert StudyOutput.release(folder) is True
    assert StudyOutput.release(folder) is False  # nothing of this process holds it now
    assert StudyOutput.release(folder / "no such folder") is False
    StudyOutput(folder).close()
    del failed  # the notebook's next error replaces the traceback
    with pytest.raises(RuntimeError), StudyOutput(folder):  # a cell that fails inside `with`
        raise RuntimeError("the cell's own error")
    StudyOutput(folder).close()  # the block released the folder


@pytest.mark.skipif(not hasattr(os, "fork"), reason="flock is POSIX's")
def test_a_folder_a_study_in_another_process_holds_is_refused(tmp_path):
    import subprocess

    holder = (
        "import sys\n"
        "from sknielsen.comparison import StudyOutput\n"
        "output = StudyOutput(sys.argv[1])\n"
        "print('held', flush=True)\n"
        "sys.stdin.read()\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", holder, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline() == "held\n"
        with pytest.raises(ValueError, match="is in use by another study, not of this process"):
            StudyOutput(tmp_path)
    finally:
        process.communicate("")  # ends it
    StudyOutput(tmp_path).close()  # released when the process ended


def test_compare_resume_refuses_another_configuration(tmp_path, capsys):
    out = tmp_path / "results"
    argv = [
        "compare",
        "--train-sizes",
        "60",
        "--seeds",
        "1",
        "--estimators",
        "svc",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    before = (out / "comparison.json").read_bytes()
    capsys.readouterr()
    assert main([*argv[:-2], "--subset", "stratified", "--out", str(out), "--resume"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "come from a different configuration" in err
    assert (out / "comparison.json").read_bytes() == before


def test_scoring_by_name_list_and_callable(digits):
    default = study(digits, {"SVC": SVC()}, sizes=[100])
    scored = study(
        digits,
        {"SVC": SVC()},
        sizes=[100],
        scoring=["accuracy", "f1_macro"],
        eval_sets={"train": (digits.X_train, digits.y_train)},
    )
    assert scored[0]["accuracy_test"] == default[0]["accuracy_test"]
    model = SVC().fit(digits.X_train[:100], digits.y_train[:100])
    predicted = model.predict(digits.X_test)
    assert scored[0]["f1_macro_test"] == pytest.approx(
        f1_score(digits.y_test, predicted, average="macro")
    )
    assert {"accuracy_train", "f1_macro_train"} <= set(scored[0])
    assert summarize(scored, metric="f1_macro_test")[0]["mean"] == scored[0]["f1_macro_test"]

    def error_rate(estimator, X, y):
        return 1 - accuracy_score(y, estimator.predict(X))

    named = study(digits, {"SVC": SVC()}, sizes=[100], scoring=error_rate)
    assert named[0]["error_rate_test"] == pytest.approx(1 - default[0]["accuracy_test"])
    macro = make_scorer(f1_score, average="macro")
    alone = study(digits, {"SVC": SVC()}, sizes=[100], scoring=macro)
    assert alone[0]["score_test"] == pytest.approx(scored[0]["f1_macro_test"])
    as_dict = study(digits, {"SVC": SVC()}, sizes=[100], scoring={"macro": macro})
    assert as_dict[0]["macro_test"] == alone[0]["score_test"]
    # A scorer of scikit-learn's whose range the study does not know: any number is taken.
    rand = study(digits, {"SVC": SVC()}, sizes=[100], scoring="adjusted_rand_score")
    assert np.isfinite(rand[0]["adjusted_rand_score_test"])
    # The default keeps the fingerprints of records written before scoring existed.
    accuracy = study(digits, {"SVC": SVC()}, sizes=[100], scoring="accuracy")
    assert accuracy[0]["fingerprint"] == default[0]["fingerprint"]
    assert scored[0]["fingerprint"] != default[0]["fingerprint"]


@pytest.mark.parametrize(
    "scoring, message",
    [
        ("accuracyy", "'accuracyy' is not a valid scoring value"),
        (["accuracy", "accuracy"], "one or more distinct scorers"),
        ([], "one or more distinct scorers"),
        ([make_scorer(f1_score, average="macro"), "accuracy"], "Cannot name the scorer"),
    ],
)
def test_bad_scoring_is_refused(digits, scoring, message):
    with pytest.raises(ValueError, match=message):
        study(digits, {"SVC": SVC()}, sizes=[100], scoring=scoring)


class SVCNeverFit(SVC):
    """An SVC that fails the test if it is ever fitted."""

    def fit(self, X, y, sample_weight=None):
        raise AssertionError("fitted before its scorer was refused")


@pytest.mark.parametrize("scoring", ["neg_log_loss", ["accuracy", "roc_auc_ovr"]])
def test_a_scorer_asking_for_a_response_an_estimator_lacks_is_refused_before_any_job(
    digits, scoring
):
    # The first job's fit ran, then its scoring failed with "SharedResponses has none of
    # the following attributes: predict_proba", naming a class of the study's own.
    message = r"^The scorer '(neg_log_loss|roc_auc_ovr)' asks for predict_proba, which SVC"
    estimators = {"net": NielsenMLPClassifier((3,), epochs=1), "SVC": SVCNeverFit()}
    with pytest.raises(ValueError, match=message):
        study(digits, estimators, sizes=[100], scoring=scoring)
    # An estimator that has the response is scored as before.
    records = study(digits, {"net": estimators["net"]}, sizes=[100], scoring="neg_log_loss")
    assert np.isfinite(records[0]["neg_log_loss_test"])


def test_an_estimator_without_predict_is_refused_as_no_predictor(digits):
    # It was advised to "score it with another scorer (accuracy, say)": accuracy itself.
    with pytest.raises(ValueError, match="asks for predict, which pca") as raised:
        study(digits, {"pca": TruncatedSVD(2)}, sizes=[100])
    assert str(raised.value).endswith(
        "lacks: the study compares predictors (classifiers or regressors), which have predict."
    )


def test_random_subsets_differ_from_the_first_and_repeat_per_seed(digits):
    def sizes_and_scores(subset, seeds):
        records = study(
            digits,
            {"SVC": SVC()},
            sizes=[60, 300],
            seeds=seeds,
            subset=subset,
            deterministic=["SVC"],
        )
        return records, [(r["size"], r["seed"], r["accuracy_test"]) for r in records]

    first, first_scores = sizes_and_scores("first", [0, 1])
    random, random_scores = sizes_and_scores("random", [0, 1])
    assert len(first) == 2 and len(random) == 4  # every seed draws its own subset
    assert random_scores == sizes_and_scores("random", [0, 1])[1]  # reproducible
    by_seed = {(size, seed): score for size, seed, score in random_scores}
    assert by_seed[60, 0] != by_seed[60, 1] != first_scores[0][2]
    first_prints = {(r["size"], r["seed"]): r["fingerprint"] for r in first}
    assert all(first_prints[r["size"], 0] != r["fingerprint"] for r in random)
    assert {r["subset"] for r in random} == {"random"}


def test_compare_command_draws_random_subsets_per_seed(tmp_path, capsys):
    out = tmp_path / "results"
    argv = [
        "compare",
        "--sizes",
        "60",
        "--seeds",
        "2",
        "--estimators",
        "svc",
        "--subset",
        "random",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    records = json.loads((out / "comparison.json").read_text())["records"]
    assert [(r["subset"], r["seed"]) for r in records] == [("random", 0), ("random", 1)]


def test_random_subsets_have_the_right_sizes_and_stratify_when_possible(digits):
    from sknielsen.studies._comparison import _subset

    X, y = digits.X_train, digits.y_train
    for size in (5, 60, 300):
        X_part, y_part = _subset(X, y, size, "random", seed=3)
        assert X_part.shape == (size, X.shape[1]) and len(y_part) == size
        again = _subset(X, y, size, "random", seed=3)[1]
        assert np.array_equal(y_part, again)
        assert not np.array_equal(y_part, _subset(X, y, size, "random", seed=4)[1])
    stratified = train_test_split(X, y, train_size=300, stratify=y, random_state=0)[2]
    assert np.array_equal(_subset(X, y, 300, "random", seed=0)[1], stratified)
    # Five examples cannot hold ten classes: a uniform sample, where 'stratified' fails.
    uniform = train_test_split(X, y, train_size=5, random_state=3)[2]
    assert np.array_equal(_subset(X, y, 5, "random", seed=3)[1], uniform)
    with pytest.raises(ValueError, match="should be greater or equal to the number of classes"):
        _subset(X, y, 5, "stratified", seed=3)


@pytest.mark.parametrize("subset", ["random", "stratified"])
def test_a_drawn_subset_copies_its_rows_not_the_rest_of_the_training_set(subset):
    # train_test_split copied both sides of the split and the job kept one: a job on 500
    # of 20,000 rows copied the other 19,500 too (14.9 MiB of 100 features), per job.
    import tracemalloc

    from sknielsen.studies._comparison import _subset

    rng = np.random.default_rng(0)
    X, y = rng.uniform(size=(20_000, 100)), np.arange(20_000) % 10
    X_test, y_test = X[:100], y[:100]
    tracemalloc.start()
    try:
        records = training_size_comparison(
            {"dummy": DummyClassifier()}, X, y, X_test, y_test, sizes=[500], subset=subset
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(records) == 1
    assert peak < X.nbytes / 4, f"peak {peak / 2**20:.1f} MiB"  # its checks read X once
    X_part, _, y_part, _ = train_test_split(X, y, train_size=500, stratify=y, random_state=0)
    drawn = _subset(X, y, 500, subset, seed=0)
    np.testing.assert_array_equal(drawn[0], X_part)
    np.testing.assert_array_equal(drawn[1], y_part)


@pytest.mark.parametrize("size", [1, 30, 100, 500, 3000, 50_000])
def test_book_scaling_sets_the_books_lambda_and_epochs(size):
    X = np.tile([[0.0], [1.0]], (size // 2 + 1, 1))[:size]
    y = np.arange(size) % 2 if size > 1 else np.array([0])
    recorded = {}

    class Records(DummyClassifier):
        """A stand-in network: it has the rule's two parameters and records them in fit."""

        def __init__(self, strategy="prior", lmbda=0.0, epochs=30):
            super().__init__(strategy=strategy)
            self.lmbda, self.epochs = lmbda, epochs

        def fit(self, X, y):
            recorded.update(lmbda=self.lmbda, epochs=self.epochs)
            return super().fit(X, y)

    model = BookScaling(Records()).fit(X, y)
    assert recorded["epochs"] == model.epochs_ == max(1, round(1_500_000 / size))
    assert recorded["lmbda"] == pytest.approx(0.0001 * size) == model.lmbda_
    assert model.estimator.epochs == 30 and model.estimator.lmbda == 0.0  # never changed


def test_book_scaling_clones_delegates_and_nests_parameters(digits):
    network = NielsenMLPClassifier(epochs=7, random_state=0)
    model = BookScaling(network, lmbda_per_sample=0.001, samples_per_run=2000)
    assert model.get_params()["estimator__epochs"] == 7 and is_classifier(model)
    model.set_params(estimator__eta=0.3)
    assert model.estimator.eta == 0.3
    model.fit(digits.X_train[:200], digits.y_train[:200])
    assert model.estimator_ is not network and (network.epochs, network.lmbda) == (7, 0.0)
    assert (model.estimator_.epochs, model.estimator_.lmbda) == (10, pytest.approx(0.2))
    assert np.array_equal(model.classes_, np.arange(10))
    assert np.array_equal(model.predict(digits.X_test), model.estimator_.predict(digits.X_test))
    assert model.predict_proba(digits.X_test).shape == (len(digits.y_test), 10)
    assert model.score(digits.X_test, digits.y_test) == model.estimator_.score(
        digits.X_test, digits.y_test
    )
    assert not hasattr(BookScaling(SVC()), "predict_proba")
    assert clone(model).get_params()["estimator__eta"] == 0.3
    with pytest.raises(ValueError, match="samples_per_run"):
        BookScaling(network, samples_per_run=0).fit(digits.X_train, digits.y_train)
    search = GridSearchCV(
        BookScaling(network, samples_per_run=2000), {"estimator__eta": [0.1, 0.5]}, cv=2
    )
    assert search.fit(digits.X_train[:200], digits.y_train[:200]).best_params_


def test_book_scaling_routes_fit_metadata_to_its_network(digits):
    # With metadata routing enabled, BookScaling declared no fit metadata: sample_weight
    # for a network that requested it was never passed to its fit by cross_validate or a
    # search (the fits were unweighted, the scores weighted), or was refused as "not
    # routed to any object". It reaches the clone's fit now.
    import sklearn
    from sklearn.model_selection import StratifiedKFold, cross_validate

    X, y = digits.X_train[:120], digits.y_train[:120]
    weights = np.linspace(0.2, 2.0, len(y))
    network = NielsenMLPClassifier(hidden_layer_sizes=(8,), random_state=0)
    train = next(StratifiedKFold(2).split(X, y))[0]
    book = BookScaling(network, samples_per_run=240)
    expected = clone(book).fit(X[train], y[train], sample_weight=weights[train])
    with sklearn.config_context(enable_metadata_routing=True):
        requested = book.set_params(estimator=clone(network).set_fit_request(sample_weight=True))
        for score_request in (True, False):
            fitted = cross_validate(
                clone(requested).set_score_request(sample_weight=score_request),
                X,
                y,
                cv=2,
                params={"sample_weight": weights},
                return_estimator=True,
            )["estimator"][0]
            np.testing.assert_array_equal(
                fitted.estimator_.coefs_[0], expected.estimator_.coefs_[0]
            )
        # A network that did not request it is told of, as scikit-learn's own routers do.
        with pytest.raises(ValueError, match="sample_weight"):
            BookScaling(clone(network), samples_per_run=240).fit(X, y, sample_weight=weights)


def test_learning_curve_with_book_scaling_matches_the_study(digits):
    sizes, n_full = [60, 200], len(digits.y_train)
    network = NielsenMLPClassifier(epochs=3, lmbda=0.001 * n_full, random_state=0)
    records = study(digits, {"network": network}, sizes=sizes, scale_rule=True)
    X = np.concatenate([digits.X_train, digits.X_test])
    y = np.concatenate([digits.y_train, digits.y_test])
    split = [(np.arange(n_full), np.arange(n_full, len(y)))]
    book = BookScaling(network, lmbda_per_sample=0.001, samples_per_run=3 * n_full)
    train_sizes, _, test_scores = learning_curve(
        book, X, y, train_sizes=sizes, cv=split, shuffle=False
    )
    assert list(train_sizes) == sizes
    assert list(test_scores[:, 0]) == pytest.approx([r["accuracy_test"] for r in records])


def test_conclusions_are_at_most_three_informative_sentences():
    def summary(curves):
        return [
            {"estimator": name, "size": size, "mean": mean}
            for name, points in curves.items()
            for size, mean in points
        ]

    crossing = summary(
        {
            "network": [(100, 0.80), (1000, 0.95), (10000, 0.97)],
            "SVC()": [(100, 0.85), (1000, 0.93), (10000, 0.98)],
        }
    )
    assert conclusions(crossing) == [
        "Crossovers: network overtakes SVC() at 1,000 examples (95.00% vs 93.00%); "
        "SVC() overtakes network at 10,000 examples (98.00% vs 97.00%).",
        "At 10,000 examples SVC() leads with 98.00% (then network 97.00%).",
    ]
    leading = summary(
        {
            "network": [(100, 0.80), (1000, 0.95), (10000, 0.97)],
            "SVC()": [(100, 0.85), (1000, 0.97), (10000, 0.98)],
        }
    )
    assert conclusions(leading) == [
        "At 10,000 examples SVC() leads with 98.00% (then network 97.00%).",
        "SVC() needs only 1,000 examples to match what network reaches with 10,000 (97.00%).",
    ]


def test_compare_prints_a_result_not_a_log(capsys, tmp_path):
    from sknielsen.__main__ import main

    argv = [
        "compare",
        "--train-sizes",
        "50",
        "200",
        "--seeds",
        "2",
        "--estimators",
        "network",
        "svc-auto",
        "svc",
        "mlp",
        "--out",
        str(tmp_path),
    ]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    progress = [i for i, line in enumerate(lines) if line.startswith("  [")]
    assert all(" left" in lines[i] for i in progress[:-1])
    assert " left" not in lines[progress[-1]]
    assert not any("warning" in line.lower() for line in lines[: progress[-1]])
    warning_lines = [line for line in lines if line.startswith("warning")]
    assert len(warning_lines) == 1 and "ConvergenceWarning" in warning_lines[0]  # MLP's, once
    result = "\n".join(lines[progress[-1] :])
    assert "deterministic, so run once per size" in result and "± 0.00%" not in result
    assert "SVC(gamma='auto') takes γ = 1/64" in result


@pytest.mark.parametrize(
    "subset, sizes, message",
    [
        ("first", [1, 2, 50], "sizes [1, 2] give training sets of one class (the first 2"),
        ("random", [1, 50], "sizes [1] give training sets of one class"),
    ],
)
def test_sizes_of_one_class_are_refused_before_any_work(subset, sizes, message):
    from sknielsen.comparison import check_plan

    y = np.array([6, 6, 1, 2, 6, 1] * 20)
    with pytest.raises(ValueError, match=re.escape(message)):
        check_plan(y, sizes=sizes, seeds=[0], subset=subset)
    assert check_plan(y, sizes=[3, 50], seeds=[0], subset=subset)[0] == [3, 50]


@pytest.mark.parametrize(
    ("sizes", "seeds"),
    [([60, 120], [3, 4]), ([120, 60, 60], [3, 4, 3])],
    ids=["in order", "repeated, largest first"],
)
def test_planned_runs_are_the_runs_of_the_study(digits, sizes, seeds):
    # With sizes and seeds repeated, largest first, planned_runs kept them as given
    # (18 runs of [20, 10, 10] and [1, 0, 1]) where the study ran each once, smallest first.
    from sknielsen.comparison import planned_runs

    estimators = {"network": NielsenMLPClassifier(epochs=2), "SVC": SVC()}
    records = training_size_comparison(
        estimators,
        digits.X_train,
        digits.y_train,
        digits.X_test,
        digits.y_test,
        sizes=sizes,
        seeds=seeds,
        deterministic=["SVC"],
    )
    plan = planned_runs(estimators, sizes, seeds, deterministic=["SVC"])
    assert plan == [
        ("network", 60, 3),
        ("network", 60, 4),
        ("SVC", 60, 3),
        ("network", 120, 3),
        ("network", 120, 4),
        ("SVC", 120, 3),
    ]
    assert sorted(plan) == sorted((r["estimator"], r["size"], r["seed"]) for r in records)
    # Random subsets make every estimator depend on the seed.
    assert len(planned_runs(estimators, [60], [3, 4], subset="random", deterministic=["SVC"])) == 4
    with pytest.raises(ValueError, match=r"sizes must lie at least 1; got \[-5\]"):
        planned_runs(estimators, [-5], [0])
    with pytest.raises(ValueError, match=r"subset must be one of"):
        planned_runs(estimators, [10], [0], subset="x")


def test_time_left_follows_each_estimators_growth_with_n():
    from sknielsen.comparison import estimate_seconds_left

    def record(name, size, seconds):
        return {
            "estimator": name,
            "size": size,
            "fit_seconds": seconds - 1.0,
            "predict_seconds": 1.0,
        }

    # SVM time grows as N²: 4 s at 1,000, 16 s at 2,000, so 400 s at 10,000.
    # The book's network takes 7 s at every N (its epochs shrink as N grows).
    finished = [
        record("SVC", 1000, 4.0),
        record("SVC", 2000, 16.0),
        record("network", 1000, 7.0),
        record("network", 2000, 7.0),
    ]
    remaining = [("SVC", 10000, 0), ("network", 10000, 0), ("network", 10000, 1)]
    assert estimate_seconds_left(finished, remaining) == pytest.approx(400 + 7 + 7)
    # Two workers share the runs, but the 400 s SVM is not split.
    assert estimate_seconds_left(finished, remaining, n_jobs=2) == pytest.approx(400)
    network_runs = [("network", 50000, seed) for seed in range(4)]
    assert estimate_seconds_left(finished, network_runs, n_jobs=2) == pytest.approx(14)
    # A finished size is its own median; with one size, the same time at every
    # N; an unseen estimator gets the median run.
    assert estimate_seconds_left(finished, [("SVC", 2000, 1)]) == pytest.approx(16.0)
    assert estimate_seconds_left(finished[:1], [("SVC", 3000, 0)]) == pytest.approx(4.0)
    assert estimate_seconds_left(finished, [("MLP", 500, 0)]) == pytest.approx(7.0)
    assert estimate_seconds_left([], remaining) is None
    assert estimate_seconds_left(finished, []) == 0.0


def test_one_seed_calls_nothing_deterministic(tmp_path, capsys):
    from sknielsen.__main__ import main

    argv = ["compare", "--train-sizes", "60", "--seeds", "1", "--out", str(tmp_path)]
    assert main(argv) == 0
    assert "deterministic" not in capsys.readouterr().out  # every estimator ran once


def test_compare_without_matplotlib_writes_the_results_and_no_figures(
    tmp_path, capsys, monkeypatch
):
    from sknielsen.__main__ import main

    # The README's main command on an install without the [plot] extra.
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # its import now fails
    argv = ["compare", "--train-sizes", "60", "--seeds", "1", "--out", str(tmp_path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    # Double quotes, as the dask backend's and docs/api.md's: Windows' cmd keeps single
    # quotes in the argument, and pip refuses "'sknielsen[plot]'" as a requirement.
    assert 'No figures: Plotting needs matplotlib: pip install "sknielsen[plot]".' in out
    assert (tmp_path / "comparison.json").exists()
    assert not (tmp_path / "comparison.png").exists()


def test_run_study_keeps_every_finished_job_and_resumes(digits, tmp_path):
    """The runner behind `compare`, through the public API: files, time left, resume."""
    from sknielsen.comparison import StudyOutput, run_study

    study = {
        "estimators": {"SVC": SVC(), "network": NielsenMLPClassifier(epochs=2, random_state=0)},
        "X_train": digits.X_train,
        "y_train": digits.y_train,
        "X_test": digits.X_test,
        "y_test": digits.y_test,
        "sizes": [60, 120],
        "seeds": range(2),
        "deterministic": ["SVC"],
    }
    progress = []
    output = StudyOutput(tmp_path / "study")
    assert output.read_previous() == []  # nothing to resume yet: a first run
    result = run_study(study, output, on_result=lambda *report: progress.append(report))
    assert not result.interrupted and len(result.records) == 6 == len(progress)
    assert [done for _, done, _, _ in progress] == list(range(1, 7))
    assert progress[-1][3] is None and all(left is not None for *_, left in progress[:-1])
    output.close()  # the folder is held until then
    again = StudyOutput(tmp_path / "study")
    previous = again.read_previous()
    assert len(previous) == 6
    again.records = list(previous)
    resumed = run_study({**study, "previous": previous}, again)
    assert resumed.records == result.records and (tmp_path / "study" / "comparison.json").exists()


def test_run_study_without_seeds_knows_when_nothing_is_left(digits, tmp_path):
    """Without 'seeds' the study runs seed 0 alone: the last job leaves nothing to do."""
    from sknielsen.comparison import StudyOutput, run_study

    study = {
        "estimators": {"network": NielsenMLPClassifier(epochs=1, hidden_layer_sizes=(5,))},
        "X_train": digits.X_train,
        "y_train": digits.y_train,
        "X_test": digits.X_test,
        "y_test": digits.y_test,
        "sizes": [60, 30],
    }
    progress = []
    result = run_study(study, StudyOutput(tmp_path), on_result=lambda *r: progress.append(r))
    assert [record["seed"] for record in result.records] == [0, 0]
    assert progress[-1][3] is None and progress[0][3] is not None


class _NeverFitted(SVC):
    def fit(self, X, y):
        raise AssertionError("the plan was refused after a job had started")


@pytest.mark.parametrize(
    "changes, error, message",
    [
        ({"sizes": 60}, ValueError, r"sizes must be a list of whole numbers; got int 60"),
        ({"seeds": 3}, ValueError, r"seeds must be a list of whole numbers; got int 3"),
        ({"sizes": [60.7]}, ValueError, r"sizes .* whole numbers of examples.*60\.7"),
        ({"sizes": [0.5, 1.0]}, ValueError, r"not fractions of the training set.*0\.5"),
        ({"seeds": [None]}, ValueError, r"seeds .* whole numbers.*None"),
        ({"seeds": [1.5]}, ValueError, r"seeds .* whole numbers.*1\.5"),
        ({"seeds": [-1]}, ValueError, r"seeds must lie in \[0, 4294967295\]; got \[-1\]"),
        ({"seeds": [2**32]}, ValueError, r"seeds must lie in \[0, 4294967295\]"),
        ({"n_full": "a", "scale_rule": True}, ValueError, r"n_full must be a whole number"),
        ({"n_full": 2.5, "scale_rule": True}, ValueError, r"n_full must be a whole number"),
        ({"estimators": [SVC()]}, TypeError, r"estimators must be a dict of names to est"),
        ({"estimators": {}}, ValueError, r"estimators holds no estimator"),
        ({"estimators": {"SVC": SVC}}, TypeError, r"estimators\['SVC'\] is the class SVC"),
        ({"estimators": {"x": None}}, TypeError, r"estimators\['x'\] is NoneType, not an est"),
        ({"estimators": {1: SVC()}}, TypeError, r"estimators' names must be str; got 1"),
        ({"estimators": {"r": NielsenMLPRegressor()}}, TypeError, r"estimators\['r'\] is a regr"),
        ({"eval_sets": [(1, 2)]}, TypeError, r"eval_sets must be a dict of names to \(X, y\)"),
        ({"eval_sets": {1: (1, 2)}}, TypeError, r"eval_sets' names must be str; got 1 \(int\)"),
        ({"eval_sets": {"val": np.zeros((3, 64))}}, ValueError, r"eval_sets\['val'\] must be"),
        # A network's parameters were refused by its first fit, after the jobs before it.
        (
            {"estimators": {"SVC": _NeverFitted(), "net": NielsenMLPClassifier(eta=-1)}},
            ValueError,
            r"^estimators\['net'\]: The 'eta' parameter of NielsenMLPClassifier must be",
        ),
        (
            {
                "estimators": {
                    "SVC": _NeverFitted(),
                    "net": BookScaling(NielsenMLPClassifier(cost="x")),
                }
            },
            ValueError,
            r"^estimators\['net'\]: The 'cost' parameter .* Unknown cost 'x'",
        ),
        (
            {
                "estimators": {
                    "SVC": _NeverFitted(),
                    "net": Pipeline(
                        [("svd", TruncatedSVD()), ("net", NielsenMLPClassifier(dropout=1.5))]
                    ),
                }
            },
            ValueError,
            r"^estimators\['net'\]: The 'dropout' parameter",
        ),
    ],
)
def test_a_plan_that_cannot_run_is_refused_naming_the_argument(digits, changes, error, message):
    arguments = {"estimators": {"SVC": _NeverFitted()}, "sizes": [60], **replace(digits)}
    arguments.update(changes)
    with pytest.raises(error, match=message):
        training_size_comparison(**arguments)


def test_test_labels_no_training_set_has_are_warned_about(digits):
    # y_test + 100 scored 0 for every estimator without a word.
    arguments = {"estimators": {"SVC": SVC()}, "sizes": [60], **replace(digits)}
    arguments["y_test"] = np.where(digits.y_test == 3, 103, digits.y_test)
    share = np.mean(digits.y_test == 3)
    with pytest.warns(UserWarning, match=rf"test set's labels \[103\] .* its {share:.0%} of"):
        training_size_comparison(**arguments)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        training_size_comparison(**{**arguments, "y_test": digits.y_test})


class _PositiveNB(MultinomialNB):
    """Refuses negative values when it predicts too (MultinomialNB only when it fits)."""

    def predict(self, X):
        if np.min(X) < 0:
            raise ValueError("Negative values in data passed to _PositiveNB.predict.")
        return super().predict(X)


def test_an_estimators_refusal_of_a_set_names_the_set(digits):
    # What the study cannot judge (negative counts) is the estimator's, but its refusal
    # came from inside a job, naming neither the set nor the estimator.
    arguments = {"estimators": {"NB": _PositiveNB()}, "sizes": [60], **replace(digits)}
    with pytest.raises(ValueError, match=r"^NB on the test set: Negative values in data"):
        training_size_comparison(**{**arguments, "X_test": digits.X_test - 1.0})
    with pytest.raises(ValueError, match=r"^NB on 60 examples of the training set: Negative"):
        training_size_comparison(**{**arguments, "X_train": digits.X_train - 1.0})


def _lbfgs_net():
    return NielsenMLPClassifier(epochs=1, optimizer="lbfgs")


@pytest.mark.parametrize(
    "network",
    [_lbfgs_net(), Pipeline([("net", _lbfgs_net())]), BookScaling(_lbfgs_net())],
    ids=["bare", "first step of a pipeline", "BookScaling"],
)
def test_a_full_batch_network_refuses_a_sparse_training_set_before_any_job(digits, network):
    # The network refused it in its first job's fit, after the jobs before it had run
    # (an SVC's minutes on MNIST): now before any job, naming the estimator and X_train.
    X_train = _csr(digits.X_train)
    arguments = {"estimators": {"SVC": _NeverFitted(), "net": network}, "sizes": [60]}
    expected = (
        rf"^net's full-batch optimizer LBFGS trains on dense X_train only; got a sparse "
        rf"X_train of shape \({X_train.shape[0]}, 64\)\. Densify it first \(X_train\.toarray"
    )
    with pytest.raises(SparseInputError, match=expected):
        training_size_comparison(**arguments, **replace(digits, X_train=X_train))


def test_a_pipeline_that_may_densify_before_a_full_batch_network_takes_sparse_input(digits):
    # The study cannot tell what a step before the network makes of sparse input: it
    # leaves the judgement to the fit (here TruncatedSVD densifies, and the fit succeeds).
    network = Pipeline([("svd", TruncatedSVD(5, random_state=0)), ("net", _lbfgs_net())])
    arguments = {"estimators": {"net": network}, "sizes": [60], "seeds": [0]}
    records = training_size_comparison(**arguments, **replace(digits, X_train=_csr(digits.X_train)))
    assert [record["estimator"] for record in records] == ["net"]


def _with(X, row, value):
    """A copy of ``X`` (an array or a CSR matrix) with ``value`` in one stored cell of ``row``."""
    X = X.copy()
    if hasattr(X, "indptr"):
        X.data[X.indptr[row]] = value
    else:
        X[row, 5] = value
    return X


def _csr(X):
    from scipy.sparse import csr_matrix

    return csr_matrix(X)


@pytest.mark.parametrize(
    "changes, message",
    [
        # In the last row: the jobs on the first N examples fitted before its own failed.
        (lambda d: {"X_train": _with(d.X_train, -1, np.nan)}, r"^X_train contains NaN"),
        (lambda d: {"X_train": _with(d.X_train, -1, -np.inf)}, r"^X_train contains infinity"),
        (lambda d: {"X_test": _with(d.X_test, 0, np.nan)}, r"^X_test contains NaN"),
        (lambda d: {"X_test": _with(d.X_test, 0, np.inf)}, r"^X_test contains infinity"),
        (lambda d: {"X_test": _with(_csr(d.X_test), 0, np.nan)}, r"^X_test contains NaN"),
        (lambda d: {"X_test": _with(d.X_test.astype("f4"), 0, np.inf)}, r"^X_test contains inf"),
        (lambda d: {"X_test": d.X_test.astype(str)}, r"^X_test holds strings \(<U32\), not"),
        (lambda d: {"X_test": d.X_test.astype(complex)}, r"^The test set: Complex data not"),
        (
            lambda d: {"X_test": np.where(d.X_test > 0.5, "dark", "0").astype(object)},
            r"^X_test holds values that are not numbers",
        ),
        (lambda d: {"X_train": d.X_train.astype(object), "X_test": d.X_test.astype(object)}, None),
        (lambda d: {"y_test": d.y_test.astype(str)}, r"^y_test holds labels of another type"),
        (
            lambda d: {"eval_sets": {"validation": (_with(d.X_test, 0, np.nan), d.y_test)}},
            r"^X of eval_sets\['validation'\] contains NaN",
        ),
    ],
)
def test_a_set_of_values_no_estimator_takes_is_refused_before_any_fit(
    digits, tmp_path, changes, message
):
    # Such a set failed only inside a job, after the jobs before it had fitted (minutes
    # on MNIST), naming no set; each is refused before any fit (_NeverFitted).
    arguments = {"estimators": {"SVC": _NeverFitted()}, "sizes": [60], **replace(digits)}
    arguments.update(changes(digits))
    if message is None:  # numbers in an object array are numbers
        arguments["estimators"] = {"SVC": SVC()}
        assert training_size_comparison(**arguments)[0]["accuracy_test"] > 0.5
        return
    with pytest.raises(ValueError, match=message):
        training_size_comparison(**arguments)
    output = StudyOutput(tmp_path)
    with pytest.raises(ValueError, match=message):
        run_study(arguments, output)
    assert not output.json_path.exists()


def test_nan_is_refused_unless_every_estimator_takes_it(digits):
    # scikit-learn's allow_nan tag; a pipeline's is its first step's, which sees the data.
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline

    imputed = make_pipeline(SimpleImputer(), SVC())
    arguments = {"sizes": [60], **replace(digits, X_test=_with(digits.X_test, 0, np.nan))}
    records = training_size_comparison({"imputed": imputed}, **arguments)
    assert records[0]["accuracy_test"] > 0.5
    both = {"imputed": imputed, "SVC": _NeverFitted()}
    with pytest.raises(ValueError, match=r"^X_test contains NaN, which SVC cannot take"):
        training_size_comparison(both, **arguments)
    infinite = {**arguments, "X_test": _with(digits.X_test, 0, np.inf)}
    with pytest.raises(ValueError, match=r"^X_test contains infinity, which SVC cannot take"):
        training_size_comparison(both, **infinite)
    # Estimators that take NaN judge infinity themselves: SimpleImputer refuses it, in its
    # job, the error naming the set.
    with pytest.raises(ValueError, match=r"^imputed on the test set: Input X contains infinity"):
        training_size_comparison({"imputed": imputed}, **infinite)


def test_infinity_is_left_to_estimators_that_take_it(digits):
    # HistGradientBoostingClassifier bins infinity as the largest value: the study refused
    # its sets, saying that no estimator could fit them.
    from sklearn.ensemble import HistGradientBoostingClassifier

    boosted = HistGradientBoostingClassifier(max_iter=5, random_state=0)
    X_train = _with(digits.X_train, 0, np.inf)
    arguments = {"sizes": [60], **replace(digits, X_train=X_train)}
    records = training_size_comparison({"boosted": boosted}, **arguments)
    assert records[0]["accuracy_test"] > 0.3


def test_a_network_of_an_unknown_optimizer_on_sparse_input_is_named_by_its_check(digits):
    # Whether the optimizer is a full-batch one (which refuses sparse input) is not known:
    # the network's own check names the optimizer, before any job.
    import scipy.sparse as sp

    net = NielsenMLPClassifier(optimizer="nonsense")
    with pytest.raises(ValueError, match=r"^estimators\['net'\]: The 'optimizer' parameter"):
        training_size_comparison(
            {"net": net},
            sp.csr_matrix(digits.X_train),
            digits.y_train,
            sp.csr_matrix(digits.X_test),
            digits.y_test,
            sizes=[60],
        )


def test_strings_are_left_to_estimators_that_encode_them(digits):
    # A pipeline that begins with an encoder takes categories as strings (scikit-learn's
    # categorical input tag); beside an SVC alone they are refused, naming it.
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    encoded = make_pipeline(OneHotEncoder(handle_unknown="ignore"), SVC())
    as_words = {
        key: np.where(X > 0.5, "dark", "light").astype(object) if key.startswith("X") else X
        for key, X in replace(digits).items()
    }
    records = training_size_comparison({"encoded": encoded}, sizes=[60], **as_words)
    assert records[0]["accuracy_test"] > 0.3
    # As NumPy's strings, not objects: the same.
    as_text = {key: X.astype(str) if key.startswith("X") else X for key, X in as_words.items()}
    records = training_size_comparison({"encoded": encoded}, sizes=[60], **as_text)
    assert records[0]["accuracy_test"] > 0.3
    with pytest.raises(ValueError, match=r"^X_train holds values that are not numbers, which SVC"):
        training_size_comparison(
            {"encoded": encoded, "SVC": _NeverFitted()}, sizes=[60], **as_words
        )


@pytest.mark.parametrize(
    "convert",
    [
        lambda X: X.astype(np.float32),
        lambda X: np.round(X * 16).astype(np.uint8),  # the pixels as integers 0-16
        _csr,
    ],
    ids=["float32", "uint8", "csr"],
)
def test_sets_of_other_numeric_types_are_studied(digits, convert):
    # Scaled by 16, the integer pixels give SVC(gamma="scale") the same kernel.
    arguments = {"estimators": {"SVC": SVC()}, "sizes": [60], "seeds": [0]}
    expected = training_size_comparison(**arguments, **replace(digits))
    converted = {
        key: convert(X) if key.startswith("X") else X for key, X in replace(digits).items()
    }
    records = training_size_comparison(**arguments, **converted)
    assert records[0]["accuracy_test"] == expected[0]["accuracy_test"]


def test_whole_numbers_of_other_types_are_sizes_and_seeds(digits):
    sizes, seeds = check_plan(digits.y_train, np.array([60.0, 120.0]), np.arange(2))
    assert (sizes, seeds) == ([60, 120], [0, 1])
    assert all(type(n) is int for n in sizes + seeds)


def test_run_study_refuses_a_plan_that_cannot_run_before_any_file(digits, tmp_path):
    study = {"estimators": {"SVC": _NeverFitted()}, "sizes": 60, **replace(digits)}
    output = StudyOutput(tmp_path / "study")
    with pytest.raises(ValueError, match="sizes must be a list of whole numbers"):
        run_study(study, output)
    with pytest.raises(TypeError, match=r"estimators\['SVC'\] is the class SVC"):
        run_study({**study, "sizes": [60], "estimators": {"SVC": SVC}}, output)
    # A bare KeyError 'sizes', and Python's "got multiple values for keyword argument".
    with pytest.raises(TypeError, match=r"The study has no 'sizes'; give every one of"):
        run_study({key: value for key, value in study.items() if key != "sizes"}, output)
    with pytest.raises(TypeError, match=r"Pass on_result to run_study, not in the study"):
        run_study({**study, "sizes": [60], "on_result": print}, output)
    assert not output.json_path.exists()


def _record(seed=0, size=100, **changes):
    record = {
        "estimator": "SVC",
        "size": size,
        "seed": seed,
        "subset": "first",
        "fit_seconds": 0.1,
        "predict_seconds": 0.01,
        "accuracy_test": 0.9,
    }
    return {**record, **changes}


def test_summarize_averages_records_without_seeds_as_given():
    # Records of one's own (a reference's), without the seeds a study records: nothing
    # tells a job twice from two jobs.
    records = [_record(accuracy_test=0.9), _record(accuracy_test=0.7)]
    for record in records:
        del record["seed"]
    (row,) = summarize(records)
    assert row["n_seeds"] == 2 and row["mean"] == pytest.approx(0.8)


class LateProba(LogisticRegression):
    """A classifier whose predict_proba, unfitted, raises NotFittedError (not AttributeError).

    (Not SVC(probability=True): scikit-learn 1.9 deprecates ``probability``.)
    """

    @property
    def predict_proba(self):
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        return super().predict_proba


class Refusal(ValueError):
    """An estimator's own ValueError, whose arguments are not a message alone."""

    def __init__(self, code, reason):
        super().__init__(code, reason)


class RefusesTheData(SVC):
    def fit(self, X, y, sample_weight=None):
        raise Refusal(7, "negative values")


def test_the_estimators_own_refusals_reach_the_caller_as_they_are(digits):
    # A NotFittedError is no sign that the method is missing: the study scores it.
    records = study(digits, {"late": LateProba(max_iter=1000)}, sizes=[100], scoring="neg_log_loss")
    assert np.isfinite(records[0]["neg_log_loss_test"])
    # A subclass of ValueError that takes other arguments than a message is re-raised,
    # not rebuilt with the job's name (which would fail on its arguments).
    with pytest.raises(Refusal) as refused:
        study(digits, {"odd": RefusesTheData()}, sizes=[100])
    assert refused.value.args == (7, "negative values")


def test_check_plan_leaves_labels_that_are_no_class_each_to_the_estimators():
    indicator = np.column_stack([np.arange(20) % 2, np.arange(20) % 3 == 0])
    assert check_plan(indicator, sizes=[10], seeds=[0]) == ([10], [0])


def test_summarize_refuses_the_same_job_twice_rather_than_count_it_as_two_seeds():
    # A resumed run's records added to the earlier ones hold each earlier job twice.
    records = [_record(0, accuracy_test=0.9), _record(1, accuracy_test=0.8)]
    assert summarize(records)[0]["n_seeds"] == 2
    with pytest.raises(ValueError, match=r"SVC N=100 seed=0 twice"):
        summarize(records + records[:1])
    with pytest.raises(ValueError, match=r"SVC N=100.*subset 'first' and 'random'"):
        summarize([_record(0), _record(1, subset="random")])


@pytest.mark.parametrize(
    "records, error, message",
    [
        ("comparison.json", TypeError, "list of dict that training_size_comparison returns"),
        ({"estimator": "SVC"}, TypeError, "list of dict that training_size_comparison returns"),
        ([_record(), 3], TypeError, "records must be a list of dict"),
        ([{"size": 100, "accuracy_test": 0.9}], ValueError, "A record has no 'estimator'"),
        ([_record(fit_seconds=None)], ValueError, "'fit_seconds' is NoneType None, not a n"),
        ([_record(accuracy_test="0.9")], ValueError, "'accuracy_test' is str '0.9', not a n"),
        # Names of two types failed in sorting: "'<' not supported between 'int' and 'str'".
        ([_record(), _record(estimator=3)], ValueError, "'estimator' is int 3, not a name"),
    ],
)
def test_summarize_refuses_what_is_no_record_naming_it(records, error, message):
    with pytest.raises(error, match=message):
        summarize(records)


def test_conclusions_of_nothing_are_none_and_of_records_a_clear_refusal():
    from sknielsen.comparison import conclusions

    assert conclusions([]) == []
    with pytest.raises(ValueError, match="rows of summarize, not the records"):
        conclusions([_record()])


@pytest.mark.parametrize("metric", ["fit_seconds", "predict_seconds"])
def test_conclusions_of_timings_are_refused(metric):
    # The slowest "led" and "matched" the others: a time is better low, a score high.
    summary = [
        {"estimator": name, "size": size, "mean": seconds * size}
        for name, seconds in [("network", 2.0), ("SVC", 0.5)]
        for size in (100, 200)
    ]
    message = rf"conclusions compare scores, higher better; {metric} is a time"
    with pytest.raises(ValueError, match=message):
        conclusions(summary, metric)
    with pytest.raises(ValueError, match=message):
        crossover_statements(summary, metric)


def test_study_output_refuses_metadata_json_cannot_hold_before_any_job(tmp_path):
    from pathlib import Path

    # Found when the first job's record was saved: the study stopped, its work lost.
    with pytest.raises(TypeError, match=r"metadata\['data_dir'\].*PosixPath.*JSON"):
        StudyOutput(tmp_path / "study", metadata={"data_dir": Path("mnist")})
    assert not (tmp_path / "study").exists()


def test_a_summary_of_a_metric_no_record_holds_is_refused_and_a_study_file_summarizes_its_own(
    digits, tmp_path
):
    # summarize of records scored by f1_macro alone returned [] (accuracy_test, the default,
    # was in none), and so did the summary in the study's comparison.json.
    study = {"estimators": {"SVC": SVC()}, "sizes": [60], "scoring": ["f1_macro"]}
    study.update(replace(digits))
    result = run_study(study, StudyOutput(tmp_path))
    with pytest.raises(ValueError, match=r"No record holds 'accuracy_test'; they hold \['f1_"):
        summarize(result.records)
    saved = json.loads((tmp_path / "comparison.json").read_text())["summary"]
    assert saved == summarize(result.records, "f1_macro_test") and len(saved) == 1
    assert summarize([]) == []
    # An eval set's scores are metrics too (they were left out of the list), and the
    # plot's refusal says the same.
    scored = [{**result.records[0], "f1_macro_validation": 0.5}]
    held = r"No record holds 'accuracy_val'; they hold \['f1_macro_test', 'f1_macro_validation'\]"
    with pytest.raises(ValueError, match=held):
        summarize(scored, "accuracy_val")
    with pytest.raises(ValueError, match=held):
        plot_training_size_comparison(scored, metric="accuracy_val")
    with pytest.raises(ValueError, match="The summary is empty"):  # was an IndexError
        StudyOutput(tmp_path).write_summary([])


def _frame(X, names):
    pandas = pytest.importorskip("pandas")
    return pandas.DataFrame(X, columns=names)


@pytest.mark.parametrize("where", ["X_test", "eval_sets"])
@pytest.mark.parametrize(
    "columns, message",
    [
        (lambda frame: frame[frame.columns[::-1]], "the same names in another order"),
        (
            lambda frame: frame.rename(columns={"pixel0": "other"}),
            r"names it was not trained with: \['other'\]",
        ),
    ],
)
def test_sets_whose_feature_names_differ_from_the_training_sets_are_refused(
    digits, where, columns, message
):
    # check_array kept the values of DataFrames, not their names: another set's
    # columns, reordered or renamed, were taken by position and scored silently wrong.
    names = [f"pixel{i}" for i in range(digits.X_train.shape[1])]
    X_train = _frame(digits.X_train, names)
    X_other = columns(_frame(digits.X_test, names))
    X_test, eval_sets = (
        (X_other, None) if where == "X_test" else (X_train, {"v": (X_other, digits.y_test)})
    )
    y_test = digits.y_test if where == "X_test" else digits.y_train
    set_name = "test" if where == "X_test" else "v"
    with pytest.raises(ValueError, match=f"The {set_name} set's feature names differ .*{message}"):
        training_size_comparison(
            {"SVC": SVC()}, X_train, digits.y_train, X_test, y_test, [60], eval_sets=eval_sets
        )


def test_a_set_with_feature_names_beside_a_training_set_without_is_named_in_a_warning(digits):
    X_test = _frame(digits.X_test, [f"pixel{i}" for i in range(digits.X_test.shape[1])])
    with pytest.warns(UserWarning, match="The test set has feature names, but the training set"):
        records = training_size_comparison(
            {"SVC": SVC()}, digits.X_train, digits.y_train, X_test, digits.y_test, [60]
        )
    assert records[0]["accuracy_test"] > 0.5


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_the_jobs_warnings_reach_the_caller_from_every_worker(digits, n_jobs):
    # In worker processes they were printed there, Python's two lines, and never reached
    # the caller's filters, pytest.warns or the command line's one-line summary.
    adam = {"adam": NielsenMLPClassifier(optimizer="adam", epochs=1, random_state=0)}
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        study(digits, adam, sizes=[50, 60], seeds=[0], n_jobs=n_jobs)
    caught = [(w.filename, w.category) for w in record if "too large for Adam" in str(w.message)]
    assert caught == [(__file__, UserWarning)] * 2


def _summary(curves):
    return [
        {"estimator": name, "size": size, "mean": mean}
        for name, by_size in curves.items()
        for size, mean in by_size.items()
    ]


def test_conclusions_leave_out_nan_scores_and_say_tie_for_equal_ones():
    # A NaN "led with nan%" and "beat b at every size"; a tie was "a leads with 60.00%
    # (then b 60.00%)", and each tie changed the lead in the crossovers.
    summary = _summary({"a": {10: float("nan"), 20: 0.6}, "b": {10: 0.5, 20: 0.6}})
    sentences = conclusions(summary) + crossover_statements(summary)
    assert not any("nan" in sentence for sentence in sentences), sentences
    assert "At 20 examples a and b tie with 60.00%." in sentences
    tied = _summary({"a": {10: 0.5, 20: 0.7, 30: 0.8}, "b": {10: 0.4, 20: 0.7, 30: 0.7}})
    assert not [s for s in crossover_statements(tied) if s.startswith("Crossover")]
    assert conclusions(_summary({"a": {10: float("nan")}})) == []


def test_conclusions_write_scores_outside_0_to_1_as_numbers_not_percentages():
    summary = _summary({"a": {10: -2.0, 20: 0.25}, "b": {10: 0.5, 20: 0.1}})  # R², say
    sentences = conclusions(summary) + crossover_statements(summary)
    assert not any("%" in sentence for sentence in sentences), sentences
    assert "At 20 examples a leads with 0.25 (then b 0.1)." in sentences
    # Told the metric, an R² in [0, 1] is a number too, and an accuracy a percentage.
    within = _summary({"a": {10: 0.5, 20: 0.93}, "b": {10: 0.6, 20: 0.9}})
    assert "At 20 examples a leads with 0.93 (then b 0.9)." in conclusions(within, "r2_test")
    assert "At 20 examples a leads with 93.00% (then b 90.00%)." in conclusions(within)
    statements = crossover_statements(within, metric="accuracy_test")
    assert any("93.00%" in statement for statement in statements)


def test_conclusions_do_not_call_an_estimator_alone_at_the_largest_size_the_leader():
    # An interrupted study (or one whose sizes differ by estimator): b was never
    # measured at 30, yet "At 30 examples a leads with 80.00%." while b led at every
    # size both reached.
    partial = _summary({"a": {10: 0.5, 20: 0.6, 30: 0.8}, "b": {10: 0.7, 20: 0.75}})
    assert conclusions(partial)[0] == (
        "At 30 examples only a was measured: 80.00% (no result for b)."
    )
    three = _summary({"a": {10: 0.5, 30: 0.8}, "b": {10: 0.7}, "c": {10: 0.4, 30: 0.7}})
    assert conclusions(three)[0] == (
        "At 30 examples a leads with 80.00% (then c 70.00%; no result for b)."
    )
    tied = _summary({"a": {10: 0.5, 30: 0.8}, "b": {10: 0.7}, "c": {10: 0.5, 30: 0.8}})
    assert conclusions(tied)[0] == "At 30 examples a and c tie with 80.00% (no result for b)."
    # A study of one estimator: nothing is missing.
    assert conclusions(_summary({"a": {10: 0.5, 30: 0.8}}))[0] == (
        "At 30 examples a leads with 80.00%."
    )


def test_conclusions_name_an_estimator_without_a_finite_score_at_any_size():
    # Its NaN means were left out, and its name with them: "At 20 examples a leads with
    # 60.00%." as if no estimator of the study lacked a result.
    nan = float("nan")
    summary = _summary({"a": {10: 0.5, 20: 0.6}, "b": {10: nan, 20: nan}})
    assert conclusions(summary)[0] == (
        "At 20 examples only a was measured: 60.00% (no result for b)."
    )


@pytest.mark.parametrize(
    ("deterministic", "error", "message"),
    [
        ("SVC", TypeError, r"deterministic must be a list of estimator names"),
        (["nope"], ValueError, r"deterministic names \['nope'\], which is no estimator"),
        (3, TypeError, r"deterministic must be a list"),
    ],
)
def test_deterministic_names_the_studys_estimators(digits, deterministic, error, message):
    # "svc" was read letter by letter; an unknown name was ignored.
    from sknielsen.comparison import planned_runs

    estimators = {"network": NielsenMLPClassifier(epochs=1), "SVC": SVC()}
    with pytest.raises(error, match=message):
        planned_runs(estimators, [20], [0, 1], deterministic=deterministic)
    with pytest.raises(error, match=message):
        training_size_comparison(
            estimators,
            digits.X_train,
            digits.y_train,
            digits.X_test,
            digits.y_test,
            sizes=[20],
            seeds=[0, 1],
            deterministic=deterministic,
        )


@pytest.mark.parametrize("values", [[1e308, 1.5e308], [np.inf, 0.5], [np.nan, 0.5]])
def test_summarize_scores_near_or_beyond_the_largest_float_without_numpy_warnings(values):
    import warnings

    records = [
        {
            "estimator": "a",
            "size": 10,
            "seed": seed,
            "fit_seconds": 1.0,
            "predict_seconds": 0.1,
            "accuracy_test": value,
        }
        for seed, value in enumerate(values)
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (row,) = summarize(records)
    if np.isfinite(values).all():
        assert row["mean"] == pytest.approx(1.25e308) and row["std"] == pytest.approx(0.25e308)


def test_gamma_note_takes_what_the_study_takes(digits):
    # A constant X divided by zero; a sparse X had no .var().
    from scipy import sparse

    from sknielsen.comparison import book_estimators, gamma_note

    estimators = book_estimators(["svc-auto"], len(digits.X_train))
    dense = gamma_note(estimators, digits.X_train)
    assert gamma_note(estimators, sparse.csr_matrix(digits.X_train)) == dense
    constant = gamma_note(estimators, np.ones((10, 64)))
    assert "64 times smaller" in constant  # SVC()'s gamma is 1 for inputs that do not vary


def test_earlier_records_of_numpy_numbers_are_taken(digits):
    # Records read back through pandas or NumPy hold np.int64 sizes and np.float64 scores:
    # refused as "size=np.int64(60) (must be an integer)", edited or damaged.
    complete = run(digits, sizes=[60], seeds=[0])
    numpy_records = [
        {
            k: (
                np.int64(v)
                if k in ("size", "seed")
                else np.float64(v)
                if isinstance(v, float)
                else v
            )
            for k, v in record.items()
        }
        for record in complete
    ]
    seen = []
    resumed = run(
        digits,
        sizes=[60],
        seeds=[0],
        previous=numpy_records,
        on_result=lambda r, d, t: seen.append(d),
    )
    assert seen == [] and len(resumed) == len(complete)
