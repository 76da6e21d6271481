"""The training loop: epochs, mini-batches, the regularized gradient and rollback.

One module owns the whole run. :func:`train` drives either shuffled
mini-batches through a per-step :class:`~sknielsen.plugins.Optimizer`, or a
full-batch :class:`~sknielsen.plugins.Solver` (one iteration per epoch), and
notifies the callbacks (:mod:`sknielsen.callbacks`). The penalty's gradient
is formed in one place (:class:`Penalty`), and one rule decides which
epoch's weights the model keeps when training ends (:meth:`Trainer._settle`).
"""

import copy
import functools
import math
import operator
import reprlib
from dataclasses import dataclass, field
from numbers import Integral, Number, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    validate_parameter_constraints,
)

from .._core.arrays import working_memory
from .._core.params import HyperParameters, is_builtin, refuse_booleans
from .._core.sparse import MINI_BATCH_INSTEAD, refuse_sparse
from .._core.warn import warn
from ..callbacks import (
    HISTORY_KEYS,
    Callback,
    CallbackError,
    Monitor,
    MonitorEvery,
    ProgressBar,
    StopTraining,
    as_float,
)
from ..engine._cengine import CTrainer
from ..engine._network import Backprop, overflowing_layer, rows_within, sparse_batches_pay
from ..plugins import Solver
from ..plugins._derivatives import derivative_problem
from ..plugins._returns import (
    LOOP_KEYS,
    returned_array,
    returned_number,
    returned_state,
    returned_update,
    state_layout,
)
from ._config import LMBDA_CONSTRAINTS, check_randomness


class Penalty:
    """The regularizer with its λ and n: the one place the regularized gradient is formed.

    Parameters
    ----------
    regularizer : Regularizer
    lmbda : float
    n_train : int
        Size n of the training set in the book's λ/n scaling.
    n_weights : int
        Number of weights (the biases follow them in the flat parameters).
    dtype : numpy dtype
    """

    def __init__(self, regularizer, lmbda, n_train, n_weights, dtype):
        self.regularizer = regularizer
        self.lmbda = lmbda
        self.n_train = n_train
        self.n_weights = n_weights
        self._scratch = np.empty(n_weights, dtype=dtype)
        # Asked at every step: the package's own factors are Python floats, left unchecked.
        self._factor_dtype = None if is_builtin(regularizer) else self._scratch.dtype

    def weights(self, params):
        """The view of every weight (no bias) in flat parameters."""
        return params[: self.n_weights]

    def value(self, params):
        """The penalty term of the cost at ``params``."""
        value = self.regularizer.penalty(self.weights(params), self.lmbda, self.n_train)
        return returned_number(self.regularizer, "penalty", value, dtype=params.dtype)

    def add_gradient(self, grads, params):
        """Add the penalty's gradient at ``params`` to the flat ``grads``, in place."""
        weights = self.weights(params)
        gradient = self.regularizer.gradient(weights, self.lmbda, self.n_train, out=self._scratch)
        if gradient is not None:
            meaning = "one number for each weight"
            grads[: self.n_weights] += returned_array(
                self.regularizer, "gradient", gradient, weights.shape, meaning, weights.dtype
            )

    def decay_factor(self, eta):
        """See :meth:`~sknielsen.plugins.Regularizer.decay_factor`."""
        factor = self.regularizer.decay_factor(eta, self.lmbda, self.n_train)
        return returned_number(
            self.regularizer, "decay_factor", factor, optional=True, dtype=self._factor_dtype
        )


#: The objects a run is built with, by their path on the trainer, and what to do instead
#: of replacing one. A callback may change their settings (trainer.optimizer.mu,
#: trainer.penalty.lmbda: both engines read them at each step), not the objects. The
#: engines hold them (the NumPy engine's backprop its network and cost, the C engine's
#: kernels the network and the kinds of cost, regularizer and optimizer, a solver
#: itself), so a replacement was followed by one engine and not by another; and the
#: fitted model names the estimator's plugins, not the replacements. Following one
#: would take a new optimizer state, the C trainer rebuilt or NumPy taking over
#: mid-run, a solver turned into steps mid-fit, and the fitted plugins and model file
#: rewritten: refused, as replacing network.params is.
_BUILT_WITH = {
    "network": "write into its parameters instead (trainer.network.params[...] = new)",
    "network.activations": "pass another activation to the estimator to train with it",
    "cost": "pass another cost to the estimator to train with it",
    "penalty": (
        "set its lmbda instead (trainer.penalty.lmbda = 0.1), or pass another "
        "regularizer to the estimator"
    ),
    "penalty.regularizer": (
        "set trainer.penalty.lmbda instead, or pass another regularizer to the estimator"
    ),
    "optimizer": (
        "set its hyper-parameters instead (trainer.optimizer.set_params(mu=0.5)), or "
        "pass another optimizer to the estimator"
    ),
}

#: Reads each object of _BUILT_WITH from the trainer, by its path.
_BUILT_WITH_GETTERS = {path: operator.attrgetter(path) for path in _BUILT_WITH}

#: The learning rates a callback may write into the optimizer's state, by how it
#: reaches them: their key and what they are, for messages.
_STATE_RATES = {
    "trainer.state['eta']": ("eta", "the learning rate"),
    "trainer.state['eta0']": ("eta0", "the learning rate training started from"),
}

#: What the n of the penalty's λ/n may be: a count of samples, at most the rows an
#: array can hold (10**400 made λ/n an OverflowError at the next step, unnamed).
_N_TRAIN_CONSTRAINTS = [Interval(Integral, 1, np.iinfo(np.intp).max, closed="both")]

#: A setting not seen before: no value is this object.
_UNSET = object()

#: Values that cannot change in place: the object checked is the value checked.
_ATOMS = (Number, str, bytes, type(None), np.generic)

#: The built-in on_batch_end hooks, which read the trainer and write nothing it checks
#: (a progress line, MonitorEvery's own record): those of subclasses that redefine the
#: hook are checked.
_READING_BATCH_HOOKS = frozenset({ProgressBar.on_batch_end, MonitorEvery.on_batch_end})

#: The hooks called outside every epoch, with when that is, for messages.
_OUTSIDE_EPOCHS = {"on_train_begin": "before the first", "on_train_end": "after the last"}


def _same(found, built):
    """Whether ``found`` is the object ``built``, or holds the same objects (a list's items)."""
    if isinstance(built, tuple):
        return (
            isinstance(found, (list, tuple))
            and len(found) == len(built)
            and all(map(operator.is_, found, built))
        )
    return found is built


def _contents(value, inside=frozenset()):
    """What a setting holds now: ``value`` itself, or a copy of what it holds.

    A list, tuple, dict or array, or a plugin held by a plugin, can be changed
    in place (``trainer.penalty.regularizer.scales[0] = 2.0``) while staying
    the same object: their items, a copy of an array's bytes and a plugin's
    hyper-parameters are taken instead, so that :func:`_unchanged` sees the
    change. Other values are compared as the objects they are.

    Parameters
    ----------
    value : object
    inside : frozenset of int
        The ids of the containers ``value`` lies in: one that holds itself
        is taken as the object.

    Returns
    -------
    contents : object
        ``value``, or a tuple describing what it holds.
    """
    if isinstance(value, _ATOMS) or id(value) in inside:
        return value
    inside = inside | {id(value)}
    if isinstance(value, np.ndarray):
        if value.dtype.kind != "O":
            return (np.ndarray, value.dtype.str, value.shape, value.tobytes())
        items = [("shape", value.shape), *enumerate(value.flat)]
    elif isinstance(value, HyperParameters):
        items = value.get_params().items()
    elif isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    else:
        return value
    return (type(value), *((key, _contents(item, inside)) for key, item in items))


def _unchanged(found, checked):
    """Whether the :func:`_contents` ``found`` are those ``checked``: the same objects.

    The values they hold are compared as objects (an equal 0.5 put in place
    of another counts as a change, checked again, and so does ``True`` in
    place of 1), an array's bytes and the type names by value.
    """
    if found is checked:
        return True
    if type(found) is not tuple or type(checked) is not tuple or len(found) != len(checked):
        return isinstance(found, (str, bytes)) and type(found) is type(checked) and found == checked
    return all(map(_unchanged, found, checked))


def _validate_plugin(plugin, path):
    """Check a plugin's hyper-parameters as ``fit`` does: its constraints, then its derivative.

    A hyper-parameter may change the function a plugin computes (σ(kz) of a
    ``Sigmoid`` subclass): the derivative it inherits, right for one value,
    is then compared with the new function again (the answer is kept for the
    class and hyper-parameters, see :func:`derivative_problem`).
    """
    plugin.validate(path)
    problem = derivative_problem(plugin)
    if problem is not None:
        raise InvalidParameterError(problem)


def same_objective(before, after):
    """Whether two :meth:`Trainer.objective` describe the same cost (an equal new value counts)."""
    return before.keys() == after.keys() and all(map(_unchanged, after.values(), before.values()))


def _learning_rate(value):
    """``value`` as a learning rate, a finite float > 0, or None when it is not one."""
    # float() would read "0.1" and count True as 1: a number is wanted, not these.
    if isinstance(value, (bool, str, bytes)):
        return None
    try:
        eta = float(value)
    except (TypeError, ValueError, OverflowError):  # 10**400 overflows a float
        return None
    return eta if math.isfinite(eta) and eta > 0 else None


def _finite_state(state):
    """Whether every number of an optimizer's state is finite (η, velocities, moments)."""
    arrays = (np.asarray(value) for value in state.values())
    return all(np.isfinite(a).all() for a in arrays if a.dtype.kind in "iuf")


def optimizer_step(trainer, grads):
    """One step of a per-step optimizer: the one place a mini-batch's gradient is applied.

    The penalty enters here, once: its gradient is added to ``grads``, or,
    for an optimizer that ``decouples_decay`` (plain SGD), the
    regularizer's decay factor scales the weights instead, the book's
    w ← (1 − ηλ/n)w − η∂C₀/∂w in one pass. Then the optimizer's update is
    added to the parameters.

    Parameters
    ----------
    trainer : Trainer
        Its parameters and optimizer state change in place.
    grads : ndarray of shape (n_params,)
        The cost's gradient (scratch space: it is overwritten).
    """
    params, optimizer, penalty = trainer.network.params, trainer.optimizer, trainer.penalty
    factor = penalty.decay_factor(trainer.state["eta"]) if optimizer.decouples_decay else None
    if factor is None:
        penalty.add_gradient(grads, params)
    elif factor != 1.0:
        penalty.weights(params)[...] *= factor
    # An optimizer of one's own may change its arrays in place: their layout is taken first.
    # The package's own are tested to keep it; a check at every step cost 5 % of an epoch.
    layout = None if is_builtin(optimizer) else state_layout(trainer.state)
    result = optimizer.update(grads, trainer.state, params)
    updates, state = returned_update(optimizer, result, params, layout)
    if state is not trainer.state:  # a new dict, perhaps of the optimizer's own keys only
        lost = {k: trainer.state[k] for k in LOOP_KEYS if k in trainer.state and k not in state}
        state = {**lost, **state} if lost else state
    trainer.state = state
    params += updates


#: The trainer's counts, which callbacks read and only the loop advances.
_COUNTERS = ("epoch", "epochs_run", "samples_seen", "samples_in_epoch", "n_samples")

#: Reads the counts, in _COUNTERS' order, as one tuple.
_read_counters = operator.attrgetter(*_COUNTERS)


def new_optimizer_state(optimizer, params, eta):
    """The state a fresh run starts from: the optimizer's arrays, η and the initial η."""
    state = returned_state(optimizer, "init", optimizer.init(params), dtype=params.dtype)
    return {"eta": float(eta), "eta0": float(eta), **state}


@dataclass
class _Snapshot:
    params: np.ndarray
    state: dict
    epoch: int
    samples_seen: int
    history_lengths: dict = field(default_factory=dict)
    # The generator's position: an epoch's shuffle and dropout masks are drawn as it goes.
    rng_state: dict = None


def _weighted_mean(costs, sample_weight):
    """The mean of per-sample costs weighted by ``sample_weight``, in the costs' dtype.

    Summed in the costs' dtype, as recorded runs were. Where a float32 sum
    overflows though every cost is finite (costs near float32's 3.4e38), the
    mean is taken again in float64: it was infinite, with NumPy's overflow
    warning, and read as a cost already infinite. A mean of finite costs is
    no larger than the largest, so it fits their dtype.
    """
    costs = np.asarray(costs)
    weights = sample_scales(sample_weight, np.float64)  # their sum stays finite
    with np.errstate(over="ignore"):  # a cost that is itself infinite is the callers' to say
        mean = np.average(costs, weights=weights)
        if not np.isfinite(mean) and costs.dtype != np.float64 and np.isfinite(costs).all():
            mean = costs.dtype.type(np.average(costs.astype(np.float64), weights=weights))
    return mean


class Trainer:
    """Everything one training run reads and changes; what callbacks receive.

    Parameters
    ----------
    network : Network
    cost : Cost
    penalty : Penalty
    optimizer : Optimizer
        The run trains with these objects to its end: a callback may change
        their settings, and one that replaces any of them (or the penalty's
        regularizer, or one of the network's activations) is refused with
        :class:`~sknielsen.callbacks.CallbackError`.
    state : dict
        The optimizer's state, with ``"eta"`` and ``"eta0"``; see
        :func:`new_optimizer_state`.
    history : dict of list, optional
        Per-epoch records to continue; new empty lists by default.
    callbacks : sequence of Callback, default=()
    epoch, samples_seen : int, default=0
        Epochs completed and samples seen by earlier runs of the same model.
    saver : callable, optional
        ``saver(path, trainer)`` writes the model as it is now; used by
        :meth:`save`, and with ``path=None`` (check, write nothing) by
        :meth:`check_save`.

    Attributes
    ----------
    epochs_run : int
        Epochs completed in this run.
    epochs_to_run : int
        The most epochs this run trains (``epochs``, or 1 for ``partial_fit``).
    ending : {'completed', 'stopped', 'interrupted', 'diverged'} or None
        How the run ended.
    kept_epoch : int or None
        The epoch (counted like ``epoch``) whose weights the model holds at
        the end.
    diverged_epoch : int or None
        The epoch in which the parameters stopped being finite.
    stopped_by : tuple (str, str) or None
        The callback's class name and the hook in which ``StopTraining`` or
        ``KeyboardInterrupt`` ended the run; None when it ended elsewhere.
    bad_write : str or None
        Which callback left non-finite weights, in which hook and when.
    compiled : CTrainer or None
        The C engine's trainer of the run, when the C engine trains:
        :meth:`evaluate` makes its forward passes with it too.
    """

    def __init__(
        self,
        network,
        *,
        cost,
        penalty,
        optimizer,
        state,
        history=None,
        callbacks=(),
        epoch=0,
        samples_seen=0,
        saver=None,
    ):
        self.network = network
        self.cost = cost
        self.penalty = penalty
        self.optimizer = optimizer
        self.state = state
        self.history = history if history is not None else {k: [] for k in HISTORY_KEYS}
        self.callbacks = list(callbacks)
        self.epoch = epoch
        self.samples_seen = samples_seen
        self.epochs_run = 0
        self.epochs_to_run = 0
        self.samples_in_epoch = 0
        self.n_samples = 0
        self.ending = self.kept_epoch = self.diverged_epoch = None
        self.stopped_by = self.bad_write = None
        self._saver = saver
        self.compiled = None
        self._best = None
        self._last = None
        self._kept = None
        self._rng = None
        # The callback and hook being called: named when they write bad state.
        self._calling = None
        # Whether a callback's change of an eta the optimizer ignores was warned about.
        self._told_eta_unread = False
        # Whether a cost computed since that call began is not finite (see _may_overflow).
        self._overflowed = False

    @property
    def eta(self):
        """The learning rate of the next step."""
        return self.state["eta"]

    @eta.setter
    def eta(self, value):
        eta = _learning_rate(value)
        if eta is None:
            # Refused here, where the callback can be named, not epochs later.
            raise CallbackError(
                f"{self._who()} set trainer.eta to {repr(value)[:80]}: the learning rate must "
                "be a finite number > 0."
            )
        self.state["eta"] = eta

    @property
    def initial_eta(self):
        """The learning rate this model's training started from."""
        return self.state["eta0"]

    def evaluate(self, X, Y, sample_weight=None):
        """Return the regularized mean cost over a data set, and the outputs.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
        Y : ndarray of shape (n_samples, n_outputs)
        sample_weight : ndarray of shape (n_samples,), optional

        Returns
        -------
        cost : float
        output : ndarray of shape (n_samples, n_outputs)

        Notes
        -----
        The forward passes are :meth:`sample_costs`'.

        Raises
        ------
        CallbackError
            For data that does not fit the network, naming the callback.
        """
        X, Y = self._fitting_data(X, Y, sample_weight)
        costs, output = self.sample_costs(X, Y)
        return self.regularized_mean(costs, sample_weight), output

    def _fitting_data(self, X, Y, sample_weight):
        """``X`` and ``Y`` as arrays (X may stay sparse), refused unless they fit the network.

        Data of other shapes failed deep in NumPy, naming neither the callback
        nor what did not fit.
        """
        X = X if sp.issparse(X) else np.asarray(X)
        Y = np.asarray(Y)
        n_in, n_out = self.network.sizes[0], self.network.sizes[-1]
        problem = None
        if X.ndim != 2 or X.shape[1] != n_in:
            problem = f"X of shape {X.shape}: the network takes rows of {n_in} inputs"
        elif Y.shape != (X.shape[0], n_out):
            problem = (
                f"Y of shape {Y.shape}: for X's {X.shape[0]} rows and the network's {n_out} "
                f"outputs it must be of shape {(X.shape[0], n_out)} (one-hot targets)"
            )
        elif sample_weight is not None and np.shape(sample_weight) != (X.shape[0],):
            problem = f"sample_weight of shape {np.shape(sample_weight)}: X has {X.shape[0]} rows"
        if problem is not None:
            raise CallbackError(f"{self._who()} called trainer.evaluate with {problem}.")
        return X, Y

    def sample_costs(self, X, Y, rows=None):
        """Return each sample's cost and the outputs, at the current weights.

        When the C engine trains (``compiled``) and reads ``X`` and ``Y`` as
        they are, its kernel makes the forward passes (on the rows asked
        for, without a copy of them); its outputs and costs are the NumPy
        engine's up to rounding.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features) or sparse matrix
        Y : ndarray of shape (n_samples, n_outputs)
        rows : ndarray of int, default=None
            The rows of ``X`` and ``Y`` to evaluate; None means all.

        Returns
        -------
        costs : ndarray of shape (n_rows,)
        output : ndarray of shape (n_rows, n_outputs)
        """
        compiled = self.compiled
        if compiled is not None and compiled.accepts(X, Y):
            order = np.arange(X.shape[0]) if rows is None else rows
            costs, output = compiled.evaluate(X, Y, order)
            # Its float64 costs of a float32 network, in float32 as the NumPy engine's:
            # the two then average, and overflow (lmbda = 1e30), alike.
            with np.errstate(over="ignore"):
                costs = costs.astype(output.dtype, copy=False)
        else:
            if rows is not None:
                X, Y = X[rows], Y[rows]
            # Weights that overflow the outputs give costs that are not finite, which the
            # callers name (the cost probe, a Monitor); not NumPy's warning from in here, and
            # not the C engine's silence on one engine and a warning on the other.
            with np.errstate(over="ignore", invalid="ignore"):
                max_rows = rows_within(working_memory(), self.network.weights)
                output = self.network.feedforward(X, max_rows=max_rows)
                costs = self.chunked_costs(output, lambda start, stop: Y[start:stop])
        self._overflowed = self._overflowed or not np.isfinite(costs).all()
        return costs, output

    def cost_of(self, output, Y, sample_weight=None):
        """Weighted mean cost of given outputs plus the penalty (λ/n scaling)."""
        costs = self.chunked_costs(output, lambda start, stop: Y[start:stop])
        return self.regularized_mean(costs, sample_weight)

    def output_costs(self, output, Y):
        """Each sample's cost of given outputs, as the cost plugin's ``fn`` computes it."""
        costs = self.cost.fn(output, Y)
        return returned_array(
            self.cost, "fn", costs, output.shape[:1], "one cost per sample", output.dtype
        )

    def chunked_costs(self, output, targets, out=None):
        """Each sample's cost of given outputs, as :meth:`output_costs`, a chunk of rows at a time.

        The cost's temporaries, several arrays of the outputs' shape, stay
        small (``_COST_CHUNK`` numbers each) whatever the number of rows:
        over a whole set at once they held four to five times its outputs.
        Each row's cost is the same number either way.

        Parameters
        ----------
        output : ndarray of shape (n_samples, n_outputs)
        targets : callable
            ``targets(start, stop)``: the targets of the rows ``start:stop``.
        out : ndarray of shape (n_samples,), optional
            Receives the costs; by default a new array of the outputs' dtype.

        Returns
        -------
        costs : ndarray of shape (n_samples,)
        """
        n_samples, n_outputs = output.shape
        costs = np.empty(n_samples, dtype=output.dtype) if out is None else out
        chunk = max(1, _COST_CHUNK // max(n_outputs, 1))
        for start in range(0, n_samples, chunk):
            stop = min(start + chunk, n_samples)
            costs[start:stop] = self.output_costs(output[start:stop], targets(start, stop))
        return costs

    def mean_cost(self, costs, sample_weight=None):
        """The weighted mean of per-sample costs, without the penalty."""
        return float(_weighted_mean(costs, sample_weight))

    def regularized_mean(self, costs, sample_weight):
        """The weighted mean of per-sample costs, plus the penalty at the current weights."""
        # Summed in the costs' dtype, as recorded runs were: float32 costs stay float32. A
        # penalty beyond float32 (lambda = 1e30) makes the cost inf, as the C engine's, and
        # the loop says so (_overflowed), not NumPy ("overflow encountered in cast"). The
        # penalty is made a number of that dtype first: NumPy 1 kept a float too large for
        # float32 in float64 (its value-based casting), NumPy 2 rounds it to inf.
        mean = _weighted_mean(costs, sample_weight)
        with np.errstate(over="ignore"):
            cost = mean + mean.dtype.type(self.penalty.value(self.network.params))
        cost = float(cost)
        self._overflowed = self._overflowed or not math.isfinite(cost)
        return cost

    def keep_best(self):
        """Remember the current weights as the ones the model ends with.

        Only the weights of a completed epoch have a name, so a call from
        ``on_batch_end`` is refused; non-finite weights are not remembered
        (the callback that wrote them ends the run, see :meth:`_notify`).

        Raises
        ------
        CallbackError
            When called in the middle of an epoch.
        """
        if self._calling is not None and self._calling[1] == "on_batch_end":
            raise CallbackError(
                f"{self._who()} called trainer.keep_best() in the middle of an epoch; it keeps "
                "the weights of a completed epoch: call it from on_epoch_end."
            )
        if self._finite():
            self._best = self._snapshot()

    def recorded_keys(self):
        """The history keys that received a value in this epoch, in the history's order.

        The history goes on from earlier fits: its last value under a key this
        run does not record (a validation accuracy of a fit given ``X_val``,
        before a ``partial_fit`` without it) is not this epoch's. Values
        recorded by ``on_epoch_end`` hooks count from the callback that
        recorded them on.

        Returns
        -------
        keys : list of str
        """
        lengths = self._epoch_lengths
        return [key for key, values in self.history.items() if len(values) > lengths.get(key, 0)]

    def _begin_epoch(self):
        """Note what the history holds, then call the callbacks' ``on_epoch_begin``."""
        self._epoch_lengths = self._history_lengths()
        self._notify("on_epoch_begin")

    def _history_lengths(self):
        return {key: len(values) for key, values in self.history.items()}

    @property
    def kept_best(self):
        """Whether a callback of this run asked for its best weights (:meth:`keep_best`)."""
        return self._best is not None

    def save(self, path):
        """Write the model as it is now to ``path`` (see :func:`sknielsen.save`)."""
        if self._saver is None:
            raise RuntimeError("This training run was not given a way to save the model.")
        self._saver(path, self)

    def check_save(self):
        """Raise now the error :meth:`save` would raise for this model, wherever it wrote.

        A callback that saves calls it from ``on_train_begin``, as
        :class:`~sknielsen.callbacks.Checkpoint` does: a model that the
        format cannot hold (class labels of dtype datetime64, say) is then
        refused before the first epoch, not after it. Nothing is written.

        Raises
        ------
        ValueError
            Saying why the model cannot be saved.
        """
        if self._saver is None:
            raise RuntimeError("This training run was not given a way to save the model.")
        self._saver(None, self)

    def _who(self):
        """The callback and hook being called, for messages."""
        if self._calling is None:
            return "Code outside the callbacks"
        callback, hook = self._calling
        return f"The callback {type(callback).__name__} ({hook})"

    def _finite(self):
        return bool(np.isfinite(self.network.params).all())

    def _notify(self, hook):
        """Call ``hook`` of every callback; a StopTraining takes effect after the last one.

        So every callback sees every epoch that counts, whatever the order of
        the list: a logger after an early stopping still writes the epoch
        that ended training. A callback that leaves non-finite weights ends
        the run at once, named (the check runs once per hook, not per
        mini-batch; the epoch's end catches those of ``on_batch_end``).
        """
        stop = None
        for callback in self.callbacks:
            if not _acts_in(callback, hook):
                continue  # Callback's own hook does nothing: no call, nothing to check
            self._enter(callback, hook)
            try:
                getattr(callback, hook)(self)
            except StopTraining as exc:
                stop = stop or (exc, self._calling)
            self._check_callback(self._epoch_lengths)
            if not self._finite():
                self._note_bad_write(callback, hook)
                raise StopTraining
        self._calling = None
        if stop is not None:
            self._calling = stop[1]  # the run ended in the first stopper's hook
            # Raised from no local name: the traceback holds this frame, and a frame that
            # held the exception would make a cycle keeping every frame of the fit (its
            # data, the trainer) alive until the next full garbage collection.
            exception, stop = stop[0], None
            try:
                raise exception
            finally:
                del exception

    def _notify_batch(self, callbacks):
        """Call ``on_batch_end`` of the callbacks that watch every mini-batch."""
        for callback in callbacks:
            self._enter(callback, "on_batch_end")
            hook = callback.on_batch_end
            hook(self)
            # The checks cost some microseconds at every mini-batch, a tenth of a compiled
            # mini-batch's time: a built-in hook that only reads the trainer is spared them
            # (the hook that ran: one set on the instance is the user's).
            if getattr(hook, "__func__", None) not in _READING_BATCH_HOOKS:
                self._check_callback(self._epoch_lengths)
        self._calling = None

    def _enter(self, callback, hook):
        """Note the callback about to be called, and what the history holds before it."""
        self._calling = (callback, hook)
        self._lengths_before_hook = self._history_lengths()
        # A copy for callbacks of one's own only (the built-ins record, never rewrite):
        # a pass over the history at every hook, which may be every mini-batch.
        own = not is_builtin(callback)
        self._values_before_hook = {k: list(v) for k, v in self.history.items()} if own else None
        self._eta_before_hook = self.state["eta"]
        self._counters_before_hook = self._counters()
        self._overflowed = False

    def _counters(self):
        """The trainer's counts of epochs and samples, which only the loop advances."""
        return _read_counters(self)

    def _check_callback(self, lengths):
        """Refuse what the called callback replaced, or left in the state, settings or history.

        Parameters
        ----------
        lengths : dict
            The length of each history list when the epoch began (see
            :meth:`_check_history`).
        """
        self._check_counters()
        self._check_built_with()
        self._check_state()
        self._check_settings()
        self._check_history(lengths, self._lengths_before_hook)
        self._check_eta_read()

    def _check_counters(self):
        """Refuse a change the called callback made to a count of epochs or samples.

        The history, the schedules, ``n_iter_`` and ``t_`` read them: an epoch
        of 100 after 3 left ``n_iter_`` 100 beside 3 losses, and a negative
        ``samples_seen`` fitted a model that :func:`sknielsen.save` refused.
        """
        counters = self._counters()
        if all(map(operator.is_, counters, self._counters_before_hook)):
            return  # the very objects: nothing changed (this runs at every mini-batch)
        for name, before, after in zip(_COUNTERS, self._counters_before_hook, counters):
            # Of the same type too: an epoch of 2.0 left n_iter_ a float, and an array
            # compared as NumPy's "truth value ... ambiguous".
            if after is not before and not (type(after) is type(before) and after == before):
                raise CallbackError(
                    f"{self._who()} changed trainer.{name} from {before!r} to "
                    f"{reprlib.repr(after)}: the trainer's counts of epochs and samples are "
                    "the loop's to advance; read them only."
                )

    def _check_eta_read(self):
        """Warn, once a run, that the called callback changed an η the optimizer never reads."""
        if self._told_eta_unread or self.optimizer.reads_eta:
            return
        if self.state["eta"] == self._eta_before_hook:
            return
        self._told_eta_unread = True
        name = type(self.optimizer).__name__
        warn(
            f"{self._who()} changed the learning rate trainer.eta, which {name} does not "
            f"read: {name} chooses its own step sizes, so the change does nothing. Use an "
            "optimizer that steps by eta (sgd, momentum, nesterov, adam, newton) for a "
            "schedule."
        )

    def _built_object(self, path):
        """The object at ``path`` on the trainer; a list as the tuple of its items."""
        found = _BUILT_WITH_GETTERS[path](self)
        return tuple(found) if isinstance(found, list) else found

    def _check_built_with(self):
        """Refuse an object of the run (see ``_BUILT_WITH``) the callback being called replaced.

        In ``_BUILT_WITH``'s order, so that a replaced network or penalty is named
        before its activations or regularizer are read.
        """
        for path, instead in _BUILT_WITH.items():
            found, built = _BUILT_WITH_GETTERS[path](self), self._built_with[path]
            if found is not built and not _same(found, built):
                raise CallbackError(
                    f"{self._who()} replaced trainer.{path}: a run trains with the objects "
                    f"it was built with to its end; {instead}."
                )

    def _settings(self):
        """The settings a callback may change, by how it reaches them: η, η₀, λ, n, the plugins'.

        The plugins are the optimizer, the regularizer, the cost and the
        activations: a plugin of one's own may have hyper-parameters, which
        the NumPy engine reads at each step (the C engine runs only plugins
        whose hyper-parameters its kernels read at each call).
        """
        penalty, state = self.penalty, self.state
        settings = {
            "trainer.state['eta']": state.get("eta"),
            "trainer.state['eta0']": state.get("eta0"),
            "trainer.penalty.lmbda": penalty.lmbda,
            "trainer.penalty.n_train": penalty.n_train,
        }
        for path, plugin, _ in self._plugins():
            # A loop, not a generator: this runs once per mini-batch a callback watches.
            for name, value in plugin.get_params().items():
                settings[path + name] = value
        return settings

    def _plugins(self):
        """The plugins whose hyper-parameters a callback may change.

        Returns
        -------
        plugins : list of tuple (str, Plugin, str)
            How a callback reaches each plugin's hyper-parameters, the plugin,
            and the estimator's parameter that sets it before fit.
        """
        plugins = [
            ("trainer.optimizer.", self.optimizer, "optimizer"),
            ("trainer.penalty.regularizer.", self.penalty.regularizer, "regularizer"),
            ("trainer.cost.", self.cost, "cost"),
        ]
        # The hidden layers share one activation object: the first layer's is theirs.
        *hidden, output = self.network.activations
        if hidden:
            plugins.append(("trainer.network.activations[0].", hidden[0], "activation"))
        plugins.append(("trainer.network.activations[-1].", output, "output_activation"))
        return plugins

    def _check_settings(self):
        """Refuse an η, λ, n or plugin hyper-parameter the callback being called made invalid.

        Each is checked as ``fit`` checks it: η and η₀ by the rule of
        :attr:`eta` (a direct write into the state skips it; a valid one is
        kept as a float, which model files hold), λ by the estimators'
        constraints, the n of λ/n as a count of samples, and the plugins by
        their own ``validate`` (the optimizer's ``init`` too, for this
        network: see :meth:`_validate_optimizer`; a cost's, activation's or
        regularizer's inherited derivative against its function, see
        :func:`_validate_plugin`). Left unchecked, a momentum
        of -3 or a negative λ trained on (the fit then blamed eta), a NaN λ
        "diverged", an n of 0 divided by zero, and a Checkpoint wrote files
        that :func:`sknielsen.load` refuses. This runs after every hook, once
        per mini-batch when a callback watches mini-batches, so only settings
        that changed since the last check are validated: an unchanged value
        is the very object checked before, and a list, array or plugin that
        can change in place holds what it held then (see :func:`_contents`).
        """
        settings = self._settings()
        last = self._checked_settings
        # An unchanged number is the very object checked (its contents): no call made.
        changed = [
            name
            for name, value in settings.items()
            if value is not last.get(name, _UNSET)
            and not _unchanged(_contents(value), last.get(name, _UNSET))
        ]
        if not changed:
            return
        self._refuse_read_at_start(changed, settings)
        for path, validate in self._validators().items():
            mine = [name for name in changed if name.startswith(path)]
            if not mine:
                continue
            try:
                validate(path)
            except InvalidParameterError as exc:
                values = ", ".join(f"{name} to {settings[name]!r:.60}" for name in mine)
                raise CallbackError(f"{self._who()} set {values}: {exc}") from None
        # Taken again: the validators keep a valid η or η₀ as a float.
        self._checked_settings = self._checked_contents()

    def objective(self):
        """What the cost this run minimizes is made of, as it is now.

        λ, the n of λ/n and the hyper-parameters of the cost, the
        regularizer and the activations, as :func:`_contents` takes them (a
        change in place counts). A callback that changes one changes the
        function whose values before and after a fit are compared
        (:class:`~._diagnostics.CostProbe`); η and the optimizer's settings
        change the way down, not the cost, and are left out.

        Returns
        -------
        objective : dict
            Compare two with :func:`same_objective`.
        """
        return {
            name: _contents(value)
            for name, value in self._settings().items()
            if not name.startswith(("trainer.state", "trainer.optimizer."))
        }

    def _refuse_read_at_start(self, changed, settings):
        """Refuse a change of a hyper-parameter its plugin reads only when the fit starts.

        The run would go on without it (scipy holds L-BFGS's ``memory``, Newton's
        state the damping it adapts), while the fitted plugin reported the new
        value: see :attr:`~sknielsen.plugins.Plugin.read_at_start`. Refused in every
        hook, ``on_train_begin`` included: the optimizer's state was made before it,
        from Newton's damping, and one rule for every hook is easier to keep.
        """
        for path, plugin, parameter in self._plugins():
            for name in plugin.read_at_start:
                if path + name in changed:
                    raise CallbackError(
                        f"{self._who()} set {path}{name} to {settings[path + name]!r:.60}: "
                        f"{type(plugin).__name__} reads {name} only when the fit starts, and "
                        "would not follow a change made during it; set it before fit "
                        f"({parameter}__{name})."
                    )

    def _checked_contents(self):
        """What each setting holds now, checked (see :func:`_contents`)."""
        return {name: _contents(value) for name, value in self._settings().items()}

    def _validators(self):
        """What checks each group of settings as fit does, by the start of their names."""
        validators = {
            "trainer.state['eta']": self._validate_learning_rate,
            "trainer.state['eta0']": self._validate_learning_rate,
            "trainer.penalty.lmbda": self._validate_lmbda,
            "trainer.penalty.n_train": self._validate_n_train,
        }
        for path, plugin, _ in self._plugins():
            validators[path] = functools.partial(_validate_plugin, plugin)
        validators["trainer.optimizer."] = self._validate_optimizer
        return validators

    def _validate_learning_rate(self, name):
        """Check ``trainer.state['eta']`` or ``['eta0']`` by the rule of :attr:`eta`."""
        key, meaning = _STATE_RATES[name]
        eta = _learning_rate(self.state.get(key))
        if eta is None:
            raise InvalidParameterError(f"{meaning} must be a finite number > 0.")
        # A np.float32 passed, then failed the model file's JSON at the end.
        self.state[key] = eta

    def _validate_optimizer(self, path):
        """Check the optimizer's hyper-parameters by its constraints, then for this network.

        ``init`` refuses settings the parameters cannot have: one their dtype
        cannot hold (Adam's epsilon of 1e-50 is 0 in float32, and made every
        step 0/0), or a limit the network exceeds (Newton's ``max_params``).
        ``fit`` calls it before training, and so does this check: a solver's
        on the network's parameters (it keeps no state of their size, and is
        checked once per iteration at most); a per-step optimizer's on one
        parameter of the run's dtype, so that no state of the network's size
        is made at every mini-batch a schedule changes it.
        """
        self.optimizer.validate(path)
        params = self.network.params
        if not isinstance(self.optimizer, Solver):
            params = np.zeros(1, dtype=params.dtype)
        try:
            self.optimizer.init(params)
        except ValueError as exc:
            raise InvalidParameterError(str(exc)) from None

    def _validate_lmbda(self, name):
        self._validate_constraint(name, self.penalty.lmbda, LMBDA_CONSTRAINTS)

    def _validate_n_train(self, name):
        # Both engines divide λ by it; the C engine truncates it to an integer.
        self._validate_constraint(name, self.penalty.n_train, _N_TRAIN_CONSTRAINTS)

    def _validate_constraint(self, name, value, allowed):
        constraints, values = {name: allowed}, {name: value}
        validate_parameter_constraints(constraints, values, caller_name="the training run")
        refuse_booleans(constraints, values, "the training run")

    def _check_state(self):
        """Refuse an optimizer state the callback being called left unusable."""
        # Per-step optimizers and solvers alike: Newton's damping is written between two
        # iterations as Adam's moments are between two steps.
        problem = self.optimizer.state_problem(self.state)  # the optimizer's own words first
        if problem is not None:
            raise CallbackError(f"{self._who()} left {problem}.")
        for key, (shape, dtype) in self._state_layout.items():
            value = self.state.get(key)
            if not isinstance(value, np.ndarray) or (value.shape, value.dtype) != (shape, dtype):
                # The engines step these arrays in place: another would fail inside NumPy
                # or the kernel, or (float32 in a float64 run) train on silently.
                found = (
                    f"an array of {value.dtype} of shape {value.shape}"
                    if isinstance(value, np.ndarray)
                    else f"{type(value).__name__} {value!r:.40}"
                )
                raise CallbackError(
                    f"{self._who()} left the optimizer's state {key!r} as {found}: it must "
                    f"stay the array of {dtype} of shape {shape} that init made; write "
                    f"into it (state[{key!r}][...] = new)."
                )
        if self._calling[1] != "on_batch_end":
            self._check_state_finite()

    def _check_state_finite(self):
        """Refuse NaN or infinity the callback being called wrote into the optimizer's arrays.

        Outside mini-batches the state is finite before every hook (each
        epoch's end checks it, a rollback restores a finite one), so such a
        value is the callback's. The next step made the weights NaN and the
        run "diverged", blamed on eta; written in ``on_epoch_end`` or
        ``on_train_end`` it went into the state the model keeps, and the fit
        failed at its end. Not checked after ``on_batch_end``, where a pass
        over the state would cost about a step: the next step's NaN ends the
        run there as a divergence, rolled back to a finite state.
        """
        arrays = (item for item in self.state.items() if isinstance(item[1], np.ndarray))
        for key, value in arrays:
            if value.dtype.kind == "f" and not np.isfinite(value).all():
                raise CallbackError(
                    f"{self._who()} left NaN or infinite values in the optimizer's state "
                    f"{key!r}: every step would then be NaN; write finite values."
                )

    def _check_history(self, lengths, before):
        """Refuse a second value under a key in one epoch, or one that is not a finite number.

        Two callbacks recording one key (a Monitor of one's own beside the
        estimator's ``monitor``) gave the history more values than epochs,
        and a score's array or string, or a NaN, a history no model file can
        hold: all failed the fit only at its end, blamed on overflow. Only a
        Monitor may record a value that is not finite (see
        :meth:`_may_overflow`). A NumPy number is kept as a float, which is
        what logs and model files write.
        ``on_train_begin`` and ``on_train_end`` belong to no epoch, so they
        may record nothing, and ``loss`` is the loop's own. The keys are those
        of ``HISTORY_KEYS``, and no value is removed (see
        :meth:`_check_history_keys`).

        Parameters
        ----------
        lengths : dict
            The length of each history list when the epoch began (or the
            hook, for the hooks outside every epoch).
        before : dict
            The length of each history list before the callback's hook.
        """
        self._check_history_keys(before)
        self._check_history_values()
        if len(self.history["loss"]) > before["loss"]:
            # Else a loss recorded before the loop's own was blamed on the next callback.
            raise CallbackError(
                f"{self._who()} recorded a value under 'loss', which the training loop "
                "records itself at each epoch's end: keep values of your own in an "
                "attribute of the callback."
            )
        hook = self._calling[1]
        for key, values in self.history.items():
            start = lengths.get(key, 0)
            # Only what this hook recorded is its own: a value an earlier callback recorded
            # in this epoch was checked then (a Monitor's inf, of outputs that overflowed,
            # was blamed on the next callback called).
            if len(values) <= max(start, before.get(key, 0)):
                continue
            if hook in _OUTSIDE_EPOCHS:
                raise CallbackError(
                    f"{self._who()} recorded a value under {key!r} {_OUTSIDE_EPOCHS[hook]} "
                    "epoch: the history holds one value per key and epoch; record it in "
                    "on_epoch_end."
                )
            if len(values) > start + 1:
                raise CallbackError(
                    f"{self._who()} recorded a second value under {key!r} in epoch "
                    f"{self.epoch + (self._calling[1] != 'on_epoch_end')}: the history holds "
                    "one value per key and epoch. Is the key recorded by another callback "
                    "too (a Monitor, or the estimator's monitor parameter)?"
                )
            value = values[-1]
            if type(value) is not float:
                if not isinstance(value, Real) or isinstance(value, bool):
                    raise CallbackError(
                        f"{self._who()} recorded {type(value).__name__} {repr(value)[:60]} under "
                        f"{key!r}: the history holds real numbers."
                    )
                values[-1] = as_float(value)
            if not (math.isfinite(values[-1]) or self._may_overflow(key)):
                raise CallbackError(
                    f"{self._who()} recorded {repr(value)[:60]} under {key!r}: the history holds "
                    "finite numbers (only a Monitor's records of outputs that overflowed, whose "
                    "cost trainer.evaluate found not finite, may be NaN or infinite: the fit "
                    "then reports the overflow)."
                )

    def _may_overflow(self, key):
        """Whether the callback being called may record a value under ``key`` that is not finite.

        A Monitor's cost is not finite when the network's outputs overflowed
        on its data, and neither is their score then (which the Monitor
        checks, see ``_scored``): the end of the fit says what overflowed.
        So a Monitor may record such a value under a key it monitors when a
        cost it had the trainer compute in this hook (:meth:`evaluate`,
        :meth:`sample_costs`, :meth:`cost_of`) was not finite. Any other
        value that is not finite is a callback's fault: a Monitor of one's
        own whose score of finite outputs was NaN was let through, and the
        fit blamed overflow at its end ("try a smaller eta").
        """
        callback = self._calling[0]
        return isinstance(callback, Monitor) and key in callback.monitor and self._overflowed

    def _check_history_values(self):
        """Refuse a value recorded before the hook that the called callback changed.

        ``history["loss"][-1] = 123.0`` in ``on_epoch_end`` became the model's
        ``loss_curve_`` without a word; a new value, appended, is checked by
        :meth:`_check_history`.
        """
        if self._values_before_hook is None:
            return
        for key, before in self._values_before_hook.items():
            after = self.history[key][: len(before)]
            if after != before:
                index = next(i for i, (a, b) in enumerate(zip(after, before)) if a != b)
                raise CallbackError(
                    f"{self._who()} changed trainer.history[{key!r}][{index}] from "
                    f"{before[index]!r} to {reprlib.repr(after[index])}: the recorded values are "
                    "the loop's and the monitors'; keep values of your own in an attribute "
                    "of the callback."
                )

    def _check_history_keys(self, before):
        """Refuse a key a callback added to the history, one it removed, or values it removed.

        The history holds the keys a model file saves: a key of a callback's
        own let the fit succeed, then :func:`sknielsen.save` refuse the model
        and a Checkpoint write files that :func:`sknielsen.load` refuses. A
        removed key failed with a ``KeyError`` deep in the loop, and removed
        values left a history of fewer epochs than the model trained.

        Parameters
        ----------
        before : dict
            The length of each history list before the callback's hook.
        """
        added = [key for key in self.history if key not in HISTORY_KEYS]
        if added:
            raise CallbackError(
                f"{self._who()} added the key {added[0]!r} to trainer.history, which holds "
                f"{list(HISTORY_KEYS)} only: the values a model file saves. Keep values of "
                "your own in an attribute of the callback instead (self.values = [...]), "
                "read after the fit from the estimator's callbacks_."
            )
        removed = [key for key in HISTORY_KEYS if key not in self.history]
        if removed:
            raise CallbackError(
                f"{self._who()} removed the key {removed[0]!r} from trainer.history: every "
                f"key of {list(HISTORY_KEYS)} stays, empty when nothing records it."
            )
        for key, length in before.items():
            if len(self.history[key]) < length:
                raise CallbackError(
                    f"{self._who()} removed values from trainer.history[{key!r}]: it holds "
                    "one value per epoch trained, earlier fits' included; append to it only."
                )

    def _note_bad_write(self, callback, hook):
        when = {
            "on_train_begin": "before the first epoch",
            "on_epoch_end": f"at the end of epoch {self.epoch}",
            "on_train_end": "after training",
        }.get(hook, f"in epoch {self.epoch + 1}")
        self.bad_write = (
            f"The callback {type(callback).__name__} left non-finite weights (NaN or "
            f"infinity) in {hook}, {when}"
        )
        self.ending = "diverged"
        self.diverged_epoch = self.epoch + int(hook != "on_epoch_end")

    def _batch_hooks(self):
        return [callback for callback in self.callbacks if _acts_in(callback, "on_batch_end")]

    def _snapshot(self):
        return _Snapshot(
            self.network.params.copy(),
            copy.deepcopy(self.state),
            self.epoch,
            self.samples_seen,
            self._history_lengths(),
            None if self._rng is None else self._rng.bit_generator.state,
        )

    def _begin(self, n_samples, watched_rows, rng=None):
        self.n_samples = n_samples
        self._watched_rows = watched_rows
        self._rng = rng
        self.ending = self.kept_epoch = self.diverged_epoch = None
        self.stopped_by = self.bad_write = self._calling = None
        self._best, self._epoch_ended = None, False
        self._last = self._snapshot()
        self._epoch_lengths = self._history_lengths()  # nothing recorded before an epoch
        self._built_with = {path: self._built_object(path) for path in _BUILT_WITH}
        self._checked_settings = self._checked_contents()  # fit validated them
        # What the optimizer's arrays must stay, whatever a callback writes into them.
        self._state_layout = state_layout(self.state)

    def _stopped(self, ending):
        """Record how the run ended, and in which callback's hook when one ended it."""
        self.ending = self.ending or ending
        if self._calling is not None:
            callback, hook = self._calling
            self.stopped_by = (type(callback).__name__, hook)
            # Raised out of the hook, past the checks that follow it: what the callback
            # replaced or changed is named here, in its own hook, not in the first
            # on_train_end (nor by a KeyError of the rollback, for a history key removed).
            self._check_callback(self._epoch_lengths)

    def _end_epoch(self, loss):
        """Count a finished epoch, or stop on divergence; then notify the callbacks.

        An epoch diverged when its loss or a parameter is not finite: an
        optimizer whose steps are bounded (Adam) can overflow the cost
        while every weight stays finite. So did an epoch whose last steps
        left finite weights so large that the outputs overflow (identity
        layers, say): the loss, summed over the epoch's steps, missed them,
        so the outputs of a few training rows are checked at its end, and
        whether any input in [0, 1] could overflow them, as a model file's
        rule has it, with the optimizer's state finite.
        """
        network = self.network
        finite = np.isfinite(loss) and np.isfinite(network.params).all()
        if finite:
            finite = np.isfinite(network.feedforward(self._watched_rows)).all()
        # What a model file refuses: weights that some input in [0, 1] can overflow, an
        # optimizer state that overflowed. Kept, they would fail the fit at its end.
        if finite:
            layers = network.weights, network.biases, network.activations
            finite = overflowing_layer(*layers) is None and _finite_state(self.state)
        if not finite:
            self.ending = "diverged"
            self.diverged_epoch = self.epoch + 1
            raise StopTraining
        self.epoch += 1
        self.epochs_run += 1
        self.samples_seen += self.n_samples
        self.history["loss"].append(float(loss))
        # From here the epoch is complete: an interrupt between two hooks, or while its
        # snapshot is taken, keeps it, as one within its on_epoch_end does (see _settle).
        self._epoch_ended = True
        self._notify("on_epoch_end")
        self._last = self._snapshot()
        # Taken: an interrupt now returns to it. A Solver's line search may move the
        # weights to trial points before its next iteration; those are never kept.
        self._epoch_ended = False

    def _restore(self, snapshot, *, counters):
        """Return to ``snapshot``'s weights and optimizer state; ``counters``: to its epoch.

        Returning to an epoch also returns the generator to where that epoch
        left it, so that a run continued from the model draws the shuffles
        and dropout masks a run never ended would have drawn. Best weights
        kept without their counters (:meth:`keep_best`) leave it with the
        epoch the counters name.
        """
        np.copyto(self.network.params, snapshot.params)
        self.state = copy.deepcopy(snapshot.state)
        if counters:
            self.epochs_run -= self.epoch - snapshot.epoch
            self.epoch, self.samples_seen = snapshot.epoch, snapshot.samples_seen
            for key, length in snapshot.history_lengths.items():
                del self.history[key][length:]
            if snapshot.rng_state is not None:
                self._rng.bit_generator.state = snapshot.rng_state

    def _settle(self):
        """The one rollback rule: decide, and set, which epoch's weights the model keeps.

        However the run ended (a StopTraining or an interrupt in any hook,
        divergence, a callback's non-finite weights), the model keeps the
        finite weights of a named epoch. A run that ends inside
        ``on_epoch_end``, or after the epoch completed and before the next
        began (an interrupt between two hooks), keeps the epoch just
        completed; one that ends
        anywhere else before completing (within an epoch, in
        ``on_epoch_begin`` or ``on_train_begin``) returns to the end of its
        last completed epoch, as does one whose weights are not finite. Then,
        when a callback asked for the best weights (:meth:`keep_best`), the
        model gets those.
        """
        in_epoch_end = self._epoch_ended or (
            self.stopped_by is not None and self.stopped_by[1] == "on_epoch_end"
        )
        if self.ending != "completed" and not in_epoch_end:
            self._roll_back()
        if not self._finite():  # a callback wrote them, then ended the run itself
            self._roll_back()
        self.kept_epoch = self.epoch
        if self._best is not None:
            self._restore(self._best, counters=False)
            self.kept_epoch = self._best.epoch
        self._kept = self._snapshot()

    def _roll_back(self):
        """Return to the end of the last completed epoch, forgetting a best kept after it."""
        self._restore(self._last, counters=True)
        if self._best is not None and self._best.epoch > self.epoch:
            self._best = None

    def _finish(self):
        """Call every callback's ``on_train_end``, with the weights the run settled on.

        Training has ended: a StopTraining there changes nothing, an
        interrupt skips the remaining callbacks but keeps the training, and
        non-finite weights written there are replaced by the settled ones.
        What the callbacks write is checked as in the other hooks, and they
        may record no history value.
        """
        # Taken after _settle: a value added now would belong to no epoch, not even to
        # one the last epoch left unrecorded or to the epoch a rollback dropped.
        lengths = self._history_lengths()
        for callback in self.callbacks:
            self._enter(callback, "on_train_end")
            interrupted = False
            try:
                callback.on_train_end(self)
            except StopTraining:
                pass
            except KeyboardInterrupt:
                interrupted = True
            self._check_callback(lengths)
            if not self._finite():
                self._restore(self._kept, counters=False)
                self._note_bad_write(callback, "on_train_end")
            if interrupted:
                if self.ending != "diverged":
                    self.ending = "interrupted"
                self.stopped_by = (type(callback).__name__, "on_train_end")
                break
        self._calling = None


@dataclass(frozen=True)
class TrainingData:
    """The training set of a run: inputs (dense, or sparse CSR), targets and sample weights.

    The inputs and targets are in the network's dtype.
    """

    X: np.ndarray
    Y: np.ndarray
    sample_weight: np.ndarray = None


@dataclass(frozen=True)
class Batching:
    """How an epoch is cut into mini-batches.

    Attributes
    ----------
    size : int
    shuffle : bool
    dropout : float
        Probability that a hidden unit is dropped, for each sample of a mini-batch.
    augment : callable or None
        Maps the rows of a mini-batch to distorted copies.
    engine : {'numpy', 'c'}
        What runs the steps: the NumPy engine (:mod:`sknielsen.engine._network`
        and the plugins) or the C engine (:mod:`sknielsen.engine._cengine`),
        which must support the configuration.
    threads : int
        Threads the C engine may share the first layer between.
    """

    size: int
    shuffle: bool = True
    dropout: float = 0.0
    augment: object = None
    engine: str = "numpy"
    threads: int = 1


#: Training rows whose outputs must stay finite after every epoch.
WATCHED_ROWS = 32


def train(trainer, data, *, epochs, batching, rng, compiled=None):
    """Run up to ``epochs`` epochs, then settle which weights the model keeps.

    A ``KeyboardInterrupt`` ends the run like a callback's
    :class:`~sknielsen.callbacks.StopTraining`, in any hook; so does an
    epoch after which some parameter is no longer finite, and a callback
    that leaves non-finite weights. The model then holds finite weights of
    a named epoch (see :meth:`Trainer._settle`); ``trainer.ending`` says
    which happened. Other exceptions of a callback propagate.

    Parameters
    ----------
    trainer : Trainer
    data : TrainingData
    epochs : int
    batching : Batching
    rng : numpy.random.Generator
        Source of the shuffling, the dropout masks and the augmentation.
    compiled : CTrainer, optional
        The C engine's trainer (see :func:`compiled_trainer`), when the
        caller shares it; made here when the C engine runs the steps.

    Returns
    -------
    trainer : Trainer
    """
    solver = isinstance(trainer.optimizer, Solver)
    check_randomness(trainer.optimizer, batching.dropout, batching.augment)
    if solver:  # it computes on the whole set at once: densifying it is the user's choice
        refuse_sparse(
            data.X,
            f"The full-batch optimizer {type(trainer.optimizer).__name__}",
            MINI_BATCH_INSTEAD,
        )
    trainer.epochs_to_run = epochs  # for progress bars: the most this run will train
    trainer._begin(data.X.shape[0], data.X[:WATCHED_ROWS], rng)
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            trainer._notify("on_train_begin")
            if solver:
                _minimize(trainer, data, epochs)
            else:
                batches = _MiniBatches(trainer, data, batching, rng, compiled)
                _descend(trainer, batches, epochs)
        trainer.ending = "completed"
    except StopTraining:
        trainer._stopped("stopped")
    except KeyboardInterrupt:
        trainer._stopped("interrupted")
    trainer._settle()
    trainer._finish()
    return trainer


def _descend(trainer, batches, epochs):
    for _ in range(epochs):
        trainer._begin_epoch()
        batches.run_epoch()
        trainer._end_epoch(loss=batches.epoch_loss())


def _minimize(trainer, data, epochs):
    objective = FullBatchObjective(trainer, data)
    solver = trainer.optimizer
    before = trainer.network.params.copy()

    def iteration_done(loss=None):
        if trainer.epochs_run >= epochs:  # else the next epoch's history blamed a callback
            raise TypeError(
                f"{type(solver).__name__}.minimize called iteration_done more than the "
                f"{epochs} iterations it was given: call it once after each iteration."
            )
        if loss is None:
            loss = objective.value(trainer.network.params)
        trainer._end_epoch(loss)
        if trainer.epochs_run < epochs:
            trainer._begin_epoch()

    trainer._begin_epoch()
    trainer.state = returned_state(
        solver,
        "minimize",
        solver.minimize(objective, trainer.network.params, trainer.state, epochs, iteration_done),
    )
    if trainer.epochs_run == 0:
        # scipy's L-BFGS stops before its first iteration, reporting none, at a cost that
        # is not finite: it diverged at the start, as Newton reports, not converged.
        loss = objective.value(trainer.network.params)
        if not np.isfinite(loss):
            iteration_done(loss)
        elif not np.array_equal(trainer.network.params, before):
            # The weights changed, but no epoch was counted, recorded or kept.
            raise TypeError(
                f"{type(solver).__name__}.minimize changed the weights without calling "
                "iteration_done: call it once after each iteration, which counts, records "
                "and keeps the epochs."
            )


def sample_scales(sample_weight, dtype):
    """Per-sample gradient weights w_i / mean(w), or None for equal weights.

    Dividing by the largest weight first keeps the mean finite for weights
    near the float64 limit.
    """
    if sample_weight is None:
        return None
    relative = sample_weight / sample_weight.max()
    return (relative / relative.mean()).astype(dtype)


# Outputs per chunk whose costs the NumPy engine computes at once (the epoch's loss, a
# monitored set's): the cost's temporaries stay small (64 KB each) whatever the set.
_COST_CHUNK = 1 << 13


def _acts_in(callback, hook):
    """Whether ``callback``'s ``hook`` is other than :class:`Callback`'s, which does nothing.

    Each hook called is checked against what it may have changed, a pass over
    the history for a callback of one's own: calls of the hooks it does not
    override cost a fit of 20,000 epochs about half of its time in the end.
    A hook set on the instance (in ``__init__``, which the fit's clone runs
    again) is the callback's too.
    """
    if hook in getattr(callback, "__dict__", ()):
        return True
    return getattr(type(callback), hook) is not getattr(Callback, hook)


class _MiniBatches:
    """The epochs of a mini-batch run: shuffling, gathering, steps and the epoch's loss.

    On the NumPy engine the rows of a shuffled mini-batch are gathered into
    one reused buffer, so the training set is never copied; those of a
    wide, very sparse X are gathered as CSR instead and stay sparse
    (:func:`~sknielsen.engine._network.sparse_batches_pay`). The C engine
    trains a whole epoch in one call, or one mini-batch per call when a
    callback watches every mini-batch (it folds its lazy weight decay at the
    end of each call, so the two agree to rounding, about 1e-15). For the
    epoch's mean loss, the NumPy engine keeps the outputs of every forward
    pass in the epoch's order, and the C engine their costs.
    """

    def __init__(self, trainer, data, batching, rng, compiled=None):
        self.trainer, self.data, self.batching, self.rng = trainer, data, batching, rng
        X, Y = data.X, data.Y
        self.size = min(batching.size, X.shape[0])
        network = trainer.network
        self.scales = sample_scales(data.sample_weight, network.dtype)
        self.order = None
        self.unshuffled = np.arange(X.shape[0])
        if batching.engine == "c":
            self.compiled = (
                compiled if compiled is not None else compiled_trainer(trainer, data, batching, rng)
            )
            self.costs = np.empty(X.shape[0])
            return
        self.compiled = None
        self.outputs = np.empty(Y.shape, dtype=network.dtype)
        self.backprop = Backprop(network, trainer.cost, self.size, batching.dropout, rng)
        # Asked once: sp.issparse at every step cost dense mini-batches 0.35 µs each.
        self.sparse_input = sp.issparse(X)
        # Augmenters distort dense images: their mini-batches are densified.
        self.sparse_steps = (
            self.sparse_input and batching.augment is None and sparse_batches_pay(X, self.size)
        )
        self.buffers = (
            None if self.sparse_steps else np.empty((self.size, X.shape[1]), dtype=X.dtype),
            np.empty((self.size, Y.shape[1]), dtype=Y.dtype),
        )

    def _gather(self, start, stop):
        """The rows of the mini-batch at positions ``start:stop``: (index, inputs, targets).

        Sparse inputs stay sparse where that pays (``sparse_steps``), or are
        densified here, one mini-batch at a time, into the reused buffer;
        shuffled dense rows are gathered into the buffers.
        """
        X, Y, m = self.data.X, self.data.Y, stop - start
        index = slice(start, stop) if self.order is None else self.order[start:stop]
        if self.sparse_steps:
            xb = X[index]
        elif self.sparse_input:
            xb = X[index].toarray(out=self.buffers[0][:m])
        elif self.order is None:
            xb = X[index]
        else:
            xb = np.take(X, index, axis=0, out=self.buffers[0][:m], mode="clip")
        if self.order is None:
            return index, xb, Y[index]
        return index, xb, np.take(Y, index, axis=0, out=self.buffers[1][:m], mode="clip")

    def run_epoch(self):
        """One pass over the training set in mini-batches."""
        trainer = self.trainer
        n_samples = self.data.X.shape[0]
        self.order = self.rng.permutation(n_samples) if self.batching.shuffle else None
        hooks = trainer._batch_hooks()
        if self.compiled is not None and not hooks:
            self._compiled_steps(0, n_samples)
            return
        steps = self._numpy_step if self.compiled is None else self._compiled_steps
        for start in range(0, n_samples, self.size):
            stop = min(start + self.size, n_samples)
            steps(start, stop)
            if hooks:
                trainer.samples_in_epoch = stop
                trainer._notify_batch(hooks)

    def _numpy_step(self, start, stop):
        """The NumPy engine's step on the mini-batch of positions ``start:stop``."""
        trainer = self.trainer
        index, xb, yb = self._gather(start, stop)
        if self.batching.augment is not None:
            xb = self.batching.augment(xb)
        m = stop - start
        scale = 1.0 / m if self.scales is None else (self.scales[index] / m)[:, None]
        # The forward pass writes its outputs where epoch_loss reads them.
        grads = self.backprop.gradient(xb, yb, scale, output=self.outputs[start:stop])
        optimizer_step(trainer, grads)

    def _compiled_steps(self, start, stop):
        """The C engine's steps on the mini-batches of positions ``start:stop``."""
        # As the NumPy engine's Penalty, with the λ and n a callback may have set since.
        penalty = self.trainer.penalty
        self.compiled.lmbda, self.compiled.n_train = float(penalty.lmbda), int(penalty.n_train)
        self.compiled.run(
            self.data.X,
            self.data.Y,
            self._epoch_order(),
            self.scales,
            self.trainer.state,
            start,
            stop,
            costs=self.costs,
        )

    def _epoch_order(self):
        """The rows of the data in the order this epoch visited them."""
        return self.unshuffled if self.order is None else self.order

    def epoch_loss(self):
        """Mean cost of the epoch's forward passes, plus the penalty at its end."""
        order = self._epoch_order()
        costs = self.costs if self.compiled is not None else self._costs(order)
        weights = None if self.data.sample_weight is None else self.data.sample_weight[order]
        return self.trainer.regularized_mean(costs, weights)

    def _costs(self, order):
        """The cost of each of the NumPy engine's recorded outputs, in float64.

        The targets are gathered a chunk of rows at a time (see
        :meth:`Trainer.chunked_costs`), never the training set's whole.
        """

        def targets(start, stop):
            return np.take(self.data.Y, order[start:stop], axis=0)

        return self.trainer.chunked_costs(self.outputs, targets, out=np.empty(len(order)))


def compiled_trainer(trainer, data, batching, rng):
    """The C engine's trainer for a run's network, cost, penalty and optimizer.

    None when the NumPy engine runs the steps (``batching.engine``).
    """
    if batching.engine != "c":
        return None
    penalty = trainer.penalty
    batch_size = min(batching.size, data.X.shape[0])
    return CTrainer(
        trainer.network,
        trainer.cost,
        penalty.regularizer,
        trainer.optimizer,
        lmbda=penalty.lmbda,
        n_train=penalty.n_train,
        batch_size=batch_size,
        dropout=batching.dropout,
        rng=rng,
        threads=batching.threads,
    )


class FullBatchObjective:
    """The regularized cost over the whole training set, as a function of the parameters.

    What full-batch solvers minimize: ``value_and_gradient(p)`` and
    ``gradient(p)`` set the network's parameters to ``p`` (a flat array in
    any float dtype) and return the cost and its float64 gradient.

    Parameters
    ----------
    trainer : Trainer
    data : TrainingData
    """

    def __init__(self, trainer, data):
        self.trainer = trainer
        self.data = data
        n = data.X.shape[0]
        scales = sample_scales(data.sample_weight, trainer.network.dtype)
        self._scale = 1.0 / n if scales is None else (scales / n)[:, None]
        self._backprop = Backprop(trainer.network, trainer.cost, n)

    def _set(self, params):
        if params is not self.trainer.network.params:
            np.copyto(self.trainer.network.params, params)

    def gradient(self, params):
        """∂C/∂params at ``params``, penalty included (float64 copy)."""
        self._set(params)
        grads = self._backprop.gradient(self.data.X, self.data.Y, self._scale)
        grads = grads.astype(np.float64)
        self.trainer.penalty.add_gradient(grads, self.trainer.network.params)
        return grads

    def value(self, params):
        """The cost at ``params``."""
        self._set(params)
        return self.trainer.evaluate(self.data.X, self.data.Y, self.data.sample_weight)[0]

    def value_and_gradient(self, params):
        """``(cost, gradient)`` at ``params``, from one forward pass."""
        grads = self.gradient(params)
        cost = self.trainer.cost_of(self._backprop.output, self.data.Y, self.data.sample_weight)
        return cost, grads
