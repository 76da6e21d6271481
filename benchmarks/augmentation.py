"""Expanding the training data on MNIST: accuracy with and without each augmenter.

Usage::

    python benchmarks/augmentation.py            # 1,000 and 50,000 images, one seed
    python benchmarks/augmentation.py --quick    # 1,000 images, 40 epochs

Network [784, 100, 10], cross-entropy, η = 0.5, mini-batch 10; with 50,000
images λ = 5 and 30 epochs, with 1,000 images λ = 0.1 and 400 epochs (the
book's small-data setting). Augmenters distort every mini-batch anew:
``rotate`` (±15°), ``shift`` (±2 pixels), ``elastic`` (α = 34, σ = 4, Simard
et al.'s values for 28×28 digits). Test accuracy of the last epoch. Writes
``benchmarks/results/augmentation.json`` and ``.md``.
"""

import argparse
import sys
import time
from pathlib import Path

from results_file import command_line, save_results

from sknielsen import NielsenMLPClassifier
from sknielsen.datasets import load_mnist

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "mnist"
AUGMENTERS = [None, "rotate", "shift", "elastic"]
SETTINGS = {1000: {"lmbda": 0.1, "epochs": 400}, 50000: {"lmbda": 5.0, "epochs": 30}}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    mnist = load_mnist(DATA)
    settings = {1000: {"lmbda": 0.1, "epochs": 40}} if args.quick else SETTINGS
    records = []
    started = time.perf_counter()
    for n, params in settings.items():
        for augment in AUGMENTERS:
            net = NielsenMLPClassifier(
                hidden_layer_sizes=(100,),
                eta=0.5,
                mini_batch_size=10,
                augment=augment,
                random_state=0,
                **params,
            )
            start = time.perf_counter()
            net.fit(mnist.X_train[:n], mnist.y_train[:n])
            seconds = time.perf_counter() - start
            records.append(
                {
                    "n_train": n,
                    "augment": augment or "none",
                    **params,
                    "test_accuracy": net.score(mnist.X_test, mnist.y_test),
                    "training_accuracy": net.score(mnist.X_train[:n], mnist.y_train[:n]),
                    "seconds": seconds,
                }
            )
            print(records[-1], flush=True)
    lines = [
        "| training images | augmenter | test accuracy | training accuracy | epochs | seconds |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for r in records:
        lines.append(
            f"| {r['n_train']:,} | {r['augment']} | {r['test_accuracy']:.2%} | "
            f"{r['training_accuracy']:.2%} | {r['epochs']} | {r['seconds']:.0f} |"
        )
    table = "\n".join(lines) + "\n"
    total = time.perf_counter() - started
    print(table)
    print(f"Total {total / 60:.1f} minutes")
    name = "augmentation-quick" if args.quick else "augmentation"
    save_results(
        HERE / "results" / f"{name}.json",
        {"minutes": total / 60, "records": records},
        command=command_line(__file__, argv),
        table=table,
    )


if __name__ == "__main__":
    sys.exit(main())
