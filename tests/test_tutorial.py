"""docs/tutorial.md runs as written and prints what it says it prints."""

import ast
import contextlib
import io
import re
from pathlib import Path

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "tutorial.md"


def expected_output(block):
    """The ``# `` lines right after each top-level statement that prints: its output."""
    lines = block.splitlines()
    expected = []
    for statement in ast.parse(block).body:
        prints = any(
            isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print"
            for node in ast.walk(statement)
        )
        following = statement.end_lineno  # the index of the line after the statement
        while prints and following < len(lines) and lines[following].startswith("# "):
            expected.append(lines[following][2:])
            following += 1
    return expected


def test_every_example_of_the_tutorial_prints_what_the_page_shows(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an example that saves a file writes it here
    blocks = re.findall(r"```python\n(.*?)```", TUTORIAL.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 10
    namespace = {}
    for number, block in enumerate(blocks):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(block, f"docs/tutorial.md, example {number + 1}", "exec"), namespace)
        assert printed.getvalue().splitlines() == expected_output(block), f"example {number + 1}"
