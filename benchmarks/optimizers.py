"""Every optimizer on the digits: epochs and seconds to reach 95 % test accuracy.

Usage::

    python benchmarks/optimizers.py

Network [64, 30, 10], cross-entropy, λ = 0.1, scikit-learn's digits (1,198
training and 599 test images, ``load_digits_split``), 3 seeds. Each
optimizer gets the η that suits it (the mini-batch ones at mini-batch 10).
The test accuracy is recorded after every epoch (an "epoch" of Newton or
L-BFGS is one full-batch iteration). Writes ``benchmarks/results/optimizers.json``
and ``.md``.
"""

import statistics
import time
from pathlib import Path

import numpy as np
from epoch_clock import timed_fit
from results_file import command_line, save_results

from sknielsen import NielsenMLPClassifier
from sknielsen.datasets import load_digits_split

HERE = Path(__file__).resolve().parent
TARGET = 0.95
OPTIMIZERS = {  # name: (optimizer, eta, epochs)
    "sgd": ("sgd", 0.5, 100),
    "momentum": ("momentum", 0.1, 100),
    "nesterov": ("nesterov", 0.1, 100),
    "adam": ("adam", 0.003, 100),
    "lbfgs": ("lbfgs", 1.0, 300),
    "newton": ("newton", 1.0, 30),
}


def main():
    digits = load_digits_split()
    records = []
    started = time.perf_counter()
    for name, (optimizer, eta, epochs) in OPTIMIZERS.items():
        for seed in range(3):
            net = NielsenMLPClassifier(
                optimizer=optimizer, eta=eta, epochs=epochs, lmbda=0.1, random_state=seed
            )
            times = timed_fit(
                net, digits.X_train, digits.y_train, X_val=digits.X_test, y_val=digits.y_test
            ).times
            accuracy = net.history_["validation_accuracy"]
            reached = next((i for i, a in enumerate(accuracy) if a >= TARGET), None)
            records.append(
                {
                    "optimizer": name,
                    "seed": seed,
                    "eta": eta,
                    "epochs_to_target": None if reached is None else reached + 1,
                    "seconds_to_target": None if reached is None else times[reached],
                    "final_accuracy": accuracy[-1],
                    "best_accuracy": max(accuracy),
                    "epochs_run": net.n_iter_,
                    "seconds": times[-1],
                }
            )
            print(records[-1], flush=True)
    lines = [
        f"| optimizer | η | epochs to {TARGET:.0%} | seconds to {TARGET:.0%} | "
        "best test accuracy | epochs run | seconds per epoch |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, (_, eta, _) in OPTIMIZERS.items():
        runs = [r for r in records if r["optimizer"] == name]
        hit = [r for r in runs if r["epochs_to_target"] is not None]

        def median(key, rows):
            return statistics.median(r[key] for r in rows) if rows else float("nan")

        lines.append(
            f"| {name} | {eta:g} | {median('epochs_to_target', hit):.0f} ({len(hit)}/3 runs) "
            f"| {median('seconds_to_target', hit):.2f} | {median('best_accuracy', runs):.2%} "
            f"| {median('epochs_run', runs):.0f} "
            f"| {statistics.median(r['seconds'] / r['epochs_run'] for r in runs):.3f} |"
        )
    table = "\n".join(lines) + "\n"
    print(table)
    print(f"Total {time.perf_counter() - started:.0f} s")
    save_results(
        HERE / "results" / "optimizers.json",
        {"records": records},
        command=command_line(__file__, []),
        table=table,
    )


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
