"""Writing the model file: below the estimators, which checkpoints use.

A saved model is a readable JSON document with a format name and version,
the estimator's name, its full configuration and its fitted state (a
:class:`~sknielsen.training.FittedState`), as :mod:`._schema` declares it.
This module writes it from those plain values, without importing the
estimators, so that a :class:`~sknielsen.callbacks.Checkpoint` can save
during a fit; it first checks the state with the declaration's checks
across fields, so that what it writes is what ``load`` reads back.
Reading is :mod:`._persistence`'s.
"""

import json
import math
from pathlib import Path

import numpy as np

from .. import plugins
from .._core.files import UnsavableModelError, write_text_atomically
from .._core.rules import ModelFileError
from .._core.warn import warn
from ..plugins._returns import with_article
from ._schema import (
    ARRAY_DTYPES,
    FORMAT_NAME,
    FORMAT_VERSION,
    LABEL_KINDS,
    SAVED_CALLBACKS,
    SCALARS,
    check_across,
)


def _plain(value):
    """``value``, a NumPy scalar as the Python one it holds (``np.int64(5)`` as ``5``).

    A grid over ``np.arange`` or ``np.linspace`` sets them; NumPy's strings
    and floats are already ``str`` and ``float``, its integers and float32 not.
    """
    return value.item() if isinstance(value, (np.bool_, np.number)) else value


def _plugin_to_json(plugin):
    # Named first: an unregistered subclass carries its parent's ``name``, which the
    # messages about its parameters would otherwise give.
    name = plugins.name_of(plugin)
    params = {
        key: _hyper_parameter_to_json(plugin, key, value)
        for key, value in plugin.get_params().items()
    }
    return {"plugin": plugin.kind, "name": name, "params": params}


def _hyper_parameter_to_json(plugin, key, value):
    """A plugin's hyper-parameter as JSON: plain data, a plugin, or a sequence of both.

    A tuple is written as a JSON array and a list as ``{"list": [...]}``:
    files have always read arrays back as tuples, and a list read back as a
    tuple made ``get_params`` differ from the saved model's. A NumPy array
    of booleans or real numbers is written as ``{"array": [...], "dtype":
    name}``, to load as the array it was (a list would fail the plugin's
    own arithmetic).
    """
    value = _plain(value)
    if isinstance(value, SCALARS):
        return value
    if isinstance(value, plugins.Plugin):
        return _plugin_to_json(value)
    if isinstance(value, (tuple, list)):
        items = [_sequence_item_to_json(plugin, key, item) for item in value]
        return {"list": items} if isinstance(value, list) else items
    if isinstance(value, np.ndarray) and value.dtype.name in ARRAY_DTYPES:
        return _array_to_json(plugin, key, value)
    what = (
        f"an array of {value.dtype}"
        if isinstance(value, np.ndarray)
        else with_article(type(value).__name__)
    )
    raise UnsavableModelError(
        f"the {plugin.kind} {plugin.name!r}'s parameter {key!r} is {what}, not a JSON "
        "number, string, boolean or null, a plugin, a list or tuple of them, or an array of "
        "booleans or real numbers."
    )


def _array_to_json(plugin, key, array):
    """A hyper-parameter's NumPy array as ``{"array": nested lists, "dtype": name}``.

    Its shape is read back from the nested lists, which hold none of the
    dimensions after an empty one: an array of shape (0, 2) is ``[]``, and
    would load as one of shape (0,).
    """
    if 0 in array.shape[:-1]:
        raise UnsavableModelError(
            f"the {plugin.kind} {plugin.name!r}'s parameter {key!r} is an empty array of "
            f"shape {array.shape}, which a model file holds as nested lists, without the "
            "dimensions after the empty one: give it with its empty dimension last."
        )
    return {"array": array.tolist(), "dtype": array.dtype.name}


def _sequence_item_to_json(plugin, key, item):
    if isinstance(item, plugins.Plugin):
        return _plugin_to_json(item)
    item = _plain(item)
    if isinstance(item, SCALARS):
        return item
    raise UnsavableModelError(
        f"the {plugin.kind} {plugin.name!r}'s parameter {key!r} holds "
        f"{with_article(type(item).__name__)}, not a JSON number, string, boolean or null, "
        "or a plugin."
    )


def _callbacks_to_json(callbacks):
    """The built-in callbacks as documents, a ``(name, callback)`` pair as ``[name, document]``.

    A user's own callbacks cannot be saved: they are left out, with a warning.
    """
    documents, left_out = [], []
    for item in callbacks or ():
        name, callback = item if isinstance(item, tuple) else (None, item)
        params = {
            k: str(v) if isinstance(v, Path) else _plain(v)
            for k, v in callback.get_params().items()
        }
        savable = type(callback) is SAVED_CALLBACKS.get(type(callback).__name__)
        if savable and all(isinstance(v, SCALARS) for v in params.values()):
            document = {"callback": type(callback).__name__, "params": params}
            documents.append(document if name is None else [name, document])
        else:
            left_out.append(type(callback).__name__ if name is None else name)
    if left_out:
        warn(
            f"The callbacks {left_out} are not saved with the model: only the built-in "
            f"callbacks {sorted(SAVED_CALLBACKS)} with plain parameters are."
        )
    return documents


def _param_to_json(name, value):
    if name == "callbacks":
        return _callbacks_to_json(value) if value is not None else None
    if isinstance(value, plugins.Plugin):
        return _plugin_to_json(value)
    if isinstance(value, dict):  # class_weight: labels may be numbers, so not JSON keys
        return {
            "items": [[_param_to_json(name, k), _param_to_json(name, v)] for k, v in value.items()]
        }
    if isinstance(value, (tuple, list)) or (isinstance(value, np.ndarray) and value.ndim == 1):
        return [_param_to_json(name, item) for item in value]
    if isinstance(value, np.random.RandomState):
        # Its state would need a field of its own (a new format version); the
        # generator the fit went on with is fitted.rng_state, which partial_fit uses.
        warn(
            f"{name} is a NumPy RandomState, which a model file cannot hold: it is saved as "
            "None, so a new fit of the loaded model is not seeded (partial_fit continues "
            f"exactly). Give {name} an int to save a model whose fit repeats."
        )
        return None
    value = _plain(value)
    if isinstance(value, SCALARS):
        return value
    raise UnsavableModelError(
        f"parameter {name}={value!r} is not a name, number, string or plugin."
    )


def _labels_to_json(classes):
    classes = np.asarray(classes)
    if classes.dtype.kind not in LABEL_KINDS:
        # fit takes any labels it can sort, datetime64 and timedelta64 among them.
        raise ValueError(
            f"Cannot save class labels of dtype {classes.dtype}: a model file holds booleans, "
            "integers, floats and strings. Fit on y.astype(str) or y.astype('int64') to save "
            "the model."
        )
    if classes.dtype.kind == "f" and classes.dtype.itemsize > 8:
        # np.longdouble: JSON's floats are float64, which would round the labels.
        raise ValueError(
            f"Cannot save class labels of dtype {classes.dtype}: a model file holds floats of "
            "64 bits at most. Fit on y.astype('float64') to save the model."
        )
    values = classes.tolist()
    if classes.dtype.kind == "O" and not all(isinstance(v, (str, int)) for v in values):
        raise ValueError("Cannot save class labels that are not strings or integers.")
    return {"dtype": _label_dtype_name(classes.dtype, values), "values": values}


def _label_dtype_name(dtype, values):
    """``dtype``'s name, for strings the narrowest width that holds ``values``.

    ``load`` refuses a declared width beyond the longest label (it could
    make loading allocate gigabytes), and classes given to
    ``set_fitted_state`` may be wider than their labels.
    """
    if dtype.kind != "U":
        return dtype.str
    longest = max((len(value) for value in values), default=0)
    return np.dtype(f"U{max(longest, 1)}").str


def _targets_to_json(targets):
    if "classes" in targets:
        return {
            "classes": _labels_to_json(targets["classes"]),
            "multilabel": bool(targets["multilabel"]),
        }
    return {"y_1d": bool(targets["y_1d"])}


def _state_to_json(state):
    optimizer_state = {k: v for k, v in state.optimizer_state.items() if k not in ("eta", "eta0")}
    return {
        "targets": _targets_to_json(state.targets),
        "n_features_in": state.n_features_in,
        "feature_names_in": (
            None if state.feature_names_in is None else list(map(str, state.feature_names_in))
        ),
        "n_iter": state.n_iter,
        "samples_seen": state.samples_seen,
        # NumPy's scalars (np.float32) are no JSON numbers; a file's history holds floats.
        "history": {key: [float(v) for v in values] for key, values in state.history.items()},
        "plugins": {name: _plugin_to_json(plugin) for name, plugin in state.plugins.items()},
        "dtype": state.coefs[0].dtype.name,
        "coefs": [w.tolist() for w in state.coefs],
        "intercepts": [b.tolist() for b in state.intercepts],
        "optimizer_state": {
            "eta": state.optimizer_state["eta"],
            "eta0": state.optimizer_state["eta0"],
            "arrays": {k: np.asarray(v).tolist() for k, v in optimizer_state.items()},
        },
        "rng_state": state.rng_state,
        "input_scale": state.input_scale,
        "target_names_in": (
            None if state.target_names_in is None else list(map(str, state.target_names_in))
        ),
        "split_seed": state.split_seed,
    }


def model_document(estimator_name, params, state):
    """The JSON document of a model: its format, estimator, parameters and fitted state.

    Parameters
    ----------
    estimator_name : str
        ``"NielsenMLPClassifier"`` or ``"NielsenMLPRegressor"``.
    params : dict
        The estimator's parameters (``get_params(deep=False)``).
    state : FittedState

    Returns
    -------
    document : dict
        JSON-ready, except for NaN or infinite values a diverged state may hold.

    Raises
    ------
    ValueError
        For a parameter or a plugin hyper-parameter that is not plain data.
    """
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "estimator": estimator_name,
        "params": {k: _param_to_json(k, v) for k, v in params.items()},
        "fitted": _state_to_json(state),
    }


def document_text(document):
    """The JSON text of a document, refusing NaN and infinities, naming where one is."""
    try:
        return json.dumps(document, allow_nan=False)
    except ValueError:
        where, value = _first_not_finite(document)
        cause = (
            "a hyper-parameter given to the estimator or a plugin"
            if where.startswith("params")
            else "diverged training?"
        )
        raise UnsavableModelError(
            f"{where} holds NaN or infinite values ({value!r}), which a model file cannot "
            f"hold ({cause})."
        ) from None


def _first_not_finite(value, where=""):
    """The path (``params.optimizer.scale``) and value of the first NaN or inf, or ("", None)."""
    if isinstance(value, float) and not math.isfinite(value):
        return where, value
    items = (
        value.items()
        if isinstance(value, dict)
        else (enumerate(value) if isinstance(value, (list, tuple)) else ())
    )
    for key, item in items:
        path = f"{where}[{key}]" if isinstance(key, int) else f"{where}.{key}".lstrip(".")
        found = _first_not_finite(item, path)
        if found[0]:
            return found
    return "", None


def check_savable(state, plugins=None):
    """Refuse a state that ``load`` would refuse: NaN, overflowing weights, a contradiction.

    Parameters
    ----------
    state : FittedState
    plugins : dict, optional
        The plugins the estimator's parameters resolve to, by parameter
        name; None: the state's own.

    Raises
    ------
    UnsavableModelError
        A ``ValueError`` naming the fields, from the format's checks across fields.
    """
    try:
        check_across(state, plugins)
    except ModelFileError as exc:
        raise UnsavableModelError(str(exc)) from None


def write_model(path, estimator, state, plugins=None):
    """Write ``estimator``'s parameters with the fitted ``state`` to ``path``, atomically.

    What :class:`~sknielsen.callbacks.Checkpoint` writes during a fit.

    Parameters
    ----------
    path : str or path-like
    estimator : NielsenMLPClassifier or NielsenMLPRegressor
        Read for its class name and parameters only.
    state : FittedState
    plugins : dict, optional
        The plugins ``estimator``'s parameters resolve to; None: the
        state's own (a checkpoint, whose state the parameters just made).

    Raises
    ------
    ValueError
        For a state ``load`` would refuse (see :func:`check_savable`), or a
        parameter that is not plain data; nothing is written then.
    """
    write_text_atomically(path, model_text(estimator, state, plugins))


def model_text(estimator, state, plugins=None):
    """The text of the model file of ``estimator`` and ``state`` (see :func:`write_model`)."""
    check_savable(state, plugins)
    document = model_document(type(estimator).__name__, estimator.get_params(deep=False), state)
    return document_text(document)
