"""Figures of the book: accuracy against training-set size, monitoring curves, weights.

Needs matplotlib (``pip install "sknielsen[plot]"``). Every function draws
on a bare matplotlib ``Figure`` of its own (no pyplot: no global state, no
window, it works headless), or, given ``ax=``, into that Axes of a figure of
the user's: one of ``plt.subplots()``'s, which ``plt.show()`` then shows, or a
panel beside others. A figure of several panels (:func:`plot_weights`,
``sknielsen.book.plot_replay``) divides the place of ``ax``, which it hides.

Every function returns the ``Figure``, its own or the one that holds ``ax``,
and, given ``path``, also writes it, all of it (PNG by the file's extension),
without opening a window, atomically as every sknielsen file: never over a
directory, device, FIFO or socket.
"""

import io
import os
import warnings
from collections.abc import Mapping
from numbers import Integral, Real
from pathlib import Path

import numpy as np
from sklearn.base import is_regressor
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .._core.files import check_writable, file_path, write_bytes_atomically
from .._core.params import check_bool, validate_arguments
from ..callbacks import HISTORY_KEYS
from ._comparison import checked_records, no_metric_error, summarize
from ._tuning import EtaSearch, LmbdaSearch

__all__ = [
    "check_figure_path",
    "plot_eta_search",
    "plot_history",
    "plot_lmbda_search",
    "plot_training_size_comparison",
    "plot_weights",
]


NEEDS_MATPLOTLIB = 'Plotting needs matplotlib: pip install "sknielsen[plot]".'


def new_figure(**kwargs):
    # A bare Figure, not pyplot: no global state, no window, works headless.
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(NEEDS_MATPLOTLIB) from None
    return Figure(**kwargs)


def axes_to_draw(ax, path, caller, **figure_kwargs):
    """``(fig, ax)``: the one Axes of a new Figure, or ``ax`` and the Figure that holds it.

    Called once the data are checked, and checks ``path`` before anything is
    drawn: a refused call leaves the user's ``ax`` as it was.
    """
    check_path_given(path)
    if ax is None:
        fig = new_figure(**figure_kwargs)
        return fig, fig.subplots()
    return check_ax(ax, caller), ax


def area_to_divide(ax, path, caller, **figure_kwargs):
    """``(fig, area)``: where a figure of several panels draws them and their title.

    ``area`` is a new Figure (and ``fig`` itself), or a SubFigure in the
    place of ``ax``, which is hidden, as scikit-learn's
    ``PartialDependenceDisplay`` hides the Axes it divides. A SubFigure
    rather than a grid inside ``ax``'s cell: it holds the panels' title
    (a Figure's suptitle) above their own titles, and leaves the user's
    figure title alone. It fills ``ax``'s cell of the grid, the margins
    around ``ax`` too (constrained layout then spaces it as any panel).

    Raises
    ------
    ValueError
        If ``ax`` has no place in a grid to divide (``add_axes``, ``inset_axes``).
    """
    check_path_given(path)
    if ax is None:
        fig = new_figure(**figure_kwargs)
        return fig, fig
    fig = check_ax(ax, caller)
    # Not every matplotlib release gives an Axes made by add_axes a get_subplotspec.
    place = ax.get_subplotspec() if hasattr(ax, "get_subplotspec") else None
    if place is None:
        raise ValueError(
            f"{caller}: ax has no place in a grid to divide into panels (it was made by "
            "add_axes or inset_axes); pass one from plt.subplots() or Figure.add_subplot()."
        )
    ax.set_visible(False)
    # Transparent: the figure's own background shows, as it did around ax's panels.
    return fig, ax.figure.add_subfigure(place, facecolor="none")


def check_path_given(path):
    """Refuse ``path`` (None for none) before drawing: not once ``ax`` is drawn into."""
    if path is not None:
        check_figure_path(path)


def check_ax(ax, caller):
    """The Figure that holds ``ax``, once ``ax`` is known to be an Axes to draw into.

    Raises
    ------
    TypeError
        If ``ax`` is no matplotlib Axes.
    ValueError
        If ``ax`` draws in another projection than a flat one (polar, 3-D,
        a map's), was removed from its figure (or never added), or is hidden.
    """
    try:
        from matplotlib.axes import Axes
    except ImportError:
        raise ImportError(NEEDS_MATPLOTLIB) from None
    if not isinstance(ax, Axes):
        # fig, axes = plt.subplots(1, 2) gives an array of them: the likely slip.
        several = isinstance(ax, (np.ndarray, list, tuple))
        hint = ": pass one of them, such as axes[0]" if several else ""
        raise TypeError(
            f"{caller}: ax must be a matplotlib Axes, as plt.subplots() returns, "
            f"not {type(ax).__name__}{hint}."
        )
    if ax.name != "rectilinear":  # lines of epochs and sizes drawn as angles
        raise ValueError(
            f"{caller}: ax must be a flat Axes, not one of the {ax.name!r} projection; "
            "pass an Axes made without projection=."
        )
    # Drawn into, it would be drawn nowhere. (Where a matplotlib release leaves
    # ax.figure set after ax.remove(), ax is missing from its figure's axes.)
    if not held_by_its_figure(ax):
        raise ValueError(
            f"{caller}: ax was removed from its figure (or never added to it); pass an Axes "
            "that a figure holds."
        )
    if not ax.get_visible():  # plot_weights and plot_replay hide the ax they divide
        raise ValueError(
            f"{caller}: ax is hidden (an earlier plot of panels divided its place, or it was "
            "set invisible): nothing drawn there would be seen; pass another Axes."
        )
    return root_figure(ax)


def check_no_twin(ax, caller):
    """Refuse an ``ax`` that has a twin: an earlier plot_history's accuracies, most often.

    A second twin's ticks would be written over the first's, and its legend
    entries would repeat the first's, in the same colours.
    """
    # matplotlib keeps twins in a class-level Grouper, public in no release.
    twins = getattr(ax, "_twinned_axes", None)
    if ax is None or twins is None or len(twins.get_siblings(ax)) < 2:
        return
    raise ValueError(
        f"{caller}: ax already has a twin axis (an earlier plot_history drew its "
        "accuracies there): draw each history into an Axes of its own, such as those of "
        "plt.subplots(1, 2)."
    )


def held_by_its_figure(ax):
    """Whether ``ax`` is drawn with its figure: one of its axes, or an inset of one of them.

    An inset (``ax.inset_axes``) is its parent's child, not one of the figure's axes.
    """
    if ax.figure is None:
        return False
    pending = list(ax.figure.axes)
    while pending:
        held = pending.pop()
        if held is ax:
            return True
        pending.extend(held.child_axes)
    return False


def root_figure(ax):
    """The Figure that holds ``ax``, through any SubFigure: the one that can be saved."""
    try:
        return ax.get_figure(root=True)  # matplotlib 3.10 and later
    except TypeError:  # before, a SubFigure's .figure was that Figure, a Figure's itself
        return ax.figure.figure


def finish_figure(fig, path):
    if path is not None:
        path = figure_name(path)
        # Rendered in memory, then written as every sknielsen file is: atomically,
        # and never over a directory, device, FIFO or socket.
        image = io.BytesIO()
        fig.savefig(image, format=figure_format(path), dpi=120, bbox_inches="tight")
        write_bytes_atomically(path, image.getvalue())
    return fig


def figure_name(path):
    """``path`` as a str (bytes name a file too), refused by type when it names none."""
    file_path(path)  # an int would be read as an open file descriptor
    return os.fsdecode(path)  # not a Path: "" must stay empty, to be refused as such


def figure_format(path):
    """The image format that ``path``'s suffix names, or None for matplotlib's default.

    Raises
    ------
    ValueError
        For a suffix that matplotlib cannot write, naming ``path`` (matplotlib's
        own error names no file).
    """
    try:  # a bare Figure's canvas, without making a Figure
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        raise ImportError(NEEDS_MATPLOTLIB) from None
    supported = FigureCanvasBase.get_supported_filetypes()
    suffix = Path(path).suffix.lstrip(".").lower()
    if suffix and suffix not in supported:
        raise ValueError(
            f"{path}: unknown image format {suffix!r}; use one of {sorted(supported)}."
        )
    if suffix == "pgf":  # written by a LaTeX program: found now, not after the work
        _check_tex_system(path)
    return suffix or None


def _check_tex_system(path):
    """Refuse a PGF figure where matplotlib's TeX program (``pgf.texsystem``) is missing."""
    import shutil

    import matplotlib

    program = matplotlib.rcParams["pgf.texsystem"]
    if shutil.which(program) is None:
        raise ValueError(
            f"{path}: the 'pgf' format needs {program}, which is not installed here "
            "(matplotlib's rcParams['pgf.texsystem']); write a .pdf or .svg instead, or "
            "install a TeX distribution."
        )


def plot_training_size_comparison(
    records,
    path=None,
    *,
    log=False,
    metric="accuracy_test",
    title=None,
    reference=None,
    ax=None,
):
    """Draw accuracy against training-set size, one line per estimator (the book's figure).

    Parameters
    ----------
    records : list of dict
        From :func:`sknielsen.comparison.training_size_comparison`.
    path : str or path-like, optional
        Where to write the figure; with ``ax``, all of the figure that holds it.
    log : bool, default=False
        Logarithmic size axis (the book's second figure).
    metric : str, default='accuracy_test'
        The records' key to draw, ``<scorer>_<set>``, or a timing,
        ``'fit_seconds'`` or ``'predict_seconds'``.
    title : str, optional
        Title of the figure; ``""`` for none. By default it names the
        metric, and the band of min–max over seeds where one is drawn.
    reference : dict of str to (sizes, accuracies), optional
        Extra dashed lines, e.g. the book's published numbers: (sizes,
        accuracies) with accuracies as fractions, like the records', drawn in
        % as they are, in the order of the sizes. For another metric than
        accuracy, its values as the records hold them.
    ax : matplotlib.axes.Axes, optional
        The Axes to draw into, e.g. ``plt.subplots()``'s; by default a
        Figure of the function's own, which pyplot does not show.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure: a new one, or the one that holds ``ax``.

    Raises
    ------
    TypeError
        If ``records`` is not a list of dict, ``reference`` not a dict, or
        ``ax`` no matplotlib Axes.
    ValueError
        If there is nothing to draw: no records, the rows of
        :func:`~sknielsen.comparison.summarize` instead of the records, no
        record with ``metric``, a record without ``estimator``, ``size``,
        ``fit_seconds`` or ``predict_seconds``, an estimator's name that is
        no str, an accuracy outside [0, 1]; or a reference line with not
        one accuracy per size, no point, values that are not finite,
        accuracies outside [0, 1], or a size that is not positive and
        finite; or if ``ax`` is of another projection than a flat one
        (polar, 3-D), was removed from its figure, or is hidden.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn.svm import SVC
    >>> from sknielsen.comparison import training_size_comparison
    >>> from sknielsen.datasets import load_digits_split
    >>> from sknielsen.plotting import plot_training_size_comparison
    >>> d = load_digits_split()
    >>> estimators = {"SVC()": SVC(), "SVC(gamma='auto')": SVC(gamma="auto")}
    >>> records = training_size_comparison(
    ...     estimators, d.X_train, d.y_train, d.X_test, d.y_test, sizes=[100, 200, 400])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "comparison-log.png"
    ...     fig = plot_training_size_comparison(records, path, log=True, title="Digits")
    ...     written = path.exists()
    >>> written, fig.axes[0].get_xscale(), fig.axes[0].get_title()
    (True, 'log', 'Digits')
    >>> [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    ['SVC()', "SVC(gamma='auto')"]
    """
    check_bool(log, "log")  # "no" drew a log axis
    records = check_records(records, metric)
    summary = summarize(records, metric)
    percent, label, axis_label = metric_labels(metric)
    scale = 100 if percent else 1
    references = check_reference(reference, percent)
    fig, ax = axes_to_draw(ax, path, "plot_training_size_comparison", figsize=(7, 4.5))
    banded = False
    for name in sorted({row["estimator"] for row in summary}):
        rows = [row for row in summary if row["estimator"] == name]
        sizes = np.array([row["size"] for row in rows])
        mean = np.array([row["mean"] for row in rows]) * scale
        low = np.array([row["min"] for row in rows]) * scale
        high = np.array([row["max"] for row in rows]) * scale
        (line,) = ax.plot(sizes, mean, marker="o", label=name)
        if np.any(high > low):
            ax.fill_between(sizes, low, high, color=line.get_color(), alpha=0.2)
            banded = True
    for name, (sizes, values) in references.items():
        ax.plot(sizes, values * scale, linestyle="--", marker="x", label=name)
    if log:
        ax.set_xscale("log")
    ax.set_xlabel("Training set size")
    ax.set_ylabel(axis_label)
    ax.grid(True, alpha=0.3)
    ax.legend()
    if title is None:  # "" is no title: a slide has its own
        # The band is named only where one is drawn: one seed a size draws none.
        band = " (band: min–max over seeds)" if banded else ""
        title = f"{label} as the training set grows{band}"
    ax.set_title(title)
    return finish_figure(fig, path)


#: The records' timings, which a figure may draw too: they are no ``<scorer>_<set>``.
TIMING_LABELS = {"fit_seconds": "Fit time (s)", "predict_seconds": "Prediction time (s)"}


def metric_labels(metric):
    """``(percent, name, axis label)`` of a records' key: how a figure draws and names it.

    An accuracy is drawn in %; other scorers, and the timings, as they are.
    """
    if metric in TIMING_LABELS:  # "fit on the seconds set" split as a score's name
        return False, TIMING_LABELS[metric], TIMING_LABELS[metric]
    scorer, data_set = split_metric(metric)
    percent = scorer == "accuracy"
    name = "Accuracy" if percent else scorer
    return percent, name, f"{name} on the {data_set} set" + (" (%)" if percent else "")


def split_metric(metric):
    """``(scorer, set)`` of a record's key ``<scorer>_<set>``.

    Both may hold underscores (``f1_macro``, an eval set ``val_set``): a
    scikit-learn scorer's name at the start is taken whole, the longest one
    (``accuracy_val_set`` is the accuracy on ``val_set``, drawn in %, not
    ``accuracy_val`` on ``set`` drawn as fractions); else the last
    underscore splits them.
    """
    from sklearn.metrics import get_scorer_names

    known = [name for name in get_scorer_names() if metric.startswith(name + "_")]
    if known:
        scorer = max(known, key=len)
        return scorer, metric[len(scorer) + 1 :]
    scorer, _, data_set = metric.rpartition("_")
    return scorer, data_set


def check_records(records, metric):
    """The records as a list, refused with a clear error when they would draw nothing.

    summarize skips what it cannot use, so without these checks a wrong
    argument draws an empty figure and says nothing.
    """
    # The types, timings and values that summarize averages, checked as it checks them.
    records = checked_records(records, metric)
    if not records:
        raise ValueError("There is nothing to plot: the records are empty.")
    if any("mean" in record and "n_seeds" in record for record in records):
        raise ValueError(
            "plot_training_size_comparison takes the records of training_size_comparison, "
            "not their summary (the rows of summarize): pass the records themselves."
        )
    if not any(metric in record for record in records):
        raise no_metric_error(records, metric)
    if metric_labels(metric)[0]:  # drawn in %: a percentage would be 100 times too high
        for record in records:
            value = record.get(metric, 0.0)
            if not 0 <= value <= 1 and not np.isnan(value):
                raise ValueError(
                    f"The '{metric}' of {record['estimator']} at N={record['size']} is "
                    f"{value:g}: accuracies are fractions in [0, 1], as "
                    "training_size_comparison records them; divide percentages by 100."
                )
    return records


def check_reference(reference, percent):
    """``{name: (sizes, values)}`` as arrays, refused when a line could not be drawn."""
    if reference is None:
        return {}
    if not isinstance(reference, Mapping):
        raise TypeError(
            "reference must be a dict of name to (sizes, accuracies), "
            f"not {type(reference).__name__}."
        )
    what = "accuracies" if percent else "values"
    lines = {}
    for name, pair in reference.items():
        try:
            sizes, values = (np.asarray(part, dtype=float) for part in pair)
        except (TypeError, ValueError):
            sizes = values = None
        if sizes is None or sizes.ndim != 1 or values.ndim != 1:
            # A number or a table is no line: counting its entries would blame their number.
            raise ValueError(
                f"reference {name!r} must be a pair (sizes, {what}) of lists of numbers."
            )
        if sizes.shape != values.shape:
            raise ValueError(
                f"reference {name!r} has {sizes.size} sizes but {values.size} {what}: "
                f"give one per size."
            )
        if not sizes.size:  # a place in the legend with nothing drawn
            raise ValueError(f"reference {name!r} holds no point: give (sizes, {what}).")
        not_finite = values[~np.isfinite(values)]
        if not_finite.size:
            # Left out of the line without a word, as a point never measured.
            raise ValueError(
                f"reference {name!r}: {not_finite[0]:g} is no value to draw; {what} must be "
                "finite numbers: leave out the sizes without one."
            )
        outside = values[(values < 0) | (values > 1)]
        if percent and outside.size:
            # Percentages would be drawn 100 times too high: the records are fractions.
            raise ValueError(
                f"reference {name!r}: accuracies are fractions in [0, 1] like the records', "
                f"not {outside[0]:g}; divide percentages by 100."
            )
        no_size = sizes[~((sizes > 0) & np.isfinite(sizes))]  # NaN too
        if no_size.size:
            # A log axis dropped such a point without a word; no training set has that size.
            raise ValueError(
                f"reference {name!r}: sizes are numbers of training examples, positive; "
                f"got {no_size[0]:g}."
            )
        # Drawn as a line: in the order given, sizes given largest first ran back and forth.
        order = np.argsort(sizes, kind="stable")
        lines[name] = (sizes[order], values[order])
    return lines


def history_of(model_or_history):
    """The history to draw: the dict given, or a fitted model's ``history_``."""
    if isinstance(model_or_history, Mapping):
        unknown = [key for key in model_or_history if key not in HISTORY_KEYS]
        if unknown:  # another library's history (Keras' val_loss), drawn without it
            raise ValueError(
                f"The history has no curve named {', '.join(map(repr, unknown))}; a history_ "
                f"has {', '.join(HISTORY_KEYS)}."
            )
        return model_or_history
    history = getattr(model_or_history, "history_", None)
    if isinstance(history, Mapping):
        return history
    if hasattr(model_or_history, "fit"):
        check_is_fitted(model_or_history)  # an unfitted model: NotFittedError, as sklearn says
    raise TypeError(
        "plot_history takes a fitted NielsenMLPClassifier or its history_ (a dict of lists), "
        f"not {type(model_or_history).__name__}."
    )


def plot_history(model_or_history, path=None, *, ax=None):
    """Draw the book's monitoring graphs: costs and accuracies per epoch.

    Costs are drawn on the left axis and accuracies (in %) on the right one;
    for a regressor, or a history with a score below 0, the right axis is
    R² (which a regressor records under the accuracies' keys), as it is.
    When no cost was monitored, the left axis shows the loss instead: the mean
    mini-batch cost of each epoch, which every fit records. A
    ``history_every_`` is drawn on one axis: its validation accuracies (in %,
    or R²) against the training samples seen.

    Parameters
    ----------
    model_or_history : NielsenMLPClassifier, NielsenMLPRegressor or dict
        A fitted model, or its ``history_``; or its ``history_every_`` (a fit
        with ``monitor_every``), whose validation accuracies are drawn
        against the training samples seen.
    path : str or path-like, optional
        Where to write the figure; with ``ax``, all of the figure that holds it.
    ax : matplotlib.axes.Axes, optional
        The Axes to draw the costs into, e.g. ``plt.subplots()``'s; the
        accuracies go on its twin, ``ax.twinx()`` (a ``history_every_``'s
        on ``ax`` itself). By default a Figure of the function's own, which
        pyplot does not show.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure: a new one, or the one that holds ``ax``.

    Raises
    ------
    NotFittedError
        If the model is not fitted.
    TypeError
        If ``model_or_history`` is neither a model with ``history_`` nor a
        dict, ``path`` no str or path-like, or ``ax`` no matplotlib Axes.
    ValueError
        If the history holds nothing to draw, a key that is no curve of a
        ``history_`` (or of a ``history_every_``), or other than a list of
        numbers under one; a ``history_every_`` whose samples counts and
        accuracies differ in number, or whose counts do not increase; if
        ``path``'s suffix names no image format matplotlib writes; or if
        ``ax`` is of another projection than a flat one (polar, 3-D), was
        removed from its figure, is hidden, or, for a ``history_``, has a
        twin (an earlier plot_history's).
    OSError
        If ``path`` cannot be written: its folder is missing (or a file), or
        it is a directory, device, FIFO or socket.

    Examples
    --------
    The training cost and the validation accuracy of three epochs:

    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.datasets import load_digits_split
    >>> from sknielsen.plotting import plot_history
    >>> d = load_digits_split()
    >>> net = NielsenMLPClassifier(epochs=3, monitor=("training_cost", "validation_accuracy"),
    ...                            random_state=0)
    >>> net = net.fit(d.X_train[:300], d.y_train[:300], X_val=d.X_test, y_val=d.y_test)
    >>> fig = plot_history(net)
    >>> [line.get_label() for ax in fig.axes for line in ax.get_lines()]
    ['training cost', 'validation accuracy']
    >>> [len(line.get_xdata()) for ax in fig.axes for line in ax.get_lines()]
    [3, 3]

    Into one Axes of a figure of one's own (``plt.subplots()``'s, to be shown
    by ``plt.show()``), beside another:

    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(12, 4))
    >>> left, right = fig.subplots(1, 2)
    >>> plot_history(net, ax=left) is fig, len(left.get_lines()), len(right.get_lines())
    (True, 1, 0)

    The validation accuracy that ``monitor_every`` records, against the
    training samples seen:

    >>> net = NielsenMLPClassifier(epochs=2, monitor_every=100, random_state=0)
    >>> net = net.fit(d.X_train[:300], d.y_train[:300], X_val=d.X_test, y_val=d.y_test)
    >>> ax = plot_history(net.history_every_).axes[0]
    >>> ax.get_xlabel(), ax.get_lines()[0].get_xdata().tolist()
    ('Training samples seen', [100.0, 200.0, 300.0, 400.0, 500.0, 600.0])
    """
    if isinstance(model_or_history, Mapping) and "samples" in model_or_history:
        return _plot_history_every(model_or_history, path, ax)
    drawn, r2 = _history_curves(model_or_history)
    fig, cost_ax = axes_to_draw(ax, path, "plot_history", figsize=(7, 4.5))
    check_no_twin(ax, "plot_history")  # after check_ax: a removed ax's twin may linger
    accuracy_ax = cost_ax.twinx()
    # Above ax, as it is drawn: matplotlib (3.11) shows the background of the lowest of
    # twins, ties broken by the figure's order, which has no place for an inset; drawn
    # after it, the twin's background hid an inset's curves.
    accuracy_ax.set_zorder(cost_ax.get_zorder() + 0.01)
    axes = {"cost": cost_ax, "accuracy": accuracy_ax}
    for key, side, style, values in drawn:
        label = key.replace("_", " ")
        scale = 100 if side == "accuracy" and not r2 else 1
        if side == "accuracy" and r2:
            label = label.replace("accuracy", "R²")
        axes[side].plot(
            np.arange(1, values.size + 1),
            values * scale,
            style,
            color="C0" if side == "cost" else "C1",
            label=label,
            marker="o",
            markevery=lone_points(values),
        )
    cost_ax.set_xlabel("Epoch")
    cost_ax.set_ylabel("Cost", color="C0")
    accuracy_ax.set_ylabel("R²" if r2 else "Accuracy (%)", color="C1")
    handles = cost_ax.get_legend_handles_labels()
    more = accuracy_ax.get_legend_handles_labels()
    cost_ax.legend(handles[0] + more[0], handles[1] + more[1], loc="center right")
    return finish_figure(fig, path)


def _history_curves(model_or_history):
    """The epoch history's curves to draw, and whether its scores are R².

    Returns ``[(key, side, style, values), ...]``: each recorded curve with
    its axis ("cost" on the left, "accuracy" on the right) and line style.
    Checked before drawing: a refused history leaves the user's ax as it
    was, no twin.
    """
    history = history_of(model_or_history)
    curves = {key: history_curve(history, key) for key in HISTORY_KEYS}
    scores = np.concatenate([curves["training_accuracy"], curves["validation_accuracy"]])
    estimator = hasattr(model_or_history, "__sklearn_tags__")  # not a dict, nor a stand-in
    r2 = _scores_are_r2(scores, regressor=estimator and is_regressor(model_or_history))
    styles = [
        ("training_cost", "cost", "-"),
        ("validation_cost", "cost", "--"),
        ("training_accuracy", "accuracy", "-"),
        ("validation_accuracy", "accuracy", "--"),
    ]
    if not (curves["training_cost"].size or curves["validation_cost"].size):
        # Without monitor=, the loss is the only cost recorded: draw it rather than nothing.
        styles.insert(0, ("loss", "cost", "-"))
    drawn = [(key, side, style, curves[key]) for key, side, style in styles if curves[key].size]
    check_something_to_draw([values for *_, values in drawn], model_or_history)
    return drawn, r2


def _plot_history_every(history, path, ax):
    """``plot_history`` of a ``history_every_``: validation accuracies against samples seen."""
    unknown = [key for key in history if key not in ("samples", "validation_accuracy")]
    if unknown:
        raise ValueError(
            f"The history has no curve named {', '.join(map(repr, unknown))}; a "
            "history_every_ has samples and validation_accuracy."
        )
    samples = history_curve(history, "samples")
    scores = history_curve(history, "validation_accuracy")
    if len(samples) != len(scores):
        raise ValueError(
            f"The history holds {len(samples)} samples counts and {len(scores)} validation "
            "accuracies: a history_every_ has one of each per record."
        )
    if np.any(np.diff(samples) <= 0):
        raise ValueError("The history's samples counts must increase, as a fit records them.")
    r2 = _scores_are_r2(scores)
    check_something_to_draw([scores] if scores.size else [], history)
    fig, ax = axes_to_draw(ax, path, "plot_history", figsize=(7, 4.5))
    check_no_twin(ax, "plot_history")  # an epoch history's: its x axis counts epochs
    ax.plot(
        samples,
        scores if r2 else scores * 100,
        "--",
        color="C1",
        label="validation R²" if r2 else "validation accuracy",
        marker="o",
        markevery=lone_points(scores),
    )
    ax.set_xlabel("Training samples seen")
    ax.set_ylabel("R²" if r2 else "Accuracy (%)", color="C1")
    ax.legend(loc="lower right")
    return finish_figure(fig, path)


def _scores_are_r2(scores, regressor=False):
    """Whether a history's accuracies are a regressor's R²; percentages are refused.

    A regressor records R² under the accuracies' keys: in %, labelled
    accuracy, it read as a (negative) share of right answers. An accuracy
    below 0 can only be R²; one above 1, a percentage (60 for 60 % was
    drawn as 6000 %).
    """
    if regressor or np.any(scores < 0):
        return True
    finite = scores[np.isfinite(scores)]
    if np.any(finite > 1):
        raise ValueError(
            "The history's accuracies are fractions in [0, 1], as fit records them; got "
            f"{float(np.max(finite)):g}: divide percentages by 100."
        )
    return False


def check_something_to_draw(curves, model_or_history):
    """Refuse a history whose curves to draw hold no finite number, saying why."""
    if any(np.isfinite(values).any() for values in curves):
        return
    if curves:  # an empty figure of NaN and infinities
        raise ValueError(
            "The history holds no finite number to draw: every value is NaN or infinite "
            "(training diverged, or overflowed)."
        )
    if not isinstance(model_or_history, Mapping):
        # Every fit records its loss: the advice to monitor more would not help here.
        raise ValueError(
            "The model's history_ is empty: it was not trained by fit or partial_fit "
            "(a model loaded from the book's network2 format holds none); draw the "
            "history of the fit that trained it."
        )
    raise ValueError("The history is empty: fit with monitor=... or validation data.")


def lone_points(values):
    """Where ``values`` has a finite point with no finite neighbour, for ``markevery``.

    A line joins neighbours only: a single epoch, or a point between NaNs
    (a cost that overflowed), was drawn as nothing without a marker.
    """
    finite = np.isfinite(np.asarray(values, dtype=float))
    before = np.r_[False, finite[:-1]]
    after = np.r_[finite[1:], False]
    return (finite & ~before & ~after).tolist()


def history_curve(history, key):
    """The numbers under ``key`` of a history, as floats (none if the key is missing).

    Raises
    ------
    ValueError
        If they are no list of real numbers (a str, a number, None, a table,
        booleans), naming ``key``.
    """
    values = history.get(key, [])
    try:
        with warnings.catch_warnings():
            # NumPy 1 makes lists of different lengths an array of objects, with a
            # VisibleDeprecationWarning (a UserWarning) before the refusal below.
            warnings.simplefilter("ignore", UserWarning)
            curve = np.asarray(values)
    except ValueError:  # lists of different lengths, in NumPy 2
        curve = None
    # A scalar was drawn as one point, None as NaN; strings failed inside NumPy.
    if curve is None or curve.ndim != 1 or (curve.size and curve.dtype.kind not in "iuf"):
        raise ValueError(
            f"The history's {key!r} must be a list of numbers, one per epoch; got {values!r:.60}."
        )
    return curve.astype(float)


def first_layer_weights(model):
    """The ``(n_inputs, n_hidden)`` weights of a fitted model's first layer."""
    coefs = getattr(model, "coefs_", None)
    if coefs is None:
        if hasattr(model, "fit"):
            check_is_fitted(model)  # an unfitted model: NotFittedError, as sklearn says
        raise TypeError(
            "plot_weights takes a fitted NielsenMLPClassifier (a model with coefs_), "
            f"not {type(model).__name__}."
        )
    weights = np.asarray(coefs[0])
    broken = np.flatnonzero(~np.isfinite(weights).all(axis=0))
    if broken.size:
        # A NaN drew a blank pixel, infinity left the neuron no colour scale: drawn as if
        # they were the network's weights.
        raise ValueError(
            f"The model's first layer's weights hold NaN or infinity (neuron "
            f"{', '.join(map(str, broken[:5]))}): no image shows such weights. Refit the "
            "model (a smaller eta, say)."
        )
    return weights


def check_image_shape(image_shape, n_inputs):
    """``(rows, cols)`` of an input image: ``image_shape``, or a square by default."""
    if image_shape is None:
        side = round(np.sqrt(n_inputs))
        if side * side != n_inputs:
            raise ValueError(
                f"{n_inputs} inputs are not a square image; pass image_shape=(rows, cols)."
            )
        return (side, side)
    image_shape = tuple(image_shape)
    # bool is an int to Python: True was taken for a side of 1, then failed in NumPy.
    if len(image_shape) != 2 or not all(
        isinstance(side, Integral) and not isinstance(side, bool) and side > 0
        for side in image_shape
    ):
        raise ValueError(
            f"image_shape must be (rows, cols), two positive integers, not {image_shape}."
        )
    pixels = image_shape[0] * image_shape[1]
    if pixels != n_inputs:
        raise ValueError(
            f"image_shape={image_shape} holds {pixels} pixels but the model has {n_inputs} "
            f"inputs (n_features_in_): rows × cols must be {n_inputs}."
        )
    return image_shape


@validate_arguments(
    {
        "image_shape": [tuple, list, None],
        "max_neurons": [Interval(Integral, 1, None, closed="left")],
    }
)
def plot_weights(model, path=None, *, image_shape=None, max_neurons=30, ax=None):
    """Draw the first layer's weights as images: what each hidden neuron looks for.

    Parameters
    ----------
    model : NielsenMLPClassifier
        A fitted model whose inputs are images.
    path : str or path-like, optional
        Where to write the figure; with ``ax``, all of the figure that holds it.
    image_shape : tuple of int, optional
        Shape of an input image; default a square (28×28 for MNIST).
    max_neurons : int, default=30
        Most hidden neurons drawn, the first ones.
    ax : matplotlib.axes.Axes, optional
        The Axes whose place the grid of neurons fills, e.g. one of
        ``plt.subplots()``'s: ``ax`` is hidden, and a SubFigure there holds
        the images and their title. By default a Figure of the function's
        own, which pyplot does not show.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure: a new one, or the one that holds ``ax``.

    Raises
    ------
    NotFittedError
        If the model is not fitted.
    TypeError
        If ``model`` has no first-layer weights ``coefs_``, or ``ax`` is no
        matplotlib Axes.
    ValueError
        If ``max_neurons`` is not a positive integer, ``image_shape`` (by
        default a square) does not hold the model's ``n_features_in_`` pixels,
        or the first layer's weights hold NaN or infinity;
        or if ``ax`` is of another projection than a flat one (polar, 3-D),
        was removed from its figure, is hidden, or has no place in a grid to
        divide (``add_axes`` made it).

    Examples
    --------
    The digits are 8×8 images: each of the 12 hidden neurons' 64 weights is one.

    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.datasets import load_digits_split
    >>> from sknielsen.plotting import plot_weights
    >>> d = load_digits_split()
    >>> net = NielsenMLPClassifier(hidden_layer_sizes=(12,), epochs=2, random_state=0)
    >>> fig = plot_weights(net.fit(d.X_train[:300], d.y_train[:300]))
    >>> len(fig.axes), sum(len(ax.get_images()) for ax in fig.axes)
    (20, 12)
    >>> fig.axes[0].get_images()[0].get_array().shape
    (8, 8)
    """
    weights = first_layer_weights(model)
    n_inputs, n_hidden = weights.shape
    image_shape = check_image_shape(image_shape, n_inputs)
    shown = min(n_hidden, max_neurons)
    cols = min(10, shown)
    rows = int(np.ceil(shown / cols))
    fig, area = area_to_divide(ax, path, "plot_weights", figsize=(cols * 1.1, rows * 1.1))
    axes = area.subplots(rows, cols, squeeze=False)
    limit = np.abs(weights[:, :shown]).max()
    for index, neuron_ax in enumerate(axes.ravel()):
        neuron_ax.axis("off")
        if index < shown:
            neuron_ax.imshow(
                weights[:, index].reshape(image_shape), cmap="RdBu_r", vmin=-limit, vmax=limit
            )
    area.suptitle("First-layer weights (red: positive, blue: negative)")
    return finish_figure(fig, path)


# Each search result, the function that returns it and the one that draws it.
SEARCHES = {
    EtaSearch: ("find_eta_threshold", "plot_eta_search"),
    LmbdaSearch: ("search_lmbda", "plot_lmbda_search"),
}


def check_search(result, expected, caller, search):
    """Refuse another result than ``expected``, naming the function that draws it."""
    if isinstance(result, expected):
        return
    hint = ""
    if type(result) in SEARCHES:
        returned_by, drawn_by = SEARCHES[type(result)]
        hint = f": that one, from {returned_by}, is drawn by {drawn_by}"
    raise TypeError(
        f"{caller} takes the {expected.__name__} that {search} returns, "
        f"not {type(result).__name__}{hint}."
    )


def check_trace(result, keys):
    """``result.trace`` as a list of trials that hold ``keys``, refused where drawn wrong.

    A result rebuilt by hand, or from JSON, failed in ``KeyError`` or NumPy's
    words; a step (η, λ) of 0, below or NaN was dropped from the log axis
    without a word, and an empty trace drew an empty figure. The costs of
    a diverged trial, NaN or infinite, are drawn as the search records them.
    """
    trace = result.trace
    if not isinstance(trace, (list, tuple)):
        raise TypeError(
            f"result.trace must be a list of trials (dicts), not {type(trace).__name__}."
        )
    if not trace:
        raise ValueError("result.trace holds no trial: there is nothing to draw.")
    for i, trial in enumerate(trace):
        if not isinstance(trial, Mapping):
            raise TypeError(f"result.trace[{i}] must be a dict, not {type(trial).__name__}.")
        missing = [key for key in keys if key not in trial]
        if missing:
            raise ValueError(
                f"result.trace[{i}] lacks {missing[0]!r}: a trial holds {', '.join(keys)}."
            )
        check_step(trial[keys[0]], f"result.trace[{i}][{keys[0]!r}]")
    return list(trace)


def check_step(value, name):
    """Refuse an η or λ that a log axis cannot draw: no number, or not finite and above 0."""
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 < value < np.inf:
        raise ValueError(
            f"{name} must be a finite number above 0, as the searches try; got {value!r}."
        )


def checked_costs(trial, i):
    """A trial's costs as floats (NaN and infinity kept: a diverged trial's)."""
    costs = trial["costs"]
    try:
        values = np.asarray(costs, dtype=float)
    except (TypeError, ValueError):
        values = None
    if isinstance(costs, (str, bytes)) or values is None or values.ndim != 1:
        raise ValueError(
            f"result.trace[{i}]['costs'] must be a list of numbers, one per epoch; got {costs!r}."
        )
    return values


def checked_scores(trials, percent):
    """The trials' scores as floats: finite, and fractions for an accuracy."""
    scores = []
    for i, trial in enumerate(trials):
        score = trial["score"]
        if isinstance(score, bool) or not isinstance(score, Real) or not np.isfinite(score):
            raise ValueError(f"result.trace[{i}]['score'] must be a finite number; got {score!r}.")
        if percent and not 0 <= score <= 1:
            raise ValueError(
                f"result.trace[{i}]['score'] is an accuracy, a fraction in [0, 1] as "
                f"search_lmbda records it; got {score!r}: divide percentages by 100."
            )
        scores.append(float(score))
    return np.array(scores)


def plot_eta_search(result, path=None, *, ax=None):
    """Draw the training cost of each η that :func:`~sknielsen.tuning.find_eta_threshold` tried.

    Parameters
    ----------
    result : EtaSearch
        What :func:`~sknielsen.tuning.find_eta_threshold` returned.
    path : str or path-like, optional
        Where to write the figure; with ``ax``, all of the figure that holds it.
    ax : matplotlib.axes.Axes, optional
        The Axes to draw into, e.g. ``plt.subplots()``'s; by default a
        Figure of the function's own, which pyplot does not show.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure: a new one, or the one that holds ``ax``.

    Raises
    ------
    TypeError
        If ``result`` is not an :class:`~sknielsen.tuning.EtaSearch`, its
        trace or a trial of it is of another type, or ``ax`` no matplotlib Axes.
    ValueError
        If its trace holds no trial, a trial lacks a key, an η that is
        not a finite number above 0, or costs that are no numbers; or if
        ``ax`` is of another projection than a flat one (polar, 3-D), was
        removed from its figure, or is hidden.

    Examples
    --------
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.datasets import load_digits_split
    >>> from sknielsen.plotting import plot_eta_search
    >>> from sknielsen.tuning import find_eta_threshold, simplify
    >>> d = load_digits_split()
    >>> X, y = simplify(d.X_train, d.y_train, n=200)
    >>> result = find_eta_threshold(NielsenMLPClassifier((10,), random_state=0), X, y, epochs=2)
    >>> ax = plot_eta_search(result).axes[0]
    >>> len(ax.get_lines()) == len(result.trace)
    True
    >>> ax.get_title()
    'Threshold η ≈ ...: use η ≈ ... (dotted: cost did not fall at every epoch)'
    """
    check_search(result, EtaSearch, "plot_eta_search", "find_eta_threshold")
    trace = check_trace(result, ("eta", "costs", "decreasing"))
    curves = [(trial, checked_costs(trial, i)) for i, trial in enumerate(trace)]
    fig, ax = axes_to_draw(ax, path, "plot_eta_search", figsize=(7, 4.5))
    for trial, costs in sorted(curves, key=lambda curve: curve[0]["eta"]):
        ax.plot(
            np.arange(1, costs.size + 1),
            costs,
            "-" if trial["decreasing"] else ":",
            marker="o",
            label=f"η = {trial['eta']:.3g}",
        )
    ax.set_yscale("log")
    ax.set_xlabel("Epoch")
    ax.set_ylabel("Training cost")
    ax.set_title(
        f"Threshold η ≈ {result.threshold:.3g}: use η ≈ {result.recommended:.3g} "
        "(dotted: cost did not fall at every epoch)"
    )
    ax.legend(fontsize="small")
    return finish_figure(fig, path)


def plot_lmbda_search(result, path=None, *, ax=None):
    """Draw the validation score of every λ :func:`~sknielsen.tuning.search_lmbda` tried.

    A classifier's accuracy is drawn in %, a regressor's R² as it is
    (``result.scoring`` says which).

    Parameters
    ----------
    result : LmbdaSearch
        What :func:`~sknielsen.tuning.search_lmbda` returned.
    path : str or path-like, optional
        Where to write the figure; with ``ax``, all of the figure that holds it.
    ax : matplotlib.axes.Axes, optional
        The Axes to draw into, e.g. ``plt.subplots()``'s; by default a
        Figure of the function's own, which pyplot does not show.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure: a new one, or the one that holds ``ax``.

    Raises
    ------
    TypeError
        If ``result`` is not a :class:`~sknielsen.tuning.LmbdaSearch`, its
        trace or a trial of it is of another type, or ``ax`` no matplotlib Axes.
    ValueError
        If its trace holds no trial, a trial lacks a key, a
        λ (or ``best``) that is not a finite number above 0, or a score that
        is not finite (or, for an accuracy, outside [0, 1]); or if ``ax`` is
        of another projection than a flat one (polar, 3-D), was removed from
        its figure, or is hidden.

    Examples
    --------
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.datasets import load_digits_split
    >>> from sknielsen.plotting import plot_lmbda_search
    >>> from sknielsen.tuning import search_lmbda
    >>> digits = load_digits_split()
    >>> net = NielsenMLPClassifier(hidden_layer_sizes=(10,), eta=1.0, epochs=3, random_state=0)
    >>> result = search_lmbda(net, digits.X_train[:300], digits.y_train[:300], refine=1)
    >>> fig = plot_lmbda_search(result)
    >>> fig.axes[0].get_xscale(), fig.axes[0].get_title()
    ('log', 'Best λ ≈ ... (...%)')
    """
    check_search(result, LmbdaSearch, "plot_lmbda_search", "search_lmbda")
    # A regressor's search scores R²: in % and called accuracy, it read as a share.
    percent = result.scoring == "accuracy"
    name = SCORE_NAMES.get(result.scoring, result.scoring)
    trace = check_trace(result, ("lmbda", "score"))
    scores = checked_scores(trace, percent) * (100 if percent else 1)
    check_step(result.best, "result.best")  # the dashed line on the log axis
    lmbdas = np.array([trial["lmbda"] for trial in trace], dtype=float)
    order = np.argsort(lmbdas, kind="stable")
    fig, ax = axes_to_draw(ax, path, "plot_lmbda_search", figsize=(7, 4.5))
    ax.plot(lmbdas[order], scores[order], marker="o")
    ax.axvline(result.best, linestyle="--", color="gray")
    ax.set_xscale("log")
    ax.set_xlabel("λ")
    ax.set_ylabel(f"Validation {name}" + (" (%)" if percent else ""))
    best = f"{result.best_score:.2%}" if percent else f"{name} {result.best_score:.3g}"
    ax.set_title(f"Best λ ≈ {result.best:.3g} ({best})")
    return finish_figure(fig, path)


#: How a figure names a search's scoring.
SCORE_NAMES = {"accuracy": "accuracy", "r2": "R²"}


def check_figure_path(path):
    """Fail before long work if a figure could not be drawn to ``path``.

    Parameters
    ----------
    path : str or path-like
        Where a figure is to be written; its suffix names the format.

    Raises
    ------
    ImportError
        Without matplotlib.
    TypeError
        If ``path`` is no str, bytes or path-like (an int, say).
    ValueError
        For a suffix that matplotlib cannot write.
    NotARegularFileError
        If ``path`` is a directory, device, FIFO or socket (an ``OSError``).
    OSError
        If its folder is missing or cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sknielsen.plotting import check_figure_path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     check_figure_path(Path(folder) / "comparison.svg")  # fine: nothing happens
    ...     for path in ["comparison.jpeg2000", folder]:
    ...         try:
    ...             check_figure_path(path)
    ...         except (ValueError, OSError) as error:
    ...             print(f"{type(error).__name__}: {error}")
    ValueError: comparison.jpeg2000: unknown image format 'jpeg2000'; use one of [...].
    NotARegularFileError: Cannot write ...: it is a directory, not a regular file.
    """
    path = figure_name(path)
    figure_format(path)
    # The same checks as every sknielsen output: a folder or a FIFO would only
    # fail once the long work is done.
    check_writable(path)
