"""The simulation core: NumPy and numba only, never Qt."""
