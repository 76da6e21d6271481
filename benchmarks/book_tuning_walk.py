"""The book's walk to good hyper-parameters (chapter 3, "Broad strategy"), on MNIST.

Usage::

    python benchmarks/book_tuning_walk.py

The book strips MNIST down to 1,000 training images and 100 validation
images, trains a [784, 10] network for 30 epochs, and moves η and λ by hand:
η = 10, λ = 1000 gives noise; λ = 20 gives a signal; η = 100 is noise again;
η = 1 is better. This script replays those steps with
``NielsenMLPClassifier`` and then lets :mod:`sknielsen.tuning` make the same
search automatically. Writes ``benchmarks/results/tuning_walk.json`` and ``.md``.
"""

import time
import warnings
from pathlib import Path

from results_file import command_line, save_results
from sklearn.exceptions import ConvergenceWarning

from sknielsen import NielsenMLPClassifier
from sknielsen.datasets import load_mnist
from sknielsen.tuning import find_eta_threshold, search_lmbda

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "mnist"
# (eta, lmbda, what the book saw)
BOOK_STEPS = [
    (10.0, 1000.0, "noise: 10/100 every epoch"),
    (10.0, 20.0, "a signal: 12-25/100"),
    (100.0, 20.0, "noise again"),
    (1.0, 20.0, "better: up to 62/100"),
]


def main():
    mnist = load_mnist(DATA)
    X, y = mnist.X_train[:1000], mnist.y_train[:1000]
    X_val, y_val = mnist.X_val[:100], mnist.y_val[:100]
    started = time.perf_counter()
    steps = []
    for eta, lmbda, book in BOOK_STEPS:
        net = NielsenMLPClassifier(
            hidden_layer_sizes=(),
            eta=eta,
            lmbda=lmbda,
            epochs=30,
            mini_batch_size=10,
            random_state=0,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            net.fit(X, y, X_val=X_val, y_val=y_val)
        accuracy = [round(100 * a) for a in net.history_["validation_accuracy"]]
        steps.append({"eta": eta, "lmbda": lmbda, "book": book, "validation_per_epoch": accuracy})
        print(steps[-1], flush=True)
    base = NielsenMLPClassifier(hidden_layer_sizes=(), epochs=30, random_state=0)
    eta = find_eta_threshold(base, X, y, epochs=5)
    lmbda = search_lmbda(base.set_params(eta=eta.recommended), X, y, X_val, y_val)
    automatic = {
        "eta_trace": [t["eta"] for t in eta.trace],
        "threshold": eta.threshold,
        "recommended_eta": eta.recommended,
        "lmbda_trace": lmbda.trace,
        "best_lmbda": lmbda.best,
        "validation_accuracy": lmbda.best_score,
    }
    print(automatic)
    lines = [
        "| η | λ | the book saw | ours: validation accuracy (of 100) per epoch |",
        "|---:|---:|---|---|",
    ]
    for s in steps:
        per_epoch = s["validation_per_epoch"]
        if len(per_epoch) <= 9:
            shown = ", ".join(map(str, per_epoch))
        else:
            shown = (
                ", ".join(map(str, per_epoch[:6])) + ", …, " + ", ".join(map(str, per_epoch[-3:]))
            )
        if len(per_epoch) < 30:
            epochs = "epoch" if len(per_epoch) == 1 else "epochs"
            shown += f" (stopped after {len(per_epoch)} {epochs}: diverged)"
        lines.append(f"| {s['eta']:g} | {s['lmbda']:g} | {s['book']} | {shown} |")
    lines += [
        "",
        f"`find_eta_threshold`: η tried {[round(e, 3) for e in automatic['eta_trace']]}, "
        f"threshold {eta.threshold:.3g}, recommended η = {eta.recommended:.3g}; "
        f"`search_lmbda` at that η: best λ = {lmbda.best:.3g}, validation accuracy "
        f"{lmbda.best_score:.0%}.",
    ]
    table = "\n".join(lines) + "\n"
    seconds = time.perf_counter() - started
    print(table, f"\nTotal {seconds:.0f} s")
    save_results(
        HERE / "results" / "tuning_walk.json",
        {"seconds": seconds, "book_steps": steps, "automatic": automatic},
        command=command_line(__file__, []),
        table=table,
    )


if __name__ == "__main__":
    main()
