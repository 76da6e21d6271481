"""One resolution of an estimator's parameters into a validated run configuration.

:func:`resolve` is the one place where parameters are checked: ``fit``,
``partial_fit`` and ``warm_start`` (through :func:`check_continuable`),
:func:`sknielsen.utils.check_params`, :func:`sknielsen.load` and the
command line all call it, and nothing else validates parameters. It turns
plugin names into fresh, validated instances, checks the sizes, the
monitored quantities, the callbacks and the augmentation, and returns an
immutable :class:`RunConfig` from which :mod:`._run` builds the run.
"""

import difflib
import numbers
import os
import re
import string
from collections import Counter
from dataclasses import dataclass

import numpy as np
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    validate_parameter_constraints,
)

from .. import plugins
from .._core.params import constructor_defaults, refuse_booleans
from ..callbacks import HISTORY_KEYS, MONITORS, Callback, Checkpoint, CSVLogger
from ..engine._network import parameter_count
from ..plugins._augmenters import as_augmenter, check_image_shape, image_shape_for
from ..plugins._derivatives import derivative_problem
from ..plugins._returns import returned_state

#: Estimator parameters that name a plugin saved with the model, and its kind.
PLUGIN_PARAMETERS = {
    "cost": "cost",
    "activation": "activation",
    "output_activation": "activation",
    "initializer": "initializer",
    "regularizer": "regularizer",
    "optimizer": "optimizer",
}
#: Parameters naming a plugin that only shapes training (not saved as fitted state).
TRAINING_PLUGIN_PARAMETERS = {"augment": "augmenter"}
DTYPES = {"float64": np.float64, "float32": np.float32}
#: The λ training takes: the estimators' ``lmbda``, and what a callback may set
#: ``trainer.penalty.lmbda`` to (the training loop checks it with these).
LMBDA_CONSTRAINTS = [Interval(numbers.Real, 0, None, closed="left")]


def _nested(plugin, name, parameter):
    """The way to a hyper-parameter of a plugin, in the constructor and in a search."""
    return (
        f"use optimizer={plugin}({parameter}=...), from sknielsen.plugins; in set_params "
        f"and parameter grids, optimizer='{name}' with optimizer__{parameter}"
    )


#: What users of scikit-learn's MLPClassifier look for, and what to do here.
SKLEARN_NAMES = {
    "max_iter": "use epochs (passes over the training data)",
    "alpha": (
        "use lmbda with regularizer='l2', the book's λ: its penalty (λ/2n)Σw² divides by the "
        "training-set size n where scikit-learn's (alpha/2m)Σw² divides by the mini-batch "
        "size m, so lmbda = alpha * n / mini_batch_size (lmbda = alpha with L-BFGS)"
    ),
    "batch_size": "use mini_batch_size",
    "learning_rate_init": "use eta",
    "learning_rate": (
        "use schedule='halve_on_plateau' (the book's), or a schedule callback: "
        "callbacks=[InverseScaling()] is 'invscaling'"
    ),
    "power_t": "use callbacks=[InverseScaling(power_t=...)]",
    "solver": "use optimizer ('sgd', 'momentum', 'nesterov', 'adam', 'lbfgs', the book's 'newton')",
    "momentum": _nested("Momentum", "momentum", "mu"),
    "nesterovs_momentum": _nested("Nesterov", "nesterov", "mu"),
    "beta_1": _nested("Adam", "adam", "beta1"),
    "beta_2": _nested("Adam", "adam", "beta2"),
    "epsilon": _nested("Adam", "adam", "epsilon"),
    "tol": (
        "there is none: training runs every epoch unless a callback stops it, and "
        "scikit-learn's rule is callbacks=[EarlyStopping(monitor='loss', min_delta=tol, "
        "patience=n_iter_no_change, restore_best=False)]"
    ),
    "max_fun": "use epochs, which bounds L-BFGS's iterations (optimizer='lbfgs')",
}

#: Parameter values of an earlier release that no longer train, and what to use
#: instead. The estimators' constraints still accept them, as ``Hidden`` options
#: (left out of their messages), so that a model saved with one loads, keeps it
#: and predicts; :func:`resolve` refuses them when the parameters are to train.
RETIRED_VALUES = {
    ("engine", "numba"): (
        "the numba engine was retired in 0.2.0, and the C engine replaces it (compiled "
        "when sknielsen is installed: no JIT compile at the first fit); use engine='c' "
        "(or 'auto', the default). A model loaded with engine='numba' predicts as saved; "
        "set_params(engine='auto') trains it again."
    ),
}


def unknown_parameters_message(owner, unknown, known):
    """Why parameters ``unknown`` are not ``owner``'s, with what to use instead.

    Parameters
    ----------
    owner : str
        The estimator's class name.
    unknown : list of str
    known : list of str
        The estimator's parameter names, for close matches of typos.

    Returns
    -------
    message : str
    """
    hints = []
    for name in unknown:
        close = difflib.get_close_matches(name, known, n=1)
        owner_name, _, nested = name.partition("__")
        if name in SKLEARN_NAMES:
            hints.append(f"for scikit-learn's {name}, {SKLEARN_NAMES[name]}")
        elif nested and owner_name in (
            *PLUGIN_PARAMETERS,
            *TRAINING_PLUGIN_PARAMETERS,
            "callbacks",
        ):
            # scikit-learn's constructors take no nested names either: set_params does.
            hints.append(
                f"{name!r} is a parameter of the {owner_name}, which the constructor does not "
                f"take: give {owner_name}=<class>({nested.split('__')[0]}=...), the plugin's "
                f"class from sknielsen.plugins, or call set_params({owner_name}=..., "
                f"{name}=...) as a parameter grid does"
            )
        elif close:
            hints.append(f"the closest to {name!r} is {close[0]!r}")
    said = f": {'; '.join(hints)}" if hints else ""
    return (
        f"{owner} has no parameter {' or '.join(map(repr, unknown))}{said}. "
        f"Its parameters are {', '.join(known)}."
    )


@dataclass(frozen=True)
class EstimatorKind:
    """What differs between the estimators when their parameters are resolved.

    Attributes
    ----------
    name : str
        The estimator's class name, used in error messages.
    constraints : dict
        Its ``_parameter_constraints``.
    output_activation : str or None
        The output activation when ``output_activation=None``; None means
        the one the cost is made for.
    """

    name: str
    constraints: dict
    output_activation: str = None


@dataclass(frozen=True)
class Plugins:
    """The fitted plugin instances of a run, one per plugin parameter."""

    cost: object
    activation: object
    output_activation: object
    initializer: object
    regularizer: object
    optimizer: object

    def as_dict(self):
        """The plugins by parameter name, as the fitted state holds them."""
        return {name: getattr(self, name) for name in PLUGIN_PARAMETERS}


@dataclass(frozen=True)
class RunConfig:
    """An estimator's parameters, validated and resolved: everything a run is made from.

    Attributes
    ----------
    owner : str
        The estimator's class name, for messages.
    plugins : Plugins
        Fresh instances, hyper-parameters validated.
    hidden_sizes : tuple of int
        The neurons of each hidden layer (``hidden_layer_sizes`` as a tuple).
    dtype : numpy dtype class
        ``numpy.float64`` or ``numpy.float32``, for the parameter ``dtype``.
    lmbda, eta, dropout, validation_fraction : float
        The estimator's parameters of these names, as floats.
    mini_batch_size, epochs, n_iter_no_change : int
        The estimator's parameters of these names, as ints.
    shuffle : bool
        Whether each epoch shuffles the samples.
    monitor : tuple of str or None
        The quantities asked for by ``monitor``; None: the default
        (validation accuracy when there is validation data).
    early_stopping : int or None
        The patience of the early-stopping shorthand, or None when off.
    schedule : str
        The learning-rate schedule, ``'constant'`` or ``'halve_on_plateau'``.
    callbacks : tuple of Callback
        The user's callbacks, validated (the run uses clones).
    augmenter : Augmenter or None
        What ``augment`` names, as one instance; None without augmentation.
    image_shape : tuple of int or None
        The images' (height, width) for the augmenter; None: square.
    engine : str
        The parameter ``engine``, as given (the run chooses the engine).
    n_jobs : int or None
        The estimator's ``n_jobs``, resolved into threads at each run.
    monitor_every : int or None
        The training samples between two records of ``history_every_``;
        None for none.
    verbose : int
        The estimator's ``verbose``: 0 prints nothing.

    Examples
    --------
    What :func:`sknielsen.utils.check_params` returns, without fitting:

    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.utils import check_params
    >>> net = NielsenMLPClassifier(hidden_layer_sizes=(20,), eta=0.1)
    >>> config = check_params(net.set_params(optimizer="momentum", optimizer__mu=0.8))
    >>> config.hidden_sizes, config.eta, config.epochs
    ((20,), 0.1, 30)
    >>> config.plugins.optimizer
    Momentum(mu=0.8)
    >>> config.eta = 1.0
    Traceback (most recent call last):
    ...
    dataclasses.FrozenInstanceError: cannot assign to field 'eta'
    """

    owner: str
    plugins: Plugins
    hidden_sizes: tuple
    dtype: type
    lmbda: float
    eta: float
    mini_batch_size: int
    epochs: int
    dropout: float
    shuffle: bool
    monitor: tuple
    early_stopping: int
    n_iter_no_change: int
    schedule: str
    validation_fraction: float
    callbacks: tuple
    augmenter: object
    image_shape: tuple
    engine: str
    n_jobs: int
    monitor_every: int
    verbose: int

    @property
    def needs_validation(self):
        """Whether a monitor, a shorthand or a callback watches validation data."""
        return self.validation_needed_by is not None

    @property
    def validation_needed_by(self):
        """What watches validation data, in words (``'early stopping'``), or None."""
        if self.early_stopping is not None:
            return "early stopping"
        if self.schedule != "constant":
            return f"schedule={self.schedule!r}"
        if self.monitor_every is not None:
            return "monitor_every"
        watching = [(type(callback).__name__, callback.watched()) for callback in self.callbacks]
        watching += [("monitor", key) for key in self.monitor or ()]
        for who, key in watching:
            if isinstance(key, str) and key.startswith("validation"):
                return f"{who}'s {key!r}"
        return None


def resolve(params, kind, *, n_features=None, n_outputs=None, training=True):
    """Validate an estimator's parameters and resolve them into a :class:`RunConfig`.

    Parameters
    ----------
    params : dict
        The estimator's parameters (``get_params(deep=False)``).
    kind : EstimatorKind
        The estimator's constraints and defaults.
    n_features, n_outputs : int, optional
        The network's input and output widths, when known: the optimizer
        then checks the network's size (Newton's ``max_params``) and the
        augmentation the image shape.
    training : bool, default=True
        Whether the parameters are to train with (``fit``, ``partial_fit``).
        False for a model that is only loaded, saved or given a fitted state:
        a value retired since it was saved (:data:`RETIRED_VALUES`) is kept
        then, and refused at its next fit.

    Returns
    -------
    config : RunConfig

    Raises
    ------
    InvalidParameterError
        A ``ValueError`` naming the parameter (``optimizer__mu`` for a
        plugin's hyper-parameter) and what it must be, or what replaces a
        retired value (``engine='numba'``) when ``training``.
    TypeError
        For a subclass whose constructor does not take every parameter.
    ValueError
        For combinations that cannot train (dropout with a full-batch
        optimizer, a cost with outputs it cannot work with, ...).
    """
    _refuse_missing(params, kind)
    if training:
        _refuse_retired(params, kind.name)
    _check_constraints(params, kind)
    _check_class_weight(params.get("class_weight"), kind.name)
    resolved = _resolve_plugins(params, kind, training)
    early_stopping = params["early_stopping"]
    if isinstance(early_stopping, np.bool_):  # a search over np.array([False, True]) gives these
        early_stopping = bool(early_stopping)
    if early_stopping is None or early_stopping is False:
        patience = None
    else:
        patience = params["n_iter_no_change"] if early_stopping is True else early_stopping
    config = RunConfig(
        owner=kind.name,
        plugins=resolved,
        hidden_sizes=_hidden_sizes(params["hidden_layer_sizes"]),
        dtype=DTYPES[params["dtype"]],
        lmbda=float(params["lmbda"]),
        eta=float(params["eta"]),
        mini_batch_size=int(params["mini_batch_size"]),
        epochs=int(params["epochs"]),
        dropout=float(params["dropout"]),
        shuffle=bool(params["shuffle"]),
        monitor=_monitor(params["monitor"], kind.name),
        early_stopping=patience,
        n_iter_no_change=int(params["n_iter_no_change"]),
        schedule=params["schedule"],
        validation_fraction=float(params["validation_fraction"]),
        callbacks=_callbacks(params["callbacks"], kind.name),
        augmenter=None if params["augment"] is None else as_augmenter(params["augment"], kind.name),
        image_shape=check_image_shape(params["image_shape"], kind.name),
        engine=params["engine"],
        n_jobs=params["n_jobs"],
        monitor_every=params["monitor_every"],
        verbose=int(params["verbose"]),
    )
    check_randomness(resolved.optimizer, config.dropout, config.augmenter)
    if n_features is not None:
        _check_widths(config, n_features, n_outputs)
    return config


def unread_parameters(config, estimator_class):
    """What the run never reads among the parameters given other values than their defaults.

    Without a regularizer, ``lmbda`` adds no penalty; an optimizer that
    chooses its own step sizes (L-BFGS) reads no ``eta``; a full-batch
    optimizer (Newton, L-BFGS) forms no mini-batches, so reads neither
    ``mini_batch_size`` nor ``shuffle``. Each such value is
    accepted, so that a grid can cross these parameters, and warned of, as
    the command line refuses its flags: set on purpose, it changes nothing.
    (A schedule of such an optimizer's η is warned of by the training loop
    when it first changes η.)

    Parameters
    ----------
    config : RunConfig
    estimator_class : type
        The estimator's class, whose constructor gives the defaults; a
        parameter without one there (a subclass's constructor of one's own)
        is not checked.

    Returns
    -------
    messages : list of str
        One sentence for each unread parameter, naming it and what would
        read it.
    """
    messages, defaults = [], constructor_defaults(estimator_class)
    owner, optimizer = config.owner, config.plugins.optimizer
    name = type(optimizer).__name__

    def unread(parameter, value, why, instead):
        if parameter in defaults and value != defaults[parameter]:
            messages.append(
                f"{owner}({parameter}={value!r}): {why}, so {parameter} changes nothing. "
                f"Leave {parameter} at its default {defaults[parameter]!r}, or give {instead}."
            )

    if isinstance(config.plugins.regularizer, plugins.NoRegularizer):
        unread("lmbda", config.lmbda, "regularizer='none' adds no penalty", "regularizer='l2'")
    if not getattr(optimizer, "reads_eta", True):
        why = f"the optimizer {name} chooses its own step sizes and reads no eta"
        unread("eta", config.eta, why, "an optimizer that steps by eta ('sgd', say)")
    if isinstance(optimizer, plugins.Solver):
        why = f"the optimizer {name} steps on the whole training set, in no mini-batches"
        unread("mini_batch_size", config.mini_batch_size, why, "a mini-batch optimizer")
        unread("shuffle", config.shuffle, why, "a mini-batch optimizer")
    return messages


def check_randomness(optimizer, dropout, augment):
    """Refuse dropout or augmentation with a full-batch optimizer, which needs a fixed cost.

    Parameters
    ----------
    optimizer : Optimizer
    dropout : float
    augment : object or None

    Raises
    ------
    ValueError
        Naming the values given (``dropout=0.5``) and the optimizer.
    """
    if not isinstance(optimizer, plugins.Solver) or not (dropout or augment is not None):
        return
    given, leave = [], []
    if dropout:
        given.append(f"dropout={dropout:g}")
        leave.append("dropout at 0")
    if augment is not None:
        given.append(f"augment={augment!r}")
        leave.append("augment at None")
    name = repr(optimizer.name) if optimizer.name is not None else type(optimizer).__name__
    raise ValueError(
        f"{' and '.join(given)} make{'s' if len(given) == 1 else ''} the cost random, which "
        f"the full-batch optimizer {name} cannot minimize: leave {' and '.join(leave)}, or "
        "give a mini-batch optimizer ('sgd' or 'adam', say)."
    )


def check_continuable(config, state, advice):
    """Refuse a configuration with which training could not continue from ``state``.

    Parameters
    ----------
    config : RunConfig
    state : FittedState
        A consistent state (see :meth:`FittedState.check`).
    advice : str
        What to do instead, for the way the user continues (``warm_start``,
        ``partial_fit``, ``set_fitted_state``): only the first has a
        ``warm_start`` to turn off.

    Raises
    ------
    ValueError
        Naming the parameter that does not fit.
    """
    fitted_hidden = tuple(w.shape[1] for w in state.coefs[:-1])
    if config.hidden_sizes != fitted_hidden:
        raise ValueError(
            f"hidden_layer_sizes={config.hidden_sizes!r} differs from the fitted "
            f"network's hidden layers {list(fitted_hidden)}; {advice}."
        )
    if config.augmenter is not None:
        image_shape_for(state.n_features_in, config.image_shape)


def _refuse_missing(params, kind):
    """Refuse a subclass whose constructor leaves out parameters that training reads.

    scikit-learn's ``get_params`` and ``clone`` find an estimator's
    parameters in its ``__init__``'s signature: one set there only by
    ``super().__init__`` is no parameter, and the resolution failed with a
    bare ``KeyError`` naming it.
    """
    missing = [name for name in kind.constraints if name not in params]
    if missing:
        shown = ", ".join(missing[:6]) + (
            f" and {len(missing) - 6} more" if len(missing) > 6 else ""
        )
        raise TypeError(
            f"{kind.name}.__init__ does not take the parameters {shown}, which training "
            "reads: scikit-learn's get_params and clone find an estimator's parameters in "
            f"its constructor's signature. Take each of them in {kind.name}.__init__ (with "
            "the defaults you want) and pass it on to super().__init__."
        )


def _refuse_retired(params, owner):
    """Refuse a parameter value of an earlier release that no longer trains."""
    for (name, value), why in RETIRED_VALUES.items():
        if isinstance(params.get(name), str) and params[name] == value:
            raise InvalidParameterError(f"{owner}({name}={value!r}): {why}")


def _check_constraints(params, kind):
    """scikit-learn's declared constraints, and no boolean where a number is expected.

    ``bool`` is a subclass of ``int``, so ``Interval`` constraints take
    ``mini_batch_size=True`` for 1, which then fails deep in NumPy.
    """
    validate_parameter_constraints(kind.constraints, params, caller_name=kind.name)
    refuse_booleans(kind.constraints, params, kind.name)


def _check_class_weight(class_weight, owner):
    """A ``{label: weight}`` dict holds finite weights ≥ 0.

    Negative weights would train by gradient ascent, and NaN or infinite
    ones overflow the cost. Whether some sample keeps a positive weight
    depends on the data, and is checked with it.
    """
    if not isinstance(class_weight, dict):
        return  # None or 'balanced', as the constraints allow
    for label, weight in class_weight.items():
        number = isinstance(weight, numbers.Real) and not isinstance(weight, bool)
        if not (number and np.isfinite(weight) and weight >= 0):
            raise InvalidParameterError(
                f"The 'class_weight' parameter of {owner} must map labels to finite weights "
                f">= 0; got {repr(weight)[:40]} for the label {repr(label)[:40]}."
            )


def resolve_plugin(parameter, value, owner):
    """A fresh plugin instance for ``value``, named in errors as ``parameter`` of ``owner``.

    Parameters
    ----------
    parameter : str
        A key of :data:`PLUGIN_PARAMETERS` or :data:`TRAINING_PLUGIN_PARAMETERS`.
    value : str or plugin instance
    owner : str

    Returns
    -------
    plugin : Plugin

    Raises
    ------
    InvalidParameterError
    """
    kind = {**PLUGIN_PARAMETERS, **TRAINING_PLUGIN_PARAMETERS}[parameter]
    try:
        return plugins.get(kind, value)
    except (ValueError, TypeError) as exc:
        raise InvalidParameterError(
            f"The {parameter!r} parameter of {owner} is invalid: {exc}"
        ) from exc


def checked_plugin(parameter, value, owner, training):
    """A fresh plugin for ``value``, checked as a fit checks it; errors name ``parameter``.

    Parameters
    ----------
    parameter : str
        A key of :data:`PLUGIN_PARAMETERS` or :data:`TRAINING_PLUGIN_PARAMETERS`.
    value : str or plugin instance
    owner : str
    training : bool
        Whether to refuse, too, a plugin whose inherited derivative does not
        match the function it redefines (see :func:`derivative_problem`).

    Returns
    -------
    plugin : Plugin

    Raises
    ------
    InvalidParameterError
        For a value that is no plugin of the kind, a class against its
        kind's contract, or an invalid hyper-parameter, named by its path.
    """
    plugin = resolve_plugin(parameter, value, owner)
    try:  # an unregistered instance's class was never checked by register
        type(plugin).check_contract()
    except TypeError as exc:
        raise InvalidParameterError(
            f"The {parameter!r} parameter of {owner} is invalid: {exc}"
        ) from exc
    plugin.validate(f"{parameter}__", owner)
    # Only training follows the derivatives: a model trained before this check still loads.
    problem = derivative_problem(plugin) if training else None
    if problem is not None:
        raise InvalidParameterError(f"The {parameter!r} parameter of {owner} is invalid: {problem}")
    return plugin


def _resolve_plugins(params, kind, training):
    """The fitted plugins, and a check that the cost works with the outputs."""

    def fitted(parameter, value):
        return checked_plugin(parameter, value, kind.name, training)

    cost = fitted("cost", params["cost"])
    output = params["output_activation"]
    if output is None:
        output = kind.output_activation or cost.output_activation
    resolved = Plugins(
        cost=cost,
        activation=fitted("activation", params["activation"]),
        output_activation=fitted("output_activation", output),
        initializer=fitted("initializer", params["initializer"]),
        regularizer=fitted("regularizer", params["regularizer"]),
        optimizer=fitted("optimizer", params["optimizer"]),
    )
    check_pairing(cost, resolved.output_activation)
    return resolved


def check_pairing(cost, output_activation):
    """Refuse output neurons that ``cost`` does not work with.

    Parameters
    ----------
    cost : Cost
        The cost plugin.
    output_activation : Activation
        The activation of the output layer.

    Raises
    ------
    InvalidParameterError
        Naming the pair and the output activations the cost works with.
    """
    output_name = output_activation.name
    if output_name in cost.output_activations:
        return
    cost_name = repr(cost.name) if cost.name is not None else type(cost).__name__
    # Named by the parameters: a regressor's user sets cost, not its identity outputs.
    refused = (
        f"cost={cost_name} cannot be paired with output_activation="
        f"{type(output_activation).__name__ if output_name is None else repr(output_name)}"
    )
    works_with = (
        f"the {cost_name} cost works with output_activation "
        f"{_either(list(map(repr, cost.output_activations)))}."
    )
    if output_name is not None:
        raise InvalidParameterError(f"{refused}: {works_with} Give one of those, or another cost.")
    # A plugin registered under no name was named None, with no word of how to pair it.
    raise InvalidParameterError(
        f"{refused} (an activation registered under no name): {works_with} A cost pairs "
        "with the activations its output_activations names: register yours "
        "(sknielsen.plugins.register) and name it there, in a subclass of the cost."
    )


def _either(words):
    """``words`` as alternatives: "'a'", "'a' or 'b'", "'a', 'b' or 'c'" ("none" if none)."""
    if len(words) < 2:
        return words[0] if words else "none"
    return f"{', '.join(words[:-1])} or {words[-1]}"


def _hidden_sizes(sizes):
    given = sizes
    if isinstance(sizes, numbers.Integral):
        sizes = (sizes,)
    if isinstance(sizes, np.ndarray) and sizes.ndim != 1:  # the constraints take any array
        raise InvalidParameterError(
            f"hidden_layer_sizes must hold positive integers, one per hidden layer, in a "
            f"tuple, list or 1-D array; got {given!r}, of {sizes.ndim} dimensions."
        )
    sizes = tuple(sizes)
    valid = (isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1 for s in sizes)
    if not all(valid):
        raise InvalidParameterError(
            f"hidden_layer_sizes must hold positive integers; got {given!r}."
        )
    return tuple(int(s) for s in sizes)


def _monitor(monitor, owner):
    if monitor is None:
        return None
    if isinstance(monitor, str):  # 'all'
        return MONITORS
    unknown = [m for m in monitor if m not in MONITORS]
    if unknown:
        raise InvalidParameterError(
            f"The 'monitor' parameter of {owner} names unknown keys {unknown}; choose among "
            f"{list(MONITORS)} or 'all'."
        )
    return tuple(monitor)


def _callbacks(callbacks, owner):
    """The user's callbacks, unwrapped from their names, each validated."""
    for item in callbacks or ():
        callback = item[1] if _is_named(item) else item
        if not isinstance(callback, Callback):
            raise InvalidParameterError(
                f"The 'callbacks' parameter of {owner} must list "
                f"sknielsen.callbacks.Callback instances, or (name, callback) pairs; "
                f"got {item!r}."
            )
    unwrapped = tuple(callback for _, callback in named_callbacks(callbacks, owner=owner))
    for index, callback in enumerate(unwrapped):
        callback.validate(f"callbacks[{index}].", owner)  # faithful copies, then constraints
    _refuse_shared_files(unwrapped, owner)
    _refuse_unrecorded_keys(unwrapped, owner)
    return unwrapped


def _refuse_unrecorded_keys(callbacks, owner):
    """Refuse a watched history key that no epoch records (or no key), before the first epoch.

    ``EarlyStopping(monitor="nope")`` failed after the first epoch (an hour
    of MNIST, say). The history holds its keys only (a callback that adds
    one is refused), so every other is known never to be recorded.
    """
    for index, callback in enumerate(callbacks):
        key = callback.watched()
        if key is not None and not isinstance(key, str):  # a list failed as "unhashable"
            raise InvalidParameterError(
                f"The 'callbacks' parameter of {owner}: callbacks[{index}] "
                f"({type(callback).__name__}).watched() returned {key!r}; it returns one "
                "history key as a string, or None."
            )
        if isinstance(key, str) and key not in HISTORY_KEYS:
            raise InvalidParameterError(
                f"The 'callbacks' parameter of {owner}: callbacks[{index}] "
                f"({type(callback).__name__}) watches {key!r}, which no epoch records; the "
                f"history's keys are {', '.join(HISTORY_KEYS)}."
            )


def _refuse_shared_files(callbacks, owner):
    """Refuse two callbacks that write one file: each would overwrite the other's.

    A ``CSVLogger`` and a ``Checkpoint`` given one path left the log where
    the model should be, without a word. Paths are compared as the file
    system resolves them (``./out`` and ``out`` are one file), and a
    ``Checkpoint``'s as the names its template writes (``out-{epoch}``
    writes ``out-2``, ``out{{x}}`` writes ``out{x}``).
    """
    writers = []
    for index, callback in enumerate(callbacks):
        if not isinstance(callback, _WRITERS):
            continue
        written = _written_files(callback)
        for first, other, earlier in writers:
            shared = _shared_file(earlier, written)
            if shared is not None:
                raise InvalidParameterError(
                    f"The 'callbacks' parameter of {owner}: callbacks[{first}] "
                    f"({type(other).__name__}) and callbacks[{index}] "
                    f"({type(callback).__name__}) write one file, {shared!r}; each would "
                    "overwrite the other's. Give each its own path."
                )
        writers.append((index, callback, written))


def _written_files(callback):
    """The files a writer writes: ``(folder, name, template)``, its name or its template.

    A ``CSVLogger``, and a ``Checkpoint`` without ``{epoch}``, write one file
    (its path with the links resolved, a Checkpoint's braces read as
    ``str.format`` reads them); a Checkpoint with ``{epoch}``, which the
    template allows in the file's name only, writes the names its template
    gives in one folder.
    """
    path = os.fsdecode(callback.path)
    if isinstance(callback, Checkpoint):
        fields = [field for _, field, _, _ in string.Formatter().parse(path) if field]
        path = path.format(epoch=1)
        if fields:
            template = os.path.basename(os.fsdecode(callback.path))
            return os.path.realpath(os.path.dirname(path) or "."), None, template
    resolved = os.path.realpath(path)
    return os.path.dirname(resolved), os.path.basename(resolved), None


def _shared_file(one, other):
    """The file that two writers' :func:`_written_files` both write, or None.

    Two templates are not compared: at one epoch they write one model, and
    templates whose names of different epochs meet ("m{epoch}1" and
    "m2{epoch}") are no one's.
    """
    (folder, name, template), (other_folder, other_name, other_template) = one, other
    if folder != other_folder:
        return None
    if name is not None and (name == other_name or _writes(other_template, name)):
        return os.path.join(folder, name)
    if other_name is not None and _writes(template, other_name):
        return os.path.join(folder, other_name)
    return None


def _writes(template, name):
    """Whether the file-name ``template`` (fields ``{epoch}``) gives ``name`` at an epoch >= 1."""
    if template is None:
        return False
    parts = string.Formatter().parse(template)
    pattern = "".join(re.escape(text) + (r"(\d+)" if field else "") for text, field, _, _ in parts)
    match = re.fullmatch(pattern, name)
    epochs = {int(digits) for digits in match.groups()} if match else ()
    return any(epoch >= 1 and template.format(epoch=epoch) == name for epoch in epochs)


#: The built-in callbacks that write a file, at their ``path``.
_WRITERS = (Checkpoint, CSVLogger)


def _is_named(item):
    return isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)


def named_callbacks(callbacks, *, owner=None):
    """Each callback with its name: the one given with it, else its class's.

    ``callbacks=[("stop", EarlyStopping()), CSVLogger("log.csv")]`` names
    them ``stop`` and ``CSVLogger``, so that ``callbacks__stop__patience``
    works in ``set_params`` and ``GridSearchCV``. A class that several
    unnamed callbacks share numbers them, as skorch does: ``StepDecay_1``,
    ``StepDecay_2``.

    Parameters
    ----------
    callbacks : list of Callback or (str, Callback), or None
    owner : str, optional
        The estimator's class, to refuse names that cannot be used (not
        unique, empty, or holding ``__``) with an error naming it; None
        names what it can, for ``get_params``, which must not raise.

    Returns
    -------
    named : list of (str, Callback)

    Raises
    ------
    InvalidParameterError
        With ``owner``, for a name that cannot be used.
    """
    items = [item if _is_named(item) else (None, item) for item in callbacks or ()]
    given = {name for name, _ in items if name is not None}
    classes = Counter(type(callback).__name__ for name, callback in items if name is None)
    numbered, named = Counter(), []
    for name, callback in items:
        if name is None:
            name = type(callback).__name__
            if classes[name] > 1 or name in given:
                numbered[name] += 1
                name = f"{name}_{numbered[name]}"
        named.append((name, callback))
    if owner is not None:
        _check_callback_names([name for name, _ in named], owner)
    return named


def _check_callback_names(names, owner):
    for name in names:
        if not name or "__" in name or names.count(name) > 1:
            raise InvalidParameterError(
                f"The callbacks of {owner} need distinct names without '__' (which separates "
                f"a name from a parameter in callbacks__NAME__param); got {names}."
            )


def _check_widths(config, n_features, n_outputs):
    """Checks that need the network's widths: its size for the optimizer and the memory."""
    if config.augmenter is not None:
        image_shape_for(n_features, config.image_shape)
    if n_outputs is not None:
        sizes = [n_features, *config.hidden_sizes, n_outputs]
        check_memory(sizes, config.dtype)  # before the optimizer allocates its state
        optimizer = config.plugins.optimizer
        params = np.zeros(parameter_count(sizes), dtype=config.dtype)
        returned_state(optimizer, "init", optimizer.init(params), dtype=params.dtype)


#: Copies of the parameters a fit holds at least: the weights, their gradient
#: and the snapshots of the last and the best epoch kept for rolling back.
PARAMETER_COPIES = 4


#: Arrays of every unit a full-batch optimizer holds for each training sample: the
#: weighted inputs, activations and errors of the engine's backprop, of all rows at once.
FULL_BATCH_ARRAYS = 3


def check_memory(sizes, dtype, full_batch=None):
    """Refuse a network whose training cannot fit in this machine's memory.

    Parameters
    ----------
    sizes : sequence of int
        Every layer's width, inputs and outputs included.
    dtype : numpy dtype
    full_batch : tuple of (str, int), optional
        The name of a full-batch optimizer and the number of samples it
        trains on at once, whose ``FULL_BATCH_ARRAYS`` arrays of every unit
        count too.

    Raises
    ------
    MemoryError
        Saying how much the parameters (and the samples) need against what
        the machine has.
    """
    n_params, itemsize = parameter_count(sizes), np.dtype(dtype).itemsize
    needed = PARAMETER_COPIES * n_params * itemsize
    if full_batch is not None:
        needed += FULL_BATCH_ARRAYS * full_batch[1] * sum(sizes[1:]) * itemsize
    try:
        available = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not a POSIX system
        return
    if needed <= available:
        return
    if full_batch is None:  # lower-case: the command line prefixes "not enough memory: "
        widths = [f"{width:,}" for width in sizes]
        raise MemoryError(
            f"training the network's {n_params:,} parameters (layers of "
            f"{', '.join(widths[:-1])} and {widths[-1]} units) needs at least "
            f"{needed / 2**30:,.1f} GiB ({PARAMETER_COPIES} copies of them), more than this "
            f"machine's {available / 2**30:,.1f} GiB: give smaller hidden_layer_sizes, or "
            "fewer features."
        )
    name, n_samples = full_batch
    raise MemoryError(
        f"training the network's {n_params:,} parameters on all {n_samples:,} samples at once "
        f"(the full-batch optimizer {name}) needs at least {needed / 2**30:,.1f} GiB (each "
        f"sample's weighted inputs, activations and errors, and {PARAMETER_COPIES} copies of "
        f"the parameters), more than this machine's {available / 2**30:,.1f} GiB: choose a "
        "mini-batch optimizer ('sgd' or 'adam', say), or train on fewer samples."
    )
