"""The estimators' ``engine`` parameter: which engine trains, and that it changes nothing else."""

import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp

from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor
from sknielsen.callbacks import Callback
from sknielsen.engine import _cengine
from sknielsen.engine import _dispatch as _mlp
from sknielsen.engine._compiled import numba_available

needs_numba = pytest.mark.skipif(
    not numba_available(), reason="numba is not installed (pip install sknielsen[fast])"
)
needs_c = pytest.mark.skipif(not _cengine.available(), reason="the C engine is not built here")
#: The compiled engines, each where it is available.
COMPILED = [pytest.param("numba", marks=needs_numba), pytest.param("c", marks=needs_c)]


@pytest.fixture
def without_c(monkeypatch):
    """An installation without the C engine: 'auto' chooses between NumPy and numba."""
    monkeypatch.setattr(_cengine, "load", lambda: (None, "the C engine is not built (test)"))


def sparse_images(n=300, n_features=64, seed=0):
    """Inputs with about 30 % non-zero values, and three classes that can be learnt."""
    rng = np.random.default_rng(seed)
    y = rng.integers(3, size=n)
    favourite = rng.random((3, n_features)) < 0.3
    on = rng.random((n, n_features)) < np.where(favourite[y], 0.6, 0.1)
    return np.where(on, rng.random((n, n_features)), 0.0), y


class CountBatches(Callback):
    """Overrides ``on_batch_end``, so the compiled engine trains one mini-batch per call."""

    def __init__(self):
        self.batches = 0

    def on_batch_end(self, trainer):
        self.batches += 1


def fitted(engine, **params):
    X, y = sparse_images()
    params = {"hidden_layer_sizes": (20,), "epochs": 3, "random_state": 0, **params}
    return NielsenMLPClassifier(engine=engine, **params).fit(X, y)


@pytest.mark.parametrize("engine", COMPILED)
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"optimizer": "adam", "eta": 0.01, "regularizer": "l1", "lmbda": 0.1, "dtype": "float32"},
        {"optimizer": "momentum", "lmbda": 1.0, "dropout": 0.3, "shuffle": False},
    ],
)
def test_the_compiled_engine_trains_like_numpy_whole_epochs_or_batch_by_batch(params, engine):
    numpy = fitted("numpy", **params)
    whole = fitted(engine, **params)
    counter = CountBatches()
    by_batch = fitted(engine, callbacks=[counter], **params)
    assert (numpy.engine_, whole.engine_, by_batch.engine_) == ("numpy", engine, engine)
    assert by_batch.callbacks_[0].batches == 3 * 30
    tolerance = 1e-4 if params.get("dtype") == "float32" else 1e-9
    X, _ = sparse_images()
    for model in (whole, by_batch):
        for ours, theirs in zip(model.coefs_, numpy.coefs_):
            np.testing.assert_allclose(ours, theirs, rtol=0, atol=tolerance)
        np.testing.assert_allclose(model.loss_curve_, numpy.loss_curve_, rtol=tolerance)
        np.testing.assert_array_equal(model.predict(X), numpy.predict(X))


@needs_numba
def test_auto_picks_the_compiled_engine_where_it_has_kernels_and_is_faster(monkeypatch, without_c):
    assert fitted("auto", epochs=1).engine_ == "numpy"  # 300 samples: too little training
    monkeypatch.setattr(_mlp, "AUTO_MIN_SAMPLE_PASSES", 300)
    assert fitted("auto", epochs=1).engine_ == "numba"
    regressor = NielsenMLPRegressor((5,), epochs=1, random_state=0).fit(*sparse_images())
    assert regressor.engine_ == "numba"


@pytest.mark.parametrize(
    "params, reason",
    [
        ({"augment": "shift", "image_shape": (8, 8)}, "augmentation has no compiled kernel"),
        ({"optimizer": "lbfgs"}, "LBFGS has no compiled kernel"),
        pytest.param(
            {"dtype": "float32", "mini_batch_size": 100},
            "measured as fast or faster",
            marks=needs_numba,
        ),
        pytest.param({"mini_batch_size": 100}, "measured as fast or faster", marks=needs_numba),
    ],
)
def test_auto_falls_back_to_numpy_and_says_why(params, reason, capsys, monkeypatch, without_c):
    monkeypatch.setattr(_mlp, "AUTO_MIN_SAMPLE_PASSES", 0)
    assert fitted("auto", epochs=1, verbose=1, **params).engine_ == "numpy"
    assert reason in capsys.readouterr().out.splitlines()[0]


@needs_numba
@pytest.mark.parametrize(
    "params, reason",
    [
        ({"augment": "shift", "image_shape": (8, 8)}, "augmentation has no compiled kernel"),
        ({"optimizer": "newton"}, "Newton has no compiled kernel"),
    ],
)
def test_numba_refuses_what_it_has_no_kernels_for(params, reason):
    with pytest.raises(ValueError, match=f"engine='numba' cannot train .*{reason}"):
        fitted("numba", epochs=1, **params)


def test_numba_without_numba_names_the_extra(monkeypatch, without_c):
    monkeypatch.setattr(_mlp, "numba_available", lambda: False)
    monkeypatch.setattr(_mlp, "AUTO_MIN_SAMPLE_PASSES", 0)
    with pytest.raises(ImportError, match=r'pip install "sknielsen\[fast\]"'):
        fitted("numba", epochs=1)
    assert fitted("auto", epochs=1).engine_ == "numpy"


def test_auto_trains_small_fits_with_numpy_without_importing_numba(capsys, monkeypatch, without_c):
    monkeypatch.setattr(_mlp, "numba_available", lambda: pytest.fail("numba was looked for"))
    assert fitted("auto", epochs=1, verbose=1).engine_ == "numpy"
    assert "too little training" in capsys.readouterr().out.splitlines()[0]


def test_verbose_names_the_engine(capsys):
    fitted("numpy", epochs=1, verbose=1)
    assert capsys.readouterr().out.splitlines()[0] == "Training with the numpy engine."


@pytest.mark.parametrize("engine", ["numpy", *COMPILED])
def test_sparse_inputs_train_and_predict_like_dense_ones(engine):
    X, y = sparse_images()
    X_val, y_val = sparse_images(n=60, seed=1)
    dense = fitted(engine, validation_fraction=0.2, early_stopping=True)
    params = {
        "hidden_layer_sizes": (20,),
        "epochs": 3,
        "random_state": 0,
        "validation_fraction": 0.2,
        "early_stopping": True,
    }
    for to_sparse in (sp.csr_matrix, sp.csc_matrix):
        model = NielsenMLPClassifier(engine=engine, **params).fit(to_sparse(X), y)
        assert model.engine_ == engine
        for ours, theirs in zip(model.coefs_, dense.coefs_):
            np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(model.predict(to_sparse(X)), dense.predict(X))
        np.testing.assert_allclose(model.predict_proba(to_sparse(X)), dense.predict_proba(X))
        assert model.score(to_sparse(X), y) == dense.score(X, y)
        model.partial_fit(to_sparse(X), y)
        given = NielsenMLPClassifier(engine=engine, **params)
        given.fit(to_sparse(X), y, X_val=to_sparse(X_val), y_val=y_val)
        assert len(given.history_["validation_accuracy"]) == 3


@pytest.mark.parametrize("engine", ["numpy", *COMPILED])
def test_sparse_training_sets_are_never_densified_whole(engine):
    X, y = sparse_images(n=4000, n_features=784)
    X = sp.csr_matrix(X)
    dense_bytes = X.shape[0] * X.shape[1] * 8
    model = NielsenMLPClassifier((10,), epochs=1, random_state=0, engine=engine)
    model.fit(X[:20], y[:20])  # compiles or loads the kernels outside the measurement
    tracemalloc.start()
    try:
        model.fit(X, y)
        model.predict(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < dense_bytes / 4, f"peak {peak / 2**20:.1f} MiB"


class DecayEveryBatch(Callback):
    """Changes η after every mini-batch, which the compiled engine must read at its next call."""

    def on_batch_end(self, trainer):
        trainer.eta *= 0.99


@pytest.mark.parametrize("compiled", COMPILED)
def test_callbacks_and_partial_fit_carry_the_state_across_kernel_calls(compiled):
    X, y = sparse_images()
    models = {}
    for engine in ("numpy", compiled):
        model = NielsenMLPClassifier(
            (20,),
            optimizer="momentum",
            eta=0.2,
            random_state=0,
            callbacks=[DecayEveryBatch()],
            engine=engine,
        )
        for _ in range(2):  # the velocity and η continue from call to call
            model.partial_fit(X, y, classes=[0, 1, 2])
        models[engine] = model
    numpy, numba = models["numpy"], models[compiled]
    assert numba.engine_ == compiled and numba.eta_ == numpy.eta_ < 0.2 * 0.99**59
    for ours, theirs in zip(numba.coefs_, numpy.coefs_):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)
    np.testing.assert_allclose(numba.loss_curve_, numpy.loss_curve_, rtol=1e-9)
