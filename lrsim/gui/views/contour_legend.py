"""The contour view's optional legend inside the plot: each shown run's trail and cross
with its label (small multiples and the window use the legend bar instead)."""

from __future__ import annotations

import pyqtgraph as pg

from lrsim.gui.views import style


class RunLegend:
    """A ``pg.LegendItem`` in the view box's top right corner, above the data."""

    def __init__(self, view_box: pg.ViewBox):
        self.item = pg.LegendItem(offset=(-12, 12), labelTextSize="13pt")
        self.item.setParentItem(view_box)
        self.item.setZValue(200)
        self.samples: list[pg.PlotDataItem] = []

    def set_colors(self, colors: style.Theme) -> None:
        self.item.setBrush(pg.mkBrush(colors.legend_fill))
        self.item.setPen(pg.mkPen(colors.foreground, width=0.5))
        self.item.setLabelTextColor(colors.foreground)

    def set_font_scale(self, font_scale: float) -> None:
        self.item.opts["labelTextSize"] = style.scaled_points("13pt", font_scale)

    def set_runs(self, runs, line_scale: float) -> None:
        """One entry per run shown (``runs``: the simulation's runs, in legend order)."""
        self.item.clear()
        self.samples = []
        for run in runs:
            sample = pg.PlotDataItem(
                [0, 1],
                [0, 0],
                pen=style.trail_pen(run.color, line_scale),
                symbol="+",
                symbolSize=round(style.CROSS_SIZE * line_scale),
                symbolBrush=run.color,
                symbolPen=pg.mkPen(style.OUTLINE, width=1),
            )
            self.samples.append(sample)
            self.item.addItem(sample, run.label)

    def contains(self, scene_position) -> bool:
        return self.item.sceneBoundingRect().contains(scene_position)
