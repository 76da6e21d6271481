"""What NielsenMLPClassifier and NielsenMLPRegressor share.

The estimators are thin: they validate inputs and parameters, encode the
targets, resolve plugin names into instances, and hand the arrays to the
training loop (:mod:`sknielsen._training`) and the engine
(:mod:`sknielsen._network`). Everything but the targets and the outputs is
here; the subclasses define how targets are encoded and outputs read.
"""

import numbers
import sys
import warnings

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import ConvergenceWarning
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
from ._network import Network, feedforward
from .plugins._augmenters import as_augmenter, image_shape_for
from ._training import (
    MONITORS,
    EarlyStopping,
    HalveOnPlateau,
    Monitor,
    MonitorEvery,
    ProgressBar,
    Trainer,
    VerbosePrinter,
    train,
)

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
# The patience of the halving schedule when early_stopping does not give one.
DEFAULT_PATIENCE = 10
# Training samples on which the cost is compared before and after a fit.
PROBE_SIZE = 1000


def _plugin_constraint(kind):
    base = plugins._base.BASES[kind]
    methods = [m for m in ("fn", "delta", "backward", "update", "penalty") if hasattr(base, m)]
    return [str, HasMethods(methods)]


def _plugin_constraint(kind):
    base = plugins._base.BASES[kind]
    methods = [m for m in ("fn", "delta", "backward", "update", "penalty") if hasattr(base, m)]
    return [str, HasMethods(methods)]


def _warn_if_raw_integers(X):
    """Warn about integer inputs beyond [0, 1], such as raw 0-255 pixels."""
    dtype = getattr(X, "dtype", None)
    if dtype is None or getattr(X, "ndim", 0) != 2 or dtype.kind not in "iu" or X.size == 0:
        return
    largest = X.max()
    if largest > 1:
        warnings.warn(
            f"X holds integers up to {largest}: sigmoid neurons saturate on large "
            "inputs and learn slowly. Scale the inputs to [0, 1] first (X / 255 for "
            "pixels, or sklearn.preprocessing.MinMaxScaler).",
            UserWarning,
            stacklevel=3,
        )


class _BaseNielsenMLP(BaseEstimator):
    """Parameters, fitting and the forward pass shared by the book's estimators.

    Subclasses define ``__init__`` (the parameters, with their defaults),
    ``_encode_targets``, ``_check_outputs``, ``_stratify``,
    ``_first_partial_fit_targets``, ``_check_partial_fit_classes``,
    ``_score_outputs`` (what the history calls accuracy) and the predictions.
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
        "early_stopping": [None, Interval(numbers.Integral, 1, None, closed="left")],
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
    }

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
        """
        nested = {key.partition("__")[0] for key in params if "__" in key}
        for key in nested & (PLUGIN_PARAMETERS.keys() | TRAINING_PLUGIN_PARAMETERS.keys()):
            value = params.get(key, getattr(self, key))
            if isinstance(value, str):
                params[key] = self._resolve(key, value)
        return super().set_params(**params)

    def _resolve(self, parameter, value):
        """Return a fresh plugin instance for ``value``, named in errors as ``parameter``."""
        kind = {**PLUGIN_PARAMETERS, **TRAINING_PLUGIN_PARAMETERS}[parameter]
        try:
            return plugins.get(kind, value)
        except (ValueError, TypeError) as exc:
            raise InvalidParameterError(
                f"The {parameter!r} parameter of {type(self).__name__} is invalid: {exc}"
            ) from exc

    def _resolve_plugins(self):
        """Set ``cost_``, ``activation_``, ... from the parameters, never changing them."""
        self.cost_ = self._resolve("cost", self.cost)
        self.activation_ = self._resolve("activation", self.activation)
        output = self.output_activation
        if output is None:
            output = self._default_output_activation or self.cost_.output_activation
        self.output_activation_ = self._resolve("output_activation", output)
        self.initializer_ = self._resolve("initializer", self.initializer)
        self.regularizer_ = self._resolve("regularizer", self.regularizer)
        self.optimizer_ = self._resolve("optimizer", self.optimizer)
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
        if not all(isinstance(s, numbers.Integral) and s >= 1 for s in sizes):
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

    def _new_network(self, n_features, n_outputs, rng):
        sizes = (n_features, *self._hidden_sizes(), n_outputs)
        network = Network(sizes, self._layer_activations(len(sizes) - 1), dtype=self._dtype)
        network.initialize(self.initializer_, rng)
        return network

    def _current_network(self):
        """Rebuild the engine's network from ``coefs_``/``intercepts_``."""
        sizes = (self.coefs_[0].shape[0], *(c.shape[1] for c in self.coefs_))
        if sizes[1:-1] != self._hidden_sizes():
            raise ValueError(
                f"hidden_layer_sizes={self.hidden_layer_sizes!r} does not match the "
                f"fitted network {list(sizes)}; use warm_start=False to start anew."
            )
        network = Network(sizes, self._layer_activations(len(sizes) - 1), dtype=self._dtype)
        network.set_coefs(self.coefs_, self.intercepts_)
        return network

    def _store_network(self, network):
        self.coefs_ = list(network.weights)
        self.intercepts_ = list(network.biases)
        self.n_outputs_ = network.sizes[-1]

    def _seed(self):
        random_state = check_random_state(self.random_state)
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))

    def _validation_split(self, X, Y, sample_weight, rng):
        """Hold out ``validation_fraction`` of the data, stratified when possible."""
        arrays = [X, Y] if sample_weight is None else [X, Y, sample_weight]
        seed = int(rng.integers(np.iinfo(np.int32).max))
        stratify = self._stratify(Y)
        try:
            parts = train_test_split(
                *arrays, test_size=self.validation_fraction, random_state=seed, stratify=stratify
            )
        except ValueError:  # too few samples of some class to stratify
            parts = train_test_split(*arrays, test_size=self.validation_fraction, random_state=seed)
        X_train, X_val, Y_train, Y_val = parts[:4]
        sw_train = parts[4] if sample_weight is not None else None
        return X_train, Y_train, sw_train, X_val, Y_val

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, X_val=None, y_val=None, sample_weight=None):
        """Train the network on (X, y), monitoring (X_val, y_val) when given.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs, best scaled to [0, 1].
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Targets: labels of any type or a multilabel indicator matrix for the
            classifier, numbers for the regressor.
        X_val, y_val : array-like, default=None
            Validation data, as the book's ``evaluation_data``. Used by early
            stopping, the schedule and the monitor. When needed but not given,
            ``validation_fraction`` of (X, y) is held out.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the cost.

        Returns
        -------
        self : estimator
            The fitted estimator.
        """
        continuing = self.warm_start and hasattr(self, "coefs_")
        _warn_if_raw_integers(X)
        X, y = validate_data(
            self, X, y, reset=not continuing, dtype=self._dtype, multi_output=True,
            y_numeric=self._y_numeric,
        )  # fmt: skip
        sample_weight = self._check_sample_weight(sample_weight, X)
        Y = self._encode_targets(y, fitting=not continuing)
        self._resolve_plugins()
        self._check_outputs()
        self._rng = rng = self._seed()

        if (X_val is None) != (y_val is None):
            raise ValueError("X_val and y_val must be given together; got only one.")
        validation = None
        if X_val is not None:
            X_val = validate_data(self, X_val, reset=False, dtype=self._dtype)
            Y_val = self._encode_targets(y_val, fitting=False)
            if len(X_val) != len(Y_val):
                raise ValueError(
                    f"X_val has {len(X_val)} samples but y_val has {len(Y_val)}."
                )
            validation = (X_val, Y_val)
        asks_validation = self.monitor is not None and any(
            m.startswith("validation") for m in self._monitored(True)
        )
        needs_validation = (
            self.early_stopping is not None
            or self.schedule != "constant"
            or asks_validation
            or self.monitor_every is not None
        )
        if validation is None and needs_validation:
            X, Y, sample_weight, X_val, Y_val = self._validation_split(
                X, Y, sample_weight, rng
            )
            validation = (X_val, Y_val)

        if continuing:
            network = self._current_network()
            history = self.history_
        else:
            network = self._new_network(X.shape[1], Y.shape[1], rng)
            history = None
            self.n_iter_ = 0
        trainer = self._run(
            network, X, Y, sample_weight, validation, rng, self.epochs, history, None
        )
        self.history_ = trainer.history
        self._optimizer_state = trainer.optimizer_state
        return self

    def _run(self, network, X, Y, sample_weight, validation, rng, epochs, history, state):
        """Train ``network`` and store the result in the fitted attributes."""
        monitored = self._monitored(validation is not None)
        if any(m.startswith("validation") for m in monitored) and validation is None:
            monitored = tuple(m for m in monitored if not m.startswith("validation"))
        plateau = self.early_stopping is not None or self.schedule != "constant"
        if plateau and "validation_accuracy" not in monitored:
            monitored = (*monitored, "validation_accuracy")
        trainer = Trainer(
            network,
            cost=self.cost_,
            regularizer=self.regularizer_,
            optimizer=self.optimizer_,
            lmbda=self.lmbda,
            n_train=X.shape[0],
            eta=self.eta,
            optimizer_state=state,
            history=history,
        )
        callbacks = [Monitor(monitored, (X, Y, sample_weight), validation, self._score_outputs)]
        if self.verbose:
            if sys.stdout.isatty():
                callbacks.append(ProgressBar(sys.stdout))
            callbacks.append(VerbosePrinter(epochs))
        if self.monitor_every is not None and validation is not None:
            self.history_every_ = {"samples": [], "validation_accuracy": []}
            monitor_every = MonitorEvery(
                self.monitor_every, validation, self.history_every_, self._score_outputs
            )
            callbacks.append(monitor_every)
        patience = self.early_stopping or DEFAULT_PATIENCE
        if self.schedule == "halve_on_plateau" and validation is not None:
            callbacks.append(HalveOnPlateau(patience))
        elif self.early_stopping is not None and validation is not None:
            callbacks.append(EarlyStopping(patience))
        # A cheap guard against silent failure: the cost on a fixed sample must fall.
        probe = (X[:PROBE_SIZE], Y[:PROBE_SIZE])
        cost_before = trainer.total_cost(*probe)[0]
        augment = self._augmenter(X.shape[1], rng)
        try:
            train(
                trainer,
                X,
                Y,
                epochs=epochs,
                mini_batch_size=self.mini_batch_size,
                rng=rng,
                shuffle=self.shuffle,
                sample_weight=sample_weight,
                dropout=self.dropout,
                callbacks=callbacks,
                augment=augment,
            )
        finally:
            self._store_network(network)
            self.n_iter_ = getattr(self, "n_iter_", 0) + trainer.epochs_run
        if trainer.diverged_in_epoch is not None:
            self._warn_divergence(trainer, X.shape[0])
        elif trainer.epochs_run and not trainer.interrupted:
            cost_after = trainer.total_cost(*probe)[0]
            if not cost_after < cost_before:
                strong = f" (or lmbda={self.lmbda:g} too strong)" if self.lmbda else ""
                warnings.warn(
                    f"The training cost did not decrease ({cost_before:.4g} before this "
                    f"fit, {cost_after:.4g} after {trainer.epochs_run} epochs): the "
                    f"learning rate eta={self.eta:g} is probably too large{strong}. "
                    "Try eta ten times smaller.",
                    ConvergenceWarning,
                    stacklevel=3,
                )
        return trainer

    def _augmenter(self, n_features, rng):
        """A function distorting a mini-batch of rows, or None without ``augment``."""
        if self.augment is None:
            return None
        try:
            augmenter = as_augmenter(self.augment)
        except (ValueError, TypeError) as exc:
            raise InvalidParameterError(
                f"The 'augment' parameter of {type(self).__name__} is invalid: {exc}"
            ) from exc
        shape = image_shape_for(n_features, self.image_shape)

        def distort(rows):
            images = rows.reshape(len(rows), *shape)
            return augmenter(images, rng).reshape(len(rows), n_features)

        return distort

    def _warn_divergence(self, trainer, n_train):
        epoch = trainer.diverged_in_epoch
        message = (
            f"Training diverged in epoch {epoch} of this fit: the weights overflowed, "
            f"so training stopped and the model keeps the weights after epoch "
            f"{epoch - 1}. The learning rate eta={trainer.eta:g} is probably too large"
        )
        decay = 1.0 - trainer.eta * self.lmbda / n_train
        if self.regularizer_.name == "l2" and decay < -1.0:
            message += (
                f"; with L2 the weight decay factor 1 - eta*lmbda/n = {decay:.3g} is below "
                "-1, which alone makes the weights grow at every step: lower eta or lmbda"
            )
        warnings.warn(message + ".", ConvergenceWarning, stacklevel=3)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch on (X, y), continuing from the current state.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
        classes : array-like of shape (n_classes,), default=None
            Every class that will ever appear; required at the first call.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : estimator
        """
        first_call = not hasattr(self, "coefs_")
        _warn_if_raw_integers(X)
        X, y = validate_data(
            self, X, y, reset=first_call, dtype=self._dtype, multi_output=True,
            y_numeric=self._y_numeric,
        )  # fmt: skip
        sample_weight = self._check_sample_weight(sample_weight, X)
        if first_call:
            Y = self._first_partial_fit_targets(y, classes)
            self._resolve_plugins()
            self._check_outputs()
            self._rng = self._seed()
            network = self._new_network(X.shape[1], Y.shape[1], self._rng)
            self.n_iter_ = 0
            self.history_ = None
            self._optimizer_state = None
        else:
            self._check_partial_fit_classes(classes)
            Y = self._encode_targets(y, fitting=False)
            self._resolve_plugins()
            network = self._current_network()
            if not hasattr(self, "_rng"):  # loaded from a file
                self._rng = self._seed()
        trainer = self._run(
            network,
            X,
            Y,
            sample_weight,
            None,
            self._rng,
            1,
            self.history_,
            self._optimizer_state,
        )
        self.history_ = trainer.history
        self._optimizer_state = trainer.optimizer_state
        return self

    def _forward(self, X):
        check_is_fitted(self)
        dtype = self.coefs_[0].dtype
        X = validate_data(self, X, reset=False, dtype=dtype)
        activations = self._layer_activations(len(self.coefs_))
        return feedforward(X, self.coefs_, self.intercepts_, activations)
