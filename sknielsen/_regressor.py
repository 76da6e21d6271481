"""NielsenMLPRegressor: the book's network with linear outputs, for regression."""

import numbers
import re

import numpy as np
from scipy import sparse
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils.validation import check_array

from ._base import BaseNielsenMLP, check_given_targets, quiet_cast
from ._core.arrays import reads_numpy
from ._core.names import check_target_names
from ._core.scale import power_of_two_scale
from ._core.tables import DATES, DURATIONS, column_dtypes, dtype_name, holds
from ._core.warn import warn
from .training._diagnostics import (
    LARGEST_TARGET_SCALE,
    SCALE_ADVICE,
    SMALLEST_TARGET_SPREAD,
    input_scale,
    warn_if_rescaled,
)


class NielsenMLPRegressor(RegressorMixin, BaseNielsenMLP):
    """Feedforward network regressor: the book's network with linear output neurons.

    Chapter 3's problem on linear neurons: with identity outputs and the
    quadratic cost, the output error is δᴸ = aᴸ − y, so there is no learning
    slowdown. Every plugin, schedule and option of
    :class:`~sknielsen.NielsenMLPClassifier` works the same way; only the
    defaults differ (``cost='quadratic'``, identity outputs, ``eta=0.01``).

    Every parameter is the classifier's (:class:`~sknielsen.NielsenMLPClassifier`
    describes each at length) but ``class_weight``, with three defaults
    changed: ``cost='quadratic'``, ``eta=0.01``, and ``output_activation=None``
    meaning identity (linear) outputs. Where the history and early stopping
    speak of accuracy, the regressor records the coefficient of determination
    R² (higher is better, 1 is perfect).

    The outputs start of order 1, so targets of a tiny spread (a standard
    deviation below 0.01) fit to an R² far below 0, and targets on a large
    scale (a root mean square above 1000, by their mean or their spread)
    badly: ``fit`` and the first ``partial_fit`` warn of either. Scale the targets with
    :class:`~sklearn.compose.TransformedTargetRegressor` and a
    :class:`~sklearn.preprocessing.StandardScaler`. A fit of five epochs or
    more that ends worse than the targets' mean on the training samples (a
    training R² below -0.1 for the quadratic cost) warns after training.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int or int, default=(30,)
        Neurons in each hidden layer (a tuple, list or 1-D NumPy array; an
        int is one layer); ``()`` gives no hidden layer.
    cost : str or Cost, default='quadratic'
        Cost function, a registered name or an instance.
    activation : str or Activation, default='sigmoid'
        Activation of the hidden neurons.
    output_activation : str, Activation or None, default=None
        Activation of the output neurons; None means identity (linear).
        Bounded outputs (sigmoid, tanh, softmax) refuse targets they
        cannot give (``ValueError``), in ``y`` on the rows of positive
        ``sample_weight`` and in ``y_val``.
    initializer : str or Initializer, default='default'
        How the starting weights and biases are drawn.
    regularizer : str or Regularizer, default='l2'
        ``'none'``, ``'l2'`` or ``'l1'``; biases are never regularized.
    lmbda : float, default=0.0
        Regularization parameter λ, scaled by the book's λ/n with n the
        number of training samples of the call: ``partial_fit`` on chunks of
        m rows decays the weights by ηλ/m at each step, more than one
        ``fit`` on all the rows would. Without a regularizer
        (``regularizer='none'``) λ is not read, and a value other than 0 is
        warned of at ``fit``.
    optimizer : str or Optimizer, default='sgd'
        Per-step optimizer or full-batch solver, by name or instance.
    eta : float, default=0.01
        Learning rate η the model's training starts from. A schedule or a
        callback changes the current η, ``eta_``, which ``partial_fit`` and
        ``warm_start`` go on from until this parameter is set anew.
        ``'lbfgs'`` chooses its own step sizes and reads no η: a value other
        than the default is warned of.
    mini_batch_size : int, default=10
        Samples per gradient step. The full-batch solvers (``'newton'``,
        ``'lbfgs'``) step on the whole training set and read none: a value
        other than the default is warned of.
    epochs : int, default=30
        Passes over the training data (the most, with early stopping).
    dropout : float, default=0.0
        Probability that a hidden neuron is dropped during training, drawn
        anew for every training sample; kept neurons are scaled by
        1/(1 − dropout), so prediction uses the full network unchanged.
    early_stopping : bool, int or None, default=None
        Stop when the validation R² has not improved: ``True`` after
        ``n_iter_no_change`` epochs, an int n after n epochs (the book's
        no-improvement-in-n rule); the model keeps its best epoch's weights.
    n_iter_no_change : int, default=10
        Patience of ``early_stopping=True`` and of the schedule.
    schedule : {'constant', 'halve_on_plateau'}, default='constant'
        Learning-rate schedule; ``'halve_on_plateau'`` is the book's.
    validation_fraction : float, default=0.1
        Share of the training data held out for validation when something
        needs validation data and ``fit`` was given none. The held-out
        samples keep their ``sample_weight``, which weighs the validation
        R² and cost; a held-out set with fewer than two samples of positive
        weight is refused (``ValueError``). 0 holds out nothing: for fits
        given ``X_val`` and ``y_val``.
        A ``warm_start`` fit holds out the rows the fit it continues held
        out (the split's seed is kept in the fitted state and the model
        file), so that given the same data it validates on rows never
        trained on.
    monitor : None, 'all' or tuple of str, default=None
        What to record in ``history_`` after each epoch, among
        ``'training_cost'``, ``'training_accuracy'`` (R²),
        ``'validation_cost'`` and ``'validation_accuracy'`` (R²). None
        records the validation R² when there is validation data. Recording a
        validation quantity without ``X_val`` and ``y_val`` holds
        ``validation_fraction`` of the training data out, which the network
        then does not train on.
    dtype : {'float64', 'float32'}, default='float64'
        Floating-point type of the whole computation.
    shuffle : bool, default=True
        Whether to shuffle the samples at each epoch. The full-batch solvers
        (``'newton'``, ``'lbfgs'``) form no mini-batches to shuffle: False
        is warned of.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the shuffling, dropout and the validation
        split. Pass an int for reproducible results. A continued fit
        (``warm_start``, ``partial_fit``, a loaded model) draws on from
        where the last fit left the generator: a value set since is not read.
    verbose : int, default=0
        1 (or more) prints one line per epoch.
    warm_start : bool, default=False
        Whether ``fit`` continues from the current weights.
    augment : None, str, Augmenter or list, default=None
        Expand the training data on the fly (inputs must be images).
    image_shape : tuple of int or None, default=None
        (height, width) of the images for ``augment``; None means square.
    monitor_every : int or None, default=None
        Also record the validation R² every this many training samples.
    callbacks : list of Callback or None, default=None
        Objects called during training (:mod:`sknielsen.callbacks`).
    engine : {'auto', 'numpy', 'c'}, default='auto'
        What trains the mini-batches: the C kernels compiled at install,
        vectorised NumPy, or C where it is built and has kernels (see
        :class:`NielsenMLPClassifier`). ``'numba'`` was retired in 0.2.0:
        ``fit`` and ``partial_fit`` refuse it, naming ``'c'``.
    n_jobs : int or None, default=None
        Threads of the C engine's first layer, with bit-identical numbers
        (see :class:`NielsenMLPClassifier`). ``None`` means 1 unless in a
        ``joblib.parallel_config`` context; ``-1`` means all the processors
        this process may use (``OMP_NUM_THREADS`` in joblib's workers).

    Attributes
    ----------
    coefs_ : list of ndarray
        Weights of each layer, of shape (n_in, n_out).
    intercepts_ : list of ndarray
        Biases of each layer, of shape (n_out,).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
    target_names_in_ : ndarray of shape (`n_outputs_`,)
        Names of the outputs, when ``y`` is a table (a DataFrame) with
        string column names; ``score``, ``partial_fit``, a warm-start
        ``fit`` and ``y_val`` refuse tables of other columns, or of these in
        another order. Saved in the model file. Absent otherwise.
    n_iter_ : int
        Number of epochs run.
    t_ : int
        Number of training samples seen.
    n_outputs_ : int
        Number of output neurons.
    n_layers_ : int
        Number of layers, input and output included.
    out_activation_ : str
        Name of the output activation.
    eta_ : float
        The current learning rate.
    loss_ : float
        The last value of ``loss_curve_``, where scikit-learn's MLP keeps its
        ``loss_``. It is the book's cost: with several outputs, the quadratic
        cost sums their squared errors, where scikit-learn's averages them
        (n_outputs times smaller).
    loss_curve_ : list of float
        Per epoch, the mean cost of the mini-batches plus the penalty.
    best_loss_ : float
        Smallest value of ``loss_curve_``.
    validation_scores_ : list of float or None
        Per-epoch validation R², when there was validation data (weighted,
        on a set held out of weighted training data).
    best_validation_score_ : float or None
        The best of ``validation_scores_``.
    best_epoch_ : int or None
        Epoch (from 1) of the best validation score, or of the smallest loss
        without validation data.
    history_ : dict of list
        Per-epoch ``loss``, ``training_cost``, ``training_accuracy`` (R²),
        ``validation_cost`` and ``validation_accuracy`` (R²).
    history_every_ : dict of list
        With ``monitor_every``: ``samples`` seen and the validation R² then.
    callbacks_ : list of Callback
        The copies of the callbacks that the last fit used.
    cost_, activation_, output_activation_, initializer_, regularizer_, optimizer_ : Plugin
        The plugin instances used by the last fit, with the hyper-parameters
        it ended with (a callback may have changed some); the next fit starts
        again from the parameters.
    engine_ : str
        The engine that ran the last fit.

    See Also
    --------
    sklearn.neural_network.MLPRegressor : The multi-layer perceptron regressor of scikit-learn.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sknielsen import NielsenMLPRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> net = NielsenMLPRegressor(eta=0.01, random_state=0).fit(X, (y - y.mean()) / y.std())
    >>> net.predict(X[:2]).shape
    (2,)
    """

    _default_output_activation = "identity"
    _fewest_validation_samples = (2, "R²")

    def __init__(
        self,
        hidden_layer_sizes=(30,),
        *,
        cost="quadratic",
        activation="sigmoid",
        output_activation=None,
        initializer="default",
        regularizer="l2",
        lmbda=0.0,
        optimizer="sgd",
        eta=0.01,
        mini_batch_size=10,
        epochs=30,
        dropout=0.0,
        early_stopping=None,
        n_iter_no_change=10,
        schedule="constant",
        validation_fraction=0.1,
        monitor=None,
        dtype="float64",
        shuffle=True,
        random_state=None,
        verbose=0,
        warm_start=False,
        augment=None,
        image_shape=None,
        monitor_every=None,
        callbacks=None,
        engine="auto",
        n_jobs=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.cost = cost
        self.activation = activation
        self.output_activation = output_activation
        self.initializer = initializer
        self.regularizer = regularizer
        self.lmbda = lmbda
        self.optimizer = optimizer
        self.eta = eta
        self.mini_batch_size = mini_batch_size
        self.epochs = epochs
        self.dropout = dropout
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.schedule = schedule
        self.validation_fraction = validation_fraction
        self.monitor = monitor
        self.dtype = dtype
        self.shuffle = shuffle
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.augment = augment
        self.image_shape = image_shape
        self.monitor_every = monitor_every
        self.callbacks = callbacks
        self.engine = engine
        self.n_jobs = n_jobs

    # -- targets -----------------------------------------------------------

    def _new_targets(self, y, classes, incremental):
        # classes is None: the regressor's partial_fit takes none.
        return {"y_1d": np.ndim(y) == 1}

    def _continued_targets(self, y, targets):
        """The encoding of this call's y, as a new fit would choose it.

        The predictions take the shape of the latest y: a model fitted on a
        column and continued on 1-D batches used to predict a column, which
        broadcasts against those batches to (n, n). A y of another width is
        refused afterwards, so ``targets`` holds nothing else to keep.
        """
        return self._new_targets(y, None, True)

    def _encode(self, y, targets, name="y"):
        """Return targets as a (n_samples, n_outputs) float array."""
        # Checked in the network's dtype: y_val has not been checked yet, and values beyond
        # float32's range become infinite only in this cast.
        return _numeric_targets(y, self._dtype, name)

    def _check_targets(self, targets, n_outputs):
        if set(targets) != {"y_1d"}:  # a classifier's state, say: not a KeyError
            raise ValueError(f"A regressor's targets hold y_1d only; got {sorted(targets)}.")
        if not isinstance(targets["y_1d"], bool):
            raise ValueError("y_1d must be true or false.")
        if targets["y_1d"] and n_outputs != 1:
            raise ValueError("y_1d is true but the network has several outputs.")

    def _capture_targets(self):
        return {"y_1d": self._y_1d}

    def _restore_targets(self, targets):
        self._y_1d = targets["y_1d"]

    def _outputs_are_columns(self, targets):
        return not targets["y_1d"]

    def _check_outputs(self, plugins, targets):
        pass

    def _training_data(self, request, previous, config):
        _refuse_times(request.y, "y")
        data, targets = super()._training_data(request, previous, config)
        _check_reachable(data.Y, config.plugins.output_activation, data.sample_weight)
        # The scale is told where the weights start (fit, the first partial_fit), once: a
        # stream's later batches would repeat it at every call, or one may vary little by
        # chance. scikit-learn's IncrementalPCA, too, checks its first batch alone.
        if previous is None or not request.incremental:
            _warn_if_off_scale(data.Y, data.sample_weight)
            _warn_if_constant_in_dtype(request.y, data.Y)
        return data, targets

    def _validation_data(self, request, data, targets, split, config, scale):
        """The validation set, whose given targets must be within reach and on y's scale.

        Rows held out of y were checked with y. A ``y_val`` left unscaled
        beside a scaled y (``TransformedTargetRegressor`` transforms y
        only) scored an R² far below 0 at every epoch, and early stopping
        ranked the epochs by it: out of the outputs' reach it is refused,
        as y is; within reach, but on another scale than y, warned of.
        """
        data, validation = super()._validation_data(request, data, targets, split, config, scale)
        if request.y_val is not None:
            _check_reachable(validation[1], config.plugins.output_activation, name="y_val")
            _warn_if_y_val_rescaled(validation[1], data.Y, data.sample_weight)
        return data, validation

    def _check_validation_targets(self, Y, has, advice, sample_weight=None):
        """Also refuse targets equal in every output: R² cannot rank epochs by them.

        scikit-learn's ``r2_score`` answers 0 for constant targets (1 only for
        exact predictions), so early stopping kept the first epoch's weights
        and the schedule halved η at every plateau, without a word. One output
        that varies is enough: the mean over the outputs follows it. With
        ``sample_weight``, the targets of positive weight are those scored.
        """
        super()._check_validation_targets(Y, has, advice, sample_weight)
        counted = "" if sample_weight is None else " of positive weight"
        if sample_weight is not None:
            Y = Y[sample_weight > 0]
        if not np.isfinite(Y).all():
            return  # let through by assume_finite=True: named as such once the data is read
        if np.all(Y.max(axis=0) == Y.min(axis=0)):  # np.ptp overflows near the largest float
            raise ValueError(
                f"{has} {len(Y)} samples{counted} whose targets are all equal ({Y[0, 0]:g}"
                f"{', ...' if Y.shape[1] > 1 else ''}): its R² is 0 whatever the network "
                f"predicts, so no epoch would score better than another: give validation "
                "targets that vary, or monitor the validation cost alone "
                "(monitor=('validation_cost',))."
            )

    @staticmethod
    def _stratify(Y, targets):
        return None

    @staticmethod
    def _check_classes_argument(classes, targets):
        """Nothing to check: the regressor's partial_fit takes no classes."""

    #: What the history's accuracy keys hold, for the printed table: R², no share.
    _score_name = "r2"

    @staticmethod
    def _score_outputs(output, Y, sample_weight=None):
        with np.errstate(over="ignore", invalid="ignore"):
            score = float(r2_score(Y, output, sample_weight=sample_weight))
        # The recorded runs' numbers, in the run's dtype; one sample's R² is undefined (NaN,
        # and scikit-learn's warning, once).
        if np.isfinite(score) or len(Y) < 2:
            return score
        # R²'s sums of squares are twice the cost's sum: for targets near the dtype's limit
        # they overflowed to NaN or -inf where the cost was finite. In float64, on a scale of
        # the targets' magnitude that R² does not depend on, they stay finite. Outputs far
        # beyond the targets still overflow: R² is -inf then, below the smallest float.
        scale = power_of_two_scale(Y)
        Y = np.asarray(Y, dtype=np.float64) / scale
        output = np.asarray(output, dtype=np.float64) / scale
        if sample_weight is not None:  # weights near the largest float overflow the sums too
            sample_weight = sample_weight / power_of_two_scale(sample_weight)
        with np.errstate(over="ignore", invalid="ignore"):
            return float(r2_score(Y, output, sample_weight=sample_weight))

    def partial_fit(self, X, y, sample_weight=None, X_val=None, y_val=None):
        """Train for one epoch on (X, y), continuing from the current state.

        See :meth:`NielsenMLPClassifier.partial_fit`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs of this epoch.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Their targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the cost, and in the training cost and
            R² ``monitor`` records.
        X_val, y_val : array-like, default=None
            Validation data for this epoch (unweighted).

        Returns
        -------
        self : NielsenMLPRegressor
            The estimator, trained for one more epoch.

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
        return super().partial_fit(X, y, sample_weight=sample_weight, X_val=X_val, y_val=y_val)

    def predict(self, X):
        """Return the outputs of the network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The inputs.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The outputs, 1-D when the latest ``fit`` or ``partial_fit`` was
            given a 1-D ``y`` (a column ``y`` gives a column, as
            :class:`~sklearn.linear_model.LinearRegression` does;
            :class:`~sklearn.neural_network.MLPRegressor` predicts 1-D for both).
        """
        output = self._forward(X)
        return output.ravel() if self._y_1d else output

    @reads_numpy  # y of any array library read as predict reads X
    def score(self, X, y, sample_weight=None):
        """Return the coefficient of determination R² of the predictions on ``X``.

        The number of scikit-learn's ``RegressorMixin.score`` wherever that
        is finite. For targets near the largest float, whose sums of squares
        overflow, that is NaN; R² does not depend on the targets' scale, and
        is computed on a smaller one then.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The inputs.
        y : {array-like, sparse matrix} of shape (n_samples,) or (n_samples, n_outputs)
            The true targets, read as :meth:`fit` reads them.
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Weights of the samples, checked as :meth:`fit` checks them.

        Returns
        -------
        score : float
            R², averaged uniformly over the outputs.

        Raises
        ------
        ValueError
            If ``y`` is a table whose columns are not the model's targets
            (``target_names_in_``) in the model's order: swapped columns
            would be scored against each other's predictions. Also for
            targets :meth:`fit` refuses (not numbers, missing values, three
            dimensions) and for another number of outputs than the
            model's, naming ``y``; for outputs that are not finite
            (inputs far beyond the training data's scale), whose R² is
            undefined; and for the ``sample_weight`` :meth:`fit` refuses
            (negative, all zero, of another length).
        """
        check_target_names(y, getattr(self, "target_names_in_", None))
        output = self.predict(X)
        # As fit reads y, sparse included; scikit-learn's score handed y to r2_score,
        # whose refusals named none of it.
        check_given_targets(y, "y")
        Y = _numeric_targets(y, (np.float64, np.float32), "y")  # r2_score's dtypes
        if Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} output{'s' if Y.shape[1] != 1 else ''}, but the model "
                f"predicts {self.n_outputs_}."
            )
        # r2_score refused them as "Input contains NaN.", naming nothing.
        bad = int(np.count_nonzero(~np.isfinite(output.reshape(len(output), -1)).all(axis=1)))
        if bad:
            raise ValueError(
                f"The network's outputs are not finite for {bad} of the {len(output)} rows of X "
                "(predict's warning says why), so their R² is undefined: score rows like "
                "those the network was trained on."
            )
        return self._score_outputs(output, Y, self._checked_sample_weight(sample_weight, output))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


def _numeric_targets(y, dtype, name):
    """Targets ``y`` as a (n_samples, n_outputs) array of ``dtype``, every refusal naming them.

    Parameters
    ----------
    y : {array-like, sparse matrix}
        Targets as given; a sparse matrix is densified, one column per output.
    dtype : dtype or tuple of dtype
        What check_array converts to (a tuple keeps a dtype it holds).
    name : str
        ``'y'`` or ``'y_val'``, for the messages.

    Returns
    -------
    Y : ndarray of shape (n_samples, n_outputs)
    """
    _refuse_times(y, name)
    if sparse.issparse(y):
        y = y.toarray()
    try:
        with quiet_cast(name):
            y = check_array(y, ensure_2d=False, dtype=dtype, input_name=name)
    except (ValueError, TypeError) as error:  # NumPy's and most of check_array's name neither
        if "could not convert" in str(error):
            raise ValueError(f"{name} must hold numbers, a regressor's targets: {error}") from None
        if re.search(rf"\b{name}\b", str(error)):  # "Input y_val contains NaN"
            raise
        raise type(error)(f"{name}: {error}") from None
    return y[:, None] if y.ndim == 1 else y


def _refuse_times(y, name):
    """Refuse targets of dates or durations, which have no unit the regressor could choose.

    NumPy and pandas read them as counts of their dtype's unit: nanoseconds
    in pandas 2, microseconds in pandas 3, so that the same code trained on
    numbers a thousand times apart.
    """
    times = [dtype for _, dtype in column_dtypes(y) if holds(dtype) in (DATES, DURATIONS)]
    if not times:
        return
    unit = "datetime" if any(holds(dtype) == DATES for dtype in times) else "timedelta"
    example = (
        "(y - y.min()) / np.timedelta64(1, 'D') for days since the first"
        if unit == "datetime"
        else "y / np.timedelta64(1, 'h') for hours"
    )
    raise ValueError(
        f"{name} holds {unit}s ({', '.join(sorted({dtype_name(d) for d in times}))}): convert them "
        f"to numbers in a unit of your choosing, such as {example}; read as they are, they "
        "count the dtype's unit, which differs between libraries and their versions."
    )


#: How far the rows of targets for softmax outputs may sum from 1: float32's rounding.
_SUM_TOLERANCE = 1e-5


def _warn_if_constant_in_dtype(given, Y):
    """Warn when targets vary as given, but not in the network's dtype: an output became one value.

    ``y * 1e-50`` is all zeros in float32, and ``1 + 1e-10 * noise`` all
    ones; integers a few apart near 2**62 are one float64 (whose spacing
    there is 1024): the network learns a constant, where float64 warns that
    y varies on a tiny scale, and of integers only that their scale is large,
    advising a scaler, which converts them to that one float first. Told
    where the scale warnings are (fit, the first ``partial_fit``).
    """
    try:
        given = given.toarray() if sparse.issparse(given) else np.asarray(given)
        exact = given.dtype.kind in "iu" or _python_integers(given)  # compared as they are
        if not exact:
            given = given.astype(np.float64)
        given = given.reshape(Y.shape)
    except (TypeError, ValueError):  # numbers as strings: converted by check_array alone
        return
    lost = np.flatnonzero(
        (given.max(axis=0) > given.min(axis=0)) & (Y.max(axis=0) == Y.min(axis=0))
    )
    if not lost.size:
        return
    column = lost[0]
    low, high = given[:, column].min(), given[:, column].max()
    spread = int(high) - int(low) if exact else high - low  # no wrap-around
    if Y.dtype == np.float32:
        digits = "float32 keeps about 7 digits, and nothing below 1.4e-45"
    else:
        digits = "float64 keeps about 16 digits: integers beyond 2**53 lose their last ones"
    in_float64 = given[:, column].astype(np.float64)
    if in_float64.max() > in_float64.min():  # float32 alone lost them
        advice = (
            "Scale y (sklearn.compose.TransformedTargetRegressor with StandardScaler), or fit "
            "with dtype='float64'."
        )
    else:
        advice = (
            "Subtract an offset from y while it holds integers (y - y.min()): a scaler "
            "converts y to float64 first."
        )
    warn(
        f"y{_in_output(column, Y)} varies (over a range of {spread:.3g}), but not in "
        f"{Y.dtype.name}, where every value is {float(Y[0, column]):.6g} ({digits}): the "
        f"network learns a constant. {advice}"
    )


def _python_integers(given):
    """Whether ``given``, an array of objects, holds Python integers only (beyond int64, say).

    NumPy keeps integers beyond uint64's range as objects: compared as
    floats, integers a few apart near 2**70 were equal, as they are in the
    network's dtype, and their loss went untold.
    """
    return given.dtype == object and all(
        isinstance(value, numbers.Integral) and not isinstance(value, bool) for value in given.flat
    )


def _check_reachable(Y, output_activation, sample_weight=None, name="y"):
    """Refuse targets ``Y`` that the output neurons can never give.

    Bounded outputs (sigmoid, tanh, relu: the activation's ``output_range``)
    trained towards targets beyond their bounds without a word, to an R²
    near or below 0; softmax outputs also sum to 1 in each row, so one
    softmax output is 1 whatever the inputs. scikit-learn's generalized
    linear models refuse targets outside their loss's range the same way.
    Only the rows of positive ``sample_weight`` are checked: a row weighted
    out does not train, and the user may have weighted it out for its target.
    The same rule holds for ``y`` and ``y_val`` (``name``): a ``y_val`` that
    the outputs cannot give scores an R² far below 0 at every epoch.
    """
    output = output_activation.name
    low, high = output_activation.output_range
    if name == "y":
        advice = (
            "use identity outputs (output_activation=None), or scale the targets into that "
            "range (TransformedTargetRegressor with a MinMaxScaler, say)"
        )
    else:  # y was checked first: y_val was left off its scale
        advice = (
            f"give {name} on the scale of y, as the network trains on y "
            f"(TransformedTargetRegressor transforms y, not {name}: transform {name} "
            "with the same transformer, fitted on y)"
        )
    if sample_weight is None:
        on_rows, of_rows = "", ""
    else:
        Y = Y[sample_weight > 0]
        on_rows, of_rows = " on its rows of positive weight", " of positive weight"
    if Y.size and (Y.min() < low or Y.max() > high):
        raise ValueError(
            f"{name} lies in [{Y.min():g}, {Y.max():g}]{on_rows}, but {output!r} output neurons "
            f"give values in [{low:g}, {high:g}] only: {advice}."
        )
    if output != "softmax":
        return
    if Y.shape[1] == 1:
        raise ValueError(
            "The softmax of one output neuron is 1 whatever the inputs: the network would "
            f"predict 1 for every sample. {advice[0].upper()}{advice[1:]}."
        )
    sums = Y.sum(axis=1)
    if not np.allclose(sums, 1.0, rtol=0.0, atol=_SUM_TOLERANCE):
        worst = sums[np.argmax(np.abs(sums - 1.0))]
        raise ValueError(
            f"Softmax output neurons give rows that sum to 1, but a row of {name}{of_rows} sums to "
            f"{worst:g}: {advice}."
        )


#: The fewest rows of y and of y_val whose scales are compared. Fewer leave theirs to
#: chance: of centred targets (standardized ones), 2 rows have a root mean square below
#: a quarter of the distribution's 6 % of the time, 5 rows 0.3 %, 10 rows 0.002 %.
_FEWEST_ROWS_TO_SCALE = 10


def _warn_if_y_val_rescaled(Y_val, Y, sample_weight=None):
    """Warn when ``Y_val`` is on another scale than the training targets ``Y``, as X_val's."""
    if sample_weight is not None:
        Y = Y[sample_weight > 0]
    if min(len(Y), len(Y_val)) < _FEWEST_ROWS_TO_SCALE:
        return
    warn_if_rescaled(
        input_scale(Y),
        Y_val,
        "y_val",
        "y",
        "Transform y_val as y was transformed: TransformedTargetRegressor transforms y, not "
        "y_val, so transform y_val with the same transformer, fitted on y.",
        consequence="its R² measures the network against targets unlike those it trains on",
    )


def _warn_if_off_scale(Y, sample_weight=None):
    """Warn when an output of ``Y`` is on a scale the outputs, of order 1 at first, fit badly.

    Measured over the rows of positive ``sample_weight``, weighted.
    """
    rows = ""
    if sample_weight is not None:
        positive = sample_weight > 0
        Y, sample_weight = Y[positive], sample_weight[positive] / sample_weight.max()
        rows = " on the rows of positive weight"
    Y = np.asarray(Y, dtype=np.float64)
    _warn_if_tiny_scale(Y, sample_weight, rows)
    _warn_if_large_scale(Y, sample_weight, rows)


def _warn_if_tiny_scale(Y, weights, rows):
    """Warn when an output varies on a tiny scale, advising to scale it.

    The spread of each output is its standard deviation; outputs that do
    not vary (a constant target) have nothing to scale and are not warned of.
    """
    if len(Y) < 2:
        return
    spread = _spreads(Y, weights)
    tiny = np.flatnonzero((spread > 0) & (spread < SMALLEST_TARGET_SPREAD))
    if not tiny.size:
        return
    output = tiny[np.argmin(spread[tiny])]
    warn(
        f"y varies on a tiny scale: its standard deviation is {spread[output]:.3g}"
        f"{_in_output(output, Y)}{rows}, while the network's outputs start of order 1. The "
        "errors left, small as numbers, will be large beside the spread of y, and R² far "
        f"below 0. {SCALE_ADVICE}"
    )


def _warn_if_large_scale(Y, weights, rows):
    """Warn when an output lies on a large scale, by its mean or its spread, advising to scale it.

    The scale of each output is its root mean square: a large mean with
    a small spread fits as badly as a large spread about 0.
    """
    scale = _root_mean_squares(Y, weights)
    large = np.flatnonzero(scale > LARGEST_TARGET_SCALE)
    if not large.size:
        return
    output = large[np.argmax(scale[large])]
    column = Y[:, output : output + 1]
    mean = _means(column, weights)[0]
    spread = _spreads(column, weights)[0]
    warn(
        f"y lies on a large scale: its root mean square is {scale[output]:.3g}"
        f"{_in_output(output, Y)}{rows} (mean {mean:.3g}, standard deviation {spread:.3g}), "
        "while the network's outputs start of order 1. The first errors, as large as y, "
        "give gradients as large, whose steps saturate the hidden neurons, and R² may "
        f"end near or below 0. {SCALE_ADVICE}"
    )


def _in_output(output, Y):
    """Which output a warning speaks of, when there are several."""
    return f" in output {output}" if Y.shape[1] > 1 else ""


def _means(Y, weights):
    """The weighted mean of each column of ``Y``, even where its sum would leave float64.

    Measured on the scale of the largest magnitude (a power of two: exact),
    where the sum of as many numbers of at most 1 cannot overflow.
    """
    scale = power_of_two_scale(Y)
    return scale * np.average(Y / scale, axis=0, weights=weights)


def _spreads(Y, weights):
    """The weighted standard deviation of each column of ``Y``, even where squares leave float64.

    Measured on the scale of the largest magnitude, as :func:`_means`: the
    deviations of values of both signs near the largest float overflow.
    """
    scale = power_of_two_scale(Y)
    relative = Y / scale
    deviations = relative - np.average(relative, axis=0, weights=weights)
    # Exactly 0 for a constant column, whose mean may round off its value.
    constant = Y.max(axis=0) == Y.min(axis=0)
    return np.where(constant, 0.0, scale * _root_mean_squares(deviations, weights))


def _root_mean_squares(values, weights):
    """The weighted root mean square of each column of ``values``, even where squares leave float64.

    Measured on the values divided by the largest, so that one below
    1e-154 does not square to 0 (nor one beyond 1e154 to infinity).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        largest = np.max(np.abs(values), axis=0)
        relative = values / np.where(largest > 0, largest, 1.0)
        return largest * np.sqrt(np.average(relative**2, axis=0, weights=weights))
