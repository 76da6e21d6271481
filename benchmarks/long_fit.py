"""What an epoch costs as one fit grows long, with callbacks that read the history.

Usage::

    python benchmarks/long_fit.py --epochs 20000

After every hook of a callback of one's own, the loop checks what it may have
changed, the history's recorded values included: a pass over a history that
grows by an epoch each epoch. Fits ``NielsenMLPClassifier(hidden_layer_sizes=(5,))``
on iris (150 rows, one mini-batch an epoch) for ``--epochs`` epochs with a
callback of one's own that reads the clock at its ``on_epoch_end``; alone
("plain"), with early stopping that never stops, and with a validation
monitor. Prints each fit's seconds and the milliseconds an epoch between the
5,000th, 10,000th and last epoch: an epoch's cost that grows is paid for the
history's length.
"""

import argparse
import itertools
import time
import warnings

from sklearn.datasets import load_iris

from sknielsen import NielsenMLPClassifier
from sknielsen.callbacks import Callback

SETTINGS = {
    "plain": {},
    "early_stopping": {"early_stopping": 10**9},
    "monitor": {"monitor": ["validation_cost", "validation_accuracy"]},
}


class Clock(Callback):
    """A callback of one's own: the clock at the epochs of ``marks``."""

    def __init__(self, marks=()):
        self.marks = marks

    def on_train_begin(self, trainer):
        self.read = {}

    def on_epoch_end(self, trainer):
        if trainer.epoch in self.marks:
            self.read[trainer.epoch] = time.perf_counter()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=20_000)
    args = parser.parse_args(argv)
    if args.epochs < 10_001:
        parser.error("--epochs must be over 10,000")
    X, y = load_iris(return_X_y=True)
    marks = (5_000, 10_000, args.epochs)
    for name, settings in SETTINGS.items():
        model = NielsenMLPClassifier(
            (5,), epochs=args.epochs, mini_batch_size=150, random_state=0,
            callbacks=[Clock(marks)], **settings,
        )  # fmt: skip
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # iris in one mini-batch: no convergence asked
            model.fit(X, y)
        seconds = time.perf_counter() - start
        read = next(c for c in model.callbacks_ if isinstance(c, Clock)).read
        rates = [
            f"{1000 * (read[b] - read[a]) / (b - a):.3f} ms an epoch to {b:,}"
            for a, b in itertools.pairwise(marks)
        ]
        print(f"{name}: {seconds:.1f} s; " + ", ".join(rates), flush=True)


if __name__ == "__main__":
    main()
