"""NielsenMLPRegressor: the book's network with linear outputs, for regression."""

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score

from ._base import _BaseNielsenMLP


class NielsenMLPRegressor(RegressorMixin, _BaseNielsenMLP):
    """Feedforward network regressor: the book's network with linear output neurons.

    Chapter 3's problem on linear neurons: with identity outputs and the
    quadratic cost, the output error is δᴸ = aᴸ − y, so there is no learning
    slowdown. Every plugin, schedule and option of
    :class:`~sknielsen.NielsenMLPClassifier` works the same way; only the
    defaults differ (``cost='quadratic'``, identity outputs, ``eta=0.01``).

    Parameters
    ----------
    hidden_layer_sizes, cost, activation, output_activation, initializer, regularizer, lmbda, optimizer, eta, mini_batch_size, epochs, dropout, early_stopping, n_iter_no_change, schedule, validation_fraction, monitor, dtype, shuffle, random_state, verbose, warm_start, augment, image_shape, monitor_every, callbacks, engine
        As for :class:`~sknielsen.NielsenMLPClassifier`, except the defaults
        ``cost='quadratic'``, ``eta=0.01``, and ``output_activation=None``
        meaning identity (linear) outputs. Where the history and early
        stopping speak of accuracy, the regressor records the coefficient of
        determination R² (higher is better, 1 is perfect).

    Attributes
    ----------
    coefs_, intercepts_, n_features_in_, feature_names_in_, n_iter_, t_, n_outputs_, n_layers_, out_activation_, eta_, loss_, loss_curve_, best_loss_, validation_scores_, best_validation_score_, best_epoch_, history_, callbacks_, engine_
        As for :class:`~sknielsen.NielsenMLPClassifier`.

    See Also
    --------
    sklearn.neural_network.MLPRegressor : scikit-learn's multi-layer perceptron regressor.

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
    _y_numeric = True

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

    # -- targets -----------------------------------------------------------

    def _new_targets(self, y, classes, incremental):
        if classes is not None:
            raise ValueError("classes has no meaning for a regressor; leave it out.")
        return {"y_1d": np.ndim(y) == 1}

    def _encode(self, y, targets):
        """Return targets as a (n_samples, n_outputs) float array."""
        y = np.asarray(y, dtype=self._dtype)
        return y[:, None] if y.ndim == 1 else y

    def _check_targets(self, targets, n_outputs):
        if not isinstance(targets["y_1d"], bool):
            raise ValueError("y_1d must be true or false.")
        if targets["y_1d"] and n_outputs != 1:
            raise ValueError("y_1d is true but the network has several outputs.")

    def _capture_targets(self):
        return {"y_1d": self._y_1d}

    def _restore_targets(self, targets):
        self._y_1d = targets["y_1d"]

    def _check_outputs(self, plugins, targets):
        pass

    @staticmethod
    def _stratify(Y, targets):
        return None

    @staticmethod
    def _check_classes_argument(classes, targets):
        if classes is not None:
            raise ValueError("classes has no meaning for a regressor; leave it out.")

    @staticmethod
    def _score_outputs(output, Y):
        return float(r2_score(Y, output))

    def partial_fit(self, X, y, sample_weight=None, X_val=None, y_val=None):
        """Train for one epoch on (X, y), continuing from the current state.

        See :meth:`NielsenMLPClassifier.partial_fit`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None
        X_val, y_val : array-like, default=None
            Validation data for this epoch.

        Returns
        -------
        self : NielsenMLPRegressor
        """
        return super().partial_fit(X, y, sample_weight=sample_weight, X_val=X_val, y_val=y_val)

    def predict(self, X):
        """Return the outputs of the network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        output = self._forward(X)
        return output.ravel() if self._y_1d else output

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
