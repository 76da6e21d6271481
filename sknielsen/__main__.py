"""Command line: ``python -m sknielsen [compare|train|evaluate|predict|plugins|book] ...``.

With no subcommand it runs ``compare`` (flags given without one go to it):
the book's network against SVMs as the training set grows, on
scikit-learn's embedded digits (no files needed). ``train`` trains one
network with the book's hyper-parameters as flags and prints a row per
epoch; ``train``, ``evaluate`` and ``predict`` also read your own CSV or
NumPy files.

The command line parses, calls the public API and prints: the study's
files, resume, time left, Ctrl-C and dask backend are
:mod:`sknielsen.comparison`'s (:func:`~sknielsen.comparison.run_study`), the
data sets :mod:`sknielsen.datasets`'. A user error (a bad flag or value, a
file that cannot be read or written, a data set not found, a failed
download) is one line on stderr and exit code 2, never a traceback; a
file's error names the argument that gave it (``argument --dataset: no
such file 'x.csv'``); output files are checked before any training starts. Ctrl-C exits with 130;
``compare`` keeps the jobs finished before it, and refuses to replace
another study's results without ``--resume`` or ``--force``.
"""

import argparse
import contextlib
import copy
import csv
import errno
import io
import json
import os
import re
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.base import is_classifier

from . import (
    NielsenMLPClassifier,
    NielsenMLPRegressor,
    __version__,
    book,
    callbacks,
    comparison,
    datasets,
    plotting,
    plugins,
)
from .persistence import load, save
from .utils import InterruptWatch, check_outputs, check_params, write_atomically

# -- train, evaluate, predict --------------------------------------------------


def _hidden_sizes(args, n_features, n_outputs, outputs="classes"):
    if args.layers is None:
        return tuple(args.hidden)
    if len(args.layers) < 2 or args.layers[0] != n_features or args.layers[-1] != n_outputs:
        raise ValueError(
            f"--layers must start with the {n_features} inputs and end with the "
            f"{n_outputs} {outputs} of {args.dataset}; got {args.layers}."
        )
    return tuple(args.layers[1:-1])


def _with_mu(name, mu):
    """The optimizer ``name`` with momentum ``mu``; refused, naming both flags, without one.

    The registry's "Invalid parameter 'mu' for optimizer 'sgd'" named neither
    flag nor the optimizers that take a momentum coefficient.
    """
    optimizer = plugins.get("optimizer", name)
    params = optimizer.get_params()
    if "mu" not in params:
        takers = [
            other
            for other in plugins.available("optimizer")
            if "mu" in plugins.get("optimizer", other).get_params()
        ]
        raise ValueError(
            f"argument --mu: --optimizer {name} takes no mu (its parameters: "
            f"{', '.join(params) or 'none'}); leave --mu out, or give --optimizer "
            f"{' or '.join(takers)}."
        )
    return optimizer.set_params(mu=mu)


def _check_flags_read(args):
    """Refuse a flag that the ``--optimizer`` or ``--regularizer`` given never reads.

    ``--dropout`` too, which a full-batch ``--optimizer`` reads but cannot train with.

    Each was accepted and ignored, and the header printed it as if it
    counted: L-BFGS chooses its own step sizes (no η, so no schedule of η),
    Newton and L-BFGS step on the whole training set (no mini-batches), and
    no regularizer adds no penalty, whatever its λ.
    """
    unread = _unread_by_optimizer(args)
    if args.regularizer == "none" and args.lmbda:
        unread.append(
            ("--lmbda", "--regularizer none adds no penalty, whatever its lmbda", "l2 or l1")
        )
    if unread:
        flag, why, instead = unread[0]
        raise ValueError(f"argument {flag}: {why}: leave {flag} out, or give {instead}.")


def _unread_by_optimizer(args):
    """The typed flags ``--optimizer`` never reads: (flag, why, what to give instead)."""
    try:
        optimizer = plugins.get("optimizer", args.optimizer)
    except ValueError:
        return []  # an unknown name: check_params refuses it, naming --optimizer
    unread = []
    if not getattr(optimizer, "reads_eta", True):
        why = f"--optimizer {args.optimizer} chooses its own step sizes and reads no eta"
        if args.eta is not None:
            unread.append(("--eta", why, "an optimizer that steps by eta"))
        if args.schedule != "constant":
            unread.append(
                ("--schedule", f"{why}, which a schedule halves", "an optimizer that steps by eta")
            )
    if isinstance(optimizer, plugins.Solver) and "mini_batch_size" in getattr(args, "typed", ()):
        why = f"--optimizer {args.optimizer} steps on the whole training set, in no mini-batches"
        unread.append(("--mini-batch-size", why, "a mini-batch optimizer"))
    if isinstance(optimizer, plugins.Solver) and getattr(args, "dropout", 0.0):
        # Read, but refused by the estimator in its parameters' words, naming no flag.
        why = (
            f"--optimizer {args.optimizer} steps on the whole training set and cannot minimize "
            "the random cost that dropout makes"
        )
        unread.append(("--dropout", why, "a mini-batch optimizer"))
    return unread


#: Estimator parameters set by a flag of another name than theirs (dashes for underscores).
#: --hidden and --layers are parsed as positive integers, which hidden_layer_sizes takes.
_FLAGS = {"optimizer__mu": "mu"}

#: scikit-learn's refusal of a parameter: "The 'eta' parameter of NielsenMLPClassifier must
#: be ... Got -1.0 instead.", or "... is invalid: Unknown cost 'hinge'. ...".
_PARAMETER_ERROR = re.compile(r"The '(\w+)' parameter of \w+ (?:is invalid: )?(.+)", re.DOTALL)


@contextlib.contextmanager
def _named_by_flag(args):
    """Name a refused hyper-parameter by the flag that set it, as argparse names its own.

    The estimators name their Python parameter ("The 'mini_batch_size'
    parameter of NielsenMLPClassifier must be ..."), which a user of the
    command line never typed. A parameter no flag set keeps its message.
    """
    try:
        yield
    except ValueError as exc:
        match = _PARAMETER_ERROR.fullmatch(str(exc))
        dest = _FLAGS.get(match[1], match[1]) if match else None
        if dest is None or getattr(args, dest, None) is None:
            raise
        flag = "--" + dest.replace("_", "-")
        raise ValueError(f"argument {flag}: {match[2]}") from None


#: Flags left out by default, for the estimator's own default: the classifier's and the
#: regressor's differ.
_ESTIMATOR_DEFAULTS = ("cost", "eta")


def _network(args, hidden):
    """The estimator the ``train`` flags describe: a classifier, or with --regressor a regressor."""
    optimizer = args.optimizer if args.mu is None else _with_mu(args.optimizer, args.mu)
    # 'all' is the estimator's own word for every monitor, not one name among them.
    monitor = "all" if "all" in args.monitor else tuple(args.monitor)
    estimator = NielsenMLPRegressor if args.regressor else NielsenMLPClassifier
    given = {name: getattr(args, name) for name in _ESTIMATOR_DEFAULTS}
    return estimator(
        hidden_layer_sizes=hidden,
        **{name: value for name, value in given.items() if value is not None},
        activation=args.activation,
        initializer=args.initializer,
        regularizer=args.regularizer,
        lmbda=args.lmbda,
        optimizer=optimizer,
        mini_batch_size=args.mini_batch_size,
        epochs=args.epochs,
        dropout=args.dropout,
        early_stopping=args.early_stopping,
        schedule=args.schedule,
        dtype=args.dtype,
        monitor=monitor,
        random_state=args.random_state,
        verbose=1,
    )


def _load(args, *, hold_out_validation=True):
    """The data set the flags name: a built-in one, or a file of the user's."""
    if args.data_dir is not None and args.dataset not in ("mnist", "fashion-mnist"):
        raise ValueError(
            f"--data-dir is read by --dataset mnist and fashion-mnist only, not {args.dataset}: "
            "leave it out."
        )
    if args.download and args.dataset != "mnist":
        raise ValueError(_no_download(args.dataset))
    if getattr(args, "label", None) is not None and args.dataset in datasets.DATASETS:
        raise ValueError(
            f"--label is read with a .csv or .npz --dataset only, not {args.dataset}, whose "
            "labels are its own: leave it out."
        )
    # A built-in data set's errors say where its files were looked for, and with which flag.
    read = contextlib.nullcontext() if args.dataset in datasets.DATASETS else _file_of("--dataset")
    with read:
        data = datasets.load_dataset(
            args.dataset,
            args.data_dir,
            label=getattr(args, "label", None),  # compare reads built-in data sets only
            hold_out_validation=hold_out_validation,
            download=args.download,
            classes=not getattr(args, "regressor", False),
        )
    # A column of labels is one a row: scikit-learn's warning about it says to call
    # ravel(), which no one on the command line can.
    for part in ("y_train", "y_val", "y_test"):
        y = data.get(part)
        if y is not None and y.ndim == 2 and y.shape[1] == 1:
            data[part] = y[:, 0]
    return data


def _no_download(dataset):
    """Why ``--download`` is refused for ``dataset``: it fetches MNIST alone."""
    if dataset == "fashion-mnist":
        return (
            "--download fetches MNIST only: give the folder of Fashion-MNIST's IDX files "
            "with --data-dir."
        )
    what = "embedded" if dataset in datasets.DATASETS else "read as it is"
    return f"--download fetches MNIST only, not {dataset}, which is {what}: leave it out."


def _data_files(args):
    """The user's data file that ``--dataset`` names, which no output may replace."""
    return () if args.dataset in datasets.DATASETS else (args.dataset,)


def _check_class_labels(y, args):
    """Refuse labels no classifier takes, before the header.

    Real numbers would be one class per value; rows of several classes each
    (multiclass-multioutput) the classifier refuses, after the header.
    """
    fractional = y[np.round(y) != y] if y.dtype.kind == "f" else y[:0]
    if len(fractional):
        raise ValueError(
            f"The labels{_label_columns(args)} are real numbers, such as "
            f"{float(fractional[0]):.6g}: `train` fits a classifier, one class per label: add "
            "--regressor to fit a NielsenMLPRegressor to them."
        )
    values = np.unique(y)
    if _several_a_row(y) and not set(values.tolist()) <= {0, 1}:
        raise ValueError(
            f"{args.dataset}'s labels are rows of {y.shape[1]} columns holding "
            f"{_labels_text(values)}: `train` "
            "fits a multilabel classifier to rows of 0s and 1s, one column per label. For "
            "several classes a row, fit sklearn.multioutput.MultiOutputClassifier from Python; "
            "for several numbers a row to fit, add --regressor."
        )


def _check_several_classes(data, args):
    """Refuse labels of one class in every row of the file, before the header.

    The classifier refused them after the header ("needs samples of at
    least 2 classes"), naming no column, once the network was printed with
    one output.
    """
    every = np.concatenate(_parts(data, "y"))
    if every.ndim != 1 or len(np.unique(every)) > 1:  # multilabel: a class a column
        return
    label = every[:1].tolist()[0]  # a Python value: NumPy's repr is np.str_('cat')
    raise ValueError(
        f"The labels{_label_columns(args)} of {args.dataset} are all {label!r}: a classifier "
        "learns to tell 2 classes or more apart; give labels of several classes."
    )


def _check_every_class_trains(data, args):
    """Refuse labels that the split left watched in validation with no row to train on.

    A file's split keeps a row of each class for training where it can; it
    cannot where most labels come once, as numbers (prices) read as classes
    do. The fit refused them after the header, listing every label.
    """
    watched = data.y_test if args.monitor_test else data.y_val
    if watched is None or np.ndim(watched) != 1:  # multilabel: the classes are columns
        return
    unseen = np.setdiff1d(watched, data.y_train)
    if not len(unseen):
        return
    every = np.concatenate(_parts(data, "y"))
    values, counts = np.unique(every, return_counts=True)
    numbers = every.dtype.kind in "iuf"
    advice = (
        "if they are quantities rather than classes, add --regressor; if classes, give "
        if numbers
        else "give "
    )
    raise ValueError(
        f"The labels{_label_columns(args)} take {len(values):,} values among {len(every):,} "
        f"rows, {int(np.sum(counts == 1)):,} of them on one row only: the rows held out to "
        f"watch hold {len(unseen):,} classes with no row to train on "
        f"({_labels_text(unseen)}). A classifier learns a class from its rows: {advice}"
        "more rows of each class."
    )


def _check_regression_targets(y, args):
    """Refuse targets that are not numbers, before the header.

    The regressor's own refusal ("y must hold numbers, a regressor's
    targets: could not convert string to float") came after the header and
    named neither the column nor the flag.
    """
    if y.dtype.kind in "biuf":
        return
    # A CSV column of numbers and text is read as text: the text is what to show.
    # The first in sorted order: the same whichever rows the split gave training.
    values = np.unique(y).tolist()
    example = next((value for value in values if not _is_number(value)), values[0])
    raise ValueError(
        f"The labels{_label_columns(args)} are strings, such as {example!r}: --regressor fits "
        "real numbers. Leave out --regressor to classify them, or give --label the column of "
        "numbers."
    )


def _check_regression_spread(data, args):
    """Refuse targets equal in every row of the file, before the header.

    Nothing is learnt from them, and their R² is 0 whatever is predicted:
    the fit refused its validation targets after the header, naming
    ``X_val`` and ``monitor=``, which no one on the command line typed, and
    with ``--monitor validation_cost`` train printed "Test R² 0.0000", a
    score ``evaluate`` refuses for such targets.
    """
    Y = np.concatenate([y.reshape(len(y), -1) for y in _parts(data, "y")])
    if np.any(Y.max(axis=0) != Y.min(axis=0)):  # np.ptp overflows near the largest float
        return
    more = ", ..." if Y.shape[1] > 1 else ""
    raise ValueError(
        f"The labels{_label_columns(args)} are all equal ({Y[0, 0]:g}{more}): a regression of "
        "them learns nothing, and its R² is 0 whatever it predicts: train on targets that vary."
    )


def _is_number(text):
    """Whether ``text`` reads as a number, as a CSV cell of one does.

    As ``datasets.load_table`` reads cells: digits with underscores (``"3_1"``)
    or of other scripts (``"١٢"``) are text there, though ``float()`` reads them.
    """
    if isinstance(text, str) and ("_" in text or not text.isascii()):
        return False
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def _label_columns(args):
    """ " in 'price'": the ``--label`` columns, for a message about their values."""
    label = getattr(args, "label", None)
    names = [label] if isinstance(label, str) else label or []
    return f" in {', '.join(map(repr, names))}" if names else ""


def _check_regressor_data(args):
    """Refuse ``--regressor`` on a built-in data set: its labels are classes, not quantities."""
    if args.dataset in datasets.DATASETS:
        raise ValueError(
            "--regressor fits the real-number targets of a .csv or .npz --dataset: the labels "
            f"of --dataset {args.dataset}{_default_note(args, 'dataset')} are classes. Leave "
            "out --regressor to classify them, or give --dataset FILE --label COLUMN."
        )


def _check_linear_cost(name):
    """Refuse a ``--cost`` that cannot train the regressor's linear outputs, naming the flag.

    The estimator's refusal ("cannot be paired with 'identity' output
    neurons") advised output neurons that no flag sets.
    """
    try:
        cost = plugins.get("cost", name)
    except ValueError:
        return  # an unknown name: check_params refuses it, naming --cost
    if "identity" not in cost.output_activations:  # the regressor's outputs: linear
        default = NielsenMLPRegressor().get_params()["cost"]
        raise ValueError(
            f"argument --cost: the {name!r} cost works with "
            f"{', '.join(map(repr, cost.output_activations))} output neurons, not with the "
            f"linear (identity) ones of --regressor: leave out --cost for the regressor's "
            f"{default!r}."
        )


def _outputs_of(y, args):
    """The output neurons that the labels ``y`` ask for, and what they are, or a refusal."""
    if args.regressor:
        _check_regression_targets(y, args)
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        return n_outputs, "output" if n_outputs == 1 else "outputs"
    _check_class_labels(y, args)
    if _several_a_row(y):  # a multilabel indicator: an output neuron per column
        return y.shape[1], "labels"
    return len(np.unique(y)), "classes"


def _several_a_row(y):
    """Whether ``y`` holds several labels a row.

    A column of them is one a row, as the classifier reads it (with
    scikit-learn's warning).
    """
    return y.ndim == 2 and y.shape[1] > 1


def _train(args):
    outputs = {"--save": args.save, "--history": args.history, "--plot": args.plot}
    _check_outputs(outputs, inputs=_data_files(args))
    if args.plot:
        with _file_of("--plot"):
            plotting.check_figure_path(args.plot)
    _check_flags_read(args)
    if args.regressor:  # before MNIST's seconds of loading
        _check_regressor_data(args)
    # Watching the test set, a held-out fifth would only be kept from training.
    data = _load(args, hold_out_validation=not args.monitor_test)
    n_outputs, outputs = _outputs_of(data.y_train, args)
    _check_training_data(data, args)
    n_features = data.X_train.shape[1]
    hidden = _hidden_sizes(args, n_features, n_outputs, outputs)
    net = _network(args, hidden)
    # Before the header: an error is the only line printed.
    with _named_by_flag(args):
        if args.regressor and args.cost is not None:
            _check_linear_cost(args.cost)
        check_params(net, n_features=n_features, n_outputs=n_outputs)
    print(
        f"Training {[n_features, *hidden, n_outputs]} on {data.description}: "
        f"{len(data.X_train):,} training {_samples_noun(args)}, {_settings_read(net, args)}"
    )
    X_val, y_val = _monitored(data, net, args)
    start = time.perf_counter()
    with InterruptWatch() as watch:
        net.fit(data.X_train, data.y_train, X_val=X_val, y_val=y_val)
    seconds = time.perf_counter() - start
    _keep_column_names(net, data, args)
    with _columns_checked():
        test_score = net.score(data.X_test, data.y_test)
    print(
        f"Test {_score_text(net, test_score)} after {net.n_iter_} "
        f"epoch{'s' if net.n_iter_ != 1 else ''} "
        f"({seconds:.1f} s)."
    )
    _write_training_outputs(net, args)
    if watch.interrupted:
        print(f"interrupted: {_kept_model(net, args)}", file=sys.stderr)
        return 130
    return 0


def _check_training_data(data, args):
    """Refuse, before the header, targets and values the fit would refuse after it."""
    if args.regressor:
        _check_regression_spread(data, args)
    else:
        _check_several_classes(data, args)
        _check_every_class_trains(data, args)
    if args.dtype == "float32" and args.dataset not in datasets.DATASETS:
        advice = "give --dtype float64"
        _check_range(_parts(data, "X"), np.float32, args.dataset, "--dtype float32", advice)
        if args.regressor:  # a classifier's labels are classes, not computed with
            targets = _parts(data, "y")
            _check_range(targets, np.float32, args.dataset, "--dtype float32", advice, "targets")


def _parts(data, array):
    """``data``'s training, validation and test ``array`` ("X" or "y"), those it holds."""
    parts = (data.get(f"{array}_{part}") for part in ("train", "val", "test"))
    return [part for part in parts if part is not None]


def _keep_column_names(net, data, args):
    """The file's column names, kept in the saved model: predict and evaluate check by them."""
    if data.feature_names is not None:
        net.feature_names_in_ = np.asarray(data.feature_names, dtype=object)
    if isinstance(args.label, list) and len(args.label) > 1:
        # Several outputs' columns: evaluate refuses them given in another order.
        net.target_names_in_ = np.asarray(args.label, dtype=object)


def _settings_read(net, args):
    """The header's settings, less those the optimizer never reads (refused as flags too)."""
    optimizer = plugins.get("optimizer", args.optimizer)  # check_params accepted the name
    settings = {"cost": net.cost, "eta": net.eta, "lmbda": args.lmbda}
    settings["mini_batch_size"] = args.mini_batch_size
    if not getattr(optimizer, "reads_eta", True):
        del settings["eta"]
    if isinstance(optimizer, plugins.Solver):
        del settings["mini_batch_size"]
    settings["epochs"] = args.epochs
    return ", ".join(f"{name}={value}" for name, value in settings.items())


def _monitored(data, net, args):
    """The validation data the fit watches: the held-out split, or the test set."""
    if not args.monitor_test:
        return data.X_val, data.y_val
    # The book's practice: the test set as evaluation_data.
    score = "accuracy" if is_classifier(net) else "R²"
    print(
        f"Monitoring the test set (--monitor-test): its {score} is no longer a "
        "fair estimate once anything was chosen by watching it."
    )
    return data.X_test, data.y_test


def _samples_noun(args):
    """What a sample of ``--dataset`` is: an image of the built-in data sets, a file's row."""
    return "images" if args.dataset in datasets.DATASETS else "rows"


def _kept_model(net, args):
    """Which epoch's weights the interrupted model holds, and where they went."""
    where = f"saved to {args.save}" if args.save else "not saved (no --save)"
    # --early-stopping restores the best epoch's weights, which may be an earlier one.
    best = net.best_epoch_ if args.early_stopping is not None else None
    if best is None or best == net.n_iter_:
        return f"the model of epoch {net.n_iter_} of {args.epochs} was {where}"
    return f"the model of epoch {best}, the best of the {net.n_iter_} run, was {where}"


def _columns_of(model, table, path):
    """The table's rows, refused when its named columns are not the model's, in order.

    A model trained on a CSV file keeps its columns' names; a file of other
    columns, or of the same ones in another order, would be predicted
    silently wrong.
    """
    expected = getattr(model, "feature_names_in_", None)
    if expected is None or table.feature_names is None:
        _check_file_width(model, table.X, path)
        return table.X
    expected, given = [str(name) for name in expected], list(table.feature_names)
    if given == expected:
        return table.X
    missing = [name for name in expected if name not in given]
    # The model's targets, in a file of the DataFrame it was fitted on, are no stranger's.
    targets = [str(name) for name in getattr(model, "target_names_in_", ())]
    found = [name for name in given if name in targets and name not in expected]
    unexpected = [name for name in given if name not in expected and name not in found]
    if missing or unexpected:
        among = f" {_names(found)} {_the_targets(found)}: {_leave_out(found, targets)}."
        raise ValueError(
            f"{path}'s columns are not the ones the model was trained on: "
            f"{_names(missing)} missing, {_names(unexpected)} not the model's; it takes "
            f"{_names(expected)}, in that order.{among if found else ''}"
        )
    if found:
        raise ValueError(
            f"{path} holds the model's target{'s' if len(found) > 1 else ''} {_names(found)} "
            f"beside its features: {_leave_out(found, targets)}."
        )
    first = next(i for i, (a, b) in enumerate(zip(given, expected)) if a != b)
    raise ValueError(
        f"{path} has the model's columns in another order: column {first + 1} is "
        f"{given[first]!r}, the model's is {expected[first]!r}. Reorder them as the "
        "training file had them."
    )


def _the_targets(found):
    """``'are the model's targets'``, or ``'is the model's target'`` for one."""
    return "are the model's targets" if len(found) > 1 else "is the model's target"


def _leave_out(found, targets):
    """How to leave a model's ``targets`` out of a file, ``found`` among its columns."""
    flags = " ".join(f"--label {name}" for name in targets)  # all of them, in the model's order
    return f"leave {'them' if len(found) > 1 else 'it'} out, giving {flags}"


def _names(names, shown=5):
    if not names:
        return "none"
    listed = ", ".join(repr(name) for name in names[:shown])
    return listed + (f" and {len(names) - shown} more" if len(names) > shown else "")


@contextlib.contextmanager
def _columns_checked(table=None):
    """Silence scikit-learn's warning of rows without names, where the names were checked.

    The rows of a CSV reach the model as an array: :func:`_columns_of`
    compared their names with the model's instead. Rows read from a NumPy
    file have no names, and the warning stays. Without a ``table`` it is
    silenced too: for rows of the kind it was shown for once already.
    """
    with warnings.catch_warnings():
        if table is None or table.feature_names is not None:
            warnings.filterwarnings("ignore", message="X does not have valid feature names")
        yield


def _write_training_outputs(net, args):
    if args.save:
        with _file_of("--save"):
            save(net, args.save)
        print(f"Saved the model to {args.save}")
    if args.history:
        text, kind = _history_file(args.history, net.history_)
        with _file_of("--history"):
            write_atomically(args.history, text)
        print(f"Saved the history ({kind}) to {args.history}")
    if args.plot:
        with _file_of("--plot"):
            plotting.plot_history(net, args.plot)
        print(f"Saved the monitoring plot to {args.plot}")


def _history_file(path, history):
    """The text of ``--history`` and what it is: CSV for a ``.csv`` name, JSON for any other.

    The CSV has a row an epoch and a column for each recorded key, as
    ``predict --out`` reads its format from the name.
    """
    if Path(path).suffix.lower() != ".csv":
        return json.dumps(history, indent=1), "JSON"
    columns = [key for key, values in history.items() if len(values)]
    epochs = max((len(history[key]) for key in columns), default=0)
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["epoch", *columns])
    for i in range(epochs):
        writer.writerow([i + 1, *(_at(history[key], i) for key in columns)])
    return table.getvalue(), "CSV, one row an epoch"


def _at(values, i):
    """``values[i]``, or an empty cell where the key was not recorded that epoch."""
    return values[i] if i < len(values) else ""


def _score_text(model, score):
    # A regressor's score is R², a coefficient that may be negative, not a share.
    return f"accuracy {score:.2%}" if is_classifier(model) else f"R² {score:.4f}"


def _evaluate(args):
    with _file_of("MODEL"):
        model = load(args.model)  # refuses a FIFO, a device or a folder without blocking
    if args.dataset not in datasets.DATASETS:  # a file of the user's: every row
        _check_label_names(model, args)
        with _file_of("--dataset"):
            table = datasets.load_table(args.dataset, label=args.label, need_labels=True)
        X = _columns_of(model, table, args.dataset)
        _check_model_range(model, X, args.dataset)
        _check_targets(model, table.y, args)
        with _columns_checked(table):
            shown = _score_text(model, model.score(X, table.y))
        rows = f"{len(table.y):,} row{'s' if len(table.y) != 1 else ''}"
        print(f"{args.model} on {args.dataset}: {shown} ({rows})")
        return 0
    data = _load(args)
    _check_width(model, data.X_val.shape[1], args)
    _check_targets(model, np.concatenate([data.y_val, data.y_test]), args)
    # Scored before anything is printed: a model of another dataset is refused alone.
    validation = model.score(data.X_val, data.y_val)
    # The test images have the validation's columns: a warning of a model's column
    # names, given once above, is not repeated.
    with _columns_checked():
        test = model.score(data.X_test, data.y_test)
    print(f"{args.model} on {data.description}:")
    for name, score, n in (("validation", validation, data.y_val), ("test", test, data.y_test)):
        print(f"  {name} {_score_text(model, score)} ({len(n):,} images)")
    return 0


def _check_label_names(model, args):
    """Refuse several ``--label`` columns that are not the model's targets, in its order.

    The outputs are scored against the columns by position: the same
    columns in another order were scored swapped, silently.
    """
    expected = getattr(model, "target_names_in_", None)
    given = args.label
    if isinstance(given, str) and Path(args.dataset).suffix.lower() == ".csv":
        given = [given]  # a column, as several are (a .npz's --label names an array)
    if expected is None or not isinstance(given, list):
        return
    expected = [str(name) for name in expected]
    if given == expected:
        return
    in_order = " ".join(f"--label {name}" for name in expected)
    typed = " ".join(f"--label {name}" for name in given)
    if len(given) == len(expected) == 1:
        raise ValueError(
            f"{typed} names another column than {args.model}'s label, {_names(expected)}: "
            f"its output is scored against the column given; give {in_order}."
        )
    if sorted(given) == sorted(expected):
        problem = f"{typed} names {args.model}'s labels in another order"
    else:
        labels = "label" if len(expected) == 1 else "labels"
        problem = f"{typed} names other columns than {args.model}'s {labels}, {_names(expected)}"
    raise ValueError(
        f"{problem}: its outputs are scored against the columns in the order given; give "
        f"them in the model's order: {in_order}."
    )


def _check_file_width(model, X, path):
    """Refuse a file of another width than the model's, naming the file.

    scikit-learn's own error names an ``X`` the user never typed.
    """
    expected = getattr(model, "n_features_in_", None)
    if expected is None or np.ndim(X) != 2 or X.shape[1] == expected:
        return
    plural = "s" if X.shape[1] != 1 else ""
    # load_table reads a 1-D array as one sample: most often a column saved flat.
    flat = len(X) == 1 and expected == 1 and Path(path).suffix.lower() != ".csv"
    hint = (
        " A 1-D array is one sample: save samples of one feature as a column, X.reshape(-1, 1)."
        if flat
        else ""
    )
    raise ValueError(
        f"{path} has {X.shape[1]:,} feature{plural}; the model takes {expected:,}.{hint}"
    )


def _check_model_range(model, X, path):
    """Refuse rows beyond the range of the float type a model computes in, naming the file."""
    dtype = model.coefs_[0].dtype
    advice = "scale them as the model's training data was"
    _check_range([X], dtype, path, f"the model ({dtype.name})", advice)


def _check_range(arrays, dtype, path, computer, advice, scaled="features"):
    """Refuse values of ``arrays`` that ``dtype`` cannot hold, naming the file they came from.

    scikit-learn's "Input X contains infinity or a value too large for
    dtype('float32')" (or "Input y", of a regression's targets) named no
    file, after NumPy's warning of an overflow in the cast. ``scaled`` is
    what the arrays are, for the advice to scale them.
    """
    limit = float(np.finfo(dtype).max)
    largest = max((X.flat[np.argmax(np.abs(X))] for X in arrays if X.size), key=abs, default=0)
    if abs(largest) > limit:
        raise ValueError(
            f"{path} holds {largest:g}, beyond the range of {np.dtype(dtype).name} "
            f"(±{limit:g}) that {computer} computes in: {advice}, or scale the {scaled}."
        )


def _check_width(model, n_features, args):
    """Refuse a model of another width on a built-in data set, naming ``--dataset``.

    Most often ``--dataset`` was forgotten and the digits were read: scikit-learn's
    own error names an ``X`` the user never typed, after a warning that the
    images have no column names when the model was trained on a CSV file.
    """
    expected = getattr(model, "n_features_in_", n_features)
    if expected == n_features:
        return
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        taken, hint = f"{expected:,} features", "--dataset"
    else:
        taken = (
            f"{expected:,} features, the columns {_names([str(n) for n in names])} "
            "of the file it was trained on"
        )
        hint = "--dataset FILE --label COLUMN"
    raise ValueError(
        f"{args.model} takes {taken}; the images of --dataset {args.dataset}"
        f"{_default_note(args, 'dataset')} have "
        f"{n_features:,}: evaluate it on the data it was trained on ({hint})."
    )


def _check_targets(model, y, args):
    """Refuse targets unlike the model's predictions, in kind or in shape, saying both.

    scikit-learn's "could not convert string to float", or "y_true and
    y_pred have different number of output (3!=2)", named neither the model
    nor the file.
    """
    if not is_classifier(model) and y.dtype.kind not in "biuf":
        _refuse_targets(model, "predicts numbers", f"are {_labels_text(np.unique(y))}", args)
    predicted, n_outputs = _predictions_text(model)
    given = 1 if np.ndim(y) == 1 else y.shape[1]
    # A multilabel model's 1-D labels are said by _check_labels, with what they are; a
    # column of them saved 2-D is a row of one label, not of the model's several.
    multilabel = is_classifier(model) and n_outputs > 1
    if given != n_outputs and not (multilabel and np.ndim(y) == 1):
        targets = "one a row" if np.ndim(y) == 1 else f"rows of {given}"
        _refuse_targets(model, f"predicts {predicted}", f"are {targets}", args)
    if is_classifier(model):
        _check_labels(model, y, args)
    else:
        _check_spread(model, y, args)


def _check_spread(model, y, args):
    """Refuse targets whose R² means nothing: of one row, or equal in every output.

    scikit-learn's R² of one row is NaN, after its warning; of targets that
    do not vary, 0 whatever the model predicts (the regressor refuses such
    validation targets for early stopping alike).
    """
    where = f"--dataset {args.dataset}{_default_note(args, 'dataset')}"
    if len(y) < 2:
        raise ValueError(
            f"{where} holds {len(y)} row: R² compares the errors with the spread of the "
            "targets, which needs 2 rows or more."
        )
    Y = y.reshape(len(y), -1)
    if np.all(Y.max(axis=0) == Y.min(axis=0)):  # np.ptp overflows near the largest float
        more = ", ..." if Y.shape[1] > 1 else ""
        raise ValueError(
            f"The targets of {where} are all equal ({Y[0, 0]:g}{more}): R² is 0 whatever "
            f"{args.model} predicts; score it on targets that vary."
        )


def _predictions_text(model):
    """What ``model`` predicts for a row, in words, and how many columns that is."""
    if not is_classifier(model):
        n = model.n_outputs_
        return ("one output a row" if n == 1 else f"rows of {n} outputs"), n
    if model.get_fitted_state().targets["multilabel"]:
        return f"rows of {len(model.classes_)} labels", len(model.classes_)
    return "one label a row", 1


def _refuse_targets(model, predicted, given, args):
    raise ValueError(
        f"{args.model} {predicted}; the targets of --dataset {args.dataset}"
        f"{_default_note(args, 'dataset')} {given}: evaluate it on the data it was trained on."
    )


def _check_labels(model, y, args):
    """Refuse a data set with none of the labels the classifier predicts, saying both.

    scikit-learn's "Mix of label input types (string and number)" said
    neither whose labels were which, nor that the model was of other data.
    Labels the model never predicts beside ones it does are warned of: they
    count as wrong. A multilabel model's are 0 and 1, in rows of its width.
    """
    multilabel = model.get_fitted_state().targets["multilabel"]
    found = np.unique(y)
    known = set(model.classes_.tolist())
    if multilabel and np.ndim(y) == 2 and set(found.tolist()) <= {0, 1}:
        return
    if not multilabel and known & set(found.tolist()):
        unknown = [label for label in found.tolist() if label not in known]
        if unknown:  # scored as wrong: a mistyped label ('SETOSA') read as a poor model
            rows = int(np.isin(y, unknown).sum())
            print(
                f"warning: --dataset {args.dataset} holds labels {args.model} never predicts, "
                f"{_labels_text(np.asarray(unknown))}, on {rows:,} of {len(y):,} rows: they "
                "count as wrong.",
                file=sys.stderr,
            )
        return
    if multilabel:
        predicted = f"multilabel rows of {len(model.classes_)} labels (0 or 1 each)"
    else:
        predicted = _labels_text(model.classes_)
    raise ValueError(
        f"{args.model}'s labels, {predicted}, do not match those of --dataset "
        f"{args.dataset}{_default_note(args, 'dataset')}, {_labels_text(found)}: evaluate it "
        "on the data it was trained on."
    )


def _labels_text(labels, shown=3):
    """Sorted distinct labels in words: "integers 0–9", "strings 'cat', 'dog', ..."."""
    values = labels.tolist()
    integers = labels.dtype.kind in "iu"
    if integers and len(values) > shown and values[-1] - values[0] == len(values) - 1:
        return f"integers {values[0]}–{values[-1]}"  # sorted and distinct: a range
    if all(isinstance(value, str) for value in values):  # of dtype U, or object (a CSV's)
        kind = "strings"
    else:
        kinds = {"b": "booleans", "i": "integers", "u": "integers", "f": "numbers"}
        kind = kinds.get(labels.dtype.kind, "labels")
    more = ", ..." if len(values) > shown else ""
    return f"{kind} {', '.join(map(repr, values[:shown]))}{more}"


def _predict(args):
    _check_outputs({"--out": args.out}, inputs=(args.model, args.file))
    with _file_of("MODEL"):
        model = load(args.model)
    try:
        with _file_of("FILE"):
            table = datasets.load_table(args.file, label=args.label)
    except ValueError:
        # A label column of words or True/False left in the file is no feature that
        # is not a number: named as a column the model does not take, as one of numbers is.
        _check_header(model, args)
        raise
    _check_left_out(table, args)
    X = _columns_of(model, table, args.file)
    _check_model_range(model, X, args.file)
    with _columns_checked(table):
        predicted = model.predict(X)
    if args.out:
        # The outputs are the model's targets, in its order; --label only names the
        # file's columns to leave out, in any order.
        names = getattr(model, "target_names_in_", None)
        header = args.label if names is None else [str(name) for name in names]
        with _file_of("--out"):
            write_atomically(args.out, _prediction_file(args.out, predicted, header))
        print(f"Wrote {len(predicted)} predictions to {args.out}")
    elif np.ndim(predicted) == 2:  # several outputs: a line as --out's CSV has it
        csv.writer(sys.stdout, lineterminator="\n").writerows(predicted.tolist())
    else:
        for label in predicted:
            print(label)
    return 0


def _check_header(model, args):
    """Refuse a CSV ``FILE`` whose header, less the ``--label`` columns, is not the model's.

    Only the header is read: called when the rows could not be, as when a
    column the model does not take holds words.
    """
    if getattr(model, "feature_names_in_", None) is None or not args.file.lower().endswith(".csv"):
        return
    if not os.path.isfile(args.file):  # a FIFO would block the reader
        return
    try:
        with open(args.file, newline="", encoding="utf-8-sig") as file:
            header = next(csv.reader(file, skipinitialspace=True), None)
    except (OSError, UnicodeDecodeError, csv.Error):
        return  # load_table's own refusal says what is wrong with the file
    left_out = [args.label] if isinstance(args.label, str) else args.label or []
    names = [name.strip() for name in header or () if name.strip() not in left_out]
    if all(names):  # an unnamed column is an index, perhaps, which load_table names
        _columns_of(model, argparse.Namespace(feature_names=names, X=None), args.file)


def _check_left_out(table, args):
    """Refuse a ``--label`` that names nothing in the file: a typo would keep the column in."""
    if args.label is None or table.y is not None:
        return
    suffix = Path(args.file).suffix.lower()
    if suffix == ".npy":
        raise ValueError(f"{args.file} is a .npy array, without named columns: leave out --label.")
    if suffix == ".npz":
        raise ValueError(f"{args.file} holds no array {args.label!r}: leave out --label.")
    names = [args.label] if isinstance(args.label, str) else args.label
    raise ValueError(
        f"{args.file} has no column{'s' if len(names) > 1 else ''} "
        f"{', '.join(map(repr, names))} to leave out; its columns "
        f"are {_names(table.feature_names)}."
    )


def _prediction_file(path, predicted, label):
    """The bytes of ``path``: CSV for a ``.csv`` name, a ``.npz`` archive for ``.npz``, NumPy's
    ``.npy`` format for any other.

    The CSV has a header (the model's targets' names or the label columns',
    one per output, or the name, or ``prediction``, numbered for several
    outputs) and a row per
    prediction; the archive holds one array ``y``, the name a ``.npz`` data
    file's labels have.
    """
    suffix = Path(path).suffix.lower()
    if suffix != ".csv":
        labels = io.BytesIO()
        # To memory: np.save and np.savez would add their suffix to the name.
        if suffix == ".npz":
            np.savez(labels, y=predicted)
        else:
            np.save(labels, predicted)
        return labels.getvalue()
    rows = np.asarray(predicted).reshape(len(predicted), -1)
    if isinstance(label, list) and len(label) == rows.shape[1]:
        header = label  # one name for each output, in their order
    else:
        name = label if isinstance(label, str) else "prediction"
        header = [name] if rows.shape[1] == 1 else [f"{name}_{j}" for j in range(rows.shape[1])]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows.tolist())  # Python's repr of floats: every digit, read back exactly
    return text.getvalue().encode("utf-8")


def _list_plugins(args):
    """Every plugin by kind; one that cannot be loaded is shown with why, not the end of the list.

    Exits 1 when an entry point of the plugins' group cannot be loaded or is
    ignored (a misspelt kind, a built-in's name), so that a plugin's author
    sees the fault with everything else listed.
    """
    faults = 0
    for kind in plugins.kinds():
        print(f"{kind}:")
        for name in plugins.available(kind):
            try:
                params = plugins.get(kind, name).get_params()
            except Exception as exc:  # another package's plugin: any fault of its code
                print(f"  {name}  (cannot be loaded: {exc})")
                faults += 1
                continue
            shown = ", ".join(f"{k}={v!r}" for k, v in params.items())
            print(f"  {name}" + (f"({shown})" if shown else ""))
    for entry, reason in plugins.ignored_entry_points():
        print(f"Ignored the entry point {entry!r}: {reason}.", file=sys.stderr)
        faults += 1
    return 1 if faults else 0


# -- compare -------------------------------------------------------------------


def _comparison_estimators(args, n_full):
    return comparison.book_estimators(
        args.estimators, n_full, hidden=args.hidden, initializer=args.initializer
    )


def _check_networks(estimators, n_features, n_classes):
    """The networks' parameters, size and memory, before the header."""
    for estimator in estimators.values():
        if isinstance(estimator, NielsenMLPClassifier):
            check_params(estimator, n_features=n_features, n_outputs=n_classes)


#: What makes two runs of ``compare`` the same study (the other flags only run it).
_STUDY_KEYS = ("dataset", "sizes", "seeds", "subset", "scale_rule", "estimators")


def _earlier_run(args, output):
    """The records of this study's earlier run in its folder; another study's refused.

    The same study run again into its folder replaces its results, as a
    re-run means to, job by job (:class:`~sknielsen.comparison.StudyOutput`'s
    ``earlier``): stopped halfway, it leaves the whole study. Another
    study's results (other data, sizes, seeds or estimators: minutes of work
    on MNIST) would be lost: refused unless told to, with --resume or --force.
    """
    # A results file that is no regular file (a FIFO, a folder) is check_outputs' to refuse.
    if args.resume or args.force or not output.json_path.is_file():
        return []
    try:
        earlier = json.loads(output.json_path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError, OSError):
        earlier = None
    if isinstance(earlier, dict) and all(
        earlier.get(key) == output.metadata[key] for key in _STUDY_KEYS
    ):
        records = earlier.get("records")
        return [r for r in records if _is_record(r)] if isinstance(records, list) else []
    raise ValueError(
        f"{args.out} already holds the results of another study (comparison.json): "
        "--resume to continue it, --force to replace it, or --out another folder."
    )


def _is_record(record):
    """Whether ``record`` names the job it is the result of."""
    return isinstance(record, dict) and all(key in record for key in ("estimator", "size", "seed"))


def _check_network_flags(args):
    """Refuse the network's flags for a study that runs no network.

    ``--hidden``, ``--initializer`` and ``--no-scale-rule`` set the network
    alone: without ``network`` in ``--estimators`` they were accepted and
    ignored.
    """
    if "network" in args.estimators:
        return
    typed = getattr(args, "typed", ())
    given = [flag for flag in ("--hidden", "--initializer") if flag[2:] in typed]
    if args.no_scale_rule:
        given.append("--no-scale-rule")
    if given:
        flag = given[0]
        raise ValueError(
            f"argument {flag}: it sets the network, and --estimators "
            f"{' '.join(args.estimators)} runs none: leave {flag} out, or add network to "
            "--estimators."
        )


def _study(args, held):
    """What ``compare`` runs: the study's arguments, checked, and its output folder.

    The output holds its folder from when it is made, before its earlier
    results are judged, until ``held`` (an ExitStack) closes it.
    """
    comparison.check_backend(args.backend, args.scheduler)
    _check_network_flags(args)
    with _file_of("--out"):
        output = held.enter_context(comparison.StudyOutput(args.out))
    try:
        study = _checked_study(args, output)
        output.earlier = _earlier_run(args, output)
    except BaseException:
        output.remove_unused_folders()  # a refused study leaves no empty --out behind
        raise
    return study, output


def _checked_study(args, output):
    """The study's arguments, checked against the data, before any output."""
    data = _load(args, hold_out_validation=False)
    default = comparison.DIGITS_SIZES if args.dataset == "digits" else comparison.BOOK_SIZES
    estimators = _comparison_estimators(args, len(data.y_train))
    # Refused here, before the header, rather than by the study after it.
    try:
        sizes, _ = comparison.check_plan(
            data.y_train, args.train_sizes or default, range(args.seeds), args.subset
        )
    except ValueError as exc:
        if args.train_sizes is None:
            raise
        raise ValueError(f"argument --train-sizes: {exc}") from None
    with _named_by_flag(args):
        _check_networks(estimators, data.X_train.shape[1], len(np.unique(data.y_train)))
    with _file_of("--out"):
        previous = output.read_previous() if args.resume else []
    output.records = list(previous)
    output.metadata = {
        "command": "python -m sknielsen " + " ".join(args.argv),
        "dataset": args.dataset,
        "sizes": sizes,
        "seeds": list(range(args.seeds)),
        "subset": args.subset,
        "scale_rule": not args.no_scale_rule,
        "estimators": {name: repr(est) for name, est in estimators.items()},
    }
    study = {
        "estimators": estimators,
        "X_train": data.X_train,
        "y_train": data.y_train,
        "X_test": data.X_test,
        "y_test": data.y_test,
        "sizes": sizes,
        "seeds": range(args.seeds),
        "subset": args.subset,
        "scale_rule": not args.no_scale_rule,
        "eval_sets": {} if data.X_val is None else {"validation": (data.X_val, data.y_val)},
        "n_jobs": args.n_jobs,
        "previous": previous,
        "deterministic": [name for name in estimators if name.startswith("SVC")],
    }
    return study


def _compare(args):
    with contextlib.ExitStack() as held:
        return _run_compare(args, *_study(args, held))


def _run_compare(args, study, output):
    """Run the checked study into its held folder, and say what it found."""
    workers = comparison.study_workers(args.backend, args.n_jobs, args.scheduler)

    def header(done, total):
        # Printed once the study has accepted its arguments and earlier records.
        if args.resume:
            print(f"Resuming: {len(study['previous'])} finished jobs read from {output.json_path}")
        print(
            f"Comparing {', '.join(study['estimators'])} on {args.dataset} "
            f"({len(study['y_train']):,} training, {len(study['y_test']):,} test examples), "
            f"sizes {study['sizes']}, {args.seeds} seed(s), "
            f"{workers} job{'s' if workers > 1 else ''} at a time"
        )

    try:
        with (
            comparison.study_backend(args.backend, args.n_jobs, args.scheduler, report=print),
            _file_of("--out", within=output.folder),
        ):
            result = comparison.run_study(
                {**study, "on_start": header}, output, workers=workers, on_result=_progress
            )
    except BaseException:
        output.remove_unused_folders()
        raise
    if result.interrupted:
        return _interrupted(result, study, output)
    for category, message, count in result.warnings:
        print(f"warning{f' ({count} times)' if count > 1 else ''}: {category}: {message}")
    summary = comparison.summarize(result.records)
    with _file_of("--out"):
        output.write_summary(summary)
    notes = [comparison.gamma_note(study["estimators"], study["X_train"])]
    _print_summary(summary, notes, study["deterministic"])
    figures, reason = output.write_figures(f"{args.dataset}: accuracy vs training-set size")
    if reason:
        print(f"No figures: {reason}")
    print("Wrote " + ", ".join(str(p) for p in [output.json_path, output.csv_path, *figures]))
    if result.timing is not None:
        print(_timing_text(result.timing))
    print(f"Finished in {time.perf_counter() - output.started:.1f} s.")
    return 0


def _interrupted(result, study, output):
    """Say what Ctrl-C kept, and return the exit code 130."""
    if len(result.records) > len(study["previous"]):
        kept = f"the {len(result.records)} finished jobs are in {output.json_path}"
        earlier = len(output.kept_earlier())
        if earlier:
            others = f"{earlier} other{'s' if earlier > 1 else ''}"
            kept += f", beside the earlier run's {others}; rerun to replace them all"
        else:
            kept += "; rerun with --resume to finish"
        print(f"interrupted: {kept}", file=sys.stderr)
        return 130
    output.remove_unused_folders()  # the empty --out this run made
    kept = (
        f"{output.json_path} is as it was" if output.json_path.exists() else "nothing was written"
    )
    print(f"interrupted before any job finished: {kept}", file=sys.stderr)
    return 130


def _timing_text(timing):
    """The jobs' wall time against the shortest any schedule could reach.

    On one worker there is no schedule to judge (the jobs run one after the
    other), so only the times are given.
    """
    if timing.workers == 1:
        return (
            f"The jobs ran in {timing.wall_seconds:.1f} s on 1 worker; their fits and "
            f"predictions took {timing.job_seconds:.1f} s, the longest "
            f"({timing.longest_job}) {timing.critical_path_seconds:.1f} s."
        )
    workers = f"{timing.workers} workers"
    return (
        f"The jobs ran in {timing.wall_seconds:.1f} s on {workers}, "
        f"{timing.ratio:.2f} × the least they could take: the longest job "
        f"({timing.longest_job}) took {timing.critical_path_seconds:.1f} s, all jobs "
        f"{timing.job_seconds:.1f} s "
        f"({timing.job_seconds / timing.workers:.1f} s a worker)."
    )


def _progress(record, done, total, seconds_left):
    """One line per finished job, with the time the study has left."""
    left = "" if seconds_left is None else f", {comparison.time_left_text(seconds_left)}"
    print(
        f"  [{done}/{total}] {record['estimator']} N={record['size']:,} "
        f"seed={record['seed']}: {record['accuracy_test']:.2%} test, "
        f"fit {record['fit_seconds']:.1f} s{left}",
        flush=True,
    )


def _print_summary(summary, notes=(), deterministic=()):
    """The table (mean ± spread over seeds; single runs alone), notes and conclusions."""
    print()
    print(
        f"{'estimator':20} {'N':>7} {'runs':>4} {'test accuracy':>22} {'fit s':>8} {'predict s':>9}"
    )
    for row in summary:
        spread = f" ± {row['std']:.2%}" if row["n_seeds"] > 1 else " " * 9
        print(
            f"{row['estimator']:20} {row['size']:>7,} {row['n_seeds']:>4} "
            f"{row['mean']:>13.2%}{spread} {row['fit_seconds']:>8.2f} "
            f"{row['predict_seconds']:>9.2f}"
        )
    # Said of the estimators run once by design, and only when others ran more.
    single = sorted({r["estimator"] for r in summary if r["estimator"] in deterministic})
    if single and any(r["n_seeds"] > 1 for r in summary):
        print(
            f"{' and '.join(single)}: deterministic, so run once per size; the network's "
            "rows give the mean ± standard deviation over its seeds."
        )
    for note in notes:
        if note:
            print(note)
    print()
    for sentence in comparison.conclusions(summary):
        print(sentence)
    print()


# -- book ----------------------------------------------------------------------


def _book_list(args):
    for name, record in book.RECORDS.items():
        print(f"{name:26} fig/{record.script:25} {record.description}")
    return 0


def _book_replay(args):
    if args.plot:  # refused before the replay, not after it
        with _file_of("--plot"):
            check_outputs(args.plot)
            plotting.check_figure_path(args.plot)
    result = book.replay(args.name, args.data_dir, epochs=args.epochs, download=args.download)
    for line in result.lines():
        print(line)
    print(result.summary())
    if args.plot:
        with _file_of("--plot"):
            book.plot_replay(result, args.plot)
        print(f"Wrote {args.plot}")
    return 0 if result.agrees else 1


# -- files named by arguments ---------------------------------------------------


@contextlib.contextmanager
def _file_of(argument, within=None):
    """Name ``argument`` in the errors of the file or folder it gave, as argparse names its own.

    Python's "[Errno 2] No such file or directory: 'x'" and the package's
    "Cannot read x: it is a FIFO ..." named a path, never the argument the
    user typed it with. A message that names its argument already is kept.
    With ``within``, a folder, only the OSErrors of its files are named: a
    study writes into its folder as each job finishes, and the jobs between
    those writes read other files (a data set, joblib's temporary folder)
    whose errors are not the output's.
    """
    try:
        yield
    except BrokenPipeError:
        raise  # the reader of our output stopped: main ends quietly
    except (OSError, ValueError) as exc:
        if within is not None and not (
            isinstance(exc, OSError) and _is_within(exc.filename, within)
        ):
            raise
        text = _os_error_text(exc) if isinstance(exc, OSError) else " ".join(str(exc).split())
        if text.startswith("argument "):
            raise
        # A ValueError, as main reports every user error: one line, exit code 2.
        raise ValueError(f"argument {argument}: {text}") from None


def _is_within(filename, folder):
    """Whether the path ``filename`` (None when an error names none) lies in ``folder``."""
    if filename is None:
        return False
    return Path(os.fsdecode(filename)).resolve().is_relative_to(Path(folder).resolve())


def _os_error_text(exc):
    """An OSError in words, without Python's "[Errno 2]": "no such file 'x'"."""
    if exc.strerror is None or exc.filename is None:
        return str(exc)  # the package's own words, which name the path
    if exc.strerror != os.strerror(exc.errno):
        return f"{exc.strerror}: {exc.filename!r}"  # the package's, such as "Cannot write there"
    if exc.errno == errno.ENOENT:
        return f"no such file {exc.filename!r}"
    return f"{exc.strerror[:1].lower()}{exc.strerror[1:]}: {exc.filename!r}"


def _check_outputs(outputs, inputs=()):
    """Refuse, before any long work, outputs that cannot be written, naming each one's flag.

    ``outputs`` maps flags to the paths they gave (None where not given).
    Each is checked with those before it, so that one naming the same file
    as an earlier one, or an input, is refused under its own flag.
    """
    paths = []
    for flag, path in outputs.items():
        if path is not None:
            paths.append(path)
            with _file_of(flag):
                check_outputs(*paths, inputs=inputs)


# -- parsing -------------------------------------------------------------------


class UsageError(Exception):
    """A command line that argparse refuses, reported in one line like every user error."""


class _Parser(argparse.ArgumentParser):
    """argparse's parser, raising :class:`UsageError` instead of printing usage and exiting."""

    def error(self, message):
        raise UsageError(f"{message} (see {self.prog} --help)")


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Each flag's default, once: not when its help already says it, nor when there is none.

    Text defaults are quoted and lists shown as they are typed:
    ``(default: 'sgd')``, ``(default: training_cost validation_accuracy)``.
    """

    def _get_help_string(self, action):
        if hasattr(action, "help_string"):  # decided from the action as declared
            return action.help_string
        text = action.help or ""
        unset = action.default is None or action.default is False
        if unset or action.default is argparse.SUPPRESS or not action.option_strings:
            return text
        return text if "default" in text.lower() else text + " (default: %(default)s)"

    def _expand_help(self, action):
        shown = copy.copy(action)
        shown.help_string = self._get_help_string(action)
        if isinstance(action.default, list):
            shown.default = _as_typed(action.default)
        elif isinstance(action.default, str):
            shown.default = repr(action.default)
        return super()._expand_help(shown)


def _as_typed(values):
    """A list as it is typed on the command line: ``100 200 500``."""
    return " ".join(map(str, values))


def _path(text):
    """A file or folder named on the command line: an empty one would mean the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"must name a file or folder; got {text!r}")
    return _home(text)


def _home(text):
    """``text`` with a leading ``~`` expanded, as the shell would have.

    The shell leaves ``--out=~/study`` as it is (it expands ``~`` at a word's
    start only): unexpanded, the study went to a new folder named ``~``.
    """
    return os.path.expanduser(text)


def _integer(text):
    """A whole number from the command line, or None."""
    try:
        return int(text)
    except ValueError:
        return None


def _positive_int(text):
    value = _integer(text)
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {text!r}")
    return value


#: The largest seed NumPy's RandomState takes.
MAX_RANDOM_STATE = 2**32 - 1


def _seed(text):
    """A ``--random-state``: the estimators' alternatives (None, a RandomState) cannot be typed."""
    value = _integer(text)
    if value is None or not 0 <= value <= MAX_RANDOM_STATE:
        raise argparse.ArgumentTypeError(
            f"must be an integer from 0 to {MAX_RANDOM_STATE:,}; got {text!r}"
        )
    return value


#: More seeds than any study needs; a bound keeps a typo from exhausting memory.
MAX_SEEDS = 10_000


def _seed_count(text):
    value = _positive_int(text)
    if value > MAX_SEEDS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_SEEDS:,}; got {text!r}")
    return value


def _n_jobs(text):
    """joblib's n_jobs: a positive count, or −1 for every CPU (−2 all but one, …)."""
    value = _integer(text)
    if value is None or value == 0:
        raise argparse.ArgumentTypeError(
            f"must be a non-zero integer (-1: every CPU); got {text!r}"
        )
    return value


#: What ``--dataset`` reads besides the built-in names.
DATA_FILES = (".csv", ".npz")


def _dataset(text):
    """A built-in data set's name, or a CSV or ``.npz`` file of the user's."""
    if text in datasets.DATASETS:
        return text
    if Path(text).suffix.lower() in DATA_FILES:
        return _home(text)
    raise argparse.ArgumentTypeError(
        f"invalid choice: {text!r} (choose from {', '.join(datasets.DATASETS)}, or a "
        f"{' or '.join(DATA_FILES)} file)"
    )


class _Typed(argparse.Action):
    """Stores a flag's value, as argparse does, and notes that it was typed (``args.typed``).

    Messages then say "(the default)" only of a value that was not typed.
    """

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        namespace.typed = {*getattr(namespace, "typed", ()), self.dest}


class _List(_Typed):
    """Stores a list flag's values, as :class:`_Typed` does; the flag given twice is refused.

    argparse kept the last list silently: ``--hidden 20 --hidden 10`` trained
    one hidden layer of 10, where two were meant, or one of 20.
    """

    def __call__(self, parser, namespace, values, option_string=None):
        if self.dest in getattr(namespace, "typed", ()):
            earlier = _as_typed(getattr(namespace, self.dest))
            raise argparse.ArgumentError(
                self,
                f"given twice ({earlier}, then {_as_typed(values)}): give every value after "
                f"one {option_string}, as in {option_string} {earlier} {_as_typed(values)}",
            )
        super().__call__(parser, namespace, values, option_string)


def _default_note(args, dest):
    """ " (the default)" when the flag of ``dest`` was not typed, else nothing."""
    return "" if dest in getattr(args, "typed", ()) else " (the default)"


class _Columns(argparse.Action):
    """Stores a column's name, or the list of several given one flag each.

    argparse kept the last of several silently: two target columns were read
    as one. One name stays a string (one label a row), as
    :func:`~sknielsen.datasets.load_table` reads it; a name given twice is
    refused, a typo.
    """

    def __call__(self, parser, namespace, values, option_string=None):
        given = getattr(namespace, self.dest)
        names = [] if given is None else [given] if isinstance(given, str) else given
        if values in names:
            raise argparse.ArgumentError(self, f"{values!r} given twice: name each column once")
        setattr(namespace, self.dest, values if given is None else [*names, values])


class _Deprecated(argparse.Action):
    """An old spelling of a flag: stores under the new name and says so on stderr."""

    def __init__(self, option_strings, dest, new_flag, **kwargs):
        self.new_flag = new_flag
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"warning: {option_string} is deprecated here; use {self.new_flag}", file=sys.stderr)
        setattr(namespace, self.dest, values)


def _command(commands, name, help_text):
    """A subcommand whose --help shows every flag's default."""
    return commands.add_parser(
        name, help=help_text, description=help_text, formatter_class=_HelpFormatter
    )


def _data_flags(command, *, files=True):
    command.add_argument(
        "--dataset",
        action=_Typed,
        type=_dataset if files else None,
        choices=None if files else datasets.DATASETS,
        default="digits",
        help="the data set: "
        + ", ".join(datasets.DATASETS)
        + (", or a .csv or .npz file of yours (see --label)" if files else ""),
    )
    if files:
        command.add_argument(
            "--label",
            action=_Columns,
            metavar="COLUMN",
            default=None,
            help="the label column of a .csv --dataset (needed; once per column for several "
            "targets a row, such as a multilabel classifier's or a regressor's outputs), or the "
            "label array of a .npz, 2-D for several targets a row (default: 'y')",
        )
    _idx_flags(command)


def _idx_flags(command):
    """``--data-dir`` and ``--download``, said alike by every command that reads IDX files."""
    command.add_argument(
        "--data-dir",
        default=None,
        type=_path,
        help="folder of the IDX files (default: $SKNIELSEN_DATA, else ~/.sknielsen/mnist, for "
        "MNIST; /usr/share/datasets/fashion-mnist for Fashion-MNIST)",
    )
    command.add_argument(
        "--download",
        action="store_true",
        help="fetch MNIST into the data folder when its files are missing",
    )


def _estimators_default(name):
    """How ``--help`` states a flag's default that is the estimator's own: "0.5; 0.01 with ..."."""
    classifier = NielsenMLPClassifier().get_params()[name]
    regressor = NielsenMLPRegressor().get_params()[name]
    return f"(default: {classifier!r}; {regressor!r} with --regressor)"


def _train_flags(train):
    _data_flags(train)
    train.add_argument(
        "--regressor",
        action="store_true",
        help="fit a NielsenMLPRegressor to the real-number targets of a .csv or .npz --dataset "
        "(an output for each --label column, or column of a 2-D y) and score it by R², "
        "instead of a classifier; --cost and --eta left out are the regressor's",
    )
    layers = train.add_mutually_exclusive_group()
    layers.add_argument(
        "--layers",
        type=_positive_int,
        nargs="+",
        metavar="N",
        dest="layers",
        action=_List,
        help="every layer's size as the book writes them, e.g. 784 30 10",
    )
    layers.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        metavar="N",
        dest="layers",
        action=_Deprecated,
        new_flag="--layers",
        help=argparse.SUPPRESS,
    )
    # One or the other: --layers used to win silently over sizes typed with --hidden.
    layers.add_argument(
        "--hidden",
        type=_positive_int,
        nargs="*",
        default=[30],
        metavar="N",
        action=_List,
        help="hidden layer sizes, when --layers is not given",
    )
    train.add_argument(
        "--cost",
        default=None,  # the estimator's own: the classifier's and the regressor's differ
        help="cost plugin (python -m sknielsen plugins lists them) " + _estimators_default("cost"),
    )
    for flag, default, text in [
        ("--activation", "sigmoid", "activation of the hidden neurons"),
        ("--initializer", "default", "weight initializer ('large' is chapter 1's N(0, 1))"),
        ("--regularizer", "l2", "weight penalty: none, l2 or l1"),
        ("--optimizer", "sgd", "optimizer plugin"),
    ]:
        train.add_argument(flag, default=default, help=text)
    _train_number_flags(train)
    _train_output_flags(train)


def _train_number_flags(train):
    for flag, kind, default, text in [
        ("--lmbda", float, 0.0, "regularization parameter λ (the book's λ/n scaling)"),
        (
            "--mu",
            float,
            None,
            "momentum coefficient of --optimizer momentum or nesterov (default: the "
            "optimizer's own, 0.9)",
        ),
        ("--eta", float, None, "learning rate η " + _estimators_default("eta")),
        ("--mini-batch-size", int, 10, "samples per gradient step"),
        ("--epochs", int, 30, "passes over the training data (the most, when stopping early)"),
        ("--dropout", float, 0.0, "chance of dropping each hidden neuron, per training sample"),
        (
            "--early-stopping",
            _positive_int,
            None,
            "stop after N epochs without a better validation accuracy (a regressor's R²), "
            "keeping the best weights (default: train every epoch)",
        ),
        ("--random-state", _seed, 0, "seed of the weights, the shuffling and dropout"),
    ]:
        # _Typed: a --mini-batch-size typed for a full-batch optimizer is refused.
        train.add_argument(flag, type=kind, default=default, help=text, action=_Typed)


def _train_output_flags(train):
    train.add_argument(
        "--schedule",
        choices=["constant", "halve_on_plateau"],
        default="constant",
        help="learning-rate schedule",
    )
    train.add_argument(
        "--dtype",
        choices=["float64", "float32"],
        default="float64",
        help="floating-point type of the whole computation",
    )
    train.add_argument(
        "--monitor",
        nargs="+",
        default=["training_cost", "validation_accuracy"],
        # Checked here, as --schedule's are: the estimator's refusal named no flag.
        choices=[*callbacks.MONITORS, "all"],
        metavar="NAME",
        action=_List,
        help=f"what to record each epoch: {', '.join(callbacks.MONITORS)}, or 'all'",
    )
    train.add_argument(
        "--monitor-test",
        action="store_true",
        help="monitor (and stop on) the test set, as the book's chapter 3 "
        "does, instead of the validation split, which the digits and files then do "
        "not hold out (the table's 'valid' columns are the test set's)",
    )
    train.add_argument("--save", type=_path, metavar="PATH", help="save the trained model as JSON")
    train.add_argument(
        "--history",
        type=_path,
        metavar="PATH",
        help="save the per-epoch history: CSV for a .csv name, JSON for any other (a "
        "regressor's accuracy keys hold its R²)",
    )
    train.add_argument(
        "--plot", type=_path, metavar="PATH", help="plot the history to an image file"
    )


def _compare_flags(compare):
    _data_flags(compare, files=False)
    sizes = compare.add_mutually_exclusive_group()
    sizes.add_argument(
        "--train-sizes",
        type=_positive_int,
        nargs="+",
        metavar="N",
        dest="train_sizes",
        action=_List,
        help="training-set sizes to compare at (default: the book's "
        f"{_as_typed(comparison.BOOK_SIZES)}, or {_as_typed(comparison.DIGITS_SIZES)} on the "
        "digits)",
    )
    sizes.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        metavar="N",
        dest="train_sizes",
        action=_Deprecated,
        new_flag="--train-sizes",
        help=argparse.SUPPRESS,
    )
    compare.add_argument(
        "--seeds", type=_seed_count, default=3, help="number of seeds (0, 1, ...) of the network"
    )
    _compare_run_flags(compare)
    _compare_study_flags(compare)


def _compare_run_flags(compare):
    compare.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=None,
        help="jobs run at once (-1: every CPU) (default: 1, or 2 workers of the local dask "
        "cluster of --backend dask)",
    )
    compare.add_argument(
        "--backend",
        choices=["local", "dask"],
        default="local",
        help="run the jobs here (joblib), or on a dask cluster through "
        "joblib's dask backend (the [distributed] extra)",
    )
    compare.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="address of the dask scheduler; without one, a local cluster of --n-jobs "
        "workers is started",
    )
    compare.add_argument(
        "--out",
        type=_path,
        default="comparison-results",
        metavar="DIR",
        help="folder for the JSON, CSV and figures; one that holds another study's "
        "results is refused without --resume or --force",
    )
    earlier = compare.add_mutually_exclusive_group()
    earlier.add_argument(
        "--resume", action="store_true", help="skip the jobs already in DIR/comparison.json"
    )
    earlier.add_argument(
        "--force",
        action="store_true",
        help="replace another study's results in DIR (comparison.json, its CSV and figures)",
    )


def _compare_study_flags(compare):
    compare.add_argument(
        "--subset",
        choices=["first", "random", "stratified"],
        default="first",
        help="the first N examples (the book's choice), or N drawn with each "
        "seed ('random' stratifies when it can)",
    )
    compare.add_argument(
        "--estimators",
        nargs="+",
        choices=list(comparison.ESTIMATOR_LABELS),
        default=["network", "svc-auto", "svc"],
        action=_List,
        help="what to compare",
    )
    # _Typed: the network's flags are refused for a study of no network.
    compare.add_argument(
        "--hidden",
        type=_positive_int,
        nargs="*",
        default=[30],
        metavar="N",
        action=_List,
        help="hidden layer sizes of the network",
    )
    compare.add_argument(
        "--initializer",
        default="default",
        action=_Typed,
        help="'large' is the N(0,1) of the book's figure",
    )
    compare.add_argument(
        "--no-scale-rule",
        action="store_true",
        help="keep epochs and lmbda fixed instead of the book's scaling",
    )


def _book_commands(commands):
    parser = _command(commands, "book", "replay the book's recorded chapter 3 runs")
    actions = parser.add_subparsers(dest="book_command", required=True, metavar="{list,replay}")
    _command(actions, "list", "the records that can be replayed").set_defaults(func=_book_list)
    replaying = _command(actions, "replay", "replay a record, epoch by epoch beside it")
    replaying.add_argument("name", metavar="NAME", help="a record, as `book list` shows")
    _idx_flags(replaying)
    replaying.add_argument(
        "--epochs",
        type=_positive_int,
        default=None,
        help="stop after this many epochs in all, for a quick check (default: every epoch)",
    )
    # _path: an empty PATH skipped the figure silently, after the whole replay.
    replaying.add_argument(
        "--plot", type=_path, metavar="PATH", help="draw the replay over the record"
    )
    replaying.epilog = (
        "Exits 0 when the replay agrees with the record, 1 when it does not, 2 when it cannot run."
    )
    replaying.set_defaults(func=_book_replay)


def _predict_command(commands):
    predict = _command(
        commands,
        "predict",
        "labels (a regressor's values; a row of them for several outputs) of the rows of "
        "a .npy, .npz or .csv file",
    )
    predict.add_argument("model", metavar="MODEL", type=_path, help="a file written by --save")
    predict.add_argument(
        "file", metavar="FILE", type=_path, help="one sample per row: .npy, .npz (array X) or .csv"
    )
    predict.add_argument(
        "--label",
        action=_Columns,
        metavar="COLUMN",
        default=None,
        help="a column of a .csv file to leave out (once per column), whose name heads the "
        "--out CSV's predictions of a model that names no targets of its own",
    )
    predict.add_argument(
        "--out",
        type=_path,
        metavar="PATH",
        help="write the predictions here: CSV for a .csv name, an archive of one array y "
        "for .npz, else NumPy's .npy format",
    )
    predict.set_defaults(func=_predict)


def _parser(prog="python -m sknielsen"):
    parser = _Parser(
        prog=prog,
        description="Nielsen's neural networks, as a scikit-learn classifier or regressor. "
        "With no subcommand, runs 'compare' on scikit-learn's digits (the book's "
        "network-versus-SVM figure); flags without a subcommand are compare's.",
    )
    parser.add_argument("--version", action="version", version=f"sknielsen {__version__}")
    commands = parser.add_subparsers(dest="command")
    _train_flags(_command(commands, "train", "train a network with the book's settings"))
    commands.choices["train"].set_defaults(func=_train)
    evaluate = _command(
        commands, "evaluate", "accuracy (a regressor's R²) of a saved model on a data set"
    )
    evaluate.add_argument("model", metavar="MODEL", type=_path, help="a file written by --save")
    _data_flags(evaluate)
    evaluate.set_defaults(func=_evaluate)
    _predict_command(commands)
    compare = _command(
        commands, "compare", "network vs SVM as the training set grows (the book's figure)"
    )
    _compare_flags(compare)
    compare.set_defaults(func=_compare)
    _command(commands, "plugins", "list every registered plugin").set_defaults(func=_list_plugins)
    _book_commands(commands)
    return parser


#: Top-level arguments that are not compare's flags.
_TOP_LEVEL = ("-h", "--help", "--version")


def _parse(argv, prog="python -m sknielsen"):
    """The parsed command line; flags without a subcommand are the default ``compare``'s."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in _TOP_LEVEL):
        argv = ["compare", *argv]
    parser = _parser(prog)
    args, extra = parser.parse_known_args(argv)
    if extra:
        # argparse's own message pointed at the top-level --help, which lists no
        # subcommand's flags.
        command = " ".join(filter(None, (args.command, getattr(args, "book_command", None))))
        raise UsageError(f"unrecognized arguments: {' '.join(extra)} (see {prog} {command} --help)")
    args.argv = argv
    return args


def main(argv=None, prog="python -m sknielsen"):
    """Run the command line; return the exit code.

    A user error (a bad flag or value, a file that cannot be read or
    written, a data set not found, ...) prints one line on stderr and
    returns 2; Ctrl-C returns 130; a reader that closes the output early
    (``| head``) ends it quietly with 141.

    Parameters
    ----------
    argv : list of str, optional
        The arguments; default ``sys.argv[1:]``.
    prog : str, default='python -m sknielsen'
        How usage and errors name the command.
    """
    try:
        args = _parse(argv, prog)
        return args.func(args)
    except BrokenPipeError:
        # The reader stopped (``| head``): end quietly, as Unix tools do. Python's
        # own advice: point stdout at the null device so that the flush at
        # exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (UsageError, ValueError, TypeError, OSError, ImportError, MemoryError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__  # one line
        # A network too large for this machine is the user's choice of sizes, not a bug.
        prefix = "not enough memory: " if isinstance(exc, MemoryError) else ""
        print(f"error: {prefix}{message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """A warning as a command line shows it: one line, no Python file or line number."""
    text = " ".join(str(message).split())
    print(f"warning: {category.__name__}: {text}", file=file or sys.stderr)


def run():
    """Entry point of the ``sknielsen`` console script and of ``python -m sknielsen``."""
    # A command's user typed no Python: a warning's file and line (runpy's, at best) mean
    # nothing to them.
    warnings.showwarning = _show_warning
    # Windows writes a redirected or piped stdout in the locale's code page (cp1252
    # has no λ or γ, which the help and the comparison's conclusions hold): such a
    # character is written as \u03bb, as Python writes it on stderr, rather than
    # ending the command with the codec's error.
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")
    name = os.path.basename(sys.argv[0])
    # The console script is named as it was typed; `python -m` runs this file.
    sys.exit(main(prog=name if name and not name.endswith(".py") else "python -m sknielsen"))


if __name__ == "__main__":
    run()
