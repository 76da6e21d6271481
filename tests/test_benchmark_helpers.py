"""The helpers the benchmarks share keep working as the package changes."""

import sys
from pathlib import Path

from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from epoch_clock import timed_fit


def test_epoch_clock_times_every_epoch_of_both_estimators(small_digits):
    X, _, y, _ = small_digits
    for net in (NielsenMLPClassifier(epochs=3), NielsenMLPRegressor(epochs=3)):
        clock = timed_fit(net, X, y)
        assert len(clock.durations) == 3 and len(clock.times) == 3
        assert clock.times == sorted(clock.times) and min(clock.durations) > 0
