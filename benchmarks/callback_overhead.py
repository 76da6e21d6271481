"""What a callback reading every mini-batch costs a step, beside the training itself.

Usage::

    python benchmarks/callback_overhead.py --engine c --rows 20000 --repeats 5

A callback that overrides ``on_batch_end`` (``ProgressBar``, ``monitor_every``'s
``MonitorEvery``, one's own) has the loop stop after every mini-batch: on the C
engine the kernel is then called once per mini-batch instead of once per
epoch, and the loop checks what the callback may have changed after each
call. Times one epoch of ``NielsenMLPClassifier(hidden_layer_sizes=(30,),
mini_batch_size=10)`` on the first ``--rows`` MNIST training images without a
callback, with one that does nothing at ``on_batch_end``, and with a
``ProgressBar``; prints each one's median over ``--repeats`` interleaved
rounds and, per mini-batch step, what it adds to the fit without one.
"""

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from speed import DEFAULT_DATA

from sknielsen import NielsenMLPClassifier
from sknielsen.callbacks import Callback, ProgressBar
from sknielsen.datasets import load_mnist

BATCH = 10


class DoesNothing(Callback):
    """A callback that reads every mini-batch and changes nothing."""

    def on_batch_end(self, trainer):
        pass


#: The runs compared, by name: the callbacks each fit gets.
CASES = {
    "none": lambda: None,
    "on_batch_end": lambda: [DoesNothing()],
    "ProgressBar": lambda: [ProgressBar(stream=io.StringIO())],
}


def timed_fit(X, y, engine, callbacks):
    """Seconds of one one-epoch fit, by the wall clock."""
    net = NielsenMLPClassifier(
        hidden_layer_sizes=(30,),
        epochs=1,
        mini_batch_size=BATCH,
        engine=engine,
        random_state=0,
        callbacks=callbacks,
    )
    start = time.perf_counter()
    net.fit(X, y)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", default="c", choices=["c", "numpy"])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA))
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.rows < BATCH:
        parser.error(f"--repeats must be at least 1 and --rows at least {BATCH}")
    mnist = load_mnist(args.data_dir)
    X, y = np.ascontiguousarray(mnist.X_train[: args.rows]), mnist.y_train[: args.rows]
    timed_fit(X, y, args.engine, None)  # to warm up
    times = {name: [] for name in CASES}
    for _ in range(args.repeats):  # interleaved: a busy moment slows every case alike
        for name, callbacks in CASES.items():
            times[name].append(timed_fit(X, y, args.engine, callbacks()))
    steps = -(-args.rows // BATCH)
    without = statistics.median(times["none"])
    for name, seconds in times.items():
        median = statistics.median(seconds)
        print(
            f"{args.engine} {name:13s} fit {1000 * median:8.1f} ms, per step "
            f"{1e6 * (median - without) / steps:6.1f} µs beside the fit without a callback "
            f"(medians of {args.repeats})"
        )


if __name__ == "__main__":
    main()
