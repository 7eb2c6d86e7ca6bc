"""The simulation core: NumPy and numba only, never Qt.

Kernel modules set numba up through ``lrsim.core.jit``; importing the core does no work.
"""
