"""Running the network-versus-SVM study to completion: files, resume, time left, Ctrl-C, dask.

:func:`training_size_comparison` runs the jobs; :func:`run_study` is what a
long study needs around it, and what ``python -m sknielsen compare`` calls:
its results rewritten after every finished job (:class:`StudyOutput`), so
that Ctrl-C keeps them and ``resume`` skips them; the time left of the
whole study after each job; the warnings of thousands of fits summarized
once; and joblib's dask backend on a cluster. Nothing here prints: the
caller is told what happened through callbacks and the returned
:class:`StudyResult`.
"""

import contextlib
import csv
import io
import json
import os
import time
import warnings
import weakref
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.base import clone

from .._core.files import file_path, make_folder
from .._core.names import did_you_mean
from ..utils import check_outputs, write_atomically
from ._comparison import (
    ComparisonInterrupted,
    check_named_estimators,
    check_plan,
    estimate_seconds_left,
    planned_runs,
    scaled_params,
    summarize,
    training_size_comparison,
)
from ._schedule import prior_seconds

#: The book's figure: the network trained on the first N of MNIST's 50,000 images.
BOOK_SIZES = [100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000]
#: The same curve on scikit-learn's 1,198 training digits.
DIGITS_SIZES = [50, 100, 200, 400, 800, 1198]
#: What :func:`book_estimators` builds, by the names the command line uses, and their labels.
ESTIMATOR_LABELS = {
    "network": "network",
    "svc-auto": "SVC(gamma='auto')",
    "svc": "SVC()",
    "mlp": "MLPClassifier",
}


def book_estimators(names, n_full, *, hidden=(30,), initializer="default"):
    """The estimators of the book's figure, by name, labelled as the results name them.

    Parameters
    ----------
    names : sequence of str
        Keys of :data:`ESTIMATOR_LABELS`: ``'network'`` (the book's, with
        its settings for the full training set, which the study's scaling
        rule adapts to each N), ``'svc-auto'`` (the book's SVM,
        ``SVC(gamma='auto')``), ``'svc'`` (``SVC()``) and ``'mlp'``
        (scikit-learn's ``MLPClassifier``).
    n_full : int
        The size of the full training set, for the network's λ.
    hidden : tuple of int, default=(30,)
        The network's hidden layers.
    initializer : str, default='default'
        The network's initializer.

    Returns
    -------
    estimators : dict
        Labels (``"SVC(gamma='auto')"``) mapped to unfitted estimators.

    Raises
    ------
    TypeError
        For one name given as a string instead of a sequence of names, or a
        name that is no str.
    ValueError
        For a name that is not a key of :data:`ESTIMATOR_LABELS`, naming it,
        the nearest one (when one is near) and the known ones.

    Examples
    --------
    >>> from sknielsen.comparison import book_estimators
    >>> estimators = book_estimators(["network", "svc-auto"], n_full=1000, hidden=(10,))
    >>> list(estimators)
    ['network', "SVC(gamma='auto')"]
    >>> network = estimators["network"]
    >>> network.hidden_layer_sizes, network.epochs, network.lmbda
    ((10,), 30, 0.1)
    >>> book_estimators(["network", "knn"], n_full=1000)
    Traceback (most recent call last):
    ...
    ValueError: Unknown estimator 'knn'; choose from network, svc-auto, svc, mlp.
    """
    if isinstance(names, str):  # its letters would be read as names
        raise TypeError(f"names must be a sequence of names, such as [{names!r}]; got {names!r}.")
    names = list(names)
    for name in names:
        if not isinstance(name, str):  # a list among them failed as "unhashable"
            raise TypeError(
                f"Estimators are named by str, such as 'network'; got {name!r:.60} "
                f"({type(name).__name__})."
            )
    unknown = [name for name in names if name not in ESTIMATOR_LABELS]
    if unknown:
        hint = did_you_mean(unknown[0], ESTIMATOR_LABELS)
        raise ValueError(
            f"Unknown estimator {unknown[0]!r}{hint}; choose from {', '.join(ESTIMATOR_LABELS)}."
        )
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import SVC

    from .. import NielsenMLPClassifier

    choices = {
        "network": lambda: NielsenMLPClassifier(
            hidden_layer_sizes=tuple(hidden),
            cost="cross_entropy",
            eta=0.5,
            mini_batch_size=10,
            epochs=30,
            lmbda=0.0001 * n_full,
            initializer=initializer,
        ),
        "svc-auto": lambda: SVC(gamma="auto"),
        "svc": lambda: SVC(),
        "mlp": lambda: MLPClassifier(hidden_layer_sizes=tuple(hidden), max_iter=200),
    }
    return {ESTIMATOR_LABELS[name]: choices[name]() for name in names}


def gamma_note(estimators, X_train):
    """One sentence on why ``SVC(gamma='auto')`` collapses at small N, or None when it did not run.

    Parameters
    ----------
    estimators : dict
        The study's estimators by label.
    X_train : {ndarray, sparse matrix}
        The training inputs, whose variance sets ``SVC()``'s γ (1 where
        they do not vary, as scikit-learn's ``gamma='scale'``).

    Returns
    -------
    note : str or None
        The sentence, or None without ``SVC(gamma='auto')``.

    Examples
    --------
    >>> from sknielsen.comparison import book_estimators, gamma_note
    >>> from sknielsen.datasets import load_digits_split
    >>> X_train = load_digits_split().X_train
    >>> print(gamma_note(book_estimators(["svc-auto", "svc"], len(X_train)), X_train))
    SVC(gamma='auto') takes γ = 1/64 (1/n_features), 7 times smaller than SVC()'s
    1/(n_features·Var X) on these inputs: so wide a kernel, with C = 1, underfits when N is small.
    >>> print(gamma_note(book_estimators(["svc"], len(X_train)), X_train))
    None
    """
    if "SVC(gamma='auto')" not in estimators:
        return None
    n_features = X_train.shape[1]
    # SVC()'s own γ: 1/(n_features·Var X), or 1 for inputs that do not vary; X sparse too.
    if sparse.issparse(X_train):
        variance = float(X_train.multiply(X_train).mean() - X_train.mean() ** 2)
    else:
        variance = float(np.var(X_train))
    ratio = 1.0 / variance if variance != 0 else float(n_features)
    return (
        f"SVC(gamma='auto') takes γ = 1/{n_features} (1/n_features), {ratio:.0f} times "
        "smaller than SVC()'s 1/(n_features·Var X) on these inputs: so wide a kernel, with "
        "C = 1, underfits when N is small."
    )


def time_left_text(seconds):
    """The time left, for a progress line: under 1 s, about 40 s, 3 min, 1 h 20 min.

    Parameters
    ----------
    seconds : float
        The estimated time left.

    Returns
    -------
    text : str
        Such as ``"about 3 min left"``.

    Examples
    --------
    >>> from sknielsen.comparison import time_left_text
    >>> for seconds in (0.4, 42, 200, 4800):
    ...     print(time_left_text(seconds))
    under 1 s left
    about 42 s left
    about 3 min left
    about 1 h 20 min left
    """
    if seconds < 1:
        return "under 1 s left"
    if seconds < 90:
        return f"about {seconds:.0f} s left"
    minutes = round(seconds / 60)
    duration = f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"
    return f"about {duration} left"


@dataclass
class StudyOutput:
    """The files a study writes in its folder, checked when made, and its records so far.

    Parameters
    ----------
    folder : path-like
        Created if missing; holds ``comparison.json`` (rewritten after every
        finished job), ``comparison.csv`` and the figures.
    metadata : dict, optional
        Written at the top of ``comparison.json`` (the command, the data
        set, the sizes, ...).
    records : list of dict, optional
        The records of the finished jobs, written by :meth:`save`: append
        each job's record as it finishes; start it from
        :meth:`read_previous` to resume an earlier run.
    earlier : list of dict, optional
        The records of this study's earlier run, which a run again (not
        resumed) replaces job by job: :meth:`save` writes those whose job
        has not finished again beside ``records``, so that Ctrl-C (or a
        killed process) leaves the whole study, never part of it.
    started : float, optional
        When the study started, by ``time.perf_counter()`` (by default when
        the output is made): ``comparison.json``'s ``seconds`` count from it.

    Raises
    ------
    OSError, ValueError
        When a file could not be written (see
        :func:`sknielsen.utils.check_outputs`), or the folder is held by
        another output, before any work.
    TypeError
        When ``metadata`` holds what JSON cannot (a ``Path``, say), before
        any work.

    Notes
    -----
    The output holds its folder from when it is made until :meth:`close`
    (or the end of a ``with`` block, or of the process): another output of
    the same folder, in this process or another, such as ``python -m
    sknielsen compare``'s, is refused, as two studies would write their
    results into each other's. The hold is a POSIX ``flock`` on the folder,
    which the system releases however the process ends; where there is no
    ``flock`` (Windows) nothing is held. In a notebook, make it in a
    ``with`` block: a cell run again after an error would otherwise find
    the folder held by the earlier output, which the error's traceback
    keeps open (:meth:`release` then frees the folder by name).

    Examples
    --------
    Keep each finished job's record as a study runs, then its summary:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn.svm import SVC
    >>> from sknielsen.comparison import StudyOutput, summarize, training_size_comparison
    >>> from sknielsen.datasets import load_digits_split
    >>> digits = load_digits_split()
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     with StudyOutput(Path(folder) / "study", metadata={"dataset": "digits"}) as output:
    ...         def keep(record, done, total):
    ...             output.records.append(record)
    ...             output.save()  # comparison.json now holds every job finished so far
    ...         records = training_size_comparison(
    ...             {"SVC": SVC()}, digits.X_train, digits.y_train, digits.X_test,
    ...             digits.y_test, sizes=[100, 200], on_result=keep)
    ...         output.write_summary(summarize(records))
    ...         written = sorted(path.name for path in output.folder.iterdir())
    ...         kept = output.read_previous()  # what a resumed study passes as previous=
    >>> written
    ['comparison.csv', 'comparison.json']
    >>> [record["size"] for record in kept]
    [100, 200]
    """

    folder: Path
    metadata: dict = field(default_factory=dict)
    records: list = field(default_factory=list)
    earlier: list = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    def __post_init__(self):
        self.folder = file_path(self.folder, "folder")  # not "" for the working directory
        # The folders made here, deepest first: a refused study removes them again.
        self.created = make_folder(self.folder, "study's output folder")
        self.json_path = self.folder / "comparison.json"
        self.csv_path = self.folder / "comparison.csv"
        self.figure_paths = {
            log: self.folder / f"comparison{'-log' if log else ''}.png" for log in (False, True)
        }
        try:
            # Held before the files are judged: two studies both passed the checks,
            # then wrote each other's results.
            descriptor = _hold_folder(self.folder)
        except BaseException:
            self.remove_unused_folders()
            raise
        # Released by close(), or when the output is collected, as a file is closed.
        self._release = weakref.finalize(self, _release_folder, descriptor)
        self._held_key = _folder_key(descriptor)
        if self._held_key is not None:
            _HELD_HERE[self._held_key] = self
        try:
            check_outputs(self.json_path, self.csv_path, *self.figure_paths.values())
            _check_json(self.metadata)
        except BaseException:
            self.close()
            self.remove_unused_folders()
            raise

    @classmethod
    def release(cls, folder):
        """Release ``folder`` if an output of this process holds it; return whether one did.

        For an output no variable names any more, which the traceback of a
        notebook cell's error keeps open: its folder, by name, as the
        refusal of a new output there says.

        Parameters
        ----------
        folder : path-like
            The study's folder, however its path is spelled.

        Returns
        -------
        released : bool
            False when no output of this process held ``folder`` (another
            process's hold is never released here).
        """
        try:
            descriptor = os.open(folder, os.O_RDONLY)
        except OSError:  # no such folder (or no folder descriptors here): nothing held
            return False
        try:
            output = _HELD_HERE.get(_folder_key(descriptor))
        finally:
            os.close(descriptor)
        if output is None:
            return False
        output.close()
        return True

    def close(self):
        """Release the folder, for another output to write in it; closing again does nothing."""
        if _HELD_HERE.get(self._held_key) is self:
            del _HELD_HERE[self._held_key]
        self._release()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def remove_unused_folders(self):
        """Remove the folders this output made where nothing was written: after a refusal."""
        for folder in self.created:
            with contextlib.suppress(OSError):  # not empty: something was written
                folder.rmdir()

    def read_previous(self):
        """Return the records of an earlier run in this folder, to resume it.

        Returns
        -------
        records : list of dict
            Empty when there is no earlier run.

        Raises
        ------
        ValueError
            When ``comparison.json`` is not a study's results.
        """
        if not self.json_path.exists():
            return []
        try:
            document = json.loads(self.json_path.read_text(encoding="utf-8"))
        except (ValueError, RecursionError) as exc:
            raise ValueError(
                f"{self.json_path} is not a comparison's results ({exc}); remove it or "
                "drop --resume."
            ) from None
        records = document.get("records") if isinstance(document, dict) else None
        if not isinstance(records, list):
            raise ValueError(
                f"{self.json_path} holds no list of records; remove it or drop --resume."
            )
        return records

    def save(self):
        """Rewrite ``comparison.json`` with the records so far and their summary."""
        records = self.records + self.kept_earlier()
        document = {
            **self.metadata,
            "seconds": time.perf_counter() - self.started,
            "records": records,
            "summary": summarize(records, _summarized_metric(records)),
        }
        write_atomically(self.json_path, json.dumps(document, indent=1))

    def kept_earlier(self):
        """The records of ``earlier`` whose job has not finished again in ``records``.

        Returns
        -------
        records : list of dict
            In ``earlier``'s order; empty when every job ran again.
        """
        done = {_job_of(record) for record in self.records}
        return [record for record in self.earlier if _job_of(record) not in done]

    def write_summary(self, summary):
        """Write the per-(estimator, size) summary as ``comparison.csv``.

        Parameters
        ----------
        summary : list of dict
            As :func:`summarize` returns it.

        Raises
        ------
        ValueError
            If ``summary`` is empty.
        """
        if not summary:  # its columns are the rows' keys: an IndexError named nothing
            raise ValueError("The summary is empty: there is no row to write.")
        table = io.StringIO()
        writer = csv.DictWriter(table, fieldnames=list(summary[0]))
        writer.writeheader()
        writer.writerows(summary)
        write_atomically(self.csv_path, table.getvalue())

    def write_figures(self, title):
        """Draw the two figures (linear and logarithmic N) of the records.

        Parameters
        ----------
        title : str
            The figures' title.

        Returns
        -------
        paths : list of Path
            The figures written; none without matplotlib.
        reason : str or None
            Why none were written.
        """
        from ._plotting import plot_training_size_comparison

        try:
            for log, path in self.figure_paths.items():
                plot_training_size_comparison(self.records, path, log=log, title=title)
        except ImportError as exc:  # matplotlib is imported when the first figure is drawn
            return [], str(exc)
        return list(self.figure_paths.values()), None


# The outputs of this process that hold a folder, by its _folder_key: a refusal says
# whether the holder is one of them, which the user can close, or another process.
_HELD_HERE = weakref.WeakValueDictionary()


def _folder_key(descriptor):
    """The folder an open ``descriptor`` is of, however its path was spelled; None for none."""
    if descriptor is None:
        return None
    status = os.fstat(descriptor)
    return status.st_dev, status.st_ino


def _hold_folder(folder):
    """Hold ``folder`` for one output: the descriptor of its ``flock``, or None without one.

    POSIX ``flock`` on the folder itself: the system releases it when the
    process ends, however it ends, and no lock file is left behind. Two
    descriptors of one folder exclude each other in one process too.
    """
    try:
        import fcntl
    except ImportError:  # Windows: nothing is held
        return None
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        held_here = _folder_key(descriptor) in _HELD_HERE
        os.close(descriptor)
        raise ValueError(_in_use_message(folder, held_here)) from None
    return descriptor


def _in_use_message(folder, held_here):
    """Why ``folder`` is refused, and what to do: whose hold it is decides that."""
    if held_here:
        # A notebook cell run again: its earlier output is still open, named by a
        # variable or kept by the traceback of the cell's failure.
        return (
            f"{folder} is in use by another study of this process: an earlier StudyOutput of "
            "it is still open (a notebook cell run again: named by a variable, or kept by the "
            "traceback of the cell's error). Call its close() first, or "
            f"StudyOutput.release({str(folder)!r}) where no variable names it; make outputs "
            "with `with StudyOutput(...) as output:`, which releases the folder when the "
            "block ends, even on an error; or write to another folder."
        )
    return (
        f"{folder} is in use by another study, not of this process (python -m sknielsen "
        "compare, say): their results would mix; wait for it to finish, or write to another "
        "folder."
    )


def _release_folder(descriptor):
    """Release what :func:`_hold_folder` held: closing the descriptor releases its lock."""
    if descriptor is not None:
        os.close(descriptor)


def _check_json(metadata):
    """Refuse metadata that ``comparison.json`` cannot hold, naming the entry.

    Found only when the first job's record was saved, it ended the study
    and lost that job's work.
    """
    for key, value in metadata.items():
        try:
            json.dumps({key: value})
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"metadata[{key!r}] is {type(value).__name__}, which comparison.json cannot "
                f"hold as JSON ({exc}): give str, numbers, lists or dicts of them."
            ) from None


@dataclass(frozen=True)
class StudyTiming:
    """How close a study's wall time came to the shortest any schedule could reach.

    No schedule of whole jobs ends before its longest job (the critical
    path: fit and predictions on one worker), nor before the workers have
    shared all the jobs' time; ``ratio`` is the wall time over the longer of
    the two (1 is as short as it gets; splitting a job's predictions across
    workers can make it less).

    Attributes
    ----------
    wall_seconds : float
        From the study's start to its last job's end.
    critical_path_seconds : float
        The longest job's fit and prediction seconds.
    longest_job : str
        Which job that was (``"SVC() N=50,000 seed=0"``).
    job_seconds : float
        The fit and prediction seconds of all the jobs run, by the clock (on
        a machine shared with other work, time waiting for a core counts:
        the ratio then judges the schedule, not the machine).
    workers : int
        Jobs run at once.

    Examples
    --------
    Two jobs of 1.5 s and 4.5 s on two workers cannot end before 4.5 s:

    >>> from sknielsen.comparison import StudyTiming
    >>> records = [
    ...     dict(estimator="SVC()", size=100, seed=0, fit_seconds=1.0, predict_seconds=0.5),
    ...     dict(estimator="SVC()", size=200, seed=0, fit_seconds=3.0, predict_seconds=1.5),
    ... ]
    >>> timing = StudyTiming.of(records, wall_seconds=4.8, workers=2)
    >>> timing.longest_job, timing.bound_seconds, round(timing.ratio, 2)
    ('SVC() N=200 seed=0', 4.5, 1.07)
    """

    wall_seconds: float
    critical_path_seconds: float
    longest_job: str
    job_seconds: float
    workers: int

    @classmethod
    def of(cls, records, wall_seconds, workers):
        """The timing of the jobs whose ``records`` are given.

        Parameters
        ----------
        records : list of dict
            The records of the jobs run now (``fit_seconds``,
            ``predict_seconds``, ``estimator``, ``size``, ``seed``).
        wall_seconds : float
            From the study's start to its last job's end.
        workers : int
            Jobs run at once; no more than there are jobs (``--n-jobs 100000``
            for one job ran on one worker).

        Returns
        -------
        timing : StudyTiming or None
            None when no job ran.
        """
        if not records:
            return None
        seconds = [r["fit_seconds"] + r["predict_seconds"] for r in records]
        longest = records[seconds.index(max(seconds))]
        name = f"{longest['estimator']} N={longest['size']:,} seed={longest['seed']}"
        busy = max(1, min(workers, len(records)))
        return cls(wall_seconds, max(seconds), name, sum(seconds), busy)

    @property
    def bound_seconds(self):
        """The longer of the critical path and the job seconds shared by the workers."""
        return max(self.critical_path_seconds, self.job_seconds / self.workers)

    @property
    def ratio(self):
        """The wall time over :attr:`bound_seconds`."""
        return self.wall_seconds / self.bound_seconds

    def as_dict(self):
        """The fields, the bound and the ratio, for the results file.

        Returns
        -------
        timing : dict
            The fields, ``bound_seconds`` and ``ratio``.
        """
        return {**asdict(self), "bound_seconds": self.bound_seconds, "ratio": self.ratio}


@dataclass
class StudyResult:
    """What :func:`run_study` leaves.

    Attributes
    ----------
    records : list of dict
        Every finished job's record, earlier runs' included.
    interrupted : bool
        Ctrl-C ended the study; ``records`` holds the jobs finished before.
    warnings : list of (str, str, int)
        Each distinct warning of the jobs: its category's name, its first
        line and how often it came.
    timing : StudyTiming or None
        The wall time of the jobs run now, against its bounds; None when
        interrupted or when earlier runs had done every job.

    Examples
    --------
    The warnings of every job, each said once with its count:

    >>> import tempfile
    >>> from sklearn.neural_network import MLPClassifier
    >>> from sknielsen.comparison import StudyOutput, run_study
    >>> from sknielsen.datasets import load_digits_split
    >>> split = load_digits_split()
    >>> study = {name: split[name] for name in ("X_train", "y_train", "X_test", "y_test")}
    >>> mlp = MLPClassifier(hidden_layer_sizes=(10,), max_iter=2)
    >>> study.update(estimators={"MLP": mlp}, sizes=[100, 200], seeds=[0])
    >>> with tempfile.TemporaryDirectory() as folder, StudyOutput(folder) as output:
    ...     result = run_study(study, output)
    >>> result.interrupted, len(result.records)
    (False, 2)
    >>> result.warnings
    [('ConvergenceWarning', ...Maximum iterations (2) reached..., 2)]
    >>> result.timing.workers
    1
    """

    records: list
    interrupted: bool = False
    warnings: list = field(default_factory=list)
    timing: StudyTiming = None


def check_backend(backend, scheduler=None):
    """Refuse backend settings that cannot work, before any work.

    Parameters
    ----------
    backend : {'local', 'dask'}
    scheduler : str, optional
        A dask scheduler's address.

    Raises
    ------
    ValueError

    Examples
    --------
    >>> from sknielsen.comparison import check_backend
    >>> check_backend("local")
    >>> check_backend("local", scheduler="tcp://127.0.0.1:8786")
    Traceback (most recent call last):
    ...
    ValueError: --scheduler needs --backend dask.
    """
    _check_backend_name(backend)
    if backend == "local":
        if scheduler is not None:
            raise ValueError("--scheduler needs --backend dask.")
        return
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        raise ValueError(
            '--backend dask needs dask.distributed: pip install "sknielsen[distributed]".'
        ) from None


#: Where a study's jobs may run.
BACKENDS = ("local", "dask")


def _check_backend_name(backend):
    """Refuse a backend that is not one of ``BACKENDS``: any other was taken for dask."""
    if not (isinstance(backend, str) and backend in BACKENDS):
        raise ValueError(f"backend must be one of {list(BACKENDS)}; got {backend!r}.")


def study_workers(backend, n_jobs=None, scheduler=None):
    """How many jobs run at once: joblib's count for ``n_jobs``, or a local dask cluster's.

    An external dask scheduler's workers are unknown: one is assumed.

    Parameters
    ----------
    backend : {'local', 'dask'}
        Where the jobs run.
    n_jobs : int or None
        The ``n_jobs`` of joblib, or the local dask cluster's workers.
    scheduler : str or None
        The address of a running dask scheduler.

    Returns
    -------
    workers : int
        How many jobs run at once.

    Examples
    --------
    >>> from sknielsen.comparison import study_workers
    >>> study_workers("local", n_jobs=2)
    2
    >>> study_workers("dask")  # the local cluster study_backend starts: 2 workers
    2
    >>> study_workers("dask", scheduler="tcp://127.0.0.1:8786")  # a cluster's own: unknown
    1
    """
    from joblib import effective_n_jobs

    _check_backend_name(backend)
    if backend == "dask" and scheduler is None:
        return n_jobs or 2
    return effective_n_jobs(n_jobs) if backend == "local" else 1


@contextlib.contextmanager
def study_backend(backend, n_jobs=None, scheduler=None, report=None):
    """Run a study's jobs on joblib's default backend, or on a dask cluster.

    Parameters
    ----------
    backend : {'local', 'dask'}
        Where the jobs run.
    n_jobs : int or None
        Workers of the local dask cluster started without a ``scheduler``
        (2 by default).
    scheduler : str, optional
        The address of a running dask scheduler; None starts a local cluster.
    report : callable, optional
        ``report(sentence)``: told which cluster runs the jobs.

    Yields
    ------
    None
        While the backend is in place; the cluster closes after.

    Examples
    --------
    ``'local'`` runs the jobs on joblib's default backend; ``'dask'`` would
    start a local dask cluster (or join ``scheduler``) and close it after.

    >>> from sklearn.svm import SVC
    >>> from sknielsen.comparison import study_backend, training_size_comparison
    >>> from sknielsen.datasets import load_digits_split
    >>> d = load_digits_split()
    >>> with study_backend("local"):
    ...     records = training_size_comparison(
    ...         {"SVC": SVC()}, d.X_train, d.y_train, d.X_test, d.y_test, sizes=[100, 200])
    >>> [(record["size"], round(record["accuracy_test"], 3)) for record in records]
    [(100, 0.845), (200, 0.932)]
    """
    _check_backend_name(backend)
    if backend == "local":
        yield
        return
    import joblib
    from dask.distributed import Client, LocalCluster

    report = report or (lambda sentence: None)
    cluster = None
    try:
        if scheduler is None:
            cluster = LocalCluster(
                n_workers=n_jobs or 2, threads_per_worker=1, dashboard_address=None
            )
            report(f"Started a local dask cluster of {len(cluster.workers)} workers.")
        with Client(scheduler or cluster) as client:
            report(f"Running the jobs on the dask cluster at {client.scheduler.address}.")
            with joblib.parallel_backend("dask"):
                yield
    finally:  # Ctrl-C included: no worker processes left behind
        if cluster is not None:
            cluster.close()


def run_study(study, output, *, workers=1, on_result=None):
    """Run a comparison to completion, keeping every finished job in ``output``.

    Each finished job's record is added to ``output`` and the results file
    rewritten, so that Ctrl-C keeps it and a later run given
    ``output.read_previous()`` as ``previous`` skips it. Warnings of the
    jobs are collected and summarized in the result, not interleaved with
    the progress. Run it inside :func:`study_backend` for a dask cluster.

    Parameters
    ----------
    study : dict
        Keyword arguments of :func:`training_size_comparison` (estimators,
        data, sizes, seeds, ``previous``, ...), but ``on_result``.
    output : StudyOutput
        Its ``records`` should hold ``previous``.
    workers : int, default=1
        Jobs run at once (:func:`study_workers`), for the time left.
    on_result : callable, optional
        ``on_result(record, done, total, seconds_left)`` after each job;
        ``seconds_left`` is None when unknown or nothing is left.

    Returns
    -------
    result : StudyResult
        On Ctrl-C ``interrupted`` is set and the results file holds the
        jobs finished before it; when none finished, the file is as it was
        (or absent). Otherwise ``timing`` holds the wall time of
        the jobs run now against its bounds, also written to the results
        file as ``schedule``.

    Examples
    --------
    A study run again in the same folder with a size more runs only the new job:

    >>> import tempfile
    >>> from sklearn.svm import SVC
    >>> from sknielsen.comparison import StudyOutput, run_study
    >>> from sknielsen.datasets import load_digits_split
    >>> d = load_digits_split()
    >>> study = dict(estimators={"SVC()": SVC()}, sizes=[100], seeds=[0], X_train=d.X_train,
    ...              y_train=d.y_train, X_test=d.X_test, y_test=d.y_test)
    >>> def progress(record, done, total, seconds_left):
    ...     print(f"[{done}/{total}] {record['estimator']} N={record['size']}")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     with StudyOutput(folder) as output:
    ...         first = run_study(study, output, on_result=progress)
    ...     with StudyOutput(folder) as output:  # the first has released the folder
    ...         output.records = output.read_previous()
    ...         study.update(sizes=[100, 200], previous=output.records)
    ...         second = run_study(study, output, on_result=progress)
    [1/1] SVC() N=100
    [2/2] SVC() N=200
    >>> [(record["size"], round(record["accuracy_test"], 3)) for record in second.records]
    [(100, 0.845), (200, 0.932)]
    """
    _check_study_keys(study)
    # The plan is made before training_size_comparison checks the study: its
    # arguments are refused here as there (a bare number, a class for an estimator).
    check_named_estimators(study["estimators"])
    sizes, seeds = check_plan(
        study["y_train"],
        study["sizes"],
        # training_size_comparison's own default: a plan of other seeds would never run out.
        study.get("seeds", (0,)),
        study.get("subset", "first"),
    )
    plan = planned_runs(
        study["estimators"],
        sizes,
        seeds,
        subset=study.get("subset", "first"),
        deterministic=study.get("deterministic", ()),
    )

    prior = _run_prior(study)

    def finished(record, done, total):
        output.records.append(record)
        output.save()
        if on_result is not None:
            ran = {_job_of(r) for r in output.records}
            remaining = [run for run in plan if run not in ran]
            seconds = estimate_seconds_left(output.records, remaining, workers, prior)
            on_result(record, done, total, seconds if remaining else None)

    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # The study turns Ctrl-C into this warning; here it ends the run.
        warnings.simplefilter("error", ComparisonInterrupted)
        # The network's own note that Ctrl-C cut its training short says nothing more.
        warnings.filterwarnings("ignore", "Training interrupted", UserWarning)
        try:
            records = training_size_comparison(**study, on_result=finished)
        except ComparisonInterrupted:
            # Each finished job was saved as it finished. With none, the file is left as
            # it was: it may hold the results, complete, of this study's earlier run.
            if len(output.records) > len(study.get("previous") or ()):
                output.save()
            return StudyResult(list(output.records), interrupted=True)
    earlier = {record["fingerprint"] for record in study.get("previous") or ()}
    ran = [record for record in records if record["fingerprint"] not in earlier]
    timing = StudyTiming.of(ran, time.perf_counter() - start, workers)
    if timing is not None:
        output.metadata["schedule"] = timing.as_dict()
    output.records = records
    output.save()
    return StudyResult(records, warnings=_distinct(caught), timing=timing)


def _summarized_metric(records):
    """The test score a results file summarizes: the accuracy, else the first scorer's."""
    scores = [key for key in (records[0] if records else {}) if key.endswith("_test")]
    return "accuracy_test" if not scores or "accuracy_test" in scores else scores[0]


#: The arguments of training_size_comparison that a study must give.
_STUDY_NEEDS = ("estimators", "X_train", "y_train", "X_test", "y_test", "sizes")


def _check_study_keys(study):
    """Refuse a study that lacks an argument, or gives ``on_result``, which is run_study's own.

    Both failed as Python's bare ``KeyError`` or "got multiple values".
    """
    missing = [key for key in _STUDY_NEEDS if key not in study]
    if missing:
        raise TypeError(
            f"The study has no {', '.join(map(repr, missing))}; give every one of "
            f"{', '.join(_STUDY_NEEDS)}."
        )
    if "on_result" in study:
        raise TypeError("Pass on_result to run_study, not in the study: run_study wraps it.")


def _job_of(record):
    """The job a record is the result of: its estimator, training set size and seed."""
    return record["estimator"], record["size"], record["seed"]


def _run_prior(study):
    """``prior(name, size)``: a run's seconds as the study's schedule guesses them, before any."""

    def prior(name, size):  # called once the study has accepted its data
        n_full = study.get("n_full") or len(study["y_train"])
        n_features = np.shape(study["X_train"])[1]
        sets = [study["y_test"], *(y for _, y in (study.get("eval_sets") or {}).values())]
        n_rows = sum(len(y) for y in sets)
        model = study["estimators"][name]
        if study.get("scale_rule"):
            model = clone(model).set_params(**scaled_params(model, size, n_full))
        return sum(prior_seconds(model, size, n_features, n_rows))

    return prior


def _distinct(caught):
    """Each distinct warning once: (category name, first line, count), in order of arrival."""
    counts = {}
    for warning in caught:
        text = str(warning.message)
        key = (warning.category.__name__, text.splitlines()[0] if text else "")
        counts[key] = counts.get(key, 0) + 1
    return [(category, message, count) for (category, message), count in counts.items()]
