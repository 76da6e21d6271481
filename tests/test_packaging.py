"""What the sdist and the wheel hold, from setuptools' own file lists.

The fast tests compile nothing: ``setup.py egg_info`` writes the sdist's file
list (``SOURCES.txt``) and ``build_py`` copies what the wheel gets besides
the compiled kernels, both into a temporary folder. The slow test builds the
sdist and a wheel from it, kernels included.
"""

import importlib.util
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from sknielsen.engine._source_digest import source_digest

ROOT = Path(__file__).resolve().parents[1]
#: Built or cached files the package folder may hold, never part of a distribution.
BUILT = {".so", ".pyd", ".pyc", ".o"}
#: The C engine's sources: the sdist needs them, the installed package does not.
C_SOURCES = {".c", ".h"}


def _package_files():
    """Every file of the package's source folder, as paths relative to the root."""
    return {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "sknielsen").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in BUILT
    }


def _setup(tmp_path, *commands):
    pytest.importorskip("setuptools")
    result = subprocess.run(
        [sys.executable, "setup.py", "-q", "egg_info", "--egg-base", str(tmp_path), *commands],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_sdist_holds_the_package_and_no_tests_or_built_files(tmp_path):
    _setup(tmp_path)
    listed = set((tmp_path / "sknielsen.egg-info" / "SOURCES.txt").read_text().split())
    assert _package_files() <= listed, sorted(_package_files() - listed)
    # CHANGELOG.md: what a release changed, for those who install from the sdist.
    assert {"setup.py", "pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md"} <= listed
    unwanted = [
        name
        for name in listed
        if name.startswith(("tests/", "build/", "docs/", "benchmarks/"))
        or Path(name).suffix in BUILT
    ]
    assert not unwanted, unwanted


def test_the_wheel_holds_every_data_file_and_no_c_source(tmp_path):
    _setup(tmp_path, "build_py", "--build-lib", str(tmp_path / "lib"))
    copied = {
        path.relative_to(tmp_path / "lib").as_posix()
        for path in (tmp_path / "lib").rglob("*")
        if path.is_file()
    }
    wanted = {name for name in _package_files() if Path(name).suffix not in C_SOURCES}
    assert wanted <= copied, sorted(wanted - copied)
    assert not [name for name in copied if Path(name).suffix in C_SOURCES]


def _run(*command):
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_a_wheel_built_from_the_sdist_holds_the_kernels(tmp_path):
    pytest.importorskip("setuptools")
    dist = tmp_path / "dist"
    _run(
        sys.executable,
        "setup.py",
        "-q",
        "egg_info",
        "--egg-base",
        str(tmp_path),
        "sdist",
        "--dist-dir",
        str(dist),
    )
    (sdist_path,) = dist.glob("*.tar.gz")
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        str(dist),
        str(sdist_path),
    )
    with tarfile.open(sdist_path) as sdist:
        in_sdist = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert _package_files() <= in_sdist
    assert not [
        name for name in in_sdist if name.startswith("tests/") or Path(name).suffix in BUILT
    ]
    with zipfile.ZipFile(next(dist.glob("*.whl"))) as wheel:
        in_wheel = set(wheel.namelist())
    kernels = [name for name in in_wheel if Path(name).name.startswith("_ckernel_base.")]
    assert kernels, "the wheel holds no compiled kernel (is there a C compiler?)"
    with zipfile.ZipFile(next(dist.glob("*.whl"))) as wheel:
        kernel = Path(wheel.extract(kernels[0], tmp_path / "wheel"))
    # The kernels record the sources they were built from (load() compares them where
    # the sources are beside the kernels, in a source checkout).
    spec = importlib.util.spec_from_file_location("sknielsen.engine._ckernel_base", kernel)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    recorded = module.SOURCE_DIGEST
    assert recorded == source_digest(ROOT / "sknielsen" / "engine")
    assert "sknielsen/studies/_book_records/overfitting.json" in in_wheel
    assert not [name for name in in_wheel if Path(name).suffix in C_SOURCES]


def test_a_build_with_a_setuptools_too_old_says_which_it_needs(tmp_path):
    # `pip install --no-build-isolation` builds with the environment's setuptools:
    # Python 3.10's and 3.11's venvs hold 65, which failed on pyproject.toml's
    # license with a schema error that named no version.
    fake = tmp_path / "setuptools"
    fake.mkdir()
    (fake / "__init__.py").write_text(
        '__version__ = "65.5.0"\n'
        "def setup(**kwargs):\n"
        "    raise AssertionError('setup() ran')\n"
        "class Extension:\n"
        "    def __init__(self, *args, **kwargs):\n"
        "        pass\n"
    )
    result = subprocess.run(
        [sys.executable, "setup.py", "--version"],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "setuptools 77 or later" in result.stderr, result.stderr
    assert "65.5.0" in result.stderr and "setup() ran" not in result.stderr


def test_the_python_versions_classified_are_those_required_and_supported():
    # pip's and PyPI's readers see the versions from the classifiers; each of these
    # was installed and fitted on (the install sweep's smoke test: 3.10 to 3.13).
    tomllib = pytest.importorskip("tomllib")  # Python 3.11

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    prefix = "Programming Language :: Python :: 3."
    minors = sorted(int(c[len(prefix) :]) for c in project["classifiers"] if c.startswith(prefix))
    assert project["requires-python"] == f">=3.{minors[0]}"
    assert minors == list(range(minors[0], minors[-1] + 1)) and minors[-1] >= 13
