"""Surface views: the contour (heat map) view, the 3D surface view and small multiples.

Each takes a ``Simulation`` in ``set_scene`` and a column of its
``recorded_steps`` in ``set_step``; they only render (see ``docs/design.md``).
"""

from lrsim.gui.views.contour import ContourView
from lrsim.gui.views.multiples import SmallMultiplesView
from lrsim.gui.views.surface3d import SurfaceView3D, opengl_problem

__all__ = ["ContourView", "SmallMultiplesView", "SurfaceView3D", "opengl_problem"]
