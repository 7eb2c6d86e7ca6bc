"""Surface views: contour, small multiples, basin map and 3D, one ``ViewSpec`` each in
``registry.VIEWS``, all implementing ``protocol.SurfaceView`` (see ``docs/design.md``).

The classes are imported on first use (PEP 562), so ``lrsim.gui.views.registry``
can be read without Qt (`lrsim render --help`).
"""

from importlib import import_module

_LAZY = {
    "ContourView": "lrsim.gui.views.contour",
    "SmallMultiplesView": "lrsim.gui.views.multiples",
    "SurfaceView3D": "lrsim.gui.views.surface3d",
    "BasinMapView": "lrsim.gui.views.basin_map",
    "opengl_problem": "lrsim.gui.views.gl_support",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_LAZY[name]), name)
