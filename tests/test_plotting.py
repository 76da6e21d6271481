"""Monitoring and weight figures, written as PNG files."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from sknielsen import NielsenMLPClassifier
from sknielsen.plotting import plot_history, plot_weights

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def model(small_digits):
    X, X_val, y, y_val = small_digits
    net = NielsenMLPClassifier(epochs=3, monitor="all", random_state=0)
    return net.fit(X, y, X_val=X_val, y_val=y_val)


def test_plot_history(model, tmp_path):
    fig = plot_history(model, tmp_path / "history.png")
    assert (tmp_path / "history.png").read_bytes()[:8] == PNG
    cost_ax, accuracy_ax = fig.axes
    assert len(cost_ax.lines) == 2 and len(accuracy_ax.lines) == 2
    np.testing.assert_allclose(
        accuracy_ax.lines[1].get_ydata(), np.array(model.history_["validation_accuracy"]) * 100
    )
    with pytest.raises(ValueError, match="history is empty"):
        plot_history({"training_cost": []})


def test_plot_weights(model, tmp_path):
    fig = plot_weights(model, tmp_path / "weights.png", max_neurons=12)
    assert (tmp_path / "weights.png").read_bytes()[:8] == PNG
    assert sum(1 for ax in fig.axes if ax.images) == 12
    assert fig.axes[0].images[0].get_array().shape == (8, 8)
    with pytest.raises(ValueError, match="not a square image"):
        plot_weights(type("M", (), {"coefs_": [np.zeros((10, 3))]})())


def test_comparison_plot_labels_any_scorer(tmp_path):
    pytest.importorskip("matplotlib")
    from sknielsen.plotting import plot_training_size_comparison

    records = [
        {
            "estimator": "net",
            "size": n,
            "seed": 0,
            "f1_macro_test": f,
            "accuracy_test": a,
            "fit_seconds": 0.1,
            "predict_seconds": 0.01,
        }
        for n, f, a in [(10, 0.5, 0.6), (20, 0.7, 0.8)]
    ]
    fig = plot_training_size_comparison(records, metric="f1_macro_test")
    axis = fig.axes[0]
    assert axis.get_ylabel() == "f1_macro on the test set"
    assert list(axis.lines[0].get_ydata()) == [0.5, 0.7]
    fig = plot_training_size_comparison(records)
    assert fig.axes[0].get_ylabel() == "Accuracy on the test set (%)"
    assert list(fig.axes[0].lines[0].get_ydata()) == [60.0, 80.0]


def comparison_records(sizes=(10, 20), accuracies=(0.85, 0.93)):
    """Two records of one estimator, as training_size_comparison writes them."""
    return [
        {
            "estimator": "net",
            "size": n,
            "seed": 0,
            "accuracy_test": a,
            "fit_seconds": 0.1,
            "predict_seconds": 0.01,
        }
        for n, a in zip(sizes, accuracies)
    ]


def test_comparison_plot_refuses_what_it_cannot_draw():
    from sknielsen.comparison import summarize
    from sknielsen.plotting import plot_training_size_comparison

    records = comparison_records()
    with pytest.raises(ValueError, match="not their summary"):
        plot_training_size_comparison(summarize(records))
    with pytest.raises(ValueError, match="nothing to plot"):
        plot_training_size_comparison([])
    with pytest.raises(ValueError, match=r"'f1_macro_test'.*accuracy_test"):
        plot_training_size_comparison(records, metric="f1_macro_test")
    with pytest.raises(TypeError, match="list of dict"):
        plot_training_size_comparison("records.json")


def test_comparison_plot_scales_the_reference_like_the_records():
    from sknielsen.plotting import plot_training_size_comparison

    reference = {"book": ([10, 20], [0.8, 0.9])}
    fig = plot_training_size_comparison(comparison_records(), reference=reference)
    measured, book = fig.axes[0].lines
    np.testing.assert_allclose(measured.get_ydata(), [85.0, 93.0])
    np.testing.assert_allclose(book.get_ydata(), [80.0, 90.0])
    with pytest.raises(ValueError, match=r"'book'.*2 sizes but 3 accuracies"):
        plot_training_size_comparison(
            comparison_records(), reference={"book": ([10, 20], [0.8, 0.9, 0.95])}
        )
    with pytest.raises(ValueError, match=r"'book'.*fractions"):
        plot_training_size_comparison(comparison_records(), reference={"book": ([10], [80.0])})


def test_plots_of_a_model_refuse_an_unfitted_one_or_another_object():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        plot_history(NielsenMLPClassifier())
    with pytest.raises(NotFittedError):
        plot_weights(NielsenMLPClassifier())
    with pytest.raises(TypeError, match="history_"):
        plot_history([1, 2, 3])
    with pytest.raises(TypeError, match="coefs_"):
        plot_weights([1, 2, 3])


def test_plot_weights_checks_its_arguments(model):
    with pytest.raises(ValueError, match="max_neurons"):
        plot_weights(model, max_neurons=0)
    with pytest.raises(ValueError, match=r"\(7, 7\).*49.*64"):
        plot_weights(model, image_shape=(7, 7))
    fig = plot_weights(model, image_shape=(4, 16), max_neurons=1)
    assert fig.axes[0].images[0].get_array().shape == (4, 16)
    # True, a bool, was taken for a side of 1, and failed in NumPy's reshape.
    for shape in [(8,), (8, 8, 1), (8.0, 8), (True, 64), (0, 64)]:
        with pytest.raises(ValueError, match=r"image_shape must be \(rows, cols\), two positive"):
            plot_weights(model, image_shape=shape)


def test_search_plots_refuse_the_other_search():
    from sknielsen.plotting import plot_eta_search, plot_lmbda_search
    from sknielsen.tuning import EtaSearch, LmbdaSearch

    eta_search = EtaSearch(
        threshold=1.0, recommended=0.5, trace=[{"eta": 1.0, "costs": [2, 1], "decreasing": True}]
    )
    lmbda_search = LmbdaSearch(best=1.0, best_score=0.9, trace=[{"lmbda": 1.0, "score": 0.9}])
    with pytest.raises(TypeError, match=r"find_eta_threshold.*plot_lmbda_search"):
        plot_eta_search(lmbda_search)
    with pytest.raises(TypeError, match=r"search_lmbda.*plot_eta_search"):
        plot_lmbda_search(eta_search)
    with pytest.raises(
        TypeError, match=r"takes the EtaSearch that find_eta_threshold returns, not dict\.$"
    ):
        plot_eta_search({"threshold": 1.0})
    assert len(plot_eta_search(eta_search).axes[0].lines) == 1
    assert len(plot_lmbda_search(lmbda_search).axes[0].lines) == 2


def test_plot_history_draws_the_loss_when_no_cost_was_monitored(small_digits):
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(epochs=2, random_state=0).fit(X, y)
    fig = plot_history(net)
    (loss_line,) = fig.axes[0].lines
    assert loss_line.get_label() == "loss"
    np.testing.assert_allclose(loss_line.get_ydata(), net.history_["loss"])


def test_check_figure_path_refuses_what_is_not_a_regular_file(tmp_path):
    import os

    from sknielsen.plotting import check_figure_path

    check_figure_path(tmp_path / "figure.png")
    with pytest.raises(OSError, match="directory"):
        check_figure_path(tmp_path)
    fifo = tmp_path / "fifo.png"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="FIFO"):
        check_figure_path(fifo)


@pytest.mark.parametrize(
    "pair", [(10, 0.8), ([[10, 20]], [[0.8, 0.9]]), 10, ([10], [0.8], [1]), (["ten"], [0.8])]
)
def test_a_reference_of_scalars_or_tables_is_refused_as_such(pair):
    from sknielsen.plotting import plot_training_size_comparison

    # Not "has 1 sizes but 1 accuracies: give one per size", which they have.
    with pytest.raises(ValueError, match=r"'book' must be a pair \(sizes, accuracies\) of lists"):
        plot_training_size_comparison(comparison_records(), reference={"book": pair})


def test_a_reference_that_is_no_dict_is_refused_by_type():
    from sknielsen.plotting import plot_training_size_comparison

    with pytest.raises(
        TypeError, match=r"reference must be a dict of name to \(sizes, accuracies\), not list"
    ):
        plot_training_size_comparison(comparison_records(), reference=[([10, 20], [0.8, 0.9])])


def test_a_scorer_of_the_user_s_own_name_is_labelled_by_its_name():
    from sknielsen.plotting import plot_training_size_comparison

    # A scoring dict's own name, none of scikit-learn's: the last underscore splits it.
    records = [{**record, "my_score_test": 0.5} for record in comparison_records()]
    fig = plot_training_size_comparison(records, metric="my_score_test")
    assert fig.axes[0].get_ylabel() == "my_score on the test set"


@pytest.mark.parametrize(
    "module, draw",
    [
        ("matplotlib.axes", lambda model: plot_history(model, ax=object())),
        ("matplotlib.backend_bases", lambda model: plot_history(model, "history.png")),
    ],
    ids=["ax", "path"],
)
def test_a_plot_without_matplotlib_says_how_to_install_it(model, module, draw, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, module, None)  # its import now fails
    with pytest.raises(
        ImportError, match=r'Plotting needs matplotlib: pip install "sknielsen\[plot\]"'
    ):
        draw(model)


def test_records_without_timings_are_refused_naming_the_key():
    from sknielsen.plotting import plot_training_size_comparison

    records = [
        {key: value for key, value in record.items() if key != "fit_seconds"}
        for record in comparison_records()
    ]
    # Not a bare KeyError: 'fit_seconds' from inside summarize.
    with pytest.raises(ValueError, match="A record has no 'fit_seconds'"):
        plot_training_size_comparison(records)


@pytest.mark.parametrize(
    "key, value",
    [("accuracy_test", None), ("accuracy_test", "0.9"), ("size", "100"), ("fit_seconds", True)],
)
def test_records_with_values_that_are_not_numbers_are_refused_naming_the_key(key, value):
    from sknielsen.plotting import plot_training_size_comparison

    records = comparison_records()
    records[1] = {**records[1], key: value}
    # Not "'<' not supported between 'int' and 'str'" or a dtype error from inside NumPy.
    with pytest.raises(ValueError, match=f"A record's '{key}' is .*, not a number"):
        plot_training_size_comparison(records)


@pytest.mark.parametrize("value", [95.0, -0.1])
def test_records_of_accuracies_outside_zero_to_one_are_refused(value):
    from sknielsen.plotting import plot_training_size_comparison

    records = comparison_records()
    records[1] = {**records[1], "accuracy_test": value}
    # A percentage was drawn 100 times too high (9500 %), as the reference lines' were.
    with pytest.raises(ValueError, match=rf"'accuracy_test' of .* is {value:g}.*fraction"):
        plot_training_size_comparison(records)


@pytest.mark.parametrize(
    "history, match",
    [
        ({"loss": "abc"}, r"'loss' must be a list of numbers, one per epoch; got 'abc'"),
        ({"loss": 3.0}, r"'loss' must be a list of numbers, one per epoch; got 3.0"),
        ({"loss": None}, r"'loss' must be a list of numbers, one per epoch; got None"),
        ({"loss": ["a", "b"]}, r"'loss' must be a list of numbers, .*; got \['a', 'b'\]"),
        ({"loss": [[1.0, 2.0], [3.0, 4.0]]}, r"'loss' must be a list of numbers"),
        ({"loss": [[1.0, 2.0], [3.0]]}, r"'loss' must be a list of numbers"),
        ({"loss": [1 + 1j, 2]}, r"'loss' must be a list of numbers"),
        ({"training_accuracy": [True, False]}, r"'training_accuracy' must be a list of num"),
        ({"loss": [1.0], "val_loss": [1.0]}, r"no curve named 'val_loss'; a history_ has loss, "),
        ({}, "history is empty"),
    ],
)
# NumPy 1 warned of the ragged lists it made an array of objects, before the refusal.
@pytest.mark.filterwarnings("error::UserWarning")
def test_plot_history_refuses_a_history_it_cannot_draw(history, match):
    # 3.0 and None were drawn as one point (None as NaN, nothing to see); strings failed
    # inside NumPy ("could not convert string to float"), a table inside matplotlib ("x
    # and y must have same first dimension"), and Keras' 'val_loss' was left out unsaid.
    with pytest.raises(ValueError, match=match):
        plot_history(history)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_plot_history_refuses_another_library_s_model_or_an_unfitted_one():
    from sklearn.exceptions import NotFittedError
    from sklearn.neural_network import MLPClassifier

    from sknielsen import NielsenMLPRegressor

    with pytest.raises(NotFittedError):
        plot_history(NielsenMLPRegressor())
    fitted = MLPClassifier((3,), max_iter=5).fit(np.eye(4), [0, 1, 0, 1])
    with pytest.raises(TypeError, match=r"history_ .*not MLPClassifier"):
        plot_history(fitted)


def test_plot_history_names_a_path_it_cannot_write(model, tmp_path):
    import os

    history = {"loss": [2.0, 1.0]}
    # matplotlib said only "Format 'jpeg2000' is not supported", naming no file.
    with pytest.raises(ValueError, match=r"x.jpeg2000: unknown image format 'jpeg2000'"):
        plot_history(history, tmp_path / "x.jpeg2000")
    # An int failed in pathlib ("expected str, bytes or os.PathLike object, not int").
    with pytest.raises(TypeError, match=r"path must be a str or path-like .*; got int"):
        plot_history(history, 3)
    with pytest.raises(FileNotFoundError, match="path is an empty string: give a name"):
        plot_history(history, "")
    with pytest.raises(FileNotFoundError, match=r"the folder .*missing does not exist"):
        plot_history(history, tmp_path / "missing" / "history.png")
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError, match=r"file is a file, not a folder"):
        plot_history(history, tmp_path / "file" / "history.png")
    assert sorted(os.listdir(tmp_path)) == ["file"]
    # A bytes path, which os.fsencode gives, failed in pathlib too.
    plot_history(model, os.fsencode(tmp_path / "history.png"))
    assert (tmp_path / "history.png").read_bytes()[:8] == PNG


def test_an_accuracy_on_a_set_whose_name_has_underscores_is_drawn_in_percent():
    from sknielsen.plotting import plot_training_size_comparison

    records = [
        {**record, "accuracy_val_set": record["accuracy_test"]} for record in comparison_records()
    ]
    axis = plot_training_size_comparison(records, metric="accuracy_val_set").axes[0]
    assert axis.get_ylabel() == "Accuracy on the val_set set (%)"
    np.testing.assert_allclose(axis.lines[0].get_ydata(), [85.0, 93.0])
    records = [{**record, "f1_macro_val_set": 0.5} for record in comparison_records()]
    axis = plot_training_size_comparison(records, metric="f1_macro_val_set").axes[0]
    assert axis.get_ylabel() == "f1_macro on the val_set set"


def test_plot_history_of_a_regressor_draws_r2_not_an_accuracy_in_percent(small_digits):
    from sknielsen import NielsenMLPRegressor

    X, X_val, y, y_val = small_digits
    net = NielsenMLPRegressor(epochs=2, monitor="all", random_state=0)
    net.fit(X, y.astype(float), X_val=X_val, y_val=y_val.astype(float))
    _, score_ax = plot_history(net).axes
    assert score_ax.get_ylabel() == "R²"
    assert [line.get_label() for line in score_ax.lines] == ["training R²", "validation R²"]
    np.testing.assert_allclose(score_ax.lines[1].get_ydata(), net.history_["validation_accuracy"])
    # A history alone: an accuracy below 0 can only be an R².
    _, score_ax = plot_history({"validation_accuracy": [-0.5, 0.2]}).axes
    assert score_ax.get_ylabel() == "R²"


def _visible_points(line):
    """Points a line draws: its markers, or every point when it joins them."""
    marked = line.get_marker() not in ("None", None, "", " ")
    every = line.get_markevery()
    if marked:
        return int(np.sum(np.asarray(every, bool))) if every is not None else len(line.get_ydata())
    return 0


@pytest.mark.parametrize("values", [[0.5], [np.nan, 0.5, np.nan, 0.4, 0.3]])
def test_plot_history_marks_points_no_line_joins(values):
    # One epoch (or one between NaNs) was a line of one point: nothing was drawn.
    (line,) = plot_history({"loss": values}).axes[0].lines
    assert _visible_points(line) == 1


@pytest.mark.parametrize(
    "history",
    [{"loss": [np.nan, np.nan]}, {"loss": [1.0], "validation_accuracy": [np.inf, np.nan]}],
)
def test_plot_history_of_no_finite_number_is_refused(history):
    # A diverged fit's history drew an empty figure without a word. One finite point draws.
    if np.isfinite(history["loss"]).any():
        assert plot_history(history).axes
        return
    with pytest.raises(ValueError, match="holds no finite number to draw"):
        plot_history(history)


def test_plot_replay_marks_a_replay_of_one_epoch(tmp_path):
    import json

    from sknielsen.book import load_record, load_replay, plot_replay

    ours = [values[:1] for values in load_record("regularized_full")]
    stored = {"records": {"regularized_full": {"ours": ours, "seconds": 1.0}}}
    (tmp_path / "replay.json").write_text(json.dumps(stored))
    fig = plot_replay(load_replay("regularized_full", tmp_path / "replay.json"))
    ours_lines = [ax.lines[1] for ax in fig.axes if ax.get_visible()]
    assert all(_visible_points(line) == 1 for line in ours_lines)


def test_a_pgf_figure_without_its_tex_program_is_refused_before_the_work(tmp_path, monkeypatch):
    # check_figure_path passed x.pgf; the plot then failed: "'xelatex' not found".
    import shutil

    from sknielsen.plotting import check_figure_path

    monkeypatch.setattr(shutil, "which", lambda program: None)
    with pytest.raises(ValueError, match=r"the 'pgf' format needs \w+latex, which is not"):
        check_figure_path(tmp_path / "figure.pgf")
    monkeypatch.setattr(shutil, "which", lambda program: f"/opt/tex/{program}")
    check_figure_path(tmp_path / "figure.pgf")


def test_plots_refuse_settings_they_would_draw_wrong(tmp_path):
    # log="no" drew a log axis; accuracies in percent were drawn as 5000 %.
    from sknielsen.plotting import plot_history, plot_training_size_comparison

    records = [
        {
            "estimator": "a",
            "size": size,
            "seed": 0,
            "fit_seconds": 1.0,
            "predict_seconds": 0.1,
            "accuracy_test": 0.5,
        }
        for size in (10, 20)
    ]
    with pytest.raises(TypeError, match=r"log must be True or False; got 'no'"):
        plot_training_size_comparison(records, log="no")
    with pytest.raises(ValueError, match=r"fractions in \[0, 1\].*got 60: divide percentages"):
        plot_history({"loss": [1.0, 0.5], "validation_accuracy": [50.0, 60.0]})


def test_plot_lmbda_search_of_a_regressor_draws_r2_not_an_accuracy_in_percent(small_digits):
    from sknielsen import NielsenMLPRegressor
    from sknielsen.plotting import plot_lmbda_search
    from sknielsen.tuning import search_lmbda

    X, X_val, y, y_val = small_digits
    net = NielsenMLPRegressor((5,), eta=0.01, epochs=2, random_state=0)
    result = search_lmbda(net, X, y.astype(float), X_val, y_val.astype(float), refine=0)
    assert result.scoring == "r2"
    ax = plot_lmbda_search(result).axes[0]
    # R² was drawn × 100 as "Validation accuracy (%)", titled "(0.35%)".
    assert ax.get_ylabel() == "Validation R²"
    trials = sorted(result.trace, key=lambda trial: trial["lmbda"])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [trial["score"] for trial in trials])
    assert ax.get_title() == f"Best λ ≈ {result.best:.3g} (R² {result.best_score:.3g})"


def test_comparison_plot_titles_say_what_is_drawn():
    from sknielsen.plotting import plot_training_size_comparison

    # One seed a size draws no band: the title spoke of one all the same.
    ax = plot_training_size_comparison(comparison_records()).axes[0]
    assert ax.get_title() == "Accuracy as the training set grows"
    seeds = [*comparison_records(), {**comparison_records()[0], "seed": 1, "accuracy_test": 0.8}]
    ax = plot_training_size_comparison(seeds).axes[0]
    assert ax.get_title() == "Accuracy as the training set grows (band: min–max over seeds)"
    # title="" asks for none (a slide has its own): it drew the default title.
    assert plot_training_size_comparison(seeds, title="").axes[0].get_title() == ""


def test_a_reference_is_drawn_in_the_order_of_its_sizes():
    from sknielsen.plotting import plot_training_size_comparison

    # Given largest first, the dashed line ran back and forth across the figure.
    reference = {"book": ([20, 10, 15], [0.9, 0.8, 0.85])}
    _, book = plot_training_size_comparison(comparison_records(), reference=reference).axes[0].lines
    np.testing.assert_array_equal(book.get_xdata(), [10, 15, 20])
    np.testing.assert_allclose(book.get_ydata(), [80.0, 85.0, 90.0])


@pytest.mark.parametrize("size", [0, -5, np.nan])
def test_a_reference_at_no_training_set_size_is_refused(size):
    from sknielsen.plotting import plot_training_size_comparison

    # A size of 0 (or below) vanished from a log axis without a word.
    reference = {"book": ([size, 20], [0.8, 0.9])}
    with pytest.raises(ValueError, match=r"reference 'book': sizes are numbers of training ex"):
        plot_training_size_comparison(comparison_records(), log=True, reference=reference)


def test_a_study_s_whole_results_file_is_refused_saying_which_part_to_pass(tmp_path):
    import json

    from sknielsen.plotting import plot_training_size_comparison

    # json.load of the comparison.json a study writes: "not dict", and no word of 'records'.
    saved = {"command": "compare", "records": comparison_records(), "summary": []}
    (tmp_path / "comparison.json").write_text(json.dumps(saved))
    with (tmp_path / "comparison.json").open() as file:
        loaded = json.load(file)
    with pytest.raises(TypeError, match=r"comparison\.json.*pass its \['records'\]"):
        plot_training_size_comparison(loaded)
    assert plot_training_size_comparison(loaded["records"]).axes[0].lines


def test_plot_history_of_a_model_that_holds_no_history_says_why(model, tmp_path):
    from sknielsen import load, save

    save(model, tmp_path / "book.json", format="network2")
    loaded = load(tmp_path / "book.json")
    # "fit with monitor=... or validation data": every fit records the loss; the
    # book's file format keeps no history at all.
    with pytest.raises(ValueError, match=r"model's history_ is empty.*network2.*holds none"):
        plot_history(loaded)


@pytest.mark.parametrize(
    "metric, label", [("fit_seconds", "Fit time (s)"), ("predict_seconds", "Prediction time (s)")]
)
def test_a_comparison_plot_of_the_timings_is_labelled_as_timings(metric, label):
    from sknielsen.plotting import plot_training_size_comparison

    # The SVM's fit time against N, a figure the book's point on cost asks for, was
    # labelled "fit on the seconds set" and titled "fit as the training set grows".
    ax = plot_training_size_comparison(comparison_records(), metric=metric).axes[0]
    assert ax.get_ylabel() == label
    assert ax.get_title() == f"{label} as the training set grows"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [r[metric] for r in comparison_records()])


# Drawing into an Axes the user gives (ax=), as scikit-learn's displays do.


def _eta_search():
    from sknielsen.tuning import EtaSearch

    trace = [{"eta": 1.0, "costs": [2, 1], "decreasing": True}]
    return EtaSearch(threshold=1.0, recommended=0.5, trace=trace)


def _lmbda_search():
    from sknielsen.tuning import LmbdaSearch

    return LmbdaSearch(best=1.0, best_score=0.9, trace=[{"lmbda": 1.0, "score": 0.9}])


def _replay():
    """A replay of two lists, drawn in two panels, without training."""
    from sknielsen.book import Replay, SeriesComparison

    series = (
        SeriesComparison("accuracy", "count", (10, 11), (10, 12)),
        SeriesComparison("cost", "cost", (1.0, 0.5), (1.0, 0.5)),
    )
    return Replay("overfitting", [[1.0, 0.5], [10, 11], [], []], [[], [], [], []], 1.5, series)


def _draw(name, model, *args, **kwargs):
    """Draw the figure ``name`` of a small fitted model or result, passing the rest on."""
    from sknielsen.book import plot_replay
    from sknielsen.plotting import (
        plot_eta_search,
        plot_lmbda_search,
        plot_training_size_comparison,
    )

    drawers = {
        "plot_history": lambda: plot_history(model, *args, **kwargs),
        "plot_training_size_comparison": lambda: plot_training_size_comparison(
            comparison_records(), *args, **kwargs
        ),
        "plot_eta_search": lambda: plot_eta_search(_eta_search(), *args, **kwargs),
        "plot_lmbda_search": lambda: plot_lmbda_search(_lmbda_search(), *args, **kwargs),
        "plot_weights": lambda: plot_weights(model, *args, max_neurons=12, **kwargs),
        "plot_replay": lambda: plot_replay(_replay(), *args, **kwargs),
    }
    return drawers[name]()


ONE_PANEL = ["plot_history", "plot_training_size_comparison", "plot_eta_search"]
ONE_PANEL += ["plot_lmbda_search"]
PANELS = ["plot_weights", "plot_replay"]


def _two_axes():
    from matplotlib.figure import Figure

    return Figure(figsize=(8, 3)).subplots(1, 2)


@pytest.mark.parametrize("name", ONE_PANEL)
def test_a_plot_draws_into_the_axes_given(model, name):
    ax, other = _two_axes()
    fig = _draw(name, model, ax=ax)
    assert fig is ax.figure
    assert ax.lines and not other.lines and not other.images
    # plot_history's accuracies are on a twin of ax, in its place.
    drawn = [axes for axes in fig.axes if axes.lines]
    assert all(axes.get_position().bounds == ax.get_position().bounds for axes in drawn)
    assert len(fig.axes) == 2 + (name == "plot_history")


@pytest.mark.parametrize("name", PANELS)
def test_a_plot_of_panels_divides_the_axes_given(model, name):
    from matplotlib.text import Text

    ax, other = _two_axes()
    ax.figure.suptitle("mine")
    fig = _draw(name, model, ax=ax)
    assert fig is ax.figure
    panels = [axes for axes in fig.axes if axes.lines or axes.images]
    assert len(panels) == (12 if name == "plot_weights" else 2)
    # In ax's cell of the grid, the left half: beside the other Axes, not over it.
    beside = other.get_window_extent().x0
    assert all(
        0 <= panel.get_window_extent().x0 < panel.get_window_extent().x1 <= beside
        for panel in panels
    )
    assert not (other.lines or other.images) and not ax.get_visible()
    # The panels' title is theirs, above them: the user's figure keeps its own.
    assert [text.get_text() for text in fig.texts] == ["mine"]
    titles = [text.get_text() for text in fig.findobj(Text)]
    expected = "First-layer weights" if name == "plot_weights" else "accuracy"
    assert any(title.startswith(expected) for title in titles)


@pytest.mark.parametrize("name", ONE_PANEL + PANELS)
def test_a_plot_into_an_axes_writes_the_whole_figure(model, name, tmp_path):
    ax, other = _two_axes()
    other.plot([0, 1])
    _draw(name, model, tmp_path / "figure.png", ax=ax)
    png = (tmp_path / "figure.png").read_bytes()
    assert png[:8] == PNG
    # 8 inches at 120 dpi, less the margins that bbox_inches="tight" crops; one panel
    # alone is under half of it.
    assert int.from_bytes(png[16:20], "big") > 0.75 * 8 * 120


@pytest.mark.parametrize("name", ["plot_history", "plot_weights"])
def test_a_plot_into_an_axes_of_a_subfigure_returns_and_writes_the_figure(model, name, tmp_path):
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.subfigures(1, 2)[0].subplots()
    assert _draw(name, model, tmp_path / "figure.png", ax=ax) is fig
    assert (tmp_path / "figure.png").read_bytes()[:8] == PNG


@pytest.mark.parametrize("name", ["plot_history", "plot_weights"])
def test_a_plot_into_a_pyplot_axes_is_pyplot_s_to_show(model, name, pyplot):
    # Drawn on a bare Figure only, plot_history(model); plt.show() showed nothing.
    fig, ax = pyplot.subplots()
    assert _draw(name, model, ax=ax) is fig
    assert pyplot.get_fignums() == [fig.number]
    assert any(axes.lines or axes.images for axes in fig.axes)


def _polar_axes():
    from matplotlib.figure import Figure

    return Figure().add_subplot(projection="polar")


def _removed_axes():
    ax, _ = _two_axes()
    ax.remove()
    return ax


def _axes_never_added():
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    return Axes(Figure(), (0.1, 0.1, 0.8, 0.8))  # its figure's, but not among its axes


@pytest.mark.parametrize("name", ONE_PANEL + PANELS)
@pytest.mark.parametrize(
    "make_ax, error, match",
    [
        (lambda: "left", TypeError, r"ax must be a matplotlib Axes.*not str"),
        (lambda: np.array(_two_axes()), TypeError, r"ax must be .*not ndarray: pass one of them"),
        (_polar_axes, ValueError, r"ax must be a flat Axes, not one of the 'polar' projection"),
        (_removed_axes, ValueError, r"ax was removed from its figure"),
        (_axes_never_added, ValueError, r"ax was removed from its figure \(or never added to it\)"),
    ],
    ids=["str", "array", "polar", "removed", "never-added"],
)
def test_a_plot_refuses_what_is_no_axes_to_draw_into(model, name, make_ax, error, match):
    with pytest.raises(error, match=f"{name}: {match}"):
        _draw(name, model, ax=make_ax())


@pytest.mark.parametrize("name", PANELS)
def test_a_plot_of_panels_refuses_an_axes_with_no_place_in_a_grid(model, name):
    from matplotlib.figure import Figure

    ax = Figure().add_axes([0.1, 0.1, 0.8, 0.8])
    with pytest.raises(ValueError, match=f"{name}: ax has no place in a grid.*add_axes"):
        _draw(name, model, ax=ax)
    assert ax.get_visible()


def test_a_refused_plot_leaves_the_axes_given_as_it_was(model):
    # The twin of plot_history's accuracies was added before the history was refused.
    ax, _ = _two_axes()
    with pytest.raises(ValueError, match="history is empty"):
        plot_history({"training_cost": []}, ax=ax)
    with pytest.raises(ValueError, match="not a square image"):
        plot_weights(type("M", (), {"coefs_": [np.zeros((10, 3))]})(), ax=ax)
    assert len(ax.figure.axes) == 2 and ax.get_visible() and not ax.figure.subfigs


@pytest.mark.parametrize("name", ONE_PANEL + PANELS)
@pytest.mark.parametrize(
    "path, error, match",
    [
        ("figure.docx", ValueError, "unknown image format 'docx'"),
        ("missing/figure.png", FileNotFoundError, "the folder .*missing does not exist"),
        (".", OSError, "it is a directory"),
    ],
    ids=["format", "folder", "directory"],
)
def test_a_path_refused_leaves_the_axes_given_as_it_was(model, name, path, error, match, tmp_path):
    # The figure was drawn into ax (plot_history's twin added, a panel's ax hidden and
    # divided), then the path was refused.
    ax, _ = _two_axes()
    with pytest.raises(error, match=match):
        _draw(name, model, tmp_path / path, ax=ax)
    assert len(ax.figure.axes) == 2 and ax.get_visible() and not ax.figure.subfigs
    assert not (ax.lines or ax.images or ax.get_title())


@pytest.mark.parametrize("name", ONE_PANEL + PANELS)
def test_an_inset_axes_is_drawn_into_or_refused_as_one_of_no_grid(model, name):
    # An inset is its parent's child, not among its figure's axes: it was refused as
    # "removed from its figure", and the panels' refusal naming inset_axes never came.
    ax, _ = _two_axes()
    inset = ax.inset_axes([0.5, 0.5, 0.4, 0.4])
    if name in PANELS:
        with pytest.raises(ValueError, match=f"{name}: ax has no place in a grid.*inset_axes"):
            _draw(name, model, ax=inset)
    else:
        assert _draw(name, model, ax=inset) is ax.figure and inset.lines
    if name == "plot_history":  # the twin's background hid the inset's cost curves
        twin = next(axes for axes in ax.figure.axes if axes.get_ylabel() == "Accuracy (%)")
        assert inset.patch.get_visible() and not twin.patch.get_visible()
    inset.remove()
    with pytest.raises(ValueError, match="ax was removed from its figure"):
        _draw(name, model, ax=inset)


def test_plot_history_draws_the_accuracy_monitor_every_records_against_samples_seen(
    small_digits, tmp_path
):
    # history_every_ was refused as "The history has no curve named 'samples'": the book's
    # advice to watch the accuracy within an epoch had no figure.
    X, X_val, y, y_val = small_digits
    net = NielsenMLPClassifier(epochs=2, monitor_every=100, random_state=0)
    net.fit(X, y, X_val=X_val, y_val=y_val)
    fig = plot_history(net.history_every_, tmp_path / "every.png")
    assert (tmp_path / "every.png").read_bytes()[:8] == PNG
    (ax,) = fig.axes
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), net.history_every_["samples"])
    np.testing.assert_allclose(
        line.get_ydata(), np.array(net.history_every_["validation_accuracy"]) * 100
    )
    assert ax.get_xlabel() == "Training samples seen"
    for history, match in [
        ({"samples": [100, 200], "validation_accuracy": [0.5]}, "2 samples counts and 1"),
        ({"samples": [200, 100], "validation_accuracy": [0.5, 0.6]}, "must increase"),
        ({"samples": [], "validation_accuracy": []}, "history is empty"),
        ({"samples": [100], "validation_accuracy": [50.0]}, "divide percentages by 100"),
        ({"samples": [100], "training_cost": [0.5]}, "no curve named 'training_cost'"),
    ]:
        with pytest.raises(ValueError, match=match):
            plot_history(history)


def test_a_plot_refuses_an_axes_it_would_draw_into_unseen_or_over_an_earlier_plot(model):
    # A second plot_history into the same ax stacked a second twin (right-hand ticks over
    # each other, the legend twice); a plot into an ax an earlier plot_weights hid drew
    # nothing anyone could see.
    from matplotlib.figure import Figure

    left, right = Figure().subplots(1, 2)
    plot_history(model, ax=left)
    with pytest.raises(ValueError, match="plot_history: ax already has a twin"):
        plot_history(model, ax=left)
    every = {"samples": [100, 200], "validation_accuracy": [0.5, 0.6]}
    with pytest.raises(ValueError, match="plot_history: ax already has a twin"):
        plot_history(every, ax=left)  # samples seen, drawn over epochs
    plot_weights(model, ax=right)
    for plot in (plot_history, plot_weights):
        with pytest.raises(ValueError, match=f"{plot.__name__}: ax is hidden"):
            plot(model, ax=right)


def _eta_trial(**changes):
    return {"eta": 0.1, "costs": [2.0, 1.0], "decreasing": True, **changes}


def _lmbda_trial(**changes):
    return {"lmbda": 1.0, "score": 0.9, **changes}


@pytest.mark.parametrize(
    ("trace", "message"),
    [
        ([], r"result\.trace holds no trial"),
        (None, r"result\.trace must be a list of trials"),
        ([{"eta": 0.1}], r"result\.trace\[0\] lacks 'costs'"),
        ([_eta_trial(), "trial"], r"result\.trace\[1\] must be a dict"),
        ([_eta_trial(eta=np.nan)], r"result\.trace\[0\]\['eta'\] must be a finite number above 0"),
        ([_eta_trial(eta=0.0)], r"result\.trace\[0\]\['eta'\] must be a finite number above 0"),
        ([_eta_trial(eta="0.1")], r"result\.trace\[0\]\['eta'\] must be a finite number above 0"),
        ([_eta_trial(costs="ab")], r"result\.trace\[0\]\['costs'\] must be a list of numbers"),
    ],
)
def test_plot_eta_search_refuses_a_trace_it_would_draw_wrong(trace, message):
    # A result rebuilt by hand (or from JSON) failed in KeyError: 'costs' or NumPy's
    # "could not convert string to float"; an η of 0 or NaN was dropped from the log
    # axis without a word, and an empty trace drew an empty figure.
    from sknielsen.plotting import plot_eta_search
    from sknielsen.tuning import EtaSearch

    with pytest.raises((TypeError, ValueError), match=message):
        plot_eta_search(EtaSearch(threshold=0.1, recommended=0.05, trace=trace))


@pytest.mark.parametrize(
    ("result", "message"),
    [
        ({"trace": []}, r"result\.trace holds no trial"),
        ({"trace": [{"lmbda": 1.0}]}, r"result\.trace\[0\] lacks 'score'"),
        ({"trace": [_lmbda_trial(lmbda=-1.0)]}, r"\['lmbda'\] must be a finite number above 0"),
        ({"trace": [_lmbda_trial(lmbda="1")]}, r"\['lmbda'\] must be a finite number above 0"),
        ({"trace": [_lmbda_trial(score=np.nan)]}, r"\['score'\] must be a finite number"),
        ({"trace": [_lmbda_trial(score=90.0)]}, r"\['score'\] is an accuracy, a fraction in"),
        ({"best": np.nan}, r"result\.best must be a finite number above 0"),
    ],
)
def test_plot_lmbda_search_refuses_a_result_it_would_draw_wrong(result, message):
    # A λ of -1 or NaN was dropped from the log axis, a string drawn as a category, a score
    # of NaN left out and an accuracy in % drawn at 9000 %, all without a word.
    from sknielsen.plotting import plot_lmbda_search
    from sknielsen.tuning import LmbdaSearch

    fields = {"best": 1.0, "best_score": 0.9, "trace": [_lmbda_trial()], **result}
    with pytest.raises((TypeError, ValueError), match=message):
        plot_lmbda_search(LmbdaSearch(**fields))


def test_search_plots_draw_the_diverged_trials_a_search_records():
    # find_eta_threshold records the costs of a diverged trial as they were: NaN, infinity.
    from sknielsen.plotting import plot_eta_search
    from sknielsen.tuning import EtaSearch

    trace = [_eta_trial(), _eta_trial(eta=10.0, costs=[np.nan, np.inf], decreasing=False)]
    fig = plot_eta_search(EtaSearch(threshold=0.1, recommended=0.05, trace=trace))
    assert len(fig.axes[0].lines) == 2


@pytest.mark.parametrize(
    ("line", "metric", "message"),
    [
        (([10, 20], [0.8, np.nan]), "accuracy_test", r"'book': nan is no value"),
        (([10, 20], [np.nan, 0.9]), "fit_seconds", r"'book': nan is no value"),
        (([10, 20], [np.inf, 0.9]), "fit_seconds", r"'book': inf is no value"),
        (([10, np.inf], [0.8, 0.9]), "accuracy_test", r"sizes are numbers of training ex"),
        (([], []), "accuracy_test", r"reference 'book' holds no point"),
    ],
)
def test_a_reference_line_of_values_it_cannot_draw_is_refused(line, metric, message):
    from sknielsen.plotting import plot_training_size_comparison

    # NaN or infinite values and infinite sizes left a point out without a word, and an
    # empty line took a place in the legend with nothing drawn.
    with pytest.raises(ValueError, match=message):
        plot_training_size_comparison(comparison_records(), metric=metric, reference={"book": line})


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_plot_weights_refuses_weights_that_are_not_finite(model, value):
    # A NaN weight drew a blank pixel, and an infinite one left no colour scale for the
    # neuron: the images were drawn as if they were the network's.
    from sklearn.base import clone

    broken = clone(model)
    broken.__dict__.update({k: v for k, v in model.__dict__.items() if k.endswith("_")})
    broken.coefs_ = [c.copy() for c in model.coefs_]
    broken.coefs_[0][3, 1] = value
    with pytest.raises(ValueError, match=r"first layer's weights hold .*neuron 1"):
        plot_weights(broken)
