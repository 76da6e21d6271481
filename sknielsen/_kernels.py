"""Numba kernels of the compiled engine: mini-batch training in one call.

Imported only by :mod:`sknielsen._compiled`, and only when numba is
installed. Every function is compiled with ``cache=True``, so a process
after the first loads the machine code from disk instead of compiling it.

The kernels reproduce the NumPy engine (:class:`sknielsen._network.Backprop`
plus the regularizer and optimizer plugins) step for step, but sample by
sample instead of matrix by matrix: at the book's mini-batch of 10 the
NumPy engine's time goes into the overhead of some fifteen calls on tiny
matrices, and here there are none. The first layer only visits the non-zero
inputs of a sample, in its forward product and in its weight update.

Plugins arrive as small integer codes (the tables below), and the network,
its data, the update rule and the scratch space as four named tuples built
by :mod:`sknielsen._compiled`:

``Layers``
    ``params`` (the network's flat array, updated in place), ``sizes``,
    ``weight_starts`` and ``bias_starts`` (offsets of each layer's W and b in
    ``params``), ``unit_starts`` (offset of each layer's units in a row of
    the scratch arrays) and ``activations`` (codes).
``Batches``
    ``dense`` (n, n_in) or, for CSR input, ``data``, ``indices``, ``indptr``
    with ``sparse`` set; ``targets``, ``order``; ``scales`` (per-sample
    gradient weights, used when ``weighted``); ``masks`` (the dropout masks
    of the hidden units, 0 or 1 / (1 − dropout), one row per position of
    ``order`` in the trained range, used when ``dropout``).
``Rule``
    ``cost``, ``penalty``, ``optimizer`` (codes), ``hyper`` (the
    hyper-parameters as float64, indexed by the constants below, cast to
    the network's dtype where NumPy casts a Python float), ``velocity``,
    ``first_moment``, ``second_moment`` and ``step`` (optimizer state
    arrays, updated in place).
``Scratch``
    ``z``, ``a``, ``kept`` (activations after dropout) and ``delta``, one
    row per sample of a mini-batch; ``grads`` laid out like ``params``;
    ``nonzero_index``, ``nonzero_value`` and ``nonzero_count``: the non-zero
    inputs of each sample of the mini-batch.
"""

from collections import namedtuple

import numpy as np
from numba import njit

SIGMOID, TANH, RELU, IDENTITY, SOFTMAX = 0, 1, 2, 3, 4
QUADRATIC, CROSS_ENTROPY, LOG_LIKELIHOOD = 0, 1, 2
NO_PENALTY, L2, L1 = 0, 1, 2
SGD, MOMENTUM, NESTEROV, ADAM = 0, 1, 2, 3

#: The code of each plugin with a kernel, by kind and registered name.
CODES = {
    "activation": {
        "sigmoid": SIGMOID, "tanh": TANH, "relu": RELU, "identity": IDENTITY, "softmax": SOFTMAX,
    },
    "cost": {"quadratic": QUADRATIC, "cross_entropy": CROSS_ENTROPY,
             "log_likelihood": LOG_LIKELIHOOD},
    "regularizer": {"none": NO_PENALTY, "l2": L2, "l1": L1},
    "optimizer": {"sgd": SGD, "momentum": MOMENTUM, "nesterov": NESTEROV, "adam": ADAM},
}  # fmt: skip

Layers = namedtuple(
    "Layers", "params sizes weight_starts bias_starts unit_starts activations"
)
Batches = namedtuple(
    "Batches",
    "dense data indices indptr sparse targets order scales weighted masks dropout",
)
Rule = namedtuple(
    "Rule", "cost penalty optimizer hyper velocity first_moment second_moment step"
)
Scratch = namedtuple(
    "Scratch", "z a kept delta grads nonzero_index nonzero_value nonzero_count"
)

# Positions in Rule.hyper.
ETA, PENALTY, DECAY, MU, BETA1, BETA2, EPSILON, CLIP = range(8)
N_HYPER = 8

# The first layer's weights are kept as W = s·V (lazy weight decay); s is
# folded back into V before it gets small enough to cost precision in V.
SMALLEST_LAZY_SCALE = 1e-3


# ---------------------------------------------------------------------------
# Activations and costs, one sample (one row) at a time
# ---------------------------------------------------------------------------


@njit(cache=True)
def _activate(code, z, a):
    """a ← σ(z) for one row."""
    if code == SIGMOID:
        for j in range(z.size):
            a[j] = 1.0 / (1.0 + np.exp(-z[j]))
    elif code == TANH:
        for j in range(z.size):
            a[j] = np.tanh(z[j])
    elif code == RELU:
        for j in range(z.size):
            a[j] = max(z[j], 0.0)
    elif code == IDENTITY:
        a[:] = z
    else:
        # Subtracting the row maximum keeps exp from overflowing.
        largest = z.max()
        total = 0.0
        for j in range(z.size):
            a[j] = np.exp(z[j] - largest)
            total += a[j]
        for j in range(z.size):
            a[j] /= total


@njit(cache=True)
def _activation_backward(code, delta, z, a):
    """delta ← delta ⊙ σ'(z) for one row (softmax: delta times its Jacobian)."""
    if code == SIGMOID:
        for j in range(delta.size):
            delta[j] *= (1.0 - a[j]) * a[j]
    elif code == TANH:
        for j in range(delta.size):
            delta[j] *= 1.0 - a[j] * a[j]
    elif code == RELU:
        for j in range(delta.size):
            if z[j] <= 0.0:
                delta[j] = 0.0
    elif code == SOFTMAX:
        inner = 0.0
        for j in range(delta.size):
            inner += delta[j] * a[j]
        for j in range(delta.size):
            delta[j] = (delta[j] - inner) * a[j]


@njit(cache=True)
def _output_error(cost, activation, z, a, y, clip, delta):
    """delta ← δᴸ = ∂C/∂zᴸ for one row, with the book's exact forms where they exist."""
    if (cost == CROSS_ENTROPY and activation == SIGMOID) or (
        cost == LOG_LIKELIHOOD and activation == SOFTMAX
    ):
        for j in range(delta.size):
            delta[j] = a[j] - y[j]
        return
    for j in range(delta.size):
        if cost == QUADRATIC:
            delta[j] = a[j] - y[j]
        else:
            # Clipping keeps the log-based gradients finite at outputs of 0 or 1.
            clipped = min(max(a[j], clip), 1.0 - clip)
            if cost == CROSS_ENTROPY:
                delta[j] = (clipped - y[j]) / (clipped * (1.0 - clipped))
            else:
                delta[j] = -y[j] / clipped
    _activation_backward(activation, delta, z, a)


# ---------------------------------------------------------------------------
# Forward and backward pass of one sample
# ---------------------------------------------------------------------------


@njit(cache=True)
def _gather_nonzeros(batches, row, scratch, i):
    """Record the non-zero inputs of sample ``row`` as sample ``i`` of the mini-batch."""
    index, value = scratch.nonzero_index[i], scratch.nonzero_value[i]
    count = 0
    if batches.sparse:
        for p in range(batches.indptr[row], batches.indptr[row + 1]):
            if batches.data[p] != 0.0:
                index[count] = batches.indices[p]
                value[count] = batches.data[p]
                count += 1
    else:
        x = batches.dense[row]
        for k in range(x.size):
            if x[k] != 0.0:
                index[count] = k
                value[count] = x[k]
                count += 1
    scratch.nonzero_count[i] = count


@njit(cache=True)
def _first_layer_input(layers, scratch, i, lazy_scale):
    """z of the first layer for sample ``i``, from its non-zero inputs only."""
    params = layers.params
    fan_out = layers.sizes[1]
    z = scratch.z[i, :fan_out]
    z[:] = 0.0
    for p in range(scratch.nonzero_count[i]):
        x = scratch.nonzero_value[i, p]
        row = layers.weight_starts[0] + scratch.nonzero_index[i, p] * fan_out
        for j in range(fan_out):
            z[j] += x * params[row + j]
    scale = z.dtype.type(lazy_scale)
    bias = params[layers.bias_starts[0] : layers.bias_starts[0] + fan_out]
    for j in range(fan_out):
        z[j] = scale * z[j] + bias[j]


@njit(cache=True)
def _layer_input(layers, scratch, i, layer):
    """z of a layer above the first for sample ``i``: b + (kept activations below) @ W."""
    params = layers.params
    fan_in, fan_out = layers.sizes[layer], layers.sizes[layer + 1]
    below = layers.unit_starts[layer - 1]
    inputs = scratch.kept[i, below : below + fan_in]
    start = layers.unit_starts[layer]
    z = scratch.z[i, start : start + fan_out]
    z[:] = params[layers.bias_starts[layer] : layers.bias_starts[layer] + fan_out]
    for k in range(fan_in):
        x = inputs[k]
        row = layers.weight_starts[layer] + k * fan_out
        for j in range(fan_out):
            z[j] += x * params[row + j]


@njit(cache=True)
def _forward(layers, batches, scratch, i, mask_row, lazy_scale):
    """Forward pass of sample ``i`` of the mini-batch; ``mask_row`` picks its dropout masks."""
    last = layers.activations.size - 1
    for layer in range(last + 1):
        if layer == 0:
            _first_layer_input(layers, scratch, i, lazy_scale)
        else:
            _layer_input(layers, scratch, i, layer)
        start, width = layers.unit_starts[layer], layers.sizes[layer + 1]
        units = slice(start, start + width)
        _activate(layers.activations[layer], scratch.z[i, units], scratch.a[i, units])
        kept = scratch.kept[i, units]
        kept[:] = scratch.a[i, units]
        if batches.dropout and layer < last:
            kept *= batches.masks[mask_row, units]


@njit(cache=True)
def _backward(layers, batches, rule, scratch, i, row, mask_row, scale):
    """δ of every layer for sample ``i`` (data row ``row``), the output error times ``scale``."""
    last = layers.activations.size - 1
    start, width = layers.unit_starts[last], layers.sizes[last + 1]
    units = slice(start, start + width)
    delta = scratch.delta[i, units]
    _output_error(
        rule.cost, layers.activations[last], scratch.z[i, units], scratch.a[i, units],
        batches.targets[row], rule.hyper[CLIP], delta,
    )  # fmt: skip
    delta *= scale
    params = layers.params
    for layer in range(last, 0, -1):
        fan_in, fan_out = layers.sizes[layer], layers.sizes[layer + 1]
        above = scratch.delta[i, layers.unit_starts[layer] : layers.unit_starts[layer] + fan_out]
        units = slice(layers.unit_starts[layer - 1], layers.unit_starts[layer - 1] + fan_in)
        below = scratch.delta[i, units]
        for k in range(fan_in):
            row_start = layers.weight_starts[layer] + k * fan_out
            total = below.dtype.type(0.0)
            for j in range(fan_out):
                total += params[row_start + j] * above[j]
            below[k] = total
        if batches.dropout:
            below *= batches.masks[mask_row, units]
        _activation_backward(
            layers.activations[layer - 1], below, scratch.z[i, units], scratch.a[i, units]
        )


# ---------------------------------------------------------------------------
# Gradients of a mini-batch
# ---------------------------------------------------------------------------


@njit(cache=True)
def _upper_gradient(layers, scratch, m, grads):
    """Gradient of the biases and of the weights above the first layer, into ``grads``."""
    for layer in range(layers.activations.size):
        fan_in, fan_out = layers.sizes[layer], layers.sizes[layer + 1]
        units = slice(layers.unit_starts[layer], layers.unit_starts[layer] + fan_out)
        bias_grad = grads[layers.bias_starts[layer] : layers.bias_starts[layer] + fan_out]
        bias_grad[:] = 0.0
        for i in range(m):
            bias_grad += scratch.delta[i, units]
        if layer == 0:
            continue
        below = layers.unit_starts[layer - 1]
        start = layers.weight_starts[layer]
        weight_grad = grads[start : start + fan_in * fan_out]
        weight_grad[:] = 0.0
        for i in range(m):
            delta = scratch.delta[i, units]
            for k in range(fan_in):
                x = scratch.kept[i, below + k]
                row = k * fan_out
                for j in range(fan_out):
                    weight_grad[row + j] += x * delta[j]


@njit(cache=True)
def _add_first_layer_outer(layers, scratch, m, coefficient, target):
    """target[W₁] += coefficient · Σᵢ xᵢ δᵢᵀ, visiting the non-zero inputs only."""
    fan_out = layers.sizes[1]
    first = layers.weight_starts[0]
    for i in range(m):
        delta = scratch.delta[i, :fan_out]
        for p in range(scratch.nonzero_count[i]):
            x = coefficient * scratch.nonzero_value[i, p]
            row = first + scratch.nonzero_index[i, p] * fan_out
            for j in range(fan_out):
                target[row + j] += x * delta[j]


@njit(cache=True)
def _full_gradient(layers, rule, scratch, m):
    """The whole regularized gradient of a mini-batch, into ``scratch.grads``."""
    grads, params = scratch.grads, layers.params
    _upper_gradient(layers, scratch, m, grads)
    first = layers.weight_starts[0]
    grads[first : first + layers.sizes[0] * layers.sizes[1]] = 0.0
    _add_first_layer_outer(layers, scratch, m, grads.dtype.type(1.0), grads)
    coefficient = grads.dtype.type(rule.hyper[PENALTY])
    if rule.penalty == L2:
        for p in range(layers.bias_starts[0]):
            grads[p] += params[p] * coefficient
    elif rule.penalty == L1:
        for p in range(layers.bias_starts[0]):
            grads[p] += np.sign(params[p]) * coefficient


# ---------------------------------------------------------------------------
# Update rules
# ---------------------------------------------------------------------------


@njit(cache=True)
def _add_scaled(target, coefficient, source):
    """target += coefficient · source, element by element (no temporary array)."""
    for p in range(target.size):
        target[p] += coefficient * source[p]


@njit(cache=True)
def _decayed_sgd_step(layers, rule, scratch, m, lazy_scale):
    """Plain SGD with the book's decay w ← (1 − ηλ/n)w − η∇C; returns the new lazy scale.

    Only the rows of the first layer's weights whose input is non-zero
    change: the decay of the others is carried by the scale s of W₁ = s·V.
    """
    params, grads = layers.params, scratch.grads
    dtype = params.dtype.type
    eta, decay = dtype(rule.hyper[ETA]), dtype(rule.hyper[DECAY])
    _upper_gradient(layers, scratch, m, grads)
    end_of_first = layers.weight_starts[0] + layers.sizes[0] * layers.sizes[1]
    params[end_of_first : layers.bias_starts[0]] *= decay
    upper = slice(end_of_first, params.size)
    _add_scaled(params[upper], -eta, grads[upper])
    if decay > 0.0:
        lazy_scale *= float(decay)
        coefficient = dtype(-eta / lazy_scale)
    else:
        params[:end_of_first] *= decay
        coefficient = -eta
    _add_first_layer_outer(layers, scratch, m, coefficient, params)
    return lazy_scale


@njit(cache=True)
def _optimizer_step(rule, params, grads):
    """params += the optimizer's update for the regularized gradient ``grads``."""
    dtype = params.dtype.type
    eta = dtype(rule.hyper[ETA])
    if rule.optimizer == SGD:
        _add_scaled(params, -eta, grads)
    elif rule.optimizer == ADAM:
        _adam_step(rule, params, grads)
    else:
        mu = dtype(rule.hyper[MU])
        velocity = rule.velocity
        for p in range(params.size):
            step = eta * grads[p]
            velocity[p] = velocity[p] * mu - step
            if rule.optimizer == MOMENTUM:
                params[p] += velocity[p]
            else:
                params[p] += mu * velocity[p] - step


@njit(cache=True)
def _adam_step(rule, params, grads):
    """Adam's update, as in :class:`sknielsen.plugins.Adam`."""
    hyper = rule.hyper
    dtype = params.dtype.type
    rule.step[0] += 1
    t = float(rule.step[0])
    beta1, beta2 = dtype(hyper[BETA1]), dtype(hyper[BETA2])
    keep1, keep2 = dtype(1.0 - hyper[BETA1]), dtype(1.0 - hyper[BETA2])
    first_correction = dtype(1.0 - hyper[BETA1] ** t)
    second_correction = dtype(1.0 - hyper[BETA2] ** t)
    eta, epsilon = dtype(hyper[ETA]), dtype(hyper[EPSILON])
    m, v = rule.first_moment, rule.second_moment
    for p in range(params.size):
        g = grads[p]
        m[p] = m[p] * beta1 + keep1 * g
        v[p] = v[p] * beta2 + keep2 * (g * g)
        denominator = np.sqrt(v[p] / second_correction) + epsilon
        params[p] -= eta * ((m[p] / first_correction) / denominator)


# ---------------------------------------------------------------------------
# The training loop over a range of mini-batches
# ---------------------------------------------------------------------------


@njit(cache=True)
def _fold_lazy_scale(layers, lazy_scale):
    """W₁ ← s·V: make the first layer's weights explicit again; returns the new s, 1."""
    if lazy_scale != 1.0:
        end_of_first = layers.weight_starts[0] + layers.sizes[0] * layers.sizes[1]
        layers.params[layers.weight_starts[0] : end_of_first] *= layers.params.dtype.type(
            lazy_scale
        )
    return 1.0


@njit(cache=True)
def train_range(layers, batches, rule, scratch, start, stop, batch_size):
    """Train on the mini-batches of ``order[start:stop]``, in place.

    Parameters
    ----------
    layers, batches, rule, scratch : named tuples
        See the module docstring.
    start, stop : int
        Range of positions in ``batches.order``; mini-batches of
        ``batch_size`` rows start at ``start``, the last may be smaller.
    batch_size : int
    """
    # Plain SGD with no penalty or L2 takes the book's one-pass decay, and
    # with it the lazy decay of the first layer; the others need the whole
    # gradient before their update.
    decoupled = rule.optimizer == SGD and rule.penalty != L1
    dtype = layers.params.dtype.type
    lazy_scale = 1.0
    for batch_start in range(start, stop, batch_size):
        m = min(batch_size, stop - batch_start)
        for i in range(m):
            position = batch_start + i
            row = batches.order[position]
            if batches.weighted:
                scale = dtype(batches.scales[row] / m)
            else:
                scale = dtype(1.0 / m)
            _gather_nonzeros(batches, row, scratch, i)
            _forward(layers, batches, scratch, i, position - start, lazy_scale)
            _backward(layers, batches, rule, scratch, i, row, position - start, scale)
        if decoupled:
            lazy_scale = _decayed_sgd_step(layers, rule, scratch, m, lazy_scale)
            if lazy_scale < SMALLEST_LAZY_SCALE:
                lazy_scale = _fold_lazy_scale(layers, lazy_scale)
        else:
            _full_gradient(layers, rule, scratch, m)
            _optimizer_step(rule, layers.params, scratch.grads)
    _fold_lazy_scale(layers, lazy_scale)
