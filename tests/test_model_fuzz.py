"""Fuzzing model files: every file loads into a working model or raises ModelFileError.

Each case starts from a real saved file (classifiers and regressors,
float32 and float64, string, integer and multilabel targets, SGD, momentum
and Adam states, sigmoid and ReLU neurons) and damages it:
a truncation, a value swapped for one of another type, a huge declared
size, deep nesting, NaN or infinity, a wrong dtype, a deleted, duplicated
or reordered element. The outcome must be a model that predicts finite
values and trains on with ``partial_fit``, or a ``ModelFileError``; the
peak memory of ``load`` stays under 20 times the file's size plus the
model's own arrays.
"""

import contextlib
import json
import tracemalloc
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor, load, save
from sknielsen.persistence import ModelFileError

# Marks where a value is replaced by raw JSON text that json.dumps cannot write.
RAW = "@@raw@@"
RAW_TEXTS = [
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999",
    "-1e400",
    "1" * 5000,
    "-" + "9" * 5000,
    "0." + "1" * 5000,
    "1" * 5000 + ".5",
    "[" * 50_000 + "]" * 50_000,
    "[" * 900 + "]" * 900,
    '{"a":' * 20_000 + "1" + "}" * 20_000,
]
SWAPS = [
    None,
    True,
    False,
    "false",
    "true",
    "",
    "x",
    "float16",
    "<U50000000",
    "<U1",
    "|S3",
    "<i1",
    "<u8",
    "|b1",
    "<f2",
    "O",
    "V8",
    "<M8[s]",
    0,
    1,
    -1,
    2,
    1.5,
    -0.0,
    1e308,
    -1e308,
    2**31,
    2**63,
    2**64,
    -(2**63) - 1,
    10**39,
    [],
    [[]],
    [0],
    [[0.0]],
    {},
    {"x": 1},
    ["a", "b"],
    "float32",
    "float64",
    "softmax",
    "identity",
    "relu",
    "momentum",
    "adam",
    "lbfgs",
    "newton",
    "quadratic",
    "log_likelihood",
    "PCG64",
    "MT19937",
]
# Fields that declare a size, a type or the meaning of other fields: damaged more often.
DECLARATIONS = {
    "format_version",
    "estimator",
    "dtype",
    "values",
    "multilabel",
    "y_1d",
    "n_features_in",
    "feature_names_in",
    "hidden_layer_sizes",
    "n_iter",
    "samples_seen",
    "eta",
    "eta0",
    "step",
    "mini_batch_size",
    "image_shape",
    "augment",
    "monitor",
    "name",
    "plugin",
    "bit_generator",
    "has_uint32",
    "uinteger",
    "cost",
    "optimizer",
    "output_activation",
}
FIXTURE_V1 = Path(__file__).parent / "fixtures" / "model_v1.json"
FIXTURE_V2 = Path(__file__).parent / "fixtures" / "model_v2.json"
# How far into each list a path may go: the first two and the last element.
LIST_REACH = 2
# Bytes any load may take whatever the file: the estimator object, its plugins, the
# exception and its message. What this test catches grows with declared sizes.
FIXED_ALLOWANCE = 64 * 1024
TRIES_SLOW = 10_000
TRIES_DEFAULT = 300


def seed_models():
    """Fitted models whose files the cases start from (and the version 1 and 2 fixtures)."""
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(40, 6))
    y = np.arange(40) % 3
    small = {"hidden_layer_sizes": (4,), "epochs": 2, "random_state": 0, "mini_batch_size": 8}
    indicator = (rng.uniform(size=(40, 3)) > 0.5).astype(int)
    return X, {
        "int-momentum-f64": NielsenMLPClassifier(optimizer="momentum", **small).fit(X, y),
        "str-adam-f32": NielsenMLPClassifier(
            optimizer="adam", eta=0.01, dtype="float32", **small
        ).fit(X, np.array(["ant", "bee", "cat"])[y]),
        "multilabel-sgd": NielsenMLPClassifier(monitor="all", **small).fit(X, indicator),
        "regressor-relu-f64": NielsenMLPRegressor(activation="relu", eta=0.1, **small).fit(
            X, X[:, 0]
        ),
        "regressor-adam-f32": NielsenMLPRegressor(
            optimizer="adam", eta=0.01, dtype="float32", **small
        ).fit(X, X[:, :2]),
    }


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    """``(X, {name: (document, bytes of the model's arrays)})`` of the seed files."""
    folder = tmp_path_factory.mktemp("seeds")
    X, models = seed_models()
    documents = {}
    for name, model in models.items():
        save(model, folder / f"{name}.json")
        document = json.loads((folder / f"{name}.json").read_text())
        documents[name] = (document, model_bytes(model))
    for version, fixture in [(1, FIXTURE_V1), (2, FIXTURE_V2)]:
        documents[f"format-version-{version}"] = (
            json.loads(fixture.read_text()),
            model_bytes(load(fixture)),
        )
    return X, documents


def model_bytes(model):
    """Bytes held by a model's weights, biases and optimizer state."""
    arrays = [*model.coefs_, *model.intercepts_, *model._optimizer_state.values()]
    return sum(np.asarray(array).nbytes for array in arrays)


def paths_of(document):
    """Paths (tuples of keys and indices) to the values of ``document``, lists cut short."""
    found, pending = [], [((), document)]
    while pending:
        path, value = pending.pop()
        if path:  # the document itself is never replaced
            found.append(path)
        if isinstance(value, dict):
            pending.extend(((*path, key), item) for key, item in value.items())
        elif isinstance(value, list):
            indices = sorted({*range(min(LIST_REACH, len(value))), len(value) - 1} - {-1})
            pending.extend(((*path, i), value[i]) for i in indices)
    return sorted(found, key=repr)


def parent_of(document, path):
    for key in path[:-1]:
        document = document[key]
    return document


def replaced(value):
    """Strategy: what a value may be replaced by, given what it is."""
    options = [st.sampled_from(SWAPS), st.sampled_from(RAW_TEXTS).map(lambda raw: (RAW, raw))]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        options.append(
            st.sampled_from([1e300, -1e300, 1e-300, -1, 1, 2**40]).map(
                lambda factor: value * factor if isinstance(factor, float) else value + factor
            )
        )
    return st.one_of(options)


@st.composite
def damaged_files(draw, seeds):
    """Strategy: ``(seed name, damaged text, how it was damaged)``."""
    name = draw(st.sampled_from(sorted(seeds)))
    document = json.loads(json.dumps(seeds[name][0]))  # a copy to damage
    text = json.dumps(document)
    kind = draw(
        st.sampled_from(
            [
                "truncate",
                "replace",
                "replace",
                "declare",
                "declare",
                "delete",
                "duplicate",
                "swap",
                "add",
            ]
        )
    )
    if kind == "truncate":
        return name, text[: draw(st.integers(0, len(text) - 1))], kind
    paths = paths_of(document)
    if kind == "declare":
        paths = [path for path in paths if path[-1] in DECLARATIONS]
    path = draw(st.sampled_from(paths))
    parent, key = parent_of(document, path), path[-1]
    raw = None
    if kind in ("replace", "declare"):
        value = draw(replaced(parent[key]))
        raw = value[1] if isinstance(value, tuple) else None
        parent[key] = RAW if raw is not None else value
    elif kind == "delete":
        del parent[key]
    elif kind in ("duplicate", "add"):  # a copy of the value, or a new one, beside it
        value = parent[key] if kind == "duplicate" else draw(st.sampled_from(SWAPS))
        if isinstance(parent, dict):
            parent["surplus"] = value
        else:
            parent.insert(key, value)
    else:  # swap: two values of a list, or of two keys, trade places
        others = [
            k
            for k in (list(parent) if isinstance(parent, dict) else [0, -1])
            if parent[k] != parent[key]
        ]
        if others:
            parent[key], parent[others[0]] = parent[others[0]], parent[key]
        else:
            kind = "unchanged"
    text = json.dumps(document)
    return name, text.replace(json.dumps(RAW), raw) if raw is not None else text, kind


def check_outcome(path, X, model_size):
    """Load ``path``: 'refused' or 'loaded', asserting the contract of each outcome."""
    size = path.stat().st_size
    with contextlib.suppress(ModelFileError):
        load(path)  # first, untraced: what Python caches on a first call is not the file's
    tracemalloc.start()
    try:
        model = load(path)
    except ModelFileError as exc:
        assert str(path) in str(exc)
        model = None
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    own = model_size if model is None else max(model_size, model_bytes(model))
    assert peak < 20 * size + own + FIXED_ALLOWANCE, f"load used {peak} bytes for a file of {size}"
    if model is None:
        return "refused"
    check_works(model, X)
    return "loaded"


def check_works(model, X):
    """A loaded model predicts finite values and trains on with partial_fit."""
    X = (
        X[:, : model.n_features_in_]
        if X.shape[1] >= model.n_features_in_
        else (np.resize(X, (len(X), model.n_features_in_)))
    )
    with warnings.catch_warnings():
        # A mutated input_scale makes the fixed X "on another scale": the warning is right.
        warnings.filterwarnings("ignore", message="X is on another scale", category=UserWarning)
        outputs = model.predict_proba(X) if hasattr(model, "classes_") else model.predict(X)
    assert np.all(np.isfinite(outputs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # divergence and convergence warnings are allowed
        model.partial_fit(X, targets_for(model, len(X)))
    assert all(np.all(np.isfinite(w)) for w in model.coefs_)


def targets_for(model, n_samples):
    """Targets that ``model`` can train on."""
    index = np.arange(n_samples)
    if isinstance(model, NielsenMLPRegressor):
        y = np.linspace(0, 1, n_samples * model.n_outputs_).reshape(n_samples, -1)
        return y.ravel() if model._y_1d else y
    if model._multilabel:
        return (index[:, None] + np.arange(len(model.classes_))) % 2
    return model.classes_[index % len(model.classes_)]


def fuzz(seeds, folder, tries, derandomize):
    """Run ``tries`` damaged files through :func:`check_outcome`; return the counts."""
    X, documents = seeds
    counts = Counter()

    @settings(
        max_examples=tries,
        deadline=None,
        database=None,
        derandomize=derandomize,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=damaged_files(documents))
    def one_case(case):
        name, text, kind = case
        path = folder / "damaged.json"
        path.write_text(text)
        outcome = check_outcome(path, X, documents[name][1])
        counts.update(["tried", outcome, f"{kind}: {outcome}"])

    one_case()
    return counts


def test_damaged_model_files_load_or_are_refused(seeds, tmp_path):
    counts = fuzz(seeds, tmp_path, TRIES_DEFAULT, derandomize=True)  # the same cases each run
    assert counts["refused"] and counts["loaded"]


@pytest.mark.slow
def test_many_damaged_model_files(seeds, tmp_path):
    counts = fuzz(seeds, tmp_path, TRIES_SLOW, derandomize=False)
    print(json.dumps(dict(sorted(counts.items())), indent=1))
    assert counts["tried"] >= TRIES_SLOW * 0.9


def test_every_seed_loads_and_works(seeds, tmp_path):
    X, documents = seeds
    for name, (document, size) in documents.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(document))
        assert check_outcome(path, X, size) == "loaded"
