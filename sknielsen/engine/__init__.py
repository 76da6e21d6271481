"""Layer 2, the engines: the network's forward and backward passes, and their dispatch.

The NumPy engine (``_network``) is the reference; the C engine
(``_cengine``, compiled at install) runs whole ranges of mini-batches in one
call and gives the same numbers up to rounding.
Nothing here knows scikit-learn or the estimators.
"""
