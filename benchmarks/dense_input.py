"""The C engine on dense MNIST: found as CSR once per fit, against its dense path.

Usage::

    python benchmarks/dense_input.py            # 50,000 images, 10 epochs, 5 repeats

A fit of two epochs or more on a dense X that is mostly zeros trains on
CSR made once at its start (``sknielsen.engine._cengine.sparse_rows``):
the kernels' dense path would find each sample's non-zero inputs again at
every epoch. This times ``NielsenMLPClassifier(epochs=10, engine='c').fit``
on MNIST's dense arrays both ways (the other way by replacing the
conversion with the identity), and the conversion alone; the book's
network and hyper-parameters as in ``c_speed.py``. Both train to the same
numbers (checked here). Repeats interleaved, medians of the process's CPU
time with BLAS on one thread. Writes ``benchmarks/results/dense_input.json``.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from results_file import command_line, save_results
from speed import DEFAULT_DATA, ETA, LMBDA

from sknielsen import NielsenMLPClassifier
from sknielsen.datasets import load_mnist
from sknielsen.engine import _cengine
from sknielsen.training import _run

WAYS = {"CSR found once": _run._sparse_enough, "dense path": lambda data: data}


def fit(X, y, dtype, epochs, seed):
    """The fitted model, and the CPU seconds of its fit."""
    model = NielsenMLPClassifier(
        eta=ETA, lmbda=LMBDA, epochs=epochs, dtype=dtype, random_state=seed, engine="c"
    )
    start = time.process_time()
    model.fit(X, y)
    return model, time.process_time() - start


def measure(X64, y, dtype, epochs, repeats):
    """Median seconds of each way's fit and of the conversion, for one dtype."""
    X = np.ascontiguousarray(X64, dtype=dtype)
    seconds = {name: [] for name in [*WAYS, "conversion"]}
    for seed in range(repeats):
        models = []
        for name, way in WAYS.items():
            _run._sparse_enough = way
            model, spent = fit(X, y, dtype, epochs, seed)
            models.append(model)
            seconds[name].append(spent)
        start = time.process_time()
        _cengine.sparse_rows(X)
        seconds["conversion"].append(time.process_time() - start)
        for ours, theirs in zip(models[0].coefs_, models[1].coefs_):
            assert np.array_equal(ours, theirs), "the two ways trained apart"
    _run._sparse_enough = WAYS["CSR found once"]
    return {name: statistics.median(values) for name, values in seconds.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA))
    args = parser.parse_args(argv)
    mnist = load_mnist(args.data_dir)
    results = {}
    with threadpool_limits(1, user_api="blas"):
        fit(mnist.X_train[:100], mnist.y_train[:100], "float64", 1, 0)  # warm-up
        for dtype in ("float64", "float32"):
            medians = measure(mnist.X_train, mnist.y_train, dtype, args.epochs, args.repeats)
            results[dtype] = medians
            ratio = medians["dense path"] / medians["CSR found once"]
            print(
                f"{dtype}: {args.epochs} epochs {medians['dense path']:.3f} s on the dense "
                f"path, {medians['CSR found once']:.3f} s with CSR found once ({ratio:.2f}x); "
                f"the conversion {1000 * medians['conversion']:.1f} ms"
            )
    fields = {
        "variant": _cengine.load()[1],
        "epochs": args.epochs,
        "repeats": args.repeats,
        "median_cpu_seconds": results,
    }
    out = save_results(
        HERE / "results" / "dense_input.json", fields, command=command_line(__file__, argv)
    )
    print(f"Wrote {out}")


if __name__ == "__main__":
    main()
