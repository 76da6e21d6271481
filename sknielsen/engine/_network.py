"""The engine: a feedforward network and vectorised mini-batch backprop.

Pure NumPy, no scikit-learn. Samples are rows: a mini-batch of m inputs is
one (m, n_in) matrix and every layer computes ``Z = A @ W + b`` for the whole
batch at once (the book's matrix-based backprop, chapter 2).

All weights and biases live in one flat array, ``params``: the weights of
every layer first, then the biases. Each layer's ``W`` (n_in, n_out) and
``b`` (n_out,) are views into it, and the gradient has the same layout. This
lets an optimizer update the whole network in one or two NumPy calls and a
regularizer see every weight, and no bias, as one contiguous slice.
"""

import itertools

import numpy as np
import scipy.sparse as sp

from .._core.arrays import stacked_in_chunks
from ..plugins._returns import into_buffer, returned_array, returned_layer

#: What an activation's fn must return, for its errors.
_SAME_AS_Z = "the shape of z"


def _layout(sizes):
    """Return the (start, stop, shape) of every weight and bias in the flat array."""
    weight_slots, bias_slots = [], []
    start = 0
    for fan_in, fan_out in itertools.pairwise(sizes):
        weight_slots.append((start, start + fan_in * fan_out, (fan_in, fan_out)))
        start += fan_in * fan_out
    n_weights = start
    for fan_out in sizes[1:]:
        bias_slots.append((start, start + fan_out, (fan_out,)))
        start += fan_out
    return weight_slots, bias_slots, n_weights, start


def parameter_count(sizes):
    """The number of weights and biases of a network with these layer sizes."""
    return _layout(sizes)[3]


def _views(flat, slots):
    return [flat[start:stop].reshape(shape) for start, stop, shape in slots]


#: How to change the network's parameters, for the errors of code that replaces them.
_IN_PLACE = (
    "the engines train the flat network.params in place, and each layer's weights and "
    "biases are views into it: write into them instead, such as network.params[...] = new "
    "or network.weights[0][...] = new"
)


class _Layers(tuple):
    """The per-layer views of a network: a tuple whose items are written into, not replaced."""

    __slots__ = ()

    def __setitem__(self, index, value):
        if value is not self[index]:  # ``weights[0] += x`` stores back the same array
            raise TypeError(f"A layer of the network cannot be replaced: {_IN_PLACE}.")


class _WrittenInPlace:
    """A network attribute that is written into, never replaced.

    Setting it to the object it holds is allowed: ``params += x`` writes in
    place, then stores the same array back.
    """

    def __init__(self, doc):
        self.__doc__ = doc

    def __set_name__(self, owner, name):
        self.name, self.slot = name, f"_{name}"

    def __get__(self, network, owner=None):
        return self if network is None else getattr(network, self.slot)

    def __set__(self, network, value):
        if value is not getattr(network, self.slot):
            raise AttributeError(f"network.{self.name} cannot be replaced: {_IN_PLACE}.")


class Network:
    """A feedforward network of any depth with its parameters in one flat array.

    Parameters
    ----------
    sizes : sequence of int
        Neurons per layer, input layer first, e.g. ``(784, 30, 10)``.
    activations : sequence of Activation
        One activation per non-input layer; the last is the output layer's.
    dtype : numpy dtype
        float64 or float32; every array of the network has this type.
    """

    def __init__(self, sizes, activations, dtype=np.float64):
        if len(activations) != len(sizes) - 1:
            raise ValueError("A network needs one activation per non-input layer.")
        self.sizes = tuple(int(s) for s in sizes)
        self.activations = list(activations)
        self.dtype = np.dtype(dtype)
        self._weight_slots, self._bias_slots, self.n_weights, n_params = _layout(self.sizes)
        self._params = np.zeros(n_params, dtype=self.dtype)
        self._weights = _Layers(_views(self._params, self._weight_slots))
        self._biases = _Layers(_views(self._params, self._bias_slots))

    # Read-only: a callback that rebinds them would train on nothing (the C engine
    # steps the old array) or on two arrays at once (the NumPy engine), silently.
    params = _WrittenInPlace(
        "Every weight, then every bias, in one flat array that training updates in place."
    )
    weights = _WrittenInPlace("The weights (n_in, n_out) of each layer: views into params.")
    biases = _WrittenInPlace("The biases (n_out,) of each layer: views into params.")

    @property
    def n_layers(self):
        """Number of layers of weights (hidden layers plus the output layer)."""
        return len(self.sizes) - 1

    def new_like_params(self):
        """Return a zeroed flat array with the layout of ``params`` and views into it.

        Returns
        -------
        flat : ndarray of shape (n_params,)
        weights, biases : list of ndarray
            Per-layer views into ``flat``.
        """
        flat = np.zeros_like(self.params)
        return flat, _views(flat, self._weight_slots), _views(flat, self._bias_slots)

    def initialize(self, initializer, rng):
        """Draw the starting weights and biases layer by layer."""
        for weights, biases in zip(self.weights, self.biases):
            fan_in, fan_out = weights.shape
            drawn = initializer(fan_in, fan_out, rng, self.dtype)
            new_weights, new_biases = returned_layer(
                initializer, drawn, fan_in, fan_out, self.dtype
            )
            weights[...] = new_weights
            biases[...] = new_biases

    def set_coefs(self, coefs, intercepts):
        """Copy per-layer weights (n_in, n_out) and biases (n_out,) into ``params``."""
        for target, source in zip(self.weights + self.biases, list(coefs) + list(intercepts)):
            if np.shape(source) != target.shape:
                raise ValueError(
                    f"Expected an array of shape {target.shape}; got {np.shape(source)}."
                )
            target[...] = source

    def feedforward(self, X, max_rows=None):
        """Return the output activations for the rows of ``X`` (new arrays).

        Parameters
        ----------
        X : ndarray of shape (n_samples, sizes[0]) or sparse matrix
        max_rows : int, default=None
            As for :func:`feedforward`.

        Returns
        -------
        output : ndarray of shape (n_samples, sizes[-1])
        """
        return feedforward(X, self.weights, self.biases, self.activations, max_rows=max_rows)


def overflowing_layer(weights, biases, activations):
    """The first layer that some input in [0, 1] can overflow, or None.

    Interval arithmetic: with inputs at most ``A`` in magnitude,
    ``|z| <= |W|ᵀA + |b|``; an activation of bounded range bounds the next
    layer's inputs by that range, an unbounded one (ReLU, identity) by the
    pre-activation. The model file refuses weights that fail it, and the
    training loop rolls back an epoch that leaves them.

    Parameters
    ----------
    weights, biases : lists of ndarray
        Per layer: (n_in, n_out) and (n_out,).
    activations : list of Activation
        Per layer, with their ``output_range``.

    Returns
    -------
    layer : int or None
    """
    bound = np.ones(weights[0].shape[0])
    largest = np.finfo(weights[0].dtype).max
    with np.errstate(over="ignore", invalid="ignore"):
        for layer, (w, b, activation) in enumerate(zip(weights, biases, activations)):
            z = np.abs(w, dtype=np.float64).T @ bound + np.abs(b)  # one pass, no copy first
            if not np.all(z < largest):
                return layer
            bound = np.minimum(z, max(map(abs, activation.output_range)))
    return None


#: Sparse mini-batches stay sparse when at most this share of X's entries is stored...
SPARSE_BATCH_DENSITY = 0.02
#: ...and a densified mini-batch would take at least this many bytes. Measured in
#: docs/design-notes.md: below either, densifying into BLAS's products was as fast or faster.
SPARSE_BATCH_BYTES = 1 << 18


def sparse_batches_pay(X, batch_size):
    """Whether mini-batches of the sparse ``X`` train faster kept sparse than densified.

    Sparse products cost per stored entry and per call, dense ones per
    entry of the densified mini-batch: sparse pays on wide, very sparse
    inputs (TF-IDF, one-hot), not on denser or narrow ones (MNIST's 784
    pixels, 19 % non-zero), which are densified as before.

    Parameters
    ----------
    X : scipy.sparse matrix of shape (n_samples, n_features)
    batch_size : int
        The largest mini-batch.

    Returns
    -------
    pays : bool
    """
    n_rows, n_cols = X.shape
    density = X.nnz / (n_rows * n_cols) if n_rows * n_cols else 1.0
    dense_bytes = batch_size * n_cols * X.dtype.itemsize
    return density <= SPARSE_BATCH_DENSITY and dense_bytes >= SPARSE_BATCH_BYTES


def feedforward(X, weights, biases, activations, *, max_rows=None):
    """Output activations for the rows of ``X`` through layers given as lists.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_in) or sparse matrix
        Of the weights' dtype, or of one converted to it a chunk at a time.
    weights, biases : lists of ndarray
        Per layer: (n_in, n_out) and (n_out,).
    activations : list of Activation
    max_rows : int, default=None
        The most rows whose layers' arrays are held at once: more rows go
        through in as few chunks of equal size as that allows (see
        :func:`rows_within`); None, all at once.

    Returns
    -------
    output : ndarray of shape (n_samples, n_out of the last layer)
    """
    n_rows = X.shape[0]
    if max_rows is None or n_rows <= max_rows:
        return _feedforward(X, weights, biases, activations)
    if sp.issparse(X):
        X = X.tocsr()  # rows to slice

    def outputs(rows):
        return _feedforward(X[rows], weights, biases, activations)

    return stacked_in_chunks(n_rows, max_rows, outputs)


def rows_within(memory_bytes, weights, *, converted_inputs=False):
    """How many rows' arrays of a forward pass fit in ``memory_bytes`` (at least one).

    At each layer its input rows (but the first layer's: ``X``, already
    held, unless ``converted_inputs``: rows of another dtype than the
    weights', converted a chunk at a time) and its output rows are held at
    once, with room for as many again as its outputs for what the
    activation computes on the way.
    """
    widths = [weights[0].shape[0] if converted_inputs else 0] + [w.shape[1] for w in weights]
    row_items = max(n_in + 2 * n_out for n_in, n_out in itertools.pairwise(widths))
    row_bytes = row_items * max(w.dtype.itemsize for w in weights)
    return max(1, int(memory_bytes) // max(row_bytes, 1))


def _feedforward(X, weights, biases, activations):
    """:func:`feedforward` of all rows at once, converted to the weights' dtype."""
    a = X.astype(weights[0].dtype, copy=False)
    for layer_weights, layer_biases, activation in zip(weights, biases, activations):
        z = a @ layer_weights
        z += layer_biases
        a = into_buffer(activation, "fn", activation.fn(z, out=z), z, _SAME_AS_Z)
    return a


class Backprop:
    """Scratch space and the backward pass for mini-batches of a network.

    Buffers for the weighted inputs, activations and errors of every layer
    are allocated once, for the largest mini-batch, and reused: training
    allocates nothing per mini-batch when there is no dropout and the
    inputs are dense (a sparse mini-batch's products make small arrays of
    its rows' and columns' sizes).

    Parameters
    ----------
    network : Network
    cost : Cost
    batch_size : int
        Largest number of rows passed to :meth:`gradient`.
    dropout : float, default=0.0
        Probability that a hidden unit is dropped, for each sample of a
        mini-batch (one mask row per sample). Kept units are
        scaled by 1 / (1 − dropout) ("inverted dropout"), so prediction needs
        no rescaling.
    rng : numpy.random.Generator, optional
        Source of the dropout masks.
    """

    def __init__(self, network, cost, batch_size, dropout=0.0, rng=None):
        self.network = network
        self.cost = cost
        self.dropout = float(dropout)
        self.rng = rng
        dtype = network.dtype
        widths = network.sizes[1:]
        self._z = [np.empty((batch_size, w), dtype=dtype) for w in widths]
        self._a = [np.empty((batch_size, w), dtype=dtype) for w in widths]
        self._delta = [np.empty((batch_size, w), dtype=dtype) for w in widths]
        self.grads, self._grad_weights, self._grad_biases = network.new_like_params()
        self._keep_scale = dtype.type(1.0 / (1.0 - self.dropout)) if self.dropout else None

    @property
    def output(self):
        """Output activations of the last mini-batch passed to :meth:`gradient`."""
        return self._output

    def _drop(self, a):
        mask = self.rng.random(a.shape, dtype=a.dtype) >= self.dropout
        mask = mask.astype(a.dtype)
        mask *= self._keep_scale
        return a * mask, mask

    def gradient(self, X, Y, scale, output=None):
        """Return ∂C/∂params for a mini-batch, written into ``self.grads``.

        Parameters
        ----------
        X : ndarray or scipy.sparse CSR matrix of shape (m, n_in)
            Inputs of the mini-batch, in the network's dtype. Sparse rows
            stay sparse: the first layer's products read their non-zero
            entries only (see :func:`sparse_batches_pay`).
        Y : ndarray of shape (m, n_out)
            Targets of the mini-batch.
        scale : float or ndarray of shape (m, 1)
            Weight of each sample in the gradient: ``1 / m`` for the mean
            over the batch, or per-sample weights.
        output : ndarray of shape (m, n_out), optional
            Where the forward pass writes the output activations, so that a
            caller keeping them needs no copy; by default the engine's own
            buffer. Either way :attr:`output` is that array.

        Returns
        -------
        grads : ndarray of shape (n_params,)
            The flat gradient; the same buffer at every call.
        """
        m = X.shape[0]
        last = self.network.n_layers - 1
        inputs, masks = self._forward(X, output)
        self._output = inputs[-1]
        z, out = self._z[last][:m], self._delta[last][:m]
        delta = self.cost.delta(z, self._output, Y, self.network.activations[last], out=out)
        delta = returned_array(self.cost, "delta", delta, z.shape, "the outputs' shape", z.dtype)
        delta *= scale
        self._backward(inputs, masks, delta)
        return self.grads

    def _forward(self, X, output):
        """The forward pass of a mini-batch: each layer's input (after dropout), and the masks."""
        network = self.network
        m, last = X.shape[0], network.n_layers - 1
        inputs, masks = [X], []
        sparse = _is_sparse(X)
        for layer, (weights, biases, activation) in enumerate(
            zip(network.weights, network.biases, network.activations)
        ):
            z = self._z[layer][:m]
            a = output if layer == last and output is not None else self._a[layer][:m]
            if layer == 0 and sparse:
                np.copyto(z, X @ weights)
            else:
                np.matmul(inputs[-1], weights, out=z)
            z += biases
            into_buffer(activation, "fn", activation.fn(z, out=a), a, _SAME_AS_Z)
            if self.dropout and layer < last:
                a_kept, mask = self._drop(a)
                masks.append(mask)
                inputs.append(a_kept)
            else:
                inputs.append(a)
        return inputs, masks

    def _backward(self, inputs, masks, delta):
        """Backpropagate the output error ``delta`` into the gradient buffers (BP1–BP4)."""
        network = self.network
        m, last = delta.shape[0], network.n_layers - 1
        sparse = _is_sparse(inputs[0])
        for layer in range(last, -1, -1):
            if layer == 0 and sparse:
                transposed_product(inputs[0], delta, out=self._grad_weights[0])
            else:
                np.matmul(inputs[layer].T, delta, out=self._grad_weights[layer])
            np.add.reduce(delta, axis=0, out=self._grad_biases[layer])
            if layer == 0:
                break
            previous = self._delta[layer - 1][:m]
            np.matmul(delta, network.weights[layer].T, out=previous)
            if masks:
                previous *= masks[layer - 1]
            activation = network.activations[layer - 1]
            result = activation.backward(previous, self._z[layer - 1][:m], self._a[layer - 1][:m])
            delta = into_buffer(activation, "backward", result, previous, "the shape of delta")


def _is_sparse(X):
    """Whether ``X`` is a SciPy sparse matrix or array (an ndarray is told apart first).

    ``sp.issparse`` alone took 0.35 µs, twice per step of every dense mini-batch.
    """
    return type(X) is not np.ndarray and sp.issparse(X)


def transposed_product(X, delta, out):
    """Write ``Xᵀ @ delta`` into ``out`` for a sparse CSR ``X``, reading its non-zeros only.

    Only the rows of ``out`` of the columns some row of ``X`` holds can be
    non-zero: they are computed as one small product (columns held ×
    ``delta``'s width) and the other rows are zeroed. SciPy's ``X.T @ delta``
    would return a new dense array of ``out``'s size (48 MB for 200,000
    inputs and 30 hidden units), to be copied into it at every mini-batch.

    Parameters
    ----------
    X : scipy.sparse CSR matrix of shape (m, n_in)
    delta : ndarray of shape (m, n_out)
    out : ndarray of shape (n_in, n_out)
    """
    # Marked rather than np.unique'd: sorting a mini-batch's 10 million entries took about
    # 1 s, a third of the step, where one pass over the columns is cheap.
    marked = np.zeros(X.shape[1], dtype=bool)
    marked[X.indices] = True
    columns = np.flatnonzero(marked)
    rank = np.empty(X.shape[1], dtype=np.intp)
    rank[columns] = np.arange(len(columns))
    held = sp.csr_matrix((X.data, rank[X.indices], X.indptr), shape=(X.shape[0], len(columns)))
    out.fill(0)
    out[columns] = held.T @ delta
