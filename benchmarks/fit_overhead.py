"""What a one-epoch MNIST fit on the C engine pays beside its kernel calls.

Usage::

    python benchmarks/fit_overhead.py --dtype float64 --batch 10 --repeats 15

Times ``NielsenMLPClassifier(epochs=1, engine='c').fit`` on MNIST's 50,000
training images as CSR (the book's network, [784,30,10], and
hyper-parameters, as ``c_speed.py``) by the process's CPU clock, and, inside it, every call of
the kernel module's ``train`` (the epoch, and the cost probe's forward
passes before and after it). What is left is the fit's own: the input
checks, the labels, the set-up in Python, the epoch's loss. Medians of
``--repeats`` fits after one to warm up.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from speed import DEFAULT_DATA, ETA, LMBDA

from sknielsen import NielsenMLPClassifier
from sknielsen.datasets import load_mnist
from sknielsen.engine import _cengine


class TimedKernel:
    """The kernel module, its ``train`` calls timed (CPU seconds, in ``calls``)."""

    def __init__(self, module):
        self.module, self.calls = module, []

    def __getattr__(self, name):
        return getattr(self.module, name)

    def train(self, *args):
        start = time.process_time()
        try:
            return self.module.train(*args)
        finally:
            self.calls.append(time.process_time() - start)


def timed_fits(X, y, args, kernel):
    """CPU seconds of each fit, and of its kernel calls, after one fit to warm up."""
    fits, inside = [], []
    for seed in range(args.repeats + 1):
        kernel.calls.clear()
        model = NielsenMLPClassifier(
            hidden_layer_sizes=(30,),
            eta=ETA,
            lmbda=LMBDA,
            mini_batch_size=args.batch,
            epochs=1,
            dtype=args.dtype,
            random_state=seed,
            engine="c",
        )
        start = time.process_time()
        model.fit(X, y)
        if seed:
            fits.append(time.process_time() - start)
            inside.append(sum(kernel.calls))
    return fits, inside


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dtype", default="float64", choices=["float32", "float64"])
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA))
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    module, build = _cengine.load()
    if module is None:
        raise SystemExit(f"the C engine is not built here: {build}")
    kernel = TimedKernel(module)
    _cengine.load = lambda: (kernel, build)
    mnist = load_mnist(args.data_dir)
    X = sp.csr_matrix(np.asarray(mnist.X_train, dtype=args.dtype))
    # BLAS on one thread: a BLAS thread spinning on the other core counts in the
    # process's CPU time, and had doubled the kernel calls' time.
    with threadpool_limits(1, user_api="blas"):
        fits, inside = timed_fits(X, mnist.y_train, args, kernel)
    outside = statistics.median(f - k for f, k in zip(fits, inside))
    print(
        f"{args.dtype}, mini-batch {args.batch}: fit {1000 * statistics.median(fits):.2f} ms, "
        f"inside the kernel {1000 * statistics.median(inside):.2f} ms "
        f"({len(kernel.calls)} calls), beside it {1000 * outside:.2f} ms "
        f"(medians of {args.repeats}; beside it: of each fit's difference)"
    )


if __name__ == "__main__":
    main()
