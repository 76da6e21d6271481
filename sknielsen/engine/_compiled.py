"""The compiled engine: whole ranges of mini-batches in one numba call.

It trains the same network as the NumPy engine (:mod:`sknielsen._network`)
and gives the same numbers, up to rounding: the gradient of each mini-batch,
then the regularizer, then the optimizer, with the same dropout masks drawn
from the same generator in the same order. It is faster at small
mini-batches (1.5–2.1× the minimal NumPy loop at mini-batch 10 on MNIST,
docs/performance.md) because one call runs a whole epoch, and because the
first layer visits only the non-zero inputs (81 % of MNIST's pixels are
zero).

numba is optional (the ``[fast]`` extra) and imported only when a
:class:`CompiledTrainer` is made; :func:`unsupported` says which
configurations have kernels without importing it.
"""

import functools

import numpy as np
import scipy.sparse as sp

from .._core.sparse import is_canonical_csr
from ._kernel_support import dropout_masks, missing_kernel

#: Mini-batches per kernel call when dropout masks must be drawn for them first.
SEGMENT_BATCHES = 512

#: Bytes of one vector register (AVX-512), or of two (AVX2): the first layer's
#: rows are padded to a multiple of it in the kernels' working copy.
VECTOR_BYTES = 64

#: The rules the kernels implement, by plugin kind: what a plugin's
#: :meth:`~sknielsen.plugins.Plugin.kernel_spec` must name to run here.
KERNELS = {
    "activation": ("sigmoid", "tanh", "relu", "identity", "softmax"),
    "cost": ("quadratic", "cross_entropy", "log_likelihood"),
    "regularizer": ("none", "l2", "l1"),
    "optimizer": ("sgd", "momentum", "nesterov", "adam"),
}
#: Where each optimizer hyper-parameter goes in the kernels' ``Rule.hyper``.
_HYPER_POSITIONS = {"mu": "MU", "beta1": "BETA1", "beta2": "BETA2", "epsilon": "EPSILON"}


@functools.cache
def numba_available():
    """Whether numba, the compiled engine's one extra dependency, imports.

    An import, not a look-up: a numba built for another NumPy is installed
    but unusable. It takes a few tenths of a second, once per process.

    Returns
    -------
    available : bool
    """
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def unsupported(network, cost, regularizer, optimizer, *, dropout, augment):
    """Say why the compiled engine cannot train a configuration, or None when it can.

    See :func:`~._kernel_support.missing_kernel`.
    """
    engine = "the compiled engine"
    return missing_kernel(
        engine, KERNELS, network, cost, regularizer, optimizer, dropout=dropout, augment=augment
    )


def _kernels():
    """The kernel module; importing it imports numba."""
    from . import _kernels

    return _kernels


class CompiledTrainer:
    """Trains a network in place with the numba kernels, range of mini-batches by range.

    Parameters
    ----------
    network : Network
        Its ``params`` are updated in place.
    cost, regularizer, optimizer : plugins
        Whose kernel specs name rules in ``KERNELS``; see :func:`unsupported`.
    lmbda : float
        Regularization parameter λ.
    n_train : int
        Size n of the training set in the book's λ/n scaling.
    batch_size : int
        Largest mini-batch.
    dropout : float
        Fraction of hidden units dropped at each mini-batch.
    rng : numpy.random.Generator
        Source of the dropout masks, drawn as the NumPy engine draws them.

    Raises
    ------
    ValueError
        When the configuration has no kernels.
    """

    def __init__(
        self, network, cost, regularizer, optimizer, *, lmbda, n_train, batch_size, dropout, rng
    ):
        reason = unsupported(network, cost, regularizer, optimizer, dropout=dropout, augment=None)
        if reason is not None:
            raise ValueError(f"The compiled engine cannot train this network: {reason}.")
        kernels = _kernels()
        self.network = network
        self.regularizer = regularizer
        self._specs = {
            "cost": cost.kernel_spec(),
            "regularizer": regularizer.kernel_spec(),
            "optimizer": optimizer.kernel_spec(),
        }
        self.lmbda, self.n_train = float(lmbda), int(n_train)
        self.batch_size = int(batch_size)
        self.dropout = float(dropout)
        self.rng = rng
        self._layers = _layers(kernels, network)
        self._scratch = _scratch(kernels, network, self._layers, self.batch_size)
        self._checked = None  # the sparse matrix whose structure was last checked

    def run(self, X, Y, order, sample_scales, state, start=0, stop=None, outputs=None):
        """Train on the mini-batches of rows ``order[start:stop]``, in place.

        Mini-batches hold ``batch_size`` rows each, from ``start`` on; the
        last may be smaller. ``network.params`` and the optimizer's state
        arrays change in place; η is ``state["eta"]``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_in) or scipy.sparse CSR matrix
            C-contiguous, in the network's dtype (CSR data is converted).
        Y : ndarray of shape (n_samples, n_out)
            Targets in the network's dtype.
        order : ndarray of int64
            Row of each training position (a permutation for shuffling).
        sample_scales : ndarray of shape (n_samples,) or None
            Per-sample gradient weights w_i / mean(w); None for equal weights.
        state : dict
            The optimizer's state, with ``"eta"``.
        start, stop : int, optional
            The range of positions of ``order`` to train on; default all.
        outputs : ndarray of shape (len(order), n_out), optional
            Receives, at each trained position, the output of that sample's
            forward pass (for the epoch's loss); a scratch array by default.
        """
        stop = len(order) if stop is None else stop
        self._check_arrays(X, Y)
        kernels = _kernels()
        rule = self._rule(kernels, state)
        if outputs is None:
            outputs = np.empty((len(order), self.network.sizes[-1]), dtype=self.network.dtype)
        # With dropout, the masks of at most SEGMENT_BATCHES mini-batches are held at once.
        segment = self.batch_size * (SEGMENT_BATCHES if self.dropout else len(order))
        for segment_start in range(start, stop, segment):
            segment_stop = min(segment_start + segment, stop)
            batches = self._batches(
                kernels, X, Y, order, sample_scales, segment_stop - segment_start, outputs
            )
            kernels.train_range(
                self._layers,
                batches,
                rule,
                self._scratch,
                segment_start,
                segment_stop,
                self.batch_size,
            )

    def _check_arrays(self, X, Y):
        """Refuse arrays the kernels would have to copy or compile again for."""
        dtype = self.network.dtype
        data = X.data if sp.issparse(X) else X
        for name, array in (("X", data), ("Y", Y)):
            if array.dtype != dtype or not array.flags.c_contiguous:
                raise TypeError(
                    f"The compiled engine needs {name} C-contiguous in the network's dtype "
                    f"{dtype}; got {array.dtype}"
                    f"{'' if array.flags.c_contiguous else ', not C-contiguous'}."
                )
        if sp.issparse(X):
            self._check_structure(X)

    def _check_structure(self, X):
        """Refuse CSR whose structure the kernels would read out of bounds.

        The estimators hand over canonical CSR (:func:`sknielsen.utils.canonical_csr`);
        this second check is made once per matrix, not once per call, as
        ``run`` may be called for every mini-batch.
        """
        key = (id(X.indices), id(X.indptr), X.shape)
        if key == self._checked:
            return
        if X.format != "csr":
            raise TypeError(f"The compiled engine needs sparse X as CSR; got {X.format.upper()}.")
        if X.shape[1] != self.network.sizes[0] or not is_canonical_csr(X):
            raise ValueError(
                "The compiled engine needs canonical CSR input of "
                f"{self.network.sizes[0]} columns (sorted indices in range, no duplicates); "
                "pass it through sknielsen.utils.canonical_csr."
            )
        self._checked = key

    def _batches(self, kernels, X, Y, order, sample_scales, n_positions, outputs):
        """The data of a run of ``n_positions``, with dummy arrays for what it does not use."""
        dtype = self.network.dtype
        if sp.issparse(X):
            dense = np.empty((0, X.shape[1]), dtype=dtype)
            csr = (X.data, X.indices, X.indptr)
        else:
            dense = X
            csr = (np.empty(0, dtype=dtype), np.empty(0, np.int32), np.zeros(1, np.int32))
        masks = self._dropout_masks(n_positions)
        scales = np.empty(0, dtype=dtype) if sample_scales is None else sample_scales
        return kernels.Batches(
            dense=dense,
            data=csr[0],
            indices=csr[1],
            indptr=csr[2],
            sparse=sp.issparse(X),
            targets=Y,
            order=np.asarray(order, dtype=np.int64),
            scales=scales.astype(dtype, copy=False),
            weighted=sample_scales is not None,
            masks=masks,
            dropout=masks.size > 0,
            outputs=outputs,
        )

    def _dropout_masks(self, n_positions):
        """The dropout masks (see :func:`~._kernel_support.dropout_masks`), each layer in
        the columns of its units in the scratch rows, the first layer's padding included."""
        network, dtype = self.network, self.network.dtype
        widths = network.sizes[1:-1]
        if not self.dropout or not widths:
            return np.empty((0, 0), dtype=dtype)
        columns = self._layers.unit_starts
        return dropout_masks(
            self.rng,
            self.dropout,
            widths,
            columns,
            columns[len(widths)],
            n_positions,
            self.batch_size,
            dtype,
        )

    def _rule(self, kernels, state):
        """The update rule: plugin codes, hyper-parameters and optimizer state arrays."""
        dtype = self.network.dtype
        codes = kernels.CODES
        hyper = np.zeros(kernels.N_HYPER)
        eta = float(state["eta"])
        hyper[kernels.ETA] = eta
        hyper[kernels.PENALTY] = self.lmbda / self.n_train
        # The regularizer's own decay factor: None (no decay form) runs as 1.
        factor = self.regularizer.decay_factor(eta, self.lmbda, self.n_train)
        hyper[kernels.DECAY] = 1.0 if factor is None else factor
        hyper[kernels.CLIP] = np.finfo(dtype).eps
        specs = self._specs
        for name, value in specs["optimizer"].params.items():
            hyper[getattr(kernels, _HYPER_POSITIONS[name])] = value
        unused = np.empty(0, dtype=dtype)
        return kernels.Rule(
            cost=codes["cost"][specs["cost"].name],
            penalty=codes["regularizer"][specs["regularizer"].name],
            optimizer=codes["optimizer"][specs["optimizer"].name],
            hyper=hyper,
            velocity=state.get("velocity", unused),
            first_moment=state.get("m", unused),
            second_moment=state.get("v", unused),
            step=state.get("step", np.zeros(1, dtype=dtype)),
        )


def _layers(kernels, network):
    """The network's layout for the kernels: offsets into the flat parameters and scratch rows."""
    sizes = np.asarray(network.sizes, dtype=np.int64)
    weight_counts = sizes[:-1] * sizes[1:]
    weight_starts = np.concatenate([[0], np.cumsum(weight_counts)[:-1]])
    bias_starts = network.n_weights + np.concatenate([[0], np.cumsum(sizes[1:])[:-1]])
    # The first layer's units take a padded slot in the scratch rows, as wide
    # as the padded rows of its weights; the last entry is the row's width.
    slots = np.concatenate([[_padded_width(network)], sizes[2:]])
    unit_starts = np.concatenate([[0], np.cumsum(slots)])
    codes = kernels.CODES["activation"]
    return kernels.Layers(
        params=network.params,
        sizes=sizes,
        weight_starts=weight_starts.astype(np.int64),
        bias_starts=bias_starts.astype(np.int64),
        unit_starts=unit_starts.astype(np.int64),
        activations=np.array(
            [codes[a.kernel_spec().name] for a in network.activations], dtype=np.int64
        ),
        first=np.zeros(sizes[0] * slots[0], dtype=network.dtype),
    )


def _padded_width(network):
    """The first layer's width rounded up to a whole number of vector registers."""
    lanes = VECTOR_BYTES // network.dtype.itemsize
    return -(-network.sizes[1] // lanes) * lanes


def _scratch(kernels, network, layers, batch_size):
    """Buffers for one mini-batch, allocated once per trainer."""
    dtype = network.dtype
    n_in = network.sizes[0]
    rows = batch_size * layers.unit_starts[-1]
    # Zeros: the padding's units are never written, and its errors must be 0.
    return kernels.Scratch(
        z=np.zeros(rows, dtype=dtype),
        a=np.zeros(rows, dtype=dtype),
        kept=np.zeros(rows, dtype=dtype),
        delta=np.zeros(rows, dtype=dtype),
        grads=np.zeros_like(network.params),
        nonzero_index=np.empty((batch_size, n_in), dtype=np.int64),
        nonzero_value=np.empty((batch_size, n_in), dtype=dtype),
        nonzero_count=np.zeros(batch_size, dtype=np.int64),
    )
