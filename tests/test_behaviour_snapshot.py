"""The behaviour snapshot: twenty-one small fits must give exactly the recorded numbers.

Each configuration of ``tests/fixtures/behaviour/record.py`` (every plugin,
both estimators, the NumPy engine, sparse input, class and sample weights,
multilabel targets, float32, callbacks, ``partial_fit``, ``warm_start``,
validation data) is trained with the current code and compared with what
was recorded: predictions, probabilities, weights and biases, the whole
history, ``n_iter_``, ``best_epoch_``, the warnings and the saved model file.
A refactoring must keep every one of them; re-recording is for an intended
change of behaviour only (see the top of ``record.py``).

The comparison is bit for bit in the environment the fixtures were recorded
in (``environment.json``: library versions, BLAS kernels, SIMD extensions).
Elsewhere BLAS and NumPy round differently (another CPU picks other
kernels), so floats are compared to within ``TOLERANCE`` and everything else
exactly, and :func:`test_the_environment_is_the_recorded_one` is skipped
with the differences as its reason.
"""

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

RECORD_PATH = Path(__file__).parent / "fixtures" / "behaviour" / "record.py"


def _load_record_module():
    spec = importlib.util.spec_from_file_location("_behaviour_record", RECORD_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


record = _load_record_module()

CASES = list(record.CONFIGURATIONS)
#: Outputs held as JSON texts, and what they are.
TEXTS = {
    "scalars": "n_iter_, best_epoch_, t_, eta_, engine_ and the number of layers",
    "history": "history_",
    "warnings": "the warnings sknielsen issued",
    "model_json": "the file written by sknielsen.save",
}
#: Outside the recorded environment, |got - recorded| <= TOLERANCE × (|recorded| + 1e-3)
#: for every float, by the dtype of the network. Other CPUs' kernels were measured
#: (OPENBLAS_CORETYPE, NPY_DISABLE_CPU_FEATURES) within 1.5e-8 (float64, Newton's
#: method) and 4e-5 (float32) of the recorded values.
TOLERANCE = {"float64": 1e-6, "float32": 1e-3}


@pytest.fixture(autouse=True)
def auto_as_recorded(monkeypatch):
    """``engine='auto'`` as the snapshot was recorded: on an installation without the C engine.

    The snapshot holds the NumPy engine's numbers, bit for bit; where the C
    engine is built, 'auto' picks it, and its numbers agree only to rounding
    (tests/test_c_engine.py holds that). So 'auto' is shown no C engine here.
    """
    from sknielsen.engine import _cengine

    monkeypatch.setattr(_cengine, "load", lambda: (None, "hidden from the snapshot"))


@pytest.fixture(scope="module")
def environment_differences():
    """{part: [what differs]} between this environment and the recorded one."""
    recorded, current = record.recorded_environment(), record.environment()
    return {
        part: [key for key in recorded[part] if recorded[part][key] != current[part].get(key)]
        for part in recorded
    }


def test_every_configuration_is_recorded_and_nothing_else():
    recorded = {path.stem for path in record.FOLDER.glob("*.npz")}
    assert recorded == set(record.CONFIGURATIONS), (
        "tests/fixtures/behaviour/ and record.CONFIGURATIONS differ; record new "
        "configurations with record.py --only NAME and delete the files of removed ones."
    )


def test_the_environment_is_the_recorded_one(environment_differences):
    """Skipped, saying why, where the snapshot is compared only to within rounding."""
    if any(environment_differences.values()):
        recorded, current = record.recorded_environment(), record.environment()
        details = "; ".join(
            f"{key}: recorded {recorded[part][key]}, here {current[part].get(key)}"
            for part, keys in environment_differences.items()
            for key in keys
        )
        pytest.skip(
            "the behaviour snapshot is compared to within rounding, not bit for bit, "
            f"because this environment differs from the recorded one ({details})"
        )


@pytest.mark.parametrize("name", CASES)
def test_behaviour_matches_the_snapshot(name, tmp_path, environment_differences):
    exact = not any(environment_differences.values())
    expected = record.load(name)
    actual = record.outputs(name, tmp_path)
    assert sorted(actual) == sorted(expected), (
        f"outputs {sorted(actual)}, recorded {sorted(expected)} (a layer more or fewer?)"
    )
    tolerance = 0.0 if exact else TOLERANCE[str(expected["coefs_0"].dtype)]
    differences = [_difference(key, actual[key], want, tolerance) for key, want in expected.items()]
    differences = [difference for difference in differences if difference]
    assert not differences, (
        f"{name} differs from the snapshot "
        f"({'bit for bit' if exact else f'beyond a tolerance of {tolerance:g}'}):\n"
        + "\n".join(differences)
    )


def _difference(key, got, want, tolerance):
    """What differs between an output and its recorded value, or None."""
    if key in TEXTS:
        got, want = str(got), str(want)
        if got == want:
            return None
        paths = list(_differing_paths(json.loads(got), json.loads(want), key, tolerance))
        if not paths:
            return None if tolerance else _text_difference(key, got, want)
        more = f" and {len(paths) - 8} more" if len(paths) > 8 else ""
        return f"{key} ({TEXTS[key]}) differs at {', '.join(paths[:8])}{more}"
    if got.dtype != want.dtype or got.shape != want.shape:
        return f"{key}: {got.dtype} {got.shape}, recorded {want.dtype} {want.shape}"
    if got.dtype.kind != "f":
        if np.array_equal(got, want):
            return None
        return f"{key}: {np.count_nonzero(got != want)} of {got.size} entries differ"
    differs = ~_close(got, want, tolerance)
    if not differs.any():
        return None
    largest = np.max(np.abs(got[differs].astype(np.float64) - want[differs]))
    return (
        f"{key}: {np.count_nonzero(differs)} of {got.size} entries differ, by up to {largest:.3g}"
    )


def _text_difference(key, got, want):
    """Where two JSON texts holding the same values differ (key order, formatting)."""
    at = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
    return (
        f"{key} ({TEXTS[key]}) differs from character {at}: "
        f"got {got[max(at - 40, 0) : at + 60]!r}, recorded {want[max(at - 40, 0) : at + 60]!r}"
    )


def _close(got, want, tolerance):
    """Elementwise: the same bits, or, with a tolerance, within it (NaN matching NaN)."""
    got, want = np.asarray(got, order="C"), np.asarray(want, order="C")
    if not tolerance:  # bit for bit: -0.0 is not 0.0
        bits = np.dtype(f"u{got.dtype.itemsize}")
        return got.view(bits) == want.view(bits)
    with np.errstate(invalid="ignore"):
        close = np.abs(got - want) <= tolerance * (np.abs(want) + 1e-3)
    return close | (got == want) | (np.isnan(got) & np.isnan(want))


def _differing_paths(got, want, path, tolerance):
    """The paths (``model_json.fitted.history``) of the JSON values that differ.

    Dicts and lists are descended; a list is reported whole when its length
    differs, or when a float in it differs (not each float).
    """
    if isinstance(got, dict) and isinstance(want, dict):
        for key in [*want, *(k for k in got if k not in want)]:
            if key not in got or key not in want:
                yield f"{path}.{key} ({'missing' if key not in got else 'new'})"
            else:
                yield from _differing_paths(got[key], want[key], f"{path}.{key}", tolerance)
    elif isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        inner = [_differing_paths(g, w, path, tolerance) for g, w in zip(got, want)]
        if any(next(paths, None) for paths in inner):
            yield path
    elif isinstance(got, float) and isinstance(want, float):
        if not _close(np.float64(got), np.float64(want), tolerance):
            yield path
    elif got != want or type(got) is not type(want):
        yield path
