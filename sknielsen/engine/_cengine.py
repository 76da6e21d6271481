"""The C engine: whole ranges of mini-batches in one call of a compiled kernel.

It trains the same network as the NumPy engine (:mod:`sknielsen._network`
and the plugins) and gives the same numbers up to rounding: the gradient of
each mini-batch, then the regularizer, then the optimizer, with the same
dropout masks drawn from the same generator in the same order.

The kernels (``_ckernel.c``) are compiled when the package is installed,
once per instruction set: the x86-64 baseline, x86-64-v3 (AVX2, FMA) and
x86-64-v4 (AVX-512); :func:`load` imports the widest build the CPU runs
(other machines get the portable build only). An installation without a C
compiler has none of them, nor has one on Windows (the kernels need GCC or
Clang, not Microsoft's compiler), and :func:`load` says so.

The kernels trust nothing they are handed. :class:`CTrainer` checks every
array's type, layout and shape before each call, and a CSR matrix's
structure (sorted column indices in range, no duplicates) once per matrix;
the kernel itself checks again every length, code and row index it reads.
"""

import contextlib
import contextvars
import functools
import importlib
import os
import platform
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .._core import sparse
from ._kernel_support import dropout_masks, missing_kernel
from ._source_digest import source_digest

#: The builds of ``_ckernel.c`` by the x86-64 level they need, widest first.
BUILDS = ((4, "_ckernel_v4"), (3, "_ckernel_v3"), (0, "_ckernel_base"))
#: Caps the level of the build :func:`load` picks (``0``, ``3`` or ``4``), to
#: measure or test a narrower build on a wider CPU.
LEVEL_VARIABLE = "SKNIELSEN_CPU_LEVEL"

#: CSR matrices a trainer remembers having checked: the training set, the
#: validation set, and the training set's rows a monitor reads.
CHECKED_MATRICES = 4
#: Mini-batches per kernel call when dropout masks must be drawn for them first, at
#: most; and the memory their masks may take (with the draws they are made of): 512
#: mini-batches of 100 rows of 1,000 hidden units took 850 MB where NumPy's one takes 1.
SEGMENT_BATCHES = 512
SEGMENT_BYTES = 16 * 2**20

#: The rules with kernels, by the name a plugin's kernel spec gives, and the
#: hyper-parameters each kernel reads from the spec (never from the class).
KERNELS = {
    "activation": {"sigmoid": (), "tanh": (), "relu": (), "identity": (), "softmax": ()},
    "cost": {"quadratic": (), "cross_entropy": (), "log_likelihood": ()},
    "regularizer": {"none": (), "l2": (), "l1": ()},
    "optimizer": {
        "sgd": (),
        "momentum": ("mu",),
        "nesterov": ("mu",),
        "adam": ("beta1", "beta2", "epsilon"),
    },
}
#: The optimizer state arrays each optimizer's kernel updates, in the kernel's argument order.
STATE_ARRAYS = ("velocity", "m", "v", "step")
_STATE_OF = {"momentum": ("velocity",), "nesterov": ("velocity",), "adam": ("m", "v", "step")}
#: The state arrays of a dtype other than the network's: Adam's step count, a float64
#: in every run (float32 stops counting at 2**24, see Adam.init).
_STATE_DTYPES = {"step": np.float64}
#: Layer sizes the kernel accepts (it refuses larger ones itself).
MAX_SIZE = 1 << 24


@functools.cache
def load():
    """The kernel module this machine runs, and which build it is or why there is none.

    Returns
    -------
    module : module or None
        None when the extension was not built (no C compiler at install), or
        was built from other sources than those beside it.
    note : str
        ``'x86-64-v4'``, ``'x86-64-v3'``, ``'x86-64 baseline'`` (on other
        machines ``'portable build (arm64)'``, say), or why none: a
        :class:`StaleKernels` for kernels of other sources, which a fit
        with ``engine='auto'`` or ``'c'`` warns of (``'numpy'`` loads none).
    """
    try:
        base = importlib.import_module(f"{__package__}._ckernel_base")
    except ImportError as error:
        return None, _not_built(error)
    level = base.cpu_level()
    cap = os.environ.get(LEVEL_VARIABLE, "").strip()
    if cap in {"0", "3", "4"}:
        level = min(level, int(cap))
    module, build = base, _portable_build()
    for needed, name in BUILDS:
        if needed <= level:
            try:
                module = importlib.import_module(f"{__package__}.{name}")
            except ImportError:
                continue  # a compiler too old for that level built without it
            build = _portable_build() if needed == 0 else f"x86-64-v{needed}"
            break
    stale = _built_from_other_sources(module)
    if stale is not None:
        return None, stale
    return module, build


def _portable_build():
    """The name of the build every machine runs: x86-64's baseline, or other machines' own."""
    machine = platform.machine()
    if machine.lower() in {"x86_64", "amd64"}:
        return "x86-64 baseline"
    return f"portable build ({machine or 'this machine'})"


def _not_built(error):
    """Why no kernel module imports, and what builds one, for ``error`` of the import."""
    if sys.platform == "win32":
        # setuptools builds with MSVC there, which has no GNU vector extensions: a
        # reinstall, with Visual Studio or not, fails the same way.
        return (
            f"the C engine is not built ({error}): its kernels are written for GCC or Clang "
            "(their vector extensions), and Microsoft's C compiler, which builds Python's "
            "extensions on Windows, cannot compile them; a Linux install (WSL) builds them"
        )
    if (Path(__file__).parent / "_ckernel.c").is_file():  # a source tree, not an install
        return (
            f"the C engine is not built in this source tree ({error}): build it with "
            "`pip install -e .` (`pip install -v -e .` says why where no C compiler works)"
        )
    # pip reuses the wheel it built without a compiler unless told not to.
    return (
        f"the C engine is not built ({error}); sknielsen was installed without a working "
        "C compiler: reinstall it with one to use it (`pip install --force-reinstall "
        "--no-deps --no-cache-dir` and what you installed it from)"
    )


class StaleKernels(str):
    """Why the kernels found do not run: built from other sources than those beside them.

    A ``str`` that :func:`load` returns as its note; a fit tells it apart from
    a note that no kernel was built, which only ``engine='c'`` warns of.
    """


def _built_from_other_sources(module):
    """Why ``module`` is not a build of the C sources beside it, or None.

    None also where no source is beside it (an installed wheel holds none):
    only a source checkout (an editable install, an in-place build) can
    hold kernels older than its sources, after an edit or a ``git pull``.
    """
    folder = Path(module.__file__).parent
    if not (folder / "_ckernel.c").is_file():
        return None
    if getattr(module, "SOURCE_DIGEST", None) == source_digest(folder):
        return None
    return StaleKernels(
        f"the C engine's kernels in {folder} were built from other sources than those "
        "beside them (edited or updated since): rebuild them with `pip install -e .` "
        "or `python setup.py build_ext --inplace --force`"
    )


#: The CSR arrays the kernels' check found canonical within the current
#: :func:`checks_remembered` scope, as (indptr, indices, n_cols, data): data the
#: values it found finite too, or None; None outside a scope.
_remembered = contextvars.ContextVar("sknielsen_canonical_csr", default=None)


@contextlib.contextmanager
def checks_remembered():
    """Within: the kernels' check of CSR arrays is made once for the same arrays.

    A fit checks its sparse input where it enters the package
    (``canonical_csr``) and its trainer checks what it is handed: the same
    arrays, a pass over every stored entry each (1 ms of MNIST's one-epoch
    fit). Within this scope the second finds the first's verdict. Outside
    it nothing is remembered, so that arrays changed in place between two
    fits are checked again; within it, as a trainer's own record of the
    matrices it checked (:meth:`CTrainer._csr_structure`), a matrix is
    trusted not to change. A context variable: threads fitting at once
    keep their own.
    """
    token = _remembered.set([])
    try:
        yield
    finally:
        _remembered.reset(token)


def _check_csr(indptr, indices, n_cols, module=None, data=None):
    """The kernels' verdict on CSR arrays (see ``check_csr`` in _ckernel.c), or None.

    Remembered for the same arrays within a :func:`checks_remembered` scope.

    Parameters
    ----------
    indptr : ndarray of integers
    indices : ndarray of int32, C-contiguous
    n_cols : int
    module : module, default=None
        The kernel module whose check to run; None for :func:`load`'s.
    data : ndarray of float32 or float64, C-contiguous, default=None
        The stored values, read in the same pass: that they are finite is
        then part of the verdict.

    Returns
    -------
    code : int or None
        0 when canonical (and, with ``data``, every value finite); 1, 2 or
        3 when not canonical; 4 when canonical but a value is NaN or
        infinite (see ``check_csr``); None when the C engine is not built.
    """
    module = load()[0] if module is None else module
    if module is None:
        return None
    remembered = _remembered.get()
    if remembered is not None and any(
        p is indptr and i is indices and n == n_cols and (data is None or d is data)
        for p, i, n, d in remembered
    ):
        return 0
    arrays = (np.ascontiguousarray(indptr, dtype=np.int64), indices, n_cols)
    if data is not None:
        arrays += (data, 1 if data.dtype == np.float32 else 0)
    code = module.check_csr(*arrays)
    if code == 0 and remembered is not None:
        remembered.append((indptr, indices, n_cols, data))
    return code


# canonical_csr, below this layer, checks every sparse input with it where it is built.
sparse.register_compiled_check(_check_csr)


def available():
    """Whether the C engine is built for this machine."""
    return load()[0] is not None


def unsupported(network, cost, regularizer, optimizer, *, dropout, augment):
    """Say why the C engine cannot train a configuration, or None when it can.

    See :func:`~._kernel_support.missing_kernel`; the kernels also bound the
    layers' sizes and number.
    """
    if max(network.sizes) > MAX_SIZE or network.n_layers > 64:
        return f"layers of at most {MAX_SIZE:,} units and at most 64 layers have kernels"
    return missing_kernel(
        "the C engine",
        KERNELS,
        network,
        cost,
        regularizer,
        optimizer,
        dropout=dropout,
        augment=augment,
    )


#: The kernels' code of each dtype they train in.
_DTYPE_CODES = {np.dtype(np.float64): 0, np.dtype(np.float32): 1}

#: Dense inputs are trained as CSR when their non-zero entries (values and column
#: indices) take at most this share of the dense array's bytes.
SPARSE_ENOUGH = 0.5


def sparse_rows(X):
    """Dense ``X`` as canonical CSR, when it is sparse enough to train faster that way.

    The C engine's dense input path finds each sample's non-zero inputs
    again at every epoch; CSR finds them once, here (about one epoch's
    scan). Training on either gives the same numbers: both leave out the
    entries equal to 0. Only for float64 and float32 arrays, C-contiguous.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)

    Returns
    -------
    X_csr : scipy.sparse.csr_matrix or None
        None when the engine is not built, ``X`` is empty, or its
        non-zero entries would take more than ``SPARSE_ENOUGH`` of its bytes.
    """
    module = load()[0]
    if module is None or X.size == 0 or X.dtype not in _DTYPE_CODES:
        return None
    code, (n_rows, n_cols) = _DTYPE_CODES[X.dtype], X.shape
    indptr = np.empty(n_rows + 1, dtype=np.int64)
    nothing = (np.empty(0, dtype=X.dtype), np.empty(0, dtype=np.int32))
    nnz = module.dense_csr(X, n_cols, code, indptr, *nothing)
    if nnz * (X.itemsize + 4) > SPARSE_ENOUGH * X.nbytes:
        return None
    data, indices = np.empty(nnz, dtype=X.dtype), np.empty(nnz, dtype=np.int32)
    module.dense_csr(X, n_cols, code, indptr, data, indices)
    return sp.csr_matrix((data, indices, indptr), shape=X.shape)


def _refuse(name, array, dtype, ndim, dtype_is="the network's dtype"):
    """Raise TypeError unless ``array`` is an aligned, C-contiguous ndarray of dtype and ndim.

    ``dtype_is`` says what ``dtype`` is, for the message.
    """
    if (
        not isinstance(array, np.ndarray)
        or array.dtype != dtype
        or array.ndim != ndim
        or not array.flags.c_contiguous
        or not array.flags.aligned
    ):
        got = (
            f"{array.dtype}, {array.ndim}-d"
            f"{'' if array.flags.c_contiguous else ', not C-contiguous'}"
            f"{'' if array.flags.aligned else ', not aligned'}"
            if isinstance(array, np.ndarray)
            else type(array).__name__
        )
        raise TypeError(
            f"The C engine needs {name} as an aligned, C-contiguous {ndim}-d array in "
            f"{dtype_is} {np.dtype(dtype)}; got {got}."
        )


class CTrainer:
    """Trains a network in place with the C kernels, range of mini-batches by range.

    Parameters
    ----------
    network : Network
        Its ``params`` are updated in place.
    cost, regularizer, optimizer : plugins
        Of the classes in ``KERNELS``; see :func:`unsupported`.
    lmbda : float
        Regularization parameter λ; the attribute ``lmbda`` is read at each call.
    n_train : int
        Size n of the training set in the book's λ/n scaling.
    batch_size : int
        Largest mini-batch.
    dropout : float
        Probability that a hidden unit is dropped, for each sample of a mini-batch.
    rng : numpy.random.Generator
        Source of the dropout masks, drawn as the NumPy engine draws them.
    path : {'auto', 'plain', 'padded'}, default='auto'
        How plain SGD trains the first layer: on a padded copy of W₁ held in
        vector registers row by row ('padded'), on W₁ itself ('plain'), or
        'padded' for calls of at least ``PADDED_MIN_SAMPLES`` samples (the
        copy repays itself over many samples). The numbers are the same; the
        choice exists for the tests.
    threads : int, default=1
        Threads that share the first layer's units, up to the module's
        ``MAX_THREADS`` (fewer when the layer has fewer cache lines of
        units). Only the padded path of plain SGD uses them; the results are
        bit-identical to one thread's.

    Raises
    ------
    RuntimeError
        When the extension is not built.
    ValueError
        When the configuration has no kernels.
    """

    def __init__(
        self,
        network,
        cost,
        regularizer,
        optimizer,
        *,
        lmbda,
        n_train,
        batch_size,
        dropout,
        rng,
        path="auto",
        threads=1,
    ):
        module, note = load()
        if module is None:
            raise RuntimeError(f"The C engine is unavailable: {note}.")
        reason = unsupported(network, cost, regularizer, optimizer, dropout=dropout, augment=None)
        if reason is not None:
            raise ValueError(f"The C engine cannot train this network: {reason}.")
        if int(batch_size) < 1 or int(n_train) < 1:
            raise ValueError(
                f"batch_size and n_train must be positive; got {batch_size}, {n_train}."
            )
        self.module, self.build = module, note
        self.network = network
        self.regularizer, self.optimizer = regularizer, optimizer
        self._specs = {
            "cost": cost.kernel_spec(),
            "regularizer": regularizer.kernel_spec(),
            "optimizer": optimizer.kernel_spec(),
        }
        self.lmbda, self.n_train = float(lmbda), int(n_train)
        self.batch_size = int(batch_size)
        self.dropout = float(dropout)
        self.threads = max(1, min(int(threads), module.MAX_THREADS))
        self.threads_used = None  # by the last call: fewer where the layer is narrow
        self.rng = rng
        self.path = {"auto": 0, "plain": 1, "padded": 2}[path]
        self._empty = {
            "real": np.empty(0, network.dtype),
            "int32": np.empty(0, np.int32),
            "int64": np.empty(0, np.int64),
        }
        # What stands for a state array the kernel does not use, in that array's dtype.
        self._no_state = [
            np.empty(0, _STATE_DTYPES.get(name, network.dtype)) for name in STATE_ARRAYS
        ]
        self._csr = []  # (matrix arrays checked, their kernel forms), the latest last
        # Asked at every call, once per mini-batch when a callback watches them: kept.
        self._clip = float(np.finfo(network.dtype).tiny)
        self._spec_made = (None, None)  # (what a _spec was made for, that spec)
        self._start_at, self._stop_at = module.SPEC.index("start"), module.SPEC.index("stop")

    def run(self, X, Y, order, sample_scales, state, start=0, stop=None, costs=None):
        """Train on the mini-batches of rows ``order[start:stop]``, in place.

        Mini-batches hold ``batch_size`` rows each, from ``start`` on; the
        last may be smaller. ``network.params`` and the optimizer's state
        arrays change in place; η is ``state["eta"]``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_in) or scipy.sparse CSR matrix
            C-contiguous, in the network's dtype; CSR canonical (sorted
            column indices in range, no duplicates).
        Y : ndarray of shape (n_samples, n_out)
            Targets in the network's dtype, C-contiguous.
        order : ndarray of int
            Row of each training position (a permutation for shuffling).
        sample_scales : ndarray of shape (n_samples,) or None
            Per-sample gradient weights w_i / mean(w); None for equal weights.
        state : dict
            The optimizer's state, with ``"eta"``.
        start, stop : int, optional
            The range of positions of ``order`` to train on; default all.
        costs : ndarray of shape (len(order),), optional
            Receives, at each trained position, the cost of that sample's
            forward pass, computed as the cost's ``fn`` does (for the epoch's
            loss); float64; a scratch array by default.

        Raises
        ------
        TypeError
            For an array of the wrong type, dtype or layout.
        ValueError
            For shapes that do not fit the network, CSR that is not
            canonical, or positions outside ``order``.
        """
        network = self.network
        order = np.ascontiguousarray(order, dtype=np.int64)
        stop = len(order) if stop is None else int(stop)
        start = int(start)
        if order.ndim != 1 or not 0 <= start <= stop <= len(order):
            raise ValueError(
                f"start and stop must satisfy 0 <= start <= stop <= len(order) = {len(order)}; "
                f"got {start}, {stop}."
            )
        if costs is None:
            costs = np.empty(len(order))
        inputs = self._inputs(X)
        n_rows = X.shape[0]
        self._check_arrays(Y, costs, n_rows, len(order))
        scales = self._scales(sample_scales, n_rows)
        states = self._state_arrays(state)
        hyper = self._hyper(float(state["eta"]))
        segment = self.batch_size * self._segment_batches(len(order))
        for segment_start in range(start, stop, segment):
            segment_stop = min(segment_start + segment, stop)
            masks = self._dropout_masks(segment_stop - segment_start)
            spec = self._spec(
                sp.issparse(X),
                n_rows,
                segment_start,
                segment_stop,
                sample_scales is not None,
                masks.size > 0,
            )
            self.threads_used = self.module.train(
                spec,
                hyper,
                network.params,
                *states,
                *inputs,
                Y,
                order,
                scales,
                masks,
                costs,
                self._empty["real"],
            )

    def evaluate(self, X, Y, order):
        """The cost and the outputs of the sample in each row ``order[i]``, as the network is.

        Forward passes only (no dropout): the parameters and the optimizer's
        state are untouched. The costs are the ones ``run`` records for the
        epoch's loss, computed as the cost's ``fn`` does.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_in) or scipy.sparse CSR matrix
            As for :meth:`run`.
        Y : ndarray of shape (n_samples, n_out)
            As for :meth:`run`.
        order : ndarray of int
            The rows to evaluate.

        Returns
        -------
        costs : ndarray of shape (len(order),)
            float64.
        outputs : ndarray of shape (len(order), n_out)
            In the network's dtype.

        Raises
        ------
        TypeError, ValueError
            As :meth:`run`, for inputs the kernel cannot read as they are
            (see :meth:`accepts`).
        """
        order = np.ascontiguousarray(order, dtype=np.int64)
        if order.ndim != 1:
            raise ValueError(f"order must be one-dimensional; got shape {order.shape}.")
        network = self.network
        costs = np.empty(len(order))
        outputs = np.empty((len(order), network.sizes[-1]), dtype=network.dtype)
        inputs = self._inputs(X)
        n_rows = X.shape[0]
        self._check_arrays(Y, costs, n_rows, len(order))
        spec = self._spec(sp.issparse(X), n_rows, 0, len(order), False, False, learn=False)
        empty = self._empty["real"]
        states = self._no_state
        self.module.train(
            spec,
            self._hyper(0.0),
            network.params,
            *states,
            *inputs,
            Y,
            order,
            empty,
            empty,
            costs,
            outputs,
        )
        return costs, outputs

    def accepts(self, X, Y):
        """Whether :meth:`evaluate` reads ``X`` and ``Y`` as they are.

        In the network's dtype, C-contiguous, of the network's widths, and
        CSR canonical: anything else the NumPy engine evaluates (a copy
        made at every call would cost what the kernel saves).
        """
        try:
            self._inputs(X)
            _refuse("Y", Y, self.network.dtype, 2)
        except (TypeError, ValueError):
            return False
        return Y.shape == (X.shape[0], self.network.sizes[-1])

    def _inputs(self, X):
        """X as the kernel's four arrays: dense, CSR data, indices (int32), indptr (int64)."""
        network, empty = self.network, self._empty
        n_in = network.sizes[0]
        if not sp.issparse(X):
            _refuse("X", X, network.dtype, 2)
            if X.shape[1] != n_in:
                raise ValueError(f"X has {X.shape[1]} columns; the network takes {n_in}.")
            return X, empty["real"], empty["int32"], empty["int64"]
        if X.format != "csr":
            raise TypeError(f"The C engine needs sparse X as CSR; got {X.format.upper()}.")
        _refuse("X.data", X.data, network.dtype, 1)
        if X.shape[1] != n_in:
            raise ValueError(f"X has {X.shape[1]} columns; the network takes {n_in}.")
        return (empty["real"], X.data, *self._csr_structure(X))

    def _csr_structure(self, X):
        """CSR indices as int32 and indptr as int64, checked canonical once per matrix.

        ``run`` may be called once per mini-batch, and ``evaluate`` on the
        validation set at every epoch: the check (a pass over every stored
        entry) is made once for each of the last ``CHECKED_MATRICES``
        matrices, not at each call. The cache holds the arrays themselves,
        so that a new matrix at a recycled address is checked again;
        changing a matrix's arrays in place during training is not detected.
        """
        key = (X.data, X.indices, X.indptr, X.shape)
        for checked, forms in self._csr:
            if all(a is b for a, b in zip(checked[:3], key[:3])) and checked[3] == key[3]:
                return forms
        if len(X.indices) != len(X.data) or len(X.indptr) != X.shape[0] + 1:
            raise ValueError("The C engine needs CSR whose arrays describe its shape.")
        if X.shape[1] >= 2**31:
            raise ValueError("The C engine takes at most 2**31 - 1 columns.")
        indices = np.ascontiguousarray(X.indices, dtype=np.int32)
        indptr = np.ascontiguousarray(X.indptr, dtype=np.int64)
        if X.indices.dtype.kind != "i" or X.indptr.dtype.kind != "i":
            raise TypeError("The C engine needs CSR with integer indices.")
        # Only a conversion from int64 can have changed an index (one past 2**31).
        if indices is not X.indices and not np.array_equal(indices, X.indices):
            raise ValueError("The C engine needs CSR column indices below 2**31.")
        code = _check_csr(X.indptr, indices, X.shape[1], self.module)
        if code:
            problem = {
                1: "index pointers that do not describe its rows",
                2: "column indices out of range",
                3: "column indices unsorted or repeated within a row",
            }[code]
            raise ValueError(
                f"The C engine needs canonical CSR input; this one has {problem}. Pass it "
                "through sknielsen.utils.canonical_csr (the estimators do)."
            )
        self._csr = [*self._csr[1 - CHECKED_MATRICES :], (key, (indices, indptr))]
        return indices, indptr

    def _check_arrays(self, Y, costs, n_rows, n_positions):
        """Targets in the network's dtype, costs in float64: C-contiguous, of the right shapes."""
        dtype, n_out = self.network.dtype, self.network.sizes[-1]
        _refuse("Y", Y, dtype, 2)
        _refuse("costs", costs, np.float64, 1, "dtype")
        if Y.shape != (n_rows, n_out):
            raise ValueError(f"Y has shape {Y.shape}; expected {(n_rows, n_out)}.")
        if costs.shape != (n_positions,):
            raise ValueError(f"costs has shape {costs.shape}; expected {(n_positions,)}.")
        if not costs.flags.writeable:
            raise ValueError("costs must be writable.")
        params = self.network.params
        _refuse("network.params", params, dtype, 1)
        if not params.flags.writeable:
            raise ValueError("The network's parameters must be writable.")

    def _scales(self, sample_scales, n_rows):
        """Per-sample gradient weights in the network's dtype, or an empty array."""
        if sample_scales is None:
            return self._empty["real"]
        scales = np.ascontiguousarray(sample_scales, dtype=self.network.dtype)
        if scales.shape != (n_rows,):
            raise ValueError(f"sample_scales has shape {scales.shape}; expected {(n_rows,)}.")
        return scales

    def _state_arrays(self, state):
        """The optimizer's state arrays the kernel updates, empty for the ones it does not use."""
        dtype, n_params = self.network.dtype, self.network.params.size
        used = _STATE_OF.get(self._specs["optimizer"].name, ())
        arrays = []
        for name, empty in zip(STATE_ARRAYS, self._no_state):
            if name not in used:
                arrays.append(empty)
                continue
            array = state.get(name)
            if name in _STATE_DTYPES:
                _refuse(f"the optimizer state {name!r}", array, _STATE_DTYPES[name], 1, "dtype")
            else:
                _refuse(f"the optimizer state {name!r}", array, dtype, 1)
            size = 1 if name == "step" else n_params
            if array.size != size or not array.flags.writeable:
                raise ValueError(
                    f"The optimizer state {name!r} must be writable and hold {size} numbers; "
                    f"got {array.size}."
                )
            arrays.append(array)
        return arrays

    def _hyper(self, eta):
        """The kernel's hyper-parameters, in the order of the module's HYPER names.

        Read at each call, as the NumPy engine reads them at each step: a
        callback may change the optimizer's (a momentum schedule) or ``lmbda``.
        """
        # The regularizer's own decay factor: None (no decay form) runs as 1.
        factor = self.regularizer.decay_factor(eta, self.lmbda, self.n_train)
        values = {
            "eta": eta,
            "penalty": self.lmbda / self.n_train,
            "decay": 1.0 if factor is None else factor,
            "clip": self._clip,
        }
        # The rule the kernels run is the one named when this trainer was made (_spec).
        read = KERNELS["optimizer"][self._specs["optimizer"].name]
        if read:  # plain SGD's reads none: its parameters are not gathered at each call
            params = self.optimizer.kernel_spec().params
            for name in read:
                values[name] = float(params[name])
        return np.array([values.get(name, 0.0) for name in self.module.HYPER], dtype=np.float64)

    def _spec(self, sparse, n_rows, start, stop, weighted, dropout, learn=True):
        """The kernel's int64 description of the network, the plugins and the call.

        Made again only when something but the positions changed: this runs
        once per mini-batch when a callback watches them.
        """
        network = self.network
        key = (
            bool(sparse),
            n_rows,
            bool(weighted),
            bool(dropout),
            bool(learn),
            self.batch_size,
            self.path,
            self.threads,
            network.dtype,
            network.sizes,
            # A kernel's name is its class's (see kernel_spec): the classes say the codes.
            tuple(map(type, network.activations)),
        )
        if key != self._spec_made[0]:
            self._spec_made = (key, self._new_spec(sparse, n_rows, weighted, dropout, learn))
        spec = self._spec_made[1].copy()
        spec[self._start_at], spec[self._stop_at] = start, stop
        return spec

    def _new_spec(self, sparse, n_rows, weighted, dropout, learn):
        """:meth:`_spec` made from every field, its positions 0."""
        network, codes = self.network, self.module.CODES
        fields = {
            "dtype": _DTYPE_CODES[network.dtype],
            "n_layers": network.n_layers,
            "cost": codes["cost"][self._specs["cost"].name],
            "penalty": codes["regularizer"][self._specs["regularizer"].name],
            "optimizer": codes["optimizer"][self._specs["optimizer"].name],
            "sparse": int(sparse),
            "weighted": int(weighted),
            "dropout": int(dropout),
            "n_rows": n_rows,
            "start": 0,
            "stop": 0,
            "batch_size": self.batch_size,
            "path": self.path,
            "threads": self.threads,
            "learn": int(learn),
        }
        activations = [codes["activation"][a.kernel_spec().name] for a in network.activations]
        head = [fields[name] for name in self.module.SPEC]
        return np.array(head + list(network.sizes) + activations, dtype=np.int64)

    def _segment_batches(self, n_positions):
        """Mini-batches per kernel call: all, or with dropout as many as SEGMENT_BYTES hold.

        A row of masks takes its dtype's bytes per unit, and as many again
        and one for the draws it is made of; the generator's stream is the
        same however the draws are cut.
        """
        if not self.dropout:
            return max(n_positions, 1)
        units = max(sum(self.network.sizes[1:-1]), 1)
        row = units * (2 * np.dtype(self.network.dtype).itemsize + 1)
        return int(np.clip(SEGMENT_BYTES // (row * self.batch_size), 1, SEGMENT_BATCHES))

    def _dropout_masks(self, n_positions):
        """The dropout masks (see :func:`~._kernel_support.dropout_masks`): row i holds
        position i's masks, hidden layer after hidden layer."""
        network, dtype = self.network, self.network.dtype
        widths = network.sizes[1:-1]
        if not self.dropout or not widths:
            return self._empty["real"]
        columns = np.concatenate([[0], np.cumsum(widths)])
        return dropout_masks(
            self.rng,
            self.dropout,
            widths,
            columns,
            columns[-1],
            n_positions,
            self.batch_size,
            dtype,
        )
