"""Every user error of the command line: exit code 2, one line on stderr, no traceback."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mnist_layout import write_mnist_layout
from sklearn.datasets import load_digits

from sknielsen import NielsenMLPClassifier, save
from sknielsen.__main__ import main

REPOSITORY = str(Path(__file__).resolve().parents[1])  # the subprocess imports this sknielsen


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Hostile and ordinary files, by the names the invocations below use."""
    root = tmp_path_factory.mktemp("cli")
    paths = {"tmp": root, "missing": root / "missing", "folder": root / "folder"}
    paths["folder"].mkdir()
    os.mkfifo(root / "fifo")
    paths["fifo"] = root / "fifo"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(root / "socket"))
    server.close()
    paths["socket"] = root / "socket"
    paths["link_to_fifo"] = root / "link"
    paths["link_to_fifo"].symlink_to(paths["fifo"])
    for name, text in {"text": "not a model\n", "empty": ""}.items():
        paths[name] = root / f"{name}.npy"
        paths[name].write_text(text)
    X, y = load_digits(return_X_y=True)
    paths["model"] = root / "model.json"
    save(NielsenMLPClassifier(hidden_layer_sizes=(4,), epochs=1).fit(X / 16, y), paths["model"])
    arrays = {
        "x": X[:3] / 16,
        "x3d": np.zeros((2, 8, 8)),
        "x_narrow": X[:3, :10],
        "x_strings": np.array([["a"] * 64]),
    }
    for name, array in arrays.items():
        paths[name] = root / f"{name}.npy"
        np.save(paths[name], array)
    paths["npz"] = root / "x.npz"
    np.savez(paths["npz"], images=X[:3])
    paths["npz_rows"] = root / "rows.npz"
    np.savez(paths["npz_rows"], X=X[:3] / 16)
    paths["csv"] = root / "x.csv"
    paths["csv"].write_text("a,b\n1,x\n")
    rows = "".join(f"{i % 16},{i % 7},{i % 2}\n" for i in range(30))
    for name, cell in {"csv_nan": "nan", "csv_big": "1e39"}.items():
        paths[name] = root / f"{name[4:]}.csv"
        paths[name].write_text(f"a,b,y\n0,1,0\n1,0,1\n2,{cell},0\n" + rows)
    for name, value in {"npz_inf": np.inf, "npz_big": -1e39}.items():
        paths[name] = root / f"{name[4:]}.npz"
        X_bad = X[:30] / 16
        X_bad[2, 1] = value
        np.savez(paths[name], X=X_bad, y=y[:30])
    paths["x_nan"], paths["x_big"] = root / "x_nan.npy", root / "x_big.npy"
    np.save(paths["x_nan"], np.where(np.arange(64) == 5, np.nan, X[:3] / 16))
    np.save(paths["x_big"], np.where(np.arange(64) == 5, 1e300, X[:3] / 16))
    paths["model32"] = root / "model32.json"
    model32 = NielsenMLPClassifier(hidden_layer_sizes=(4,), epochs=1, dtype="float32")
    save(model32.fit(X / 16, y), paths["model32"])
    paths["csv_numbers"] = root / "numbers.csv"
    paths["csv_numbers"].write_text("a,b\n1,2\n3,4\n")
    # Labels of one value: the classifier refused them after the header.
    paths["csv_one_class"] = root / "one_class.csv"
    paths["csv_one_class"].write_text(
        "a,b,kind\n" + "".join(f"{i},{i % 3},cat\n" for i in range(30))
    )
    paths["model_of_10_features"] = root / "narrow.json"
    narrow = NielsenMLPClassifier(hidden_layer_sizes=(4,), epochs=1).fit(X[:, :10] / 16, y)
    save(narrow, paths["model_of_10_features"])
    # What `train --dataset FILE.csv` saves: a model that keeps its columns' names.
    paths["model_of_a_csv"] = root / "of_a_csv.json"
    of_a_csv = NielsenMLPClassifier(hidden_layer_sizes=(4,), epochs=1).fit(X[:, :3] / 16, y)
    of_a_csv.feature_names_in_ = np.array(["ink", "width", "height"], dtype=object)
    save(of_a_csv, paths["model_of_a_csv"])
    paths["csv_more_columns"] = root / "more_columns.csv"
    paths["csv_more_columns"].write_text("ink,width,height,extra\n0.5,0.25,0.75,1\n")
    # Models of other labels than the digits' integers 0-9, and a file of other labels.
    names = np.array(["cat", "dog", "eel"])[y % 3]
    paths["model_of_strings"] = root / "of_strings.json"
    of_strings = NielsenMLPClassifier(hidden_layer_sizes=(4,), epochs=1).fit(X / 16, names)
    save(of_strings, paths["model_of_strings"])
    paths["model_multilabel"] = root / "multilabel.json"
    indicator = np.column_stack([y % 2, y % 3 == 0]).astype(int)
    multilabel = NielsenMLPClassifier(hidden_layer_sizes=(4,), epochs=1).fit(X / 16, indicator)
    save(multilabel, paths["model_multilabel"])
    paths["npz_strings"] = root / "strings.npz"
    np.savez(paths["npz_strings"], X=X[:30] / 16, y=names[:30])
    _models_of_several_outputs(root, paths, X / 16, y)
    _comparison_folders(root, paths)
    return paths


def _models_of_several_outputs(root, paths, X, y):
    """A regressor of two outputs, and archives of targets of other shapes than a model's."""
    from sknielsen import NielsenMLPRegressor

    targets = np.column_stack([y / 9, (y % 3) / 2])
    paths["model_regressor"] = root / "regressor.json"
    regressor = NielsenMLPRegressor(hidden_layer_sizes=(4,), epochs=1, random_state=0)
    save(regressor.fit(X, targets), paths["model_regressor"])
    for name, Y in {
        "npz_two_targets": targets[:30],
        "npz_three_targets": np.column_stack([targets, y % 2])[:30],
        "npz_three_labels": np.column_stack([y % 2, y % 3 == 0, y > 4])[:30].astype(int),
        "npz_classes_of_two_outputs": np.column_stack([y % 3, y % 2])[:30],
        "npz_equal_targets": np.ones((30, 2)),
        "npz_a_column_of_labels": (y % 2)[:30].reshape(-1, 1),
    }.items():
        paths[name] = root / f"{name[4:]}.npz"
        np.savez(paths[name], X=X[:30], y=Y)
    paths["npz_a_row_of_targets"] = root / "a_row.npz"
    np.savez(paths["npz_a_row_of_targets"], X=X[:1], y=targets[:1])


def _comparison_folders(root, paths):
    """Folders of comparison results that ``--resume`` must refuse."""
    documents = {
        "bad_json": "{not json",
        "deep_json": "[" * 100_000,
        "array_json": "[]",
        "records_not_list": json.dumps({"records": "all of them"}),
        "old_records": json.dumps({"records": [{"estimator": "network", "size": 50, "seed": 0}]}),
        "foreign_records": json.dumps(
            {"records": [{"estimator": "network", "size": 50, "seed": 0, "fingerprint": "x"}]}
        ),
    }
    for name, text in documents.items():
        paths[name] = root / name
        paths[name].mkdir()
        (paths[name] / "comparison.json").write_text(text)
    paths["fifo_json"] = root / "fifo_json"
    paths["fifo_json"].mkdir()
    os.mkfifo(paths["fifo_json"] / "comparison.json")
    # Real results of TAMPERED_RUN, then one record's timing removed: its fingerprint still fits.
    paths["tampered"] = root / "tampered"
    assert main([*TAMPERED_RUN, "--out", str(paths["tampered"])]) == 0
    document = json.loads((paths["tampered"] / "comparison.json").read_text())
    del document["records"][0]["fit_seconds"]
    (paths["tampered"] / "comparison.json").write_text(json.dumps(document))


TAMPERED_RUN = ["compare", "--train-sizes", "50", "--seeds", "1", "--estimators", "svc"]


# (argv, what the message says); {name} is a path of the `files` fixture.
BAD_INVOCATIONS = [
    # The command line itself.
    (["--bogus"], "unrecognized arguments"),
    # An unknown flag of a subcommand pointed at the top-level --help, which lists none
    # of the subcommand's flags.
    (
        ["train", "--epohcs", "3"],
        "error: unrecognized arguments: --epohcs 3 (see python -m sknielsen train --help)",
    ),
    (["--bogus"], "unrecognized arguments: --bogus (see python -m sknielsen compare --help)"),
    (["book", "replay", "x", "--bogus"], "(see python -m sknielsen book replay --help)"),
    (["predict", "m.json", "x.npy", "extra"], "(see python -m sknielsen predict --help)"),
    # argparse kept the last --label silently: two target columns read as one. Each
    # --label is now a column of targets; one named twice is a typo.
    (["train", "--label", "a", "--label", "a"], "argument --label: 'a' given twice"),
    (["predict", "m.json", "x.csv", "--label", "a", "--label", "a"], "--label: 'a' given twice"),
    # A list flag given twice kept its last list alone: --hidden 20 --hidden 10 trained one
    # hidden layer of 10, --estimators svc --estimators network ran the network alone.
    (
        ["train", "--hidden", "20", "--hidden", "10"],
        "error: argument --hidden: given twice (20, then 10): give every value after one "
        "--hidden, as in --hidden 20 10 (see python -m sknielsen train --help)",
    ),
    (["train", "--layers", "64", "30", "--layers", "10"], "as in --layers 64 30 10 (see"),
    (["train", "--monitor", "all", "--monitor", "training_cost"], "--monitor: given twice"),
    (["compare", "--estimators", "svc", "--estimators", "network"], "--estimators: given tw"),
    (["compare", "--train-sizes", "50", "--train-sizes", "100"], "--train-sizes: given tw"),
    (["compare", "--hidden", "20", "--hidden", "10"], "--hidden: given twice (20, then 10)"),
    (["frobnicate"], "invalid choice"),
    (["train", "--epochs", "abc"], "invalid int value"),
    (["train", "--eta", "fast"], "invalid float value"),
    (["train", "--dataset", "cifar"], "invalid choice"),
    (["train", "--dataset", "mnist", "--data-dir", ""], "must name a file or folder"),
    (["book", "replay", "overfitting", "--data-dir", " "], "must name a file or folder"),
    (["train", "--data-dir", "mnist"], "--data-dir is read by --dataset mnist"),
    # --download was said to be for MNIST only "for Fashion-MNIST", whatever the data set.
    (["train", "--download"], "--download fetches MNIST only, not digits, which is embedded"),
    (
        ["compare", "--dataset", "fashion-mnist", "--download"],
        "--download fetches MNIST only: give the folder of Fashion-MNIST's IDX files with --data",
    ),
    (
        ["train", "--dataset", "{csv_numbers}", "--label", "b", "--download"],
        "numbers.csv, which is read as it is: leave it out.",
    ),
    # A --label that names nothing was dropped without a word.
    (["train", "--label", "species"], "--label is read with a .csv or .npz --dataset only"),
    (["evaluate", "{model}", "--dataset", "mnist", "--label", "y"], "--label is read with a"),
    (["predict", "{model}", "{x}", "--label", "digit"], "x.npy is a .npy array, without"),
    (["predict", "{model}", "{csv_numbers}", "--label", "c"], "has no column 'c' to leave out"),
    (["predict", "{model}", "{npz_rows}", "--label", "y"], "rows.npz holds no array 'y'"),
    # The samples named as the labels: a regression learnt to give back its inputs.
    (
        ["train", "--dataset", "{npz_two_targets}", "--regressor", "--label", "X"],
        "two_targets.npz: the labels cannot be the array 'X', the samples; name another array "
        "of the archive (it holds 'X', 'y') with label=... (on the command line: --label NAME).",
    ),
    (["predict", "{model}", "{npz_rows}", "--label", "X"], "argument FILE: "),
    (["predict", "{model}", "{npz_rows}", "--label", "X"], "cannot be the array 'X', the sam"),
    (["compare", "--data-dir", "mnist"], "--data-dir is read by --dataset mnist"),
    (["train", "--schedule", "cosine"], "invalid choice"),
    (["train", "--dtype", "float16"], "invalid choice"),
    (["train", "--layers"], "expected at least one argument"),
    (["train", "--layers", "64", "20", "10", "--hidden", "5"], "not allowed with argument"),
    (["predict"], "required"),
    (["evaluate"], "required"),
    (["compare", "--subset", "sometimes"], "invalid choice"),
    (["compare", "--estimators", "knn"], "invalid choice"),
    (["compare", "--seeds", "0"], "must be a positive integer"),
    (["compare", "--seeds", "-2"], "must be a positive integer"),
    (["compare", "--seeds", "many"], "must be a positive integer"),
    # Hyper-parameters, named by their flag as argparse names its own refusals: they were
    # named by the Python parameter ("The 'mini_batch_size' parameter of ...").
    (["train", "--cost", "hinge"], "error: argument --cost: Unknown cost 'hinge'. Known cost"),
    (["train", "--eta", "-1"], "error: argument --eta: must be a float in the range (0.0, inf)"),
    (["train", "--eta", "0"], "argument --eta: must be a float in the range (0.0, inf). Got 0.0"),
    (["train", "--eta", "nan"], "argument --eta: must be a float in the range (0.0, inf). Got nan"),
    (["train", "--lmbda", "-1"], "argument --lmbda: must be a float in the range [0.0, inf)"),
    (["train", "--epochs", "0"], "argument --epochs: must be an int in the range [1, inf). Got 0"),
    (["train", "--mini-batch-size", "0"], "argument --mini-batch-size: must be an int in the"),
    (["train", "--dropout", "1.5"], "argument --dropout: must be a float in the range [0.0, 1.0)"),
    # Their "None, an instance of 'bool' or ..." and "a RandomState" cannot be typed.
    (["train", "--early-stopping", "0"], "argument --early-stopping: must be a positive integer"),
    (["train", "--hidden", "0"], "--hidden: must be a positive integer"),
    (["train", "--activation", "wobble"], "argument --activation: Unknown activation"),
    (["train", "--optimizer", "warp"], "argument --optimizer: Unknown optimizer"),
    (["train", "--initializer", "huge"], "argument --initializer: Unknown initializer"),
    (["train", "--regularizer", "l3"], "argument --regularizer: Unknown regularizer"),
    (
        ["train", "--optimizer", "momentum", "--mu", "2"],
        "error: argument --mu: must be a float in the range [0.0, 1.0]. Got 2.0 instead.",
    ),
    (
        ["train", "--mu", "0.5"],
        "error: argument --mu: --optimizer sgd takes no mu (its parameters: none); leave --mu "
        "out, or give --optimizer momentum or nesterov.",
    ),
    # "Unknown monitor names ['loss']" named no flag: 'loss' is a column of the table and
    # of --history, which no --monitor records.
    (
        ["train", "--monitor", "loss"],
        "error: argument --monitor: invalid choice: 'loss' (choose from ",
    ),
    (["train", "--monitor", "training_cost", "nothing"], "argument --monitor: invalid choice"),
    # Flags that the optimizer or the regularizer given never reads were accepted and
    # ignored: the header even printed them.
    (
        ["train", "--optimizer", "lbfgs", "--eta", "0.1"],
        "error: argument --eta: --optimizer lbfgs chooses its own step sizes and reads no eta",
    ),
    (
        ["train", "--optimizer", "lbfgs", "--schedule", "halve_on_plateau"],
        "error: argument --schedule: --optimizer lbfgs chooses its own step sizes and reads no",
    ),
    (
        ["train", "--optimizer", "lbfgs", "--mini-batch-size", "5"],
        "error: argument --mini-batch-size: --optimizer lbfgs steps on the whole training set",
    ),
    (
        ["train", "--optimizer", "newton", "--mini-batch-size", "10"],
        "error: argument --mini-batch-size: --optimizer newton steps on the whole training set",
    ),
    (
        ["train", "--regularizer", "none", "--lmbda", "5"],
        "error: argument --lmbda: --regularizer none adds no penalty, whatever its lmbda",
    ),
    (
        ["train", "--random-state", "-1"],
        "error: argument --random-state: must be an integer from 0 to 4,294,967,295; got '-1'",
    ),
    (["train", "--random-state", "4294967296"], "argument --random-state: must be an integer"),
    (["train", "--layers", "784", "30", "10"], "--layers must start with the 64 inputs"),
    (["train", "--dataset", "mnist", "--data-dir", "{missing}"], "MNIST files not found"),
    (["train", "--hidden", "10000000000000"], "not enough memory: training the network's"),
    (["compare", "--train-sizes", "5000"], "argument --train-sizes: sizes must lie between"),
    (["compare", "--train-sizes", "0"], "argument --train-sizes: must be a positive integer"),
    # Named "hidden_layer_sizes" and "epochs", which neither command line has.
    (["train", "--layers", "64", "0", "10"], "argument --layers: must be a positive integer"),
    (["book", "replay", "overfitting", "--epochs", "0"], "argument --epochs: must be a positive"),
    (["compare", "--train-sizes", "50", "--hidden", "0"], "--hidden: must be a positive integer"),
    (["compare", "--train-sizes", "50", "--n-jobs", "0"], "--n-jobs: must be a non-zero integer"),
    (
        ["compare", "--train-sizes", "50", "--initializer", "bogus"],
        "error: argument --initializer: Unknown initializer 'bogus'",
    ),
    # Refused in the estimator's words ("dropout=0.5 makes the cost random"), naming no flag.
    (
        ["train", "--optimizer", "lbfgs", "--dropout", "0.5"],
        "error: argument --dropout: --optimizer lbfgs steps on the whole training set and "
        "cannot minimize the random cost that dropout makes: leave --dropout out, or give a "
        "mini-batch optimizer.",
    ),
    (["train", "--optimizer", "newton", "--hidden", "1000"], "Newton's method needs the 75,010"),
    (["compare", "--seeds", "100000000000000000000"], "--seeds: must be at most 10,000"),
    # The network's flags, for a study of no network, were accepted and ignored.
    (
        ["compare", "--estimators", "svc", "--hidden", "5"],
        "error: argument --hidden: it sets the network, and --estimators svc runs none: leave "
        "--hidden out, or add network to --estimators.",
    ),
    (["compare", "--estimators", "svc", "mlp", "--initializer", "large"], "--initializer: it"),
    (["compare", "--estimators", "svc-auto", "--no-scale-rule"], "--no-scale-rule: it sets the"),
    (["train", "--save", ""], "--save: must name a file or folder; got ''"),
    # Python's "[Errno 2] path is an empty string" after the argument's name.
    (["evaluate", ""], "argument MODEL: must name a file or folder; got ''"),
    (["predict", "", "{x}"], "argument MODEL: must name a file or folder; got ''"),
    (["predict", "{model}", " "], "argument FILE: must name a file or folder; got ' '"),
    (
        ["train", "--dataset", "{csv_one_class}", "--label", "kind"],
        "one_class.csv are all 'cat': a classifier learns to tell 2 classes or more apart; "
        "give labels of several classes.",
    ),
    (["compare", "--out", " "], "--out: must name a file or folder"),
    # An empty --plot skipped the figure silently, after the whole replay.
    (["book", "replay", "overfitting", "--plot", ""], "--plot: must name a file or folder"),
    (
        ["compare", "--subset", "stratified", "--train-sizes", "5"],
        "argument --train-sizes: subset='stratified' needs sizes from 10",
    ),
    (
        ["compare", "--train-sizes", "50", "--estimators", "network", "--hidden", "10000000000000"],
        "not enough memory: training the network's",
    ),
    # Outputs, refused before any training.
    (["train", "--save", "{fifo}"], "it is a FIFO (named pipe), not a regular file"),
    (["train", "--save", "{socket}"], "it is a socket, not a regular file"),
    (["train", "--save", "{folder}"], "it is a directory, not a regular file"),
    (["train", "--save", "{link_to_fifo}"], "(a link to"),
    (["train", "--save", "{missing}/net.json"], "Cannot write there: the folder"),
    (["train", "--save", "{text}/net.json"], "text.npy is a file, not a folder"),
    (["train", "--history", "{fifo}"], "it is a FIFO"),
    (["train", "--history", "{folder}"], "it is a directory"),
    (["train", "--plot", "{fifo}"], "it is a FIFO"),
    (["train", "--plot", "{tmp}/history.unknownext"], "unknown image format 'unknownext'"),
    (["train", "--save", "{tmp}/same.json", "--history", "{tmp}/same.json"], "same file"),
    (["predict", "{model}", "{x}", "--out", "{folder}"], "it is a directory"),
    (["predict", "{model}", "{x}", "--out", "{fifo}"], "it is a FIFO"),
    (["predict", "{model}", "{x}", "--out", "{x}"], "would overwrite an input"),
    (["predict", "{model}", "{x}", "--out", "{model}"], "would overwrite an input"),
    (["compare", "--out", "{text}"], "text.npy is a file, not a folder."),
    (["compare", "--out", "{text}/study"], "study cannot be made: "),
    (["compare", "--out", "{fifo_json}"], "comparison.json: it is a FIFO"),
    # Inputs.
    (["evaluate", "{missing}/model.json"], "no such file"),
    (["evaluate", "{text}"], "not a model file"),
    (["evaluate", "{fifo}"], "Cannot read"),
    (["evaluate", "{folder}"], "it is a directory"),
    (
        ["evaluate", "{model_of_10_features}"],
        "narrow.json takes 10 features; the images of --dataset digits (the default) have 64",
    ),
    # "(the default)" was said of a --dataset digits typed too.
    (
        ["evaluate", "{model_of_10_features}", "--dataset", "digits"],
        "narrow.json takes 10 features; the images of --dataset digits have 64",
    ),
    (["evaluate", "{model_of_strings}", "--dataset=digits"], "those of --dataset digits, integers"),
    # A model of a CSV's columns, on images: the columns named, and how to give a file.
    (
        ["evaluate", "{model_of_a_csv}", "--dataset", "digits"],
        "of_a_csv.json takes 3 features, the columns 'ink', 'width', 'height' of the file it was "
        "trained on; the images of --dataset digits have 64: evaluate it on the data it was "
        "trained on (--dataset FILE --label COLUMN)",
    ),
    # The model's columns and one more: nothing missing, said so, and the columns to give
    # (which the message left to the user to find).
    (
        ["predict", "{model_of_a_csv}", "{csv_more_columns}"],
        "more_columns.csv's columns are not the ones the model was trained on: none missing, "
        "'extra' not the model's; it takes 'ink', 'width', 'height', in that order.",
    ),
    (["predict", "{fifo}", "{x}"], "it is a FIFO"),
    (["predict", "{model}", "{missing}/x.npy"], "no such file"),
    (["predict", "{model}", "{fifo}"], "it is a FIFO"),
    (["predict", "{model}", "{text}"], "is not a NumPy .npy array"),
    (["predict", "{model}", "{empty}"], "is not a NumPy .npy array"),
    # The archive's arrays were listed as a Python list, unlike its labels' message, and
    # nothing said how to name them.
    (
        ["predict", "{model}", "{npz}"],
        "holds no array 'X' of samples; it holds 'images'. Save the samples as X: "
        "numpy.savez(path, X=X, y=y).",
    ),
    # "a feature is not a number (could not convert string to float: 'x')" named no place.
    (["predict", "{model}", "{csv}"], "x.csv: line 2, column 'b' holds 'x', not a number"),
    # It offered the data sets, which predict does not read ("no such file 'digits'").
    (["predict", "{model}", "{model}"], "cannot read .json; give a .csv, .npz, .npy file.\n"),
    (["train", "--dataset", "{csv}", "--label", "a"], "line 2, column 'b' holds 'x', not a"),
    (
        ["train", "--dataset", "{csv_numbers}", "--label", "c"],
        "has no column 'c'. Name it with label=... (on the command line: --label COLUMN)",
    ),
    (["train", "--dataset", "{csv_numbers}", "--label", "b"], "has 2 rows; holding out"),
    (["evaluate", "{model}", "--dataset", "{npz}"], "holds no array 'X'"),
    # scikit-learn's "Mix of label input types (string and number)" said neither whose.
    (
        ["evaluate", "{model_of_strings}"],
        "of_strings.json's labels, strings 'cat', 'dog', 'eel', do not match those of "
        "--dataset digits (the default), integers 0–9: evaluate it on the data it was "
        "trained on.",
    ),
    (
        ["evaluate", "{model_multilabel}"],
        "multilabel.json's labels, multilabel rows of 2 labels (0 or 1 each), do not match "
        "those of --dataset digits (the default), integers 0–9",
    ),
    (
        ["evaluate", "{model}", "--dataset", "{npz_strings}"],
        "model.json's labels, integers 0–9, do not match those of --dataset ",
    ),
    (["evaluate", "{model}", "--dataset", "{npz_strings}"], "strings.npz, strings 'cat', 'dog'"),
    (
        ["evaluate", "{model}", "--dataset", "{csv_numbers}"],
        "which column holds the labels? Name it with label=... (on the command line: --label "
        "COLUMN); its columns are a, b",
    ),
    # Targets of another shape than the model's predictions: scikit-learn's "y_true and
    # y_pred have different number of output (3!=2)" named neither the model nor the file.
    (
        ["evaluate", "{model_regressor}", "--dataset", "{npz_three_targets}"],
        "regressor.json predicts rows of 2 outputs; the targets of --dataset ",
    ),
    (
        ["evaluate", "{model_regressor}", "--dataset", "{npz_three_targets}"],
        "three_targets.npz are rows of 3: evaluate it on the data it was trained on.",
    ),
    (
        ["evaluate", "{model_regressor}"],
        "regressor.json predicts rows of 2 outputs; the targets of --dataset digits (the "
        "default) are one a row: evaluate it on the data it was trained on.",
    ),
    (
        ["evaluate", "{model}", "--dataset", "{npz_two_targets}"],
        "model.json predicts one label a row; the targets of --dataset ",
    ),
    (["evaluate", "{model}", "--dataset", "{npz_two_targets}"], "two_targets.npz are rows of 2"),
    (
        ["evaluate", "{model_multilabel}", "--dataset", "{npz_three_labels}"],
        "three_labels.npz are rows of 3",
    ),
    (
        ["evaluate", "{model_multilabel}", "--dataset", "{npz_three_labels}"],
        "multilabel.json predicts rows of 2 labels; the targets",
    ),
    # A column of 0s and 1s saved 2-D is no row of the model's 2 labels: scikit-learn's
    # "can't handle a mix of binary and multilabel-indicator targets" named neither.
    (
        ["evaluate", "{model_multilabel}", "--dataset", "{npz_a_column_of_labels}"],
        "multilabel.json predicts rows of 2 labels; the targets of --dataset ",
    ),
    (
        ["evaluate", "{model_multilabel}", "--dataset", "{npz_a_column_of_labels}"],
        "a_column_of_labels.npz are rows of 1: evaluate it on the data it was trained on.",
    ),
    # Classification metrics "can't handle a mix of multilabel-indicator and continuous-
    # multioutput targets", and a regressor's "could not convert string to float".
    (
        ["evaluate", "{model_multilabel}", "--dataset", "{npz_two_targets}"],
        "two_targets.npz, numbers 0.0, 0.111111",
    ),
    (
        ["evaluate", "{model_regressor}", "--dataset", "{npz_strings}"],
        "regressor.json predicts numbers; the targets of --dataset ",
    ),
    (
        ["evaluate", "{model_regressor}", "--dataset", "{npz_strings}"],
        "strings.npz are strings 'cat', 'dog', 'eel': evaluate it on the data it was trained on.",
    ),
    # "R² nan (1 rows)" after scikit-learn's warning, twice, and "R² 0.0000" of targets
    # that do not vary, whatever the model predicts.
    (
        ["evaluate", "{model_regressor}", "--dataset", "{npz_a_row_of_targets}"],
        "a_row.npz holds 1 row: R² compares the errors with the spread of the targets, which "
        "needs 2 rows or more.",
    ),
    (
        ["evaluate", "{model_regressor}", "--dataset", "{npz_equal_targets}"],
        "equal_targets.npz are all equal (1, ...): R² is 0 whatever ",
    ),
    (
        ["evaluate", "{model_regressor}", "--dataset", "{npz_equal_targets}"],
        "regressor.json predicts; score it on targets that vary.",
    ),
    # Refused by the classifier after the header: rows of several classes each.
    (
        ["train", "--dataset", "{npz_classes_of_two_outputs}"],
        "classes_of_two_outputs.npz's labels are rows of 2 columns holding integers 0, 1, 2: "
        "`train` "
        "fits a multilabel classifier to rows of 0s and 1s, one column per label.",
    ),
    (["book"], "the following arguments are required: {list,replay}"),
    (["predict", "{model}", "{x3d}"], "x3d.npy: the samples X must be 2-D, one sample per row"),
    # scikit-learn's "X has 10 features, but ... is expecting 64" named no file.
    (["predict", "{model}", "{x_narrow}"], "x_narrow.npy has 10 features; the model takes 64"),
    (["evaluate", "{model}", "--dataset", "{csv_numbers}", "--label", "b"], "has 1 feature; the"),
    (["predict", "{model}", "{x_strings}"], "x_strings.npy: the samples X are not real numbers"),
    # NaN, infinity, or values beyond the float32 a model computes in: scikit-learn's
    # "Input X contains NaN" named no file, and `train` failed so only after training
    # when the value fell among the test rows.
    (
        ["train", "--dataset", "{csv_nan}", "--label", "y"],
        "nan.csv: line 4, column 'b' holds 'nan', not a finite number",
    ),
    (
        ["train", "--dataset", "{csv_big}", "--label", "y", "--dtype", "float32"],
        "big.csv holds 1e+39, beyond the range of float32 (±3.40282e+38) that --dtype float32",
    ),
    (["train", "--dataset", "{npz_inf}"], "inf.npz: the samples X hold inf at X[2, 1]"),
    (["evaluate", "{model}", "--dataset", "{npz_inf}"], "inf.npz: the samples X hold inf"),
    (["evaluate", "{model32}", "--dataset", "{npz_big}"], "big.npz holds -1e+39, beyond the"),
    (["predict", "{model}", "{x_nan}"], "x_nan.npy: the samples X hold nan at X[0, 5]"),
    (["predict", "{model32}", "{x_big}"], "x_big.npy holds 1e+300, beyond the range of float32"),
    # Results to resume.
    (["compare", "--resume", "--train-sizes", "50", "--out", "{bad_json}"], "not a comparison's"),
    (["compare", "--resume", "--train-sizes", "50", "--out", "{deep_json}"], "not a comparison's"),
    (["compare", "--resume", "--train-sizes", "50", "--out", "{array_json}"], "no list of records"),
    (["compare", "--resume", "--train-sizes", "50", "--out", "{records_not_list}"], "no list of"),
    (
        ["compare", "--resume", "--train-sizes", "50", "--out", "{old_records}"],
        "no configuration fin",
    ),
    (
        ["compare", "--resume", "--train-sizes", "50", "--out", "{foreign_records}"],
        "a different conf",
    ),
    ([*TAMPERED_RUN, "--resume", "--out", "{tampered}"], "has no numbers for ['fit_seconds']"),
    # Another study's results, which a run without --resume or --force would replace; a
    # results file that cannot be read is no study's to continue, and is kept too.
    (
        ["compare", "--train-sizes", "50", "--out", "{bad_json}"],
        "already holds the results of another study (comparison.json)",
    ),
    (
        ["compare", "--train-sizes", "50", "--out", "{deep_json}"],
        "already holds the results of another study (comparison.json)",
    ),
    (
        [*TAMPERED_RUN[:2], "60", *TAMPERED_RUN[3:], "--out", "{tampered}"],
        "already holds the results of another study (comparison.json)",
    ),
]


def fill(argv, files):
    return [arg.format(**files) for arg in argv]


def assert_one_line_error(err, message):
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("error: ") and message in err, err


@pytest.mark.parametrize("argv, message", BAD_INVOCATIONS, ids=" ".join)
def test_user_error_is_one_line_and_exit_2(argv, message, files, capsys, monkeypatch):
    monkeypatch.chdir(files["tmp"])  # compare's default output folder lands here
    assert main(fill(argv, files)) == 2
    out, err = capsys.readouterr()
    assert_one_line_error(err, message)
    if any(flag in argv for flag in ("--save", "--history", "--plot")):
        assert "Training [" not in out  # checked before training starts
    assert not out.startswith(("Comparing", "Resuming", "Training")), out  # before the header


# (argv, the start of the message): a file's error named the file (Python's "[Errno 2] No
# such file or directory: 'x'", the package's "Cannot read x: it is a FIFO ..."), never
# the argument it was typed with, as argparse names its own refusals.
FILE_ERRORS = [
    (["evaluate", "{missing}/model.json"], "argument MODEL: no such file '{missing}/model.json'"),
    (["evaluate", "{fifo}"], "argument MODEL: {fifo}: not a model file (Cannot read "),
    (["evaluate", "{text}"], "argument MODEL: "),
    (["predict", "{missing}/model.json", "{x}"], "argument MODEL: no such file "),
    (["predict", "{model}", "{missing}/x.npy"], "argument FILE: no such file '{missing}/x.npy'"),
    (["predict", "{model}", "{text}"], "argument FILE: "),
    (["predict", "{model}", "{folder}"], "argument FILE: Cannot read "),
    (["train", "--dataset", "{missing}/x.csv", "--label", "y"], "argument --dataset: no such fi"),
    (["train", "--dataset", "{csv}", "--label", "a"], "argument --dataset: "),
    (["evaluate", "{model}", "--dataset", "{missing}/x.csv"], "argument --dataset: no such file"),
    (["evaluate", "{model}", "--dataset", "{npz}"], "argument --dataset: "),
    (["train", "--save", "{missing}/net.json"], "argument --save: Cannot write there: the folder"),
    (["train", "--save", "{text}/net.json"], "argument --save: Cannot write there: "),
    (["train", "--history", "{fifo}"], "argument --history: Cannot write "),
    (["train", "--plot", "{fifo}"], "argument --plot: Cannot write "),
    (["train", "--plot", "{tmp}/history.unknownext"], "argument --plot: "),
    (
        ["train", "--save", "{tmp}/same.json", "--history", "{tmp}/same.json"],
        "argument --history: Two outputs name the same file",
    ),
    (["predict", "{model}", "{x}", "--out", "{x}"], "argument --out: An output would overwrite"),
    (["predict", "{model}", "{x}", "--out", "{folder}"], "argument --out: Cannot write "),
    (["compare", "--out", "{text}"], "argument --out: "),
    (["compare", "--out", "{fifo_json}"], "argument --out: "),
    (["compare", "--resume", "--train-sizes", "50", "--out", "{bad_json}"], "argument --out: "),
    (["book", "replay", "overfitting", "--plot", "{fifo}"], "argument --plot: Cannot write "),
]


@pytest.mark.parametrize("argv, message", FILE_ERRORS, ids=" ".join)
def test_a_file_error_names_the_argument_that_gave_the_file(argv, message, files, capsys):
    assert main(fill(argv, files)) == 2
    err = capsys.readouterr().err
    assert_one_line_error(err, "")
    assert err.startswith("error: " + message.format(**files)), err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--bogus"], "unrecognized arguments"),
        (["compare", "--seeds", "0"], "positive integer"),
        (["train", "--save", "{fifo}"], "it is a FIFO"),
        # --dataset forgotten: the digits, without a warning that the rows have no names.
        (
            ["evaluate", "{model_of_a_csv}"],
            "of_a_csv.json takes 3 features, the columns 'ink', 'width', 'height' of the file it "
            "was trained on; the images of --dataset digits (the default) have 64: evaluate it on "
            "the data it was trained on (--dataset FILE --label COLUMN).",
        ),
    ],
)
def test_user_errors_in_a_real_process(argv, message, files):
    result = subprocess.run(
        [sys.executable, "-m", "sknielsen", *fill(argv, files)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=files["tmp"],
        env={**os.environ, "PYTHONPATH": REPOSITORY},
    )
    assert result.returncode == 2
    assert_one_line_error(result.stderr, message)


def test_predict_out_writes_exactly_the_named_file(files, tmp_path, capsys):
    out = tmp_path / "labels.txt"
    assert main(["predict", str(files["model"]), str(files["x"]), "--out", str(out)]) == 0
    assert f"Wrote 3 predictions to {out}" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["labels.txt"]
    assert np.load(out).shape == (3,)


def test_predict_out_csv_writes_csv_that_reads_back(files, tmp_path, capsys):
    """A .csv name got NumPy's binary format, silently."""
    import csv

    out = tmp_path / "predictions.csv"
    assert main(["predict", str(files["model"]), str(files["x"]), "--out", str(out)]) == 0
    assert main(["predict", str(files["model"]), str(files["x"])]) == 0
    printed = capsys.readouterr().out.splitlines()[1:]
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert rows[0] == ["prediction"] and [row[0] for row in rows[1:]] == printed


def test_train_refuses_real_valued_labels_before_training(tmp_path, capsys):
    """Read as text, they trained a classifier of one class per value, silently."""
    rows = "".join(f"{i},{i / 7:.4f}\n" for i in range(40))
    (tmp_path / "real.csv").write_text("a,y\n" + rows, encoding="utf-8")
    argv = ["train", "--dataset", str(tmp_path / "real.csv"), "--label", "y", "--epochs", "1"]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert_one_line_error(err, "The labels in 'y' are real numbers, such as ")
    assert "NielsenMLPRegressor" in err and "Training" not in out


def test_monitor_all_records_every_curve(tmp_path):
    history = tmp_path / "history.json"
    argv = ["train", "--epochs", "1", "--hidden", "4", "--monitor", "all"]
    assert main([*argv, "--history", str(history)]) == 0
    assert all(len(values) == 1 for values in json.loads(history.read_text()).values())


@pytest.mark.parametrize("flag", ["--save", "--history"])
@pytest.mark.parametrize("through_link", [False, True], ids=["file", "link"])
def test_train_refuses_to_write_over_its_data_file(flag, through_link, tmp_path, capsys):
    """``train --dataset data.csv --save data.csv`` trained, then replaced the data by the model."""
    data = tmp_path / "data.csv"
    data.write_text("a,b,y\n" + "".join(f"{i % 3},{i % 5},{i % 2}\n" for i in range(40)))
    before = data.read_bytes()
    output = data
    if through_link:
        output = tmp_path / "model.json"
        output.symlink_to(data)
    argv = ["train", "--dataset", str(data), "--label", "y", "--epochs", "1", "--hidden", "2"]
    assert main([*argv, flag, str(output)]) == 2
    out, err = capsys.readouterr()
    assert_one_line_error(err, "An output would overwrite an input")
    assert "Training [" not in out
    assert data.read_bytes() == before


def test_a_write_that_fails_mid_study_names_out(tmp_path, monkeypatch, capsys):
    # The study saves comparison.json as each job finishes; a full disk then ended the
    # run with Python's "[Errno 28] No space left on device: '...comparison.json'",
    # naming no argument, where every other file error names the flag that gave it.
    from sknielsen.studies import _runner

    def full_disk(path, text):
        raise OSError(28, os.strerror(28), str(path))

    monkeypatch.setattr(_runner, "write_atomically", full_disk)
    assert main([*TAMPERED_RUN, "--out", str(tmp_path / "study")]) == 2
    err = capsys.readouterr().err
    assert_one_line_error(err, "")
    assert err.startswith("error: argument --out: no space left on device: "), err
    assert "comparison.json" in err


def test_an_error_of_no_file_mid_study_is_not_named_by_out(tmp_path, monkeypatch, capsys):
    # Only the errors of the output folder's files are --out's: an OSError that names no
    # file (a worker's, say) is said as it is.
    from sknielsen import comparison

    def no_space(*args, **kwargs):
        raise OSError(28, os.strerror(28))

    monkeypatch.setattr(comparison, "run_study", no_space)
    assert main([*TAMPERED_RUN, "--out", str(tmp_path / "study")]) == 2
    err = capsys.readouterr().err
    assert_one_line_error(err, "")
    assert err.startswith("error: [Errno 28] No space left on device"), err
    assert not (tmp_path / "study").exists()  # a study that ran nothing leaves no folder


def test_a_reader_that_stops_mid_study_is_not_an_error_of_out():
    # `compare | head -1`: the progress printed within the study's writes met a closed
    # pipe, which main ends quietly (141), not as "argument --out: Broken pipe".
    from sknielsen.__main__ import _file_of

    for within in (None, REPOSITORY):
        with pytest.raises(BrokenPipeError), _file_of("--out", within=within):
            raise BrokenPipeError(32, os.strerror(32))


def test_default_sizes_that_cannot_run_are_refused_without_naming_train_sizes(tmp_path, capsys):
    # MNIST's files of a user's own data (60,000 and 10,000 images of one pixel here),
    # whose first 199 training images are of one class: the book's sizes, not typed,
    # are refused by what is wrong with them, not as an "argument --train-sizes".
    labels = np.arange(70_000, dtype=np.uint8) % 10
    labels[:199] = 0
    images = np.zeros((70_000, 1, 1), dtype=np.uint8)
    train, test = slice(60_000), slice(60_000, None)
    write_mnist_layout(tmp_path, (images[train], labels[train]), (images[test], labels[test]))
    argv = ["compare", "--dataset", "mnist", "--data-dir", str(tmp_path)]
    assert main([*argv, "--out", str(tmp_path / "study")]) == 2
    err = capsys.readouterr().err
    assert_one_line_error(err, "sizes [100] give training sets of one class (the first 199")
    assert "--train-sizes" not in err
