"""Monitoring and weight figures, written as PNG files."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from sknielsen import NielsenMLPClassifier  # noqa: E402
from sknielsen.plotting import plot_history, plot_weights  # noqa: E402

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
