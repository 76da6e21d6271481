"""The book's own numbers (chapter 3): a single sigmoid neuron learning to output 0."""

import numpy as np
import pytest
from scipy.special import expit

from sknielsen import plugins
from sknielsen.callbacks import Callback
from sknielsen.engine._network import Network
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
