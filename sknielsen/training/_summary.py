"""Which epoch was the best: judged by what early stopping or the schedule watched.

A fit's ``best_epoch_`` and ``best_validation_score_`` must describe the
quantity that decided training (``EarlyStopping(monitor="validation_cost")``
judges by the validation cost, not the accuracy) and, when a callback kept
its best weights, the epoch whose weights the model holds. The rule here is
the callbacks' own no-improvement rule replayed over the history, so a
model that was saved and loaded reports the same best epoch as the fitted
one.
"""

import math
from dataclasses import dataclass

from ..callbacks import EarlyStopping, HalveOnPlateau, _minimizes
from ._run import _default_callbacks


@dataclass(frozen=True)
class Watch:
    """The history key that decides the best epoch, and how it improves.

    Attributes
    ----------
    key : str
        A history key (``'validation_accuracy'``, ``'loss'``, ...).
    minimize : bool
        Whether smaller is better.
    min_delta : float
        Smallest change that counts as an improvement.
    """

    key: str
    minimize: bool
    min_delta: float = 0.0


def watch_of(config, history):
    """The quantity a run with ``config`` judged its epochs by.

    The first callback that keeps its best weights (``EarlyStopping`` with
    ``restore_best``), else the first that stops or schedules on a
    quantity, shorthands first as the run orders them; without one, the
    validation accuracy when it was recorded, else the training loss.

    Parameters
    ----------
    config : RunConfig
    history : dict of list

    Returns
    -------
    watch : Watch
    """
    has_validation = bool(history["validation_accuracy"])
    callbacks = _default_callbacks(config, () if has_validation else None)
    deciding = [c for c in callbacks if isinstance(c, (EarlyStopping, HalveOnPlateau))]
    keeping = [c for c in deciding if isinstance(c, EarlyStopping) and c.restore_best]
    for callback in keeping + deciding:
        minimize = _minimizes(callback.monitor, callback.mode)
        return Watch(callback.monitor, minimize, getattr(callback, "min_delta", 0.0))
    if has_validation:
        return Watch("validation_accuracy", minimize=False)
    return Watch("loss", minimize=True)


def best_epoch(history, watch):
    """The epoch (from 1) the no-improvement rule ends with as the best, or None.

    An epoch is best when its value improves on every earlier one by more
    than ``watch.min_delta``, as :class:`~sknielsen.callbacks.EarlyStopping`
    counts. A key not recorded at every epoch (``partial_fit`` given
    validation data only sometimes) cannot name an epoch: the loss decides.

    Parameters
    ----------
    history : dict of list
    watch : Watch

    Returns
    -------
    epoch : int or None
        None when no epoch was recorded.
    """
    values, epochs = history.get(watch.key) or [], len(history["loss"])
    if len(values) != epochs:
        values, watch = history["loss"], Watch("loss", minimize=True)
    sign = -1.0 if watch.minimize else 1.0
    best, epoch = -math.inf, None
    for index, value in enumerate(values, start=1):
        if sign * value > best + watch.min_delta:
            best, epoch = sign * value, index
    return epoch
