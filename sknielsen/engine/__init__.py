"""Layer 2, the engines: the network's forward and backward passes, and their dispatch.

The NumPy engine (``_network``) is the reference; the compiled engines (C,
``_cengine``, built at install; numba, ``_compiled``) run whole ranges of
mini-batches in one call and give the same numbers up to rounding.
Nothing here knows scikit-learn or the estimators.
"""
