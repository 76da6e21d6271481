"""Callbacks: everything that happens during training, around the loop.

A callback is a small object with no-op hooks that the training loop calls
in this order::

    on_train_begin
    on_epoch_begin, on_batch_end (after every mini-batch), on_epoch_end   # each epoch
    on_train_end

Every hook receives the ``trainer``, which callbacks read and steer:

- ``trainer.epoch``: epochs completed, counting earlier fits of the same
  model (``warm_start``, ``partial_fit``); ``trainer.epochs_run`` counts this
  run only, of at most ``trainer.epochs_to_run``.
- ``trainer.history``: the per-epoch lists (``loss``, ``training_cost``,
  ``training_accuracy``, ``validation_cost``, ``validation_accuracy``). A
  callback may append one finite real number per key and epoch (but
  ``loss``, which the loop records at each epoch's end); NaN or infinity (a
  Monitor's records of outputs that overflowed excepted), a second one, or
  one appended in ``on_train_begin`` or ``on_train_end`` (outside every
  epoch), raises :class:`CallbackError`, naming the callback and the key.
  These keys are what a model file saves: adding a key of one's own, or
  removing a key or a value, raises it too; keep values of your own in an
  attribute of the callback (read after the fit from ``callbacks_``).
- ``trainer.network.weights`` and ``trainer.network.biases``: the current
  weights (n_in, n_out) and biases of each layer, views into the flat
  ``trainer.network.params``. Write into them (``weights[0][...] = new``):
  training updates them in place, and replacing one raises an error.
- ``trainer.recorded_keys()``: the history keys that received a value in
  this epoch (the history goes on from earlier fits).
- ``trainer.eta``: the learning rate. Setting it takes effect from the next
  step, for every optimizer; it is saved with the model. A value that is
  not a finite number > 0 is refused at once with :class:`CallbackError`,
  naming the callback. ``trainer.initial_eta`` is the η training started from.
- ``trainer.optimizer`` and ``trainer.penalty`` (its ``regularizer`` and
  ``lmbda``), ``trainer.cost`` and ``trainer.network.activations``: set their
  hyper-parameters (``trainer.optimizer.set_params(mu=0.5)``,
  ``trainer.penalty.lmbda = 0.1``) and the next step uses them; a value that
  ``fit`` would refuse (``mu=-3.0``, a negative ``lmbda``) raises
  :class:`CallbackError` after the hook, naming the callback and the setting,
  and so does a change of a setting the plugin reads only when the fit starts
  (its ``read_at_start``: L-BFGS's ``memory`` and ``tol``, Newton's ``damping``).
  A run trains with the objects it was built with: replacing one, the regularizer,
  ``trainer.cost``, ``trainer.network`` or one of its activations raises
  :class:`CallbackError`, naming the callback.
- ``trainer.samples_seen``, and during an epoch ``trainer.samples_in_epoch``
  of ``trainer.n_samples``.
- ``trainer.keep_best()`` asks the loop to give the model the current
  weights at the end of training (the loop owns every such decision); it
  keeps the weights of a completed epoch, so it may not be called from
  ``on_batch_end``, and non-finite weights are never kept. And
  ``trainer.save(path)`` writes the model as it is now, in the format that
  :func:`sknielsen.load` reads; ``trainer.check_save()``, called from
  ``on_train_begin``, raises before the first epoch what a save would.

A callback ends training by raising :class:`StopTraining` (a
``KeyboardInterrupt`` ends it the same way). However training ends, the model
keeps finite weights of a named epoch: a callback that leaves NaN or infinite
weights ends the run, which returns to the last completed epoch whose weights
were finite, and the warning names the callback. Callbacks are
given to the estimators as ``callbacks=[...]``; their constructor arguments
are parameters (``callbacks`` is cloned with the estimator), and each fit
trains with fresh copies, so a callback's counters never leak from one fit
into the next. ``partial_fit`` keeps its copies from call to call.
"""

import collections
import contextlib
import inspect
import math
import os
import re
import string
import sys
import time
from numbers import Integral, Real
from pathlib import Path

import numpy as np
from sklearn.utils._param_validation import HasMethods, Interval, InvalidParameterError, StrOptions

from ._core.files import (
    UnsavableModelError,
    check_writable,
    file_path,
    write_text_atomically,
)
from ._core.params import HyperParameters, how_changed
from ._core.warn import warn
from ._core.weights import check_sample_weight

__all__ = [
    "SMALLEST_ETA",
    "CSVLogger",
    "Callback",
    "CallbackError",
    "Checkpoint",
    "EarlyStopping",
    "ExponentialDecay",
    "HalveOnPlateau",
    "InverseScaling",
    "Monitor",
    "MonitorEvery",
    "ProgressBar",
    "StepDecay",
    "StopTraining",
    "VerbosePrinter",
]

#: What :class:`Monitor` can record after each epoch.
MONITORS = ("training_cost", "training_accuracy", "validation_cost", "validation_accuracy")
#: Every per-epoch list of the history: the mean mini-batch loss and the monitors.
HISTORY_KEYS = ("loss", *MONITORS)

# Constraints that several callbacks share, in scikit-learn's form.
_AT_LEAST_ONE = [Interval(Integral, 1, None, closed="left")]
_MODE = [StrOptions({"auto", "min", "max"})]
_PATH = [str, os.PathLike]
_POSITIVE = [Interval(Real, 0, np.inf, closed="neither")]
# A decay's factor: growing schedules overflow η within a few hundred epochs.
_DECAY = [Interval(Real, 0, 1, closed="right")]
#: The smallest η a schedule sets: where its formula underflows to 0 (or
#: overflows its denominator), η stays at this, the smallest normal float.
SMALLEST_ETA = float(np.finfo(np.float64).tiny)


def _decayed(initial_eta, formula):
    """The η that ``formula()`` computes from ``initial_eta``, kept in [SMALLEST_ETA, initial_eta].

    Python's float power raises ``OverflowError`` where it is too large
    (``(t + 1) ** 1e6``), and NumPy's returns infinity or 0: either way
    the schedule has decayed as far as η can. Never NaN: η₀ is finite and
    positive, the decays' factors in (0, 1], InverseScaling's divisor at least 1.
    """
    try:
        eta = formula()
    except (OverflowError, ZeroDivisionError):
        eta = 0.0
    return max(min(eta, initial_eta), SMALLEST_ETA)


class StopTraining(Exception):
    """Raised by a callback to end training.

    Raised in ``on_epoch_end``, the epoch just completed is kept. Raised
    anywhere else (``on_train_begin``, ``on_epoch_begin``, ``on_batch_end``),
    the epoch in progress is dropped: the model returns to the end of the
    last completed epoch, and a warning says so when work was lost (an epoch
    cut short, or no epoch at all). Raised in ``on_train_end``, it changes
    nothing: training has ended. Raised by a plugin's step (an optimizer's
    ``update``, say), it ends training as in ``on_batch_end``, with a
    warning that names no callback.

    Examples
    --------
    A callback that ends training once an epoch's mean loss is below 1:

    >>> from sklearn.datasets import load_digits
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.callbacks import Callback, StopTraining
    >>> class StopBelow(Callback):
    ...     def __init__(self, loss=1.0):
    ...         self.loss = loss
    ...     def on_epoch_end(self, trainer):
    ...         if trainer.history["loss"][-1] < self.loss:
    ...             raise StopTraining
    >>> X, y = load_digits(return_X_y=True)
    >>> net = NielsenMLPClassifier(hidden_layer_sizes=(10,), epochs=20, random_state=0,
    ...                            callbacks=[StopBelow(loss=1.0)]).fit(X / 16.0, y)
    >>> net.n_iter_, [round(loss, 1) for loss in net.history_["loss"]]
    (3, [2.6, 1.3, 0.9])
    """


class CallbackError(ValueError):
    """A callback asked the trainer for something training cannot use.

    Such as an η that is not a finite number > 0, or ``trainer.keep_best()``
    in the middle of an epoch. The message names the callback and the hook.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.callbacks import Callback, CallbackError
    >>> class FreezeEta(Callback):
    ...     def on_epoch_end(self, trainer):
    ...         trainer.eta = 0.0
    >>> X, y = load_digits(return_X_y=True)
    >>> net = NielsenMLPClassifier(hidden_layer_sizes=(10,), epochs=3, callbacks=[FreezeEta()])
    >>> try:
    ...     net.fit(X / 16.0, y)
    ... except CallbackError as error:
    ...     print(error)
    The callback FreezeEta (on_epoch_end) set trainer.eta to 0.0:
    the learning rate must be a finite number > 0.
    """


class Callback(HyperParameters):
    """Base class of training callbacks; every hook does nothing by default.

    Override the hooks you need (or set them on the instance in
    ``__init__``). Only callbacks that have an :meth:`on_batch_end` of their
    own are called after every mini-batch, so the others cost nothing inside
    an epoch.

    Examples
    --------
    A callback that reads the history and steers η, halving it after each epoch:

    >>> from sklearn.datasets import load_digits
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.callbacks import Callback
    >>> class HalveEta(Callback):
    ...     def on_epoch_end(self, trainer):
    ...         trainer.eta = trainer.eta / 2
    ...         loss = trainer.history["loss"][-1]
    ...         print(f"epoch {trainer.epoch}: loss {loss:.1f}, next eta {trainer.eta}")
    >>> X, y = load_digits(return_X_y=True)
    >>> net = NielsenMLPClassifier(hidden_layer_sizes=(10,), epochs=3, random_state=0,
    ...                            callbacks=[HalveEta()]).fit(X / 16.0, y)
    epoch 1: loss 2.6, next eta 0.25
    epoch 2: loss 1.5, next eta 0.125
    epoch 3: loss 1.2, next eta 0.0625
    >>> net.eta_
    0.0625
    """

    def __sklearn_clone__(self):
        """A fresh instance holding the same parameter objects.

        A stream or a function given as a parameter is shared, never
        deep-copied. As :func:`sklearn.base.clone` does for estimators, the
        copy is checked: a constructor that changes or does not store its
        arguments would make every copy drift from the callback it copies.

        Raises
        ------
        RuntimeError
            Naming the parameter the constructor does not store unchanged.
        """
        name = type(self).__name__
        try:
            params = self.get_params()
        except TypeError as exc:  # an argument not stored: get_params names it and the rule
            raise RuntimeError(f"Cannot copy the callback {name}: {exc}") from None
        copy, changed = self._rebuilt(params)
        if changed is not None:
            raise RuntimeError(
                f"Cannot copy the callback {name}: its __init__ "
                f"{how_changed(changed, params, copy)}. Store each argument as it is, and "
                "derive values in the hooks instead."
            )
        return copy

    def _check_faithful(self):
        """Refuse a constructor that changes its arguments, by the copy every fit trains with.

        :meth:`__sklearn_clone__` checks it, with a RuntimeError, as
        scikit-learn's ``clone`` refuses such an estimator.
        """
        self.__sklearn_clone__()

    def watched(self):
        """The history key this callback reads, or None.

        The estimator records it every epoch, and holds validation data out
        of the training set for a ``'validation_...'`` key when none is
        given. By default the ``monitor`` attribute, when it is a string
        (as :class:`EarlyStopping`'s is); a callback whose monitor is not
        always read says so by overriding this.

        Returns
        -------
        key : str or None
            A history key (``'validation_accuracy'``, ``'loss'``, ...), or
            None for a callback that reads none.
        """
        monitor = getattr(self, "monitor", None)
        return monitor if isinstance(monitor, str) else None

    def on_train_begin(self, trainer):
        """Called once before the first epoch of a fit or ``partial_fit``.

        Parameters
        ----------
        trainer : Trainer
            The training loop: what it exposes is listed in the
            :mod:`sknielsen.callbacks` module's description.
        """

    def on_epoch_begin(self, trainer):
        """Called before each epoch.

        Parameters
        ----------
        trainer : Trainer
            The training loop: what it exposes is listed in the
            :mod:`sknielsen.callbacks` module's description.
        """

    def on_batch_end(self, trainer):
        """Called after each mini-batch.

        Parameters
        ----------
        trainer : Trainer
            The training loop: what it exposes is listed in the
            :mod:`sknielsen.callbacks` module's description.
        """

    def on_epoch_end(self, trainer):
        """Called after each epoch, once the history holds its numbers.

        Parameters
        ----------
        trainer : Trainer
            The training loop: what it exposes is listed in the
            :mod:`sknielsen.callbacks` module's description.
        """

    def on_train_end(self, trainer):
        """Called once at the end, however training ended, with the weights kept.

        Parameters
        ----------
        trainer : Trainer
            The training loop: what it exposes is listed in the
            :mod:`sknielsen.callbacks` module's description.
        """


def accuracy(output, Y, sample_weight=None):
    """Fraction of samples whose most active output is the target class.

    For multilabel targets (rows with several ones) every output must be on
    the right side of 0.5.

    Parameters
    ----------
    output, Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,), default=None
        Weight of each sample: the weighted fraction, as
        :func:`sklearn.metrics.accuracy_score` computes it. None weighs
        every sample alike.

    Returns
    -------
    accuracy : float
    """
    if Y.shape[1] > 1 and np.all(Y.sum(axis=1) == 1):
        right = output.argmax(axis=1) == Y.argmax(axis=1)
        return float(np.average(right, weights=sample_weight))
    return subset_accuracy(output, Y, sample_weight)


def subset_accuracy(output, Y, sample_weight=None):
    """Weighted share of the rows whose every output is on the side of 0.5 of its label.

    The accuracy of multilabel targets, as ``predict`` (outputs above 0.5)
    and ``score`` (scikit-learn's subset accuracy) make it.

    Parameters
    ----------
    output, Y : ndarray of shape (n_samples, n_labels)
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    accuracy : float
    """
    right = np.all((output > 0.5) == (Y > 0.5), axis=1)
    return float(np.average(right, weights=sample_weight))


def minimizes(monitor, mode):
    """Whether a smaller value of the history key ``monitor`` is better."""
    if mode == "auto":
        return monitor.endswith(("cost", "loss"))
    return mode == "min"


class _Improvement:
    """Tracks the best value of one history key: the book's no-improvement-in-n rule."""

    # The last epoch counted, and the count before it: an epoch seen again replaces it.
    # Class attributes, so that a tracker pickled before they were kept has them.
    _epoch = 0
    _before = None

    def __init__(self, monitor, min_delta, mode):
        self.monitor = monitor
        self.min_delta = min_delta
        self.sign = -1.0 if minimizes(monitor, mode) else 1.0
        self.best = -math.inf
        self.epochs_without = 0

    def start_from(self, values):
        """Count ``values``, recorded before this run, as already seen: the best to beat.

        They are finite: a fit, a model file and ``set_fitted_state`` refuse any other.
        """
        self.best = max([self.best, *(self.sign * value for value in values)])

    def update(self, trainer):
        """Read the value recorded in this epoch; return True when it improves on the best."""
        values = trainer.history.get(self.monitor)
        recorded = trainer.recorded_keys()  # not a value left by an earlier fit
        if self.monitor not in recorded:
            raise ValueError(
                f"Nothing was recorded under {self.monitor!r} in epoch {trainer.epoch}; it "
                f"recorded {recorded}. Monitor a key that is recorded (validation keys "
                "need validation data)."
            )
        if trainer.epoch <= self._epoch and self._before is not None:
            # The model went back on the epoch counted last (a partial_fit call that failed
            # leaves the model as it was): its value is replaced, not counted again.
            self.best, self.epochs_without = self._before
        self._epoch, self._before = trainer.epoch, (self.best, self.epochs_without)
        value = self.sign * values[-1]
        if value > self.best + self.min_delta:
            self.best = value
            self.epochs_without = 0
            return True
        self.epochs_without += 1
        return False


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved for ``patience`` epochs.

    The book's "no-improvement-in-n" rule. With ``restore_best`` the model
    ends with the weights of its best epoch, whatever ends training
    (stopping, the last epoch, an interrupt or divergence), but for one
    case: in a series of ``partial_fit`` calls, each an epoch, the count
    goes on from call to call, and a call cannot go back to an earlier
    call's weights. When the patience runs out past such a best epoch, a
    warning says so and the model holds the last epoch's weights
    (``best_epoch_`` still names the best).

    Parameters
    ----------
    monitor : str, default='validation_accuracy'
        A key of the history, such as ``'validation_accuracy'`` or ``'loss'``.
    patience : int, default=10
        Epochs without improvement before stopping; at least 1.
    min_delta : float, default=0.0
        Smallest change that counts as an improvement; 0 or more.
    restore_best : bool, default=True
        Whether the model keeps the weights of the best epoch.
    mode : {'auto', 'min', 'max'}, default='auto'
        Whether smaller or larger is better; ``'auto'`` minimizes keys ending
        in ``cost`` or ``loss`` and maximizes the others.

    Examples
    --------
    The validation accuracy is watched, so a tenth of the training data is
    held out for it (the estimator's ``validation_fraction``). Training
    stops after two epochs without improvement, with the best epoch's weights:

    >>> from sklearn.datasets import load_digits
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.callbacks import EarlyStopping
    >>> X, y = load_digits(return_X_y=True)
    >>> net = NielsenMLPClassifier(hidden_layer_sizes=(10,), epochs=30, random_state=0,
    ...                            callbacks=[EarlyStopping(patience=2)]).fit(X / 16.0, y)
    >>> net.n_iter_, net.best_epoch_
    (8, 6)
    """

    _parameter_constraints = {
        "monitor": [str],
        "patience": _AT_LEAST_ONE,
        "min_delta": [Interval(Real, 0, np.inf, closed="left")],
        "restore_best": ["boolean"],
        "mode": _MODE,
    }

    def __init__(
        self,
        monitor="validation_accuracy",
        patience=10,
        min_delta=0.0,
        restore_best=True,
        mode="auto",
    ):
        self.monitor = monitor
        self.patience = patience
        self.min_delta = min_delta
        self.restore_best = restore_best
        self.mode = mode

    def on_train_begin(self, trainer):
        if not hasattr(self, "_tracker"):  # partial_fit keeps counting across calls
            self._tracker = _Improvement(self.monitor, self.min_delta, self.mode)

    def on_epoch_end(self, trainer):
        if self._tracker.update(trainer):
            if self.restore_best:
                trainer.keep_best()
        elif self._tracker.epochs_without >= self.patience:
            if self.restore_best:
                self._warn_if_best_is_past(trainer)
            raise StopTraining

    def _warn_if_best_is_past(self, trainer):
        """Say when the best epoch came before this run: a partial_fit's, which it cannot restore.

        The count goes on across ``partial_fit`` calls, each an epoch: the call
        whose patience runs out keeps its own weights, while ``best_epoch_``
        names the earlier call's epoch.
        """
        best = trainer.epoch - self._tracker.epochs_without
        if best > trainer.epoch - trainer.epochs_run:
            return
        warn(
            f"EarlyStopping's patience ran out at epoch {trainer.epoch}: {self.monitor} has "
            f"not improved since epoch {best}, which an earlier partial_fit trained past and "
            f"this one cannot go back to, so the model holds epoch {trainer.epoch}'s weights. "
            "partial_fit trains on at every call: stop calling it, or fit with early "
            "stopping, which keeps the best epoch."
        )


class HalveOnPlateau(Callback):
    """Halve η each time ``monitor`` has not improved for ``patience`` epochs.

    The learning-rate schedule of the book's chapter 3 exercise: training
    stops once η has fallen to ``min_fraction`` of its initial value. A
    ``partial_fit`` or ``warm_start`` fit that trains on from there keeps
    that η: its plateaus end the run without halving η again.

    Parameters
    ----------
    monitor : str, default='validation_accuracy'
        The history key watched for a plateau.
    patience : int, default=10
        Epochs without improvement before η is halved; at least 1.
    factor : float, default=0.5
        What η is multiplied by at each plateau, in (0, 1).
    min_fraction : float, default=1/128
        Stop when η ≤ ``min_fraction`` × the initial η; in (0, 1].
    mode : {'auto', 'min', 'max'}, default='auto'
        Whether smaller or larger is better, as in :class:`EarlyStopping`.

    Examples
    --------
    Halve η after every epoch that does not improve the validation
    accuracy, and stop once η is down to an eighth of its start:

    >>> from sklearn.datasets import load_digits
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.callbacks import HalveOnPlateau
    >>> X, y = load_digits(return_X_y=True)
    >>> schedule = HalveOnPlateau(patience=1, min_fraction=1 / 8)
    >>> net = NielsenMLPClassifier(hidden_layer_sizes=(10,), eta=0.5, epochs=20, random_state=0,
    ...                            callbacks=[schedule]).fit(X / 16.0, y)
    >>> net.n_iter_, net.eta_
    (9, 0.0625)
    """

    _parameter_constraints = {
        "monitor": [str],
        "patience": _AT_LEAST_ONE,
        "factor": [Interval(Real, 0, 1, closed="neither")],
        "min_fraction": [Interval(Real, 0, 1, closed="right")],
        "mode": _MODE,
    }

    def __init__(
        self,
        monitor="validation_accuracy",
        patience=10,
        factor=0.5,
        min_fraction=1.0 / 128,
        mode="auto",
    ):
        self.monitor = monitor
        self.patience = patience
        self.factor = factor
        self.min_fraction = min_fraction
        self.mode = mode

    def on_train_begin(self, trainer):
        if not hasattr(self, "_tracker"):
            self._tracker = _Improvement(self.monitor, 0.0, self.mode)

    def on_epoch_end(self, trainer):
        self._tracker.update(trainer)
        if self._tracker.epochs_without >= self.patience:
            self._tracker.epochs_without = 0
            if self._ended(trainer.eta, trainer):  # a run continued past the schedule's end
                raise StopTraining
            eta = trainer.eta * self.factor
            if eta <= 0:  # underflowed: η cannot fall further
                raise StopTraining
            trainer.eta = eta
            if self._ended(eta, trainer):
                raise StopTraining

    def _ended(self, eta, trainer):
        """Whether ``eta`` is down to the schedule's end, ``min_fraction`` of the initial η."""
        return eta <= trainer.initial_eta * self.min_fraction


class StepDecay(Callback):
    """Multiply η by ``gamma`` every ``step_size`` epochs: η = η₀ γ^⌊epoch/step_size⌋.

    η never falls below the smallest normal float64 (``SMALLEST_ETA``).

    Parameters
    ----------
    step_size : int, default=10
        At least 1.
    gamma : float, default=0.5
        In (0, 1]: a growing η overflows within a few hundred epochs.

    Examples
    --------
    The epoch counts across calls of ``partial_fit`` (one epoch each), so
    the schedule goes on where it was:

    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.callbacks import StepDecay
    >>> X, y = load_digits(return_X_y=True)
    >>> net = NielsenMLPClassifier(hidden_layer_sizes=(10,), eta=1.0, random_state=0,
    ...                            callbacks=[StepDecay(step_size=2, gamma=0.5)])
    >>> for _ in range(5):
    ...     print(net.partial_fit(X / 16.0, y, classes=np.arange(10)).eta_)
    1.0
    1.0
    0.5
    0.5
    0.25
    """

    _parameter_constraints = {"step_size": _AT_LEAST_ONE, "gamma": _DECAY}

    def __init__(self, step_size=10, gamma=0.5):
        self.step_size = step_size
        self.gamma = gamma

    def on_epoch_begin(self, trainer):
        steps = trainer.epoch // self.step_size
        eta0 = trainer.initial_eta
        trainer.eta = _decayed(eta0, lambda: eta0 * self.gamma**steps)


class ExponentialDecay(Callback):
    """Set η = η₀ γ^epoch before each epoch, never below the smallest normal float64.

    Parameters
    ----------
    gamma : float, default=0.95
        The factor per epoch, in (0, 1].

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.callbacks import ExponentialDecay
    >>> X, y = load_digits(return_X_y=True)
    >>> net = NielsenMLPClassifier(hidden_layer_sizes=(10,), eta=1.0, epochs=4, random_state=0,
    ...                            callbacks=[ExponentialDecay(gamma=0.9)]).fit(X / 16.0, y)
    >>> round(net.eta_, 3)  # set before the 4th epoch: 1.0 * 0.9**3
    0.729
    """

    _parameter_constraints = {"gamma": _DECAY}

    def __init__(self, gamma=0.95):
        self.gamma = gamma

    def on_epoch_begin(self, trainer):
        eta0 = trainer.initial_eta
        trainer.eta = _decayed(eta0, lambda: eta0 * self.gamma**trainer.epoch)


class InverseScaling(Callback):
    """Set η = η₀ / (t + 1)^power_t, scikit-learn's ``learning_rate='invscaling'``.

    t is the number of training samples seen so far, and η is updated
    before each epoch, as :class:`~sklearn.neural_network.MLPClassifier`
    does at the end of the previous one. η never falls below
    the smallest normal float64 (``SMALLEST_ETA``).

    Parameters
    ----------
    power_t : float, default=0.5
        The exponent; 0 or more.

    Examples
    --------
    After the first epoch η has fallen from η₀ = 0.5 by the square root of
    the samples seen:

    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.callbacks import InverseScaling
    >>> from sknielsen.datasets import load_digits_split
    >>> digits = load_digits_split()
    >>> schedule = InverseScaling(power_t=0.5)
    >>> net = NielsenMLPClassifier(hidden_layer_sizes=(10,), eta=0.5, epochs=2, random_state=0,
    ...                            callbacks=[schedule])
    >>> net.fit(digits.X_train, digits.y_train).t_  # 2 epochs of 1,198 samples
    2396
    >>> net.eta_ == 0.5 / (1198 + 1) ** 0.5  # set before epoch 2, at t = 1,198
    True
    """

    _parameter_constraints = {"power_t": [Interval(Real, 0, np.inf, closed="left")]}

    def __init__(self, power_t=0.5):
        self.power_t = power_t

    def on_epoch_begin(self, trainer):
        eta0, t = trainer.initial_eta, trainer.samples_seen
        trainer.eta = _decayed(eta0, lambda: eta0 / (t + 1) ** self.power_t)


#: The format a Checkpoint path may give the epoch number: a zero-padded width
#: of at most two digits (``{epoch:03d}``); nothing that builds names of any
#: length (``{epoch:>100000000}``), nor pads them with spaces (``{epoch:3d}``).
_EPOCH_FORMAT = re.compile(r"(?:0\d{1,2})?d?")
# The largest epoch whose file name is checked at the start of training: a
# template whose names outgrow the file system before a million epochs is refused.
_LONGEST_EPOCH = 999_999


def _file_name(path, name, owner):
    """A writer's ``path`` as the str it names, refused naming the parameter ``name``.

    A path-like object may give bytes. An empty name, and a NUL character,
    which no file's name can hold, are refused here: the system's "embedded
    null byte" came later, naming no callback.
    """
    refuse = f"The {name!r} parameter of {owner}"
    text = os.fsdecode(path)
    if not text:
        raise InvalidParameterError(f"{refuse} must be a non-empty file name; got {path!r}.")
    try:
        file_path(text, refuse)
    except ValueError as exc:
        raise InvalidParameterError(str(exc)) from None
    return text


def _path_template(path, name, owner):
    """A Checkpoint's path as a template of the one field ``{epoch}``, or an error.

    Parameters
    ----------
    path : str or path-like
    name : str
        How the user reaches the parameter (``"callbacks[0].path"``).
    owner : str
        What the user configured, named in the error.

    Returns
    -------
    template : str

    Raises
    ------
    InvalidParameterError
        For an empty path or one holding a NUL character, a template that
        ``str.format`` cannot read, a field other than ``{epoch}`` (``{}``,
        ``{foo}``, ``{epoch.__class__}``), a conversion, an unbounded format,
        or ``{epoch}`` in a folder's name.
    """
    template = _file_name(path, name, owner)
    refuse = f"The {name!r} parameter of {owner}"
    hint = (
        "the only field is {epoch}, optionally with a zero-padded width ({epoch:03d}); write "
        "{{ and }} "
        "for literal braces"
    )
    try:
        fields = [field for _, *field in string.Formatter().parse(template) if field[0] is not None]
    except ValueError as exc:  # an unmatched brace
        raise InvalidParameterError(f"{refuse} is not a valid template ({exc}): {hint}.") from None
    for field, spec, conversion in fields:
        if field != "epoch" or conversion is not None or not _EPOCH_FORMAT.fullmatch(spec):
            shown = (
                "{"
                + field
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
            raise InvalidParameterError(f"{refuse} holds the field {shown[:60]!r}: {hint}.")
    if Path(template.format(epoch=1)).parent != Path(template.format(epoch=2)).parent:
        raise InvalidParameterError(
            f"{refuse} puts {{epoch}} in a folder's name ({template!r}); checkpoints are "
            "written into one existing folder, so {epoch} may appear only in the file's name."
        )
    return template


def _check_output(callback, path):
    """Refuse now, naming the callback, a file that the callback could not write later."""
    try:
        check_writable(path)
    except OSError as exc:
        raise type(exc)(f"{type(callback).__name__} cannot write its file: {exc}") from None


def _write_during_training(callback, trainer, path, write):
    """Call ``write()``; a failure of the file system (a full disk) is a warning, not an end.

    Hours of training are worth more than one file: the run goes on and
    keeps its weights in memory, and the writes are atomic, so the files
    written before are intact. A ``ValueError`` is the model's own: a value
    no model file holds, which a callback left in the history or the
    optimizer's state, stays to the end of the fit, which refuses it then;
    it ends the run now, naming the file (nothing was written).
    """
    name = type(callback).__name__
    path = os.fsdecode(path)  # a path-like object of one's own has no name of its own
    try:
        write()
    except OSError as exc:
        # The error's own words, without the path it names too: said once, first.
        named = exc.strerror is not None and exc.filename == path
        warn(
            f"{name} could not write {path} after epoch {trainer.epoch} "
            f"({exc.strerror if named else exc}); training continues, and the files written "
            "before are intact."
        )
    except ValueError as exc:
        raise ValueError(
            f"{name} could not write {path} after epoch {trainer.epoch}: {exc} The files "
            "written before are intact."
        ) from None


class Checkpoint(Callback):
    """Save the model during training, in the format :func:`sknielsen.load` reads.

    Each write is atomic: an interrupted save leaves the previous file. The
    path is checked when training starts: a missing folder, a directory, a
    FIFO or a socket, a name too long for the file system are refused then,
    not after the first epochs, and so is a model that :func:`sknielsen.save`
    would refuse (class labels of dtype datetime64, say). A write that fails
    later (a full disk) is a warning: training goes on. A model that no file
    can hold by then (a callback left NaN in the history or the optimizer's
    state, which the fit refuses at its end anyway) ends the fit with a
    ``ValueError`` naming the file; the files written before are intact.

    Parameters
    ----------
    path : str or path-like
        Where to write. ``{epoch}`` in the file's name is replaced by the
        epoch number, to keep one file per checkpoint; ``{epoch:03d}`` pads
        it to three digits. No other field is allowed; ``{{`` and ``}}``
        write braces.
    every : int, default=1
        Save after every this many epochs; at least 1.
    best_only : bool, default=False
        Save only when ``monitor`` improves on every value the model's
        history holds, those of the fits it continues included
        (``warm_start``, ``partial_fit``, a loaded model), so that a
        continued fit never replaces the best file with a worse epoch.
    monitor : str, default='validation_accuracy'
        The history key judged by ``best_only``.
    mode : {'auto', 'min', 'max'}, default='auto'
        Whether smaller or larger is better, as in :class:`EarlyStopping`.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from sklearn.datasets import load_digits
    >>> import sknielsen
    >>> from sknielsen.callbacks import Checkpoint
    >>> X, y = load_digits(return_X_y=True)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     every_epoch = Checkpoint(os.path.join(folder, "net-{epoch:02d}.json"))
    ...     net = sknielsen.NielsenMLPClassifier(
    ...         hidden_layer_sizes=(10,), epochs=3, random_state=0, callbacks=[every_epoch]
    ...     ).fit(X / 16.0, y)
    ...     print(sorted(os.listdir(folder)))
    ...     print(sknielsen.load(os.path.join(folder, "net-02.json")).n_iter_)
    ['net-01.json', 'net-02.json', 'net-03.json']
    2
    """

    _parameter_constraints = {
        "path": _PATH,
        "every": _AT_LEAST_ONE,
        "best_only": ["boolean"],
        "monitor": [str],
        "mode": _MODE,
    }

    def __init__(self, path, every=1, best_only=False, monitor="validation_accuracy", mode="auto"):
        self.path = path
        self.every = every
        self.best_only = best_only
        self.monitor = monitor
        self.mode = mode

    def validate(self, path="", owner=None):
        super().validate(path, owner)
        _path_template(self.path, f"{path}path", owner or type(self).__name__)

    def watched(self):
        """``monitor`` with ``best_only``, or None: saving every epoch reads no history.

        Returns
        -------
        key : str or None
            ``monitor`` when ``best_only``, else None.
        """
        return self.monitor if self.best_only else None

    def on_train_begin(self, trainer):
        template = _path_template(self.path, "path", type(self).__name__)
        # The next file, and the longest name the template can give.
        for epoch in (trainer.epoch + 1, _LONGEST_EPOCH):
            _check_output(self, template.format(epoch=epoch))
        try:
            trainer.check_save()
        except ValueError as exc:  # the format cannot hold it: datetime64 labels, say
            reason = exc.reason if isinstance(exc, UnsavableModelError) else str(exc)
            raise UnsavableModelError(reason, saver=type(self).__name__) from None
        if self.best_only and not hasattr(self, "_tracker"):
            self._tracker = _Improvement(self.monitor, 0.0, self.mode)
            # A continued model's file may hold an earlier fit's best epoch: a worse
            # epoch of this fit must not replace it.
            self._tracker.start_from(trainer.history.get(self.monitor, ()))

    def on_epoch_end(self, trainer):
        if self.best_only:
            if not self._tracker.update(trainer):
                return
        elif trainer.epoch % self.every:
            return
        path = os.fsdecode(self.path).format(epoch=trainer.epoch)
        _write_during_training(self, trainer, path, lambda: trainer.save(path))


class CSVLogger(Callback):
    """Write one row per epoch (epoch, η, and every recorded history value) to a CSV file.

    Each epoch's row is appended to the file in one write, flushed to disk;
    the file is written whole, atomically, at the first epoch, when a new
    column joins it and when it changed since the last epoch, so a reader
    finds a header and whole rows. An append that fails (a full disk) is
    cut back to the rows before it. The path is checked when training
    starts, as :class:`Checkpoint`'s is, and a write that fails later is a
    warning.

    Parameters
    ----------
    path : str or path-like
        The CSV file to write.
    append : bool, default=False
        Keep the rows of an existing file written by a CSVLogger. The file
        keeps one header: a column that only some runs record (validation
        values, say) is added to it, and left empty in the rows of the runs
        that did not record it. Without it each fit starts a new file; the
        calls of ``partial_fit`` that continue its callbacks add their rows.
        A last row that a crash cut short is dropped, with a warning.
    separator : str, default=','
        What separates the columns: non-empty; no letter, digit, ``.``, ``+``,
        ``-``, ``_`` or line break, which the values and column names hold.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.callbacks import CSVLogger
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_val, y_train, y_val = train_test_split(X / 16.0, y, random_state=0)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     log = Path(folder) / "training.csv"
    ...     net = NielsenMLPClassifier(hidden_layer_sizes=(10,), epochs=3, random_state=0,
    ...                                callbacks=[CSVLogger(log)])
    ...     net = net.fit(X_train, y_train, X_val=X_val, y_val=y_val)
    ...     rows = log.read_text().splitlines()
    >>> rows[0]
    'epoch,eta,loss,validation_accuracy'
    >>> len(rows[1:])
    3
    """

    _parameter_constraints = {"path": _PATH, "append": ["boolean"], "separator": [str]}
    # The rows read from the file appended to, which are never replaced; a class
    # attribute, so that a logger pickled before it was kept has it.
    _read_rows = 0

    def __init__(self, path, append=False, separator=","):
        self.path = path
        self.append = append
        self.separator = separator

    def validate(self, path="", owner=None):
        super().validate(path, owner)
        owner = owner or type(self).__name__
        _file_name(self.path, path + "path", owner)
        separator = self.separator
        if not separator or any(c.isalnum() or c in ".+-_\r\n" for c in separator):
            raise InvalidParameterError(
                f"The {path + 'separator'!r} parameter of {owner} must be non-empty and hold "
                f"no letter, digit, '.', '+', '-', '_' or line break; got {separator!r}."
            )

    def on_train_begin(self, trainer):
        self.validate()
        _check_output(self, self.path)
        if hasattr(self, "_rows"):  # partial_fit's next call: the log goes on
            return
        self._columns, self._rows = [], []
        self._written = None  # the file as last written (_stat_of), which rows append to
        if self.append and os.path.isfile(self.path):
            self._columns, self._rows = self._read(os.fsdecode(self.path))
        self._read_rows = len(self._rows)  # an earlier run's, never replaced

    def _read(self, path):
        """The columns and rows (dicts of text) of a file an earlier CSVLogger wrote."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            text = "(not UTF-8 text)\n"
        lines = text.splitlines()
        if len(lines) > 1 and not text.endswith("\n"):
            # Every line written ends with one: this row's append was cut short (a crash).
            warn(f"CSVLogger dropped the last row of {path}, cut short: {lines[-1]!r}.")
            lines.pop()
        if not lines:
            return [], []
        columns = lines[0].split(self.separator)
        rows = [line.split(self.separator) for line in lines[1:]]
        uneven = [n for n, row in enumerate(rows, 2) if len(row) != len(columns)]
        if columns[:2] != ["epoch", "eta"] or len(set(columns)) < len(columns) or uneven:
            what = f"line {uneven[0]}" if uneven else f"its header {lines[0][:80]!r}"
            raise ValueError(
                f"CSVLogger(append=True) cannot append to {path}: {what} is not what a "
                f"CSVLogger with separator {self.separator!r} writes. Log to another file, "
                "or remove it."
            )
        return columns, [dict(zip(columns, row)) for row in rows]

    def on_epoch_end(self, trainer):
        # The values recorded in this epoch; a key monitored in an earlier fit
        # only would otherwise repeat its last value.
        row = {"epoch": str(trainer.epoch), "eta": repr(trainer.eta)}
        row.update((key, repr(trainer.history[key][-1])) for key in trainer.recorded_keys())
        new_columns = [column for column in row if column not in self._columns]
        self._columns += new_columns
        replaced = self._forget_from(trainer.epoch)
        self._rows.append(row)
        whole = bool(new_columns) or replaced
        _write_during_training(self, trainer, self.path, lambda: self._write(row, whole))

    def _forget_from(self, epoch):
        """Drop the rows this logger wrote of ``epoch`` and later; return whether it did.

        They are of epochs the model went back on: a ``partial_fit`` call that
        failed leaves the model as it was, and the next call trains its epoch
        again, whose row replaces the first.
        """
        kept = len(self._rows)
        while kept > self._read_rows and int(self._rows[kept - 1]["epoch"]) >= epoch:
            kept -= 1
        replaced = kept < len(self._rows)
        del self._rows[kept:]
        return replaced

    def _write(self, row, whole):
        """Append ``row``, or write the whole file where asked, or where an append would not do."""
        written, self._written = self._written, None  # until this write is whole
        unchanged = written is not None and _stat_of(self.path) == written
        if whole or not unchanged or not self._appended(row, written):
            lines = [self.separator.join(self._columns) + "\n"]
            lines += [self._line(each) for each in self._rows]
            write_text_atomically(self.path, "".join(lines))
            self._written = _stat_of(self.path)

    def _holds_our_ends(self, handle, size):
        """Whether the open file of ``size`` bytes starts and ends as this logger's did.

        Its state alone does not tell: an inode that another fit's file freed goes to
        the next file written, of the same size when the rows are as long, within the
        file system's clock tick. That file's rows are that fit's, not these. Asked
        before an append only, when the last write held the columns as they are and
        every row but the one to append.
        """
        header = (self.separator.join(self._columns) + "\n").encode("utf-8")
        last = self._line(self._rows[-2]).encode("utf-8")
        if size < len(header) + len(last):
            return False
        handle.seek(0)
        if handle.read(len(header)) != header:
            return False
        handle.seek(size - len(last))
        return handle.read(len(last)) == last

    def _appended(self, row, written):
        """Append ``row`` to the file as last ``written``; False, writing nothing, if not it.

        Compared again once open: another process (a grid search's other fit
        logging to the same name) may have replaced the file meanwhile, and
        the row went to its file.
        """
        # Unbuffered: a buffered file keeps what a full disk refused and flushes it
        # again at its truncate, which then fails and leaves the torn row.
        with open(self.path, "ab+", buffering=0, opener=_opened_without_waiting) as handle:
            if _state_of(os.fstat(handle.fileno())) != written:
                return False
            if not self._holds_our_ends(handle, written.size):
                return False
            try:
                _append_text(handle, self._line(row))
            except BaseException:
                with contextlib.suppress(OSError):  # the rows before it, whole
                    handle.truncate(written.size)
                raise
            self._written = _state_of(os.fstat(handle.fileno()))
        return True

    def _line(self, row):
        """``row``'s line of the file, a value or nothing in each column."""
        return self.separator.join(row.get(column, "") for column in self._columns) + "\n"


_FileState = collections.namedtuple("_FileState", "device inode size modified")


def _stat_of(path):
    """What tells whether a file changed since: its identity, size and time, or None if gone."""
    try:
        return _state_of(os.stat(path))
    except FileNotFoundError:
        return None


def _state_of(status):
    """The :class:`_FileState` of an ``os.stat_result``."""
    return _FileState(status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


def _opened_without_waiting(path, flags):
    """``os.open``, failing on a FIFO put in the file's place instead of waiting for a reader."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def _append_text(handle, text):
    """Write ``text`` as UTF-8 at the end of the unbuffered ``handle``, and flush it to disk."""
    data = memoryview(text.encode("utf-8"))
    while data:  # the system may take part of it (a signal, a file size limit)
        data = data[handle.write(data) :]
    os.fsync(handle.fileno())


#: How the printed table and the progress bar name the history's keys.
SHORT_NAMES = {
    "loss": "loss",
    "training_cost": "train cost",
    "training_accuracy": "train acc",
    "validation_cost": "valid cost",
    "validation_accuracy": "valid acc",
}


def _shown(key, value, score="accuracy"):
    """A history value as the table shows it: accuracies in percent, the rest to 4 places."""
    return f"{value:.2%}" if key.endswith("accuracy") and score == "accuracy" else f"{value:.4f}"


def _short_name(key, score="accuracy"):
    """How the table and the progress line name a history key: a regressor's score is R²."""
    name = SHORT_NAMES.get(key, key)
    return name.replace(" acc", " R²") if score == "r2" else name


def _is_best(values, key):
    """Whether the last of ``values`` is better than every earlier one (ties are not)."""
    if len(values) < 2:
        return False
    if minimizes(key, "auto"):
        return values[-1] < min(values[:-1])
    return values[-1] > max(values[:-1])


class ProgressBar(Callback):
    """A progress line on a terminal: epoch k/N, samples, rate, time left and the last metrics.

    Like tqdm's, the line is redrawn about 50 times an epoch::

        epoch 3/30 [#########.....................] 12,000/50,000 41,210 samples/s,
        0:33 left | loss 0.3170, valid acc 91.11%

    (on one line). The time left is that of the whole run, at the current
    epoch's rate; the metrics are the latest epoch's. With ``leave`` each
    epoch's final line stays (one line per epoch remains); without it the
    line is erased, for a table printed below it (``verbose=1``). Nothing is
    drawn when the stream is not a terminal (a file, a pipe, a notebook's
    captured output), where carriage returns would pile up.

    Parameters
    ----------
    stream : file-like or None, default=None
        Where to draw; None means ``sys.stdout`` at training time.
    width : int, default=30
        Characters of the bar; at least 1.
    leave : bool, default=True
        Whether each epoch's final line stays.
    score : {'accuracy', 'r2'}, default='accuracy'
        What the history's accuracy keys hold: a classifier's accuracy, shown
        as a percentage, or a regressor's R², shown as a number.

    Examples
    --------
    The line is drawn on a terminal only: to a stream that is not one, such
    as a ``StringIO`` (or the captured output of a notebook), nothing is written.

    >>> import io
    >>> from sklearn.datasets import load_digits
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.callbacks import ProgressBar
    >>> X, y = load_digits(return_X_y=True)
    >>> captured = io.StringIO()
    >>> net = NielsenMLPClassifier(hidden_layer_sizes=(10,), epochs=2, random_state=0,
    ...                            callbacks=[ProgressBar(stream=captured)]).fit(X / 16.0, y)
    >>> captured.getvalue()
    ''

    A stream that says it is a terminal gets the line, redrawn after
    ``\\r``; with ``leave`` each epoch's last drawing stays:

    >>> class Terminal(io.StringIO):
    ...     def isatty(self):
    ...         return True
    >>> screen = Terminal()
    >>> net = net.set_params(callbacks=[ProgressBar(stream=screen, width=10)]).fit(X / 16.0, y)
    >>> for line in screen.getvalue().split("\\n")[:-1]:
    ...     print(line.split("\\r")[-1])
    epoch 1/2 [##########] 1,797/1,797 ... samples/s, ... left | loss ...
    epoch 2/2 [##########] 1,797/1,797 ... samples/s, ... left | loss ...
    """

    _parameter_constraints = {
        "stream": [None, HasMethods(["write", "flush"])],
        "width": _AT_LEAST_ONE,
        "leave": ["boolean"],
        "score": [StrOptions({"accuracy", "r2"})],
    }

    def __init__(self, stream=None, width=30, leave=True, score="accuracy"):
        self.stream = stream
        self.width = width
        self.leave = leave
        self.score = score

    def on_train_begin(self, trainer):
        stream = self.stream or sys.stdout
        isatty = getattr(stream, "isatty", None)
        self._out = stream if isatty is not None and isatty() else None
        self._drawn = 0  # characters of the line on screen, 0 when none
        # The metrics shown are those the latest epoch recorded: the history goes on from
        # earlier fits, whose keys (a validation accuracy) this run may not record.
        if not hasattr(self, "_recorded"):  # partial_fit keeps the last call's
            self._recorded = ("loss",)

    def on_epoch_begin(self, trainer):
        self._start, self._next = time.perf_counter(), 0
        self._stepped = None  # when the last mini-batch ended: the rate leaves out monitoring

    def on_batch_end(self, trainer):
        done, total = trainer.samples_in_epoch, trainer.n_samples
        if self._out is not None and (done >= self._next or done == total):
            self._stepped = time.perf_counter()
            self._draw(trainer, done)
            self._next = done + max(1, total // 50)

    def on_epoch_end(self, trainer):
        self._recorded = trainer.recorded_keys()
        if self._out is None:
            return
        self._draw(trainer, trainer.n_samples, ended=True)
        self._end_line()

    def on_train_end(self, trainer):
        if self._out is not None and self._drawn:  # training ended within an epoch
            self._end_line()

    def _draw(self, trainer, done, ended=False):
        total, epochs = trainer.n_samples, trainer.epochs_to_run
        elapsed = (self._stepped or time.perf_counter()) - self._start
        epoch = trainer.epochs_run + (0 if ended else 1)
        filled = self.width * done // max(total, 1)
        line = (
            f"epoch {epoch}/{epochs} [{'#' * filled}{'.' * (self.width - filled)}] "
            f"{done:,}/{total:,}"
        )
        if done and elapsed > 0:
            rate = done / elapsed
            left = (total - done + max(epochs - epoch, 0) * total) / rate
            line += f" {rate:,.0f} samples/s, {_clock(left)} left"
        metrics = [
            f"{_short_name(key, self.score)} {_shown(key, values[-1], self.score)}"
            for key, values in trainer.history.items()
            if values and key in self._recorded
        ]
        if metrics:
            line += " | " + ", ".join(metrics)
        self._out.write("\r" + line.ljust(self._drawn))
        self._out.flush()
        self._drawn = len(line)

    def _end_line(self):
        ending = "\n" if self.leave else "\r" + " " * self._drawn + "\r"
        self._out.write(ending)
        self._out.flush()
        self._drawn = 0


def _clock(seconds):
    """Seconds as a clock, as tqdm shows them: 0:42, 12:05, 1:02:03."""
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class Monitor(Callback):
    """Record costs and accuracies into the history after each epoch.

    The estimators add one for their ``monitor`` parameter.

    Parameters
    ----------
    monitor : tuple of str, default=()
        What to record, among ``'training_cost'``, ``'training_accuracy'``,
        ``'validation_cost'`` and ``'validation_accuracy'``.
    train_data : tuple (X, Y) or (X, Y, sample_weight), default=None
        The training data, with one-hot targets ``Y``; required when
        ``monitor`` names a training quantity. Sample weights (None: equal)
        weigh its cost and its score: one per row of X, finite and
        non-negative, not all zero, as ``fit`` takes them; others are
        refused when the callback is validated.
    validation_data : tuple (X, Y) or (X, Y, sample_weight), default=None
        The validation data, as ``train_data``; required when ``monitor``
        names a validation quantity.
    score : callable or None, default=None
        ``score(output, Y)``, a finite real number recorded as the "accuracy"
        (another value raises :class:`CallbackError`, unless the cost of the
        outputs is not finite either: they overflowed); None: the fraction
        of samples whose most active output is the target class (or, for
        multilabel targets, whose every output is right). For data with
        sample weights it is called as ``score(output, Y, sample_weight=w)``,
        the weights divided by the largest (a weighted mean is unchanged,
        and their sum stays finite).

    Examples
    --------
    The estimators' ``monitor`` parameter adds a Monitor of the data given
    to ``fit``; one of your own can record a score of your own on data of
    your own, here the top-2 accuracy on held-out digits:

    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.callbacks import Monitor
    >>> def top2(output, Y):
    ...     best_two = np.argsort(output, axis=1)[:, -2:]
    ...     return float(np.mean((best_two == Y.argmax(axis=1)[:, None]).any(axis=1)))
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, random_state=0)
    >>> monitor = Monitor(("validation_accuracy",), validation_data=(X_test, np.eye(10)[y_test]),
    ...                   score=top2)
    >>> net = NielsenMLPClassifier(hidden_layer_sizes=(10,), epochs=3, random_state=0,
    ...                            callbacks=[monitor]).fit(X_train, y_train)
    >>> [round(score, 2) for score in net.history_["validation_accuracy"]]
    [0.82, 0.93, 0.97]
    """

    _parameter_constraints = {
        "monitor": [tuple, list],
        "train_data": [None, tuple],
        "validation_data": [None, tuple],
        "score": [None, callable],
    }

    def __init__(self, monitor=(), train_data=None, validation_data=None, score=None):
        self.monitor = monitor
        self.train_data = train_data
        self.validation_data = validation_data
        self.score = score

    def validate(self, path="", owner=None):
        super().validate(path, owner)
        owner = owner or type(self).__name__
        unknown = [name for name in self.monitor if name not in MONITORS]
        if unknown:
            raise InvalidParameterError(
                f"The {path + 'monitor'!r} parameter of {owner} names {unknown!r}; it "
                f"records {list(MONITORS)}."
            )
        for kind, data in (("training", self.train_data), ("validation", self.validation_data)):
            name = "train_data" if kind == "training" else "validation_data"
            asked = [m for m in self.monitor if m.startswith(kind)]
            what = f"The {path + name!r} parameter of {owner}"
            _check_data(data, what, asked)
            _check_score_weighs(self.score, data, what, f"the {path + 'score'!r} parameter")

    def _record(self, trainer, kind, data):
        wanted = {f"{kind}_cost", f"{kind}_accuracy"} & set(self.monitor)
        if not wanted:
            return
        X, Y, sample_weight = _with_weights(data)
        cost, output = trainer.evaluate(X, Y, sample_weight)
        if f"{kind}_cost" in wanted:
            trainer.history[f"{kind}_cost"].append(cost)
        key = f"{kind}_accuracy"
        if key in wanted:
            score = _scored(self, ("on_epoch_end", key), cost, output, Y, sample_weight)
            trainer.history[key].append(score)

    def on_epoch_end(self, trainer):
        self._record(trainer, "training", self.train_data)
        if self.validation_data is not None:
            self._record(trainer, "validation", self.validation_data)


def _scored(callback, where, cost, output, Y, sample_weight=None):
    """The score of ``callback`` (its ``score``, else :func:`accuracy`) as a float.

    A score of an array or a string, or a NaN or infinite one, used to
    reach the history and fail the fit at its end, blamed on overflow; it is
    refused where it is made. Only outputs that overflowed have a score that
    is not finite (their R²), and then their cost is not finite either: the
    fit's own checks say so at its end.

    Parameters
    ----------
    callback : Monitor or MonitorEvery
    where : tuple (str, str)
        The hook recording the score and the key it is recorded under.
    cost : float
        The cost of ``output``.
    output, Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    score : float

    Raises
    ------
    CallbackError
        Naming the callback, the hook and the key.
    """
    score = callback.score or accuracy
    if sample_weight is None:
        value = score(output, Y)
    else:
        # Relative weights: weights near the float64 limit would overflow their sum.
        value = score(output, Y, sample_weight=sample_weight / sample_weight.max())
    hook, key = where
    who = f"The callback {type(callback).__name__} ({hook})"
    named = _score_name(score)
    if not isinstance(value, Real) or isinstance(value, bool):
        raise CallbackError(
            f"{who} could not record {key!r}: the score {named} of "
            f"{type(callback).__name__} returned {type(value).__name__} {repr(value)[:60]}: "
            "a score must be a real number."
        )
    number = as_float(value)
    if not math.isfinite(number) and math.isfinite(cost):
        raise CallbackError(
            f"{who} recorded {repr(value)[:60]} under {key!r}, the score {named} of "
            f"outputs whose cost is finite ({cost:.4g}): a score must be a finite number."
        )
    return number


def _score_name(score):
    """A score function as messages name it: ``'r2'``, not ``<function r2 at 0x7f...>``."""
    name = getattr(score, "__name__", None)
    return repr(name) if isinstance(name, str) else f"{type(score).__name__} instance"


def as_float(number):
    """A real ``number`` as a float; an integer beyond the float range as ±infinity."""
    try:
        return float(number)
    except OverflowError:  # float(10**400) raises where NumPy's numbers give infinity
        return math.inf if number > 0 else -math.inf


def _check_data(data, what, asked):
    """Refuse ``data`` that is missing where ``asked`` needs it, or not ``(X, Y[, w])``."""
    if data is None:
        if asked:
            raise InvalidParameterError(
                f"{what} is required to record {asked!r}: a tuple (X, Y) or "
                "(X, Y, sample_weight) with one-hot targets Y."
            )
        return
    if len(data) not in (2, 3):
        raise InvalidParameterError(
            f"{what} must be a tuple (X, Y) or (X, Y, sample_weight); got {len(data)} items."
        )
    if len(data) == 3 and data[2] is not None:
        _check_weights(data[0], data[2], what)


def _check_weights(X, sample_weight, what):
    """Refuse sample weights of ``X`` that fit would refuse, as scikit-learn does.

    All-zero weights recorded a NaN cost and score, negative ones a cost no
    training minimizes, and a wrong length failed at the first record, deep
    in NumPy.
    """
    try:
        shape = np.shape(sample_weight)
        if len(shape) != 1:
            raise ValueError(f"they must be 1-D, one weight per row of X; got shape {shape}.")
        check_sample_weight(sample_weight, X)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(
            f"{what} has invalid sample weights (its third item): {exc}"
        ) from None


def _with_weights(data):
    """``(X, Y, sample_weight)`` of data given as ``(X, Y)`` (weights None) or as that."""
    X, Y, *weights = data
    sample_weight = weights[0] if weights else None
    return X, Y, None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)


def _check_score_weighs(score, data, what, which):
    """Refuse a score that cannot weigh the samples of ``data``, which has weights.

    Scored without them, weighted data would record an unweighted score
    beside its weighted cost.
    """
    if score is None or data is None or _with_weights(data)[2] is None:
        return
    try:
        inspect.signature(score).bind(None, None, sample_weight=None)
    except TypeError:
        raise InvalidParameterError(
            f"{what} has sample weights, which its score receives as "
            f"score(output, Y, sample_weight=w); {which}, {score!r}, takes no "
            "sample_weight: give it one, or data without weights."
        ) from None
    except ValueError:  # no signature to read (some builtins): the call will tell
        return


class VerbosePrinter(Callback):
    """Print a table of the training: a row per epoch, its loss and what was monitored.

    The columns are the epoch, the loss (the mean cost of the epoch's
    mini-batches, what is minimized), every monitored quantity recorded in
    the first epoch, η and the epoch's seconds; a ``*`` marks a value that
    is better than every earlier one in its column. At the end, a line says which
    epoch's weights the model keeps, when a callback kept an earlier one.

    Parameters
    ----------
    epochs : int or None, default=None
        Epochs of the run, shown as "k/epochs"; None shows the model's epoch
        count alone (``partial_fit``).
    print_fn : callable, default=print
        What prints each line.
    header : bool, default=True
        Whether to print the column names before the first row.
    score : {'accuracy', 'r2'}, default='accuracy'
        What the history's accuracy keys hold: a classifier's accuracy, shown
        as a percentage under "acc", or a regressor's R², shown as a number
        under "R²" (the regressor's ``verbose=1`` asks for it).

    Examples
    --------
    The estimators' ``verbose=1`` adds one. A ``*`` marks a new best value;
    the last line says which epoch :class:`EarlyStopping` kept:

    >>> from sklearn.datasets import load_digits
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.callbacks import EarlyStopping, VerbosePrinter
    >>> X, y = load_digits(return_X_y=True)
    >>> callbacks = [EarlyStopping(patience=2), VerbosePrinter(epochs=30)]
    >>> net = NielsenMLPClassifier(hidden_layer_sizes=(10,), epochs=30, random_state=0,
    ...                            callbacks=callbacks).fit(X / 16.0, y)
      epoch      loss  valid acc        eta    time
       1/30    ...     83.33%        0.5   ...s
       2/30    ...*    87.22%*       0.5   ...s
       3/30    ...*    94.44%*       0.5   ...s
       4/30    ...*    95.56%*       0.5   ...s
       5/30    ...*    96.11%*       0.5   ...s
       6/30    ...*    97.78%*       0.5   ...s
       7/30    ...*    95.00%        0.5   ...s
       8/30    ...*    97.22%        0.5   ...s
    The model holds the weights of epoch 6, the best one kept, not those of the last epoch (8).
    """

    _parameter_constraints = {
        "epochs": [None, *_AT_LEAST_ONE],
        "print_fn": [callable],
        "header": ["boolean"],
        "score": [StrOptions({"accuracy", "r2"})],
    }

    def __init__(self, epochs=None, print_fn=print, header=True, score="accuracy"):
        self.epochs = epochs
        self.print_fn = print_fn
        self.header = header
        self.score = score

    def on_train_begin(self, trainer):
        self._keys = None

    def on_epoch_begin(self, trainer):
        self._start = time.perf_counter()

    def on_epoch_end(self, trainer):
        seconds = time.perf_counter() - self._start
        history = trainer.history
        # The history goes on from earlier fits: a key this epoch did not record
        # (a validation accuracy of a fit given X_val) shows "-", not its old value.
        recorded = trainer.recorded_keys()
        if self._keys is None:
            # The columns: what the first epoch recorded, under a header of them; without
            # one (partial_fit after its first call), those of the header printed before.
            shown = recorded if self.header else [key for key in HISTORY_KEYS if history[key]]
            self._keys = [key for key in HISTORY_KEYS if key in shown]
            names = [_short_name(key, self.score) for key in self._keys]
            self._widths = [max(9, len(name)) for name in names]
            if self.header:
                names = [name.rjust(w) + " " for name, w in zip(names, self._widths)]
                self.print_fn(f"{'epoch':>7} {' '.join(names)} {'eta':>9} {'time':>7}")
        epoch = trainer.epoch if self.epochs is None else f"{trainer.epochs_run}/{self.epochs}"
        cells = []
        for key, width in zip(self._keys, self._widths):
            values = history[key]
            if key not in recorded:
                cells.append("-".rjust(width) + " ")
                continue
            cells.append(
                _shown(key, values[-1], self.score).rjust(width)
                + ("*" if _is_best(values, key) else " ")
            )
        self.print_fn(f"{epoch!s:>7} {' '.join(cells)} {trainer.eta:>9g} {seconds:>6.2f}s")

    def on_train_end(self, trainer):
        if trainer.kept_best and trainer.kept_epoch != trainer.epoch:
            self.print_fn(
                f"The model holds the weights of epoch {trainer.kept_epoch}, the best one "
                f"kept, not those of the last epoch ({trainer.epoch})."
            )


class MonitorEvery(Callback):
    """Record the validation accuracy every ``every`` training samples.

    The book's advice for fast feedback: watch the accuracy more often than
    once per epoch. Appends to ``record["samples"]`` (seen so far in this
    run) and ``record["validation_accuracy"]``.

    Parameters
    ----------
    every : int, default=1000
        Training samples between two records.
    validation_data : tuple (X, Y) or (X, Y, sample_weight), default=None
        The validation data, with one-hot targets ``Y``; required. Sample
        weights (None: equal) weigh its score; they are checked as
        :class:`Monitor`'s are.
    record : dict of list, default=None
        Where to append: its ``samples`` and ``validation_accuracy`` lists
        (made when missing); required.
    score : callable or None, default=None
        ``score(output, Y)``, or ``score(output, Y, sample_weight=w)`` for
        weighted data, as in :class:`Monitor`.

    Examples
    --------
    The estimators' ``monitor_every`` adds one, recording into
    ``history_every_``. Records fall at the end of the first mini-batch
    past each multiple of ``every``:

    >>> import numpy as np
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.callbacks import MonitorEvery
    >>> from sknielsen.datasets import load_digits_split
    >>> digits = load_digits_split(random_state=0)
    >>> record = {"samples": [], "validation_accuracy": []}
    >>> held_out = (digits.X_test, np.eye(10)[digits.y_test])
    >>> every_500 = MonitorEvery(500, validation_data=held_out, record=record)
    >>> net = NielsenMLPClassifier(hidden_layer_sizes=(10,), epochs=2, random_state=0,
    ...                            callbacks=[every_500]).fit(digits.X_train, digits.y_train)
    >>> record["samples"]  # 1,198 training samples per epoch, mini-batches of 10
    [500, 1000, 1508, 2008]
    >>> len(record["validation_accuracy"])
    4
    """

    _parameter_constraints = {
        "every": _AT_LEAST_ONE,
        "validation_data": [None, tuple, list],
        "record": [None, dict],
        "score": [None, callable],
    }

    def __init__(self, every=1000, validation_data=None, record=None, score=None):
        self.every = every
        self.validation_data = validation_data
        self.record = record
        self.score = score

    def validate(self, path="", owner=None):
        super().validate(path, owner)
        owner = owner or type(self).__name__
        what = f"The {path + 'validation_data'!r} parameter of {owner}"
        _check_data(self.validation_data, what, ["validation_accuracy"])
        score = f"the {path + 'score'!r} parameter"
        _check_score_weighs(self.score, self.validation_data, what, score)
        if self.record is None:
            raise InvalidParameterError(
                f"The {path + 'record'!r} parameter of {owner} is required: a dict whose "
                "'samples' and 'validation_accuracy' lists receive the records."
            )

    def on_train_begin(self, trainer):
        self.validate()
        for key in ("samples", "validation_accuracy"):
            self.record.setdefault(key, [])
        self._next = self.every

    def on_batch_end(self, trainer):
        seen = trainer.epochs_run * trainer.n_samples + trainer.samples_in_epoch
        if seen >= self._next:
            X, Y, sample_weight = _with_weights(self.validation_data)
            cost, output = trainer.evaluate(X, Y)
            where = ("on_batch_end", "validation_accuracy")
            score = _scored(self, where, cost, output, Y, sample_weight)
            self.record["samples"].append(int(seen))
            self.record["validation_accuracy"].append(score)
            self._next = (seen // self.every + 1) * self.every
