"""Layer 6, studies: the comparison with SVMs, tuning, the book's replays and plotting.

They use the estimators through their public API only. The public faces are
:mod:`sknielsen.comparison`, :mod:`sknielsen.tuning`, :mod:`sknielsen.book`
and :mod:`sknielsen.plotting`.
"""
