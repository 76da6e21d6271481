"""Layer 3, training: the loop, the fitted state and the diagnostics of a fit.

It turns a network, plugins and data into trained weights, and knows
nothing of the estimators that call it.
"""
