"""Base classes of the five plugin kinds.

A plugin is a small object whose constructor arguments are its
hyper-parameters. :class:`Plugin` gives every plugin scikit-learn's
``get_params``/``set_params`` protocol, so that nested names such as
``optimizer__mu`` work in :class:`~sklearn.model_selection.GridSearchCV`
and :func:`sklearn.base.clone` copies plugins like estimators. Plugins hold
no training data; state that changes during training (an optimizer's
velocity, say) lives in plain arrays handed back and forth by the engine.
"""

import inspect

import numpy as np


class Plugin:
    """Base class of all plugins: hyper-parameters as constructor arguments.

    Subclasses store each constructor argument, unchanged, under an
    attribute of the same name (the scikit-learn convention), and accept no
    ``*args`` or ``**kwargs``.
    """

    #: Kind of plugin ("cost", "activation", ...); set by each base class.
    kind = None
    #: Name under which the class was registered; set by ``register``.
    name = None

    @classmethod
    def _get_param_names(cls):
        if cls.__init__ is object.__init__:
            return []
        signature = inspect.signature(cls.__init__)
        names = []
        for parameter in signature.parameters.values():
            if parameter.name == "self":
                continue
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                raise TypeError(
                    f"{cls.__name__} must list its hyper-parameters explicitly "
                    "in __init__; *args and **kwargs are not supported."
                )
            names.append(parameter.name)
        return sorted(names)

    def get_params(self, deep=True):
        """Return the hyper-parameters of this plugin.

        Parameters
        ----------
        deep : bool, default=True
            Ignored; plugins have no nested objects. Present for
            compatibility with :meth:`sklearn.base.BaseEstimator.get_params`.

        Returns
        -------
        params : dict
            Hyper-parameter names mapped to their values.
        """
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params):
        """Set hyper-parameters of this plugin.

        Parameters
        ----------
        **params : dict
            Hyper-parameter names and their new values.

        Returns
        -------
        self : Plugin
            This plugin, changed in place.
        """
        valid = self._get_param_names()
        for key, value in params.items():
            if key not in valid:
                known = ", ".join(valid) if valid else "none"
                raise ValueError(
                    f"Invalid parameter {key!r} for {self.kind} {self.name!r} "
                    f"({type(self).__name__}); its parameters are: {known}."
                )
            setattr(self, key, value)
        return self

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other):
        return type(self) is type(other) and self.get_params() == other.get_params()

    def __hash__(self):
        return hash((type(self), tuple(sorted(self.get_params().items()))))


class Activation(Plugin):
    """An activation function σ, applied to weighted inputs ``z``.

    Subclasses implement :meth:`fn` and :meth:`derivative`. Activations that
    are not element-wise (softmax) override :meth:`backward` instead and set
    ``elementwise = False``.
    """

    kind = "activation"
    #: Whether σ acts on each entry of ``z`` separately.
    elementwise = True
    #: Range of the outputs, used to turn outputs into probabilities.
    output_range = (-np.inf, np.inf)

    def fn(self, z, out=None):
        """Return σ(z), written into ``out`` when given."""
        raise NotImplementedError

    def derivative(self, z, a):
        """Return σ'(z) as a new array; ``a`` is σ(z), often cheaper to use."""
        raise NotImplementedError

    def backward(self, delta, z, a):
        """Multiply ``delta`` by the derivative of σ, in place.

        This is the vector-Jacobian product ``δ ← δ ⊙ σ'(z)`` of backprop
        (BP2). ``z`` is scratch space afterwards and may be overwritten.

        Returns
        -------
        delta : ndarray
            The same array, changed in place.
        """
        delta *= self.derivative(z, a)
        return delta


class Cost(Plugin):
    """A cost C(a, y) of the network's outputs ``a`` against targets ``y``.

    Subclasses implement :meth:`fn` (per-sample costs) and :meth:`gradient`
    (∂C/∂a). The output error :meth:`delta` (δᴸ = ∂C/∂zᴸ) is owned by the
    cost: the default chains :meth:`gradient` through the output activation,
    and costs override it where the book gives a simpler exact form.
    """

    kind = "cost"
    #: Name of the output activation the cost is designed for.
    output_activation = "sigmoid"
    #: Names of the output activations the cost may be paired with.
    output_activations = ("sigmoid",)

    def fn(self, a, y):
        """Return the cost of each sample, an array of shape (n_samples,)."""
        raise NotImplementedError

    def gradient(self, a, y):
        """Return ∂C/∂a, an array shaped like ``a``."""
        raise NotImplementedError

    def delta(self, z, a, y, activation, out=None):
        """Return the output error δᴸ = ∂C/∂zᴸ (equation BP1 of the book).

        Parameters
        ----------
        z, a : ndarray of shape (n_samples, n_outputs)
            Weighted inputs and activations of the output layer.
        y : ndarray of shape (n_samples, n_outputs)
            Targets.
        activation : Activation
            The output activation, a = σ(z).
        out : ndarray, optional
            Where to write the result.

        Returns
        -------
        delta : ndarray of shape (n_samples, n_outputs)
        """
        grad = self.gradient(a, y)
        if out is not None:
            out[...] = grad
            grad = out
        return activation.backward(grad, z, a)


class Regularizer(Plugin):
    """A penalty on the weights (never the biases), scaled by λ/n as in the book."""

    kind = "regularizer"

    def penalty(self, weights, lmbda, n):
        """Return the penalty term added to the cost (a float)."""
        raise NotImplementedError

    def gradient(self, weights, lmbda, n, out):
        """Write the penalty's gradient into ``out`` and return it.

        ``out`` is scratch space shaped like ``weights``, so that a training
        step allocates nothing. Return None when the gradient is zero (no
        penalty, or λ = 0): the engine then skips adding it.
        """
        raise NotImplementedError

    def decay(self, weights, eta, lmbda, n):
        """Apply the penalty as a decoupled step on ``weights``, if it has one.

        Used instead of :meth:`gradient` with optimizers whose step is exactly
        ``−η × gradient`` (plain SGD), where both give the same update; L2 is
        then the book's weight decay w ← (1 − ηλ/n) w, one pass over the
        weights instead of two.

        Returns
        -------
        applied : bool
            False when the regularizer has no decoupled form.
        """
        return False


class Initializer(Plugin):
    """Draws the starting weights and biases of one layer."""

    kind = "initializer"

    def __call__(self, fan_in, fan_out, rng, dtype):
        """Return ``(weights, biases)`` of shapes (fan_in, fan_out) and (fan_out,).

        Parameters
        ----------
        fan_in, fan_out : int
            Number of inputs and of neurons of the layer.
        rng : numpy.random.Generator
            Source of randomness; the only one an initializer may use.
        dtype : numpy dtype
            Floating-point type of the arrays returned.
        """
        raise NotImplementedError


class Optimizer(Plugin):
    """A gradient step rule, in the spirit of optax.

    ``init(params)`` makes the state (a dict of plain arrays) and
    ``update(grads, state, params, eta)`` returns ``(updates, state)``; the
    engine then adds ``updates`` to ``params``. ``params`` and ``grads`` are
    one flat 1-D array holding every weight and bias of the network, so an
    optimizer does not need to know the network's shape.
    """

    kind = "optimizer"
    #: True when ``update`` returns exactly ``−η × grads`` (plain SGD), so a
    #: penalty may be applied as a decoupled decay step with the same result.
    linear_in_gradient = False
    #: True for optimizers that work on the whole training set at once
    #: (Newton, L-BFGS): they implement :meth:`run` instead of :meth:`update`.
    full_batch = False

    def init(self, params):
        """Return the initial optimizer state for ``params``."""
        return {}

    def update(self, grads, state, params, eta):
        """Return ``(updates, new_state)``.

        ``grads`` belongs to the engine's scratch space: an optimizer may
        overwrite it and return it as ``updates``.
        """
        raise NotImplementedError

    def run(self, objective, params, state, eta, epochs, epoch_done):
        """Full-batch optimizers: minimize ``objective`` for up to ``epochs`` iterations.

        Parameters
        ----------
        objective : FullBatchObjective
            ``objective.value_and_gradient(p)`` and ``objective.gradient(p)``
            give the regularized cost over the whole training set and its
            gradient at the flat parameters ``p``.
        params : ndarray
            The network's flat parameters, to be updated in place.
        state : dict
            From :meth:`init`.
        eta : float
            Step size (an optimizer with a line search may ignore it).
        epochs : int
            Most iterations to run.
        epoch_done : callable
            Call after each iteration, once ``params`` holds its result; it
            raises ``StopTraining`` when training must stop.

        Returns
        -------
        state : dict
        """
        raise NotImplementedError


class Augmenter(Plugin):
    """Distorts a mini-batch of images, to expand the training data (chapter 3).

    ``__call__(images, rng)`` takes an array of shape (batch, height, width)
    and returns a new array of the same shape and dtype; it never changes its
    input. Every call draws new distortions from ``rng``.
    """

    kind = "augmenter"

    def __call__(self, images, rng):
        raise NotImplementedError


BASES = {
    base.kind: base
    for base in (Cost, Activation, Regularizer, Initializer, Optimizer, Augmenter)
}
