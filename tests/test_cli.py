"""The command line, end to end."""

import json
import subprocess
import sys

import pytest

from sknielsen.__main__ import main


def test_default_command_trains_on_digits(capsys):
    assert main(["train", "--epochs", "3"]) == 0
    out = capsys.readouterr().out
    assert "Training [64, 30, 10] on scikit-learn's digits" in out
    assert out.count("Epoch ") == 3 and "validation accuracy" in out
    assert "Test accuracy" in out


def test_module_runs_with_no_arguments():
    result = subprocess.run(
        [sys.executable, "-m", "sknielsen"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "Epoch 30/30" in result.stdout
    accuracy = float(result.stdout.rsplit("Test accuracy ", 1)[1].split("%")[0])
    assert accuracy >= 97.0


def test_save_flag_writes_a_loadable_model(tmp_path, capsys):
    path = tmp_path / "net.json"
    assert main(["train", "--epochs", "1", "--save", str(path)]) == 0
    assert json.loads(path.read_text())["format"] == "sknielsen-model"


def test_plugins_command_lists_every_kind(capsys):
    assert main(["plugins"]) == 0
    out = capsys.readouterr().out
    for expected in ("cost:", "quadratic", "optimizer:", "momentum(mu=0.9)", "regularizer:"):
        assert expected in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--cost", "hinge"], "Unknown cost 'hinge'"),
        (["train", "--eta", "-1"], "eta"),
        (["train", "--save", "/nonexistent/dir/net.json"], "No such file"),
    ],
)
def test_user_errors_exit_2_with_one_line(argv, message, capsys):
    assert main(argv + ["--epochs", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err and "\n" not in err
