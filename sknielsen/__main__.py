"""Command line: ``python -m sknielsen [compare|train|evaluate|predict|plugins|book] ...``.

With no arguments it runs ``compare``: the book's network against SVMs as
the training set grows, on scikit-learn's embedded digits (no files needed).
``train`` trains one network with the book's hyper-parameters as flags and
prints one line per epoch, as the book's program does.

A user error (a bad flag or value, a file that cannot be read or written, a
data set not found) is one line on stderr and exit code 2, never a
traceback; output files are checked before any training starts. Ctrl-C
exits with 130; ``compare`` keeps the jobs finished before it.
"""

import argparse
import contextlib
import csv
import io
import json
import os
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, plugins
from ._classifier import NielsenMLPClassifier
from ._core.files import (
    check_readable,
    check_writable,
    write_bytes_atomically,
    write_text_atomically,
)
from .engine._network import parameter_count
from .studies._book import add_book_command
from .studies._plotting import check_figure_format
from .utils import check_params

DATASETS = ("digits", "mnist", "fashion-mnist")


def _load_dataset(name, data_dir=None, *, hold_out_validation=True, download=False):
    """``(X_train, y_train, X_val, y_val, X_test, y_test, description)`` of a data set.

    Digits come with no validation set: a fifth of the training images is
    held out (stratified, fixed seed), as MNIST's last 10,000 are, unless
    ``hold_out_validation`` is False (the comparison study, which scores on
    the test set and keeps every training image); then X_val is None.
    ``download`` fetches missing MNIST files into ``data_dir``.
    """
    from sklearn.model_selection import train_test_split

    from . import datasets

    if name == "digits":
        d = datasets.load_digits_split(random_state=0)
        if not hold_out_validation:
            return (d.X_train, d.y_train, None, None, d.X_test, d.y_test, "scikit-learn's digits")
        X_train, X_val, y_train, y_val = train_test_split(
            d.X_train, d.y_train, test_size=0.2, random_state=0, stratify=d.y_train
        )
        return (
            X_train,
            y_train,
            X_val,
            y_val,
            d.X_test,
            d.y_test,
            "scikit-learn's digits (validation: a fifth of the training images)",
        )
    if name == "mnist":
        d = datasets.load_mnist(data_dir, download=download)
    elif download:
        raise ValueError("--download fetches MNIST only; for Fashion-MNIST give --data-dir.")
    else:
        d = datasets.load_fashion_mnist(data_dir)
    return d.X_train, d.y_train, d.X_val, d.y_val, d.X_test, d.y_test, name


def _check_outputs(*paths, inputs=()):
    """Refuse, before any long work, outputs that cannot be written or name one file twice.

    An output may name neither another output nor one of the ``inputs``,
    which writing it would destroy.
    """
    given = [path for path in paths if path is not None]
    targets = [check_writable(path) for path in given]
    if len(set(targets)) < len(targets):
        raise ValueError(f"Two outputs name the same file: {', '.join(map(str, given))}.")
    overwritten = set(targets) & {Path(os.path.realpath(path)) for path in inputs}
    if overwritten:
        raise ValueError(f"An output would overwrite an input: {', '.join(map(str, overwritten))}.")


def _hidden_sizes(args, n_features, n_classes):
    if args.layers is None:
        return tuple(args.hidden)
    if len(args.layers) < 2 or args.layers[0] != n_features or args.layers[-1] != n_classes:
        raise ValueError(
            f"--layers must start with the {n_features} inputs and end with the "
            f"{n_classes} classes of {args.dataset}; got {args.layers}."
        )
    return tuple(args.layers[1:-1])


def _network(args, hidden):
    """The classifier the ``train`` flags describe."""
    optimizer = args.optimizer
    if args.mu is not None:
        optimizer = plugins.get("optimizer", optimizer).set_params(mu=args.mu)
    # 'all' is the estimator's own word for every monitor, not one name among them.
    monitor = "all" if "all" in args.monitor else tuple(args.monitor)
    return NielsenMLPClassifier(
        hidden_layer_sizes=hidden,
        cost=args.cost,
        activation=args.activation,
        initializer=args.initializer,
        regularizer=args.regularizer,
        lmbda=args.lmbda,
        optimizer=optimizer,
        eta=args.eta,
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


def _write_training_outputs(net, args):
    if args.save:
        from .persistence import save

        save(net, args.save)
        print(f"Saved the model to {args.save}")
    if args.history:
        write_text_atomically(args.history, json.dumps(net.history_, indent=1))
        print(f"Saved the history to {args.history}")
    if args.plot:
        from .plotting import plot_history

        plot_history(net, args.plot)
        print(f"Saved the monitoring plot to {args.plot}")


def _train(args):
    _check_outputs(args.save, args.history, args.plot)
    if args.plot:
        check_figure_format(args.plot)
    X_train, y_train, X_val, y_val, X_test, y_test, description = _load_dataset(
        args.dataset, args.data_dir, download=args.download
    )
    n_classes = len(set(y_train.tolist()))
    hidden = _hidden_sizes(args, X_train.shape[1], n_classes)
    net = _network(args, hidden)
    sizes = [X_train.shape[1], *hidden, n_classes]
    _check_network_fits_in_memory(sizes, net.dtype)
    # Before the header: an error is the only line printed.
    check_params(net, n_features=X_train.shape[1], n_outputs=n_classes)
    print(
        f"Training {sizes} on {description}: {len(X_train):,} training images, "
        f"cost={args.cost}, eta={args.eta}, lmbda={args.lmbda}, "
        f"mini_batch_size={args.mini_batch_size}, epochs={args.epochs}"
    )
    if args.monitor_test:  # the book's practice: the test set as evaluation_data
        X_val, y_val = X_test, y_test
        print(
            "Monitoring the test set (--monitor-test): its accuracy is no longer a "
            "fair estimate once anything was chosen by watching it."
        )
    start = time.perf_counter()
    net.fit(X_train, y_train, X_val=X_val, y_val=y_val)
    seconds = time.perf_counter() - start
    print(
        f"Test accuracy {net.score(X_test, y_test):.2%} after {net.n_iter_} epochs "
        f"({seconds:.1f} s)."
    )
    _write_training_outputs(net, args)
    return 0


def _evaluate(args):
    from sklearn.base import is_classifier

    from .persistence import load

    model = load(args.model)  # refuses a FIFO, a device or a folder without blocking
    _, _, X_val, y_val, X_test, y_test, description = _load_dataset(
        args.dataset, args.data_dir, download=args.download
    )
    # Scored before anything is printed: a model of another dataset is refused alone.
    validation, test = model.score(X_val, y_val), model.score(X_test, y_test)
    print(f"{args.model} on {description}:")
    for name, score, n in (("validation", validation, len(y_val)), ("test", test, len(y_test))):
        # A regressor's score is R², a coefficient that may be negative, not a share.
        shown = f"accuracy {score:.2%}" if is_classifier(model) else f"R² {score:.4f}"
        print(f"  {name} {shown} ({n:,} images)")
    return 0


def _read_npy(path):
    """The array in a ``.npy`` file, one row per sample."""
    import numpy as np

    check_readable(path)
    try:
        X = np.load(path, allow_pickle=False)
    except (ValueError, EOFError) as exc:
        raise ValueError(f"{path} is not a NumPy .npy array of numbers: {exc}") from None
    if not isinstance(X, np.ndarray):
        X.close()
        raise ValueError(f"{path} is a .npz archive; give one .npy array.")
    return X[None, :] if X.ndim == 1 else X


def _predict(args):
    import numpy as np

    from .persistence import load

    _check_outputs(args.out, inputs=(args.model, args.file))
    model = load(args.model)
    predicted = model.predict(_read_npy(args.file))
    if args.out:
        labels = io.BytesIO()
        np.save(labels, predicted)  # to memory: np.save itself would add ".npy" to the name
        write_bytes_atomically(args.out, labels.getvalue())
        print(f"Wrote {len(predicted)} predictions to {args.out}")
    else:
        for label in predicted:
            print(label)
    return 0


# The book's figure: network [784, 30, 10] trained on the first N images.
BOOK_SIZES = [100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000]
DIGITS_SIZES = [50, 100, 200, 400, 800, 1198]


def _comparison_data(args):
    """Training pool, test set and extra evaluation sets of the chosen data set."""
    X_train, y_train, X_val, y_val, X_test, y_test, _ = _load_dataset(
        args.dataset, args.data_dir, hold_out_validation=False, download=args.download
    )
    eval_sets = {} if X_val is None else {"validation": (X_val, y_val)}
    return X_train, y_train, X_test, y_test, eval_sets


def _comparison_estimators(names, args, n_full):
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import SVC

    hidden = tuple(args.hidden)
    # The book's settings for the full set; the scaling rule adapts them per N.
    choices = {
        "network": lambda: NielsenMLPClassifier(
            hidden_layer_sizes=hidden,
            cost="cross_entropy",
            eta=0.5,
            mini_batch_size=10,
            epochs=30,
            lmbda=0.0001 * n_full,
            initializer=args.initializer,
        ),
        "svc-auto": lambda: SVC(gamma="auto"),
        "svc": lambda: SVC(),
        "mlp": lambda: MLPClassifier(hidden_layer_sizes=hidden, max_iter=200),
    }
    labels = {
        "network": "network",
        "svc-auto": "SVC(gamma='auto')",
        "svc": "SVC()",
        "mlp": "MLPClassifier",
    }
    return {labels[name]: choices[name]() for name in names}


@dataclass
class _StudyOutput:
    """The files a comparison writes in its folder, checked up front, and its records so far."""

    folder: Path
    metadata: dict = field(default_factory=dict)
    records: list = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    #: ``(estimator, size, seed)`` of every run of the study, for the time left.
    plan: list = field(default_factory=list)
    n_jobs: int = 1

    def __post_init__(self):
        # The folders made here, deepest first: a refused study removes them again.
        self.created = [f for f in (self.folder, *self.folder.parents) if not f.exists()]
        self.folder.mkdir(parents=True, exist_ok=True)
        self.json_path = self.folder / "comparison.json"
        self.csv_path = self.folder / "comparison.csv"
        self.figure_paths = {
            log: self.folder / f"comparison{'-log' if log else ''}.png" for log in (False, True)
        }
        try:
            _check_outputs(self.json_path, self.csv_path, *self.figure_paths.values())
        except BaseException:
            self.remove_unused_folders()
            raise

    def remove_unused_folders(self):
        """Remove the folders this study made, where nothing was written into them."""
        for folder in self.created:
            with contextlib.suppress(OSError):  # not empty: something was written
                folder.rmdir()

    def read_previous(self):
        """The records of an earlier run in this folder, for ``--resume``."""
        if not self.json_path.exists():
            return []
        try:
            document = json.loads(self.json_path.read_text(encoding="utf-8"))
        except (ValueError, RecursionError) as exc:
            raise ValueError(
                f"{self.json_path} is not a comparison's results ({exc}); remove it or "
                "drop --resume."
            ) from None
        records = document.get("records") if isinstance(document, dict) else None
        if not isinstance(records, list):
            raise ValueError(
                f"{self.json_path} holds no list of records; remove it or drop --resume."
            )
        return records

    def add(self, record, done, total):
        """Report one finished job, with the time left, and rewrite the results with it."""
        from . import comparison

        self.records.append(record)
        finished = {(r["estimator"], r["size"], r["seed"]) for r in self.records}
        remaining = [run for run in self.plan if run not in finished]
        seconds = comparison.estimate_seconds_left(self.records, remaining, self.n_jobs)
        left = f", {_time_left(seconds)}" if remaining and seconds is not None else ""
        print(
            f"  [{done}/{total}] {record['estimator']} N={record['size']:,} "
            f"seed={record['seed']}: {record['accuracy_test']:.2%} test, "
            f"fit {record['fit_seconds']:.1f} s{left}",
            flush=True,
        )
        self.save()

    def save(self):
        """Rewrite the results file with the records so far."""
        from . import comparison

        seconds = time.perf_counter() - self.started
        document = {
            **self.metadata,
            "seconds": seconds,
            "records": self.records,
            "summary": comparison.summarize(self.records),
        }
        write_text_atomically(self.json_path, json.dumps(document, indent=1))

    def write_summary(self, summary):
        """Write the per-(estimator, size) summary as CSV."""
        table = io.StringIO()
        writer = csv.DictWriter(table, fieldnames=list(summary[0]))
        writer.writeheader()
        writer.writerows(summary)
        write_text_atomically(self.csv_path, table.getvalue())


def _time_left(seconds):
    """The time left for a progress line: under 1 s, about 40 s, 3 min, 1 h 20 min."""
    if seconds < 1:
        return "under 1 s left"
    if seconds < 90:
        return f"about {seconds:.0f} s left"
    minutes = round(seconds / 60)
    duration = f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"
    return f"about {duration} left"


def _workers(args):
    """How many runs the study does at once: joblib's count for ``--n-jobs``, or the
    local dask cluster's workers (an external scheduler's are unknown: one)."""
    from joblib import effective_n_jobs

    if args.backend == "dask" and args.scheduler is None:
        return args.n_jobs or 2
    return effective_n_jobs(args.n_jobs) if args.backend == "local" else 1


def _print_summary(summary, gamma_note=None, deterministic=()):
    """The table (mean ± spread over seeds; single runs alone), notes and conclusions."""
    from . import comparison

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
    if gamma_note:
        print(gamma_note)
    print()
    for sentence in comparison.conclusions(summary):
        print(sentence)
    print()


def _gamma_note(estimators, X_train):
    """One line on why SVC(gamma='auto') collapses at small N, when it ran."""
    if "SVC(gamma='auto')" not in estimators:
        return None
    n_features = X_train.shape[1]
    ratio = 1.0 / float(X_train.var())
    return (
        f"SVC(gamma='auto') takes γ = 1/{n_features} (1/n_features), {ratio:.0f} times "
        "smaller than SVC()'s 1/(n_features·Var X) on these inputs: so wide a kernel, with "
        "C = 1, underfits when N is small."
    )


def _write_figures(records, output, dataset):
    """Write the two figures; return the paths written (none without matplotlib)."""
    from .plotting import plot_training_size_comparison

    title = f"{dataset}: accuracy vs training-set size"
    try:
        for log, path in output.figure_paths.items():
            plot_training_size_comparison(records, path, log=log, title=title)
    except ImportError as exc:  # matplotlib is imported when the first figure is drawn
        print(f"No figures: {exc}")
        return []
    return list(output.figure_paths.values())


def _check_backend(args):
    """Refuse backend flags that cannot work, before any work or output."""
    if args.backend == "local":
        if args.scheduler is not None:
            raise ValueError("--scheduler needs --backend dask.")
        return
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        raise ValueError(
            '--backend dask needs dask.distributed: pip install "sknielsen[distributed]".'
        ) from None


@contextlib.contextmanager
def _backend(args):
    """joblib's backend for the study: the default, or a dask cluster's (see _check_backend)."""
    if args.backend == "local":
        yield
        return
    import joblib
    from dask.distributed import Client, LocalCluster

    if args.scheduler is None:
        cluster = LocalCluster(
            n_workers=args.n_jobs or 2, threads_per_worker=1, dashboard_address=None
        )
        print(f"Started a local dask cluster of {len(cluster.workers)} workers.")
    else:
        cluster = None
    with Client(args.scheduler or cluster) as client:
        print(f"Running the jobs on the dask cluster at {client.scheduler.address}.")
        with joblib.parallel_backend("dask"):
            yield
    if cluster is not None:
        cluster.close()


def _run_study(output, study):
    """Run the comparison; on Ctrl-C keep the finished jobs and return None.

    Warnings raised during the jobs (scikit-learn's convergence warnings,
    say) are collected and summarized once at the end, not interleaved with
    the progress lines.
    """
    from . import comparison

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # The study turns Ctrl-C into this warning; here it ends the command.
        warnings.simplefilter("error", comparison.ComparisonInterrupted)
        # The network's own note that Ctrl-C cut its training short says nothing more.
        warnings.filterwarnings("ignore", "Training interrupted", UserWarning)
        try:
            records = comparison.training_size_comparison(**study, on_result=output.add)
        except comparison.ComparisonInterrupted:
            output.save()
            kept = f"the {len(output.records)} finished jobs are in {output.json_path}"
            print(f"interrupted: {kept}; rerun with --resume to finish", file=sys.stderr)
            return None
    _summarize_warnings(caught)
    return records


def _summarize_warnings(caught):
    """Print each distinct warning once, with how often it came."""
    counts = {}
    for warning in caught:
        first_line = str(warning.message).splitlines()[0] if str(warning.message) else ""
        key = (warning.category.__name__, first_line)
        counts[key] = counts.get(key, 0) + 1
    for (category, message), count in counts.items():
        times = f" ({count} times)" if count > 1 else ""
        print(f"warning{times}: {category}: {message}")


def _compare(args):
    _check_backend(args)
    output = _StudyOutput(Path(args.out))
    try:
        return _run_comparison(args, output)
    except BaseException:
        output.remove_unused_folders()  # a refused study leaves no empty --out behind
        raise


def _check_networks(estimators, n_features, n_classes):
    """Refuse, before the header, networks too large for memory or with bad parameters."""
    for estimator in estimators.values():
        if isinstance(estimator, NielsenMLPClassifier):
            _check_network_fits_in_memory(
                [n_features, *estimator.hidden_layer_sizes, n_classes], estimator.dtype
            )
            check_params(estimator, n_features=n_features, n_outputs=n_classes)


def _study_metadata(args, sizes, estimators):
    """What the results file says of the study that wrote it."""
    argv = sys.argv[1:] if args.argv is None else args.argv
    return {
        "command": "python -m sknielsen " + " ".join(argv),
        "dataset": args.dataset,
        "sizes": sizes,
        "seeds": list(range(args.seeds)),
        "subset": args.subset,
        "scale_rule": not args.no_scale_rule,
        "estimators": {name: repr(est) for name, est in estimators.items()},
    }


def _run_comparison(args, output):
    from . import comparison

    X_train, y_train, X_test, y_test, eval_sets = _comparison_data(args)
    sizes = args.train_sizes or (DIGITS_SIZES if args.dataset == "digits" else BOOK_SIZES)
    estimators = _comparison_estimators(args.estimators, args, len(y_train))
    # Refused here, before the header, rather than by the study after it.
    sizes, _ = comparison.check_plan(y_train, sizes, range(args.seeds), args.subset)
    _check_networks(estimators, X_train.shape[1], len(set(y_train.tolist())))
    previous = output.read_previous() if args.resume else []
    output.records = list(previous)
    output.metadata = _study_metadata(args, sizes, estimators)

    def header(done, total):
        # Printed once the study has accepted its arguments and earlier records.
        if args.resume:
            print(f"Resuming: {len(previous)} finished jobs read from {output.json_path}")
        print(
            f"Comparing {', '.join(estimators)} on {args.dataset} "
            f"({len(y_train):,} training, {len(y_test):,} test examples), sizes {sizes}, "
            f"{args.seeds} seed(s), n_jobs={args.n_jobs}"
        )

    study = {
        "estimators": estimators,
        "X_train": X_train,
        "y_train": y_train,
        "X_test": X_test,
        "y_test": y_test,
        "sizes": sizes,
        "seeds": range(args.seeds),
        "subset": args.subset,
        "scale_rule": not args.no_scale_rule,
        "eval_sets": eval_sets,
        "n_jobs": args.n_jobs,
        "previous": previous,
        "deterministic": [name for name in estimators if name.startswith("SVC")],
        "on_start": header,
    }
    output.plan = comparison.planned_runs(
        estimators, sizes, study["seeds"], subset=args.subset, deterministic=study["deterministic"]
    )
    output.n_jobs = _workers(args)
    with _backend(args):
        records = _run_study(output, study)
    if records is None:
        return 130
    output.records = records
    output.save()
    summary = comparison.summarize(records)
    output.write_summary(summary)
    _print_summary(summary, _gamma_note(estimators, X_train), study["deterministic"])
    written = [output.json_path, output.csv_path, *_write_figures(records, output, args.dataset)]
    print("Wrote " + ", ".join(str(p) for p in written))
    print(f"Finished in {time.perf_counter() - output.started:.1f} s.")
    return 0


def _list_plugins(args):
    for kind in plugins.kinds():
        print(f"{kind}:")
        for name in plugins.available(kind):
            params = plugins.get(kind, name).get_params()
            shown = ", ".join(f"{k}={v!r}" for k, v in params.items())
            print(f"  {name}" + (f"({shown})" if shown else ""))
    return 0


class UsageError(Exception):
    """A command line that argparse refuses, reported in one line like every user error."""


class _Parser(argparse.ArgumentParser):
    """argparse's parser, raising :class:`UsageError` instead of printing usage and exiting."""

    def error(self, message):
        raise UsageError(f"{message} (see {self.prog} --help)")


def _path(text):
    """A file or folder named on the command line: an empty one would mean the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"must name a file or folder; got {text!r}")
    return text


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


#: Copies of the parameters a fit holds at least: the weights, their gradient
#: and the snapshots of the last and the best epoch kept for rolling back.
_PARAMETER_COPIES = 4


def _check_network_fits_in_memory(sizes, dtype):
    """Refuse, before any output, a network whose training cannot fit in the machine's memory."""
    import numpy as np

    n_params = parameter_count(sizes)
    needed = _PARAMETER_COPIES * n_params * np.dtype(dtype).itemsize
    try:
        available = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not a POSIX system
        return
    if needed > available:
        raise MemoryError(
            f"training the network's {n_params:,} parameters needs at least "
            f"{needed / 2**30:,.1f} GiB ({_PARAMETER_COPIES} copies of them), more than this "
            f"machine's {available / 2**30:,.1f} GiB"
        )


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
        name,
        help=help_text,
        description=help_text,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )


def _data_flags(command):
    command.add_argument("--dataset", choices=DATASETS, default="digits", help="the data set")
    command.add_argument(
        "--data-dir",
        default=None,
        help="folder of the IDX files (MNIST: else $SKNIELSEN_DATA, then ~/.sknielsen/mnist)",
    )
    command.add_argument(
        "--download",
        action="store_true",
        help="fetch MNIST into the data folder when its files are missing",
    )


def _train_flags(train):
    _data_flags(train)
    layers = train.add_mutually_exclusive_group()
    layers.add_argument(
        "--layers",
        type=int,
        nargs="+",
        metavar="N",
        dest="layers",
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
    train.add_argument(
        "--hidden",
        type=_positive_int,
        nargs="*",
        default=[30],
        metavar="N",
        help="hidden layer sizes, when --layers is not given",
    )
    for flag, default, text in [
        ("--cost", "cross_entropy", "cost plugin (python -m sknielsen plugins lists them)"),
        ("--activation", "sigmoid", "activation of the hidden neurons"),
        ("--initializer", "default", "weight initializer ('large' is chapter 1's N(0, 1))"),
        ("--regularizer", "l2", "weight penalty: none, l2 or l1"),
        ("--optimizer", "sgd", "optimizer plugin"),
    ]:
        train.add_argument(flag, default=default, help=text)
    for flag, kind, default, text in [
        ("--lmbda", float, 0.0, "regularization parameter λ (the book's λ/n scaling)"),
        ("--mu", float, None, "momentum coefficient of --optimizer momentum or nesterov"),
        ("--eta", float, 0.5, "learning rate η"),
        ("--mini-batch-size", int, 10, "samples per gradient step"),
        ("--epochs", int, 30, "passes over the training data (the most, when stopping early)"),
        ("--dropout", float, 0.0, "fraction of hidden neurons dropped at each mini-batch"),
        (
            "--early-stopping",
            int,
            None,
            "stop after N epochs without a better validation accuracy, keeping the best weights",
        ),
        ("--random-state", int, 0, "seed of the weights, the shuffling and dropout"),
    ]:
        train.add_argument(flag, type=kind, default=default, help=text)
    _train_output_flags(train)


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
        help="what to record each epoch, or 'all'",
    )
    train.add_argument(
        "--monitor-test",
        action="store_true",
        help="monitor (and stop on) the test set, as the book's chapter 3 "
        "does, instead of the validation split",
    )
    train.add_argument("--save", type=_path, metavar="PATH", help="save the trained model as JSON")
    train.add_argument(
        "--history", type=_path, metavar="PATH", help="save the per-epoch history as JSON"
    )
    train.add_argument(
        "--plot", type=_path, metavar="PATH", help="plot the history to an image file"
    )


def _compare_flags(compare):
    _data_flags(compare)
    sizes = compare.add_mutually_exclusive_group()
    sizes.add_argument(
        "--train-sizes",
        type=int,
        nargs="+",
        metavar="N",
        dest="train_sizes",
        help="training-set sizes to compare at (default: the book's, or "
        f"{DIGITS_SIZES} on the digits)",
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
    compare.add_argument(
        "--n-jobs", type=_n_jobs, default=None, help="jobs run in parallel (-1: every CPU)"
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
        help="address of the dask scheduler; none starts a local cluster "
        "of --n-jobs workers (2 by default)",
    )
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
        choices=["network", "svc-auto", "svc", "mlp"],
        default=["network", "svc-auto", "svc"],
        help="what to compare",
    )
    compare.add_argument(
        "--hidden",
        type=_positive_int,
        nargs="*",
        default=[30],
        metavar="N",
        help="hidden layer sizes of the network",
    )
    compare.add_argument(
        "--initializer", default="default", help="'large' is the N(0,1) of the book's figure"
    )
    compare.add_argument(
        "--no-scale-rule",
        action="store_true",
        help="keep epochs and lmbda fixed instead of the book's scaling",
    )
    compare.add_argument(
        "--out",
        type=_path,
        default="comparison-results",
        metavar="DIR",
        help="folder for the JSON, CSV and figures",
    )
    compare.add_argument(
        "--resume", action="store_true", help="skip the jobs already in DIR/comparison.json"
    )


def _parser():
    parser = _Parser(
        prog="python -m sknielsen",
        description="Nielsen's neural networks, as a scikit-learn classifier. With no "
        "subcommand, runs 'compare' on scikit-learn's digits (the book's "
        "network-versus-SVM figure).",
    )
    parser.add_argument("--version", action="version", version=f"sknielsen {__version__}")
    commands = parser.add_subparsers(dest="command")
    _train_flags(_command(commands, "train", "train a network with the book's settings"))
    commands.choices["train"].set_defaults(func=_train)
    evaluate = _command(commands, "evaluate", "accuracy of a saved model on a data set")
    evaluate.add_argument("model", metavar="MODEL", help="a file written by --save")
    _data_flags(evaluate)
    evaluate.set_defaults(func=_evaluate)
    predict = _command(commands, "predict", "labels of the rows of a .npy file")
    predict.add_argument("model", metavar="MODEL", help="a file written by --save")
    predict.add_argument("file", metavar="FILE.npy", help="one sample per row")
    predict.add_argument("--out", type=_path, metavar="PATH.npy", help="write the labels here")
    predict.set_defaults(func=_predict)
    compare = _command(
        commands, "compare", "network vs SVM as the training set grows (the book's figure)"
    )
    _compare_flags(compare)
    compare.set_defaults(func=_compare)
    _command(commands, "plugins", "list every registered plugin").set_defaults(func=_list_plugins)
    add_book_command(commands)
    return parser


def _parse(argv):
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:  # the main command: the book's comparison on digits
        args = parser.parse_args(["compare", *(argv or [])])
    args.argv = argv
    return args


def main(argv=None):
    """Run the command line; return the exit code.

    A user error (a bad flag or value, a file that cannot be read or
    written, a data set not found, ...) prints one line on stderr and
    returns 2; Ctrl-C returns 130; a reader that closes the output early
    (``| head``) ends it quietly with 141.
    """
    try:
        args = _parse(argv)
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


def run():
    """Entry point of the ``sknielsen`` console script."""
    sys.exit(main())


if __name__ == "__main__":
    run()
