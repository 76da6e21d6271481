"""Numba kernels of the compiled engine: mini-batch training in one call.

Imported only by :mod:`sknielsen._compiled`, and only when numba is
installed. Every function is compiled with ``cache=True``, so a process
after the first loads the machine code from disk instead of compiling it.

The kernels reproduce the NumPy engine (:class:`sknielsen._network.Backprop`
plus the regularizer and optimizer plugins) step for step, in plain loops
instead of matrix products: at the book's mini-batch of 10 the NumPy
engine's time goes into the overhead of some fifteen calls on tiny
matrices, and here there are none. The first layer only visits the non-zero
inputs of a sample, in its forward product and in its weight update.

Plugins arrive as small integer codes (the tables below), and the network,
its data, the update rule and the scratch space as four named tuples built
by :mod:`sknielsen._compiled`:

``Layers``
    ``params`` (the network's flat array, updated in place), ``sizes``,
    ``weight_starts`` and ``bias_starts`` (offsets of each layer's W and b in
    ``params``), ``unit_starts`` (offset of each layer's units in a row of
    the scratch arrays, then the row's width), ``activations`` (codes) and ``first``: a working
    copy of W₁ whose rows are padded to a whole number of vector registers
    (the first layer's slot in the scratch rows is as wide), which plain
    SGD with the lazy decay trains instead of W₁ itself in calls of at
    least ``PADDED_MIN_SAMPLES`` samples.
``Batches``
    ``dense`` (n, n_in) or, for CSR input, ``data``, ``indices``, ``indptr``
    with ``sparse`` set; ``targets``, ``order``; ``scales`` (per-sample
    gradient weights, used when ``weighted``); ``masks`` (the dropout masks
    of the hidden units, 0 or 1 / (1 − dropout), one row per position of
    ``order`` in the trained range, used when ``dropout``); ``outputs``
    (n, n_out): each position's output of its forward pass is written to
    its row, for the epoch's loss.
``Rule``
    ``cost``, ``penalty``, ``optimizer`` (codes), ``hyper`` (the
    hyper-parameters as float64, indexed by the constants below, cast to
    the network's dtype where NumPy casts a Python float), ``velocity``,
    ``first_moment``, ``second_moment`` and ``step`` (optimizer state
    arrays, updated in place).
``Scratch``
    ``z``, ``a``, ``kept`` (activations after dropout) and ``delta``: flat
    arrays of one row of every layer's units per sample of a mini-batch
    (flat, so that the loops over a row's units run over contiguous memory
    the compiler vectorizes); ``grads`` laid out like ``params``;
    ``nonzero_index``, ``nonzero_value`` and ``nonzero_count``: the non-zero
    inputs of each sample of the mini-batch.
"""

from collections import namedtuple

import numpy as np
from numba import njit as _njit

# NumPy's error model: a division by zero gives inf or nan, as in the NumPy
# engine, instead of a check and a Python exception at every division.
njit = _njit(cache=True, error_model="numpy")

SIGMOID, TANH, RELU, IDENTITY, SOFTMAX = 0, 1, 2, 3, 4
QUADRATIC, CROSS_ENTROPY, LOG_LIKELIHOOD = 0, 1, 2
NO_PENALTY, L2, L1 = 0, 1, 2
SGD, MOMENTUM, NESTEROV, ADAM = 0, 1, 2, 3

#: The code of each plugin with a kernel, by kind and registered name.
CODES = {
    "activation": {
        "sigmoid": SIGMOID,
        "tanh": TANH,
        "relu": RELU,
        "identity": IDENTITY,
        "softmax": SOFTMAX,
    },
    "cost": {
        "quadratic": QUADRATIC,
        "cross_entropy": CROSS_ENTROPY,
        "log_likelihood": LOG_LIKELIHOOD,
    },
    "regularizer": {"none": NO_PENALTY, "l2": L2, "l1": L1},
    "optimizer": {"sgd": SGD, "momentum": MOMENTUM, "nesterov": NESTEROV, "adam": ADAM},
}

Layers = namedtuple(
    "Layers", "params sizes weight_starts bias_starts unit_starts activations first"
)
Batches = namedtuple(
    "Batches",
    "dense data indices indptr sparse targets order scales weighted masks dropout outputs",
)
Rule = namedtuple("Rule", "cost penalty optimizer hyper velocity first_moment second_moment step")
Scratch = namedtuple("Scratch", "z a kept delta grads nonzero_index nonzero_value nonzero_count")
#: The units of one layer in the flat scratch rows of a mini-batch.
Block = namedtuple("Block", "start width stride rows")

# Positions in Rule.hyper.
ETA, PENALTY, DECAY, MU, BETA1, BETA2, EPSILON, CLIP = range(8)
N_HYPER = 8

# The first layer's weights are kept as W = s·V (lazy weight decay); s is
# folded back into V before it gets small enough to cost precision in V.
SMALLEST_LAZY_SCALE = 1e-3
# Samples a kernel call must train for the padded copy of W₁ to pay for
# copying it in and out (784 × 32 numbers each way for MNIST's [784, 30, 10]).
PADDED_MIN_SAMPLES = 256


# ---------------------------------------------------------------------------
# Element-wise loops: numba's array expressions check for overlap and go
# through the ufunc machinery, too slow for a few hundred numbers.
# ---------------------------------------------------------------------------


@njit
def _fill(target, value):
    for j in range(target.size):
        target[j] = value


@njit
def _scale(target, factor):
    """target *= factor."""
    for j in range(target.size):
        target[j] *= factor


@njit
def _add_scaled(target, coefficient, source):
    """target += coefficient · source."""
    for p in range(target.size):
        target[p] += coefficient * source[p]


# ---------------------------------------------------------------------------
# Activations and costs on the units of one layer, for a whole mini-batch.
# The scratch arrays are flat: unit j of the layer for sample i of the
# mini-batch is at i * block.stride + block.start + j.
# ---------------------------------------------------------------------------


@njit
def _block(layers, layer, rows):
    """The Block of ``layer``'s units in the scratch rows of ``rows`` samples."""
    return Block(layers.unit_starts[layer], layers.sizes[layer + 1], layers.unit_starts[-1], rows)


@njit
def _activate(code, z, a, block):
    """a ← σ(z)."""
    for i in range(block.rows):
        first = i * block.stride + block.start
        units = range(first, first + block.width)
        if code == SIGMOID:
            for j in units:
                a[j] = 1.0 / (1.0 + np.exp(-z[j]))
        elif code == TANH:
            for j in units:
                a[j] = np.tanh(z[j])
        elif code == RELU:
            for j in units:
                a[j] = max(z[j], 0.0)
        elif code == IDENTITY:
            for j in units:
                a[j] = z[j]
        else:
            # Subtracting the row maximum keeps exp from overflowing.
            largest = z[first]
            for j in units:
                largest = max(largest, z[j])
            total = 0.0
            for j in units:
                a[j] = np.exp(z[j] - largest)
                total += a[j]
            for j in units:
                a[j] /= total


@njit
def _activation_backward(code, delta, z, a, block):
    """delta ← delta ⊙ σ'(z) (softmax: delta times its Jacobian)."""
    for i in range(block.rows):
        first = i * block.stride + block.start
        units = range(first, first + block.width)
        if code == SIGMOID:
            for j in units:
                delta[j] *= (1.0 - a[j]) * a[j]
        elif code == TANH:
            for j in units:
                delta[j] *= 1.0 - a[j] * a[j]
        elif code == RELU:
            for j in units:
                if z[j] <= 0.0:
                    delta[j] = 0.0
        elif code == SOFTMAX:
            inner = 0.0
            for j in units:
                inner += delta[j] * a[j]
            for j in units:
                delta[j] = (delta[j] - inner) * a[j]


@njit
def _cost_gradient(cost, a, y, clip, delta, first, width):
    """delta ← ∂C/∂a for one sample, whose units start at ``first``."""
    for j in range(width):
        unit = first + j
        if cost == QUADRATIC:
            delta[unit] = a[unit] - y[j]
        else:
            # Clipping keeps the log-based gradients finite at outputs of 0 or 1.
            clipped = min(max(a[unit], clip), 1.0 - clip)
            if cost == CROSS_ENTROPY:
                delta[unit] = (clipped - y[j]) / (clipped * (1.0 - clipped))
            else:
                delta[unit] = -y[j] / clipped


@njit
def _output_error(layers, batches, rule, scratch, batch_start, block):
    """δᴸ = ∂C/∂zᴸ of each sample, with the book's exact forms where they exist."""
    activation = layers.activations[-1]
    exact = (rule.cost == CROSS_ENTROPY and activation == SIGMOID) or (
        rule.cost == LOG_LIKELIHOOD and activation == SOFTMAX
    )
    clip = rule.hyper[CLIP]
    for i in range(block.rows):
        y = batches.targets[batches.order[batch_start + i]]
        first = i * block.stride + block.start
        if exact:
            for j in range(block.width):
                scratch.delta[first + j] = scratch.a[first + j] - y[j]
        else:
            _cost_gradient(rule.cost, scratch.a, y, clip, scratch.delta, first, block.width)
    if not exact:
        _activation_backward(activation, scratch.delta, scratch.z, scratch.a, block)


@njit
def _weigh_errors(batches, scratch, batch_start, block):
    """Multiply each sample's output error by its weight in the gradient: 1/m or w_i/m."""
    dtype = scratch.delta.dtype.type
    for i in range(block.rows):
        if batches.weighted:
            scale = dtype(batches.scales[batches.order[batch_start + i]] / block.rows)
        else:
            scale = dtype(1.0 / block.rows)
        first = i * block.stride + block.start
        for j in range(first, first + block.width):
            scratch.delta[j] *= scale


# ---------------------------------------------------------------------------
# Forward and backward pass of a mini-batch
# ---------------------------------------------------------------------------


@njit
def _gather_nonzeros(batches, scratch, batch_start, m):
    """Record the non-zero inputs of each sample of the mini-batch."""
    for i in range(m):
        row = batches.order[batch_start + i]
        index, value = scratch.nonzero_index[i], scratch.nonzero_value[i]
        count = 0
        if batches.sparse:
            # The bounds are a last line of defence: the Python side hands over
            # canonical rows only, which never reach them.
            for p in range(batches.indptr[row], batches.indptr[row + 1]):
                column = batches.indices[p]
                if batches.data[p] != 0.0 and count < index.size and 0 <= column < index.size:
                    index[count] = column
                    value[count] = batches.data[p]
                    count += 1
        else:
            # Branch-free: every pixel is written, only the non-zero ones are kept.
            x = batches.dense[row]
            for k in range(x.size):
                index[count] = k
                value[count] = x[k]
                count += x[k] != 0.0
        scratch.nonzero_count[i] = count


@njit
def _weight_row(weights, stride, scratch, i, p):
    """The row of W₁ (rows of ``stride`` numbers) for the p-th non-zero input of sample i."""
    row = scratch.nonzero_index[i, p] * stride
    return weights[row : row + stride]


@njit
def _first_weights(layers, padded):
    """W₁ as the first layer's loops read it, or its padded copy; and its row stride.

    The loops run over whole rows, padding included: rows of a whole number
    of vector registers leave the vectorized loops no scalar remainder
    (float32 rows of 30 took 23 % longer than rows of 32,
    ``benchmarks/compiled_ceiling.py``). The padding's weights and errors are
    zero, so it changes no number.
    """
    if padded:
        return layers.first, layers.first.size // layers.sizes[0]
    start = layers.weight_starts[0]
    return layers.params[start : start + layers.sizes[0] * layers.sizes[1]], layers.sizes[1]


@njit
def _first_layer_input(layers, scratch, block, lazy_scale, padded):
    """z of the first layer, from the non-zero inputs only: s·(x @ V) + b."""
    params = layers.params
    bias = params[layers.bias_starts[0] : layers.bias_starts[0] + block.width]
    scale = scratch.z.dtype.type(lazy_scale)
    weights, stride = _first_weights(layers, padded)
    for i in range(block.rows):
        # Loops over views of rows: indexing the flat arrays directly makes
        # numba handle negative indices, which stops LLVM from vectorizing.
        z = scratch.z[i * block.stride : i * block.stride + stride]
        _fill(z, 0.0)
        count = scratch.nonzero_count[i]
        # Four inputs per pass over z: one pass per input would make every
        # pass wait for the last one's stores to z.
        for p in range(0, count - 3, 4):
            w0 = _weight_row(weights, stride, scratch, i, p)
            w1 = _weight_row(weights, stride, scratch, i, p + 1)
            w2 = _weight_row(weights, stride, scratch, i, p + 2)
            w3 = _weight_row(weights, stride, scratch, i, p + 3)
            x0, x1 = scratch.nonzero_value[i, p], scratch.nonzero_value[i, p + 1]
            x2, x3 = scratch.nonzero_value[i, p + 2], scratch.nonzero_value[i, p + 3]
            for j in range(stride):
                z[j] += (x0 * w0[j] + x1 * w1[j]) + (x2 * w2[j] + x3 * w3[j])
        for p in range(count - count % 4, count):
            row = _weight_row(weights, stride, scratch, i, p)
            x = scratch.nonzero_value[i, p]
            for j in range(stride):
                z[j] += x * row[j]
        for j in range(block.width):
            z[j] = scale * z[j] + bias[j]


@njit
def _layer_input(layers, scratch, layer, below, block):
    """z of a layer above the first: b + (kept activations of the layer below) @ W."""
    params = layers.params
    bias = params[layers.bias_starts[layer] : layers.bias_starts[layer] + block.width]
    for i in range(block.rows):
        first = i * block.stride + block.start
        z = scratch.z[first : first + block.width]
        for j in range(block.width):
            z[j] = bias[j]
        for k in range(below.width):
            x = scratch.kept[i * below.stride + below.start + k]
            row = layers.weight_starts[layer] + k * block.width
            weights = params[row : row + block.width]
            for j in range(block.width):
                z[j] += x * weights[j]


@njit
def _keep(batches, scratch, mask_start, block, apply_to):
    """Multiply ``apply_to`` by the dropout masks of the block's units (0 or 1/(1 − p))."""
    for i in range(block.rows):
        first = i * block.stride + block.start
        mask = batches.masks[mask_start + i]
        for j in range(block.width):
            apply_to[first + j] *= mask[block.start + j]


@njit
def _forward(layers, batches, scratch, m, mask_start, lazy_scale, padded):
    """Forward pass of the m samples of a mini-batch; ``mask_start`` picks their masks."""
    last = layers.activations.size - 1
    for layer in range(last + 1):
        block = _block(layers, layer, m)
        if layer == 0:
            _first_layer_input(layers, scratch, block, lazy_scale, padded)
        else:
            _layer_input(layers, scratch, layer, _block(layers, layer - 1, m), block)
        _activate(layers.activations[layer], scratch.z, scratch.a, block)
        for i in range(m):
            first = i * block.stride + block.start
            for j in range(first, first + block.width):
                scratch.kept[j] = scratch.a[j]
        if batches.dropout and layer < last:
            _keep(batches, scratch, mask_start, block, scratch.kept)


@njit
def _record_outputs(layers, batches, scratch, m, batch_start):
    """Copy the output layer's activations of the mini-batch to ``batches.outputs``."""
    block = _block(layers, layers.activations.size - 1, m)
    for i in range(m):
        first = i * block.stride + block.start
        row = batches.outputs[batch_start + i]
        for j in range(block.width):
            row[j] = scratch.a[first + j]


@njit
def _backward(layers, batches, rule, scratch, m, batch_start, mask_start):
    """δ of every layer for the m samples of the mini-batch starting at ``batch_start``."""
    last = layers.activations.size - 1
    block = _block(layers, last, m)
    _output_error(layers, batches, rule, scratch, batch_start, block)
    _weigh_errors(batches, scratch, batch_start, block)
    params, delta = layers.params, scratch.delta
    for layer in range(last, 0, -1):
        above, below = _block(layers, layer, m), _block(layers, layer - 1, m)
        for i in range(m):
            out = i * below.stride + below.start
            inp = i * above.stride + above.start
            for k in range(below.width):
                row = layers.weight_starts[layer] + k * above.width
                total = delta.dtype.type(0.0)
                for j in range(above.width):
                    total += params[row + j] * delta[inp + j]
                delta[out + k] = total
        if batches.dropout:
            _keep(batches, scratch, mask_start, below, delta)
        _activation_backward(layers.activations[layer - 1], delta, scratch.z, scratch.a, below)


# ---------------------------------------------------------------------------
# Gradients of a mini-batch
# ---------------------------------------------------------------------------


@njit
def _upper_gradient(layers, scratch, m, grads):
    """Gradient of the biases and of the weights above the first layer, into ``grads``."""
    for layer in range(layers.activations.size):
        block = _block(layers, layer, m)
        bias_grad = grads[layers.bias_starts[layer] : layers.bias_starts[layer] + block.width]
        _fill(bias_grad, 0.0)
        for i in range(m):
            first = i * block.stride + block.start
            _add_scaled(bias_grad, 1.0, scratch.delta[first : first + block.width])
        if layer == 0:
            continue
        below = _block(layers, layer - 1, m)
        start = layers.weight_starts[layer]
        _fill(grads[start : start + below.width * block.width], 0.0)
        for i in range(m):
            first = i * block.stride + block.start
            delta = scratch.delta[first : first + block.width]
            for k in range(below.width):
                row = start + k * block.width
                x = scratch.kept[i * below.stride + below.start + k]
                _add_scaled(grads[row : row + block.width], x, delta)


@njit
def _add_first_layer_outer(layers, scratch, m, coefficient, target, stride):
    """target += coefficient · Σᵢ xᵢ δᵢᵀ, visiting the non-zero inputs only.

    ``target`` holds W₁'s shape in rows of ``stride`` numbers (W₁'s width,
    or the padded copy's).
    """
    block = _block(layers, 0, m)
    for i in range(m):
        delta = scratch.delta[i * block.stride : i * block.stride + stride]
        for p in range(scratch.nonzero_count[i]):
            x = coefficient * scratch.nonzero_value[i, p]
            row = _weight_row(target, stride, scratch, i, p)
            for j in range(stride):
                row[j] += x * delta[j]


@njit
def _full_gradient(layers, rule, scratch, m):
    """The whole regularized gradient of a mini-batch, into ``scratch.grads``."""
    grads, params = scratch.grads, layers.params
    _upper_gradient(layers, scratch, m, grads)
    first = grads[
        layers.weight_starts[0] : layers.weight_starts[0] + layers.sizes[0] * layers.sizes[1]
    ]
    _fill(first, 0.0)
    _add_first_layer_outer(layers, scratch, m, grads.dtype.type(1.0), first, layers.sizes[1])
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


@njit
def _decayed_sgd_step(layers, rule, scratch, m, lazy_scale, padded):
    """Plain SGD with the book's decay w ← (1 − ηλ/n)w − η∇C; returns the new lazy scale.

    Only the rows of the first layer's weights whose input is non-zero
    change: the decay of the others is carried by the scale s of W₁ = s·V.
    V is W₁'s storage in ``params``, or its padded copy ``layers.first``.
    """
    params, grads = layers.params, scratch.grads
    dtype = params.dtype.type
    eta, decay = dtype(rule.hyper[ETA]), dtype(rule.hyper[DECAY])
    _upper_gradient(layers, scratch, m, grads)
    end_of_first = layers.weight_starts[0] + layers.sizes[0] * layers.sizes[1]
    _scale(params[end_of_first : layers.bias_starts[0]], decay)
    upper = slice(end_of_first, params.size)
    _add_scaled(params[upper], -eta, grads[upper])
    first, stride = _first_weights(layers, padded)
    if decay > 0.0:
        lazy_scale *= float(decay)
        coefficient = dtype(-eta / lazy_scale)
    else:
        _scale(first, decay)
        coefficient = -eta
    _add_first_layer_outer(layers, scratch, m, coefficient, first, stride)
    return lazy_scale


@njit
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


@njit
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


@njit
def _fold_lazy_scale(layers, lazy_scale, padded):
    """V ← s·V: make W₁ (or its padded copy) explicit again; returns the new s, 1."""
    if lazy_scale != 1.0:
        first, _ = _first_weights(layers, padded)
        _scale(first, first.dtype.type(lazy_scale))
    return 1.0


@njit
def _copy_first_layer(layers, to_padded):
    """Copy W₁ into its padded working copy, or back (``to_padded`` False)."""
    padded, stride = _first_weights(layers, True)
    weights, width = _first_weights(layers, False)
    for k in range(layers.sizes[0]):
        row, padded_row = (
            weights[k * width : (k + 1) * width],
            padded[k * stride : (k + 1) * stride],
        )
        for j in range(width):
            if to_padded:
                padded_row[j] = row[j]
            else:
                row[j] = padded_row[j]


@njit
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
    # The padded copy pays for its two copies over many samples, not over one
    # mini-batch (a callback's per-batch calls).
    padded = decoupled and stop - start >= PADDED_MIN_SAMPLES
    lazy_scale = 1.0
    if padded:
        _copy_first_layer(layers, True)
    for batch_start in range(start, stop, batch_size):
        m = min(batch_size, stop - batch_start)
        _gather_nonzeros(batches, scratch, batch_start, m)
        _forward(layers, batches, scratch, m, batch_start - start, lazy_scale, padded)
        _record_outputs(layers, batches, scratch, m, batch_start)
        _backward(layers, batches, rule, scratch, m, batch_start, batch_start - start)
        if decoupled:
            lazy_scale = _decayed_sgd_step(layers, rule, scratch, m, lazy_scale, padded)
            if lazy_scale < SMALLEST_LAZY_SCALE:
                lazy_scale = _fold_lazy_scale(layers, lazy_scale, padded)
        else:
            _full_gradient(layers, rule, scratch, m)
            _optimizer_step(rule, layers.params, scratch.grads)
    _fold_lazy_scale(layers, lazy_scale, padded)
    if padded:
        _copy_first_layer(layers, False)
