"""NielsenMLPClassifier: the book's network as a scikit-learn classifier."""

from numbers import Real

import numpy as np
from scipy import sparse
from sklearn.base import ClassifierMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, column_or_1d

from . import plugins
from ._base import BaseNielsenMLP
from ._core.arrays import reads_numpy
from ._core.names import check_target_names
from ._core.warn import warn
from .callbacks import accuracy, subset_accuracy
from .training._state import check_classes

# What scikit-learn's check_classification_targets accepts (the targets of a classifier).
_CLASSIFICATION_TARGETS = (
    "binary",
    "multiclass",
    "multiclass-multioutput",
    "multilabel-indicator",
    "multilabel-sequences",
)


# The network has one output per class: a continued fit cannot add one.
_NEW_CLASS_ADVICE = (
    "The network has one output per class, fixed by its first fit: to learn other classes, "
    "fit anew with warm_start=False, or name every class in the classes of a new model's "
    "first partial_fit."
)


class NielsenMLPClassifier(ClassifierMixin, BaseNielsenMLP):
    """Feedforward neural network classifier of Nielsen's book, trained by SGD.

    A network of sigmoid (or other) neurons trained by vectorised mini-batch
    backpropagation, with every technique of chapters 1–3 of *Neural Networks
    and Deep Learning* available by name: costs, activations, weight
    initializers, L1/L2 regularization, dropout, momentum, early stopping and
    the halving learning-rate schedule. Each output neuron stands for one
    class (one-hot targets), as in the book.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int or int, default=(30,)
        Neurons in each hidden layer (a tuple, list or 1-D NumPy array; an
        int is one layer); ``(30,)`` with 784 inputs and 10
        classes is the book's [784, 30, 10] network. ``()`` gives no hidden
        layer.
    cost : str or Cost, default='cross_entropy'
        Cost function: ``'quadratic'``, ``'cross_entropy'``,
        ``'log_likelihood'`` or any registered name or instance.
    activation : str or Activation, default='sigmoid'
        Activation of the hidden neurons: ``'sigmoid'``, ``'tanh'``,
        ``'relu'``, ``'identity'``, or any registered one.
    output_activation : str, Activation or None, default=None
        Activation of the output neurons, one of the activations above or
        ``'softmax'``; None uses the one the cost is made for (sigmoid, or
        softmax for ``'log_likelihood'``).
    initializer : str or Initializer, default='default'
        ``'default'``: weights N(0, 1/n_in), biases N(0, 1). ``'large'``:
        everything N(0, 1), as in chapter 1.
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
        Per-step: ``'sgd'``, ``'momentum'`` or ``'nesterov'`` (hyper-parameter
        ``mu``, searchable as ``optimizer__mu``), ``'adam'``; full-batch
        solvers: ``'newton'`` (the book's Hessian technique, small networks)
        and ``'lbfgs'``; or any registered one.
    eta : float, default=0.5
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
        anew for every training sample (as the book's ``network3.py`` draws
        its masks; chapter 3's text drops one half of the neurons for a
        whole mini-batch). Kept neurons are scaled by 1/(1 − dropout), so
        prediction uses the full network unchanged (the book halves the
        outgoing weights instead).
    early_stopping : bool, int or None, default=None
        ``True``: as scikit-learn's ``MLPClassifier``, stop when the
        validation accuracy has not improved for ``n_iter_no_change``
        epochs. An int n: the book's "no-improvement-in-n" rule with that
        patience. Either way the model keeps the weights of its best epoch.
        None or ``False`` turns it off. Shorthand for
        ``callbacks=[EarlyStopping(patience=...)]``.
    n_iter_no_change : int, default=10
        Patience of ``early_stopping=True``, and of the schedule when
        ``early_stopping`` gives none.
    schedule : {'constant', 'halve_on_plateau'}, default='constant'
        Learning-rate schedule. ``'halve_on_plateau'`` halves η each time the
        no-improvement-in-n rule fires (n = ``early_stopping`` when an int,
        else ``n_iter_no_change``) and stops when η has fallen to η/128
        (:class:`~sknielsen.callbacks.HalveOnPlateau`); a ``partial_fit`` or
        ``warm_start`` fit that trains on from there keeps η/128.
    validation_fraction : float, default=0.1
        Share of the training data held out for validation when early
        stopping, the schedule or ``monitor`` needs validation data and
        ``fit`` was given none. The split is stratified by class; where a
        class is too rare for that, it is random but keeps one sample of
        each class for training, and is refused (``ValueError``) when it
        cannot. The held-out samples keep their ``sample_weight`` (times
        ``class_weight``), which weigh the validation accuracy and cost; a
        held-out set without a sample of positive weight is refused. 0
        holds out nothing: for fits given ``X_val`` and ``y_val``.
        A ``warm_start`` fit holds out the rows the fit it continues held
        out (the split's seed is kept in the fitted state and the model
        file), so that given the same data it validates on rows never
        trained on.
    monitor : None, 'all' or tuple of str, default=None
        What to record in ``history_`` after each epoch, among
        ``'training_cost'``, ``'training_accuracy'``, ``'validation_cost'``
        and ``'validation_accuracy'``. None records the validation accuracy
        when there is validation data. Recording a validation quantity
        without ``X_val`` and ``y_val`` holds ``validation_fraction`` of the
        training data out, which the network then does not train on.
    dtype : {'float64', 'float32'}, default='float64'
        Floating-point type of the whole computation. float32 input is kept
        as it is when ``dtype='float32'``.
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
        1 (or more) prints a table, one row per epoch: the loss, what was
        monitored, η and the seconds, with a ``*`` on each new best value;
        and on a terminal a progress bar for the epoch in progress.
    warm_start : bool, default=False
        Whether ``fit`` continues from the current weights instead of new
        ones.
    augment : None, str, Augmenter or list, default=None
        Expand the training data on the fly (chapter 3): every mini-batch is
        distorted anew by ``'rotate'``, ``'shift'``, ``'elastic'``, an
        :class:`~sknielsen.plugins.Augmenter` instance (a plain function is
        not one: subclass it), or a list of them applied in turn
        (``'compose'``). The inputs must be images (see ``image_shape``).
        Prediction is unaffected.
    image_shape : tuple of int or None, default=None
        (height, width) of the images for ``augment``; None means square.
    monitor_every : int or None, default=None
        Also record the validation accuracy every this many training
        samples, in ``history_every_`` (the book's advice for fast feedback
        while tuning). Needs validation data, as ``monitor`` does.
    callbacks : list of Callback or None, default=None
        Objects called during training (:mod:`sknielsen.callbacks`):
        schedules, early stopping on any history key, checkpoints, loggers,
        or your own. Each fit trains with fresh copies (``callbacks_``).
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes in the cost, as in
        :class:`~sklearn.svm.SVC`: a dict ``{label: weight}`` (missing
        labels weigh 1), or ``'balanced'``, n_samples / (n_classes ×
        the class's count), samples counted by their ``sample_weight`` (a
        sample of weight 2 counts twice, one of weight 0 not at all). They
        multiply ``sample_weight``. ``'balanced'``
        needs the whole training set: with it there is no ``partial_fit``
        (an AttributeError, as for scikit-learn's MLP with L-BFGS).
    engine : {'auto', 'numpy', 'c'}, default='auto'
        What trains the mini-batches. ``'c'``: the C kernels compiled when
        the package was installed, equal to NumPy up to rounding; a
        configuration without kernels (augmentation, the full-batch
        optimizers, third-party plugins) is refused, and an installation
        made without a C compiler trains on NumPy with a warning
        (``engine_`` says why). ``'numpy'``: vectorised NumPy. ``'auto'``:
        C where it is built and has kernels (measured faster at every size
        tried, docs/performance.md), NumPy otherwise. ``verbose`` prints
        the choice. ``'numba'`` was retired in 0.2.0: ``fit`` and
        ``partial_fit`` refuse it, naming ``'c'``; a model saved with it
        loads, keeps it and predicts.
    n_jobs : int or None, default=None
        Threads of the C engine, which share out the first hidden layer's
        units during the book's training (plain SGD with L2 or no penalty,
        hidden layers of at least two cache lines of units); the numbers
        are bit-identical whatever the count. ``None`` means 1 unless in a
        ``joblib.parallel_config`` context (so one inside the workers
        of :class:`~sklearn.model_selection.GridSearchCV`); ``-1`` means
        all the processors this process may use (``OMP_NUM_THREADS`` when
        set, as joblib sets it in its workers to their share); a count is
        kept, in joblib's workers too. At most 8; the NumPy engine does not
        use it (its BLAS has threads of its own). See docs/performance.md.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    coefs_ : list of ndarray
        Weights of each layer, of shape (n_in, n_out).
    intercepts_ : list of ndarray
        Biases of each layer, of shape (n_out,).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
    target_names_in_ : ndarray of shape (`n_classes`,)
        Names of the labels of multilabel targets given as a table with
        string column names (a DataFrame); ``score``, ``partial_fit``, a
        warm-start ``fit`` and ``y_val`` refuse tables of other columns, or
        of these in another order. Saved in the model file. Absent
        otherwise.
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
        The current learning rate (a schedule may have changed it); training
        continues from it.
    loss_curve_ : list of float
        Per epoch, the mean cost of the mini-batches' forward passes plus the
        penalty at the end of the epoch (full-batch optimizers: the cost
        after each iteration).
    loss_ : float
        The last value of ``loss_curve_``, as scikit-learn's MLP's ``loss_``.
    best_loss_ : float
        Smallest value of ``loss_curve_``.
    validation_scores_ : list of float or None
        Per-epoch validation accuracy, when there was validation data
        (weighted, on a set held out of weighted training data).
    best_validation_score_ : float or None
        The validation accuracy at ``best_epoch_``, when there was
        validation data.
    best_epoch_ : int or None
        The best epoch (from 1) by the quantity that early stopping or the
        schedule watched (``EarlyStopping(monitor=...)``; otherwise the
        validation accuracy, or the loss without validation data). When a
        callback kept its best weights (``EarlyStopping(restore_best=True)``,
        the default), the model holds this epoch's weights; but not after a
        series of ``partial_fit`` calls, which cannot go back to an earlier
        call's epoch (a warning says so when early stopping's patience runs
        out).
    history_ : dict of list
        Per-epoch ``loss``, ``training_cost``, ``training_accuracy``,
        ``validation_cost`` and ``validation_accuracy`` (empty lists for
        what was not monitored).
    history_every_ : dict of list
        With ``monitor_every``: ``samples`` seen and ``validation_accuracy``
        then, for the last fit. Not saved by :func:`sknielsen.save`.
    callbacks_ : list of Callback
        The copies of ``callbacks`` (and of the shorthands' callbacks) that
        the last fit used; ``partial_fit`` keeps them from call to call.
    cost_, activation_, output_activation_, initializer_, regularizer_, optimizer_ : Plugin
        The plugin instances used by the last fit, with the hyper-parameters
        it ended with (a callback may have changed some); the next fit starts
        again from the parameters.
    engine_ : str
        The engine that ran the last fit: ``'numpy'`` or ``'c'`` (see
        ``engine``); after ``engine='c'`` on an
        installation without the C engine, ``'numpy (why)'``. Not saved by
        :func:`sknielsen.save`: a loaded model has it after its next fit.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : The multi-layer perceptron of scikit-learn.

    Notes
    -----
    The gradient of a mini-batch is the mean of the per-sample gradients; with
    ``sample_weight`` each sample's share is scaled by its weight divided by
    the mean weight, so the training objective is the weighted mean of the
    per-sample costs plus the penalty (λ/2n)Σw² (L2) or (λ/n)Σ|w| (L1).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from sknielsen import NielsenMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(
    ...     X / 16.0, y, random_state=1)
    >>> net = NielsenMLPClassifier(epochs=10, random_state=1).fit(X_train, y_train)
    >>> net.predict(X_test[:5])
    array([1, 5, 0, 7, 1])
    >>> round(net.score(X_test, y_test), 2)
    0.98
    """

    _parameter_constraints = {
        **BaseNielsenMLP._parameter_constraints,
        "class_weight": [None, dict, StrOptions({"balanced"})],
    }

    def __init__(
        self,
        hidden_layer_sizes=(30,),
        *,
        cost="cross_entropy",
        activation="sigmoid",
        output_activation=None,
        initializer="default",
        regularizer="l2",
        lmbda=0.0,
        optimizer="sgd",
        eta=0.5,
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
        class_weight=None,
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
        self.class_weight = class_weight
        self.engine = engine
        self.n_jobs = n_jobs

    # -- labels ------------------------------------------------------------

    def _read_targets(self, y):
        """A column of labels (dense or sparse) as the 1-D labels, warned about once."""
        if np.ndim(y) == 2 and np.shape(y)[1] == 1:
            return _column_as_labels(y.toarray() if sparse.issparse(y) else y, "y")
        return y

    def _new_targets(self, y, classes, incremental):
        """The label encoding of a first fit: the classes, and whether y is multilabel."""
        y, kind = self._as_targets(y)
        if kind == "multilabel-indicator":
            columns = np.arange(np.shape(y)[1])
            _check_indicator_classes(classes, columns)
            return {"classes": columns, "multilabel": True}
        found = self._first_classes(classes) if incremental else _narrowest(_unique_labels(y))
        if len(found) < 2:
            source = "classes" if incremental else "the data"
            count = "only one class" if len(found) else "no class"
            raise ValueError(
                "NielsenMLPClassifier needs samples of at least 2 classes in the "
                f"data; {source} contains {count}: {found.tolist()}."
            )
        return {"classes": found, "multilabel": False}

    def _first_classes(self, classes):
        """The sorted labels of a first ``partial_fit``'s ``classes``, refused as y's would be.

        A label that no y may hold (a fraction, bytes, NaN) would be an output
        that no fit could ever train.
        """
        if classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        try:
            found = _narrowest(np.unique(_numbers_as_array(np.asarray(classes))))
        except TypeError:  # labels of several types (None among strings, say) have no order
            raise _mixed_types(classes, "classes") from None
        if found.dtype.kind == "c":  # scikit-learn's refusal does not name them
            raise ValueError(f"classes must be real, as y's are; got complex {found.tolist()}.")
        # Also, a model with such a class could not be given back its fitted state (nor
        # saved and loaded).
        if found.dtype.kind == "f" and not np.isfinite(found).all():
            raise ValueError(f"classes must be finite, as y's are; got {found.tolist()}.")
        self._as_targets(_as_array(found, "classes"), "classes")
        return found

    @staticmethod
    def _as_targets(y, name="y"):
        """``(y, kind)``: 1-D labels or a dense indicator matrix of 0s and 1s; the rest refused.

        These are the targets of scikit-learn's ``MLPClassifier``, except
        that a 2-D ``y`` holding other values than 0 and 1 is refused
        rather than read as "nonzero means present".
        """
        if isinstance(y, np.ndarray) and y.ndim == 1 and y.dtype.kind in "iu":
            return y, "multiclass"  # what type_of_target says of any integer labels but two
        if sparse.issparse(y):
            y = y.toarray()
        elif not isinstance(y, np.ndarray):
            y = _as_array(y, name)
        if np.ndim(y) == 2 and np.shape(y)[1] == 1:
            y = _column_as_labels(y, name)
        y = _numbers_as_array(y)
        if _is_indicator(y):
            return y, "multilabel-indicator"
        _refuse_bytes(y, name)
        try:
            # type_of_target casts float labels to int64 to find fractions: NumPy warns at
            # NaN, infinity or beyond int64, which type_of_target (or we) then refuse.
            with np.errstate(invalid="ignore"):
                kind = type_of_target(y, input_name=name)
        except TypeError:  # labels of several types (None among strings, say) have no order
            raise _mixed_types(y, name) from None
        # type_of_target calls an object y "unknown" when its first label is no string.
        if kind == "unknown":
            check_sortable_labels(y, name)
            raise _neither_numbers_nor_strings(y, name)
        if kind not in _CLASSIFICATION_TARGETS:
            raise ValueError(
                f"Unknown label type: {kind!r} in {name}. Maybe you are trying to fit a "
                "classifier, which expects discrete classes, on a regression target with "
                "continuous values."
            )
        if kind == "multilabel-indicator":
            _check_indicator(np.asarray(y), name)
        elif np.ndim(y) != 1:
            raise ValueError(
                f"{name} of shape {np.shape(y)} is {kind}: a 2-D {name} must be a multilabel "
                "indicator matrix of 0s and 1s, one column per label. Several multiclass "
                "outputs at once are not supported (nor by scikit-learn's MLPClassifier): "
                "wrap the network in sklearn.multioutput.MultiOutputClassifier."
            )
        return y, kind

    def _encode(self, y, targets, name="y"):
        """Return one-hot (or multilabel indicator) targets in the network's dtype."""
        y = self._targets_of_the_kind(y, targets, name)
        classes = targets["classes"]
        if targets["multilabel"]:
            return np.asarray(y).astype(self._dtype)
        indices, unknown = _label_indices(y, classes)
        if np.any(unknown):
            unseen = np.unique(np.asarray(y)[unknown])
            # The classes are those of a first fit's y, or a first partial_fit's classes.
            raise ValueError(
                f"{name} contains labels that are not among the model's classes: "
                f"{unseen.tolist()}; its classes: {classes.tolist()}. {_NEW_CLASS_ADVICE}"
            )
        encoded = np.zeros((len(indices), len(classes)), dtype=self._dtype)
        encoded[np.arange(len(indices)), indices] = 1.0
        return encoded

    def _targets_of_the_kind(self, y, targets, name="y"):
        """``y`` as :meth:`_as_targets` reads it, refused unless of the kind of ``targets``.

        Labels for labels, an indicator matrix of as many columns for an
        indicator matrix; labels that are not classes are left to the caller.
        """
        y, kind = self._as_targets(y, name)
        if kind == "multilabel-indicator":
            if not targets["multilabel"]:
                raise ValueError(
                    f"This model was fitted on 1-D labels; {_got(name)} a multilabel indicator "
                    "matrix. Give labels, or fit a new model on the matrix."
                )
            if np.shape(y)[1] != len(targets["classes"]):
                raise ValueError(
                    f"{name} has {np.shape(y)[1]} columns; the model was fitted on multilabel "
                    f"targets of {len(targets['classes'])}."
                )
        elif targets["multilabel"]:
            raise ValueError(
                f"This model was fitted on multilabel targets; {name} holds 1-D labels."
            )
        return y

    def _check_targets(self, targets, n_outputs):
        if set(targets) != {"classes", "multilabel"}:  # a regressor's state, say
            raise ValueError(
                f"A classifier's targets hold classes and multilabel; got {sorted(targets)}."
            )
        classes = np.asarray(targets["classes"])
        if not isinstance(targets["multilabel"], bool):
            raise ValueError("multilabel must be true or false.")
        if classes.ndim != 1 or len(classes) != n_outputs:
            raise ValueError(f"{len(classes)} classes but {n_outputs} output neurons.")
        if len(classes) < (1 if targets["multilabel"] else 2):
            raise ValueError(f"A classifier needs at least 2 classes; got {classes.tolist()}.")
        try:
            in_order = np.array_equal(np.unique(classes), classes)
        except TypeError:  # labels of several types have no order
            raise ValueError(f"The classes mix types: {classes.tolist()}.") from None
        if not in_order:
            raise ValueError(f"The classes must be sorted and distinct; got {classes.tolist()}.")
        check_classes(targets["classes"], targets["multilabel"], "state.targets['classes']")

    def _capture_targets(self):
        return {"classes": self.classes_.copy(), "multilabel": self._multilabel}

    def _restore_targets(self, targets):
        self.classes_ = targets["classes"]
        self._multilabel = targets["multilabel"]

    def _outputs_are_columns(self, targets):
        # A multilabel indicator's columns are the labels; one label a row has no columns.
        return targets["multilabel"]

    def _check_outputs(self, plugins, targets):
        if targets["multilabel"] and plugins.output_activation.name != "sigmoid":
            raise ValueError(
                "Multilabel targets need sigmoid output neurons (one independent "
                f"probability per label); got {plugins.output_activation.name!r} "
                f"outputs with the {plugins.cost.name!r} cost. Use "
                "cost='cross_entropy' or 'quadratic' with sigmoid outputs."
            )

    @staticmethod
    def _stratify(Y, targets):
        return None if targets["multilabel"] else Y.argmax(axis=1)

    @staticmethod
    def _check_classes_argument(classes, targets):
        if classes is not None and not np.array_equal(np.unique(classes), targets["classes"]):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} differs from the model's classes, "
                f"{targets['classes'].tolist()}, which its first fit (or partial_fit) fixed: "
                "the network has one output per class. To learn other classes, fit anew "
                "with warm_start=False."
            )

    def _check_incremental(self):
        if isinstance(self.class_weight, str) and self.class_weight == "balanced":
            raise AttributeError(
                "partial_fit is not available with class_weight='balanced', which needs the "
                "whole training set: pass a dict of class weights instead."
            )
        return True

    def _weigh_classes(self, y, sample_weight, targets):
        """``sample_weight`` times the weights that ``class_weight`` gives each sample.

        The weights themselves were checked by ``resolve`` (finite, ≥ 0);
        here, against the data: a dict names only classes of y, and some
        sample keeps a positive, finite weight.
        """
        class_weight = self.class_weight
        if class_weight is None:
            return sample_weight
        if class_weight == "balanced":
            weights = _balanced_weights(y, sample_weight)
        else:
            weights = self._dict_weights(class_weight, y, targets)
        if sample_weight is not None:
            with np.errstate(over="ignore"):  # refused below
                weights = sample_weight * weights
        if not weights.any():
            raise ValueError(
                "class_weight (times sample_weight) gives every sample of y a weight of 0: "
                "nothing would be learned. Give some class present in y a positive weight."
            )
        if not np.isfinite(weights).all():
            raise ValueError(
                "class_weight times sample_weight overflows the float64 range; scale them down."
            )
        return weights

    @staticmethod
    def _dict_weights(class_weight, y, targets):
        """Each sample's weight from a ``{label: weight}`` dict (missing labels weigh 1)."""
        if targets["multilabel"]:
            raise ValueError(
                "class_weight as a dict weighs the classes of 1-D labels; with a multilabel "
                "indicator y use class_weight='balanced' or sample_weight."
            )
        known = set(targets["classes"].tolist())
        unknown = [label for label in class_weight if label not in known]
        if unknown:
            raise ValueError(
                f"class_weight names labels that are not classes of y: {unknown[:10]}; the "
                f"classes are {sorted(known, key=str)[:20]}."
            )
        weights = [class_weight.get(label, 1.0) for label in np.asarray(y).tolist()]
        return np.array(weights, dtype=np.float64)

    @staticmethod
    def _score_outputs(output, Y, sample_weight=None):
        return accuracy(output, Y, sample_weight)

    def _scorer(self, targets):
        # accuracy() takes rows of one label for one-hot classes: a multilabel model's
        # history must score as predict and score do, however many labels a row holds.
        return subset_accuracy if targets["multilabel"] else accuracy

    # -- prediction --------------------------------------------------------

    def predict_proba(self, X):
        """Return the probability of each class (of each label, for multilabel).

        For softmax outputs these are the outputs themselves. For sigmoid
        outputs of a single-label problem they are the outputs normalised to
        sum to one (the book's network has independent sigmoid outputs); for
        outputs that may be negative (identity, tanh) they are first shifted
        so that the smallest is zero. The most probable class is always the
        most active output neuron.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Each row sums to one (multilabel: one probability per label).
        """
        output = self._forward(X)
        if self._multilabel:
            return output
        return _as_probabilities(output, self.output_activation_)

    def predict_log_proba(self, X):
        """Return the logarithm of :meth:`predict_proba` (−inf where it is 0).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The inputs.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The logarithms of the probabilities.
        """
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba, out=proba)  # a new array of their shape held them twice

    def predict(self, X):
        """Return the predicted labels: the class of the most active output neuron.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The inputs.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            A label of ``classes_`` per sample, or for multilabel targets a
            row of 0s and 1s (outputs above 0.5).
        """
        output = self._forward(X)
        if self._multilabel:
            return (output > 0.5).astype(int)
        return self.classes_[output.argmax(axis=1)]

    @reads_numpy  # y of any array library read as predict reads X
    def score(self, X, y, sample_weight=None):
        """Return the mean accuracy on ``X`` and ``y``: scikit-learn's ``ClassifierMixin.score``.

        For multilabel targets, the share of rows whose every label is right.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            The true labels.
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Weights of the samples, checked as :meth:`fit` checks them.

        Returns
        -------
        score : float
            The mean accuracy.

        Raises
        ------
        ValueError
            If ``y`` is a table whose columns are not the model's labels
            (``target_names_in_``) in the model's order: swapped columns
            would be scored against each other's predictions. Also for the
            ``y`` that :meth:`fit` refuses (an indicator matrix of other
            values than 0 and 1, fractions, bytes), for labels where the
            model was fitted on an indicator matrix and the other way round,
            and for the ``sample_weight`` :meth:`fit` refuses (negative, all
            zero, of another length). Labels that are not among ``classes_``
            are scored, as wrong predictions.
        """
        check_target_names(y, getattr(self, "target_names_in_", None))
        predicted = self.predict(X)  # X refused first, as without weights
        # Refused as fit refuses them: an indicator of 0s and 2s scored 0 with no word.
        y = self._targets_of_the_kind(y, self._capture_targets())
        weights = self._checked_sample_weight(sample_weight, predicted)
        return float(accuracy_score(y, predicted, sample_weight=weights))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Multilabel targets need independent sigmoid outputs (not softmax).
        try:
            cost = plugins.get("cost", self.cost)
            output = plugins.get("activation", self.output_activation or cost.output_activation)
            tags.classifier_tags.multi_label = output.name == "sigmoid"
        except (ValueError, TypeError):
            tags.classifier_tags.multi_label = False
        return tags


#: Integer labels spanning fewer values than this are counted and looked up in
#: a table; others are sorted and searched (same results, a few times slower).
_TABLE_SPAN = 1 << 16


def _balanced_weights(y, sample_weight=None):
    """Each sample's ``class_weight='balanced'`` weight, the classes counted by their weights.

    A class weighs total / (n_classes × its total), totals of ``sample_weight``
    (of counts without it), so that a sample of weight 2 counts as two, as
    scikit-learn's ``compute_class_weight`` counts them given ``sample_weight``:
    counting rows instead, a class whose rows weigh little (those a
    ``BaggingClassifier``'s bootstrap leaves out weigh 0) stayed as weighty as
    a common one. A class whose samples all weigh 0 is not counted and weighs
    0. The columns of a multilabel (or multi-output) ``y`` are balanced each,
    and their weights multiplied, as ``compute_sample_weight`` does.

    Parameters
    ----------
    y : {ndarray, sparse matrix} of shape (n_samples,) or (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,) or None
        Finite, non-negative, not all 0 (as ``fit`` checked them).

    Returns
    -------
    weights : ndarray of shape (n_samples,)
    """
    n_samples = y.shape[0]
    # Relative weights: only their ratios matter, and weights near the float64 limit
    # would overflow their totals.
    relative = None if sample_weight is None else sample_weight / sample_weight.max()
    weights = np.ones(n_samples)
    for k in range(1 if y.ndim == 1 else y.shape[1]):
        column = y if y.ndim == 1 else y[:, [k]]
        column = column.toarray().ravel() if sparse.issparse(column) else np.ravel(column)
        classes = _unique_labels(column)
        indices, _ = _label_indices(column, classes)
        totals = np.bincount(indices, weights=relative, minlength=len(classes))
        counted = totals > 0
        per_class = np.zeros(len(classes))
        per_class[counted] = totals.sum() / (counted.sum() * totals[counted])
        weights *= per_class[indices]
    return weights


def _in_table(lowest, highest):
    """Whether integers from ``lowest`` to ``highest`` can index a table of offsets."""
    bounds = np.iinfo(np.intp)
    return bounds.min <= lowest and highest <= bounds.max and highest - lowest < _TABLE_SPAN


def _integer_span(y):
    """``(lowest, highest)`` of integer labels that a table can index, else None."""
    if not (isinstance(y, np.ndarray) and y.dtype.kind in "iu" and y.size):
        return None
    lowest, highest = int(y.min()), int(y.max())
    return (lowest, highest) if _in_table(lowest, highest) else None


def _offsets(y, lowest):
    """``y - lowest`` as indices (exact: the caller checked that they fit)."""
    return y.astype(np.intp, copy=False) - lowest


def _unique_labels(y):
    """``np.unique(y)``, counted rather than sorted for integer labels of a small span."""
    span = _integer_span(y)
    if span is None:
        return np.unique(y)
    present = np.flatnonzero(np.bincount(_offsets(y, span[0])))
    return (present + span[0]).astype(y.dtype)


def _label_indices(y, classes):
    """Each label's position in the sorted ``classes``, and where a label is not one of them.

    Returns
    -------
    indices : ndarray of shape (n_samples,)
        Meaningful only where ``unknown`` is false.
    unknown : ndarray of bool of shape (n_samples,)
    """
    span = _integer_span(y)
    if span is not None and classes.dtype.kind in "iu" and len(classes):
        lowest = min(span[0], int(classes[0]))
        highest = max(span[1], int(classes[-1]))
        if _in_table(lowest, highest):
            table = np.full(highest - lowest + 1, -1, dtype=np.intp)
            table[_offsets(classes, lowest)] = np.arange(len(classes))
            indices = table[_offsets(y, lowest)]
            return indices, indices < 0
    if _meet_in_floats(y, classes):
        # int64 and uint64 meet in float64, where 2**62 and 2**62 + 1 are one number:
        # Python's integers compare exactly.
        y, classes = np.asarray(y, dtype=object), classes.astype(object)
    # classes is sorted: a label is known where the search lands on it.
    indices = np.searchsorted(classes, y)
    found = classes[np.minimum(indices, len(classes) - 1)]
    return indices, found != y


def _meet_in_floats(y, classes):
    """Whether integer labels and classes of these dtypes are compared as float64."""
    kinds = (np.asarray(y).dtype.kind, classes.dtype.kind)
    return set(kinds) <= set("iu") and np.result_type(np.asarray(y), classes).kind == "f"


def _narrowest(labels):
    """String labels in the narrowest dtype that holds them, others unchanged.

    A saved model declares its label dtype, and a file declaring strings
    wider than its longest label is refused (it could make loading
    allocate gigabytes), so the classes never keep the width of a wider y.
    """
    if labels.dtype.kind != "U":
        return labels
    longest = max((len(label) for label in labels.tolist()), default=0)
    return labels.astype(f"U{max(longest, 1)}")


def _as_array(y, name):
    """Labels as given (``y_val``) as the NumPy array that scikit-learn's validation makes of ``y``.

    A polars Series, a dask array or a list was read as it was: the first
    two failed in the search for each label's class, where their own
    comparison refused NumPy's.
    """
    return check_array(
        y,
        ensure_2d=False,
        dtype=None,
        ensure_all_finite=False,
        ensure_min_samples=0,
        input_name=name,
    )


def _numbers_as_array(labels):
    """Labels of dtype object that are all real numbers, in the numeric dtype NumPy gives them.

    pandas keeps numbers in object columns: scikit-learn calls such labels
    "unknown", and a model whose classes were numbers of dtype object could
    be neither saved nor restored. Others are returned as they are.
    """
    if not isinstance(labels, np.ndarray) or labels.dtype != object or not labels.size:
        return labels
    if not all(isinstance(label, (Real, np.bool_)) for label in labels.flat):
        return labels
    numeric = np.array(labels.tolist())
    return numeric if numeric.dtype.kind in "biuf" else labels


def _refuse_bytes(labels, name):
    """Refuse labels of bytes, which scikit-learn does not take, saying how to mend them."""
    as_array = np.asarray(labels)  # a sparse y is dense by now (_as_targets)
    if not as_array.size:
        return
    if as_array.dtype.kind == "S" or (
        as_array.dtype == object and all(isinstance(label, bytes) for label in as_array.flat)
    ):
        raise ValueError(
            f"The labels of {name} are bytes, which are not labels here (nor in scikit-learn): "
            f"decode them to strings first, for example {name}.astype(str) or with .decode()."
        )


def _neither_numbers_nor_strings(labels, name):
    """The error for labels of one sortable type that is neither number nor string."""
    types = sorted({type(label).__name__ for label in np.asarray(labels, dtype=object).flat})
    return ValueError(
        f"The labels of {name} must be ints, floats, bools or strings; got "
        f"{', '.join(types)}. Convert them first, for example with astype(int), "
        "astype(float) or astype(str)."
    )


def _got(name):
    """'got' for y, 'y_val is' for the validation targets: the words of the two refusals."""
    return "got" if name == "y" else f"{name} is"


def check_sortable_labels(labels, name):
    """Refuse labels ``labels`` (of ``name``) of types that cannot be sorted together.

    Splits and encodings sort them, and failed inside NumPy: "'<' not
    supported between instances of 'str' and 'int'".
    """
    if not _sortable(labels):
        raise _mixed_types(labels, name)


def _sortable(labels):
    """Whether labels can be sorted together (not None among strings, say)."""
    try:
        np.unique(np.asarray(labels, dtype=object))
    except TypeError:
        return False
    return True


def _mixed_types(labels, name):
    """The error for labels of types that cannot be sorted together."""
    types = sorted({type(label).__name__ for label in np.asarray(labels, dtype=object).flat})
    return ValueError(
        f"The labels of {name} mix types that cannot be sorted ({', '.join(types)}); "
        "make them all strings or all numbers."
    )


def _check_indicator_classes(classes, columns):
    """Refuse a first ``partial_fit``'s ``classes`` that are not a multilabel y's columns.

    Later calls compare ``classes`` with the columns: a first call that took
    others would leave a model whose next call refuses the same argument.

    Parameters
    ----------
    classes : array-like or None
        As given to ``partial_fit``; None is not checked.
    columns : ndarray of shape (n_labels,)
        The column indices of the indicator matrix, the model's classes.
    """
    if classes is None:
        return
    try:
        given = np.unique(classes)
    except TypeError:  # labels of several types have no order
        raise _mixed_types(classes, "classes") from None
    if not np.array_equal(given, columns):
        raise ValueError(
            f"classes={given.tolist()} are not the columns of the multilabel y: "
            f"{columns.tolist()}. Leave classes out, or pass these."
        )


def _is_indicator(y):
    """Whether ``y`` is a numeric matrix of several columns holding only 0s and 1s.

    What ``type_of_target`` calls "multilabel-indicator" and ``_check_indicator``
    accepts, found in one pass: both sort every entry, which at 20,000 × 500
    took 0.8 s of a 1.7 s fit, twice. Subclasses of ndarray are left to them:
    a masked array's comparisons skip the masked entries, which training reads.
    """
    if not (type(y) is np.ndarray and y.ndim == 2 and y.shape[1] > 1 and y.size):
        return False
    if y.dtype.kind == "b":
        return True
    return y.dtype.kind in "iuf" and bool(np.logical_or(y == 0, y == 1).all())


def _check_indicator(Y, name="y"):
    """Refuse a multilabel indicator matrix holding values other than 0 and 1."""
    values = np.unique(Y)
    if not np.isin(values, (0, 1)).all():
        raise ValueError(
            f"A 2-D {name} is a multilabel indicator matrix and must hold only 0 and 1 (or "
            f"False and True); this one holds {values.tolist()}. Turn other codes into "
            "0/1 first, for example y == 1 for -1/1 targets."
        )


def _as_probabilities(output, activation):
    """Map output activations to rows of probabilities, keeping the argmax.

    ``output``, the caller's to give up, becomes them: shifted, divided and
    chosen into new arrays, they held three times the outputs.
    """
    if activation.name == "softmax":
        return output
    if activation.output_range[0] < 0:
        output -= np.minimum(output.min(axis=1, keepdims=True), 0.0)
    totals = output.sum(axis=1, keepdims=True)
    positive = totals > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        np.divide(output, totals, out=output, where=positive)
    output[~positive[:, 0]] = 1.0 / output.shape[1]  # no activity: every class alike
    return output


def _column_as_labels(y, name):
    """A column of labels as 1-D labels, with scikit-learn's warning at the caller's line.

    ``column_or_1d(warn=True)`` warns from inside scikit-learn, at a line
    of sknielsen or scikit-learn that the user never wrote.
    """
    warn(
        f"A column-vector {name} was passed when a 1d array was expected. Please change the "
        f"shape of {name} to (n_samples, ), for example using ravel().",
        DataConversionWarning,
    )
    return column_or_1d(y)
