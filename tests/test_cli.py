"""The command line, end to end."""

import argparse
import json
import re
import subprocess
import sys

import pytest

from sknielsen.__main__ import main


def test_train_command_on_digits(capsys):
    assert main(["train", "--epochs", "3"]) == 0
    out = capsys.readouterr().out
    assert "Training [64, 30, 10] on scikit-learn's digits" in out
    assert re.search(r"^\s+epoch\s+loss\s+train cost\s+valid acc\s+eta\s+time$", out, re.M)
    assert len(re.findall(r"^\s+\d+/3 ", out, flags=re.M)) == 3
    assert "Test accuracy" in out


def test_module_with_no_arguments_runs_the_comparison(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sknielsen"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Comparing network, SVC(gamma='auto'), SVC() on digits" in result.stdout
    assert (tmp_path / "comparison-results" / "comparison.json").exists()
    assert "Crossover" in result.stdout or "already matches" in result.stdout


def test_train_with_the_books_flags(tmp_path, capsys):
    argv = [
        "train",
        "--layers",
        "64",
        "30",
        "10",
        "--eta",
        "0.5",
        "--lmbda",
        "0.1",
        "--optimizer",
        "momentum",
        "--mu",
        "0.5",
        "--epochs",
        "30",
        "--history",
        str(tmp_path / "h.json"),
        "--save",
        str(tmp_path / "m.json"),
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Training [64, 30, 10]" in out
    assert len(re.findall(r"^\s+\d+/30 ", out, flags=re.M)) == 30
    accuracy = float(out.rsplit("Test accuracy ", 1)[1].split("%")[0])
    assert accuracy >= 96.0
    history = json.loads((tmp_path / "h.json").read_text())
    assert len(history["validation_accuracy"]) == 30 == len(history["training_cost"])
    saved = json.loads((tmp_path / "m.json").read_text())
    assert saved["params"]["optimizer"]["params"] == {"mu": 0.5}


def test_evaluate_and_predict_a_saved_model(tmp_path, capsys):
    import numpy as np
    from sklearn.datasets import load_digits

    model = tmp_path / "m.json"
    assert main(["train", "--epochs", "5", "--save", str(model)]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(model)]) == 0
    assert "test accuracy" in capsys.readouterr().out
    X, y = load_digits(return_X_y=True)
    np.save(tmp_path / "x.npy", X[:20] / 16)
    assert main(["predict", str(model), str(tmp_path / "x.npy")]) == 0
    labels = [int(v) for v in capsys.readouterr().out.split()]
    assert len(labels) == 20 and np.mean(np.array(labels) == y[:20]) > 0.8
    assert (
        main(["predict", str(model), str(tmp_path / "x.npy"), "--out", str(tmp_path / "p.npy")])
        == 0
    )
    assert np.load(tmp_path / "p.npy").shape == (20,)


def test_plot_flag_writes_the_monitoring_figure(tmp_path):
    pytest.importorskip("matplotlib")
    assert main(["train", "--epochs", "2", "--plot", str(tmp_path / "h.png")]) == 0
    assert (tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"


def test_save_flag_writes_a_loadable_model(tmp_path, capsys):
    path = tmp_path / "net.json"
    assert main(["train", "--epochs", "1", "--save", str(path)]) == 0
    assert json.loads(path.read_text())["format"] == "sknielsen-model"


def test_plugins_command_lists_every_kind(capsys):
    assert main(["plugins"]) == 0
    out = capsys.readouterr().out
    for expected in ("cost:", "quadratic", "optimizer:", "momentum(mu=0.9)", "regularizer:"):
        assert expected in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--cost", "hinge"], "Unknown cost 'hinge'"),
        (["train", "--eta", "-1"], "eta"),
        (["train", "--save", "/nonexistent/dir/net.json"], "No such file"),
        (["train", "--layers", "784", "30", "10"], "--layers must start with the 64 inputs"),
        (["train", "--dataset", "mnist", "--data-dir", "/nonexistent"], "MNIST files not found"),
        (["evaluate", "/nonexistent/model.json"], "No such file"),
        (["evaluate", __file__], "not a model file"),
        (["compare", "--train-sizes", "5000"], "sizes must lie between"),
    ],
)
def test_user_errors_exit_2_with_one_line(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.startswith("error: ") and message in err and "\n" not in err
    assert captured.out == ""  # reported before any header line


def test_train_validates_on_a_split_unless_asked_to_monitor_the_test_set(capsys):
    from sknielsen.__main__ import main

    assert main(["train", "--epochs", "1", "--hidden", "5"]) == 0
    out = capsys.readouterr().out
    assert "validation: a fifth of the training images" in out and "958 training" in out
    assert "--monitor-test" not in out
    assert main(["train", "--epochs", "1", "--hidden", "5", "--monitor-test"]) == 0
    assert "Monitoring the test set (--monitor-test)" in capsys.readouterr().out


def test_help_shows_every_default_and_the_main_command(capsys):
    from sknielsen.__main__ import _parser

    parser = _parser()
    assert "With no subcommand, runs 'compare'" in parser.description
    for name, command in parser._subparsers._group_actions[0].choices.items():
        for action in command._actions:
            if (
                action.option_strings
                and action.help != argparse.SUPPRESS
                and action.dest not in ("help",)
            ):
                assert action.help, f"{name} {action.option_strings} has no help text"
                if not isinstance(action, (argparse._StoreTrueAction, argparse._VersionAction)):
                    assert (
                        "%(default)s" in command.formatter_class(name)._get_help_string(action)
                        or action.default is argparse.SUPPRESS
                    ), (name, action.dest)


def test_the_old_sizes_flags_still_work_with_a_deprecation_message(capsys):
    from sknielsen.__main__ import _parse

    train = _parse(["train", "--sizes", "64", "30", "10"])
    assert train.layers == [64, 30, 10]
    assert "--sizes is deprecated here; use --layers" in capsys.readouterr().err
    compare = _parse(["compare", "--sizes", "50", "100"])
    assert compare.train_sizes == [50, 100]
    assert "use --train-sizes" in capsys.readouterr().err


def test_compare_runs_on_a_dask_cluster_of_two_workers(capsys, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    from sknielsen.__main__ import main

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        argv = [
            "compare",
            "--train-sizes",
            "50",
            "100",
            "--seeds",
            "2",
            "--n-jobs",
            "2",
            "--backend",
            "dask",
            "--scheduler",
            cluster.scheduler_address,
            "--out",
            str(tmp_path),
        ]
        assert main(argv) == 0
    out = capsys.readouterr().out
    assert f"Running the jobs on the dask cluster at {cluster.scheduler_address}" in out
    records = json.loads((tmp_path / "comparison.json").read_text())["records"]
    assert len(records) == 2 * 2 + 2 * 2  # network: 2 sizes × 2 seeds; each SVM once per size


def test_dask_flags_are_checked(capsys):
    from sknielsen.__main__ import main

    assert main(["compare", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--scheduler needs --backend dask" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--eta", "-1"], "'eta' parameter"),
        (["train", "--optimizer", "momentum", "--mu", "3"], "'optimizer__mu' parameter"),
        (["train", "--cost", "log_likelihood", "--activation", "nope"], "'activation' parameter"),
    ],
)
def test_train_reports_bad_parameters_before_any_header(argv, message, capsys):
    from sknielsen.__main__ import main

    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and message in err and err.count("\n") == 1


def test_a_reader_that_stops_early_ends_the_command_quietly():
    # `python -m sknielsen plugins | head -1`: the pipe closes before the output.
    process = subprocess.Popen(
        [sys.executable, "-m", "sknielsen", "plugins"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()
    stderr = process.communicate(timeout=60)[1]
    assert process.returncode == 141 and stderr == b""
