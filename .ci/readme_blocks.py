"""Print the README's command blocks that CI must run verbatim, one line each.

A block is marked by the HTML comment MARKER on the line before its fence,
so the README shows newcomers exactly what CI runs and the two cannot drift.
Exits 1 when the README has no marked block, or a marked block is empty.
"""

import pathlib
import sys

MARKER = "<!-- .ci/run executes the next block verbatim, in a fresh virtual environment -->"


def marked_blocks(text):
    """The command lines of each marked fenced block, in order."""
    lines = text.splitlines()
    blocks = []
    for number, line in enumerate(lines):
        if line.strip() != MARKER:
            continue
        fence = lines[number + 1].strip() if number + 1 < len(lines) else ""
        if not fence.startswith("```"):
            sys.exit(f"README.md line {number + 2}: a fenced block must follow the CI marker")
        body = []
        for command in lines[number + 2 :]:
            if command.strip().startswith("```"):
                break
            body.append(command)
        if not any(command.strip() for command in body):
            sys.exit(f"README.md line {number + 2}: the marked block is empty")
        blocks.append("\n".join(body))
    return blocks


if __name__ == "__main__":
    readme = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    blocks = marked_blocks(readme.read_text(encoding="utf-8"))
    if not blocks:
        sys.exit(f"{readme} has no block marked for CI ({MARKER})")
    print("\0".join(blocks), end="")
