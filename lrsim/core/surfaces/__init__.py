"""Loss surfaces: the registry (``registry``), compiled kernels (``kernels``), their NumPy
twins (``reference``), critical points, typed formulas and rotation.

The registry's names are re-exported here, so ``from lrsim.core.surfaces import
get_surface`` is how the rest of lrsim asks for a surface. Adding a built-in surface
touches ``kernels.py``, ``reference.py`` and ``registry.py`` (and, if it has no closed
form for its critical points, ``critical_points.py``).
"""

from lrsim.core.surfaces.registry import (
    POINT_KINDS,
    RASTRIGIN_DOMAIN,
    SURFACES,
    CriticalPoint,
    Surface,
    get_surface,
)

__all__ = ["POINT_KINDS", "RASTRIGIN_DOMAIN", "SURFACES", "CriticalPoint", "Surface", "get_surface"]
