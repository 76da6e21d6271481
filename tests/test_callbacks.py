"""The training loop's public surface: callbacks, schedules, the fitted state and rollback."""

import contextlib
import copy
import csv
import gc
import io
import json
import operator
import os
import re
import stat
import warnings
import weakref
from contextlib import redirect_stdout
from numbers import Real

import numpy as np
import pytest
from hook_callbacks import ActsInHooks
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import ParameterGrid
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import Interval, InvalidParameterError

import sknielsen
from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor
from sknielsen.callbacks import (
    Callback,
    CallbackError,
    Checkpoint,
    CSVLogger,
    EarlyStopping,
    ExponentialDecay,
    HalveOnPlateau,
    InverseScaling,
    Monitor,
    MonitorEvery,
    ProgressBar,
    StepDecay,
    StopTraining,
    VerbosePrinter,
)
from sknielsen.engine import _cengine
from sknielsen.persistence import NotARegularFileError, UnsavableModelError
from sknielsen.plugins import L2, LBFGS, Momentum, Optimizer, QuadraticCost, Tanh

needs_c = pytest.mark.skipif(not _cengine.available(), reason="the C engine is not built here")
ENGINES = ["numpy", pytest.param("c", marks=needs_c)]


class Recorder(Callback):
    """Records, at every epoch's end, the epoch, η and a copy of the weights."""

    def on_train_begin(self, trainer):
        self.epochs, self.etas, self.params = [], [], []
        self.start = trainer.network.params.copy()

    def on_epoch_end(self, trainer):
        self.epochs.append(trainer.epoch)
        self.etas.append(trainer.eta)
        self.params.append(trainer.network.params.copy())


class SetEta(Callback):
    """Sets η before the given epoch (counted from 0 in the run)."""

    def __init__(self, at=1, eta=1e-300):
        self.at = at
        self.eta = eta

    def on_epoch_begin(self, trainer):
        if trainer.epochs_run == self.at:
            trainer.eta = self.eta


class InterruptAt(Callback):
    """Ctrl-C in the middle of the given epoch of the run (counted from 1)."""

    def __init__(self, epoch=1):
        self.epoch = epoch

    def on_batch_end(self, trainer):
        if trainer.epochs_run + 1 == self.epoch and trainer.samples_in_epoch > 50:
            raise KeyboardInterrupt


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adam", "newton"])
def test_a_callback_sets_eta_for_every_optimizer(optimizer, small_digits):
    """η written by a callback takes effect from the next step, Newton included."""
    X, _, y, _ = small_digits
    hidden = (2,) if optimizer == "newton" else (10,)
    eta = 0.01 if optimizer == "adam" else 0.5
    net = NielsenMLPClassifier(
        hidden,
        optimizer=optimizer,
        eta=eta,
        epochs=3,
        lmbda=1.0,
        random_state=0,
        callbacks=[SetEta(at=1), Recorder()],
    )
    net.fit(X[:60], y[:60])
    params = net.callbacks_[-1].params
    # Epochs 2 and 3 ran at η = 1e-300: the weights no longer move (except by
    # momentum's velocity, which carries on by itself).
    if optimizer in ("sgd", "adam", "newton"):
        np.testing.assert_allclose(params[2], params[0], rtol=0, atol=1e-12)
        assert not np.allclose(params[0], net.callbacks_[-1].start)
    assert net.eta_ == 1e-300 and net.callbacks_[-1].etas == [eta, 1e-300, 1e-300]


class Rebind(Callback):
    """Replaces the network's arrays instead of writing into them."""

    def __init__(self, what="params"):
        self.what = what

    def on_epoch_end(self, trainer):
        network = trainer.network
        if self.what == "params":
            network.params = network.params * 0.5
        elif self.what == "weights":
            network.weights = [w * 0.5 for w in network.weights]
        else:
            network.weights[0] = network.weights[0] * 0.5


@pytest.mark.parametrize("engine", ["numpy", "c"])
@pytest.mark.parametrize("what", ["params", "weights", "layer"])
def test_a_callback_replacing_the_weights_instead_of_writing_them_is_refused(
    what, engine, small_digits
):
    """The engines train the flat array in place: a new one was silently ignored.

    The C engine went on from the old array, the NumPy engine's forward
    passes read the new one while its steps updated the old: two different
    wrong trainings, without a word.
    """
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(epochs=2, engine=engine, callbacks=[Rebind(what)])
    with pytest.raises((AttributeError, TypeError), match=r"cannot be replaced: .*\[\.\.\.\] = "):
        net.fit(X, y)


class ReplaceState(Callback):
    """Replaces an array of the optimizer's state instead of writing into it, in ``hook``.

    Then raises ``then``, when given.
    """

    def __init__(self, value="none", hook="on_epoch_end", then=None):
        self.value = value
        self.hook = hook
        self.then = then

    def on_epoch_end(self, trainer):
        if self.hook == "on_epoch_end":
            self._replace(trainer)

    def on_train_end(self, trainer):
        if self.hook == "on_train_end":
            self._replace(trainer)

    def _replace(self, trainer):
        velocity = trainer.state["velocity"]
        trainer.state["velocity"] = {
            "none": None,
            "list": velocity.tolist(),
            "float32": velocity.astype(np.float32),
            "short": velocity[:-1],
        }[self.value]
        if self.then is not None:
            raise self.then


@pytest.mark.parametrize("engine", ["numpy", "c"])
@pytest.mark.parametrize("value", ["none", "list", "float32", "short"])
@pytest.mark.parametrize(
    "hook, then",
    [("on_epoch_end", None), ("on_epoch_end", KeyboardInterrupt), ("on_train_end", None)],
)
def test_a_callback_replacing_the_optimizers_state_is_named(
    value, hook, then, engine, small_digits
):
    """It failed inside NumPy or the kernel, or (float32) trained on silently."""
    # In on_train_end, or in a hook that a Ctrl-C then ended, the state went unchecked:
    # the fit failed at its end inside NumPy ("ufunc 'isfinite' not supported"), or
    # kept the state it was left.
    X, _, y, _ = small_digits
    replaces = ReplaceState(value, hook, then)
    net = NielsenMLPClassifier(epochs=3, optimizer="momentum", engine=engine, callbacks=[replaces])
    message = rf"ReplaceState \({hook}\) left the optimizer's state 'velocity' as .*: it must stay"
    with pytest.raises(CallbackError, match=message):
        net.fit(X, y)


class AddInPlace(Callback):
    """Changes the weights with augmented assignments, which store back the same arrays."""

    def on_epoch_end(self, trainer):
        network = trainer.network
        network.params += 0.0
        network.weights[0] += 0.0
        network.biases[-1] *= 1.0


@pytest.mark.parametrize("engine", ["numpy", "c"])
def test_augmented_assignments_to_the_weights_are_writes_in_place(engine, small_digits):
    X, _, y, _ = small_digits
    plain = NielsenMLPClassifier(epochs=2, engine=engine, random_state=0).fit(X, y)
    added = NielsenMLPClassifier(epochs=2, engine=engine, random_state=0, callbacks=[AddInPlace()])
    added.fit(X, y)
    for a, b in zip(plain.coefs_ + plain.intercepts_, added.coefs_ + added.intercepts_):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("eta", [float("nan"), float("inf"), 0, -0.5, "0.1", b"0.1", True])
def test_a_callback_setting_eta_to_anything_but_a_positive_number_is_refused(eta, small_digits):
    """What docs/callbacks.md lists: text that float() would read is refused too."""
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier((3,), epochs=2, random_state=0, callbacks=[SetEta(at=1, eta=eta)])
    with pytest.raises(CallbackError, match=r"SetEta \(on_epoch_begin\) set trainer.eta"):
        net.fit(X[:60], y[:60])


class SetsSetting(ActsInHooks):
    """Writes ``value`` into ``setting`` in ``hook`` of the run's second epoch.

    ``setting`` is ``"optimizer.<name>"``, ``"penalty.<name>"`` (its ``lmbda`` or
    ``n_train``, or a hyper-parameter of its ``regularizer``) or ``"state.<key>"``,
    η or η₀ written straight into the optimizer's state. With ``then="stop"`` the
    hook then ends the run.
    """

    def __init__(self, setting="optimizer.mu", value=-3.0, hook="on_epoch_end", then=None):
        self.setting = setting
        self.value = value
        self.hook = hook
        self.then = then

    def _act(self, trainer, hook):
        second_epoch = trainer.epochs_run == (2 if hook == "on_epoch_end" else 1)
        if hook != self.hook or not (second_epoch or hook in ("on_train_begin", "on_train_end")):
            return
        owner, name = self.setting.split(".")
        if owner == "state":
            trainer.state[name] = self.value
        elif owner == "optimizer":
            trainer.optimizer.set_params(**{name: self.value})
        elif name in ("lmbda", "n_train"):
            setattr(trainer.penalty, name, self.value)
        else:
            trainer.penalty.regularizer.set_params(**{name: self.value})
        if self.then == "stop":
            raise StopTraining


class SetsSettingInBatch(SetsSetting):
    """And in ``on_batch_end``, which makes the C engine train batch by batch."""

    def on_batch_end(self, trainer):
        self._act(trainer, "on_batch_end")


def _named(setting):
    """How an error names ``setting`` of :class:`SetsSetting`: as the user reaches it."""
    owner, name = setting.split(".")
    return f"trainer.state[{name!r}]" if owner == "state" else f"trainer.{setting}"


@pytest.mark.parametrize("engine", ["numpy", "c"])
@pytest.mark.parametrize(
    "optimizer, setting, value",
    [
        ("momentum", "optimizer.mu", -3.0),
        ("nesterov", "optimizer.mu", float("nan")),
        ("momentum", "optimizer.mu", True),
        ("adam", "optimizer.beta1", 2),
        ("adam", "optimizer.epsilon", float("inf")),
        ("sgd", "penalty.lmbda", -1.0),
        ("sgd", "penalty.lmbda", float("nan")),
        ("sgd", "penalty.lmbda", float("inf")),
        ("momentum", "penalty.lmbda", "0.1"),
        ("sgd", "state.eta", -1.0),
        ("adam", "state.eta", float("nan")),
        ("sgd", "state.eta0", "0.1"),
        ("momentum", "state.eta0", float("nan")),
        ("adam", "state.eta0", 0),
        ("sgd", "penalty.n_train", 0),
        ("momentum", "penalty.n_train", float("nan")),
        ("sgd", "penalty.n_train", 2.5),
        ("adam", "penalty.n_train", True),
        pytest.param("sgd", "penalty.n_train", 10**400, id="sgd-penalty.n_train-10**400"),
        ("momentum", "penalty.n_train", 2**63),
    ],
)
def test_a_callback_setting_an_invalid_hyper_parameter_is_refused(
    engine, optimizer, setting, value, small_digits, tmp_path
):
    # Nothing checked them: training went on with a momentum of -3 or a negative λ
    # (the fit ended "the learning rate eta=0.5 is probably too large"), a NaN λ
    # "diverged", and a Checkpoint wrote models that load refuses. An n_train of 0 (the
    # n of λ/n) failed with a ZeroDivisionError, an η₀ of "0.1" deep in NumPy at the end,
    # an n of 10**400 with an OverflowError of λ/n; 2**63 counts more rows than an array has.
    X, _, y, _ = small_digits
    path = tmp_path / "net.json"
    callbacks = [SetsSetting(setting, value), Checkpoint(path)]
    eta = 0.01 if optimizer == "adam" else 0.5
    net = NielsenMLPClassifier((3,), epochs=3, optimizer=optimizer, eta=eta, engine=engine)
    net.set_params(random_state=0, callbacks=callbacks)
    message = rf"SetsSetting \(on_epoch_end\) set {re.escape(_named(setting))} to .*: .*must"
    with pytest.raises(CallbackError, match=message):
        net.fit(X[:60], y[:60])
    assert sknielsen.load(path).n_iter_ == 1  # the last file written before it loads


@pytest.mark.parametrize("engine", ["numpy", "c"])
@pytest.mark.parametrize("setting", ["state.eta", "state.eta0"])
def test_a_learning_rate_written_into_the_state_is_kept_as_a_float(
    engine, setting, small_digits, tmp_path
):
    # A np.float32 passed the check, then sknielsen.save failed inside json.
    X, _, y, _ = small_digits
    callbacks = [SetsSetting(setting, np.float32(0.25))]
    net = NielsenMLPClassifier((3,), epochs=3, engine=engine, callbacks=callbacks)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # SetsSetting is not saved
        net.set_params(random_state=0).fit(X[:60], y[:60])
        sknielsen.save(net, tmp_path / "net.json")
    key = setting.split(".")[1]
    kept = sknielsen.load(tmp_path / "net.json")._optimizer_state[key]
    assert type(kept) is float and kept == 0.25


@pytest.mark.parametrize("engine", ["numpy", "c"])
def test_a_callback_setting_an_adam_epsilon_the_dtype_cannot_hold_is_refused(engine, small_digits):
    # fit refused epsilon=1e-50 in float32, where it is 0; set by a callback it made
    # the steps 0/0 = NaN for every weight of zero gradient.
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(
        (3,), epochs=3, optimizer="adam", eta=0.01, dtype="float32", engine=engine
    )
    with pytest.raises(ValueError) as refused_by_fit:
        clone(net).set_params(optimizer__epsilon=1e-50).fit(X[:60], y[:60])
    assert "is 0 in float32" in str(refused_by_fit.value)
    net.set_params(random_state=0, callbacks=[SetsSetting("optimizer.epsilon", 1e-50)])
    message = r"SetsSetting \(on_epoch_end\) set trainer.optimizer.epsilon to 1e-50: "
    with pytest.raises(CallbackError, match=message + re.escape(str(refused_by_fit.value))):
        net.fit(X[:60], y[:60])
    # float64 holds it: training goes on with it.
    net.set_params(dtype="float64").fit(X[:60], y[:60])
    assert net.n_iter_ == 3 and net.optimizer_.epsilon == 1e-50


def test_a_callback_lowering_newtons_max_params_below_the_network_is_refused(
    small_digits, tmp_path
):
    # The optimizer's init was checked on one parameter, which no limit refuses: the
    # fit went on with a 51 × 51 Hessian past a limit of 10, then failed at its end
    # ("Cannot save this model"), and a Checkpoint wrote files that load refuses.
    X, _, y, _ = small_digits
    X = X[:60, ::4]  # 16 pixels: 51 weights and biases
    net = NielsenMLPClassifier((), optimizer="newton", eta=1.0, epochs=3, random_state=0)
    with pytest.raises(ValueError) as refused_by_fit:
        clone(net).set_params(optimizer__max_params=10).fit(X, y[:60])
    path = tmp_path / "net.json"
    net.set_params(callbacks=[SetsSetting("optimizer.max_params", 10), Checkpoint(path)])
    message = r"SetsSetting \(on_epoch_end\) set trainer.optimizer.max_params to 10: "
    with pytest.raises(CallbackError, match=message + re.escape(str(refused_by_fit.value))):
        net.fit(X, y[:60])
    assert sknielsen.load(path).n_iter_ == 1
    # A limit the network fits under trains on, as set.
    net.set_params(callbacks=[SetsSetting("optimizer.max_params", 51)]).fit(X, y[:60])
    assert net.n_iter_ == 3 and net.optimizer_.max_params == 51


@pytest.mark.parametrize("engine", ["numpy", "c"])
@pytest.mark.parametrize(
    "hook, then",
    [
        ("on_train_begin", None),
        ("on_epoch_begin", None),
        ("on_batch_end", None),
        ("on_epoch_end", None),
        ("on_epoch_end", "stop"),
        ("on_batch_end", "stop"),
        ("on_train_end", None),
    ],
)
def test_an_invalid_hyper_parameter_is_refused_in_every_hook(engine, hook, then, small_digits):
    X, _, y, _ = small_digits
    kind = SetsSettingInBatch if hook == "on_batch_end" else SetsSetting
    callback = kind("optimizer.mu", -3.0, hook, then)
    net = NielsenMLPClassifier(
        (3,), epochs=3, optimizer="momentum", engine=engine, callbacks=[callback]
    )
    with pytest.raises(CallbackError, match=rf"SetsSetting\w* \({hook}\) set trainer.optimizer.mu"):
        net.fit(X[:60], y[:60])


class L2WithRatio(L2):
    """L2 with a hyper-parameter of its own, checked by its constraints."""

    _parameter_constraints = {"ratio": [Interval(Real, 0, 1, closed="both")]}

    def __init__(self, ratio=0.5):
        self.ratio = ratio


def test_a_callback_setting_an_invalid_regularizer_hyper_parameter_is_refused(small_digits):
    X, _, y, _ = small_digits
    callbacks = [SetsSetting("penalty.ratio", 2.0)]
    net = NielsenMLPClassifier((3,), epochs=3, regularizer=L2WithRatio(), callbacks=callbacks)
    message = r"SetsSetting \(on_epoch_end\) set trainer.penalty.regularizer.ratio to 2.0: "
    with pytest.raises(CallbackError, match=message):
        net.fit(X[:60], y[:60])
    # Valid settings train on, as set.
    callbacks = [SetsSetting("penalty.ratio", 0.25), SetsSetting("penalty.lmbda", 1.0)]
    net.set_params(callbacks=callbacks).fit(X[:60], y[:60])
    assert net.regularizer_.ratio == 0.25 and net.n_iter_ == 3


class WeightedQuadratic(QuadraticCost):
    """The quadratic cost times a positive ``weight``, a hyper-parameter of its own."""

    _parameter_constraints = {"weight": [Interval(Real, 0, None, closed="neither")]}

    def __init__(self, weight=1.0):
        self.weight = weight

    def fn(self, a, y):
        return self.weight * super().fn(a, y)

    def gradient(self, a, y):
        return self.weight * super().gradient(a, y)


class SteepTanh(Tanh):
    """tanh(slope · z), with a positive ``slope`` of its own."""

    _parameter_constraints = {"slope": [Interval(Real, 0, None, closed="neither")]}

    def __init__(self, slope=1.0):
        self.slope = slope

    def fn(self, z, out=None):
        return np.tanh(self.slope * z, out=out)

    def derivative(self, z, a):
        return self.slope * (1.0 - a * a)


class SetsPluginSetting(Callback):
    """Sets the hyper-parameter ``name`` of the cost or an activation at the second epoch's end."""

    def __init__(self, plugin="cost", name="weight", value=-1.0):
        self.plugin = plugin
        self.name = name
        self.value = value

    def on_epoch_end(self, trainer):
        if trainer.epochs_run == 2:
            activations = trainer.network.activations
            plugin = {"cost": trainer.cost, "hidden": activations[0], "output": activations[-1]}
            plugin[self.plugin].set_params(**{self.name: self.value})


@pytest.mark.parametrize(
    "params, plugin, name, path, fitted",
    [
        ({"cost": WeightedQuadratic()}, "cost", "weight", "cost", "cost_"),
        ({"activation": SteepTanh()}, "hidden", "slope", "network.activations[0]", "activation_"),
        (
            {"output_activation": SteepTanh(), "cost": "quadratic"},
            "output",
            "slope",
            "network.activations[-1]",
            "output_activation_",
        ),
    ],
    ids=["cost", "activation", "output_activation"],
)
def test_a_callback_setting_a_cost_or_activation_hyper_parameter_is_checked(
    params, plugin, name, path, fitted, small_digits
):
    # Only the optimizer's and the regularizer's settings were checked after a hook:
    # a cost's or activation's weight of -1 trained on (the NumPy engine reads them
    # at each step), climbing the cost, and the fitted plugin held a value fit refuses.
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier((3,), epochs=3, eta=0.1, random_state=0, **params)
    net.set_params(callbacks=[SetsPluginSetting(plugin, name, -1.0)])
    message = (
        rf"SetsPluginSetting \(on_epoch_end\) set trainer\.{re.escape(path)}\.{name} to -1.0: "
    )
    with pytest.raises(CallbackError, match=message):
        net.fit(X[:60], y[:60])
    # A valid change trains on, and the fitted plugin holds it.
    net.set_params(callbacks=[SetsPluginSetting(plugin, name, 0.5)]).fit(X[:60], y[:60])
    assert net.n_iter_ == 3 and getattr(getattr(net, fitted), name) == 0.5


class L2WithScales(L2):
    """L2 with a list hyper-parameter, whose items its ``validate`` keeps in [0, 1]."""

    _parameter_constraints = {"scales": [list]}

    def __init__(self, scales=None):
        self.scales = scales

    def validate(self, path="", owner=None):
        super().validate(path, owner)
        if not all(0 <= scale <= 1 for scale in self.scales):
            raise InvalidParameterError(f"The {path}scales must lie in [0, 1].")


class StepsWithArray(Optimizer):
    """Plain SGD with an array hyper-parameter, whose items its ``validate`` keeps > 0."""

    _parameter_constraints = {"scale": [np.ndarray]}

    def __init__(self, scale=None):
        self.scale = scale

    def validate(self, path="", owner=None):
        super().validate(path, owner)
        if not (self.scale > 0).all():
            raise InvalidParameterError(f"The {path}scale must be > 0.")

    def update(self, grads, state, params):
        grads *= -state["eta"] * self.scale[0]
        return grads, state


class Wrapping(Optimizer):
    """Steps as the momentum it wraps: a plugin as a hyper-parameter."""

    _parameter_constraints = {"inner": [Momentum]}

    def __init__(self, inner=None):
        self.inner = inner

    def init(self, params):
        return self.inner.init(params)

    def update(self, grads, state, params):
        return self.inner.update(grads, state, params)


class ChangesInPlace(Callback):
    """Writes ``value`` into the item ``key`` of a setting (a list, array or plugin) in place.

    At the second epoch's end; ``setting`` is the path of the setting on the trainer.
    """

    def __init__(self, setting="penalty.regularizer.scales", key=0, value=2.0):
        self.setting = setting
        self.key = key
        self.value = value

    def on_epoch_end(self, trainer):
        if trainer.epochs_run == 2:
            container = operator.attrgetter(self.setting)(trainer)
            if isinstance(self.key, str):
                setattr(container, self.key, self.value)
            else:
                container[self.key] = self.value


@pytest.mark.parametrize(
    "plugin, setting, key, bad, good",
    [
        ({"regularizer": L2WithScales([0.5])}, "penalty.regularizer.scales", 0, 2.0, 0.25),
        ({"optimizer": StepsWithArray(np.ones(2))}, "optimizer.scale", 1, -1.0, 0.5),
        ({"optimizer": Wrapping(Momentum())}, "optimizer.inner", "mu", -3.0, 0.5),
    ],
    ids=["list", "array", "plugin"],
)
def test_a_callback_changing_a_setting_in_place_is_checked(
    plugin, setting, key, bad, good, small_digits
):
    # Only a setting replaced by another object was checked: an item changed in a
    # plugin's list or array, or a hyper-parameter of a plugin held by another, went
    # unseen, and training went on with a value fit refuses.
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier((3,), epochs=3, random_state=0, **plugin)
    net.set_params(callbacks=[ChangesInPlace(setting, key, bad)])
    message = rf"ChangesInPlace \(on_epoch_end\) set trainer.{re.escape(setting)} to .*: "
    with pytest.raises(CallbackError, match=message):
        net.fit(X[:60], y[:60])
    # A valid change trains on, and the fitted plugin holds it.
    net.set_params(callbacks=[ChangesInPlace(setting, key, good)]).fit(X[:60], y[:60])
    owner, name = setting.split(".")[-2:]
    container = getattr(net.regularizer_ if owner == "regularizer" else net.optimizer_, name)
    kept = getattr(container, key) if isinstance(key, str) else container[key]
    assert net.n_iter_ == 3 and kept == good


def test_the_contents_of_a_setting_see_changes_in_place_and_end_on_a_list_holding_itself():
    from sknielsen.training._loop import _contents, _unchanged

    items = [1, {"scale": np.ones(2)}]
    items.append(items)
    checked = _contents(items)  # returns: the list inside itself is taken as the object
    assert _unchanged(_contents(items), checked)
    items[1]["scale"][0] = 2.0
    assert not _unchanged(_contents(items), checked)
    items[1]["scale"][0] = 1.0
    items[0] = True  # equal to 1, and refused where 1 is not: checked again
    assert not _unchanged(_contents(items), checked)


def test_newton_follows_the_halving_schedule(small_digits):
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(
        (2,),
        optimizer="newton",
        schedule="halve_on_plateau",
        early_stopping=1,
        epochs=8,
        random_state=0,
        callbacks=[Recorder()],
    )
    net.fit(X[:60], y[:60])
    etas = net.callbacks_[-1].etas
    assert min(etas) < 0.5 and net.eta_ == etas[-1] and sorted(etas, reverse=True) == etas


def test_the_schedule_eta_is_saved_and_continued(small_digits, tmp_path):
    X, X_val, y, y_val = small_digits
    net = NielsenMLPClassifier(
        optimizer="momentum",
        schedule="halve_on_plateau",
        early_stopping=1,
        epochs=6,
        random_state=0,
    )
    net.fit(X, y, X_val=X_val, y_val=y_val)
    assert net.eta_ < 0.5
    sknielsen.save(net, tmp_path / "net.json")
    loaded = sknielsen.load(tmp_path / "net.json")
    assert loaded.eta_ == net.eta_
    for model in (net, loaded):
        model.set_params(callbacks=[Recorder()])
        model.partial_fit(X, y)
        assert model.callbacks_[-1].etas[0] <= net.eta_
    warm = clone(net).set_params(warm_start=True, schedule="constant", callbacks=[Recorder()])
    warm.fit(X, y)
    warm.fit(X, y)  # continues from its own state
    assert warm.callbacks_[-1].etas[0] == warm.eta_


def test_a_new_eta_parameter_takes_over_on_continuing(small_digits):
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(epochs=1, random_state=0, warm_start=True).fit(X, y)
    net.set_params(eta=0.1).fit(X, y)
    assert net.eta_ == 0.1


class SetsInFirstRun(Callback):
    """Before the model's first step: μ, λ and η, as a schedule of one's own might."""

    def on_train_begin(self, trainer):
        if trainer.epoch == 0:
            trainer.optimizer.set_params(mu=0.5)
            trainer.penalty.lmbda = 2.0
            trainer.eta = 0.05


class SeesSettings(Callback):
    def on_train_begin(self, trainer):
        self.seen = trainer.optimizer.mu, trainer.penalty.lmbda, trainer.eta


@pytest.mark.parametrize("engine", ["numpy", "c"])
@pytest.mark.parametrize("continuation", ["partial_fit", "warm_start"])
def test_a_callbacks_settings_last_its_run_and_the_eta_it_set_carries(
    continuation, engine, small_digits
):
    # The rule of docs/callbacks.md, "Continuing training": each call trains with the
    # settings get_params shows (mu, lmbda); eta_, like the weights, is state.
    X, _, y, _ = small_digits
    X, y = X[:60], y[:60]
    common = {"hidden_layer_sizes": (3,), "epochs": 1, "random_state": 0, "engine": engine}
    common["warm_start"] = continuation == "warm_start"

    def train(net, first):
        if continuation == "warm_start":
            return net.fit(X, y)
        return net.partial_fit(X, y, classes=np.unique(y)) if first else net.partial_fit(X, y)

    net = NielsenMLPClassifier(optimizer="momentum", eta=0.1, **common)
    train(net.set_params(callbacks=[SetsInFirstRun(), SeesSettings()]), first=True)
    assert (net.optimizer_.mu, net.eta_) == (0.5, 0.05)  # what the run ended with
    train(net, first=False)
    seen = next(c for c in net.callbacks_ if isinstance(c, SeesSettings)).seen
    assert seen == (0.9, 0.0, 0.05) and net.get_params()["lmbda"] == 0.0
    assert (net.optimizer_.mu, net.eta_) == (0.9, 0.05)
    # The same two runs with the callback's settings as parameters, then the defaults.
    reference = NielsenMLPClassifier(optimizer=Momentum(mu=0.5), eta=0.05, lmbda=2.0, **common)
    train(reference, first=True)
    train(reference.set_params(optimizer__mu=0.9, lmbda=0.0), first=False)
    for ours, theirs in zip(net.coefs_ + net.intercepts_, reference.coefs_ + reference.intercepts_):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_save_load_partial_fit_is_bit_identical(optimizer, small_digits, tmp_path):
    X, _, y, _ = small_digits
    eta = 0.005 if optimizer == "adam" else 0.05  # Adam's steps are about eta each
    net = NielsenMLPClassifier(
        optimizer=optimizer, eta=eta, dropout=0.2, epochs=3, random_state=0
    ).fit(X, y)
    sknielsen.save(net, tmp_path / "net.json")
    loaded = sknielsen.load(tmp_path / "net.json")
    net.partial_fit(X, y)
    loaded.partial_fit(X, y)
    for ours, theirs in zip(net.coefs_ + net.intercepts_, loaded.coefs_ + loaded.intercepts_):
        np.testing.assert_array_equal(ours, theirs)
    assert loaded.history_ == net.history_ and loaded.t_ == net.t_ == 4 * len(X)


def test_regressor_state_round_trips_bit_identically(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    y = X @ [1.0, -2.0, 0.5]
    net = NielsenMLPRegressor(epochs=2, random_state=0).fit(X, y)
    sknielsen.save(net, tmp_path / "r.json")
    loaded = sknielsen.load(tmp_path / "r.json")
    net.partial_fit(X, y)
    loaded.partial_fit(X, y)
    np.testing.assert_array_equal(net.coefs_[0], loaded.coefs_[0])


def test_interrupt_with_early_stopping_tells_which_weights_are_kept(small_digits):
    X, X_val, y, y_val = small_digits
    # The C engine's per-mini-batch calls (under InterruptAt) agree with its whole epochs
    # only to rounding; the weights are compared bit for bit, on NumPy.
    params = {"epochs": 40, "eta": 3.0, "random_state": 0, "engine": "numpy"}
    net = NielsenMLPClassifier(early_stopping=20, callbacks=[InterruptAt(12)], **params)
    with pytest.warns(UserWarning, match="interrupted") as record:
        net.fit(X, y, X_val=X_val, y_val=y_val)
    best = net.best_epoch_
    assert net.n_iter_ == 11 and best < 11
    assert f"holds the weights after epoch {best}, the best one kept" in str(record[0].message)
    reference = NielsenMLPClassifier(early_stopping=20, **{**params, "epochs": best})
    reference.fit(X, y, X_val=X_val, y_val=y_val)
    np.testing.assert_array_equal(net.coefs_[0], reference.coefs_[0])


def test_divergence_warning_tells_which_weights_are_kept(small_digits):
    X, X_val, y, y_val = small_digits

    class Explode(Callback):
        def on_batch_end(self, trainer):
            if trainer.epochs_run == 3:
                trainer.network.params[0] = np.inf

    net = NielsenMLPClassifier(epochs=10, random_state=0, callbacks=[Explode()])
    with pytest.warns(ConvergenceWarning, match="diverged in epoch 4.*after epoch 3"):
        net.fit(X, y, X_val=X_val, y_val=y_val)
    assert net.n_iter_ == 3 and np.isfinite(net.coefs_[0]).all()


@pytest.mark.parametrize(
    "shorthand", [{"early_stopping": 2}, {"schedule": "halve_on_plateau"}, {"early_stopping": True}]
)
def test_partial_fit_works_with_the_shorthands(shorthand, small_digits, tmp_path):
    X, X_val, y, y_val = small_digits
    net = NielsenMLPClassifier(random_state=0, **shorthand)
    for _ in range(4):
        net.partial_fit(X, y, classes=[0, 1, 2])
    net.partial_fit(X, y, X_val=X_val, y_val=y_val)
    assert net.n_iter_ == 5 and len(net.loss_curve_) == 5
    sknielsen.save(net, tmp_path / "net.json")
    sknielsen.load(tmp_path / "net.json").partial_fit(X, y)


@pytest.mark.parametrize(
    "watcher",
    [
        EarlyStopping(patience=1),
        HalveOnPlateau(patience=1),
        Checkpoint("best.json", best_only=True),
    ],
)
def test_a_value_of_an_earlier_fit_is_not_read_as_this_epochs(watcher, small_digits, tmp_path):
    """A partial_fit without X_val after a fit with it has no validation value to judge.

    The history still holds the fit's validation accuracies: its last one was
    read as each new epoch's, so the counters ran (and η halved) on a stale
    number.
    """
    X, X_val, y, y_val = small_digits
    if isinstance(watcher, Checkpoint):
        watcher.set_params(path=tmp_path / "best.json")
    net = NielsenMLPClassifier(epochs=2, random_state=0, callbacks=[watcher])
    net.fit(X, y, X_val=X_val, y_val=y_val)
    coefs, n_iter = net.coefs_[0].copy(), net.n_iter_
    with pytest.raises(ValueError, match="Nothing was recorded under 'validation_accuracy' in"):
        net.partial_fit(X, y)
    assert net.n_iter_ == n_iter and np.array_equal(net.coefs_[0], coefs)


@pytest.mark.parametrize("shorthand", [{"early_stopping": 2}, {"schedule": "halve_on_plateau"}])
def test_the_shorthands_watch_the_loss_once_validation_data_is_gone(shorthand, small_digits):
    X, X_val, y, y_val = small_digits
    net = NielsenMLPClassifier(random_state=0, **shorthand)
    net.partial_fit(X, y, classes=[0, 1, 2], X_val=X_val, y_val=y_val)
    assert net.callbacks_[0].monitor == "validation_accuracy"
    net.partial_fit(X, y)
    assert net.callbacks_[0].monitor == "loss" and net.n_iter_ == 2


def test_changing_the_optimizer_between_partial_fits_warns_and_starts_fresh(small_digits):
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(optimizer="momentum", random_state=0)
    net.partial_fit(X, y, classes=[0, 1, 2])
    with pytest.warns(UserWarning, match="optimizer changed from 'momentum' to 'adam'"):
        net.set_params(optimizer="adam", eta=0.01).partial_fit(X, y)
    assert set(net._optimizer_state) == {"eta", "eta0", "m", "v", "step"}
    assert net.n_iter_ == 2


def test_early_stopping_true_follows_scikit_learn(small_digits):
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(
        early_stopping=True, n_iter_no_change=2, epochs=300, eta=3.0, random_state=0
    ).fit(X, y)
    scores = net.validation_scores_
    assert net.n_iter_ < 300 and len(scores) == net.n_iter_
    assert len(scores) - net.best_epoch_ == 2  # stopped two epochs after the best
    assert isinstance(net.callbacks_[0], EarlyStopping) and net.callbacks_[0].patience == 2
    off = NielsenMLPClassifier(early_stopping=False, epochs=3, random_state=0).fit(X, y)
    assert off.n_iter_ == 3 and off.validation_scores_ is None and off.callbacks_ == []


def test_numpy_booleans_of_early_stopping_act_as_pythons(small_digits):
    """A search over np.array([False, True]) hands the estimator NumPy's booleans.

    np.False_ is not False: it turned early stopping on, and np.True_ set a
    patience of 1 in place of n_iter_no_change.
    """
    X, _, y, _ = small_digits
    off, on = (
        NielsenMLPClassifier(epochs=3, n_iter_no_change=2, random_state=0, **params).fit(X, y)
        for params in ParameterGrid({"early_stopping": np.array([False, True])})
    )
    assert off.callbacks_ == [] and off.validation_scores_ is None
    assert isinstance(on.callbacks_[0], EarlyStopping) and on.callbacks_[0].patience == 2


def test_fitted_attributes_are_always_filled(small_digits):
    X, X_val, y, y_val = small_digits
    for net in (
        NielsenMLPClassifier(epochs=3, random_state=0),
        NielsenMLPClassifier(optimizer="lbfgs", epochs=3, random_state=0),
    ):
        net.fit(X, y)
        assert len(net.loss_curve_) == 3 and net.best_loss_ == min(net.loss_curve_)
        assert net.t_ == 3 * len(X) and net.n_layers_ == 3 and net.n_outputs_ == 3
        assert net.out_activation_ == "sigmoid" and net.eta_ == 0.5
        assert net.validation_scores_ is None and net.best_epoch_ >= 1
        assert net.history_["loss"] == net.loss_curve_
    net.fit(X, y, X_val=X_val, y_val=y_val)
    assert net.best_validation_score_ == max(net.validation_scores_)


@pytest.mark.parametrize(
    "stopping",
    [
        EarlyStopping(monitor="validation_cost", patience=3),
        EarlyStopping(patience=4, min_delta=0.02),
        EarlyStopping(monitor="loss", patience=2),
    ],
    ids=["validation_cost", "min_delta", "loss"],
)
def test_best_epoch_is_the_watched_quantity_and_the_weights_kept(stopping, small_digits, tmp_path):
    """best_epoch_ names the epoch early stopping kept; the score is the kept model's."""
    X, X_val, y, y_val = small_digits
    net = NielsenMLPClassifier(epochs=25, eta=4.0, random_state=0, callbacks=[stopping])
    net.fit(X, y, X_val=X_val, y_val=y_val)
    watched = np.array(net.history_[stopping.monitor])
    sign = -1 if stopping.monitor.endswith(("cost", "loss")) else 1
    best, expected = -np.inf, None
    for epoch, value in enumerate(sign * watched, start=1):
        if value > best + stopping.min_delta:
            best, expected = value, epoch
    assert net.best_epoch_ == expected
    assert net.best_validation_score_ == net.validation_scores_[expected - 1]
    assert net.best_validation_score_ == net.score(X_val, y_val)  # the weights held
    sknielsen.save(net, tmp_path / "net.json")
    loaded = sknielsen.load(tmp_path / "net.json")
    assert (loaded.best_epoch_, loaded.best_validation_score_) == (
        net.best_epoch_,
        net.best_validation_score_,
    )


def test_loss_curve_is_the_mean_cost_of_the_forward_passes(small_digits):
    """One full batch without shuffling: the epoch's loss is the cost at the start weights."""
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(
        epochs=1, mini_batch_size=len(X), shuffle=False, lmbda=0.0, warm_start=True, random_state=0
    ).fit(X, y)
    Y = np.eye(3)[y]
    output = sknielsen.engine._network.feedforward(
        X, net.coefs_, net.intercepts_, [net.activation_, net.output_activation_]
    )
    expected = np.mean(net.cost_.fn(output, Y))
    net.fit(X, y)
    assert net.loss_curve_[-1] == pytest.approx(expected, rel=1e-12)


def test_callbacks_are_parameters_cloned_with_the_estimator(small_digits):
    X, _, y, _ = small_digits
    stopping = EarlyStopping(monitor="loss", patience=2)
    net = NielsenMLPClassifier(epochs=2, callbacks=[stopping])
    assert net.get_params()["callbacks"] == [stopping]
    copy = clone(net)
    assert copy.callbacks[0] is not stopping and copy.callbacks[0] == stopping
    net.set_params(callbacks=[EarlyStopping(patience=5)])
    net.fit(X, y)
    assert net.callbacks_[0] is not net.callbacks[0] and not hasattr(net.callbacks[0], "_tracker")
    assert "EarlyStopping(" in repr(net)


def test_callbacks_are_set_and_searched_by_name(small_digits):
    """skorch's names: given with the callback, else the class's, numbered when shared."""
    from sklearn.model_selection import GridSearchCV

    X, _, y, _ = small_digits
    stop = EarlyStopping("loss", patience=5)
    net = NielsenMLPClassifier(
        epochs=6, random_state=0, callbacks=[("stop", stop), StepDecay(), StepDecay()]
    )
    params = net.get_params()
    assert params["callbacks__stop"] is stop and params["callbacks__stop__patience"] == 5
    assert params["callbacks__StepDecay_2__gamma"] == 0.5
    net.set_params(callbacks__stop__patience=2, callbacks__StepDecay_2__gamma=0.1)
    assert stop.patience == 2 and net.callbacks[2].gamma == 0.1  # in place, like a pipeline
    given = net.callbacks
    net.set_params(callbacks__stop=EarlyStopping("loss", patience=3))
    assert net.callbacks[0][0] == "stop" and net.callbacks[0][1].patience == 3
    assert given[0][1] is stop  # the list the user gave is not changed
    search = GridSearchCV(net, {"callbacks__stop__patience": [1, 4]}, cv=2).fit(X, y)
    assert search.best_estimator_.get_params()["callbacks__stop__patience"] in (1, 4)
    assert clone(net).get_params()["callbacks__stop__patience"] == 3
    unnamed = NielsenMLPClassifier(callbacks=[EarlyStopping()])
    unnamed.set_params(callbacks__EarlyStopping__patience=7)
    assert unnamed.callbacks[0].patience == 7
    # Replaced by another class, an unnamed callback was renamed after it (StepDecay_1),
    # and so was the StepDecay beside it (StepDecay_2): both keep their names.
    both = NielsenMLPClassifier(callbacks=[EarlyStopping(), StepDecay()])
    both.set_params(callbacks__EarlyStopping=StepDecay(step_size=3))
    names = [key for key in both.get_params() if key.count("__") == 1]
    assert names == ["callbacks__EarlyStopping", "callbacks__StepDecay"]
    assert both.get_params()["callbacks__EarlyStopping__step_size"] == 3


def test_callback_names_that_cannot_be_used_are_refused(small_digits):
    X, _, y, _ = small_digits
    with pytest.raises(ValueError, match=r"by name, not position: callbacks__EarlyStopping__pat"):
        NielsenMLPClassifier(callbacks=[EarlyStopping()]).set_params(callbacks__0__patience=5)
    with pytest.raises(ValueError, match=r"no callback named 'stop'.*Name one yourself"):
        NielsenMLPClassifier(callbacks=[StepDecay()]).set_params(callbacks__stop__gamma=0.1)
    for callbacks in ([("a", StepDecay()), ("a", StepDecay())], [("a__b", StepDecay())]):
        with pytest.raises(ValueError, match="distinct names without '__'"):
            NielsenMLPClassifier(epochs=1, callbacks=callbacks).fit(X, y)


def test_named_callbacks_train_and_checkpoint(small_digits, tmp_path):
    X, X_val, y, y_val = small_digits
    callbacks = [("stop", EarlyStopping(patience=2)), ("save", Checkpoint(tmp_path / "m.json"))]
    net = NielsenMLPClassifier(epochs=30, eta=3.0, random_state=0, callbacks=callbacks)
    net.fit(X, y, X_val=X_val, y_val=y_val)
    checkpoint = sknielsen.load(tmp_path / "m.json")
    assert checkpoint.n_iter_ == net.n_iter_
    assert checkpoint.callbacks == [("stop", EarlyStopping(patience=2))]  # the name kept


def test_a_model_with_named_callbacks_saves(small_digits, tmp_path):
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(epochs=1, callbacks=[("decay", StepDecay())]).fit(X, y)
    sknielsen.save(net, tmp_path / "net.json")
    assert sknielsen.load(tmp_path / "net.json").callbacks == [("decay", StepDecay())]


def test_named_and_unnamed_callbacks_save_in_order_and_bad_pairs_are_refused(
    small_digits, tmp_path
):
    X, _, y, _ = small_digits
    callbacks = [
        ("decay", StepDecay(step_size=2)),
        EarlyStopping(patience=3),
        ("log", CSVLogger(tmp_path / "log.csv")),
    ]
    net = NielsenMLPClassifier(epochs=1, callbacks=callbacks).fit(X, y)
    path = tmp_path / "net.json"
    with pytest.warns(UserWarning, match=r"The callbacks \['log'\] are not saved"):
        sknielsen.save(net, path)
    document = json.loads(path.read_text())
    assert document["params"]["callbacks"][0] == [
        "decay",
        {"callback": "StepDecay", "params": {"gamma": 0.5, "step_size": 2}},
    ]
    loaded = sknielsen.load(path)
    assert loaded.callbacks == [("decay", StepDecay(step_size=2)), EarlyStopping(patience=3)]
    assert loaded.get_params()["callbacks__decay__step_size"] == 2
    pair = document["params"]["callbacks"][0]
    for bad, match in [
        ([*pair, 1], r"params.callbacks\[0\] must be a \[name, callback document\] pair"),
        ([1, pair[1]], r"must be a \[name, callback document\] pair"),
        (["decay", {"callback": "Checkpoint", "params": {}}], r"callbacks\[0\]\[1\].*unknown"),
        (["a__b", pair[1]], "distinct names without '__'"),
    ]:
        document["params"]["callbacks"][0] = bad
        path.write_text(json.dumps(document))
        with pytest.raises(sknielsen.persistence.ModelFileError, match=match):
            sknielsen.load(path)


def test_early_stopping_on_any_history_key(small_digits):
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(
        epochs=200, eta=50.0, random_state=0, callbacks=[EarlyStopping(monitor="loss", patience=3)]
    )
    with pytest.warns(ConvergenceWarning, match="eta=50 is probably too large"):
        net.fit(X, y)  # the loss rises, so that early stopping on it ends training
    assert net.n_iter_ < 200
    with pytest.raises(ValueError, match="Nothing was recorded under 'validation_cost'"):
        NielsenMLPClassifier(callbacks=[EarlyStopping("validation_cost")]).partial_fit(
            X, y, classes=[0, 1, 2]
        )


def test_monitored_validation_key_gets_a_held_out_split(small_digits):
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(
        epochs=5, random_state=0, callbacks=[EarlyStopping("validation_cost", patience=2)]
    )
    net.fit(X, y)
    assert len(net.history_["validation_cost"]) == net.n_iter_
    assert net.history_["training_cost"] == [] and len(net.validation_scores_) == net.n_iter_


def test_every_callback_sees_the_epoch_that_stopped_training(small_digits, tmp_path):
    """Early stopping takes effect once every callback has seen the epoch, in any order."""
    X, X_val, y, y_val = small_digits
    for stop_first in (True, False):
        folder = tmp_path / str(stop_first)
        folder.mkdir()
        stop = EarlyStopping(patience=2)
        others = [CSVLogger(folder / "log.csv"), Checkpoint(folder / "e{epoch}.json"), Recorder()]
        callbacks = [stop, *others] if stop_first else [*others, stop]
        net = NielsenMLPClassifier(epochs=30, eta=3.0, random_state=0, callbacks=callbacks)
        net.fit(X, y, X_val=X_val, y_val=y_val)
        epochs = list(range(1, net.n_iter_ + 1))
        assert net.n_iter_ < 30
        rows = list(csv.DictReader((folder / "log.csv").read_text().splitlines()))
        assert [int(row["epoch"]) for row in rows] == epochs
        assert sorted(int(p.stem[1:]) for p in folder.glob("e*.json")) == epochs
        recorder = net.callbacks_[3 if stop_first else 2]
        assert recorder.epochs == epochs
    # The shorthand runs first, and still every callback sees the last epoch.
    log = tmp_path / "shorthand.csv"
    net = NielsenMLPClassifier(epochs=30, eta=3.0, early_stopping=2, random_state=0)
    net.set_params(callbacks=[CSVLogger(log)]).fit(X, y, X_val=X_val, y_val=y_val)
    assert net.n_iter_ < 30 and len(log.read_text().splitlines()) == 1 + net.n_iter_


class StopsIn(Callback):
    """Ends training with StopTraining in the given hook, the first time it runs."""

    def __init__(self, hook="on_epoch_end"):
        self.hook = hook

    def _stop_in(self, hook):
        if hook == self.hook:
            raise StopTraining

    def on_train_begin(self, trainer):
        self._stop_in("on_train_begin")

    def on_epoch_begin(self, trainer):
        self._stop_in("on_epoch_begin")

    def on_epoch_end(self, trainer):
        self._stop_in("on_epoch_end")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "stopper",
    [
        StopsIn("on_train_begin"),
        StopsIn("on_epoch_begin"),
        StopsIn("on_epoch_end"),
        EarlyStopping("loss", patience=1, min_delta=1e9),  # stops after the second epoch
    ],
    ids=["on_train_begin", "on_epoch_begin", "on_epoch_end", "EarlyStopping"],
)
def test_a_fit_stopped_early_frees_its_data_when_it_returns(stopper, engine, small_digits):
    """No reference cycle keeps the training set alive after a StopTraining.

    The exception's traceback held the frames of the fit, one of which held
    the exception: the training set, its split copies and the trainer stayed
    in memory until Python's next full garbage collection, several fits'
    worth in a loop of fits with early stopping.
    """
    X_train, _, y, _ = small_digits
    X = X_train.copy()
    watched = weakref.ref(X)
    net = NielsenMLPClassifier(epochs=4, engine=engine, random_state=0, callbacks=[stopper])
    gc.disable()  # only reference counting frees, as it does between two collections
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "stopped training in ..."
            net.fit(X, y)
        assert net.n_iter_ < 4
        del X
        assert watched() is None, "the training set outlived the fit"
    finally:
        gc.enable()


class CallsBack(Callback):
    """Calls ``fn`` at each epoch's end, a hook set on the instance (as Keras's LambdaCallback)."""

    def __init__(self, fn=None):
        self.fn = fn
        if fn is not None:
            self.on_epoch_end = fn


def test_a_hook_set_on_the_instance_is_called(small_digits):
    # The loop skips the hooks a callback leaves as Callback's; it looked at the
    # class only, and a hook set in __init__ (kept by the fit's clone) never ran.
    X, _, y, _ = small_digits
    seen = []
    NielsenMLPClassifier(
        epochs=3, random_state=0, callbacks=[CallsBack(lambda trainer: seen.append(trainer.epoch))]
    ).fit(X, y)
    assert seen == [1, 2, 3]


class BatchCallsBack(Callback):
    """Calls ``fn`` after each mini-batch, a hook set on the instance."""

    def __init__(self, fn=None):
        self.fn = fn
        if fn is not None:
            self.on_batch_end = fn


@pytest.mark.parametrize("engine", ["numpy", pytest.param("c", marks=needs_c)])
def test_a_batch_hook_set_on_the_instance_is_called_after_each_mini_batch(engine, small_digits):
    # Only the epoch hooks looked at the instance: an on_batch_end set there never ran.
    X, _, y, _ = small_digits
    seen = []
    callback = BatchCallsBack(lambda trainer: seen.append(trainer.samples_in_epoch))
    net = NielsenMLPClassifier(epochs=1, mini_batch_size=50, engine=engine, callbacks=[callback])
    net.fit(X, y)
    assert seen == [min(stop, len(X)) for stop in range(50, len(X) + 50, 50)]


class BarCallsBack(ProgressBar):
    """A ProgressBar whose ``on_batch_end`` is set on the instance: ``fn``, not the bar's."""

    def __init__(self, fn=None, stream=None, width=30, leave=True, score="accuracy"):
        super().__init__(stream=stream, width=width, leave=leave, score=score)
        self.fn = fn
        if fn is not None:
            self.on_batch_end = fn


def test_a_batch_hook_set_on_a_progress_bar_instance_is_checked(small_digits):
    # The bar's own hook only reads the trainer and is spared the checks; the class
    # decided that, so a hook of one's own set on such an instance went unchecked.
    X, _, y, _ = small_digits
    callback = BarCallsBack(lambda trainer: trainer.history["loss"].append(0.0))
    net = NielsenMLPClassifier(epochs=1, mini_batch_size=50, callbacks=[callback])
    with pytest.raises(CallbackError, match="recorded a value under 'loss'"):
        net.fit(X, y)


def test_schedules_by_formula(small_digits):
    X, _, y, _ = small_digits
    expected = {
        StepDecay(step_size=2, gamma=0.5): [0.5, 0.5, 0.25, 0.25, 0.125],
        ExponentialDecay(gamma=0.9): [0.5 * 0.9**k for k in range(5)],
        InverseScaling(power_t=0.5): [0.5 / (k * len(X) + 1) ** 0.5 for k in range(5)],
    }
    for schedule, etas in expected.items():
        net = NielsenMLPClassifier(epochs=5, random_state=0, callbacks=[schedule, Recorder()])
        net.fit(X, y)
        np.testing.assert_allclose(net.callbacks_[1].etas, etas, rtol=1e-12)


def test_halve_on_plateau_counts_from_the_initial_eta():
    class Scripted:
        def __init__(self):
            self.history = {"validation_accuracy": []}
            self.eta = self.initial_eta = 0.8

        @property
        def epoch(self):  # one an accuracy
            return len(self.history["validation_accuracy"])

        def recorded_keys(self):  # every epoch records the accuracy
            return ["validation_accuracy"]

    trainer, callback = Scripted(), HalveOnPlateau(patience=1)
    callback.on_train_begin(trainer)
    with pytest.raises(StopTraining):
        for _ in range(20):
            trainer.history["validation_accuracy"].append(0.5)
            callback.on_epoch_end(trainer)
    assert trainer.eta == pytest.approx(0.8 / 128)


@pytest.mark.parametrize("continuation", ["partial_fit", "warm_start"])
def test_halve_on_plateau_keeps_eta_at_its_end_when_training_continues(continuation, small_digits):
    # The schedule stops training once eta is down to eta0 * min_fraction, but a
    # partial_fit or a warm_start fit trains on: each plateau halved eta again, to
    # eta0 / 2**20 after 25 calls of partial_fit, freezing the model without a word.
    X, _, y, _ = small_digits
    # Larger is better for the falling loss: every epoch after the first is a plateau.
    schedule = HalveOnPlateau(monitor="loss", mode="max", patience=1, min_fraction=1 / 8)
    net = NielsenMLPClassifier(epochs=8, eta=0.4, random_state=0, callbacks=[schedule])
    for _ in range(3):
        if continuation == "partial_fit":
            for _ in range(8):
                net.partial_fit(X, y, classes=[0, 1, 2])
        else:
            net.set_params(warm_start=True).fit(X, y)
        assert net.eta_ == 0.4 / 8


def test_a_checkpoint_saving_every_epoch_leaves_the_training_set_whole(small_digits, tmp_path):
    # Its monitor, read by best_only alone, used to hold a validation split out.
    X, _, y, _ = small_digits
    plain = NielsenMLPClassifier(epochs=2, random_state=0).fit(X, y)
    saving = NielsenMLPClassifier(epochs=2, random_state=0)
    saving.set_params(callbacks=[Checkpoint(tmp_path / "e{epoch}.json")]).fit(X, y)
    np.testing.assert_array_equal(saving.coefs_[0], plain.coefs_[0])
    assert saving.history_ == plain.history_
    best = Checkpoint(tmp_path / "best.json", best_only=True)
    assert best.watched() == "validation_accuracy" and not Checkpoint("x").watched()
    held_out = NielsenMLPClassifier(epochs=2, random_state=0, callbacks=[best]).fit(X, y)
    assert len(held_out.history_["validation_accuracy"]) == 2


@pytest.mark.parametrize("writer", ["checkpoint", "csv", "csv of a path-like object"])
def test_a_write_failing_mid_run_is_a_warning_and_training_goes_on(
    writer, small_digits, tmp_path, monkeypatch
):
    # A full disk at the second write used to end the fit and lose its weights.
    import sknielsen._core.files as files

    X, _, y, _ = small_digits
    fsync, writes = files.os.fsync, []

    def disk_full_at_the_second_write(descriptor):
        if stat.S_ISDIR(os.fstat(descriptor).st_mode):  # the folder's, after a rename
            return fsync(descriptor)
        writes.append(descriptor)
        if len(writes) == 2:
            raise OSError(28, "No space left on device")
        return fsync(descriptor)

    monkeypatch.setattr(files.os, "fsync", disk_full_at_the_second_write)
    if writer == "checkpoint":
        callback, name = Checkpoint(tmp_path / "epoch{epoch}.json"), "epoch2.json"
    elif writer == "csv":
        callback, name = CSVLogger(tmp_path / "log.csv"), "log.csv"
    else:  # named by its file, not by the object's repr ("<BytesPath object at 0x...>")
        callback, name = CSVLogger(BytesPath(tmp_path / "log.csv")), "log.csv"
    net = NielsenMLPClassifier(epochs=3, random_state=0, callbacks=[callback])
    with pytest.warns(
        UserWarning, match=rf"could not write .*{name} after epoch 2 .*No space"
    ) as said:
        net.fit(X, y)
    assert str(said[0].message).count(name) == 1  # the error named it again, in its own words
    assert net.n_iter_ == 3  # the fit ran to its end and keeps its weights
    reference = NielsenMLPClassifier(epochs=3, random_state=0).fit(X, y)
    np.testing.assert_array_equal(net.coefs_[0], reference.coefs_[0])
    files_left = sorted(p.name for p in tmp_path.iterdir())
    if writer == "checkpoint":
        assert files_left == ["epoch1.json", "epoch3.json"]  # no temporary left
        assert sknielsen.load(tmp_path / "epoch3.json").n_iter_ == 3
    else:
        assert files_left == ["log.csv"]
        rows = csv.DictReader(io.StringIO((tmp_path / "log.csv").read_text()))
        assert [row["epoch"] for row in rows] == ["1", "2", "3"]


class OverflowsVelocity(Callback):
    """Writes infinity into the optimizer's velocity at the end of every epoch."""

    def on_epoch_end(self, trainer):
        trainer.state["velocity"][...] = np.inf


@pytest.mark.parametrize(
    "unsavable, said",
    [
        (lambda: Records(value=float("nan")), r"Records \(on_epoch_end\) recorded nan under"),
        (
            OverflowsVelocity,
            r"OverflowsVelocity \(on_epoch_end\) left NaN or infinite values in the "
            "optimizer's state 'velocity'",
        ),
    ],
    ids=["history", "optimizer_state"],
)
def test_a_checkpoint_of_a_model_no_file_can_hold_names_its_file(
    unsavable, said, small_digits, tmp_path
):
    # A callback that left a value no model file holds made the Checkpoint's write end
    # the fit with "Cannot save this model: ...", naming neither the Checkpoint nor
    # the file. A history's or an optimizer state's is refused where it is written,
    # before the Checkpoint writes, and the file is left intact.
    X, _, y, _ = small_digits
    path = tmp_path / "net.json"
    net = NielsenMLPClassifier((4,), epochs=2, optimizer="momentum", random_state=0)
    net.set_params(callbacks=[Checkpoint(path)]).fit(X, y)
    saved = path.read_bytes()
    net.set_params(callbacks=[unsavable(), Checkpoint(path)])
    with pytest.raises(ValueError, match=said.format(path=re.escape(str(path)))):
        net.fit(X, y)
    assert path.read_bytes() == saved  # intact, and no temporary file left beside it
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]


def test_checkpoint_writes_loadable_models(small_digits, tmp_path):
    X, X_val, y, y_val = small_digits
    every = Checkpoint(tmp_path / "epoch{epoch}.json", every=2)
    best = Checkpoint(tmp_path / "best.json", best_only=True)
    net = NielsenMLPClassifier(epochs=4, random_state=0, callbacks=[every, best])
    net.fit(X, y, X_val=X_val, y_val=y_val)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.json", "epoch2.json", "epoch4.json"]
    last = sknielsen.load(tmp_path / "epoch4.json")
    np.testing.assert_array_equal(last.coefs_[0], net.coefs_[0])
    assert last.n_iter_ == 4 and last.history_ == net.history_
    kept = sknielsen.load(tmp_path / "best.json")
    assert kept.n_iter_ == net.best_epoch_
    # The checkpoint continues exactly like the model it was taken from.
    second = sknielsen.load(tmp_path / "epoch2.json")
    assert second.n_iter_ == 2 and second.predict(X_val).shape == y_val.shape


@pytest.mark.parametrize("continuation", ["warm_start", "loaded partial_fit"])
def test_a_continued_fit_keeps_the_best_checkpoint_of_the_models_earlier_epochs(
    continuation, small_digits, tmp_path
):
    # Each fit's Checkpoint started without a best: the first epoch of a continued fit
    # always "improved", and replaced best.json (0.85 of validation accuracy, on digits)
    # with a worse model (0.105), though the history it continued held the better one.
    X, X_val, y, y_val = small_digits
    path = tmp_path / "best.json"
    best = Checkpoint(path, best_only=True, monitor="validation_cost")
    params = {"hidden_layer_sizes": (5,), "epochs": 3, "random_state": 0, "callbacks": [best]}
    net = NielsenMLPClassifier(**params).fit(X, y, X_val=X_val, y_val=y_val)
    if continuation == "warm_start":
        net.set_params(warm_start=True, epochs=1).fit(X, y, X_val=X_val, y_val=y_val)
        costs = net.history_["validation_cost"]
        assert costs[-1] < min(costs[:-1])  # better than every earlier epoch: saved
        assert sknielsen.load(path).n_iter_ == net.n_iter_ == 4
        net.set_params(eta=50.0)
    else:
        net = sknielsen.load(path).set_params(eta=50.0, callbacks=[best])
    saved = path.read_bytes()
    with pytest.warns(ConvergenceWarning, match="did not decrease"):
        if continuation == "warm_start":
            net.fit(X, y, X_val=X_val, y_val=y_val)
        else:
            net.partial_fit(X, y, X_val=X_val, y_val=y_val)
    costs = net.history_["validation_cost"]
    assert costs[-1] > min(costs[:-1])  # worse than an earlier epoch: not saved
    assert path.read_bytes() == saved


def test_csv_logger_writes_a_row_per_epoch(small_digits, tmp_path):
    X, X_val, y, y_val = small_digits
    path = tmp_path / "log.csv"
    net = NielsenMLPClassifier(epochs=3, random_state=0, callbacks=[CSVLogger(path)])
    net.fit(X, y, X_val=X_val, y_val=y_val)
    rows = list(csv.DictReader(path.read_text().splitlines()))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]
    assert [float(r["loss"]) for r in rows] == net.loss_curve_
    assert [float(r["validation_accuracy"]) for r in rows] == net.validation_scores_
    net.set_params(warm_start=True, callbacks=[CSVLogger(path, append=True)]).fit(X, y)
    assert len(path.read_text().splitlines()) == 1 + 6


def _logged_losses(path):
    """The losses of a CSVLogger's file, row by row."""
    return [float(row["loss"]) for row in csv.DictReader(path.read_text().splitlines())]


def test_csv_logger_appends_each_epochs_row_without_rewriting_the_file(
    small_digits, tmp_path, monkeypatch
):
    # Each epoch rewrote the whole file (and rebuilt its text): 1.5 ms an epoch at 500
    # rows, 3.2 ms at 4,000, growing with every row of a long fit or partial_fit stream.
    from sknielsen import callbacks as module

    X, _, y, _ = small_digits
    path = tmp_path / "log.csv"
    whole = []
    rewrite = module.write_text_atomically
    monkeypatch.setattr(
        module, "write_text_atomically", lambda p, text: whole.append(p) or rewrite(p, text)
    )
    net = NielsenMLPClassifier((5,), epochs=6, random_state=0, callbacks=[CSVLogger(path)])
    net.fit(X, y)
    assert len(whole) == 1  # the first epoch's file; the other rows appended
    assert _logged_losses(path) == net.loss_curve_
    stream = clone(net)
    for _ in range(4):
        stream.partial_fit(X, y, classes=[0, 1, 2])
    assert len(whole) == 2
    assert _logged_losses(path) == stream.loss_curve_


def test_csv_logger_rewrites_a_file_changed_under_it(small_digits, tmp_path):
    # A file shortened, replaced or removed between two epochs gets every row back.
    X, _, y, _ = small_digits
    path = tmp_path / "log.csv"

    class Meddles(Callback):
        def on_epoch_end(self, trainer):
            if trainer.epoch == 2:
                path.write_text("epoch,eta\n")
            if trainer.epoch == 4:
                path.unlink()

    net = NielsenMLPClassifier(epochs=5, random_state=0, callbacks=[CSVLogger(path), Meddles()])
    net.fit(X, y)
    assert _logged_losses(path) == net.loss_curve_


class _ReadsTheLog(Callback):
    """Reads the CSV log at ``path`` after epoch 3 (after the CSVLogger before it)."""

    def __init__(self, path, before=None):
        self.path, self.before = path, before

    def on_epoch_end(self, trainer):
        if self.before is not None:
            self.before(trainer.epoch)
        if trainer.epoch == 3:
            self.lines = self.path.read_bytes().decode("utf-8").splitlines()


def _fit_through_a_failed_append(net, X, y, path):
    """Fit; the log after epoch 3's failed append holds 2 whole rows, at the end all."""
    with pytest.warns(UserWarning, match=r"could not write .*log.csv after epoch 3"):
        net.fit(X, y)
    assert [line.split(",")[0] for line in net.callbacks_[1].lines] == ["epoch", "1", "2"]
    assert _logged_losses(path) == net.loss_curve_


def test_csv_logger_leaves_no_torn_row_after_a_failed_append(small_digits, tmp_path, monkeypatch):
    # A full disk can take part of a row: the file is cut back to its last whole row,
    # and the next epoch writes every row.
    from sknielsen import callbacks as module

    X, _, y, _ = small_digits
    path = tmp_path / "log.csv"
    appends = []
    real = module._append_text

    def fails_once(handle, text):
        appends.append(text)
        if len(appends) == 2:
            handle.write(text[:5].encode("utf-8"))
            handle.flush()
            raise OSError(28, "No space left on device")
        real(handle, text)

    monkeypatch.setattr(module, "_append_text", fails_once)
    reads = _ReadsTheLog(path)
    net = NielsenMLPClassifier(epochs=5, random_state=0, callbacks=[CSVLogger(path), reads])
    _fit_through_a_failed_append(net, X, y, path)


def test_csv_logger_cuts_back_an_append_the_disk_took_part_of(small_digits, tmp_path, monkeypatch):
    # write(2) on a full disk takes what fits, then fails: a buffered file kept the rest
    # of the row to flush again, so its truncate (which flushes first) failed too and
    # left the torn row in the file.
    from sknielsen import callbacks as module

    X, _, y, _ = small_digits
    path = tmp_path / "log.csv"

    class FillsUp(io.FileIO):
        def write(self, data):
            if FillsUp.room is None:
                return super().write(data)
            if FillsUp.room == 0:
                raise OSError(28, "No space left on device")
            taken = super().write(bytes(data)[: FillsUp.room])
            FillsUp.room -= taken
            return taken

    FillsUp.room = None

    def opens(file, mode="r", buffering=-1, opener=None):
        assert mode == "ab+"
        raw = FillsUp(file, mode)
        return raw if buffering == 0 else io.BufferedWriter(raw)

    def room_at(epoch):  # 5 bytes for epoch 3's row, then room again
        FillsUp.room = {2: 5, 3: None}.get(epoch, FillsUp.room)

    monkeypatch.setattr(module, "open", opens, raising=False)
    fills = _ReadsTheLog(path, before=room_at)
    net = NielsenMLPClassifier(epochs=5, random_state=0, callbacks=[CSVLogger(path), fills])
    _fit_through_a_failed_append(net, X, y, path)


def test_csv_logger_appends_to_no_file_put_in_its_place_meanwhile(
    small_digits, tmp_path, monkeypatch
):
    # Another process (a grid search's other fit logging to the same name) replaced
    # the file between the logger's look at it and its append: the row went to the
    # other file, and the epochs after it too.
    from sknielsen import callbacks as module

    X, _, y, _ = small_digits
    path = tmp_path / "log.csv"
    real_open = open

    def replaced_first(file, *args, **kwargs):
        if not replaced_first.done:
            replaced_first.done = True
            other = tmp_path / "other.csv"
            other.write_text("epoch,eta,loss\n9,0.1,1.0\n")
            os.replace(other, path)
        return real_open(file, *args, **kwargs)

    replaced_first.done = False
    monkeypatch.setattr(module, "open", replaced_first, raising=False)
    net = NielsenMLPClassifier(epochs=4, random_state=0, callbacks=[CSVLogger(path)])
    net.fit(X, y)
    assert _logged_losses(path) == net.loss_curve_


@pytest.mark.parametrize(
    "old, new", [(",0.5,", ",0.7,"), ("loss", "lOss")], ids=["other rows", "other header"]
)
def test_csv_logger_appends_to_no_other_fit_whose_file_took_the_same_inode(
    old, new, small_digits, tmp_path
):
    # Concurrent fits logging to one name (a grid search): a replaced file's inode
    # number goes to the next file written, of the same size when the rows are as
    # long, within the file system's coarse clock tick. The logger saw its own file
    # (device, inode, size, time) and appended its row to another fit's rows.
    X, _, y, _ = small_digits
    path = tmp_path / "log.csv"

    class OtherFitsFile(Callback):
        def on_epoch_end(self, trainer):
            if trainer.epoch == 2:
                before = os.stat(path)
                text = path.read_text()
                other = text.replace(old, new)  # its rows, or header, as long as these
                assert len(other) == len(text) and other != text
                with open(path, "r+") as handle:  # the same inode, size and time
                    handle.write(other)
                os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))

    net = NielsenMLPClassifier(
        epochs=4, eta=0.5, random_state=0, callbacks=[CSVLogger(path), OtherFitsFile()]
    )
    net.fit(X, y)
    rows = list(csv.DictReader(path.read_text().splitlines()))
    assert [r["eta"] for r in rows] == ["0.5"] * 4
    assert [float(r["loss"]) for r in rows] == net.loss_curve_


def test_csv_logger_appends_to_an_empty_file_as_to_a_new_one(small_digits, tmp_path):
    X, _, y, _ = small_digits
    path = tmp_path / "log.csv"
    path.write_text("")  # made by `touch`, or a logger killed before its first row
    net = NielsenMLPClassifier(epochs=2, random_state=0, callbacks=[CSVLogger(path, append=True)])
    net.fit(X, y)
    rows = list(csv.DictReader(path.read_text().splitlines()))
    assert [float(r["loss"]) for r in rows] == net.loss_curve_


def test_early_stopping_without_restore_best_keeps_the_last_epoch(small_digits):
    X, X_val, y, y_val = small_digits
    stopping = EarlyStopping("validation_cost", patience=2, min_delta=1e9, restore_best=False)
    net = NielsenMLPClassifier(epochs=20, random_state=0, callbacks=[stopping])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning that the best epoch is past
        net.fit(X, y, X_val=X_val, y_val=y_val)
    # The first epoch was the best (every later one must improve by 1e9): it stopped two
    # epochs after, keeping their weights, where restore_best keeps the first epoch's.
    assert net.n_iter_ == 3 and len(net.loss_curve_) == 3
    kept = NielsenMLPClassifier(epochs=3, random_state=0).fit(X, y)
    np.testing.assert_array_equal(net.coefs_[0], kept.coefs_[0])


def test_csv_logger_keeps_every_epoch_of_partial_fit(small_digits, tmp_path):
    """partial_fit continues its callbacks: its log gained a row a call, not lost the others.

    Each call rewrote the file with its one row, keeping only the last epoch.
    """
    X, _, y, _ = small_digits
    path = tmp_path / "log.csv"
    net = NielsenMLPClassifier(random_state=0, callbacks=[CSVLogger(path)])
    for _ in range(3):
        net.partial_fit(X, y, classes=[0, 1, 2])
    rows = list(csv.DictReader(path.read_text().splitlines()))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]
    assert [float(r["loss"]) for r in rows] == net.loss_curve_
    net.fit(X, y)  # a fit starts a new log
    assert len(path.read_text().splitlines()) == 1 + net.n_iter_


class FailsOnce(Callback):
    """Raises its own error at the end of the call that trains epoch ``epoch``, once."""

    def __init__(self, epoch=3):
        self.epoch = epoch

    def on_train_end(self, trainer):
        if trainer.epoch == self.epoch and not getattr(self, "_failed", False):
            self._failed = True
            raise RuntimeError("the user's own error")


def test_a_partial_fit_call_that_failed_leaves_no_record_in_its_callbacks(small_digits, tmp_path):
    # The call leaves the model as it was, but its callbacks had counted its epoch: the next
    # call, training that epoch again, logged a second row for it, and early stopping found
    # it no better than itself, ran out of patience and said the model could not go back.
    X, _, y, _ = small_digits
    outcomes = []
    for failing in (False, True):
        folder = tmp_path / str(failing)
        folder.mkdir()
        callbacks = [
            CSVLogger(folder / "log.csv"),
            EarlyStopping(monitor="loss", patience=1),
            Checkpoint(folder / "best.json", best_only=True, monitor="loss"),
        ]
        net = NielsenMLPClassifier(
            (5,), random_state=0, callbacks=callbacks + [FailsOnce(epoch=3)] * failing
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            while getattr(net, "n_iter_", 0) < 5:
                with contextlib.suppress(RuntimeError):
                    net.partial_fit(X, y, classes=[0, 1, 2])
        files = [(folder / name).read_bytes() for name in ("log.csv", "best.json")]
        said = [str(w.message) for w in caught]
        outcomes.append((files, said, net.best_epoch_, net.loss_curve_))
    assert outcomes[1] == outcomes[0]


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as sys.stdout does in a console."""

    def isatty(self):
        return True


def test_progress_bar_shows_what_tqdm_shows_and_leaves_a_line_per_epoch(small_digits):
    X, X_val, y, y_val = small_digits
    stream = Terminal()
    net = NielsenMLPClassifier(epochs=3, random_state=0, callbacks=[ProgressBar(stream)])
    net.fit(X, y, X_val=X_val, y_val=y_val)
    text = stream.getvalue()
    assert text.endswith("\n") and text.count("\n") == 3
    final = [line.rsplit("\r", 1)[-1].rstrip() for line in text.split("\n")[:-1]]
    for epoch, line in enumerate(final, start=1):
        assert re.match(
            rf"epoch {epoch}/3 \[#+\] {len(X)}/{len(X)} [\d,]+ samples/s, \d+:\d\d left \| "
            rf"loss {net.loss_curve_[epoch - 1]:.4f}, valid acc "
            rf"{net.validation_scores_[epoch - 1]:.2%}$",
            line,
        ), line
    assert "epoch 1/3 [" in text.split("\n")[0].split("\r")[1]  # redrawn within the epoch


def test_progress_bar_ends_its_line_when_training_stops_within_an_epoch(small_digits):
    # The shell's prompt, or the next print, went on the bar's line.
    class StopsAtTheThirdBatch(Callback):
        def on_batch_end(self, trainer):
            if trainer.samples_in_epoch >= 30:
                raise StopTraining

    X, _, y, _ = small_digits
    stream = Terminal()
    callbacks = [ProgressBar(stream), StopsAtTheThirdBatch()]
    net = NielsenMLPClassifier(epochs=3, mini_batch_size=10, random_state=0, callbacks=callbacks)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the epoch cut short, said elsewhere
        net.fit(X, y)
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    assert text.rsplit("\r", 1)[-1].startswith("epoch 1/3 [")


def test_progress_bar_draws_nothing_off_a_terminal_and_can_erase_its_line(small_digits):
    X, _, y, _ = small_digits
    piped = io.StringIO()
    NielsenMLPClassifier(epochs=2, random_state=0, callbacks=[ProgressBar(piped)]).fit(X, y)
    assert piped.getvalue() == ""
    erased = Terminal()
    net = NielsenMLPClassifier(
        epochs=2, random_state=0, callbacks=[ProgressBar(erased, leave=False)]
    )
    net.fit(X, y)
    assert "\n" not in erased.getvalue() and erased.getvalue().endswith("\r")
    assert erased.getvalue().split("\r")[-2].strip() == ""


def test_the_table_and_the_bar_show_only_what_the_epoch_recorded(small_digits):
    """The history goes on from a fit given X_val: a later epoch without it has no accuracy.

    The table repeated the fit's last validation accuracy on every row of the
    partial_fit calls after it (starred as a new best), and so did the bar.
    """
    X, X_val, y, y_val = small_digits
    lines, stream = [], Terminal()
    printer, bar = VerbosePrinter(print_fn=lines.append), ProgressBar(stream)
    net = NielsenMLPClassifier(epochs=2, random_state=0, callbacks=[printer, bar])
    net.fit(X, y, X_val=X_val, y_val=y_val)
    assert lines[0].split()[2:4] == ["valid", "acc"] and len(lines) == 3
    stream.seek(0), stream.truncate()
    net.partial_fit(X, y)  # a new table, of what this run records
    loss = f"{net.loss_curve_[-1]:.4f}"
    assert lines[3].split() == ["epoch", "loss", "eta", "time"]
    assert lines[4].split()[:2] == ["3", loss + "*"]
    assert stream.getvalue().rstrip().endswith(f"| loss {loss}")
    # verbose=1 continues partial_fit's table under its first header: a dash.
    out = io.StringIO()
    net = NielsenMLPClassifier(verbose=1, random_state=0)
    with redirect_stdout(out):
        net.partial_fit(X, y, classes=[0, 1, 2], X_val=X_val, y_val=y_val)
        net.partial_fit(X, y)
    assert out.getvalue().splitlines()[-1].split()[:3] == ["2", f"{net.loss_curve_[-1]:.4f}*", "-"]


def test_validation_data_goes_through_the_pipeline(digits_split):
    """With routing, X_val is scaled like X, so the validation score is the pipeline's."""
    import sklearn

    X_train, X_val, y_train, y_val = digits_split
    X_train, X_val = X_train * 16, X_val * 16  # unscaled: the scaler matters
    with sklearn.config_context(enable_metadata_routing=True):
        net = NielsenMLPClassifier(epochs=3, random_state=0).set_fit_request(X_val=True, y_val=True)
        pipeline = Pipeline([("scale", StandardScaler()), ("net", net)], transform_input=["X_val"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # unscaled X saturates
            pipeline.fit(X_train, y_train, X_val=X_val, y_val=y_val)
    scores = pipeline[-1].validation_scores_
    assert scores[-1] == pipeline.score(X_val, y_val)


def test_the_user_callback_of_the_docs_runs():
    """docs/callbacks.md is executed by test_docs; its callback has the documented effect."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "callbacks.md").read_text(
        encoding="utf-8"
    )
    assert "class " in text and "(Callback)" in text


def test_history_keys_are_saved(small_digits, tmp_path):
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(epochs=2, random_state=0).fit(X, y)
    sknielsen.save(net, tmp_path / "net.json")
    document = json.loads((tmp_path / "net.json").read_text())
    assert document["fitted"]["history"]["loss"] == net.loss_curve_
    assert document["fitted"]["optimizer_state"]["eta"] == 0.5


def test_callbacks_must_be_callbacks(small_digits):
    X, _, y, _ = small_digits
    with pytest.raises(ValueError, match=r"must list sknielsen.callbacks.Callback instances"):
        NielsenMLPClassifier(callbacks=[print]).fit(X, y)


def test_warnings_point_at_the_callers_line(small_digits):
    """Not at scikit-learn's wrapper around fit, nor at our own modules."""
    X, _, y, _ = small_digits
    raw = (X * 16).astype(int)
    with pytest.warns(UserWarning, match="saturate") as fit_record:
        NielsenMLPClassifier(epochs=1, random_state=0).fit(raw, y)
    net = NielsenMLPClassifier(optimizer="momentum", random_state=0)
    with pytest.warns(UserWarning, match="saturate") as partial_record:
        net.partial_fit(raw, y, classes=[0, 1, 2])
    with pytest.warns(UserWarning, match="optimizer changed") as change_record:
        net.set_params(optimizer="sgd").partial_fit(X, y)
    for record in (fit_record, partial_record, change_record):
        assert {w.filename for w in record} == {__file__}


def test_callbacks_that_write_files_are_not_saved_nor_loaded(small_digits, tmp_path):
    """A model file never chooses where later training writes."""
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(
        epochs=1,
        random_state=0,
        callbacks=[
            StepDecay(step_size=3),
            Checkpoint(tmp_path / "c.json"),
            CSVLogger(tmp_path / "log.csv"),
        ],
    )
    net.fit(X, y)
    with pytest.warns(UserWarning, match="'Checkpoint', 'CSVLogger'.*not saved"):
        sknielsen.save(net, tmp_path / "net.json")
    assert sknielsen.load(tmp_path / "net.json").callbacks == [StepDecay(step_size=3)]
    document = json.loads((tmp_path / "net.json").read_text())
    document["params"]["callbacks"].append(
        {"callback": "Checkpoint", "params": {"path": "/tmp/elsewhere.json"}}
    )
    (tmp_path / "edited.json").write_text(json.dumps(document))
    with pytest.raises(sknielsen.persistence.ModelFileError, match="unknown callback"):
        sknielsen.load(tmp_path / "edited.json")


def _monitors_missing_what_they_record(X, Y):
    return [
        (Monitor(("training_cost",)), r"train_data' .* required to record \['training_cost'\]"),
        (Monitor(["validation_accuracy"]), r"validation_data' .* required to record"),
        (Monitor(("val_acc",)), r"monitor' .* names \['val_acc'\]; it records"),
        (Monitor(("training_cost",), train_data=(X,)), r"train_data' .* got 1 items"),
        (MonitorEvery(), r"validation_data' .* required to record \['validation_accuracy'\]"),
        (MonitorEvery(validation_data=(X, Y)), r"record' .* is required"),
    ]


def test_monitors_missing_what_they_record_are_refused_before_training(small_digits):
    # They used to fail with a TypeError deep in the loop, at the first record.
    X, _, y, _ = small_digits
    Y = np.eye(3)[y]
    for callback, message in _monitors_missing_what_they_record(X, Y):
        model = NielsenMLPClassifier(hidden_layer_sizes=(4,), epochs=1, callbacks=[callback])
        with pytest.raises(ValueError, match=r"callbacks\[0\]\." + message):
            sknielsen.utils.check_params(model)
        with pytest.raises(ValueError, match=message):
            model.fit(X, y)
        assert not hasattr(model, "coefs_")


def test_monitors_given_their_data_record_it(small_digits):
    X, X_val, y, y_val = small_digits
    record = {}  # MonitorEvery fills in its two lists
    callbacks = [
        Monitor(("training_cost", "training_accuracy"), train_data=(X, np.eye(3)[y])),
        MonitorEvery(100, (X_val, np.eye(3)[y_val]), record),
    ]
    model = NielsenMLPClassifier(hidden_layer_sizes=(4,), epochs=2, random_state=0)
    model.set_params(callbacks=callbacks).fit(X, y)
    assert len(model.history_["training_cost"]) == len(model.history_["training_accuracy"]) == 2
    assert record["samples"] == [100, 200, 300, 400, 500, 600]
    assert len(record["validation_accuracy"]) == 6


class Records(Callback):
    """Appends ``value`` to the history's ``key`` at every epoch's end."""

    def __init__(self, key="training_accuracy", value=0.5):
        self.key = key
        self.value = value

    def on_epoch_end(self, trainer):
        trainer.history[self.key].append(self.value)


def test_what_a_callback_records_is_checked_where_it_is_recorded(small_digits, tmp_path):
    # A second value under a key, or one that is not a number, used to fail the fit only
    # at its end, blamed on overflow ("try a smaller eta"); a NumPy number reached a
    # CSVLogger's file as "np.float32(0.5)".
    X, X_val, y, y_val = small_digits
    model = NielsenMLPClassifier(hidden_layer_sizes=(4,), epochs=2, random_state=0)
    mine = Monitor(("validation_accuracy",), validation_data=(X_val, np.eye(3)[y_val]))
    with pytest.raises(CallbackError, match=r"Monitor \(on_epoch_end\) recorded a second .*'va"):
        clone(model).set_params(callbacks=[mine, EarlyStopping()]).fit(X, y)
    with pytest.raises(CallbackError, match=r"Records \(on_epoch_end\) recorded str '0.5' under"):
        clone(model).set_params(callbacks=[Records(value="0.5")]).fit(X, y)
    log = tmp_path / "log.csv"
    fitted = clone(model).set_params(callbacks=[Records(value=np.float32(0.5)), CSVLogger(log)])
    assert type(fitted.fit(X, y).history_["training_accuracy"][-1]) is float
    assert log.read_text().splitlines()[1].endswith(",0.5")
    for score in (lambda output, Y: "high", lambda output, Y: np.ones(1)):
        mine.set_params(score=score)
        said = r"the score '<lambda>' of Monitor returned .*: a score must be a real"
        with pytest.raises(ValueError, match=said):
            clone(model).set_params(callbacks=[mine]).fit(X, y)


class RecordsLoss(Callback):
    """Appends a number to the history's ``loss`` in ``hook``, within the epochs."""

    def __init__(self, hook="on_epoch_begin"):
        self.hook = hook

    def on_epoch_begin(self, trainer):
        if self.hook == "on_epoch_begin":
            trainer.history["loss"].append(0.5)

    def on_batch_end(self, trainer):
        if self.hook == "on_batch_end" and trainer.samples_in_epoch == trainer.n_samples:
            trainer.history["loss"].append(0.5)

    def on_epoch_end(self, trainer):
        if self.hook == "on_epoch_end":
            trainer.history["loss"].append(0.5)


@pytest.mark.parametrize("engine", ["numpy", "c"])
@pytest.mark.parametrize("hook", ["on_epoch_begin", "on_batch_end", "on_epoch_end"])
def test_a_loss_recorded_by_a_callback_is_refused_naming_it(hook, engine, small_digits):
    # The loop records the loss at each epoch's end: one a callback recorded before it
    # (on_epoch_begin, on_batch_end) was blamed on the first on_epoch_end callback,
    # asking whether another callback recorded the key too.
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier((4,), epochs=2, engine=engine, callbacks=[RecordsLoss(hook)])
    said = rf"^The callback RecordsLoss \({hook}\) recorded a value under 'loss', which the"
    with pytest.raises(CallbackError, match=said):
        net.fit(X, y)


@pytest.mark.parametrize("engine", ["numpy", "c"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_a_value_that_is_not_finite_is_refused_where_it_is_recorded(engine, value, small_digits):
    # A score of NaN, or a NaN a callback appended, was kept, and the fit failed at its
    # end: "training overflowed though its loss stayed finite (...). Scale the inputs".
    X, X_val, y, y_val = small_digits
    held_out = (X_val, np.eye(3)[y_val])

    def score(output, Y):
        return value

    class OwnMonitor(Monitor):
        """A Monitor of one's own: records ``value`` as the score of finite outputs."""

        def on_epoch_end(self, trainer):
            trainer.evaluate(*self.validation_data)
            trainer.history["validation_accuracy"].append(value)

    recorded = re.escape(repr(value))
    cases = [
        (
            Monitor(("validation_accuracy",), validation_data=held_out, score=score),
            # The score by its name: its repr, "<function ...score at 0x7f...>", was printed.
            rf"Monitor \(on_epoch_end\) recorded {recorded} under 'validation_accuracy', "
            "the score 'score' of outputs whose cost is finite",
        ),
        (  # as any Monitor, it was let through, and the fit blamed overflow at its end
            OwnMonitor(("validation_accuracy",), validation_data=held_out),
            rf"OwnMonitor \(on_epoch_end\) recorded {recorded} under 'validation_accuracy'",
        ),
        (
            MonitorEvery(100, held_out, {}, score=score),
            rf"MonitorEvery \(on_batch_end\) recorded {recorded} under 'validation_accuracy'",
        ),
        (Records(value=value), rf"Records \(on_epoch_end\) recorded {recorded} under 'training_a"),
        (
            Records("validation_cost", np.float32(value)),
            rf"Records \(on_epoch_end\) recorded {re.escape(repr(np.float32(value)))} "
            "under 'validation_cost'",
        ),
    ]
    if value > 0:  # an integer beyond the float range failed deep in the loop
        cases.append((Records(value=10**400), r"Records \(on_epoch_end\) recorded 1000000"))
    model = NielsenMLPClassifier((4,), epochs=2, engine=engine, random_state=0)
    for callback, message in cases:
        with pytest.raises(CallbackError, match=message):
            clone(model).set_params(callbacks=[callback]).fit(X, y)


class ReadsTheEpoch(Callback):
    """Reads the history at each epoch's end, recording nothing."""

    def on_epoch_end(self, trainer):
        self.last = {key: values[-1:] for key, values in trainer.history.items()}


@pytest.mark.parametrize("engine", ["numpy", "c"])
@pytest.mark.parametrize(
    "after",
    [None, ReadsTheEpoch, lambda: EarlyStopping("validation_cost"), CSVLogger],
    ids=["alone", "own", "EarlyStopping", "CSVLogger"],
)
def test_the_costs_and_scores_of_outputs_that_overflowed_are_the_overflow_checks_to_name(
    engine, after, tmp_path
):
    # The network's outputs on X_val overflow, and with them the Monitor's cost and R²:
    # not the Monitor's fault, nor its score's; the fit says what overflowed, as before.
    # Nor the fault of a callback called after the Monitor in the same epoch: its check
    # of the history found the Monitor's inf, and blamed it ("The callback EarlyStopping
    # (on_epoch_end) recorded inf under 'validation_cost'").
    rng = np.random.default_rng(0)
    X = rng.random((60, 4))
    y = X @ np.arange(1.0, 5.0)
    callbacks = None
    if after is CSVLogger:
        callbacks = [CSVLogger(tmp_path / "log.csv")]
    elif after is not None:
        callbacks = [after()]
    net = NielsenMLPRegressor(
        (), epochs=2, monitor="all", engine=engine, random_state=0, callbacks=callbacks
    )
    with (
        pytest.warns(UserWarning, match="X_val is on another scale than X"),
        pytest.raises(ValueError, match="overflowed though its loss stayed finite") as error,
    ):
        net.fit(X, y, X_val=X * 1e160, y_val=y)
    assert not isinstance(error.value, CallbackError)


def test_a_checkpoint_of_outputs_that_overflowed_ends_the_run_naming_its_file(tmp_path):
    # No file can hold the Monitor's inf: the run ends at the first write, which says why,
    # rather than training on to a fit that refuses the model at its end.
    rng = np.random.default_rng(0)
    X = rng.random((60, 4))
    y = X @ np.arange(1.0, 5.0)
    path = tmp_path / "net.json"
    net = NielsenMLPRegressor((), epochs=2, monitor="all", callbacks=[Checkpoint(path)])
    with (
        pytest.warns(UserWarning, match="X_val is on another scale than X"),
        pytest.raises(
            ValueError,
            match=r"Checkpoint could not write .*net\.json after epoch 1: Cannot save this "
            r"model: fitted\.history\.validation_cost holds NaN or infinite values",
        ),
    ):
        net.fit(X, y, X_val=X * 1e160, y_val=y)
    assert not path.exists()


class ChangesHistoryKeys(Callback):
    """Changes the history's keys or shortens a list, in ``hook``, as ``how`` says."""

    def __init__(self, how="setdefault", hook="on_epoch_end"):
        self.how = how
        self.hook = hook

    def _change(self, trainer):
        history = trainer.history
        if self.how == "setdefault":
            history.setdefault("mine", []).append(1.0)
        elif self.how == "assign":
            history["mine"] = [1.0]
        elif self.how == "empty":
            history["mine"] = []
        elif self.how == "delete":
            del history["training_cost"]
        elif self.how == "overwrite":  # became loss_curve_ without a word
            if history["loss"]:
                history["loss"][0] = 123.0
        else:
            history["loss"].clear()

    def on_epoch_begin(self, trainer):
        if self.hook == "on_epoch_begin":
            self._change(trainer)

    def on_epoch_end(self, trainer):
        if self.hook == "on_epoch_end":
            self._change(trainer)

    def on_train_end(self, trainer):
        if self.hook == "on_train_end":
            self._change(trainer)


_HISTORY_CHANGES = {
    "setdefault": r"added the key 'mine' to trainer.history, .* an attribute of the callback",
    "assign": r"added the key 'mine' to trainer.history, .* an attribute of the callback",
    "empty": r"added the key 'mine' to trainer.history, .* an attribute of the callback",
    "delete": r"removed the key 'training_cost' from trainer.history",
    "shorten": r"removed values from trainer.history\['loss'\]",
    "overwrite": r"changed trainer.history\['loss'\]\[0\] from .* to 123.0: the recorded",
}


@pytest.mark.parametrize("engine", ["numpy", "c"])
@pytest.mark.parametrize("how", list(_HISTORY_CHANGES))
def test_a_history_key_of_a_callbacks_own_is_refused_where_it_is_recorded(
    how, engine, small_digits, tmp_path
):
    # A key of its own made the fit succeed, then sknielsen.save refuse the model
    # ("fitted.history should have exactly the keys ...") and a Checkpoint write files
    # that load refuses; a removed key failed with a KeyError deep in the loop, and a
    # shortened list saved a history of fewer epochs than the model trained.
    X, _, y, _ = small_digits
    said = _HISTORY_CHANGES[how]
    for hook in ("on_epoch_begin", "on_epoch_end", "on_train_end"):
        callbacks = [ChangesHistoryKeys(how, hook), Checkpoint(tmp_path / "net-{epoch}.json")]
        net = NielsenMLPClassifier((4,), epochs=2, engine=engine, callbacks=callbacks)
        with pytest.raises(CallbackError, match=rf"ChangesHistoryKeys \({hook}\) {said}"):
            clone(net).fit(X, y)
        incremental = clone(net)
        with pytest.raises(CallbackError, match=rf"ChangesHistoryKeys \({hook}\) {said}"):
            for _ in range(2):  # a list to shorten before the second epoch
                incremental.partial_fit(X, y, classes=[0, 1, 2])
    # The Checkpoint wrote nothing after the change (in on_train_end): what it wrote loads.
    assert sorted(path.name for path in tmp_path.iterdir()) == ["net-1.json", "net-2.json"]
    for path in tmp_path.iterdir():
        assert len(sknielsen.load(path).history_["loss"]) == int(path.stem[-1])


class ChangesHistoryThenEnds(ChangesHistoryKeys):
    """Changes the history in ``hook`` once an epoch has ended, then raises ``then``."""

    def __init__(self, how="setdefault", hook="on_epoch_end", then=KeyboardInterrupt):
        super().__init__(how, hook)
        self.then = then

    def _change(self, trainer):
        if trainer.history["loss"] or self.hook == "on_train_begin":
            super()._change(trainer)
            raise self.then

    def on_train_begin(self, trainer):
        if self.hook == "on_train_begin":
            self._change(trainer)

    def on_batch_end(self, trainer):
        if self.hook == "on_batch_end":
            self._change(trainer)


_ENDING_HOOKS = [
    ("on_train_begin", KeyboardInterrupt),
    ("on_epoch_begin", KeyboardInterrupt),
    ("on_batch_end", KeyboardInterrupt),
    ("on_batch_end", StopTraining),
    ("on_epoch_end", KeyboardInterrupt),
]


@pytest.mark.parametrize("engine", ["numpy", "c"])
@pytest.mark.parametrize(
    "how, hook, then",
    [
        (how, hook, then)
        for how in _HISTORY_CHANGES
        for hook, then in _ENDING_HOOKS
        if not (how in ("shorten", "overwrite") and hook == "on_train_begin")  # none recorded
    ],
)
def test_a_history_change_in_a_hook_that_ends_the_run_is_refused_there(
    how, hook, then, engine, small_digits
):
    # A hook that ended the run by raising skipped the history's checks: a key of the
    # callback's own was blamed on the first on_train_end, a removed key failed with a
    # KeyError in the rollback, and a shortened loss was kept (the fit succeeded).
    X, _, y, _ = small_digits
    changes = ChangesHistoryThenEnds(how, hook, then)
    net = NielsenMLPClassifier((4,), epochs=3, engine=engine, callbacks=[changes])
    said = _HISTORY_CHANGES[how]
    with pytest.raises(CallbackError, match=rf"ChangesHistoryThenEnds \({hook}\) {said}"):
        net.fit(X, y)


class StopsInSecondEpoch(Callback):
    """Ends training in the middle of the second epoch, which is then dropped."""

    def on_batch_end(self, trainer):
        if trainer.epochs_run == 1:
            raise StopTraining


class RecordsOutsideEpochs(Callback):
    """Appends a number to the history's ``key`` in ``hook``, before or after the epochs."""

    def __init__(self, hook="on_train_begin", key="training_cost"):
        self.hook = hook
        self.key = key

    def on_train_begin(self, trainer):
        if self.hook == "on_train_begin":
            trainer.history[self.key].append(0.5)

    def on_train_end(self, trainer):
        if self.hook == "on_train_end":
            trainer.history[self.key].append(0.5)


@pytest.mark.parametrize(
    "hook, when", [("on_train_begin", "before the first"), ("on_train_end", "after the last")]
)
@pytest.mark.parametrize("key", ["training_cost", "validation_accuracy"])
@pytest.mark.parametrize("stopped", [False, True])
def test_a_value_recorded_outside_every_epoch_is_refused(small_digits, hook, when, key, stopped):
    # Only the values of epochs were checked: one recorded in on_train_begin or
    # on_train_end failed the fit at its end, blamed on overflow, under a key recorded
    # every epoch (training_cost here), and passed for another epoch's value under a
    # key the run does not record (validation_accuracy without X_val). A run stopped
    # within its second epoch drops that epoch's values: on_train_end may not add one.
    X, _, y, _ = small_digits
    callbacks = [RecordsOutsideEpochs(hook, key)] + ([StopsInSecondEpoch()] if stopped else [])
    model = NielsenMLPClassifier(
        hidden_layer_sizes=(4,),
        epochs=2,
        monitor=("training_cost",),
        random_state=0,
        callbacks=callbacks,
    )
    said = rf"RecordsOutsideEpochs \({hook}\) recorded a value under '{key}' {when} epoch"
    with pytest.raises(CallbackError, match=said):
        model.fit(X, y)
    assert not hasattr(model, "coefs_")


class Evaluates(Callback):
    """Evaluates the network on the data it is given, at each epoch's end."""

    def __init__(self, data=None):
        self.data = data

    def on_epoch_end(self, trainer):
        trainer.evaluate(*self.data)


@pytest.mark.parametrize("engine", ["numpy", "auto"])  # auto: C where it is built
@pytest.mark.parametrize(
    "data, said",
    [
        (
            (np.ones((4, 5)), np.eye(3)[[0, 1, 2, 0]]),
            r"X of shape \(4, 5\): the network takes rows of 6 inputs",
        ),
        ((np.ones(6), np.eye(3)[[0]]), r"X of shape \(6,\)"),
        ((np.ones((4, 6)), np.eye(2)[[0, 1, 1, 0]]), r"Y of shape \(4, 2\).*\(4, 3\)"),
        ((np.ones((4, 6)), np.array([0, 1, 2, 0])), r"Y of shape \(4,\).*\(4, 3\)"),
        ((np.ones((4, 6)), np.eye(3)[[0, 1, 2]]), r"Y of shape \(3, 3\).*\(4, 3\)"),
        ((np.ones((4, 6)), np.eye(3)[[0, 1, 2, 0]], np.ones(3)), r"sample_weight of shape \(3,\)"),
    ],
)
def test_trainer_evaluate_names_data_that_does_not_fit_the_network(data, said, engine):
    # It failed deep in NumPy ("operands could not be broadcast together", "matmul: Input
    # operand 1 has a mismatch"), naming neither the callback nor what did not fit.
    X = np.random.default_rng(0).random((30, 6))
    model = NielsenMLPClassifier((4,), epochs=1, engine=engine, callbacks=[Evaluates(data)])
    called = r"Evaluates \(on_epoch_end\) called trainer.evaluate with "
    with pytest.raises(CallbackError, match=called + said):
        model.fit(X, np.arange(30) % 3)


class _Epochs(Callback):
    """Counts the epochs that began, in the class: each fit calls copies of its callbacks."""

    begun = 0

    def on_epoch_begin(self, trainer):
        type(self).begun += 1


@pytest.mark.parametrize("dtype", ["datetime64[D]", "timedelta64[s]"])
def test_checkpoint_refuses_before_training_a_model_it_cannot_save(small_digits, tmp_path, dtype):
    # Checkpoint failed after the first epoch, when it wrote; a longer run lost that epoch.
    X, _, y, _ = small_digits
    _Epochs.begun = 0
    net = NielsenMLPClassifier(
        hidden_layer_sizes=(3,),
        epochs=3,
        random_state=0,
        callbacks=[_Epochs(), Checkpoint(tmp_path / "net{epoch}.json")],
    )
    with pytest.raises(
        ValueError,
        match=rf"Checkpoint cannot save this model: Cannot save class labels of dtype "
        rf"{re.escape(dtype)}: .*y\.astype\(str\)",
    ):
        net.fit(X, (y % 3).astype(dtype))
    assert _Epochs.begun == 0
    assert list(tmp_path.iterdir()) == []


def test_a_refusal_to_save_carries_its_reason_which_checkpoint_says(small_digits, tmp_path):
    # Checkpoint found the reason by cutting "Cannot save this model: " off the
    # message; the refusal now carries it (UnsavableModelError.reason).
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(hidden_layer_sizes=(3,), epochs=1, random_state=0).fit(X, y)
    huge = copy.deepcopy(net)
    huge.coefs_[0][:] = 1e307  # finite, and refused by every save: predictions can overflow
    with pytest.raises(UnsavableModelError) as refused:
        sknielsen.save(huge, tmp_path / "net.json")
    reason = refused.value.reason
    assert reason.startswith("fitted.coefs[0] and fitted.intercepts[0] are so large")
    assert str(refused.value) == f"Cannot save this model: {reason}"
    with pytest.raises(UnsavableModelError, match="its parameters are invalid: The 'eta'"):
        sknielsen.save(copy.deepcopy(net).set_params(eta=-1.0), tmp_path / "net.json")
    huge.set_params(callbacks=[Checkpoint(tmp_path / "net{epoch}.json")])
    with pytest.raises(
        UnsavableModelError,
        match=r"^Checkpoint cannot save this model: fitted.coefs\[0\] and fitted.intercepts\[0\] "
        r"are so large",
    ) as refused:
        huge.partial_fit(X, y)
    assert refused.value.reason.startswith("fitted.coefs[0] and fitted.intercepts[0]")
    assert list(tmp_path.iterdir()) == []
    # The other refusal a save's docstring names, catchable by its public name too.
    with pytest.raises(NotARegularFileError, match="it is a directory"):
        sknielsen.save(net, tmp_path)


def test_a_callback_that_saves_can_check_before_training(small_digits, tmp_path):
    """``trainer.check_save()``, which Checkpoint calls in on_train_begin, serves any callback."""
    X, _, y, _ = small_digits

    class SaveAtTheEnd(Callback):
        def on_train_begin(self, trainer):
            trainer.check_save()

        def on_train_end(self, trainer):
            trainer.save(tmp_path / "net.json")

    net = NielsenMLPClassifier(hidden_layer_sizes=(3,), epochs=1, callbacks=[SaveAtTheEnd()])
    with pytest.raises(ValueError, match=r"Cannot save class labels of dtype datetime64\[D\]"):
        net.fit(X, (y % 3).astype("datetime64[D]"))
    net.fit(X, y % 3)
    assert sknielsen.load(tmp_path / "net.json").n_iter_ == 1
    assert list(tmp_path.iterdir()) == [tmp_path / "net.json"]


@pytest.mark.parametrize("engine", ["numpy", "c"])
def test_built_in_batch_hooks_are_spared_the_checks_and_subclasses_are_not(
    engine, small_digits, monkeypatch
):
    # The checks after a hook cost some microseconds at every mini-batch: ProgressBar's
    # and MonitorEvery's own on_batch_end only read the trainer and are spared them; a
    # subclass that redefines the hook is checked like any callback.
    from sknielsen.training import _loop

    X, X_val, y, y_val = small_digits
    checked = []
    original = _loop.Trainer._check_callback

    def counting(trainer, lengths):
        checked.append(trainer._calling[1])
        return original(trainer, lengths)

    monkeypatch.setattr(_loop.Trainer, "_check_callback", counting)
    spared = [
        ProgressBar(stream=io.StringIO()),
        MonitorEvery(50, (X_val, np.eye(3)[y_val]), {}),
    ]
    NielsenMLPClassifier((4,), epochs=2, engine=engine, callbacks=spared).fit(X, y)
    assert "on_batch_end" not in checked and "on_epoch_end" in checked

    class Meddling(ProgressBar):
        def on_batch_end(self, trainer):
            super().on_batch_end(trainer)
            trainer.penalty.lmbda = -1.0

    net = NielsenMLPClassifier((4,), epochs=2, engine=engine, callbacks=[Meddling(io.StringIO())])
    with pytest.raises(CallbackError, match=r"Meddling \(on_batch_end\) set trainer.penalty.lmbda"):
        net.fit(X, y)


class WritesEtaInState(Callback):
    """A schedule of one's own, writing the optimizer's state as the docs allow."""

    def on_epoch_end(self, trainer):
        trainer.state["eta"] = trainer.eta / 2


@pytest.mark.parametrize(
    "schedule",
    [
        {"callbacks": [StepDecay(step_size=1)]},
        {"callbacks": [ExponentialDecay()]},
        {"callbacks": [InverseScaling()]},
        {"callbacks": [WritesEtaInState()]},
        {"schedule": "halve_on_plateau", "n_iter_no_change": 1, "epochs": 12},
    ],
    ids=["StepDecay", "ExponentialDecay", "InverseScaling", "state", "shorthand"],
)
def test_a_schedule_with_an_optimizer_that_ignores_eta_is_warned_once(schedule, small_digits):
    """L-BFGS chooses its own steps: a change of eta would silently do nothing."""
    X, _, y, _ = small_digits
    settings = {"epochs": 4, **schedule}
    net = NielsenMLPClassifier((5,), optimizer="lbfgs", random_state=0, **settings)
    with pytest.warns(UserWarning, match=r"LBFGS does not read") as record:
        net.fit(X, y)
    ignored = [w for w in record if "does not read" in str(w.message)]
    assert len(ignored) == 1 and "changed the learning rate" in str(ignored[0].message)
    assert ignored[0].filename == __file__  # the user's line, not the library's
    with warnings.catch_warnings():  # an optimizer that steps by eta: nothing to say
        warnings.simplefilter("error")
        net.set_params(optimizer="sgd").fit(X, y)


class SetsCounter(Callback):
    """Writes one of the trainer's counters in one hook."""

    def __init__(self, counter="epoch", value=100, hook="on_epoch_end"):
        self.counter = counter
        self.value = value
        self.hook = hook

    def on_epoch_end(self, trainer):
        if self.hook == "on_epoch_end":
            setattr(trainer, self.counter, self.value)

    def on_batch_end(self, trainer):
        if self.hook == "on_batch_end":
            setattr(trainer, self.counter, self.value)


@pytest.mark.parametrize(
    ("counter", "value", "hook"),
    [
        ("epoch", 100, "on_epoch_end"),
        ("samples_seen", -5, "on_epoch_end"),
        ("epochs_run", 0, "on_epoch_end"),
        ("n_samples", 7, "on_batch_end"),
        ("samples_in_epoch", 0, "on_batch_end"),
    ],
)
def test_a_callback_that_changes_the_trainers_counters_is_refused(
    small_digits, counter, value, hook
):
    # trainer.epoch = 100 left n_iter_ 100 beside 3 losses (and StepDecay read it);
    # samples_seen = -5 fitted a model that save then refused.
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(
        (5,), epochs=3, random_state=0, callbacks=[SetsCounter(counter, value, hook)]
    )
    with pytest.raises(CallbackError, match=rf"SetsCounter \({hook}\) changed trainer\.{counter} "):
        net.fit(X, y)
    assert not hasattr(net, "coefs_")


class BytesPath:
    """An ``os.PathLike`` of one's own whose ``__fspath__`` gives bytes, as Python allows."""

    def __init__(self, path):
        self.path = os.fsencode(path)

    def __fspath__(self):
        return self.path


def test_the_file_writers_take_a_path_like_object_of_bytes(small_digits, tmp_path):
    # Their paths are str or path-like objects: a CSVLogger appending failed inside pathlib
    # ("argument should be a str object or an os.PathLike object returning str"), and a
    # Checkpoint refused it as no "non-empty file name".
    X, _, y, _ = small_digits
    log, model = tmp_path / "log.csv", tmp_path / "net-{epoch}.json"
    callbacks = [CSVLogger(BytesPath(log), append=True), Checkpoint(BytesPath(model))]
    net = NielsenMLPClassifier((5,), epochs=2, random_state=0, callbacks=callbacks)
    net.fit(X, y).fit(X, y)  # the second fit appends, reading the log
    assert len(log.read_text().splitlines()) == 5
    assert sknielsen.load(tmp_path / "net-2.json").n_iter_ == 2
    with pytest.raises(ValueError, match="write one file"):
        net.set_params(callbacks=[CSVLogger(BytesPath(log)), CSVLogger(log)]).fit(X, y)


@pytest.mark.parametrize(
    "pair",
    [
        lambda path: [Checkpoint(path), CSVLogger(path)],
        lambda path: [CSVLogger(path), CSVLogger(path)],
        lambda path: [Checkpoint(path), Checkpoint(path, best_only=True)],
        lambda path: [CSVLogger(path), CSVLogger(os.path.join(os.path.dirname(path), ".", "out"))],
        lambda path: [Checkpoint(path + "-{epoch}"), CSVLogger(path + "-2")],
        lambda path: [Checkpoint(path + "-{epoch:03d}"), Checkpoint(path + "-002", best_only=True)],
        lambda path: [Checkpoint(path + "{{x}}"), CSVLogger(path + "{x}")],
    ],
    ids=[
        "checkpoint and logger",
        "two loggers",
        "two checkpoints",
        "one file, two spellings",
        "an epoch's file",
        "a padded epoch's file",
        "braces written as {{ }}",
    ],
)
def test_two_callbacks_writing_one_file_are_refused_before_training(small_digits, tmp_path, pair):
    # The log overwrote the checkpoint each epoch: the model was lost, without a word. The
    # paths were compared as written: a Checkpoint's template and the names it writes
    # ("out-{epoch}" writes "out-2", "out{{x}}" writes "out{x}") were other files.
    X, _, y, _ = small_digits
    path = str(tmp_path / "out")
    net = NielsenMLPClassifier((5,), epochs=2, random_state=0, callbacks=pair(path))
    with pytest.raises(ValueError, match=r"callbacks\[0\] .* and callbacks\[1\] .* write one file"):
        net.fit(X, y)
    assert list(tmp_path.iterdir()) == []
    net.set_params(
        callbacks=[
            Checkpoint(str(tmp_path / "a")),
            CSVLogger(str(tmp_path / "b")),
            Checkpoint(str(tmp_path / "c-{epoch:02d}")),
            CSVLogger(str(tmp_path / "c-2")),  # not an epoch's file: that is c-02
            Checkpoint(str(tmp_path / "d{{x}}")),
            CSVLogger(str(tmp_path / "d{{x}}")),  # a log's name is no template
        ]
    )
    net.fit(X, y)
    models = [sknielsen.load(tmp_path / name) for name in ("a", "c-02", "d{x}")]
    assert [model.n_iter_ for model in models] == [2, 2, 2]


@pytest.mark.parametrize(
    "make",
    [
        lambda folder: EarlyStopping(monitor="validaton_accuracy"),
        lambda folder: Checkpoint(str(folder / "m.json"), best_only=True, monitor="accuracy"),
        lambda folder: HalveOnPlateau(monitor="nope"),
    ],
    ids=["EarlyStopping", "Checkpoint", "HalveOnPlateau"],
)
def test_a_watched_key_no_epoch_records_is_refused_before_training(small_digits, tmp_path, make):
    # "Nothing was recorded under 'validaton_accuracy' in epoch 1": an epoch late. The
    # history holds its own keys only (a callback adding one is refused).
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier((3,), epochs=2, random_state=0, callbacks=[make(tmp_path)])
    with pytest.raises(ValueError, match=r"callbacks\[0\] .* watches '\w+', which no epoch"):
        net.fit(X, y)
    assert list(tmp_path.iterdir()) == [] and not hasattr(net, "coefs_")


class WatchesTwo(Callback):
    def watched(self):
        return ["validation_cost", "loss"]


class WatchesATuple(WatchesTwo):
    def watched(self):
        return ("validation_cost",)


@pytest.mark.parametrize("callback", [WatchesTwo(), WatchesATuple()])
def test_a_watched_key_that_is_no_string_is_refused_before_training(small_digits, callback):
    # A list failed as "unhashable type: 'list'" in the run's set-up; a tuple was ignored,
    # and the key never recorded.
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier((3,), epochs=2, random_state=0, callbacks=[callback])
    with pytest.raises(ValueError, match=r"\.watched\(\) returned .*; it returns one history"):
        net.fit(X, y)


@pytest.mark.parametrize("engine", ["numpy", "c"])
def test_an_interrupt_after_an_epochs_hooks_keeps_that_epoch(small_digits, monkeypatch, engine):
    # Ctrl-C landing after epoch 2's on_epoch_end hooks, while its snapshot was taken, rolled
    # the model back to epoch 1, though the table had printed epoch 2 (a flaky CLI test).
    from sknielsen.training import _loop

    original, calls = _loop.Trainer._snapshot, []

    def interrupted_third(trainer):
        calls.append(trainer.epoch)
        if len(calls) == 3:  # at the start, after epoch 1, after epoch 2
            raise KeyboardInterrupt
        return original(trainer)

    monkeypatch.setattr(_loop.Trainer, "_snapshot", interrupted_third)
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier((4,), epochs=5, engine=engine, random_state=0)
    with pytest.warns(
        UserWarning, match="Training interrupted; the model holds the weights after epoch 2"
    ):
        net.fit(X, y)
    assert net.n_iter_ == 2 and len(net.loss_curve_) == 2


def test_early_stopping_in_partial_fit_says_it_cannot_go_back_to_an_earlier_calls_epoch():
    # Each partial_fit trains one epoch: once patience ran out, the call stopped nothing,
    # kept its own epoch's weights, and best_epoch_ named an earlier call's epoch (0.898
    # validation accuracy) as if the model held it (0.879), without a word.
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = X / 16
    net = NielsenMLPClassifier((10,), eta=3.0, early_stopping=2, random_state=0)
    said = []
    # Patience runs out at the 10th call on one processor and engine, the 14th on another:
    # the scores part at the sixth epoch, by rounding (BLAS kernels differ by processor).
    for _ in range(30):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            net.partial_fit(X[:1200], y[:1200], classes=range(10), X_val=X[1200:], y_val=y[1200:])
        said += [(net.n_iter_, str(w.message)) for w in caught if "EarlyStopping" in str(w.message)]
        if said:
            break
    assert said, "no word"
    epoch, message = said[0]
    scores = net.history_["validation_accuracy"][:epoch]
    best = scores.index(max(scores))
    assert message.startswith(
        f"EarlyStopping's patience ran out at epoch {epoch}: validation_accuracy has not "
        f"improved since epoch {best + 1}, which an earlier partial_fit trained past"
    )
    assert f"the model holds epoch {epoch}'s weights" in message
    # Within one call, or one fit, the best epoch is restored without a word.
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="EarlyStopping's patience")
        NielsenMLPClassifier((10,), eta=3.0, early_stopping=2, epochs=12, random_state=0).fit(
            X[:1200], y[:1200], X_val=X[1200:], y_val=y[1200:]
        )


def test_keep_best_of_weights_a_callback_made_nan_keeps_the_epoch_before(small_digits):
    X, _, y, _ = small_digits

    class SpoilsThenKeeps(Callback):
        def on_epoch_end(self, trainer):
            if trainer.epoch == 2:
                trainer.network.params[0] = np.nan
                trainer.keep_best()  # not remembered: the weights are not finite

    net = NielsenMLPClassifier((2,), epochs=3, random_state=0, callbacks=[SpoilsThenKeeps()])
    with pytest.warns(UserWarning, match=r"SpoilsThenKeeps left non-finite weights .* epoch 1"):
        net.fit(X, y)
    assert net.n_iter_ == 1 and np.isfinite(net.coefs_[0]).all()


def test_counters_rewritten_to_their_own_values_are_no_change(small_digits):
    # New objects of the same type and value: not a callback's change of the counts.
    X, _, y, _ = small_digits

    class Rewrites(Callback):
        def on_epoch_end(self, trainer):
            trainer.samples_seen = trainer.samples_seen + 0
            trainer.epoch = int(str(trainer.epoch))

    net = NielsenMLPClassifier((2,), epochs=2, random_state=0, callbacks=[Rewrites()])
    assert net.fit(X, y).n_iter_ == 2


def test_a_plugin_holding_a_function_trains_and_a_callback_may_set_another(small_digits):
    import math

    from sknielsen.plugins import L2

    class Shrinks(L2):
        def __init__(self, shrink=math.sqrt):
            self.shrink = shrink

    X, _, y, _ = small_digits
    net = NielsenMLPClassifier((2,), epochs=2, regularizer=Shrinks(), lmbda=0.1, random_state=0)
    assert net.fit(X, y).n_iter_ == 2

    class Replaces(Callback):  # a valid value: the next step uses it
        def on_epoch_end(self, trainer):
            trainer.penalty.regularizer.shrink = math.exp

    assert clone(net).set_params(callbacks=[Replaces()]).fit(X, y).regularizer_.shrink is math.exp


def test_adam_s_moment_replaced_by_a_list_is_refused_as_the_state_s_layout(small_digits):
    X, _, y, _ = small_digits

    class ListsV(Callback):
        def on_epoch_end(self, trainer):
            trainer.state["v"] = trainer.state["v"].tolist()

    net = NielsenMLPClassifier((2,), epochs=2, optimizer="adam", eta=0.001, callbacks=[ListsV()])
    with pytest.raises(
        CallbackError, match=r"ListsV \(on_epoch_end\) left the optimizer's state 'v' as list"
    ):
        net.fit(X, y)


class StopsFromTheOptimizer(Optimizer):
    """Plain SGD that raises StopTraining at its first step of the second epoch."""

    def init(self, params):
        return {"steps": np.zeros(1)}

    def update(self, grads, state, params):
        state["steps"] += 1
        if state["steps"][0] > 9:  # 90 rows, mini-batches of 10: one epoch is 9 steps
            raise StopTraining
        grads *= -state["eta"]
        return grads, state


class StopsFromTheSolver(LBFGS):
    """L-BFGS that raises StopTraining after its first iteration, within the second."""

    def minimize(self, objective, params, state, iterations, iteration_done):
        iteration_done()
        raise StopTraining


@pytest.mark.parametrize("optimizer", [StopsFromTheOptimizer, StopsFromTheSolver])
def test_a_plugin_that_raises_stop_training_is_named_with_the_work_it_dropped(optimizer):
    # Only a callback's StopTraining was said: one from a plugin's step ended the fit
    # in silence, the second epoch's steps dropped, as if it had completed.
    X, y = np.random.default_rng(0).random((90, 4)), np.arange(90) % 3
    net = NielsenMLPClassifier((3,), epochs=3, optimizer=optimizer())
    message = (
        r"StopTraining was raised outside the callbacks \(by a plugin\) during epoch 2, "
        r"whose steps so far are dropped; the model holds the weights after epoch 1\."
    )
    with pytest.warns(UserWarning, match=message):
        net.fit(X, y)
    assert net.n_iter_ == 1
