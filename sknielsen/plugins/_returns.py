"""What a plugin's methods return, checked where the engines and the loop use it.

A plugin written outside the package can return a list, a number, an array
of another shape, or a new array instead of writing into the ``out`` buffer
it was given. NumPy broadcasts most of these without a word, and a network
would train on wrong numbers: an activation that ignores ``out`` leaves the
engine reading a buffer it never wrote. Every result passes through one of
these functions, which cost an identity or a shape comparison when it is
right and otherwise raise an error naming the plugin's class, the method and
what was expected.
"""

from collections.abc import Mapping
from numbers import Real

import numpy as np


def returned_array(plugin, method, result, shape, meaning):
    """Return ``result`` when it is a floating-point ndarray of ``shape``.

    Parameters
    ----------
    plugin : Plugin
        Whose method returned ``result``.
    method : str
        The method's name, for the message.
    result : object
        What the method returned.
    shape : tuple of int
        The shape the engine needs.
    meaning : str
        What that shape is, for the message ("the shape of z").

    Returns
    -------
    result : ndarray

    Raises
    ------
    TypeError
        When ``result`` is not an ndarray of floating-point numbers.
    ValueError
        When it has another shape.
    """
    if _is_float_array(result) and result.shape == shape:
        return result
    expected = f"expected a floating-point ndarray of shape {shape}, {meaning}"
    error = ValueError if _is_float_array(result) else TypeError
    raise error(f"{_name(plugin, method)} returned {_describe(result)}; {expected}.")


def into_buffer(plugin, method, result, buffer, meaning):
    """Make ``buffer`` hold ``result``: a method given ``out`` may return a new array.

    Returns ``buffer``; see :func:`returned_array` for what is refused.
    """
    if result is not buffer:
        buffer[...] = returned_array(plugin, method, result, buffer.shape, meaning)
    return buffer


def returned_number(plugin, method, result, *, optional=False):
    """Return ``result`` as a float when it is a real number (or None, when ``optional``)."""
    if result is None and optional:
        return None
    is_real = isinstance(result, Real) or (
        isinstance(result, np.ndarray) and result.shape == () and result.dtype.kind in "iuf"
    )
    if not is_real or isinstance(result, (bool, np.bool_)):
        expected = "a real number" + (" or None" if optional else "")
        raise TypeError(
            f"{_name(plugin, method)} returned {_describe(result)}; expected {expected}."
        )
    return float(result)


#: What the training loop keeps in an optimizer's state beside the optimizer's own arrays.
LOOP_KEYS = ("eta", "eta0")


def returned_state(plugin, method, result, layout=None):
    """Return ``result`` when it is an optimizer's state: 1-D arrays of numbers by name.

    The model file keeps them (Adam's count is an array of one number), so
    any other value would train, then make the model unsavable. ``init``
    may not return the loop's own keys: an ``eta`` of its own replaced the
    estimator's. ``layout``, the ``(shape, dtype)`` of each array before
    ``update``, is what its arrays must keep (a callback's change of one
    was refused naming the callback, and so was the optimizer's own); an
    ``update`` without one is not checked (the package's own optimizers).
    """
    if not isinstance(result, Mapping):
        raise TypeError(
            f"{_name(plugin, method)} returned {_describe(result)}; expected the state as a dict."
        )
    if method == "update" and layout is None:
        return result
    taken = [key for key in LOOP_KEYS if key in result] if method == "init" else []
    if taken:
        raise ValueError(
            f"{_name(plugin, method)} returned a state holding {', '.join(map(repr, taken))}, "
            "which the training loop keeps (the estimator's eta): leave it out; update reads "
            "it from the state it is given."
        )
    for key, value in result.items():
        if key in LOOP_KEYS:
            continue
        if not isinstance(key, str):
            raise TypeError(
                f"{_name(plugin, method)} returned a state named by {key!r}: name each array "
                "by a string."
            )
        if not (isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype.kind in "iuf"):
            raise TypeError(
                f"{_name(plugin, method)} returned state[{key!r}] as {_describe(value)}; an "
                "optimizer's state holds 1-D arrays of numbers by name (the parameters' "
                "size, or np.zeros(1) for a count), which the model file keeps."
            )
        if layout is not None and key in layout and layout[key] != (value.shape, value.dtype):
            shape, dtype = layout[key]
            raise ValueError(
                f"{_name(plugin, method)} returned state[{key!r}] as {_describe(value)}, "
                f"where it was of shape {shape} and dtype {dtype}: an optimizer's arrays "
                "keep the shape and dtype init gave them."
            )
        if method == "init" and not np.isfinite(value).all():
            raise ValueError(
                f"{_name(plugin, method)} returned state[{key!r}] holding NaN or infinite values."
            )
    return result


def state_layout(state):
    """The ``(shape, dtype)`` of each array of an optimizer's state, for :func:`returned_state`."""
    return {k: (v.shape, v.dtype) for k, v in state.items() if isinstance(v, np.ndarray)}


def returned_update(plugin, result, shape, layout=None):
    """Return the pair ``(updates, state)`` an optimizer's ``update`` must give.

    ``layout`` is the state's before the update, or None for the package's
    own optimizers, whose state is not checked (see :func:`returned_state`).
    """
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError(
            f"{_name(plugin, 'update')} returned {_describe(result)}; expected the pair "
            "(updates, state)."
        )
    meaning = "one update for each of the network's parameters"
    updates = returned_array(plugin, "update", result[0], shape, meaning)
    return updates, returned_state(plugin, "update", result[1], layout)


def returned_layer(plugin, result, fan_in, fan_out):
    """Return an initializer's ``(weights, biases)`` of one layer, finite and of its shapes."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError(
            f"{_name(plugin, '__call__')} returned {_describe(result)}; expected the pair "
            "(weights, biases)."
        )
    weights = returned_array(
        plugin, "__call__", result[0], (fan_in, fan_out), "(fan_in, fan_out) for the weights"
    )
    biases = returned_array(plugin, "__call__", result[1], (fan_out,), "(fan_out,) for the biases")
    if not (np.isfinite(weights).all() and np.isfinite(biases).all()):
        raise ValueError(
            f"{_name(plugin, '__call__')} returned weights or biases that are not finite."
        )
    return weights, biases


def with_article(word):
    """``word`` after its indefinite article, for messages: 'an optimizer', 'a list'."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _is_float_array(result):
    return isinstance(result, np.ndarray) and result.dtype.kind == "f"


def _name(plugin, method):
    return f"{type(plugin).__name__}.{method}"


def _describe(result):
    """A short description of a returned object: its type, with shape and dtype for arrays."""
    if result is None:
        return "None"
    if isinstance(result, np.ndarray):
        return f"an ndarray of shape {result.shape} and dtype {result.dtype}"
    return with_article(type(result).__name__)
