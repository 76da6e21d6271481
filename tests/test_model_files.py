"""Hostile model files: bounded before allocating, refused by field, consistent or refused."""

import json
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor, load, save
from sknielsen.persistence import ModelFileError
from sknielsen.plugins import LBFGS

RAW = "@@raw@@"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(30, 4))
    return X, np.array(["ant", "bee", "cat"])[np.arange(30) % 3]


@pytest.fixture(scope="module")
def document(data, tmp_path_factory):
    """A saved classifier with string labels and a momentum state, as a dict."""
    X, y = data
    net = NielsenMLPClassifier(
        hidden_layer_sizes=(3,), optimizer="momentum", epochs=1, random_state=0
    ).fit(X, y)
    path = tmp_path_factory.mktemp("model") / "net.json"
    save(net, path)
    return json.loads(path.read_text())


def edited(document, tmp_path, edit, raw=None):
    """Write ``document`` changed by ``edit``; ``raw`` replaces the value RAW verbatim."""
    copy = json.loads(json.dumps(document))
    edit(copy)
    text = json.dumps(copy)
    path = tmp_path / "edited.json"
    path.write_text(text.replace(json.dumps(RAW), raw) if raw is not None else text)
    return path


def put(*keys_and_value):
    """An edit setting the value at a path of keys and indices."""
    *keys, value = keys_and_value

    def edit(document):
        for key in keys[:-1]:
            document = document[key]
        document[keys[-1]] = value

    return edit


def refused(path, match):
    """Load ``path``, expecting a ModelFileError that names the file and matches ``match``."""
    with pytest.raises(ModelFileError, match=match) as caught:
        load(path)
    assert str(path) in str(caught.value)


LABELS = ("fitted", "targets", "classes")


@pytest.mark.parametrize(
    "keys, raw, field",
    [
        (("params", "eta"), '0.5, "eta": 5.0', r"params holds the key 'eta' twice"),
        (("fitted", "n_iter"), '1, "n_iter": 7', r"fitted holds the key 'n_iter' twice"),
        (("format",), '"sknielsen-model", "format": "x"', r"the document holds the key 'format'"),
    ],
)
def test_a_key_written_twice_is_refused(document, tmp_path, keys, raw, field):
    # An edited file's second value won, silently: another reader may take the first.
    refused(edited(document, tmp_path, put(*keys, RAW), raw), field + r".*keep one")


def test_huge_label_width_is_refused_before_allocating(document, tmp_path):
    path = edited(document, tmp_path, put(*LABELS, "dtype", "<U50000000"))
    tracemalloc.start()
    refused(path, r"fitted.targets.classes.dtype declares strings of 50000000 characters.*3")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 100 * path.stat().st_size


def test_many_labels_beside_a_long_one_are_counted_before_allocating(document, tmp_path):
    """3,000 labels and one of 20,000 characters: 240 MB allocated for a 50 kB file, then refused.

    Labels of one string dtype all take the longest one's width: the count
    is checked against the output neurons first.
    """
    labels = sorted(["z" * 20_000] + [f"a{i:04}" for i in range(3_000)])
    path = edited(document, tmp_path, put(*LABELS, {"dtype": "<U20000", "values": labels}))
    tracemalloc.start()
    refused(path, r"fitted.targets.classes.values: 3001 classes but 3 output neurons")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 100 * path.stat().st_size


@pytest.mark.parametrize(
    "where, raw, match",
    [
        (
            ("fitted", "coefs"),
            "[" * 100_000 + "]" * 100_000,
            "nested too deeply|arrays or objects in",
        ),
        (
            ("params", "eta"),
            '{"a":' * 50_000 + "1" + "}" * 50_000,
            "nested too deeply|arrays or objects in",
        ),
        (
            ("fitted", "coefs", 0, 0, 0),
            "1" * 5000,
            r"fitted.coefs\[0\]\[0\]\[0\] holds an integer of 5000",
        ),
        (("fitted", "n_iter"), "-" + "9" * 4301, "fitted.n_iter holds an integer of 4301 digits"),
        (
            ("fitted", "intercepts", 1, 0),
            "1" * 400 + ".5",
            r"intercepts\[1\]\[0\] holds a number beyond",
        ),
        (("fitted", "optimizer_state", "eta"), "NaN", "fitted.optimizer_state.eta holds NaN"),
        (("fitted", "history", "loss", 0), "Infinity", r"fitted.history.loss\[0\] holds Infinity"),
        (("params", "lmbda"), "-1e999", "params.lmbda holds a number beyond the float range"),
    ],
)
def test_numbers_no_model_file_holds_are_refused_by_field(document, tmp_path, where, raw, match):
    refused(edited(document, tmp_path, put(*where, RAW), raw), match)


@pytest.mark.parametrize(
    "edit, match",
    [
        (put(*LABELS, "dtype", "<i8"), "values do not fit dtype int64|change in dtype"),
        (put(*LABELS, {"dtype": "<i8", "values": [1, 2, 2**70]}), "do not fit dtype int64"),
        (put("fitted", "coefs", 0, 0, 0, "0.5"), r"coefs\[0\] is not an array of numbers"),
        (put("fitted", "coefs", 0, 0, 0, True), r"coefs\[0\] is not an array of numbers"),
        (
            put("fitted", "optimizer_state", "arrays", "velocity", 0, [1.0]),
            "not an array|dimensions",
        ),
        (put("fitted", "rng_state", "has_uint32", 7), "not a PCG64 generator state"),
        (put("fitted", "rng_state", "uinteger", -1), "not a PCG64 generator state"),
        (put("fitted", "history", "loss", ["1.0"]), "history.loss must be a list of numbers"),
        (put("fitted", "n_features_in", True), "n_features_in must be a non-negative integer"),
        (put("fitted", "dtype", "float16"), "fitted.dtype must be"),
    ],
)
def test_wrong_types_and_bounds_are_refused(document, tmp_path, edit, match):
    refused(edited(document, tmp_path, edit), match)


@pytest.mark.parametrize(
    "edit, match",
    [
        (put("fitted", "targets", "multilabel", "false"), "multilabel must be true or false"),
        # Loaded, then the next partial_fit refused its own classes.
        (put("fitted", "targets", "multilabel", True), "multilabel model's classes are its col"),
        (put(*LABELS, "values", ["cat", "bee", "ant"]), "sorted and distinct"),
        (put(*LABELS, "values", ["ant", "ant", "cat"]), "sorted and distinct"),
        (put(*LABELS, "dtype", "<U2"), r"change in dtype <U2.*too narrow"),
        (put(*LABELS, {"dtype": "|i1", "values": [1, 2, 300]}), "do not fit dtype int8|change"),
        (put(*LABELS, {"dtype": "<f2", "values": [0.1, 0.2, 0.3]}), "change in dtype float16"),
        (put(*LABELS, "dtype", "|b1"), "change in dtype bool"),
        (put(*LABELS, {"dtype": "<i8", "values": []}), "0 classes but 3 output neurons"),
        (put(*LABELS, "values", ["ant", "bee"]), "2 classes but 3 output neurons"),
        (put("fitted", "feature_names_in", ["a", "b"]), "2 feature names for 4 features"),
        (put("params", "hidden_layer_sizes", [5]), r"hidden_layer_sizes=\(5,\) differs.*\[3\]"),
        (put("params", "output_activation", "tanh"), "paired with output_activation='tanh'"),
        (put("params", "monitor", ["validation_accurcy"]), "'monitor' parameter .* unknown keys"),
        (lambda d: d["params"].update(augment="rotate", image_shape=[3, 3]), "needs images"),
    ],
)
def test_inconsistent_models_are_refused(document, tmp_path, edit, match):
    refused(edited(document, tmp_path, edit), match)


@pytest.mark.parametrize("name", ["mini_batch_size", "eta", "epochs", "random_state"])
def test_booleans_for_numbers_are_refused(document, tmp_path, data, name):
    refused(edited(document, tmp_path, put("params", name, True)), f"'{name}'.*not be a boolean")
    with pytest.raises(ValueError, match="must not be a boolean"):
        NielsenMLPClassifier(**{name: True}).fit(*data)
    with pytest.raises(ValueError, match="hidden_layer_sizes must hold positive integers"):
        NielsenMLPClassifier(hidden_layer_sizes=(True,)).fit(*data)


def test_mixed_type_labels_are_refused(document, tmp_path):
    def mixed(document):
        document["fitted"]["targets"]["classes"] = {"dtype": "|O", "values": [1, "ant", "bee"]}

    refused(edited(document, tmp_path, mixed), "mix types")


def test_layers_without_neurons_are_refused(document, tmp_path):
    def empty_hidden_layer(document):
        document["params"]["hidden_layer_sizes"] = []
        fitted = document["fitted"]
        fitted["coefs"] = [[[] for _ in range(4)], []]
        fitted["intercepts"] = [[], [0.0, 0.0, 0.0]]

    refused(edited(document, tmp_path, empty_hidden_layer), "dimensions|no neurons")


@pytest.mark.parametrize("estimator", [NielsenMLPClassifier, NielsenMLPRegressor])
def test_weights_that_overflow_predictions_are_refused(estimator, tmp_path):
    X = np.random.default_rng(0).uniform(size=(20, 3))
    net = estimator(hidden_layer_sizes=(4,), activation="relu", epochs=1, random_state=0)
    save(net.fit(X, np.arange(20) % 2), tmp_path / "net.json")
    document = json.loads((tmp_path / "net.json").read_text())

    def scaled(document):
        coefs = document["fitted"]["coefs"]
        coefs[:] = [(np.array(w) * 1e300).tolist() for w in coefs]

    refused(edited(document, tmp_path, scaled), r"fitted.coefs\[1\].*can overflow layer 1")
    document["fitted"]["coefs"][1][0][0] = 1e300  # large, but every output stays finite
    assert np.isfinite(load(edited(document, tmp_path, lambda d: None)).predict(X)).all()


def test_regressor_with_1d_targets_needs_one_output(tmp_path):
    X = np.random.default_rng(0).uniform(size=(20, 3))
    net = NielsenMLPRegressor(hidden_layer_sizes=(2,), epochs=1, random_state=0).fit(X, X[:, :2])
    save(net, tmp_path / "net.json")
    document = json.loads((tmp_path / "net.json").read_text())
    refused(edited(document, tmp_path, put("fitted", "targets", "y_1d", True)), "several outputs")


def test_unknown_parameters_are_refused_by_field_and_estimator(document, tmp_path):
    """A classifier's parameter in a regressor's file: which field, and whose parameters."""

    def regressor(document):
        document["estimator"] = "NielsenMLPRegressor"

    refused(
        edited(document, tmp_path, regressor),
        r"Unknown estimator parameters of NielsenMLPRegressor: params\.class_weight\.",
    )


def test_narrow_string_labels_round_trip(data, tmp_path):
    """Labels stored wider than needed (a y of dtype <U10) are saved at their own width."""
    X, y = data
    net = NielsenMLPClassifier(hidden_layer_sizes=(3,), epochs=1, random_state=0)
    net.fit(X, y.astype("<U10"))
    save(net, tmp_path / "net.json")
    loaded = load(tmp_path / "net.json")
    assert loaded.classes_.tolist() == ["ant", "bee", "cat"]
    loaded.partial_fit(X, y)


@pytest.mark.parametrize(
    "callback",
    [
        {"callback": "StepDecay", "params": {"step_size": 1, "gamma": None}},
        {"callback": "EarlyStopping", "params": {"monitor": "loss", "mode": None}},
        {"callback": "EarlyStopping", "params": {"monitor": "loss", "min_delta": None}},
    ],
)
def test_callback_parameters_in_files_are_validated(document, tmp_path, callback):
    refused(edited(document, tmp_path, put("params", "callbacks", [callback])), "callbacks")


@pytest.mark.parametrize("memory", [-1, 0, 10**12, 2.5, "x"])
def test_plugin_hyper_parameters_in_files_are_validated(data, tmp_path, memory):
    X, y = data
    net = NielsenMLPClassifier(
        hidden_layer_sizes=(3,), optimizer=LBFGS(memory=5), epochs=1, random_state=0
    ).fit(X, y)
    save(net, tmp_path / "net.json")
    document = json.loads((tmp_path / "net.json").read_text())
    refused(
        edited(document, tmp_path, put("params", "optimizer", "params", "memory", memory)), "memory"
    )


def test_load_refuses_what_is_not_a_regular_file_without_blocking(tmp_path):
    import os

    fifo = tmp_path / "model.fifo"
    os.mkfifo(fifo)
    with pytest.raises(ModelFileError, match=r"model.fifo: not a model file.*FIFO"):
        load(fifo)
    with pytest.raises(ModelFileError, match="not a model file"):
        load(tmp_path)


@pytest.mark.parametrize(
    "text, match",
    [
        ("{}", r"not a sknielsen model file \(no 'format': 'sknielsen-model'\)"),
        ("[]", r"not a model file \(not a JSON object\)"),
        ("[[]]", r"not a model file \(not a JSON object\)"),
    ],
)
def test_a_tiny_file_is_told_what_it_lacks(tmp_path, text, match):
    # "{}" was "not a model file (1 arrays or objects in 2 characters)": the guard against
    # files of nothing but containers, whose parsing costs 20 times their size, spoke first.
    path = tmp_path / "tiny.json"
    path.write_text(text)
    with pytest.raises(ModelFileError, match=match):
        load(path)


@pytest.mark.parametrize(
    "text",
    ["[" * 5000 + "]" * 5000, "[" + "[]," * 100_000 + "[]]", '{"a": [' + "{}," * 100_000 + "{}]}"],
)
def test_files_of_nothing_but_containers_are_refused_cheaply(tmp_path, text):
    import tracemalloc

    path = tmp_path / "hostile.json"
    path.write_text(text)
    tracemalloc.start()
    with pytest.raises(ModelFileError, match="arrays or objects in"):
        load(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20 * len(text) + 64 * 1024


def test_an_optimizer_state_no_step_leaves_is_refused_on_load(data, tmp_path):
    # A fractional step count loaded, then partial_fit blamed it on a callback.
    X, y = data
    net = NielsenMLPClassifier((3,), optimizer="adam", eta=0.01, epochs=1, random_state=0)
    save(net.fit(X, y), tmp_path / "adam.json")
    document = json.loads((tmp_path / "adam.json").read_text())
    path = edited(document, tmp_path, put("fitted", "optimizer_state", "arrays", "step", [0.25]))
    refused(path, r"optimizer_state: Adam's step count at 0\.25: it counts the steps taken")


def test_an_optimizer_array_beyond_float32_is_refused_in_a_float32_model(data, tmp_path):
    # The optimizer's arrays are read in full, then in the dtype the optimizer makes
    # them: a float32 model's momentum of 1e39 becomes inf there, and is refused.
    X, y = data
    net = NielsenMLPClassifier((3,), optimizer="momentum", epochs=1, dtype="float32")
    save(net.set_params(random_state=0).fit(X, y), tmp_path / "momentum.json")
    document = json.loads((tmp_path / "momentum.json").read_text())
    huge = [1e39] * len(document["fitted"]["optimizer_state"]["arrays"]["velocity"])
    path = edited(document, tmp_path, put("fitted", "optimizer_state", "arrays", "velocity", huge))
    refused(path, r"fitted\.optimizer_state\.velocity holds NaN or infinite values")


def test_a_negative_adam_second_moment_is_refused_on_load(data, tmp_path):
    """Adam's ``v`` averages squared gradients: a negative one loaded, then every step was NaN.

    Each ``partial_fit`` diverged at once, rolled back, and blamed the learning rate.
    """
    X, y = data
    net = NielsenMLPClassifier((3,), optimizer="adam", eta=0.01, epochs=1, random_state=0)
    save(net.fit(X, y), tmp_path / "adam.json")
    document = json.loads((tmp_path / "adam.json").read_text())
    negative = [-1.0] * len(document["fitted"]["optimizer_state"]["arrays"]["v"])
    path = edited(document, tmp_path, put("fitted", "optimizer_state", "arrays", "v", negative))
    refused(path, r"optimizer_state: Adam's second moment v holds negative values \(-1\)")


@pytest.fixture(scope="module")
def multilabel_document(data, tmp_path_factory):
    """A saved classifier of a multilabel indicator y of 3 columns, as a dict."""
    X, _ = data
    Y = (np.arange(30)[:, None] % np.array([2, 3, 5]) == 0).astype(int)
    net = NielsenMLPClassifier(hidden_layer_sizes=(3,), epochs=1, random_state=0).fit(X, Y)
    path = tmp_path_factory.mktemp("model") / "multilabel.json"
    save(net, path)
    return json.loads(path.read_text())


def class_weight(*items):
    return put("params", "class_weight", {"items": [list(item) for item in items]})


@pytest.mark.parametrize(
    "items, unknown",
    [
        ([("dog", 2.0)], r"\['dog'\]"),
        ([("ant", 2.0), ("eel", 0.5), ("fox", 1.0)], r"\['eel', 'fox'\]"),
        ([(1, 2.0)], r"\[1\]"),  # a number for the string label "bee"
    ],
)
def test_class_weight_naming_labels_that_are_not_classes_is_refused(
    document, tmp_path, items, unknown
):
    # It loaded, then the next partial_fit refused it, naming "classes of y".
    refused(
        edited(document, tmp_path, class_weight(*items)),
        r"params.class_weight names labels that are not classes of the model "
        rf"\(fitted.targets.classes\): {unknown}; the classes are \['ant', 'bee', 'cat'\]",
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_class_weight_naming_classes_loads(document, data, tmp_path):
    X, y = data
    loaded = load(edited(document, tmp_path, class_weight(("ant", 2.0), ("cat", 0.5))))
    assert loaded.class_weight == {"ant": 2.0, "cat": 0.5}
    loaded.partial_fit(X, y)


def test_class_weight_of_a_version_1_file_is_checked_against_its_classes(tmp_path):
    document = json.loads((FIXTURES / "model_v1.json").read_text())
    refused(
        edited(document, tmp_path, class_weight((10, 2.0))),
        r"params.class_weight names labels .* \(fitted.classes\): \[10\]",
    )


@pytest.mark.parametrize(
    "classes",
    [
        {"dtype": "<i8", "values": [1, 2, 3]},
        {"dtype": "<U1", "values": ["a", "b", "c"]},
        # Equal to 0, 1, 2 but not the columns' indices that a fit gives.
        {"dtype": "<f8", "values": [0.0, 1.0, 2.0]},
    ],
)
def test_multilabel_classes_other_than_the_columns_are_refused(
    multilabel_document, tmp_path, classes
):
    refused(
        edited(multilabel_document, tmp_path, put(*LABELS, classes)),
        r"fitted.targets.classes: a multilabel model's classes are its columns, the integers "
        r"0 to 2; got \[",
    )


def test_multilabel_boolean_classes_are_refused(multilabel_document, tmp_path):
    def two_columns(document):
        fitted = document["fitted"]
        fitted["coefs"][-1] = [row[:2] for row in fitted["coefs"][-1]]
        fitted["intercepts"][-1] = fitted["intercepts"][-1][:2]
        fitted["targets"]["classes"] = {"dtype": "|b1", "values": [False, True]}
        arrays = fitted["optimizer_state"]["arrays"]
        arrays.update({key: value[:-1] for key, value in arrays.items()})

    refused(
        edited(multilabel_document, tmp_path, two_columns),
        r"fitted.targets.classes: a multilabel model's classes are its columns, the integers "
        r"0 to 1; got \[False, True\]",
    )


def test_class_weight_dict_of_a_multilabel_model_is_refused(multilabel_document, tmp_path):
    # fit and partial_fit refuse a dict with multilabel targets: it weighs 1-D labels.
    refused(
        edited(multilabel_document, tmp_path, class_weight((0, 2.0))),
        r"params.class_weight is a dict, which weighs the classes of 1-D labels; this model "
        r"is multilabel \(fitted.targets.multilabel\): make it 'balanced' or null",
    )
    loaded = load(edited(multilabel_document, tmp_path, put("params", "class_weight", "balanced")))
    assert loaded.class_weight == "balanced"


def test_a_hyper_parameter_of_nan_is_named_where_saving_refuses_it(tmp_path):
    # "The model holds NaN or infinite values (diverged training?)", a plain ValueError,
    # for a plugin's hyper-parameter of NaN in weights that were all finite.
    from sknielsen import NielsenMLPClassifier, save
    from sknielsen.persistence import UnsavableModelError
    from sknielsen.plugins import SGD, register

    @register("optimizer", "scaled_by_nan_test", replace=True)
    class Scaled(SGD):
        def __init__(self, scale=1.0):
            self.scale = scale

        def update(self, grads, state, params):
            return -state["eta"] * grads, state

    from sknielsen.plugins import _registry

    try:
        rng = np.random.default_rng(0)
        net = NielsenMLPClassifier((3,), optimizer=Scaled(scale=float("nan")), epochs=1)
        net.set_params(random_state=0).fit(rng.random((20, 3)), np.arange(20) % 2)
        message = r"params\.optimizer\.params\.scale holds NaN or infinite values \(nan\).*plugin"
        with pytest.raises(UnsavableModelError, match=message):
            save(net, tmp_path / "net.json")
        assert list(tmp_path.iterdir()) == []
    finally:
        _registry._REGISTRY["optimizer"].pop("scaled_by_nan_test", None)


# Around the float64 maximum 1.7976931348623157e308, the integers of 40 and 41 digits,
# and forms the pre-scan must read as the parser does: signs, "E", leading zeros.
BOUNDARY_LITERALS = [
    "1.7976931348623157e308",
    "1.7976931348623158e308",
    "1.7976931348623159e308",
    "-1.7976931348623159e308",
    "1.8e308",
    "-1.8E+308",
    "1e309",
    "1e+0309",
    "9e307",
    "9." + "9" * 300 + "e307",
    "0." + "9" * 300 + "e309",
    "1" + "0" * 308,
    "1" + "0" * 309,
    "-1" + "0" * 309 + ".0",
    "9" * 209 + "e99",
    "9" * 210 + "e99",
    "9" * 40 + ".5e99",
    "-" + "9" * 40 + ".5E+99",
    "0e999",
    "-0E-999",
    "1e-400",
    "2" * 40,
    "2" * 41,
    "-" + "2" * 41,
]


def outcome(path):
    """What loading ``path`` gives: ``"loaded"``, or the ModelFileError's message."""
    try:
        load(path)
    except ModelFileError as exc:
        return str(exc)
    return "loaded"


@pytest.mark.parametrize("literal", BOUNDARY_LITERALS)
def test_numbers_at_the_float_limits_load_as_the_hooks_read_them(
    document, tmp_path, monkeypatch, literal
):
    # A file without such numbers is parsed without a Python call per number; one
    # that overflowed there would have loaded as inf, or been refused by another field.
    from sknielsen._core import rules

    digits = literal.lstrip("-")
    unreadable = (
        "an integer of" if digits.isdigit() and len(digits) > 40 else "a number beyond the float"
    )
    path = edited(document, tmp_path, put("fitted", "history", "loss", 0, RAW), literal)
    scanned = outcome(path)
    if unreadable.startswith("an integer") or not np.isfinite(float(literal)):
        assert f"fitted.history.loss[0] holds {unreadable}" in scanned
    else:
        assert scanned == "loaded"
    monkeypatch.setattr(rules, "_may_hold_unreadable_numbers", lambda text: True)
    assert outcome(path) == scanned  # the hooks' reading, every number through them


def test_the_pre_scan_finds_every_literal_that_overflows_or_is_too_long():
    from sknielsen._core.rules import MAX_INTEGER_DIGITS, _may_hold_unreadable_numbers

    for int_digits in range(1, 60):
        for fraction in ("", ".5", "." + "9" * 60):
            for exponent in ("", "e99", "E+99", "e-99", "e0", "e308", "E0309", "e-400"):
                for sign in ("", "-"):
                    literal = sign + "9" * int_digits + fraction + exponent
                    too_long = not fraction and not exponent and int_digits > MAX_INTEGER_DIGITS
                    if too_long or not np.isfinite(float(literal)):
                        assert _may_hold_unreadable_numbers(f"[{literal}]"), literal


def test_a_saved_model_is_parsed_without_a_hook_per_number(data, tmp_path):
    # The hooks cost 1.4 s of the 2.7 s of a network of 1.8 million weights.
    from sknielsen._core.rules import _may_hold_unreadable_numbers

    X, y = data
    net = NielsenMLPClassifier((3,), optimizer="adam", eta=0.01, epochs=1, random_state=0)
    net.fit(X, y)
    net.coefs_[0][0, 0] = 1e-300  # written with an exponent of three digits
    save(net, tmp_path / "net.json")
    text = (tmp_path / "net.json").read_text()
    assert not _may_hold_unreadable_numbers(text.replace("1e-300", "1e-30"))
    assert _may_hold_unreadable_numbers(text)


def test_saving_a_loaded_model_writes_its_file_byte_for_byte(tmp_path):
    # Files are written as they always were: a faster writer must not change a byte.
    fixture = FIXTURES / "model_v3.json"
    save(load(fixture), tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == fixture.read_bytes()


def test_an_array_holding_other_values_names_their_types(document, tmp_path):
    row = document["fitted"]["coefs"][0][0]
    edit = put("fitted", "coefs", 0, 0, ["0.5", True, None, *row[3:]])
    refused(
        edited(document, tmp_path, edit),
        r"fitted.coefs\[0\] is not an array of numbers: it holds NoneType, bool, str\.$",
    )
