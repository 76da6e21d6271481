"""Derivatives a plugin inherits, checked against the function it redefines.

A subclass of :class:`~sknielsen.plugins.Sigmoid` whose ``fn`` is σ(2z), and
nothing else, inherits ``derivative`` and ``backward``: a(1 − a), half the
slope of its function, and a network trained with it follows a wrong gradient
without a word. A class's source cannot tell a new function from the same one
written anew (``super().fn(z)`` with an extra keyword), so the check is
numerical: when a fit starts, a plugin whose class redefines the function of
its kind but inherits every method that differentiates it is compared with
central differences of the new function at a few fixed points, in float64.
A class that redefines both, or neither, is not evaluated.
"""

import threading
from typing import NamedTuple

import numpy as np

from .._core.params import is_builtin
from ._activations import Softmax
from ._base import Activation, Cost, Regularizer, base_index, contract_signature
from ._registry import get
from ._returns import returned_array, returned_number

#: The step of the central differences: its truncation error (≈ step² f‴) and its
#: rounding error (≈ 1e-16 f / step) both stay near 1e-11 for functions of order one.
_STEP = 1e-5
#: How far an inherited slope may be from the finite difference: far looser than the
#: differences' own error, so that only a derivative of another function is refused.
_RTOL, _ATOL = 1e-3, 1e-6

_draw = np.random.default_rng(0)
# Drawn, not evenly spaced: round numbers are where functions have kinks (0 for
# ReLU, ±1 for a hard tanh), at which no derivative is wrong.
_Z = _draw.uniform(-3.0, 3.0, size=(2, 8))
# Backward is a product with δ; unequal weights keep a softmax's slopes from summing to 0.
_DELTA = _draw.uniform(0.5, 1.5, size=(2, 8))
_OUTPUTS = _draw.uniform(0.05, 0.95, size=(2, 8))  # where every cost is defined
_TARGETS = np.eye(8)[[1, 6]]
_WEIGHTS = _draw.uniform(-2.0, 2.0, size=16)


def _central_differences(function, points, entry):
    """∂Σf/∂x for every entry x of ``points``, ``function`` giving the array f.

    ``entry(index)`` is the entry of f that the point at ``index`` belongs to (its
    sample, for a cost). The slope there is NaN where that entry is not finite, and
    the entries not finite elsewhere are left out of the sum: a function undefined at
    some points (a logarithm at z < 0) has its slopes at the others.
    """
    finite = np.isfinite(function(points))
    slopes = np.full_like(points, np.nan)
    for index in np.ndindex(points.shape):
        if not finite[entry(index)]:
            continue
        step = np.zeros_like(points)
        step[index] = _STEP
        difference = function(points + step)[finite] - function(points - step)[finite]
        slopes[index] = difference.sum() / (2 * _STEP)
    return slopes


def _same(index):
    return index


def _sample(index):
    return index[:1]


def _whole(index):
    return ()


def _activation_slopes(activation):
    def weighted(z):
        return _DELTA * returned_array(
            activation, "fn", activation.fn(z), z.shape, "the shape of z", z.dtype
        )

    z = _Z.copy()
    a = activation.fn(z.copy())
    a = returned_array(activation, "fn", a, z.shape, "the shape of z", z.dtype)
    delta = activation.backward(_DELTA.copy(), z.copy(), a)
    delta = returned_array(activation, "backward", delta, z.shape, "the shape of delta", z.dtype)
    # Divided by δ, both are σ'(z) for an element-wise σ.
    return "z", z, delta / _DELTA, _central_differences(weighted, z, _same) / _DELTA


def _cost_slopes(cost):
    def costs(a):
        values = cost.fn(a, _TARGETS.copy())
        return returned_array(cost, "fn", values, a.shape[:1], "one cost per sample", a.dtype)

    if _owner(type(cost), "gradient") < base_index(type(cost)):
        a = _OUTPUTS.copy()
        gradient = cost.gradient(a.copy(), _TARGETS.copy())
        gradient = returned_array(
            cost, "gradient", gradient, a.shape, "the outputs' shape", a.dtype
        )
        return "a", a, gradient, _central_differences(costs, a, _sample)
    # A cost that writes only delta: through the outputs it is made for.
    activation = get("activation", cost.output_activation)
    z = _Z.copy()
    delta = cost.delta(z.copy(), activation.fn(z.copy()), _TARGETS.copy(), activation)
    delta = returned_array(cost, "delta", delta, z.shape, "the outputs' shape", z.dtype)
    return "z", z, delta, _central_differences(lambda z: costs(activation.fn(z)), z, _sample)


def _regularizer_slopes(regularizer):
    lmbda, n = 1.0, 1

    def penalty(weights):
        value = regularizer.penalty(weights, lmbda, n)
        return np.array(returned_number(regularizer, "penalty", value, dtype=weights.dtype))

    weights = _WEIGHTS.copy()
    gradient = regularizer.gradient(weights.copy(), lmbda, n, np.empty_like(weights))
    if gradient is None:  # the contract's "zero"
        gradient = np.zeros_like(weights)
    meaning = "one number for each weight"
    gradient = returned_array(
        regularizer, "gradient", gradient, weights.shape, meaning, weights.dtype
    )
    return "w", weights, gradient, _central_differences(penalty, weights, _whole)


class _Derivative(NamedTuple):
    """A kind's function, the methods that train on its derivative, and how to compare them."""

    function: str
    methods: tuple
    slopes: object


_DERIVATIVES = {
    Activation: _Derivative("fn", ("derivative", "backward"), _activation_slopes),
    Cost: _Derivative("fn", ("gradient", "delta"), _cost_slopes),
    Regularizer: _Derivative("penalty", ("gradient",), _regularizer_slopes),
}

#: Keys of the plugins found right, bounded: a grid search asks at every fit.
_PASSED = {}
_PASSED_SIZE = 1024
_PASSED_LOCK = threading.Lock()


def derivative_problem(plugin):
    """What is wrong with the derivative ``plugin`` inherits, or None.

    Only a plugin whose class redefines its kind's function (``fn``, a
    regularizer's ``penalty``) outside sknielsen, and inherits every method
    that differentiates it, is evaluated; the answer is kept for its class,
    methods and hyper-parameters.

    Parameters
    ----------
    plugin : Plugin

    Returns
    -------
    problem : str or None
        Naming the class, the inherited methods, where they are wrong and
        what to write instead; None when they match.
    """
    cls = type(plugin)
    derivative = next((d for base, d in _DERIVATIVES.items() if isinstance(plugin, base)), None)
    if derivative is None or not _inherits_derivative(cls, derivative):
        return None
    names = (derivative.function, *derivative.methods)
    key = (cls, tuple(getattr(cls, name) for name in names), _parameters_key(plugin))
    with _PASSED_LOCK:
        if key in _PASSED:
            return None
    problem = _compare(plugin, derivative)
    if problem is None and key[2] is not None:
        with _PASSED_LOCK:
            if len(_PASSED) >= _PASSED_SIZE:
                _PASSED.pop(next(iter(_PASSED)))
            _PASSED[key] = None
    return problem


def _owner(cls, name):
    """Where the class defining ``name`` stands in ``cls``'s MRO."""
    return next(i for i, klass in enumerate(cls.__mro__) if name in vars(klass))


def _inherits_derivative(cls, derivative):
    """Whether ``cls`` redefines the function, outside sknielsen, but none of its derivatives.

    Methods of the kind's base class raise "write it": a class that inherits
    only those is told so when it trains.
    """
    function = _owner(cls, derivative.function)
    if is_builtin(cls.__mro__[function]):
        return False  # a built-in: checked by the package's own tests
    nearest = min(_owner(cls, method) for method in derivative.methods)
    return function < nearest < base_index(cls)


def _parameters_key(plugin):
    """The hyper-parameters as a key (they may change the function), or None if unhashable."""
    key = tuple(sorted(plugin.get_params().items()))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _compare(plugin, derivative):
    """The mismatch of the inherited derivative with central differences, described, or None."""
    with np.errstate(all="ignore"):
        name, points, inherited, numeric = derivative.slopes(plugin)
        # Where the function is not finite (outside its domain) there is nothing to compare.
        comparable = np.isfinite(inherited) & np.isfinite(numeric)
        scale = np.maximum(np.abs(inherited), np.abs(numeric))
        excess = np.abs(inherited - numeric) - (_RTOL * scale + _ATOL)
    wrong = comparable & (excess > 0)
    if not wrong.any():
        return None
    worst = np.unravel_index(np.argmax(np.where(wrong, excess, -np.inf)), points.shape)
    cls = type(plugin)
    methods = _writable(cls, derivative)
    return (
        f"{plugin.kind.capitalize()} {cls.__name__} redefines {derivative.function} but "
        f"inherits {_inherited(cls, methods)}: at {name} = {points[worst]:.6g}, the "
        f"inherited slope is {inherited[worst]:.6g} where central differences of "
        f"{cls.__name__}.{derivative.function} give {numeric[worst]:.6g}; training would "
        f"follow a wrong gradient. Define "
        + ", or ".join(contract_signature(method, cls._contract[method]) for method in methods)
        + f"{',' if len(methods) > 1 else ''} in {cls.__name__} too."
    )


#: Methods a built-in class defines only to refuse them, by that class: softmax is not
#: element-wise, so its derivative raises and its Jacobian is applied by backward.
_REFUSED = {"derivative": Softmax}


def _writable(cls, derivative):
    """The methods of ``derivative`` that ``cls`` could write to differentiate its function."""
    return tuple(
        method
        for method in derivative.methods
        if method not in _REFUSED or getattr(cls, method) is not getattr(_REFUSED[method], method)
    )


def _inherited(cls, methods):
    """``derivative and backward from Sigmoid``: the written methods, by the class they are from."""
    base = cls.__mro__[base_index(cls)]
    owners = {}
    for method in methods:
        index = _owner(cls, method)
        # The kind's general form (backward from derivative) is not what the class wrote.
        if getattr(cls, method) is not getattr(base, method):
            owners.setdefault(cls.__mro__[index].__name__, []).append(method)
    return " and ".join(
        f"{' and '.join(methods)} from {owner}" for owner, methods in owners.items()
    )
