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
