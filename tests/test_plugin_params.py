"""Plugins and callbacks validate their hyper-parameters declaratively (issue 13, item 6).

Every class lists its constraints in ``_parameter_constraints`` with
scikit-learn's constraint objects; the estimator checks them at fit time and
names each invalid value by the path a user writes in a search.
"""

import math
import re

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError, make_constraint

from sknielsen import NielsenMLPClassifier, callbacks, plugins
from sknielsen.augment import expand
from sknielsen.plugins import LBFGS, Adam, Compose, Elastic, Newton, Rotate, Shift

NAN, INF = math.nan, math.inf

#: Values each constraint must refuse, by plugin kind and hyper-parameter.
BAD_PLUGIN_VALUES = {
    ("optimizer", "mu"): ["abc", -0.1, 1.5, NAN, None],
    ("optimizer", "beta1"): [1.0, -0.1, NAN],
    ("optimizer", "beta2"): [1.0, "0.9"],
    ("optimizer", "epsilon"): [0.0, -1e-8, INF, NAN],
    ("optimizer", "damping"): [0.0, INF, NAN],
    ("optimizer", "max_params"): [0, 2.5],
    ("optimizer", "memory"): [0, -1, 2.5, "10"],
    ("optimizer", "tol"): [-1.0, INF, NAN],
    ("augmenter", "max_degrees"): [NAN, -1.0, 181.0, INF, "15"],
    ("augmenter", "max_pixels"): [-5, 1.5, NAN, 10**20],
    ("augmenter", "alpha"): [-1.0, INF, NAN],
    ("augmenter", "sigma"): [-1.0, INF],
    ("augmenter", "augmenters"): ["rotate", None, 5],
}

#: The path under which users reach each kind's hyper-parameters.
PATHS = {"augmenter": "augment__"}


def registered_plugins():
    return [
        pytest.param(kind, name, id=f"{kind}-{name}")
        for kind in plugins.kinds()
        for name in plugins.available(kind)
    ]


def allowed_descriptions(constraints):
    return [str(make_constraint(c)) for c in constraints if not make_constraint(c).hidden]


def assert_refused(obj, param, value, path, owner="NielsenMLPClassifier"):
    """``obj`` with ``param=value`` is refused naming ``path + param`` and what is allowed."""
    obj.set_params(**{param: value})
    with pytest.raises(InvalidParameterError) as error:
        obj.validate(path, owner)
    message = str(error.value)
    assert f"'{path}{param}' parameter of {owner}" in message
    for allowed in allowed_descriptions(type(obj)._parameter_constraints[param]):
        assert allowed in message


@pytest.mark.parametrize("kind, name", registered_plugins())
def test_every_registered_plugin_validates_its_hyper_parameters(kind, name):
    cls = plugins.get_class(kind, name)
    path = PATHS.get(kind, f"{kind}__")
    cls().validate(path, "NielsenMLPClassifier")  # the defaults are valid
    assert set(cls._parameter_constraints) == set(cls._get_param_names())
    for param in cls._parameter_constraints:
        bad_values = BAD_PLUGIN_VALUES[(kind, param)]
        for value in bad_values:
            assert_refused(cls(), param, value, path)


#: One valid instance of each built-in callback, and values each constraint must refuse.
CALLBACKS = [
    (
        callbacks.EarlyStopping(),
        {
            "monitor": [3],
            "patience": [0, 1.5],
            "min_delta": [-1.0, NAN, INF],
            "restore_best": ["yes"],
            "mode": ["bogus", None],
        },
    ),
    (
        callbacks.HalveOnPlateau(),
        {
            "monitor": [None],
            "patience": [0],
            "factor": [0.0, 1.0, 1.5, NAN],
            "min_fraction": [0.0, 1.5],
            "mode": ["maximum"],
        },
    ),
    (callbacks.StepDecay(), {"step_size": [0, 2.5], "gamma": [0.0, -1.0, INF]}),
    (callbacks.ExponentialDecay(), {"gamma": [0.0, NAN]}),
    (callbacks.InverseScaling(), {"power_t": [-0.5, INF]}),
    (
        callbacks.Checkpoint("model.json"),
        {
            "path": [3, None],
            "every": [0],
            "best_only": ["no"],
            "monitor": [1],
            "mode": ["x"],
        },
    ),
    (callbacks.CSVLogger("history.csv"), {"path": [None], "append": [1], "separator": [1]}),
    (
        callbacks.ProgressBar(),
        {"stream": ["stdout"], "width": [0], "leave": ["yes"], "score": ["R2"]},
    ),
    (
        callbacks.Monitor(),
        {
            "monitor": ["all"],
            "train_data": [[1]],
            "validation_data": ["x"],
            "score": ["f"],
        },
    ),
    (
        callbacks.VerbosePrinter(),
        {"epochs": [0], "print_fn": ["print"], "header": ["yes"], "score": ["R2"]},
    ),
    (
        callbacks.MonitorEvery(validation_data=(np.zeros((1, 2)), np.eye(2)[:1]), record={}),
        {
            "every": [0],
            "validation_data": ["x"],
            "record": [[]],
            "score": [1],
        },
    ),
]


def test_every_built_in_callback_is_in_the_table():
    built_in = {
        getattr(callbacks, name)
        for name in callbacks.__all__
        if isinstance(getattr(callbacks, name), type)
        and issubclass(getattr(callbacks, name), callbacks.Callback)
    }
    assert {type(callback) for callback, _ in CALLBACKS} == built_in - {callbacks.Callback}


@pytest.mark.parametrize(
    "callback, bad", CALLBACKS, ids=[type(callback).__name__ for callback, _ in CALLBACKS]
)
def test_every_built_in_callback_validates_its_parameters(callback, bad):
    callback.validate("callbacks[0].", "NielsenMLPClassifier")
    assert set(type(callback)._parameter_constraints) == set(bad)
    assert set(bad) == set(callback._get_param_names())
    for param, values in bad.items():
        for value in values:
            assert_refused(callback.__sklearn_clone__(), param, value, "callbacks[0].")


@pytest.fixture(scope="module")
def tiny(small_digits):
    X, _, y, _ = small_digits
    return X[:60], y[:60]


ISSUE_EXAMPLES = [
    ({"optimizer": "momentum", "optimizer__mu": "abc"}, r"'optimizer__mu'.*\[0\.0, 1\.0\]"),
    ({"optimizer": LBFGS(memory=0)}, r"'optimizer__memory'.*\[1, 1000\]"),
    ({"optimizer": "lbfgs", "optimizer__memory": -1}, r"'optimizer__memory'.*\[1, 1000\]"),
    ({"optimizer": Adam(epsilon=INF)}, r"'optimizer__epsilon'.*\(0\.0, inf\)"),
    ({"optimizer": "newton", "optimizer__damping": 0.0}, r"'optimizer__damping'.*\(0\.0, inf\)"),
    ({"augment": Rotate(max_degrees=NAN)}, r"'augment__max_degrees'.*\[0\.0, 180\.0\]"),
    ({"augment": "shift", "augment__max_pixels": -5}, r"'augment__max_pixels'.*\[0, 2147483647\]"),
    ({"augment": ["rotate", Shift(max_pixels=-5)]}, r"'augment\[1\]\.max_pixels'"),
    (
        {"augment": Compose(augmenters=(Elastic(sigma=-1.0),))},
        r"'augment__augmenters\[0\]\.sigma'.*\[0\.0, inf\)",
    ),
    (
        {"augment": "compose", "augment__augmenters": ("rotate", "bogus")},
        r"'augment__augmenters\[1\]'.*Unknown augmenter 'bogus'",
    ),
    ({"augment": "rotate", "image_shape": (-8, -8)}, r"'image_shape'.*\[1, inf\)"),
    ({"image_shape": (8, 8.5)}, r"'image_shape'.*\[1, inf\)"),
    ({"callbacks": [callbacks.EarlyStopping(patience=0)]}, r"'callbacks\[0\]\.patience'"),
    (
        {"callbacks": [callbacks.StepDecay(), callbacks.HalveOnPlateau(factor=1.0)]},
        r"'callbacks\[1\]\.factor'.*\(0\.0, 1\.0\)",
    ),
    (
        {"callbacks": [callbacks.EarlyStopping(mode="bogus")]},
        r"'callbacks\[0\]\.mode'.*a str among .*'auto'",
    ),
]


@pytest.mark.parametrize("params, match", ISSUE_EXAMPLES)
def test_bad_hyper_parameters_are_refused_at_fit_by_their_path(params, match, tiny):
    net = NielsenMLPClassifier(epochs=1).set_params(**params)
    with pytest.raises(InvalidParameterError, match=match):
        net.fit(*tiny)


@pytest.mark.parametrize("augment", [None, ["rotate", "shift"]])
def test_nested_names_without_a_plugin_are_refused_in_set_params(augment):
    net = NielsenMLPClassifier(augment=augment)
    with pytest.raises(InvalidParameterError, match=r"augment__max_degrees.*'augment'.*no hyper"):
        net.set_params(augment__max_degrees=5.0)
    with pytest.raises(InvalidParameterError, match="augment__max_degrees"):
        net.set_params(augment=None, augment__max_degrees=5.0)
    assert net.augment == augment  # nothing was changed


def test_data_dependent_refusals_stay_with_the_plugin(tiny):
    net = NielsenMLPClassifier(hidden_layer_sizes=(5,), optimizer=Newton(max_params=10), epochs=1)
    with pytest.raises(ValueError, match="optimizer__max_params"):
        net.fit(*tiny)


@pytest.mark.parametrize(
    "grid, match",
    [
        ({"optimizer": ["momentum"], "optimizer__mu": [0.5, "abc"]}, r"'optimizer__mu'"),
        ({"optimizer": ["lbfgs"], "optimizer__memory": [0]}, r"'optimizer__memory'"),
        ({"augment": [None], "augment__max_degrees": [5.0]}, r"augment__max_degrees"),
        ({"callbacks": [[callbacks.StepDecay(gamma=0.0)]]}, r"'callbacks\[0\]\.gamma'"),
    ],
)
def test_grid_search_reports_the_path(grid, match, tiny):
    net = NielsenMLPClassifier(epochs=3, random_state=0)  # seeded, and its cost falls: no warning
    search = GridSearchCV(net, grid, cv=2, error_score="raise")
    with pytest.raises(InvalidParameterError, match=match):
        search.fit(*tiny)


def test_grid_search_over_valid_hyper_parameters_fits(tiny):
    grid = {"optimizer": [Adam()], "optimizer__epsilon": [1e-8, 1e-6]}
    search = GridSearchCV(NielsenMLPClassifier(epochs=1, eta=0.01), grid, cv=2)
    search.fit(*tiny)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


def test_expand_validates_like_the_estimator(tiny):
    X, y = tiny
    with pytest.raises(InvalidParameterError, match=r"'augment__max_degrees' parameter of expand"):
        expand(X, y, Rotate(max_degrees=NAN))
    with pytest.raises(InvalidParameterError, match=r"'image_shape' parameter of expand"):
        expand(X, y, image_shape=(-8, -8))
    with pytest.raises(InvalidParameterError, match=r"'image_shape' parameter of expand"):
        expand(X, y, image_shape=(True, X.shape[1]))


class Free(plugins.Optimizer):
    """A third-party plugin that declares no constraints."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def update(self, grads, state, params):
        grads *= -state["eta"] * self.gain
        return grads, state


def test_plugins_without_constraints_are_not_validated(tiny):
    plugins.register("optimizer", "test_free")(Free)
    try:
        Free(gain="anything").validate("optimizer__")
        net = NielsenMLPClassifier(optimizer="test_free", epochs=1).set_params(optimizer__gain=0.5)
        net.fit(*tiny)
        assert net.optimizer_.gain == 0.5
    finally:
        plugins._registry._REGISTRY["optimizer"].pop("test_free")


def test_register_refuses_constraints_on_unknown_parameters():
    class Typo(Free):
        _parameter_constraints = {"gian": [float]}

    with pytest.raises(TypeError, match=re.escape("names ['gian']")):
        plugins.register("optimizer", "test_typo")(Typo)
    assert "test_typo" not in plugins.available("optimizer")


class ScaledTanh(plugins.Tanh):
    """A tanh that scales each hidden unit's input by its own factor."""

    def __init__(self, scales=None):
        self.scales = scales

    def fn(self, z, out=None):
        return np.tanh(z * self.scales, out=out)

    def derivative(self, z, a):
        return self.scales * (1 - a * a)


def test_array_hyper_parameters_train_and_compare_by_value(tiny):
    # The fit trained, then ended in NumPy's "truth value of an array is ambiguous":
    # the fitted activation was compared with the parameter's by ==.
    scales = np.linspace(0.5, 1.5, 4)
    net = NielsenMLPClassifier((4,), activation=ScaledTanh(scales), epochs=1).fit(*tiny)
    assert net.n_iter_ == 1
    assert ScaledTanh(scales) == ScaledTanh(scales.copy())
    assert ScaledTanh(scales) != ScaledTanh(scales[::-1].copy())
    assert ScaledTanh(scales) != ScaledTanh(scales[:2].copy())
    assert ScaledTanh([1.0, np.nan]) == ScaledTanh([1.0, np.nan])


class MomentumOfClassMu(plugins.Optimizer):
    """Its constructor forgets ``mu``, and a class attribute of that name answers instead."""

    mu = 0.3

    def __init__(self, mu=0.3):
        pass

    def update(self, grads, state, params):
        return -state["eta"] * self.mu * grads, state


def test_an_argument_left_to_a_class_attribute_is_refused(tiny):
    # It trained with mu=0.3 whatever was given; save then refused the model, saying
    # the constructor "stores a copy of its argument".
    with pytest.raises(TypeError, match=r"takes 'mu' but stores no attribute .*class attribute"):
        NielsenMLPClassifier(optimizer=MomentumOfClassMu(mu=0.9), epochs=1).fit(*tiny)


class ReadOnlyMu(plugins.Momentum):
    def __init__(self, mu=0.9):
        self._mu = mu

    @property
    def mu(self):
        return self._mu


class SettableMu(ReadOnlyMu):
    @ReadOnlyMu.mu.setter
    def mu(self, value):
        self._mu = value


class SlottedMu(plugins.Momentum):
    __slots__ = ("mu",)


def test_a_hyper_parameter_without_a_setter_is_refused_at_fit_and_register(tiny):
    # It trained; set_params and GridSearchCV then raised Python's AttributeError, and
    # save refused the model as "not a valid model file (AttributeError(...))".
    message = r"ReadOnlyMu\.mu is a property without a setter"
    with pytest.raises(TypeError, match=message):
        NielsenMLPClassifier(optimizer=ReadOnlyMu(mu=0.5), epochs=1).fit(*tiny)
    with pytest.raises(TypeError, match=message):
        plugins.register("optimizer", "test_read_only_mu")(ReadOnlyMu)
    assert "test_read_only_mu" not in plugins.available("optimizer")
    for optimizer in (SettableMu(mu=0.5), SlottedMu(mu=0.5)):
        net = NielsenMLPClassifier(optimizer=optimizer, epochs=1).fit(*tiny)
        assert net.set_params(optimizer__mu=0.25).optimizer.mu == 0.25


class KindOfNormal(plugins.Initializer):
    """An initializer whose hyper-parameter is named as a plugin's kind."""

    def __init__(self, kind="normal"):
        self.kind = kind

    def __call__(self, fan_in, fan_out, rng, dtype):
        weights = rng.standard_normal((fan_in, fan_out)).astype(dtype) / np.sqrt(fan_in)
        return weights, np.zeros(fan_out, dtype)


class NamedLayers(KindOfNormal):
    def __init__(self, name="layers"):
        self.name = name


@pytest.mark.parametrize("cls, reserved", [(KindOfNormal, "kind"), (NamedLayers, "name")])
def test_a_hyper_parameter_named_kind_or_name_is_refused_at_fit_and_register(tiny, cls, reserved):
    # It trained, then save said "The uniform KindOfNormal is not registered" (its kind
    # read 'uniform'): the registry and model files read a plugin's kind and name.
    message = rf"^{cls.__name__} takes a hyper-parameter named '{reserved}', .* initializer"
    with pytest.raises(TypeError, match=message):
        NielsenMLPClassifier(initializer=cls(), epochs=1).fit(*tiny)
    with pytest.raises(TypeError, match=message):
        plugins.register("initializer", f"test_{reserved}_param")(cls)
    assert f"test_{reserved}_param" not in plugins.available("initializer")


class Wrapper(plugins.Optimizer):
    """An optimizer that delegates to another, a hyper-parameter of its own."""

    def __init__(self, inner=None, scale=1.0):
        self.inner = inner
        self.scale = scale

    def init(self, params):
        return self.inner.init(params)

    def update(self, grads, state, params):
        return self.inner.update(grads, state, params)


def test_nested_plugins_are_set_by_the_path_their_errors_name(tiny):
    # validate named 'optimizer__inner__mu', which set_params refused ("Invalid
    # parameter 'inner__mu' for optimizer Wrapper"), so no search could reach it.
    net = NielsenMLPClassifier(optimizer=Wrapper(plugins.Momentum()), epochs=1)
    with pytest.raises(InvalidParameterError, match="'optimizer__inner__mu'"):
        net.set_params(optimizer__inner__mu=1.5).fit(*tiny)
    assert net.set_params(optimizer__inner__mu=0.25).optimizer.inner.mu == 0.25
    search = GridSearchCV(net, {"optimizer__inner__mu": [0.0, 0.5]}, cv=2).fit(*tiny)
    assert search.best_params_["optimizer__inner__mu"] in (0.0, 0.5)
    assert net.optimizer.inner.mu == 0.25  # the search set clones
    with pytest.raises(ValueError, match=r"'scale__x' for optimizer Wrapper: its 'scale' is 1\.0"):
        net.set_params(optimizer__scale__x=1)
    with pytest.raises(ValueError, match=r"Invalid parameter 'nu' for optimizer 'momentum'"):
        net.set_params(optimizer__inner__nu=1)


def test_plugins_hash_whatever_their_hyper_parameters_hold():
    """A list or array hyper-parameter made hash() raise "unhashable type: 'list'".

    Equal plugins hash alike, and a plugin's hash does not change when
    set_params changes it: a set or dict holding it still finds it.
    """

    class Weighted(plugins.Activation):
        name = "weighted_hash_test"

        def __init__(self, weights=(1.0, 2.0)):
            self.weights = weights

        def fn(self, z):
            return z

        def prime(self, z, a):
            return np.ones_like(z)

    for weights in ([1.0, 2.0], np.array([1.0, 2.0]), {"a": 1}):
        plugin = Weighted(weights)
        assert hash(plugin) == hash(Weighted(weights))
        held = {plugin}
        plugin.set_params(weights=[3.0])
        assert plugin in held
    assert {Adam(beta1=0.8), Adam(beta1=0.8)} == {Adam(beta1=0.8)}
