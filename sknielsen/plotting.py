"""Figures of the book: accuracy against training-set size, monitoring curves, weights.

The public face of the private module ``sknielsen.studies._plotting``.
"""

from .studies._plotting import (
    plot_eta_search,
    plot_history,
    plot_lmbda_search,
    plot_training_size_comparison,
    plot_weights,
)

__all__ = [
    "plot_eta_search",
    "plot_history",
    "plot_lmbda_search",
    "plot_training_size_comparison",
    "plot_weights",
]
