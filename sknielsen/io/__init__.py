"""Layer 5, input and output: the model file format, persistence and data sets.

The public faces are :mod:`sknielsen.persistence` and :mod:`sknielsen.datasets`.
"""
