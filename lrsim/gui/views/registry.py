"""The views, one ``ViewSpec`` each: every list of views is derived from ``VIEWS``.

The View menu, the view area, the Render dialog, the frame renderer and
`lrsim render --view` all read this table, so adding a view is its module and
one row here. No Qt is imported: `lrsim render --help` lists the names without
loading PySide6, and a view's class is imported when it is first made.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

PLACES = ("flat", "side")
FRAMES = ("square", "grid", "wide")


@dataclass(frozen=True)
class ViewSpec:
    """One view: its id, its words, where it goes and how it is made.

    ``place``: "flat" views share the main area, one at a time (View > Overlay,
    Small multiples, Basin map); the "side" view goes beside them or alone (View >
    3D surface, Contour and 3D). ``frame``: how a rendered frame lays it out in a
    wide frame: "square" (title, legend and lr strip beside it), "grid" (beside it
    from two rows of plots up), "wide" (above and below it).
    """

    name: str  # the id: View menu key, RenderOptions.view, `lrsim render --view`
    title: str  # the Render dialog's choice
    menu_text: str  # the View menu entry (& marks its accelerator)
    shortcut: str
    factory: str  # "module:Class", imported on first use
    place: str = "flat"
    renderable: bool = True  # File > Export animation and `lrsim render`
    needs_gl: bool = False  # OpenGL: unavailable under Qt's offscreen platform
    frame: str = "wide"
    adds_starts: bool = False  # a click on it emits start_point_requested(x, y)

    def __post_init__(self):
        if self.place not in PLACES or self.frame not in FRAMES:
            raise ValueError(f"view {self.name!r}: place {self.place!r}, frame {self.frame!r}")

    def view_class(self) -> type:
        module, _, name = self.factory.partition(":")
        return getattr(import_module(module), name)

    def create(self, parent=None):
        """A new view of this kind (a QWidget implementing ``protocol.SurfaceView``)."""
        return self.view_class()(parent)


VIEWS: tuple[ViewSpec, ...] = (
    ViewSpec(
        "contour",
        "Contour (overlay)",
        "&Overlay: all runs on one surface",
        "Ctrl+4",
        "lrsim.gui.views.contour:ContourView",
        frame="square",
        adds_starts=True,
    ),
    ViewSpec(
        "multiples",
        "Small multiples",
        "&Small multiples: one view per run",
        "Ctrl+5",
        "lrsim.gui.views.multiples:SmallMultiplesView",
        frame="grid",
        adds_starts=True,
    ),
    ViewSpec(
        "basins",
        "Basin map",
        "&Basin map: where each start ends",
        "Ctrl+6",
        "lrsim.gui.views.basin_map:BasinMapView",
        renderable=False,
    ),
    ViewSpec(
        "3d",
        "3D",
        "&3D surface",
        "Ctrl+2",
        "lrsim.gui.views.surface3d:SurfaceView3D",
        place="side",
        needs_gl=True,
    ),
)

DEFAULT = "contour"  # the view the window opens with and `lrsim render` draws
# The View menu's first group: the flat view alone, the side view alone, or both
FLAT_ONLY = ("flat", "&Contour map", "Ctrl+1")
SIDE_BY_SIDE = ("both", "Contour &and 3D", "Ctrl+3")


def view_spec(name: str) -> ViewSpec:
    """The view called ``name``; an unknown name raises (it never falls back)."""
    for spec in VIEWS:
        if spec.name == name:
            return spec
    raise KeyError(f"unknown view {name!r}; the views are {', '.join(view_names())}")


def view_names(*, renderable: bool = False) -> tuple[str, ...]:
    return tuple(spec.name for spec in VIEWS if spec.renderable or not renderable)


def flat_views() -> tuple[ViewSpec, ...]:
    return tuple(spec for spec in VIEWS if spec.place == "flat")


def side_view() -> ViewSpec:
    (side,) = (spec for spec in VIEWS if spec.place == "side")
    return side


def arrangements() -> tuple[tuple[str, str, str], ...]:
    """(kind, menu text, shortcut) of the View menu's first group, in its order."""
    side = side_view()
    return (FLAT_ONLY, (side.name, side.menu_text, side.shortcut), SIDE_BY_SIDE)
