"""Per-epoch wall times of a fit, for the benchmarks.

The estimators do not expose the training loop's callbacks, so this wraps
``sknielsen._mlp.train`` (where both estimators call it) for the duration of
one fit to add a clock.
"""

import time

import sknielsen._mlp as mlp
from sknielsen import _training


class EpochClock(_training.Callback):
    """Wall time at the end of every epoch, since the start of training, and per epoch."""

    def __init__(self):
        self.times = []
        self.durations = []

    def on_train_begin(self, trainer):
        self.start = time.perf_counter()

    def on_epoch_begin(self, trainer):
        self.epoch_start = time.perf_counter()

    def on_epoch_end(self, trainer):
        now = time.perf_counter()
        self.times.append(now - self.start)
        self.durations.append(now - self.epoch_start)


def timed_fit(net, *fit_args, **fit_kwargs):
    """Fit ``net`` and return its :class:`EpochClock`."""
    clock = EpochClock()
    original = mlp.train

    def train_with_clock(*args, callbacks=(), **kwargs):
        return original(*args, callbacks=[*callbacks, clock], **kwargs)

    mlp.train = train_with_clock
    try:
        net.fit(*fit_args, **fit_kwargs)
    finally:
        mlp.train = original
    return clock
