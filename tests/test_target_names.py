"""The names of the target columns: recorded, saved, and checked where columns could swap.

A multi-output regressor or a multilabel classifier fitted on a DataFrame of
targets knows which output is which column. Before, a continued fit, a
validation set or a score given the same columns in another order trained on
or scored swapped outputs silently, and so did ``evaluate --label b --label a``
of a model trained with ``--label a --label b``.
"""

import json

import numpy as np
import pytest

from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor, load, save
from sknielsen.__main__ import main
from sknielsen.persistence import ModelFileError

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def frames():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    Y = pd.DataFrame({"up": X[:, 0] + X[:, 1], "down": X[:, 1] - X[:, 2]})
    labels = (Y > 0).astype(int)
    return X, Y, labels


def _regressor(**params):
    return NielsenMLPRegressor(hidden_layer_sizes=(4,), epochs=2, random_state=0, **params)


def _multilabel(**params):
    return NielsenMLPClassifier(hidden_layer_sizes=(4,), epochs=2, random_state=0, **params)


@pytest.mark.parametrize("make, targets", [(_regressor, 1), (_multilabel, 2)])
def test_a_fit_on_a_frame_of_targets_records_their_names(frames, make, targets):
    X, Y = frames[0], frames[targets]
    net = make().fit(X, Y)
    assert net.target_names_in_.tolist() == ["up", "down"]
    assert net.target_names_in_.dtype == object
    net.fit(X, Y.to_numpy())  # a new fit forgets them, as feature names
    assert not hasattr(net, "target_names_in_")


def test_targets_of_one_column_keep_no_names(frames):
    X, Y, labels = frames
    classifier = _multilabel().fit(X, labels["up"])  # a Series: one label a row
    assert not hasattr(classifier, "target_names_in_")
    regressor = _regressor().fit(X, Y["up"])  # a Series: 1-D targets, one output
    assert not hasattr(regressor, "target_names_in_")
    # Numbered columns, which scikit-learn keeps no feature names of either.
    assert not hasattr(_regressor().fit(X, Y.set_axis([0, 1], axis=1)), "target_names_in_")


@pytest.mark.parametrize("make, targets", [(_regressor, 1), (_multilabel, 2)])
def test_columns_in_another_order_are_refused_wherever_they_would_swap_outputs(
    frames, make, targets
):
    X, Y = frames[0], frames[targets]
    swapped = Y[["down", "up"]]
    expected = r"y's columns are 'down', 'up'; the model's targets are 'up', 'down'"
    net = make().fit(X, Y)
    with pytest.raises(ValueError, match=expected):
        net.score(X, swapped)
    with pytest.raises(ValueError, match=expected):
        net.partial_fit(X, swapped)
    with pytest.raises(ValueError, match=expected.replace("y's", "y_val's")):
        make().fit(X, Y, X_val=X, y_val=swapped)
    with pytest.raises(ValueError, match=expected):
        make(warm_start=True).fit(X, Y).fit(X, swapped)
    renamed = Y.set_axis(["left", "right"], axis=1)
    with pytest.raises(ValueError, match="y's columns are 'left', 'right'; the model's"):
        net.score(X, renamed)
    # The same names in the same order, and arrays, which name nothing, are read as ever
    # (a continued fit on an array warns that it reads it by position).
    assert net.score(X, Y) == net.score(X, Y.to_numpy())
    with pytest.warns(UserWarning, match="y has no column names"):
        net.partial_fit(X, Y.to_numpy())
    assert net.target_names_in_.tolist() == ["up", "down"]  # a continued fit keeps them


def test_the_names_are_saved_and_checked_in_the_state(frames, tmp_path):
    X, Y, _ = frames
    net = _regressor().fit(X, Y)
    save(net, tmp_path / "m.json")
    loaded = load(tmp_path / "m.json")
    assert loaded.target_names_in_.tolist() == ["up", "down"]
    with pytest.raises(ValueError, match="y's columns are 'down', 'up'"):
        loaded.score(X, Y[["down", "up"]])
    state = net.get_fitted_state()
    for names, message in [
        (np.array(["up"], dtype=object), "1 target name for 2 outputs"),
        (np.array([0, 1], dtype=object), "target_names_in must be strings"),
        # A str passed as strings, and became a 0-d array that save could not write.
        ("up", "target_names_in must be a list or 1-D array of names"),
        (np.array([["up", "down"]], dtype=object), "must be a list or 1-D array of names"),
    ]:
        state.target_names_in = names
        with pytest.raises(ValueError, match=message):
            _regressor().set_fitted_state(state)
    unnamed = _regressor().fit(X, Y.to_numpy())
    save(unnamed, tmp_path / "unnamed.json")
    assert not hasattr(load(tmp_path / "unnamed.json"), "target_names_in_")


def test_evaluate_refuses_label_columns_in_another_order_than_train_s(frames, tmp_path, capsys):
    """It scored the swapped columns: 45 % where the model's order gave 87 %."""
    X, _, labels = frames
    table = pd.DataFrame(X, columns=["a", "b", "c"]).join(labels)
    table.to_csv(tmp_path / "labels.csv", index=False)
    data, model = str(tmp_path / "labels.csv"), str(tmp_path / "model.json")
    argv = ["train", "--dataset", data, "--label", "up", "--label", "down", "--hidden", "4"]
    assert main([*argv, "--epochs", "2", "--save", model]) == 0
    assert load(model).target_names_in_.tolist() == ["up", "down"]
    capsys.readouterr()
    assert main(["evaluate", model, "--dataset", data, "--label", "down", "--label", "up"]) == 2
    error = capsys.readouterr().err
    assert f"--label down --label up names {model}'s labels in another order" in error
    assert "give them in the model's order: --label up --label down" in error
    table.rename(columns={"down": "low"}).to_csv(tmp_path / "renamed.csv", index=False)
    argv = ["evaluate", model, "--dataset", str(tmp_path / "renamed.csv")]
    assert main([*argv, "--label", "up", "--label", "low"]) == 2
    assert f"names other columns than {model}'s labels, 'up', 'down'" in capsys.readouterr().err
    assert main(["evaluate", model, "--dataset", data, "--label", "up", "--label", "down"]) == 0
    # predict's CSV names the outputs as the model's targets when no --label names them.
    table[["a", "b", "c"]].to_csv(tmp_path / "rows.csv", index=False)
    out = tmp_path / "p.csv"
    assert main(["predict", model, str(tmp_path / "rows.csv"), "--out", str(out)]) == 0
    assert out.read_text().splitlines()[0] == "up,down"


@pytest.mark.parametrize("make, targets", [(_regressor, 1), (_multilabel, 2)])
@pytest.mark.parametrize(
    "columns",
    [[0, 1], pd.MultiIndex.from_tuples([("y", "up"), ("y", "down")]), ["up", 1]],
    ids=["numbered", "multiindex", "mixed"],
)
def test_validation_columns_unlike_y_s_are_refused_whatever_their_names(
    frames, make, targets, columns
):
    """Names that are not all strings are not kept, as scikit-learn keeps no such feature
    names: a y_val of y's columns swapped was trained against the wrong outputs, though
    the regressor refused it before the names were kept."""
    X, Y = frames[0], frames[targets].set_axis(columns, axis=1)
    swapped = Y[Y.columns[::-1]]
    with pytest.raises(ValueError, match=r"y_val's columns are .*; y's are .*, in that order"):
        make().fit(X, Y, X_val=X, y_val=swapped)
    make().fit(X, Y, X_val=X, y_val=Y)  # y's columns, in y's order
    make().fit(X, Y, X_val=X, y_val=swapped.to_numpy())  # an array is read by position


def test_a_state_naming_targets_of_no_columns_is_refused(frames, tmp_path):
    """No fit names targets that are one a row (1-D y, one label a row), as the model
    file's schema says; set in memory, such names were taken, saved and loaded, and
    score then refused every table of targets."""
    X, Y, labels = frames
    for net, names in [
        (_regressor().fit(X, Y["up"]), ["up"]),
        (_multilabel().fit(X, labels["up"]), ["no", "yes"]),  # a column for each class
    ]:
        state = net.get_fitted_state()
        state.target_names_in = np.array(names, dtype=object)
        with pytest.raises(ValueError, match="target_names_in names columns of targets, but"):
            type(net)(hidden_layer_sizes=(4,)).set_fitted_state(state)
        state.target_names_in = None
        save(type(net).from_fitted_state(state, hidden_layer_sizes=(4,)), tmp_path / "m.json")
        document = json.loads((tmp_path / "m.json").read_text())
        document["fitted"]["target_names_in"] = names
        (tmp_path / "m.json").write_text(json.dumps(document))
        with pytest.raises(ModelFileError, match="target_names_in names columns of targets"):
            load(tmp_path / "m.json")


def test_predict_heads_its_columns_by_the_model_s_targets_whatever_label_leaves_out(
    frames, tmp_path
):
    """--label names the file's columns to leave out, in any order: the header took
    them as given, so 'down,up' headed the columns of up and down."""
    X, _, labels = frames
    table = pd.DataFrame(X, columns=["a", "b", "c"]).join(labels)
    table.to_csv(tmp_path / "labels.csv", index=False)
    data, model = str(tmp_path / "labels.csv"), str(tmp_path / "model.json")
    save(_multilabel().fit(table[["a", "b", "c"]], table[["up", "down"]]), model)
    table.drop(columns="down").to_csv(tmp_path / "up.csv", index=False)
    out = tmp_path / "p.csv"
    # The second headed them 'up_0,up_1'.
    for rows, leave_out in [(data, ["down", "up"]), (str(tmp_path / "up.csv"), ["up"])]:
        flags = [flag for label in leave_out for flag in ("--label", label)]
        assert main(["predict", model, rows, *flags, "--out", str(out)]) == 0
        assert out.read_text().splitlines()[0] == "up,down"


def test_evaluate_refuses_one_label_column_other_than_the_model_s_one_target(
    frames, tmp_path, capsys
):
    """A regressor fitted on a table of one target (y = table[["up"]]) names it: one
    --label of another column was scored against it silently, where several were refused."""
    X, Y, _ = frames
    table = pd.DataFrame(X, columns=["a", "b", "c"])
    model = str(tmp_path / "model.json")
    save(_regressor().fit(table, Y[["up"]]), model)
    table.assign(down=Y["down"]).to_csv(tmp_path / "down.csv", index=False)
    table.assign(up=Y["up"]).to_csv(tmp_path / "up.csv", index=False)
    argv = ["evaluate", model, "--dataset", str(tmp_path / "down.csv"), "--label", "down"]
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert f"--label down names another column than {model}'s label, 'up'" in error
    assert error.rstrip().endswith("give --label up.")
    assert main(["evaluate", model, "--dataset", str(tmp_path / "up.csv"), "--label", "up"]) == 0


# Two epochs of four units may or may not learn the targets' mean, by the processor's
# rounding (the AVX2 machine's continued regressor did not): the names are the point.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("make, targets", [(_regressor, 1), (_multilabel, 2)])
def test_continuing_with_targets_named_on_one_side_only_warns(frames, make, targets):
    """As scikit-learn warns of feature names present on one side only: a continued fit
    or a validation set of an array beside a model of named targets (or the reverse)
    reads the columns by position, which a swapped table would not show."""
    X, Y = frames[0], frames[targets]
    named = make(warm_start=True).fit(X, Y)
    with pytest.warns(
        UserWarning,
        match=r"y has no column names, but the model's targets are named 'up', 'down'",
    ):
        named.partial_fit(X, Y.to_numpy())
    with pytest.warns(
        UserWarning,
        match=r"y has no column names, but the model's targets are named 'up', 'down'",
    ):
        named.fit(X, Y.to_numpy())
    with pytest.warns(
        UserWarning, match=r"y_val has no column names, but the model's targets are named"
    ):
        make().fit(X, Y, X_val=X, y_val=Y.to_numpy())
    unnamed = make().fit(X, Y.to_numpy())
    with pytest.warns(
        UserWarning,
        match=r"y names its columns 'up', 'down', but the model's targets are without",
    ):
        unnamed.partial_fit(X, Y)
    with pytest.warns(
        UserWarning, match=r"y_val names its columns .*, but the model's targets are without names"
    ):
        make().fit(X, Y.to_numpy(), X_val=X, y_val=Y)


@pytest.mark.parametrize("make, targets", [(_regressor, 1), (_multilabel, 2)])
def test_targets_named_alike_or_scored_by_position_do_not_warn(frames, make, targets, recwarn):
    X, Y = frames[0], frames[targets]
    named = make().fit(X, Y, X_val=X, y_val=Y)
    named.partial_fit(X, Y)
    named.score(X, Y.to_numpy())  # the command line scores arrays by the model's --label order
    unnamed = make().fit(X, Y.to_numpy(), X_val=X, y_val=Y.to_numpy())
    unnamed.partial_fit(X, Y.to_numpy())
    numbered = Y.set_axis([0, 1], axis=1)  # no names kept, as scikit-learn keeps none
    make().fit(X, numbered, X_val=X, y_val=numbered.to_numpy()).partial_fit(X, numbered)
    assert not [
        w for w in recwarn if "column names" in str(w.message) or "names its" in str(w.message)
    ]


@pytest.mark.parametrize("column", ["schema", "column_names"])
def test_a_column_named_as_another_library_s_attribute_is_a_target_name(frames, column):
    # pandas reads Y.column_names as that column: its values were taken for the names,
    # which, not strings, were dropped, so that a swap of columns went unnoticed; and a
    # column "schema" hid a column of dates, trained on as numbers of the dtype's unit.
    X, Y, _ = frames
    named = Y.set_axis([column, "down"], axis=1)
    assert _regressor().fit(X, named).target_names_in_.tolist() == [column, "down"]
    dated = named.assign(down=pd.date_range("2020-01-01", periods=len(Y)))
    with pytest.raises(ValueError, match="y holds datetimes"):
        _regressor().fit(X, dated)


def test_a_column_of_labels_does_not_warn_of_names_on_one_side(frames, recwarn):
    # A classifier's one column of labels names no outputs (it keeps no target names):
    # a continued fit or a y_val of that column warned that "y names its columns 'up',
    # but the model's targets are without names: they are read by position".
    X, _, labels = frames
    column = labels[["up"]]
    net = _multilabel(warm_start=True).fit(X, column, X_val=X, y_val=column)
    net.partial_fit(X, column)
    net.fit(X, column, X_val=X, y_val=column)
    assert not hasattr(net, "target_names_in_")
    assert not [w for w in recwarn if "names its columns" in str(w.message)]
