"""Layer 2, the engines: the network's forward and backward passes, and their dispatch.

The NumPy engine (:mod:`._network`) is the reference; the compiled engine
(:mod:`._compiled`) runs whole ranges of mini-batches in one call and gives
the same numbers. Nothing here knows scikit-learn or the estimators.
"""
