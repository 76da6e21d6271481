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

import numpy as np

from ..callbacks import EarlyStopping, HalveOnPlateau, minimizes
from ._run import default_callbacks


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
    callbacks = default_callbacks(config, () if has_validation else None)
    deciding = [c for c in callbacks if isinstance(c, (EarlyStopping, HalveOnPlateau))]
    keeping = [c for c in deciding if isinstance(c, EarlyStopping) and c.restore_best]
    for callback in keeping + deciding:
        minimize = minimizes(callback.monitor, callback.mode)
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
    if watch.min_delta == 0:
        return _first_best(sign * np.asarray(values, dtype=np.float64))
    best, epoch = -math.inf, None
    for index, value in enumerate(values, start=1):
        if sign * value > best + watch.min_delta:
            best, epoch = sign * value, index
    return epoch


def _first_best(signed):
    """The epoch (from 1) of the first of the largest of ``signed`` (NaN aside), or None.

    What the loop of :func:`best_epoch` finds without a ``min_delta``, in one
    pass of NumPy: the loop in Python took 2.3 ms a call after 8,000 epochs of
    ``partial_fit``, at every call.
    """
    if not len(signed):
        return None
    top = np.fmax.reduce(signed)  # NaN only if every value is NaN
    if not top > -math.inf:
        return None
    return int(np.flatnonzero(signed == top)[0]) + 1


def summaries(state, config, kept_epoch=None):
    """The fitted attributes scikit-learn's MLP users look for, derived from a fitted state.

    The best epoch is judged by what early stopping or the schedule watched
    (:func:`watch_of`), and is the epoch whose weights the model holds when
    a callback kept them.

    Parameters
    ----------
    state : FittedState
    config : RunConfig
    kept_epoch : int or None
        The epoch whose weights a callback kept in the run that made
        ``state``; None when none did, or when the state comes from
        elsewhere (a file): the history then tells.

    Returns
    -------
    attributes : dict
        ``n_outputs_``, ``n_layers_``, ``out_activation_``, ``eta_``,
        ``loss_curve_``, ``loss_``, ``best_loss_``, ``validation_scores_``,
        ``best_epoch_`` and ``best_validation_score_``.
    """
    history = state.history
    losses, scores = list(history["loss"]), history["validation_accuracy"]
    best = kept_epoch or best_epoch(history, watch_of(config, history))
    if not scores:
        best_score = None
    elif len(scores) == len(losses) and best:
        best_score = scores[best - 1]
    else:  # validation data at some partial_fit calls only: no epoch to name
        best_score = max(scores)
    return {
        "n_outputs_": state.coefs[-1].shape[1],
        "n_layers_": len(state.coefs) + 1,
        "out_activation_": state.plugins["output_activation"].name,
        "eta_": state.optimizer_state["eta"],
        "loss_curve_": losses,
        "loss_": losses[-1] if losses else None,
        "best_loss_": min(losses) if losses else None,
        "validation_scores_": list(scores) if scores else None,
        "best_epoch_": best,
        "best_validation_score_": best_score,
    }
