"""The book's own numbers (chapter 3): a single sigmoid neuron learning to output 0."""

import numpy as np
import pytest
from scipy.special import expit

from sknielsen import NielsenMLPClassifier, plugins
from sknielsen.callbacks import Callback
from sknielsen.engine import _cengine
from sknielsen.engine._network import Backprop, Network
from sknielsen.training._loop import (
    Batching,
    Penalty,
    Trainer,
    TrainingData,
    new_optimizer_state,
    train,
)


def test_single_neuron_starting_numbers():
    # w = 0.6, b = 0.9, x = 1: the book's output 0.82 and sigma'(1.5) = 0.149.
    network = Network((1, 1), [plugins.Sigmoid()])
    network.params[:] = [0.6, 0.9]
    a = network.feedforward(np.array([[1.0]]))[0, 0]
    assert a == pytest.approx(0.8175744762, abs=1e-9)
    assert plugins.Sigmoid().derivative(None, a) == pytest.approx(0.1491464521, abs=1e-9)
    assert expit(1.5) == pytest.approx(a)


class OutputRecorder(Callback):
    def __init__(self, x):
        self.x = x

    def on_train_begin(self, trainer):
        self.outputs = [trainer.network.feedforward(self.x)[0, 0]]

    def on_epoch_end(self, trainer):
        self.outputs.append(trainer.network.feedforward(self.x)[0, 0])


def neuron_outputs(cost, epochs, eta=0.15):
    """Train the book's neuron (w = b = 2, x = 1, y = 0) and record its output."""
    network = Network((1, 1), [plugins.Sigmoid()])
    network.params[:] = [2.0, 2.0]
    x, y = np.array([[1.0]]), np.array([[0.0]])
    recorder = OutputRecorder(x)
    trainer = Trainer(
        network,
        cost=plugins.get("cost", cost),
        penalty=Penalty(plugins.NoRegularizer(), 0.0, 1, network.n_weights, network.dtype),
        optimizer=plugins.SGD(),
        state=new_optimizer_state(plugins.SGD(), network.params, eta),
        callbacks=[recorder],
    )
    train(
        trainer,
        TrainingData(x, y),
        epochs=epochs,
        batching=Batching(1),
        rng=np.random.default_rng(0),
    )
    return np.array(recorder.outputs)


def test_quadratic_cost_learns_slowly_where_cross_entropy_does_not():
    quadratic = neuron_outputs("quadratic", 300)
    cross_entropy = neuron_outputs("cross_entropy", 300)
    assert quadratic[0] == pytest.approx(0.98, abs=0.005)  # the book's starting output
    # The book: with the quadratic cost the output barely moves for ~150 epochs ...
    assert quadratic[150] > 0.92
    assert quadratic[0] - quadratic[30] < 0.005
    # ... while cross-entropy learns at once.
    assert cross_entropy[30] < 0.25
    assert (cross_entropy[0] - cross_entropy[30]) > 100 * (quadratic[0] - quadratic[30])
    # Both get there in the end.
    assert quadratic[300] < 0.25 and cross_entropy[300] < 0.02


# -- network2's update and monitors, transcribed per example --------------------------
# A paraphrase of network2.py (one column vector at a time, a mini-batch's gradients
# added up, then one step), with chapter 3's L1 rule and momentum, as the reference.

needs_c = pytest.mark.skipif(not _cengine.available(), reason="the C engine is not built here")


class _GivenWeights(plugins.Initializer):
    def __init__(self, coefs=(), intercepts=()):
        self.coefs, self.intercepts = coefs, intercepts

    def __call__(self, fan_in, fan_out, rng, dtype):
        layer = [w.shape for w in self.coefs].index((fan_in, fan_out))
        return self.coefs[layer].copy(), self.intercepts[layer].copy()


def _network2_backprop(weights, biases, x, y, cost):
    activations = [x]
    for w, b in zip(weights, biases):
        activations.append(expit(w @ activations[-1] + b))
    a = activations[-1]
    delta = (a - y) * a * (1 - a) if cost == "quadratic" else a - y
    nabla_w, nabla_b = [delta @ activations[-2].T], [delta]
    for layer in range(len(weights) - 2, -1, -1):
        a = activations[layer + 1]
        delta = (weights[layer + 1].T @ delta) * a * (1 - a)
        nabla_w.insert(0, delta @ activations[layer].T)
        nabla_b.insert(0, delta)
    return nabla_w + nabla_b


def _network2_step(params, sums, velocities, m, n, eta, lmbda, regularizer, mu):
    """network2's update_mini_batch, or chapter 3's L1 rule, or its momentum."""
    layers = len(params) // 2
    weights, biases = params[:layers], params[layers:]
    biases_sums = sums[layers:]
    if mu is not None:  # v <- mu v - eta grad C (the L2 term inside), w <- w + v
        decay = [(lmbda / n) * w for w in weights] + [0.0] * layers
        grads = [s / m + d for s, d in zip(sums, decay)]
        velocities = [mu * v - eta * g for v, g in zip(velocities, grads)]
        return [p + v for p, v in zip(params, velocities)], velocities
    if regularizer == "l2":
        weights = [(1 - eta * (lmbda / n)) * w - (eta / m) * s for w, s in zip(weights, sums)]
    else:  # w - (eta lambda / n) sgn(w) - eta dC0/dw
        weights = [w - eta * lmbda / n * np.sign(w) - (eta / m) * s for w, s in zip(weights, sums)]
    biases = [b - (eta / m) * s for b, s in zip(biases, biases_sums)]
    return weights + biases, velocities


def _network2_sgd(coefs, intercepts, X, Y, size, eta, lmbda, cost, regularizer, mu, epochs):
    """network2's SGD without shuffling: (weights, biases) in its layout."""
    params = [w.T.copy() for w in coefs] + [b[:, None].copy() for b in intercepts]
    velocities = [np.zeros_like(p) for p in params]
    layers, n = len(coefs), len(X)
    for _ in range(epochs):
        for k in range(0, n, size):
            sums = [np.zeros_like(p) for p in params]
            for x, y in zip(X[k : k + size], Y[k : k + size]):
                nablas = _network2_backprop(
                    params[:layers], params[layers:], x[:, None], y[:, None], cost
                )
                sums = [s + d for s, d in zip(sums, nablas)]
            m = len(X[k : k + size])  # the short last mini-batch divides by its own size
            params, velocities = _network2_step(
                params, sums, velocities, m, n, eta, lmbda, regularizer, mu
            )
    return params[:layers], params[layers:]


def _network2_outputs(weights, biases, X):
    a = X.T
    for w, b in zip(weights, biases):
        a = expit(w @ a + b)
    return a.T


def _network2_total_cost(weights, biases, X, Y, lmbda):
    """network2's total_cost with the cross-entropy: λ over the size of the evaluated set."""
    a = _network2_outputs(weights, biases, X)
    costs = np.sum(np.nan_to_num(-Y * np.log(a) - (1 - Y) * np.log(1 - a)), axis=1)
    return costs.mean() + 0.5 * (lmbda / len(X)) * sum(np.linalg.norm(w) ** 2 for w in weights)


def _tiny_problem():
    rng = np.random.default_rng(1)
    coefs = [rng.standard_normal((3, 4)), rng.standard_normal((4, 3))]
    intercepts = [rng.standard_normal(4), rng.standard_normal(3)]
    X, y = rng.random((5, 3)), np.array([0, 1, 2, 1, 0])
    X_val, y_val = rng.random((3, 3)), np.array([2, 0, 1])
    return coefs, intercepts, X, y, X_val, y_val


def _tiny_net(coefs, intercepts, **params):
    return NielsenMLPClassifier(
        hidden_layer_sizes=(4,),
        epochs=3,
        mini_batch_size=2,
        shuffle=False,
        initializer=_GivenWeights(coefs, intercepts),
        monitor="all",
        **params,
    )


@pytest.mark.parametrize("engine", ["numpy", pytest.param("c", marks=needs_c)])
@pytest.mark.parametrize(
    "cost, regularizer, optimizer",
    [
        ("cross_entropy", "l2", "sgd"),
        ("quadratic", "l2", "sgd"),
        ("cross_entropy", "l1", "sgd"),
        ("quadratic", "l2", "momentum"),
    ],
)
def test_training_is_network2s_step_for_step(engine, cost, regularizer, optimizer):
    # Five samples in mini-batches of two: the last is short, and network2 divides its
    # step by len(mini_batch) and its decay's lambda by n = len(training_data).
    coefs, intercepts, X, y, X_val, y_val = _tiny_problem()
    eta, lmbda, mu = 0.3, 0.7, (0.9 if optimizer == "momentum" else None)
    net = _tiny_net(
        coefs, intercepts, cost=cost, regularizer=regularizer, optimizer=optimizer, eta=eta
    )
    net.set_params(lmbda=lmbda, engine=engine)
    if mu is not None:
        net.set_params(optimizer__mu=mu)
    net.fit(X, y, X_val=X_val, y_val=y_val)
    weights, biases = _network2_sgd(
        coefs, intercepts, X, np.eye(3)[y], 2, eta, lmbda, cost, regularizer, mu, epochs=3
    )
    book = [w.T for w in weights] + [b[:, 0] for b in biases]
    for ours, theirs in zip(net.coefs_ + net.intercepts_, book):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-14)
    # network2's accuracy counts the images whose largest output is the label.
    for X_set, y_set, key in ((X, y, "training"), (X_val, y_val, "validation")):
        right = np.sum(_network2_outputs(weights, biases, X_set).argmax(axis=1) == y_set)
        assert net.history_[f"{key}_accuracy"][-1] * len(y_set) == pytest.approx(right)


def test_the_costs_recorded_and_network2s_total_cost():
    # The training cost is network2's total_cost(training_data, lmbda). The validation
    # cost adds the penalty with the training set's n, where network2's total_cost of the
    # evaluation data divides lambda by that set's size (docs/chapter3.md says so).
    coefs, intercepts, X, y, X_val, y_val = _tiny_problem()
    lmbda = 0.7
    net = _tiny_net(coefs, intercepts, lmbda=lmbda, engine="numpy")
    net.fit(X, y, X_val=X_val, y_val=y_val)
    weights = [w.T for w in net.coefs_]
    biases = [b[:, None] for b in net.intercepts_]
    training = _network2_total_cost(weights, biases, X, np.eye(3)[y], lmbda)
    assert net.history_["training_cost"][-1] == pytest.approx(training, rel=1e-14)
    evaluation = _network2_total_cost(weights, biases, X_val, np.eye(3)[y_val], lmbda)
    squares = sum(float(np.sum(w**2)) for w in net.coefs_)
    apart = 0.5 * lmbda * (1 / len(X_val) - 1 / len(X)) * squares
    assert net.history_["validation_cost"][-1] + apart == pytest.approx(evaluation, rel=1e-14)
    assert apart > 0.01


def test_inverted_dropout_moves_outgoing_weights_faster_than_the_book():
    # Chapter 3 keeps the units unscaled and halves the outgoing weights afterwards; we
    # scale kept units by 1/(1 - p) and keep the weights. Same forward pass (our weights
    # are (1 - p) times the book's), but a step 1/(1 - p) the book's on weights (1 - p)
    # its size: 1/(1 - p)**2 relative (docs/chapter3.md).
    p, rng = 0.5, np.random.default_rng(5)
    network = Network((3, 4, 2), [plugins.Sigmoid(), plugins.Sigmoid()])
    network.params[:] = rng.standard_normal(network.params.size)
    (W1, W2), (b1, b2) = (
        [a.copy() for a in arrays] for arrays in (network.weights, network.biases)
    )
    x, y = rng.random((1, 3)), np.array([[1.0, 0.0]])
    backprop = Backprop(
        network, plugins.CrossEntropyCost(), 1, dropout=p, rng=np.random.default_rng(9)
    )
    grads = backprop.gradient(x, y, 1.0)
    ours = grads[W1.size : W1.size + W2.size].reshape(W2.shape)
    kept = expit(x @ W1 + b1) * (np.random.default_rng(9).random((1, 4)) >= p)  # the same mask
    book = kept.T @ (expit(kept @ (W2 / (1 - p)) + b2) - y)  # cross-entropy: a - y
    assert np.count_nonzero(book) >= 2
    # Our weight's step is 1/(1 - p) the book's, on a weight (1 - p) times the book's.
    np.testing.assert_allclose(ours, book / (1 - p), rtol=1e-12, atol=1e-15)
