"""Sparse input is made canonical, or refused, once, wherever it enters.

Non-canonical but valid matrices (duplicate entries, unsorted indices, any
format) give the results of their canonical form; malformed ones (indices
out of range, index pointers that do not describe the shape) are refused
with a message naming the problem, on both engines and at every entry point.
Either way the process survives: these inputs once wrote out of bounds.
"""

import numpy as np
import pytest
import scipy.sparse as sp

from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor
from sknielsen._core import sparse
from sknielsen.comparison import training_size_comparison
from sknielsen.engine import _cengine
from sknielsen.utils import canonical_csr

needs_c = pytest.mark.skipif(not _cengine.available(), reason="the C engine is not built here")
ENGINES = ["numpy", pytest.param("c", marks=needs_c)]
N_FEATURES = 6


def _dense(n_samples=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n_samples, N_FEATURES))
    X[X < 0.5] = 0.0
    return X, np.arange(n_samples) % 2


def _duplicated(X, copies=3):
    """CSR holding each stored entry of X ``copies`` times, shuffled within rows, summing to X."""
    rows, cols = np.nonzero(X)
    rows, cols = np.repeat(rows, copies), np.repeat(cols, copies)
    values = np.repeat(X[np.nonzero(X)] / copies, copies)
    rng = np.random.default_rng(1)
    order = np.lexsort((rng.random(len(rows)), rows))  # rows kept, entries shuffled within
    indptr = np.searchsorted(rows[order], np.arange(X.shape[0] + 1))
    return sp.csr_matrix((values[order], cols[order], indptr), shape=X.shape)


def _reversed_rows(X):
    """CSR equal to X with the entries of each row stored in falling column order."""
    reversed_ = sp.csr_matrix(X)
    for start, stop in zip(reversed_.indptr[:-1], reversed_.indptr[1:]):
        reversed_.indices[start:stop] = reversed_.indices[start:stop][::-1].copy()
        reversed_.data[start:stop] = reversed_.data[start:stop][::-1].copy()
    return reversed_


def _unsigned_indices(X, dtype):
    """CSR equal to X whose index arrays were replaced by unsigned ones after SciPy checked them.

    SciPy's constructors make such arrays signed; assigned afterwards they stay: the C
    engine refused them (TypeError) and SciPy's own routines uint64 ones.
    """
    unsigned = sp.csr_matrix(X)
    unsigned.indices, unsigned.indptr = (
        unsigned.indices.astype(dtype),
        unsigned.indptr.astype(dtype),
    )
    return unsigned


def _non_canonical_members(X):
    """Valid sparse matrices equal to X, none canonical CSR."""
    unsorted = _reversed_rows(X)
    duplicated = _duplicated(X)
    stale = sp.csr_matrix(X)
    assert stale.has_canonical_format  # SciPy caches the flag, and keeps it after this:
    stale.indices[:], stale.data[:] = unsorted.indices, unsorted.data
    coo = sp.coo_matrix(X)
    coo_duplicated = sp.coo_matrix(
        (np.r_[coo.data / 2, coo.data / 2], (np.r_[coo.row, coo.row], np.r_[coo.col, coo.col])),
        shape=X.shape,
    )
    return {
        "unsigned indices": _unsigned_indices(X, np.uint32),
        "duplicates": duplicated,
        "more entries than features": _duplicated(X, copies=N_FEATURES + 2),
        "unsorted": unsorted,
        "stale canonical flag": stale,
        "csc with duplicates": _duplicated(np.ascontiguousarray(X.T)).T,
        "coo with duplicates": coo_duplicated,
        "csr_array with duplicates": sp.csr_array(duplicated),
        "lil": sp.lil_matrix(X),
        "dok": sp.dok_matrix(X),
        "bsr": sp.bsr_matrix(X),
    }


def _malformed_members(X):
    """Sparse matrices whose structure would be read out of bounds."""
    members = {}
    past_the_end = sp.csr_matrix(X)
    past_the_end.indices[0] = N_FEATURES + 1000
    members["column index past the end"] = past_the_end
    negative = sp.csr_matrix(X)
    negative.indices[3] = -5
    members["negative column index"] = negative
    falling = sp.csr_matrix(X)
    falling.indptr[2] = falling.indptr[1] - 1
    members["falling index pointers"] = falling
    # Unsigned differences wrap around instead of going negative: the fall passed the check,
    # and SciPy then failed in C++ (RuntimeError: vector::_M_default_append).
    falling_unsigned = _unsigned_indices(X, np.uint32)
    falling_unsigned.indptr[2] = falling_unsigned.indptr[1] - 1
    members["falling unsigned index pointers"] = falling_unsigned
    beyond_int64 = _unsigned_indices(X, np.uint64)
    beyond_int64.indices[0] = 2**63 + 1
    members["uint64 column index beyond int64"] = beyond_int64
    overrunning = sp.csr_matrix(X)
    overrunning.indptr[-1] += 50
    members["index pointers past the stored entries"] = overrunning
    csc = sp.csc_matrix(X)
    csc.indices[1] = X.shape[0] + 7
    members["csc row index past the end"] = csc
    coo = sp.coo_matrix(X)
    coo.col[2] = N_FEATURES
    members["coo column past the end"] = coo
    short = sp.coo_matrix(X)
    short.row = short.row[:-1]
    members["coo of fewer rows than values"] = short
    floats = sp.csr_matrix(X)
    floats.indptr = floats.indptr.astype(np.float64)
    members["index pointers of floats"] = floats
    cut = sp.csr_matrix(X)
    cut.indptr = cut.indptr[:-1]
    members["fewer index pointers than rows"] = cut
    return members


X_DENSE, Y = _dense()
NON_CANONICAL = _non_canonical_members(X_DENSE)
MALFORMED = _malformed_members(X_DENSE)


@pytest.mark.parametrize("member", sorted(NON_CANONICAL))
def test_canonical_csr_sums_duplicates_and_sorts(member):
    X = NON_CANONICAL[member]
    before = X.copy() if hasattr(X, "copy") else X
    canonical = canonical_csr(X)
    assert canonical.format == "csr"
    np.testing.assert_allclose(canonical.toarray(), X_DENSE, rtol=1e-12)
    for start, stop in zip(canonical.indptr[:-1], canonical.indptr[1:]):
        assert np.all(np.diff(canonical.indices[start:stop]) > 0)
    assert type(canonical).__name__.endswith("_array") == type(X).__name__.endswith("_array")
    np.testing.assert_array_equal(X.toarray(), before.toarray())  # the input is not changed


@pytest.mark.parametrize("member", sorted(MALFORMED))
def test_canonical_csr_refuses_malformed_structure(member):
    with pytest.raises(ValueError, match="Sparse X"):
        canonical_csr(MALFORMED[member])


def _outcome(X):
    """What canonical_csr makes of X: its arrays, or the error's type and message."""
    try:
        result = canonical_csr(X)
    except ValueError as error:
        return ("error", str(error))
    if not sp.issparse(result):
        return ("unchanged", result is X)
    return (result is X, result.data.tolist(), result.indices.tolist(), result.indptr.tolist())


def _int64_indices(X):
    wide = sp.csr_matrix(X)
    wide.indices, wide.indptr = wide.indices.astype(np.int64), wide.indptr.astype(np.int64)
    return wide


def _trailing_storage(X, dtype=np.int32):
    """Canonical rows followed by stored entries no row claims."""
    X = sp.csr_matrix(X)
    # Assigned after construction: SciPy's constructor prunes entries past indptr[-1].
    X.data, X.indices = np.r_[X.data, 9.0], np.r_[X.indices, 0].astype(dtype)
    X.indptr = X.indptr.astype(dtype)
    return X


COMPILED_CASES = {
    **NON_CANONICAL,
    **MALFORMED,
    "canonical": sp.csr_matrix(X_DENSE),
    "canonical csr_array": sp.csr_array(X_DENSE),
    "canonical, int64 indices": _int64_indices(X_DENSE),
    "trailing storage": _trailing_storage(X_DENSE),
    "trailing storage, int64 indices": _trailing_storage(X_DENSE, np.int64),
    "empty rows": sp.csr_matrix(np.zeros((5, N_FEATURES))),
    "repeated in one row": sp.csr_matrix(([1.0, 2.0], [3, 3], [0, 2]), shape=(1, N_FEATURES)),
    "last column": sp.csr_matrix(([1.0], [N_FEATURES - 1], [0, 1]), shape=(1, N_FEATURES)),
}


@pytest.mark.parametrize("member", sorted(COMPILED_CASES))
def test_the_compiled_check_gives_numpys_outcome(member, monkeypatch):
    X = COMPILED_CASES[member]
    compiled = _outcome(X)
    monkeypatch.setattr(sparse, "_compiled_check", None)
    assert compiled == _outcome(X)


def _random_structure(rng):
    """A small CSR matrix of random structure: empty rows, falls, repeats, indices astray."""
    n_rows = int(rng.integers(1, 7))
    counts = rng.integers(0, 4, n_rows) * (rng.random(n_rows) < 0.7)
    rows = [np.sort(rng.choice(N_FEATURES, c, replace=bool(rng.random() < 0.3))) for c in counts]
    rows = [row[::-1] if rng.random() < 0.15 else row for row in rows]
    indices = np.concatenate([np.zeros(0, np.int32), *rows]).astype(np.int32)
    if len(indices) and rng.random() < 0.15:
        indices[rng.integers(len(indices))] = rng.choice([-1, N_FEATURES, -(2**31)])
    X = sp.csr_matrix((n_rows, N_FEATURES))
    X.data, X.indices = np.ones(len(indices)), indices
    X.indptr = np.r_[0, np.cumsum(counts)].astype(np.int32)
    return X


@pytest.mark.parametrize("engine", ENGINES)
def test_coo_coordinates_of_unsigned_integers_train_as_their_signed_form(engine):
    # Assigned as a whole, the coordinates stay unsigned, which SciPy's own toarray refuses.
    coo = sp.coo_matrix(X_DENSE)
    if hasattr(coo, "coords"):
        coo.coords = tuple(c.astype(np.uint64) for c in coo.coords)
    else:  # SciPy before 1.13 holds them as row and col
        coo.row, coo.col = coo.row.astype(np.uint64), coo.col.astype(np.uint64)
    np.testing.assert_array_equal(canonical_csr(coo).toarray(), X_DENSE)
    params = {"engine": engine, "epochs": 1, "random_state": 0}
    fitted = NielsenMLPClassifier(**params).fit(coo, Y)
    expected = NielsenMLPClassifier(**params).fit(X_DENSE, Y)
    np.testing.assert_allclose(fitted.coefs_[0], expected.coefs_[0], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("make", [sp.csr_matrix, sp.coo_matrix], ids=["csr", "coo"])
def test_sparse_input_that_stores_no_entry_trains_as_zeros(engine, make):
    zeros = np.zeros_like(X_DENSE)
    params = {"engine": engine, "epochs": 1, "random_state": 0}
    fitted = NielsenMLPClassifier(**params).fit(make(zeros), Y)
    expected = NielsenMLPClassifier(**params).fit(zeros, Y)
    np.testing.assert_allclose(fitted.coefs_[0], expected.coefs_[0], rtol=1e-12, atol=1e-15)


def test_the_compiled_check_agrees_with_numpys_on_random_structures(monkeypatch):
    # The compiled check scans the indices as one stream and discounts the
    # falls where rows start (empty rows share a start): random structures
    # probe that bookkeeping.
    rng = np.random.default_rng(0)
    matrices = [_random_structure(rng) for _ in range(600)]
    compiled = [_outcome(X) for X in matrices]
    monkeypatch.setattr(sparse, "_compiled_check", None)
    assert compiled == [_outcome(X) for X in matrices]


@needs_c
def test_the_compiled_check_is_registered_where_the_c_engine_is_built():
    assert sparse._compiled_verdict(sp.csr_matrix(X_DENSE)) == (0, False)
    assert sparse._compiled_verdict(sp.csr_matrix(X_DENSE), values=True) == (0, True)
    assert sparse._compiled_verdict(NON_CANONICAL["unsorted"]) == (3, False)
    assert sparse._compiled_verdict(MALFORMED["negative column index"]) == (2, False)


def _with_values(X, data):
    """A shallow copy of CSR ``X`` holding ``data`` as its values."""
    copy = X.copy()
    copy.data = data
    return copy


@pytest.mark.parametrize("member", ["csr", "coo", "unsorted"])
def test_checked_csr_says_finite_only_for_values_it_read(member):
    # Finite is known only where the C engine read the values of the CSR it returns:
    # a copy made of another format or a non-canonical matrix is left to validation.
    X = sp.csr_matrix(X_DENSE) if member == "csr" else sp.coo_matrix(X_DENSE)
    X = NON_CANONICAL["unsorted"] if member == "unsorted" else X
    checked, finite = sparse.checked_csr(X)
    assert finite == (member == "csr" and _cengine.available())
    np.testing.assert_array_equal(checked.toarray(), canonical_csr(X).toarray())
    assert sparse.checked_csr(X_DENSE) == (X_DENSE, False)


@needs_c
def test_checked_csr_leaves_values_it_cannot_read_to_validation():
    X = sp.csr_matrix(X_DENSE)
    with_nan = _with_values(X, np.where(np.arange(X.nnz) == 1, np.nan, X.data))
    assert sparse.checked_csr(with_nan)[1] is False
    big_endian = _with_values(X, X.data.astype(">f8"))
    assert sparse.checked_csr(big_endian)[1] is False
    halves = _with_values(X, X.data.astype(np.float16))
    assert sparse.checked_csr(halves)[1] is False
    strided = _with_values(X, np.repeat(X.data, 2)[::2])  # not contiguous
    assert sparse.checked_csr(strided)[1] is False
    assert sparse.checked_csr(_with_values(X, X.data.astype(np.float32)))[1] is True


def test_canonical_csr_returns_canonical_input_itself():
    X = sp.csr_matrix(X_DENSE)
    assert canonical_csr(X) is X
    assert canonical_csr(X_DENSE) is X_DENSE


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("member", sorted(NON_CANONICAL))
def test_non_canonical_input_trains_as_its_canonical_form(engine, member):
    X = NON_CANONICAL[member]
    params = {"engine": engine, "epochs": 2, "mini_batch_size": 4, "random_state": 0}
    fitted = NielsenMLPClassifier(**params).fit(X, Y, X_val=X, y_val=Y)
    expected = NielsenMLPClassifier(**params).fit(X_DENSE, Y, X_val=X_DENSE, y_val=Y)
    np.testing.assert_allclose(fitted.coefs_[0], expected.coefs_[0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        fitted.predict_proba(X), expected.predict_proba(X_DENSE), rtol=1e-9, atol=1e-12
    )
    partial = NielsenMLPClassifier(**params).partial_fit(X, Y, classes=[0, 1])
    assert np.all(np.isfinite(partial.predict_proba(X)))


@pytest.mark.parametrize("engine", ENGINES)
def test_uint64_indices_train_as_their_signed_form(engine):
    # SciPy's own routines (toarray, the product) refuse uint64 index arrays.
    params = {"engine": engine, "epochs": 1, "random_state": 0}
    fitted = NielsenMLPClassifier(**params).fit(_unsigned_indices(X_DENSE, np.uint64), Y)
    expected = NielsenMLPClassifier(**params).fit(X_DENSE, Y)
    np.testing.assert_allclose(fitted.coefs_[0], expected.coefs_[0], rtol=1e-9, atol=1e-12)


def _unaligned(values):
    """A copy of ``values`` one byte past an aligned address, as a pickle may leave it."""
    buffer = np.frombuffer(bytearray(values.nbytes + 1), dtype=np.uint8)
    unaligned = buffer[1:].view(values.dtype)
    unaligned[...] = values
    assert not unaligned.flags.aligned
    return unaligned


def _values_in_place(X, dtype):
    """CSR equal to X whose values are views SciPy keeps as they are: no contiguous copy."""
    values = sp.csr_matrix(X).data.astype(dtype)
    return {
        "strided values": _with_values(sp.csr_matrix(X), np.repeat(values, 2)[::2]),
        "reversed values": _with_values(sp.csr_matrix(X), values[::-1].copy()[::-1]),
        "unaligned values": _with_values(sp.csr_matrix(X), _unaligned(values)),
    }


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("member", ["strided values", "reversed values", "unaligned values"])
def test_values_that_are_views_train_as_a_contiguous_copy(engine, dtype, member):
    # A column of a 2-D array (a DataFrame's, say) as CSR values, or arrays a pickle left
    # unaligned: the C engine refused them ("needs X.data as an aligned, C-contiguous
    # 1-d array"), engine='auto' too, where the NumPy engine trained.
    X = _values_in_place(X_DENSE, dtype)[member]
    params = {"engine": engine, "dtype": dtype, "epochs": 2, "mini_batch_size": 4}
    contiguous = sp.csr_matrix(X_DENSE.astype(dtype))
    expected = NielsenMLPClassifier(**params, random_state=0).fit(contiguous, Y)
    fitted = NielsenMLPClassifier(**params, random_state=0).fit(X, Y, X_val=X, y_val=Y)
    np.testing.assert_array_equal(fitted.coefs_[0], expected.coefs_[0])
    np.testing.assert_array_equal(fitted.predict_proba(X), expected.predict_proba(contiguous))
    partial = NielsenMLPClassifier(**params, random_state=0).partial_fit(X, Y, classes=[0, 1])
    expected = NielsenMLPClassifier(**params, random_state=0).partial_fit(contiguous, Y, [0, 1])
    np.testing.assert_array_equal(partial.coefs_[0], expected.coefs_[0])


ENTRY_POINTS = {
    "fit": lambda model, X: model.fit(X, Y),
    "fit X_val": lambda model, X: model.fit(X_DENSE, Y, X_val=X, y_val=Y),
    "partial_fit": lambda model, X: model.partial_fit(X, Y, classes=[0, 1]),
    "predict": lambda model, X: model.fit(X_DENSE, Y).predict(X),
    "predict_proba": lambda model, X: model.fit(X_DENSE, Y).predict_proba(X),
    "predict_log_proba": lambda model, X: model.fit(X_DENSE, Y).predict_log_proba(X),
    "score": lambda model, X: model.fit(X_DENSE, Y).score(X, Y),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
@pytest.mark.parametrize("member", sorted(MALFORMED))
def test_malformed_input_is_refused_at_every_entry_point(engine, entry, member):
    model = NielsenMLPClassifier(engine=engine, epochs=1, mini_batch_size=4, random_state=0)
    with pytest.raises(ValueError, match="Sparse X"):
        ENTRY_POINTS[entry](model, MALFORMED[member])


@pytest.mark.parametrize("member", ["column index past the end", "falling index pointers"])
def test_regressor_refuses_malformed_input(member):
    with pytest.raises(ValueError, match="Sparse X"):
        NielsenMLPRegressor(epochs=1).fit(MALFORMED[member], Y.astype(float))


def test_comparison_refuses_malformed_and_accepts_non_canonical_input():
    from sklearn.svm import LinearSVC

    estimators = {"svm": LinearSVC()}
    with pytest.raises(ValueError, match="Sparse X"):
        training_size_comparison(
            estimators, MALFORMED["column index past the end"], Y, X_DENSE, Y, sizes=[20]
        )
    records = training_size_comparison(
        estimators, NON_CANONICAL["duplicates"], Y, NON_CANONICAL["unsorted"], Y, sizes=[20]
    )
    expected = training_size_comparison(estimators, X_DENSE, Y, X_DENSE, Y, sizes=[20])
    assert [r["accuracy_test"] for r in records] == [r["accuracy_test"] for r in expected]


@needs_c
def test_the_c_engine_checks_structure_itself():
    """A second line: the C trainer refuses what the estimators would have fixed."""
    from sknielsen.engine._cengine import CTrainer
    from sknielsen.engine._network import Network
    from sknielsen.plugins import (
        SGD,
        CrossEntropyCost,
        DefaultInitializer,
        NoRegularizer,
        Sigmoid,
    )

    network = Network((N_FEATURES, 3, 2), [Sigmoid(), Sigmoid()])
    network.initialize(DefaultInitializer(), np.random.default_rng(0))
    trainer = CTrainer(
        network,
        CrossEntropyCost(),
        NoRegularizer(),
        SGD(),
        lmbda=0.0,
        n_train=40,
        batch_size=4,
        dropout=0.0,
        rng=np.random.default_rng(0),
    )
    targets = np.eye(2)[Y]
    order = np.arange(40, dtype=np.int64)
    for member in ("more entries than features", "unsorted", "stale canonical flag"):
        X = NON_CANONICAL[member].tocsr()
        with pytest.raises(ValueError, match="unsorted or repeated"):
            trainer.run(X, targets, order, None, {"eta": 0.5})
    trainer.run(canonical_csr(NON_CANONICAL["duplicates"]), targets, order, None, {"eta": 0.5})
    assert np.all(np.isfinite(network.params))


def test_a_diverged_fit_on_finite_sparse_input_is_blamed_on_the_step_not_the_input():
    import warnings

    net = NielsenMLPClassifier((3,), eta=1e300, epochs=2, activation="relu", random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net.fit(sp.csr_matrix(X_DENSE), Y)
    (message,) = [str(w.message) for w in caught]
    assert "Training diverged in epoch 1" in message and "eta=1e+300 is probably too la" in message
