"""Saving and loading models as JSON, ours and the book's.

A saved model is a readable JSON document with a format name and version,
the estimator's full configuration and its fitted state. Writing is atomic:
the document goes to a temporary file in the same folder, is flushed to
disk and then renamed over the target, so a crash leaves either the old
file or the new one, never half of one.

Loading never runs code chosen by the file. Plugins are looked up only by
name in the registries (:mod:`sknielsen.plugins`), every value is checked
for its type and shape, and anything unexpected raises a ``ValueError``
that says what is wrong.

The book's ``network2.py`` format (``{"sizes", "weights", "biases",
"cost"}``, weights stored as (n_out, n_in)) is read and written too.
"""

import json
from pathlib import Path

import numpy as np

from . import plugins
from ._classifier import NielsenMLPClassifier
from ._io import write_text_atomically
from ._mlp import PLUGIN_PARAMETERS, TRAINING_PLUGIN_PARAMETERS
from ._regressor import NielsenMLPRegressor
from ._training import MONITORS

FORMAT_NAME = "sknielsen-model"
FORMAT_VERSION = 1
# Format versions this code reads; every earlier version must stay here.
READABLE_VERSIONS = (1,)
# The book's cost class names and ours.
NETWORK2_COSTS = {"CrossEntropyCost": "cross_entropy", "QuadraticCost": "quadratic"}
_LABEL_KINDS = "biufUO"
# The estimators a file may hold, by the name written in it.
ESTIMATORS = {cls.__name__: cls for cls in (NielsenMLPClassifier, NielsenMLPRegressor)}
# Fitted keys every file has, and those of each estimator.
_FITTED_KEYS = {
    "n_features_in", "feature_names_in", "n_iter", "history", "plugins", "dtype", "coefs",
    "intercepts", "optimizer_state",
}  # fmt: skip
_TARGET_KEYS = {"NielsenMLPClassifier": {"classes", "multilabel"}, "NielsenMLPRegressor": {"y_1d"}}

__all__ = ["FORMAT_VERSION", "ModelFileError", "load", "save"]


class ModelFileError(ValueError):
    """A file that is not a valid saved model, with the reason in the message."""


# -- writing ----------------------------------------------------------------


def _plugin_to_json(plugin):
    params = plugin.get_params()
    for key, value in params.items():
        if not isinstance(value, (str, int, float, bool, type(None))):
            raise ValueError(
                f"Cannot save the {plugin.kind} {plugin.name!r}: its parameter "
                f"{key!r} is a {type(value).__name__}, not a JSON number, string "
                "or boolean."
            )
    return {"plugin": plugin.kind, "name": plugins.name_of(plugin), "params": params}


def _param_to_json(name, value):
    if isinstance(value, plugins.Plugin):
        return _plugin_to_json(value)
    if isinstance(value, (tuple, list)):
        return [_param_to_json(name, item) for item in value]
    if isinstance(value, np.random.RandomState):
        return None  # a generator's state is not configuration
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise ValueError(
        f"Cannot save parameter {name}={value!r}: not a name, number, string or plugin."
    )


def _labels_to_json(classes):
    classes = np.asarray(classes)
    if classes.dtype.kind not in _LABEL_KINDS:
        raise ValueError(f"Cannot save class labels of dtype {classes.dtype}.")
    values = classes.tolist()
    if classes.dtype.kind == "O" and not all(isinstance(v, (str, int)) for v in values):
        raise ValueError("Cannot save class labels that are not strings or integers.")
    return {"dtype": classes.dtype.str, "values": values}


def _model_document(model):
    if type(model) not in ESTIMATORS.values():
        raise TypeError(
            f"Can only save {' or '.join(ESTIMATORS)}; got {type(model).__name__}."
        )
    if not hasattr(model, "coefs_"):
        raise ValueError("This model is not fitted yet; fit it before saving.")
    params = {k: _param_to_json(k, v) for k, v in model.get_params(deep=False).items()}
    if isinstance(model, NielsenMLPClassifier):
        targets = {"classes": _labels_to_json(model.classes_), "multilabel": bool(model._multilabel)}
    else:
        targets = {"y_1d": bool(model._y_1d)}
    fitted = {
        **targets,
        "n_features_in": int(model.n_features_in_),
        "feature_names_in": (
            model.feature_names_in_.tolist() if hasattr(model, "feature_names_in_") else None
        ),
        "n_iter": int(model.n_iter_),
        "history": model.history_,
        "plugins": {p: _plugin_to_json(getattr(model, p + "_")) for p in PLUGIN_PARAMETERS},
        "dtype": model.coefs_[0].dtype.name,
        "coefs": [w.tolist() for w in model.coefs_],
        "intercepts": [b.tolist() for b in model.intercepts_],
        "optimizer_state": {
            k: np.asarray(v).tolist() for k, v in (model._optimizer_state or {}).items()
        },
    }
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "estimator": type(model).__name__,
        "params": params,
        "fitted": fitted,
    }


def _network2_document(model):
    if not isinstance(model, NielsenMLPClassifier):
        raise TypeError("The network2.py format holds classifiers only.")
    check = [model.activation_.name, model.output_activation_.name]
    if check != ["sigmoid", "sigmoid"] or model.cost_.name not in NETWORK2_COSTS.values():
        raise ValueError(
            "The network2.py format holds only sigmoid networks with the quadratic or "
            "cross-entropy cost."
        )
    book_cost = {ours: book for book, ours in NETWORK2_COSTS.items()}[model.cost_.name]
    sizes = [int(model.n_features_in_)] + [w.shape[1] for w in model.coefs_]
    return {
        "sizes": sizes,
        "weights": [w.T.tolist() for w in model.coefs_],
        "biases": [b[:, None].tolist() for b in model.intercepts_],
        "cost": book_cost,
    }


def save(model, path, *, format="sknielsen"):
    """Save a fitted model as JSON, atomically.

    Parameters
    ----------
    model : NielsenMLPClassifier or NielsenMLPRegressor
        A fitted estimator.
    path : str or path-like
        Where to write. An existing file is replaced only once the new one
        is completely written. A symbolic link is written through: its
        final target is replaced atomically and the link stays.
    format : {'sknielsen', 'network2'}, default='sknielsen'
        ``'network2'`` writes the book's format (sigmoid networks with the
        quadratic or cross-entropy cost only; configuration and labels are
        lost).

    Raises
    ------
    ValueError
        The model is not fitted, holds NaN or infinite values, or does not
        fit the chosen format.
    NotARegularFileError
        An ``OSError``: ``path`` is a directory, a device (``/dev/null``), a
        FIFO or a socket, which a save must not replace. Nothing is written.
    OSError
        The folder is missing or cannot be written; the old file is intact.

    Examples
    --------
    >>> import sknielsen
    >>> from sklearn.datasets import load_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> net = sknielsen.NielsenMLPClassifier(epochs=2, random_state=0).fit(X / 16, y)
    >>> sknielsen.save(net, "net.json")  # doctest: +SKIP
    >>> sknielsen.load("net.json").predict(X[:3] / 16)  # doctest: +SKIP
    array([0, 1, 2])
    """
    if format == "sknielsen":
        document = _model_document(model)
    elif format == "network2":
        document = _network2_document(model)
    else:
        raise ValueError(f"Unknown format {format!r}; use 'sknielsen' or 'network2'.")
    try:
        text = json.dumps(document, allow_nan=False)
    except ValueError as exc:
        raise ValueError(
            "The model holds NaN or infinite values (diverged training?) and cannot be saved."
        ) from exc
    write_text_atomically(path, text)


# -- reading ----------------------------------------------------------------


def _require(condition, message):
    if not condition:
        raise ModelFileError(message)


def _float_matrix(value, name, dtype, ndim):
    try:
        array = np.array(value, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"{name} is not an array of numbers: {exc}") from None
    _require(array.ndim == ndim, f"{name} should have {ndim} dimensions; it has {array.ndim}.")
    _require(np.all(np.isfinite(array)), f"{name} holds NaN or infinite values.")
    return array


def _plugin_from_json(document, kind, where):
    _require(
        isinstance(document, dict) and set(document) == {"plugin", "name", "params"},
        f"{where} should be an object with keys plugin, name, params.",
    )
    _require(document["plugin"] == kind, f"{where} should be a {kind}.")
    name, params = document["name"], document["params"]
    _require(isinstance(name, str), f"{where}: the plugin name must be a string.")
    _require(isinstance(params, dict), f"{where}: params must be an object.")
    for key, value in params.items():
        _require(
            isinstance(value, (str, int, float, bool, type(None))),
            f"{where}: parameter {key!r} must be a number, string or boolean.",
        )
    try:
        plugin = plugins.get(kind, name)
        return plugin.set_params(**params)
    except (ValueError, TypeError) as exc:
        raise ModelFileError(f"{where}: {exc}") from None


def _labels_from_json(document):
    _require(
        isinstance(document, dict) and set(document) == {"dtype", "values"},
        "fitted.classes should be an object with keys dtype and values.",
    )
    try:
        dtype = np.dtype(document["dtype"])
    except (TypeError, ValueError):
        raise ModelFileError(f"Unknown label dtype {document['dtype']!r}.") from None
    _require(dtype.kind in _LABEL_KINDS, f"Label dtype {dtype} is not allowed.")
    values = document["values"]
    _require(
        isinstance(values, list)
        and all(isinstance(v, (str, int, float, bool)) for v in values),
        "fitted.classes.values must be a list of labels.",
    )
    try:
        return np.array(values, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"Labels do not fit dtype {dtype}: {exc}") from None


def _params_from_json(document, estimator_class=NielsenMLPClassifier):
    _require(isinstance(document, dict), "params should be an object.")
    defaults = estimator_class().get_params(deep=False)
    unknown = set(document) - set(defaults)
    _require(not unknown, f"Unknown estimator parameters: {sorted(unknown)}.")
    params = {}
    for key, value in document.items():
        kinds = {**PLUGIN_PARAMETERS, **TRAINING_PLUGIN_PARAMETERS}
        if key in kinds and isinstance(value, dict):
            value = _plugin_from_json(value, kinds[key], f"params.{key}")
        elif key in ("hidden_layer_sizes", "monitor", "augment", "image_shape") and isinstance(
            value, list
        ):
            value = tuple(
                _plugin_from_json(v, kinds[key], f"params.{key}")
                if key in kinds and isinstance(v, dict)
                else v
                for v in value
            )
            _require(
                all(isinstance(v, (str, int, plugins.Plugin)) for v in value),
                f"params.{key} must list names, integers or plugins.",
            )
        else:
            _require(
                isinstance(value, (str, int, float, bool, type(None))),
                f"params.{key} must be a number, string, boolean or null.",
            )
        params[key] = value
    model = estimator_class(**params)
    try:
        model._validate_params()
    except ValueError as exc:
        raise ModelFileError(f"Invalid parameters in the file: {exc}") from None
    return model


def _restore_fitted(model, fitted):
    expected = _FITTED_KEYS | _TARGET_KEYS[type(model).__name__]
    _require(isinstance(fitted, dict), "fitted should be an object.")
    _require(set(fitted) == expected, f"fitted should have exactly the keys {sorted(expected)}.")
    dtype = {"float64": np.float64, "float32": np.float32}.get(fitted["dtype"])
    _require(dtype is not None, "fitted.dtype must be 'float64' or 'float32'.")
    _require(isinstance(fitted["coefs"], list) and fitted["coefs"], "fitted.coefs is empty.")
    coefs = [_float_matrix(w, f"coefs[{i}]", dtype, 2) for i, w in enumerate(fitted["coefs"])]
    intercepts = [
        _float_matrix(b, f"intercepts[{i}]", dtype, 1) for i, b in enumerate(fitted["intercepts"])
    ]
    _check_shapes(coefs, intercepts, fitted["n_features_in"])
    for kind_param, document in fitted["plugins"].items():
        _require(kind_param in PLUGIN_PARAMETERS, f"Unknown fitted plugin {kind_param!r}.")
        plugin = _plugin_from_json(
            document, PLUGIN_PARAMETERS[kind_param], f"fitted.plugins.{kind_param}"
        )
        setattr(model, kind_param + "_", plugin)
    _require(set(fitted["plugins"]) == set(PLUGIN_PARAMETERS), "fitted.plugins is incomplete.")
    if isinstance(model, NielsenMLPClassifier):
        model.classes_ = _labels_from_json(fitted["classes"])
        model._multilabel = bool(fitted["multilabel"])
        _require(
            len(model.classes_) == coefs[-1].shape[1],
            f"{len(model.classes_)} classes but {coefs[-1].shape[1]} output neurons.",
        )
    else:
        _require(isinstance(fitted["y_1d"], bool), "fitted.y_1d must be true or false.")
        _require(
            not fitted["y_1d"] or coefs[-1].shape[1] == 1,
            "fitted.y_1d is true but the network has several outputs.",
        )
        model._y_1d = fitted["y_1d"]
    model.n_features_in_ = coefs[0].shape[0]
    if fitted["feature_names_in"] is not None:
        names = fitted["feature_names_in"]
        _require(
            isinstance(names, list) and len(names) == model.n_features_in_
            and all(isinstance(n, str) for n in names),
            "fitted.feature_names_in must list one string per feature.",
        )
        model.feature_names_in_ = np.array(names, dtype=object)
    _require(isinstance(fitted["n_iter"], int) and fitted["n_iter"] >= 0, "Bad fitted.n_iter.")
    model.n_iter_ = fitted["n_iter"]
    model.history_ = _history_from_json(fitted["history"])
    model.coefs_, model.intercepts_ = coefs, intercepts
    model.n_outputs_ = coefs[-1].shape[1]
    n_params = sum(w.size + b.size for w, b in zip(coefs, intercepts))
    state = fitted["optimizer_state"]
    _require(isinstance(state, dict), "fitted.optimizer_state should be an object.")
    model._optimizer_state = {
        key: _float_matrix(value, f"optimizer_state.{key}", dtype, 1)
        for key, value in state.items()
    } or None
    if model._optimizer_state:
        # The state must have the arrays, and shapes, that the optimizer makes.
        try:
            expected = model.optimizer_.init(np.zeros(n_params, dtype=dtype))
        except ValueError as exc:
            raise ModelFileError(f"fitted.plugins.optimizer: {exc}") from None
        _require(
            set(expected) == set(model._optimizer_state),
            f"optimizer_state should have the keys {sorted(expected)}.",
        )
        for key, value in model._optimizer_state.items():
            _require(
                value.shape == np.shape(expected[key]),
                f"optimizer_state.{key} has the wrong size.",
            )
    return model


def _check_shapes(coefs, intercepts, n_features):
    _require(len(coefs) == len(intercepts), "coefs and intercepts differ in length.")
    _require(
        isinstance(n_features, int) and n_features == coefs[0].shape[0],
        "n_features_in does not match the first layer's weights.",
    )
    for i, (w, b) in enumerate(zip(coefs, intercepts)):
        _require(w.shape[1] == b.shape[0], f"Layer {i}: weights and biases disagree.")
        if i:
            _require(
                coefs[i - 1].shape[1] == w.shape[0],
                f"Layer {i} expects {w.shape[0]} inputs but layer {i - 1} has "
                f"{coefs[i - 1].shape[1]} neurons.",
            )


def _history_from_json(history):
    _require(
        isinstance(history, dict) and set(history) == set(MONITORS),
        f"fitted.history should have the keys {list(MONITORS)}.",
    )
    for key, values in history.items():
        _require(
            isinstance(values, list) and all(isinstance(v, (int, float)) for v in values),
            f"fitted.history.{key} must be a list of numbers.",
        )
    return {key: list(values) for key, values in history.items()}


def _from_network2(document):
    """Build a classifier over the digits 0..n-1 from the book's JSON."""
    sizes, cost = document["sizes"], document["cost"]
    _require(
        isinstance(sizes, list) and len(sizes) >= 2
        and all(isinstance(s, int) and s > 0 for s in sizes),
        "network2 'sizes' must be a list of at least two positive integers.",
    )
    _require(
        cost in NETWORK2_COSTS,
        f"network2 'cost' must be one of {sorted(NETWORK2_COSTS)}; got {cost!r}.",
    )
    weights, biases = document["weights"], document["biases"]
    _require(
        isinstance(weights, list) and isinstance(biases, list)
        and len(weights) == len(biases) == len(sizes) - 1,
        "network2 'weights' and 'biases' need one entry per layer after the first.",
    )
    coefs, intercepts = [], []
    for i, (w, b) in enumerate(zip(weights, biases)):
        w = _float_matrix(w, f"weights[{i}]", np.float64, 2)
        b = _float_matrix(b, f"biases[{i}]", np.float64, 2)
        _require(
            w.shape == (sizes[i + 1], sizes[i]) and b.shape == (sizes[i + 1], 1),
            f"Layer {i}: expected weights {(sizes[i + 1], sizes[i])} and biases "
            f"{(sizes[i + 1], 1)}; got {w.shape} and {b.shape}.",
        )
        coefs.append(np.ascontiguousarray(w.T))
        intercepts.append(b[:, 0].copy())
    model = NielsenMLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), cost=NETWORK2_COSTS[cost])
    model._resolve_plugins()
    model.classes_ = np.arange(sizes[-1])
    model._multilabel = False
    model.n_features_in_ = sizes[0]
    model.n_iter_ = 0
    model.n_outputs_ = sizes[-1]
    model.history_ = {key: [] for key in MONITORS}
    model._optimizer_state = None
    model.coefs_, model.intercepts_ = coefs, intercepts
    return model


def load(path):
    """Load a model saved by :func:`save`, or by the book's ``network2.py``.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    model : NielsenMLPClassifier or NielsenMLPRegressor
        A fitted estimator, ready to predict or to continue training with
        ``partial_fit``.

    Raises
    ------
    ModelFileError
        A ``ValueError`` naming what is wrong: not JSON, not a model, a
        newer format version, an unknown plugin, inconsistent shapes, ...
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ModelFileError(f"{path}: not a model file (not UTF-8 text).") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelFileError(
            f"{path}: not a model file (invalid or truncated JSON: {exc})."
        ) from None
    try:
        _require(isinstance(document, dict), "not a model file (not a JSON object).")
        if {"sizes", "weights", "biases", "cost"} <= set(document) and "format" not in document:
            return _from_network2(document)
        _require(
            document.get("format") == FORMAT_NAME,
            f"not a sknielsen model file (no 'format': '{FORMAT_NAME}').",
        )
        version = document.get("format_version")
        _require(isinstance(version, int), "format_version must be an integer.")
        _require(
            version in READABLE_VERSIONS,
            f"format version {version}; this sknielsen "
            f"reads versions {list(READABLE_VERSIONS)}. Upgrade sknielsen to load it.",
        )
        estimator_class = ESTIMATORS.get(document.get("estimator"))
        _require(
            estimator_class is not None,
            f"Unknown estimator {document.get('estimator')!r}; known: {sorted(ESTIMATORS)}.",
        )
        model = _params_from_json(document.get("params"), estimator_class)
        return _restore_fitted(model, document.get("fitted"))
    except ModelFileError as exc:
        raise ModelFileError(f"{path}: {exc}") from None
    except (KeyError, TypeError, AttributeError, IndexError) as exc:
        raise ModelFileError(f"{path}: not a valid model file ({exc!r}).") from None
