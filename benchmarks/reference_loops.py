"""Two reference trainers the speed benchmark compares sknielsen with.

* :func:`book_epoch`: the book's algorithm as written in chapter 2 — for each
  mini-batch, backpropagate every example on its own as a column vector and
  average the gradients. Written from the equations (BP1–BP4 and the L2
  update rule), not copied.
* :func:`minimal_epoch`: the smallest hand-written vectorised NumPy loop for
  the same network, with no estimator, no plugins and no checks around it:
  the practical floor of NumPy on this machine.

Both train sigmoid networks with the cross-entropy cost and L2 weight decay,
exactly the workload of ``NielsenMLPClassifier(cost="cross_entropy",
lmbda=...)``.
"""

import itertools

import numpy as np
from scipy.special import expit


def init_params(sizes, rng, dtype):
    """The book's default initializer, weights stored (n_in, n_out)."""
    weights = [
        (rng.standard_normal((i, o)) / np.sqrt(i)).astype(dtype)
        for i, o in itertools.pairwise(sizes)
    ]
    biases = [rng.standard_normal(o).astype(dtype) for o in sizes[1:]]
    return weights, biases


def book_epoch(weights, biases, X, Y, *, eta, lmbda, mini_batch_size, rng):
    """One epoch of the book's per-example backprop (column vectors)."""
    n = len(X)
    order = rng.permutation(n)
    # The book keeps weights as (n_out, n_in) and activations as columns.
    W = [w.T.copy() for w in weights]
    B = [b[:, None].copy() for b in biases]
    for start in range(0, n, mini_batch_size):
        batch = order[start : start + mini_batch_size]
        nabla_w = [np.zeros_like(w) for w in W]
        nabla_b = [np.zeros_like(b) for b in B]
        for i in batch:
            activation = X[i][:, None]
            activations = [activation]
            for w, b in zip(W, B):
                activation = expit(w @ activation + b)
                activations.append(activation)
            delta = activations[-1] - Y[i][:, None]  # BP1 for cross-entropy
            for layer in range(len(W) - 1, -1, -1):
                nabla_b[layer] += delta  # BP3
                nabla_w[layer] += delta @ activations[layer].T  # BP4
                if layer:
                    a = activations[layer]
                    delta = (W[layer].T @ delta) * a * (1 - a)  # BP2
        m = len(batch)
        for layer in range(len(W)):
            W[layer] = (1 - eta * lmbda / n) * W[layer] - (eta / m) * nabla_w[layer]
            B[layer] = B[layer] - (eta / m) * nabla_b[layer]
    for layer in range(len(W)):
        weights[layer][...] = W[layer].T
        biases[layer][...] = B[layer][:, 0]


def minimal_epoch(weights, biases, X, Y, *, eta, lmbda, mini_batch_size, rng):
    """One epoch of plain vectorised mini-batch backprop (samples are rows)."""
    n = len(X)
    order = rng.permutation(n)
    decay = 1 - eta * lmbda / n
    last = len(weights) - 1
    for start in range(0, n, mini_batch_size):
        batch = order[start : start + mini_batch_size]
        x, y = X[batch], Y[batch]
        activations = [x]
        for w, b in zip(weights, biases):
            activations.append(expit(activations[-1] @ w + b))
        delta = activations[-1] - y
        step = eta / len(batch)
        for layer in range(last, -1, -1):
            grad_w = activations[layer].T @ delta
            grad_b = delta.sum(axis=0)
            if layer:
                a = activations[layer]
                delta = (delta @ weights[layer].T) * a * (1 - a)
            weights[layer] *= decay
            weights[layer] -= step * grad_w
            biases[layer] -= step * grad_b


def accuracy(weights, biases, X, y):
    a = X
    for w, b in zip(weights, biases):
        a = expit(a @ w + b)
    return float(np.mean(a.argmax(axis=1) == y))
