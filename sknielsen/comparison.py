"""How accuracy grows with the training set: the book's network-versus-SVM study.

The public face of the private module ``sknielsen.studies._comparison``.
"""

from .studies._comparison import (
    BookScaling,
    ComparisonInterrupted,
    check_plan,
    conclusions,
    crossover_statements,
    estimate_seconds_left,
    planned_runs,
    scaled_params,
    summarize,
    training_size_comparison,
)

__all__ = [
    "BookScaling",
    "ComparisonInterrupted",
    "check_plan",
    "conclusions",
    "crossover_statements",
    "estimate_seconds_left",
    "planned_runs",
    "scaled_params",
    "summarize",
    "training_size_comparison",
]
