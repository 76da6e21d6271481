"""The model file's format, declared once: its fields, and the checks across them.

:data:`MODEL_FILE` declares every field of a saved model, for each format
version and estimator, with the rules of :mod:`sknielsen._core.rules`; :data:`NETWORK2_FILE`
declares the book's ``network2.py`` files. :data:`CROSS_CHECKS` lists what
no single field can say: at most one history entry per epoch, fitted
plugins that the parameters name, outputs that cannot overflow. Reading a file
(:func:`read_model`), checking a state before it is kept or saved
(:func:`check_across`) and the documentation (:mod:`._reference`) all come
from these declarations.

It sits below the estimators, which check their fitted state with it at
the end of a fit: a model that ``fit`` returns is one that ``save`` writes
and ``load`` reads back.
"""

import math
import warnings
from dataclasses import dataclass

import numpy as np

from .. import callbacks as callbacks_module
from .. import plugins
from .._core.rules import (
    AllOf,
    ByType,
    Choice,
    Context,
    Converted,
    Explained,
    Field,
    Integer,
    ListOf,
    MapOf,
    Nullable,
    Number,
    NumberArray,
    Record,
    Row,
    Rule,
    Scalar,
    refuse,
)
from ..callbacks import HISTORY_KEYS, MONITORS
from ..engine._network import overflowing_layer
from ..training._config import DTYPES, PLUGIN_PARAMETERS, TRAINING_PLUGIN_PARAMETERS
from ..training._state import RNG_STATE, check_classes

FORMAT_NAME = "sknielsen-model"
FORMAT_VERSION = 3
# Format versions this code reads; every earlier version must stay here.
READABLE_VERSIONS = (1, 2, 3)
LABEL_KINDS = "biufUO"
CLASSIFIER, REGRESSOR = "NielsenMLPClassifier", "NielsenMLPRegressor"
# Callbacks saved with the estimator's parameters, by class name; others are left
# out. Those that write files (Checkpoint, CSVLogger) are never saved: a model
# file must not choose where training later writes.
SAVED_CALLBACKS = {
    cls.__name__: cls
    for cls in (
        callbacks_module.EarlyStopping,
        callbacks_module.HalveOnPlateau,
        callbacks_module.StepDecay,
        callbacks_module.ExponentialDecay,
        callbacks_module.InverseScaling,
    )
}
SCALARS = (str, int, float, bool, type(None))
# The dtypes of a plugin's NumPy array hyper-parameters that a file holds exactly.
ARRAY_DTYPES = frozenset(
    np.dtype(code).name for code in ("?", "b", "h", "i", "q", "B", "H", "I", "Q", "e", "f", "d")
)
# The book's cost class names and ours.
NETWORK2_COSTS = {"CrossEntropyCost": "cross_entropy", "QuadraticCost": "quadratic"}
# The fitted plugins that make the network's function: they must be the parameters' own.
NETWORK_PLUGINS = ("cost", "activation", "output_activation")

PLAIN = Scalar(SCALARS)
BOOLEAN = Scalar((bool,), "true or false")
STRING = Scalar((str,), "a string")
COUNT = Integer()
NUMBERS = ListOf(Number(), "a list of numbers")


class PluginDocument(Rule):
    """``{"plugin": kind, "name": ..., "params": {...}}``, found by name in the registry.

    Its hyper-parameters are validated as the plugin's own ``validate`` does.

    Parameters
    ----------
    kind : str or None
        The plugin kind; None: any kind, as the document says.
    """

    def __init__(self, kind=None):
        self.kind = kind
        self.expected = f"a {kind or 'plugin'} document"
        self.summary = f"plugin document ({kind})" if kind else "plugin document"
        kinds = (kind,) if kind else tuple(plugins.kinds())
        self.fields = Record(
            Field("plugin", Choice(kinds), "The plugin's kind."),
            Field(
                "name",
                STRING,
                "The name it is registered under; looked up in the registry, never run.",
            ),
            Field(
                "params",
                MapOf(
                    HyperParameter(),
                    "One hyper-parameter; a JSON array is read back as a tuple, "
                    "`{list: [...]}` as a list, `{array: [...], dtype: name}` as a NumPy "
                    "array of booleans or real numbers.",
                ),
                "Its hyper-parameters by name (`get_params()`).",
            ),
        )

    def read(self, value, path, context):
        document = self.fields.read(value, path, context)
        try:
            plugin = plugins.get(document["plugin"], document["name"])
            plugin.set_params(**document["params"]).validate()
        except (ValueError, TypeError) as exc:
            refuse(f"{path}: {exc}")
        return plugin


class HyperParameter(Rule):
    """A plugin's hyper-parameter: plain data, a plugin, or a sequence of both.

    A JSON array is read as a tuple, as every format version wrote tuples
    and lists; ``{"list": [...]}`` as a list, as this release writes lists;
    ``{"array": [...], "dtype": name}`` as a NumPy array of that dtype.
    """

    expected = (
        "a number, string, boolean or null, a plugin document, a list (or {'list': list}) "
        "of them, or {'array': nested lists of numbers, 'dtype': name}"
    )
    summary = (
        "scalar, plugin document, list of scalars and plugin documents, {list: such a list}, "
        "or {array: nested lists, dtype: name}"
    )

    def read(self, value, path, context):
        if type(value) is list:
            return tuple(self._items(value, path, context))
        if type(value) is dict and "plugin" in value:
            return ANY_PLUGIN.read(value, path, context)
        if type(value) is dict and "array" in value:
            return self._array(value, path)
        if type(value) is dict:
            if set(value) != {"list"} or type(value["list"]) is not list:
                self.fail(path)
            return self._items(value["list"], f"{path}.list", context)
        return value  # what else JSON holds is plain: a number, string, boolean or null

    def _array(self, value, path):
        """``{"array": [...], "dtype": name}`` as the array the plugin held."""
        dtype = value.get("dtype")
        if set(value) != {"array", "dtype"} or not (
            type(dtype) is str and dtype in ARRAY_DTYPES  # a list or dict is unhashable
        ):
            refuse(
                f"{path} must be {{'array': nested lists of numbers, 'dtype': name}} with "
                f"dtype among {sorted(ARRAY_DTYPES)}; got keys {sorted(value)} and dtype "
                f"{dtype!r}."
            )
        values = value["array"]
        try:
            with warnings.catch_warnings():
                # NumPy 1.24-1.26 wrap integers beyond the dtype with a DeprecationWarning;
                # the comparison below refuses them, as NumPy 2's OverflowError is.
                warnings.simplefilter("ignore", DeprecationWarning)
                array = np.array(values, dtype=value["dtype"])
        except (TypeError, ValueError, OverflowError) as exc:
            refuse(f"{path}.array is no {value['dtype']} array: {exc}")
        # The writer wrote tolist(): anything else (strings, ragged rows, values the
        # dtype changes or wraps) is not what a plugin held.
        if array.tolist() != values:
            refuse(f"{path}.array does not hold {value['dtype']} values in rows of one length.")
        return array

    def _items(self, value, path, context):
        items = []
        for i, item in enumerate(value):
            if type(item) is dict:
                item = ANY_PLUGIN.read(item, f"{path}[{i}]", context)
            elif not PLAIN.accepts(item):
                self.fail(path)
            items.append(item)
        return items


#: A plugin document of any kind (inside another plugin's hyper-parameters).
ANY_PLUGIN = PluginDocument()


class Labels(Rule):
    """``{"dtype": ..., "values": [...]}``: class labels that survive their dtype unchanged.

    A declared string width is checked against the longest label, and the
    number of labels against the output neurons, before anything is
    allocated: ``"<U50000000"`` would take gigabytes, and so would
    thousands of short labels beside one long one (each takes its width).

    Parameters
    ----------
    layers : str
        The path of the field, read before, that holds the weight matrices:
        the last one's columns are the output neurons, one per label.
    """

    expected = "an object with keys dtype and values"
    summary = "object"

    def __init__(self, layers):
        self.layers = layers

    def read(self, value, path, context):
        if type(value) is not dict or set(value) != {"dtype", "values"}:
            self.fail(path)
        values = value["values"]
        if type(values) is not list or not all(type(v) in (str, int, float, bool) for v in values):
            refuse(f"{path}.values must be a list of labels.")
        _check_label_count(values, context.values.get(self.layers), f"{path}.values")
        dtype = _label_dtype(value["dtype"], values, f"{path}.dtype")
        try:
            labels = np.array(values, dtype=dtype)
        except (TypeError, ValueError, OverflowError) as exc:
            refuse(f"{path}.values do not fit dtype {dtype}: {exc}")
        survived = labels.tolist()
        if survived != values or any(type(a) is not type(b) for a, b in zip(survived, values)):
            refuse(
                f"{path}.values change in dtype {dtype} (a dtype too narrow, or of another "
                f"kind): {values[:5]} become {survived[:5]}."
            )
        return labels

    def rows(self, path, scope):
        about = {
            "dtype": "NumPy dtype of the labels, of kind b, i, u, f, U or O (`'<i8'`, `'<U3'`); "
            "strings no wider than the longest label.",
            "values": "The classes, sorted and distinct, each unchanged (value and type) "
            "in that dtype; strings for dtype object.",
        }
        value = {"dtype": "a string", "values": "a list of labels"}
        return [
            Row(f"{path}.{k}", value[k], about[k], scope.versions, scope.estimators) for k in about
        ]


def _check_label_count(values, coefs, where):
    """Refuse labels that are not one per output neuron, before they are allocated."""
    # The estimator checks the count again, in set_fitted_state, for states made in memory.
    outputs = coefs[-1].shape[1] if coefs else None
    if outputs is not None and len(values) != outputs:
        refuse(f"{where}: {len(values)} classes but {outputs} output neurons.")


def _label_dtype(name, values, where):
    """The declared label dtype, refused before allocating when wider than the labels."""
    if type(name) is not str:
        refuse(f"{where} must be a string.")
    try:
        dtype = np.dtype(name)
    except (TypeError, ValueError):
        refuse(f"{where}: unknown label dtype {name!r}.")
    if dtype.kind not in LABEL_KINDS:
        refuse(f"{where}: label dtype {dtype} is not allowed.")
    if dtype.kind in "US":
        longest = max((len(v) for v in values if isinstance(v, str)), default=0)
        width = dtype.itemsize // (4 if dtype.kind == "U" else 1)
        if width > longest:
            refuse(
                f"{where} declares strings of {width} characters; the longest label has {longest}."
            )
    return dtype


class Multilabel(Rule):
    """``multilabel``, read after the classes: what it asks of them and of ``class_weight``.

    The classes are those a fit leaves (:func:`~..training._state.check_classes`,
    which ``set_fitted_state`` applies too): a multilabel model's are its
    columns, the integers 0..n-1. A ``class_weight`` dict, which weighs
    1-D labels, suits only other models, and names only their classes. A
    file breaking either loaded, and its next ``partial_fit`` refused it.

    Parameters
    ----------
    classes : str
        The name of the sibling field, read before, that holds the classes.
    """

    expected = "true or false"

    def __init__(self, classes):
        self.classes = classes

    def read(self, value, path, context):
        multilabel = BOOLEAN.read(value, path, context)
        where = f"{path.rpartition('.')[0]}.{self.classes}"
        classes = context.values[where]
        class_weight = context.values["params"].get("class_weight")
        try:
            check_classes(classes, multilabel, where)  # set_fitted_state's rules
        except ValueError as exc:
            refuse(str(exc))
        if multilabel and isinstance(class_weight, dict):
            refuse(
                "params.class_weight is a dict, which weighs the classes of 1-D labels; "
                f"this model is multilabel ({path}): make it 'balanced' or null."
            )
        if not multilabel and isinstance(class_weight, dict):
            _check_weighed_labels(class_weight, classes, where)
        return multilabel


def _check_weighed_labels(class_weight, classes, where):
    """Refuse a ``class_weight`` dict naming labels that are not classes, as ``fit`` does."""
    known = set(classes.tolist())
    unknown = [label for label in class_weight if label not in known]
    if unknown:
        refuse(
            f"params.class_weight names labels that are not classes of the model ({where}): "
            f"{unknown[:10]}; the classes are {classes[:20].tolist()}."
        )


class CallbackDocument(Rule):
    """``{"callback": name, "params": {...}}``: one of :data:`SAVED_CALLBACKS`."""

    expected = "a callback document"
    summary = "callback document"
    fields = Record(
        Field(
            "callback",
            Choice(
                tuple(sorted(SAVED_CALLBACKS)),
                message="{path}: unknown callback; known: " + f"{sorted(SAVED_CALLBACKS)}.",
            ),
            "The class, among " + ", ".join(f"`{name}`" for name in SAVED_CALLBACKS) + ".",
        ),
        Field("params", MapOf(PLAIN, "One parameter."), "Its parameters by name."),
    )

    def read(self, value, path, context):
        document = self.fields.read(value, path, context)
        try:
            return SAVED_CALLBACKS[document["callback"]](**document["params"])
        except (TypeError, ValueError) as exc:
            refuse(f"{path}: {exc}")

    def rows(self, path, scope):
        return self.fields.rows(path, scope)


class NamedCallback(Rule):
    """``[name, callback document]``: a ``(name, callback)`` pair, read as a tuple."""

    expected = "a [name, callback document] pair"
    summary = "[name, callback document]"

    def read(self, value, path, context):
        if type(value) is not list or len(value) != 2 or type(value[0]) is not str:
            self.fail(path)
        return (value[0], CALLBACK.read(value[1], f"{path}[1]", context))

    def rows(self, path, scope):
        return [
            Row(
                f"{path}[0]",
                "a string",
                "The name a `(name, callback)` pair gave; the callback follows as `[1]`.",
                scope.versions,
                scope.estimators,
            )
        ]


CALLBACK = CallbackDocument()


@dataclass(frozen=True)
class Sequence(Rule):
    """A list of names, integers (sizes) or plugin documents of ``kind``, read as a tuple."""

    kind: str = None
    expected: str = "a list of names, integers or plugins"

    def read(self, value, path, context):
        items = []
        for i, item in enumerate(value):
            if type(item) is dict and self.kind is not None:
                item = PluginDocument(self.kind).read(item, f"{path}[{i}]", context)
            elif type(item) not in (str, int, bool):
                self.fail(path)
            items.append(item)
        return tuple(items)


class Parameters(Rule):
    """The estimator's parameters: known names, each in its JSON form; missing ones default.

    What the values mean is checked where every estimator's parameters are,
    by :func:`sknielsen.utils.check_params`.
    """

    expected = "an object"
    summary = "object"

    def __init__(self, rules):
        self.rules = rules

    def read(self, value, path, context):
        if type(value) is not dict:
            refuse(f"{path} should be an object.")
        estimator = context.values["estimator"]
        unknown = set(value) - set(context.settings["estimators"][estimator])
        if unknown:
            fields = ", ".join(f"{path}.{key}" for key in sorted(unknown))
            refuse(f"Unknown estimator parameters of {estimator}: {fields}.")
        return {
            key: self.rules.get(key, PLAIN).read(item, f"{path}.{key}", context)
            for key, item in value.items()
        }

    def rows(self, path, scope):
        rows = [Row(f"{path}.NAME", PLAIN.describe(), _OTHER_PARAMETERS, *_scope(scope))]
        for names, (rule, about) in PARAMETER_FORMS.items():
            rows.append(Row(f"{path}.{names}", rule.describe(), about, *_scope(scope)))
            rows += rule.rows(f"{path}.{names.split(', ')[0]}", scope)
        return rows


def _scope(row):
    return row.versions, row.estimators


_OTHER_PARAMETERS = (
    "Every other constructor parameter, as plain data; a parameter left out takes its default. "
    "What the values mean is checked as `fit` checks them (`sknielsen.utils.check_params`). "
    "A `random_state` given as a NumPy `RandomState` is written as null, with a warning: the "
    "generator the fit went on with is `fitted.rng_state`, so `partial_fit` continues "
    "exactly, but a new `fit` of the loaded model draws afresh."
)


def _plugin_or_name(kind, sequence=False):
    rules = {dict: PluginDocument(kind), None: PLAIN}
    if sequence:
        rules[list] = Sequence(kind)
    form = "name, plugin document" + (", list of them" if sequence else "") + " or null"
    return ByType(rules, form)


_CLASS_WEIGHTS = Converted(
    Explained(
        Record(
            Field(
                "items",
                ListOf(ListOf(Scalar((str, int, float, bool)), "a pair", 2, 2), "a list of pairs"),
                "`[label, weight]` pairs.",
            )
        ),
        "{path} should be an object with a list of [label, value] items.",
    ),
    lambda read: dict(read["items"]),  # labels may be numbers, so not JSON keys
)
_SIZES_OR_NAMES = ByType({list: Sequence(), None: PLAIN}, "list of integers or names")
#: The parameters whose JSON form is not plain data, with what the form holds.
PARAMETER_FORMS = {
    ", ".join(PLUGIN_PARAMETERS): (
        _plugin_or_name("cost"),
        "A plugin: its registered name, or a plugin document (below) when it was given "
        "as an instance.",
    ),
    ", ".join(TRAINING_PLUGIN_PARAMETERS): (
        _plugin_or_name("augmenter", sequence=True),
        "An augmenter by name or document, or a list of them (applied in turn).",
    ),
    "hidden_layer_sizes, monitor, image_shape": (
        _SIZES_OR_NAMES,
        "Lists of integers or names (read back as tuples).",
    ),
    "class_weight": (
        ByType({dict: _CLASS_WEIGHTS, None: PLAIN}, "`{items: [[label, weight], ...]}` or name"),
        "Labels may be numbers, which JSON keys cannot be, hence a list of pairs.",
    ),
    "callbacks": (
        Nullable(
            ListOf(
                ByType(
                    {dict: CALLBACK, list: NamedCallback()},
                    "a callback document or a [name, callback document] pair",
                ),
                "a list of callback documents and [name, document] pairs",
            )
        ),
        "The built-in schedules and stopping rules (the classes below), a "
        "`(name, callback)` pair as `[name, document]`; others are left out, with a "
        "warning.",
    ),
}
_PARAMETER_RULES = {
    **{name: _plugin_or_name(kind) for name, kind in PLUGIN_PARAMETERS.items()},
    **{name: _plugin_or_name(kind, True) for name, kind in TRAINING_PLUGIN_PARAMETERS.items()},
    **dict.fromkeys(("hidden_layer_sizes", "monitor", "image_shape"), _SIZES_OR_NAMES),
    "class_weight": PARAMETER_FORMS["class_weight"][0],
    "callbacks": PARAMETER_FORMS["callbacks"][0],
}


#: Each read in full, then in the dtype the optimizer's ``init`` makes it.
_OPTIMIZER_ARRAY = "One array, as long as `init` makes it, and in its dtype."


def _arrays(ndim, about):
    return ListOf(NumberArray(ndim, "fitted.dtype"), f"a non-empty list of {about}", 1)


# Version 2 added the optimizer's η, the loss history, the generator and the
# targets record; version 3 the input scale (docs/design-notes.md, item 11) and the
# targets' names.
_V1, _V2, _V3 = (1,), (2, 3), (3,)
_TARGETS = (
    Field(
        "classes",
        Labels("fitted.coefs"),
        "The class labels, one per output neuron; a `params.class_weight` dict names only these.",
        None,
        (CLASSIFIER,),
    ),
    Field(
        "multilabel",
        Multilabel("classes"),
        "Whether y was a multilabel indicator matrix; then the classes are its columns, the "
        "integers 0..n-1, and `params.class_weight` is no dict.",
        None,
        (CLASSIFIER,),
    ),
    Field(
        "y_1d", BOOLEAN, "Whether y was 1-D (then the network has one output).", None, (REGRESSOR,)
    ),
)
_PLUGINS = Record(
    *(
        Field(name, PluginDocument(kind), f"The fitted {name.replace('_', ' ')}.")
        for name, kind in PLUGIN_PARAMETERS.items()
    )
)
_HISTORY_ABOUT = {
    "loss": "The mean mini-batch loss of each epoch run.",
    **{key: f"Each epoch's {key.replace('_', ' ')}, when it was monitored." for key in MONITORS},
}
FITTED = Record(
    Field(
        "dtype",
        Choice(tuple(DTYPES)),
        "The dtype of every array below but those an optimizer makes in another (Adam's "
        "`step`, a float64 count).",
    ),
    Field(
        "coefs", _arrays(2, "weight matrices"), "Layer by layer, weights of shape (n_in, n_out)."
    ),
    Field("intercepts", _arrays(1, "bias vectors"), "Layer by layer, biases of shape (n_out,)."),
    Field("plugins", _PLUGINS, "The plugins the network was fitted with."),
    Field(
        "optimizer_state",
        Record(
            Field("eta", Number(), "The current η (a schedule may have changed it)."),
            Field("eta0", Number(), "The η training started from."),
            Field(
                "arrays",
                MapOf(NumberArray(1), _OPTIMIZER_ARRAY),
                "The optimizer's arrays by name (momentum's `velocity`, Adam's `m`, `v`, `step`).",
            ),
        ),
        "The optimizer's state, so that `partial_fit` continues where training stopped.",
        _V2,
    ),
    Field(
        "optimizer_state",
        MapOf(NumberArray(1), _OPTIMIZER_ARRAY),
        "The optimizer's arrays by name (`{}`: a fresh state); η restarts at `params.eta`.",
        _V1,
    ),
    Field(
        "history",
        Record(*(Field(key, NUMBERS, _HISTORY_ABOUT[key]) for key in HISTORY_KEYS)),
        "Per-epoch records (`history_`).",
        _V2,
    ),
    Field(
        "history",
        Record(*(Field(key, NUMBERS, _HISTORY_ABOUT[key]) for key in MONITORS)),
        "Per-epoch monitored values (no `loss`).",
        _V1,
    ),
    Field("rng_state", RNG_STATE, "The generator of shuffling, dropout and augmentation.", _V2),
    Field("targets", Record(*_TARGETS), "The label encoding.", _V2),
    *(Field(f.name, f.rule, f.about, _V1, f.estimators) for f in _TARGETS),
    Field("n_features_in", COUNT, "Number of input features."),
    Field("feature_names_in", Nullable(ListOf(STRING, "a list of strings")), "Column names."),
    Field("n_iter", COUNT, "Epochs run in all (`n_iter_`)."),
    Field("samples_seen", COUNT, "Training samples seen in all (`t_`).", _V2),
    Field(
        "input_scale",
        Nullable(Number()),
        "The root mean square of the training inputs, for the warnings about rows on "
        "another scale (`predict`, `X_val`): positive; null when none was measured, and "
        "for files of versions 1 and 2.",
        _V3,
    ),
    Field(
        "target_names_in",
        Nullable(ListOf(STRING, "a list of strings")),
        "The names of the target columns, one per output, of a model fitted on a 2-D table "
        "of targets named by strings (`target_names_in_`); null otherwise.",
        _V3,
    ),
    Field(
        "split_seed",
        Nullable(Integer(below=2**31 - 1, expected="an integer in [0, 2**31 - 1)")),
        "The seed of the `validation_fraction` split the first fit held out, which a "
        "`warm_start` fit holds out again; null when no fit held rows out.",
        _V3,
    ),
)
#: Every field of a saved model, for every readable version and both estimators.
MODEL_FILE = Record(
    Field(
        "format",
        Choice(
            (FORMAT_NAME,), message=f"not a sknielsen model file (no 'format': '{FORMAT_NAME}')."
        ),
        "The format's name.",
    ),
    Field(
        "format_version",
        AllOf(
            (
                # Below 1 is no version at all, not one to upgrade for.
                Integer(minimum=1, message="format_version must be a positive integer."),
                Choice(
                    READABLE_VERSIONS,
                    message="format version {value}; this sknielsen reads versions "
                    f"{list(READABLE_VERSIONS)}. Upgrade sknielsen to load it.",
                ),
            )
        ),
        f"The format's version; this sknielsen writes {FORMAT_VERSION}.",
    ),
    Field(
        "estimator",
        Choice(
            (CLASSIFIER, REGRESSOR),
            message="Unknown estimator {value!r}; known: " + f"{[CLASSIFIER, REGRESSOR]}.",
        ),
        "The estimator's class.",
    ),
    Field("params", Parameters(_PARAMETER_RULES), "The estimator's parameters (`get_params`)."),
    Field("fitted", FITTED, "The fitted state (`get_fitted_state`)."),
    open=True,
)
#: The book's network2.py files: sigmoid networks over the classes 0..n-1.
NETWORK2_FILE = Record(
    Field(
        "sizes",
        ListOf(Integer(minimum=1), "a list of at least two positive integers", 2),
        "Neurons per layer, inputs first; at least 2 outputs, one per class.",
    ),
    Field(
        "cost",
        Choice(
            tuple(NETWORK2_COSTS),
            message="network2 'cost' must be one of "
            + f"{sorted(NETWORK2_COSTS)}"
            + "; got {value!r}.",
        ),
        "The book's cost class.",
    ),
    Field("weights", ListOf(NumberArray(2), "a list of weight matrices"), "Shape (n_out, n_in)."),
    Field("biases", ListOf(NumberArray(2), "a list of bias columns"), "Shape (n_out, 1)."),
    open=True,
)


def read_model(document, estimators):
    """Check a parsed model file against :data:`MODEL_FILE` and return its values, converted.

    Parameters
    ----------
    document : dict
        A parsed JSON object holding ``"format"``.
    estimators : dict
        The parameter names of each estimator, by class name.

    Returns
    -------
    values : dict
        The document with arrays, labels, plugins and callbacks built, as
        ``{"format", "format_version", "estimator", "params", "fitted"}``.

    Raises
    ------
    ModelFileError
        Naming the first field that breaks the declaration.
    """
    return MODEL_FILE.read(document, "", Context(estimators=estimators))


def read_network2(document):
    """Check a parsed ``network2.py`` file against :data:`NETWORK2_FILE`, and its shapes.

    Returns
    -------
    values : dict
        ``{"sizes", "cost", "weights", "biases"}``; weights (n_out, n_in) and
        biases (n_out, 1) as float64 arrays.

    Raises
    ------
    ModelFileError
    """
    read = NETWORK2_FILE.read(document, "", Context())
    sizes, weights, biases = read["sizes"], read["weights"], read["biases"]
    if not len(weights) == len(biases) == len(sizes) - 1:
        refuse("network2 'weights' and 'biases' need one entry per layer after the first.")
    for i, (w, b) in enumerate(zip(weights, biases)):
        if w.shape != (sizes[i + 1], sizes[i]) or b.shape != (sizes[i + 1], 1):
            refuse(
                f"Layer {i}: expected weights {(sizes[i + 1], sizes[i])} and biases "
                f"{(sizes[i + 1], 1)}; got {w.shape} and {b.shape}."
            )
    if sizes[-1] < 2:
        refuse(
            f"sizes ends in {sizes[-1]} output neuron: a network2.py file is read as a "
            "classifier of the classes 0..n-1, which needs at least 2."
        )
    return read


@dataclass(frozen=True)
class CrossCheck:
    """A rule across fields of a model file, and the function that enforces it.

    Attributes
    ----------
    name : str
    rule : str
        The rule, for the documentation.
    check : callable
        ``check(state, plugins, version)`` with the fitted state, the
        plugins the parameters resolve to (by parameter name) and the
        format version; raises a ModelFileError naming the fields.
    """

    name: str
    rule: str
    check: object


def _at_most_one_entry_per_epoch(state, given, version):
    # At most, not exactly: version 1 kept no loss, and a model read from it and
    # trained on has fewer loss entries than epochs.
    for key, values in state.history.items():
        if len(values) > state.n_iter:
            refuse(
                f"fitted.history.{key} has {len(values):,} entries for {state.n_iter:,} "
                "epochs run (fitted.n_iter)."
            )


def _network_as_parameters_say(state, given, version):
    for name in NETWORK_PLUGINS:
        if state.plugins[name] != given[name]:
            refuse(
                f"fitted.plugins.{name} is {state.plugins[name]!r} but the parameters make "
                f"{given[name]!r}: the network and its parameters disagree (predictions "
                "would use one, partial_fit the other)."
            )


def _finite(state, given, version):
    arrays = [(f"fitted.coefs[{i}]", w) for i, w in enumerate(state.coefs)]
    arrays += [(f"fitted.intercepts[{i}]", b) for i, b in enumerate(state.intercepts)]
    arrays += [
        (f"fitted.optimizer_state.{key}", value) for key, value in state.optimizer_state.items()
    ]
    for name, array in arrays:
        if not np.all(np.isfinite(array)):
            refuse(f"{name} holds NaN or infinite values.")
    for key, values in state.history.items():
        if not all(map(math.isfinite, values)):
            refuse(f"fitted.history.{key} holds NaN or infinite values.")


def _outputs_bounded(state, given, version):
    """No input in [0, 1] can overflow a layer (:func:`~..engine._network.overflowing_layer`)."""
    layers = len(state.coefs)
    activations = [state.plugins["activation"]] * (layers - 1) + [
        state.plugins["output_activation"]
    ]
    i = overflowing_layer(state.coefs, state.intercepts, activations)
    if i is not None:
        refuse(
            f"fitted.coefs[{i}] and fitted.intercepts[{i}] are so large that inputs in "
            f"[0, 1] can overflow layer {i}, making its predictions infinite or NaN."
        )


#: The rules across fields, checked after the fields themselves and the fitted state's
#: own consistency (:meth:`FittedState.check`, the estimator's ``set_fitted_state``).
CROSS_CHECKS = (
    CrossCheck(
        "at most one history entry per epoch",
        "Every history list has at most `n_iter` entries: one per epoch run for `loss` "
        "(fewer after a version 1 file, which kept none), and one per monitored epoch for "
        "the others.",
        _at_most_one_entry_per_epoch,
    ),
    CrossCheck(
        "the network the parameters describe",
        "The fitted cost, activation and output activation are those the parameters "
        "resolve to, hyper-parameters included: predictions use the fitted ones and "
        "`partial_fit` the parameters', so they must not differ. (The initializer, the "
        "regularizer and the optimizer may have been changed since the fit: `partial_fit` "
        "uses the parameters' ones, a new optimizer with a fresh state and a warning.)",
        _network_as_parameters_say,
    ),
    CrossCheck(
        "finite numbers",
        "Weights, biases, the optimizer's arrays and every history value are finite.",
        _finite,
    ),
    CrossCheck(
        "finite predictions",
        "No input in [0, 1] can overflow a layer: bounded by interval arithmetic through "
        "the activations' ranges (so a ReLU network scaled by 1e300 is refused).",
        _outputs_bounded,
    ),
)


def check_across(state, plugins=None, version=FORMAT_VERSION):
    """Refuse a fitted state that breaks a rule of :data:`CROSS_CHECKS`.

    ``load`` runs it on every file; the estimators at the end of every
    ``fit`` and ``partial_fit`` and in ``set_fitted_state``, and ``save``
    before writing, so that what they keep or write is what ``load`` reads
    back.

    Parameters
    ----------
    state : FittedState
        Consistent in itself (:meth:`FittedState.check`).
    plugins : dict, optional
        The plugins the estimator's parameters resolve to, by parameter
        name; None: the state's own (a state just made from them).
    version : int, default=FORMAT_VERSION
        The format version the state was read from.

    Raises
    ------
    ModelFileError
        Naming the fields that disagree.
    """
    for check in CROSS_CHECKS:
        check.check(state, plugins or state.plugins, version)
