"""The engines that train a network: NumPy's and the compiled C kernels."""
