"""The estimators' ``engine`` parameter: which engine trains, and that it changes nothing else."""

import copy
import json
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.model_selection import GridSearchCV

import sknielsen
from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor
from sknielsen.callbacks import Callback, CallbackError, StopTraining
from sknielsen.engine import _cengine, _network
from sknielsen.plugins import L1, Momentum, QuadraticCost, Tanh
from sknielsen.utils import check_params

needs_c = pytest.mark.skipif(not _cengine.available(), reason="the C engine is not built here")
#: The engines, each where it is available.
ENGINES = ["numpy", pytest.param("c", marks=needs_c)]
#: What fit and partial_fit say of engine='numba', retired in 0.2.0.
RETIRED = r"engine='numba'\): the numba engine was retired in 0\.2\.0.*use engine='c'"


@pytest.fixture
def without_c(monkeypatch):
    """An installation made without a C compiler."""
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


@needs_c
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"optimizer": "adam", "eta": 0.01, "regularizer": "l1", "lmbda": 0.1, "dtype": "float32"},
        {"optimizer": "momentum", "lmbda": 1.0, "dropout": 0.3, "shuffle": False},
    ],
)
def test_the_c_engine_trains_like_numpy_whole_epochs_or_batch_by_batch(params):
    engine = "c"
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


@needs_c
def test_auto_picks_the_c_engine_for_any_fit_it_has_kernels_for():
    # No compile at the first fit, so no threshold: 300 samples for one epoch, mini-batch 100.
    assert fitted("auto", epochs=1).engine_ == "c"
    assert fitted("auto", epochs=1, mini_batch_size=100, dtype="float32").engine_ == "c"
    regressor = NielsenMLPRegressor((5,), epochs=1, random_state=0).fit(*sparse_images())
    assert regressor.engine_ == "c"


@needs_c
@pytest.mark.parametrize(
    "params, reason",
    [
        ({"augment": "shift", "image_shape": (8, 8)}, "augmentation has no compiled kernel"),
        ({"optimizer": "lbfgs"}, "LBFGS has no compiled kernel"),
    ],
)
def test_auto_falls_back_to_numpy_and_says_why(params, reason, capsys):
    assert fitted("auto", epochs=1, verbose=1, **params).engine_ == "numpy"
    assert reason in capsys.readouterr().out.splitlines()[0]


def test_auto_without_the_c_engine_trains_on_numpy_and_says_why(capsys, without_c):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 'auto' falls back silently; only verbose says why
        assert fitted("auto", epochs=1, verbose=1).engine_ == "numpy"
    assert "the C engine is not built (test)" in capsys.readouterr().out.splitlines()[0]


@needs_c
@pytest.mark.parametrize(
    "params, reason",
    [
        ({"augment": "shift", "image_shape": (8, 8)}, "augmentation has no compiled kernel"),
        ({"optimizer": "newton"}, "Newton has no compiled kernel"),
    ],
)
def test_c_refuses_what_it_has_no_kernels_for(params, reason):
    with pytest.raises(ValueError, match=f"engine='c' cannot train .*{reason}"):
        fitted("c", epochs=1, **params)


# -- engine='numba', retired in 0.2.0 -----------------------------------------


@pytest.mark.parametrize("estimator", [NielsenMLPClassifier, NielsenMLPRegressor])
def test_numba_is_refused_at_fit_and_partial_fit_naming_the_c_engine(estimator):
    X, y = sparse_images()
    model = estimator(engine="numba", epochs=1)  # constructing it checks nothing, as in sklearn
    with pytest.raises(ValueError, match=RETIRED):
        model.fit(X, y)
    with pytest.raises(ValueError, match=RETIRED):
        model.partial_fit(
            X, y, **({"classes": [0, 1, 2]} if estimator is NielsenMLPClassifier else {})
        )
    assert not hasattr(model, "coefs_")
    with pytest.raises(ValueError, match=RETIRED):
        check_params(model)


def test_numba_set_later_is_refused_and_the_model_is_unchanged():
    X, y = sparse_images()
    model = NielsenMLPClassifier((10,), epochs=1, random_state=0).fit(X, y)
    coefs = [w.copy() for w in model.coefs_]
    model.set_params(engine="numba")
    for call in (lambda: model.partial_fit(X, y), lambda: model.fit(X, y)):
        with pytest.raises(ValueError, match=RETIRED):
            call()
    for ours, before in zip(model.coefs_, coefs):
        np.testing.assert_array_equal(ours, before)
    assert model.set_params(engine="auto").partial_fit(X, y).n_iter_ == 2


@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
# One epoch on random images may not lower the cost, which is beside the point here.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_numba_in_a_grid_search_fails_those_fits_naming_the_c_engine():
    X, y = sparse_images(n=90)
    grid = {"engine": ["numba", "numpy"]}
    with pytest.warns(Warning, match=RETIRED):  # scikit-learn's FitFailedWarning
        search = GridSearchCV(NielsenMLPClassifier((5,), epochs=1), grid, cv=2).fit(X, y)
    assert search.best_params_ == {"engine": "numpy"}
    with pytest.raises(ValueError, match=RETIRED):
        GridSearchCV(NielsenMLPClassifier((5,), epochs=1), {"engine": ["numba"]}, cv=2).fit(X, y)


def test_an_unknown_engine_is_refused_without_naming_numba():
    X, y = sparse_images()
    with pytest.raises(ValueError, match="engine") as refused:
        NielsenMLPClassifier(engine="gpu", epochs=1).fit(X, y)
    assert "numba" not in str(refused.value)


def test_a_model_saved_with_engine_numba_loads_as_saved_and_predicts(tmp_path):
    X, y = sparse_images()
    model = NielsenMLPClassifier((10,), epochs=2, random_state=0).fit(X, y)
    path = tmp_path / "model.json"
    sknielsen.save(model, path)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["params"]["engine"] = "numba"  # as an earlier sknielsen saved it
    path.write_text(json.dumps(document), encoding="utf-8")
    loaded = sknielsen.load(path)
    assert loaded.engine == "numba"  # parameters as saved, never silently changed
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    for call in (lambda: loaded.partial_fit(X, y), lambda: loaded.fit(X, y)):
        with pytest.raises(ValueError, match=RETIRED):
            call()
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    resaved = tmp_path / "again.json"
    sknielsen.save(loaded, resaved)  # saved back as it was loaded
    assert json.loads(resaved.read_text(encoding="utf-8"))["params"]["engine"] == "numba"
    continued = loaded.set_params(engine="auto").partial_fit(X, y)
    assert continued.n_iter_ == 3


def test_verbose_names_the_engine(capsys):
    fitted("numpy", epochs=1, verbose=1)
    assert capsys.readouterr().out.splitlines()[0] == "Training with the numpy engine."


@pytest.mark.parametrize("engine", ENGINES)
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


@pytest.mark.parametrize("engine", ENGINES)
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


def wide_sparse(n=60, n_features=4000, density=0.01, seed=0):
    """Rows of 40 non-zeros among 4,000 columns, whose mini-batches of 10 the NumPy engine
    keeps sparse (``sparse_batches_pay``), and three classes that can be learnt."""
    rng = np.random.default_rng(seed)
    X = sp.random(n, n_features, density=density, format="csr", random_state=rng)
    return X, rng.integers(3, size=n)


def _all_parameters(model):
    return model.coefs_ + model.intercepts_


@pytest.mark.parametrize(
    "params",
    [
        {"optimizer": "sgd"},
        {"optimizer": "momentum", "regularizer": "l2", "lmbda": 5.0},
        {"optimizer": "nesterov", "regularizer": "l1", "lmbda": 1.0},
        {"optimizer": "adam", "eta": 0.01},
        {"dropout": 0.3, "hidden_layer_sizes": (6, 5)},
        {"hidden_layer_sizes": ()},
        {
            "hidden_layer_sizes": (5, 4, 3),
            "activation": "relu",
            "class_weight": {0: 2.0, 1: 1.0, 2: 0.5},
        },
    ],
)
def test_sparse_mini_batches_kept_sparse_train_as_dense_ones(monkeypatch, params):
    # The NumPy engine multiplies wide sparse mini-batches as they are: the same weights
    # as the densified rows up to rounding, and the same bits again for the same seed.
    X, y = wide_sparse()
    X_val, y_val = wide_sparse(n=20, seed=1)
    sample_weight = np.random.default_rng(2).uniform(0.5, 2.0, size=X.shape[0])
    products = []
    transposed_product = _network.transposed_product
    monkeypatch.setattr(
        _network,
        "transposed_product",
        lambda *args, **kwargs: products.append(1) or transposed_product(*args, **kwargs),
    )
    params = {"hidden_layer_sizes": (8,), "epochs": 2, "mini_batch_size": 10, **params}

    def fit(X, X_val):
        model = NielsenMLPClassifier(engine="numpy", random_state=0, **params)
        model.fit(X, y, X_val=X_val, y_val=y_val, sample_weight=sample_weight)
        return model.partial_fit(X, y, sample_weight=sample_weight)

    dense = fit(X.toarray(), X_val.toarray())
    assert not products
    kept_sparse, again = fit(X, X_val), fit(X, X_val)
    assert len(products) == 2 * 3 * 6  # two fits of three epochs of six mini-batches
    for ours, theirs, same in zip(*map(_all_parameters, (kept_sparse, dense, again))):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12 * abs(theirs).max())
        np.testing.assert_array_equal(ours, same)
    np.testing.assert_allclose(kept_sparse.loss_curve_, dense.loss_curve_, rtol=1e-12)
    assert kept_sparse.history_["validation_accuracy"] == dense.history_["validation_accuracy"]
    np.testing.assert_allclose(kept_sparse.predict_proba(X), dense.predict_proba(X), rtol=1e-10)


def test_wide_sparse_mini_batches_are_not_densified():
    # Densified, each mini-batch of 100 rows of 100,000 columns took an 80 MB buffer. What
    # is left is about six times the first layer's 1.6 MB (weights, gradient, snapshots).
    X, y = wide_sparse(n=100, n_features=100_000, density=0.001)
    dense_batch_bytes = 100 * X.shape[1] * 8
    model = NielsenMLPClassifier((2,), epochs=2, mini_batch_size=100, engine="numpy")
    tracemalloc.start()
    try:
        model.fit(X, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < dense_batch_bytes / 4, f"peak {peak / 2**20:.1f} MiB"


def test_augmented_sparse_mini_batches_are_densified_for_the_augmenter():
    # An augmenter distorts dense images, even when the images would train sparse.
    X, y = wide_sparse(n=30, n_features=64 * 64)
    params = {"epochs": 1, "mini_batch_size": 10, "augment": "shift", "random_state": 0}
    of_sparse = NielsenMLPClassifier((4,), engine="numpy", **params).fit(X, y)
    of_dense = NielsenMLPClassifier((4,), engine="numpy", **params).fit(X.toarray(), y)
    for ours, theirs in zip(_all_parameters(of_sparse), _all_parameters(of_dense)):
        np.testing.assert_array_equal(ours, theirs)


def _unscaled_wide_sparse(n_features, seed=0):
    """200 rows of 5 counts in the thousands among ``n_features`` columns: they saturate."""
    rng = np.random.default_rng(seed)
    X = sp.random(200, n_features, density=5 / n_features, format="csr", random_state=rng)
    X.data = np.round(X.data * 1e4)
    return X, rng.integers(3, size=200)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_saturation_warning_never_densifies_sparse_rows(engine):
    # Its reference (the same rows scaled to [0, 1]) densified 128 rows twice: a fit on
    # unscaled counts of a million columns peaked at 2.1 GB instead of 0.2 GB.
    X, y = _unscaled_wide_sparse(40_000)
    dense_sample_bytes = 128 * X.shape[1] * 8
    model = NielsenMLPClassifier((2,), epochs=1, random_state=0, engine=engine)
    tracemalloc.start()
    try:
        with pytest.warns(UserWarning, match="The inputs saturate the first layer"):
            model.fit(X, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < dense_sample_bytes / 4, f"peak {peak / 2**20:.1f} MiB"
    # And it says what it said of the dense rows.
    X, y = _unscaled_wide_sparse(300)
    with pytest.warns(UserWarning, match="saturate") as of_dense:
        NielsenMLPClassifier((2,), epochs=1, random_state=0, engine=engine).fit(X.toarray(), y)
    with pytest.warns(UserWarning, match="saturate") as of_sparse:
        NielsenMLPClassifier((2,), epochs=1, random_state=0, engine=engine).fit(X, y)
    assert [str(w.message) for w in of_sparse] == [str(w.message) for w in of_dense]


class DecayEveryBatch(Callback):
    """Changes η after every mini-batch, which the compiled engine must read at its next call."""

    def on_batch_end(self, trainer):
        trainer.eta *= 0.99


@needs_c
def test_callbacks_and_partial_fit_carry_the_state_across_kernel_calls():
    X, y = sparse_images()
    models = {}
    for engine in ("numpy", "c"):
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
    numpy, c = models["numpy"], models["c"]
    assert c.engine_ == "c" and c.eta_ == numpy.eta_ < 0.2 * 0.99**59
    for ours, theirs in zip(c.coefs_, numpy.coefs_):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)
    np.testing.assert_allclose(c.loss_curve_, numpy.loss_curve_, rtol=1e-9)


class EpochSchedule(Callback):
    """Steers the optimizer's hyper-parameters and the penalty's λ at each epoch."""

    def on_epoch_begin(self, trainer):
        trainer.penalty.lmbda = 0.5 * trainer.epochs_run
        if "mu" in trainer.optimizer.get_params():
            trainer.optimizer.set_params(mu=0.5 + 0.2 * trainer.epochs_run)
        else:
            trainer.optimizer.set_params(beta1=0.5 + 0.2 * trainer.epochs_run)


class BatchSchedule(EpochSchedule):
    """And in the middle of each epoch, so that the C engine trains batch by batch."""

    def on_batch_end(self, trainer):
        if trainer.samples_in_epoch == 150:
            name = "mu" if "mu" in trainer.optimizer.get_params() else "beta2"
            setattr(trainer.optimizer, name, 0.3)


@needs_c
@pytest.mark.parametrize("optimizer", ["momentum", "nesterov", "adam"])
@pytest.mark.parametrize("schedule", [EpochSchedule, BatchSchedule])
def test_hyper_parameters_a_callback_changes_take_effect_on_both_engines(optimizer, schedule):
    # The C engine read mu, Adam's betas and lambda once, when the run began: a
    # momentum schedule took effect on NumPy and was silently ignored on C.
    eta = 0.01 if optimizer == "adam" else 0.2
    params = {"optimizer": optimizer, "eta": eta, "lmbda": 0.0, "callbacks": [schedule()]}
    numpy, c = (fitted(engine, **params) for engine in ("numpy", "c"))
    assert c.engine_ == "c" and c.optimizer_.get_params() == numpy.optimizer_.get_params()
    for ours, theirs in zip(c.coefs_ + c.intercepts_, numpy.coefs_ + numpy.intercepts_):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)


class Replaces(Callback):
    """Replaces one object of the run (``what``) in ``hook``, in the run's second epoch.

    The replacements: another optimizer kind (momentum in an SGD run), another object
    of the same kind (momentum with another mu), another regularizer kind, another
    penalty object, and the network, its activations and the cost the engines were
    built with too.
    """

    def __init__(self, what="optimizer kind", hook="on_epoch_begin", then=None):
        self.what = what
        self.hook = hook
        self.then = then

    def _replace(self, trainer, hook):
        in_epoch = hook not in ("on_train_begin", "on_train_end")
        if hook != self.hook or (in_epoch and trainer.epochs_run != 1):
            return
        if self.what == "optimizer kind":
            trainer.optimizer = Momentum()
        elif self.what == "optimizer object":
            trainer.optimizer = type(trainer.optimizer)(**trainer.optimizer.get_params())
        elif self.what == "penalty kind":
            trainer.penalty.regularizer = L1()
        elif self.what == "penalty object":
            penalty = copy.copy(trainer.penalty)
            penalty.regularizer = L1()
            trainer.penalty = penalty
        elif self.what == "activation":
            trainer.network.activations[0] = Tanh()
        elif self.what == "cost":
            trainer.cost = QuadraticCost()
        else:
            trainer.network = copy.deepcopy(trainer.network)
        if self.then is not None:
            raise self.then

    def on_train_begin(self, trainer):
        self._replace(trainer, "on_train_begin")

    def on_epoch_begin(self, trainer):
        self._replace(trainer, "on_epoch_begin")

    def on_batch_end(self, trainer):
        self._replace(trainer, "on_batch_end")

    def on_epoch_end(self, trainer):
        self._replace(trainer, "on_epoch_end")

    def on_train_end(self, trainer):
        self._replace(trainer, "on_train_end")


REPLACED = {
    "optimizer kind": "optimizer",
    "optimizer object": "optimizer",
    "penalty kind": "penalty.regularizer",
    "penalty object": "penalty",
    "activation": "network.activations",
    "cost": "cost",
    "network": "network",
}
HOOKS = ["on_train_begin", "on_epoch_begin", "on_batch_end", "on_epoch_end", "on_train_end"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("what", REPLACED)
@pytest.mark.parametrize("hook", HOOKS)
def test_a_callback_replacing_an_object_of_the_run_is_refused_on_both_engines(engine, what, hook):
    # The NumPy engine followed a new optimizer or penalty object and the C engine kept
    # the kind it was built with: the engines disagreed without a word (another
    # optimizer kind failed on NumPy with KeyError: 'velocity'), and the fitted
    # optimizer_ and regularizer_ named the estimator's. Their settings may change;
    # the objects, as the cost and the network both engines are built from, may not.
    optimizer = "sgd" if what == "optimizer kind" else "momentum"
    model = NielsenMLPClassifier(
        (20,),
        epochs=2,
        optimizer=optimizer,
        lmbda=1.0,
        random_state=0,
        engine=engine,
        callbacks=[Replaces(what, hook)],
    )
    said = rf"Replaces \({hook}\) replaced trainer\.{REPLACED[what]}: "
    with pytest.raises(CallbackError, match=said):
        model.fit(*sparse_images())
    assert not hasattr(model, "coefs_")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("then", [StopTraining, KeyboardInterrupt])
def test_a_replacement_is_named_in_the_hook_that_ended_the_run(engine, then):
    # An interrupt skipped the check after the hook: the first on_train_end was blamed.
    replaces = Replaces("optimizer object", "on_batch_end", then)
    model = NielsenMLPClassifier((20,), epochs=2, engine=engine, callbacks=[replaces])
    with pytest.raises(CallbackError, match=r"Replaces \(on_batch_end\) replaced trainer\.opt"):
        model.fit(*sparse_images())


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_a_callback_replacing_a_solver_is_refused(solver):
    # A full-batch solver's minimize went on with the solver it began with.
    model = NielsenMLPClassifier(
        (5,), epochs=2, optimizer=solver, random_state=0, callbacks=[Replaces("optimizer object")]
    )
    with pytest.raises(CallbackError, match=r"\(on_epoch_begin\) replaced trainer\.optimizer: "):
        model.fit(*sparse_images(n=60, n_features=8))


@pytest.mark.parametrize("n_rows, max_rows", [(10, 3), (9, 3), (7, 1), (5, 5), (5, 100), (0, 2)])
@pytest.mark.parametrize("form", [np.asarray, sp.csr_matrix, sp.csc_matrix])
def test_feedforward_in_chunks_gives_every_row_its_outputs(n_rows, max_rows, form):
    network = _network.Network([4, 6, 3], [Tanh(), Tanh()])
    rng = np.random.default_rng(1)
    network.params[:] = rng.normal(size=network.params.size)
    X = rng.normal(size=(n_rows, 4))
    whole = network.feedforward(X)
    taken = []
    unchunked = _network._feedforward

    def counted(X, *args):
        taken.append(X.shape[0])
        return unchunked(X, *args)

    _network._feedforward = counted
    try:
        chunked = network.feedforward(form(X), max_rows=max_rows)
    finally:
        _network._feedforward = unchunked
    np.testing.assert_allclose(chunked, whole, rtol=1e-13, atol=1e-15)
    assert chunked.shape == whole.shape and chunked.dtype == whole.dtype
    assert sum(taken) == n_rows and max(taken) <= (n_rows if n_rows <= max_rows else max_rows)
    assert max(taken) - min(taken) <= 1  # chunks of equal size, no small one left over


def test_rows_within_counts_the_widest_layer_s_arrays():
    weights = [np.zeros((784, 100)), np.zeros((100, 30)), np.zeros((30, 10), np.float32)]
    # Layer 1 holds its 100 outputs and room for as many (X is held already); layer 2
    # its 100 inputs and 2 × 30; 200 of 8 bytes is a row's most.
    assert _network.rows_within(200 * 8 * 7, weights) == 7
    assert _network.rows_within(10, weights) == 1


@pytest.mark.parametrize("form", [np.asarray, sp.csr_matrix])
def test_predictions_hold_scikit_learn_s_working_memory_not_every_row_s_layers(form):
    import sklearn

    rng = np.random.default_rng(0)
    X, y = rng.uniform(size=(6000, 20)), rng.integers(3, size=6000)
    with warnings.catch_warnings():  # a model of noise, that predicts
        warnings.simplefilter("ignore", sklearn.exceptions.ConvergenceWarning)
        model = NielsenMLPClassifier((400,), epochs=1, random_state=0).fit(X[:300], y[:300])
    X = form(X)
    expected = model.predict_proba(X)
    hidden_bytes = X.shape[0] * 400 * 8  # 18 MiB: the hidden layer's outputs of every row
    tracemalloc.start()
    try:
        with sklearn.config_context(working_memory=1):
            probabilities = model.predict_proba(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < hidden_bytes / 4, f"peak {peak / 2**20:.1f} MiB"
    np.testing.assert_allclose(probabilities, expected, rtol=1e-12, atol=1e-15)


def test_the_numpy_engine_scores_the_validation_set_in_chunks_to_the_same_history(monkeypatch):
    import sklearn

    rng = np.random.default_rng(0)
    X, y = rng.uniform(size=(600, 20)), rng.integers(3, size=600)
    params = {"epochs": 2, "eta": 0.1, "random_state": 0, "engine": "numpy"}
    params["monitor"] = ("validation_cost",)
    whole = NielsenMLPClassifier((50,), **params).fit(X[:100], y[:100], X_val=X, y_val=y)
    taken = []
    unchunked = _network._feedforward

    def counted(X, *args):
        taken.append(X.shape[0])
        return unchunked(X, *args)

    monkeypatch.setattr(_network, "_feedforward", counted)
    # 40 KiB: 52 rows of 50 hidden units (and room for 50 more) of 8 bytes at once.
    with sklearn.config_context(working_memory=0.04):
        chunked = NielsenMLPClassifier((50,), **params).fit(X[:100], y[:100], X_val=X, y_val=y)
    assert max(taken) <= 52 and taken.count(50) >= 2 * 12  # 600 rows in 12 chunks an epoch
    np.testing.assert_allclose(
        chunked.history_["validation_cost"], whole.history_["validation_cost"], rtol=1e-12
    )
