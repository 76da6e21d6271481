"""The book's recorded chapter 3 runs, replayed in full on real MNIST.

Usage::

    python benchmarks/book_replay.py                       # all nine records
    python benchmarks/book_replay.py --only regularized_full more_data_svm
    python benchmarks/book_replay.py --table-only          # the doc from the JSON

Replays every record (or those named) with :func:`sknielsen.book.replay` on
the IDX files of ``../shared/data/mnist``, and replays again, from weights one
unit in the last place away, any record it does not replay within the
criteria. Updates those records in ``benchmarks/results/book_replay.json``
(the others stay as measured before), writes a figure per record in
``docs/book-replay/`` and, once the JSON holds all nine, ``docs/book-replay.md``.
"""

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

from sknielsen.studies import _book as book

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import book_replay_sensitivity

ROOT = HERE.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "mnist"
FIGURES = ROOT / "docs" / "book-replay"
DOC = ROOT / "docs" / "book-replay.md"
SENSITIVITY = HERE / "results" / "book_replay_sensitivity.json"

INTRODUCTION = """\
# The book's own runs, replayed number for number

The book's repository keeps the records of the runs behind chapter 3's
figures (`fig/*.json`, written by `fig/overfitting.py`, `more_data.py`,
`multiple_eta.py` and `weight_initialization.py` under Python 2.7).
`sknielsen.book` replays each of them with `NielsenMLPClassifier` and
compares its numbers with the record, epoch by epoch:

```bash
python -m sknielsen book list
python -m sknielsen book replay regularized_full --data-dir ../shared/data/mnist
```

In Python, `sknielsen.book.replay(name, data_dir)` returns our numbers in the
structure of the book's file (`.ours`, beside `.book`) with a summary
(`.matches`, `.compared`, `.largest_difference`, `.largest_cost_error`,
`.seconds`), and `sknielsen.book.plot_replay(result, path)` draws one over
the other.

## Why an exact replay is possible

Nothing in the book's runs is left to chance once its random draws are
known. The starting weights come from `np.random.randn`, drawn in
`network2.py`'s order (the biases of every layer, then the weights; the
constructor's default weights, then `large_weight_initializer()`'s), and
NumPy's legacy generator has not changed since. The mini-batches come from
Python 2.7's `random.shuffle` of the training list at every epoch, in place,
so that one epoch's order is the last one's shuffled again, across all the
runs of one script; Python 3's `random.random()` still gives the same
doubles for the same seed, and the 2.7 shuffle is three lines on top of it.
The data is the book's pixel/256 (`load_mnist(..., scale="book")`), with its
split. The arithmetic is IEEE double precision in both programs, and the
update is the book's: w ← (1 − ηλ/n) w − (η/m) Σ∇C.

## Why an epoch may still differ by an image or two

The two programs do not add in the same order: network2 sums a mini-batch's
gradients one example at a time, we multiply matrices, so the last bit of a
sum may differ. Over many steps such roundings grow, as the book's own
algorithm shows against itself: started with every weight moved by one unit
in the last place, its parameters in the regularized run drift 2.2e-5 apart
(relative) by epoch 30, and one epoch (26) lands one image off (table
below). An image whose two top outputs are that close can then flip, so an
occasional epoch may be one or two images apart, and costs agree closely
but not to the last digit (the table gives the largest relative error).

## Runs that rounding alone carries away

Regularized runs and small learning rates damp such differences, which stay
at the level of rounding. Two of the book's runs amplify them instead, until
they decide which images are classified right: `overfitting_full` (no
regularization, η = 0.5, large starting weights) and the η = 2.5 run of
`multiple_eta`. No program that does not round exactly as the book's
machine did in 2015 (its NumPy, its BLAS, its order of additions) can replay
them: `overfitting_full` beyond its third epoch, the η = 2.5 run not even for
its first. The last column of the table measures it:
the same replay started from the book's weights moved by one unit in the
last place (`replay(name, nudge=True)`) departs from our replay nearly as far
as our replay departs from the book's record. `overfitting_full` follows the record
exactly for its first 3 epochs and then parts from it (on a processor with
AVX-512; on an AVX2-only one, whose BLAS rounds otherwise, its third epoch's
training accuracy is already one image off, 46,798 against 46,797, with the
costs 4e-6 apart: `book.replay("overfitting_full", data_dir, epochs=3)`,
2026-12-06); the η = 2.5 run's
cost already differs after its first epoch, while the η = 0.025 and 0.25
runs of the same script agree with the record.

The book's own algorithm does no better, so our engine is not the cause.
`benchmarks/book_replay_sensitivity.py` trains an independent per-example
loop in network2's arithmetic (each example a column vector, a mini-batch's
gradients added one example at a time) from the book's starting weights and
mini-batch orders, once as they are and once moved by one unit in the last
place:

{sensitivity}

In the η = 2.5 run the two starts move apart tenfold every 15 mini-batches
or so, from the first epoch on (mini-batches of epoch 1 after which the
parameters of the two starts are that far apart, relative to their size):

{growth}

So the η = 2.5 run cannot be replayed even for one epoch by any program
that does not round exactly as the book's machine did, and
`overfitting_full` for more than three; this per-example loop, our replay
and the record are three different trajectories there. The controls, the
regularized run and η = 0.25, agree with the record as our replays do.
Issue 12's criterion (95 % of the epochs equal, costs within 1e-4) cannot be
met for these two records by any implementation, the book's own included.
"""


def _differences(r):
    """Exact matches, largest difference and cost error of a summary, as table cells."""
    cost = "—" if r["largest_cost_error"] is None else f"{r['largest_cost_error']:.1e}"
    if not r["compared"]:
        return f"no accuracies | — | {cost}"
    return f"{r['matches']} of {r['compared']} | {r['largest_difference']} images | {cost}"


def table(results):
    """The markdown table: one row per record, then when and how each was measured."""
    lines = [
        "| record | script | epochs (or sizes) | exact matches | largest difference "
        "| largest cost error (relative) | run time | ours against ours from weights "
        "+1 ulp: matches, difference, cost error |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in results.items():
        nudged = r.get("against_nudged")
        sensitivity = _differences(nudged).replace(" | ", ", ") if nudged else "—"
        lines.append(
            f"| {name} | {book.RECORDS[name].script} | {r['entries']} | {_differences(r)} "
            f"| {r['seconds']:.0f} s | {sensitivity} |"
        )
    lines += [
        "",
        "Lists outside the criteria (more than 3 images apart, or costs more than 1e-4 relative):",
        "",
    ]
    lines += [
        f"- {name}, {label}: largest difference {worst}"
        for name, r in results.items()
        for label, worst in r["outside"].items()
    ] or ["- none"]
    runs = sorted({(r["date"], r["command"]) for r in results.values()})
    lines += [
        "",
        "Measured on this project's 2-core machine (run time: the replay alone, "
        "without loading the data), by:",
        "",
    ]
    lines += [f"- `{command}` ({date})" for date, command in runs]
    lines += ["", "Raw numbers, ours included, in `benchmarks/results/book_replay.json`."]
    return "\n".join(lines) + "\n"


def summarize(result):
    """What the table and the JSON keep of a Replay."""
    return {
        "entries": max(len(s.ours) for s in result.series),
        "compared": result.compared,
        "matches": result.matches,
        "largest_difference": result.largest_difference,
        "largest_cost_error": result.largest_cost_error,
        "agrees": result.agrees,
        "seconds": result.seconds,
        "outside": {s.label: _worst(s) for s in result.series if not _within(s)},
    }


def _within(series):
    limit = book.MAX_COST_RELATIVE_ERROR if series.kind == "cost" else book.MAX_IMAGES_APART
    return series.differences().max(initial=0) <= limit


def _worst(series):
    worst = series.differences().max(initial=0)
    return f"{worst:.1e} relative" if series.kind == "cost" else f"{worst} images"


def run_one(name, data_dir):
    """Replay one record; print it; write its figure; return its summary.

    A replay that misses the criteria is run again from weights one unit in
    the last place away: how far that moves it is how far rounding alone
    carries this run, whatever program replays it.
    """
    result = book.replay(name, data_dir)
    print(result.summary(), flush=True)
    try:
        FIGURES.mkdir(parents=True, exist_ok=True)
        book.plot_replay(result, FIGURES / f"{name}.png")
    except ImportError as exc:
        print(f"  no figure: {exc}")
    summary = {**summarize(result), "ours": result.ours}
    if not result.agrees:
        against = result.against(book.replay(name, data_dir, nudge=True))
        print(f"  against itself from weights +1 ulp: {against.summary()}", flush=True)
        summary["against_nudged"] = summarize(against)
    return summary


def introduction():
    """The page's opening, with the one-ulp tables of book_replay_sensitivity.py."""
    runs = json.loads(SENSITIVITY.read_text())["runs"] if SENSITIVITY.exists() else None
    if runs is None:
        missing = "(run `python benchmarks/book_replay_sensitivity.py` for this table)"
        return INTRODUCTION.format(sensitivity=missing, growth=missing)
    dates = sorted({f"`{r['command']}` ({r['date']})" for r in runs.values()})
    sensitivity = (
        book_replay_sensitivity.table(runs)
        + "\n\nMeasured by "
        + ", ".join(dates)
        + "; raw numbers in `benchmarks/results/book_replay_sensitivity.json`."
    )
    return INTRODUCTION.format(
        sensitivity=sensitivity, growth=book_replay_sensitivity.growth_table(runs)
    )


def page(results):
    """docs/book-replay.md: the introduction, the table of ``results`` and the figures."""
    figures = "\n".join(f"- [{name}](book-replay/{name}.png)" for name in results)
    return (
        f"{introduction()}\n## The replays\n\n{table(results)}\nFigures, each replay "
        f"drawn over the book's record:\n\n{figures}\n"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=list(book.RECORDS), default=None)
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA))
    parser.add_argument(
        "--table-only",
        action="store_true",
        help="replay nothing: rebuild the table and the doc from the JSON",
    )
    args = parser.parse_args(argv)
    arguments = argv if argv is not None else sys.argv[1:]
    command = " ".join(["python benchmarks/book_replay.py", *arguments])
    out = HERE / "results" / "book_replay.json"
    # Records replayed by earlier runs stay, so that --only refreshes a few rows.
    results = json.loads(out.read_text())["records"] if out.exists() else {}
    date = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for name in [] if args.table_only else args.only or book.RECORDS:
        results[name] = {**run_one(name, args.data_dir), "command": command, "date": date}
    results = {name: results[name] for name in book.RECORDS if name in results}
    text = table(results)
    print()
    print(text)
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"records": results}, indent=1))
    print(f"Wrote {out}")
    if len(results) == len(book.RECORDS):
        DOC.write_text(page(results))
        print(f"Wrote {DOC}")
    return 0 if all(r["agrees"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
