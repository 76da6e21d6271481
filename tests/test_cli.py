"""The command line, end to end."""

import argparse
import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from sknielsen import load
from sknielsen.__main__ import main

ROOT = Path(__file__).resolve().parents[1]  # subprocesses import this checkout


def test_train_command_on_digits(capsys):
    assert main(["train", "--epochs", "3"]) == 0
    out = capsys.readouterr().out
    assert "Training [64, 30, 10] on scikit-learn's digits" in out
    assert re.search(r"^\s+epoch\s+loss\s+train cost\s+valid acc\s+eta\s+time$", out, re.M)
    assert len(re.findall(r"^\s+\d+/3 ", out, flags=re.M)) == 3
    assert "Test accuracy" in out


@pytest.mark.parametrize(
    "optimizer, unread", [("lbfgs", ["eta", "mini_batch_size"]), ("newton", ["mini_batch_size"])]
)
def test_trains_header_leaves_out_what_a_full_batch_optimizer_reads_not(optimizer, unread, capsys):
    """The header printed eta=0.5 and mini_batch_size=10, flags the command refuses as unread."""
    assert main(["train", "--optimizer", optimizer, "--hidden", "4", "--epochs", "1"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header.startswith("Training [64, 4, 10]") and "lmbda=0.0" in header
    assert not [name for name in unread if f"{name}=" in header], header


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


def test_a_history_named_csv_is_written_as_csv(tmp_path, capsys):
    # --history h.csv wrote JSON under a .csv name, where predict --out reads the suffix.
    argv = ["train", "--epochs", "3", "--monitor", "all", "--history", str(tmp_path / "h.csv")]
    assert main(argv) == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "h.csv").read_text())))
    assert [row["epoch"] for row in rows] == ["1", "2", "3"]
    assert {"loss", "validation_accuracy", "training_cost"} <= set(rows[0])
    assert all(0 <= float(row["validation_accuracy"]) <= 1 for row in rows)
    assert "Saved the history (CSV, one row an epoch) to" in capsys.readouterr().out


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
    # A .npz name held .npy bytes: an archive of the array y now, as a .npz data file has.
    argv = ["predict", str(model), str(tmp_path / "x.npy"), "--out", str(tmp_path / "p.npz")]
    assert main(argv) == 0
    with np.load(tmp_path / "p.npz") as archive:
        assert archive.files == ["y"] and np.array_equal(archive["y"], np.load(tmp_path / "p.npy"))


def test_evaluate_on_a_built_in_data_set_warns_once_of_a_models_column_names(tmp_path):
    """A model of named columns scored on the digits: its warning was shown for each split."""
    from sklearn.datasets import load_digits

    from sknielsen import NielsenMLPClassifier, save

    pd = pytest.importorskip("pandas")
    X, y = load_digits(return_X_y=True)
    frame = pd.DataFrame(X[:100] / 16, columns=[f"p{i}" for i in range(64)])
    net = NielsenMLPClassifier((4,), epochs=1, random_state=0).fit(frame, y[:100])
    save(net, tmp_path / "model.json")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["evaluate", str(tmp_path / "model.json")]) == 0
    messages = [str(w.message) for w in caught]
    assert sum("valid feature names" in message for message in messages) == 1, messages


@pytest.fixture(scope="module")
def two_outputs(tmp_path_factory):
    """A regressor of two outputs, saved as Python saves it, and an archive of its rows."""
    import numpy as np

    from sknielsen import NielsenMLPRegressor, save

    folder = tmp_path_factory.mktemp("two_outputs")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    Y = np.column_stack([X[:, 0] + X[:, 1], X[:, 2] - X[:, 0]]) / 2
    net = NielsenMLPRegressor(hidden_layer_sizes=(4,), epochs=20, random_state=0).fit(X, Y)
    save(net, folder / "regressor.json")
    np.savez(folder / "rows.npz", X=X, y=Y)
    return {"folder": folder, "X": X, "Y": Y, "net": net}


def test_predict_reads_the_samples_of_an_archive_of_2d_targets(two_outputs, capsys):
    # "the labels 'y' must be 1-D": predict refused the archive for labels it does not read.
    folder = two_outputs["folder"]
    assert main(["predict", str(folder / "regressor.json"), str(folder / "rows.npz")]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 40


def test_evaluate_scores_a_multi_output_regressor_on_an_archive(two_outputs, capsys):
    folder, net = two_outputs["folder"], two_outputs["net"]
    argv = ["evaluate", str(folder / "regressor.json"), "--dataset", str(folder / "rows.npz")]
    assert main(argv) == 0
    r2 = net.score(two_outputs["X"], two_outputs["Y"])
    assert f"rows.npz: R² {r2:.4f} (40 rows)" in capsys.readouterr().out


def test_predict_prints_a_row_of_several_outputs_as_its_csv_line(two_outputs, tmp_path, capsys):
    # NumPy's "[-0.83490001  0.47761965]": rounded to 8 digits, not a line a program reads.
    folder = two_outputs["folder"]
    argv = ["predict", str(folder / "regressor.json"), str(folder / "rows.npz")]
    assert main(argv) == 0
    printed = capsys.readouterr().out.splitlines()
    assert main([*argv, "--out", str(tmp_path / "p.csv")]) == 0
    assert printed == (tmp_path / "p.csv").read_text().splitlines()[1:]
    import numpy as np

    predicted = [[float(v) for v in line.split(",")] for line in printed]
    assert np.array_equal(predicted, two_outputs["net"].predict(two_outputs["X"]))


def test_train_evaluate_and_predict_a_multilabel_classifier_of_an_archive(tmp_path, capsys):
    """Rows of 0s and 1s, a column per label: trained, scored and predicted from files.

    train said "Training [4, 30, 2]" of 4 labels (the values 0 and 1 counted as two
    classes), refused --layers that ended with the 4 outputs, and stratified the split by
    combinations of labels, of which some had a row alone ("The least populated classes
    in y have only 1 member").
    """
    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    Y = (X + rng.normal(scale=0.5, size=X.shape) > 0).astype(int)
    np.savez(tmp_path / "labels.npz", X=X, y=Y)
    model, data = tmp_path / "model.json", str(tmp_path / "labels.npz")
    argv = ["train", "--dataset", data, "--layers", "4", "8", "4", "--epochs", "3"]
    assert main([*argv, "--save", str(model)]) == 0
    header = capsys.readouterr().out
    assert f"Training [4, 8, 4] on {data} (60 rows" in header
    assert " training rows, " in header  # not "images", of a file's rows
    assert main(["evaluate", str(model), "--dataset", data]) == 0
    net = load(model)
    assert f"accuracy {net.score(X, Y):.2%} (60 rows)" in capsys.readouterr().out
    np.savez(tmp_path / "one.npz", X=X[:1], y=Y[:1])
    assert main(["evaluate", str(model), "--dataset", str(tmp_path / "one.npz")]) == 0
    assert capsys.readouterr().out.endswith(" (1 row)\n")  # it said "(1 rows)"
    assert main(["predict", str(model), data]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed == [",".join(map(str, row)) for row in net.predict(X).tolist()]


def test_several_label_columns_of_a_csv_are_the_targets_of_every_command(
    two_outputs, tmp_path, capsys
):
    """--label once per target column: "given twice" was refused, targets were one column."""
    X, Y = two_outputs["X"], two_outputs["Y"]
    lines = ["a,up,b,c,down", *(f"{a},{p:d},{b},{c},{q:d}" for (a, b, c), (p, q) in zip(X, Y > 0))]
    (tmp_path / "labels.csv").write_text("\n".join(lines) + "\n")
    data, model = str(tmp_path / "labels.csv"), tmp_path / "model.json"
    labels = ["--label", "up", "--label", "down"]
    assert main(["train", "--dataset", data, *labels, "--hidden", "4", "--save", str(model)]) == 0
    assert f"Training [3, 4, 2] on {data}" in capsys.readouterr().out
    assert main(["evaluate", str(model), "--dataset", data, *labels]) == 0
    assert "accuracy" in capsys.readouterr().out
    argv = ["predict", str(model), data, *labels, "--out", str(tmp_path / "p.csv")]
    assert main(argv) == 0
    assert (tmp_path / "p.csv").read_text().splitlines()[0] == "up,down"
    # A multi-output regressor, trained in Python, scored on a CSV file of its targets.
    lines = ["a,b,c,s,t", *(",".join(map(str, [*x, *y])) for x, y in zip(X, Y))]
    (tmp_path / "targets.csv").write_text("\n".join(lines) + "\n")
    regressor = str(two_outputs["folder"] / "regressor.json")
    argv = ["evaluate", regressor, "--dataset", str(tmp_path / "targets.csv")]
    assert main([*argv, "--label", "s", "--label", "t"]) == 0
    r2 = two_outputs["net"].score(X, Y)
    assert f"R² {r2:.4f} (40 rows)" in capsys.readouterr().out


@pytest.mark.filterwarnings("ignore:The training cost did not decrease")
@pytest.mark.parametrize(
    "words, labels, left_out, expected",
    [
        (("True", "False"), ["up", "down"], ["down"], "holds the model's target 'up' beside"),
        (("cat", "dog"), ["kind"], [], "'kind' not the model's; it takes 'a', 'b'"),
    ],
)
def test_predict_names_label_columns_of_words_left_in_its_file(
    words, labels, left_out, expected, tmp_path, capsys
):
    """Labels of True/False or words left in predict's file are named as columns, not features.

    They were refused as a feature cell that is no number, where label
    columns of numbers were named as the model's targets or not its columns.
    """
    cells = [",".join(words[(i >> j) % 2] for j in range(len(labels))) for i in range(20)]
    rows = [f"{i % 4},{(i * 3) % 5},{row}" for i, row in enumerate(cells)]
    (tmp_path / "data.csv").write_text(",".join(["a", "b", *labels]) + "\n" + "\n".join(rows))
    data, model = str(tmp_path / "data.csv"), str(tmp_path / "model.json")
    flags = [flag for name in labels for flag in ("--label", name)]
    argv = ["train", "--dataset", data, *flags, "--hidden", "2", "--epochs", "1", "--save", model]
    assert main(argv) == 0
    capsys.readouterr()
    assert main(["predict", model, data, *(f for name in left_out for f in ("--label", name))]) == 2
    error = capsys.readouterr().err
    assert expected in error
    assert "not a number" not in error
    assert main(["predict", model, data, *flags]) == 0


def test_a_column_of_labels_trains_a_classifier_of_its_classes(tmp_path, capsys):
    # y of shape (n, 1) is one label a row, as the classifier reads it: its column was
    # counted as one output ("Training [3, 4, 1]"), and labels 0-2 refused as no multilabel.
    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    np.savez(tmp_path / "column.npz", X=X, y=(np.arange(40) % 3)[:, None])
    argv = ["train", "--dataset", str(tmp_path / "column.npz"), "--hidden", "4", "--epochs", "1"]
    with warnings.catch_warnings():
        # scikit-learn's "A column-vector y was passed ... using ravel()", twice, which no
        # one on the command line can act on: the column is read as the labels.
        warnings.filterwarnings("error", message="A column-vector")
        assert main(argv) == 0
    assert "Training [3, 4, 3]" in capsys.readouterr().out


def test_predict_reads_rows_whose_labels_are_nan(two_outputs, tmp_path, capsys):
    # Refused as "the labels 'y' include NaN or infinity": labels predict does not read.
    import numpy as np

    X, Y = two_outputs["X"], two_outputs["Y"].copy()
    Y[::2] = np.nan  # the rows whose targets are to be predicted
    np.savez(tmp_path / "unknown.npz", X=X, y=Y)
    (tmp_path / "unknown.csv").write_text(
        "a,b,c,y\n" + "".join(f"{a},{b},{c},nan\n" for a, b, c in X)
    )
    regressor = str(two_outputs["folder"] / "regressor.json")
    assert main(["predict", regressor, str(tmp_path / "unknown.npz")]) == 0
    assert main(["predict", regressor, str(tmp_path / "unknown.csv"), "--label", "y"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 80


def test_a_1d_array_for_a_model_of_one_feature_is_said_to_be_one_sample(tmp_path, capsys):
    # "x.npy has 7 features; the model takes 1": a column of 7 samples saved 1-D is one
    # sample of 7 features, as load_table documents, and nothing said how to give them.
    import numpy as np

    from sknielsen import NielsenMLPRegressor, save

    X = np.linspace(-1, 1, 20)[:, None]
    save(
        NielsenMLPRegressor(hidden_layer_sizes=(2,), epochs=1).fit(X, X[:, 0]), tmp_path / "m.json"
    )
    np.save(tmp_path / "x.npy", X[:7, 0])
    assert main(["predict", str(tmp_path / "m.json"), str(tmp_path / "x.npy")]) == 2
    message = (
        "x.npy has 7 features; the model takes 1. A 1-D array is one sample: save samples of "
        "one feature as a column, X.reshape(-1, 1)."
    )
    assert message in capsys.readouterr().err


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
        (["train", "--save", "/nonexistent/dir/net.json"], "the folder /nonexistent/dir does not"),
        (["train", "--layers", "784", "30", "10"], "--layers must start with the 64 inputs"),
        (["train", "--dataset", "mnist", "--data-dir", "/nonexistent"], "MNIST files not found"),
        (["evaluate", "/nonexistent/model.json"], "argument MODEL: no such file"),
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
    out = capsys.readouterr().out
    assert "Monitoring the test set (--monitor-test)" in out
    # No fifth held out, unused: the test set is watched instead, and the model trains on all.
    assert "validation:" not in out and "1,198 training images" in out


def _subcommands(parser):
    """Every subcommand's parser, nested ones (book list, book replay) included."""
    for action in parser._subparsers._group_actions:
        for command in action.choices.values():
            yield command
            if command._subparsers is not None:
                yield from _subcommands(command)


def test_help_shows_every_default_once_and_the_main_command():
    from sknielsen.__main__ import _parser

    parser = _parser()
    assert "With no subcommand, runs 'compare'" in parser.description
    for command in _subcommands(parser):
        text = " ".join(command.format_help().split())
        assert "(default: None)" not in text and "SUPPRESS" not in text, command.prog
        for action in command._actions:
            if not action.option_strings or action.help == argparse.SUPPRESS:
                continue
            assert action.help, f"{command.prog} {action.option_strings} has no help text"
            shown = command.formatter_class(command.prog)._get_help_string(action)
            assert shown.lower().count("default:") <= 1, (command.prog, action.dest)
            if action.default not in (None, False, argparse.SUPPRESS):
                assert "default" in shown.lower(), (command.prog, action.dest)
    compare = " ".join(
        parser._subparsers._group_actions[0].choices["compare"].format_help().split()
    )
    assert "(default: 'default')" in compare and "(default: network svc-auto svc)" in compare


def test_help_states_every_default_one_way_and_a_shared_flag_alike():
    # "by default one at a time" (wrong under --backend dask: two), "(2 by default)",
    # "(default: y)" beside "(default: 'digits')", a Python list beside lists as typed,
    # and book replay's --data-dir without the default folders train's gave.
    from sknielsen.__main__ import _parser

    shared = {}
    for command in _subcommands(_parser()):
        formatter = command.formatter_class(command.prog)
        for action in command._actions:
            if not action.option_strings or argparse.SUPPRESS in (action.default, action.help):
                continue
            shown = formatter._expand_help(action)
            # Stated once, at the end, as "(default: ...)"; 'default' is an initializer's name.
            default = re.search(r" \(default: ([^()]*)\)$", shown)
            rest = shown[: default.start()] if default else shown
            assert "default" not in rest.replace("'default'", "").lower(), (command.prog, shown)
            assert not default or "[" not in default[1], shown  # lists as typed, not Python's
            if isinstance(action.default, str):
                assert f"(default: {action.default!r})" in shown, (command.prog, shown)
            shared.setdefault(action.option_strings[0], set()).add(shown)
    for flag in ("--data-dir", "--download"):
        assert len(shared[flag]) == 1, shared[flag]
    assert "(default: 'y')" in " ".join(shared["--label"])


def test_flags_without_a_subcommand_are_compares_and_usage_names_the_command(capsys):
    from sknielsen.__main__ import _parse

    args = _parse(["--n-jobs", "2", "--seeds", "1"])
    assert args.command == "compare" and args.n_jobs == 2 and args.seeds == 1
    assert _parse([]).command == "compare"
    assert main(["--n-jobs", "x"]) == 2
    assert "python -m sknielsen compare: error" not in capsys.readouterr().err
    assert main(["frobnicate"], prog="sknielsen") == 2
    assert "(see sknielsen --help)" in capsys.readouterr().err
    for argv in (["--version"], ["--help"]):
        with pytest.raises(SystemExit):
            _parse(argv)
    assert capsys.readouterr().out.startswith(("sknielsen ", "usage: python -m sknielsen "))


def test_an_output_whose_encoding_lacks_a_character_still_gets_the_text(monkeypatch):
    # Windows writes a redirected or piped stdout (`> help.txt`, `| more`, a CI log)
    # in the locale's code page, cp1252 in the West, which has no λ: `train --help`
    # failed with "error: 'charmap' codec can't encode character '\u03bb'", and
    # `compare` after its table (its conclusions name γ), before the figures.
    from sknielsen.__main__ import run

    written = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(written, encoding="cp1252"))
    monkeypatch.setattr(sys, "argv", ["sknielsen", "train", "--help"])
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)  # run() sets its own
    with pytest.raises(SystemExit) as exited:
        run()
    sys.stdout.flush()
    assert exited.value.code == 0
    assert rb"regularization parameter \u03bb" in written.getvalue()


def test_the_console_script_is_named_as_it_was_typed(tmp_path):
    script = tmp_path / "sknielsen"
    script.write_text("import sys\nfrom sknielsen.__main__ import run\nsys.exit(run())\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, str(script), "frobnicate"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 2 and "(see sknielsen --help)" in result.stderr
    module = subprocess.run(
        [sys.executable, "-m", "sknielsen", "frobnicate"], capture_output=True, text=True, cwd=ROOT
    )
    assert "(see python -m sknielsen --help)" in module.stderr


def test_the_commands_warnings_are_one_line_without_python_locations(tmp_path):
    import numpy as np
    from sklearn.datasets import load_digits

    import sknielsen

    X, y = load_digits(return_X_y=True)
    net = sknielsen.NielsenMLPClassifier(epochs=1, random_state=0).fit(X / 16, y)
    sknielsen.save(net, tmp_path / "net.json")
    np.save(tmp_path / "rows.npy", X[:5] * 16)  # a forgotten scaler
    result = subprocess.run(
        [sys.executable, "-m", "sknielsen", "predict", "net.json", "rows.npy"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    warning = result.stderr.strip()
    assert warning.startswith("warning: UserWarning: X is on another scale") and "\n" not in warning
    assert "runpy" not in warning and ".py" not in warning


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
        (["train", "--eta", "-1"], "argument --eta: "),
        (["train", "--optimizer", "momentum", "--mu", "3"], "argument --mu: "),
        (["train", "--cost", "log_likelihood", "--activation", "nope"], "argument --activation: "),
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


def test_train_evaluate_and_predict_read_your_own_files(tmp_path, capsys):
    """A CSV with a named label column, then the same rows as .npz and CSV to predict."""
    import numpy as np
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = X[y < 3][:300] / 16, np.array(["zero", "one", "two"])[y[y < 3][:300]]
    header = ",".join([f"pixel{i}" for i in range(64)] + ["digit"])
    rows = [",".join([*map(str, row), label]) for row, label in zip(X, y)]
    (tmp_path / "digits.csv").write_text("\n".join([header, *rows]) + "\n")
    model = tmp_path / "model.json"
    argv = ["train", "--dataset", str(tmp_path / "digits.csv"), "--label", "digit"]
    assert main([*argv, "--epochs", "3", "--save", str(model)]) == 0
    out = capsys.readouterr().out
    assert f"Training [64, 30, 3] on {tmp_path / 'digits.csv'} (300 rows" in out
    assert (
        main(
            ["evaluate", str(model), "--dataset", str(tmp_path / "digits.csv"), "--label", "digit"]
        )
        == 0
    )
    captured = capsys.readouterr()
    assert "accuracy" in captured.out and "warning" not in captured.err
    # Labels the model never predicts ("TWO" for "two"), scored as wrong: said, not silent.
    mistyped = [row.replace(",two", ",TWO") for row in rows]
    (tmp_path / "mistyped.csv").write_text("\n".join([header, *mistyped]) + "\n")
    argv = ["evaluate", str(model), "--dataset", str(tmp_path / "mistyped.csv"), "--label", "digit"]
    assert main(argv) == 0
    n_two = int((y == "two").sum())
    message = rf"holds labels .* never predicts, strings 'TWO', on {n_two} of 300 rows"
    assert re.search(message, capsys.readouterr().err)
    np.savez(tmp_path / "rows.npz", X=X[:5])
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        assert main(["predict", str(model), str(tmp_path / "rows.npz")]) == 0
    from_npz = capsys.readouterr().out.split()
    assert main(["predict", str(model), str(tmp_path / "digits.csv"), "--label", "digit"]) == 0
    from_csv = capsys.readouterr().out.split()
    assert from_csv[:5] == from_npz and set(from_csv) <= {"zero", "one", "two"}
    # The archive's one array is y, as --help says, whatever --label names: named after
    # the label column, a column called "file" met np.savez's own argument and failed.
    out = tmp_path / "p.npz"
    argv = ["predict", str(model), str(tmp_path / "digits.csv"), "--label", "digit"]
    assert main([*argv, "--out", str(out)]) == 0
    with np.load(out) as archive:
        assert archive.files == ["y"] and archive["y"].tolist() == from_csv


def _write_csv(path, names, X, y):
    rows = [",".join([*map(str, row), str(label)]) for row, label in zip(X, y)]
    path.write_text("\n".join([",".join([*names, "digit"]), *rows]) + "\n")


def test_files_of_other_columns_than_the_models_are_refused(tmp_path, capsys):
    """A model trained on a CSV keeps its columns; predict and evaluate compare by name."""
    import json

    import numpy as np
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = X[:200] / 16, y[:200] % 3
    names = [f"pixel{i}" for i in range(64)]
    _write_csv(tmp_path / "train.csv", names, X, y)
    model = tmp_path / "model.json"
    argv = ["train", "--dataset", str(tmp_path / "train.csv"), "--label", "digit"]
    assert main([*argv, "--epochs", "2", "--save", str(model)]) == 0
    assert json.loads(model.read_text())["fitted"]["feature_names_in"] == names
    capsys.readouterr()
    order = [1, 0, *range(2, 64)]
    _write_csv(tmp_path / "swapped.csv", [names[i] for i in order], X[:, order], y)
    _write_csv(tmp_path / "renamed.csv", ["ink", *names[1:]], X, y)
    for command, path, message in [
        ("predict", "swapped.csv", "the model's columns in another order: column 1 is 'pixel1'"),
        ("evaluate", "renamed.csv", "'pixel0' missing, 'ink' not the model's"),
    ]:
        given = [str(model), str(tmp_path / path), "--label", "digit"]
        if command == "evaluate":
            given.insert(1, "--dataset")
        assert main([command, *given]) == 2
        assert message in capsys.readouterr().err
    assert main(["predict", str(model), str(tmp_path / "train.csv"), "--label", "digit"]) == 0
    assert "warning" not in capsys.readouterr().err
    np.save(tmp_path / "rows.npy", X[:3])  # no names to compare: scikit-learn's warning stays
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        assert main(["predict", str(model), str(tmp_path / "rows.npy")]) == 0


def test_mnist_not_found_names_the_flag_for_its_folder(tmp_path, capsys, monkeypatch):
    """--data-dir forgotten: the error says how to name the folder on the command line."""
    monkeypatch.setenv("SKNIELSEN_DATA", str(tmp_path))  # the default folder, empty
    for argv in (["train", "--dataset", "mnist"], ["book", "replay", "overfitting"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: MNIST files not found in {tmp_path}")
        assert err.count("\n") == 1
        assert "give their folder as data_dir (on the command line: --data-dir DIR)" in err


def test_book_replays_help_says_what_its_exit_codes_mean(capsys):
    with pytest.raises(SystemExit):
        main(["book", "replay", "--help"])
    assert "Exits 0 when the replay agrees with the record, 1 when it does not" in " ".join(
        capsys.readouterr().out.split()
    )


def test_an_offline_download_is_one_line_for_train_and_book_replay(tmp_path, capsys, monkeypatch):
    import urllib.error

    import sklearn.datasets

    def offline(name, **kwargs):
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(sklearn.datasets, "fetch_openml", offline)
    for argv in (
        ["train", "--dataset", "mnist", "--download", "--data-dir", str(tmp_path)],
        ["book", "replay", "overfitting", "--download", "--data-dir", str(tmp_path)],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert (
            err.startswith("error: Could not download MNIST from OpenML") and err.count("\n") == 1
        )
        assert "put the four MNIST IDX files in" in err
    assert main(["book", "replay", "overfitting", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "(on the command line: --download)" in err and "load_mnist(" not in err


def test_the_command_line_only_parses_calls_the_public_api_and_prints():
    """Issue 18: no private name of another module, and no function over 60 lines."""
    import ast

    import sknielsen.__main__ as cli

    tree = ast.parse(Path(cli.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            parts = (node.module or "").split(".")
            assert not any(part.startswith("_") for part in parts), ast.unparse(node)
            private = [a.name for a in node.names if a.name.startswith("_") and a.name[:2] != "__"]
            assert not private, ast.unparse(node)
        if isinstance(node, ast.FunctionDef):
            assert node.end_lineno - node.lineno < 60, node.name


def test_paths_that_start_with_a_tilde_name_the_home_folder(tmp_path, capsys, monkeypatch):
    """``--out=~/study`` reaches the command unexpanded: the shell expands no ~ after "=".

    The study went to a folder named "~" in the working folder, and ``--save=~/net.json``
    into it, or failed for a missing folder "~".
    """
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    study = ["compare", "--train-sizes", "50", "--seeds", "1", "--estimators", "svc"]
    assert main([*study, "--out=~/study"]) == 0
    assert main(["train", "--epochs", "1", "--hidden", "2", "--save=~/net.json"]) == 0
    assert main(["predict", "~/net.json", "~/rows.npy"]) == 2
    assert f"argument FILE: no such file '{home / 'rows.npy'}'" in capsys.readouterr().err
    assert main(["evaluate", "~/net.json"]) == 0
    monkeypatch.setenv("SKNIELSEN_DATA", "~/mnist")  # quoted in a shell script: unexpanded
    assert main(["train", "--dataset", "mnist"]) == 2
    assert f"MNIST files not found in {home / 'mnist'}" in capsys.readouterr().err
    assert (home / "study" / "comparison.json").is_file() and (home / "net.json").is_file()
    assert list(work.iterdir()) == []


def test_plugins_command_lists_past_a_broken_entry_point_and_names_ignored_ones(
    tmp_path, capsys, monkeypatch
):
    # One broken entry point of another package ended the listing partway (exit 2);
    # entries of an unknown kind, or shadowed by a built-in, were ignored without a word.
    from sknielsen import plugins

    info = tmp_path / "broken_plugins-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugins\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[sknielsen.plugins]\n"
        "optimizer.aaa_broken = missing_module_of_nobody:X\n"
        "optimiser.typo = missing_module_of_nobody:Y\n"
        "nodot = missing_module_of_nobody:Z\n"
        "optimizer.sgd = missing_module_of_nobody:W\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    plugins.refresh_entry_points()
    try:
        assert main(["plugins"]) == 1
        captured = capsys.readouterr()
        assert "momentum(mu=0.9)" in captured.out and "sgd" in captured.out  # listed past it
        assert "regularizer:" in captured.out
        assert re.search(r"aaa_broken .*cannot be loaded: Could not import", captured.out)
        for ignored in ("optimiser.typo", "nodot", "optimizer.sgd"):
            assert f"{ignored!r}" in captured.err, captured.err
    finally:
        monkeypatch.undo()
        plugins.refresh_entry_points()


def test_train_interrupted_saves_the_model_and_exits_130(tmp_path):
    """Ctrl-C keeps the finished epochs, and the shell still learns of the interrupt."""
    model = tmp_path / "model.json"
    argv = ["train", "--epochs", "100000", "--save", str(model)]
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "sknielsen", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        epochs = 0
        for line in process.stdout:
            epochs += bool(re.match(r"^\s*\d+/100000 ", line))
            if epochs == 2:
                process.send_signal(signal.SIGINT)
                break
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert "Test accuracy" in out and f"Saved the model to {model}" in out
    n_iter = load(model).n_iter_
    assert n_iter >= 2
    assert f"interrupted: the model of epoch {n_iter} of 100000 was saved to {model}" in err


@pytest.mark.filterwarnings("ignore:Training interrupted:UserWarning")
@pytest.mark.filterwarnings("ignore:The callbacks .* are not saved:UserWarning")
def test_train_interrupted_names_the_epoch_that_early_stopping_kept(tmp_path, monkeypatch, capsys):
    # It named the last epoch run, while the saved model held the best one's weights.
    from sknielsen import __main__ as cli
    from sknielsen.callbacks import Callback

    class InterruptAfterAWorseEpoch(Callback):
        def on_epoch_end(self, trainer):
            scores = trainer.history["validation_accuracy"]
            if len(scores) > 1 and scores[-1] < max(scores):
                signal.raise_signal(signal.SIGINT)  # as Ctrl-C, caught by the fit

    def network(args, hidden):
        return made(args, hidden).set_params(callbacks=[InterruptAfterAWorseEpoch()])

    made = cli._network
    monkeypatch.setattr(cli, "_network", network)
    model = tmp_path / "model.json"
    argv = ["train", "--epochs", "200", "--eta", "8", "--early-stopping", "50"]
    assert main([*argv, "--save", str(model)]) == 130
    saved = load(model)
    assert saved.best_epoch_ < saved.n_iter_
    expected = f"the model of epoch {saved.best_epoch_}, the best of the {saved.n_iter_} run"
    assert f"interrupted: {expected}, was saved to {model}" in capsys.readouterr().err


def _write_labelled_csv(path, X, y, label):
    lines = [",".join([*(f"x{j}" for j in range(X.shape[1])), label])]
    lines += [",".join([*map(str, row), str(value)]) for row, value in zip(X, y)]
    path.write_text("\n".join(lines) + "\n")


def test_train_keeps_a_row_of_every_class_of_a_file_for_training(tmp_path, capsys):
    """Classes of one row each were held out whole: "error: y_val contains labels that are
    not among the model's classes: [102, 103]", after the header."""
    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = rng.integers(0, 10, 300)
    y[:5] = np.arange(100, 105)  # five rare classes, one row each
    _write_labelled_csv(tmp_path / "rare.csv", X, y, "kind")
    model = tmp_path / "model.json"
    argv = ["train", "--dataset", str(tmp_path / "rare.csv"), "--label", "kind", "--epochs", "1"]
    assert main([*argv, "--save", str(model)]) == 0
    assert load(model).classes_.tolist() == [*range(10), *range(100, 105)]
    data = datasets_load(tmp_path / "rare.csv", "kind")
    assert set(np.unique(data.y_train)) == set(np.unique(y))
    # A regression's targets are no classes: split at random, as before.
    data = datasets_load(tmp_path / "rare.csv", "kind", classes=False)
    assert set(np.unique(data.y_train)) != set(np.unique(y))


def test_train_refuses_labels_of_a_row_each_before_the_header_suggesting_regressor(
    tmp_path, capsys
):
    """Integer prices were classes, one a row: the split held some out with none to train on,
    and the fit's "y_val contains labels ..." listed hundreds of them after the header."""
    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    prices = (200_000 + 50_000 * X[:, 0] + 1_000 * rng.normal(size=300)).astype(int)
    _write_labelled_csv(tmp_path / "prices.csv", X, prices, "price")
    argv = ["train", "--dataset", str(tmp_path / "prices.csv"), "--label", "price"]
    assert main([*argv, "--epochs", "1"]) == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    assert "The labels in 'price' take 300 values among 300 rows" in printed.err
    assert "add --regressor" in printed.err
    assert len(printed.err) < 600  # not every label listed


def datasets_load(path, label, **kwargs):
    from sknielsen import datasets

    return datasets.load_dataset(str(path), label=label, **kwargs)


def test_train_random_state_seeds_the_saved_model(tmp_path, capsys):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    for path in (first, second):
        argv = ["train", "--epochs", "1", "--hidden", "3", "--random-state", "7"]
        assert main([*argv, "--save", str(path)]) == 0
    capsys.readouterr()
    assert load(first).random_state == 7
    assert load(first).coefs_[0].tolist() == load(second).coefs_[0].tolist()


def test_train_classifier_of_a_file_in_float32(tmp_path, capsys):
    # The features' range is checked against float32; a classifier's labels are classes,
    # never cast to it.
    rows = "".join(f"{i % 5 / 4},{i % 3},{'cat' if i % 2 else 'dog'}\n" for i in range(40))
    data = tmp_path / "rows.csv"
    data.write_text("a,b,label\n" + rows)
    argv = ["train", "--dataset", str(data), "--label", "label", "--dtype", "float32"]
    assert main([*argv, "--hidden", "2", "--epochs", "1", "--save", str(tmp_path / "m.json")]) == 0
    capsys.readouterr()
    model = load(tmp_path / "m.json")
    assert model.coefs_[0].dtype.name == "float32"
    assert model.classes_.tolist() == ["cat", "dog"]


def test_ctrl_c_outside_training_exits_130(monkeypatch, capsys):
    # Ctrl-C while the data load (or a study, or a replay) runs: no traceback.
    import sknielsen.__main__ as cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_load", interrupted)
    assert main(["train", "--epochs", "1"]) == 130
    assert capsys.readouterr().err == "interrupted\n"
