"""The simulation core: NumPy and numba only, never Qt."""

from lrsim.core.numba_cache import configure as _configure_numba_cache

_configure_numba_cache()
