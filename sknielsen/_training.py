"""The training loop: epochs of shuffled mini-batches, and its callbacks.

The loop only trains. Everything optional around it (monitoring into the
history, the verbose printer, early stopping, η schedules) is a small
:class:`Callback` with no-op hooks that the loop notifies; a callback ends
training by raising :class:`StopTraining`.
"""

import copy
import time
import warnings

import numpy as np

from ._network import Backprop

MONITORS = ("training_cost", "training_accuracy", "validation_cost", "validation_accuracy")


class StopTraining(Exception):
    """Raised by a callback to end training after the current epoch."""


class Callback:
    """Base class of training callbacks; every hook does nothing by default."""

    def on_train_begin(self, trainer):
        pass

    def on_epoch_begin(self, trainer):
        pass

    def on_batch_end(self, trainer, samples_done, n_samples):
        """Called after each mini-batch; only callbacks that override it cost time."""

    def on_epoch_end(self, trainer):
        pass

    def on_train_end(self, trainer):
        pass


class Trainer:
    """Everything one training run changes: parameters, η, optimizer state, history.

    Parameters
    ----------
    network : Network
    cost, regularizer, optimizer : plugins
    lmbda : float
        Regularization parameter λ.
    n_train : int
        Size n of the training set in the book's λ/n scaling.
    eta : float
        Learning rate; callbacks (schedules) may change it between epochs.
    optimizer_state : dict or None
        State to continue from, or None for a fresh ``optimizer.init``.
    history : dict of lists
        Per-epoch records, appended to by the monitoring callback.
    """

    def __init__(
        self,
        network,
        *,
        cost,
        regularizer,
        optimizer,
        lmbda,
        n_train,
        eta,
        optimizer_state=None,
        history=None,
    ):
        self.network = network
        self.cost = cost
        self.regularizer = regularizer
        self.optimizer = optimizer
        self.lmbda = lmbda
        self.n_train = n_train
        self.eta = eta
        if optimizer_state is None:
            optimizer_state = optimizer.init(network.params)
        self.optimizer_state = optimizer_state
        self.history = history if history is not None else {k: [] for k in MONITORS}
        self.epochs_run = 0
        self.interrupted = False
        #: Epoch (1-based, of this run) in which the parameters overflowed, if any.
        self.diverged_in_epoch = None

    def snapshot(self):
        """Return a copy of everything an epoch changes, for :meth:`restore`."""
        return {
            "params": self.network.params.copy(),
            "optimizer_state": copy.deepcopy(self.optimizer_state),
            "eta": self.eta,
            "epochs_run": self.epochs_run,
            "history_lengths": {k: len(v) for k, v in self.history.items()},
        }

    def restore(self, snapshot):
        """Return to the state saved by :meth:`snapshot`."""
        np.copyto(self.network.params, snapshot["params"])
        self.optimizer_state = snapshot["optimizer_state"]
        self.eta = snapshot["eta"]
        self.epochs_run = snapshot["epochs_run"]
        for key, length in snapshot["history_lengths"].items():
            del self.history[key][length:]

    def step(self, backprop, X, Y, scale):
        """One gradient step on one mini-batch."""
        network = self.network
        grads = backprop.gradient(X, Y, scale)
        # With plain SGD the penalty's decoupled form (L2: the book's
        # w ← (1 − ηλ/n)w) gives the same step in one pass over the weights.
        decayed = self.optimizer.linear_in_gradient and self.regularizer.decay(
            network.weight_params, self.eta, self.lmbda, self.n_train
        )
        if not decayed:
            penalty = self.regularizer.gradient(
                network.weight_params, self.lmbda, self.n_train, out=backprop.scratch
            )
            if penalty is not None:
                backprop.grad_weights += penalty
        updates, self.optimizer_state = self.optimizer.update(
            grads, self.optimizer_state, network.params, self.eta
        )
        network.params += updates

    def total_cost(self, X, Y, sample_weight=None):
        """Mean cost over a data set plus the regularization penalty, and the outputs."""
        output = self.network.feedforward(X)
        return self.cost_of(output, Y, sample_weight), output

    def cost_of(self, output, Y, sample_weight=None):
        """Mean cost of given outputs plus the regularization penalty (λ/2n scaling)."""
        data_cost = np.average(self.cost.fn(output, Y), weights=sample_weight)
        penalty = self.regularizer.penalty(
            self.network.weight_params, self.lmbda, self.n_train
        )
        return float(data_cost + penalty)


def _batch_scales(sample_weight, dtype):
    """Per-sample gradient weights w_i / mean(w), or None for equal weights."""
    if sample_weight is None:
        return None
    return (sample_weight / sample_weight.mean()).astype(dtype)


def train(
    trainer,
    X,
    Y,
    *,
    epochs,
    mini_batch_size,
    rng,
    shuffle=True,
    sample_weight=None,
    dropout=0.0,
    callbacks=(),
    augment=None,
):
    """Run up to ``epochs`` epochs of mini-batch gradient descent.

    Each epoch visits every sample once, in a new random order when
    ``shuffle``; the last mini-batch may be smaller. The rows of a shuffled
    mini-batch are gathered into one reused buffer, so the training set is
    never copied. A ``KeyboardInterrupt`` rolls the parameters back to the
    end of the last completed epoch, sets ``trainer.interrupted`` and warns.
    An epoch after which some parameter is no longer finite (divergence) is
    rolled back the same way; training stops and sets
    ``trainer.diverged_in_epoch``.

    Parameters
    ----------
    trainer : Trainer
    X : ndarray of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
        Targets, in the network's dtype.
    epochs : int
    mini_batch_size : int
    rng : numpy.random.Generator
        Source of the shuffling and the dropout masks.
    shuffle : bool, default=True
    sample_weight : ndarray of shape (n_samples,), optional
        Weights of the samples in the cost, a weighted mean.
    dropout : float, default=0.0
    callbacks : sequence of Callback
        Notified in order.
    augment : callable, optional
        Maps the rows of a mini-batch to distorted copies (new arrays);
        applied to every mini-batch, after it is gathered.

    Returns
    -------
    trainer : Trainer
    """
    network = trainer.network
    n_samples = X.shape[0]
    if trainer.optimizer.full_batch and (dropout or augment is not None):
        raise ValueError(
            "dropout and augment make the cost random, which full-batch optimizers (Newton, "
            "L-BFGS) cannot minimize; use them with a mini-batch optimizer."
        )
    batch_size = min(mini_batch_size, n_samples)

    def notify(hook):
        for callback in callbacks:
            getattr(callback, hook)(trainer)

    batch_hooks = [
        c.on_batch_end for c in callbacks if type(c).on_batch_end is not Callback.on_batch_end
    ]

    notify("on_train_begin")
    snapshot = trainer.snapshot()

    def epoch_done():
        nonlocal snapshot
        if not np.isfinite(network.params).all():
            trainer.diverged_in_epoch = trainer.epochs_run + 1
            trainer.restore(snapshot)
            raise StopTraining
        trainer.epochs_run += 1
        notify("on_epoch_end")
        snapshot = trainer.snapshot()

    try:
        if trainer.optimizer.full_batch:
            objective = FullBatchObjective(trainer, X, Y, sample_weight)
            notify("on_epoch_begin")

            def full_batch_epoch_done():
                epoch_done()
                notify("on_epoch_begin")

            with np.errstate(over="ignore", invalid="ignore"):
                trainer.optimizer_state = trainer.optimizer.run(
                    objective, network.params, trainer.optimizer_state, trainer.eta, epochs,
                    full_batch_epoch_done,
                )  # fmt: skip
        else:
            backprop = Backprop(network, trainer.cost, batch_size, dropout=dropout, rng=rng)
            scales = _batch_scales(sample_weight, network.dtype)
            buffers = None
            if shuffle:
                buffers = (
                    np.empty((batch_size, X.shape[1]), dtype=X.dtype),
                    np.empty((batch_size, Y.shape[1]), dtype=Y.dtype),
                )
            for _ in range(epochs):
                notify("on_epoch_begin")
                with np.errstate(over="ignore", invalid="ignore"):
                    _run_epoch(
                        trainer, backprop, X, Y, scales, batch_size, rng, shuffle, buffers,
                        batch_hooks, augment,
                    )  # fmt: skip
                epoch_done()
    except StopTraining:
        pass
    except KeyboardInterrupt:
        trainer.restore(snapshot)
        trainer.interrupted = True
        warnings.warn(
            "Training interrupted; the model holds the weights after epoch "
            f"{trainer.epochs_run} of this run, the last one completed.",
            UserWarning,
            stacklevel=3,
        )
    finally:
        notify("on_train_end")
    return trainer


class FullBatchObjective:
    """The regularized cost over the whole training set, as a function of the parameters.

    What full-batch optimizers minimize: ``value_and_gradient(p)`` and
    ``gradient(p)`` set the network's parameters to ``p`` (a flat array in
    any float dtype) and return the cost and its float64 gradient.
    """

    def __init__(self, trainer, X, Y, sample_weight=None):
        self.trainer = trainer
        self.X, self.Y = X, Y
        self.sample_weight = sample_weight
        n = X.shape[0]
        scales = _batch_scales(sample_weight, trainer.network.dtype)
        self._scale = 1.0 / n if scales is None else (scales / n)[:, None]
        self._backprop = Backprop(trainer.network, trainer.cost, n)
        self.evaluations = 0

    def gradient(self, params):
        """∂C/∂params at ``params``, penalty included (float64 copy)."""
        trainer, network = self.trainer, self.trainer.network
        if params is not network.params:
            np.copyto(network.params, params)
        grads = self._backprop.gradient(self.X, self.Y, self._scale).astype(np.float64)
        penalty = trainer.regularizer.gradient(
            network.weight_params, trainer.lmbda, trainer.n_train, out=self._backprop.scratch
        )
        if penalty is not None:
            grads[: network.n_weights] += penalty
        self.evaluations += 1
        return grads

    def value(self, params):
        """The cost at ``params``."""
        if params is not self.trainer.network.params:
            np.copyto(self.trainer.network.params, params)
        return self.trainer.total_cost(self.X, self.Y, self.sample_weight)[0]

    def value_and_gradient(self, params):
        """``(cost, gradient)`` at ``params``, from one forward pass."""
        grads = self.gradient(params)
        cost = self.trainer.cost_of(self._backprop.output, self.Y, self.sample_weight)
        return cost, grads


def _run_epoch(
    trainer, backprop, X, Y, scales, batch_size, rng, shuffle, buffers, batch_hooks, augment
):
    """One pass over the data in mini-batches, gathered into reused buffers."""
    n_samples = X.shape[0]
    order = rng.permutation(n_samples) if shuffle else None
    for start in range(0, n_samples, batch_size):
        stop = min(start + batch_size, n_samples)
        m = stop - start
        if shuffle:
            index = order[start:stop]
            xb = np.take(X, index, axis=0, out=buffers[0][:m], mode="clip")
            yb = np.take(Y, index, axis=0, out=buffers[1][:m], mode="clip")
        else:
            index = slice(start, stop)
            xb, yb = X[index], Y[index]
        if augment is not None:
            xb = augment(xb)
        scale = 1.0 / m if scales is None else (scales[index] / m)[:, None]
        trainer.step(backprop, xb, yb, scale)
        for hook in batch_hooks:
            hook(trainer, stop, n_samples)


def _accuracy(output, Y):
    """Fraction of samples whose most active output is the target class.

    For multilabel targets (rows with several ones) every output must be on
    the right side of 0.5.
    """
    if Y.shape[1] > 1 and np.all(Y.sum(axis=1) == 1):
        return float(np.mean(output.argmax(axis=1) == Y.argmax(axis=1)))
    return float(np.mean(np.all((output > 0.5) == (Y > 0.5), axis=1)))


class Monitor(Callback):
    """Records the asked-for costs and accuracies into the history each epoch.

    Parameters
    ----------
    monitor : iterable of str
        Subset of ``MONITORS``.
    train_data : tuple (X, Y, sample_weight)
    validation_data : tuple (X, Y) or None
    score : callable, optional
        ``score(output, Y)``, recorded as the "accuracy"; default the
        classification accuracy.
    """

    def __init__(self, monitor, train_data, validation_data=None, score=None):
        self.monitor = set(monitor)
        self.train_data = train_data
        self.validation_data = validation_data
        self.score = score or _accuracy

    def on_epoch_end(self, trainer):
        history = trainer.history
        if self.monitor & {"training_cost", "training_accuracy"}:
            X, Y, sample_weight = self.train_data
            cost, output = trainer.total_cost(X, Y, sample_weight)
            if "training_cost" in self.monitor:
                history["training_cost"].append(cost)
            if "training_accuracy" in self.monitor:
                history["training_accuracy"].append(self.score(output, Y))
        if self.monitor & {"validation_cost", "validation_accuracy"}:
            X, Y = self.validation_data
            cost, output = trainer.total_cost(X, Y)
            if "validation_cost" in self.monitor:
                history["validation_cost"].append(cost)
            if "validation_accuracy" in self.monitor:
                history["validation_accuracy"].append(self.score(output, Y))


class VerbosePrinter(Callback):
    """Prints one line per epoch with what was monitored, as the book's program does."""

    def __init__(self, epochs, print_fn=print):
        self.epochs = epochs
        self.print_fn = print_fn
        self._start = None

    def on_epoch_begin(self, trainer):
        self._start = time.perf_counter()

    def on_epoch_end(self, trainer):
        seconds = time.perf_counter() - self._start
        parts = [f"Epoch {trainer.epochs_run}/{self.epochs}"]
        for key in MONITORS:
            values = trainer.history[key]
            if values:
                label = key.replace("_", " ")
                value = values[-1]
                parts.append(
                    f"{label} {value:.2%}" if key.endswith("accuracy") else f"{label} {value:.4f}"
                )
        parts.append(f"eta {trainer.eta:g}")
        parts.append(f"{seconds:.2f}s")
        self.print_fn(", ".join(parts))


class ProgressBar(Callback):
    """A one-line bar for the epoch in progress, redrawn about 50 times an epoch."""

    def __init__(self, stream, width=30):
        self.stream = stream
        self.width = width
        self._next = 0

    def on_epoch_begin(self, trainer):
        self._next = 0

    def on_batch_end(self, trainer, samples_done, n_samples):
        if samples_done >= self._next or samples_done == n_samples:
            filled = self.width * samples_done // n_samples
            self.stream.write(
                f"\r  epoch {trainer.epochs_run + 1} [{'#' * filled}{'.' * (self.width - filled)}]"
                f" {samples_done}/{n_samples}"
            )
            self.stream.flush()
            self._next = samples_done + max(1, n_samples // 50)

    def on_epoch_end(self, trainer):
        self.stream.write("\r" + " " * (self.width + 40) + "\r")
        self.stream.flush()


class MonitorEvery(Callback):
    """Records the validation accuracy every ``every`` training samples.

    The book's advice for fast feedback: watch the accuracy more often than
    once per epoch. Fills ``record`` with ``samples`` (seen so far in this
    run) and ``validation_accuracy``.
    """

    def __init__(self, every, validation_data, record, score=None):
        self.every = every
        self.validation_data = validation_data
        self.record = record
        self.score = score or _accuracy
        self._next = every

    def on_batch_end(self, trainer, samples_done, n_samples):
        seen = trainer.epochs_run * n_samples + samples_done
        if seen >= self._next:
            X, Y = self.validation_data
            accuracy = self.score(trainer.network.feedforward(X), Y)
            self.record["samples"].append(int(seen))
            self.record["validation_accuracy"].append(accuracy)
            self._next = (seen // self.every + 1) * self.every


class _Plateau(Callback):
    """The book's no-improvement-in-n rule on validation accuracy."""

    def __init__(self, patience):
        self.patience = patience
        self.best = -np.inf
        self.epochs_without_improvement = 0

    def _plateaued(self, trainer):
        """Update the counters with the latest accuracy; True when the rule fires."""
        accuracy = trainer.history["validation_accuracy"][-1]
        if accuracy > self.best:
            self.best = accuracy
            self.epochs_without_improvement = 0
            self._on_improvement(trainer)
            return False
        self.epochs_without_improvement += 1
        if self.epochs_without_improvement >= self.patience:
            self.epochs_without_improvement = 0
            return True
        return False

    def _on_improvement(self, trainer):
        pass


class EarlyStopping(_Plateau):
    """Stop after ``patience`` epochs without a better validation accuracy.

    At the end the network gets back the weights of its best epoch.
    """

    def __init__(self, patience):
        super().__init__(patience)
        self.best_params = None
        self.best_epoch = None

    def _on_improvement(self, trainer):
        self.best_params = trainer.network.params.copy()
        self.best_epoch = trainer.epochs_run

    def on_epoch_end(self, trainer):
        if self._plateaued(trainer):
            raise StopTraining

    def on_train_end(self, trainer):
        if self.best_params is not None:
            np.copyto(trainer.network.params, self.best_params)


class HalveOnPlateau(_Plateau):
    """Halve η each time the no-improvement-in-n rule fires; stop at η₀/128.

    This is the learning-rate schedule of the book's chapter 3 exercise.
    """

    def __init__(self, patience, min_fraction=1.0 / 128):
        super().__init__(patience)
        self.min_fraction = min_fraction
        self.initial_eta = None

    def on_train_begin(self, trainer):
        self.initial_eta = trainer.eta

    def on_epoch_end(self, trainer):
        if self._plateaued(trainer):
            trainer.eta /= 2.0
            if trainer.eta <= self.initial_eta * self.min_fraction:
                raise StopTraining
