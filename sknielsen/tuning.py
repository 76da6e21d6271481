"""The book's way of choosing hyper-parameters, as tools.

The public face of the private module ``sknielsen.studies._tuning``.
"""

from .studies._tuning import (
    EtaSearch,
    LmbdaSearch,
    find_eta_threshold,
    search_lmbda,
    simplify,
)

__all__ = [
    "EtaSearch",
    "LmbdaSearch",
    "find_eta_threshold",
    "search_lmbda",
    "simplify",
]
