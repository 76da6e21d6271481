"""Exact replays of the book's recorded chapter 3 runs.

The public face of the private module ``sknielsen.studies._book``.
"""

from .studies._book import (
    RECORDS,
    BookRandom,
    Record,
    Replay,
    SeriesComparison,
    load_record,
    load_replay,
    plot_replay,
    replay,
)

__all__ = [
    "RECORDS",
    "BookRandom",
    "Record",
    "Replay",
    "SeriesComparison",
    "load_record",
    "load_replay",
    "plot_replay",
    "replay",
]
