"""The averaged point beside each particle (Schedule-Free's evaluation point, ASGD's ax).

Drawn over a contour view's particles and trails (a group above the swarm layer, moved
with the view's data transform): per run one scatter of pale diamonds at the
averaged points and one curve of thin segments (``connect="pairs"``) from each
particle to its averaged point; both built once and fed with ``setData``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

MAX_DRAWN = 2000  # particles per run: enough to see the lag, cheap to redraw


class AveragedOverlay:
    """``set_data(sim, averaged_of, column)`` per frame; ``averaged_of(run)`` -> array or None."""

    def __init__(self, view_box: pg.ViewBox):
        self.view_box = view_box
        self.group = pg.ItemGroup()
        self.group.setParentItem(view_box)  # a sibling of the swarm (z 50), above it
        self.group.setZValue(55)
        view_box.sigTransformChanged.connect(self._follow_view)
        self._follow_view()
        self._items: dict[int, tuple[pg.ScatterPlotItem, pg.PlotCurveItem]] = {}

    def _follow_view(self, *_args) -> None:
        self.group.setTransform(self.view_box.childGroup.transform())

    def _items_for(self, run_index: int, color: str):
        if run_index not in self._items:
            points = pg.ScatterPlotItem(  # a pale diamond: not the particle's disc
                size=13,
                symbol="d",
                pen=pg.mkPen(color, width=2),
                brush=pg.mkBrush(255, 255, 255, 170),
            )
            pen = pg.mkPen(color, width=1)
            pen.setCosmetic(True)
            lines = pg.PlotCurveItem(connect="pairs", pen=pen)
            for item in (lines, points):
                item.setParentItem(self.group)
            self._items[run_index] = (points, lines)
        return self._items[run_index]

    def clear(self) -> None:
        for points, lines in self._items.values():
            points.setData([], [])
            lines.setData([], [])

    def set_data(self, sim, averaged_of, column: int, visible=None) -> None:
        """Show the averaged points at recorded column ``column`` of ``sim``."""
        if sim is None:
            self.clear()
            return
        step = int(sim.recorded_steps[column])
        for index, run in enumerate(sim.runs):
            averaged = averaged_of(index)
            if averaged is None:
                if index in self._items:
                    self._items[index][0].setData([], [])
                    self._items[index][1].setData([], [])
                continue
            points, lines = self._items_for(index, run.color)
            if visible is not None and index not in visible:
                points.setData([], [])
                lines.setData([], [])
                continue
            keep = np.unique(np.linspace(0, sim.n_particles - 1, MAX_DRAWN).astype(int))
            ax, ay = averaged[keep, step, 0], averaged[keep, step, 1]
            px, py = run.x[keep, column], run.y[keep, column]
            ok = np.isfinite(ax) & np.isfinite(ay)
            points.setData(ax[ok], ay[ok])
            xs = np.column_stack([px[ok], ax[ok]]).ravel()
            ys = np.column_stack([py[ok], ay[ok]]).ravel()
            lines.setData(xs, ys)
