"""What NielsenMLPClassifier and NielsenMLPRegressor share: validate, resolve, train, keep.

A fit validates the data, resolves the parameters once
(:func:`~sknielsen.training._config.resolve`), hands both to the training
layer (:func:`~sknielsen.training._run.run`) and keeps the
:class:`~sknielsen.training.FittedState` it leaves, through the same pair
of methods that persistence and checkpoints use: :meth:`get_fitted_state`
and :meth:`set_fitted_state`. The subclasses define how targets are
encoded and outputs read.
"""

import contextlib
import numbers
import reprlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np
from sklearn import get_config
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import (
    HasMethods,
    Hidden,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    _get_feature_names,
    _num_samples,
    check_array,
    check_is_fitted,
    validate_data,
)

from . import plugins
from ._core.arrays import (
    in_numpy,
    missing_rows,
    ragged_row_lengths,
    refusing_huge_integers,
    working_memory,
)
from ._core.names import (
    check_same_columns,
    check_target_names,
    target_names,
    warn_if_named_on_one_side,
)
from ._core.params import fill_in_defaults, init_parameter_names, refuse_booleans
from ._core.rules import ModelFileError
from ._core.sparse import checked_csr
from ._core.split import hold_out, n_held_out
from ._core.tables import (
    CATEGORIES,
    STRINGS,
    column_dtypes,
    column_names,
    dtype_name,
    holds,
    refuse_read_as_columns,
)
from ._core.warn import silenced, warn
from ._core.weights import check_sample_weight
from ._doclink import DocumentationLink
from .callbacks import Callback
from .engine._cengine import checks_remembered
from .engine._network import feedforward, rows_within
from .modelfile._format import model_text, write_model
from .modelfile._schema import check_across
from .plugins._registry import Registrations
from .training._config import (
    DTYPES,
    LMBDA_CONSTRAINTS,
    PLUGIN_PARAMETERS,
    TRAINING_PLUGIN_PARAMETERS,
    EstimatorKind,
    check_continuable,
    named_callbacks,
    resolve,
    resolve_plugin,
    unknown_parameters_message,
    unread_parameters,
)
from .training._diagnostics import (
    UNCHECKED_INPUTS,
    input_scale,
    not_finite,
    rows_not_finite,
    unread_rows,
    warn_if_rescaled,
)
from .training._loop import TrainingData
from .training._run import RunInputs, callback_specification, generator, run, state_after
from .training._state import FittedState
from .training._summary import summaries

#: The estimators being fitted now (by id), and what a second fit of one of them says: a
#: callback's ``net.fit`` recursed until Python's RecursionError, and another thread's
#: would train over the same weights.
_FITTING, _FITTING_LOCK = set(), threading.Lock()
_REENTERED = (
    "fit or partial_fit was called on this {name} while it is being fitted (from one of "
    "its callbacks, or from another thread): fit a clone instead, sklearn.base.clone(net)."
)

#: What the scale warnings advise, for validation data and for rows to predict.
_ROUTE_X_VAL = (
    "Transform X_val as X was transformed: in a Pipeline, route it with "
    "set_fit_request(X_val=True, y_val=True) and Pipeline(..., transform_input=['X_val']) "
    "under sklearn.set_config(enable_metadata_routing=True)."
)
_TRANSFORM_ROWS = (
    "The predictions are probably wrong: transform the rows as the training data were "
    "(a Pipeline does it for you)."
)


#: Where an estimator's pickle keeps the plugin registrations it carries.
_REGISTRATIONS_KEY = "_sknielsen_registrations"


def _plugin_constraint(base):
    methods = [m for m in ("fn", "delta", "backward", "update", "penalty") if hasattr(base, m)]
    return [str, HasMethods(methods)]


class BaseNielsenMLP(DocumentationLink, BaseEstimator):
    """Parameters, fitting and the forward pass shared by the book's estimators.

    Subclasses define ``__init__`` (the parameters, with their defaults),
    the label encoding (``_new_targets``, ``_encode``, ``_check_targets``,
    ``_restore_targets``, ``_capture_targets``, ``_outputs_are_columns``),
    ``_check_outputs``,
    ``_stratify``, ``_score_outputs`` (what the history calls accuracy,
    ``_score_outputs(output, Y, sample_weight=None)``; ``_scorer(targets)``
    may choose another for some targets) and the predictions.
    """

    #: Output activation when ``output_activation=None``; None: the cost's own.
    _default_output_activation = None
    #: The fewest samples the score (validation, training) is defined on, and its name.
    _fewest_validation_samples = (1, "accuracy")

    _parameter_constraints = {
        "hidden_layer_sizes": [
            tuple,
            list,
            np.ndarray,  # as scikit-learn's MLP takes them: a grid of sizes made with NumPy
            Interval(numbers.Integral, 1, None, closed="left"),
        ],
        "cost": _plugin_constraint(plugins.Cost),
        "activation": _plugin_constraint(plugins.Activation),
        "output_activation": [None, *_plugin_constraint(plugins.Activation)],
        "initializer": [str, callable],
        "regularizer": _plugin_constraint(plugins.Regularizer),
        "lmbda": LMBDA_CONSTRAINTS,
        "optimizer": [*_plugin_constraint(plugins.Optimizer), HasMethods(["minimize"])],
        "eta": [Interval(numbers.Real, 0, None, closed="neither")],
        "mini_batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "early_stopping": [None, "boolean", Interval(numbers.Integral, 1, None, closed="left")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "callbacks": [None, list, tuple],
        "schedule": [StrOptions({"constant", "halve_on_plateau"})],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="left")],
        "monitor": [None, StrOptions({"all"}), tuple, list],
        "dtype": [StrOptions(set(DTYPES))],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "augment": [None, str, list, tuple, plugins.Augmenter],
        "monitor_every": [None, Interval(numbers.Integral, 1, None, closed="left")],
        "image_shape": [None, tuple, list],
        "engine": [StrOptions({"auto", "numpy", "c"}), Hidden(StrOptions({"numba"}))],
        # joblib's convention: 0 threads is no count at all.
        "n_jobs": [
            None,
            Interval(numbers.Integral, None, -1, closed="right"),
            Interval(numbers.Integral, 1, None, closed="left"),
        ],
    }

    @classmethod
    def _get_param_names(cls):
        # scikit-learn's, cached: get_params, clone and each fit ask (tens of µs a time).
        return list(init_parameter_names(cls.__name__, cls.__init__))

    def __new__(cls, *args, **kwargs):
        # Before __init__, whose own TypeError would say only "unexpected keyword".
        unknown = [name for name in kwargs if name not in cls._get_param_names()]
        if unknown:
            known = cls._get_param_names()
            raise TypeError(unknown_parameters_message(cls.__name__, unknown, known))
        return super().__new__(cls)

    def __getstate__(self):
        # A worker process that unpickles this estimator must know the plugins its
        # parameters (or a search's) name: those registered here travel with it.
        state = dict(super().__getstate__())
        registrations = Registrations.current()
        if registrations is not None:
            state[_REGISTRATIONS_KEY] = registrations
        return state

    def __setstate__(self, state):
        registrations = state.pop(_REGISTRATIONS_KEY, None)
        if registrations is not None:
            registrations.restore()
        super().__setstate__(state)
        # A pickle of an earlier release lacks the parameters added since (0.1.0's
        # has no n_jobs): they take their defaults, as a model file without them does.
        fill_in_defaults(self)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Mini-batch optimizers train on sparse X a mini-batch at a time; full-batch ones refuse it.
        try:
            optimizer = plugins.get("optimizer", self.optimizer)
        except (ValueError, TypeError):
            optimizer = None
        tags.input_tags.sparse = not isinstance(optimizer, plugins.Solver)
        return tags

    @classmethod
    def _kind(cls):
        return EstimatorKind(
            cls.__name__, cls._parameter_constraints, cls._default_output_activation
        )

    def _validate_params(self):
        """Nothing here: :func:`~sknielsen.training._config.resolve` validates, once, in fit."""

    #: What the history's accuracy keys hold (see ``RunInputs.score_name``).
    _score_name = "accuracy"

    def _check_incremental(self):
        """True where this configuration can train by ``partial_fit``; else AttributeError."""
        return True

    def _resolve(self, training=True):
        return check_params(self, training=training)

    def get_params(self, deep=True):
        """Get the parameters of this estimator.

        Parameters
        ----------
        deep : bool, default=True
            Also return the hyper-parameters of the plugins given as
            instances (``optimizer__mu`` of ``optimizer=Momentum()``; a
            plugin given by name lists none, though :meth:`set_params`
            takes them) and each callback by name with its parameters
            (``callbacks__stop``, ``callbacks__stop__patience``; see
            :meth:`set_params`).

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        params = super().get_params(deep=deep)
        return {**params, **_callback_params(self.callbacks)} if deep else params

    def set_params(self, **params):
        """Set the parameters of this estimator.

        Nested plugin hyper-parameters work with a plugin given by name:
        ``set_params(optimizer="momentum", optimizer__mu=0.5)`` first turns
        ``"momentum"`` into a ``Momentum()`` instance, then sets its ``mu``.
        Callbacks are reached by name: the name given with one
        (``callbacks=[("stop", EarlyStopping())]``), else its class's
        (``EarlyStopping``; ``StepDecay_1``, ``StepDecay_2`` when several
        share one). ``callbacks__stop__patience=5`` sets a parameter of the
        callback, in place, as scikit-learn sets those of a pipeline's
        steps; ``callbacks__stop=EarlyStopping(...)`` replaces it.

        Parameters
        ----------
        **params : dict
            Estimator parameters, ``<plugin>__<hyper-parameter>`` and
            ``callbacks__<name>[__<parameter>]`` names.

        Returns
        -------
        self : estimator
            This estimator.

        Raises
        ------
        InvalidParameterError
            For nested names under a parameter that holds no plugin
            (``augment__max_degrees`` with ``augment=None``, ``eta__x``),
            under a callback name that none has, or for a callback replaced
            by anything but a callback (``callbacks__stop=None``: a callback
            is not turned off by name; search whole ``callbacks`` lists).
        """
        owner, known = type(self).__name__, self._get_param_names()
        unknown = [key for key in params if key.partition("__")[0] not in known]
        if unknown:  # a ValueError, as scikit-learn's own set_params raises
            raise InvalidParameterError(unknown_parameters_message(owner, unknown, known))
        by_name = {key: params.pop(key) for key in list(params) if key.startswith("callbacks__")}
        _plugins_for_nested_names(self, params)
        if by_name:
            callbacks = params.get("callbacks", self.callbacks)
            params["callbacks"] = _set_callbacks(callbacks, by_name, owner)
        return super().set_params(**params)

    @property
    def _dtype(self):
        return DTYPES[self.dtype]

    # -- the fitted state ---------------------------------------------------

    def get_fitted_state(self):
        """Return a copy of everything the last fit left behind.

        With :meth:`set_fitted_state`, the one way in and out of a fitted
        model: ``fit``, ``partial_fit``, ``warm_start``, checkpoints and
        :func:`sknielsen.save` all go through the pair.

        Returns
        -------
        state : FittedState
            Deep copies: later training never changes it.
        """
        check_is_fitted(self)
        return FittedState.copied(
            coefs=self.coefs_,
            intercepts=self.intercepts_,
            optimizer_state=self._optimizer_state,
            history=self.history_,
            rng_state=self._rng_state,
            n_iter=int(self.n_iter_),
            samples_seen=int(self.t_),
            plugins={name: getattr(self, name + "_") for name in PLUGIN_PARAMETERS},
            targets=self._capture_targets(),
            n_features_in=int(self.n_features_in_),
            feature_names_in=getattr(self, "feature_names_in_", None),
            input_scale=getattr(self, "_input_scale", None),
            target_names_in=getattr(self, "target_names_in_", None),
            split_seed=getattr(self, "_split_seed", None),
        )

    def set_fitted_state(self, state):
        """Make ``state`` this estimator's fitted state, after checking that it fits.

        The state must be consistent in itself (shapes, history, optimizer
        state) and with this estimator's parameters, so that ``predict``
        and ``partial_fit`` work on it: the hidden layers agree, the
        plugins resolve, the outputs suit the targets. It must also be what
        a model file holds (finite values, outputs that cannot overflow, at
        most one history entry per epoch: ``docs/model-format.md``), so
        that :func:`sknielsen.save` writes what this takes.

        Parameters
        ----------
        state : FittedState
            As :meth:`get_fitted_state` returns it; kept, not copied.

        Returns
        -------
        self : estimator
            This estimator, fitted.

        Raises
        ------
        TypeError
            ``state`` is no :class:`~sknielsen.training.FittedState`.
        ValueError
            Naming what does not fit; nothing of the estimator has changed then.
        """
        if not isinstance(state, FittedState):  # a dict failed on its missing method check
            raise TypeError(
                "state must be a FittedState, as get_fitted_state returns it; got "
                f"{type(state).__name__}."
            )
        state.check()
        self._check_targets(state.targets, n_outputs=state.coefs[-1].shape[1])
        if state.target_names_in is not None and not self._outputs_are_columns(state.targets):
            raise ValueError(
                "target_names_in names columns of targets, but the model's targets are one a "
                "row (a 1-D y, or one label a row), of no columns: set it to None, as fit "
                "leaves it."
            )
        config = self._resolve(training=False)
        sizes = tuple(w.shape[1] for w in state.coefs[:-1])
        check_continuable(config, state, f"set hidden_layer_sizes={sizes} to take this state")
        self._check_outputs(config.plugins, state.targets)
        try:
            check_across(state)  # what save refuses and load reads: finite, bounded outputs
        except ModelFileError as exc:  # no file here
            raise ValueError(str(exc)) from None
        self._adopt(state, config)
        # What this estimator's last run left describes that run, not the state given.
        for name in _RUN_ATTRIBUTES:
            if hasattr(self, name):
                delattr(self, name)
        return self

    @classmethod
    def from_fitted_state(cls, state, **params):
        """Return an estimator with parameters ``params`` and fitted state ``state``.

        Parameters
        ----------
        state : FittedState
            As :meth:`get_fitted_state` returns it.
        **params : dict
            Constructor parameters.

        Returns
        -------
        estimator : estimator
            ``cls(**params).set_fitted_state(state)``.
        """
        return cls(**params).set_fitted_state(state)

    def _adopt(self, state, config, kept_epoch=None):
        """Set the fitted attributes from a state already known to fit.

        ``kept_epoch`` is the epoch whose weights a callback kept in the run
        that made ``state``; None when no callback kept one, or when the
        state comes from elsewhere (a file): the history then tells.
        """
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
        self._keep_target_names(state.target_names_in)
        self.n_iter_, self.t_ = state.n_iter, state.samples_seen
        self._input_scale = state.input_scale
        # A NumPy integer, which the state's check takes, is no JSON number for save.
        self._split_seed = None if state.split_seed is None else int(state.split_seed)
        # What scikit-learn's MLP users look for (loss_curve_, best_epoch_, ...).
        for name, value in summaries(state, config, kept_epoch).items():
            setattr(self, name, value)

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
            classifier, numbers (not dates or durations) for the regressor.
            A table of them whose columns are named by strings (a
            DataFrame) keeps the names in ``target_names_in_``.
        X_val, y_val : array-like, default=None
            Validation data, as the book's ``evaluation_data``. Used by early
            stopping, the schedule, the monitor and callbacks that monitor a
            validation key. When needed but not given, ``validation_fraction``
            of (X, y) is held out. In a :class:`~sklearn.pipeline.Pipeline`,
            route them with ``set_fit_request(X_val=True, y_val=True)`` and
            ``Pipeline(..., transform_input=["X_val"])``, with metadata routing
            enabled (``sklearn.set_config(enable_metadata_routing=True)``), so
            that ``X_val`` is transformed like ``X``. They carry no weights: their cost and
            score weigh every sample alike. A table ``y_val`` has ``y``'s
            columns, in ``y``'s order.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the cost, and in the training cost and
            accuracy ``monitor`` records. The samples held out for
            validation (``validation_fraction``) keep their weights (times
            the class weights of ``class_weight``): the validation score
            (as scikit-learn's ``accuracy_score`` or ``r2_score`` with
            ``sample_weight``), the validation cost and the epoch early
            stopping keeps are weighted, as in scikit-learn's MLP.

        Returns
        -------
        self : estimator
            The fitted estimator.

        Raises
        ------
        SparseInputError
            If ``X`` is sparse and the optimizer is a full-batch one
            (``'lbfgs'``, ``'newton'``): a :class:`TypeError` and a
            :class:`ValueError` (see :class:`sknielsen.utils.SparseInputError`).
        ValueError
            If ``X`` or ``X_val`` is a DataFrame with columns of categories or
            strings, which the network does not read as numbers (the message
            names them; encode them first, with
            ``sklearn.preprocessing.OneHotEncoder``); if ``y_val`` is a table
            whose columns are not ``y``'s, in ``y``'s order, or, continuing
            with ``warm_start``, ``y`` one whose columns are not
            ``target_names_in_``; if ``y`` or ``y_val`` has no 1-D or 2-D
            shape, or holds dates or durations (the regressor's); under
            scikit-learn's ``assume_finite=True``, if the validation data
            holds NaN or infinity; and for the other inputs and parameters a
            fit refuses, naming what is wrong.
        TypeError
            If ``y`` or ``y_val`` is one value as NumPy reads it (a number,
            a set, a generator), not one target per sample; if ``X``,
            ``X_val`` or ``sample_weight`` is an iterator (a generator, say).
        """
        return self._fit(_FitRequest(X, y, X_val, y_val, sample_weight, incremental=False))

    # As scikit-learn's MLP for L-BFGS: meta-estimators and checks ask hasattr first.
    @available_if(lambda estimator: estimator._check_incremental())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None, X_val=None, y_val=None):
        """Train for one epoch on (X, y), continuing from the current state.

        The optimizer's state (momentum, the current η of a schedule), the
        random generator and the callbacks' counters carry on from call to
        call. Across :func:`sknielsen.save` and :func:`sknielsen.load` the
        optimizer's state, η, the generator and the history carry on; the
        callbacks start afresh (an early stopping's count of epochs without
        improvement, say). A call cannot return to an earlier call's
        weights: when early stopping's patience runs out and its best epoch
        was an earlier call's, a warning says so, and the model holds this
        epoch's weights (``best_epoch_`` names the best one).
        Without validation data, ``early_stopping`` and ``schedule`` watch
        the training loss, and the validation keys of ``monitor`` and
        ``monitor_every`` record nothing (a warning says so).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Targets.
        classes : array-like of shape (n_classes,), default=None
            Every class that will ever appear; required at the first call
            (classifier only). For a multilabel indicator ``y`` the classes
            are its column indices, ``0`` to ``n_labels - 1``: ``classes``
            may be left out, and when given must be those.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the cost, and in the training cost and
            accuracy ``monitor`` records.
        X_val, y_val : array-like, default=None
            Validation data for this epoch, as in :meth:`fit` (unweighted).

        Returns
        -------
        self : estimator
            The updated estimator.

        Raises
        ------
        SparseInputError
            If ``X`` is sparse and the optimizer is a full-batch one, as in
            :meth:`fit`.
        ValueError
            If ``y`` is a table whose columns are not the model's
            ``target_names_in_``, in its order, or has another number of
            outputs than the model's; and for what :meth:`fit` refuses.
        TypeError
            For what :meth:`fit` refuses by type: an iterator (a generator,
            say) as ``X``, ``X_val`` or ``sample_weight``, one value as ``y``.
        """
        request = _FitRequest(X, y, X_val, y_val, sample_weight, incremental=True, classes=classes)
        return self._fit(request)

    def _fit(self, request):
        """The one path of ``fit`` and ``partial_fit``: validate, resolve, train, keep.

        A call that raises leaves the estimator as it was: scikit-learn's
        validation sets ``n_features_in_`` and ``feature_names_in_`` before
        the targets, weights and plugins are checked, and a refused refit
        would otherwise leave weights for other inputs than those attributes
        say (an unfitted estimator would pass ``check_is_fitted``).
        """
        before = _input_attributes(self)
        with _FITTING_LOCK:
            if id(self) in _FITTING:
                raise RuntimeError(_REENTERED.format(name=type(self).__name__))
            _FITTING.add(id(self))
        try:  # at once: an exception before it would leave the estimator marked as fitting
            # Read several times before validation converts them: a lazy graph runs once here.
            request = replace(request, y=_computed(request.y), y_val=_computed(request.y_val))
            # the input's structure checked once, not per layer
            with in_numpy(), checks_remembered():
                return self._fit_checked(request)
        except BaseException:
            _restore_input_attributes(self, before)
            raise
        finally:
            with _FITTING_LOCK:
                _FITTING.discard(id(self))

    def _fit_checked(self, request):
        """``_fit``'s steps, within its scope of remembered checks."""
        config = self._resolve()
        continuing = hasattr(self, "coefs_") and (request.incremental or self.warm_start)
        previous = self.get_fitted_state() if continuing else None
        if previous is not None:
            check_continuable(config, previous, _start_anew(request))
        prepared = self._prepared_run(request, previous, config)
        inputs = prepared.inputs
        specification = callback_specification(config, inputs.validation)
        reuse = request.incremental and getattr(self, "_callbacks_for", None) == specification
        result = run(
            config,
            inputs,
            reused_callbacks=self.callbacks_ if reuse else None,
            saver=lambda path, state: _checkpoint(self, path, self._completed(state, prepared)),
        )
        state = self._completed(state_after(result.trainer, inputs.rng, config, inputs), prepared)
        method = "partial_fit" if request.incremental else "fit"
        if not _keepable(state, config, previous, f"{type(self).__name__}.{method}"):
            return self
        self.callbacks_, self._callbacks_for = result.callbacks, specification
        if config.monitor_every is not None and inputs.validation is not None:
            self.history_every_ = result.history_every
        self.engine_ = result.engine
        kept = result.trainer.kept_epoch if result.trainer.kept_best else None
        self._adopt(state, config, kept_epoch=kept)
        return self

    def _prepared_run(self, request, previous, config):
        """The run's checked inputs, and what its state gains from the estimator."""
        data, targets = self._training_data(request, previous, config)
        self._check_outputs(config.plugins, targets)
        # What predict compares new rows with: the first fit's, or this data's when unknown.
        scale = (previous and previous.input_scale) or input_scale(data.X)
        rng = generator(previous, self.random_state)
        split = _SplitSeed(previous, rng)
        data, validation = self._validation_data(request, data, targets, split, config, scale)
        if validation is not None and get_config()["assume_finite"]:
            _refuse_unread_validation(validation, request.X_val is None, config.dtype)
        if _records_training_score(config):  # checked here, not by a NaN after an epoch
            advice = "give more samples, or record and watch another quantity"
            self._check_enough_to_score(data.Y, "The training data has", advice, data.sample_weight)
        inputs = RunInputs(
            data,
            validation,
            previous,
            rng,
            self._scorer(targets),
            request.incremental,
            self._score_name,
        )
        return _PreparedRun(inputs, targets, scale, split)

    def _scorer(self, targets):
        """What the history calls accuracy for ``targets``: ``_score_outputs`` unless overridden."""
        return self._score_outputs

    def _completed(self, state, prepared):
        """A run's state with what the estimator adds: encodings, names, scale, split seed."""
        return replace(
            state,
            targets=prepared.targets,
            feature_names_in=getattr(self, "feature_names_in_", None),
            input_scale=prepared.scale,
            target_names_in=getattr(self, "target_names_in_", None),
            split_seed=prepared.split.seed,
        )

    def _training_data(self, request, previous, config):
        """Validate (X, y, sample_weight) and encode the targets."""
        check_given_targets(request.y, "y", request.X)
        X, read_values = _canonical(request.X, config.dtype)
        with quiet_cast("X"):  # y is converted by _encode
            X, y = validate_data(
                self,
                X,
                request.y,
                reset=previous is None,
                dtype=config.dtype,
                multi_output=True,
                accept_sparse="csr",
                ensure_all_finite=read_values,
            )
        y = self._read_targets(y)
        sample_weight = self._checked_sample_weight(request.sample_weight, X)
        _check_classes_given(request.classes)
        if previous is None:
            targets = self._new_targets(y, request.classes, request.incremental)
        else:
            self._check_classes_argument(request.classes, previous.targets)
            targets = self._continued_targets(y, previous.targets)
        self._take_target_names(request.y, previous, targets)
        sample_weight = self._weigh_classes(y, sample_weight, targets)
        Y = self._encode(y, targets)
        if previous is not None and Y.shape[1] != previous.coefs[-1].shape[1]:
            raise ValueError(
                f"y has {Y.shape[1]} output{'s' if Y.shape[1] != 1 else ''}; the model was "
                f"fitted with {previous.coefs[-1].shape[1]}: {_start_anew(request)}."
            )
        return TrainingData(X, Y, sample_weight), targets

    def _take_target_names(self, y, previous, targets):
        """Record the names of y's columns (a new fit), or check them against the model's."""
        outputs_are_columns = self._outputs_are_columns(targets)
        if previous is not None:
            check_target_names(y, previous.target_names_in)
            if outputs_are_columns:  # a classifier's column of labels names no output
                warn_if_named_on_one_side(y, previous.target_names_in)
            return
        names = target_names(y) if outputs_are_columns else None
        self._keep_target_names(names)

    def _keep_target_names(self, names):
        if names is not None:
            self.target_names_in_ = np.asarray(names, dtype=object)
        elif hasattr(self, "target_names_in_"):
            del self.target_names_in_

    def _read_targets(self, y):
        """``y`` as validated, in the form the targets are read from: as it is here."""
        return y

    def _continued_targets(self, y, targets):
        """The encoding of a fit that continues one encoded by ``targets``: the same."""
        return targets

    def _weigh_classes(self, y, sample_weight, targets):
        """Sample weights with the classes' weights folded in (classifiers only)."""
        return sample_weight

    def _validation_data(self, request, data, targets, split, config, scale):
        """The validation set: given, held out of the training data when needed, or None.

        ``split`` (a :class:`_SplitSeed`) seeds a held-out split.
        """
        if (request.X_val is None) != (request.y_val is None):
            raise ValueError("X_val and y_val must be given together; got only one.")
        if request.X_val is not None:
            check_given_targets(request.y_val, "y_val", request.X_val)
            names = getattr(self, "target_names_in_", None)
            check_target_names(request.y_val, names, "y_val")
            if self._outputs_are_columns(targets):  # names not kept are compared here
                warn_if_named_on_one_side(request.y_val, names, "y_val")
                check_same_columns(request.y, request.y_val)
            given, read_values = _canonical(request.X_val, config.dtype, "X_val")
            # check_array and our own feature-name check, so that the messages name X_val:
            # validate_data's say X.
            X_val = _checked_x_val(given, config.dtype, read_values)
            _check_width(X_val, self.n_features_in_, "X_val")
            _check_validation_names(given, getattr(self, "feature_names_in_", None))
            Y_val = self._encode(request.y_val, targets, "y_val")
            if X_val.shape[0] != len(Y_val):
                raise ValueError(f"X_val has {X_val.shape[0]} samples but y_val has {len(Y_val)}.")
            if _records_validation_score(config):  # a validation cost needs no score
                self._check_validation_targets(Y_val, "X_val has", "give more rows in X_val")
            if Y_val.shape[1:] != data.Y.shape[1:]:  # checked here, not epochs later by a score
                given, expected = Y_val.shape[1], data.Y.shape[1]
                raise ValueError(
                    f"y_val has {given} output{'s' if given != 1 else ''} but y has "
                    f"{expected}: the network's outputs are y's."
                )
            warn_if_rescaled(scale, X_val, "X_val", "X", _ROUTE_X_VAL)
            return data, (X_val, Y_val)
        if not request.incremental and config.needs_validation:
            return self._validation_split(data, targets, split.draw(), config)
        if request.incremental:
            _warn_of_unrecorded_validation(self.monitor, config.monitor_every)
        return data, None

    def _validation_split(self, data, targets, seed, config):
        """Hold out ``config.validation_fraction`` of the data, stratified when possible."""
        arrays = [data.X, data.Y] + ([] if data.sample_weight is None else [data.sample_weight])
        n_samples, fraction = data.X.shape[0], config.validation_fraction
        if fraction == 0:  # allowed, as scikit-learn's, for fits given X_val and y_val
            raise ValueError(
                f"validation_fraction=0 holds out no sample, but {config.validation_needed_by} "
                "needs a validation set: give X_val and y_val, or a validation_fraction "
                "between 0 and 1."
            )
        held = n_held_out(fraction, n_samples)
        if held >= n_samples:  # its own error speaks of test_size and train_size, not set here
            raise ValueError(
                f"validation_fraction={fraction:g} holds out {held} of the training samples "
                f"(n_samples={n_samples}) for validation, leaving none to train on: give more "
                "samples, a smaller validation_fraction, or X_val and y_val."
            )
        stratify = self._stratify(data.Y, targets)
        parts = hold_out(*arrays, test_size=fraction, random_state=seed, stratify=stratify)
        weights, held_weights = parts[4:] if data.sample_weight is not None else (None, None)
        held_out = (
            f"The validation set held out of the {data.X.shape[0]} training samples "
            f"(validation_fraction={fraction:g}) has"
        )
        advice = "give more samples, a larger validation_fraction, or X_val and y_val"
        self._check_validation_targets(parts[3], held_out, advice, held_weights)
        # fit checked that some weight is positive, but the split may have held out all of them.
        if weights is not None and not weights.any():
            raise ValueError(
                f"The validation set held out of the {data.X.shape[0]} training samples "
                f"(validation_fraction={fraction:g}) took every sample of positive weight: "
                "it leaves the training samples a weight of 0, and nothing would be learned. "
                "Give X_val and y_val, a smaller validation_fraction, or more samples a "
                "positive weight."
            )
        # The held-out rows keep their weights (class weights folded in), as scikit-learn's
        # MLP scores its held-out set with them.
        return TrainingData(parts[0], parts[2], weights), (parts[1], parts[3], held_weights)

    def _check_validation_targets(self, Y, has, advice, sample_weight=None):
        """Refuse validation targets ``Y`` that their score cannot rank epochs by.

        Here, too few of them (see :meth:`_check_enough_to_score`).
        """
        self._check_enough_to_score(Y, has, advice, sample_weight)

    def _check_enough_to_score(self, Y, has, advice, sample_weight=None):
        """Refuse targets ``Y`` too few for the score: R² of one sample is undefined.

        With ``sample_weight`` only the samples of positive weight count: a
        weighted score of samples of weight 0 alone is undefined too.
        """
        fewest, score = self._fewest_validation_samples
        if sample_weight is None:
            n_samples, counted = len(Y), ""
        else:
            n_samples, counted = np.count_nonzero(sample_weight), " of positive weight"
        if n_samples < fewest:
            raise ValueError(
                f"{has} {n_samples} sample{'s' if n_samples != 1 else ''}{counted}, but its "
                f"{score} needs at least {fewest}: {advice}."
            )

    @staticmethod
    def _checked_sample_weight(sample_weight, X):
        """``sample_weight`` of ``fit`` or ``score``, checked alike (None stays None).

        Also refuses negative weights and weights that are all zero.
        scikit-learn's ``score`` handed them to its metric unchecked: negative
        weights gave a number (weights of -1 the unweighted score), weights
        summing to 0 failed inside NumPy, one number for all rows was refused
        where ``fit`` takes it.

        Parameters
        ----------
        sample_weight : array-like of shape (n_samples,), float or None
            The weights given.
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            The rows they weigh.

        Returns
        -------
        sample_weight : ndarray of shape (n_samples,) or None
        """
        if sample_weight is None:
            return None
        _refuse_iterator(sample_weight, "sample_weight")
        return check_sample_weight(sample_weight, X)

    def _forward(self, X):
        check_is_fitted(self)
        dtype = self.coefs_[0].dtype
        # Sparse rows go through the first layer as sparse @ dense, never densified.
        X, read_values = _canonical(X, dtype)
        # float32 rows are kept as given and converted for a float64 model a chunk at a
        # time (exactly: every float32 is a float64), not copied whole at twice their size.
        accepted = (np.float64, np.float32) if dtype == np.float64 else dtype
        with in_numpy(), quiet_cast("X"):
            X = validate_data(
                self,
                X,
                reset=False,
                dtype=accepted,
                accept_sparse="csr",
                ensure_all_finite=read_values,
            )
        # Known for a model fitted here, pickled, or loaded from a model file (version 3 on).
        warn_if_rescaled(
            getattr(self, "_input_scale", None), X, "X", "the training data", _TRANSFORM_ROWS
        )
        n_layers = len(self.coefs_)
        activations = [self.activation_] * (n_layers - 1) + [self.output_activation_]
        # Sums beyond float64 saturate bounded outputs rightly; the rows whose outputs they
        # leave infinite or NaN are named below, in words, not by NumPy from inside here.
        with np.errstate(over="ignore", invalid="ignore"):
            converted = X.dtype != dtype
            max_rows = rows_within(working_memory(), self.coefs_, converted_inputs=converted)
            output = feedforward(X, self.coefs_, self.intercepts_, activations, max_rows=max_rows)
        _warn_of_outputs_not_finite(output, X)
        return output


@dataclass(frozen=True)
class _PreparedRun:
    """A fit's run as prepared: its inputs, and what its state gains from the estimator.

    Attributes
    ----------
    inputs : RunInputs
    targets : dict
        The targets' encoding (a classifier's classes, a regressor's shape).
    scale : float or None
        The inputs' root mean square that ``predict`` compares new rows with.
    split : _SplitSeed
        The seed of the validation split, kept in the state.
    """

    inputs: RunInputs
    targets: dict
    scale: float | None
    split: "_SplitSeed"


class _SplitSeed:
    """The seed of a fit's ``validation_fraction`` split: the first fit's, for those continuing it.

    A first fit draws it from the run's generator when it holds rows out,
    as its first draw; the fits that continue it (``warm_start``) hold out
    the same rows of the same data, without a draw, so that their
    validation scores are of rows never trained on, and epochs in parts are
    the epochs of one fit. Each ``warm_start`` fit drew a new split before,
    most of which the earlier fit had trained on.
    """

    def __init__(self, previous, rng):
        self.seed = None if previous is None else previous.split_seed
        self._rng = rng

    def draw(self):
        """The seed: the one kept, or, for a first split, one drawn from the generator."""
        if self.seed is None:
            self.seed = int(self._rng.integers(np.iinfo(np.int32).max))
        return self.seed


def _computed(data):
    """``data`` computed where it is a lazy collection of dask's (an array, say), else itself.

    Targets are read before validation converts them, for missing values,
    their shape, names and scale: a dask array's graph ran at each reading,
    three or four times a fit, where scikit-learn's validation runs it once.
    """
    graph = getattr(data, "__dask_graph__", None)  # dask's protocol; xarray's has one too
    if callable(graph) and graph() is not None:
        return data.compute()
    return data


def _start_anew(request):
    """How a continued fit (``partial_fit``, or ``fit`` with ``warm_start``) starts anew."""
    if request.incremental:
        return "call fit, not partial_fit, to start anew"
    return "use warm_start=False to start anew"


def _refuse_unread_validation(validation, held_out, dtype):
    """Refuse validation data holding NaN or infinity, which ``assume_finite=True`` let through.

    Its score, or cost, would be NaN at every epoch: the fit failed after
    training, blaming the EarlyStopping callback ("recorded nan under
    'validation_accuracy'") or an overflow ("Scale the inputs"), and the
    classifier scored NaN rows as its first class without a word. The
    training data is named when training diverges (scikit-learn's promise
    of no check kept); the validation data, evaluated at every epoch, costs
    less to check once than one of those evaluations.

    Parameters
    ----------
    validation : tuple
        ``(X_val, Y_val)`` as given, or ``(X, Y, sample_weight)`` held out.
    held_out : bool
        Whether the rows were held out of the training data, for the names.
    dtype : numpy.dtype
        The fit's, which the data was converted to: numbers beyond float32's
        range became infinity.
    """
    unread = unread_rows(TrainingData(*validation))
    n_rows = len(validation[1])
    what = not_finite(dtype)
    where = " and ".join(
        f"{name} holds {what} in {count} of the {n_rows} rows held out for validation"
        if held_out
        else f"{name}_val holds {what} in {count} of its {n_rows} rows"
        for name, count in unread.items()
    )
    if where:
        raise ValueError(
            f"{where}, {UNCHECKED_INPUTS}: the validation score would be NaN at every epoch. "
            "Drop or fill those rows, and fit again."
        )


def _warn_of_outputs_not_finite(output, X):
    """Warn, counting them, of rows whose outputs overflowed to infinity or NaN.

    Their predictions mean nothing: the inputs, or the weights, are far
    beyond what the network was trained on, or the inputs were not finite.
    """
    bad = int(np.count_nonzero(~np.isfinite(output).all(axis=1)))
    unread = rows_not_finite(X) if bad else 0
    if unread:
        # The network's dtype, not X's: float32 rows of a float64 model are converted to
        # float64, where no number leaves the range; float64 rows of a float32 one can.
        warn(
            f"The network's outputs are not finite for {bad} of the {len(output)} rows: "
            f"{unread} of them hold {not_finite(output.dtype)} in X, {UNCHECKED_INPUTS}; "
            "their predictions mean nothing."
        )
    elif bad:
        warn(
            f"The network's outputs are not finite for {bad} of the {len(output)} rows: "
            "their weighted sums overflowed float64, so their predictions mean nothing. "
            "The inputs are far beyond the training data's scale, or the weights grew huge "
            "(a learning rate too large): transform the rows as the training data were, "
            "or refit with a smaller eta."
        )


#: What scikit-learn's ``validate_data(reset=True)`` sets on an estimator, and the
#: targets' names, which a new fit sets beside them.
_INPUT_ATTRIBUTES = ("n_features_in_", "feature_names_in_", "target_names_in_")


def _input_attributes(estimator):
    """The attributes of ``_INPUT_ATTRIBUTES`` that ``estimator`` has, by name."""
    return {
        name: getattr(estimator, name) for name in _INPUT_ATTRIBUTES if hasattr(estimator, name)
    }


def _restore_input_attributes(estimator, kept):
    """Give ``estimator`` back the input attributes ``kept``, and none other of them."""
    for name in _INPUT_ATTRIBUTES:
        if name in kept:
            setattr(estimator, name, kept[name])
        elif hasattr(estimator, name):
            delattr(estimator, name)


def _keepable(state, config, previous, caller):
    """Whether a fit keeps a trained state: one that ``save`` writes and ``load`` reads back.

    The model file's checks across fields (``CROSS_CHECKS`` of ``sknielsen/modelfile/_schema.py``)
    hold for every model ``fit`` returns. A run that breaks one overflowed
    though its loss stayed finite (weights so large that predictions can
    overflow, an optimizer state that overflowed): a continued run keeps the
    state it continued from, with a warning naming its epoch; a new one is
    refused.

    Parameters
    ----------
    state : FittedState
        What the run left.
    config : RunConfig
    previous : FittedState or None
        The state the run continued from.
    caller : str
        ``"NielsenMLPClassifier.fit"``, say, for the messages.

    Returns
    -------
    keep : bool

    Raises
    ------
    ValueError
        For a new run whose state cannot be kept.
    """
    try:
        check_across(state, config.plugins.as_dict())
        return True
    except ModelFileError as exc:
        what = f"{caller}: training overflowed though its loss stayed finite ({exc})"
    advice = f"Scale the inputs to [0, 1] or try a smaller eta (it was {config.eta:g})."
    if previous is None:
        raise ValueError(f"{what}, leaving a model that could not be saved or loaded. {advice}")
    warn(
        f"{what}; the model keeps its state from before this call (epoch {previous.n_iter}). "
        f"{advice}",
        ConvergenceWarning,
    )
    return False


def _checkpoint(estimator, path, state):
    """Write a checkpoint of ``state``, quietly about the parameters a file leaves out.

    That a model file holds only the built-in callbacks, and no RandomState
    (a checkpoint's ``partial_fit`` continues exactly without it), is said
    once, by :func:`sknielsen.save`, and in the docs: the user of a
    Checkpoint did nothing wrong, and would otherwise read it in the middle
    of every fit.
    A ``path`` of None writes nothing: the text is made for its errors only
    (``trainer.check_save()``).
    """
    left_out = r"The callbacks .* are not saved|random_state is a NumPy RandomState"
    with silenced(UserWarning, left_out):  # this thread's only
        if path is None:
            model_text(estimator, state)
        else:
            write_model(path, estimator, state)


def _plugins_for_nested_names(estimator, params):
    """Turn plugin names that ``params`` set nested values under into instances, in place.

    Raises
    ------
    InvalidParameterError
        For nested names under a parameter that holds no plugin.
    """
    owner = type(estimator).__name__
    nested = {key.partition("__")[0] for key in params if "__" in key}
    holders = PLUGIN_PARAMETERS.keys() | TRAINING_PLUGIN_PARAMETERS.keys()
    plain = sorted(nested - holders)
    if plain:  # eta__x: scikit-learn met it with an AttributeError
        keys = sorted(k for k in params if "__" in k and k.partition("__")[0] in plain)
        named = ", ".join(repr(key) for key in plain)
        several = len(plain) > 1
        raise InvalidParameterError(
            f"Cannot set {', '.join(keys)}: the parameter{'s' if several else ''} {named} "
            f"of {owner} hold{'' if several else 's'} no plugin, so no hyper-parameters; "
            f"set {'them' if several else 'it'} directly."
        )
    for key in nested & holders:
        value = params.get(key, getattr(estimator, key))
        if isinstance(value, str):
            value = params[key] = resolve_plugin(key, value, owner)
        if not hasattr(value, "set_params"):
            keys = sorted(k for k in params if k.startswith(key + "__"))
            raise InvalidParameterError(
                f"Cannot set {', '.join(keys)}: the {key!r} parameter of "
                f"{owner} is {value!r}, which has no hyper-parameters. Set "
                f"{key!r} to a plugin, by name or as an instance, in the same call "
                f"(set_params({key}=..., {keys[0]}=...))."
            )


def _callback_params(callbacks):
    """``callbacks__NAME`` and ``callbacks__NAME__param`` of each named callback.

    Never raises: ``fit``, not ``get_params``, refuses a value that is not a
    list of callbacks.
    """
    if not isinstance(callbacks, (list, tuple)):
        return {}
    params = {}
    for name, callback in named_callbacks(callbacks):
        if isinstance(callback, Callback):
            params[f"callbacks__{name}"] = callback
            for key, value in callback.get_params().items():
                params[f"callbacks__{name}__{key}"] = value
    return params


def _set_callbacks(callbacks, by_name, owner):
    """``callbacks`` with ``callbacks__NAME[__param]`` values applied (see ``set_params``).

    A callback replaced by name gives a new list, so the caller's list is
    never changed; parameters are set on the callbacks in place.
    """
    named = named_callbacks(callbacks if isinstance(callbacks, (list, tuple)) else None)
    names = [name for name, _ in named]
    changes = {}
    for key, value in by_name.items():
        name, _, param = key.removeprefix("callbacks__").partition("__")
        if name not in names:
            raise InvalidParameterError(_unknown_callback(key, name, names, owner))
        changes.setdefault(name, {})[param] = value
    for name, values in changes.items():
        if "" in values and not isinstance(values[""], Callback):
            current = named[names.index(name)][1]
            raise InvalidParameterError(_not_a_callback(name, values[""], current))
    items, replaced = list(callbacks), False
    for name, values in changes.items():
        index = names.index(name)
        callback = values.pop("", named[index][1])
        if callback is not named[index][1]:
            # Replaced, it keeps the name it was reached by: as a bare callback it would be
            # named after its own class, renaming it (and renumbering others of that class).
            items[index] = (name, callback)
            replaced = True
        if values:
            callback.set_params(**values)
    return items if replaced else callbacks


def _not_a_callback(name, value, current):
    """The error for ``callbacks__NAME=value`` where the value is no callback (None, 'drop')."""
    return (
        f"callbacks__{name} must be a Callback; got {value!r}. A callback cannot be turned "
        "off by name; to fit with and without it, search whole lists of callbacks: "
        f"{{'callbacks': [[...], [..., ('{name}', {type(current).__name__}(...))]]}}."
    )


def _unknown_callback(key, name, names, owner):
    """The error for ``callbacks__NAME...`` when no callback has that name."""
    message = f"Cannot set {key}: {owner} has no callback named {name!r}; "
    if not names:
        return message + "its callbacks parameter holds none."
    message += f"its callbacks are named {', '.join(map(repr, names))}"
    if name.isdigit() and int(name) < len(names):  # a position, as in a list
        rest = key.removeprefix(f"callbacks__{name}")
        return message + f" (by name, not position: callbacks__{names[int(name)]}{rest})."
    return message + ". Name one yourself: callbacks=[('stop', EarlyStopping(...))]."


#: What check_params takes besides the estimator (check_is_estimator's, which names the
#: two estimators). Its widths are checked here, not by ``resolve``: fit's come from
#: validated data, and 0 or -1 passed the memory check while 3.5 failed in NumPy.
_CHECK_PARAMS_CONSTRAINTS = {
    "n_features": [None, Interval(numbers.Integral, 1, None, closed="left")],
    "n_outputs": [None, Interval(numbers.Integral, 1, None, closed="left")],
    "training": ["boolean"],
}


def check_is_estimator(estimator, caller):
    """Refuse what is no estimator of this package, in scikit-learn's words for a parameter.

    Its constraint named the private base class, ``sknielsen._base.BaseNielsenMLP``,
    which no user writes.

    Raises
    ------
    InvalidParameterError
        Naming ``caller``'s ``estimator`` parameter and the two estimators.
    """
    if not isinstance(estimator, BaseNielsenMLP):
        raise InvalidParameterError(
            f"The 'estimator' parameter of {caller} must be a NielsenMLPClassifier or "
            f"NielsenMLPRegressor. Got {estimator!r:.80} instead."
        )


def check_params(estimator, n_features=None, n_outputs=None, *, training=True):
    """Validate an estimator's parameters and plugins as ``fit`` would, without fitting.

    Useful before a long job: the command line calls it before printing
    anything. The estimator itself is not changed. This is the resolution
    ``fit`` starts with, so a configuration it accepts is one ``fit``
    accepts.

    Parameters
    ----------
    estimator : NielsenMLPClassifier or NielsenMLPRegressor
        The estimator whose parameters to check.
    n_features, n_outputs : int, optional
        The network's input and output widths. When both are given, the
        optimizer also checks the network's size (Newton's method, for one,
        refuses more than ``optimizer__max_params`` parameters), and so does
        the machine's memory.
    training : bool, default=True
        Whether the parameters are to train with. False checks them as for
        a model that is only loaded, saved or given a fitted state: a value
        retired since the model was saved (``engine='numba'``) is accepted
        then, and refused by its next ``fit`` or ``partial_fit``.

    Returns
    -------
    config : RunConfig
        The resolved configuration: fresh plugin instances, sizes, callbacks.

    Raises
    ------
    sklearn.utils._param_validation.InvalidParameterError
        A ``ValueError`` naming the parameter (``optimizer__mu`` for a
        plugin's) and what it must be; also for an argument of this function
        (a width below 1, an estimator not of this package).
    MemoryError
        With the widths: when training the network could not fit in this
        machine's memory.

    Warns
    -----
    UserWarning
        When ``training``, for a parameter the run would never read, as
        ``fit`` warns: ``lmbda`` without a regularizer, ``eta`` with an
        optimizer that chooses its own step sizes, ``mini_batch_size`` and
        ``shuffle`` with a full-batch solver.

    Examples
    --------
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.utils import check_params
    >>> net = NielsenMLPClassifier().set_params(optimizer="momentum", optimizer__mu=2.0)
    >>> check_params(net)
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: The 'optimizer__mu' parameter ...
    """
    # By hand, not by a decorator: scikit-learn's would rename the estimator's own
    # parameter errors after check_params, unlike fit's.
    arguments = {
        "n_features": n_features,
        "n_outputs": n_outputs,
        "training": training,
    }
    check_is_estimator(estimator, "check_params")
    refuse_booleans(_CHECK_PARAMS_CONSTRAINTS, arguments, "check_params")
    validate_parameter_constraints(_CHECK_PARAMS_CONSTRAINTS, arguments, "check_params")
    config = resolved_config(estimator, n_features, n_outputs, training=training)
    if training:
        for message in unread_parameters(config, type(estimator)):
            warn(message)
    return config


def resolved_config(estimator, n_features=None, n_outputs=None, *, training=True):
    """The estimator's parameters resolved as :func:`check_params` resolves them, silently.

    Without the warnings of parameters that training would not read: for
    what asks about a configuration without training it
    (:func:`sknielsen.utils.expected_failed_checks`).
    """
    params = estimator.get_params(deep=False)
    kind = type(estimator)._kind()
    return resolve(params, kind, n_features=n_features, n_outputs=n_outputs, training=training)


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


#: Attributes a fit sets that describe its run (the engine that ran, the callbacks a
#: partial_fit continues, the records between epochs), not the fitted state.
_RUN_ATTRIBUTES = ("engine_", "callbacks_", "_callbacks_for", "history_every_")


def _records_validation_score(config):
    """Whether the history records the score of validation data (by default it does).

    Early stopping, the schedule and ``monitor_every`` watch it unless told
    otherwise; the validation cost alone needs no score, which R² of
    constant targets, or of one sample, could not give.
    """
    watched = [callback.watched() for callback in config.callbacks]
    monitored = ("validation_accuracy",) if config.monitor is None else config.monitor
    return (
        "validation_accuracy" in (*watched, *monitored)
        or config.early_stopping is not None
        or config.schedule != "constant"
        or config.monitor_every is not None
    )


def _records_training_score(config):
    """Whether the monitor or a callback records the score of the training data."""
    watched = [callback.watched() for callback in config.callbacks]
    return "training_accuracy" in (*watched, *(config.monitor or ()))


def _check_classes_given(classes):
    """Refuse a ``partial_fit``'s ``classes`` that is not one list of labels.

    NumPy reads a set (or any other object) as one label, and flattens a
    nested list: "only one class: [{0, 1, 2}]" would name the wrong fault.
    """
    if classes is None:
        return
    try:
        ndim = np.ndim(classes)
        # NumPy before 1.24 reads nested lists of unequal lengths as one list of objects.
        ragged = ndim == 1 and any(np.ndim(label) for label in classes)
    except ValueError:  # NumPy from 1.24 on refuses them
        ndim, ragged = None, True
    if ndim == 1 and not ragged:
        return
    if ragged:
        got = "ragged nested lists"
    elif ndim == 0:
        got = f"{type(classes).__name__} {reprlib.repr(classes)}"
    else:
        got = f"shape {np.shape(classes)}"
    raise ValueError(f"classes must be a 1-D list or array of every label; got {got}.")


def _warn_of_unrecorded_validation(monitor, monitor_every):
    """Warn when a ``partial_fit`` without validation data cannot record what was asked for.

    ``fit`` holds a validation set out of X for the validation keys named in
    ``monitor`` (not ``'all'``: all there is) and for ``monitor_every``;
    ``partial_fit`` trains on every row it is given. (Its shorthands watch
    the training loss instead, as documented, and a callback that monitors
    a validation key refuses by itself.)
    """
    monitor = () if monitor is None or isinstance(monitor, str) else monitor
    unrecorded = [f"monitor's {key}" for key in monitor if str(key).startswith("validation")]
    if monitor_every is not None:
        unrecorded.append(f"monitor_every={monitor_every} (history_every_)")
    if unrecorded:
        warn(
            f"{' and '.join(unrecorded)} recorded nothing: partial_fit, unlike fit, holds no "
            "validation set out of X. Pass X_val and y_val to partial_fit to record them."
        )


def _check_validation_names(X_val, fitted):
    """scikit-learn's check of X_val's feature names against the model's, naming X_val.

    Parameters
    ----------
    X_val : array-like or sparse matrix
        As given, a DataFrame keeping its column names.
    fitted : ndarray of str or None
        ``feature_names_in_``: the names the model was fitted with (this
        fit's X's, unless it continues an earlier fit), None for none.
    """
    given = _get_feature_names(X_val)
    if given is None and fitted is None:
        return
    if fitted is None:
        warn(
            "X_val has feature names, but the model was fitted without feature names: its "
            "columns are taken by position."
        )
    elif given is None:
        warn(
            "X_val does not have valid feature names, but the model was fitted with feature "
            "names: its columns are taken to be those, in their order."
        )
    elif len(given) != len(fitted) or np.any(given != fitted):
        given_set, fitted_set = set(given), set(fitted)
        unseen = list(dict.fromkeys(name for name in given if name not in fitted_set))
        missing = list(dict.fromkeys(name for name in fitted if name not in given_set))
        detail = (
            "the same names in another order"
            if not unseen and not missing
            else f"names it was not fitted with: {_some(unseen)}; names missing: {_some(missing)}"
        )
        raise ValueError(
            f"X_val's feature names differ from those the model was fitted with ({detail}): "
            "give X_val the columns of X, in X's order."
        )


def check_given_targets(y, name, X=None):
    """Refuse targets ``y`` (or ``y_val``: ``name``) that no estimator reads, naming them.

    Before scikit-learn's checks, whose messages name no argument: no
    column, missing values, no 1-D or 2-D shape, no sample beside the
    samples ``X`` (when given). The regressor's ``score`` reads its ``y``
    with them too.
    """
    refuse_read_as_columns(y)  # before scikit-learn reads it as its columns
    _refuse_no_column(y, name)
    _refuse_missing(y, name)
    _refuse_no_targets(_refuse_unshaped(y, name), name, X)


def _refuse_no_column(y, name):
    """Refuse 2-D targets without a column, naming them.

    scikit-learn's "Found array with 0 feature(s)" spoke of features, which
    a user reads as X's.
    """
    shape = getattr(y, "shape", None)
    if shape is not None and len(shape) == 2 and shape[1] == 0:
        raise ValueError(
            f"{name} has no column (shape {tuple(shape)}): give one target per sample, as a "
            "1-D array, or one column per output."
        )


def _refuse_unshaped(y, name):
    """Refuse targets that are not a 1-D or 2-D array of real values, naming them.

    scikit-learn's and NumPy's refusals named no argument: a 3-D ``y`` was
    "Found array with dim 3, while dim <= 2 is required by ...", word for
    word a 3-D X's refusal; rows of different lengths NumPy's "setting an
    array element with a sequence"; and the classifier read a 3-D ``y_val``
    as labels of an unknown type. Their words are kept, after the name. A
    single value passed check_array, to fail later as "Input should have at
    least 1 dimension" or the classifier's "Expected array-like". Returns
    the array as scikit-learn read it (None for no ``y``).
    """
    if y is None:  # validation's own refusal: "requires y to be passed"
        return None
    _refuse_ragged(y, name)
    try:
        checked = check_array(
            y,
            accept_sparse=True,
            ensure_2d=False,
            dtype=None,
            ensure_all_finite=False,
            ensure_min_samples=0,
            input_name=name,
        )
    except (ValueError, TypeError) as error:
        raise type(error)(f"{name}: {error}") from None
    if checked.ndim == 0:  # a TypeError, as scikit-learn's
        raise TypeError(
            f"{name}: got {reprlib.repr(y)}, which NumPy reads as a single value, but targets "
            "need at least 1 dimension: give one target per sample, as a list or an array."
        )
    return checked


def _refuse_no_targets(checked, name, X):
    """Refuse targets of no sample beside samples ``X``, naming them.

    scikit-learn's "Found array with 0 sample(s)" named neither ``y`` nor
    ``y_val``. Where ``X`` has no sample either, its refusal, which names it,
    is the one to give.
    """
    if checked is None or checked.shape[0]:
        return
    try:
        if _num_samples(X) == 0:
            return
    except TypeError:  # no X given (the regressor's score), or one validation refuses
        pass
    raise ValueError(
        f"{name} holds no targets (shape {checked.shape}): give one target per sample."
    )


def _refuse_ragged(y, name):
    """Refuse a list of rows of different lengths, in the same words on NumPy 1 and 2.

    NumPy 2 refuses them ("inhomogeneous shape"); NumPy 1 made an array of
    lists, which the classifier refused as "a legacy multi-label data
    representation" and the regressor as "setting an array element with a
    sequence".
    """
    lengths = ragged_row_lengths(y)
    if lengths:
        shown = " and ".join(map(str, lengths[:2]))
        raise ValueError(
            f"{name}: rows of different lengths ({shown}): give one target per sample, or "
            "rows of one length, a column per output."
        )


def _refuse_missing(y, name):
    """Refuse targets with missing values (``pd.NA``, None, NaN) in any container, naming them.

    scikit-learn's checks meet them in turn as pandas' "boolean value of NA
    is ambiguous" (asking ``pd.NA`` whether it equals itself), as labels
    that "mix types" (None among strings), or as "Input contains NaN",
    which names no argument.
    """
    rows = missing_rows(y)
    if rows.size:
        shown = ", ".join(map(str, rows[:5])) + (", ..." if rows.size > 5 else "")
        raise ValueError(
            f"{name} has {rows.size} missing value{'s' if rows.size != 1 else ''} (at "
            f"position{'s' if rows.size != 1 else ''} {shown}): pd.NA, None or NaN. Drop "
            "those samples, or fill them in, first."
        )


def _canonical(X, dtype, name="X"):
    """Sparse ``X`` as canonical CSR (else ``X``), and whether validation must read its values.

    They need no second reading where :func:`checked_csr` found them finite
    and validation keeps them as they are: a float64 value beyond float32 is
    finite, and becomes an infinity when validation converts it. A
    DataFrame with columns of categories or strings is refused first
    (:func:`_refuse_categories`).
    """
    _refuse_iterator(X, name)
    _refuse_categories(X, name)
    X, finite = checked_csr(X, name)
    return X, not (finite and X.dtype == np.dtype(dtype))


def _refuse_iterator(value, name):
    """Refuse an iterator (a generator, say) given for ``X`` or weights, naming it.

    NumPy reads one as a single object, and failed as "float() argument
    must be a string or a real number, not 'generator'", naming no
    argument; its rows would be read once, and it has no length to check.
    """
    if isinstance(value, Iterator):
        raise TypeError(
            f"{name} is a {type(value).__name__}, which NumPy reads as one value: give it as a "
            f"list or an array, such as np.array(list({name}))."
        )


def _refuse_categories(X, name):
    """Refuse a table ``X`` with columns of categories or strings, naming them.

    scikit-learn's validation read a column of categories of numbers as
    those numbers, as if their order and distances meant something, and
    failed on categories or strings with NumPy's "could not convert string
    to float", naming no column. Read from the columns' dtypes alone, of
    pandas, polars and pyarrow tables alike (:mod:`sknielsen._core.tables`).

    Parameters
    ----------
    X : object
        The input; anything that is not a table passes.
    name : str
        What the input is called in the message.

    Raises
    ------
    ValueError
        Naming the columns and their dtypes, and how to encode them.
    """
    if column_names(X) is None:  # a Series or an array: validation names its shape
        return
    refused = [
        f"{column!r} ({dtype_name(dtype)})"
        for column, dtype in column_dtypes(X)
        if holds(dtype) in (CATEGORIES, STRINGS)
    ]
    if refused:
        columns = "a column" if len(refused) == 1 else f"{len(refused)} columns"
        raise ValueError(
            f"{name} has {columns} of categories or strings, which the network does not read "
            f"as numbers: {', '.join(refused[:5])}{', ...' if len(refused) > 5 else ''}. "
            "Encode them first "
            "(sklearn.preprocessing.OneHotEncoder, in a ColumnTransformer), or convert a "
            "column whose categories are amounts with .astype(float)."
        )


def _some(names, shown=5):
    """The first ``shown`` of a list of names, and '...' for the rest."""
    return f"{names[:shown]}{' ...' if len(names) > shown else ''}"


def _checked_x_val(X_val, dtype, read_values):
    """``X_val`` validated as ``X`` is, every refusal naming it.

    check_array names its ``input_name`` only in its messages of NaN and
    infinity: an empty, 1-D or 3-D ``X_val``, or one of strings, was
    refused as an anonymous array. ``read_values``: whether its values must
    be checked finite (:func:`_canonical`).
    """
    try:
        with quiet_cast("X_val"):
            return check_array(
                X_val,
                accept_sparse="csr",
                dtype=dtype,
                input_name="X_val",
                ensure_all_finite=read_values,
            )
    except ValueError as exc:
        if "X_val" in str(exc):
            raise
        raise ValueError(f"X_val: {exc}") from exc


@contextlib.contextmanager
def quiet_cast(name):
    """A context in which a cast of ``name`` to the network's dtype overflows quietly.

    Values beyond float32's range become infinite in the cast, which
    scikit-learn's ``check_array`` then refuses, naming the array and the
    dtype; NumPy's "overflow encountered in cast" came first, from inside
    scikit-learn, and with infinities of both signs its finiteness check's
    sum warned "invalid value encountered in reduce". Python's integers
    beyond float64's range cannot be cast at all: refused naming ``name``.
    """
    with np.errstate(over="ignore", invalid="ignore"), refusing_huge_integers(name):
        yield


def _check_width(X, n_features, name):
    """Refuse a checked two-dimensional ``X`` of another width, naming it."""
    if X.shape[1] != n_features:
        raise ValueError(
            f"{name} has {X.shape[1]} features, but the network takes {n_features}, as many as X."
        )
