"""Saving and loading models as JSON, ours and the book's.

A saved model is a readable JSON document with a format name and version,
the estimator's full configuration and its fitted state. Writing is atomic:
the document goes to a temporary file in the same folder, is flushed to
disk and then renamed over the target, so a crash leaves either the old
file or the new one, never half of one.

Loading never runs code chosen by the file. Plugins are looked up only by
name in the registries (:mod:`sknielsen.plugins`), every value is checked
for its type and shape, and anything unexpected raises a ``ValueError``
that says what is wrong. A small file never makes loading expensive: every
size a file declares is checked against what the file holds before
anything is allocated, and numbers no model file holds (NaN, infinities,
integers of more than ``MAX_INTEGER_DIGITS`` digits) are refused while
parsing.

The book's ``network2.py`` format (``{"sizes", "weights", "biases",
"cost"}``, weights stored as (n_out, n_in)) is read and written too.
"""

import json
import math
from pathlib import Path

import numpy as np

from .. import plugins
from .._classifier import NielsenMLPClassifier
from .._core.files import NotARegularFileError, check_readable, write_text_atomically
from .._regressor import NielsenMLPRegressor
from ..callbacks import HISTORY_KEYS, MONITORS
from ..training._config import PLUGIN_PARAMETERS, TRAINING_PLUGIN_PARAMETERS
from ..training._loop import new_optimizer_state
from ..training._state import FittedState
from ..utils import check_params
from ._format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    LABEL_KINDS,
    READABLE_VERSIONS,
    SAVED_CALLBACKS,
    SCALARS,
    document_text,
    model_document,
)

# The book's cost class names and ours.
NETWORK2_COSTS = {"CrossEntropyCost": "cross_entropy", "QuadraticCost": "quadratic"}
# The estimators a file may hold, by the name written in it.
ESTIMATORS = {cls.__name__: cls for cls in (NielsenMLPClassifier, NielsenMLPRegressor)}
# Fitted keys of each format version, and the label-encoding keys of each estimator.
_FITTED_KEYS = {
    1: {
        "n_features_in",
        "feature_names_in",
        "n_iter",
        "history",
        "plugins",
        "dtype",
        "coefs",
        "intercepts",
        "optimizer_state",
    },
    2: {
        "n_features_in",
        "feature_names_in",
        "n_iter",
        "samples_seen",
        "history",
        "plugins",
        "dtype",
        "coefs",
        "intercepts",
        "optimizer_state",
        "rng_state",
        "targets",
    },
}
_TARGET_KEYS = {"NielsenMLPClassifier": {"classes", "multilabel"}, "NielsenMLPRegressor": {"y_1d"}}
# Fewest characters per JSON array or object in a model file (real ones hold
# hundreds of characters of numbers per array).
MAX_BYTES_PER_CONTAINER = 8
# Most digits of an integer in a model file: labels and counts need 20, a PCG64 state 39.
MAX_INTEGER_DIGITS = 40
# What bad data raises inside NumPy and the estimators; load reports it as a ModelFileError.
_DATA_ERRORS = (KeyError, TypeError, AttributeError, IndexError, ValueError, ArithmeticError)

__all__ = ["FORMAT_VERSION", "ModelFileError", "load", "save"]


class ModelFileError(ValueError):
    """A file that is not a valid saved model, with the reason in the message."""


# -- writing ----------------------------------------------------------------


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
        if type(model) not in ESTIMATORS.values():
            raise TypeError(f"Can only save {' or '.join(ESTIMATORS)}; got {type(model).__name__}.")
        if not hasattr(model, "coefs_"):
            raise ValueError("This model is not fitted yet; fit it before saving.")
        params = model.get_params(deep=False)
        document = model_document(type(model).__name__, params, model.get_fitted_state())
    elif format == "network2":
        document = _network2_document(model)
    else:
        raise ValueError(f"Unknown format {format!r}; use 'sknielsen' or 'network2'.")
    write_text_atomically(path, document_text(document))


# -- reading ----------------------------------------------------------------


def _require(condition, message):
    if not condition:
        raise ModelFileError(message)


def _float_matrix(value, name, dtype, ndim):
    """An ``ndim``-dimensional array of finite numbers in ``dtype``, or a ModelFileError."""
    try:
        raw = np.array(value, dtype=object)  # JSON values as they are: no bool or str converted
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"{name} is not an array of numbers: {exc}") from None
    _require(raw.ndim == ndim, f"{name} should have {ndim} dimensions; it has {raw.ndim}.")
    others = sorted({type(v).__name__ for v in raw.flat} - {"int", "float"})
    _require(not others, f"{name} is not an array of numbers: it holds {', '.join(others)}.")
    with np.errstate(over="ignore"):  # a value beyond float32 becomes inf, refused below
        array = raw.astype(dtype)
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
    """The class labels, in their declared dtype; refused unless every label survives it."""
    where = "fitted.targets.classes"
    _require(
        isinstance(document, dict) and set(document) == {"dtype", "values"},
        f"{where} should be an object with keys dtype and values.",
    )
    values = document["values"]
    _require(
        isinstance(values, list) and all(isinstance(v, (str, int, float, bool)) for v in values),
        f"{where}.values must be a list of labels.",
    )
    dtype = _label_dtype(document["dtype"], values)
    try:
        labels = np.array(values, dtype=dtype)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ModelFileError(f"{where}.values do not fit dtype {dtype}: {exc}") from None
    survived = labels.tolist()
    _require(
        survived == values and all(type(a) is type(b) for a, b in zip(survived, values)),
        f"{where}.values change in dtype {dtype} (a dtype too narrow, or of another "
        f"kind): {values[:5]} become {survived[:5]}.",
    )
    return labels


def _label_dtype(name, values):
    """The declared label dtype, refused before allocating when wider than the labels."""
    where = "fitted.targets.classes.dtype"
    _require(isinstance(name, str), f"{where} must be a string.")
    try:
        dtype = np.dtype(name)
    except (TypeError, ValueError):
        raise ModelFileError(f"{where}: unknown label dtype {name!r}.") from None
    _require(dtype.kind in LABEL_KINDS, f"{where}: label dtype {dtype} is not allowed.")
    if dtype.kind in "US":
        longest = max((len(v) for v in values if isinstance(v, str)), default=0)
        width = dtype.itemsize // (4 if dtype.kind == "U" else 1)
        _require(
            width <= longest,
            f"{where} declares strings of {width} characters; the longest label has {longest}.",
        )
    return dtype


def _params_from_json(document, estimator_class=NielsenMLPClassifier):
    _require(isinstance(document, dict), "params should be an object.")
    defaults = estimator_class().get_params(deep=False)
    unknown = set(document) - set(defaults)
    _require(not unknown, f"Unknown estimator parameters: {sorted(unknown)}.")
    params = {}
    for key, value in document.items():
        kinds = {**PLUGIN_PARAMETERS, **TRAINING_PLUGIN_PARAMETERS}
        if key == "callbacks" and value is not None:
            value = _callbacks_from_json(value)
        elif key == "class_weight" and isinstance(value, dict):
            value = _items_from_json(value, f"params.{key}")
        elif key in kinds and isinstance(value, dict):
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
        check_params(model)
    except ValueError as exc:
        raise ModelFileError(f"Invalid parameters in the file: {exc}") from None
    return model


def _items_from_json(document, where):
    _require(
        set(document) == {"items"}
        and isinstance(document["items"], list)
        and all(
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(v, (str, int, float)) for v in pair)
            for pair in document["items"]
        ),
        f"{where} should be an object with a list of [label, value] items.",
    )
    return dict(document["items"])


def _callbacks_from_json(documents):
    _require(isinstance(documents, list), "params.callbacks must be a list.")
    callbacks = []
    for i, document in enumerate(documents):
        where = f"params.callbacks[{i}]"
        _require(
            isinstance(document, dict) and set(document) == {"callback", "params"},
            f"{where} should be an object with keys callback and params.",
        )
        cls = SAVED_CALLBACKS.get(document["callback"])
        _require(cls is not None, f"{where}: unknown callback; known: {sorted(SAVED_CALLBACKS)}.")
        params = document["params"]
        _require(
            isinstance(params, dict) and all(isinstance(v, SCALARS) for v in params.values()),
            f"{where}: params must be an object of numbers, strings and booleans.",
        )
        try:
            callbacks.append(cls(**params))
        except (TypeError, ValueError) as exc:
            raise ModelFileError(f"{where}: {exc}") from None
    return callbacks


def _state_from_json(model, fitted, version):
    """Parse the fitted part of a file (any readable version) into a FittedState."""
    expected = _FITTED_KEYS[version]
    if version == 1:
        expected = expected | _TARGET_KEYS[type(model).__name__]
    _require(isinstance(fitted, dict), "fitted should be an object.")
    _require(set(fitted) == expected, f"fitted should have exactly the keys {sorted(expected)}.")
    dtype = {"float64": np.float64, "float32": np.float32}.get(fitted["dtype"])
    _require(dtype is not None, "fitted.dtype must be 'float64' or 'float32'.")
    for key in ("coefs", "intercepts"):
        _require(isinstance(fitted[key], list) and fitted[key], f"fitted.{key} is empty.")
    coefs = [_float_matrix(w, f"coefs[{i}]", dtype, 2) for i, w in enumerate(fitted["coefs"])]
    intercepts = [
        _float_matrix(b, f"intercepts[{i}]", dtype, 1) for i, b in enumerate(fitted["intercepts"])
    ]
    fitted_plugins = _fitted_plugins_from_json(fitted["plugins"])
    if version == 1:
        targets = {key: fitted[key] for key in _TARGET_KEYS[type(model).__name__]}
        # Version 1 kept no η (training restarted at the eta parameter), and wrote
        # an empty state for a model that had not trained yet.
        arrays = fitted["optimizer_state"] or {
            key: np.asarray(value).tolist()
            for key, value in fitted_plugins["optimizer"].init(np.zeros(_n_params(coefs))).items()
        }
        optimizer_state = {"eta": float(model.eta), "eta0": float(model.eta), "arrays": arrays}
    else:
        targets, optimizer_state = fitted["targets"], fitted["optimizer_state"]
    return FittedState(
        coefs=coefs,
        intercepts=intercepts,
        plugins=fitted_plugins,
        optimizer_state=_optimizer_state_from_json(optimizer_state, dtype),
        history=_history_from_json(fitted["history"], version),
        rng_state=None if version == 1 else _rng_state_from_json(fitted["rng_state"]),
        targets=_targets_from_json(targets, type(model)),
        n_features_in=_count(fitted["n_features_in"], "n_features_in"),
        feature_names_in=_feature_names_from_json(fitted["feature_names_in"]),
        n_iter=_count(fitted["n_iter"], "n_iter"),
        samples_seen=0 if version == 1 else _count(fitted["samples_seen"], "samples_seen"),
    )


def _n_params(coefs):
    return sum(w.size + w.shape[1] for w in coefs)


def _count(value, name):
    _require(
        isinstance(value, int) and not isinstance(value, bool) and value >= 0,
        f"fitted.{name} must be a non-negative integer.",
    )
    return value


def _fitted_plugins_from_json(documents):
    _require(
        isinstance(documents, dict) and set(documents) == set(PLUGIN_PARAMETERS),
        f"fitted.plugins should have exactly the keys {sorted(PLUGIN_PARAMETERS)}.",
    )
    return {
        name: _plugin_from_json(document, PLUGIN_PARAMETERS[name], f"fitted.plugins.{name}")
        for name, document in documents.items()
    }


def _optimizer_state_from_json(document, dtype):
    _require(
        isinstance(document, dict)
        and set(document) == {"eta", "eta0", "arrays"}
        and isinstance(document["arrays"], dict),
        "fitted.optimizer_state should be an object with keys eta, eta0 and arrays.",
    )
    for key in ("eta", "eta0"):
        value = document[key]
        _require(
            isinstance(value, (int, float)) and not isinstance(value, bool),
            f"fitted.optimizer_state.{key} must be a number.",
        )
    arrays = {
        key: _float_matrix(value, f"optimizer_state.{key}", dtype, 1)
        for key, value in document["arrays"].items()
    }
    return {"eta": float(document["eta"]), "eta0": float(document["eta0"]), **arrays}


def _rng_state_from_json(document):
    if document is None:
        return None
    _require(
        isinstance(document, dict)
        and set(document) == {"bit_generator", "state", "has_uint32", "uinteger"}
        and document["bit_generator"] == "PCG64"
        and isinstance(document["state"], dict)
        and set(document["state"]) == {"state", "inc"}
        and all(isinstance(v, int) and 0 <= v < 2**128 for v in document["state"].values())
        and document["has_uint32"] in (0, 1)
        and not isinstance(document["has_uint32"], bool)
        and isinstance(document["uinteger"], int)
        and 0 <= document["uinteger"] < 2**32,
        "fitted.rng_state is not a PCG64 generator state.",
    )
    return document


def _targets_from_json(document, estimator_class):
    expected = _TARGET_KEYS[estimator_class.__name__]
    _require(
        isinstance(document, dict) and set(document) == expected,
        f"fitted.targets should have exactly the keys {sorted(expected)}.",
    )
    if "classes" not in document:
        _require(isinstance(document["y_1d"], bool), "fitted.targets.y_1d must be true or false.")
        return dict(document)
    _require(
        isinstance(document["multilabel"], bool), "fitted.targets.multilabel must be true or false."
    )
    return {"classes": _labels_from_json(document["classes"]), "multilabel": document["multilabel"]}


def _feature_names_from_json(names):
    if names is None:
        return None
    _require(
        isinstance(names, list) and all(isinstance(n, str) for n in names),
        "fitted.feature_names_in must list one string per feature.",
    )
    return np.array(names, dtype=object)


def _history_from_json(history, version):
    keys = MONITORS if version == 1 else HISTORY_KEYS
    _require(
        isinstance(history, dict) and set(history) == set(keys),
        f"fitted.history should have the keys {list(keys)}.",
    )
    for key, values in history.items():
        _require(
            isinstance(values, list)
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values),
            f"fitted.history.{key} must be a list of numbers.",
        )
        _require(all(map(math.isfinite, values)), f"fitted.history.{key} holds infinite values.")
    history = {key: [float(v) for v in values] for key, values in history.items()}
    return {key: history.get(key, []) for key in HISTORY_KEYS}


def _from_network2(document):
    """Build a classifier over the digits 0..n-1 from the book's JSON."""
    sizes, cost = document["sizes"], document["cost"]
    _require(
        isinstance(sizes, list)
        and len(sizes) >= 2
        and all(isinstance(s, int) and s > 0 for s in sizes),
        "network2 'sizes' must be a list of at least two positive integers.",
    )
    _require(
        cost in NETWORK2_COSTS,
        f"network2 'cost' must be one of {sorted(NETWORK2_COSTS)}; got {cost!r}.",
    )
    weights, biases = document["weights"], document["biases"]
    _require(
        isinstance(weights, list)
        and isinstance(biases, list)
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
    config = check_params(model)
    n_params = sum(w.size + b.size for w, b in zip(coefs, intercepts))
    state = FittedState(
        coefs=coefs,
        intercepts=intercepts,
        plugins=config.plugins.as_dict(),
        optimizer_state=new_optimizer_state(
            config.plugins.optimizer, np.zeros(n_params), config.eta
        ),
        history={key: [] for key in HISTORY_KEYS},
        rng_state=None,
        targets={"classes": np.arange(sizes[-1]), "multilabel": False},
        n_features_in=sizes[0],
        feature_names_in=None,
        n_iter=0,
        samples_seen=0,
    )
    return _restored(model, state)


def _restored(model, state):
    """``model`` with ``state`` restored, or a ModelFileError saying what does not fit."""
    try:
        model.set_fitted_state(state)
    except (ValueError, TypeError) as exc:
        raise ModelFileError(f"inconsistent model: {exc}") from None
    _check_outputs_bounded(state)
    return model


def _check_outputs_bounded(state):
    """Refuse weights so large that an input in [0, 1] can overflow a layer.

    Interval arithmetic: when every input of a layer is at most ``A`` in
    magnitude, its pre-activations are at most ``|W|ᵀA + |b|``; an
    activation of bounded range bounds the next layer's inputs by that
    range, an unbounded one (ReLU, identity) by the pre-activation.
    """
    bound = np.ones(state.coefs[0].shape[0])
    layers = len(state.coefs)
    activations = [state.plugins["activation"]] * (layers - 1) + [
        state.plugins["output_activation"]
    ]
    largest = np.finfo(state.coefs[0].dtype).max
    with np.errstate(over="ignore", invalid="ignore"):
        for i, (w, b, activation) in enumerate(zip(state.coefs, state.intercepts, activations)):
            z = np.abs(w.astype(np.float64)).T @ bound + np.abs(b)
            _require(
                np.all(z < largest),
                f"fitted.coefs[{i}] and fitted.intercepts[{i}] are so large that inputs in "
                f"[0, 1] can overflow layer {i}, making its predictions infinite or NaN.",
            )
            bound = np.minimum(z, max(map(abs, activation.output_range)))


def load(path):
    """Load a model saved by :func:`save`, or by the book's ``network2.py``.

    Parameters
    ----------
    path : str or path-like
        The model file.

    Returns
    -------
    model : NielsenMLPClassifier or NielsenMLPRegressor
        A fitted estimator, ready to predict or to continue training with
        ``partial_fit``.

    Raises
    ------
    ModelFileError
        A ``ValueError`` naming the file, the field and what is wrong: not
        JSON, not a model, a newer format version, an unknown plugin,
        inconsistent shapes, a number or size no model file holds, ... No
        other exception comes from a malformed file.
    """
    try:
        check_readable(path)  # a FIFO or a device would block or never end
    except NotARegularFileError as exc:
        raise ModelFileError(f"{path}: not a model file ({exc}).") from None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ModelFileError(f"{path}: not a model file (not UTF-8 text).") from None
    try:
        return _model_from_document(_parse(text))
    except ModelFileError as exc:
        raise ModelFileError(f"{path}: {exc}") from None
    except _DATA_ERRORS as exc:
        raise ModelFileError(f"{path}: not a valid model file ({exc!r}).") from None


def _model_from_document(document):
    """The estimator a parsed file holds, in either format, or a ModelFileError."""
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
    return _restored(model, _state_from_json(model, document.get("fitted"), version))


class _Unreadable:
    """Stands in, while parsing, for a number that no model file holds."""

    def __init__(self, reason):
        self.reason = reason


def _parse(text):
    """The JSON document of ``text``, refusing numbers no model file holds, by field.

    NaN, infinities, floats beyond the float64 range and integers of more
    than ``MAX_INTEGER_DIGITS`` digits (Python refuses to convert 4,300
    digits and more) become markers while parsing, so that the error can
    name the field holding the first of them.
    """
    # Python builds an object of some 60 bytes for every 2-byte "[]"; a model
    # file is mostly numbers, so many containers per byte mean a hostile file
    # whose parsing alone would cost over 20 times its size.
    containers = text.count("[") + text.count("{")
    _require(
        containers <= len(text) / MAX_BYTES_PER_CONTAINER,
        f"not a model file ({containers:,} arrays or objects in {len(text):,} characters).",
    )
    found = []

    def unreadable(reason):
        found.append(_Unreadable(reason))
        return found[-1]

    def parse_int(digits):
        if len(digits.lstrip("-")) > MAX_INTEGER_DIGITS:
            return unreadable(f"an integer of {len(digits.lstrip('-'))} digits")
        return int(digits)

    def parse_float(literal):
        value = float(literal)
        return value if math.isfinite(value) else unreadable("a number beyond the float range")

    try:
        document = json.loads(
            text,
            parse_int=parse_int,
            parse_float=parse_float,
            parse_constant=lambda name: unreadable(name),
        )
    except RecursionError:
        raise ModelFileError("not a model file (JSON nested too deeply).") from None
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"not a model file (invalid or truncated JSON: {exc}).") from None
    if found:
        raise ModelFileError(f"{_field_of(document, found[0])} holds {found[0].reason}.")
    return document


def _field_of(document, target):
    """The path, such as ``fitted.coefs[0][2][1]``, of the value ``target`` in ``document``."""
    pending = [("", document)]  # iterative: a document may be nested deeply
    while pending:
        path, value = pending.pop()
        if value is target:
            return path or "the document"
        if isinstance(value, dict):
            pending.extend((f"{path}.{key}" if path else key, item) for key, item in value.items())
        elif isinstance(value, list):
            pending.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
    return "a value"
