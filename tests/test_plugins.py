"""Plugins against closed forms and finite differences; the registries."""

import contextlib
import copy
import re
import textwrap
from types import SimpleNamespace

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import expit
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from sknielsen import NielsenMLPClassifier, plugins
from sknielsen.plugins import (
    L1,
    L2,
    SGD,
    CrossEntropyCost,
    LogLikelihoodCost,
    Momentum,
    Nesterov,
    QuadraticCost,
    Sigmoid,
    Softmax,
)

EPS = 1e-6
ELEMENTWISE = ["sigmoid", "tanh", "relu", "identity"]


def numeric_derivative(f, x, eps=EPS):
    """Central differences of a scalar function of every entry of x."""
    grad = np.empty_like(x)
    for index in np.ndindex(*x.shape):
        original = x[index]
        x[index] = original + eps
        plus = f(x)
        x[index] = original - eps
        minus = f(x)
        x[index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


# -- the book's kinds and names ----------------------------------------------


def test_every_book_plugin_is_registered():
    assert set(plugins.kinds()) == {
        "activation",
        "augmenter",
        "cost",
        "initializer",
        "optimizer",
        "regularizer",
    }
    assert {"quadratic", "cross_entropy", "log_likelihood"} <= set(plugins.available("cost"))
    assert {"sigmoid", "tanh", "relu", "identity", "softmax"} <= set(
        plugins.available("activation")
    )
    assert {"none", "l2", "l1"} <= set(plugins.available("regularizer"))
    assert {"default", "large"} <= set(plugins.available("initializer"))
    assert {"sgd", "momentum", "nesterov"} <= set(plugins.available("optimizer"))


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown optimizer 'adamw'.*'momentum'.*'sgd'"):
        plugins.get("optimizer", "adamw")


@pytest.mark.parametrize(
    ("kind", "name", "hint"),
    [
        ("cost", "quadratc", "(did you mean 'quadratic'?)"),
        ("activation", "Sigmoid", "(did you mean 'sigmoid'?)"),
        ("optimizer", "SGD", "(did you mean 'sgd'?)"),
        ("activation", "logistic", "(scikit-learn's 'logistic' is 'sigmoid' here)"),
        ("cost", "squared_error", "(scikit-learn's 'squared_error' is 'quadratic' here)"),
    ],
)
def test_an_unknown_name_near_a_known_one_says_which(kind, name, hint):
    # A typo, another case, or scikit-learn's MLP's name for the same thing: the
    # message listed the known names only, and 'logistic' is none of them.
    with pytest.raises(ValueError, match=re.escape(f"Unknown {kind} {name!r} {hint}. Known")):
        plugins.get(kind, name)
    with pytest.raises(InvalidParameterError, match=re.escape(hint)):
        NielsenMLPClassifier(**{kind: name}, epochs=1).fit([[0.0], [1.0]], [0, 1])


def test_an_unknown_name_near_none_gets_no_hint():
    with pytest.raises(ValueError, match=r"Unknown cost 'hinge'\. Known cost names"):
        plugins.get("cost", "hinge")


def test_unknown_kind_lists_the_kinds():
    with pytest.raises(ValueError, match=r"Unknown plugin kind 'loss'.*cost"):
        plugins.get("loss", "quadratic")


def test_get_returns_fresh_instances_and_copies_given_ones():
    first, second = plugins.get("optimizer", "momentum"), plugins.get("optimizer", "momentum")
    assert first is not second and first == second
    mine = Momentum(mu=0.3)
    copied = plugins.get("optimizer", mine)
    assert copied == mine and copied is not mine
    copied.set_params(mu=0.7)
    assert mine.mu == 0.3


def test_get_refuses_objects_of_the_wrong_kind():
    with pytest.raises(TypeError, match="Expected an optimizer plugin; got the cost"):
        plugins.get("optimizer", QuadraticCost())
    with pytest.raises(TypeError, match="must be a name"):
        plugins.get("cost", 3)


def test_messages_use_the_article_of_the_kind():
    with pytest.raises(TypeError, match=r"^An augmenter must be a name"):
        plugins.get("augmenter", 3)
    with pytest.raises(TypeError, match=r"^A cost must be a name"):
        plugins.get("cost", 3)
    with pytest.raises(TypeError, match=r"^An initializer name must be a string"):
        plugins.get_class("initializer", 3)
    with pytest.raises(TypeError, match=r"^An activation plugin must be a subclass"):
        plugins.register("activation", "not_a_plugin")(object)
    with pytest.raises(ValueError, match=r"^An optimizer named 'sgd' is sknielsen's own"):
        plugins.register("optimizer", "sgd")(plugins.get_class("optimizer", "momentum"))


@pytest.mark.parametrize("replace", [False, True])
def test_a_built_in_name_cannot_be_taken(replace):
    # With replace=True it was: the user's class trained, and the model file, naming
    # 'sgd', loaded with sknielsen's SGD where it was not registered, and a search's
    # worker processes trained with sknielsen's while the parent used the user's.
    class MySGD(SGD):
        def update(self, grads, state, params):
            return -0.5 * state["eta"] * grads, state

    with pytest.raises(ValueError, match=r"'sgd' is sknielsen's own .*under another name"):
        plugins.register("optimizer", "sgd", replace=replace)(MySGD)
    assert plugins.get_class("optimizer", "sgd") is SGD


def test_a_name_in_the_class_body_other_than_the_registered_one_is_refused():
    # register kept the body's name: the class trained under 'test_bar', then save said
    # "The optimizer BodyNamed is not registered", as name_of looked for 'test_foo'.
    class BodyNamed(plugins.Optimizer):
        name = "test_foo"

        def update(self, grads, state, params):
            return -state["eta"] * grads, state

    with pytest.raises(ValueError, match=r"^BodyNamed sets name = 'test_foo' in its body"):
        plugins.register("optimizer", "test_bar")(BodyNamed)
    assert "test_bar" not in plugins.available("optimizer")
    try:  # registered under its body's name, it may take another as well
        plugins.register("optimizer", "test_foo")(BodyNamed)
        plugins.register("optimizer", "test_bar")(BodyNamed)
        assert plugins.name_of(BodyNamed()) == "test_foo"
    finally:
        for name in ("test_foo", "test_bar"):
            plugins._registry._REGISTRY["optimizer"].pop(name, None)


def test_register_and_refuse_duplicates():
    @plugins.register("optimizer", "test_halfstep")
    class HalfStep(plugins.Optimizer):
        def update(self, grads, state, params):
            grads *= -0.5 * state["eta"]
            return grads, state

    try:
        assert "test_halfstep" in plugins.available("optimizer")
        assert isinstance(plugins.get("optimizer", "test_halfstep"), HalfStep)
        assert plugins.name_of(HalfStep()) == "test_halfstep"
        with pytest.raises(ValueError, match="already registered"):
            plugins.register("optimizer", "test_halfstep")(type("Other", (SGD,), {}))
        with pytest.raises(TypeError, match=r"subclass of sknielsen.plugins.Cost"):
            plugins.register("cost", "test_wrong_base")(HalfStep)
    finally:
        plugins._registry._REGISTRY["optimizer"].pop("test_halfstep")


def test_register_refuses_varargs_and_bad_names():
    class Loose(plugins.Optimizer):
        def __init__(self, **kwargs):
            pass

    with pytest.raises(TypeError, match="explicitly"):
        plugins.register("optimizer", "test_loose")(Loose)
    with pytest.raises(ValueError, match="identifier"):
        plugins.register("optimizer", "os.system")


@pytest.mark.parametrize(
    ("constraints", "message"),
    [
        ({"rho": ["not-a-constraint"]}, r"\['rho'\]: Unknown constraint type"),
        ({"rho": "boolean"}, r"\['rho'\] is 'boolean'; give a list of constraints"),
        ({"nu": [None]}, r"names \['nu'\], which are not parameters of its __init__"),
    ],
)
def test_register_refuses_constraints_that_no_fit_could_check(constraints, message):
    # A constraint not in a list, or unknown to scikit-learn, passed register and failed
    # each fit with "'Interval' object is not iterable" or "Unknown constraint type".
    class Decaying(plugins.Optimizer):
        _parameter_constraints = constraints

        def __init__(self, rho=0.9):
            self.rho = rho

    with pytest.raises(TypeError, match=rf"Decaying\._parameter_constraints.*{message}"):
        plugins.register("optimizer", "test_decaying")(Decaying)
    assert "test_decaying" not in plugins.available("optimizer")


def test_entry_point_plugins_are_discovered(tmp_path, monkeypatch):
    """A really installed distribution (a .dist-info on sys.path) adds a plugin."""
    (tmp_path / "fancy_optim.py").write_text(
        textwrap.dedent(
            """
            from sknielsen.plugins import Optimizer

            class Fancy(Optimizer):
                def __init__(self, gain=2.0):
                    self.gain = gain

                def update(self, grads, state, params):
                    grads *= -state["eta"] * self.gain
                    return grads, state
            """
        )
    )
    with _installed(tmp_path, monkeypatch, "fancy-optim", "optimizer.fancy = fancy_optim:Fancy"):
        try:
            assert "fancy" in plugins.available("optimizer")
            fancy = plugins.get("optimizer", "fancy")
            assert type(fancy).__name__ == "Fancy" and fancy.gain == 2.0
            assert plugins.name_of(fancy) == "fancy"
        finally:
            plugins._registry._REGISTRY["optimizer"].pop("fancy", None)
    assert "fancy" not in plugins.available("optimizer")


@contextlib.contextmanager
def _installed(folder, monkeypatch, distribution, entry_point, *more):
    """Distributions really installed in ``folder`` (.dist-info on sys.path), for the block.

    ``more`` gives further distributions' names and entry points, alternately.
    """
    given = [distribution, entry_point, *more]
    for distribution, entry_point in zip(given[::2], given[1::2]):
        info = folder / f"{distribution.replace('-', '_')}-1.0.dist-info"
        info.mkdir()
        metadata = f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.0\n"
        (info / "METADATA").write_text(metadata)
        (info / "entry_points.txt").write_text(f"[sknielsen.plugins]\n{entry_point}\n")
    monkeypatch.syspath_prepend(str(folder))
    plugins.refresh_entry_points()
    try:
        yield
    finally:
        monkeypatch.undo()
        plugins.refresh_entry_points()


def test_an_entry_point_that_fails_to_load_says_why_at_every_lookup(tmp_path, monkeypatch):
    # The first lookup gave the import's reason; the second, "Unknown optimizer".
    entry_point = "optimizer.broken = no_such_module_here:Broken"
    with _installed(tmp_path, monkeypatch, "broken-optim", entry_point):
        for _ in range(2):
            with pytest.raises(ImportError, match=r"plugin 'broken' .*no_such_module_here"):
                plugins.get("optimizer", "broken")
    assert "broken" not in plugins.available("optimizer")  # forgotten with its distribution


def test_a_name_two_distributions_give_is_listed_as_ignored_for_one(tmp_path, monkeypatch):
    # One of them was loaded by the order of sys.path, and nothing said the other was not.
    for module in ("first_fancy", "second_fancy"):
        (tmp_path / f"{module}.py").write_text(
            "from sknielsen.plugins import SGD\n\nclass Fancy(SGD):\n    pass\n"
        )
    with _installed(
        tmp_path,
        monkeypatch,
        "first-fancy",
        "optimizer.fancy = first_fancy:Fancy",
        "second-fancy",
        "optimizer.fancy = second_fancy:Fancy",
    ):
        try:
            [(name, reason)] = plugins.ignored_entry_points()
            loaded = type(plugins.get("optimizer", "fancy")).__module__
            # Said after the lookup too, as `python -m sknielsen plugins` asks: it loads
            # every plugin before listing the ignored entry points.
            assert plugins.ignored_entry_points() == [(name, reason)]
        finally:
            plugins._registry._REGISTRY["optimizer"].pop("fancy", None)
    assert name == "optimizer.fancy"
    other = {"first_fancy": "second_fancy", "second_fancy": "first_fancy"}[loaded]
    assert reason == (
        f"{loaded.replace('_', '-')} gives it too ({loaded}:Fancy), and that one is loaded; "
        f"this one is {other}:Fancy"
    )


def test_plugin_params_follow_scikit_learn():
    momentum = Momentum(mu=0.5)
    assert momentum.get_params() == {"mu": 0.5}
    assert momentum.set_params(mu=0.8) is momentum and momentum.mu == 0.8
    assert clone(momentum) == momentum and clone(momentum) is not momentum
    with pytest.raises(ValueError, match=r"Invalid parameter 'nu'.*its parameters are: mu"):
        momentum.set_params(nu=1)
    assert repr(Nesterov(mu=0.1)) == "Nesterov(mu=0.1)"


def test_plugins_and_callbacks_print_their_changes_only_as_estimators_do():
    # They printed every parameter, nested in an estimator's repr that showed changes only.
    from sklearn import config_context

    from sknielsen.callbacks import EarlyStopping
    from sknielsen.plugins import Adam

    net = NielsenMLPClassifier(callbacks=[EarlyStopping(patience=3)], optimizer=Adam(beta1=0.8))
    assert "callbacks=[EarlyStopping(patience=3)]" in repr(net)
    assert "optimizer=Adam(beta1=0.8))" in repr(net)
    assert repr(Momentum()) == "Momentum()"
    assert repr(Momentum(mu=float("nan"))) == "Momentum(mu=nan)"
    with config_context(print_changed_only=False):
        assert repr(Adam(beta1=0.8)) == "Adam(beta1=0.8, beta2=0.999, epsilon=1e-08)"


# -- activations --------------------------------------------------------------


def test_sigmoid_closed_form_and_no_overflow():
    z = np.array([[-1000.0, -1.5, 0.0, 1.5, 1000.0]])
    with np.errstate(all="raise"):
        a = Sigmoid().fn(z)
    assert_allclose(a, [[0.0, 1 / (1 + np.exp(1.5)), 0.5, 1 / (1 + np.exp(-1.5)), 1.0]])


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_activation_derivative_matches_finite_differences(name, rng):
    activation = plugins.get("activation", name)
    z = rng.normal(size=(4, 3))
    z[np.abs(z) < 1e-3] = 0.5  # keep away from relu's kink
    a = activation.fn(z)
    numeric = numeric_derivative(lambda v: activation.fn(v).sum(), z.copy())
    assert_allclose(activation.derivative(z, a), numeric, rtol=1e-6, atol=1e-8)
    delta = rng.normal(size=z.shape)
    expected = delta * numeric
    assert_allclose(activation.backward(delta.copy(), z.copy(), a), expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", [*ELEMENTWISE, "softmax"])
def test_activations_keep_the_dtype(name, dtype, rng):
    activation = plugins.get("activation", name)
    z = rng.normal(size=(3, 4)).astype(dtype)
    a = activation.fn(z)
    assert a.dtype == dtype
    assert activation.backward(np.ones_like(z), z.copy(), a).dtype == dtype


def test_softmax_rows_sum_to_one_and_backward_is_the_jacobian(rng):
    softmax = Softmax()
    z = rng.normal(size=(3, 4))
    z[0] = [1000.0, 999.0, -1000.0, 0.0]  # would overflow a naive exp
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = softmax.fn(z)
    assert_allclose(a.sum(axis=1), 1.0)
    weights = rng.normal(size=z.shape)
    numeric = numeric_derivative(lambda v: (softmax.fn(v) * weights).sum(), z.copy())
    assert_allclose(softmax.backward(weights.copy(), z.copy(), a), numeric, atol=1e-7)


# -- costs --------------------------------------------------------------------


def outputs_and_targets(rng, activation):
    z = rng.normal(size=(5, 3))
    a = plugins.get("activation", activation).fn(z)
    y = np.eye(3)[rng.integers(3, size=5)]
    return z, a, y


@pytest.mark.parametrize("name", ["quadratic", "cross_entropy", "log_likelihood"])
def test_cost_gradient_matches_finite_differences(name, rng):
    cost = plugins.get("cost", name)
    _, a, y = outputs_and_targets(rng, "sigmoid")
    numeric = numeric_derivative(lambda v: cost.fn(v, y).sum(), a.copy())
    assert_allclose(cost.gradient(a, y), numeric, rtol=1e-5)


def test_cost_closed_forms():
    a = np.array([[0.8, 0.2]])
    y = np.array([[1.0, 0.0]])
    assert_allclose(QuadraticCost().fn(a, y), [0.5 * (0.04 + 0.04)])
    assert_allclose(CrossEntropyCost().fn(a, y), [-2 * np.log(0.8)])
    assert_allclose(LogLikelihoodCost().fn(a, y), [-np.log(0.8)])


@pytest.mark.parametrize(
    "cost, activation",
    [
        (name, output)
        for name in ["quadratic", "cross_entropy", "log_likelihood"]
        for output in plugins.get_class("cost", name).output_activations
    ],
)
def test_cost_delta_is_dC_dz(cost, activation, rng):
    """δᴸ = ∂C/∂zᴸ for every allowed pair, special forms included."""
    cost_plugin = plugins.get("cost", cost)
    output = plugins.get("activation", activation)
    z, a, y = outputs_and_targets(rng, activation)
    numeric = numeric_derivative(lambda v: cost_plugin.fn(output.fn(v), y).sum(), z.copy())
    delta = cost_plugin.delta(z.copy(), a, y, output)
    assert_allclose(delta, numeric, rtol=1e-5, atol=1e-8)


def test_quadratic_delta_keeps_the_sigmoid_prime_factor():
    z = np.array([[1.5]])
    a = expit(z)
    y = np.array([[0.0]])
    delta = QuadraticCost().delta(z.copy(), a, y, Sigmoid())
    assert_allclose(delta, (a - y) * a * (1 - a))
    assert_allclose(CrossEntropyCost().delta(z.copy(), a, y, Sigmoid()), a - y)


@pytest.mark.parametrize("name", ["cross_entropy", "log_likelihood"])
def test_log_costs_are_finite_at_zero_and_one(name):
    cost = plugins.get("cost", name)
    a = np.array([[0.0, 1.0], [1.0, 0.0]])
    y = np.array([[1.0, 0.0], [1.0, 0.0]])
    with np.errstate(all="raise"):
        values = cost.fn(a, y)
        gradient = cost.gradient(a, y)
    assert np.all(np.isfinite(values)) and np.all(np.isfinite(gradient))
    assert values[0] > 30 and values[1] < 1e-10  # confidently wrong vs right
    assert gradient[0, 0] < 0  # pushes the right output up


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log_costs_of_tiny_outputs_are_their_logarithms(dtype):
    # A confidently wrong output of e^-40 (float64) or e^-20 (float32) is far above the
    # smallest normal number: its cost is 40 or 20, not -ln(eps) (36.04, 15.94).
    gap = 40.0 if dtype == np.float64 else 20.0
    z = np.array([[gap, 0.0, 0.0]], dtype=dtype)
    y = np.array([[0.0, 1.0, 0.0]], dtype=dtype)
    a = Softmax().fn(z.copy())
    assert_allclose(LogLikelihoodCost().fn(a, y), [gap], rtol=1e-6)
    saturated = Sigmoid().fn(np.array([[-gap]], dtype=dtype))
    assert_allclose(CrossEntropyCost().fn(saturated, np.ones((1, 1), dtype)), [gap], rtol=1e-6)
    assert_allclose(CrossEntropyCost().gradient(saturated, np.ones((1, 1), dtype)), -1 / saturated)
    # The output just below 1 is not moved further from it: 1 - a is eps/2 there, exactly.
    below_one = np.nextafter(dtype(1), dtype(0)).reshape(1, 1)
    half_eps = np.finfo(dtype).eps / 2
    assert_allclose(CrossEntropyCost().fn(below_one, np.zeros((1, 1), dtype)), [-np.log(half_eps)])


def test_cross_entropy_delta_with_saturated_sigmoid_is_exact():
    z = np.array([[800.0, -800.0]])
    a = Sigmoid().fn(z)
    y = np.array([[0.0, 1.0]])
    assert_allclose(CrossEntropyCost().delta(z, a, y, Sigmoid()), [[1.0, -1.0]])


# -- regularizers ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["none", "l2", "l1"])
def test_regularizer_gradient_matches_finite_differences(name, rng):
    regularizer = plugins.get("regularizer", name)
    weights = rng.normal(size=12)
    lmbda, n = 3.0, 50
    numeric = numeric_derivative(lambda w: regularizer.penalty(w, lmbda, n), weights.copy())
    grad = regularizer.gradient(weights, lmbda, n, out=np.empty(12))
    if grad is None:
        grad = np.zeros(12)
    assert_allclose(grad, numeric, rtol=1e-6, atol=1e-10)
    assert regularizer.gradient(weights, 0.0, n, out=np.empty(12)) is None


def test_l2_and_l1_closed_forms():
    w = np.array([3.0, -4.0, 0.0])
    assert L2().penalty(w, 2.0, 10) == pytest.approx(0.5 * 0.2 * 25)
    assert L1().penalty(w, 2.0, 10) == pytest.approx(0.2 * 7)
    assert_allclose(L1().gradient(w, 2.0, 10, out=np.empty(3)), [0.2, -0.2, 0.0])  # sgn(0)=0
    assert_allclose(L2().gradient(w, 2.0, 10, out=np.empty(3)), [0.6, -0.8, 0.0])


def test_l2_with_sgd_is_the_books_weight_decay():
    from sknielsen.training._loop import Penalty, optimizer_step

    w = np.array([1.0, -2.0])
    g = np.array([0.3, 0.1])
    eta, lmbda, n = 0.5, 5.0, 100
    grads = g + L2().gradient(w, lmbda, n, out=np.empty(2))
    updates, _ = SGD().update(grads, {"eta": eta}, w)
    assert_allclose(w + updates, (1 - eta * lmbda / n) * w - eta * g)
    # SGD's one-pass step (the decay factor) gives the same weights as the gradient.
    for regularizer in (L2(), L1(), plugins.NoRegularizer()):
        params = np.array([1.0, -2.0, 0.7])  # two weights and a bias
        expected = params.copy()
        grads = np.array([0.3, 0.1, 0.2])
        coupled = grads.copy()
        penalty = Penalty(regularizer, lmbda, n, n_weights=2, dtype=np.float64)
        penalty.add_gradient(coupled, expected)
        expected -= eta * coupled
        trainer = SimpleNamespace(
            network=SimpleNamespace(params=params),
            optimizer=SGD(),
            penalty=penalty,
            state={"eta": eta},
        )
        optimizer_step(trainer, grads)
        assert_allclose(params, expected, rtol=1e-14)


# -- initializers -----------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_initializer_statistics(dtype):
    rng = np.random.default_rng(0)
    weights, biases = plugins.get("initializer", "default")(400, 300, rng, dtype)
    assert weights.shape == (400, 300) and biases.shape == (300,)
    assert weights.dtype == dtype and biases.dtype == dtype
    assert weights.std() == pytest.approx(1 / np.sqrt(400), rel=0.02)
    assert biases.std() == pytest.approx(1.0, rel=0.1)
    large, _ = plugins.get("initializer", "large")(400, 300, rng, dtype)
    assert large.std() == pytest.approx(1.0, rel=0.02)


# -- optimizers against hand-computed updates (no network) ---------------------------


def run_optimizer(optimizer, gradients, eta=0.1):
    params = np.zeros(2)
    state = {"eta": eta, **optimizer.init(params)}
    for g in gradients:
        updates, state = optimizer.update(np.array(g, dtype=float), state, params)
        params = params + updates
    return params


def test_sgd_update():
    assert_allclose(run_optimizer(SGD(), [[1.0, -2.0], [1.0, 0.0]]), [-0.2, 0.2])


def test_momentum_update_by_hand():
    # v1 = -0.1 g1 = (-0.1, 0.2); w1 = v1
    # v2 = 0.5 v1 - 0.1 g2 = (-0.15, 0.1); w2 = w1 + v2 = (-0.25, 0.3)
    assert_allclose(run_optimizer(Momentum(mu=0.5), [[1.0, -2.0], [1.0, 0.0]]), [-0.25, 0.3])


def test_nesterov_update_by_hand():
    # step 1: v1 = -0.1 g1; update = mu v1 - 0.1 g1 = (-0.15, 0.3)
    # step 2: v2 = 0.5 v1 - 0.1 g2 = (-0.15, 0.1); update = 0.5 v2 - 0.1 g2 = (-0.175, 0.05)
    assert_allclose(run_optimizer(Nesterov(mu=0.5), [[1.0, -2.0], [1.0, 0.0]]), [-0.325, 0.35])


def test_nesterov_matches_gradient_at_the_look_ahead_point():
    """On C(w) = ½ k w², the rewritten update equals Nesterov's original form."""
    k, eta, mu = 3.0, 0.05, 0.8
    w, v = 1.0, 0.0
    look_ahead_history = []
    for _ in range(10):  # original: gradient at w + mu v
        v = mu * v - eta * k * (w + mu * v)
        w = w + v
        look_ahead_history.append(w + mu * v)
    params, optimizer = np.array([1.0]), Nesterov(mu=mu)
    state = {"eta": eta, **optimizer.init(params)}
    ours = []
    for _ in range(10):
        updates, state = optimizer.update(k * params.copy(), state, params)
        params = params + updates
        ours.append(params[0])
    assert_allclose(ours, look_ahead_history)


def test_momentum_with_mu_zero_is_sgd():
    grads = [[1.0, -2.0], [0.5, 0.5]]
    assert_allclose(run_optimizer(Momentum(mu=0.0), grads), run_optimizer(SGD(), grads))


def test_optimizer_state_is_plain_arrays():
    state = Momentum().init(np.zeros(3))
    assert set(state) == {"velocity"}
    assert copy.deepcopy(state)["velocity"].shape == (3,)


def test_adam_update_by_hand():
    from sknielsen.plugins import Adam

    beta1, beta2, eps, eta = 0.5, 0.75, 1e-8, 0.1
    g1, g2 = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    # step 1: m = 0.5 g1, v = 0.25 g1^2; m_hat = g1, v_hat = g1^2 -> update = -eta sign(g1)
    # step 2: m = 0.25 g1 + 0.5 g2, v = 0.1875 g1^2 + 0.25 g2^2
    m2 = 0.25 * g1 + 0.5 * g2
    v2 = 0.1875 * g1**2 + 0.25 * g2**2
    step2 = -eta * (m2 / 0.75) / (np.sqrt(v2 / (1 - 0.75**2)) + eps)
    expected = -eta * np.sign(g1) + step2
    result = run_optimizer(Adam(beta1=beta1, beta2=beta2, epsilon=eps), [g1, g2], eta=eta)
    assert_allclose(result, expected, rtol=1e-7)


# -- the optimizer contract and the kernel spec -------------------------------------


def test_per_step_optimizers_have_init_and_update_only():
    """optax's contract: no step of their own; the loop applies the penalty and the update."""
    for name in ("sgd", "momentum", "nesterov", "adam"):
        optimizer = plugins.get("optimizer", name)
        assert isinstance(optimizer, plugins.Optimizer)
        assert not hasattr(optimizer, "step") and not hasattr(optimizer, "minimize")
    for name in ("newton", "lbfgs"):
        solver = plugins.get("optimizer", name)
        assert isinstance(solver, plugins.Solver) and not isinstance(solver, plugins.Optimizer)
        assert not hasattr(solver, "update")


def test_a_plugin_of_an_earlier_contract_is_refused_at_register():
    """The optimizer of the 0.1 contract (η as an argument, a step method) fails early."""

    class EtaArgument(plugins.Optimizer):
        def update(self, grads, state, params, eta):
            return -eta * grads, state

    class OwnStep(plugins.Optimizer):
        def update(self, grads, state, params):
            return -state["eta"] * grads, state

        def step(self, params, grads, state, penalty):
            return state

    expected = r"update\(self, grads, state, params\).*state\['eta'\].*CHANGELOG"
    with pytest.raises(TypeError, match=expected):
        plugins.register("optimizer", "test_eta_argument")(EtaArgument)
    with pytest.raises(TypeError, match=r"defines step\(\), which sknielsen no longer calls"):
        plugins.register("optimizer", "test_own_step")(OwnStep)
    with pytest.raises(TypeError, match=r"must define update\(self, grads, state, params\)"):
        plugins.register("optimizer", "test_nothing")(type("Nothing", (plugins.Optimizer,), {}))
    assert not {"test_eta_argument", "test_own_step", "test_nothing"} & set(
        plugins.available("optimizer")
    )


def test_an_unregistered_instance_is_checked_when_a_fit_starts():
    """Before any epoch: the error names the parameter and the expected signature."""
    from sknielsen import NielsenMLPClassifier

    class EtaArgument(plugins.Optimizer):
        def update(self, grads, state, params, eta):
            return -eta * grads, state

    X, y = np.random.default_rng(0).random((20, 3)), np.arange(20) % 2
    with pytest.raises(ValueError, match=r"'optimizer' parameter .* update\(self, grads, state"):
        NielsenMLPClassifier(optimizer=EtaArgument()).fit(X, y)


class StaticSGD(plugins.Optimizer):
    """Plain SGD whose update needs nothing of the instance."""

    @staticmethod
    def update(grads, state, params):
        return -state["eta"] * grads, state


class ClassTanh(plugins.Tanh):
    @classmethod
    def fn(cls, z, out=None):
        return np.tanh(z, out=out)

    @staticmethod
    def derivative(z, a):
        return 1 - a * a


def test_static_and_class_methods_called_as_the_engine_calls_them_train():
    # Refused: "StaticSGD.update(grads, state, params) does not match the optimizer
    # contract: ... the learning rate is state['eta'], no longer an argument".
    X, y = np.random.default_rng(0).random((20, 3)), np.arange(20) % 2
    expected = NielsenMLPClassifier((3,), activation="tanh", epochs=2, random_state=0)
    expected.fit(X, y)
    ours = NielsenMLPClassifier(
        (3,), activation=ClassTanh(), optimizer=StaticSGD(), epochs=2, random_state=0
    ).fit(X, y)
    assert_allclose(ours.predict_proba(X), expected.predict_proba(X), rtol=1e-12)


def test_a_static_method_that_takes_self_is_refused_for_that():
    class SelfStatic(plugins.Optimizer):
        @staticmethod
        def update(self, grads, state, params):
            return -state["eta"] * grads, state

    with pytest.raises(TypeError) as caught:
        SelfStatic.check_contract()
    message = str(caught.value)
    assert "SelfStatic.update is a staticmethod, called without self" in message
    assert "update(grads, state, params)" in message and "eta" not in message


def test_a_wrong_update_is_not_blamed_on_eta_unless_it_takes_eta():
    class TwoArguments(plugins.Optimizer):
        def update(self, grads, state):
            return -state["eta"] * grads, state

    with pytest.raises(TypeError, match=r"update\(self, grads, state, params\)") as caught:
        TwoArguments.check_contract()
    assert "eta" not in str(caught.value)


@pytest.mark.parametrize("kind", plugins.kinds())
def test_every_built_in_plugin_keeps_its_contract(kind):
    """So does every plugin the package registers, and keyword-only extras are fine."""
    for name in plugins.available(kind):
        plugins.get_class(kind, name).check_contract()

    class Extra(plugins.Sigmoid):
        def fn(self, z, out=None, *, clip=None):
            return super().fn(z, out=out)

    Extra.check_contract()


def test_kernel_specs_are_plain_data_declared_by_the_exact_class():
    assert plugins.Momentum(mu=0.5).kernel_spec() == plugins.KernelSpec(
        "optimizer", "momentum", {"mu": 0.5}
    )
    assert plugins.Nesterov(mu=0.3).kernel_spec().name == "nesterov"
    assert plugins.Adam(beta1=0.8).kernel_spec().params == {
        "beta1": 0.8,
        "beta2": 0.999,
        "epsilon": 1e-8,
    }
    assert plugins.L2().kernel_spec().name == "l2"

    class Halved(plugins.Sigmoid):
        """A variant that may change the maths: it runs on NumPy unless it declares a kernel."""

    class Declared(plugins.Sigmoid):
        kernel = "sigmoid"

    assert Halved().kernel_spec() is None
    assert Declared().kernel_spec().name == "sigmoid"
    for kind in ("augmenter", "initializer"):
        for name in plugins.available(kind):
            assert plugins.get(kind, name).kernel_spec() is None


def test_a_subclass_redefining_a_method_does_not_inherit_the_parents_shortcut():
    # Each built-in's fast exact form (backward, delta, decay_factor, decouples_decay)
    # holds for its own maths: a subclass that redefines what it stands for must
    # train on its own methods, as a plugin written from the base class does.
    class Steep(plugins.Sigmoid):  # σ(2z)
        def fn(self, z, out=None):
            return expit(2 * z, out=out)

        def derivative(self, z, a):
            return 2 * a * (1 - a)

    class Doubled(CrossEntropyCost):
        def fn(self, a, y):
            return 2 * super().fn(a, y)

        def gradient(self, a, y):
            return 2 * super().gradient(a, y)

    class HalfL2(L2):
        def penalty(self, weights, lmbda, n):
            return super().penalty(weights, lmbda, n) / 2

        def gradient(self, weights, lmbda, n, out):
            return np.multiply(weights, lmbda / n / 2, out=out)

    class DoubleSGD(SGD):
        def update(self, grads, state, params):
            grads *= -2 * state["eta"]
            return grads, state

    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(3, 4)), np.eye(4)[[0, 2, 3]]
    steep, a = Steep(), expit(2 * z)
    assert_allclose(steep.backward(np.ones_like(z), z.copy(), a), 2 * a * (1 - a))
    # Cross-entropy's δ = a − y is the sigmoid's, not σ(2z)'s, whose δ is 2(a − y).
    assert_allclose(CrossEntropyCost().delta(z.copy(), a, y, steep), 2 * (a - y))
    a = expit(z)
    assert_allclose(Doubled().delta(z.copy(), a, y, Sigmoid()), 2 * (a - y))
    assert HalfL2().decay_factor(0.5, 1.0, 10) is None
    assert not DoubleSGD.decouples_decay
    # Redefining nothing a shortcut stands for keeps it.
    assert type("Mu", (Momentum,), {"init": Momentum.init}).decouples_decay is False
    assert type("Plain", (SGD,), {}).decouples_decay
    assert type("Plain", (L2,), {"penalty": L2.penalty})().decay_factor(0.5, 1.0, 10) == 0.95


def test_a_plugin_without_an_optional_method_says_which_to_write():
    class OnlyFn(plugins.Activation):
        def fn(self, z, out=None):
            return z

    class CostOnlyFn(plugins.Cost):
        def fn(self, a, y):
            return a.sum(axis=1)

    OnlyFn.check_contract()  # only fn is required: softmax has no derivative
    CostOnlyFn.check_contract()
    ones = np.ones((2, 3))
    with pytest.raises(
        NotImplementedError,
        match=r"^Activation OnlyFn has no derivative\(z, a\): write it, or backward\(delta",
    ):
        OnlyFn().backward(ones, ones, ones)
    with pytest.raises(
        NotImplementedError, match=r"^Cost CostOnlyFn has no gradient\(a, y\): write it, or delta"
    ):
        CostOnlyFn().delta(ones, ones, ones, OnlyFn())
    with pytest.raises(NotImplementedError, match=r"^Augmenter Augmenter has no __call__"):
        plugins.Augmenter()(ones, None)


def test_a_class_changed_after_its_contract_check_is_checked_again():
    # Each fit asks; the answer is kept for the methods the class has, not for the class.
    class Later(plugins.SGD):
        pass

    Later.check_contract()
    Later.update = lambda self, grads, state, params, eta: (grads, state)
    with pytest.raises(TypeError, match=r"Later\.update.*does not match"):
        Later.check_contract()
    del Later.update
    Later.check_contract()


def test_parameter_names_follow_a_replaced_constructor():
    class Tunable(plugins.SGD):
        def __init__(self, rate=1.0):
            self.rate = rate

    assert Tunable().get_params() == {"rate": 1.0}

    def init(self, rate=1.0, slack=0.0):
        self.rate, self.slack = rate, slack

    Tunable.__init__ = init
    assert Tunable().get_params() == {"rate": 1.0, "slack": 0.0}


def test_a_divergence_under_an_optimizer_of_ones_own_names_it_beside_eta(small_digits):
    # Steps of NaN from a plugin's update were blamed on eta alone ("try eta ten times
    # smaller"), which no eta mends.
    from sklearn.exceptions import ConvergenceWarning

    from sknielsen.plugins import Optimizer

    class NaNSteps(Optimizer):
        def update(self, grads, state, params):
            return grads * np.nan, state

    class NaNSlopes(plugins.Sigmoid):
        def derivative(self, z, a):
            return a * (1 - a) * np.nan

    X, _, y, _ = small_digits
    with pytest.warns(ConvergenceWarning, match=r"diverged.*NaNSteps, an optimizer of your own"):
        NielsenMLPClassifier(optimizer=NaNSteps(), epochs=2, random_state=0).fit(X, y)
    # So with a cost, an activation or a regularizer of one's own.
    with pytest.warns(ConvergenceWarning, match=r"NaNSlopes, an activation of your own, returned"):
        NielsenMLPClassifier(activation=NaNSlopes(), epochs=2, random_state=0).fit(X, y)


def test_plugins_registered_in_the_script_reach_search_worker_processes(tmp_path):
    """GridSearchCV(n_jobs=2)'s processes know a plugin registered in __main__ or a module.

    They used to know only sknielsen's own: every candidate naming the user's
    plugin failed with "Unknown optimizer".
    """
    import os
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "user_plugins.py").write_text(
        textwrap.dedent(
            """
            from sknielsen.plugins import Optimizer, register

            @register("optimizer", "module_halfstep")
            class ModuleHalfStep(Optimizer):
                def update(self, grads, state, params):
                    grads *= -0.5 * state["eta"]
                    return grads, state
            """
        )
    )
    script = tmp_path / "search.py"
    script.write_text(
        textwrap.dedent(
            """
            import user_plugins
            from sklearn.datasets import load_digits
            from sklearn.model_selection import GridSearchCV
            from sknielsen import NielsenMLPClassifier
            from sknielsen.plugins import Optimizer, register

            @register("optimizer", "main_halfstep")
            class MainHalfStep(Optimizer):
                def update(self, grads, state, params):
                    grads *= -0.5 * state["eta"]
                    return grads, state

            if __name__ == "__main__":
                X, y = load_digits(return_X_y=True)
                net = NielsenMLPClassifier(hidden_layer_sizes=(5,), epochs=1, random_state=0)
                grid = {"optimizer": ["main_halfstep", "module_halfstep"]}
                search = GridSearchCV(net, grid, cv=2, n_jobs=2, error_score="raise")
                search.fit(X[:100] / 16, y[:100])
                print(search.cv_results_["mean_test_score"])
            """
        )
    )
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, str(tmp_path)])}
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    scores = [float(s) for s in done.stdout.strip().strip("[]").split()]
    assert len(scores) == 2 and scores[0] == scores[1]  # the same optimizer, by two names


def test_an_unpickled_estimator_registers_plugins_but_never_replaces_ones_own():
    import pickle

    def halfstep(name):
        def update(self, grads, state, params):
            grads *= -0.5 * state["eta"]
            return grads, state

        return type(name, (plugins.Optimizer,), {"update": update})

    theirs = plugins.register("optimizer", "test_carried")(halfstep("Theirs"))
    try:
        pickled = pickle.dumps(NielsenMLPClassifier(optimizer="test_carried"))
        registry = plugins._registry._REGISTRY["optimizer"]
        del registry["test_carried"]
        net = pickle.loads(pickled)
        assert "_sknielsen_registrations" not in vars(net)
        assert plugins.get_class("optimizer", "test_carried").__name__ == "Theirs"
        ours = plugins.register("optimizer", "test_carried", replace=True)(halfstep("Ours"))
        pickle.loads(pickled)
        assert plugins.get_class("optimizer", "test_carried") is ours is not theirs
    finally:
        plugins._registry._REGISTRY["optimizer"].pop("test_carried", None)
        plugins._registry._CARRIED.discard(("optimizer", "test_carried"))


class KeepsItsArgumentElsewhere(SGD):
    def __init__(self, lr=0.1):
        self._lr = lr


def test_a_plugin_that_does_not_store_its_argument_is_named_with_the_rule(small_digits):
    # A bare AttributeError ("no attribute 'lr'. Did you mean: '_lr'?") from get_params.
    from sknielsen import NielsenMLPClassifier

    X, _, y, _ = small_digits
    message = (
        r"KeepsItsArgumentElsewhere.__init__ takes 'lr' but stores no attribute .*self.lr = lr"
    )
    with pytest.raises(TypeError, match=message):
        NielsenMLPClassifier((3,), optimizer=KeepsItsArgumentElsewhere(), epochs=1).fit(X, y)
    with pytest.raises(TypeError, match=message):
        repr(KeepsItsArgumentElsewhere())


class DoublesItsArgument(SGD):
    def __init__(self, k=1.0):
        self.k = abs(k) * 2

    def update(self, grads, state, params):
        return -self.k * state["eta"] * grads, state


def test_a_plugin_that_changes_its_argument_is_refused_as_clone_would(small_digits):
    # It trained with k=6 given k=3, but with 3 after set_params(optimizer__k=3) (a
    # grid search's), while clone raised scikit-learn's RuntimeError.
    from sknielsen import NielsenMLPClassifier

    X, _, y, _ = small_digits
    net = NielsenMLPClassifier((3,), optimizer=DoublesItsArgument(k=3.0), epochs=1)
    with pytest.raises(
        TypeError,
        match=r"DoublesItsArgument.__init__ does not store its argument 'k' unchanged "
        r"\(given 6.0, it stores 12.0\)",
    ):
        net.fit(X, y)


class CopiesItsArgument(SGD):
    def __init__(self, scales=(1.0,)):
        self.scales = list(scales)


def test_a_plugin_that_copies_its_argument_is_told_it_stores_a_copy(small_digits):
    # "(given [1.0], it stores [1.0])" read as no difference at all.
    from sknielsen import NielsenMLPClassifier

    X, _, y, _ = small_digits
    net = NielsenMLPClassifier((3,), optimizer=CopiesItsArgument(), epochs=1)
    with pytest.raises(TypeError, match=r"stores a copy of its argument 'scales' \(\[1.0\]\)"):
        net.fit(X, y)


def test_an_entry_point_that_names_no_plugin_after_its_kind_is_listed_as_ignored(
    tmp_path, monkeypatch
):
    (tmp_path / "nameless.py").write_text("from sknielsen.plugins import SGD as Nameless\n")
    with _installed(tmp_path, monkeypatch, "nameless", "optimizer. = nameless:Nameless"):
        assert plugins.ignored_entry_points() == [
            ("optimizer.", "it names no plugin after the kind")
        ]


@pytest.mark.parametrize(
    "kind, method, args",
    [
        (plugins.Activation, "fn", (np.zeros((1, 2)),)),
        (plugins.Cost, "fn", (np.zeros((1, 2)), np.zeros((1, 2)))),
        (plugins.Regularizer, "penalty", ([np.zeros((2, 2))], 0.1, 10)),
        (plugins.Regularizer, "gradient", (np.zeros((2, 2)), 0.1, 10, np.zeros((2, 2)))),
        (plugins.Initializer, "__call__", (2, 3, np.random.default_rng(0), np.float64)),
        (plugins.Optimizer, "update", (np.zeros(2), {"eta": 0.1}, np.zeros(2))),
        (plugins.Solver, "minimize", (None, np.zeros(2), {}, 1, None)),
    ],
)
def test_a_method_of_the_contract_not_written_says_so_when_called(kind, method, args):
    # A subclass's super().fn(...), or the base class used as a plugin.
    with pytest.raises(NotImplementedError, match=rf"has no {re.escape(method)}\(.*write it"):
        getattr(kind(), method)(*args)


def test_a_contract_method_without_a_signature_to_read_is_trusted():
    class Builtin(plugins.Cost):
        output_activations = ("sigmoid",)
        fn = staticmethod(max)  # a builtin: inspect cannot read its parameters
        gradient = staticmethod(np.subtract)

    Builtin.check_contract()


def test_registrations_travel_in_a_deep_copy_and_leave_out_what_cannot_be_pickled():
    import pickle
    import threading

    class Unpicklable(plugins.SGD):
        lock = threading.Lock()  # its class, pickled by value, holds a lock

    plugins.register("optimizer", "test_unpicklable")(Unpicklable)
    try:
        net = NielsenMLPClassifier(optimizer="test_unpicklable")
        copied = copy.deepcopy(net)  # the registrations are the same, not copied
        assert copied.optimizer == "test_unpicklable"
        state = pickle.loads(pickle.dumps(net)).__dict__
        assert state["optimizer"] == "test_unpicklable"  # pickled without that class
    finally:
        plugins._registry._REGISTRY["optimizer"].pop("test_unpicklable", None)
    # A class this process cannot rebuild (its module missing here) is left out alone.
    restored = plugins._registry._registrations_from([("optimizer", "gone", b"\x80not")])
    assert restored.entries == []


def test_plugins_compare_their_hyper_parameters_by_value():
    pd = pytest.importorskip("pandas")

    assert Momentum(mu=1) == Momentum(mu=1.0)  # an int and a float of one value
    assert Momentum(mu=np.nan) == Momentum(mu=np.nan)  # NaN differs from itself, not here

    class Holds(plugins.SGD):
        def __init__(self, table=None):
            self.table = table

    # A value whose == has no one truth value (pandas' element-wise Series) differs.
    assert Holds(pd.Series([1, 2])) != Holds(pd.Series([1, 2]))


def test_a_validated_function_called_wrongly_raises_python_s_own_error():
    from sknielsen.plotting import plot_weights

    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        plot_weights(None, bogus=1)


def test_softmax_has_no_element_wise_derivative_and_says_where_its_jacobian_is():
    with pytest.raises(NotImplementedError, match=r"applied by Softmax\.backward"):
        plugins.Softmax().derivative(np.zeros((1, 2)), np.zeros((1, 2)))
