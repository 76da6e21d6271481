"""Sparse mini-batches on the NumPy engine: kept sparse against densified.

Usage::

    OPENBLAS_NUM_THREADS=1 python benchmarks/sparse_batches.py --data mnist --batches 10,100
    OPENBLAS_NUM_THREADS=1 python benchmarks/sparse_batches.py --data wide --batches 10,100,1000
    OPENBLAS_NUM_THREADS=1 python benchmarks/sparse_batches.py --steps --repeats 20

The NumPy engine keeps the mini-batches of a wide, very sparse X sparse
(``sparse_batches_pay`` in ``sknielsen/engine/_network.py``) and densifies the
others. The default mode times one-epoch fits of
``NielsenMLPClassifier((30,), engine='numpy')`` on MNIST as CSR (``--data
mnist``, from ``--mnist``) or on a random CSR of 20,000 × 200,000 at 0.1 %
non-zero (``--data wide``), each path forced, and prints each path's
``tracemalloc`` peak (one traced fit) and median time over ``--repeats``
interleaved rounds. ``--steps`` times one mini-batch's gather and gradient
alone, the optimizer's step aside, over a grid of widths, densities and
mini-batch sizes: where the rule's two numbers come from
(docs/design-notes.md item 27).
"""

import argparse
import statistics
import time
import tracemalloc
import warnings

import numpy as np
import scipy.sparse as sp

import sknielsen.training._loop as loop
from sknielsen import NielsenMLPClassifier, plugins
from sknielsen.datasets import load_mnist
from sknielsen.engine._network import Backprop, Network

HIDDEN = 30


def training_set(name, mnist):
    """MNIST's training images as CSR, or the wide random CSR, and labels."""
    if name == "mnist":
        data = load_mnist(mnist)
        return sp.csr_matrix(data.X_train), data.y_train
    rng = np.random.default_rng(0)
    X = sp.random(20_000, 200_000, density=0.001, format="csr", random_state=rng)
    return X, rng.integers(10, size=X.shape[0])


def fit(X, y, batch, path):
    """One epoch with the mini-batches densified (``path='dense'``) or kept sparse."""
    loop.sparse_batches_pay = lambda X, batch_size: path == "sparse"
    model = NielsenMLPClassifier(
        (HIDDEN,), epochs=1, mini_batch_size=batch, eta=0.5, random_state=0, engine="numpy"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the wide set's saturation warning
        model.fit(X, y)


def compare_fits(X, y, batches, repeats):
    for batch in batches:
        for path in ("dense", "sparse"):
            tracemalloc.start()
            fit(X, y, batch, path)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"mini-batch {batch:>5} {path:>6}: peak {peak / 1e6:8.1f} MB", flush=True)
        times = {"dense": [], "sparse": []}
        for round_ in range(repeats):
            for path in ("dense", "sparse") if round_ % 2 == 0 else ("sparse", "dense"):
                start = time.perf_counter()
                fit(X, y, batch, path)
                times[path].append(time.perf_counter() - start)
        for path, seconds in times.items():
            print(
                f"mini-batch {batch:>5} {path:>6}: median {statistics.median(seconds):.3f} s",
                flush=True,
            )


def compare_steps(widths, repeats):
    """One mini-batch's gather and gradient, densified and kept sparse, over a grid."""
    rng = np.random.default_rng(0)
    for n_features in widths:
        for density in (0.001, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2):
            if 2000 * n_features * density > 20_000_000:  # a CSR of over 240 MB
                continue
            X = sp.random(2000, n_features, density=density, format="csr", random_state=rng)
            for batch in (10, 100, 1000):
                network = Network((n_features, HIDDEN, 10), [plugins.Sigmoid(), plugins.Sigmoid()])
                network.initialize(plugins.DefaultInitializer(), rng)
                backprop = Backprop(network, plugins.CrossEntropyCost(), batch)
                buffer = np.empty((batch, n_features))
                Y = np.eye(10)[np.zeros(batch, dtype=int)]
                times = {"dense": [], "sparse": []}
                for _ in range(repeats):
                    rows = rng.permutation(X.shape[0])[:batch]
                    for path in times:
                        start = time.perf_counter()
                        inputs = X[rows]
                        if path == "dense":
                            inputs = inputs.toarray(out=buffer)
                        backprop.gradient(inputs, Y, 1.0 / batch)
                        times[path].append(time.perf_counter() - start)
                dense, kept = (statistics.median(times[path]) for path in ("dense", "sparse"))
                print(
                    f"{n_features:>7} columns, {density:5.3f} non-zero, mini-batch {batch:>4} "
                    f"({batch * n_features * 8 / 1e6:7.2f} MB densified): densified "
                    f"{dense * 1e3:8.3f} ms, sparse {kept * 1e3:8.3f} ms, "
                    f"ratio {dense / kept:5.2f}",
                    flush=True,
                )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["mnist", "wide"], default="wide")
    parser.add_argument("--batches", default="10,100,1000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--mnist", default="../shared/data/mnist")
    parser.add_argument("--steps", action="store_true", help="time single steps over a grid")
    parser.add_argument("--widths", default="784,5000,20000,200000", help="columns, for --steps")
    args = parser.parse_args()
    if args.steps:
        compare_steps([int(w) for w in args.widths.split(",")], args.repeats)
        return
    X, y = training_set(args.data, args.mnist)
    print(f"{args.data}: {X.shape[0]} × {X.shape[1]}, {X.nnz / np.prod(X.shape):.4f} non-zero")
    compare_fits(X, y, [int(b) for b in args.batches.split(",")], args.repeats)


if __name__ == "__main__":
    main()
