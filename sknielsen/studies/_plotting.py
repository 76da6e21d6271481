"""Figures of the book: accuracy against training-set size, monitoring curves, weights.

Needs matplotlib (``pip install "sknielsen[plot]"``). Every function returns
the matplotlib ``Figure`` and, given ``path``, also writes it (PNG by the
file's extension) without opening a window, atomically as every sknielsen
file: never over a directory, device, FIFO or socket.
"""

import io
from pathlib import Path

import numpy as np

from .._core.files import write_bytes_atomically
from ._comparison import summarize

__all__ = [
    "check_figure_path",
    "plot_eta_search",
    "plot_history",
    "plot_lmbda_search",
    "plot_training_size_comparison",
    "plot_weights",
]


def new_figure(**kwargs):
    # A bare Figure, not pyplot: no global state, no window, works headless.
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("Plotting needs matplotlib: pip install 'sknielsen[plot]'.") from None
    return Figure(**kwargs)


def finish_figure(fig, path):
    if path is not None:
        # Rendered in memory, then written as every sknielsen file is: atomically,
        # and never over a directory, device, FIFO or socket.
        image = io.BytesIO()
        image_format = Path(path).suffix.lstrip(".").lower() or None
        fig.savefig(image, format=image_format, dpi=120, bbox_inches="tight")
        write_bytes_atomically(path, image.getvalue())
    return fig


def plot_training_size_comparison(
    records, path=None, *, log=False, metric="accuracy_test", title=None, reference=None
):
    """Draw accuracy against training-set size, one line per estimator (the book's figure).

    Parameters
    ----------
    records : list of dict
        From :func:`sknielsen.comparison.training_size_comparison`.
    path : str or path-like, optional
        Where to write the figure.
    log : bool, default=False
        Logarithmic size axis (the book's second figure).
    metric : str, default='accuracy_test'
        The records' key to draw, ``<scorer>_<set>``.
    title : str, optional
        Title of the figure.
    reference : dict of str to (sizes, accuracies), optional
        Extra dashed lines, e.g. the book's published numbers.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.

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
    summary = summarize(records, metric)
    scorer, _, data_set = metric.rpartition("_")
    percent = scorer == "accuracy"  # other scorers are plotted as they are
    scale = 100 if percent else 1
    fig = new_figure(figsize=(7, 4.5))
    ax = fig.subplots()
    for name in sorted({row["estimator"] for row in summary}):
        rows = [row for row in summary if row["estimator"] == name]
        sizes = np.array([row["size"] for row in rows])
        mean = np.array([row["mean"] for row in rows]) * scale
        low = np.array([row["min"] for row in rows]) * scale
        high = np.array([row["max"] for row in rows]) * scale
        (line,) = ax.plot(sizes, mean, marker="o", label=name)
        if np.any(high > low):
            ax.fill_between(sizes, low, high, color=line.get_color(), alpha=0.2)
    for name, (sizes, accuracies) in (reference or {}).items():
        ax.plot(sizes, np.asarray(accuracies), linestyle="--", marker="x", label=name)
    if log:
        ax.set_xscale("log")
    ax.set_xlabel("Training set size")
    label = "Accuracy" if percent else scorer
    ax.set_ylabel(f"{label} on the {data_set} set" + (" (%)" if percent else ""))
    ax.grid(True, alpha=0.3)
    ax.legend()
    ax.set_title(title or f"{label} as the training set grows (band: min–max over seeds)")
    return finish_figure(fig, path)


def plot_history(model_or_history, path=None):
    """Draw the book's monitoring graphs: costs and accuracies per epoch.

    Costs are drawn on the left axis and accuracies (in %) on the right one.

    Parameters
    ----------
    model_or_history : NielsenMLPClassifier or dict
        A fitted model, or its ``history_``.
    path : str or path-like, optional
        Where to write the figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.

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
    """
    history = getattr(model_or_history, "history_", model_or_history)
    fig = new_figure(figsize=(7, 4.5))
    cost_ax = fig.subplots()
    accuracy_ax = cost_ax.twinx()
    drawn = False
    for key, ax, style in (
        ("training_cost", cost_ax, "-"),
        ("validation_cost", cost_ax, "--"),
        ("training_accuracy", accuracy_ax, "-"),
        ("validation_accuracy", accuracy_ax, "--"),
    ):
        values = np.asarray(history.get(key, []), dtype=float)
        if values.size:
            scale = 100 if key.endswith("accuracy") else 1
            color = "C0" if key.endswith("cost") else "C1"
            ax.plot(
                np.arange(1, values.size + 1),
                values * scale,
                style,
                color=color,
                label=key.replace("_", " "),
            )
            drawn = True
    if not drawn:
        raise ValueError("The history is empty: fit with monitor=... or validation data.")
    cost_ax.set_xlabel("Epoch")
    cost_ax.set_ylabel("Cost", color="C0")
    accuracy_ax.set_ylabel("Accuracy (%)", color="C1")
    handles = cost_ax.get_legend_handles_labels()
    more = accuracy_ax.get_legend_handles_labels()
    cost_ax.legend(handles[0] + more[0], handles[1] + more[1], loc="center right")
    return finish_figure(fig, path)


def plot_weights(model, path=None, *, image_shape=None, max_neurons=30):
    """Draw the first layer's weights as images: what each hidden neuron looks for.

    Parameters
    ----------
    model : NielsenMLPClassifier
        A fitted model whose inputs are images.
    path : str or path-like, optional
        Where to write the figure.
    image_shape : tuple of int, optional
        Shape of an input image; default a square (28×28 for MNIST).
    max_neurons : int, default=30
        Most hidden neurons drawn, the first ones.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.

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
    weights = np.asarray(model.coefs_[0])
    n_inputs, n_hidden = weights.shape
    if image_shape is None:
        side = round(np.sqrt(n_inputs))
        if side * side != n_inputs:
            raise ValueError(
                f"{n_inputs} inputs are not a square image; pass image_shape=(rows, cols)."
            )
        image_shape = (side, side)
    shown = min(n_hidden, max_neurons)
    cols = min(10, shown)
    rows = int(np.ceil(shown / cols))
    fig = new_figure(figsize=(cols * 1.1, rows * 1.1))
    axes = fig.subplots(rows, cols, squeeze=False)
    limit = np.abs(weights[:, :shown]).max()
    for index, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if index < shown:
            ax.imshow(
                weights[:, index].reshape(image_shape), cmap="RdBu_r", vmin=-limit, vmax=limit
            )
    fig.suptitle("First-layer weights (red: positive, blue: negative)")
    return finish_figure(fig, path)


def plot_eta_search(result, path=None):
    """Draw the training cost of each η that :func:`~sknielsen.tuning.find_eta_threshold` tried.

    Parameters
    ----------
    result : EtaSearch
        What :func:`~sknielsen.tuning.find_eta_threshold` returned.
    path : str or path-like, optional
        Where to write the figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.

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
    fig = new_figure(figsize=(7, 4.5))
    ax = fig.subplots()
    for trial in sorted(result.trace, key=lambda t: t["eta"]):
        costs = np.asarray(trial["costs"], dtype=float)
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


def plot_lmbda_search(result, path=None):
    """Draw the validation accuracy of every λ :func:`~sknielsen.tuning.search_lmbda` tried.

    Parameters
    ----------
    result : LmbdaSearch
        What :func:`~sknielsen.tuning.search_lmbda` returned.
    path : str or path-like, optional
        Where to write the figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.

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
    fig = new_figure(figsize=(7, 4.5))
    ax = fig.subplots()
    trials = sorted(result.trace, key=lambda t: t["lmbda"])
    ax.plot([t["lmbda"] for t in trials], [100 * t["score"] for t in trials], marker="o")
    ax.axvline(result.best, linestyle="--", color="gray")
    ax.set_xscale("log")
    ax.set_xlabel("λ")
    ax.set_ylabel("Validation accuracy (%)")
    ax.set_title(f"Best λ ≈ {result.best:.3g} ({result.best_score:.2%})")
    return finish_figure(fig, path)


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
    ValueError
        For a suffix that matplotlib cannot write.

    Examples
    --------
    >>> from sknielsen.plotting import check_figure_path
    >>> check_figure_path("comparison.svg")
    >>> check_figure_path("comparison.jpeg2000")
    Traceback (most recent call last):
    ...
    ValueError: comparison.jpeg2000: unknown image format 'jpeg2000'; use one of [...].
    """
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("Plotting needs matplotlib: pip install 'sknielsen[plot]'.") from None
    supported = Figure().canvas.get_supported_filetypes()
    suffix = Path(path).suffix.lstrip(".").lower()
    if suffix and suffix not in supported:
        raise ValueError(
            f"{path}: unknown image format {suffix!r}; use one of {sorted(supported)}."
        )
