"""Full-batch optimizers: the book's Hessian technique (Newton) and L-BFGS."""

import itertools
import re

import numpy as np
import pytest
from hook_callbacks import ActsInHooks

from sknielsen import NielsenMLPClassifier, load, save
from sknielsen.callbacks import CallbackError
from sknielsen.plugins import LBFGS, Newton


@pytest.fixture(scope="module")
def regression_like():
    """Well-conditioned inputs, 3 classes: with identity outputs the cost is quadratic."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    y = rng.integers(3, size=200)
    return X, y


def least_squares_cost(X, y):
    Y = np.eye(3)[y]
    A = np.hstack([X, np.ones((len(X), 1))])
    solution, *_ = np.linalg.lstsq(A, Y, rcond=None)
    return 0.5 * np.mean(np.sum((A @ solution - Y) ** 2, axis=1))


def test_newton_solves_a_convex_quadratic_cost_in_one_step(regression_like):
    X, y = regression_like
    net = NielsenMLPClassifier(
        hidden_layer_sizes=(),
        cost="quadratic",
        output_activation="identity",
        regularizer="none",
        optimizer=Newton(damping=1e-12),
        eta=1.0,
        epochs=1,
        monitor=("training_cost",),
        random_state=0,
    )
    net.fit(X, y)
    assert net.n_iter_ == 1
    assert net.history_["training_cost"][0] == pytest.approx(least_squares_cost(X, y), rel=1e-9)


def test_newton_keeps_every_step_downhill(small_digits):
    X, X_test, y, y_test = small_digits
    net = NielsenMLPClassifier(
        hidden_layer_sizes=(5,),
        optimizer="newton",
        eta=1.0,
        epochs=4,
        monitor=("training_cost",),
        random_state=0,
    )
    net.fit(X, y)
    costs = net.history_["training_cost"]
    assert len(costs) == 4 and all(b <= a for a, b in itertools.pairwise(costs))
    assert net.score(X_test, y_test) > 0.8


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_newton_at_a_minimum_keeps_a_finite_damping(small_digits, dtype):
    """Iterations at a minimum refuse every step; μ grew tenfold at each try and overflowed.

    30 refused tries multiply μ by 1e30 an iteration: the fit raised a ValueError for
    non-finite optimizer state after one iteration at the minimum in float32, and
    after about eleven in float64.
    """
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(
        hidden_layer_sizes=(),
        optimizer="newton",
        eta=1.0,
        epochs=40,
        dtype=dtype,
        random_state=0,
    ).fit(X[:40, ::8], y[:40] == 1)
    assert net.n_iter_ == 40
    assert net.loss_curve_[-1] == net.loss_curve_[-2] < net.loss_curve_[0]
    damping = net._optimizer_state["damping"]
    assert np.isfinite(damping).all() and damping[0] > 0


def test_newton_refuses_large_networks_with_the_books_reason(small_digits):
    X, _, y, _ = small_digits
    with pytest.raises(ValueError, match=r"5,443 × 5,443 Hessian.*10\^14 entries"):
        NielsenMLPClassifier(hidden_layer_sizes=(80,), optimizer="newton").fit(X, y)


def test_lbfgs_converges_and_stops_early(small_digits):
    X, X_test, y, y_test = small_digits
    net = NielsenMLPClassifier(
        optimizer=LBFGS(tol=1e-5), epochs=500, lmbda=0.1, monitor=("training_cost",), random_state=0
    )
    net.fit(X, y)
    costs = net.history_["training_cost"]
    assert net.n_iter_ < 500 and len(costs) == net.n_iter_
    assert costs[-1] < 0.1 * costs[0]
    assert net.score(X_test, y_test) > 0.95


def test_full_batch_optimizers_work_with_early_stopping_and_persistence(small_digits, tmp_path):
    X, X_val, y, y_val = small_digits
    net = NielsenMLPClassifier(optimizer="lbfgs", epochs=300, early_stopping=3, random_state=0)
    net.fit(X, y, X_val=X_val, y_val=y_val)
    history = net.history_["validation_accuracy"]
    assert net.score(X_val, y_val) == pytest.approx(max(history))
    newton = NielsenMLPClassifier(
        hidden_layer_sizes=(3,), optimizer="newton", epochs=2, random_state=0
    ).fit(X, y)
    save(newton, tmp_path / "newton.json")
    loaded = load(tmp_path / "newton.json")
    np.testing.assert_array_equal(
        loaded._optimizer_state["damping"], newton._optimizer_state["damping"]
    )
    loaded.partial_fit(X, y)
    assert loaded.n_iter_ == 3


def test_dropout_is_refused_with_full_batch_optimizers(small_digits):
    # "dropout and augment make the cost random, which full-batch optimizers (Newton,
    # L-BFGS) cannot minimize" named neither the value given nor the optimizer.
    X, _, y, _ = small_digits
    message = (
        r"^dropout=0\.5 makes the cost random, which the full-batch optimizer 'lbfgs' cannot "
        r"minimize: leave dropout at 0, or give a mini-batch optimizer \('sgd' or 'adam', "
        r"say\)\.$"
    )
    with pytest.raises(ValueError, match=message):
        NielsenMLPClassifier(optimizer="lbfgs", dropout=0.5).fit(X, y)
    both = (
        r"^dropout=0\.25 and augment=Shift\(\) make the cost random, which the full-batch "
        r"optimizer 'newton' cannot minimize: leave dropout at 0 and augment at None, or "
    )
    with pytest.raises(ValueError, match=both):
        NielsenMLPClassifier(optimizer="newton", dropout=0.25, augment="shift").fit(X, y)


def test_objective_value_and_gradient_agree_with_the_trainer(small_digits):
    from sknielsen import plugins
    from sknielsen.engine._network import Network
    from sknielsen.training._loop import (
        FullBatchObjective,
        Penalty,
        Trainer,
        TrainingData,
        new_optimizer_state,
    )

    X, _, y, _ = small_digits
    Y = np.eye(3)[y]
    network = Network((64, 5, 3), [plugins.Sigmoid(), plugins.Sigmoid()])
    network.initialize(plugins.DefaultInitializer(), np.random.default_rng(0))
    penalty = Penalty(plugins.L2(), 1.0, len(X), network.n_weights, network.dtype)
    trainer = Trainer(
        network,
        cost=plugins.CrossEntropyCost(),
        penalty=penalty,
        optimizer=plugins.LBFGS(),
        state=new_optimizer_state(plugins.LBFGS(), network.params, 1.0),
    )
    objective = FullBatchObjective(trainer, TrainingData(X, Y))
    point = network.params.copy() + 0.01
    cost, grads = objective.value_and_gradient(point)
    assert cost == pytest.approx(objective.value(point), rel=1e-12)
    np.testing.assert_allclose(grads, objective.gradient(point), rtol=1e-12)


def test_a_trainer_outside_an_estimator_says_what_it_cannot_do(small_digits):
    # Built by code of one's own, as the objective's test above builds it: no fit gave it
    # a way to save, and its refusals name no callback.
    from sknielsen import plugins
    from sknielsen.engine._network import Network
    from sknielsen.training._loop import Penalty, Trainer, new_optimizer_state

    network = Network((64, 5, 3), [plugins.Sigmoid(), plugins.Sigmoid()])
    network.initialize(plugins.DefaultInitializer(), np.random.default_rng(0))
    trainer = Trainer(
        network,
        cost=plugins.CrossEntropyCost(),
        penalty=Penalty(plugins.L2(), 1.0, 10, network.n_weights, network.dtype),
        optimizer=plugins.SGD(),
        state=new_optimizer_state(plugins.SGD(), network.params, 0.5),
    )
    for attempt in (lambda: trainer.save("net.json"), trainer.check_save):
        with pytest.raises(RuntimeError, match="was not given a way to save the model"):
            attempt()
    with pytest.raises(CallbackError, match=r"^Code outside the callbacks set trainer\.eta to nan"):
        trainer.eta = float("nan")


class SetsSolverSetting(ActsInHooks):
    """Sets the optimizer's hyper-parameter ``name`` to ``value`` in ``hook``, once.

    In the first epoch's hook, or in the hook outside every epoch.
    """

    def __init__(self, name="memory", value=1, hook="on_epoch_end"):
        self.name = name
        self.value = value
        self.hook = hook

    def _act(self, trainer, hook):
        first = trainer.epochs_run == int(hook == "on_epoch_end")
        if hook == self.hook and (first or hook == "on_train_end"):
            trainer.optimizer.set_params(**{self.name: self.value})


@pytest.mark.parametrize(
    "hook", ["on_train_begin", "on_epoch_begin", "on_epoch_end", "on_train_end"]
)
@pytest.mark.parametrize(
    "optimizer, name, value",
    [(LBFGS(), "memory", 1), (LBFGS(), "tol", 1e3), (Newton(), "damping", 1e6)],
    ids=["lbfgs-memory", "lbfgs-tol", "newton-damping"],
)
def test_a_callback_changing_a_setting_read_when_the_fit_starts_is_refused(
    optimizer, name, value, hook, small_digits
):
    # scipy received L-BFGS's memory and tol when the fit started, and Newton adapts
    # the damping its state started from: a callback's change trained on as before,
    # while the fitted optimizer_ reported the new value, which no epoch had used.
    X, _, y, _ = small_digits
    callback = SetsSolverSetting(name, value, hook)
    eta = {"eta": 1.0} if isinstance(optimizer, Newton) else {}  # L-BFGS reads none
    net = NielsenMLPClassifier((), optimizer=optimizer, epochs=2, callbacks=[callback], **eta)
    message = (
        rf"SetsSolverSetting \({hook}\) set trainer.optimizer.{name} to {re.escape(repr(value))}: "
        rf"{type(optimizer).__name__} reads {name} only when the fit starts, and would not "
        "follow a change made during it; "
        rf"set it before fit \(optimizer__{name}\)"
    )
    with pytest.raises(CallbackError, match=message):
        net.set_params(random_state=0).fit(X[:60, ::4], y[:60] == 1)


@pytest.mark.parametrize("continuation", ["warm_start", "partial_fit"])
def test_a_newton_damping_set_between_fits_is_where_the_next_fit_starts(continuation, small_digits):
    # The fit continued from the μ the last one left in the state, whatever damping
    # set_params gave: the parameter had no effect, and optimizer_ reported it.
    X, _, y, _ = small_digits
    X, y = X[:60, ::4], y[:60] == 1
    net = NielsenMLPClassifier((), optimizer="newton", eta=1.0, epochs=2, random_state=0)
    net.set_params(warm_start=continuation == "warm_start").fit(X, y)
    kept = net._optimizer_state["damping"].copy()
    net.set_params(optimizer__damping=1e6, epochs=1)
    net.fit(X, y) if continuation == "warm_start" else net.partial_fit(X, y)
    # One iteration from μ = 1e6: a step downhill divides it by 10, each refused
    # try multiplies it.
    assert net._optimizer_state["damping"][0] >= 1e5 > 1e3 * kept[0]
    # Unchanged, the damping goes on from the state: a step downhill divides it again.
    kept = net._optimizer_state["damping"].copy()
    net.fit(X, y) if continuation == "warm_start" else net.partial_fit(X, y)
    assert net._optimizer_state["damping"][0] == pytest.approx(kept[0] / 10)


class SetsDamping(ActsInHooks):
    """In ``hook``, once: write ``value`` into Newton's damping, or put it in its place."""

    def __init__(self, value=-1.0, hook="on_epoch_end", replace=False):
        self.value = value
        self.hook = hook
        self.replace = replace

    def _act(self, trainer, hook):
        if hook != self.hook or trainer.epochs_run > 1:
            return
        if self.replace:
            trainer.state["damping"] = self.value
        else:
            trainer.state["damping"][...] = self.value


@pytest.mark.parametrize("hook", ["on_train_begin", "on_epoch_begin", "on_epoch_end"])
@pytest.mark.parametrize("damping", [-1.0, 0.0, np.nan, np.inf], ids=repr)
def test_a_callback_leaving_newton_an_unusable_damping_is_named(damping, hook, small_digits):
    # A negative or zero μ made every step climb: each was refused and the fit stalled
    # without a word; a NaN one failed at the end as an "overflow", blamed on eta.
    X, _, y, _ = small_digits
    callback = SetsDamping(damping, hook)
    net = NielsenMLPClassifier((), optimizer="newton", eta=1.0, epochs=3, callbacks=[callback])
    message = rf"SetsDamping \({hook}\) left Newton's damping at {re.escape(repr(damping))}"
    with pytest.raises(CallbackError, match=message):
        net.set_params(random_state=0).fit(X[:60, ::4], y[:60] == 1)


def test_a_callback_replacing_newtons_damping_array_is_named(small_digits):
    # Newton reads state["damping"][0]: a float there failed with a bare TypeError.
    X, _, y, _ = small_digits
    callback = SetsDamping(0.5, "on_epoch_end", replace=True)
    net = NielsenMLPClassifier((), optimizer="newton", eta=1.0, epochs=3, callbacks=[callback])
    message = r"SetsDamping \(on_epoch_end\) left Newton's damping as float 0\.5: it must stay"
    with pytest.raises(CallbackError, match=message):
        net.set_params(random_state=0).fit(X[:60, ::4], y[:60] == 1)


def test_a_callback_may_set_newtons_damping_to_a_positive_number(small_digits):
    X, _, y, _ = small_digits
    callback = SetsDamping(1e3, "on_epoch_end")
    net = NielsenMLPClassifier((), optimizer="newton", eta=1.0, epochs=2, callbacks=[callback])
    net.set_params(random_state=0).fit(X[:60, ::4], y[:60] == 1)
    # The second iteration starts from μ = 1e3: a step downhill divides it by 10.
    assert net._optimizer_state["damping"][0] == pytest.approx(100.0)


def test_a_fitted_state_with_an_unusable_newton_damping_is_refused(small_digits):
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier((), optimizer="newton", eta=1.0, epochs=1, random_state=0)
    state = net.fit(X[:60, ::4], y[:60] == 1).get_fitted_state()
    state.optimizer_state["damping"][0] = -1.0
    with pytest.raises(ValueError, match=r"optimizer_state: Newton's damping at -1\.0"):
        NielsenMLPClassifier.from_fitted_state(state, hidden_layer_sizes=(), optimizer="newton")


@pytest.mark.parametrize("damping, rounded", [(1e-50, "0"), (1e50, "inf")])
def test_a_newton_damping_the_dtype_cannot_hold_is_refused_by_fit(damping, rounded, small_digits):
    # In float32, 1e-50 is 0 and 1e50 is infinite: the fit stalled on one, and ended
    # with the largest float32 μ, every step nought, on the other.
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier((), optimizer=Newton(damping=damping), dtype="float32")
    message = f"Newton's damping={damping:g} (optimizer__damping) is {rounded} in float32"
    with pytest.raises(ValueError, match=re.escape(message)):
        net.fit(X[:60, ::4], y[:60] == 1)


class GradientSteps:
    """Full-batch gradient steps of a Solver of one's own, misbehaving as ``mode`` says."""

    def __init__(self, mode):
        self.mode = mode

    def minimize(self, objective, params, state, iterations, iteration_done):
        for _ in range(iterations + 2 if self.mode == "calls too often" else iterations):
            cost, gradient = objective.value_and_gradient(params)
            params -= state["eta"] * gradient
            if self.mode != "never calls":
                iteration_done(cost)
        return None if self.mode == "returns nothing" else state


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        # A TypeError of NoneType deep in the loop, naming no solver.
        ("returns nothing", r"Steps\.minimize returned None; expected the state as a dict"),
        # A CallbackError blaming the built-in Monitor for a second 'loss' in an epoch.
        ("calls too often", r"Steps\.minimize called iteration_done more than the 3 iterations"),
        # Trained weights with n_iter_ 0 and an empty history, without a word.
        ("never calls", r"Steps\.minimize changed the weights without calling iteration_done"),
    ],
)
def test_a_solver_of_ones_own_that_breaks_the_iteration_contract_is_named(mode, message):
    from sknielsen.plugins import Solver

    class Steps(Solver):
        def minimize(self, objective, params, state, iterations, iteration_done):
            return GradientSteps(mode).minimize(
                objective, params, state, iterations, iteration_done
            )

    X, y = np.random.default_rng(0).random((30, 4)), np.arange(30) % 2
    net = NielsenMLPClassifier((3,), optimizer=Steps(), eta=0.1, epochs=3, random_state=0)
    with pytest.raises(TypeError, match=message):
        net.fit(X, y)
    assert not hasattr(net, "coefs_")
