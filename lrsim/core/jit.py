"""numba, set up where the kernels live: the cache folder is chosen before any kernel exists.

Every module that compiles kernels imports ``njit`` (and ``prange``) from here rather than
from numba, so the on-disk cache is configured exactly once, before the first
``@njit(cache=True)`` is decorated. Importing ``lrsim.core`` for parsing or ``--help``
therefore neither imports numba nor hashes the sources.
"""

from lrsim.core.numba_cache import configure

configure()

from numba import njit, prange  # noqa: E402  (after configure: decorating reads the cache dir)

__all__ = ["njit", "prange"]
