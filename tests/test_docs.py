"""Every Python code block of README.md and docs/ runs, so the docs cannot rot."""

import ast
import copy
import json
import re
from pathlib import Path

import pytest
from public_modules import public_module_names

from sknielsen.plugins import _registry

ROOT = Path(__file__).resolve().parents[1]
# docs/tutorial.md's blocks run in tests/test_tutorial.py, whose outputs must be the page's
# line for line: a second run here only took the suite 8 s longer.
DOCUMENTS = [
    ROOT / "README.md",
    *sorted(p for p in (ROOT / "docs").glob("*.md") if p.name != "tutorial.md"),
]


def _prose(path):
    """The text of ``path`` under the repository, its whitespace collapsed as a reader sees it."""
    return " ".join((ROOT / path).read_text(encoding="utf-8").split())


def _results(path):
    """The results file ``path`` under the repository, read."""
    return json.loads((ROOT / path).read_text(encoding="utf-8"))


def _chapter3_runs():
    """The three saved runs of ``benchmarks/book_chapter3.py``, by engine."""
    engines = {"c": "chapter3", "numba": "chapter3-numba", "numpy": "chapter3-numpy"}
    return {name: _results(f"benchmarks/results/{stem}.json") for name, stem in engines.items()}


def python_blocks(path):
    return re.findall(r"^```python\n(.*?)^```", path.read_text(encoding="utf-8"), flags=re.S | re.M)


@pytest.fixture
def isolated_registry(monkeypatch):
    monkeypatch.setattr(_registry, "_REGISTRY", copy.deepcopy(_registry._REGISTRY))


def documented_outputs(block):
    """What a block says its prints print: the comment lines right after a ``print(...)``.

    ``print(x)`` followed by ``# 0.973`` says that it prints ``0.973``; a
    comment after several prints gives their outputs in turn, over as many
    lines as it takes. A comment that begins with ``...`` goes on with the
    prose, not an output. Each is returned with its whitespace collapsed.
    """
    lines = block.splitlines()
    outputs = []
    for statement in ast.parse(block).body:
        call = statement.value if isinstance(statement, ast.Expr) else None
        if not (isinstance(call, ast.Call) and getattr(call.func, "id", None) == "print"):
            continue
        comment = []
        for line in lines[statement.end_lineno :]:
            if not line.startswith("#"):
                break
            comment.append(line[1:].strip())
        if comment and not comment[0].startswith("..."):
            outputs.append(" ".join(" ".join(comment).split()))
    return outputs


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_code_blocks_run(path, isolated_registry, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    namespace = {}
    for block in python_blocks(path):
        exec(compile(block, str(path), "exec"), namespace)
        printed = " ".join(capsys.readouterr().out.split())
        missing = [output for output in documented_outputs(block) if output not in printed]
        assert not missing, f"{path.name} documents outputs its code does not print: {missing}"


def test_readme_has_code_to_run():
    assert len(python_blocks(ROOT / "README.md")) >= 2


#: The modules whose ``__all__`` is the public API.
PUBLIC_MODULES = public_module_names()  # the site's API pages list them


def test_every_public_name_is_in_the_api_reference():
    import importlib

    api = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    missing = []
    for name in PUBLIC_MODULES:
        module = importlib.import_module(name)
        assert f"`{name}`" in api, f"no section for {name}"
        missing += [f"{name}.{n}" for n in module.__all__ if f"`{n}" not in api]
    assert not missing, f"undocumented public names: {missing}"


def _free_names(examples):
    """The names a docstring's examples read before any of them binds or imports them."""
    import builtins

    bound, free = set(dir(builtins)), set()
    for example in examples:
        try:
            tree = ast.parse(example.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):  # bindings first: a comprehension reads what it binds
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                bound.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                bound.add(node.name)
            elif isinstance(node, ast.arg):
                bound.add(node.arg)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                bound.add(node.name)
        free |= {
            node.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
        } - bound
    return free


def test_every_public_docstring_example_imports_what_it_uses():
    """Pasted into a fresh session, an example runs: no name comes from the module's globals.

    The suite's doctests run with the module's globals, where ``BookRandom(0)``
    needs no import; pasted, it raised NameError.
    """
    import doctest
    import importlib
    import inspect

    finder = doctest.DocTestFinder(recurse=False)
    unbound = {}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            members = [(name, obj)]
            if inspect.isclass(obj):
                members += [
                    (f"{name}.{key}", value)
                    for key, value in vars(obj).items()
                    if callable(value) and not key.startswith("_")
                ]
            for label, member in members:
                for test in finder.find(member, label, globs={}):
                    free = _free_names(test.examples)
                    if free:
                        unbound[f"{module_name}.{label}"] = sorted(free)
    assert not unbound, unbound


def test_the_estimator_docstring_names_every_built_in_plugin():
    """The parameter docs list what the registries hold, so neither can drift."""
    from sknielsen import NielsenMLPClassifier, plugins

    doc = NielsenMLPClassifier.__doc__
    for kind in plugins.kinds():
        for name in plugins.available(kind):
            if plugins.get_class(kind, name).__module__.startswith("sknielsen.plugins"):
                assert f"``'{name}'``" in doc, f"{kind} {name!r} missing from the docstring"


def test_readme_marks_the_blocks_that_ci_runs_verbatim():
    """.ci/run executes these blocks as they stand: the set-up with the main command, the tests."""
    import runpy

    blocks_module = runpy.run_path(str(ROOT / ".ci" / "readme_blocks.py"))
    blocks = blocks_module["marked_blocks"]((ROOT / "README.md").read_text(encoding="utf-8"))
    assert blocks == [
        "pip install -e . && python -m sknielsen",
        'pip install -e ".[test]" && python -m pytest',
    ]


def test_the_version_is_the_changelogs_latest():
    """__version__ and the newest CHANGELOG.md section agree, so a release cannot skip it."""
    import sknielsen

    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, flags=re.M)
    assert versions and versions[0] == sknielsen.__version__
    assert "CHANGELOG.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def _book_speedups(measured, name):
    """{dtype: × the minimal NumPy loop} of a benchmark's row ``name`` at the book's workload."""
    return {
        row["dtype"]: row["speedup_vs_minimal_loop"]
        for row in measured["rows"]
        if row["name"] == name and row["mini_batch_size"] == 10 and row["sizes"] == [784, 30, 10]
    }


def test_the_readmes_claims_are_what_the_code_and_the_measurements_say(monkeypatch):
    """check_estimator's expected failures, the build time and the C engine's speed, as measured."""
    import sklearn

    from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor
    from sknielsen.utils import expected_failed_checks

    readme = _prose("README.md")
    performance = _prose("docs/performance.md")
    assert "One check is expected to fail, `check_sample_weight_equivalence`" in readme
    for estimator in (NielsenMLPClassifier, NielsenMLPRegressor):
        mini_batch = set(expected_failed_checks(estimator()))
        assert {name.rsplit("_on_", 1)[0] for name in mini_batch} == {
            "check_sample_weight_equivalence"
        }
        assert {name.rsplit("_on_", 1)[1] for name in mini_batch} == {"dense_data", "sparse_data"}
        for version in ("1.6.0", "1.7.0"):
            monkeypatch.setattr(sklearn, "__version__", version)
            assert expected_failed_checks(estimator(mini_batch_size=100_000)) == {}
            assert expected_failed_checks(estimator(optimizer="lbfgs")) == {}
    assert "Full-batch configurations (L-BFGS, and gradient descent" in readme
    assert "pass every check, on every supported scikit-learn" in readme
    c_speed = _results("benchmarks/results/c_speed.json")
    assert f"about {c_speed['build']['seconds']:.0f} s here, for three builds" in readme
    assert f"in parallel in {c_speed['build']['seconds']:.1f} s on this 2-core" in performance
    mini_batch_10 = _book_speedups(c_speed, "C engine, CSR")
    assert (
        f"{mini_batch_10['float64']:.1f}× (float64) to {mini_batch_10['float32']:.1f}× (float32)"
        in readme
    )
    # Why the numba engine was retired, in the numbers each engine's benchmark recorded.
    numba = _results("benchmarks/results/compiled_speed.json")
    numba_10 = _book_speedups(numba, "estimator, numba, CSR")
    assert (
        f"{mini_batch_10['float64']:.2f}× (float64) and {mini_batch_10['float32']:.2f}× "
        "(float32) the minimal NumPy loop measured in the same run "
        "(`benchmarks/results/c_speed.json`), where the numba engine gave "
        f"{numba_10['float64']:.2f}× and {numba_10['float32']:.2f}×"
    ) in performance
    assert f"compile of {numba['compile']['empty_cache_seconds']:.1f} s" in performance
    compile_seconds = f"compile at a first fit ({numba['compile']['empty_cache_seconds']:.0f} s"
    assert compile_seconds in readme
    # The retired engine's measurements, and what replaced it, are in the measurement log.
    assert (
        "the C engine ([performance.md](performance.md#the-c-engine): "
        f"{mini_batch_10['float64']:.2f}× in float64 and "
        f"{mini_batch_10['float32']:.2f}× in float32 at mini-batch 10"
    ) in _prose("docs/performance-log.md")


def test_the_table_beside_the_frameworks_is_the_measured_one():
    """performance.md's table beside PyTorch, JAX and scikit-learn is frameworks.json's.

    Reads the saved measurement only: PyTorch and JAX are not needed here.
    """

    measured = _results("benchmarks/results/frameworks.json")
    performance = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    lines = performance.split("\n## Beside PyTorch, JAX and scikit-learn\n")[1].splitlines()
    columns = [("float64", 10), ("float32", 10), ("float64", 100), ("float32", 100)]
    assert measured["n_train"] == 50_000 and measured["command"] in "\n".join(lines)
    for row in measured["rows"]:
        line = next(line for line in lines if line.startswith(f"| {row['name']}"))
        cell = line.split("|")[2 + columns.index((row["dtype"], row["mini_batch_size"]))]
        assert f"{row['median_cpu_seconds']:.3f} (" in cell, (row["name"], cell)
        assert f"{row['speedup_vs_minimal_loop']:.2f}×" in cell, (row["name"], cell)


def test_the_chapter3_tables_are_the_measured_ones(monkeypatch):
    """chapter3.md shows the saved run's table and, beside it, the retired numba engine's."""

    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import book_chapter3

    results = ROOT / "benchmarks" / "results"
    chapter3 = (ROOT / "docs" / "chapter3.md").read_text(encoding="utf-8")
    new = json.loads((results / "chapter3.json").read_text())
    numba = json.loads((results / "chapter3-numba.json").read_text())
    assert (results / "chapter3.md").read_text(encoding="utf-8") in chapter3
    assert book_chapter3.beside(new, numba, "c", "numba") in chapter3
    assert f"this table: {new['seconds'] / 60:.1f} minutes here" in chapter3


def _documented_signatures(text, names):
    """``(name, args)`` of each ```Name(...)``` of ``names`` heading a table row or a list item."""
    heads = [line.split("|")[1] for line in text.splitlines() if line.startswith("| `")]
    heads += [line.split(" — ")[0] for line in text.splitlines() if line.startswith("- `")]
    return [
        (name, args)
        for name, args in re.findall(r"`(\w+)\(([^`]*)\)`", "\n".join(heads))
        if name in names and "=" in args
    ]


def test_the_callbacks_signatures_shown_are_the_code_s():
    """callbacks.md's table and api.md show each built-in callback's parameters and defaults."""
    import ast
    import inspect

    from sknielsen import callbacks

    documented = []
    for page in ("callbacks.md", "api.md"):
        text = (ROOT / "docs" / page).read_text(encoding="utf-8")
        documented += _documented_signatures(text, set(callbacks.__all__))
    assert len(documented) >= 10
    for name, args in documented:
        call = ast.parse(f"f({args})", mode="eval").body
        shown = {arg.id: inspect.Parameter.empty for arg in call.args}
        shown.update(
            {kw.arg: eval(compile(ast.Expression(kw.value), name, "eval")) for kw in call.keywords}
        )
        parameters = inspect.signature(getattr(callbacks, name)).parameters.values()
        actual = {p.name: p.default for p in parameters}
        assert shown == actual, (name, args)


def _shown_parameters(args, namespace):
    """``[(name, kind, default)]`` of the parameters ``args`` shows, and whether it shows them all.

    ``args`` is written as a ``def`` writes them (``X, *, copies=4``); a ``...``
    stands for parameters left out.
    """
    import inspect

    partial = "..." in args
    args = ", ".join(part for part in args.split(", ") if part.strip() != "...")
    (function,) = ast.parse(f"def f({args}): pass").body
    spec = function.args
    shown = []
    positional = spec.posonlyargs + spec.args
    defaults = [inspect.Parameter.empty] * (len(positional) - len(spec.defaults)) + spec.defaults
    for arg, default in zip(positional, defaults):
        shown.append((arg.arg, "positional", default))
    if spec.vararg:
        shown.append((spec.vararg.arg, "*", inspect.Parameter.empty))
    for arg, default in zip(spec.kwonlyargs, spec.kw_defaults):
        shown.append((arg.arg, "keyword", default or inspect.Parameter.empty))
    if spec.kwarg:
        shown.append((spec.kwarg.arg, "**", inspect.Parameter.empty))

    def value(node):
        if node is inspect.Parameter.empty:
            return node
        if isinstance(node, ast.Call) and not (node.args or node.keywords):
            node = node.func  # started=time.perf_counter(): made by that call, as it is called
            return _Factory(eval(compile(ast.Expression(node), "api.md", "eval"), dict(namespace)))
        return eval(compile(ast.Expression(node), "api.md", "eval"), dict(namespace))

    return [(name, kind, value(default)) for name, kind, default in shown], partial


def _actual_parameters(obj):
    """``[(name, kind, default)]`` of ``obj``'s signature; a dataclass field's factory as made."""
    import dataclasses
    import inspect

    factories = {}
    if dataclasses.is_dataclass(obj):
        factories = {
            f.name: f.default_factory
            for f in dataclasses.fields(obj)
            if f.default_factory is not dataclasses.MISSING
        }
    kinds = {
        inspect.Parameter.POSITIONAL_ONLY: "positional",
        inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional",
        inspect.Parameter.VAR_POSITIONAL: "*",
        inspect.Parameter.KEYWORD_ONLY: "keyword",
        inspect.Parameter.VAR_KEYWORD: "**",
    }
    return [
        (p.name, kinds[p.kind], _Factory(factories[p.name]) if p.name in factories else p.default)
        for p in inspect.signature(obj).parameters.values()
    ]


class _Factory:
    """A default made afresh by ``make`` at each call (a dataclass field's factory)."""

    def __init__(self, make):
        self.make = make


def _same_default(shown, actual):
    if isinstance(actual, _Factory):  # shown as the call, or as what it makes: {} or []
        if isinstance(shown, _Factory):
            return shown.make is actual.make
        made = actual.make()
        return type(shown) is type(made) and shown == made
    if isinstance(shown, _Factory):
        return False
    if isinstance(actual, type):  # dtype=float64
        return shown is actual
    return (type(shown) is type(actual) and shown == actual) or (
        isinstance(shown, (int, float)) and isinstance(actual, float) and shown == actual
    )


def test_the_api_pages_signatures_are_the_code_s():
    """Each ```name(...)``` heading an item of api.md shows its parameters, kinds and defaults.

    The page said ``planned_runs(..., subset=, deterministic=)`` of keyword-only
    parameters with defaults, and ``check_gradients(*, cost, activation, ...)``
    as if they had none.
    """
    import importlib
    import time

    import numpy as np

    namespace = {"float64": np.float64, "float32": np.float32, "time": time}
    api = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    checked, wrong = 0, []
    for section in re.split(r"^## ", api, flags=re.M)[1:]:
        module = re.match(r"`([\w.]+)`", section)
        if module is None:  # "Command line"
            continue
        module = importlib.import_module(module[1])
        heads = [line.split(" — ")[0] for line in section.splitlines() if line.startswith("- `")]
        for name, args in re.findall(r"`(\w+)\(([^`]*)\)`", "\n".join(heads)):
            shown, partial = _shown_parameters(args, namespace)
            actual = _actual_parameters(getattr(module, name))
            if partial:  # the parameters shown, in their order, among the actual ones
                names = [parameter[0] for parameter in shown]
                actual = [parameter for parameter in actual if parameter[0] in names]
            same = len(shown) == len(actual) and all(
                s[:2] == a[:2] and _same_default(s[2], a[2]) for s, a in zip(shown, actual)
            )
            checked += 1
            if not same:
                wrong.append((name, args))
    assert checked >= 40
    assert not wrong, f"api.md shows signatures the code does not have: {wrong}"


def test_the_c_engine_on_a_processor_with_avx2_only_is_the_measured_one():
    """performance.md's table of the AVX2 processor, its command and its ratios, from its file."""
    measured = _results("benchmarks/results/c_speed-avx2.json")
    page = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    heading = "### Measured on a processor with AVX2 only"
    section = page.split(f"\n{heading}\n")[1].split("\n### ")[0]
    prose = " ".join(section.split())
    assert measured["processor"]["vectors"] == "avx2" and measured["variant"] == "x86-64-v3"
    caches = measured["processor"]["caches"]
    assert f"{caches['L1d'][:-1]} KiB of L1d and {caches['L2'][:-1]} KiB of L2 a core" in prose
    assert f"{measured['command']}   # {measured['total_seconds'] / 60:.1f} min here" in section
    loads = sorted(measured["load_average"])
    assert f"at a load of {loads[0]:.1f}–{loads[-1]:.1f}" in prose
    rows = {
        (r["dtype"], r["mini_batch_size"], tuple(r["sizes"]), r["name"]): r
        for r in measured["rows"]
    }
    columns = ["minimal NumPy loop", "NumPy engine", "C engine, CSR", "C engine, dense"]
    columns.append("C engine, CSR, later epochs")
    lines = [line for line in section.splitlines() if line.startswith("| float")]
    assert len(lines) == len({key[:3] for key in rows})
    ratio = {}
    for line in lines:
        dtype, batch, sizes, *cells = (c.strip().strip("*") for c in line.strip("|").split("|"))
        key = (dtype, int(batch), tuple(json.loads(sizes)))
        seconds = [f"{rows[(*key, name)]['median_seconds']:.3f}" for name in columns]
        ratio[key] = f"{rows[(*key, 'C engine, CSR')]['speedup_vs_minimal_loop']:.2f}"
        later = f"{rows[(*key, 'C engine, CSR, later epochs')]['speedup_vs_minimal_loop']:.2f}"
        assert cells[:7] == [*seconds, ratio[key], later], key
    book = (784, 30, 10)
    met = ", ".join(ratio[key] + "×" for key in [("float64", 10, book), ("float32", 10, book)])
    assert f"({met} and {ratio[('float64', 10, (784, 100, 10))]}× for the one-epoch fit)" in prose
    missed = f"{ratio[('float64', 100, book)]}× and {ratio[('float32', 100, book)]}×"
    assert f"are not ({missed} against 2.5× and 3×)" in prose
    floor = [rows[("float64", batch, book, "minimal NumPy loop")] for batch in (10, 100)]
    assert f"from {floor[0]['median_seconds']:.3f} s to {floor[1]['median_seconds']:.3f} s" in prose


def test_the_c_engine_tables_are_the_measured_ones():
    """performance.md's C engine and two-thread tables, and the times quoted beside them."""

    results = ROOT / "benchmarks" / "results"
    performance = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    c_speed = json.loads((results / "c_speed.json").read_text())
    threads = json.loads((results / "c_speed-threads.json").read_text())

    def rows(measured):
        return {
            (r["dtype"], r["mini_batch_size"], tuple(r["sizes"]), r["name"]): r
            for r in measured["rows"]
        }

    def table(heading):
        text = performance.split(f"\n{heading}\n")[1].split("\n#")[0]
        return [
            [cell.strip().strip("*") for cell in line.strip("|").split("|")]
            for line in text.splitlines()
            if line.startswith("| float")
        ]

    speed, columns = rows(c_speed), ["minimal NumPy loop", "NumPy engine", "C engine, CSR"]
    columns += ["C engine, dense", "C engine, CSR, later epochs"]
    measured = table("### Measured")
    assert len(measured) == len({key[:3] for key in speed})
    for dtype, batch, sizes, *cells in measured:
        key = (dtype, int(batch), tuple(json.loads(sizes)))
        seconds = [f"{speed[(*key, name)]['median_seconds']:.3f}" for name in columns]
        ratios = [f"{speed[(*key, name)]['speedup_vs_minimal_loop']:.2f}" for name in columns[2::2]]
        assert cells[:7] == seconds + ratios, key

    two, team_table = rows(threads), table("### Two threads: `n_jobs`")
    assert len(team_table) == len({key[:3] for key in two})
    for dtype, batch, sizes, one, team in team_table:
        key = (dtype, int(batch), tuple(json.loads(sizes)))
        assert one == f"{two[(*key, 'C engine, CSR')]['speedup_vs_minimal_loop']:.2f}", key
        assert team == f"{two[(*key, 'C engine, CSR, n_jobs=2')]['speedup_vs_minimal_loop']:.2f}"
    wide = ("float64", 10, (784, 100, 10))
    team_ms = two[(*wide, "C engine, CSR, n_jobs=2")]["median_seconds"] * 1000
    one_ms = two[(*wide, "C engine, CSR")]["median_seconds"] * 1000
    assert f"({team_ms:.1f} ms against {one_ms:.1f} ms)" in performance


@pytest.mark.parametrize(
    ("results", "page"),
    [
        ("speed.md", "performance.md"),
        ("optimizers.md", "optimizers.md"),
        ("regression.md", "regression.md"),
        ("augmentation.md", "expanding-data.md"),
        ("tuning_walk.md", "tutorial.md"),
    ],
)
def test_a_page_shows_the_table_its_benchmark_wrote(results, page):
    """The tables a benchmark saved beside its JSON are the ones its page shows."""
    table = (ROOT / "benchmarks" / "results" / results).read_text(encoding="utf-8").strip()
    assert table in (ROOT / "docs" / page).read_text(encoding="utf-8")


def test_every_name_the_api_page_lists_is_public():
    """The names heading api.md's items are in their module's ``__all__``, so in the reference."""
    import importlib

    api = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    private = []
    for section in re.split(r"^## ", api, flags=re.M)[1:]:
        module = re.match(r"`([\w.]+)`", section)
        if module is None:  # "Command line"
            continue
        public = set(importlib.import_module(module[1]).__all__)
        for line in section.splitlines():
            if line.startswith("- `"):
                heads = re.findall(r"`(\w+)(?:\(|`)", line.split(" — ")[0])
                private += [f"{module[1]}.{name}" for name in heads if name not in public]
    assert not private, f"listed in docs/api.md, not in __all__: {private}"


def _percent(fraction, digits=1):
    return f"{100 * fraction:.{digits}f} %"


def test_the_expanding_data_prose_is_the_measured_one():
    """expanding-data.md's accuracies and costs, as augmentation.json holds them."""

    measured = _results("benchmarks/results/augmentation.json")
    page = _prose("docs/expanding-data.md")
    runs = {(r["n_train"], r["augment"]): r for r in measured["records"]}
    augmenters = ("rotate", "shift", "elastic")
    assert f"# {measured['minutes']:.1f} minutes here, on {measured['date'][:10]}" in page
    for n_train, text in ((1000, "1,000"), (50_000, "50,000")):
        run = runs[n_train, "none"]
        assert f"with {text} images λ = {run['lmbda']:g} and {run['epochs']} epochs" in page

    small = {name: _percent(runs[1000, name]["test_accuracy"]) for name in ("none", *augmenters)}
    assert (
        f"Elastic distortions take the test accuracy from {small['none']} to "
        f"{small['elastic']}, shifts to {small['shift']} and rotations to {small['rotate']}"
    ) in page
    fitted = _percent(runs[1000, "none"]["training_accuracy"], 0)
    assert f"stops at {small['none']} with {fitted} training accuracy" in page

    large = {name: runs[50_000, name] for name in ("none", *augmenters)}
    for key in ("test_accuracy", "training_accuracy"):
        with_augmenter = sorted(large[name][key] for name in augmenters)
        low, high = _percent(with_augmenter[0]), _percent(with_augmenter[-1])
        assert f"{low.removesuffix(' %')}–{high}" in page, key
        assert _percent(large["none"][key]) in page, key

    # The distortions' cost: a fit's seconds beyond the undistorted fit's, over its
    # mini-batches of 10 images (as benchmarks/augmentation.py trains).
    mini_batches = large["none"]["epochs"] * 50_000 / 10
    step_ms = large["none"]["seconds"] / mini_batches * 1000
    extra_ms = {
        n: (large[n]["seconds"] - large["none"]["seconds"]) / mini_batches * 1000
        for n in augmenters
    }
    assert sorted(extra_ms, key=extra_ms.get) == ["shift", "rotate", "elastic"]
    assert (
        f"{extra_ms['shift']:.1f}–{extra_ms['elastic']:.1f} ms each "
        "(`shift` < `rotate` < `elastic`; the 50,000-image fits' seconds beyond the "
        f"undistorted fit's, over their {mini_batches:,.0f} mini-batches), "
        f"{extra_ms['shift'] / step_ms:.0f} to {extra_ms['elastic'] / step_ms:.0f} times "
        f"the {step_ms:.2f} ms of the training step itself"
    ) in page
    epoch_seconds = {n: large[n]["seconds"] / large[n]["epochs"] for n in large}
    assert (
        f"takes {epoch_seconds['shift']:.1f} s with `shift` and "
        f"{epoch_seconds['elastic']:.1f} s with `elastic` instead of {epoch_seconds['none']:.1f} s"
    ) in page


def test_the_book_replay_page_is_the_one_its_benchmark_writes(monkeypatch):
    """book-replay.md is `python benchmarks/book_replay.py --table-only`'s, from the JSONs."""

    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import book_replay

    records = _results("benchmarks/results/book_replay.json")
    page = (ROOT / "docs" / "book-replay.md").read_text(encoding="utf-8")
    assert book_replay.page(records["records"]) == page


def _exponent(value, digits):
    """``value`` as the pages write it in scientific notation: 2.2e-5, not 2.2e-05."""
    return f"{value:.{digits}e}".replace("e-0", "e-")


def test_the_book_replay_prose_is_the_measured_one():
    """The numbers book-replay.md's prose draws from its two results files and the criteria."""
    import math

    from sknielsen.studies import _book as book

    results = ROOT / "benchmarks" / "results"
    page = _prose("docs/book-replay.md")
    runs = json.loads((results / "book_replay_sensitivity.json").read_text())["runs"]
    control = runs["regularized_full"]["summary"]
    nudged = control["exact_vs_nudged"]
    assert nudged["max_difference"] == 1 and nudged["compared"] - nudged["equal"] == 1
    assert (
        f"drift {_exponent(control['final_distance'], 1)} apart (relative) by epoch "
        f"{runs['regularized_full']['epochs']}, and one epoch ({nudged['first_unequal']}) "
        "lands one image off"
    ) in page

    # How many epochs our replay of overfitting_full follows the record, and the
    # book's own per-example algorithm too.
    replay = book.load_replay("overfitting_full", results / "book_replay.json")
    accuracy = next(s for s in replay.series if s.label == "test accuracy")
    first_off = int(accuracy.differences().nonzero()[0][0]) + 1
    assert runs["overfitting_full"]["summary"]["exact_vs_book"]["first_unequal"] == first_off
    assert f"follows the record exactly for its first {first_off - 1} epochs" in page
    assert runs["multiple_eta_2.5"]["summary"]["exact_vs_book"]["first_unequal"] == 1
    assert "the η = 2.5 run not even for its first" in page

    # The η = 2.5 run's two starts part by ten decades in the first epoch: how many
    # mini-batches each decade takes.
    crossings = runs["multiple_eta_2.5"]["summary"]["first_epoch_crossings"]
    (first, start), *_, (last, end) = sorted(
        (math.log10(float(level)), at) for level, at in crossings.items()
    )
    assert f"tenfold every {(end - start) / (last - first):.0f} mini-batches or so" in page

    criterion = (
        f"({100 * book.MIN_EXACT_SHARE:.0f} % of the epochs equal, costs within "
        f"{_exponent(book.MAX_COST_RELATIVE_ERROR, 0)})"
    )
    assert f"Issue 12's criterion {criterion}" in page


def test_a_page_gives_its_benchmark_s_run_time_and_date_as_measured():
    """The "(N s here, on DATE)" beside a benchmark's command is its results file's."""

    results = ROOT / "benchmarks" / "results"
    regression = json.loads((results / "regression.json").read_text())
    page = _prose("docs/regression.md")
    assert f"({regression['seconds']:.0f} s here, {regression['date'][:10]})" in page
    # optimizers.json keeps each fit's seconds, not the run's: their sum is its length.
    walk = json.loads((results / "tuning_walk.json").read_text())
    page = _prose("docs/tutorial.md")
    assert f"`{walk['command']}` ({walk['seconds']:.0f} s here, on {walk['date'][:10]})" in page
    optimizers = json.loads((results / "optimizers.json").read_text())
    minutes = sum(record["seconds"] for record in optimizers["records"]) / 60
    page = _prose("docs/optimizers.md")
    assert f"({minutes:.1f} minutes here, on {optimizers['date'][:10]};" in page


def _range(low, high, digits=0):
    """``low–high`` as the pages write a range, or one number where both round alike."""
    low, high = f"{low:.{digits}f}", f"{high:.{digits}f}"
    return low if low == high else f"{low}–{high}"


def test_the_kernel_and_the_fit_beside_the_frameworks_are_the_measured_ones():
    """performance.md's milliseconds of the C kernel alone and of a fit, from frameworks.json."""
    import math

    measured = _results("benchmarks/results/frameworks.json")
    page = _prose("docs/performance.md")
    ms = {
        (r["name"], r["dtype"], r["mini_batch_size"]): 1000 * r["median_cpu_seconds"]
        for r in measured["rows"]
    }

    def both_sizes(name, dtype):
        return [ms[name, dtype, batch] for batch in (10, 100)]

    kernel, fit = "sknielsen, C kernel alone, CSR", "sknielsen, C engine, CSR"
    kernel_64, kernel_32 = both_sizes(kernel, "float64"), both_sizes(kernel, "float32")
    assert (
        f"The kernel alone takes {_range(*sorted(kernel_64))} ms and "
        f"{_range(*sorted(kernel_32))} ms here"
    ) in page
    fit_64, fit_32 = both_sizes(fit, "float64"), both_sizes(fit, "float32")
    assert (
        f"the C engine takes {_range(*sorted(fit_64))} ms and {_range(*sorted(fit_32))} ms"
    ) in page
    # What a fit adds to the kernel, as the page bounds it: whole milliseconds around.
    between = [f - k for f, k in zip(fit_64 + fit_32, kernel_64 + kernel_32)]
    low, high = math.floor(min(between)), math.ceil(max(between))
    assert f"the {low}–{high} ms between kernel and estimator" in page


def test_the_mnist_comparison_s_times_are_the_measured_ones():
    """README.md and network-vs-svm.md time the MNIST study as its comparison.json does."""

    measured = _results("docs/comparison-mnist/comparison.json")
    readme = _prose("README.md")
    page = _prose("docs/network-vs-svm.md")
    minutes = f"{measured['seconds'] / 60:.1f} minutes"
    assert f"({minutes} on 2 cores" in readme
    assert f"It took **{minutes}** on this project's 2-core machine" in page
    schedule = measured["schedule"]
    assert (
        f"The jobs ran in {schedule['wall_seconds']:.1f} s on {schedule['workers']} workers, "
        f"{schedule['ratio']:.2f} × the least they could take: the longest job "
        f"({schedule['longest_job']}) took {schedule['critical_path_seconds']:.1f} s, "
        f"all jobs {schedule['job_seconds']:.1f} s ({schedule['bound_seconds']:.1f} s a worker)."
    ) in page

    network = {}
    for record in measured["records"]:
        if record["estimator"] == "network":
            network.setdefault(record["size"], []).append(record["fit_seconds"])
    small = [s for size in (100, 200) for s in network[size]]
    large = [s for size, seconds in network.items() if size >= 500 for s in seconds]
    assert (
        f"{_range(min(large), max(large), 1)} s a fit from 500 images on, and "
        f"{_range(min(small), max(small))} s at 100 and 200 images"
    ) in page
    svm = {
        record["estimator"]: record
        for record in measured["records"]
        if record["estimator"] != "network" and record["size"] == 50_000
    }
    default, auto = svm["SVC()"], svm["SVC(gamma='auto')"]
    assert (
        f"({default['fit_seconds'] / 60:.1f} minutes at 50,000 for `SVC()`, "
        f'{auto["fit_seconds"] / 60:.1f} for `gamma="auto"`'
    ) in page
    assert (
        f"({default['predict_seconds'] / 60:.1f} and {auto['predict_seconds'] / 60:.1f} "
        "minutes for 20,000 images at N = 50,000)"
    ) in page


def test_the_optimizers_prose_is_the_measured_one():
    """optimizers.md's costs per epoch and Newton's iterations, as optimizers.json holds them."""
    import statistics

    measured = _results("benchmarks/results/optimizers.json")
    page = _prose("docs/optimizers.md")
    runs = {}
    for record in measured["records"]:
        runs.setdefault(record["optimizer"], []).append(record)

    def epoch_seconds(name):
        return statistics.median(r["seconds"] / r["epochs_run"] for r in runs[name])

    first_order = [1000 * epoch_seconds(name) for name in ("sgd", "momentum", "nesterov", "adam")]
    assert f"cost the same ({_range(min(first_order), max(first_order))} ms for 1,198" in page
    newton = statistics.median(r["epochs_to_target"] for r in runs["newton"])
    assert f"Newton reaches 95 % in {newton:.0f} iterations" in page
    times = epoch_seconds("newton") / epoch_seconds("sgd")
    assert f"{epoch_seconds('newton'):.1f} s): about {round(times, -3):,.0f} times" in page


def test_the_speed_quoted_beside_scikit_learn_is_the_measured_one():
    """comparison.md's and index.md's speed-ups over MLPClassifier: speed.json's (NumPy engine)."""

    measured = _results("benchmarks/results/speed.json")
    page = _prose("docs/comparison.md")
    ours = [row for row in measured["rows"] if row["name"] == "sknielsen"]
    book = {r["dtype"]: r["speedup_vs_sklearn"] for r in ours if r["mini_batch_size"] == 10}
    at_100 = sorted(r["speedup_vs_sklearn"] for r in ours if r["mini_batch_size"] == 100)
    assert (
        f"ours is {book['float64']:.1f}× (float64) and {book['float32']:.1f}× (float32) faster "
        f"at mini-batch 10 and {_range(at_100[0], at_100[-1], 1)}× at mini-batch 100 "
        f"(`{measured['command']}`, {measured['date'][:10]}, before the C engine)"
    ) in page
    # index.md rounds both dtypes down to whole times.
    whole = {int(speedup) for speedup in book.values()}
    assert len(whole) == 1
    assert f"in NumPy {whole.pop()}× faster than `MLPClassifier` per epoch" in _prose(
        "docs/index.md"
    )


def test_the_readmes_later_epochs_are_the_measured_ones():
    """The README's and the CHANGELOG's speed-ups at mini-batch 10 are c_speed.json's."""

    measured = _results("benchmarks/results/c_speed.json")
    readme = _prose("README.md")
    later = _book_speedups(measured, "C engine, CSR, later epochs")
    assert f"{later['float64']:.1f}× to {later['float32']:.1f}× in each later epoch" in readme
    avx2 = _results("benchmarks/results/c_speed-avx2.json")
    fit_avx2 = _book_speedups(avx2, "C engine, CSR")
    later_avx2 = _book_speedups(avx2, "C engine, CSR, later epochs")
    assert (
        f"({fit_avx2['float64']:.1f}× to {fit_avx2['float32']:.1f}×, and "
        f"{later_avx2['float64']:.1f}× to {later_avx2['float32']:.1f}×, on one with AVX2 only"
    ) in readme
    # The CHANGELOG's entry for the C engine quotes the same run.
    fit = _book_speedups(measured, "C engine, CSR")
    assert (
        f"trains {fit['float64']:.1f}× (float64) to {fit['float32']:.1f}× (float32) as fast as "
        f"the minimal NumPy loop in a one-epoch fit, {later['float64']:.1f}× to "
        f"{later['float32']:.1f}× in the later epochs of a fit (`{measured['command']}`, "
        f"{measured['date'][:10]},"
    ) in _prose("CHANGELOG.md")


def test_the_design_notes_compare_the_engines_as_measured():
    """design-notes.md's C engine against numba: c_speed.json's and compiled_speed.json's ratios."""

    results = ROOT / "benchmarks" / "results"
    page = _prose("docs/design-notes.md")
    c_speed = json.loads((results / "c_speed.json").read_text())
    numba = json.loads((results / "compiled_speed.json").read_text())

    def speedups(measured, name, batch):
        return {
            row["dtype"]: f"{row['speedup_vs_minimal_loop']:.2f}×"
            for row in measured["rows"]
            if row["name"] == name
            and row["mini_batch_size"] == batch
            and row["sizes"] == [784, 30, 10]
        }

    c_10, c_100 = (speedups(c_speed, "C engine, CSR", batch) for batch in (10, 100))
    numba_10, numba_100 = (speedups(numba, "estimator, numba, CSR", b) for b in (10, 100))
    assert (
        f"at mini-batch 10, {c_10['float64']} (float64) and {c_10['float32']} (float32) the "
        "minimal NumPy loop (`benchmarks/results/c_speed.json`;"
    ) in page
    assert f"against numba's {numba_10['float64']} and {numba_10['float32']}" in page
    assert (
        f"({c_100['float64']}, {c_100['float32']}), where numba was slower "
        f"({numba_100['float64']}, {numba_100['float32']})"
    ) in page
    compile_seconds = numba["compile"]["empty_cache_seconds"]
    assert f"({compile_seconds:.1f} s for both, `benchmarks/results/compiled_speed.json`)" in page
    # MNIST's column indices, int32: the pixels numba's benchmark counted as non-zero.
    indices_mb = 50_000 * 784 * numba["nonzero_fraction"] * 4 / 1e6
    assert f"(MNIST's indices: {indices_mb:.0f} MB)" in page


def test_the_targets_of_issue_4_are_the_measured_ones():
    """performance.md's targets table, first epochs, memory and prediction: speed.json's."""

    measured = _results("benchmarks/results/speed.json")
    page = _prose("docs/performance.md")
    ours = {
        (r["dtype"], r["mini_batch_size"], tuple(r["sizes"])): r
        for r in measured["rows"]
        if r["name"] == "sknielsen"
    }
    book = {dtype: ours[dtype, 10, (784, 30, 10)] for dtype in ("float64", "float32")}
    assert (
        f"{book['float64']['speedup_vs_sklearn']:.2f}× (float64), "
        f"{book['float32']['speedup_vs_sklearn']:.2f}× (float32)"
    ) in page
    assert (
        f"{book['float64']['speedup_vs_book_loop']:.2f}× (float64), "
        f"{book['float32']['speedup_vs_book_loop']:.2f}× (float32)"
    ) in page

    def ratios(dtype):
        return ", ".join(
            f"{ours[dtype, batch, (784, 30, 10)]['ratio_to_minimal_loop']:.2f}"
            for batch in (10, 100)
        )

    larger = sorted(
        r["ratio_to_minimal_loop"] for key, r in ours.items() if key[2] != (784, 30, 10)
    )
    assert (
        f"{ratios('float64')} (float64); {ratios('float32')} (float32); "
        f"{_range(larger[0], larger[-1], 2)} for the larger networks"
    ) in page
    deep = ours["float32", 100, (784, 300, 100, 10)]
    assert f"{deep['percent_of_matmul_peak']:.1f} % ({deep['gflops']:.0f} GFLOP/s)" in page

    epochs = measured["epoch_seconds_of_one_fit"]
    for dtype in ("float64", "float32"):
        assert f"{dtype} {', '.join(f'{s:.3f}' for s in epochs[dtype])} s" in page, dtype
    memory, mib = measured["fit_peak_memory_bytes"], 2**20
    data = measured["n_train"] * 784 * 8 / mib
    assert (
        f"peak {memory['float64'] / mib:.1f} MiB allocated by a float64 fit on {data:.0f} MiB "
        f"of float64 data, {memory['float32'] / mib:.1f} MiB for float32"
    ) in page
    speed = measured["prediction_images_per_second"]
    assert (
        f"Prediction: {round(speed['float64'], -3):,.0f} images/s float64, "
        f"{round(speed['float32'], -3):,.0f} images/s float32"
    ) in page


def test_the_chapter3_seconds_are_the_measured_ones():
    """chapter3.md's seconds a run and minutes a table, from its three saved runs."""

    page = _prose("docs/chapter3.md")
    runs = _chapter3_runs()

    def seconds(name, *experiments):
        """The range of the rows' mean seconds a run, as the pages write it."""
        means = sorted(
            row["seconds"] for row in runs[name]["summary"] if row["experiment"] in experiments
        )
        return _range(means[0], means[-1], 1)

    narrow, wide = ("quadratic", "ce30", "ce30_l2"), ("ce100", "ce100_l2")
    small = ("small", "small_l2")
    assert (
        f"took {seconds('c', *narrow)} s for [784, 30, 10] (numba: {seconds('numba', *narrow)} s) "
        f"and {seconds('c', *wide)} s for [784, 100, 10] (numba: {seconds('numba', *wide)} s), "
        "the means of each row's ten seeds"
    ) in page
    minutes = {name: f"{run['seconds'] / 60:.1f}" for name, run in runs.items()}
    assert (
        f"the whole table took {minutes['c']} minutes against {minutes['numba']} on numba" in page
    )
    design_notes = _prose("docs/design-notes.md")
    assert (
        "100 runs gave the same accuracies as with NumPy's forward passes, "
        f"in {minutes['c']} minutes"
    ) in design_notes
    assert f"they took {seconds('c', *small)} s a run" in page
    assert f"{seconds('numba', *small)} s on numba)" in page
    assert (
        f"took {seconds('numpy', *narrow)} s and {seconds('numpy', *wide)} s a run, "
        f"{minutes['numpy']} minutes in all"
    ) in page


def test_the_fit_beside_its_later_epochs_is_the_measured_one():
    """performance.md's one-epoch fit against a later epoch, and the floor, from c_speed.json."""

    measured = _results("benchmarks/results/c_speed.json")
    page = _prose("docs/performance.md")
    seconds = {
        (r["name"], r["dtype"]): r["median_seconds"]
        for r in measured["rows"]
        if r["sizes"] == [784, 30, 10]
        and r["mini_batch_size"] == (100 if "loop" in r["name"] else 10)
    }
    gap = {
        dtype: 1000
        * (seconds["C engine, CSR", dtype] - seconds["C engine, CSR, later epochs", dtype])
        for dtype in ("float64", "float32")
    }
    assert (
        f"the one-epoch fit and a later epoch differ by {gap['float64']:.0f} ms (float64) and "
        f"{gap['float32']:.0f} ms (float32) in this table"
    ) in page
    floor = {dtype: seconds["minimal NumPy loop", dtype] for dtype in ("float64", "float32")}
    assert f"against {floor['float64']:.3f} and {floor['float32']:.3f} s here" in page


def test_the_speed_table_s_surroundings_are_the_measured_ones():
    """performance.md's run times, matmul peaks and prose beside the NumPy engine's table."""

    measured = _results("benchmarks/results/speed.json")
    quick = _results("benchmarks/results/speed-quick.json")
    page = _prose("docs/performance.md")
    assert f"# this table: {measured['total_seconds']:.0f} s here" in page
    assert f"# 10,000 images, 3 repeats: {quick['total_seconds']:.0f} s here" in page
    date = measured["date"]
    assert f"Measured on {date[:10]} ({date[11:16]} UTC)" in page
    peak = measured["matmul_gflops"]
    peaks = f"**{peak['float32']:.0f} GFLOP/s float32, {peak['float64']:.0f} GFLOP/s float64**"
    assert peaks in page
    assert f"{measured['epoch_flops_784_30_10'] / 1e9:.2f} GFLOP (forward pass" in page

    seconds = {
        (r["name"], r["dtype"]): r["median_seconds"]
        for r in measured["rows"]
        if r["mini_batch_size"] == 100 and r["sizes"] == [784, 30, 10]
    }
    ours, floor = seconds["sknielsen", "float64"], seconds["minimal NumPy loop", "float64"]
    assert f"({1000 * (ours - floor):.0f} ms of {ours:.1f} s in float64, in the table)" in page

    # The loss curve's share of an epoch: the saved quick run is one of the six quoted.
    low, high = 0.5, 1.2
    assert f"{low} to {high} % of a mini-batch-10 epoch" in page
    for share in quick["loss_curve_percent_of_batch_10_epoch"].values():
        assert low <= round(share, 1) <= high


def _by_row(measured):
    """{(name, dtype, mini-batch, sizes): row} of a benchmark's rows (or of its one network)."""
    return {
        (
            r["name"],
            r["dtype"],
            r["mini_batch_size"],
            tuple(r.get("sizes", measured.get("sizes"))),
        ): r
        for r in measured["rows"]
    }


def test_the_c_engine_s_prose_is_the_measured_one():
    """performance.md's run times, loads, gaps and ratios around the C engine's two tables."""

    c_speed = _results("benchmarks/results/c_speed.json")
    threads = _results("benchmarks/results/c_speed-threads.json")
    frameworks = _results("benchmarks/results/frameworks.json")
    dense = _results("benchmarks/results/dense_input.json")
    nonzero = _results("benchmarks/results/compiled_speed.json")["nonzero_fraction"]
    page = _prose("docs/performance.md")
    book = (10, (784, 30, 10))

    assert f"{100 * nonzero:.0f} % of MNIST's pixels" in page
    assert f"so {100 * (1 - nonzero):.0f} % of the first layer's arithmetic" in page
    entries = f"{50_000 * 784 * nonzero / 1e6:.1f} million"
    assert f"for MNIST's {entries} entries" in page
    assert f"for {entries} row visits of 30 weights" in _prose("docs/performance-log.md")
    assert f"--larger # {c_speed['total_seconds'] / 60:.1f} min here" in page
    assert f"quiet (load average {c_speed['load_average'][0]:.1f})" in page
    assert f"--no-build # {threads['total_seconds']:.0f} s here" in page
    loads = sorted(threads["load_average"])
    assert f"quiet machine (load {_range(loads[0], loads[-1], 1)}, wall clock" in page

    # The one-epoch fit at float64, mini-batch 10, against the 5× target.
    speed = _by_row(c_speed)
    fit = speed[("C engine, CSR", "float64", *book)]["median_seconds"]
    floor = speed[("minimal NumPy loop", "float64", *book)]["median_seconds"]
    assert f"float64 by {1000 * (fit - floor / 5):.1f} ms of a {1000 * fit:.0f} ms fit" in page

    # The same fits by the wall clock, one thread and two, and beside the frameworks.
    team = _by_row(threads)

    def ratios(rows, name, sizes=book):
        return [
            f"{rows[(name, d, *sizes)]['speedup_vs_minimal_loop']:.2f}×"
            for d in ("float64", "float32")
        ]

    one, two = ratios(team, "C engine, CSR"), ratios(team, "C engine, CSR, n_jobs=2")
    assert f"at 18:23, {one[0]} and {one[1]} on one thread, {two[0]} and {two[1]} with" in page
    beside = ratios(_by_row(frameworks), "sknielsen, C engine, CSR")
    assert f"pinned to one core, {beside[0]} and {beside[1]})" in page
    later = ratios(speed, "C engine, CSR, later epochs")[1]
    assert f"(float32 at mini-batch 10 {later}, " in page
    assert f"{ratios(team, 'C engine, CSR, later epochs')[1]} by the wall clock" in page
    configurations = [(d, 10, (784, 30, 10)) for d in ("float64", "float32")]
    configurations += [(d, 100, (784, 30, 10)) for d in ("float64", "float32")]
    configurations += [("float64", 10, (784, 100, 10))]
    later = [
        team[("C engine, CSR, later epochs", *c)]["speedup_vs_minimal_loop"] for c in configurations
    ]
    later = [f"{ratio:.2f}×" for ratio in later]
    assert f"later epochs, one thread: {', '.join(later[:4])} and {later[4]}." in page
    wide = ("float64", 10, (784, 100, 10))
    team_ms = 1000 * team[("C engine, CSR, n_jobs=2", *wide)]["median_seconds"]
    one_ms = 1000 * team[("C engine, CSR", *wide)]["median_seconds"]
    assert f"a loss of {100 * (team_ms / one_ms - 1):.0f} % ({team_ms:.1f} ms against" in page

    # Dense input: the table's dense column against its CSR one, and dense_input.py's run.
    extra = [
        1000 * (row["median_seconds"] - speed[("C engine, CSR", *key[1:])]["median_seconds"])
        for key, row in speed.items()
        if key[0] == "C engine, dense" and key[3] in ((784, 30, 10), (784, 100, 10))
    ]
    assert f"costs {_range(min(extra), max(extra))} ms more per epoch (the table's" in page
    csr_bytes = {"float64": nonzero * (8 + 4) / 8, "float32": nonzero * (4 + 4) / 4}
    assert (
        f"(MNIST's: {100 * csr_bytes['float64']:.0f} % in float64, "
        f"{100 * csr_bytes['float32']:.0f} % in float32)"
    ) in page
    date, loads = dense["date"], sorted(dense["load_average"])
    assert f"({date[:10]} {date[11:16]} UTC, load {_range(loads[0], loads[-1], 1)}," in page
    seconds = dense["median_cpu_seconds"]
    text = [
        f"{s['dense path']:.3f} → {s['CSR found once']:.3f} s in {dtype} "
        f"({s['dense path'] / s['CSR found once']:.2f}×)"
        for dtype, s in seconds.items()
    ]
    assert f"{text[0]} and {text[1]}" in page
    conversion = [1000 * seconds[d]["conversion"] for d in ("float64", "float32")]
    assert f"the conversion itself {conversion[0]:.0f} and {conversion[1]:.0f} ms" in page


def test_the_first_layer_s_bound_is_the_measured_one():
    """performance.md's first-layer table and the prose that reads it: first_layer_bound.json."""

    measured = _results("benchmarks/results/first_layer_bound.json")
    frameworks = _results("benchmarks/results/frameworks.json")
    text = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    page = " ".join(text.split())
    assert f"`python benchmarks/first_layer_bound.py`, {measured['date'][11:16]} UTC" in page
    modes = {dtype: measured["results"][dtype]["modes"] for dtype in ("float64", "float32")}
    lines = text.split("| rows | float64 ms |")[1].split("\n\n")[0].splitlines()[2:]
    assert len(lines) == len(modes["float64"])
    for line, mode in zip(lines, modes["float64"]):
        cells = [float(cell) for cell in line.strip("|").split("|")[1:]]
        measured_cells = [
            modes[dtype][mode][key]
            for dtype in ("float64", "float32")
            for key in ("ms", "cycles_per_nonzero")
        ]
        # Within half a unit of the last digit: the file keeps the cycles to two
        # decimals already (29.95 was 30.0 before it was rounded).
        assert cells == pytest.approx(measured_cells, abs=0.05 + 1e-9), (mode, cells)

    ms = {dtype: {mode: modes[dtype][mode]["ms"] for mode in modes[dtype]} for dtype in modes}
    prefetched, in_l3 = "shuffled, next mini-batch prefetched", "2,000 rows, held in L3"
    above = {d: 100 * (ms[d][prefetched] / ms[d][in_l3] - 1) for d in ms}
    assert (
        f"more than rows held in L3 ({above['float64']:.0f} % in float64, "
        f"{above['float32']:.0f} % in float32, within"
    ) in page
    within = _range(min(above.values()), max(above.values()))
    assert f"within {within} % of the same loops" in page
    assert f"within {within} % of rows held in L3" in _prose("CHANGELOG.md")
    in_l1 = ms["float64"][prefetched] - ms["float64"]["shuffled, W1 folded into 64 rows (in L1)"]
    assert f"In float64, with W₁ in L1, {in_l1:.0f} ms less" in page
    first_layer = {d: ms[d][prefetched] for d in ms}
    assert f"about {first_layer['float32']:.0f} of the kernel's" in page
    assert f"and {first_layer['float64']:.0f} of 57 ms (float64)" in page
    # The profile that this bound corrected is in the measurement log.
    assert (
        f"{ms['float32']['shuffled, no prefetch']:.1f} ms of float32 first layer without a "
        f"prefetch against {ms['float32'][in_l3]:.1f} with the rows in L3"
    ) in _prose("docs/performance-log.md")

    # Beside the frameworks: the kernel and the fit against the issue's bound.
    bound = frameworks["machine_bound_seconds"]
    assert (
        f"at about {1000 * bound['float64']:.0f} ms (float64) and "
        f"{1000 * bound['float32']:.0f} ms (float32) an epoch"
    ) in page
    seconds = {
        (r["name"], r["dtype"], r["mini_batch_size"]): r["median_cpu_seconds"]
        for r in frameworks["rows"]
        if r["name"].startswith("sknielsen, C")
    }

    def times_the_bound(name):
        ratios = [seconds[name, d, m] / bound[d] for d in bound for m in (10, 100)]
        return _range(min(ratios), max(ratios), 1)

    def rest(dtype):
        # The first layer's loops were timed at mini-batch 10.
        return 1000 * seconds["sknielsen, C kernel alone, CSR", dtype, 10] - first_layer[dtype]

    assert f"**{times_the_bound('sknielsen, C kernel alone, CSR')}× the bound**, at both" in page
    assert f"**{times_the_bound('sknielsen, C engine, CSR')}× the bound**: the" in page
    first_layer_ms = f"{first_layer['float64']:.0f} and {first_layer['float32']:.0f} ms"
    assert f"takes {first_layer_ms} of it" in page
    assert f"the first layer takes about {first_layer_ms} (its loops alone" in page
    assert (
        f"the rest of the kernel call, about {rest('float64'):.0f} and {rest('float32'):.0f} ms"
        in page
    )


def test_the_prose_beside_the_frameworks_is_the_measured_one():
    """performance.md's run time, load, JAX's compile, agreement and ratios: frameworks.json's."""

    measured = _results("benchmarks/results/frameworks.json")
    page = _prose("docs/performance.md")
    assert f"frameworks.py # {measured['total_seconds'] / 60:.1f} min here" in page
    assert f"(one-minute load average {measured['load_average'][0]:.1f};" in page
    compile_seconds = sorted(measured["jax_compile_seconds"].values())
    assert f"compiling took {_range(compile_seconds[0], compile_seconds[-1], 2)} s per" in page

    # Each row's largest difference from the floor's weights after one epoch.
    groups = {
        "the C engine": "sknielsen, C",
        "PyTorch's autograd loop": "PyTorch, autograd",
        "JAX": "JAX",
        "scikit-learn": "scikit-learn MLPClassifier, sigmoid",
    }

    def largest(dtype):
        return [
            _exponent(
                max(
                    value
                    for key, value in measured["agreement"].items()
                    if key.startswith(prefix) and f"| {dtype}," in key
                ),
                1,
            )
            for prefix in groups.values()
        ]

    f64, f32 = largest("float64"), largest("float32")
    named = ", ".join(f"{value} for {name}" for value, name in zip(f64[:3], list(groups)[:3]))
    assert f"in float64 at most {named} and {f64[3]} for scikit-learn;" in page
    assert f"in float32 at most {', '.join(f32[:3])} and {f32[3]}." in page

    rows = _by_row(measured)

    def row(name, dtype, batch):
        return rows[(name, dtype, batch, (784, 30, 10))]

    def floor_ratios(name, batches):
        ratios = sorted(
            row(name, dtype, batch)["speedup_vs_minimal_loop"]
            for dtype in ("float64", "float32")
            for batch in batches
        )
        return _range(ratios[0], ratios[-1], 2)

    jax, c, torch = (
        "JAX, jit + lax.scan",
        "sknielsen, C engine, CSR",
        "PyTorch, autograd + optim.SGD",
    )
    by_hand, sklearn = "PyTorch, hand-written backprop", "scikit-learn MLPClassifier"
    assert f"the frameworks**, {floor_ratios(jax, (10, 100))}× the floor" in page

    def faster(dtype, batch):
        return (
            row(jax, dtype, batch)["median_cpu_seconds"]
            / row(c, dtype, batch)["median_cpu_seconds"]
        )

    at_100 = _range(*sorted(faster(dtype, 100) for dtype in ("float64", "float32")), 1)
    assert (
        f"is {faster('float64', 10):.1f}× (float64) and {faster('float32', 10):.1f}× (float32) "
        f"faster than it at mini-batch 10, {at_100}× at mini-batch 100"
    ) in page
    steps = 50_000 / 10

    def per_step(name):
        return 1000 * row(name, "float64", 10)["median_cpu_seconds"] / steps

    assert f"slowest**, {floor_ratios(torch, (10,))}× the floor at mini-batch 10" in page
    assert f"{per_step(torch):.2f} ms per step of 10 images in float64" in page
    assert f"takes {per_step(by_hand):.2f} ms a step, still {floor_ratios(by_hand, (10,))}×" in page
    assert f"({floor_ratios(torch, (100,))}×; {floor_ratios(by_hand, (100,))}× by hand)" in page
    sklearn_10 = [floor_ratios(f"{sklearn}, {o} outputs", (10,)) for o in ("sigmoid", "softmax")]
    sklearn_100 = [floor_ratios(f"{sklearn}, {o} outputs", (100,)) for o in ("sigmoid", "softmax")]
    assert sklearn_10[0] == sklearn_10[1]
    assert (
        f"**scikit-learn** is {sklearn_10[0]}× the floor at mini-batch 10 and {sklearn_100[0]}×"
    ) in page
    jax_pinned = row(jax, "float64", 10)["median_cpu_seconds"]
    assert f"({jax_pinned:.2f} s in this run)" in page


def _table_rows(text, heading_row):
    """The cells of each row of the table whose header begins ``heading_row``."""
    lines = text.split(heading_row)[1].split("\n\n")[0].splitlines()[2:]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_the_retired_numba_engine_s_tables_are_the_measured_ones():
    """performance-log.md's numba tables and prose: compiled_speed.json, compiled_ceiling.json."""

    speed = _results("benchmarks/results/compiled_speed.json")
    ceiling = _results("benchmarks/results/compiled_ceiling.json")
    text = (ROOT / "docs" / "performance-log.md").read_text(encoding="utf-8")
    page = " ".join(text.split())
    rows = _by_row(speed)
    columns = ["minimal NumPy loop", "NumPy engine", "estimator, numba, CSR"]
    columns += ["compiled, dense input", "compiled, CSR input"]
    table = _table_rows(text, "| dtype | batch | sizes | minimal loop | NumPy engine | estimator")
    assert len(table) == len(rows) / len(columns)
    for dtype, batch, sizes, *cells, _target in table:
        key = (dtype, int(batch), tuple(json.loads(sizes)))
        row = {name: rows[(name, *key)] for name in columns}
        csr = row["compiled, CSR input"]
        expected = [f"{row[name]['median_seconds']:.3f}" for name in columns]
        estimator = row["estimator, numba, CSR"]["median_seconds"]
        expected += [
            f"{row['NumPy engine']['median_seconds'] / estimator:.2f}",
            f"{csr['speedup_vs_minimal_loop']:.2f}",
            f"{csr['percent_of_limit']:.1f} / {csr['percent_of_limit_nonzeros']:.1f}",
        ]
        assert cells == expected, key

    assert f"compiled_speed.py` ({speed['total_seconds'] / 60:.1f} min here;" in page
    peak = speed["matmul_gflops"]
    assert f"({peak['float64']:.0f} GFLOP/s float64, {peak['float32']:.0f} float32)" in page

    def seconds(name, dtype, batch=10, sizes=(784, 30, 10)):
        return rows[(name, dtype, batch, sizes)]["median_seconds"]

    at_10 = sorted(
        r["speedup_vs_minimal_loop"]
        for k, r in rows.items()
        if k[0] == "compiled, CSR input" and k[2] == 10
    )
    assert f"**Mini-batch 10** ({_range(at_10[0], at_10[-1], 1)}× the minimal loop" in page
    floor, csr = "minimal NumPy loop", "compiled, CSR input"
    assert (
        f"({seconds(floor, 'float32'):.3f} against {seconds(floor, 'float64'):.3f} s)"
        f" while the kernels gain less from the narrower rows "
        f"({seconds(csr, 'float32'):.3f} against {seconds(csr, 'float64'):.3f} s)"
    ) in page
    estimator = [
        r["median_seconds"] - rows[("compiled, CSR input", *k[1:])]["median_seconds"]
        for k, r in rows.items()
        if k[0] == "estimator, numba, CSR"
    ]
    assert f"costs {_range(min(estimator), max(estimator), 2)} s per epoch over" in page
    assert (
        f"({seconds(csr, 'float64', 100):.3f} against {seconds(csr, 'float64'):.3f} s in float64)"
    ) in page
    dense = [
        100 * (r["median_seconds"] / rows[("compiled, CSR input", *k[1:])]["median_seconds"] - 1)
        for k, r in rows.items()
        if k[0] == "compiled, dense input"
    ]
    assert f"zero-skipping is {_range(min(dense), max(dense))} % slower than CSR" in page
    compile_ = speed["compile"]
    cached, bare = compile_["cached_seconds"], compile_["import_without_kernels_seconds"]
    assert (
        f"{cached:.2f} s for importing the package, numba and the kernels and running them "
        f"once, against {bare:.2f} s for importing the package alone, so about "
        f"{cached - bare:.1f} s"
    ) in page

    # The stripped kernel, its parts switched off one at a time.
    parts = ["minimal NumPy loop", "all", "no forward", "no update", "no exp", "all, W1 in L1"]
    ms = {(r["dtype"], r["width"], r["row"]): r["seconds"] for r in ceiling["rows"]}
    table = _table_rows(text, "| dtype | hidden units | minimal NumPy loop | stripped kernel |")
    assert len(table) == len({key[:2] for key in ms})
    for dtype, width, *cells in table:
        expected = [
            f"{ms[(dtype, int(width), part)]:.3f}" if (dtype, int(width), part) in ms else "–"
            for part in parts
        ]
        assert cells == expected, (dtype, width)

    def stripped(dtype):
        ratios = sorted(
            ms[(d, w, "minimal NumPy loop")] / ms[(d, w, "all")] for d, w, _ in ms if d == dtype
        )
        return _range(ratios[0], ratios[-1], 1)

    assert (
        f"targets**: {stripped('float64')}× the minimal loop in float64 and "
        f"{stripped('float32')}× in float32"
    ) in page
    engine, alone = seconds(csr, "float64"), ms[("float64", 32, "all")]
    assert "is within 5 % of it" in page and engine / alone - 1 <= 0.05
    assert f"({engine:.3f} s with its rows padded to 32" in page
    assert f"against {alone:.3f} s for the stripped kernel with 32 units" in page
    forward = {w: ms[("float64", w, "all")] - ms[("float64", w, "no forward")] for w in (30, 64)}
    assert (
        f"{forward[30]:.3f} s for 7.5 million row visits of 30 weights, {forward[64]:.3f} s of 64"
        in page
    )
    in_l1 = 1 - ms[("float64", 30, "all, W1 in L1")] / ms[("float64", 30, "all")]
    assert f"the epoch is only {100 * in_l1:.0f} % shorter" in page
    padded = {d: 1 - ms[(d, 32, "all")] / ms[(d, 30, "all")] for d in ("float64", "float32")}
    assert (
        f"units take {100 * padded['float32']:.0f} % less time than 30 "
        f"({ms[('float32', 32, 'all')]:.3f} against {ms[('float32', 30, 'all')]:.3f} s), "
        f"float64 {100 * padded['float64']:.0f} %"
    ) in page
    exp = ms[("float64", 30, "all")] - ms[("float64", 30, "no exp")]
    assert f"sigmoids cost {exp:.2f} s per epoch" in page


def test_the_soak_is_the_measured_one():
    """reliability.md's ten-minute soak: soak.json's rounds and resident set sizes."""

    measured = _results("benchmarks/results/soak.json")
    page = _prose("docs/reliability.md")
    growth = measured["rss_mib_growth"]
    bytes_per_round = growth * 2**20 / measured["rounds"]
    assert (
        f"for {measured['minutes']:.0f} minutes. On {measured['date'][:10]} it ran "
        f"{measured['rounds']:,} rounds; the resident set size went from "
        f"{measured['rss_mib_first_tenth_median']:.1f} MiB (median of the first tenth) to "
        f"{measured['rss_mib_last_tenth_median']:.1f} MiB (last tenth): {growth:.1f} MiB, "
        f"about {bytes_per_round:.0f} bytes per round"
    ) in page


def test_the_mnist_study_s_table_and_readings_are_the_measured_ones(monkeypatch):
    """network-vs-svm.md's table is book_figure.py's, from comparison.json, and so is its prose."""

    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import book_figure

    from sknielsen.comparison import summarize

    measured = _results("docs/comparison-mnist/comparison.json")
    text = (ROOT / "docs" / "network-vs-svm.md").read_text(encoding="utf-8")
    table = book_figure.table(measured)
    assert table in text
    assert (ROOT / "docs" / "comparison-mnist" / "book-vs-measured.md").read_text(
        encoding="utf-8"
    ) == table

    page = " ".join(text.split())
    validation = {
        (r["estimator"], r["size"]): 100 * r["mean"]
        for r in summarize(measured["records"], "accuracy_validation")
    }
    test = {
        (r["estimator"], r["size"]): 100 * r["mean"]
        for r in summarize(measured["records"], "accuracy_test")
    }
    book = {
        name: dict(zip(book_figure.BOOK_SIZES, values))
        for name, values in (("network", book_figure.BOOK_NETWORK), ("svc", book_figure.BOOK_SVC))
    }
    sizes, auto = book_figure.BOOK_SIZES, book_figure.SVC_AUTO
    svm_gap = max(abs(validation[auto, n] - book["svc"][n]) for n in sizes)
    assert f"lands within {svm_gap:.2f} points of the book at every size" in page
    assert (
        f"({validation[auto, 100]:.2f} vs {book['svc'][100]:.2f} at 100 images, "
        f"{validation[auto, 50_000]:.2f} vs {book['svc'][50_000]:.2f} at 50,000)"
    ) in page
    gaps = {n: abs(validation["network", n] - book["network"][n]) for n in sizes}
    assert f"reproduced to within {max(gaps.values()):.2f} points at every size**" in page
    assert (
        f"The largest gaps, {gaps[200]:.2f} points at 200 images "
        f"({validation['network', 200]:.2f} ± "
    ) in page
    assert f"and {gaps[20_000]:.2f} at 20,000 ({validation['network', 20_000]:.2f} ± " in page
    lead = {n: validation["network", n] - validation[auto, n] for n in (100, 50_000)}
    assert f"by {lead[100]:.0f} points at 100 images and {lead[50_000]:.1f} points" in page
    assert (
        f"by {validation['SVC()', 50_000] - validation['network', 50_000]:.0f} points at 50,000 "
        f"({validation['SVC()', 50_000]:.2f} vs {validation['network', 50_000]:.2f} % on "
        f"validation); the network keeps the lead only at 100 images "
        f"({validation['network', 100]:.2f} vs {validation['SVC()', 100]:.2f} %)"
    ) in page
    assert (
        f"10,000 examples ({test['SVC()', 10_000]:.2f}%) already matches network at 50,000 "
        f"({test['network', 50_000]:.2f}%)"
    ) in page


def test_what_the_seeds_say_is_the_measured_one():
    """chapter3.md's readings of the seeds: chapter3.json's means, spreads, ranges and records."""

    summary = {s["experiment"]: s for s in _results("benchmarks/results/chapter3.json")["summary"]}
    page = _prose("docs/chapter3.md")

    def mean(name, which):
        return f"{summary[name][which][0]:.2f} ± {summary[name][which][1]:.2f} %"

    def spread(name, which):
        return f"{summary[name][which][2]:.2f}–{summary[name][which][3]:.2f}"

    def deviations(name, which, value):
        return f"{abs(value - summary[name][which][0]) / summary[name][which][1]:.1f}"

    regularized = summary["ce30_l2"]["record"]
    assert (
        f"ours {mean('ce30_l2', 'last')} over 10 seeds ({spread('ce30_l2', 'last')}), and the "
        f"book's {regularized['last']:.2f} % lies inside that range"
    ) in page
    assert (
        deviations("ce30_l2", "last", regularized["last"]) == "0.5"
    )  # "half a standard deviation"
    assert (
        f"ours {mean('ce30_l2', 'best')} ({spread('ce30_l2', 'best')}); the book's "
        f"{regularized['best']:.2f} % is {deviations('ce30_l2', 'best', regularized['best'])} "
        "standard deviations above our mean"
    ) in page
    best, last = summary["ce30_l2"]["best"], summary["ce30_l2"]["last"]
    assert (
        f"the best epoch spreads over {best[3] - best[2]:.2f} points and the last over "
        f"{last[3] - last[2]:.2f}"
    ) in page

    plain = summary["ce30"]["record"]
    assert (
        f"The record's best, {plain['best']:.2f} %, is our mean best epoch ({mean('ce30', 'best')})"
        f", and its last, {plain['last']:.2f} %, is {deviations('ce30', 'last', plain['last'])} "
        f"standard deviations above our mean last epoch ({mean('ce30', 'last')}, "
        f"{spread('ce30', 'last')})"
    ) in page
    assert f"within our range of best epochs ({spread('ce30', 'best')})" in page

    small, small_l2 = summary["small"]["record"], summary["small_l2"]["record"]
    assert (
        f"the record's {small['last']:.2f} % (last) lies inside our {spread('small', 'last')} %"
    ) in page
    assert (
        f"the record's {small_l2['last']:.2f} % (last) is just below our "
        f"{spread('small_l2', 'last')} %, "
        f"{deviations('small_l2', 'last', small_l2['last']).removesuffix('.0')} standard "
        "deviations under our mean"
    ) in page

    large = summary["init_large"]["record"]
    assert (
        f"weights give {mean('init_default', 'last')} (record: "
        f"{summary['init_default']['record']['last']:.2f} %) and the old N(0, 1) weights "
        f"{mean('init_large', 'last')} ({spread('init_large', 'last')}); the record's "
        f"{large['last']:.2f} % is below our range, "
        f"{deviations('init_large', 'last', large['last'])} standard deviations"
    ) in page

    for name in ("quadratic", "ce100", "ce100_l2_60"):
        row = summary[name]
        assert f"({row['book']:.2f} % against {spread(name, 'best')} %)" in page, name
    assert (
        f"the book's {summary['ce100_l2']['book']:.2f} % is above all 10 of our best epochs "
        f"({mean('ce100_l2', 'best')}, {spread('ce100_l2', 'best')} %)"
    ) in page


def test_the_engines_agreement_in_chapter3_is_the_measured_one():
    """chapter3.md's counts of equal runs and the gaps between engines: the three runs' records."""

    page = _prose("docs/chapter3.md")
    runs = _chapter3_runs()
    records = {
        name: {(r["experiment"], r["seed"]): r for r in run["records"]}
        for name, run in runs.items()
    }
    scores = ("last", "best", "best_epoch", "test", "validation", "training")

    def equal(a, b):
        """How many of the 100 runs two engines gave every accuracy of alike."""
        return sum(
            all(records[a][key][s] == records[b][key][s] for s in scores) for key in records[a]
        )

    assert equal("c", "numba") == equal("c", "numpy")
    assert f"same accuracies** seed for seed in {equal('c', 'numba')} of the 100" in page
    assert (
        f"numba and NumPy already parted (in {equal('numba', 'numpy')} of 100 they agreed)" in page
    )

    def parted(experiment, other):
        gaps = [
            abs(records["c"][experiment, seed]["last"] - records[other][experiment, seed]["last"])
            for seed in range(10)
        ]
        return sum(gap > 0 for gap in gaps), max(gaps)

    (q_numba, q_numba_gap), (q_numpy, q_numpy_gap) = (
        parted("quadratic", o) for o in ("numba", "numpy")
    )
    assert q_numba == q_numpy == 10
    assert (
        f"(the last epoch's accuracy differs in all 10, by up to {q_numba_gap:.2f} points from "
        f"numba's and {q_numpy_gap:.2f} from NumPy's)"
    ) in page
    (numba, numba_gap), (numpy, numpy_gap) = (parted("ce30", o) for o in ("numba", "numpy"))
    assert (
        f"cross-entropy, {numba} of 10 (the last epoch in {numba} against numba, {numpy} against "
        f"NumPy, by up to {numba_gap:.2f} and {numpy_gap:.2f})"
    ) in page
    (numba, numba_gap), (numpy, numpy_gap) = (parted("ce30_l2", o) for o in ("numba", "numpy"))
    assert (
        f"λ = 5, {numba} of 10 (the last epoch in {numba} and {numpy}, by up to "
        f"{numba_gap:.2f} and {numpy_gap:.2f})"
    ) in page

    training = {
        name: next(s for s in run["summary"] if s["experiment"] == "quadratic")["training"]
        for name, run in runs.items()
    }
    moved = {other: abs(training["c"][0] - training[other][0]) for other in ("numba", "numpy")}
    smaller = min(training["c"][1], training["numba"][1])
    assert (
        f"by {moved['numba']:.2f} points from numba's ({moved['numba'] / smaller:.1f} of the "
        f"smaller sd) and {moved['numpy']:.2f} from NumPy's; its sd went from "
        f"{training['numba'][1]:.2f} (numba) to {training['c'][1]:.2f}"
    ) in page
