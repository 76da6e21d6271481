"""The training layer on its own: one resolution of the parameters, and the fitted-state pair."""

import dataclasses
import re
import warnings

import numpy as np
import pytest

import sknielsen
from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor
from sknielsen.callbacks import Callback, EarlyStopping, HalveOnPlateau, StepDecay, StopTraining
from sknielsen.engine import _cengine
from sknielsen.plugins import Momentum
from sknielsen.training import FittedState, RunConfig
from sknielsen.utils import check_params


def test_resolve_gives_an_immutable_configuration_of_fresh_plugins():
    momentum = Momentum(mu=0.5)
    config = check_params(NielsenMLPClassifier(optimizer=momentum, hidden_layer_sizes=7))
    assert isinstance(config, RunConfig)
    assert config.hidden_sizes == (7,)
    assert config.plugins.optimizer == momentum and config.plugins.optimizer is not momentum
    assert config.plugins.output_activation.name == "sigmoid"  # the cost's own
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.eta = 1.0
    regressor = check_params(NielsenMLPRegressor())
    assert regressor.plugins.output_activation.name == "identity"


BAD_PARAMETERS = [
    ({"mini_batch_size": True}, "must not be a boolean"),
    ({"eta": -1.0}, "'eta' parameter"),
    ({"monitor": ("validation_cost", "nonsense")}, "'monitor' parameter of .* names unknown keys"),
    ({"callbacks": [object()]}, "Callback instances"),
    ({"cost": "log_likelihood", "output_activation": "sigmoid"}, "cannot be paired"),
    ({"optimizer": "lbfgs", "dropout": 0.5}, "full-batch optimizer 'lbfgs'"),
    ({"optimizer": "momentum", "optimizer__mu": 3.0}, "optimizer__mu"),
    ({"callbacks": [EarlyStopping(patience=0)]}, r"callbacks\[0\]\.patience"),
    ({"image_shape": (0, 4)}, "image_shape"),
    # True was taken for 1: images of one row, trained without a word.
    ({"augment": "shift", "image_shape": (True, 64)}, "image_shape"),
    ({"hidden_layer_sizes": (3, 0)}, "hidden_layer_sizes"),
]


@pytest.mark.parametrize("params, message", BAD_PARAMETERS)
def test_fit_and_check_params_refuse_the_same_parameters_with_the_same_message(
    params, message, small_digits
):
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(epochs=1).set_params(**params)
    with pytest.raises(ValueError, match=message) as checked:
        check_params(net)
    with pytest.raises(ValueError, match=message) as fitted:
        net.fit(X, y)
    assert str(checked.value) == str(fitted.value)


def test_widths_let_the_optimizer_check_the_network_size():
    net = NielsenMLPClassifier(optimizer="newton", hidden_layer_sizes=(30,))
    check_params(net)  # no widths, no size to check
    with pytest.raises(ValueError, match="max_params"):
        check_params(net, n_features=784, n_outputs=10)
    check_params(net, n_features=784)  # no outputs: nor the memory the network needs
    # Augmented images are checked against the width: 63 inputs are no square image.
    augmenting = NielsenMLPClassifier(augment="shift")
    with pytest.raises(ValueError, match=r"augment needs images: 63 features are not images"):
        check_params(augmenting, n_features=63)


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"early_stopping": 3}, [EarlyStopping("validation_accuracy", 3)]),
        (
            {"early_stopping": True, "n_iter_no_change": 4},
            [EarlyStopping("validation_accuracy", 4)],
        ),
        ({"schedule": "halve_on_plateau"}, [HalveOnPlateau("validation_accuracy", 10)]),
        (
            {"early_stopping": 2, "callbacks": [StepDecay()]},
            [EarlyStopping(patience=2), StepDecay()],
        ),
        ({}, []),
    ],
)
def test_each_shorthand_builds_its_callback(params, expected, small_digits):
    X, X_val, y, y_val = small_digits
    net = NielsenMLPClassifier(epochs=2, random_state=0, **params).fit(
        X, y, X_val=X_val, y_val=y_val
    )
    assert net.callbacks_ == expected
    spelled_out = [*expected]  # the same run, with the callbacks given explicitly
    explicit = NielsenMLPClassifier(epochs=2, random_state=0, callbacks=spelled_out)
    explicit.set_params(**{k: v for k, v in params.items() if k == "n_iter_no_change"})
    explicit.fit(X, y, X_val=X_val, y_val=y_val)
    np.testing.assert_array_equal(explicit.coefs_[0], net.coefs_[0])


# -- the fitted-state pair -----------------------------------------------------------


@pytest.fixture
def fitted(small_digits):
    X, X_val, y, y_val = small_digits
    params = {"epochs": 2, "optimizer": "momentum", "random_state": 0}
    return NielsenMLPClassifier(**params).fit(X, y, X_val=X_val, y_val=y_val), params


def test_get_fitted_state_is_a_copy_that_later_training_leaves_alone(fitted, small_digits):
    net, _ = fitted
    X, _, y, _ = small_digits
    state = net.get_fitted_state()
    assert isinstance(state, FittedState)
    before = state.coefs[0].copy()
    net.partial_fit(X, y)
    np.testing.assert_array_equal(state.coefs[0], before)
    assert state.n_iter == 2 and net.n_iter_ == 3


def test_a_state_moved_to_a_new_estimator_continues_exactly(fitted, small_digits):
    net, params = fitted
    X, X_test, y, _ = small_digits
    moved = NielsenMLPClassifier.from_fitted_state(net.get_fitted_state(), **params)
    np.testing.assert_array_equal(moved.predict_proba(X_test), net.predict_proba(X_test))
    assert moved.best_epoch_ == net.best_epoch_ and moved.eta_ == net.eta_
    net.partial_fit(X, y)
    moved.partial_fit(X, y)  # the momentum and the generator carry over
    np.testing.assert_array_equal(moved.coefs_[0], net.coefs_[0])


def test_a_state_set_on_a_fitted_estimator_drops_what_described_its_last_run(fitted, small_digits):
    # engine_, callbacks_ and history_every_ stayed, describing a run of another state.
    net, params = fitted
    X, X_val, y, y_val = small_digits
    other = NielsenMLPClassifier(**params, monitor_every=50).fit(X, y, X_val=X_val, y_val=y_val)
    assert all(hasattr(other, name) for name in ("engine_", "callbacks_", "history_every_"))
    other.set_fitted_state(net.get_fitted_state())
    assert not any(hasattr(other, name) for name in ("engine_", "callbacks_", "history_every_"))
    other.partial_fit(X, y, X_val=X_val, y_val=y_val)  # a run of its own again
    assert other.engine_ and hasattr(other, "callbacks_")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"hidden_layer_sizes": (5,)}, "differs from the fitted network"),
        ({"optimizer": "momentum", "optimizer__mu": 7.0}, "optimizer__mu"),
    ],
)
def test_set_fitted_state_refuses_what_does_not_fit_and_changes_nothing(fitted, change, message):
    net, params = fitted
    other = NielsenMLPClassifier(**{**params, "hidden_layer_sizes": (30,)})
    other.set_params(**change)
    with pytest.raises(ValueError, match=message):
        other.set_fitted_state(net.get_fitted_state())
    assert not hasattr(other, "coefs_")
    broken = dataclasses.replace(net.get_fitted_state(), n_features_in=3)
    with pytest.raises(ValueError, match="n_features_in"):
        NielsenMLPClassifier(**params).set_fitted_state(broken)


def test_set_fitted_state_refuses_arrays_and_targets_no_fit_leaves(fitted, small_digits):
    # NaN weights loaded to predict the first class everywhere; integer weights,
    # lists and another estimator's targets failed deep inside NumPy or a dict.
    net, params = fitted
    state = net.get_fitted_state()
    nan = [w.copy() for w in state.coefs]
    nan[0][0, 0] = np.nan
    broken = {
        "holds NaN or infinite": dataclasses.replace(state, coefs=nan),
        "got int64": dataclasses.replace(state, coefs=[w.astype(int) for w in state.coefs]),
        "got float16": dataclasses.replace(
            state,
            coefs=[w.astype(np.float16) for w in state.coefs],
            intercepts=[b.astype(np.float16) for b in state.intercepts],
        ),
        "got list": dataclasses.replace(state, coefs=[w.tolist() for w in state.coefs]),
        "is float64 but coefs": dataclasses.replace(
            state, coefs=[w.astype(np.float32) for w in state.coefs]
        ),
    }
    for message, wrong in broken.items():
        with pytest.raises(ValueError, match=message):
            NielsenMLPClassifier.from_fitted_state(wrong, **params)
    with pytest.raises(ValueError, match="A regressor's targets hold y_1d only"):
        NielsenMLPRegressor.from_fitted_state(state, **params)
    regressor = NielsenMLPRegressor(**params).fit(small_digits[0], small_digits[2] / 10)
    with pytest.raises(ValueError, match="A classifier's targets hold classes and multilabel"):
        NielsenMLPClassifier.from_fitted_state(regressor.get_fitted_state(), **params)


def test_set_fitted_state_refuses_what_is_no_fitted_state(fitted):
    # A dict (a state's fields, say) failed with "AttributeError: 'dict' object has no
    # attribute 'check'", naming neither the argument nor what to give.
    net, params = fitted
    message = r"^state must be a FittedState, as get_fitted_state returns it; got dict\.$"
    for call in (
        NielsenMLPClassifier(**params).set_fitted_state,
        NielsenMLPRegressor.from_fitted_state,
    ):
        with pytest.raises(TypeError, match=message):
            call(dataclasses.asdict(net.get_fitted_state()))


def test_set_fitted_state_refuses_layers_that_make_no_network(fitted):
    net, params = fitted
    state = net.get_fitted_state()
    (w0, w1), (b0, b1) = state.coefs[:2], state.intercepts[:2]
    rest = state.coefs[2:], state.intercepts[2:]
    broken = {
        r"Layer 0: coefs\[0\] must be 2-D; got shape": dataclasses.replace(
            state, coefs=[w0[:, :, None], w1, *rest[0]]
        ),
        r"Layer 0 has no neurons or no inputs: weights of shape \(64, 0\)": dataclasses.replace(
            state, coefs=[w0[:, :0], w1[:0], *rest[0]], intercepts=[b0[:0], b1, *rest[1]]
        ),
        r"Layer 1 expects 2 inputs but layer 0 has": dataclasses.replace(
            state, coefs=[w0, w1[:2], *rest[0]]
        ),
        r"The history must have the keys \['loss'": dataclasses.replace(
            state, history={**state.history, "val_loss": []}
        ),
    }
    for message, wrong in broken.items():
        with pytest.raises(ValueError, match=message):
            NielsenMLPClassifier.from_fitted_state(wrong, **params)


def _multilabel_state(n_labels):
    """The fitted state of a multilabel model of ``n_labels`` columns."""
    rng = np.random.default_rng(0)
    X, Y = rng.random((20, 4)), (rng.random((20, n_labels)) > 0.5).astype(int)
    net = NielsenMLPClassifier((3,), epochs=1, random_state=0, output_activation="sigmoid")
    return net.fit(X, Y).get_fitted_state()


def _with(state, **changes):
    """``state`` with fields replaced, and history lists or optimizer arrays among them."""
    history = {**state.history, **changes.pop("history", {})}
    optimizer_state = {**state.optimizer_state, **changes.pop("optimizer_state", {})}
    return dataclasses.replace(state, history=history, optimizer_state=optimizer_state, **changes)


@pytest.mark.parametrize(
    "changes, said",
    [
        ({"history": {"loss": [np.nan, 1.0]}}, r"fitted.history.loss holds NaN or infinite"),
        ({"history": {"loss": [1.0] * 5}}, r"fitted.history.loss has 5 entries for 2 epochs"),
        ({"optimizer_state": {"velocity": None}}, r"optimizer_state.velocity holds NaN"),
        ({"history": {"loss": ["a", "b"]}}, r"history.loss must be a list of real numbers"),
        ({"n_iter": -1}, r"n_iter must be a non-negative integer; got -1"),
        ({"samples_seen": 2.5}, r"samples_seen must be a non-negative integer; got 2.5"),
        # Written as "0", "1", ... and loaded as such: a DataFrame of the same columns was
        # then said to have other names.
        (
            {"n_features_in": 64, "feature_names_in": np.arange(64).astype(object)},
            r"feature_names_in must be strings, as fit records them; got \[0, 1, 2",
        ),
    ],
    ids=["NaN loss", "more losses than epochs", "NaN velocity", "strings", "n_iter", "t_", "names"],
)
def test_set_fitted_state_refuses_what_save_refuses(fitted, changes, said):
    # set_fitted_state took these (or failed with a TypeError inside the summaries), and
    # save then refused the model: the file's checks across fields ran on load only.
    net, params = fitted
    state = net.get_fitted_state()
    if "velocity" in changes.get("optimizer_state", {}):
        changes["optimizer_state"]["velocity"] = np.full_like(
            state.optimizer_state["velocity"], np.nan
        )
    with pytest.raises(ValueError, match=said):
        NielsenMLPClassifier.from_fitted_state(_with(state, **changes), **params)


def test_a_state_of_numpy_scalars_is_saved_as_plain_numbers(fitted, tmp_path):
    # History values of np.float32 made save fail with json's TypeError ("Object of
    # type float32 is not JSON serializable").
    net, params = fitted
    state = net.get_fitted_state()
    losses = [np.float32(value) for value in state.history["loss"]]
    model = NielsenMLPClassifier.from_fitted_state(_with(state, history={"loss": losses}), **params)
    sknielsen.save(model, tmp_path / "net.json")
    loaded = sknielsen.load(tmp_path / "net.json")
    assert loaded.history_["loss"] == [float(value) for value in losses]


@pytest.mark.parametrize(
    "rng_state",
    [
        {"bit_generator": "PCG64"},
        {
            "bit_generator": "PCG64",
            "state": {"state": -1, "inc": 1},
            "has_uint32": 0,
            "uinteger": 0,
        },
        {
            "bit_generator": "PCG64",
            "state": {"state": 2**130, "inc": 1},
            "has_uint32": 0,
            "uinteger": 0,
        },
        {"bit_generator": "PCG64", "state": {"state": 5, "inc": 1}, "has_uint32": 7, "uinteger": 0},
    ],
    ids=["no state", "negative", "beyond 128 bits", "has_uint32 of 7"],
)
def test_set_fitted_state_refuses_a_generator_state_a_model_file_refuses(fitted, rng_state):
    # Only the name was checked in memory: partial_fit then failed with a KeyError or an
    # OverflowError from inside NumPy (or took has_uint32=7), and save refused the model.
    net, params = fitted
    wrong = dataclasses.replace(net.get_fitted_state(), rng_state=rng_state)
    with pytest.raises(ValueError, match=r"^rng_state is not a PCG64 generator state"):
        NielsenMLPClassifier.from_fitted_state(wrong, **params)


def test_set_fitted_state_refuses_classes_that_are_not_an_array(fitted, small_digits):
    # A list was kept as classes_, and predict failed inside NumPy ("only integer
    # scalar arrays can be converted to a scalar index").
    net, params = fitted
    targets = {"classes": [0, 1, 2], "multilabel": False}
    wrong = dataclasses.replace(net.get_fitted_state(), targets=targets)
    with pytest.raises(ValueError, match=r"state.targets\['classes'\] must be a NumPy array"):
        NielsenMLPClassifier.from_fitted_state(wrong, **params)


@pytest.mark.parametrize(
    "classes, multilabel, said",
    [
        # Equal to the columns 0..n-1, but not the integers a fit gives them.
        ([0.0, 1.0, 2.0], True, r"a multilabel model's classes are its columns, the integers"),
        ([False, True], True, r"a multilabel model's classes are its columns, the integers"),
        (np.array([0, 1, 2], dtype=object), False, r"values of dtype object must be strings"),
    ],
    ids=["multilabel floats", "multilabel booleans", "objects not strings"],
)
def test_set_fitted_state_refuses_the_classes_a_model_file_refuses(
    tmp_path, classes, multilabel, said
):
    # The rules were written twice, the file's stricter: set_fitted_state took
    # these classes, and save then refused the model it had made.
    state = _multilabel_state(len(classes))
    targets = {"classes": np.asarray(classes), "multilabel": multilabel}
    wrong = dataclasses.replace(state, targets=targets)
    params = {"hidden_layer_sizes": (3,), "output_activation": "sigmoid"}
    with pytest.raises(ValueError, match=r"state\.targets\['classes'\]: " + said):
        NielsenMLPClassifier.from_fitted_state(wrong, **params)
    columns = dataclasses.replace(
        state, targets={"classes": np.arange(len(classes), dtype=np.uint8), "multilabel": True}
    )
    model = NielsenMLPClassifier.from_fitted_state(columns, **params)
    sknielsen.save(model, tmp_path / "net.json")  # what one accepts, the other does too
    assert sknielsen.load(tmp_path / "net.json").classes_.tolist() == list(range(len(classes)))


@pytest.mark.parametrize(
    "change, said",
    [
        ({"activation": "tanh"}, "activation changed from 'sigmoid' to 'tanh'"),
        ({"cost": "quadratic"}, "cost changed from 'cross_entropy' to 'quadratic'"),
        ({"output_activation": "softmax"}, "output_activation changed from 'sigmoid'"),
        ({"dtype": "float32"}, "dtype changed from 'float64' to 'float32'"),
    ],
)
@pytest.mark.parametrize("how", ["partial_fit", "warm_start"])
def test_a_network_redefined_since_the_last_fit_is_said_to_continue(change, said, how):
    # Before, partial_fit and warm_start switched silently (the optimizer alone warned).
    X, y = np.random.default_rng(0).random((40, 5)), np.arange(40) % 2
    model = NielsenMLPClassifier(hidden_layer_sizes=(4,), epochs=1, random_state=0).fit(X, y)
    model.set_params(**change, warm_start=how == "warm_start")
    with pytest.warns(UserWarning, match=re.escape(said)) as caught:
        model.partial_fit(X, y) if how == "partial_fit" else model.fit(X, y)
    assert any("training continues from the fitted weights" in str(w.message) for w in caught)


def test_an_unchanged_network_continues_without_a_word():
    X, y = np.random.default_rng(0).random((40, 5)), np.arange(40) % 2
    model = NielsenMLPClassifier(hidden_layer_sizes=(4,), epochs=1, random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.set_params(eta=0.1, lmbda=0.5).partial_fit(X, y)


def test_an_unregistered_plugin_switched_in_between_fits_is_named_by_its_class():
    # The optimizer's warning asked the registry for a name, and an unregistered
    # optimizer made partial_fit raise instead of warning.
    class MySGD(Momentum):
        pass

    X, y = np.random.default_rng(0).random((40, 5)), np.arange(40) % 2
    model = NielsenMLPClassifier(hidden_layer_sizes=(4,), epochs=1, random_state=0).fit(X, y)
    model.set_params(optimizer=MySGD(), eta=0.1)
    with pytest.warns(UserWarning, match="optimizer changed from 'sgd' to 'MySGD'"):
        model.partial_fit(X, y)
    assert model.n_iter_ == 2


@pytest.mark.filterwarnings("ignore:The dtype changed")
@pytest.mark.parametrize("engine", ["numpy", "c"])
@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
@pytest.mark.parametrize(("fitted", "now"), [("float32", "float64"), ("float64", "float32")])
def test_a_changed_dtype_converts_the_optimizer_state_with_the_weights(
    engine, optimizer, fitted, now
):
    # The C engine refused the state's arrays of the old dtype; NumPy mixed precisions.
    rng = np.random.default_rng(0)
    X, y = rng.random((40, 6)), rng.random((40, 2))
    params = {"optimizer": optimizer, "eta": 0.01, "epochs": 2, "random_state": 0}
    net = NielsenMLPRegressor((4,), dtype=fitted, engine=engine, **params).fit(X, y)
    net.set_params(dtype=now).partial_fit(X, y)
    state = net.get_fitted_state().optimizer_state
    arrays = [v for k, v in state.items() if isinstance(v, np.ndarray) and k != "step"]
    assert arrays and {a.dtype for a in arrays} == {np.dtype(now)} == {net.coefs_[0].dtype}
    # Adam counts its steps in float64 in either dtype (float32 stops at 2**24).
    assert state.get("step", np.zeros(1)).dtype == np.float64


@pytest.mark.parametrize(
    ("arguments", "name"),
    [
        ({"n_features": 0, "n_outputs": 1}, "n_features"),
        ({"n_features": -1, "n_outputs": 1}, "n_features"),
        ({"n_features": True, "n_outputs": 1}, "n_features"),
        ({"n_features": 3.5, "n_outputs": 1}, "n_features"),  # NumPy's "got '166.0'"
        ({"n_features": "3", "n_outputs": 1}, "n_features"),  # "unsupported operand"
        ({"n_features": 3, "n_outputs": 0}, "n_outputs"),
        ({"training": "no"}, "training"),
    ],
)
def test_check_params_refuses_widths_that_no_network_has(arguments, name):
    # A width of 0 or -1 passed the check that the network fits in memory.
    with pytest.raises(ValueError, match=f"The '{name}' parameter of check_params"):
        check_params(NielsenMLPRegressor(), **arguments)


def test_check_params_names_an_estimator_that_is_not_ours():
    with pytest.raises(ValueError, match="The 'estimator' parameter of check_params"):
        check_params(NielsenMLPRegressor)  # the class: "missing 1 required argument: 'self'"


@pytest.mark.parametrize(
    ("continued", "advice"),
    [
        ("partial_fit", "call fit, not partial_fit, to start anew"),
        ("warm_start", "use warm_start=False to start anew"),
        ("set_fitted_state", r"set hidden_layer_sizes=\(3,\) to take this state"),
    ],
)
def test_other_hidden_layers_than_the_fitted_ones_advise_as_the_fit_continues(
    small_digits, continued, advice
):
    # partial_fit and set_fitted_state were told to "use warm_start=False", which they lack.
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier((3,), epochs=1, random_state=0).fit(X, y)
    state = net.get_fitted_state()
    net.set_params(hidden_layer_sizes=(5,), warm_start=continued == "warm_start")
    with pytest.raises(ValueError, match=rf"differs from the fitted network's .*; {advice}\."):
        if continued == "set_fitted_state":
            net.set_fitted_state(state)
        elif continued == "partial_fit":
            net.partial_fit(X, y)
        else:
            net.fit(X, y)


# -- continuing after an interrupted run ------------------------------------------------

needs_c = pytest.mark.skipif(not _cengine.available(), reason="the C engine is not built here")
ENGINES = ["numpy", pytest.param("c", marks=needs_c)]


class EndsMidEpoch(Callback):
    """Ends the run after the third mini-batch of the given epoch (counted from 1).

    With ``epoch=None`` it never does: a reference run with the same hook, since
    the C engine's per-mini-batch calls agree with its whole epochs only to rounding.
    """

    def __init__(self, epoch=None, interrupt=False):
        self.epoch = epoch
        self.interrupt = interrupt

    def on_batch_end(self, trainer):
        if trainer.epochs_run + 1 == self.epoch and trainer.samples_in_epoch == 30:
            raise KeyboardInterrupt if self.interrupt else StopTraining


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("interrupt", [False, True])
def test_a_run_ended_mid_epoch_continues_as_if_never_ended(interrupt, engine, small_digits):
    # The steps of the epoch in progress are dropped, and the generator that drew its
    # shuffle and dropout masks went back with them: it stayed ahead, so the run
    # continued with other mini-batches and masks than an uninterrupted one.
    X, _, y, _ = small_digits
    params = {"hidden_layer_sizes": (5,), "dropout": 0.2, "random_state": 0, "engine": engine}
    never = EndsMidEpoch()
    net = NielsenMLPClassifier(epochs=4, callbacks=[EndsMidEpoch(3, interrupt)], **params)
    with pytest.warns(UserWarning):
        net.fit(X, y)
    assert net.n_iter_ == 2
    reference = NielsenMLPClassifier(epochs=2, callbacks=[never], **params).fit(X, y)
    assert net.get_fitted_state().rng_state == reference.get_fitted_state().rng_state
    net.set_params(warm_start=True, epochs=2, callbacks=[never]).fit(X, y)
    reference.set_params(warm_start=True).fit(X, y)
    for ours, theirs in zip(net.coefs_ + net.intercepts_, reference.coefs_ + reference.intercepts_):
        np.testing.assert_array_equal(ours, theirs)
    assert net.history_ == reference.history_ and net.t_ == reference.t_


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_epochs_in_parts_are_the_epochs_in_one_fit(
    optimizer, dtype, engine, small_digits, tmp_path
):
    # docs/callbacks.md, "Continuing training": two epochs, then two more by warm_start,
    # through a model file, or four calls of partial_fit, are four epochs in one fit.
    X, X_val, y, y_val = small_digits
    params = {
        "hidden_layer_sizes": (4,),
        "optimizer": optimizer,
        "eta": 0.01 if optimizer == "adam" else 0.1,
        "dropout": 0.2,
        "monitor": "all",
        "dtype": dtype,
        "engine": engine,
        "random_state": 0,
    }
    data = {"X": X, "y": y, "X_val": X_val, "y_val": y_val}
    whole = NielsenMLPClassifier(epochs=4, **params).fit(**data)
    warm = NielsenMLPClassifier(epochs=2, **params).fit(**data)
    sknielsen.save(warm, tmp_path / "net.json")
    loaded = sknielsen.load(tmp_path / "net.json").set_params(warm_start=True)
    warm.set_params(warm_start=True).fit(**data)
    loaded.fit(**data)
    calls = NielsenMLPClassifier(**params)
    for _ in range(4):
        calls.partial_fit(classes=[0, 1, 2], **data)
    expected = whole.get_fitted_state()
    for net in (warm, loaded, calls):
        state = net.get_fitted_state()
        for ours, theirs in zip(
            state.coefs + state.intercepts, expected.coefs + expected.intercepts
        ):
            np.testing.assert_array_equal(ours, theirs)
        assert state.optimizer_state.keys() == expected.optimizer_state.keys()
        for key, value in expected.optimizer_state.items():
            np.testing.assert_array_equal(state.optimizer_state[key], value)
        assert state.history == expected.history and state.rng_state == expected.rng_state
        assert (net.n_iter_, net.t_, net.eta_) == (4, 4 * len(X), whole.eta_)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("random_state", [0, None])
def test_a_continued_fit_holds_out_the_split_its_first_fit_held_out(
    random_state, engine, small_digits, tmp_path
):
    # Each warm_start fit drew a new validation_fraction split, most of which the earlier
    # fit had trained on: its validation scores and early stopping were optimistic, and
    # epochs in parts were not the epochs of one fit.
    X, _, y, _ = small_digits
    params = {"hidden_layer_sizes": (4,), "monitor": "all", "engine": engine}
    seed = 0 if random_state is None else random_state
    whole = NielsenMLPClassifier(epochs=4, random_state=seed, **params).fit(X, y)
    warm = NielsenMLPClassifier(epochs=2, random_state=seed, **params).fit(X, y)
    sknielsen.save(warm, tmp_path / "net.json")
    # After load, whatever random_state says now: the split is the first fit's.
    loaded = sknielsen.load(tmp_path / "net.json").set_params(
        warm_start=True, random_state=random_state
    )
    warm.set_params(warm_start=True).fit(X, y)
    loaded.fit(X, y)
    for net in (warm, loaded):
        for ours, theirs in zip(net.coefs_ + net.intercepts_, whole.coefs_ + whole.intercepts_):
            np.testing.assert_array_equal(ours, theirs)
        assert net.history_ == whole.history_
        assert net.get_fitted_state().rng_state == whole.get_fitted_state().rng_state


@pytest.mark.parametrize("seed", [-1, 2**31 - 1, 1.5, True, "7"])
def test_a_state_s_split_seed_is_an_int_the_generator_draws(seed, small_digits):
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(hidden_layer_sizes=(4,), epochs=1, monitor="all", random_state=0)
    state = net.fit(X, y).get_fitted_state()
    assert isinstance(state.split_seed, int)  # the split of the monitored validation set
    state = dataclasses.replace(state, split_seed=seed)
    with pytest.raises(ValueError, match="split_seed must be an int in"):
        NielsenMLPClassifier(hidden_layer_sizes=(4,)).set_fitted_state(state)


def test_a_state_s_numpy_integer_split_seed_is_saved_as_the_int_it_is(small_digits, tmp_path):
    # It passed the state's check, but save failed: "Object of type int64 is not JSON
    # serializable".
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(hidden_layer_sizes=(4,), epochs=1, monitor="all", random_state=0)
    state = net.fit(X, y).get_fitted_state()
    state = dataclasses.replace(state, split_seed=np.int64(state.split_seed))
    taken = NielsenMLPClassifier(hidden_layer_sizes=(4,), monitor="all").set_fitted_state(state)
    sknielsen.save(taken, tmp_path / "net.json")
    assert sknielsen.load(tmp_path / "net.json").get_fitted_state().split_seed == state.split_seed


class _EpochPeak(Callback):
    """Records what each epoch allocates at most beyond what it began with (tracemalloc on)."""

    peaks = []  # the fit trains a clone: a class attribute outlives it

    def on_epoch_begin(self, trainer):
        import tracemalloc

        tracemalloc.reset_peak()
        self._begun_with = tracemalloc.get_traced_memory()[0]

    def on_epoch_end(self, trainer):
        import tracemalloc

        _EpochPeak.peaks.append(tracemalloc.get_traced_memory()[1] - self._begun_with)


def _peak_during_epochs(net, X, y):
    """The most memory ``net``'s epochs allocate on (X, y) beyond what they begin with."""
    import tracemalloc

    _EpochPeak.peaks = []
    net.set_params(callbacks=[_EpochPeak()])
    tracemalloc.start()
    try:
        net.fit(X, y)
    finally:
        tracemalloc.stop()
    return max(_EpochPeak.peaks)


def _other_layout(array, layout):
    """``array``'s values in Fortran order, or as a strided view of a wider array."""
    if layout == "fortran":
        return np.asfortranarray(array)
    return np.repeat(array, 2, axis=1)[:, ::2]


@pytest.mark.parametrize("engine", ["numpy", "auto"])
@pytest.mark.parametrize("layout", ["fortran", "strided"])
def test_epochs_never_copy_a_training_set_of_another_layout(layout, engine):
    # NumPy's take, which gathers a mini-batch's rows, copied the whole of a
    # Fortran-ordered or strided X (or a regressor's Y) at every mini-batch: one
    # epoch on such an MNIST took over 5 minutes on the NumPy engine instead of 1.2 s.
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(2000, 200))
    y = rng.integers(3, size=2000)
    Y = rng.uniform(size=(2000, 50))
    params = {"epochs": 1, "mini_batch_size": 100, "random_state": 0, "engine": engine}
    for net, inputs, targets, copied in [
        (NielsenMLPClassifier(**params), _other_layout(X, layout), y, "X"),
        (NielsenMLPRegressor(**params), X[:, :20], _other_layout(Y, layout), "Y"),
    ]:
        peak = _peak_during_epochs(net, inputs, targets)
        size = (inputs if copied == "X" else targets).nbytes
        assert peak < 0.25 * size, f"an epoch allocated {peak / size:.2f} times {copied}"
        trained = net.coefs_[0]
        net.fit(np.ascontiguousarray(inputs), np.ascontiguousarray(targets))
        np.testing.assert_array_equal(trained, net.coefs_[0])  # the same numbers


def _mutables(value, found):
    """The ids of the lists, dicts and arrays reachable in ``value``."""
    if isinstance(value, (list, dict, np.ndarray)):
        found.add(id(value))
    items = value.values() if isinstance(value, dict) else value
    if isinstance(value, (list, tuple, dict)):
        for item in items:
            _mutables(item, found)
    return found


def test_fitted_states_share_nothing_that_can_change(fitted, small_digits):
    # The state is copied field by field (lists of numbers whole, arrays by NumPy):
    # two states of one model, and a state and the model, must share no list,
    # dict or array, nor a history value list with the model's history_.
    net, _ = fitted
    first, second = net.get_fitted_state(), net.get_fitted_state()
    for name in ("coefs", "intercepts", "plugins", "optimizer_state", "history", "targets"):
        ours = _mutables(getattr(first, name), set())
        assert ours and not ours & _mutables(getattr(second, name), set()), name
    first.history["loss"][0] = -1.0
    first.optimizer_state["velocity"][0] += 1.0
    assert net.history_["loss"][0] != -1.0 and second.history["loss"][0] != -1.0
    np.testing.assert_array_equal(
        net.get_fitted_state().optimizer_state["velocity"], second.optimizer_state["velocity"]
    )


def _best_epoch_by_loop(values, minimize, min_delta):
    """The no-improvement rule as EarlyStopping counts it, one value at a time."""
    sign, best, epoch = (-1.0 if minimize else 1.0), -np.inf, None
    for index, value in enumerate(values, start=1):
        if sign * value > best + min_delta:
            best, epoch = sign * value, index
    return epoch


@pytest.mark.parametrize("minimize", [True, False])
@pytest.mark.parametrize("seed", range(40))
def test_the_best_epoch_is_the_rules_on_any_history(seed, minimize):
    # Without a min_delta it is found in one NumPy pass: ties, NaN and infinities
    # must name the epoch the rule names, one value at a time.
    from sknielsen.training._summary import Watch, best_epoch

    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 12))
    values = rng.choice([0.5, 0.25, 1.0, 2.0, np.nan, np.inf, -np.inf, 0.75], size=n).tolist()
    for min_delta in (0.0, 0.3):
        watch = Watch("loss", minimize=minimize, min_delta=min_delta)
        found = best_epoch({"loss": values}, watch)
        assert found == _best_epoch_by_loop(values, minimize, min_delta), (values, min_delta)


@pytest.mark.parametrize("cost", ["cross_entropy", "log_likelihood"])
def test_the_numpy_engine_costs_a_monitored_set_a_chunk_of_rows_at_a_time(cost):
    # The NumPy engine took a monitored set's rows through the layers in chunks, then
    # computed the cost of all their outputs at once: the cost's temporaries held two to
    # five times the outputs (16.3 and 9.4 MiB here, 63 MiB for a training set of
    # 100,000 rows of 10 classes monitored, where 26 are needed).
    import tracemalloc

    import sklearn

    rng = np.random.default_rng(0)
    n_rows, n_classes = 6000, 50
    X = rng.uniform(size=(n_rows, 20))
    y = np.arange(n_rows) % n_classes  # every class among the 100 rows trained on
    params = {"epochs": 1, "random_state": 0, "engine": "numpy", "cost": cost}
    params["monitor"] = ("validation_cost", "validation_accuracy")
    if cost == "log_likelihood":
        params["output_activation"] = "softmax"
    expected = NielsenMLPClassifier((10,), **params).fit(X[:100], y[:100], X_val=X, y_val=y)
    tracemalloc.start()
    try:
        with sklearn.config_context(working_memory=1):
            net = NielsenMLPClassifier((10,), **params).fit(X[:100], y[:100], X_val=X, y_val=y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    outputs_bytes = n_rows * n_classes * 8  # 2.3 MiB: y_val one-hot, and the outputs
    assert peak < 3 * outputs_bytes, f"peak {peak / 2**20:.1f} MiB"
    assert net.history_ == expected.history_  # each row's cost is the same number
