"""Saving and loading: round trips, the book's format, atomic writes, hostile files."""

import copy
import errno
import itertools
import json
import os
import pickle
import re
import stat
import warnings

import joblib
import numpy as np
import pytest

import sknielsen
from sknielsen import NielsenMLPClassifier, load, save
from sknielsen._core import files as _io
from sknielsen.callbacks import Checkpoint, StepDecay
from sknielsen.persistence import ModelFileError, UnsavableModelError
from sknielsen.plugins import LBFGS, Momentum


@pytest.fixture(scope="module")
def fitted(small_digits):
    X, X_val, y, y_val = small_digits
    net = NielsenMLPClassifier(
        hidden_layer_sizes=(12, 7),
        optimizer=Momentum(mu=0.5),
        eta=0.1,
        epochs=3,
        random_state=0,
        monitor="all",
    )
    return net.fit(X, y, X_val=X_val, y_val=y_val)


def test_save_load_gives_identical_probabilities(fitted, small_digits, tmp_path):
    _, X_test, _, _ = small_digits
    path = tmp_path / "net.json"
    save(fitted, path)
    loaded = load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X_test), fitted.predict_proba(X_test))
    assert loaded.get_params() == fitted.get_params()
    assert loaded.history_ == fitted.history_ and loaded.n_iter_ == 3
    assert isinstance(loaded.optimizer, Momentum) and loaded.optimizer.mu == 0.5
    document = json.loads(path.read_text())
    assert document["format"] == "sknielsen-model" and document["format_version"] == 3


def test_loaded_model_continues_training(fitted, small_digits, tmp_path):
    X, _, y, _ = small_digits
    save(fitted, tmp_path / "net.json")
    loaded = load(tmp_path / "net.json")
    np.testing.assert_array_equal(
        loaded._optimizer_state["velocity"], fitted._optimizer_state["velocity"]
    )
    loaded.partial_fit(X, y)
    assert loaded.n_iter_ == 4


@pytest.mark.parametrize("dtype, labels", [("float32", ["a", "b", "c"]), ("float64", [3, 5, 9])])
def test_round_trip_of_dtypes_and_labels(dtype, labels, small_digits, tmp_path):
    X, X_test, y, _ = small_digits
    net = NielsenMLPClassifier(epochs=1, dtype=dtype, random_state=0)
    net.fit(X, np.array(labels)[y])
    save(net, tmp_path / "m.json")
    loaded = load(tmp_path / "m.json")
    assert loaded.coefs_[0].dtype == np.dtype(dtype)
    np.testing.assert_array_equal(loaded.classes_, net.classes_)
    np.testing.assert_array_equal(loaded.predict(X_test), net.predict(X_test))
    np.testing.assert_array_equal(loaded.predict_proba(X_test), net.predict_proba(X_test))


def test_feature_names_survive(small_digits, tmp_path):
    pd = pytest.importorskip("pandas")
    X, X_test, y, _ = small_digits
    columns = [f"pixel{i}" for i in range(X.shape[1])]
    net = NielsenMLPClassifier(epochs=1, random_state=0).fit(pd.DataFrame(X, columns=columns), y)
    save(net, tmp_path / "m.json")
    loaded = load(tmp_path / "m.json")
    assert loaded.feature_names_in_.tolist() == columns
    loaded.predict(pd.DataFrame(X_test, columns=columns))


def network2_document(rng, sizes=(64, 10, 10), cost="CrossEntropyCost"):
    """A file as the book's network2.Network.save writes it."""
    return {
        "sizes": list(sizes),
        "weights": [rng.normal(size=(o, i)).tolist() for i, o in itertools.pairwise(sizes)],
        "biases": [rng.normal(size=(o, 1)).tolist() for o in sizes[1:]],
        "cost": cost,
    }


def book_feedforward(document, x):
    """The book's feedforward on one column vector."""
    a = x.reshape(-1, 1)
    for w, b in zip(document["weights"], document["biases"]):
        a = 1 / (1 + np.exp(-(np.array(w) @ a + np.array(b))))
    return a.ravel()


def test_network2_file_loads_and_predicts(rng, small_digits, tmp_path):
    _, X_test, _, _ = small_digits
    document = network2_document(rng)
    path = tmp_path / "book.json"
    path.write_text(json.dumps(document))
    net = load(path)
    assert net.classes_.tolist() == list(range(10)) and net.cost_.name == "cross_entropy"
    for x in X_test[:5]:
        output = book_feedforward(document, x)
        assert net.predict(x[None])[0] == np.argmax(output)
        np.testing.assert_allclose(net.predict_proba(x[None])[0], output / output.sum())


def test_network2_round_trip(rng, tmp_path):
    document = network2_document(rng, sizes=(4, 3, 2), cost="QuadraticCost")
    (tmp_path / "in.json").write_text(json.dumps(document))
    save(load(tmp_path / "in.json"), tmp_path / "out.json", format="network2")
    written = json.loads((tmp_path / "out.json").read_text())
    assert written["sizes"] == [4, 3, 2] and written["cost"] == "QuadraticCost"
    np.testing.assert_allclose(written["weights"][0], document["weights"][0])
    np.testing.assert_allclose(written["biases"][1], document["biases"][1])


def test_a_network2_file_of_one_output_neuron_is_refused_naming_sizes(rng, tmp_path):
    """The book's networks may end in one neuron; read as classes 0..n-1 they need two."""
    path = tmp_path / "book.json"
    path.write_text(json.dumps(network2_document(rng, sizes=(4, 3, 1))))
    with pytest.raises(ModelFileError, match=r"sizes ends in 1 output neuron.*at least 2"):
        load(path)


@pytest.mark.parametrize(
    "labels, lost",
    [
        (lambda y: y, None),
        (lambda y: y + 1, r"classes \(1, 2, 3\) will load as 0\.\.2"),
        (lambda y: np.array(["cat", "dog", "eel"])[y % 3], r"\('cat', 'dog', 'eel'\).*0\.\.2"),
        (lambda y: np.column_stack([y % 2, y % 3 == 0]), "multilabel model"),
    ],
)
def test_the_book_format_says_when_it_loses_the_labels(small_digits, tmp_path, labels, lost):
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(epochs=1, random_state=0).fit(X, labels(y))
    path = tmp_path / "network2.json"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        save(net, path, format="network2")
    messages = [str(w.message) for w in caught]
    if lost is None:
        assert messages == []
        np.testing.assert_array_equal(load(path).predict(X), net.predict(X))
    else:
        assert len(messages) == 1 and caught[0].filename == __file__, messages
        assert "network2.py format holds no labels" in messages[0]
        assert re.search(lost, messages[0]), messages[0]


def test_save_is_atomic(fitted, tmp_path, monkeypatch):
    path = tmp_path / "net.json"
    save(fitted, path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(_io.os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        save(fitted, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]  # no temporary left


class _FailingSteps:
    """The ``os`` module of ``sknielsen._core.files``, failing at its call ``fail_at``.

    It fails with ``error``: a KeyboardInterrupt as given, an errno as the
    system raises it, naming the file a call was given (none for a call
    given a file descriptor). The handle ``os.fdopen`` gives counts its
    calls as steps too, so that a save fails in each of its writes,
    flushes and syncs in turn.
    """

    _PURE = ("fspath", "fsdecode", "fsencode", "strerror")

    def __init__(self, fail_at, error):
        self.steps, self.fail_at, self.error = [], fail_at, error

    def step(self, name, call, *args, **kwargs):
        self.steps.append(name)
        if len(self.steps) != self.fail_at:
            return call(*args, **kwargs)
        if isinstance(self.error, int):
            named = [os.fsdecode(a) for a in args[:1] if isinstance(a, (str, os.PathLike))]
            raise OSError(self.error, os.strerror(self.error), *named)
        raise self.error

    def __getattr__(self, name):
        real = getattr(os, name)
        if name in self._PURE or isinstance(real, type) or not callable(real):
            return real
        if name == "fdopen":
            return lambda *args: _FailingHandle(self, self.step(name, real, *args))
        return lambda *args, **kwargs: self.step(name, real, *args, **kwargs)


class _FailingHandle:
    def __init__(self, steps, handle):
        self.steps, self.handle = steps, handle

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        try:
            self.steps.step("close", lambda: None)
        finally:
            self.handle.close()  # as a real close does, failing or not

    def __getattr__(self, name):
        real = getattr(self.handle, name)
        return lambda *args: self.steps.step(name, real, *args)


@pytest.mark.parametrize(
    "error",
    [errno.ENOSPC, errno.EIO, KeyboardInterrupt()],
    ids=["full disk", "input/output error", "Ctrl-C"],
)
def test_a_save_failing_at_any_step_names_the_file_and_leaves_it_whole(
    fitted, tmp_path, monkeypatch, error
):
    # A full disk at the fsync said "[Errno 28] No space left on device" and named no file
    # (the chmod's error named our temporary one); a failure as the temporary file was
    # opened left it behind; the folder's sync, after the new file was in place, raised.
    path = tmp_path / "net.json"
    save(fitted, path)
    before = path.read_bytes()
    counting = _FailingSteps(0, error)
    monkeypatch.setattr(_io, "os", counting)
    save(fitted, path)
    after = path.read_bytes()
    for step, name in enumerate(counting.steps, 1):
        failing = _FailingSteps(step, error)
        monkeypatch.setattr(_io, "os", failing)
        try:
            save(fitted, path)
        except OSError as exc:
            # The file asked for, or its folder; never our temporary file, or none.
            assert exc.filename in (str(path), str(tmp_path)), (name, exc)
            assert path.read_bytes() == before, name
        except KeyboardInterrupt:
            assert path.read_bytes() in (before, after), name
        else:
            assert path.read_bytes() == after, name
        monkeypatch.setattr(_io, "os", os)
        assert [p.name for p in tmp_path.iterdir()] == ["net.json"], name
        path.write_bytes(before)


def test_saved_file_has_ordinary_permissions(fitted, tmp_path):
    path = tmp_path / "net.json"
    save(fitted, path)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    path.chmod(0o640)
    save(fitted, path)  # replacing keeps the existing mode
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_unfitted_and_non_finite_models_are_not_saved(fitted, tmp_path):
    from sklearn.exceptions import NotFittedError

    from sknielsen import NielsenMLPRegressor

    # A plain ValueError ("This model is not fitted yet"), where scikit-learn, and this
    # package's predict, score and plots, raise NotFittedError (itself a ValueError).
    unfitted = [
        (NielsenMLPClassifier(), "sknielsen"),
        (NielsenMLPClassifier(), "network2"),
        (NielsenMLPRegressor(), "sknielsen"),
    ]
    for model, format in unfitted:
        name = type(model).__name__
        message = f"^This {name} instance is not fitted yet; fit it before saving it\\.$"
        with pytest.raises(NotFittedError, match=message):
            save(model, tmp_path / "x.json", format=format)
    broken = pickle.loads(pickle.dumps(fitted))
    broken.coefs_[0][0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite"):
        save(broken, tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize(
    "change",
    [{"hidden_layer_sizes": (5,)}, {"hidden_layer_sizes": (12,)}],
)
def test_save_refuses_a_file_that_load_would_refuse(change, fitted, tmp_path):
    """Parameters changed since the fit that load refuses: save wrote a file none could read."""
    changed = pickle.loads(pickle.dumps(fitted)).set_params(**change)
    path = tmp_path / "net.json"
    path.write_text("the user's earlier model")
    with pytest.raises(ValueError, match=r"Cannot save this model: .*hidden_layer_sizes="):
        save(changed, path)
    assert path.read_text() == "the user's earlier model"


def saved_document(fitted, tmp_path):
    save(fitted, tmp_path / "good.json")
    return json.loads((tmp_path / "good.json").read_text())


def write(tmp_path, document):
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    return path


@pytest.mark.parametrize("name", ["os.system", "__import__", "builtins.eval", "sgd; rm -rf /"])
def test_files_naming_code_are_refused(name, fitted, tmp_path):
    document = saved_document(fitted, tmp_path)
    document["params"]["cost"] = {"plugin": "cost", "name": name, "params": {}}
    with pytest.raises(ModelFileError, match="Unknown cost"):
        load(write(tmp_path, document))
    document = saved_document(fitted, tmp_path)
    document["fitted"]["plugins"]["cost"]["name"] = name
    with pytest.raises(ModelFileError, match="Unknown cost"):
        load(write(tmp_path, document))
    book = {"sizes": [2, 2], "weights": [[[0, 0], [0, 0]]], "biases": [[[0], [0]]], "cost": name}
    with pytest.raises(ModelFileError, match="network2 'cost' must be one of"):
        load(write(tmp_path, book))


def test_truncated_and_foreign_files_are_refused(fitted, tmp_path):
    text = json.dumps(saved_document(fitted, tmp_path))
    with pytest.raises(ModelFileError, match="invalid or truncated JSON"):
        load(write(tmp_path, text[: len(text) // 2]))
    with pytest.raises(ModelFileError, match="not a sknielsen model file"):
        load(write(tmp_path, {"hello": "world"}))
    with pytest.raises(ModelFileError, match="not a JSON object"):
        load(write(tmp_path, [1, 2, 3]))
    binary = tmp_path / "model.bin"
    binary.write_bytes(b"\x80\x04\x95 pickle bytes \xff")
    with pytest.raises(ModelFileError, match="not UTF-8"):
        load(binary)


def test_a_file_saved_with_a_byte_order_mark_loads(fitted, small_digits, tmp_path):
    # As a hand edit in Notepad leaves it; it was refused as invalid JSON.
    save(fitted, tmp_path / "net.json")
    edited = tmp_path / "edited.json"
    edited.write_bytes(b"\xef\xbb\xbf" + (tmp_path / "net.json").read_bytes())
    X_test = small_digits[1]
    np.testing.assert_array_equal(load(edited).predict_proba(X_test), fitted.predict_proba(X_test))


def test_newer_format_version_is_refused(fitted, tmp_path):
    document = saved_document(fitted, tmp_path)
    document["format_version"] = 99
    with pytest.raises(ModelFileError, match=r"format version 99.*reads versions \[1, 2, 3\]"):
        load(write(tmp_path, document))
    for version in (0, -1):  # no sknielsen wrote these: upgrading would not help
        document["format_version"] = version
        with pytest.raises(ModelFileError, match="format_version must be a positive integer"):
            load(write(tmp_path, document))


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda d: d["fitted"]["coefs"][0].pop(), "first layer|expects"),
        (lambda d: d["fitted"]["coefs"].__setitem__(1, [[1.0]]), "disagree|expects"),
        (
            lambda d: d["fitted"]["intercepts"][0].append(1.0),
            r"disagree: coefs\[0\] of shape \(64, 12\) needs intercepts\[0\] of shape "
            r"\(12,\); got \(13,\)",
        ),
        (lambda d: d["fitted"]["targets"]["classes"]["values"].append(99), "classes but"),
        (
            lambda d: d["fitted"]["targets"]["classes"].__setitem__("dtype", "V8"),
            "not allowed|Unknown",
        ),
        (lambda d: d["params"].__setitem__("eta", -1), "eta"),
        (lambda d: d["params"].__setitem__("surprise", 1), "Unknown estimator parameters"),
        (lambda d: d["fitted"].pop("history"), "exactly the keys"),
        (lambda d: d["fitted"]["coefs"][0][0].__setitem__(0, "x"), "not an array of numbers"),
        (
            lambda d: d["fitted"]["plugins"]["optimizer"]["params"].__setitem__("mu", [1]),
            "'mu' parameter of Momentum must be a float",
        ),
        (lambda d: d["fitted"]["optimizer_state"]["arrays"]["velocity"].pop(), "wrong size"),
        # Forms no sknielsen wrote, each refused naming its field and what it must be.
        (
            lambda d: d["fitted"]["plugins"]["optimizer"]["params"].__setitem__("mu", {"v": 1}),
            r"fitted\.plugins\.optimizer\.params\.mu must be a number, string, boolean or null, a",
        ),
        (
            lambda d: d["fitted"]["plugins"]["optimizer"]["params"].__setitem__("mu", [[0.5]]),
            r"fitted\.plugins\.optimizer\.params\.mu must be a number, string, boolean or null, a",
        ),
        (
            lambda d: d["fitted"]["targets"].__setitem__("classes", list(range(10))),
            r"fitted\.targets\.classes must be an object with keys dtype and values",
        ),
        (
            lambda d: d["fitted"]["targets"]["classes"].__setitem__("dtype", "nonsense"),
            r"fitted\.targets\.classes\.dtype: unknown label dtype 'nonsense'",
        ),
        (
            lambda d: d["params"].__setitem__("hidden_layer_sizes", [12.5, 7]),
            r"params\.hidden_layer_sizes must be a list of names, integers or plugins",
        ),
        (
            lambda d: d["params"].__setitem__("callbacks", ["EarlyStopping"]),
            r"params\.callbacks\[0\] must be a callback document or a \[name, callback document\]",
        ),
        (
            lambda d: d["params"].__setitem__(
                "callbacks", [{"callback": "EarlyStopping", "params": {"patients": 3}}]
            ),
            r"params\.callbacks\[0\]: .*unexpected keyword argument 'patients'",
        ),
        (
            lambda d: d["params"].__setitem__("class_weight", {"items": [[0, 2.0, 1.0]]}),
            r"params\.class_weight should be an object with a list of \[label, value\] items",
        ),
    ],
)
def test_hand_edited_files_give_clear_errors(edit, match, fitted, tmp_path):
    document = saved_document(fitted, tmp_path)
    edit(document)
    with pytest.raises(ModelFileError, match=match):
        load(write(tmp_path, document))


def test_plugin_documents_nested_beyond_python_s_recursion_are_refused(fitted, tmp_path):
    # The JSON parses (300 levels); reading plugin in plugin recursed past Python's limit.
    text = json.dumps(saved_document(fitted, tmp_path))
    nested = '{"plugin": "optimizer", "name": "momentum", "params": {"mu": ' * 300
    text = text.replace('"mu": 0.5', f'"mu": {nested}0.5{"}}" * 300}', 1)
    with pytest.raises(ModelFileError, match=r"edited\.json: not a model file \(JSON nested too"):
        load(write(tmp_path, text))


def test_a_float32_model_of_weights_beyond_float32_is_refused(small_digits, tmp_path):
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(hidden_layer_sizes=(3,), epochs=1, dtype="float32").fit(X, y)
    document = saved_document(net, tmp_path)
    document["fitted"]["coefs"][0][0][0] = 1e39  # a float64, infinite as a float32
    with pytest.raises(ModelFileError, match=r"fitted\.coefs\[0\] holds NaN or infinite values"):
        load(write(tmp_path, document))


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda d: d["biases"].pop(), "need one entry per layer after the first"),
        (lambda d: d["weights"].pop(), "need one entry per layer after the first"),
        (lambda d: d["weights"][0].pop(), r"Layer 0: expected weights \(3, 4\) and biases"),
        (lambda d: d["biases"][1].append([0.0]), r"Layer 1: .* got \(2, 3\) and \(3, 1\)"),
    ],
)
def test_a_network2_file_whose_arrays_disagree_with_its_sizes_is_refused(
    edit, match, rng, tmp_path
):
    document = network2_document(rng, sizes=(4, 3, 2))
    edit(document)
    with pytest.raises(ModelFileError, match=match):
        load(write(tmp_path, document))


def test_save_refuses_what_it_cannot_write_before_writing(fitted, small_digits, tmp_path):
    from sklearn.linear_model import LogisticRegression

    from sknielsen import NielsenMLPRegressor

    X, _, y, _ = small_digits
    path = tmp_path / "m.json"
    # The messages named neither the argument refused (model, format) nor, for the book's
    # format, what the model was and what to do: "The network2.py format holds
    # classifiers only.", "... holds only sigmoid networks with the quadratic or
    # cross-entropy cost."
    refused = "^model must be a NielsenMLPClassifier or NielsenMLPRegressor; got "
    with pytest.raises(TypeError, match=refused + r"LogisticRegression\.$"):
        save(LogisticRegression(max_iter=1000).fit(X, y), path)

    class Subclass(NielsenMLPClassifier):
        pass

    subclass = Subclass(hidden_layer_sizes=(2,), epochs=1).fit(X, y)
    with pytest.raises(TypeError, match=r"\(not a subclass, which load could not rebuild\)"):
        save(subclass, path)
    with pytest.raises(
        ValueError, match=r"^format must be 'sknielsen' or 'network2'; got 'pickle'\.$"
    ):
        save(fitted, path, format="pickle")
    regressor = NielsenMLPRegressor(hidden_layer_sizes=(2,), epochs=1).fit(X, y / 9)
    message = (
        r"^format='network2' holds classifiers only \(the book's network2\.py classifies\); "
        r"got NielsenMLPRegressor\. Save a regressor with format='sknielsen'\.$"
    )
    with pytest.raises(TypeError, match=message):
        save(regressor, path, format="network2")
    relu = NielsenMLPClassifier(hidden_layer_sizes=(2,), epochs=1, activation="relu").fit(X, y)
    message = (
        r"^format='network2' holds only sigmoid networks with the quadratic or cross-entropy "
        r"cost, as the book's network2\.py; this model has activation='relu', "
        r"output_activation='sigmoid' and cost='cross_entropy': save it with "
        r"format='sknielsen'\.$"
    )
    with pytest.raises(ValueError, match=message):
        save(relu, path, format="network2")
    assert not path.exists()


def test_version_1_fixture_still_loads():
    """A file written by format version 1, kept so that later versions must read it."""
    from pathlib import Path

    fixture = Path(__file__).parent / "fixtures" / "model_v1.json"
    net = load(fixture)
    assert net.predict(np.zeros((1, net.n_features_in_))).shape == (1,)
    document = json.loads(fixture.read_text())
    assert document["format_version"] == 1


def test_version_2_fixture_still_loads_without_an_input_scale():
    """A file written by format version 2 (no input scale): it loads and checks no scale."""
    from pathlib import Path

    fixture = Path(__file__).parent / "fixtures" / "model_v2.json"
    assert json.loads(fixture.read_text())["format_version"] == 2
    net = load(fixture)
    assert net.get_fitted_state().input_scale is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert net.predict(np.full((2, net.n_features_in_), 100.0)).shape == (2,)


def test_version_3_fixture_still_loads_with_its_named_callback():
    """A file written by format version 3: its input scale and (name, callback) pair load."""
    from pathlib import Path

    from sknielsen.callbacks import StepDecay

    fixture = Path(__file__).parent / "fixtures" / "model_v3.json"
    assert json.loads(fixture.read_text())["format_version"] == 3
    net = load(fixture)
    assert net.get_fitted_state().input_scale > 0
    ((name, callback),) = net.callbacks
    assert name == "decay" and isinstance(callback, StepDecay) and callback.step_size == 1
    assert net.eta_ == 0.25 and net.n_iter_ == 2
    assert net.predict(np.zeros((1, net.n_features_in_))).shape == (1,)


def test_loaded_model_warns_about_rows_on_another_scale(fitted, small_digits, tmp_path):
    X, _, _, _ = small_digits
    save(fitted, tmp_path / "net.json")
    document = json.loads((tmp_path / "net.json").read_text())
    assert document["fitted"]["input_scale"] == fitted.get_fitted_state().input_scale
    loaded = load(tmp_path / "net.json")
    assert loaded.get_fitted_state().input_scale == fitted.get_fitted_state().input_scale
    with pytest.warns(UserWarning, match="on another scale"):
        fitted.predict(X * 16)
    with pytest.warns(UserWarning, match="on another scale"):
        loaded.predict(X * 16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded.predict(X)


@pytest.mark.parametrize(
    "value, match",
    [
        (0, "input_scale must be a positive"),
        (-1.0, "input_scale must be a positive"),
        ("1", "input_scale must be"),
    ],
)
def test_a_bad_input_scale_is_refused(value, match, fitted, tmp_path):
    document = saved_document(fitted, tmp_path)
    document["fitted"]["input_scale"] = value
    with pytest.raises(ModelFileError, match=match):
        load(write(tmp_path, document))


def test_pickle_and_joblib(fitted, small_digits, tmp_path):
    X, X_test, y, _ = small_digits
    clone = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(clone.predict_proba(X_test), fitted.predict_proba(X_test))
    joblib.dump(fitted, tmp_path / "net.joblib")
    again = joblib.load(tmp_path / "net.joblib")
    np.testing.assert_array_equal(again.predict_proba(X_test), fitted.predict_proba(X_test))
    again.partial_fit(X, y)
    assert again.n_iter_ == fitted.n_iter_ + 1


def test_public_names():
    assert sknielsen.save is save and sknielsen.load is load


def test_adam_state_round_trips_and_bad_state_is_refused(small_digits, tmp_path):
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(optimizer="adam", eta=0.01, epochs=2, random_state=0).fit(X, y)
    save(net, tmp_path / "adam.json")
    loaded = load(tmp_path / "adam.json")
    assert loaded._optimizer_state["step"].tolist() == [2 * 30]  # 2 epochs of 30 batches
    loaded.partial_fit(X, y)
    assert loaded._optimizer_state["step"].tolist() == [3 * 30]
    document = json.loads((tmp_path / "adam.json").read_text())
    document["fitted"]["optimizer_state"]["arrays"]["step"] = [1.0, 2.0]
    with pytest.raises(ModelFileError, match=r"optimizer_state.step has the wrong size"):
        load(write(tmp_path, document))
    del document["fitted"]["optimizer_state"]["arrays"]["step"]
    with pytest.raises(ModelFileError, match="should have the keys"):
        load(write(tmp_path, document))


def test_version_1_file_without_optimizer_state_gets_a_fresh_one(tmp_path):
    from pathlib import Path

    document = json.loads((Path(__file__).parent / "fixtures" / "model_v1.json").read_text())
    document["params"]["optimizer"] = "momentum"
    document["fitted"]["plugins"]["optimizer"] = {
        "plugin": "optimizer",
        "name": "momentum",
        "params": {"mu": 0.9},
    }
    document["fitted"]["optimizer_state"] = {}
    net = load(write(tmp_path, document))
    assert sorted(net._optimizer_state) == ["eta", "eta0", "velocity"]
    assert not net._optimizer_state["velocity"].any() and net.eta_ == document["params"]["eta"]


def test_paths_are_str_bytes_or_path_like_and_nothing_else(fitted, tmp_path, monkeypatch):
    net = fitted
    monkeypatch.chdir(tmp_path)
    save(net, b"bytes.json")
    assert load(b"bytes.json").n_iter_ == load(tmp_path / "bytes.json").n_iter_ == net.n_iter_
    for wrong in (3, None, 2.5):  # 3 was read as an open file descriptor
        with pytest.raises(TypeError, match="path must be a str or path-like"):
            load(wrong)
        with pytest.raises(TypeError, match="path must be a str or path-like"):
            save(net, wrong)


def test_numpy_scalars_in_plugin_and_callback_parameters_are_saved(tmp_path):
    """A grid over np.arange sets NumPy scalars: saved as the numbers they are."""
    X = np.random.default_rng(0).uniform(size=(20, 3))
    y = np.arange(20) % 2
    net = NielsenMLPClassifier(
        hidden_layer_sizes=(2,),
        optimizer=LBFGS(memory=np.int64(5), tol=np.float32(0.5)),
        callbacks=[("decay", StepDecay(step_size=np.int64(2)))],
        epochs=1,
        random_state=0,
    ).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no callback left out
        save(net, tmp_path / "net.json")
    loaded = load(tmp_path / "net.json")
    assert loaded.optimizer.get_params() == {"memory": 5, "tol": 0.5}
    assert loaded.callbacks[0][1].step_size == 2
    np.testing.assert_array_equal(loaded.predict_proba(X), net.predict_proba(X))


@pytest.mark.parametrize("dtype", ["datetime64[D]", "timedelta64[s]"])
def test_save_refuses_labels_the_format_cannot_hold_saying_what_to_do(
    small_digits, tmp_path, dtype
):
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(hidden_layer_sizes=(3,), epochs=1, random_state=0)
    net.fit(X, (y % 3).astype(dtype))
    path = tmp_path / "net.json"
    with pytest.raises(
        ValueError,
        match=rf"Cannot save class labels of dtype {re.escape(dtype)}: a model file holds "
        r"booleans, integers, floats and strings\. Fit on y\.astype\(str\) or "
        r"y\.astype\('int64'\)",
    ):
        save(net, path)
    assert not path.exists()


def test_save_refuses_extended_precision_labels_saying_what_to_do(small_digits, tmp_path):
    # fit takes them; save failed with json's "Object of type longdouble is not JSON
    # serializable", a TypeError its documentation did not announce.
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(hidden_layer_sizes=(3,), epochs=1, random_state=0)
    net.fit(X, (y % 3).astype(np.longdouble))
    path = tmp_path / "net.json"
    if net.classes_.dtype.itemsize > 8:  # on platforms where long double is wider
        with pytest.raises(
            ValueError,
            match=r"Cannot save class labels of dtype float\d+: a model file holds floats of "
            r"64 bits at most\. Fit on y\.astype\('float64'\)",
        ):
            save(net, path)
        assert not path.exists()
    net.fit(X, (y % 3).astype("float64"))
    save(net, path)
    assert load(path).classes_.tolist() == [0.0, 1.0, 2.0]


def test_save_writes_string_labels_in_the_narrowest_width(fitted, small_digits, tmp_path):
    # Classes of a wider dtype than their labels (given to set_fitted_state) made
    # save refuse: load refuses a declared width beyond the longest label.
    state = fitted.get_fitted_state()
    state.targets["classes"] = np.array(["ant", "bee", "cat"], dtype="U50")
    net = NielsenMLPClassifier.from_fitted_state(state, **fitted.get_params(deep=False))
    save(net, tmp_path / "net.json")
    loaded = load(tmp_path / "net.json")
    assert loaded.classes_.dtype == np.dtype("U3")
    assert loaded.classes_.tolist() == ["ant", "bee", "cat"]
    X = small_digits[1]
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))


def test_save_says_that_a_random_state_instance_is_not_kept(small_digits, tmp_path):
    # It was written as null without a word: the loaded model's fit drew afresh.
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier((3,), epochs=1, random_state=np.random.RandomState(0)).fit(X, y)
    path = tmp_path / "net.json"
    with pytest.warns(
        UserWarning,
        match=r"random_state is a NumPy RandomState, which a model file cannot hold: it is "
        r"saved as None.*Give random_state an int",
    ):
        save(net, path)
    assert json.loads(path.read_text())["params"]["random_state"] is None
    loaded = load(path)
    loaded.partial_fit(X, y)  # the generator the fit went on with is kept
    net.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.coefs_[0], net.coefs_[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # said by save only, not by each checkpoint
        net.set_params(callbacks=[Checkpoint(tmp_path / "checkpoint.json")]).fit(X, y)


def test_save_refuses_a_class_weight_changed_to_labels_that_are_not_classes(fitted, tmp_path):
    changed = pickle.loads(pickle.dumps(fitted)).set_params(class_weight={99: 2.0})
    with pytest.raises(
        ValueError,
        match=r"Cannot save this model: load would refuse it: params.class_weight names labels "
        r"that are not classes of the model \(fitted.targets.classes\): \[99\]",
    ):
        save(changed, tmp_path / "net.json")
    assert not (tmp_path / "net.json").exists()


def test_an_empty_path_is_refused_not_read_as_the_working_directory(tmp_path, monkeypatch):
    # save(net, "") said "Cannot write .: it is a directory"; StudyOutput("") held the
    # working directory as its folder.
    from sknielsen.comparison import StudyOutput

    monkeypatch.chdir(tmp_path)
    net = NielsenMLPClassifier((3,), epochs=1).fit(np.random.rand(20, 3), np.arange(20) % 2)
    for call in (lambda: save(net, ""), lambda: load(""), lambda: StudyOutput(b"")):
        with pytest.raises(FileNotFoundError, match=r"(path|folder) is an empty string: give a"):
            call()
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def isolated_registry(monkeypatch):
    """Registrations made by a test are forgotten after it."""
    from sknielsen.plugins import _registry

    monkeypatch.setattr(_registry, "_REGISTRY", copy.deepcopy(_registry._REGISTRY))


def weighted_cost_class():
    """A cost of one's own whose hyper-parameters hold sequences."""
    from sknielsen.plugins import CrossEntropyCost, register

    @register("cost", "weighted_cross_entropy")
    class WeightedCrossEntropy(CrossEntropyCost):
        def __init__(self, weights=(1.0,), names=("a",)):
            self.weights = weights
            self.names = names

    return WeightedCrossEntropy


@pytest.mark.parametrize(
    "params",
    [
        {"weights": [1, 2], "names": ["a", "b"]},
        {"weights": (1, 2.5), "names": ("a",)},
        {"weights": [], "names": []},
    ],
    ids=["lists", "tuples", "empty lists"],
)
def test_plugin_sequences_load_back_as_given(params, isolated_registry, tmp_path):
    # A list came back a tuple (get_params differed: clone and == saw another model), and
    # a list of numbers could not be saved at all.
    X = np.random.default_rng(0).uniform(size=(20, 3))
    cost = weighted_cost_class()(**params)
    net = NielsenMLPClassifier((2,), cost=cost, epochs=1, random_state=0).fit(X, np.arange(20) % 2)
    save(net, tmp_path / "net.json")
    loaded = load(tmp_path / "net.json")
    for plugin in (loaded.cost, loaded.get_fitted_state().plugins["cost"]):
        assert plugin == cost
        for name, value in params.items():
            assert type(getattr(plugin, name)) is type(value)


@pytest.mark.parametrize(
    "weights",
    [
        np.array([1.0, 2.5]),
        np.array([1, 2], dtype=np.int32),
        np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32),
        np.array([True, False]),
        np.zeros(0),
    ],
    ids=["float64", "int32", "2-D float32", "bool", "empty"],
)
def test_plugin_arrays_load_back_as_arrays_of_their_dtype_and_shape(
    weights, isolated_registry, tmp_path
):
    # save refused them ("its parameter 'weights' is a ndarray"), where a list was saved.
    X = np.random.default_rng(0).uniform(size=(20, 3))
    cost = weighted_cost_class()(weights=weights)
    net = NielsenMLPClassifier((2,), cost=cost, epochs=1, random_state=0).fit(X, np.arange(20) % 2)
    save(net, tmp_path / "net.json")
    loaded = load(tmp_path / "net.json")
    for plugin in (loaded.cost, loaded.get_fitted_state().plugins["cost"]):
        assert plugin == cost
        assert type(plugin.weights) is np.ndarray
        assert (plugin.weights.dtype, plugin.weights.shape) == (weights.dtype, weights.shape)


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        (np.array([1.0, np.nan]), r"params\.cost\.params\.weights.*NaN or infinite"),
        (np.array([1 + 2j]), r"'weights' is an array of complex128"),
        (np.array(["a"], dtype=object), r"'weights' is an array of object"),
        # Saved as [], it loaded as an array of shape (0,).
        (np.zeros((0, 2)), r"'weights' is an empty array of shape \(0, 2\)"),
    ],
    ids=["NaN", "complex", "object", "empty rows"],
)
def test_plugin_arrays_a_file_cannot_hold_are_refused_by_name(
    weights, match, isolated_registry, tmp_path
):
    X = np.random.default_rng(0).uniform(size=(20, 3))
    cost = weighted_cost_class()(weights=weights)
    net = NielsenMLPClassifier((2,), cost=cost, epochs=1, random_state=0).fit(X, np.arange(20) % 2)
    with pytest.raises(UnsavableModelError, match=match):
        save(net, tmp_path / "net.json")
    assert not (tmp_path / "net.json").exists()


@pytest.mark.parametrize(
    ("array", "match"),
    [
        ({"array": [1.0], "dtype": "complex128"}, r"weights must be .*dtype among"),
        ({"array": [1.0], "dtype": "float64", "shape": [1]}, r"weights must be .*got keys"),
        ({"array": [[1, 2], [3]], "dtype": "int64"}, r"weights\.array"),
        ({"array": [300], "dtype": "int8"}, r"weights\.array"),
        ({"array": ["1.5"], "dtype": "float64"}, r"weights\.array does not hold float64"),
        ({"array": [1.5], "dtype": "int64"}, r"weights\.array does not hold int64"),
        # "not a valid model file (TypeError("unhashable type: 'list'"))", naming no field.
        ({"array": [1.0], "dtype": ["float64"]}, r"weights must be .*dtype \['float64'\]"),
    ],
    ids=["complex", "other key", "ragged", "overflow", "strings", "truncated", "dtype list"],
)
def test_plugin_arrays_a_file_misstates_are_refused_by_field(
    array, match, isolated_registry, tmp_path
):
    X = np.random.default_rng(0).uniform(size=(20, 3))
    cost = weighted_cost_class()(weights=np.array([1.0]))
    net = NielsenMLPClassifier((2,), cost=cost, epochs=1, random_state=0).fit(X, np.arange(20) % 2)
    save(net, tmp_path / "net.json")
    document = json.loads((tmp_path / "net.json").read_text())
    document["params"]["cost"]["params"]["weights"] = array
    (tmp_path / "net.json").write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match=match):
        load(tmp_path / "net.json")


def test_plugin_sequences_of_earlier_files_load_as_tuples(isolated_registry, tmp_path):
    """Files written before lists were marked hold every sequence as a JSON array."""
    X = np.random.default_rng(0).uniform(size=(20, 3))
    cost = weighted_cost_class()(weights=[1, 2], names=["a"])
    net = NielsenMLPClassifier((2,), cost=cost, epochs=1, random_state=0).fit(X, np.arange(20) % 2)
    save(net, tmp_path / "net.json")
    document = json.loads((tmp_path / "net.json").read_text())
    for params in (document["params"]["cost"]["params"], document["fitted"]["plugins"]["cost"]):
        params = params.get("params", params)
        assert params["weights"] == {"list": [1, 2]}
        params["weights"], params["names"] = [1, 2], ["a"]
    (tmp_path / "net.json").write_text(json.dumps(document))
    assert load(tmp_path / "net.json").cost.get_params() == {"weights": (1, 2), "names": ("a",)}


def test_a_plugin_held_by_a_plugin_is_saved(isolated_registry, tmp_path):
    # save refused it ("its parameter 'inner' is a Momentum"), where a list of plugins
    # was saved.
    from sknielsen.plugins import Optimizer, register

    @register("optimizer", "delegating")
    class Delegating(Optimizer):
        def __init__(self, inner=None):
            self.inner = inner

        def init(self, params):
            return self.inner.init(params)

        def update(self, grads, state, params):
            return self.inner.update(grads, state, params)

    X = np.random.default_rng(0).uniform(size=(20, 3))
    optimizer = Delegating(inner=Momentum(mu=0.5))
    net = NielsenMLPClassifier((2,), optimizer=optimizer, epochs=1, random_state=0)
    net.fit(X, np.arange(20) % 2)
    save(net, tmp_path / "net.json")
    loaded = load(tmp_path / "net.json")
    assert (
        loaded.optimizer == optimizer
        and loaded.get_fitted_state().plugins["optimizer"] == optimizer
    )
    np.testing.assert_array_equal(loaded.predict_proba(X), net.predict_proba(X))


def test_a_pickle_of_0_1_0_gets_the_parameters_added_since_at_their_defaults(fitted, small_digits):
    # 0.1.0 pickled an estimator's __dict__, which had no parameter added since:
    # it predicted once unpickled, but get_params, save and fit raised AttributeError.
    X, X_test, y, _ = small_digits
    old = copy.deepcopy(fitted)
    del old.__dict__["n_jobs"]
    clone = pickle.loads(pickle.dumps(old))
    assert clone.get_params()["n_jobs"] is None
    np.testing.assert_array_equal(clone.predict_proba(X_test), fitted.predict_proba(X_test))
    clone.partial_fit(X, y)
    assert clone.n_iter_ == fitted.n_iter_ + 1


def test_callbacks_and_plugins_pickled_without_a_parameter_added_since_take_its_default(
    small_digits,
):
    # 0.1.0's ProgressBar had no `leave`: unpickled, its repr and the next fit raised a
    # TypeError telling the user to mend ProgressBar.__init__, a class of sknielsen's.
    from sknielsen.callbacks import ProgressBar
    from sknielsen.plugins import Adam

    X, _, y, _ = small_digits
    bar, adam = ProgressBar(leave=False), Adam(beta1=0.8)
    del bar.__dict__["leave"], adam.__dict__["epsilon"]
    net = NielsenMLPClassifier(epochs=1, eta=0.001, optimizer=adam, callbacks=[bar], random_state=0)
    loaded = pickle.loads(pickle.dumps(net))
    assert loaded.callbacks[0].get_params()["leave"] is True
    assert loaded.optimizer.get_params() == Adam(beta1=0.8).get_params()
    repr(loaded)
    loaded.fit(X, y)


@pytest.mark.parametrize(
    "registered, error, message",
    [
        (True, UnsavableModelError, r"parameter 'items' holds a set, not a JSON"),
        # Unregistered, its parameter was blamed on its parent's name ("the optimizer
        # 'sgd''s parameter 'items' holds a set"), though saving needs it registered.
        (False, ValueError, r"^The optimizer HoldsItems is not registered"),
    ],
)
def test_a_saved_plugin_parameter_holding_a_set_is_refused_by_name(
    tmp_path, isolated_registry, registered, error, message
):
    from sknielsen.plugins import SGD, register

    class HoldsItems(SGD):
        def __init__(self, items=()):
            self.items = items

    if registered:
        register("optimizer", "test_holds_items")(HoldsItems)
    X = np.random.default_rng(0).random((20, 4))
    net = NielsenMLPClassifier((2,), epochs=1, optimizer=HoldsItems(items=({1},)))
    net.fit(X, np.arange(20) % 2)
    with pytest.raises(error, match=message):
        save(net, tmp_path / "net.json")
    assert not (tmp_path / "net.json").exists()
