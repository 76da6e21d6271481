"""A run assembled from a RunConfig: network, penalty, optimizer state, callbacks, engine.

The estimators validate their data, call :func:`~._config.resolve`, then
:func:`run` here, and keep the :class:`~._state.FittedState` it leaves.
Everything between the configuration and the trained weights is built in
this module: the network (new or continued), the one :class:`~._loop.Penalty`,
the optimizer's state, the callbacks the shorthand parameters stand for,
the augmentation and the engine.
"""

import os
import sys
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from joblib import effective_n_jobs
from sklearn.base import clone
from sklearn.utils import check_random_state

from .. import plugins
from .._core.warn import warn
from ..callbacks import (
    MONITORS,
    EarlyStopping,
    HalveOnPlateau,
    Monitor,
    MonitorEvery,
    ProgressBar,
    VerbosePrinter,
)
from ..engine._cengine import sparse_rows
from ..engine._dispatch import choose_engine
from ..engine._network import Network
from ..plugins._augmenters import apply_augmenter, image_shape_for
from ._config import check_memory
from ._diagnostics import CostProbe, warn_about, warn_if_eta_unsuited, warn_if_saturating
from ._loop import (
    Batching,
    Penalty,
    Trainer,
    compiled_trainer,
    new_optimizer_state,
    train,
)
from ._state import FittedState


@dataclass(frozen=True)
class RunInputs:
    """The data and the continuation of a run, as the estimator prepared them.

    Attributes
    ----------
    data : TrainingData
        Validated training data, targets encoded.
    validation : tuple (X_val, Y_val), (X_val, Y_val, sample_weight) or None
        The weights are those of the samples held out of weighted data.
    previous : FittedState or None
        The state to continue from (``partial_fit``, ``warm_start``).
    rng : numpy.random.Generator
        The run's generator (see :func:`generator`), already used for the
        validation split.
    score : callable
        ``score(output, Y, sample_weight=None)``: what the history calls
        accuracy.
    incremental : bool
        One epoch of ``partial_fit``.
    score_name : {'accuracy', 'r2'}, default='accuracy'
        What ``score`` is, for the printed table and the progress line: a
        regressor's R² is no share, to show as a percentage.
    """

    data: object
    validation: object
    previous: object
    rng: object
    score: object
    incremental: bool
    score_name: str = "accuracy"


@dataclass
class RunResult:
    """What a run leaves: the trainer after it, the engine used, the callbacks run."""

    trainer: Trainer
    engine: str
    callbacks: list
    history_every: dict


def generator(previous, random_state):
    """The random generator of a run: continued from ``previous``, or seeded anew.

    Parameters
    ----------
    previous : FittedState or None
    random_state : int, RandomState instance or None

    Returns
    -------
    rng : numpy.random.Generator
    """
    if previous is not None and previous.rng_state is not None:
        rng = np.random.Generator(np.random.PCG64())
        rng.bit_generator.state = previous.rng_state
        return rng
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    return np.random.default_rng(seed)


def seeded_generator(random_state):
    """A NumPy Generator from a scikit-learn ``random_state``.

    An int (or None) seeds :func:`numpy.random.default_rng` directly, so the
    stream of a given seed is NumPy's; a RandomState instance gives a seed.

    Parameters
    ----------
    random_state : int, RandomState instance or None

    Returns
    -------
    rng : numpy.random.Generator
    """
    if isinstance(random_state, np.random.RandomState):
        random_state = random_state.randint(np.iinfo(np.int32).max)
    return np.random.default_rng(random_state)


def run(config, inputs, *, reused_callbacks=None, saver=None):
    """Build the run that ``config`` describes on ``inputs``, train, and warn about it.

    Parameters
    ----------
    config : RunConfig
    inputs : RunInputs
    reused_callbacks : list of Callback, optional
        The callbacks of the previous ``partial_fit`` call, continued when
        the callback parameters did not change; fresh ones otherwise.
    saver : callable, optional
        ``saver(path, state)`` writes the model with the given FittedState
        (for :class:`~sknielsen.callbacks.Checkpoint`); ``path=None``: only
        checks that it can, raising what the write would.

    Returns
    -------
    result : RunResult
    """
    previous, rng = inputs.previous, inputs.rng
    network = _network(config, inputs.data, previous, rng)
    _warn_before_training(config, network, inputs)
    batching, why = _batching(config, network, inputs.data.X.shape, rng)
    inputs = _laid_out(inputs, batching, config)
    data = inputs.data
    user_callbacks = reused_callbacks or default_callbacks(config, inputs.validation)
    history_every = {"samples": [], "validation_accuracy": []}
    trainer = Trainer(
        network,
        cost=config.plugins.cost,
        penalty=Penalty(
            config.plugins.regularizer,
            config.lmbda,
            data.X.shape[0],
            network.n_weights,
            network.dtype,
        ),
        optimizer=config.plugins.optimizer,
        state=_optimizer_state(config, previous, network.params),
        history=previous.history if previous else None,
        callbacks=_run_callbacks(config, inputs, user_callbacks, history_every),
        epoch=previous.n_iter if previous else 0,
        samples_seen=previous.samples_seen if previous else 0,
        saver=None if saver is None else _state_saver(saver, config, inputs),
    )
    epochs = 1 if inputs.incremental else config.epochs
    # partial_fit names its engine at its first call only, above the table's first row.
    if config.verbose and not (inputs.incremental and previous is not None):
        print(f"Training with the {batching.engine} engine{why}.")
    if batching.engine == "c" and epochs > 1:
        data = _sparse_enough(data)  # finding the non-zero inputs once repays at epoch 2
    # One C trainer for the steps and for the trainer's forward passes (the probe, the
    # monitors): each matrix is checked once.
    compiled = trainer.compiled = compiled_trainer(trainer, data, batching, rng)
    probe = CostProbe(trainer, data, regression=inputs.score_name == "r2")
    train(trainer, data, epochs=epochs, batching=batching, rng=rng, compiled=compiled)
    warn_about(config, trainer, probe)
    # engine='c' on an installation without the C engine says why it trained on NumPy.
    engine = batching.engine + (why if config.engine == "c" else "")
    return RunResult(trainer, engine, user_callbacks, history_every)


def _warn_before_training(config, network, inputs):
    """Warn of what the settings and data foretell: a first fit's, or a continued one's."""
    previous = inputs.previous
    if previous is None:
        warn_if_saturating(network, inputs.data.X)
        warn_if_eta_unsuited(config)
    else:
        _warn_if_redefined(config, previous)


def _laid_out(inputs, batching, config):
    """The run's inputs laid out as its engine reads them (copied only where they are not)."""
    if batching.engine == "c":  # its kernels read rows in place, the monitors' rows too
        return _c_contiguous(inputs)
    if isinstance(config.plugins.optimizer, plugins.Solver):
        return inputs
    return replace(inputs, data=_rows_contiguous(inputs.data))


def state_after(trainer, rng, config, inputs):
    """The FittedState a run leaves (copies, safe to keep), label encoding aside.

    Parameters
    ----------
    trainer : Trainer
    rng : numpy.random.Generator
    config : RunConfig
    inputs : RunInputs

    Returns
    -------
    state : FittedState
        Its ``targets``, ``n_features_in`` and ``feature_names_in`` are
        left for the estimator to fill (``dataclasses.replace``).
    """
    return FittedState.copied(
        coefs=trainer.network.weights,
        intercepts=trainer.network.biases,
        plugins=config.plugins.as_dict(),
        optimizer_state=trainer.state,
        history=trainer.history,
        rng_state=rng.bit_generator.state,
        n_iter=trainer.epoch,
        samples_seen=trainer.samples_seen,
        targets=None,
        n_features_in=inputs.data.X.shape[1],
        feature_names_in=None,
    )


def _state_saver(saver, config, inputs):
    def save(path, trainer):
        saver(path, state_after(trainer, inputs.rng, config, inputs))

    return save


def _network(config, data, previous, rng):
    """The network to train: ``previous``'s weights (copied), or new ones."""
    n_features, n_outputs = data.X.shape[1], data.Y.shape[1]
    plugins_ = config.plugins
    if previous is None:
        sizes = (n_features, *config.hidden_sizes, n_outputs)
    else:
        sizes = (n_features, *(c.shape[1] for c in previous.coefs))
    activations = [plugins_.activation] * (len(sizes) - 2) + [plugins_.output_activation]
    # Before allocating: NumPy's own MemoryError names no layer, and a network just small
    # enough to allocate swaps instead (check_params makes the same check with the widths).
    # A full-batch optimizer holds every sample's activations too, which only the data tells.
    optimizer = plugins_.optimizer
    full_batch = None
    if isinstance(optimizer, plugins.Solver):
        full_batch = (type(optimizer).__name__, data.X.shape[0])
    check_memory(sizes, config.dtype, full_batch)
    network = Network(sizes, activations, dtype=config.dtype)
    if previous is None:
        network.initialize(plugins_.initializer, rng)
    else:
        network.set_coefs(previous.coefs, previous.intercepts)
    return network


#: The plugins that define the network and its cost: changing one between fits
#: changes what the fitted weights compute.
_DEFINING_PLUGINS = ("activation", "output_activation", "cost")


def _warn_if_redefined(config, previous):
    """Say which of the network's defining parameters changed since the last fit.

    ``partial_fit`` and ``warm_start`` continue from the fitted weights with
    the parameters as they are now; a network whose activation, output
    activation, cost or dtype changed since computes something else from
    the same weights, which deserves a word (as a new optimizer gets one).
    """
    changes = []
    for name in _DEFINING_PLUGINS:
        before, now = previous.plugins[name], getattr(config.plugins, name)
        if type(before) is not type(now):
            changes.append(f"{name} changed from {_plugin_name(before)!r} to {_plugin_name(now)!r}")
    fitted_dtype = np.dtype(previous.coefs[0].dtype)
    if fitted_dtype != np.dtype(config.dtype):
        changes.append(
            f"dtype changed from {fitted_dtype.name!r} to {np.dtype(config.dtype).name!r}"
        )
    if changes:
        warn(
            f"The {'; the '.join(changes)} since the last fit: training continues from "
            "the fitted weights with the parameters as they are now."
        )


def _plugin_name(plugin):
    """A plugin's registered name, or its class's for an unregistered one."""
    try:
        return plugins.name_of(plugin)
    except ValueError:
        return type(plugin).__name__


def _optimizer_state(config, previous, params):
    """The optimizer state to continue from, or a fresh one."""
    optimizer = config.plugins.optimizer
    fresh = new_optimizer_state(optimizer, params, config.eta)
    if previous is None:
        return fresh
    before = previous.plugins["optimizer"]
    if type(before) is not type(optimizer):
        warn(
            f"The optimizer changed from {_plugin_name(before)!r} to "
            f"{_plugin_name(optimizer)!r} since the last fit: training "
            f"continues from the current weights with a fresh optimizer state "
            f"(eta={config.eta:g})."
        )
        return fresh
    state = previous.optimizer_state
    if state["eta0"] != config.eta:  # the user set a new eta since: it takes over
        state["eta"] = state["eta0"] = config.eta
    # A setting the optimizer turns into its state when a fit starts (Newton's damping)
    # was set since: the state starts from it, as eta does, instead of ignoring it.
    restart = _read_at_start_changed(before, optimizer)
    # In the network's dtype, as the weights: a dtype changed since the fit converts both
    # (the C engine refuses arrays of another dtype; NumPy would mix precisions).
    for key, value in fresh.items():
        if isinstance(value, np.ndarray) and key in state:
            state[key] = value if restart else np.asarray(state[key], dtype=value.dtype)
    return state


def _read_at_start_changed(before, optimizer):
    """Whether a hyper-parameter ``optimizer`` reads when a fit starts differs in ``before``.

    See :attr:`~sknielsen.plugins.Plugin.read_at_start`.
    """
    old, new = before.get_params(), optimizer.get_params()
    return any(
        old[name] is not new[name] and not np.array_equal(old[name], new[name])
        for name in optimizer.read_at_start
    )


def callback_specification(config, validation):
    """What a run's callbacks are made from: ``partial_fit`` keeps them while it is unchanged.

    Parameters
    ----------
    config : RunConfig
    validation : tuple (X_val, Y_val[, sample_weight]) or None
        The run's validation data: the shorthands watch the training loss
        without it, so a ``partial_fit`` that gains or loses validation data
        gives them the key it can record.

    Returns
    -------
    specification : tuple
        Comparable with ``==``.
    """
    shorthand = config.schedule == "halve_on_plateau" or config.early_stopping is not None
    return (
        config.early_stopping,
        config.n_iter_no_change,
        config.schedule,
        _shorthand_key(validation) if shorthand else None,
        [clone(callback) for callback in config.callbacks],
    )


def _shorthand_key(validation):
    """The history key the shorthands watch: the validation accuracy, else the loss."""
    return "validation_accuracy" if validation is not None else "loss"


def default_callbacks(config, validation):
    """The callbacks the shorthand parameters stand for, then clones of the user's."""
    watched = _shorthand_key(validation)
    patience = config.early_stopping or config.n_iter_no_change
    if config.schedule == "halve_on_plateau":
        shorthand = [HalveOnPlateau(watched, patience)]
    elif config.early_stopping is not None:
        shorthand = [EarlyStopping(watched, patience)]
    else:
        shorthand = []
    return shorthand + [clone(callback) for callback in config.callbacks]


def _run_callbacks(config, inputs, user_callbacks, history_every):
    """Every callback of a run, in order: monitoring, the user's, printing."""
    validation, data = inputs.validation, inputs.data
    monitored = config.monitor
    if monitored is None:
        monitored = ("validation_accuracy",) if validation is not None else ()
    if validation is None:
        monitored = tuple(m for m in monitored if not m.startswith("validation"))
    watched_keys = {c.watched() for c in user_callbacks}
    monitored = (*monitored, *sorted((watched_keys & set(MONITORS)) - set(monitored)))
    train_data = (data.X, data.Y, data.sample_weight)
    callbacks = [Monitor(monitored, train_data, validation, inputs.score)]
    if config.monitor_every is not None and validation is not None:
        callbacks.append(
            MonitorEvery(config.monitor_every, validation, history_every, inputs.score)
        )
    callbacks += user_callbacks
    if config.verbose:
        if sys.stdout.isatty():  # erased at each epoch's end, for the table's row
            callbacks.append(ProgressBar(sys.stdout, leave=False, score=inputs.score_name))
        # partial_fit prints one row a call, under the column names of its first call.
        continued = inputs.incremental and inputs.previous is not None
        epochs = None if inputs.incremental else config.epochs
        callbacks.append(VerbosePrinter(epochs, header=not continued, score=inputs.score_name))
    return callbacks


def _batching(config, network, shape, rng):
    augment = _augmenter(config, shape[1], rng)
    engine, why = choose_engine(
        config.engine, network, config.plugins, dropout=config.dropout, augment=augment
    )
    batching = Batching(
        config.mini_batch_size,
        config.shuffle,
        config.dropout,
        augment,
        engine,
        # Resolved at each run: a joblib.parallel_config context may set it.
        threads=engine_threads(config.n_jobs),
    )
    return batching, why


def engine_threads(n_jobs):
    """The C engine's threads for the estimators' ``n_jobs``, as scikit-learn counts threads.

    ``None`` is one thread unless a ``joblib.parallel_config`` context says
    otherwise; a count is the user's, kept inside joblib's workers too (as
    scikit-learn keeps an explicit ``n_threads``); -1 (every processor, -2
    all but one, ...) counts the processors this process may use:
    ``OMP_NUM_THREADS`` when it is a count, which joblib sets in its workers
    to their share of the machine. Every worker of a ``GridSearchCV(n_jobs=2)``
    started a team of every core otherwise.

    Parameters
    ----------
    n_jobs : int or None
        The estimator's ``n_jobs``, not 0.

    Returns
    -------
    threads : int
        At least 1; the engine keeps at most its ``MAX_THREADS``.
    """
    budget = _thread_budget()
    if n_jobs is None or n_jobs > 0 or budget is None:
        return effective_n_jobs(n_jobs)
    return max(1, budget + 1 + n_jobs)


def _thread_budget():
    """``OMP_NUM_THREADS`` as a count of threads, or None (unset, or OpenMP's "4,2" form)."""
    try:
        budget = int(os.environ.get("OMP_NUM_THREADS", ""))
    except ValueError:
        return None
    return budget if budget >= 1 else None


def _augmenter(config, n_features, rng):
    """A function distorting a mini-batch of rows, or None without ``augment``."""
    augmenter = config.augmenter
    if augmenter is None:
        return None
    shape = image_shape_for(n_features, config.image_shape)

    def distort(rows):
        images = rows.reshape(len(rows), *shape)
        return apply_augmenter(augmenter, images, rng).reshape(len(rows), n_features)

    return distort


def _sparse_enough(data):
    """The training data with a dense X that is mostly zeros as CSR, for the C engine."""
    if sp.issparse(data.X):
        return data
    try:
        X = sparse_rows(data.X)
    except MemoryError:  # a copy of at most half X's size: the dense path needs none
        X = None
    return data if X is None else replace(data, X=X)


def _c_contiguous(inputs):
    """The run's inputs with the training and validation sets as the C kernels read them.

    Their X (a CSR matrix's values) and Y C-contiguous and aligned, copied
    only if not. The monitors evaluate with the kernel what it reads as it
    is, and with NumPy anything else: the same data in another layout gave
    other last bits in ``history_``. Arrays that come through a pickle
    (joblib's workers, dask) may be unaligned, and SciPy keeps the values
    it is given as they are: a column of a 2-D array is strided. The C
    engine's index arrays are converted where it reads them.
    """
    data = inputs.data
    data = replace(data, X=_c_rows(data.X), Y=np.require(data.Y, requirements="CA"))
    validation = inputs.validation
    if validation is not None:
        X_val, Y_val, *weights = validation
        validation = (_c_rows(X_val), np.require(Y_val, requirements="CA"), *weights)
    return replace(inputs, data=data, validation=validation)


def _rows_contiguous(data):
    """The training set with a dense X and Y C-contiguous, for the NumPy engine's mini-batches.

    ``np.take``, which gathers each mini-batch's rows into a reused buffer,
    copies the whole of an array that is not C-contiguous first: a
    Fortran-ordered or strided X was copied at every mini-batch, and an
    epoch of MNIST took minutes instead of a second. One copy here instead,
    of those arrays only; the numbers are the same, since the gathered rows
    are. A full-batch solver reads the whole set in any layout.
    """
    X = data.X if sp.issparse(data.X) else np.require(data.X, requirements="C")
    return replace(data, X=X, Y=np.require(data.Y, requirements="C"))


def _c_rows(X):
    """Dense or CSR ``X`` with its values C-contiguous and aligned (copied only if not)."""
    if not sp.issparse(X):
        return np.require(X, requirements="CA")
    if not (X.data.flags.c_contiguous and X.data.flags.aligned):
        return X.copy()  # NumPy's copy is contiguous and aligned
    return X
