"""Per-epoch wall times of a fit, for the benchmarks: a training callback."""

import time

from sknielsen.callbacks import Callback


class EpochClock(Callback):
    """Time at the end of every epoch, since the start of training, and per epoch.

    ``clock`` is read for both: the wall clock by default, or another such as
    ``time.process_time``.
    """

    def __init__(self, clock=time.perf_counter):
        self.clock = clock

    def on_train_begin(self, trainer):
        self.times = []
        self.durations = []
        self.start = self.clock()

    def on_epoch_begin(self, trainer):
        self.epoch_start = self.clock()

    def on_epoch_end(self, trainer):
        now = self.clock()
        self.times.append(now - self.start)
        self.durations.append(now - self.epoch_start)


def timed_fit(net, *fit_args, **fit_kwargs):
    """Fit ``net`` with an :class:`EpochClock` added to its callbacks; return the clock."""
    net.set_params(callbacks=[*(net.callbacks or ()), EpochClock()])
    net.fit(*fit_args, **fit_kwargs)
    return net.callbacks_[-1]
