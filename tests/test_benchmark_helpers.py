"""The helpers the benchmarks share keep working as the package changes."""

import sys
from pathlib import Path

from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from epoch_clock import timed_fit


def test_epoch_clock_times_every_epoch_of_both_estimators(small_digits):
    X, _, y, _ = small_digits
    for net in (NielsenMLPClassifier(epochs=3), NielsenMLPRegressor(epochs=3)):
        clock = timed_fit(net, X, y)
        assert len(clock.durations) == 3 and len(clock.times) == 3
        assert clock.times == sorted(clock.times) and min(clock.durations) > 0


def test_results_files_name_the_processor_from_what_the_system_says(tmp_path, monkeypatch):
    # Machines of one kind differ (AVX-512 and 1 MiB of L2 a core, or AVX2 and 512 KiB):
    # a speed is only read with the processor it was measured on.
    import results_file

    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: fpu sse2 avx avx2 fma\n\n"
        "processor\t: 1\nmodel name\t: Other\nflags\t\t: avx512f\n"
    )
    caches = tmp_path / "cache"
    for name, (level, kind, size) in {
        "index0": ("1", "Data", "32K"),
        "index1": ("1", "Instruction", "32K"),
        "index2": ("2", "Unified", "512K"),
    }.items():
        (caches / name).mkdir(parents=True)
        for field, value in (("level", level), ("type", kind), ("size", size)):
            (caches / name / field).write_text(value + "\n")
    real_path = results_file.Path

    def path(name):
        if name == "/proc/cpuinfo":
            return real_path(cpuinfo)
        if name == "/sys/devices/system/cpu/cpu0/cache":
            return real_path(caches)
        return real_path(name)

    monkeypatch.setattr(results_file, "Path", path)
    assert results_file.processor() == {
        "model": "Some CPU",
        "vectors": "avx2",
        "caches": {"L1d": "32K", "L1i": "32K", "L2": "512K"},
    }
    cpuinfo.unlink()  # a system without /proc: nothing is guessed
    for index in caches.iterdir():
        (index / "size").unlink()
    assert results_file.processor() == {"model": None, "vectors": None, "caches": None}


def test_results_files_say_how_and_when_and_are_replaced_whole(tmp_path, monkeypatch):
    import json

    import pytest
    from results_file import command_line, save_results

    from sknielsen._core.files import NotARegularFileError

    monkeypatch.setattr("sys.argv", ["benchmarks/c_speed.py", "--quick", "--larger"])
    assert command_line("/anywhere/benchmarks/c_speed.py") == (
        "python benchmarks/c_speed.py --quick --larger"
    )
    assert command_line("c_speed.py", []) == "python benchmarks/c_speed.py"
    out = tmp_path / "new folder" / "speed.json"
    written = save_results(out, {"rows": [1, 2], "date": "kept"}, command="python x", table="| a |")
    saved = json.loads(out.read_text())
    header = ["command", "date", "load_average", "processor"]
    assert written == out and list(saved)[:4] == header
    assert (
        saved["command"] == "python x"
        and saved["rows"] == [1, 2]
        and len(saved["load_average"]) == 3
    )
    assert saved["date"] == "kept"  # a benchmark's own field wins over the header's
    assert out.with_suffix(".md").read_text() == "| a |"
    save_results(out, {"rows": []}, command="python y")
    assert json.loads(out.read_text())["rows"] == [] and sorted(
        p.name for p in out.parent.iterdir()
    ) == [
        "speed.json",
        "speed.md",
    ]
    (tmp_path / "folder.json").mkdir()
    with pytest.raises(NotARegularFileError):
        save_results(tmp_path / "folder.json", {}, command="python z")


def test_first_layer_bound_compiles_and_times_each_way(tmp_path):
    import shutil

    import numpy as np
    import pytest
    import scipy.sparse as sp
    from first_layer_bound import build, compiler, run, write_rows

    if shutil.which(compiler()[0]) is None:
        pytest.skip("no C compiler")
    rng = np.random.default_rng(0)
    dense = rng.random((200, 784)) * (rng.random((200, 784)) < 0.2)
    for dtype in ("float32", "float64"):
        X = sp.csr_matrix(dense.astype(dtype))
        write_rows(tmp_path, X)
        ghz, modes = run(build(tmp_path, dtype, "x86-64 baseline"), tmp_path, 200, 1)
        assert len(modes) == 5 and all(m["ms"] > 0 for m in modes.values())
        assert all(m["cycles_per_nonzero"] >= 0 for m in modes.values()) and ghz >= 0


def test_kernel_ab_loads_the_module_beside_its_source(tmp_path, monkeypatch):
    import shutil

    import pytest

    from sknielsen.engine import _cengine

    module = _cengine.load()[0]
    if module is None:
        pytest.skip("the C engine is not built here")
    from kernel_ab import load_build

    # Loading an extension module puts it in sys.modules under its name: the engine's
    # own module goes back there after the test.
    monkeypatch.setitem(sys.modules, module.__name__, module)

    # The engine's own folder, as built in place: the source sorts before the module.
    stem = module.__name__.rsplit(".", 1)[1]
    (tmp_path / f"{stem}.c").write_text("/* the source */\n")
    shutil.copy2(module.__file__, tmp_path / Path(module.__file__).name)
    loaded = load_build(tmp_path)
    assert loaded is not module and hasattr(loaded, "train")
    with pytest.raises(SystemExit, match="not a folder"):
        load_build(tmp_path / "missing")


def test_first_layer_bound_says_why_it_cannot_run(tmp_path, monkeypatch):
    import shutil

    import first_layer_bound
    import numpy as np
    import pytest
    import scipy.sparse as sp
    from first_layer_bound import build, compiler, main, run, write_rows

    def no_data(*args, **kwargs):
        raise AssertionError("the arguments were not checked before the data was read")

    monkeypatch.setattr(first_layer_bound, "load_mnist", no_data)
    for argv in (["--repeats", "0"], ["--n-train", "5"], ["--n-train", "-5"]):
        with pytest.raises(SystemExit):
            main(argv)  # and no results file written
    if shutil.which(compiler()[0]) is None:
        pytest.skip("no C compiler")
    write_rows(tmp_path, sp.csr_matrix(np.eye(5, 784)))
    program = build(tmp_path, "float64", "x86-64 baseline")
    with pytest.raises(RuntimeError, match="need at least 10 rows"):
        run(program, tmp_path, 5, 1)
    with pytest.raises(RuntimeError, match="at least one repeat"):
        run(program, tmp_path, 5, 0)


def test_fit_overhead_refuses_no_repeats(monkeypatch):
    import fit_overhead
    import pytest

    from sknielsen.engine import _cengine

    monkeypatch.setattr(_cengine, "load", _cengine.load)  # main() wraps it: put it back after

    def no_data(*args, **kwargs):
        raise AssertionError("the arguments were not checked before the data was read")

    monkeypatch.setattr(fit_overhead, "load_mnist", no_data)
    with pytest.raises(SystemExit):
        fit_overhead.main(["--repeats", "0"])


def test_callback_overhead_refuses_no_repeats(monkeypatch):
    import callback_overhead
    import pytest

    def no_data(*args, **kwargs):
        raise AssertionError("the arguments were not checked before the data was read")

    monkeypatch.setattr(callback_overhead, "load_mnist", no_data)
    with pytest.raises(SystemExit):
        callback_overhead.main(["--repeats", "0"])
