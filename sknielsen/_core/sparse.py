"""Sparse input made safe once, where it enters the package.

SciPy accepts sparse matrices whose structure its own routines would read
out of bounds: column indices past the number of columns, index pointers
that decrease, and (valid, but trouble for code that sizes buffers by the
number of columns) duplicate entries. Every sparse matrix a user hands to
an estimator or a study passes through :func:`canonical_csr` first, so the
engines below only ever see sorted CSR rows without duplicates whose
indices are in range. What cannot take sparse input at all refuses it with
:func:`refuse_sparse`.
"""

import copy

import numpy as np
import scipy.sparse as sp

#: The formats whose structure is checked before any conversion: converting
#: one with indices out of range would itself read or write out of bounds.
_COMPRESSED = {"csr", "csc"}
#: Stored entries compared at once when checking that rows are sorted.
_CHUNK = 1 << 20

#: A compiled pass over CSR arrays, registered by the C engine (which sits
#: above this module and checks its own input with it): ``check(indptr, indices,
#: n_cols, data=None)`` with integer pointers and int32 indices returns 0 when the
#: rows are canonical and in range, 1, 2 or 3 when they are not, None when it
#: cannot tell (no compiler built it); given the float32 or float64 values too,
#: 4 when the rows are canonical but a value is not finite. One pass instead of
#: NumPy's several (MNIST's 7.5 million entries: 1.0 ms instead of 3.4).
_compiled_check = None
#: The dtypes whose values the compiled check reads (native byte order).
_COMPILED_VALUES = (np.dtype(np.float32), np.dtype(np.float64))


#: What to do instead of densifying, in a full-batch optimizer's refusal of sparse X.
MINI_BATCH_INSTEAD = (
    "choose a mini-batch optimizer ('sgd' or 'adam', say), which trains on sparse X one "
    "mini-batch at a time"
)


class SparseInputError(TypeError, ValueError):
    """Sparse input given to what trains on dense input only.

    The full-batch optimizers (:class:`~sknielsen.plugins.LBFGS`,
    :class:`~sknielsen.plugins.Newton`, any
    :class:`~sknielsen.plugins.Solver`) refuse a sparse training set with
    it; the message says what to do instead. It is a :class:`TypeError`, as
    scikit-learn's ``check_array(X, accept_sparse=False)`` raises and its
    estimator checks expect, and a :class:`ValueError`, as this refusal was
    before.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.utils import SparseInputError
    >>> X = sp.csr_matrix(np.eye(4))
    >>> try:
    ...     NielsenMLPClassifier(optimizer="lbfgs").fit(X, [0, 1, 0, 1])
    ... except SparseInputError as error:
    ...     print(error)
    The full-batch optimizer LBFGS trains on dense X only; got a sparse X of shape (4, 4).
    Densify it first (X.toarray()), or choose a mini-batch optimizer ('sgd' or 'adam', say),
    which trains on sparse X one mini-batch at a time.
    """


def refuse_sparse(X, who, instead, name="X"):
    """Raise :class:`SparseInputError` if ``X`` is sparse, naming ``who`` refuses it.

    Parameters
    ----------
    X : object
        The input, sparse or not.
    who : str
        What takes dense input only, as the message's subject.
    instead : str
        What else to do than densifying ``X``, as the message's last clause.
    name : str, default="X"
        What the input is called in the message.

    Raises
    ------
    SparseInputError
        If ``X`` is a SciPy sparse matrix or array.
    """
    if sp.issparse(X):
        raise SparseInputError(
            f"{who} trains on dense {name} only; got a sparse {name} of shape {X.shape}. "
            f"Densify it first ({name}.toarray()), or {instead}."
        )


def register_compiled_check(check):
    """Have :func:`canonical_csr` ask ``check`` first (see ``_compiled_check``)."""
    global _compiled_check
    _compiled_check = check


def canonical_csr(X, name="X"):
    """Return sparse ``X`` as canonical CSR: indices in range, sorted, no duplicates.

    Duplicate entries are summed, as SciPy's ``sum_duplicates`` defines
    them. ``X`` itself is never modified: a copy is made when it is not CSR
    or not canonical. Anything that is not a two-dimensional
    sparse matrix or array is returned unchanged, for the usual validation
    to judge.

    Parameters
    ----------
    X : object
        The input, sparse or not.
    name : str, default="X"
        What the input is called in error messages.

    Returns
    -------
    X : scipy sparse CSR matrix or array, or the input unchanged
        Canonical CSR of the same class (matrix or array) for sparse input.

    Raises
    ------
    ValueError
        Naming what is wrong with the structure of ``X``.

    Examples
    --------
    A COO matrix with two entries at (0, 2), summed:

    >>> import scipy.sparse as sp
    >>> from sknielsen.utils import canonical_csr
    >>> X = sp.coo_matrix(([1.0, 2.0, 3.0], ([0, 0, 1], [2, 2, 0])), shape=(2, 3))
    >>> canonical_csr(X).toarray()
    array([[0., 0., 3.],
           [3., 0., 0.]])

    A CSR matrix whose column index lies past its 3 columns:

    >>> broken = sp.csr_matrix(([1.0], [5], [0, 1, 1]), shape=(2, 3))
    >>> canonical_csr(broken)
    Traceback (most recent call last):
    ...
    ValueError: Sparse X has column indices outside [0, 3): found 5 to 5.
    """
    return _canonical(X, name, values=False)[0]


def checked_csr(X, name="X"):
    """:func:`canonical_csr`, and whether the values of what it returns are known finite.

    Where the C engine is built, one compiled pass reads a CSR matrix's
    indices and values together: the usual validation need not read the
    values again (``ensure_all_finite=False``), which on MNIST's 7.5
    million float32 values was a pass of its own (5.2 ms for both passes,
    3.6 for one, on an AVX2 processor).

    Parameters
    ----------
    X, name
        As :func:`canonical_csr` takes them.

    Returns
    -------
    X : scipy sparse CSR matrix or array, or the input unchanged
        As :func:`canonical_csr` returns it.
    finite : bool
        True when every stored value of the returned ``X`` was read and
        found finite; False when that is not known, or not so: the usual
        validation then reads them, and names a NaN or an infinity.
    """
    return _canonical(X, name, values=True)


def _canonical(X, name, values):
    """``(canonical_csr(X, name), finite)``; ``values``: have the compiled check read them."""
    if not sp.issparse(X) or len(X.shape) != 2:
        return X, False
    X = _signed_indices(X)
    if X.format == "csr":
        _check_pointers(X, name)
        verdict, read = _compiled_verdict(X, values)
        if verdict in (0, 4):  # 4: canonical, with a value that is not finite
            return X, verdict == 0 and read
        if verdict is None and _is_canonical(X):
            _check_row_ends(X, name)
            return X, False
        _check_indices(X, name)
    else:
        if X.format in _COMPRESSED:
            _check_compressed(X, name)
        elif X.format == "coo":
            _check_coordinates(X, name)
        X = X.tocsr()
        _check_compressed(X, name)  # the conversions of other formats are not checked by SciPy
        if _is_canonical(X):
            return X, False
    n_stored = int(X.indptr[-1])
    arrays = (X.data[:n_stored].copy(), X.indices[:n_stored].copy(), X.indptr.copy())
    copy = type(X)(arrays, shape=X.shape)
    copy.has_canonical_format = False  # SciPy caches the flag; it must not skip the sort
    copy.sum_duplicates()
    return copy, False


def _signed_indices(X):
    """``X``, or a shallow copy of it whose unsigned index arrays are int64.

    SciPy's constructors make index arrays signed, but arrays assigned
    afterwards stay as they are. Unsigned ones defeat the checks below
    (a falling pointer's difference wraps around instead of going
    negative), SciPy's own routines refuse uint64 ones and the C engine
    reads signed ones only. An index of 2**63 or more turns negative in
    the cast, and is refused as such.
    """
    names = ("indices", "indptr") if X.format in ("csr", "csc", "bsr") else ()
    unsigned = [name for name in names if np.asarray(getattr(X, name)).dtype.kind == "u"]
    coords = getattr(X, "coords", ()) if X.format == "coo" else ()
    if not unsigned and not any(np.asarray(c).dtype.kind == "u" for c in coords):
        return X
    signed = copy.copy(X)  # the caller's matrix keeps its arrays
    for name in unsigned:
        setattr(signed, name, np.asarray(getattr(X, name)).astype(np.int64))
    if coords:
        signed.coords = tuple(np.asarray(c).astype(np.int64) for c in coords)
    return signed


def _compiled_verdict(X, values=False):
    """The compiled check's code for CSR ``X`` (pointers already checked), and if it read values.

    Only int32 indices are read as they are; anything else is left to NumPy
    (code None). With ``values``, float32 and float64 values (contiguous,
    aligned, in the machine's byte order) are read in the same pass.
    """
    check = _compiled_check
    indices, data = X.indices, X.data
    if check is None or indices.dtype != np.int32 or len(data) != len(indices):
        return None, False
    readable = (
        values and data.dtype in _COMPILED_VALUES and data.flags.c_contiguous and data.flags.aligned
    )
    code = check(
        X.indptr, np.ascontiguousarray(indices), X.shape[1], data=data if readable else None
    )
    return code, bool(readable) and code is not None


def _check_compressed(X, name):
    """Refuse a CSR or CSC matrix whose index arrays do not describe its shape."""
    _check_pointers(X, name)
    _check_indices(X, name)


def _check_pointers(X, name):
    """Refuse index arrays that are not integer vectors, or pointers that do not fit them."""
    n_major = X.shape[0] if X.format == "csr" else X.shape[1]
    what = "row" if X.format == "csr" else "column"
    indptr, indices = np.asarray(X.indptr), np.asarray(X.indices)
    for array_name, array in (("indptr", indptr), ("indices", indices)):
        if array.ndim != 1 or array.dtype.kind not in "iu":
            raise ValueError(
                f"Sparse {name} ({X.format.upper()}) has a malformed {array_name} array: "
                f"expected one dimension of integers, got shape {array.shape} of {array.dtype}."
            )
    if len(indptr) != n_major + 1:
        raise ValueError(
            f"Sparse {name} ({X.format.upper()}) has {len(indptr)} index pointers for "
            f"{n_major} {what}s; expected {n_major + 1}."
        )
    n_stored = int(indptr[-1]) if len(indptr) else 0
    if indptr[0] != 0 or np.any(np.diff(indptr) < 0) or n_stored > min(len(indices), len(X.data)):
        raise ValueError(
            f"Sparse {name} ({X.format.upper()}) has index pointers that do not start at 0 "
            f"and rise to at most its {min(len(indices), len(X.data))} stored entries."
        )


def _check_indices(X, name):
    """Refuse minor indices outside the shape (index pointers already checked)."""
    n_minor = X.shape[1] if X.format == "csr" else X.shape[0]
    n_stored = int(X.indptr[-1]) if len(X.indptr) else 0
    if n_stored:
        stored = np.asarray(X.indices)[:n_stored]
        other = "column" if X.format == "csr" else "row"
        _check_range(name, other, stored.min(), stored.max(), n_minor)


def _check_row_ends(X, name):
    """Refuse column indices outside the shape, in CSR whose rows rise strictly.

    Each row's first and last entries are its smallest and largest, so
    these alone are compared: a pass over the rows, not over the entries.
    """
    starts, stops = X.indptr[:-1], X.indptr[1:]
    filled = stops > starts
    if not filled.any():
        return
    lowest = X.indices[starts[filled]].min()
    highest = X.indices[stops[filled] - 1].max()
    _check_range(name, "column", lowest, highest, X.shape[1])


def _check_coordinates(X, name):
    """Refuse a COO matrix with coordinates outside its shape."""
    for axis, coordinates in enumerate((X.row, X.col)):
        coordinates = np.asarray(coordinates)
        if len(coordinates) != len(X.data):
            raise ValueError(
                f"Sparse {name} (COO) has {len(coordinates)} coordinates for "
                f"{len(X.data)} stored entries."
            )
        if len(coordinates):
            what = ("row", "column")[axis]
            _check_range(name, what, coordinates.min(), coordinates.max(), X.shape[axis])


def _check_range(name, what, lowest, highest, bound):
    """Refuse ``what`` indices from ``lowest`` to ``highest`` that leave [0, bound)."""
    if lowest < 0 or highest >= bound:
        raise ValueError(
            f"Sparse {name} has {what} indices outside [0, {bound}): found "
            f"{int(lowest)} to {int(highest)}."
        )


def _is_canonical(X):
    """Whether each row's column indices rise strictly (sorted, no duplicates).

    Computed, not read from SciPy's cached ``has_canonical_format``, which
    goes stale when the index arrays are changed in place. The entries are
    compared a chunk at a time, so that checking never costs memory in
    proportion to the matrix.
    """
    n_stored = int(X.indptr[-1])
    if len(X.indices) != n_stored or len(X.data) != n_stored:
        return False
    indices = X.indices
    # Entry p + 1 may fall below entry p only where a row starts at p + 1.
    row_starts = X.indptr[1:-1]
    row_starts = row_starts[(row_starts > 0) & (row_starts < n_stored)]
    for start in range(0, max(n_stored - 1, 0), _CHUNK):
        stop = min(start + _CHUNK, n_stored - 1)
        rises = indices[start + 1 : stop + 1] > indices[start:stop]
        first, last = np.searchsorted(row_starts, (start, stop), side="right")
        rises[row_starts[first:last] - 1 - start] = True
        if not rises.all():
            return False
    return True
