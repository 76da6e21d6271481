"""How accuracy grows with the training set: the book's network-versus-SVM study.

:func:`training_size_comparison` fits each named estimator on the first N
training examples (or a stratified sample of N) for several N and seeds, and
scores it on fixed test sets. The (estimator, size, seed) jobs run through
joblib, so ``joblib.parallel_config(backend="dask")`` moves them onto a
cluster unchanged. Results are plain records (dicts), reported as each job
finishes; an interrupted run returns the records finished so far, and a run
given earlier records skips the jobs they cover.
"""

import time
import warnings
from collections import defaultdict

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.model_selection import train_test_split

SUBSETS = ("first", "stratified")

__all__ = ["crossover_statements", "scaled_params", "summarize", "training_size_comparison"]


def scaled_params(estimator, size, n_full):
    """The book's rule for training on ``size`` of ``n_full`` examples.

    Epochs scale by n_full/size and λ by size/n_full, so the number of
    gradient steps and the weight decay per step stay those of the full
    training set. Estimators without ``epochs`` and ``lmbda`` are unchanged.

    Parameters
    ----------
    estimator : estimator
        Its ``epochs`` and ``lmbda`` are the settings for ``n_full`` examples.
    size, n_full : int

    Returns
    -------
    params : dict
        Parameters to set, possibly empty.
    """
    params = estimator.get_params(deep=False)
    scaled = {}
    if "epochs" in params:
        scaled["epochs"] = max(1, int(round(params["epochs"] * n_full / size)))
    if "lmbda" in params:
        scaled["lmbda"] = params["lmbda"] * size / n_full
    return scaled


def _subset(X, y, size, subset, seed):
    if subset == "first" or size >= len(y):
        return X[:size], y[:size]
    X_part, _, y_part, _ = train_test_split(
        X, y, train_size=size, stratify=y, random_state=seed
    )
    return X_part, y_part


def _run_job(name, estimator, params, X, y, size, subset, seed, test_sets):
    """Fit one estimator on one subset and score it on every test set."""
    X_part, y_part = _subset(X, y, size, subset, seed)
    model = clone(estimator).set_params(**params)
    if "random_state" in model.get_params(deep=False):
        model.set_params(random_state=seed)
    start = time.perf_counter()
    model.fit(X_part, y_part)
    fit_seconds = time.perf_counter() - start
    record = {
        "estimator": name,
        "size": int(size),
        "seed": int(seed),
        "subset": subset,
        "params": {k: (v.item() if isinstance(v, np.generic) else v) for k, v in params.items()},
        "fit_seconds": fit_seconds,
        "predict_seconds": 0.0,
    }
    for test_name, (X_test, y_test) in test_sets.items():
        start = time.perf_counter()
        predicted = model.predict(X_test)
        record["predict_seconds"] += time.perf_counter() - start
        record[f"accuracy_{test_name}"] = float(np.mean(predicted == y_test))
    return record


def _is_random(name, estimator, subset, deterministic):
    if subset == "stratified":
        return True
    return name not in deterministic and "random_state" in estimator.get_params(deep=False)


def _job_key(record):
    return (record["estimator"], record["size"], record["seed"])


def training_size_comparison(
    estimators,
    X_train,
    y_train,
    X_test,
    y_test,
    sizes,
    *,
    seeds=(0,),
    subset="first",
    scale_rule=False,
    n_full=None,
    eval_sets=None,
    deterministic=(),
    n_jobs=None,
    previous=None,
    on_result=None,
):
    """Fit each estimator on growing training sets and score it on fixed test sets.

    Parameters
    ----------
    estimators : dict of str to estimator
        Named scikit-learn classifiers, e.g. ``{"network": NielsenMLPClassifier(),
        "SVC": SVC()}``. They are cloned, never changed.
    X_train, y_train : array-like
        The pool the training sets are taken from.
    X_test, y_test : array-like
        The fixed test set, scored as ``accuracy_test``.
    sizes : iterable of int
        Training-set sizes N.
    seeds : iterable of int, default=(0,)
        Each seed sets ``random_state`` of the estimators that have one and
        draws the stratified sample. On the first N examples, estimators
        without ``random_state`` (or named in ``deterministic``) give the
        same result for every seed and run once.
    subset : {'first', 'stratified'}, default='first'
        The first N examples (as the book) or a stratified random sample.
    scale_rule : bool, default=False
        Apply the book's rule (:func:`scaled_params`): the estimators' epochs
        and λ are settings for ``n_full`` examples, scaled for each N.
    n_full : int, optional
        Size the settings are for; default ``len(y_train)``.
    eval_sets : dict of str to (X, y), optional
        More fixed sets to score, recorded as ``accuracy_<name>``.
    deterministic : iterable of str, default=()
        Names of estimators whose fit does not depend on ``random_state``
        (``SVC`` without ``probability=True``, say).
    n_jobs : int, optional
        Jobs run in parallel by joblib (its active backend: loky by default,
        or dask/ray under ``joblib.parallel_config``).
    previous : list of dict, optional
        Records of an earlier, interrupted run: their jobs are not run again
        and they are part of the result.
    on_result : callable, optional
        Called with ``(record, done, total)`` as each job finishes, to report
        progress or save partial results.

    Returns
    -------
    records : list of dict
        One per (estimator, size, seed): ``estimator``, ``size``, ``seed``,
        ``subset``, ``params`` (what the scaling rule set), ``fit_seconds``,
        ``predict_seconds`` and ``accuracy_test`` (plus one accuracy per
        ``eval_sets`` entry). See :func:`summarize` for means and spreads.

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.datasets import load_digits_split
    >>> d = load_digits_split()
    >>> records = training_size_comparison(
    ...     {"network": NielsenMLPClassifier(epochs=10), "SVC": SVC()},
    ...     d.X_train, d.y_train, d.X_test, d.y_test, sizes=[100, 400], seeds=[0, 1])
    >>> sorted({(r["estimator"], r["size"]) for r in records})
    [('SVC', 100), ('SVC', 400), ('network', 100), ('network', 400)]
    """
    if subset not in SUBSETS:
        raise ValueError(f"subset must be one of {SUBSETS}; got {subset!r}.")
    X_train, y_train = np.asarray(X_train), np.asarray(y_train)
    n_full = len(y_train) if n_full is None else int(n_full)
    sizes = sorted({int(s) for s in sizes})
    if not sizes or sizes[0] < 1 or sizes[-1] > len(y_train):
        raise ValueError(
            f"sizes must lie between 1 and the {len(y_train)} training examples; got {sizes}."
        )
    seeds = [int(s) for s in seeds]
    test_sets = {"test": (np.asarray(X_test), np.asarray(y_test))}
    for name, (X_eval, y_eval) in (eval_sets or {}).items():
        test_sets[name] = (np.asarray(X_eval), np.asarray(y_eval))

    records = list(previous or [])
    done_keys = {_job_key(r) for r in records}
    jobs = []
    for size in sizes:
        for name, estimator in estimators.items():
            params = scaled_params(estimator, size, n_full) if scale_rule else {}
            random = _is_random(name, estimator, subset, set(deterministic))
            job_seeds = seeds if random else seeds[:1]
            for seed in job_seeds:
                if (name, size, seed) in done_keys:
                    continue
                jobs.append(
                    delayed(_run_job)(
                        name, estimator, params, X_train, y_train, size, subset, seed, test_sets
                    )
                )
    total = len(jobs) + len(records)
    try:
        results = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(jobs)
        for record in results:
            records.append(record)
            if on_result is not None:
                on_result(record, len(records), total)
    except KeyboardInterrupt:
        warnings.warn(
            f"Comparison interrupted: returning the {len(records)} of {total} jobs "
            "that finished; pass them as previous= to resume.",
            UserWarning,
            stacklevel=2,
        )
    return sorted(records, key=lambda r: (r["estimator"], r["size"], r["seed"]))


def summarize(records, metric="accuracy_test"):
    """Mean and spread of a metric for each (estimator, size).

    Parameters
    ----------
    records : list of dict
        As returned by :func:`training_size_comparison`.
    metric : str, default='accuracy_test'

    Returns
    -------
    rows : list of dict
        ``estimator``, ``size``, ``n_seeds``, ``mean``, ``std``, ``min``,
        ``max``, ``fit_seconds`` and ``predict_seconds`` (means), sorted by
        estimator and size.
    """
    groups = defaultdict(list)
    for record in records:
        if metric in record:
            groups[(record["estimator"], record["size"])].append(record)
    rows = []
    for (name, size), group in sorted(groups.items()):
        values = np.array([r[metric] for r in group])
        rows.append(
            {
                "estimator": name,
                "size": size,
                "n_seeds": len(group),
                "mean": float(values.mean()),
                "std": float(values.std()),
                "min": float(values.min()),
                "max": float(values.max()),
                "fit_seconds": float(np.mean([r["fit_seconds"] for r in group])),
                "predict_seconds": float(np.mean([r["predict_seconds"] for r in group])),
            }
        )
    return rows


def crossover_statements(summary):
    """Sentences in the book's manner comparing estimators across sizes.

    For each ordered pair (A, B): the smallest size at which A reaches B's
    accuracy at B's largest size ("network at 5,000 (93.2%) matches SVC at
    50,000 (94.5%)"), or that it never does; and every size where the lead
    changes hands.

    Parameters
    ----------
    summary : list of dict
        As returned by :func:`summarize`.

    Returns
    -------
    statements : list of str
    """
    by_name = defaultdict(dict)
    for row in summary:
        by_name[row["estimator"]][row["size"]] = row["mean"]
    names = sorted(by_name)
    statements = []
    for a in names:
        for b in names:
            if a == b:
                continue
            b_size = max(by_name[b])
            b_best = by_name[b][b_size]
            reached = [n for n in sorted(by_name[a]) if by_name[a][n] >= b_best]
            if reached and reached[0] < b_size:
                n = reached[0]
                statements.append(
                    f"{a} at {n:,} examples ({by_name[a][n]:.2%}) already matches "
                    f"{b} at {b_size:,} ({b_best:.2%})."
                )
            elif not reached:
                a_size = max(by_name[a])
                statements.append(
                    f"{b} at {b_size:,} ({b_best:.2%}) beats {a} at every size up to "
                    f"{a_size:,} ({by_name[a][a_size]:.2%})."
                )
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            common = sorted(set(by_name[a]) & set(by_name[b]))
            leader = None
            for n in common:
                current = a if by_name[a][n] > by_name[b][n] else b
                if leader is not None and current != leader:
                    statements.append(
                        f"Crossover: {current} overtakes {(set([a, b]) - {current}).pop()} "
                        f"at {n:,} examples ({by_name[current][n]:.2%} vs "
                        f"{by_name[a if current == b else b][n]:.2%})."
                    )
                leader = current
    return statements
