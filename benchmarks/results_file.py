"""How the benchmarks save what they measured: one JSON file each, saying how and when.

Every results file starts with the same three entries, the command that
ran (as a reader would type it again), the date (UTC) and the machine's
load average at the end (the machines are shared: a number measured under
load says so), followed by the benchmark's own fields. Files are replaced
atomically, so that an interrupted run leaves the last results whole.
"""

import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from sknielsen._core.files import write_text_atomically

#: Where the benchmarks' results live.
RESULTS = Path(__file__).resolve().parent / "results"


def command_line(script, argv=None):
    """The command that ran ``script``: ``python benchmarks/<name> <arguments>``.

    Parameters
    ----------
    script : str or path-like
        The benchmark's file (its ``__file__``).
    argv : list of str, optional
        The arguments it was given; those of the command line by default.

    Returns
    -------
    command : str
    """
    arguments = sys.argv[1:] if argv is None else list(argv)
    return " ".join(["python", f"benchmarks/{Path(script).name}", *arguments])


def save_results(path, fields, *, command, table=None):
    """Write ``path`` (JSON): the command, the date and the load average, then ``fields``.

    Parameters
    ----------
    path : str or path-like
        The results file; its folder is made if missing.
    fields : dict
        The benchmark's own entries (JSON-serializable).
    command : str
        How the results were made (see :func:`command_line`).
    table : str, optional
        Also written beside ``path``, with the suffix ``.md``: the
        results as the docs show them.

    Returns
    -------
    path : pathlib.Path
    """
    path = Path(path)
    header = {
        "command": command,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "load_average": list(os.getloadavg()),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(path, json.dumps({**header, **fields}, indent=1))
    if table is not None:
        write_text_atomically(path.with_suffix(".md"), table)
    return path
