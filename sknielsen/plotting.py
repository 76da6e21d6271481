"""Figures of the book: accuracy against training-set size, monitoring curves, weights.

The public face of the private module ``sknielsen.studies._plotting``.
"""

from .studies._plotting import (
    check_figure_path,
    plot_eta_search,
    plot_history,
    plot_lmbda_search,
    plot_training_size_comparison,
    plot_weights,
)

__all__ = [
    "check_figure_path",
    "plot_eta_search",
    "plot_history",
    "plot_lmbda_search",
    "plot_training_size_comparison",
    "plot_weights",
]
