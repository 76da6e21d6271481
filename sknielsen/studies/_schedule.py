"""The order a study's jobs run in, and which of their predictions are split across workers.

On several workers a study takes at least as long as its longest job, and
at least its jobs' total time shared among the workers. A schedule that
starts the longest jobs first (LPT, longest processing time first) comes
close to both bounds: the short jobs at the end fill the gaps. What it
cannot fill is the end of one long job whose prediction of large test sets
runs on one worker while the others have nothing left; such a prediction
is cut into chunks of rows, predicted on several workers and joined back.
Only scikit-learn's SVMs are split: they compute each row alone, so the
pieces are the whole prediction to the bit (see :func:`predicts_row_by_row`).

The job times are estimated before anything runs: from earlier records of
the same estimator where there are some (a resumed study), and else from a
prior with the estimator's growth: a kernel SVM's fit grows as N² and its
prediction as N (it compares each row with its support vectors), anything
else (the networks) as N times its passes over the data. Only the order and
the split depend on the estimates: the jobs and their numbers do not.
"""

import heapq
import itertools
from dataclasses import dataclass

import numpy as np
from sklearn.svm import SVC, SVR, NuSVC, NuSVR

__all__ = [
    "MIN_SPLIT_SECONDS",
    "Schedule",
    "chunk_bounds",
    "estimated_seconds",
    "final_step",
    "grown_seconds",
    "makespan",
    "plan_schedule",
    "predicts_row_by_row",
    "prior_seconds",
]

#: The prior's seconds per unit of work, fitted to the MNIST study's timings
#: (docs/network-vs-svm.md): a kernel SVM's fit per N² · features and its
#: prediction per N · rows · features; any other estimator's fit per N ·
#: passes · features and its prediction per rows · features. Only their
#: ratios matter to the order; earlier records replace them where there are.
KERNEL_FIT, KERNEL_PREDICT = 1e-10, 1.5e-10
OTHER_FIT, OTHER_PREDICT = 3e-9, 3e-9
#: A job's predictions are split only when they take this long: below it, the
#: fitted model's round trip between processes is not repaid.
MIN_SPLIT_SECONDS = 2.0


def final_step(model):
    """The estimator that does the work: a pipeline's last step, or the model itself."""
    return model.steps[-1][1] if hasattr(model, "steps") else model


def prior_seconds(model, size, n_features, n_rows):
    """A guess of one job's fit and prediction seconds, before any of its estimator's runs.

    Parameters
    ----------
    model : estimator
        The configured (unfitted) model; a kernel method is one with a
        ``kernel`` parameter, its passes its ``epochs`` or ``max_iter``.
    size : int
        The training set's size N.
    n_features : int
        Features of each row.
    n_rows : int
        Rows of all the sets it predicts.

    Returns
    -------
    fit, predict : float
        Seconds.
    """
    params = final_step(model).get_params(deep=False)
    if "kernel" in params:
        return (
            KERNEL_FIT * size**2 * n_features,
            KERNEL_PREDICT * size * n_rows * n_features,
        )
    passes = params.get("epochs") or params.get("max_iter") or 1
    return OTHER_FIT * size * passes * n_features, OTHER_PREDICT * n_rows * n_features


def grown_seconds(by_size, size, prior):
    """Seconds of a run at ``size`` from its estimator's finished runs, by size.

    The median of the runs at ``size`` when there are some; else the power
    law through the two largest sizes measured (its exponent clipped to
    [0, 3]); else the prior's curve through the one size measured; else the
    prior.

    Parameters
    ----------
    by_size : dict of int to list of float
        Seconds of the finished runs at each size.
    size : int
        The size of the run to estimate.
    prior : callable
        ``prior(size)``: seconds at a size, before any measurement.

    Returns
    -------
    seconds : float
    """
    if size in by_size:
        return float(np.median(by_size[size]))
    known = sorted((n, float(np.median(ts))) for n, ts in by_size.items())
    if not known:
        return float(prior(size))
    n_large, t_large = known[-1]
    n_small, t_small = known[-2] if len(known) > 1 else (0, 0.0)
    if n_small <= 0 or t_small <= 0 or t_large <= 0:
        base = prior(n_large)
        return t_large * (prior(size) / base) if base > 0 else t_large
    exponent = np.clip(np.log(t_large / t_small) / np.log(n_large / n_small), 0.0, 3.0)
    return float(t_large * (size / n_large) ** exponent)


def estimated_seconds(jobs, n_features, n_rows, finished=()):
    """Each job's estimated fit and prediction seconds.

    Parameters
    ----------
    jobs : sequence
        Each with ``name`` (the estimator's), ``size`` and ``model``.
    n_features, n_rows : int
        Features of a row; rows of all the sets each model predicts.
    finished : iterable of dict
        Records of finished jobs (``estimator``, ``size``, ``fit_seconds``,
        ``predict_seconds``): they replace the prior of their estimator.

    Returns
    -------
    fit, predict : list of float
        Seconds, one per job.
    """
    measured = {"fit_seconds": {}, "predict_seconds": {}}
    for record in finished:
        for key, by_name in measured.items():
            by_size = by_name.setdefault(record["estimator"], {})
            by_size.setdefault(record["size"], []).append(record[key])
    estimates = {key: [] for key in measured}
    for job in jobs:
        for part, (key, seconds) in enumerate(estimates.items()):
            prior = _prior(job.model, n_features, n_rows, part)
            seconds.append(grown_seconds(measured[key].get(job.name, {}), job.size, prior))
    return estimates["fit_seconds"], estimates["predict_seconds"]


def _prior(model, n_features, n_rows, part):
    """``prior(size)``: the fit's (part 0) or the prediction's (part 1) prior seconds."""
    return lambda size: prior_seconds(model, size, n_features, n_rows)[part]


def makespan(durations, workers):
    """Seconds until ``workers`` have run ``durations`` in order, each by the first one free.

    This is how joblib hands out tasks: the next in line to the next worker free.

    Parameters
    ----------
    durations : iterable of float
        Seconds of each task, in the order they are handed out.
    workers : int
        Workers running at once.

    Returns
    -------
    seconds : float
    """
    free = [0.0] * max(1, workers)  # when each worker is next free, the earliest first
    for seconds in durations:
        heapq.heapreplace(free, free[0] + seconds)
    return max(free)


@dataclass(frozen=True)
class Schedule:
    """How a study's jobs run: in what order, and whose predictions are split.

    Attributes
    ----------
    order : tuple of int
        Indices of the jobs in the order they start.
    split : frozenset of int
        Jobs that only fit in the first phase; their predictions run in the
        second, each set cut into ``chunks`` pieces of rows.
    chunks : int
        Pieces each split set is cut into: one per worker.
    predict_seconds : tuple of float
        Each job's estimated prediction seconds, to order the pieces.
    seconds : float
        The estimated wall time.
    """

    order: tuple
    split: frozenset
    chunks: int
    predict_seconds: tuple
    seconds: float


def predicts_row_by_row(model):
    """Whether pieces of a set get the same responses, to the bit, as the whole set.

    scikit-learn's libsvm machines (``SVC``, ``NuSVC``, ``SVR``, ``NuSVR``)
    compute each row alone. Most other models multiply the rows by their
    weights as one matrix, and BLAS may round a row's sums differently for
    another number of rows (in the last bit), so their predictions are never
    split; they are fast anyway.

    Parameters
    ----------
    model : estimator

    Returns
    -------
    bool
    """
    return isinstance(model, (SVC, NuSVC, SVR, NuSVR))


def plan_schedule(
    fit_seconds, predict_seconds, workers, splittable=None, min_split_seconds=MIN_SPLIT_SECONDS
):
    """Order the jobs longest first, and choose whose predictions to split across the workers.

    One worker runs the jobs in their given order (the smallest sizes first
    tell the time left how each estimator grows; the order changes nothing
    else). Several run them in two phases: every job longest first, each
    fitting and predicting, except the jobs chosen for splitting, which only
    fit; then the split jobs' predictions, cut into one piece per worker, the
    longest first. The jobs split are the k ``splittable`` ones with the
    longest predictions (at least ``min_split_seconds`` each), for the k
    that gives the shortest estimated wall time; none when splitting gains
    nothing.

    Parameters
    ----------
    fit_seconds, predict_seconds : sequence of float
        Each job's estimated seconds, as :func:`estimated_seconds` gives them.
    workers : int
        Jobs run at once.
    splittable : sequence of bool, optional
        Which jobs' predictions may be split (:func:`predicts_row_by_row`);
        by default all.
    min_split_seconds : float, default=MIN_SPLIT_SECONDS
        The shortest prediction worth splitting.

    Returns
    -------
    schedule : Schedule
    """
    n = len(fit_seconds)
    whole = [f + p for f, p in zip(fit_seconds, predict_seconds)]
    if workers < 2:
        return Schedule(tuple(range(n)), frozenset(), 1, tuple(predict_seconds), sum(whole))
    by_prediction = sorted(range(n), key=lambda i: -predict_seconds[i])
    splittable = [True] * n if splittable is None else splittable
    candidates = [
        i for i in by_prediction if splittable[i] and predict_seconds[i] >= min_split_seconds
    ]
    schedules = []
    for k in range(len(candidates) + 1):
        split = frozenset(candidates[:k])
        first = [fit_seconds[i] if i in split else whole[i] for i in range(n)]
        order = tuple(sorted(range(n), key=lambda i: -first[i]))  # stable: ties in plan order
        pieces = [predict_seconds[i] / workers for i in split for _ in range(workers)]
        seconds = makespan((first[i] for i in order), workers) + makespan(
            sorted(pieces, reverse=True), workers
        )
        schedules.append(Schedule(order, split, workers, tuple(predict_seconds), seconds))
    # The fewest splits within 1 % of the best: estimates are not that precise,
    # and each split job's model makes a round trip between processes.
    shortest = min(schedule.seconds for schedule in schedules)
    return next(schedule for schedule in schedules if schedule.seconds <= 1.01 * shortest)


def chunk_bounds(n_rows, pieces):
    """``(start, stop)`` of ``pieces`` runs of rows of nearly equal length covering ``n_rows``.

    Parameters
    ----------
    n_rows : int
        Rows to cut.
    pieces : int
        Pieces wanted; fewer when there are fewer rows.

    Returns
    -------
    bounds : list of (int, int)
    """
    pieces = max(1, min(pieces, n_rows))
    edges = [n_rows * i // pieces for i in range(pieces + 1)]
    return list(itertools.pairwise(edges))
