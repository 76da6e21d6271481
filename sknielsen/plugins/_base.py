"""Base classes of the six plugin kinds.

A plugin is a small object whose constructor arguments are its
hyper-parameters. :class:`Plugin` gives every plugin scikit-learn's
``get_params``/``set_params`` protocol, so that nested names such as
``optimizer__mu`` work in :class:`~sklearn.model_selection.GridSearchCV`
and :func:`sklearn.base.clone` copies plugins like estimators. Plugins hold
no training data; state that changes during training (an optimizer's
velocity, say) lives in plain arrays handed back and forth by the engine.
"""

import functools
import inspect
from dataclasses import dataclass, field

import numpy as np

from .._core.params import HyperParameters
from ._returns import returned_array


@dataclass(frozen=True)
class KernelSpec:
    """What a compiled engine needs to run a plugin natively: plain data, no class.

    Attributes
    ----------
    kind : str
        The plugin kind (``"optimizer"``, ...).
    name : str
        The rule an engine implements (``"momentum"``, ...).
    params : dict
        The hyper-parameters the rule reads, by name.

    Examples
    --------
    What :meth:`Plugin.kernel_spec` hands a compiled engine:

    >>> from sknielsen.plugins import Adam
    >>> Adam(beta1=0.8).kernel_spec()
    KernelSpec(kind='optimizer', name='adam',
               params={'beta1': 0.8, 'beta2': 0.999, 'epsilon': 1e-08})

    A subclass may change the maths, so it has none until it declares
    ``kernel`` itself, and it trains on the NumPy engine:

    >>> class MyAdam(Adam):
    ...     pass
    >>> print(MyAdam().kernel_spec())
    None
    """

    kind: str
    name: str
    params: dict = field(default_factory=dict)


class Plugin(HyperParameters):
    """Base class of all plugins: hyper-parameters as constructor arguments.

    Subclasses store each constructor argument, unchanged, under an
    attribute of the same name (the scikit-learn convention), and accept no
    ``*args`` or ``**kwargs``.

    Examples
    --------
    A plugin's hyper-parameters are read and set as an estimator's are, so
    scikit-learn's ``clone`` and grid searches reach them through the
    estimator (``optimizer__mu``):

    >>> from sklearn.base import clone
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.plugins import Momentum
    >>> momentum = Momentum(mu=0.5)
    >>> momentum.get_params(), momentum.kind, momentum.name
    ({'mu': 0.5}, 'optimizer', 'momentum')
    >>> net = NielsenMLPClassifier(optimizer=momentum)
    >>> clone(net).set_params(optimizer__mu=0.8)  # as GridSearchCV does
    NielsenMLPClassifier(optimizer=Momentum(mu=0.8))
    >>> momentum  # the clone's plugin is a copy
    Momentum(mu=0.5)
    """

    #: Kind of plugin ("cost", "activation", ...); set by each base class.
    kind = None
    #: Name under which the class was registered; set by ``register``.
    name = None
    #: Attributes by which the registry and model files know a plugin: no
    #: hyper-parameter may take their names (``self.kind = kind`` replaced them).
    _reserved_names = ("kind", "name")
    #: The rule a compiled engine runs for this exact class (see :meth:`kernel_spec`),
    #: or None; declared by the class itself, never inherited.
    kernel = None
    #: Hyper-parameters read only when a fit starts (L-BFGS's ``memory``, which scipy
    #: takes once; Newton's ``damping``, the μ its state then adapts): the run would not
    #: follow a change, so the training loop refuses a callback that makes one; and an
    #: optimizer's state starts afresh in a fit that continues (``warm_start``,
    #: ``partial_fit``) after ``set_params`` changed one.
    read_at_start = ()

    #: The methods the engine and the loop call, and how: ``name -> (arguments,
    #: keyword arguments)``. :meth:`check_contract` binds each call to the
    #: class's method, so a plugin written for another contract fails at
    #: ``register`` (or when a fit starts, for an unregistered instance) with
    #: the signature it should have, rather than in the middle of a fit.
    _contract = {}
    #: Methods that a plugin of the kind must define itself (the base's raise).
    _required = ()
    #: Methods of earlier contracts that nothing calls any more, with what replaced them.
    _retired = {}
    #: Faster exact forms a class may write of its own methods: ``shortcut -> the
    #: methods it stands for``. A subclass that redefines one of those, and not the
    #: shortcut, gets the kind's general form of the shortcut (see ``__init_subclass__``).
    _shortcuts = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Sigmoid's backward is a(1 − a) whatever derivative a subclass writes, and SGD's
        # decouples_decay claims an update that a subclass may have changed: inherited
        # past such a redefinition, a shortcut would train on the parent's maths.
        mro = cls.__mro__

        def owner(name):
            return next((i for i, klass in enumerate(mro) if name in vars(klass)), len(mro))

        for shortcut, sources in cls._shortcuts.items():
            if any(owner(source) < owner(shortcut) for source in sources):
                general = next(vars(k)[shortcut] for k in reversed(mro) if shortcut in vars(k))
                setattr(cls, shortcut, general)

    def _not_written(self, method, instead=None):
        """The error of a base-class ``method`` that this plugin's class did not write.

        Parameters
        ----------
        method : str
            The method called, one of ``_contract``.
        instead : str, optional
            Another method of the contract that would make ``method`` unneeded.

        Returns
        -------
        error : NotImplementedError
            Naming the plugin's class and the method to write.
        """
        what = "it"
        if instead is not None:
            what = f"it, or {contract_signature(instead, self._contract[instead])},"
        return NotImplementedError(
            f"{self.kind.capitalize()} {type(self).__name__} has no "
            f"{contract_signature(method, self._contract[method])}: write {what} to train with it."
        )

    @classmethod
    def check_contract(cls):
        """Refuse a class whose methods cannot be called as the engine calls them.

        Raises
        ------
        TypeError
            Naming the method, the signature it has and the one the
            contract expects.
        """
        methods = tuple(getattr(cls, name, None) for name in (*cls._contract, *cls._retired))
        _checked_once(cls, methods)

    @classmethod
    def _check_contract(cls):
        for method, replacement in cls._retired.items():
            if any(method in vars(klass) for klass in cls.__mro__[: base_index(cls)]):
                raise TypeError(
                    f"{cls.__name__} defines {method}(), which sknielsen no longer calls "
                    f"(since 0.2.0, see CHANGELOG.md): {replacement}"
                )
        for method in cls._required:
            if all(method not in vars(klass) for klass in cls.__mro__[: base_index(cls)]):
                raise TypeError(
                    f"{cls.__name__} must define {_expected(method, cls._contract[method])}."
                )
        for method, call in cls._contract.items():
            try:
                signature = inspect.signature(getattr(cls, method))
            except (TypeError, ValueError):  # a builtin without a signature: trusted
                continue
            # The engine calls the method on an instance: a plain function gets the
            # instance first, a staticmethod nothing, a classmethod (bound here) its class.
            decorator = _decorator(cls, method)
            instance = () if decorator else (None,)
            if not _binds(signature, *instance, *call[0], keywords=call[1]):
                raise TypeError(_contract_error(cls, method, call, signature, decorator))

    def kernel_spec(self):
        """Declare how an engine can run this plugin natively, or None when it cannot.

        Only a class that declares ``kernel`` in its own body has a spec: a
        subclass may change the maths, so it runs on the NumPy engine
        unless it declares a kernel too. An engine runs the kernel only when
        it reads exactly the spec's hyper-parameters (a ReLU subclass with a
        ``leak`` of its own cannot declare the ReLU's kernel, which would
        train without it).

        Returns
        -------
        spec : KernelSpec or None
            The kind, the rule's name and the hyper-parameters.
        """
        declared = type(self).__dict__.get("kernel")
        if declared is None:
            return None
        return KernelSpec(self.kind, declared, self.get_params())

    def _describe(self):
        if self.name is None:  # an instance of a class never registered
            return f"{self.kind} {type(self).__name__}"
        return f"{self.kind} {self.name!r} ({type(self).__name__})"


class Activation(Plugin):
    """An activation function σ, applied to weighted inputs ``z``.

    Subclasses implement :meth:`fn` and :meth:`derivative`. Activations that
    are not element-wise (softmax) override :meth:`backward` instead.

    Examples
    --------
    The softsign ``σ(z) = z / (1 + |z|)``, whose derivative ``(1 − |a|)²``
    is cheaper from the activations than from ``z``:

    >>> import numpy as np
    >>> from sknielsen.plugins import Activation
    >>> class Softsign(Activation):
    ...     output_range = (-1.0, 1.0)
    ...
    ...     def fn(self, z, out=None):
    ...         return np.divide(z, 1.0 + np.abs(z), out=out)
    ...
    ...     def derivative(self, z, a):
    ...         return (1.0 - np.abs(a)) ** 2
    >>> softsign = Softsign()
    >>> z = np.array([[-3.0, 0.0, 1.0]])
    >>> a = softsign.fn(z)
    >>> print(a)
    [[-0.75  0.    0.5 ]]
    >>> print(softsign.backward(np.ones_like(z), z, a))  # backprop's δ ⊙ σ'(z)
    [[0.0625 1.     0.25  ]]

    An instance goes wherever a name does, here the hidden neurons:

    >>> from sklearn.datasets import load_digits
    >>> from sknielsen import NielsenMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> net = NielsenMLPClassifier((10,), activation=softsign, epochs=1, random_state=0)
    >>> net.fit(X / 16, y).activation_
    Softsign()
    """

    kind = "activation"
    #: Range of the outputs, used to turn outputs into probabilities.
    output_range = (-np.inf, np.inf)
    _contract = {
        "fn": (("z",), ("out",)),
        "derivative": (("z", "a"), ()),
        "backward": (("delta", "z", "a"), ()),
    }
    _required = ("fn",)
    _shortcuts = {"backward": ("derivative",)}

    def fn(self, z, out=None):
        """Return σ(z), written into ``out`` when given.

        Parameters
        ----------
        z : ndarray of shape (n_samples, n_neurons)
            Weighted inputs.
        out : ndarray, optional
            Where to write the result; shaped like ``z``.

        Returns
        -------
        a : ndarray of shape (n_samples, n_neurons)
            The activations.
        """
        raise self._not_written("fn")

    def derivative(self, z, a):
        """Return σ'(z) as a new array.

        Parameters
        ----------
        z : ndarray of shape (n_samples, n_neurons)
            Weighted inputs.
        a : ndarray of shape (n_samples, n_neurons)
            The activations σ(z), often cheaper to use.

        Returns
        -------
        derivative : ndarray of shape (n_samples, n_neurons)
            The derivative σ'(z).
        """
        raise self._not_written("derivative", instead="backward")

    def backward(self, delta, z, a):
        """Multiply ``delta`` by the derivative of σ, in place.

        This is the vector-Jacobian product ``δ ← δ ⊙ σ'(z)`` of backprop
        (BP2). ``z`` is scratch space afterwards and may be overwritten.

        Parameters
        ----------
        delta : ndarray of shape (n_samples, n_neurons)
            ∂C/∂a, overwritten with ∂C/∂z.
        z : ndarray of shape (n_samples, n_neurons)
            Weighted inputs.
        a : ndarray of shape (n_samples, n_neurons)
            The activations σ(z).

        Returns
        -------
        delta : ndarray
            The same array, changed in place.
        """
        derivative = self.derivative(z, a)
        delta *= returned_array(
            self, "derivative", derivative, delta.shape, "the shape of z", delta.dtype
        )
        return delta


class Cost(Plugin):
    """A cost C(a, y) of the network's outputs ``a`` against targets ``y``.

    Subclasses implement :meth:`fn` (per-sample costs) and :meth:`gradient`
    (∂C/∂a). The output error :meth:`delta` (δᴸ = ∂C/∂zᴸ) is owned by the
    cost: the default chains :meth:`gradient` through the output activation,
    and costs override it where the book gives a simpler exact form.

    Examples
    --------
    The absolute-error cost ``C = Σⱼ |aⱼ − yⱼ|``: :meth:`fn` and
    :meth:`gradient` are enough, the default :meth:`delta` multiplies ∂C/∂a
    by σ'(z):

    >>> import numpy as np
    >>> from sknielsen.plugins import Cost, Sigmoid
    >>> class AbsoluteCost(Cost):
    ...     def fn(self, a, y):
    ...         return np.abs(a - y).sum(axis=1)
    ...
    ...     def gradient(self, a, y):
    ...         return np.sign(a - y)
    >>> cost, sigmoid = AbsoluteCost(), Sigmoid()
    >>> z, y = np.zeros((1, 2)), np.array([[1.0, 0.0]])
    >>> a = sigmoid.fn(z)
    >>> cost.fn(a, y)
    array([1.])
    >>> cost.delta(z, a, y, sigmoid)  # sgn(a − y) σ'(0), with σ'(0) = 1/4
    array([[-0.25,  0.25]])

    Unregistered, it trains on the NumPy engine (the compiled one runs only
    the costs it has kernels for):

    >>> from sklearn.datasets import load_digits
    >>> from sknielsen import NielsenMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> net = NielsenMLPClassifier((10,), cost=cost, epochs=2, random_state=0).fit(X / 16, y)
    >>> net.engine_, net.loss_curve_[1] < net.loss_curve_[0]
    ('numpy', True)
    """

    kind = "cost"
    #: Name of the output activation the cost is designed for.
    output_activation = "sigmoid"
    #: Names of the output activations the cost may be paired with.
    output_activations = ("sigmoid",)
    _contract = {
        "fn": (("a", "y"), ()),
        "gradient": (("a", "y"), ()),
        "delta": (("z", "a", "y", "activation"), ("out",)),
    }
    _required = ("fn",)
    _shortcuts = {"delta": ("gradient",)}

    def fn(self, a, y):
        """Return the cost of each sample.

        Parameters
        ----------
        a : ndarray of shape (n_samples, n_outputs)
            Activations of the output layer.
        y : ndarray of shape (n_samples, n_outputs)
            Targets.

        Returns
        -------
        cost : ndarray of shape (n_samples,)
            The cost of each sample.
        """
        raise self._not_written("fn")

    def gradient(self, a, y):
        """Return ∂C/∂a, the gradient with respect to the outputs.

        Parameters
        ----------
        a : ndarray of shape (n_samples, n_outputs)
            Activations of the output layer.
        y : ndarray of shape (n_samples, n_outputs)
            Targets.

        Returns
        -------
        gradient : ndarray of shape (n_samples, n_outputs)
            ∂C/∂a of each sample.
        """
        raise self._not_written("gradient", instead="delta")

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
            The output error of each sample.
        """
        grad = self.gradient(a, y)
        grad = returned_array(self, "gradient", grad, a.shape, "the outputs' shape", a.dtype)
        if out is not None:
            out[...] = grad
            grad = out
        return activation.backward(grad, z, a)


class Regularizer(Plugin):
    """A penalty on the weights (never the biases), scaled by λ/n as in the book.

    Examples
    --------
    An elastic net, ``(λ/n) [ρ Σ|w| + (1 − ρ) Σw²/2]``, mixing L1 and L2 by
    its hyper-parameter ρ:

    >>> import numpy as np
    >>> from sknielsen.plugins import Regularizer
    >>> class ElasticNet(Regularizer):
    ...     def __init__(self, l1_ratio=0.5):
    ...         self.l1_ratio = l1_ratio
    ...
    ...     def penalty(self, weights, lmbda, n):
    ...         l1, l2 = np.abs(weights).sum(), 0.5 * (weights**2).sum()
    ...         return lmbda / n * float(self.l1_ratio * l1 + (1 - self.l1_ratio) * l2)
    ...
    ...     def gradient(self, weights, lmbda, n, out):
    ...         np.sign(weights, out=out)
    ...         out *= self.l1_ratio
    ...         out += (1 - self.l1_ratio) * weights
    ...         out *= lmbda / n
    ...         return out
    >>> elastic = ElasticNet(l1_ratio=0.5)
    >>> weights = np.array([2.0, -1.0, 0.0])
    >>> round(elastic.penalty(weights, lmbda=1.0, n=10), 4)
    0.275
    >>> print(np.round(elastic.gradient(weights, 1.0, 10, np.empty(3)), 4))
    [ 0.15 -0.1   0.  ]
    >>> print(elastic.decay_factor(eta=0.5, lmbda=1.0, n=10))  # not a weight decay
    None
    """

    kind = "regularizer"
    _contract = {
        "penalty": (("weights", "lmbda", "n"), ()),
        "gradient": (("weights", "lmbda", "n"), ("out",)),
        "decay_factor": (("eta", "lmbda", "n"), ()),
    }
    _required = ("penalty", "gradient")
    _shortcuts = {"decay_factor": ("gradient",)}

    def penalty(self, weights, lmbda, n):
        """Return the penalty term added to the cost.

        Parameters
        ----------
        weights : ndarray
            Every weight of the network, in one flat array.
        lmbda : float
            The regularization parameter λ.
        n : int
            Size of the training set (the book's λ/n scaling).

        Returns
        -------
        penalty : float
            The term added to the mean cost.
        """
        raise self._not_written("penalty")

    def gradient(self, weights, lmbda, n, out):
        """Write the penalty's gradient into ``out`` and return it.

        ``out`` is scratch space shaped like ``weights``, so that a training
        step allocates nothing. Return None when the gradient is zero (no
        penalty, or λ = 0): the engine then skips adding it.

        Parameters
        ----------
        weights : ndarray
            Every weight of the network, in one flat array.
        lmbda : float
            The regularization parameter λ.
        n : int
            Size of the training set.
        out : ndarray
            Scratch space shaped like ``weights``.

        Returns
        -------
        gradient : ndarray or None
            ``out`` holding the gradient, or None when it is zero.
        """
        raise self._not_written("gradient")

    def decay_factor(self, eta, lmbda, n):
        """The factor by which a plain gradient step of size η scales every weight.

        When the penalty's gradient is a multiple of the weights (L2:
        (λ/n)·w), the step w ← w − η(∂C₀/∂w + (λ/n)w) is the book's weight
        decay w ← (1 − ηλ/n)·w − η∂C₀/∂w, which plain SGD applies in one pass
        over the weights. Return None when the penalty has no such form.

        Parameters
        ----------
        eta : float
            The learning rate η.
        lmbda : float
            The regularization parameter λ.
        n : int
            Size of the training set.

        Returns
        -------
        factor : float or None
            The factor, 1 − ηλ/n for L2, or None.
        """
        return None


class Initializer(Plugin):
    """Draws the starting weights and biases of one layer.

    Examples
    --------
    The book's default weights, N(0, 1/n_in), with biases starting at zero:

    >>> import numpy as np
    >>> from sknielsen.plugins import Initializer
    >>> class ZeroBiases(Initializer):
    ...     def __call__(self, fan_in, fan_out, rng, dtype):
    ...         weights = rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)
    ...         return weights.astype(dtype), np.zeros(fan_out, dtype=dtype)
    >>> weights, biases = ZeroBiases()(4, 3, np.random.default_rng(0), np.float32)
    >>> weights.shape, weights.dtype, biases
    ((4, 3), dtype('float32'), array([0., 0., 0.], dtype=float32))

    The estimator calls it once per layer, with its own generator:

    >>> from sknielsen import NielsenMLPClassifier
    >>> NielsenMLPClassifier(initializer=ZeroBiases(), random_state=0)
    NielsenMLPClassifier(initializer=ZeroBiases(), random_state=0)
    """

    kind = "initializer"
    _contract = {"__call__": (("fan_in", "fan_out", "rng", "dtype"), ())}
    _required = ("__call__",)

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

        Returns
        -------
        weights : ndarray of shape (fan_in, fan_out)
            The layer's starting weights.
        biases : ndarray of shape (fan_out,)
            The layer's starting biases.
        """
        raise self._not_written("__call__")


class Optimizer(Plugin):
    """A per-step gradient rule, in the spirit of optax: ``init`` and ``update`` only.

    ``init(params)`` makes the state (1-D arrays of numbers by name) and
    ``update(grads, state, params)`` returns ``(updates, state)``; the
    training loop then adds ``updates`` to ``params``. ``params`` and
    ``grads`` are one flat 1-D array holding every weight and bias of the
    network, so an optimizer does not need to know the network's shape.
    ``grads`` already holds the penalty's gradient, or the loop has applied
    the regularizer's decay to the weights (see ``decouples_decay``).

    The learning rate lives in the state as ``state["eta"]`` (a float),
    which the training loop adds to what :meth:`init` returns: a schedule
    changes η by writing it there, and a saved model keeps it.

    Examples
    --------
    signSGD, w ← w − η sgn(∇C): each parameter moves by η, however large or
    small its gradient:

    >>> import numpy as np
    >>> from sknielsen.plugins import Optimizer
    >>> class SignSGD(Optimizer):
    ...     def update(self, grads, state, params):
    ...         np.sign(grads, out=grads)
    ...         grads *= -state["eta"]
    ...         return grads, state
    >>> sign_sgd, params = SignSGD(), np.zeros(3)
    >>> state = {**sign_sgd.init(params), "eta": 0.1}  # the loop adds "eta"
    >>> updates, state = sign_sgd.update(np.array([30.0, -0.01, 0.5]), state, params)
    >>> updates
    array([-0.1,  0.1, -0.1])

    In the estimator, η is its ``eta``:

    >>> from sklearn.datasets import load_digits
    >>> from sknielsen import NielsenMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> net = NielsenMLPClassifier((10,), optimizer=sign_sgd, eta=0.01, epochs=2, random_state=0)
    >>> net.fit(X / 16, y).n_iter_
    2
    """

    kind = "optimizer"
    #: True when ``update`` is exactly −η·grads. The gradient step of an L2
    #: penalty is then the book's decay w ← (1 − ηλ/n)w, which the loop
    #: applies to the weights directly, one pass instead of two.
    decouples_decay = False
    #: False for a rule that chooses its own step sizes and never reads
    #: ``state["eta"]``: a callback's change of η is then warned about, since
    #: it would do nothing.
    reads_eta = True
    _contract = {"init": (("params",), ()), "update": (("grads", "state", "params"), ())}
    _required = ("update",)
    _shortcuts = {"decouples_decay": ("update",)}
    _retired = {
        "step": "the loop applies the penalty and the updates; implement "
        "update(self, grads, state, params) -> (updates, state) only."
    }

    def init(self, params):
        """Return the initial state for ``params`` (``eta`` is added by the loop).

        The place to refuse, with a ``ValueError``, a hyper-parameter that
        ``params``' dtype cannot hold (Adam's ``epsilon`` of 1e-50 is 0 in
        float32): ``fit`` calls it before training, and the training loop
        again, on one parameter of the run's dtype, after a callback changes
        the hyper-parameters.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            Every weight and bias of the network, in one flat array.

        Returns
        -------
        state : dict
            Plain arrays (a velocity, say); empty for plain SGD.
        """
        return {}

    def update(self, grads, state, params):
        """Return ``(updates, new_state)``, reading η from ``state["eta"]``.

        ``grads`` belongs to the engine's scratch space: an optimizer may
        overwrite it and return it as ``updates``.

        Parameters
        ----------
        grads : ndarray of shape (n_params,)
            The gradient of the regularized cost (or of the cost alone, the
            regularizer's decay applied to the weights, with ``decouples_decay``).
        state : dict
            The state, with the current η in ``state["eta"]``.
        params : ndarray of shape (n_params,)
            The current parameters.

        Returns
        -------
        updates : ndarray of shape (n_params,)
            What the loop adds to ``params``.
        new_state : dict
            The state for the next step.
        """
        raise self._not_written("update")

    def state_problem(self, state):
        """What is wrong with ``state`` for :meth:`update`, or None.

        The training loop asks after every callback call, which may write
        into the state: a value no step could have left there (a negative
        step count, say) is then refused, naming the callback, instead of
        failing inside :meth:`update` or training on silently. Called once
        per mini-batch when a callback watches mini-batches, so a check
        should cost little next to a step; none by default.

        Parameters
        ----------
        state : dict
            The optimizer's state, as :meth:`init` made it and
            :meth:`update` keeps it.

        Returns
        -------
        problem : str or None
            A description ("its step count is -1e+300; ...") or None.
        """
        return None


class Solver(Plugin):
    """A full-batch optimizer: it minimizes the cost over the whole training set.

    Solvers (Newton's method, L-BFGS) are driven once per training run by
    :meth:`minimize` instead of once per mini-batch. Each iteration counts
    as an epoch: callbacks run after it and may change η (in
    ``state["eta"]``) or stop training. They are registered, and chosen, as
    the ``optimizer`` kind. They train on dense input only: a fit with one
    refuses a sparse ``X`` (:class:`~sknielsen.utils.SparseInputError`).

    Examples
    --------
    Full-batch gradient descent, one step w ← w − η∇C per epoch:

    >>> from sklearn.datasets import load_digits
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.plugins import Solver
    >>> class GradientDescent(Solver):
    ...     def minimize(self, objective, params, state, iterations, iteration_done):
    ...         for _ in range(iterations):
    ...             params -= state["eta"] * objective.gradient(params)
    ...             iteration_done()  # no cost known at the new params: the loop finds it
    ...         return state
    >>> X, y = load_digits(return_X_y=True)
    >>> net = NielsenMLPClassifier((10,), optimizer=GradientDescent(), eta=2.0, epochs=5)
    >>> net.set_params(random_state=0).fit(X / 16, y)
    NielsenMLPClassifier(epochs=5, eta=2.0, hidden_layer_sizes=(10,),
                         optimizer=GradientDescent(), random_state=0)
    >>> len(net.loss_curve_), net.loss_curve_[-1] < net.loss_curve_[0]
    (5, True)
    """

    kind = "optimizer"
    #: False for a solver that chooses its own step sizes (L-BFGS's line
    #: search) and never reads ``state["eta"]``: a callback's change of η is
    #: then warned about, since it would do nothing.
    reads_eta = True
    _contract = {
        "init": (("params",), ()),
        "minimize": (("objective", "params", "state", "iterations", "iteration_done"), ()),
    }
    _required = ("minimize",)

    def init(self, params):
        """Return the initial state for ``params`` (``eta`` is added by the loop).

        The place to refuse, with a ``ValueError``, a hyper-parameter these
        ``params`` cannot have (Newton's ``max_params`` below their size):
        ``fit`` calls it before training, and the training loop again, on
        the network's parameters, after a callback changes the
        hyper-parameters.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            Every weight and bias of the network, in one flat array.

        Returns
        -------
        state : dict
            Plain arrays the solver keeps between fits; often empty.
        """
        return {}

    def minimize(self, objective, params, state, iterations, iteration_done):
        """Minimize ``objective`` for up to ``iterations`` iterations, in place on ``params``.

        Parameters
        ----------
        objective : FullBatchObjective
            ``objective.value_and_gradient(p)``, ``objective.value(p)`` and
            ``objective.gradient(p)`` give the regularized cost over the
            whole training set and its gradient at the flat parameters ``p``.
        params : ndarray
            The network's flat parameters, updated in place.
        state : dict
            From :meth:`init`, with the current η in ``state["eta"]``; read
            it at every iteration, since callbacks may change it.
        iterations : int
            Most iterations to run.
        iteration_done : callable
            Call ``iteration_done(cost)`` after each iteration, once
            ``params`` holds its result, with the cost there if known (else
            no argument); it raises ``StopTraining`` when training must stop.
            It counts, records and keeps the epochs: a call beyond
            ``iterations``, or weights changed without a call, is a
            ``TypeError`` naming the class.

        Returns
        -------
        state : dict
            The state after the last iteration.
        """
        raise self._not_written("minimize")

    def state_problem(self, state):
        """What is wrong with ``state`` for :meth:`minimize`, or None.

        As :meth:`Optimizer.state_problem`: the training loop asks after
        every callback call, which may write into the state between two
        iterations (Newton's damping, say); a value no iteration could have
        left is refused, naming the callback, instead of stalling training
        or failing inside :meth:`minimize`. None by default.

        Parameters
        ----------
        state : dict
            The solver's state, as :meth:`init` made it and :meth:`minimize`
            keeps it.

        Returns
        -------
        problem : str or None
            A description ("Newton's damping at -1.0: ...") or None.
        """
        return None


class Augmenter(Plugin):
    """Distorts a mini-batch of images, to expand the training data (chapter 3).

    ``__call__(images, rng)`` takes an array of shape (batch, height, width)
    and returns a new array of the same shape and dtype; it never changes its
    input. Every call draws new distortions from ``rng``.

    Examples
    --------
    Random brightness: each image scaled by a factor drawn in [``low``, 1]:

    >>> import numpy as np
    >>> from sknielsen.plugins import Augmenter
    >>> class Brightness(Augmenter):
    ...     def __init__(self, low=0.5):
    ...         self.low = low
    ...
    ...     def __call__(self, images, rng):
    ...         factors = rng.uniform(self.low, 1.0, size=(len(images), 1, 1))
    ...         return (images * factors).astype(images.dtype)
    >>> images = np.ones((2, 2, 2))
    >>> print(np.round(Brightness()(images, np.random.default_rng(0)), 2))
    [[[0.82 0.82]
      [0.82 0.82]]
    <BLANKLINE>
     [[0.63 0.63]
      [0.63 0.63]]]

    The estimator distorts every mini-batch anew; 8 × 8 digits are square,
    so it needs no ``image_shape``:

    >>> from sklearn.datasets import load_digits
    >>> from sknielsen import NielsenMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> net = NielsenMLPClassifier((10,), augment=Brightness(low=0.8), epochs=1)
    >>> net.set_params(random_state=0).fit(X / 16, y).n_iter_
    1
    """

    kind = "augmenter"
    _contract = {"__call__": (("images", "rng"), ())}
    _required = ("__call__",)

    def __call__(self, images, rng):
        """Return new distortions of ``images``, drawn from ``rng``.

        Parameters
        ----------
        images : ndarray of shape (batch, height, width)
            A mini-batch of images; never changed.
        rng : numpy.random.Generator
            Source of randomness; the only one an augmenter may use.

        Returns
        -------
        distorted : ndarray of shape (batch, height, width)
            New images, of the dtype of ``images``.
        """
        raise self._not_written("__call__")


#: The base classes of each kind: an ``optimizer`` is a per-step Optimizer or a Solver.
BASES = {
    "cost": (Cost,),
    "activation": (Activation,),
    "regularizer": (Regularizer,),
    "initializer": (Initializer,),
    "optimizer": (Optimizer, Solver),
    "augmenter": (Augmenter,),
}


@functools.lru_cache(maxsize=1024)
def _checked_once(cls, methods):
    """Check a class once for the methods it has: each fit asks again (``methods`` is the key)."""
    cls._check_contract()


def computes_as(plugin, cls):
    """Whether ``plugin`` computes exactly as ``cls``: every method of the contract is cls's.

    A cost's exact δᴸ for sigmoid outputs holds for the sigmoid, not for a
    subclass that changed ``fn`` or ``derivative``, which an ``isinstance``
    test would also accept.

    Parameters
    ----------
    plugin : Plugin
    cls : type
        A plugin class.

    Returns
    -------
    same : bool
    """
    return _same_methods(type(plugin), cls)


@functools.lru_cache(maxsize=256)
def _same_methods(kind, cls):
    """:func:`computes_as` for a class: asked at every mini-batch, answered once per pair."""
    return all(getattr(kind, m, None) is getattr(cls, m, None) for m in cls._contract)


def base_index(cls):
    """Where the kind's base class (Optimizer, Cost, ...) starts in ``cls``'s MRO."""
    bases = [base for kind in BASES.values() for base in kind]
    return next(i for i, klass in enumerate(cls.__mro__) if klass in bases)


def _expected(method, call):
    """``update(self, grads, state, params)``: how the contract calls ``method``."""
    arguments, keywords = call
    return f"{method}({', '.join(('self', *arguments, *(f'{k}=...' for k in keywords)))})"


def contract_signature(method, call):
    """``delta(z, a, y, activation, out=None)``: the signature a plugin writes, without self."""
    arguments, keywords = call
    return f"{method}({', '.join((*arguments, *(f'{k}=None' for k in keywords)))})"


def _decorator(cls, method):
    """``'staticmethod'`` or ``'classmethod'`` when ``method`` is one in ``cls``, else ''."""
    defined = inspect.getattr_static(cls, method, None)
    return next((d.__name__ for d in (staticmethod, classmethod) if isinstance(defined, d)), "")


def _binds(signature, *arguments, keywords=()):
    """Whether a function of ``signature`` can be called with these arguments and keywords."""
    try:
        signature.bind(*arguments, **dict.fromkeys(keywords))
    except TypeError:
        return False
    return True


def _contract_error(cls, method, call, signature, decorator):
    """The message of a method the engine cannot call as ``call`` says."""
    name = f"{cls.__name__}.{method}"
    if decorator:
        static = decorator == "staticmethod"
        return (
            f"{name} is a {decorator}, called {'without self' if static else 'with its class'}"
            f"; its parameters {signature} do not match the {cls.kind} contract: the engine "
            f"calls {contract_signature(method, call)} on the instance. Give it those parameters"
            f"{'' if static else ' after cls'}, or make it a method of the instance."
        )
    message = (
        f"{name}{signature} does not match the {cls.kind} contract: the engine calls "
        f"{_expected(method, call)}"
    )
    # The 0.1 optimizer contract passed the learning rate as an argument of its own.
    takes_eta = _binds(signature, None, *call[0], None, keywords=call[1])
    if issubclass(cls, Optimizer) and method == "update" and takes_eta:
        return (
            f"{message}, which returns (updates, state); the learning rate is state['eta'], "
            "no longer an argument (since 0.2.0, see CHANGELOG.md)."
        )
    return f"{message}."
