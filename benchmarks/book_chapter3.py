"""Chapter 3 of the book, reproduced with NielsenMLPClassifier on MNIST.

Usage::

    python benchmarks/book_chapter3.py                 # every row, 10 seeds
    python benchmarks/book_chapter3.py --only ce30 init
    python benchmarks/book_chapter3.py --quick         # smoke run: 1 seed, 5,000 images, few epochs
    python benchmarks/book_chapter3.py --engine numpy  # every row on the NumPy engine
    python benchmarks/book_chapter3.py --beside benchmarks/results/chapter3-numba.json

Each row trains with the book's settings on its split (the first 50,000
training images; validation = the last 10,000; test = the 10,000 test
images) and is compared with the number the book prints and, where the
book's repository keeps the record of the run, with that run's last and
best epochs (last against last, best against best). The estimator's default
``engine='auto'`` trains with the C engine where it is built and has
kernels; each row records the engine that ran. Writes
``benchmarks/results/chapter3[-quick].json`` and, for full runs,
``benchmarks/results/chapter3.md`` (the table of ``docs/chapter3.md``).
``--beside OLD.json`` trains nothing: it prints the saved
``chapter3.json`` beside an earlier run of the table, row by row.
"""

import argparse
import json
import statistics
import time
from collections import Counter
from pathlib import Path

import numpy as np
from results_file import command_line, save_results

from sknielsen import NielsenMLPClassifier
from sknielsen._core.files import write_text_atomically
from sknielsen.book import load_record
from sknielsen.datasets import load_mnist

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data" / "mnist"

# name: (description, estimator parameters, training images, book value, metric of the book)
EXPERIMENTS = {
    "quadratic": (
        "chapter 1: [784,30,10], quadratic cost, η=3.0, 30 epochs, N(0,1) init",
        {
            "hidden_layer_sizes": (30,),
            "cost": "quadratic",
            "eta": 3.0,
            "epochs": 30,
            "initializer": "large",
        },
        50000,
        95.42,
        "test",
    ),
    "ce30": (
        "[784,30,10], cross-entropy, η=0.5, 30 epochs, N(0,1) init",
        {"hidden_layer_sizes": (30,), "eta": 0.5, "epochs": 30, "initializer": "large"},
        50000,
        95.49,
        "test",
    ),
    "ce30_l2": (
        "[784,30,10], cross-entropy, η=0.5, λ=5.0, 30 epochs, N(0,1) init",
        {
            "hidden_layer_sizes": (30,),
            "eta": 0.5,
            "lmbda": 5.0,
            "epochs": 30,
            "initializer": "large",
        },
        50000,
        96.49,
        "test",
    ),
    "ce100": (
        "[784,100,10], cross-entropy, η=0.5, 30 epochs, N(0,1) init",
        {"hidden_layer_sizes": (100,), "eta": 0.5, "epochs": 30, "initializer": "large"},
        50000,
        96.82,
        "test",
    ),
    "ce100_l2": (
        "[784,100,10], cross-entropy, η=0.5, λ=5.0, 30 epochs, N(0,1) init",
        {
            "hidden_layer_sizes": (100,),
            "eta": 0.5,
            "lmbda": 5.0,
            "epochs": 30,
            "initializer": "large",
        },
        50000,
        97.92,
        "validation",
    ),
    "ce100_l2_60": (
        "[784,100,10], cross-entropy, η=0.1, λ=5.0, 60 epochs, N(0,1) init",
        {
            "hidden_layer_sizes": (100,),
            "eta": 0.1,
            "lmbda": 5.0,
            "epochs": 60,
            "initializer": "large",
        },
        50000,
        98.04,
        "validation",
    ),
    "small": (
        "1,000 training images, [784,30,10], η=0.5, 400 epochs (overfits: ~100% training)",
        {"hidden_layer_sizes": (30,), "eta": 0.5, "epochs": 400, "initializer": "large"},
        1000,
        82.0,
        "test",
    ),
    "small_l2": (
        "1,000 training images, as above with λ=0.1",
        {
            "hidden_layer_sizes": (30,),
            "eta": 0.5,
            "lmbda": 0.1,
            "epochs": 400,
            "initializer": "large",
        },
        1000,
        87.0,
        "test",
    ),
    "init_large": (
        "old initialization N(0,1): [784,30,10], λ=5.0, η=0.1, after 1 epoch",
        {
            "hidden_layer_sizes": (30,),
            "eta": 0.1,
            "lmbda": 5.0,
            "epochs": 1,
            "initializer": "large",
        },
        50000,
        87.0,
        "validation",
    ),
    "init_default": (
        "new initialization N(0,1/n_in): [784,30,10], λ=5.0, η=0.1, after 1 epoch",
        {
            "hidden_layer_sizes": (30,),
            "eta": 0.1,
            "lmbda": 5.0,
            "epochs": 1,
            "initializer": "default",
        },
        50000,
        93.0,
        "validation",
    ),
}
APPROXIMATE = {"small": "about", "small_l2": "about", "init_large": "under", "init_default": "near"}
# The book's recorded run of a row (sknielsen.book): record name, path to its
# per-epoch accuracies (images of 10,000), and how many epochs the row trains.
BOOK_RECORDS = {
    "ce30": ("overfitting_full", (1,)),
    "ce30_l2": ("regularized_full", (1,)),
    "small": ("overfitting", (1,)),
    "small_l2": ("regularized", (1,)),
    "init_large": ("weight_initialization_30", ("large_weight_initialization", 1)),
    "init_default": ("weight_initialization_30", ("default_weight_initialization", 1)),
}


def book_record(name):
    """The last and best epoch of the book's recorded run of a row, or None."""
    if name not in BOOK_RECORDS:
        return None
    record, path = BOOK_RECORDS[name]
    accuracies = load_record(record)
    for key in path:
        accuracies = accuracies[key]
    accuracies = accuracies[: EXPERIMENTS[name][1]["epochs"]]
    best = max(accuracies)
    return {
        "record": record,
        "last": accuracies[-1] / 100,
        "best": best / 100,
        "best_epoch": accuracies.index(best) + 1,
    }


def run_experiment(name, mnist, seed, quick, engine="auto"):
    """Train one row as the book did, monitoring the set the book reports on."""
    _, params, n_train, _, metric = EXPERIMENTS[name]
    params = dict(params, mini_batch_size=10, random_state=seed, engine=engine)
    if quick:
        n_train = min(n_train, 5000)
        params["epochs"] = max(1, params["epochs"] // 10)
    X, y = mnist.X_train[:n_train], mnist.y_train[:n_train]
    # The book's evaluation_data: the test set in its overfitting and
    # regularization runs, the validation set in the later ones.
    X_eval, y_eval = (
        (mnist.X_test, mnist.y_test) if metric == "test" else (mnist.X_val, mnist.y_val)
    )
    net = NielsenMLPClassifier(**params)
    start = time.perf_counter()
    net.fit(X, y, X_val=X_eval, y_val=y_eval)
    seconds = time.perf_counter() - start
    history = net.history_["validation_accuracy"]
    return {
        "experiment": name,
        "seed": seed,
        "n_train": n_train,
        "epochs": net.n_iter_,
        "seconds": seconds,
        "engine": net.engine_,
        "metric": metric,
        "last": 100 * history[-1],
        "best": 100 * max(history),
        "best_epoch": int(np.argmax(history)) + 1,
        "test": 100 * net.score(mnist.X_test, mnist.y_test),
        "validation": 100 * net.score(mnist.X_val, mnist.y_val),
        "training": 100 * net.score(X, y),
    }


def summary_rows(records):
    rows = []
    for name, (description, _, _n_train, book, metric) in EXPERIMENTS.items():
        runs = [r for r in records if r["experiment"] == name]
        if not runs:
            continue

        def stats(key, runs=runs):
            values = [r[key] for r in runs]
            spread = statistics.stdev(values) if len(values) > 1 else 0.0
            return statistics.mean(values), spread, min(values), max(values)

        rows.append(
            {
                "experiment": name,
                "description": description,
                "book": book,
                "metric": metric,
                "book_qualifier": APPROXIMATE.get(name, ""),
                "seeds": len(runs),
                "last": stats("last"),
                "best": stats("best"),
                "best_epoch": statistics.mean(r["best_epoch"] for r in runs),
                "training": stats("training"),
                "record": book_record(name),
                "epochs": runs[0]["epochs"],
                "seconds": statistics.mean(r["seconds"] for r in runs),
                "engine": "/".join(sorted({r.get("engine", "numpy") for r in runs})),
            }
        )
    return rows


def _record_cell(record):
    if record is None:
        return "—"
    return f"{record['last']:.2f} / {record['best']:.2f} % ({record['best_epoch']})"


def markdown(rows, command, seconds):
    lines = [
        "| experiment | book's text | book's record: last / best (epoch) "
        "| ours, last epoch: mean ± sd (min–max) | ours, best epoch: mean ± sd (mean epoch) "
        "| ours, training accuracy | epochs | seeds | engine | seconds per run |",
        "|---|---|---|---|---|---|---:|---:|---|---:|",
    ]
    for r in rows:
        book = f"{r['book_qualifier']} {r['book']:.2f} %".strip()
        last, best, training = r["last"], r["best"], r["training"]
        lines.append(
            f"| {r['description']} | {book} {r['metric']} | {_record_cell(r['record'])} "
            f"| {last[0]:.2f} ± {last[1]:.2f} % ({last[2]:.2f}–{last[3]:.2f}) "
            f"| {best[0]:.2f} ± {best[1]:.2f} % ({r['best_epoch']:.0f}) "
            f"| {training[0]:.2f} ± {training[1]:.2f} % | {r['epochs']} | {r['seeds']} "
            f"| {r['engine']} | {r['seconds']:.1f} |"
        )
    lines.append("")
    lines.append(
        f"`{command}`: {seconds / 60:.1f} minutes in all. Accuracies are on the "
        "set the book reports (test or validation); sd is the standard deviation "
        "over the seeds."
    )
    return "\n".join(lines) + "\n"


# Short names of the rows for the table of one run beside another.
SHORT = {
    "quadratic": "chapter 1: [784,30,10], quadratic, η=3.0",
    "ce30": "[784,30,10], cross-entropy, η=0.5",
    "ce30_l2": "[784,30,10], cross-entropy, η=0.5, λ=5.0",
    "ce100": "[784,100,10], η=0.5",
    "ce100_l2": "[784,100,10], η=0.5, λ=5.0",
    "ce100_l2_60": "[784,100,10], η=0.1, λ=5.0, 60 epochs",
    "small": "1,000 training images, 400 epochs",
    "small_l2": "1,000 training images, λ=0.1",
    "init_large": "old initialization, 1 epoch",
    "init_default": "new initialization, 1 epoch",
}
# A run is the same as another when every accuracy it records is.
ACCURACIES = ("last", "best", "best_epoch", "test", "validation", "training")


def beside(new, old, new_name, old_name):
    """Markdown table of two saved full runs (chapter3.json contents), row by row.

    Last and best epoch (mean ± sd), how many runs give the same accuracies
    seed for seed, seconds per run (with the engine where it is not the
    column's) and the minutes of each whole run.
    """
    old_rows = {row["experiment"]: row for row in old["summary"]}
    old_runs = {(r["experiment"], r["seed"]): r for r in old["records"]}

    def mean_sd(stats):
        return f"{stats[0]:.2f} ± {stats[1]:.2f} %"

    def seconds(row, name):
        engine = row.get("engine", "numpy")
        return f"{row['seconds']:.1f}" + ("" if engine == name else f" ({engine})")

    lines = [
        f"| experiment | last epoch: {new_name} | last epoch: {old_name} "
        f"| best epoch: {new_name} | best epoch: {old_name} | runs equal, seed for seed "
        f"| seconds per run: {new_name} | seconds per run: {old_name} |",
        "|---|---|---|---|---|---:|---:|---:|",
    ]
    equal_runs = 0
    for row in new["summary"]:
        name, was = row["experiment"], old_rows[row["experiment"]]
        runs = [r for r in new["records"] if r["experiment"] == name]
        equal = sum(
            all(r[key] == old_runs[name, r["seed"]][key] for key in ACCURACIES) for r in runs
        )
        equal_runs += equal
        lines.append(
            f"| {SHORT[name]} | {mean_sd(row['last'])} | {mean_sd(was['last'])} "
            f"| {mean_sd(row['best'])} | {mean_sd(was['best'])} | {equal} of {len(runs)} "
            f"| {seconds(row, new_name)} | {seconds(was, old_name)} |"
        )
    lines.append(
        f"| all {len(new['records'])} runs | | | | | {equal_runs} of {len(new['records'])} "
        f"| {new['seconds'] / 60:.1f} minutes | {old['seconds'] / 60:.1f} minutes |"
    )
    return "\n".join(lines) + "\n"


def _engine_of(run):
    """The engine that trained most of a saved run's rows (older runs did not record it)."""
    runs = Counter()
    for row in run["summary"]:
        runs[row.get("engine", "numpy")] += row["seeds"]
    return runs.most_common(1)[0][0]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=list(EXPERIMENTS), default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA))
    parser.add_argument("--engine", choices=["auto", "numpy", "c"], default="auto")
    parser.add_argument("--beside", metavar="OLD.json", default=None)
    args = parser.parse_args(argv)
    if args.beside:
        new = json.loads((HERE / "results" / "chapter3.json").read_text())
        old = json.loads(Path(args.beside).read_text())
        print(beside(new, old, _engine_of(new), _engine_of(old)), end="")
        return
    seeds = args.seeds or (1 if args.quick else 10)
    names = args.only or list(EXPERIMENTS)
    command = command_line(__file__, argv)

    started = time.perf_counter()
    mnist = load_mnist(args.data_dir)
    records = []
    for name in names:
        for seed in range(seeds):
            record = run_experiment(name, mnist, seed, args.quick, args.engine)
            records.append(record)
            print(
                f"{name:13} seed {seed}: {record['metric']} {record['last']:.2f} % "
                f"(best {record['best']:.2f} % at epoch {record['best_epoch']}), "
                f"training {record['training']:.2f} %, {record['seconds']:.1f} s "
                f"({record['engine']})",
                flush=True,
            )
    seconds = time.perf_counter() - started
    rows = summary_rows(records)
    table = markdown(rows, command, seconds)
    print()
    print(table)
    results = save_results(
        HERE / "results" / f"chapter3{'-quick' if args.quick else ''}.json",
        {"seconds": seconds, "records": records, "summary": rows},
        command=command,
    )
    print(f"Wrote {results}")
    if not args.quick and args.only is None:
        write_text_atomically(HERE / "results" / "chapter3.md", table)
        print(f"Wrote {HERE / 'results' / 'chapter3.md'} (the table of docs/chapter3.md)")


if __name__ == "__main__":
    main()
