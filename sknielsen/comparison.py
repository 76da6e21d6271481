"""How accuracy grows with the training set: the book's network-versus-SVM study.

The public face of ``sknielsen.studies._comparison`` (the study) and
``sknielsen.studies._runner`` (running it to completion: its files,
resume, the time left, Ctrl-C and a dask cluster).
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
from .studies._runner import (
    BOOK_SIZES,
    DIGITS_SIZES,
    ESTIMATOR_LABELS,
    StudyOutput,
    StudyResult,
    StudyTiming,
    book_estimators,
    check_backend,
    gamma_note,
    run_study,
    study_backend,
    study_workers,
    time_left_text,
)

__all__ = [
    "BOOK_SIZES",
    "DIGITS_SIZES",
    "ESTIMATOR_LABELS",
    "BookScaling",
    "ComparisonInterrupted",
    "StudyOutput",
    "StudyResult",
    "StudyTiming",
    "book_estimators",
    "check_backend",
    "check_plan",
    "conclusions",
    "crossover_statements",
    "estimate_seconds_left",
    "gamma_note",
    "planned_runs",
    "run_study",
    "scaled_params",
    "study_backend",
    "study_workers",
    "summarize",
    "time_left_text",
    "training_size_comparison",
]
