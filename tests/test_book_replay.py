"""sknielsen.book: network2's random streams, and replays of the book's records."""

import json
import random
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from mnist_layout import write_mnist_layout

from sknielsen.__main__ import main
from sknielsen.datasets import load_mnist
from sknielsen.studies import _book as book

MNIST_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"
needs_mnist = pytest.mark.skipif(
    not MNIST_DIR.is_dir(), reason=f"the MNIST IDX files are not in {MNIST_DIR}"
)


def test_shuffle_is_python_27s():
    # random.Random(0) draws 0.844, 0.758, 0.421, 0.259: j = int(u * (i + 1)) for
    # i = 4, 3, 2, 1 gives j = 4, 3, 1, 0, so only the last two swaps move items.
    items = [0, 1, 2, 3, 4]
    book.BookRandom(0).shuffle(items)
    assert items == [2, 0, 1, 3, 4]
    draws = random.Random(0)
    assert [int(draws.random() * k) for k in (5, 4, 3, 2)] == [4, 3, 1, 0]


def test_shuffles_carry_on_from_one_stream():
    streams, items = book.BookRandom(7), list(range(20))
    streams.shuffle(items)
    first = list(items)
    streams.shuffle(items)
    assert sorted(items) == list(range(20)) and items != first


@pytest.mark.parametrize("large", [False, True])
def test_weights_are_drawn_in_network2s_order(large):
    # [3, 2, 1]: the biases of both layers (2 + 1 draws), then the weights (2×3, 1×2).
    draws = np.random.RandomState(5).randn(11)
    coefs, intercepts = book.BookRandom(5).initial_weights((3, 2, 1), large=large)
    scale = (1.0, 1.0) if large else (np.sqrt(3), np.sqrt(2))
    np.testing.assert_array_equal(intercepts[0], draws[0:2])
    np.testing.assert_array_equal(intercepts[1], draws[2:3])
    np.testing.assert_array_equal(coefs[0], draws[3:9].reshape(2, 3).T / scale[0])
    np.testing.assert_array_equal(coefs[1], draws[9:11].reshape(1, 2).T / scale[1])


def test_large_weights_after_default_ones_continue_the_stream():
    streams = book.BookRandom(5)
    streams.initial_weights((3, 2, 1))
    coefs, _ = streams.initial_weights((3, 2, 1), large=True)
    draws = np.random.RandomState(5).randn(22)
    np.testing.assert_array_equal(coefs[0], draws[14:20].reshape(2, 3).T)


def test_shuffle_moves_the_rows_of_an_array_whole():
    # Swapping rows of a 2-D array by item assignment swaps views: a row was written over
    # the other and both held the same numbers, the other's lost.
    rows = np.arange(10).reshape(5, 2)
    book.BookRandom(0).shuffle(rows)
    order = [2, 0, 1, 3, 4]  # the order of test_shuffle_is_python_27s, for the same seed
    np.testing.assert_array_equal(rows, np.arange(10).reshape(5, 2)[order])
    vector = np.arange(5)
    book.BookRandom(0).shuffle(vector)
    np.testing.assert_array_equal(vector, order)
    vector.flags.writeable = False
    with pytest.raises(ValueError, match="shuffle shuffles in place; items is read-only"):
        book.BookRandom(0).shuffle(vector)
    np.testing.assert_array_equal(vector, order)


@pytest.mark.parametrize("items", [(0, 1, 2), "abc", range(3), None, 3, np.array(3)])
def test_shuffle_refuses_what_it_cannot_shuffle_in_place(items):
    # A tuple or a str failed in item assignment, None or 3 in len(), naming no argument.
    with pytest.raises(TypeError, match=r"^shuffle shuffles a list \(or an array's rows\) in "):
        book.BookRandom(0).shuffle(items)


@pytest.mark.parametrize(
    ("sizes", "error"),
    [
        ((3,), ValueError),
        ((3, 0), ValueError),
        ((3, -1), ValueError),
        ((3.0, 2), TypeError),
        ((True, 2), TypeError),
        (5, TypeError),
        ("32", TypeError),
    ],
)
def test_initial_weights_refuse_sizes_before_any_draw(sizes, error):
    # They failed inside NumPy's randn ("negative dimensions are not allowed", "'float'
    # object cannot be interpreted as an integer") after the biases had been drawn, so
    # that the stream had moved on; (3,) and (3, 0) drew networks of no weights.
    streams = book.BookRandom(5)
    match = (
        rf"^sizes must be at least two layer sizes, each an int .*; got {re.escape(repr(sizes))}"
    )
    with pytest.raises(error, match=match):
        streams.initial_weights(sizes)
    coefs, _ = streams.initial_weights((3, 2, 1))  # the stream is where it was
    np.testing.assert_array_equal(coefs[0], book.BookRandom(5).initial_weights((3, 2, 1))[0][0])


@pytest.mark.parametrize("large", ["no", 1, None])
def test_initial_weights_refuse_a_large_that_is_no_bool(large):
    # "no", a truthy string, drew large weights; None the default ones.
    with pytest.raises(TypeError, match=f"large must be True or False; got {large!r}"):
        book.BookRandom(5).initial_weights((3, 2), large=large)
    large_ones = book.BookRandom(5).initial_weights((3, 2), large=np.bool_(True))
    np.testing.assert_array_equal(
        large_ones[0][0], np.random.RandomState(5).randn(8)[2:].reshape(2, 3).T
    )


def test_nudged_weights_are_one_ulp_up():
    coefs, intercepts = book.BookRandom(5).initial_weights((3, 2, 1))
    nudged_coefs, nudged_intercepts = book.BookRandom(5, nudge=True).initial_weights((3, 2, 1))
    for exact, nudged in zip(coefs + intercepts, nudged_coefs + nudged_intercepts):
        np.testing.assert_array_equal(nudged, np.nextafter(exact, np.inf))


@pytest.mark.parametrize(
    ("seed", "error", "match"),
    [
        ("12345678", TypeError, "seed must be an integer, as the book's 12345678; got '12345678'"),
        (12345678.0, TypeError, "seed must be an integer, .*; got 12345678.0"),
        (True, TypeError, "seed must be an integer, .*; got True"),
        (None, TypeError, "seed must be an integer, .*; got None"),
        (-1, ValueError, r"seed must be in \[0, 4294967295\] .*; got -1"),
        (2**32, ValueError, r"seed must be in \[0, 4294967295\] .*; got 4294967296"),
    ],
)
def test_book_random_refuses_seeds_that_are_no_integer_numpy_takes(seed, error, match):
    # They failed inside NumPy ("Cannot cast scalar from dtype('<U8') to dtype('int64')",
    # "Seed must be between 0 and 2**32 - 1"); True seeded both streams as 1, and None
    # from the system's entropy, so that nothing replayed.
    with pytest.raises(error, match=match):
        book.BookRandom(seed)


@pytest.mark.parametrize("seed", [np.int64(7), np.uint32(7), np.int8(7)])
def test_book_random_takes_numpy_integers_as_seeds(seed):
    # They failed in random.Random: "The only supported seed types are: None, int, ...".
    streams, items = book.BookRandom(seed), list(range(20))
    streams.shuffle(items)
    expected, same = book.BookRandom(7), list(range(20))
    expected.shuffle(same)
    assert items == same
    np.testing.assert_array_equal(
        streams.initial_weights((3, 2))[0][0], expected.initial_weights((3, 2))[0][0]
    )


@pytest.mark.parametrize("nudge", ["no", 1, None])
def test_book_random_refuses_a_nudge_that_is_no_bool(nudge, tmp_path):
    # "no", a truthy string, nudged every weight.
    with pytest.raises(TypeError, match=f"nudge must be True or False; got {nudge!r}"):
        book.BookRandom(0, nudge=nudge)
    assert book.BookRandom(0, nudge=np.bool_(True)).nudge
    # Refused before MNIST is looked for (or downloaded): tmp_path has none.
    with pytest.raises(TypeError, match="nudge must be True or False"):
        book.replay("regularized", tmp_path, epochs=1, nudge=nudge)


def _write_mnist_like(folder, images):
    """The four IDX files of MNIST's layout, of 60,000 ``images`` and labels 0."""
    write_mnist_layout(folder, (images, np.zeros(60000)), (images[:10000], np.zeros(10000)))


def test_book_scale_of_load_mnist(tmp_path):
    images = np.arange(60000 * 4, dtype=np.int64).reshape(60000, 2, 2) % 256
    _write_mnist_like(tmp_path, images)
    pixels = images.reshape(60000, 4)
    np.testing.assert_array_equal(load_mnist(tmp_path, scale="book").X, pixels / 256.0)
    np.testing.assert_array_equal(load_mnist(tmp_path).X, pixels / 255.0)
    with pytest.raises(ValueError, match="scale must be one of"):
        load_mnist(tmp_path, scale="pixels")


def test_records_load_with_their_structure():
    assert book.load_record("regularized_full")[1][-2:] == [9649, 9561]
    assert list(book.load_record("weight_initialization_30")) == [
        "default_weight_initialization",
        "large_weight_initialization",
    ]
    assert [len(run[2]) for run in book.load_record("multiple_eta")] == [30, 30, 30]
    with pytest.raises(ValueError, match=r"No book record named 'nope'.*regularized_full"):
        book.load_record("nope")


def fake_replay(accuracies, book_accuracies, costs=(1.0,), book_costs=(1.0,)):
    """A Replay of overfitting's test accuracy and cost lists, without training."""
    series = (
        book.SeriesComparison("accuracy", "count", tuple(accuracies), tuple(book_accuracies)),
        book.SeriesComparison("cost", "cost", tuple(costs), tuple(book_costs)),
    )
    ours = [list(costs), list(accuracies), [], []]
    return book.Replay(
        "overfitting", ours, [list(book_costs), list(book_accuracies), [], []], 1.5, series
    )


def test_replay_summary_and_criteria():
    agreeing = fake_replay([10] * 19 + [12], [10] * 20, costs=(1.00005,))
    assert (agreeing.matches, agreeing.compared, agreeing.largest_difference) == (19, 20, 2)
    assert agreeing.largest_cost_error == pytest.approx(5e-5)
    assert agreeing.agrees
    assert "19 of 20 accuracies" in agreeing.summary()
    assert not fake_replay([10] * 19 + [14], [10] * 20).agrees  # 4 images apart
    assert not fake_replay([10] * 18 + [11] * 2, [10] * 20).agrees  # 90 % exact
    assert not fake_replay([10], [10], costs=(1.0002,)).agrees
    lines = list(agreeing.lines())
    assert lines[0] == "accuracy: ours | book | match"
    assert lines[20].endswith("12 | 10 | 2 images apart")


def test_a_replay_of_costs_alone_says_it_compared_no_accuracy():
    costs = book.SeriesComparison("test cost", "cost", (1.0, 2.0), (1.0, 2.0))
    result = book.Replay("overfitting", [], [], 2.0, (costs,))
    assert result.summary() == (
        "overfitting: no accuracies in the record, costs within 0.0e+00 relative, 2.0 s"
    )


def test_a_replay_against_another():
    ours, other = fake_replay([10, 12], [10, 10]), fake_replay([10, 11], [10, 10], costs=(2.0,))
    against = ours.against(other)
    assert (against.matches, against.largest_difference) == (1, 1)
    assert against.largest_cost_error == pytest.approx(0.5)
    assert "1 of 2 accuracies equal the other replay's" in against.summary()
    assert "largest difference 1 image," in against.summary()  # one image, not "1 images"
    assert "largest difference 2 images" in ours.summary()
    with pytest.raises(ValueError, match="Cannot compare"):
        ours.against(book.Replay("regularized", None, None, 1.0, ()))


@pytest.mark.parametrize("other", ["regularized", None, [10, 11]])
def test_a_replay_against_what_is_no_replay_is_refused_by_type(other):
    # It failed on the attribute: "'str' object has no attribute 'name'".
    ours = fake_replay([10, 12], [10, 10])
    with pytest.raises(TypeError, match=r"^against compares with a Replay .*; got "):
        ours.against(other)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (("a", "count", (1, 2, 3), (1, 2)), ValueError, "ours holds 3 values but book 2"),
        (("a", "count", (1,), (1, 2)), ValueError, "ours holds 1 values but book 2"),
        (("a", "count", (), ()), ValueError, "'a': ours holds no numbers"),
        (("a", "percent", ("a", 2.0), (1.0, 2.0)), ValueError, "ours holds 'a' at 0, which is no"),
        (("a", "percent", (1.0, 2.0), (1.0, None)), ValueError, "book holds None at 1, which is"),
        (("a", "count", (float("nan"),), (1,)), ValueError, "ours holds nan at 0, which is no"),
        (("a", "cost", (1.0,), (float("inf"),)), ValueError, "book holds inf at 0, which is no"),
        (("a", "count", (1.5,), (1,)), ValueError, "ours holds 1.5 at 0, which is no count"),
        (("a", "count", (True,), (1,)), ValueError, "ours holds True at 0, which is no count"),
        (("a", "percent", (101.0,), (1.0,)), ValueError, "ours holds 101.0 at 0, which is no"),
        (("a", "count", ((1, 2),), ((1, 3),)), ValueError, r"ours holds \(1, 2\) at 0"),
        (("a", "count", 5, (5,)), TypeError, "'a': ours must be a list of numbers; got int"),
        (("a", "count", np.array(5), (5,)), TypeError, "ours must be a list of numbers; got a 0-d"),
        (
            ("a", "count", (5,), np.array([[5]])),
            TypeError,
            "book must be a list of numbers; got a 2-d",
        ),
        (("a", "count", "12", (1, 2)), TypeError, "ours must be a list of numbers; got str"),
        (("a", "count", (1,), {1}), TypeError, "book must be a list of numbers; got set"),
        (("a", "accuracy", (1,), (1,)), ValueError, "kind must be one of 'count', 'percent'"),
        ((3, "count", (1,), (1,)), TypeError, "label must be a str; got 3"),
    ],
)
def test_series_comparison_refuses_what_it_cannot_compare(args, error, match):
    # Lists of other lengths failed inside NumPy ("operands could not be broadcast") or,
    # one value against several, were compared with it; a NaN count was
    # -9223372036854775808 images apart, so never the largest difference; an empty
    # comparison agreed with the book; an unknown kind was compared as counts.
    with pytest.raises(error, match=match):
        book.SeriesComparison(*args)


def test_series_comparison_takes_numpy_numbers_and_lists():
    series = book.SeriesComparison("a", "count", np.array([3, 4]), [3, 5])
    np.testing.assert_array_equal(series.differences(), [0, 1])
    assert series.exact == 1 and series.ours.tolist() == [3, 4]


def test_a_cost_of_zero_in_the_reference_is_not_nan_apart():
    # 0/0 was NaN (a RuntimeWarning), so equal costs of 0 failed the criteria.
    series = book.SeriesComparison("a", "cost", (0.0, 1.0), (0.0, 0.0))
    np.testing.assert_array_equal(series.differences(), [0.0, np.inf])


def test_a_replay_against_a_shorter_one_compares_the_epochs_both_ran():
    # Two epochs against one compared both of ours with the other's first; three
    # against two failed inside NumPy ("operands could not be broadcast together").
    ours = fake_replay([10, 12, 13], [10] * 3, costs=(1.0, 2.0, 3.0), book_costs=(1.0,) * 3)
    other = fake_replay([10, 11], [10] * 2, costs=(1.0, 2.0), book_costs=(1.0,) * 2)
    for against in (ours.against(other), other.against(ours)):
        assert (against.matches, against.compared, against.largest_difference) == (1, 2, 1)
        assert [len(series.ours) for series in against.series] == [2, 2]


def test_replay_refuses_bad_requests():
    with pytest.raises(ValueError, match="No book record named"):
        book.replay("chapter1")
    with pytest.raises(ValueError, match="cannot be cut short"):
        book.replay("more_data", epochs=3)
    with pytest.raises(ValueError, match="at least 1"):
        book.replay("overfitting", epochs=0)


@pytest.mark.parametrize("epochs", [1.5, 2.0, True, "3"])
def test_replay_refuses_epochs_that_are_no_whole_number(epochs, tmp_path):
    # Refused by name before any data is read: 1.5 used to end in range()'s TypeError,
    # and True, an int to Python, ran one epoch.
    with pytest.raises(ValueError, match=r"epochs must be a whole number of epochs; got "):
        book.replay("regularized", tmp_path, epochs=epochs)


def test_replay_takes_numpy_integers_as_epochs(tmp_path):
    # Past the check on epochs, the replay looks for MNIST, which tmp_path lacks.
    with pytest.raises(FileNotFoundError):
        book.replay("regularized", tmp_path, epochs=np.int64(1))


def test_cli_user_errors_are_one_line(capsys, tmp_path):
    assert main(["book", "replay", "nope"]) == 2
    assert main(["book", "replay", "overfitting", "--data-dir", str(tmp_path)]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 2 and "No book record named 'nope'" in errors[0]
    assert "MNIST files not found" in errors[1]
    # A figure that could not be written is refused before the replay runs.
    for plot, message in (
        (tmp_path / "x.unknownext", "unknown image format"),
        (tmp_path / "missing" / "x.png", "does not exist"),
    ):
        argv = ["book", "replay", "overfitting", "--epochs", "1", "--plot", str(plot)]
        assert main(argv) == 2
        out, err = capsys.readouterr()
        assert out == "" and message in err


def test_cli_replay_draws_the_figure_it_was_asked_for(tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    import sknielsen.__main__ as cli

    # The replay itself is tested above; here, what the command does with its result.
    monkeypatch.setattr(cli.book, "replay", lambda *args, **kwargs: fake_replay([10], [11]))
    plot = tmp_path / "replay.png"
    assert main(["book", "replay", "overfitting", "--plot", str(plot)]) == 1  # 1 image apart
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == f"Wrote {plot}" and plot.stat().st_size > 0


def test_cli_lists_the_records(capsys):
    assert main(["book", "list"]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == len(book.RECORDS) and "fig/more_data.py" in out


def test_plot_replay(tmp_path):
    pytest.importorskip("matplotlib")
    fig = book.plot_replay(fake_replay([10, 11], [10, 11]), tmp_path / "replay.png")
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 2
    assert (tmp_path / "replay.png").stat().st_size > 0
    # Against another replay, its points were labelled "the book's record".
    mine = fake_replay([10, 11], [10, 11])
    fig = book.plot_replay(mine.against(mine))
    assert {t.get_text() for t in fig.axes[0].get_legend().get_texts()} == {
        "the other replay",
        "sknielsen's replay",
    }


@needs_mnist
def test_first_epochs_of_overfitting_replay_exactly(capsys):
    result = book.replay("overfitting", MNIST_DIR, epochs=3)
    test_cost, test_accuracy, training_cost, training_accuracy = result.ours
    # The book's fig/overfitting.json, epochs 1 to 3.
    assert test_accuracy == [5887, 6505, 6970]
    assert training_accuracy == [690, 749, 812]
    np.testing.assert_allclose(test_cost, [2.076277232, 1.823233412, 1.664075193], rtol=1e-9)
    np.testing.assert_allclose(training_cost, [1.843364786, 1.477743423, 1.207286130], rtol=1e-9)
    assert (result.matches, result.compared, result.agrees) == (6, 6, True)


@needs_mnist
def test_first_epoch_of_weight_initialization_replays_exactly(capsys):
    # Default weights from the constructor, η = 0.1, validation accuracy only.
    assert (
        main(
            [
                "book",
                "replay",
                "weight_initialization_30",
                "--epochs",
                "1",
                "--data-dir",
                str(MNIST_DIR),
            ]
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["epoch", "1", "9270", "|", "9270", "|", "exact"]
    assert lines[-1].startswith("weight_initialization_30: 1 of 1 accuracies")


# Runs that amplify rounding until it decides which images are right
# (docs/book-replay.md): no program rounding otherwise than the book's 2015
# machine replays them in full.
CARRIED_AWAY = {"overfitting_full", "multiple_eta"}


@pytest.mark.slow
@needs_mnist
@pytest.mark.parametrize("name", [name for name in book.RECORDS if name not in CARRIED_AWAY])
def test_full_replay_agrees_with_the_book(name):
    result = book.replay(name, MNIST_DIR)
    assert result.agrees, result.summary()
    if name == "more_data_svm":
        assert result.ours == result.book


@pytest.mark.slow
@needs_mnist
def test_runs_carried_away_by_rounding_agree_until_it_has_grown():
    # Three epochs equal the record on an AVX-512 processor; on an AVX2 one (its BLAS
    # rounds otherwise) the third epoch's training accuracy is one image off: two, anywhere.
    overfitting = book.replay("overfitting_full", MNIST_DIR, epochs=2)
    assert overfitting.matches == overfitting.compared == 4
    small_etas = book.replay("multiple_eta", MNIST_DIR).series[:2]  # η = 0.025 and 0.25
    assert all(s.differences().max() < book.MAX_COST_RELATIVE_ERROR for s in small_etas)


@needs_mnist
def test_the_per_example_check_of_the_book_algorithm_replays_the_record(capsys):
    # benchmarks/book_replay_sensitivity.py measures how far one ulp carries
    # the book's own algorithm; its evidence counts only if it is the book's
    # algorithm: it must give the record's first epochs exactly.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import book_replay_sensitivity as sensitivity

    data = load_mnist(MNIST_DIR, scale="book")
    result = sensitivity.train_twice("overfitting", data, epochs=3, log=lambda *a: None)
    assert result["exact"] == result["book"] == [5887, 6505, 6970]
    assert 0 < result["distance"][-1] < 1e-9  # the nudge is there, still tiny


STORED = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "book_replay.json"


@pytest.mark.parametrize("name", sorted(book.RECORDS))
def test_a_stored_replay_loads_beside_the_book_s_record(name):
    import json

    stored = json.loads(STORED.read_text())["records"][name]
    result = book.load_replay(name, STORED)
    assert result.name == name and result.ours == stored["ours"]
    assert result.book == book.load_record(name) and result.seconds == stored["seconds"]
    filled = [(label, path) for label, path, _ in book.RECORDS[name].series]
    filled = [(label, path) for label, path in filled if book._at(stored["ours"], path)]
    assert [s.label for s in result.series] == [label for label, _ in filled] != []
    for series, (_, path) in zip(result.series, filled):
        assert series.ours == tuple(book._at(stored["ours"], path))
        assert series.book == tuple(book._at(result.book, path))


def test_plot_replay_of_an_odd_number_of_lists_hides_the_empty_panel():
    pytest.importorskip("matplotlib")
    fig = book.plot_replay(book.load_replay("multiple_eta", STORED))  # three η, two columns
    assert [ax.get_visible() for ax in fig.axes] == [True, True, True, False]


def test_a_replay_the_file_does_not_hold_is_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match="No book record named 'nope'"):
        book.load_replay("nope", STORED)
    empty = tmp_path / "replays.json"
    empty.write_text('{"records": {"overfitting": {"ours": [], "seconds": 1.0}}}')
    with pytest.raises(ValueError, match="holds no replay of 'regularized'; it holds: overfitting"):
        book.load_replay("regularized", empty)


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_results_file_that_is_no_regular_file_is_refused_not_read(tmp_path, kind):
    # A FIFO blocked load_replay for ever (every other reader refuses it).
    import os

    from sknielsen.persistence import NotARegularFileError

    path = tmp_path / "replays.json"
    os.mkfifo(path) if kind == "fifo" else path.mkdir()
    with pytest.raises(NotARegularFileError, match=r"Cannot read .*not a regular file"):
        book.load_replay("regularized", path)


def _stored(tmp_path, content):
    path = tmp_path / "book_replay.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def _regularized_full(change):
    ours = [list(values) for values in book.load_record("regularized_full")]
    change(ours)
    return {"records": {"regularized_full": {"ours": ours, "seconds": 1.0}}}


@pytest.mark.parametrize(
    "content, message",
    [
        ("{", "is not JSON"),
        ([1, 2], "no 'records'"),
        ({"x": 1}, "no 'records'"),
        ({"records": {"regularized_full": {"seconds": 1.0}}}, "no 'ours'"),
        ({"records": {"regularized_full": {"ours": [[]] * 4}}}, "no 'seconds'"),
        ({"records": {"regularized_full": 5}}, "no 'ours'"),
        (_regularized_full(lambda ours: None), None),
        (
            {"records": {"regularized_full": {"ours": [[]] * 4, "seconds": "x"}}},
            "'seconds' is 'x', not a number",
        ),
        (
            {"records": {"regularized_full": {"ours": [[]] * 4, "seconds": float("inf")}}},
            "'seconds' is inf, not a number",
        ),
        ({"records": {"regularized_full": {"ours": 5, "seconds": 1.0}}}, "'test cost' is missing"),
        ({"records": {"regularized_full": {"ours": [], "seconds": 1.0}}}, "'test cost' is missing"),
        (
            {"records": {"regularized_full": {"ours": [[]] * 4, "seconds": 1.0}}},
            "holds no numbers to compare",
        ),
        (_regularized_full(lambda ours: ours[1].__setitem__(0, None)), "holds None at 0"),
        (_regularized_full(lambda ours: ours[1].__setitem__(0, -5)), "holds -5 at 0"),
        (_regularized_full(lambda ours: ours[0].__setitem__(2, float("nan"))), "holds nan at 2"),
        (_regularized_full(lambda ours: ours[3].append(900)), "31 values for the 30 of the"),
        # A run fills its lists epoch by epoch alike: these loaded, agreeing ("no accuracies
        # in the record", which has them; "1 of 1 equal" beside 30 costs).
        (
            _regularized_full(lambda ours: [ours[1].clear(), ours[3].clear()]),
            r"lists of one run hold 30 and 0 values \('test cost' and 'test accuracy'\)",
        ),
        (
            _regularized_full(lambda ours: ours[1].__delitem__(slice(1, None))),
            r"lists of one run hold 30 and 1 values",
        ),
    ],
)
def test_a_damaged_stored_replay_is_refused_naming_what_is_wrong(tmp_path, content, message):
    # These failed inside json, dict lookups or NumPy (KeyError 'records', "operands could
    # not be broadcast"), or loaded with None counted as 0 images apart.
    path = _stored(tmp_path, content)
    if message is None:  # the intact one loads
        assert book.load_replay("regularized_full", path).agrees
        return
    with pytest.raises(ValueError, match=message) as error:
        book.load_replay("regularized_full", path)
    assert str(path) in str(error.value)


def test_a_stored_replay_of_sizes_holds_one_number_per_size(tmp_path):
    ours = book.load_record("more_data")[:3]
    path = _stored(tmp_path, {"records": {"more_data": {"ours": ours, "seconds": 1.0}}})
    # It loaded, then plot_replay failed inside matplotlib ("x and y must have same first
    # dimension").
    with pytest.raises(ValueError, match="holds 3 values for the 9 training sizes"):
        book.load_replay("more_data", path)


def test_a_replay_on_images_other_than_mnist_s_is_refused_before_training(tmp_path):
    # IDX files of 60,000 2×2 images load (load_mnist takes any image size); the replay
    # then failed in its first partial_fit with "Layer 0 has shape (4, 30); the given
    # weights (784, 30)", which named neither the data nor what the book needs.
    _write_mnist_like(tmp_path, np.zeros((60000, 2, 2), dtype=np.int64))
    with pytest.raises(ValueError, match=r"28×28 images.*2×2 pixels") as error:
        book.replay("overfitting", tmp_path, epochs=1)
    assert str(tmp_path) in str(error.value)


def _damaged_records(tmp_path, monkeypatch, name, change):
    """The package's records, from a copy in tmp_path with ``name`` changed."""
    folder = tmp_path / "_book_records"
    folder.mkdir()
    record = book.load_record(name)
    change(record)
    (folder / f"{name}.json").write_text(json.dumps(record))
    monkeypatch.setattr(book.resources, "files", lambda package: tmp_path)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda record: record[1].pop(), "'test accuracy' holds 29 values for the 30 epochs"),
        (lambda record: [values.pop() for values in record], "holds 29 values for the 30"),
        (lambda record: record[1].append(9561), "'test accuracy' holds 31 values for the 30"),
        (lambda record: [values.clear() for values in record], "holds no numbers"),
    ],
)
def test_a_record_of_other_lengths_than_its_run_is_refused(tmp_path, monkeypatch, change, message):
    # Such a record loaded; the replay then ran all its epochs and failed inside NumPy
    # ("operands could not be broadcast"), or, with every list empty, compared nothing
    # and agreed with the book (exit status 0).
    _damaged_records(tmp_path, monkeypatch, "regularized_full", change)
    with pytest.raises(ValueError, match=f"regularized_full.json, part of sknielsen.*{message}"):
        book.load_record("regularized_full")
    with pytest.raises(ValueError, match=message):
        book.replay("regularized_full", tmp_path / "no-mnist-needed", epochs=1)


def test_plot_replay_of_a_replay_with_no_lists_is_refused(tmp_path):
    pytest.importorskip("matplotlib")
    # It failed with ZeroDivisionError (integer division or modulo by zero) laying out panels.
    with pytest.raises(ValueError, match="holds no lists to draw"):
        book.plot_replay(book.Replay("overfitting", [], [], 1.0, ()), tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(
    ("name", "close"),
    [
        ("overfiting", "overfitting"),
        ("Regularized", "regularized"),
        ("more_data.json", "more_data"),
    ],
)
def test_a_mistyped_record_name_is_answered_with_the_nearest(name, close):
    # Every record was listed, nine of them, with no word of which was meant.
    message = rf"^No book record named '{re.escape(name)}' \(did you mean '{close}'\?\); the"
    with pytest.raises(ValueError, match=message):
        book.load_record(name)


@pytest.mark.parametrize("name", [["overfitting"], None, 3])
def test_a_record_name_that_is_no_str_is_refused_by_type(name):
    # A list failed with Python's "unhashable type: 'list'".
    with pytest.raises(TypeError, match=r"^A book record is named by a str, such as 'overfitting'"):
        book.replay(name)


def test_plot_replay_of_an_unknown_record_is_refused_before_ax_is_divided():
    # A KeyError came after ax was hidden and a SubFigure added in its place.
    pytest.importorskip("matplotlib")
    from dataclasses import replace

    from matplotlib.figure import Figure

    ax = Figure().subplots()
    mistyped = replace(fake_replay([10, 11], [10, 11]), name="overfiting")
    with pytest.raises(ValueError, match="did you mean 'overfitting'"):
        book.plot_replay(mistyped, ax=ax)
    assert ax.get_visible() and not ax.figure.subfigs


@pytest.mark.parametrize(
    ("given", "match"),
    [
        (None, r"plot_replay draws a Replay .*; got None"),
        ("overfitting", r"got the str 'overfitting': a record's name.*load_replay"),
        ({"overfitting": {}}, r"got a dict"),
    ],
)
def test_plot_replay_of_no_replay_is_refused_by_type(given, match):
    # plot_replay(None) raised "'NoneType' object has no attribute 'series'".
    pytest.importorskip("matplotlib")
    with pytest.raises(TypeError, match=match):
        book.plot_replay(given)


def test_a_replay_that_compared_nothing_does_not_agree():
    # It agreed, vacuously (0 of 0 exact is 95 %), and ``book replay`` exited 0.
    empty = book.Replay("overfitting", [[], [], [], []], [[], [], [], []], 1.0, ())
    assert not empty.agrees
    assert empty.summary() == "overfitting: nothing compared with the book's, 1.0 s"
    costs = book.SeriesComparison("test cost", "cost", (1.0,), (1.0,))
    assert book.Replay("overfitting", [], [], 1.0, (costs,)).agrees
