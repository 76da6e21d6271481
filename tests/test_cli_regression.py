"""``train --regressor``: a regression trained from the command line, scored and predicted."""

import csv
import io
import re
from pathlib import Path

import numpy as np
import pytest

from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor, load
from sknielsen.__main__ import main
from sknielsen.datasets import load_dataset

# The tests score the saved models on the files' rows as arrays, without their columns' names.
pytestmark = pytest.mark.filterwarnings("ignore:X does not have valid feature names")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """CSV files and archives of real-number targets: one a row, two a row, and strings."""
    folder = tmp_path_factory.mktemp("regression")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    s = X[:, 0] - X[:, 1] / 2
    t = np.tanh(2 * X[:, 2])
    paths = {"X": X, "s": s, "t": t}
    for name, header, columns in [
        ("one_csv", "a,b,c,y", [s]),
        ("two_csv", "a,b,c,s,t", [s, t]),
        ("kinds_csv", "a,b,c,kind", [np.array(["cat", "dog"])[np.arange(80) % 2]]),
        ("constant_csv", "a,b,c,y", [np.full(80, 3.0)]),
    ]:
        rows = (",".join(map(str, row)) for row in zip(*X.T, *columns))
        paths[name] = str(folder / name.replace("_", "."))
        Path(paths[name]).write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    counts = np.column_stack([np.arange(80) % 3, np.arange(80) % 5])
    archives = [("one_npz", s), ("two_npz", np.column_stack([s, t])), ("ints_npz", counts)]
    for name, y in [*archives, ("huge_npz", s * 1e39)]:
        paths[name] = str(folder / name.replace("_", "."))
        np.savez(paths[name], X=X, y=y)
    return paths


def _final_score(out):
    """The R² of train's last line, as printed, and the epochs it names."""
    found = re.search(r"^Test R² (-?\d+\.\d{4}) after (\d+) epochs? \(", out, flags=re.M)
    assert found, out
    return found[1], int(found[2])


def test_a_regression_trained_saved_evaluated_and_predicted_from_the_command_line(
    files, tmp_path, capsys
):
    """A CSV of real-number targets: train refused it ("fits a classifier"), and nothing
    else on the command line could fit one."""
    data, model, history = files["one_csv"], tmp_path / "m.json", tmp_path / "h.csv"
    argv = ["train", "--regressor", "--dataset", data, "--label", "y", "--hidden", "4"]
    argv += ["--mini-batch-size", "1", "--epochs", "10"]
    assert main([*argv, "--save", str(model), "--history", str(history)]) == 0
    out = capsys.readouterr().out
    assert f"Training [3, 4, 1] on {data} (80 rows)" in out
    # The flags not given are the regressor's defaults, not the classifier's.
    assert "cost=quadratic, eta=0.01," in out
    assert re.search(r"^\s+epoch\s+loss\s+train cost\s+valid R²\s+eta\s+time$", out, re.M)
    net = load(model)
    assert isinstance(net, NielsenMLPRegressor) and (net.cost, net.eta) == ("quadratic", 0.01)
    assert list(net.feature_names_in_) == ["a", "b", "c"]
    split = load_dataset(data, label="y")
    test_r2 = net.score(split.X_test, split.y_test)
    assert _final_score(out) == (f"{test_r2:.4f}", 10) and test_r2 > 0.5
    rows = list(csv.DictReader(io.StringIO(history.read_text())))
    assert [float(row["validation_accuracy"]) for row in rows] == net.history_[
        "validation_accuracy"
    ]
    assert main(["evaluate", str(model), "--dataset", data, "--label", "y"]) == 0
    X, y = files["X"], files["s"]
    assert f"R² {net.score(X, y):.4f} (80 rows)" in capsys.readouterr().out
    predictions = tmp_path / "p.csv"
    assert main(["predict", str(model), data, "--label", "y", "--out", str(predictions)]) == 0
    written = list(csv.reader(predictions.read_text().splitlines()))
    assert written[0] == ["y"]
    assert [float(row[0]) for row in written[1:]] == net.predict(X).tolist()


def test_several_label_columns_are_the_outputs_of_a_regression_in_their_order(
    files, tmp_path, capsys
):
    data, model = files["two_csv"], tmp_path / "m.json"
    labels = ["--label", "t", "--label", "s"]  # not the file's order
    argv = ["train", "--regressor", "--dataset", data, *labels, "--hidden", "8"]
    assert main([*argv, "--eta", "0.05", "--epochs", "40", "--save", str(model)]) == 0
    assert "Training [3, 8, 2]" in capsys.readouterr().out
    net = load(model)
    X, s, t = files["X"], files["s"], files["t"]
    assert net.predict(X).shape == (80, 2) and net.score(X, np.column_stack([t, s])) > 0.5
    assert main(["evaluate", str(model), "--dataset", data, *labels]) == 0
    assert f"R² {net.score(X, np.column_stack([t, s])):.4f} (80 rows)" in capsys.readouterr().out
    out = tmp_path / "p.csv"
    assert main(["predict", str(model), data, *labels, "--out", str(out)]) == 0
    assert out.read_text().splitlines()[0] == "t,s"


@pytest.mark.parametrize("archive, sizes", [("one_npz", "[3, 4, 1]"), ("two_npz", "[3, 4, 2]")])
def test_an_archive_of_1d_or_2d_targets_trains_a_regression(archive, sizes, files, capsys):
    argv = ["train", "--regressor", "--dataset", files[archive], "--hidden", "4", "--epochs", "2"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert f"Training {sizes} on {files[archive]}" in out and _final_score(out)[1] == 2


def test_flags_given_win_over_the_regressors_defaults_and_the_classifier_keeps_its_own(
    files, tmp_path, capsys
):
    model = tmp_path / "m.json"
    argv = ["train", "--regressor", "--dataset", files["one_csv"], "--label", "y", "--hidden", "2"]
    assert main([*argv, "--epochs", "1", "--eta", "0.2", "--save", str(model)]) == 0
    assert "cost=quadratic, eta=0.2," in capsys.readouterr().out
    assert load(model).eta == 0.2
    # A cost of linear outputs, typed: taken as the default is.
    assert main([*argv, "--epochs", "1", "--cost", "quadratic", "--save", str(model)]) == 0
    assert "cost=quadratic, eta=0.01," in capsys.readouterr().out
    assert main(["train", "--hidden", "2", "--epochs", "1", "--save", str(model)]) == 0
    out = capsys.readouterr().out
    assert "cost=cross_entropy, eta=0.5," in out and "Test accuracy " in out
    net = load(model)
    assert isinstance(net, NielsenMLPClassifier) and (net.cost, net.eta) == ("cross_entropy", 0.5)


def test_early_stopping_on_the_monitored_test_set_keeps_the_best_r2(files, capsys):
    argv = ["train", "--regressor", "--dataset", files["one_csv"], "--label", "y", "--hidden", "4"]
    argv += ["--monitor-test", "--early-stopping", "2", "--eta", "1.5", "--epochs", "30"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Monitoring the test set (--monitor-test): its R² is no longer a fair estimate" in out
    # The table's best epoch, marked *, is the one kept: its R² is the test R² printed.
    best = max(
        float(r) for r in re.findall(r"^\s+\d+/30 +\S+\*? +\S+\*? +(-?\d\.\d+)\*", out, re.M)
    )
    assert _final_score(out)[0] == f"{best:.4f}"


def test_the_history_plot_of_a_regression_is_drawn(files, tmp_path):
    pytest.importorskip("matplotlib")
    argv = ["train", "--regressor", "--dataset", files["one_csv"], "--label", "y", "--epochs", "2"]
    assert main([*argv, "--plot", str(tmp_path / "h.png")]) == 0
    assert (tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["train", "--regressor"],
            "--regressor fits the real-number targets of a .csv or .npz --dataset: the labels "
            "of --dataset digits (the default) are classes. Leave out --regressor to classify "
            "them, or give --dataset FILE --label COLUMN.",
        ),
        (["train", "--regressor", "--dataset", "fashion-mnist"], "--dataset fashion-mnist are"),
        (
            ["train", "--regressor", "--dataset", "{kinds_csv}", "--label", "kind"],
            "The labels in 'kind' are strings, such as 'cat': --regressor fits real numbers. "
            "Leave out --regressor to classify them, or give --label the column of numbers.",
        ),
        # Refused by the fit after the header, naming X_val and monitor=; with --monitor
        # validation_cost, trained and scored as "Test R² 0.0000", which evaluate refuses.
        *(
            (
                ["train", "--regressor", "--dataset", "{constant_csv}", "--label", "y", *more],
                "The labels in 'y' are all equal (3): a regression of them learns nothing, and "
                "its R² is 0 whatever it predicts: train on targets that vary.",
            )
            for more in ([], ["--monitor", "validation_cost"])
        ),
        # scikit-learn's "Input y contains infinity or a value too large for
        # dtype('float32')", after the header, named neither the file nor the flag.
        (
            ["train", "--regressor", "--dataset", "{huge_npz}", "--dtype", "float32"],
            "beyond the range of float32 (±3.40282e+38) that --dtype float32 computes in: "
            "give --dtype float64, or scale the targets.",
        ),
        (
            ["train", "--regressor", "--dataset", "{one_csv}", "--label", "y", "--cost", "log_lik"],
            "argument --cost: Unknown cost 'log_lik'",
        ),
        (
            [
                "train",
                "--regressor",
                "--dataset",
                "{one_csv}",
                "--label",
                "y",
                "--cost",
                "cross_entropy",
            ],
            "argument --cost: the 'cross_entropy' cost works with 'sigmoid', 'softmax' output "
            "neurons, not with the linear (identity) ones of --regressor: leave out --cost for "
            "the regressor's 'quadratic'.",
        ),
        (
            [
                "train",
                "--regressor",
                "--dataset",
                "{one_csv}",
                "--label",
                "y",
                "--layers",
                "3",
                "2",
                "2",
            ],
            "--layers must start with the 3 inputs and end with the 1 output of ",
        ),
        (
            ["train", "--dataset", "{ints_npz}"],
            "for several numbers a row to fit, add --regressor.",
        ),
        (
            ["train", "--dataset", "{one_csv}", "--label", "y"],
            "`train` fits a classifier, one class per label: add --regressor to fit a "
            "NielsenMLPRegressor to them.",
        ),
    ],
)
def test_what_a_regression_cannot_train_on_is_refused_before_the_header(
    argv, message, files, capsys
):
    assert main([arg.format(**files) for arg in argv]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err, err
    assert out == ""


def test_help_says_what_regressor_does_and_each_estimators_default():
    from sknielsen.__main__ import _parser

    train = _parser()._subparsers._group_actions[0].choices["train"]
    text = " ".join(train.format_help().split())
    assert "--regressor fit a NielsenMLPRegressor" in text
    classifier, regressor = NielsenMLPClassifier().get_params(), NielsenMLPRegressor().get_params()
    for name in ("cost", "eta"):
        stated = f"(default: {classifier[name]!r}; {regressor[name]!r} with --regressor)"
        assert stated in text, name


ROOT = Path(__file__).resolve().parents[1]


def _shown_commands(text):
    """The commands of the bash blocks that run ``--regressor``, each with what it shows.

    A command's output is shown in the comment lines under it; "# ..." stands
    for the lines left out.
    """
    commands = []
    for block in re.findall(r"^```bash\n(.*?)^```", text, flags=re.S | re.M):
        if "--regressor" not in block:
            continue
        for line in block.splitlines():
            if line.startswith("python -m sknielsen "):
                commands.append((line, []))
            elif line.startswith("#") and line[1:].strip() != "...":
                commands[-1][1].append(line[1:])
    return commands


def _comparable(line):
    """A printed line without what differs from run to run: seconds, and the engine's name."""
    line = re.sub(r"\d+\.\d+ ?s\b", "N s", line)
    # Where the C engine is not built, the line says why: "numpy engine (the C engine ...)".
    line = re.sub(r"with the \w+ engine.*", "with the ENGINE engine.", line)
    return " ".join(line.split())


def test_the_docs_show_what_the_regression_commands_print(tmp_path, monkeypatch, capsys):
    import shlex

    monkeypatch.chdir(tmp_path)
    page = (ROOT / "docs" / "regression.md").read_text(encoding="utf-8")
    (writes_the_csv,) = [
        block
        for block in re.findall(r"^```python\n(.*?)^```", page, flags=re.S | re.M)
        if "diabetes.csv" in block
    ]
    exec(writes_the_csv, {})
    for document in ("docs/regression.md", "README.md"):
        commands = _shown_commands((ROOT / document).read_text(encoding="utf-8"))
        assert len(commands) >= 2, document
        for command, shown in commands:
            assert main(shlex.split(command)[3:]) == 0, command
            printed = [_comparable(line) for line in capsys.readouterr().out.splitlines()]
            missing = [line for line in shown if _comparable(line) not in printed]
            assert not missing, (document, command, missing)


def test_the_docs_say_what_an_unscaled_file_gives(tmp_path, capsys):
    from sklearn.datasets import load_diabetes

    diabetes = load_diabetes(scaled=False)
    X, y = diabetes.data, diabetes.target
    rows = (",".join(map(str, [*x, target])) for x, target in zip(X, y))
    header = ",".join([*diabetes.feature_names, "progression"])
    (tmp_path / "raw.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    argv = ["train", "--regressor", "--dataset", str(tmp_path / "raw.csv")]
    with pytest.warns(UserWarning, match="The inputs saturate the first layer"):
        assert main([*argv, "--label", "progression"]) == 0
    r2 = float(_final_score(capsys.readouterr().out)[0])
    page = " ".join((ROOT / "docs" / "regression.md").read_text(encoding="utf-8").split())
    ranges = f"the features from {X.min():g} to {X.max():g}, the target from {y.min():g} to "
    assert f"({ranges}{y.max():g}) ends at a test R² of {r2:.2f}".replace("-", "−") in page


def test_a_label_column_read_as_text_is_shown_by_the_cell_that_is_no_number(tmp_path, capsys):
    # "3_1" is text to the CSV reader, but float() reads it as 31: the refusal showed
    # another cell, a number, as the column's string.
    rng = np.random.default_rng(0)
    targets = [f"{value:.3f}" for value in rng.normal(size=30)]
    targets[5] = "3_1"
    rows = (f"{a:.3f},{b:.3f},{t}" for a, b, t in zip(rng.random(30), rng.random(30), targets))
    path = tmp_path / "codes.csv"
    path.write_text("\n".join(["a,b,y", *rows]) + "\n", encoding="utf-8")
    assert main(["train", "--regressor", "--dataset", str(path), "--label", "y"]) == 2
    assert "The labels in 'y' are strings, such as '3_1': " in capsys.readouterr().err
