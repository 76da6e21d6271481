"""What NielsenMLPClassifier and NielsenMLPRegressor share.

The estimators are thin: they validate inputs and parameters, encode the
targets, resolve plugin names into instances, and hand the arrays to the
training loop (:mod:`sknielsen._loop`) and the engine
(:mod:`sknielsen._network`); the warnings about a fit are in
:mod:`sknielsen._diagnostics`. They own their fitted state through one pair
of methods, ``_capture_state`` and ``_restore_state`` (see
:mod:`sknielsen._state`). Everything but the targets and the outputs is
here; the subclasses define how targets are encoded and outputs read.
"""

import copy
import numbers
import sys
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
)
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from . import plugins
from ._compiled import numba_available, unsupported
from ._diagnostics import CostProbe, warn_about, warn_if_saturating
from ._loop import Batching, Penalty, Trainer, TrainingData, new_optimizer_state, train
from ._network import Network, feedforward
from ._state import FittedState
from ._warnings import warn
from .callbacks import (
    MONITORS,
    Callback,
    EarlyStopping,
    HalveOnPlateau,
    Monitor,
    MonitorEvery,
    ProgressBar,
    VerbosePrinter,
)
from .engine import _cengine
from .plugins._augmenters import as_augmenter, check_image_shape, image_shape_for

# Estimator parameters that name a plugin, and the kind of plugin they name.
PLUGIN_PARAMETERS = {
    "cost": "cost",
    "activation": "activation",
    "output_activation": "activation",
    "initializer": "initializer",
    "regularizer": "regularizer",
    "optimizer": "optimizer",
}
# Parameters naming a plugin that only shapes training (not saved as fitted state).
TRAINING_PLUGIN_PARAMETERS = {"augment": "augmenter"}
DTYPES = {"float64": np.float64, "float32": np.float32}


#: From this mini-batch size on, 'auto' trains with NumPy: at 100 the compiled
#: engine, through the estimator, was measured 0.74× as fast as the NumPy
#: engine in float32 and 1.02× in float64, no gain (docs/performance.md).
SLOWER_COMPILED_BATCH = 100
#: Below this many samples times epochs, 'auto' trains with NumPy: loading the
#: kernels from numba's cache costs about 0.25 s per process (compiling them,
#: once per installation, 10 s per dtype), while they save about 3 µs per
#: sample at mini-batch 10 (0.35 → 0.19 s per 50,000 MNIST images, float64).
AUTO_MIN_SAMPLE_PASSES = 100_000


def _plugin_constraint(kind):
    base = plugins._base.BASES[kind]
    methods = [m for m in ("fn", "delta", "backward", "update", "penalty") if hasattr(base, m)]
    return [str, HasMethods(methods)]


class _BaseNielsenMLP(BaseEstimator):
    """Parameters, fitting and the forward pass shared by the book's estimators.

    Subclasses define ``__init__`` (the parameters, with their defaults),
    the label encoding (``_new_targets``, ``_encode``, ``_check_targets``,
    ``_restore_targets``, ``_capture_targets``), ``_check_outputs``,
    ``_stratify``, ``_score_outputs`` (what the history calls accuracy) and
    the predictions.
    """

    #: Output activation when ``output_activation=None``; None: the cost's own.
    _default_output_activation = None
    #: Whether targets must be numbers (regression).
    _y_numeric = False

    _parameter_constraints = {
        "hidden_layer_sizes": [tuple, list, Interval(numbers.Integral, 1, None, closed="left")],
        "cost": _plugin_constraint("cost"),
        "activation": _plugin_constraint("activation"),
        "output_activation": [None, *_plugin_constraint("activation")],
        "initializer": [str, callable],
        "regularizer": _plugin_constraint("regularizer"),
        "lmbda": [Interval(numbers.Real, 0, None, closed="left")],
        "optimizer": _plugin_constraint("optimizer"),
        "eta": [Interval(numbers.Real, 0, None, closed="neither")],
        "mini_batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "early_stopping": [None, "boolean", Interval(numbers.Integral, 1, None, closed="left")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "callbacks": [None, list, tuple],
        "schedule": [StrOptions({"constant", "halve_on_plateau"})],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "monitor": [None, StrOptions({"all"}), tuple, list],
        "dtype": [StrOptions(set(DTYPES))],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "augment": [None, str, list, tuple, HasMethods(["__call__"])],
        "monitor_every": [None, Interval(numbers.Integral, 1, None, closed="left")],
        "image_shape": [None, tuple, list],
        "engine": [StrOptions({"auto", "numpy", "numba", "c"})],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Mini-batch optimizers densify one mini-batch at a time; full-batch ones refuse sparse X.
        try:
            optimizer = plugins.get("optimizer", self.optimizer)
        except (ValueError, TypeError):
            optimizer = None
        tags.input_tags.sparse = not isinstance(optimizer, plugins.Solver)
        return tags

    def _validate_params(self):
        """scikit-learn's checks, and no boolean where a number is expected.

        ``bool`` is a subclass of ``int``, so ``Interval`` constraints take
        ``mini_batch_size=True`` for 1, which then fails deep in NumPy.
        """
        super()._validate_params()
        for name, constraints in self._parameter_constraints.items():
            value = getattr(self, name)
            if isinstance(value, bool) and not {"boolean", "verbose"} & set(map(str, constraints)):
                raise InvalidParameterError(
                    f"The {name!r} parameter of {type(self).__name__} must not be a "
                    f"boolean; got {value!r}."
                )

    def set_params(self, **params):
        """Set the parameters of this estimator.

        Nested plugin hyper-parameters work with a plugin given by name:
        ``set_params(optimizer="momentum", optimizer__mu=0.5)`` first turns
        ``"momentum"`` into a ``Momentum()`` instance, then sets its ``mu``.

        Parameters
        ----------
        **params : dict
            Estimator parameters, and ``<plugin>__<hyper-parameter>`` names.

        Returns
        -------
        self : estimator

        Raises
        ------
        InvalidParameterError
            For nested names under a parameter that holds no plugin
            (``augment__max_degrees`` with ``augment=None``, say).
        """
        nested = {key.partition("__")[0] for key in params if "__" in key}
        for key in nested & (PLUGIN_PARAMETERS.keys() | TRAINING_PLUGIN_PARAMETERS.keys()):
            value = params.get(key, getattr(self, key))
            if isinstance(value, str):
                value = params[key] = self._resolve(key, value)
            if not hasattr(value, "set_params"):
                keys = sorted(k for k in params if k.startswith(key + "__"))
                raise self._nothing_to_set(key, value, keys)
        return super().set_params(**params)

    def _nothing_to_set(self, parameter, value, keys):
        """The error for ``keys`` (``augment__max_degrees``, ...) when ``parameter`` has none."""
        return InvalidParameterError(
            f"Cannot set {', '.join(keys)}: the {parameter!r} parameter of "
            f"{type(self).__name__} is {value!r}, which has no hyper-parameters. Set "
            f"{parameter!r} to a plugin, by name or as an instance, in the same call "
            f"(set_params({parameter}=..., {keys[0]}=...))."
        )

    def _resolve(self, parameter, value):
        """Return a fresh plugin instance for ``value``, named in errors as ``parameter``."""
        kind = {**PLUGIN_PARAMETERS, **TRAINING_PLUGIN_PARAMETERS}[parameter]
        try:
            return plugins.get(kind, value)
        except (ValueError, TypeError) as exc:
            raise InvalidParameterError(
                f"The {parameter!r} parameter of {type(self).__name__} is invalid: {exc}"
            ) from exc

    def _fitted_plugin(self, parameter, value):
        """A fresh plugin for ``value``, its hyper-parameters validated as ``<parameter>__<name>``."""
        plugin = self._resolve(parameter, value)
        plugin._validate_params(f"{parameter}__", type(self).__name__)
        return plugin

    def _resolve_plugins(self):
        """Set ``cost_``, ``activation_``, ... from the parameters, never changing them."""
        self.cost_ = self._fitted_plugin("cost", self.cost)
        self.activation_ = self._fitted_plugin("activation", self.activation)
        output = self.output_activation
        if output is None:
            output = self._default_output_activation or self.cost_.output_activation
        self.output_activation_ = self._fitted_plugin("output_activation", output)
        self.initializer_ = self._fitted_plugin("initializer", self.initializer)
        self.regularizer_ = self._fitted_plugin("regularizer", self.regularizer)
        self.optimizer_ = self._fitted_plugin("optimizer", self.optimizer)
        allowed = self.cost_.output_activations
        output_name = self.output_activation_.name
        if output_name not in allowed:
            raise InvalidParameterError(
                f"The {self.cost_.name!r} cost cannot be paired with "
                f"{output_name!r} output neurons; it works with: "
                f"{', '.join(map(repr, allowed))}."
            )

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral):
            sizes = (sizes,)
        sizes = tuple(sizes)
        if not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1
                   for s in sizes):  # fmt: skip
            raise InvalidParameterError(
                "hidden_layer_sizes must hold positive integers; got "
                f"{self.hidden_layer_sizes!r}."
            )
        return tuple(int(s) for s in sizes)

    def _monitored(self, has_validation):
        if self.monitor is None:
            return ("validation_accuracy",) if has_validation else ()
        if isinstance(self.monitor, str):  # 'all'
            return MONITORS
        unknown = [m for m in self.monitor if m not in MONITORS]
        if unknown:
            raise InvalidParameterError(
                f"Unknown monitor names {unknown}; choose among {list(MONITORS)} or 'all'."
            )
        return tuple(self.monitor)

    @property
    def _dtype(self):
        return DTYPES[self.dtype]

    def _check_sample_weight(self, sample_weight, X):
        if sample_weight is None:
            return None
        # Also refuses negative weights and weights that are all zero.
        return _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)

    def _layer_activations(self, n_layers):
        """The fitted activation of each of ``n_layers`` layers of weights."""
        return [self.activation_] * (n_layers - 1) + [self.output_activation_]

    def _network(self, previous, n_features, n_outputs, rng):
        """The network to train: ``previous``'s weights (copied), or new ones."""
        if previous is None:
            sizes = (n_features, *self._hidden_sizes(), n_outputs)
        else:
            sizes = (n_features, *(c.shape[1] for c in previous.coefs))
            if sizes[1:-1] != self._hidden_sizes():
                raise ValueError(
                    f"hidden_layer_sizes={self.hidden_layer_sizes!r} does not match the "
                    f"fitted network {list(sizes)}; use warm_start=False to start anew."
                )
        network = Network(sizes, self._layer_activations(len(sizes) - 1), dtype=self._dtype)
        if previous is None:
            network.initialize(self.initializer_, rng)
        else:
            network.set_coefs(previous.coefs, previous.intercepts)
        return network

    def _generator(self, previous):
        """The random generator of a run: continued from ``previous``, or seeded anew."""
        if previous is not None and previous.rng_state is not None:
            generator = np.random.Generator(np.random.PCG64())
            generator.bit_generator.state = previous.rng_state
            return generator
        random_state = check_random_state(self.random_state)
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))

    def _validation_split(self, data, targets, rng):
        """Hold out ``validation_fraction`` of the data, stratified when possible."""
        arrays = [data.X, data.Y] + ([] if data.sample_weight is None else [data.sample_weight])
        seed = int(rng.integers(np.iinfo(np.int32).max))
        stratify = self._stratify(data.Y, targets)
        try:
            parts = train_test_split(
                *arrays, test_size=self.validation_fraction, random_state=seed, stratify=stratify
            )
        except ValueError:  # too few samples of some class to stratify
            parts = train_test_split(*arrays, test_size=self.validation_fraction, random_state=seed)
        weights = parts[4] if data.sample_weight is not None else None
        return TrainingData(parts[0], parts[2], weights), (parts[1], parts[3])

    # -- the fitted state ---------------------------------------------------

    def _capture_state(self):
        """Return a copy of everything the last fit left behind (a FittedState)."""
        check_is_fitted(self)
        return FittedState.copied(
            coefs=self.coefs_, intercepts=self.intercepts_,
            optimizer_state=self._optimizer_state, history=self.history_,
            rng_state=self._rng_state, n_iter=int(self.n_iter_), samples_seen=int(self.t_),
            **self._unchanged_by_training(self._capture_targets()),
        )  # fmt: skip

    def _unchanged_by_training(self, targets):
        """The parts of a fitted state that a training run does not change."""
        return {
            "plugins": {name: getattr(self, name + "_") for name in PLUGIN_PARAMETERS},
            "targets": targets,
            "n_features_in": int(self.n_features_in_),
            "feature_names_in": getattr(self, "feature_names_in_", None),
        }

    def _restore_state(self, state):
        """Check a FittedState for consistency and make it this estimator's.

        Raises
        ------
        ValueError
            Naming what is inconsistent; nothing of the estimator has changed then.
        """
        state.check()
        self._check_targets(state.targets, n_outputs=state.coefs[-1].shape[1])
        self.coefs_, self.intercepts_ = list(state.coefs), list(state.intercepts)
        for name, plugin in state.plugins.items():
            setattr(self, name + "_", plugin)
        self._optimizer_state = state.optimizer_state
        self.history_ = state.history
        self._rng_state = state.rng_state
        self._restore_targets(state.targets)
        self.n_features_in_ = state.n_features_in
        if state.feature_names_in is not None:
            self.feature_names_in_ = np.asarray(state.feature_names_in, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.n_iter_, self.t_ = state.n_iter, state.samples_seen
        self._set_summaries()

    def _check_continuable(self, state):
        """Refuse parameters with which ``partial_fit`` could not continue from ``state``.

        Parameters
        ----------
        state : FittedState
            A consistent state (see :meth:`_restore_state`).

        Raises
        ------
        ValueError
            Naming the parameter that does not fit.
        """
        fitted_hidden = tuple(w.shape[1] for w in state.coefs[:-1])
        if self._hidden_sizes() != fitted_hidden:
            raise ValueError(
                f"hidden_layer_sizes={self.hidden_layer_sizes!r} differs from the fitted "
                f"network's hidden layers {list(fitted_hidden)}."
            )
        trial = copy.copy(self)  # resolving sets fitted plugins, which stay the state's
        trial._resolve_plugins()
        trial._check_outputs(state.targets)
        trial._monitored(True)
        trial._callback_specification()
        trial._augmenter(state.n_features_in, rng=None)

    def _set_summaries(self):
        """The attributes scikit-learn's MLP users look for, derived from the state."""
        self.n_outputs_ = self.coefs_[-1].shape[1]
        self.n_layers_ = len(self.coefs_) + 1
        self.out_activation_ = self.output_activation_.name
        self.eta_ = self._optimizer_state["eta"]
        self.loss_curve_ = list(self.history_["loss"])
        self.best_loss_ = min(self.loss_curve_) if self.loss_curve_ else None
        scores = self.history_["validation_accuracy"]
        self.validation_scores_ = list(scores) if scores else None
        self.best_validation_score_ = max(scores) if scores else None
        if scores:
            self.best_epoch_ = int(np.argmax(scores)) + 1
        elif self.loss_curve_:
            self.best_epoch_ = int(np.argmin(self.loss_curve_)) + 1
        else:
            self.best_epoch_ = None

    def _state_after(self, trainer, rng, targets):
        """The FittedState that a training run leaves (copies, safe to keep)."""
        return FittedState.copied(
            coefs=trainer.network.weights, intercepts=trainer.network.biases,
            optimizer_state=trainer.state, history=trainer.history,
            rng_state=rng.bit_generator.state, n_iter=trainer.epoch,
            samples_seen=trainer.samples_seen, **self._unchanged_by_training(targets),
        )  # fmt: skip

    # -- fitting ------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, X_val=None, y_val=None, sample_weight=None):
        """Train the network on (X, y), monitoring (X_val, y_val) when given.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs, best scaled to [0, 1].
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Targets: labels of any type or a multilabel indicator matrix for the
            classifier, numbers for the regressor.
        X_val, y_val : array-like, default=None
            Validation data, as the book's ``evaluation_data``. Used by early
            stopping, the schedule, the monitor and callbacks that monitor a
            validation key. When needed but not given, ``validation_fraction``
            of (X, y) is held out. In a :class:`~sklearn.pipeline.Pipeline`,
            route them with ``set_fit_request(X_val=True, y_val=True)`` and
            ``Pipeline(..., transform_input=["X_val"])`` so that ``X_val`` is
            transformed like ``X``.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the cost.

        Returns
        -------
        self : estimator
            The fitted estimator.
        """
        request = _FitRequest(X, y, X_val, y_val, sample_weight, incremental=False)
        return self._fit(request)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None, X_val=None, y_val=None):
        """Train for one epoch on (X, y), continuing from the current state.

        The optimizer's state (momentum, the current η of a schedule), the
        random generator and the callbacks' counters carry on from call to
        call, and across :func:`sknielsen.save` and :func:`sknielsen.load`.
        Without validation data, ``early_stopping`` and ``schedule`` watch
        the training loss.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
        classes : array-like of shape (n_classes,), default=None
            Every class that will ever appear; required at the first call
            (classifier only).
        sample_weight : array-like of shape (n_samples,), default=None
        X_val, y_val : array-like, default=None
            Validation data for this epoch, as in :meth:`fit`.

        Returns
        -------
        self : estimator
        """
        request = _FitRequest(X, y, X_val, y_val, sample_weight, incremental=True, classes=classes)
        return self._fit(request)

    def _fit(self, request):
        """The one path of ``fit`` and ``partial_fit``: validate, train, keep the state."""
        continuing = hasattr(self, "coefs_") and (request.incremental or self.warm_start)
        previous = self._capture_state() if continuing else None
        data, targets = self._training_data(request, previous)
        self._resolve_plugins()
        self._check_outputs(targets)
        rng = self._generator(previous)
        data, validation = self._validation_data(request, data, targets, rng)
        network = self._network(previous, data.X.shape[1], data.Y.shape[1], rng)
        if previous is None:
            warn_if_saturating(network, data.X)
        trainer = self._trainer(network, previous, data, validation, rng, targets, request)
        probe = CostProbe(trainer, data)
        epochs = 1 if request.incremental else self.epochs
        batching, why = self._batching(network, data.X.shape, epochs, rng)
        if batching.engine in ("numba", "c"):  # their kernels read rows in place
            data = _c_contiguous(data)
        # engine='c' on an installation without the C engine says why it trained on NumPy.
        self.engine_ = batching.engine + (why if self.engine == "c" else "")
        train(trainer, data, epochs=epochs, batching=batching, rng=rng)
        self._restore_state(self._state_after(trainer, rng, targets))
        warn_about(self, trainer, probe)
        return self

    def _training_data(self, request, previous):
        """Validate (X, y, sample_weight) and encode the targets."""
        X, y = validate_data(
            self, request.X, request.y, reset=previous is None, dtype=self._dtype,
            multi_output=True, y_numeric=self._y_numeric, accept_sparse=["csr", "csc"],
        )  # fmt: skip
        if sp.issparse(X):  # mini-batches are rows: CSR (a sparse copy, never a dense one)
            X = X.tocsr()
        sample_weight = self._check_sample_weight(request.sample_weight, X)
        sample_weight = self._weigh_classes(y, sample_weight, request.incremental)
        if previous is None:
            targets = self._new_targets(y, request.classes, request.incremental)
        else:
            self._check_classes_argument(request.classes, previous.targets)
            targets = previous.targets
        Y = self._encode(y, targets)
        if previous is not None and Y.shape[1] != previous.coefs[-1].shape[1]:
            raise ValueError(
                f"y has {Y.shape[1]} outputs; the model was fitted with "
                f"{previous.coefs[-1].shape[1]}."
            )
        return TrainingData(X, Y, sample_weight), targets

    def _weigh_classes(self, y, sample_weight, incremental):
        """Sample weights with the classes' weights folded in (classifiers only)."""
        return sample_weight

    def _validation_data(self, request, data, targets, rng):
        """The validation set: given, held out of the training data when needed, or None."""
        if (request.X_val is None) != (request.y_val is None):
            raise ValueError("X_val and y_val must be given together; got only one.")
        if request.X_val is not None:
            X_val = validate_data(self, request.X_val, reset=False, dtype=self._dtype,
                                  accept_sparse=["csr", "csc"])  # fmt: skip
            Y_val = self._encode(request.y_val, targets)
            if X_val.shape[0] != len(Y_val):
                raise ValueError(
                    f"X_val has {X_val.shape[0]} samples but y_val has {len(Y_val)}."
                )
            return data, (X_val, Y_val)
        if not request.incremental and self._needs_validation():
            return self._validation_split(data, targets, rng)
        return data, None

    def _needs_validation(self):
        """Whether a monitor, a shorthand or a callback watches validation data."""
        watched = [getattr(c, "monitor", None) for c in self.callbacks or ()]
        if self.monitor is not None:
            watched += self._monitored(True)
        watches_validation = any(isinstance(m, str) and m.startswith("validation") for m in watched)
        return (
            self.early_stopping not in (None, False)
            or self.schedule != "constant"
            or self.monitor_every is not None
            or watches_validation
        )

    def _batching(self, network, shape, epochs, rng):
        augment = self._augmenter(shape[1], rng)
        engine, why = self._engine_for(network, augment, sample_passes=shape[0] * epochs)
        if self.verbose:
            print(f"Training with the {engine} engine{why}.")
        return Batching(self.mini_batch_size, self.shuffle, self.dropout, augment, engine), why

    def _engine_for(self, network, augment, sample_passes):
        """The engine that runs this fit, 'numpy', 'c' or 'numba', and why (see ``engine``).

        ``sample_passes`` is the number of samples times the epochs of the fit.

        Returns
        -------
        engine : str
        why : str
            Empty, or why 'auto' chose NumPy, as a clause for the verbose line.
        """
        if self.engine == "numpy":
            return "numpy", ""
        if self.engine == "c" or (self.engine == "auto" and _cengine.available()):
            return self._c_engine_for(network, augment)
        reason = unsupported(network, self.cost_, self.regularizer_, self.optimizer_,
                             dropout=self.dropout, augment=augment)  # fmt: skip
        if self.engine == "numba":
            if not numba_available():
                raise ImportError(
                    "engine='numba' needs numba, which is not installed: "
                    'pip install "sknielsen[fast]", or use engine=\'auto\' or \'numpy\'.'
                )
            if reason is not None:
                raise ValueError(
                    f"engine='numba' cannot train this configuration: {reason}. "
                    "Use engine='auto' (which falls back to NumPy) or engine='numpy'."
                )
            return "numba", ""
        if reason is not None:
            return "numpy", f" ({reason})"
        if sample_passes < AUTO_MIN_SAMPLE_PASSES:  # decided before numba is imported
            return "numpy", " (too little training to repay loading the compiled kernels)"
        if not numba_available():
            return "numpy", ' (numba is not installed: pip install "sknielsen[fast]")'
        if self.mini_batch_size >= SLOWER_COMPILED_BATCH:
            return "numpy", " (measured as fast or faster than the compiled engine at this size)"
        return "numba", ""

    def _c_engine_for(self, network, augment):
        """'c' where the C engine is built and has kernels; NumPy, and why, otherwise."""
        reason = _cengine.unsupported(network, self.cost_, self.regularizer_, self.optimizer_,
                                      dropout=self.dropout, augment=augment)  # fmt: skip
        if self.engine == "auto":
            return ("numpy", f" ({reason})") if reason else ("c", "")
        if reason is not None:
            raise ValueError(
                f"engine='c' cannot train this configuration: {reason}. "
                "Use engine='auto' (which falls back to NumPy) or engine='numpy'."
            )
        module, note = _cengine.load()
        if module is None:
            warn(f"engine='c' trains on NumPy instead: {note}.")
            return "numpy", f" ({note})"
        return "c", ""

    def _trainer(self, network, previous, data, validation, rng, targets, request):
        penalty = Penalty(self.regularizer_, self.lmbda, data.X.shape[0], network.n_weights,
                          network.dtype)  # fmt: skip

        def save(path, trainer):
            self._save_checkpoint(path, self._state_after(trainer, rng, targets))

        return Trainer(
            network, cost=self.cost_, penalty=penalty, optimizer=self.optimizer_,
            state=self._optimizer_state_for(previous, network.params),
            history=previous.history if previous else None,
            callbacks=self._run_callbacks(data, validation, request),
            epoch=previous.n_iter if previous else 0,
            samples_seen=previous.samples_seen if previous else 0, saver=save,
        )  # fmt: skip

    def _optimizer_state_for(self, previous, params):
        """The optimizer state to continue from, or a fresh one."""
        fresh = new_optimizer_state(self.optimizer_, params, self.eta)
        if previous is None:
            return fresh
        before = previous.plugins["optimizer"]
        if type(before) is not type(self.optimizer_):
            warn(
                f"The optimizer changed from {plugins.name_of(before)!r} to "
                f"{plugins.name_of(self.optimizer_)!r} since the last fit: training "
                f"continues from the current weights with a fresh optimizer state "
                f"(eta={self.eta:g})."
            )
            return fresh
        state = previous.optimizer_state
        if state["eta0"] != self.eta:  # the user set a new eta since: it takes over
            state["eta"] = state["eta0"] = float(self.eta)
        return state

    def _run_callbacks(self, data, validation, request):
        """The callbacks of a run: monitoring, the shorthands, the user's, printing."""
        monitored = self._monitored(validation is not None)
        if validation is None:
            monitored = tuple(m for m in monitored if not m.startswith("validation"))
        specification = self._callback_specification()
        unchanged = getattr(self, "_callbacks_for", None) == specification
        if not (request.incremental and unchanged):
            watched = "validation_accuracy" if validation is not None else "loss"
            self.callbacks_ = self._shorthand_callbacks(watched) + [
                clone(callback) for callback in self.callbacks or ()
            ]
            self._callbacks_for = specification
        watched_keys = {getattr(c, "monitor", None) for c in self.callbacks_}
        monitored = (*monitored, *sorted((watched_keys & set(MONITORS)) - set(monitored)))
        score = self._score_outputs
        callbacks = [Monitor(monitored, (data.X, data.Y, data.sample_weight), validation, score)]
        if self.monitor_every is not None and validation is not None:
            self.history_every_ = {"samples": [], "validation_accuracy": []}
            callbacks.append(
                MonitorEvery(self.monitor_every, validation, self.history_every_, score)
            )
        callbacks += self.callbacks_
        if self.verbose:
            if sys.stdout.isatty():
                callbacks.append(ProgressBar(sys.stdout))
            callbacks.append(VerbosePrinter(1 if request.incremental else self.epochs))
        return callbacks

    def _callback_specification(self):
        """What ``callbacks_`` is made from: ``partial_fit`` keeps it while this is unchanged."""
        for index, callback in enumerate(self.callbacks or ()):
            if not isinstance(callback, Callback):
                raise InvalidParameterError(
                    f"The 'callbacks' parameter of {type(self).__name__} must list "
                    f"sknielsen.callbacks.Callback instances; got {callback!r}."
                )
            callback._validate_params(f"callbacks[{index}].", type(self).__name__)
        return (self.early_stopping, self.n_iter_no_change, self.schedule,
                [clone(callback) for callback in self.callbacks or ()])  # fmt: skip

    def _shorthand_callbacks(self, watched):
        """The callbacks that ``early_stopping`` and ``schedule`` stand for."""
        if self.early_stopping is None or isinstance(self.early_stopping, bool):
            patience = self.n_iter_no_change
        else:
            patience = self.early_stopping
        if self.schedule == "halve_on_plateau":
            return [HalveOnPlateau(watched, patience)]
        if self.early_stopping not in (None, False):
            return [EarlyStopping(watched, patience)]
        return []

    def _save_checkpoint(self, path, state):
        # persistence imports the estimators, so importing it at the top would be circular.
        from .persistence import save

        snapshot = copy.copy(self)
        snapshot._restore_state(state)
        save(snapshot, path)

    def _augmenter(self, n_features, rng):
        """A function distorting a mini-batch of rows, or None without ``augment``."""
        owner = type(self).__name__
        # Checked even without augment, so that a search never reports a bad shape as fine.
        image_shape = check_image_shape(self.image_shape, owner)
        if self.augment is None:
            return None
        augmenter = as_augmenter(self.augment, owner)
        shape = image_shape_for(n_features, image_shape)

        def distort(rows):
            images = rows.reshape(len(rows), *shape)
            return augmenter(images, rng).reshape(len(rows), n_features)

        return distort

    def _forward(self, X):
        check_is_fitted(self)
        dtype = self.coefs_[0].dtype
        # Sparse rows go through the first layer as sparse @ dense, never densified.
        X = validate_data(self, X, reset=False, dtype=dtype, accept_sparse=["csr", "csc"])
        activations = self._layer_activations(len(self.coefs_))
        return feedforward(X, self.coefs_, self.intercepts_, activations)


@dataclass(frozen=True)
class _FitRequest:
    """What ``fit`` or ``partial_fit`` was called with."""

    X: object
    y: object
    X_val: object
    y_val: object
    sample_weight: object
    incremental: bool
    classes: object = None


def _c_contiguous(data):
    """The training data with dense X and Y C-contiguous (copied only where they are not)."""
    X = data.X if sp.issparse(data.X) else np.ascontiguousarray(data.X)
    return replace(data, X=X, Y=np.ascontiguousarray(data.Y))
