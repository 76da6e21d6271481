"""Saving and loading models as JSON, ours and the book's.

A saved model is a readable JSON document with a format name and version,
the estimator's full configuration and its fitted state, declared field by
field in :mod:`._schema` and documented from there in ``docs/model-format.md``.
Writing is atomic: the document goes to a temporary file in the same folder,
is flushed to disk and then renamed over the target, so a crash leaves
either the old file or the new one, never half of one.

Loading never runs code chosen by the file. Plugins are looked up only by
name in the registries (:mod:`sknielsen.plugins`), every value is checked
against the declaration, and anything unexpected raises a
:class:`ModelFileError` that names the field and what is wrong. A small
file never makes loading expensive: every size a file declares is checked
against what the file holds before anything is allocated, and numbers no
model file holds are refused while parsing (:func:`sknielsen._core.rules.parse_json`).
The fields read, this module only assembles the estimator, through its
public pair ``from_fitted_state``/``set_fitted_state``.

The book's ``network2.py`` format (``{"sizes", "weights", "biases",
"cost"}``, weights stored as (n_out, n_in)) is read and written too.
"""

from pathlib import Path

import numpy as np
from sklearn.exceptions import NotFittedError

from .._classifier import NielsenMLPClassifier
from .._core.files import (
    NotARegularFileError,
    UnsavableModelError,
    check_readable,
    file_path,
    write_text_atomically,
)
from .._core.rules import ModelFileError, parse_json
from .._core.warn import silenced, warn
from .._regressor import NielsenMLPRegressor
from ..callbacks import HISTORY_KEYS
from ..modelfile._format import document_text, model_text
from ..modelfile._schema import (
    FORMAT_VERSION,
    NETWORK2_COSTS,
    check_across,
    read_model,
    read_network2,
)
from ..training._loop import new_optimizer_state
from ..training._state import FittedState, initial_optimizer_arrays
from ..utils import check_params

# The estimators a file may hold, by the name written in it.
ESTIMATORS = {cls.__name__: cls for cls in (NielsenMLPClassifier, NielsenMLPRegressor)}
# What bad data raises inside NumPy and the estimators; load reports it as a ModelFileError.
_DATA_ERRORS = (KeyError, TypeError, AttributeError, IndexError, ValueError, ArithmeticError)

__all__ = ["FORMAT_VERSION", "ModelFileError", "load", "save"]


# -- writing ----------------------------------------------------------------


def _network2_document(model):
    if not isinstance(model, NielsenMLPClassifier):
        instead = isinstance(model, NielsenMLPRegressor)
        raise TypeError(
            "format='network2' holds classifiers only (the book's network2.py classifies); "
            f"got {type(model).__name__}."
            + (" Save a regressor with format='sknielsen'." if instead else "")
        )
    _check_fitted(model)  # before reading its fitted plugins
    check = [model.activation_.name, model.output_activation_.name]
    if check != ["sigmoid", "sigmoid"] or model.cost_.name not in NETWORK2_COSTS.values():
        raise ValueError(
            "format='network2' holds only sigmoid networks with the quadratic or "
            "cross-entropy cost, as the book's network2.py; this model has "
            f"activation={check[0]!r}, output_activation={check[1]!r} and "
            f"cost={model.cost_.name!r}: save it with format='sknielsen'."
        )
    _warn_if_labels_lost(model)
    book_cost = {ours: book for book, ours in NETWORK2_COSTS.items()}[model.cost_.name]
    sizes = [int(model.n_features_in_)] + [w.shape[1] for w in model.coefs_]
    return {
        "sizes": sizes,
        "weights": [w.T.tolist() for w in model.coefs_],
        "biases": [b[:, None].tolist() for b in model.intercepts_],
        "cost": book_cost,
    }


def _warn_if_labels_lost(model):
    """Warn when the book's format, which holds no labels, will load other predictions.

    A network2.py file loads as a classifier of the labels 0..n-1, one per
    sample: a model of other labels, or of multilabel targets, predicts
    something else once loaded.
    """
    targets = model.get_fitted_state().targets
    classes = np.asarray(targets["classes"])
    if targets["multilabel"]:
        warn(
            "The network2.py format holds no labels: this multilabel model will load as a "
            f"classifier of one label per sample, 0..{len(classes) - 1}. Save it in "
            "sknielsen's format to keep them."
        )
    elif classes.dtype.kind not in "iub" or not np.array_equal(classes, np.arange(len(classes))):
        shown = ", ".join(map(repr, classes[:5].tolist())) + (", ..." if len(classes) > 5 else "")
        warn(
            f"The network2.py format holds no labels: this model's classes ({shown}) will "
            f"load as 0..{len(classes) - 1}. Save it in sknielsen's format to keep them."
        )


def save(model, path, *, format="sknielsen"):
    """Save a fitted model as JSON, atomically.

    Parameters
    ----------
    model : NielsenMLPClassifier or NielsenMLPRegressor
        A fitted estimator.
    path : str, bytes or path-like
        Where to write. An existing file is replaced only once the new one
        is completely written. A symbolic link is written through: its
        final target is replaced atomically and the link stays.
    format : {'sknielsen', 'network2'}, default='sknielsen'
        ``'network2'`` writes the book's format (sigmoid networks with the
        quadratic or cross-entropy cost only; configuration and labels are
        lost: it loads as a classifier of the labels 0..n-1, and a warning
        says so when the model's classes are others).

    Raises
    ------
    NotFittedError
        The model is not fitted (a ``ValueError``, as scikit-learn's). Nothing
        is written then.
    ValueError
        :func:`load` would refuse the file: NaN
        or infinite values, weights that can overflow, invalid parameters,
        or parameters changed since the fit that contradict the fitted
        network (``docs/model-format.md`` lists the checks); class labels
        of a dtype the format does not hold (datetime64, timedelta64: fit on
        ``y.astype(str)`` or ``y.astype('int64')``; ``np.longdouble`` wider
        than 64 bits: fit on ``y.astype('float64')``); or it does not fit the
        chosen format. Nothing is written then.
    NotARegularFileError
        An ``OSError``: ``path`` is a directory, a device (``/dev/null``), a
        FIFO or a socket, which a save must not replace. Nothing is written.
    OSError
        The folder is missing or cannot be written; the old file is intact.
    TypeError
        ``model`` is no estimator the format holds (a regressor in
        ``'network2'``), or ``path`` is neither a str, bytes nor path-like
        (an int would name an open file descriptor).

    Warns
    -----
    UserWarning
        When the file cannot hold all of the model's parameters: callbacks
        other than the built-in schedules and stopping rules (those that
        write files, print or monitor included), or a
        ``random_state`` given as a ``RandomState``, saved as None (a new
        ``fit`` of the loaded model is then not seeded; its ``partial_fit``
        continues exactly).

    Examples
    --------
    >>> import sknielsen
    >>> from sklearn.datasets import load_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> net = sknielsen.NielsenMLPClassifier(epochs=2, random_state=0).fit(X / 16, y)
    >>> sknielsen.save(net, "net.json")
    >>> sknielsen.load("net.json").predict(X[:3] / 16)
    array([0, 1, 1])
    """
    path = file_path(path)
    if format == "sknielsen":
        if type(model) not in ESTIMATORS.values():
            raise TypeError(_not_savable(model))
        _check_fitted(model)
        text = model_text(model, model.get_fitted_state(), _parameter_plugins(model))
        _check_loadable(text)
        write_text_atomically(path, text)
    elif format == "network2":
        write_text_atomically(path, document_text(_network2_document(model)))
    else:
        raise ValueError(f"format must be 'sknielsen' or 'network2'; got {format!r}.")


def _not_savable(model):
    """The refusal of a ``model`` that sknielsen's format cannot hold, saying why."""
    # A subclass is refused too: the file names the class that load rebuilds.
    subclass = isinstance(model, tuple(ESTIMATORS.values()))
    return (
        f"model must be a {' or '.join(ESTIMATORS)}"
        f"{' (not a subclass, which load could not rebuild)' if subclass else ''}; "
        f"got {type(model).__name__}."
    )


def _check_loadable(text):
    """Refuse to write what :func:`load` would refuse, by reading it as load does.

    The checks across fields (:func:`check_savable`) do not cover the
    estimator's own, such as hidden layers changed by ``set_params`` since
    the fit: the file was written, and no ``load`` could read it back.
    """
    # Said by the real load, not by this check; held back in this thread only.
    with silenced():
        try:
            _model_from_text(text)
        except ModelFileError as exc:
            raise UnsavableModelError(f"load would refuse it: {exc}") from None


def _check_fitted(model):
    if not hasattr(model, "coefs_"):  # NotFittedError, as predict's: a ValueError too
        raise NotFittedError(
            f"This {type(model).__name__} instance is not fitted yet; fit it before saving it."
        )


def _parameter_plugins(model):
    """The plugins ``model``'s parameters resolve to: its fitted network must use them."""
    try:
        return check_params(model, training=False).plugins.as_dict()
    except ValueError as exc:
        raise UnsavableModelError(f"its parameters are invalid: {exc}") from None


# -- reading ----------------------------------------------------------------


def load(path):
    """Load a model saved by :func:`save`, or by the book's ``network2.py``.

    Parameters
    ----------
    path : str, bytes or path-like
        The model file.

    Returns
    -------
    model : NielsenMLPClassifier or NielsenMLPRegressor
        A fitted estimator, ready to predict or to continue training with
        ``partial_fit``. Its parameters are the file's, as saved: a model
        saved with a value retired since (``engine='numba'``, retired in
        0.2.0) keeps it and predicts, and its ``fit`` and ``partial_fit``
        refuse it, saying what replaces it (``set_params(engine='auto')``).

    Raises
    ------
    ModelFileError
        A ``ValueError`` naming the file, the field and what is wrong: not
        JSON, not a model, a newer format version, an unknown plugin,
        inconsistent shapes, a number or size no model file holds, ...
        (``docs/model-format.md`` lists every rule). No other exception
        comes from a malformed file.
    TypeError
        ``path`` is neither a str, bytes nor path-like.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn.datasets import load_digits
    >>> import sknielsen
    >>> X, y = load_digits(return_X_y=True)
    >>> net = sknielsen.NielsenMLPClassifier(hidden_layer_sizes=(10,), epochs=2, random_state=0)
    >>> net = net.fit(X / 16.0, y)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     sknielsen.save(net, Path(folder) / "digits.json")
    ...     loaded = sknielsen.load(Path(folder) / "digits.json")
    >>> bool((loaded.predict(X / 16.0) == net.predict(X / 16.0)).all())
    True
    >>> loaded.n_iter_, loaded.hidden_layer_sizes
    (2, (10,))
    """
    path = file_path(path)
    try:
        check_readable(path)  # a FIFO or a device would block or never end
    except NotARegularFileError as exc:
        raise ModelFileError(f"{path}: not a model file ({exc}).") from None
    try:
        # An editor may start the file with a byte-order mark (Windows Notepad
        # does), which JSON parsers may ignore: json's message about it was
        # Python advice ("decode using utf-8-sig").
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ModelFileError(f"{path}: not a model file (not UTF-8 text).") from None
    try:
        return _model_from_text(text)
    except ModelFileError as exc:
        raise ModelFileError(f"{path}: {exc}") from None


def _model_from_text(text):
    """The estimator a file's text holds, or a ModelFileError (without the file's name)."""
    try:
        return _model_from_document(parse_json(text))
    except ModelFileError:
        raise
    except RecursionError:  # plugin documents nested in plugin documents, hundreds deep
        raise ModelFileError("not a model file (JSON nested too deeply).") from None
    except _DATA_ERRORS as exc:
        raise ModelFileError(f"not a valid model file ({exc!r}).") from None


def _model_from_document(document):
    """The estimator a parsed file holds, in either format, or a ModelFileError."""
    if type(document) is not dict:
        raise ModelFileError("not a model file (not a JSON object).")
    if {"sizes", "weights", "biases", "cost"} <= set(document) and "format" not in document:
        return _from_network2(read_network2(document))
    parameters = {name: cls().get_params(deep=False) for name, cls in ESTIMATORS.items()}
    read = read_model(document, parameters)
    model = ESTIMATORS[read["estimator"]](**read["params"])
    try:
        config = check_params(model, training=False)  # a retired value loads, as saved
    except ValueError as exc:
        raise ModelFileError(f"Invalid parameters in the file: {exc}") from None
    version = read["format_version"]
    state = _state(read["fitted"], version, model.eta)
    return _restored(model, state, config, version)


def _state(fitted, version, eta):
    """The FittedState of a file's checked ``fitted`` values (any readable version)."""
    fresh = initial_optimizer_arrays(fitted["plugins"]["optimizer"], fitted["coefs"])
    if version == 1:
        # Version 1 kept no η (training restarted at the eta parameter), no per-epoch
        # loss, and wrote an empty optimizer state for a model that had not trained.
        arrays = _in_fresh_dtypes(fitted["optimizer_state"] or fresh, fresh, fitted["dtype"])
        optimizer_state = {"eta": float(eta), "eta0": float(eta), **arrays}
        history = {"loss": [], **fitted["history"]}
        targets = {key: fitted[key] for key in ("classes", "multilabel", "y_1d") if key in fitted}
    else:
        read = fitted["optimizer_state"]
        arrays = _in_fresh_dtypes(read["arrays"], fresh, fitted["dtype"])
        optimizer_state = {"eta": read["eta"], "eta0": read["eta0"], **arrays}
        history, targets = fitted["history"], fitted["targets"]
    names, targets_named = fitted["feature_names_in"], fitted.get("target_names_in")
    return FittedState(
        coefs=fitted["coefs"],
        intercepts=fitted["intercepts"],
        plugins=fitted["plugins"],
        optimizer_state=optimizer_state,
        history={key: history[key] for key in HISTORY_KEYS},
        rng_state=fitted.get("rng_state"),
        targets=targets,
        n_features_in=fitted["n_features_in"],
        feature_names_in=None if names is None else np.array(names, dtype=object),
        n_iter=fitted["n_iter"],
        samples_seen=fitted.get("samples_seen", 0),
        input_scale=fitted.get("input_scale"),
        target_names_in=None if targets_named is None else np.array(targets_named, dtype=object),
        split_seed=fitted.get("split_seed"),
    )


def _in_fresh_dtypes(arrays, fresh, dtype):
    """The optimizer's arrays, read in full, each in the dtype its optimizer makes it.

    A file holds every number as written; read in the network's dtype,
    Adam's step count (a float64 whatever the dtype) came back rounded in
    float32 from 2**24 on. A name the optimizer does not make is read in
    ``dtype``, and refused with the state.
    """
    with np.errstate(over="ignore"):  # beyond float32: inf, which the file's rules refuse
        return {
            key: np.asarray(value, dtype=fresh[key].dtype if key in fresh else dtype)
            for key, value in arrays.items()
        }


def _from_network2(read):
    """Build a classifier over the digits 0..n-1 from the book's checked JSON."""
    sizes = read["sizes"]
    coefs = [np.ascontiguousarray(w.T) for w in read["weights"]]
    intercepts = [b[:, 0].copy() for b in read["biases"]]
    model = NielsenMLPClassifier(
        hidden_layer_sizes=tuple(sizes[1:-1]), cost=NETWORK2_COSTS[read["cost"]]
    )
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
    return _restored(model, state, config, FORMAT_VERSION)


def _restored(model, state, config, version):
    """``model`` with ``state`` set, or a ModelFileError saying what does not fit.

    The format's checks across fields come first, with the plugins the
    parameters make, naming the fields; then the estimator checks the state
    against itself and its parameters (``set_fitted_state``, which applies
    the checks across fields too, to a state made in memory).
    """
    try:
        state.check()  # what the checks across fields rely on
        check_across(state, config.plugins.as_dict(), version)
        model.set_fitted_state(state)
    except ModelFileError:
        raise
    except (ValueError, TypeError) as exc:
        raise ModelFileError(f"inconsistent model: {exc}") from None
    return model
