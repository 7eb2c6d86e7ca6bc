"""OpenGL support of the 3D view: whether GL works here, GL options, shading, the GL
items of the scene and of one run (trail, crosses, current positions), and a run's
history laid out by column."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QOpenGLContext

from lrsim.gui.views import style
from lrsim.gui.views.axes3d import make_axis_labels_item

MAX_MARKER_SCALE = 1.2  # markers grow less than trails with set_look: the surface is small
CROSS_ARM = 0.014  # half a cross's width, in box units (the domain spans 2)

_PROBLEM: list[str | None] = []


def opengl_problem() -> str | None:
    """Why the 3D view cannot be shown here, or None if it can (checked once)."""
    if not _PROBLEM:
        _PROBLEM.append(_find_opengl_problem())
    return _PROBLEM[0]


def _find_opengl_problem() -> str | None:
    try:
        import OpenGL.GL  # noqa: F401
        import pyqtgraph.opengl  # noqa: F401
    except Exception as error:  # ImportError, or PyOpenGL failing to find libGL
        return f"The 3D view needs PyOpenGL and an OpenGL library ({error})."
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.platformName() in ("offscreen", "minimal"):
        # a context may still be created (EGL, or a display in the environment), but the
        # QOpenGLWidget behind GLViewWidget has no framebuffer there and crashes on first use
        return "The 3D view needs OpenGL on a real display; this session draws offscreen."
    context = QOpenGLContext()
    if not context.create():
        return "The 3D view needs OpenGL, which this display does not provide."
    return None


def _on_top_options() -> dict:
    """GL state for markers that stay visible behind hills: no depth test, alpha blending."""
    from OpenGL import GL

    return {
        GL.GL_DEPTH_TEST: False,
        GL.GL_BLEND: True,
        "glBlendFunc": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA),
    }


ON_TOP: dict = {}


def _rgba(color: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    c = QColor(color)
    return (c.redF(), c.greenF(), c.blueF(), alpha)


def shade(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Lambert shading of the height field z[i, j] at (x[i], y[j]), in 0.4..1.

    The light comes from above, front left, fixed to the surface (so rotating the
    view shows the same relief).
    """
    dz_dx, dz_dy = np.gradient(z, x, y)
    normal = np.stack([-dz_dx, -dz_dy, np.ones_like(z)], axis=-1)
    normal /= np.linalg.norm(normal, axis=-1, keepdims=True)
    light = np.array([-0.45, -0.6, 1.0])
    light /= np.linalg.norm(light)
    return (0.4 + 0.6 * np.clip(normal @ light, 0.0, 1.0)).astype(np.float32)


class SceneItems:
    """The GL items of a scene whatever its runs: the surface, its critical points, the
    diverged markers, the floor's contour, the axes' frame and their labels.

    Shading is baked into the surface's vertex colours (``shade``): the surface never
    changes during playback, and software GL then draws it ~1.5x faster than with a
    lighting shader. The surface is added to the view with its first data (an empty
    mesh fails); the others are added here.
    """

    def __init__(self, gl, view):
        self.surface = gl.GLSurfacePlotItem(shader=None, smooth=False, glOptions="opaque")
        self.minima = gl.GLScatterPlotItem(size=13.0, color=(1, 1, 1, 1), pxMode=True)
        self.local_minima = gl.GLScatterPlotItem(size=7.0, color=(1, 1, 1, 0.75), pxMode=True)
        self.saddles = gl.GLScatterPlotItem(size=6.0, color=(0.8, 0.8, 0.8, 0.7), pxMode=True)
        self.diverged = gl.GLScatterPlotItem(
            size=11.0, color=_rgba(style.DIVERGED_COLOR), pxMode=True
        )
        for item in (self.minima, self.local_minima, self.saddles, self.diverged):
            item.setGLOptions("translucent")
            view.addItem(item)
        self.floor = gl.GLLinePlotItem(mode="lines", width=1.0, antialias=False)
        self.frame = gl.GLLinePlotItem(mode="lines", width=1.0, antialias=False)
        self.labels = make_axis_labels_item()
        for item in (self.floor, self.frame):
            item.setGLOptions("translucent")  # the default, additive, vanishes on white
        for item in (self.floor, self.frame, self.labels):
            view.addItem(item)


class _RunItems:
    """The GL items of one run: trail segments, crosses (points) and current positions.

    Current positions are drawn without depth test (visible behind hills), as a disc
    in the run's colour on a white one; a crowded swarm (``CROWDED`` particles or
    more) gets smaller discs and no white ring, as software GL pays per pixel.
    """

    def __init__(self, gl, view, color: str, crowded: bool, scale: float = 1.0):
        rgba = _rgba(color)
        self.trail = gl.GLLinePlotItem(mode="lines", width=2.0 * scale, color=rgba, antialias=False)
        scale = min(scale, MAX_MARKER_SCALE)
        # a flat cross '+' at every iteration, two short segments lying on the surface
        self.crosses = gl.GLLinePlotItem(mode="lines", width=1.0, color=rgba, antialias=False)
        current = (7.0 if crowded else 11.0) * scale
        # every current marker ringed (white for a few, dark in a crowd: neighbours
        # stay apart), so a swarm of 1,600 reads as 1,600 markers, not a blot
        ring = (0.05, 0.05, 0.05, 1) if crowded else (1, 1, 1, 1)
        self.halo = gl.GLScatterPlotItem(size=current + 4.0 * scale, color=ring, pxMode=True)
        self.current = gl.GLScatterPlotItem(size=current, color=rgba, pxMode=True)
        self.trail.setGLOptions("opaque")
        self.crosses.setGLOptions("opaque")
        self.halo.setGLOptions(ON_TOP)
        self.current.setGLOptions(ON_TOP)
        for item in self.items:
            view.addItem(item)
        # per column c: how many trail vertices and cross points cover columns 0..c
        self.segments = np.zeros((0, 3), np.float32)
        self.points = np.zeros((0, 3), np.float32)
        self.segment_ends = np.zeros(1, np.int64)
        self.point_ends = np.zeros(1, np.int64)

    def set_history(self, points, point_ends, segments, segment_ends) -> None:
        """The run's precomputed history (``history_geometry``) and its crosses."""
        self.points, self.point_ends = points, point_ends
        self.segments, self.segment_ends = segments, segment_ends
        self.crosses_xyz = cross_vertices(points)

    @property
    def items(self):
        return (self.trail, self.crosses, self.halo, self.current)

    def remove(self, view) -> None:
        for item in self.items:
            view.removeItem(item)


def cross_vertices(points: np.ndarray, arm: float = CROSS_ARM) -> np.ndarray:
    """Four vertices per point: a segment along x then one along y through it (mode lines)."""
    out = np.repeat(points, 4, axis=0)
    out[0::4, 0] -= arm
    out[1::4, 0] += arm
    out[2::4, 1] -= arm
    out[3::4, 1] += arm
    return out


def history_geometry(hx, hy, bx, by, hz, inside):
    """(points, point_ends, segments, segment_ends) of a run's history (particles x columns).

    Cross points and trail segments (box coordinates, float32) ordered by column, with
    per-column end offsets: showing column c is then a slice of precomputed arrays, not
    a recomputation. ``hx``, ``hy`` are the positions (a segment only where the particle
    moved), ``bx``, ``by``, ``hz`` the box coordinates, ``inside`` what is drawn.
    """
    columns = hx.shape[1]
    point_chunks, segment_chunks = [], []
    point_ends = np.zeros(columns, np.int64)
    segment_ends = np.zeros(columns, np.int64)
    points_so_far = segments_so_far = 0
    for c in range(columns):
        keep = inside[:, c]
        point_chunks.append(np.column_stack([bx[keep, c], by[keep, c], hz[keep, c]]))
        points_so_far += int(keep.sum())
        point_ends[c] = points_so_far
        if c:
            both = keep & inside[:, c - 1]
            moved = both & ((hx[:, c] != hx[:, c - 1]) | (hy[:, c] != hy[:, c - 1]))
            pairs = np.empty((int(moved.sum()), 2, 3))
            pairs[:, 0] = np.column_stack([bx[moved, c - 1], by[moved, c - 1], hz[moved, c - 1]])
            pairs[:, 1] = np.column_stack([bx[moved, c], by[moved, c], hz[moved, c]])
            segment_chunks.append(pairs.reshape(-1, 3))
            segments_so_far += 2 * int(moved.sum())
        segment_ends[c] = segments_so_far
    points = np.concatenate(point_chunks).astype(np.float32)
    segments = (
        np.concatenate(segment_chunks).astype(np.float32)
        if segment_chunks
        else np.zeros((0, 3), np.float32)
    )
    return points, point_ends, segments, segment_ends
