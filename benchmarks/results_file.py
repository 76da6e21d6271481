"""How the benchmarks save what they measured: one JSON file each, saying how and when.

Every results file starts with the same four entries, the command that
ran (as a reader would type it again), the date (UTC), the machine's
load average at the end (the machines are shared: a number measured under
load says so) and its processor (the machines of one kind are not all
alike: one had AVX-512 and 1 MiB of second-level cache a core, another
AVX2 and 512 KiB), followed by the benchmark's own fields. Files are replaced
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


def processor():
    """What the speed of a kernel depends on: vector instructions and cache sizes.

    Returns
    -------
    processor : dict
        ``model`` (as ``/proc/cpuinfo`` names it), ``vectors`` (the widest of
        "avx512", "avx2", "sse2" the processor has) and ``caches`` (level
        and type, such as "L1d", to size, such as "32K"), each None where
        the system does not say (other systems than Linux).
    """
    model = vectors = None
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        cpuinfo = ""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and model is None:
            model = value.strip()
        elif key.strip() == "flags" and vectors is None:
            flags = set(value.split())
            vectors = next((v for v in ("avx512f", "avx2", "sse2") if v in flags), None)
    caches = {}
    for index in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        try:
            level, kind, size = (
                (index / name).read_text().strip() for name in ("level", "type", "size")
            )
        except OSError:
            continue
        caches[f"L{level}" + {"Data": "d", "Instruction": "i"}.get(kind, "")] = size
    vectors = vectors and vectors.removesuffix("f")
    return {"model": model, "vectors": vectors, "caches": caches or None}


def save_results(path, fields, *, command, table=None):
    """Write ``path`` (JSON): the command, date, load average and processor, then ``fields``.

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
        "processor": processor(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(path, json.dumps({**header, **fields}, indent=1))
    if table is not None:
        write_text_atomically(path.with_suffix(".md"), table)
    return path
