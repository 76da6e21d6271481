"""Layer 3, the model file: its format declared as data, its checks across fields, its writer.

Below the estimators, so that a checkpoint can write a model during a fit
and a fit can check that what it keeps is what a file can hold; reading a
file back into an estimator is :mod:`sknielsen.persistence`'s, above them.
"""
