"""The book's network-vs-SVM figure on MNIST, measured and set beside the book's numbers.

Usage::

    python benchmarks/book_figure.py             # run the comparison, then the table
    python benchmarks/book_figure.py --table-only  # only rebuild the table and figures

The run is exactly the command line a user would type (13.5 minutes on
2 cores here, see docs/network-vs-svm.md)::

    python -m sknielsen compare --dataset mnist --data-dir ../shared/data/mnist \
        --initializer large --estimators network svc-auto svc --seeds 3 --n-jobs 2 \
        --out docs/comparison-mnist --force

that is: the first N of the 50,000 training images; network [784, 30, 10],
cross-entropy, η = 0.5, mini-batch 10, λ = 0.0001·N, epochs = 1,500,000/N,
N(0, 1) initializer, 3 seeds; ``SVC(gamma="auto")`` (the book-era default)
and ``SVC()`` (today's ``gamma="scale"``). This script then writes
``docs/comparison-mnist/book-vs-measured.md`` and the figures with the book's
curves added.
"""

import argparse
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = ROOT / "docs" / "comparison-mnist"

BOOK_SIZES = [100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000]
# Validation accuracies (%) printed in chapter 3 of the book.
BOOK_NETWORK = [69.09, 76.37, 85.29, 88.85, 91.27, 93.24, 94.89, 95.85, 95.97]
BOOK_SVC = [25.07, 48.93, 75.13, 83.87, 88.49, 91.46, 92.45, 93.47, 94.48]

SVC_AUTO = "SVC(gamma='auto')"
# Run from the repository's root with relative paths, so that the command the
# results record is the one the docs show.
COMMAND = [
    "compare",
    "--dataset",
    "mnist",
    "--data-dir",
    "../shared/data/mnist",
    "--initializer",
    "large",
    "--estimators",
    "network",
    "svc-auto",
    "svc",
    "--seeds",
    "3",
    "--n-jobs",
    "2",
    "--out",
    "docs/comparison-mnist",
    # The folder keeps the last run's results, which this run replaces.
    "--force",
]


def table(document):
    from sknielsen.comparison import summarize

    records = document["records"]
    validation = {(r["estimator"], r["size"]): r for r in summarize(records, "accuracy_validation")}
    test = {(r["estimator"], r["size"]): r for r in summarize(records, "accuracy_test")}

    def cell(summary, name, size):
        row = summary.get((name, size))
        if row is None:
            return "–"
        if row["n_seeds"] > 1:
            return f"{100 * row['mean']:.2f} ± {100 * row['std']:.2f}"
        return f"{100 * row['mean']:.2f}"

    lines = [
        "| N | book network | network (validation) | network (test) | book SVC | "
        "SVC(gamma='auto') (validation) | SVC(gamma='auto') (test) | SVC() (validation) | "
        "SVC() (test) | network fit s | SVC(gamma='auto') fit + predict s | "
        "SVC() fit + predict s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, book_net, book_svc in zip(BOOK_SIZES, BOOK_NETWORK, BOOK_SVC):

        def seconds(name, with_predict, size=size):
            row = test.get((name, size))
            if row is None:
                return "–"
            return f"{row['fit_seconds'] + (row['predict_seconds'] if with_predict else 0):.1f}"

        lines.append(
            f"| {size:,} | {book_net:.2f} | {cell(validation, 'network', size)} | "
            f"{cell(test, 'network', size)} | {book_svc:.2f} | "
            f"{cell(validation, SVC_AUTO, size)} | {cell(test, SVC_AUTO, size)} | "
            f"{cell(validation, 'SVC()', size)} | {cell(test, 'SVC()', size)} | "
            f"{seconds('network', False)} | {seconds(SVC_AUTO, True)} | "
            f"{seconds('SVC()', True)} |"
        )
    return "\n".join(lines) + "\n"


def figures(document):
    from sknielsen.plotting import plot_training_size_comparison

    # The figure takes accuracies as fractions, like the records'; the book printed %.
    reference = {
        "book: network": (BOOK_SIZES, [accuracy / 100 for accuracy in BOOK_NETWORK]),
        "book: SVC (gamma='auto' era)": (BOOK_SIZES, [accuracy / 100 for accuracy in BOOK_SVC]),
    }
    for log in (False, True):
        plot_training_size_comparison(
            document["records"],
            OUT / f"book-vs-measured{'-log' if log else ''}.png",
            log=log,
            metric="accuracy_validation",
            reference=reference,
            title="MNIST validation accuracy vs training-set size (dashed: the book)",
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--table-only", action="store_true")
    args = parser.parse_args(argv)
    if not args.table_only:
        from sknielsen.__main__ import main as cli

        os.chdir(ROOT)
        if cli(COMMAND) != 0:
            sys.exit(1)
    document = json.loads((OUT / "comparison.json").read_text())
    text = table(document)
    (OUT / "book-vs-measured.md").write_text(text)
    figures(document)
    print(text)
    print(f"Run time of the comparison: {document['seconds'] / 60:.1f} minutes")
    print(f"Wrote {OUT / 'book-vs-measured.md'} and the book-vs-measured figures")


if __name__ == "__main__":
    main()
