"""What a plugin's methods return, checked where the engines and the loop use it.

A plugin written outside the package can return a list, a number, an array
of another shape, or a new array instead of writing into the ``out`` buffer
it was given. NumPy broadcasts most of these without a word, and a network
would train on wrong numbers: an activation that ignores ``out`` leaves the
engine reading a buffer it never wrote. Every result passes through one of
these functions, which cost an identity or a shape and dtype comparison when
it is right and otherwise raise an error naming the plugin's class, the
method and what was expected.

An array in a narrower dtype than the model's (a plugin computing in float32
inside a float64 model) is refused too: it would train on float32's seven
digits without a word, and finite differences of such a cost differ from its
exact gradient by far more than its error. A wider one (float64 in a float32
model, which NumPy gives for ``np.where(y > 0.5, 1.0, -1.0)``) loses nothing
the model keeps: it is rounded to the model's dtype.
"""

from collections.abc import Mapping
from numbers import Real

import numpy as np


def returned_array(plugin, method, result, shape, meaning, dtype):
    """Return ``result`` as a floating-point ndarray of ``shape`` and ``dtype``.

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
    dtype : numpy dtype
        The model's dtype. A result of a wider floating-point dtype is
        returned rounded to it (a copy).

    Returns
    -------
    result : ndarray

    Raises
    ------
    TypeError
        When ``result`` is not an ndarray of floating-point numbers, or its
        dtype cannot hold the model's numbers (float32 in a float64 model).
    ValueError
        When it has another shape.
    """
    # The one comparison of a right result: a dtype's equality costs no more than its kind's.
    if isinstance(result, np.ndarray) and result.dtype == dtype and result.shape == shape:
        return result
    if not _is_float_array(result) or result.shape != shape:
        error = ValueError if _is_float_array(result) else TypeError
        raise error(
            f"{_name(plugin, method)} returned {_describe(result)}; expected a floating-point "
            f"ndarray of shape {shape}, {meaning}."
        )
    _refuse_narrower(plugin, method, result, dtype)
    return result.astype(dtype)


def into_buffer(plugin, method, result, buffer, meaning):
    """Make ``buffer`` hold ``result``: a method given ``out`` may return a new array.

    Returns ``buffer``; see :func:`returned_array` for what is refused.
    """
    if result is not buffer:
        buffer[...] = returned_array(plugin, method, result, buffer.shape, meaning, buffer.dtype)
    return buffer


def returned_number(plugin, method, result, *, optional=False, dtype=None):
    """Return ``result`` as a float when it is a real number (or None, when ``optional``).

    A NumPy floating-point scalar narrower than ``dtype``, the model's, is
    refused as :func:`returned_array` refuses an array.
    """
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
    if dtype is not None and isinstance(result, (np.floating, np.ndarray)):
        _refuse_narrower(plugin, method, result, dtype)
    return float(result)


#: What the training loop keeps in an optimizer's state beside the optimizer's own arrays.
LOOP_KEYS = ("eta", "eta0")


def returned_state(plugin, method, result, layout=None, dtype=None):
    """Return ``result`` when it is an optimizer's state: 1-D arrays of numbers by name.

    The model file keeps them (Adam's count is an array of one number), so
    any other value would train, then make the model unsavable. ``init``
    may not return the loop's own keys: an ``eta`` of its own replaced the
    estimator's. ``layout``, the ``(shape, dtype)`` of each array before
    ``update``, is what its arrays must keep (a callback's change of one
    was refused naming the callback, and so was the optimizer's own); an
    ``update`` without one is not checked (the package's own optimizers).
    ``dtype``, the parameters' given to ``init``, refuses floating-point
    arrays that cannot hold them (a float32 velocity of float64 weights); a
    wider one (a float64 count of float32 weights) is kept.
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
            shape, kept = layout[key]
            raise ValueError(
                f"{_name(plugin, method)} returned state[{key!r}] as {_describe(value)}, "
                f"where it was of shape {shape} and dtype {kept}: an optimizer's arrays "
                "keep the shape and dtype init gave them."
            )
        if dtype is not None:
            _refuse_narrower(plugin, method, value, dtype, f"state[{key!r}] as ")
        if method == "init" and not np.isfinite(value).all():
            raise ValueError(
                f"{_name(plugin, method)} returned state[{key!r}] holding NaN or infinite values."
            )
    return result


def state_layout(state):
    """The ``(shape, dtype)`` of each array of an optimizer's state, for :func:`returned_state`."""
    return {k: (v.shape, v.dtype) for k, v in state.items() if isinstance(v, np.ndarray)}


def returned_update(plugin, result, params, layout=None):
    """Return the pair ``(updates, state)`` an optimizer's ``update`` must give.

    The updates have the shape and dtype of ``params``. ``layout`` is the
    state's before the update, or None for the package's own optimizers,
    whose state is not checked (see :func:`returned_state`).
    """
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError(
            f"{_name(plugin, 'update')} returned {_describe(result)}; expected the pair "
            "(updates, state)."
        )
    meaning = "one update for each of the network's parameters"
    updates = returned_array(plugin, "update", result[0], params.shape, meaning, params.dtype)
    return updates, returned_state(plugin, "update", result[1], layout)


def returned_layer(plugin, result, fan_in, fan_out, dtype):
    """Return an initializer's ``(weights, biases)``: finite, of the layer's shapes and dtype."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError(
            f"{_name(plugin, '__call__')} returned {_describe(result)}; expected the pair "
            "(weights, biases)."
        )
    weights = returned_array(
        plugin, "__call__", result[0], (fan_in, fan_out), "(fan_in, fan_out) for the weights", dtype
    )
    biases = returned_array(
        plugin, "__call__", result[1], (fan_out,), "(fan_out,) for the biases", dtype
    )
    if not (np.isfinite(weights).all() and np.isfinite(biases).all()):
        raise ValueError(
            f"{_name(plugin, '__call__')} returned weights or biases that are not finite."
        )
    return weights, biases


def with_article(word):
    """``word`` after its indefinite article, for messages: 'an optimizer', 'a list'."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _refuse_narrower(plugin, method, result, dtype, returned=""):
    """Refuse a floating-point ``result`` whose dtype cannot hold the model's ``dtype``.

    ``returned`` says which part of the method's result it is ("state['v'] as ").
    """
    if result.dtype.kind == "f" and not np.can_cast(dtype, result.dtype):
        suggestion = ", or train with dtype='float32'" * (result.dtype == np.float32)
        model = np.dtype(dtype)
        raise TypeError(
            f"{_name(plugin, method)} returned {returned}{_describe(result)} in a {model} "
            f"network, which would train on {result.dtype}'s precision: compute in the dtype "
            f"of the arrays it is given{suggestion}."
        )


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
