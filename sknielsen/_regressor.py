"""NielsenMLPRegressor: the book's network with linear outputs, for regression."""

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score

from ._mlp import _BaseNielsenMLP


class NielsenMLPRegressor(RegressorMixin, _BaseNielsenMLP):
    """Feedforward network regressor: the book's network with linear output neurons.

    Chapter 3's problem on linear neurons: with identity outputs and the
    quadratic cost, the output error is δᴸ = aᴸ − y, so there is no learning
    slowdown. Every plugin, schedule and option of
    :class:`~sknielsen.NielsenMLPClassifier` works the same way; only the
    defaults differ (``cost='quadratic'``, identity outputs, ``eta=0.01``).

    Parameters
    ----------
    hidden_layer_sizes, cost, activation, output_activation, initializer, regularizer, lmbda, optimizer, eta, mini_batch_size, epochs, dropout, early_stopping, schedule, validation_fraction, monitor, dtype, shuffle, random_state, verbose, warm_start, augment, image_shape, monitor_every
        As for :class:`~sknielsen.NielsenMLPClassifier`, except the defaults
        ``cost='quadratic'``, ``eta=0.01``, and ``output_activation=None``
        meaning identity (linear) outputs. Where the history and early
        stopping speak of accuracy, the regressor records the coefficient of
        determination R² (higher is better, 1 is perfect).

    Attributes
    ----------
    coefs_, intercepts_, n_features_in_, feature_names_in_, n_iter_, n_outputs_, history_
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

    # -- labels ------------------------------------------------------------

    def _encode_targets(self, y, *, fitting):
        """Return targets as a (n_samples, n_outputs) float array."""
        y = np.asarray(y, dtype=self._dtype)
        targets = y[:, None] if y.ndim == 1 else y
        if fitting:
            self._y_1d = y.ndim == 1
        elif targets.shape[1] != self.coefs_[-1].shape[1] if hasattr(self, "coefs_") else False:
            raise ValueError(
                f"y has {targets.shape[1]} outputs; the model was fitted with "
                f"{self.coefs_[-1].shape[1]}."
            )
        return targets

    def _check_outputs(self):
        pass

    def _stratify(self, Y):
        return None

    def _first_partial_fit_targets(self, y, classes):
        return self._encode_targets(y, fitting=True)

    def _check_partial_fit_classes(self, classes):
        if classes is not None:
            raise ValueError("classes has no meaning for a regressor; leave it out.")

    @staticmethod
    def _score_outputs(output, Y):
        return float(r2_score(Y, output))

    def partial_fit(self, X, y, sample_weight=None):
        """Train for one epoch on (X, y), continuing from the current state.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : NielsenMLPRegressor
        """
        return super().partial_fit(X, y, sample_weight=sample_weight)

    def predict(self, X):
        """Return the outputs of the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

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
