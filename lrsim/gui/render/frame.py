"""One frame of a rendered animation: a surface view with what a slide needs around it.

The frame holds the chosen view (a renderable ``ViewSpec``), a header with
the run file's title, each run's colour, label and current learning rate, and
"step k / N", and a strip with every run's learning-rate schedule: faint over
all steps, solid up to the step shown, with a cursor there. Sizes follow the
frame's height (fonts are in pixels, 1080 p being the reference), so a 1280x720
frame looks like a 1920x1080 one scaled down.

A contour view in a wide frame (16:9) is square, and so are small multiples on
two or more rows: the header and the strip go beside them, in the room they
leave; the 3D view and one row of multiples get them above and below.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from lrsim.gui.panels.cursor_marks import CursorMarks, cursor_pen
from lrsim.gui.views import style
from lrsim.gui.views.multiples import grid_shape
from lrsim.gui.views.protocol import SurfaceView
from lrsim.gui.views.registry import view_spec

SIDE_LAYOUT_ASPECT = 1.3  # a contour frame at least this wide gets its panel at the side
MAX_LR_PARTICLES = 4096  # the median lr of a plateau run uses at most this many particles
LOG_LR_RATIO = 100.0  # schedules whose bulk spans more than this factor get a log axis


def format_lr(value: float) -> str:
    if not np.isfinite(value):
        return "–"
    # one format for every run in the header: three significant digits, as lr-find prints
    return f"{value:.3g}"


def _blend(a: str, b: str, t: float) -> str:
    ca, cb = QColor(a), QColor(b)
    mix = [
        round((1 - t) * x + t * y) for x, y in zip(ca.getRgb()[:3], cb.getRgb()[:3], strict=True)
    ]
    return QColor(*mix).name()


def _swatch(color: str, width: int, height: int) -> QPixmap:
    pixmap = QPixmap(width, height)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    pen = QPen(QColor(color), max(2.0, height * 0.35))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.drawLine(height // 3, height // 2, width - height // 3, height // 2)
    painter.end()
    return pixmap


class FrameWidget(QWidget):
    """``show_column(c)`` then ``grab_image()``; built for one simulation and one size."""

    def __init__(self, sim, options, parent: QWidget | None = None):
        super().__init__(parent)
        self.sim = sim
        self.options = options
        width, height = options.size
        self.unit = min(width / 1920.0, height / 1080.0)
        colors = style.theme(options.dark)
        self.background, self.foreground = colors.background, colors.foreground
        self.muted = _blend(self.foreground, self.background, 0.35)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(self.background))
        palette.setColor(QPalette.ColorRole.WindowText, QColor(self.foreground))
        self.setPalette(palette)
        self.setAutoFillBackground(True)
        visible = options.visible_runs
        self.run_indices = [
            i for i in range(sim.n_runs) if visible is None or i in visible
        ] or list(range(sim.n_runs))

        spec = view_spec(options.view)
        self.view: SurfaceView = spec.create(self)
        self.view.set_simulation(sim)
        self.view.set_theme(options.dark)
        if options.log_scale is not None:
            self.view.set_log_scale(options.log_scale)
        if options.visible_runs is not None:
            self.view.set_visible_runs(self.run_indices)

        side = width >= SIDE_LAYOUT_ASPECT * height and (
            spec.frame == "square"
            or (spec.frame == "grid" and grid_shape(len(self.run_indices))[0] > 1)
        )
        self.side_layout = side
        self.panel_width = 0
        if side and spec.frame == "square":  # a square plot and its colour bar
            self.panel_width = round(np.clip(width - 1.1 * height, 0.24 * width, 0.42 * width))
        elif side:
            self.panel_width = round(0.25 * width)
        self.title = self._label(sim.runfile.title or "", 30 if side else 26, bold=True)
        self.title.setWordWrap(side)
        self.counter = self._label("", 40 if side else 28, bold=True)
        self.counter.setAlignment(
            Qt.AlignmentFlag.AlignLeft if side else Qt.AlignmentFlag.AlignRight
        )
        metrics = QFontMetrics(self.counter.font())
        self.counter.setMinimumWidth(metrics.horizontalAdvance(f"step {sim.steps} / {sim.steps}"))
        self.lr_labels: list[QLabel] = []
        self.strip = self._lr_strip() if options.lr_strip else None
        self._arrange(side, self._legend_items())

    # ------------------------------------------------------------------ building

    def _px(self, size: float) -> int:
        return max(9, round(size * self.unit))

    def _label(self, text: str, size: float, *, bold: bool = False, muted: bool = False) -> QLabel:
        label = QLabel(text, self)
        font = QFont(label.font())
        font.setPixelSize(self._px(size))
        font.setBold(bold)
        label.setFont(font)
        color = self.muted if muted else self.foreground
        label.setStyleSheet(f"color: {color}; background: transparent;")
        return label

    def _legend_items(self) -> list[tuple[QLabel, QLabel, QLabel]]:
        """(swatch, label, lr) per run; in a side panel labels are elided to fit it."""
        items = []
        for index in self.run_indices:
            run = self.sim.runs[index]
            swatch = QLabel(self)
            swatch.setPixmap(_swatch(run.color, self._px(34), self._px(16)))
            name = self._label(run.label, 22, bold=True)
            name.setToolTip(run.label)
            value = self._label("", 20, muted=True)
            value.setFixedWidth(QFontMetrics(value.font()).horizontalAdvance("lr 8.888e-88"))
            if self.side_layout:
                room = self.panel_width - swatch.pixmap().width() - value.width() - self._px(64)
                metrics = QFontMetrics(name.font())
                name.setText(metrics.elidedText(run.label, Qt.TextElideMode.ElideRight, room))
            self.lr_labels.append(value)
            items.append((swatch, name, value))
        return items

    def _item_width(self, item: tuple[QLabel, QLabel, QLabel]) -> int:
        swatch, name, value = item
        spacing = self._px(10)
        name_width = QFontMetrics(name.font()).horizontalAdvance(name.text())
        return swatch.pixmap().width() + name_width + value.width() + 3 * spacing

    def _legend(self, items, columns: int) -> QWidget:
        """The run legend as a grid of ``columns`` items a row (swatch, label, lr)."""
        box = QWidget(self)
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(self._px(10))
        grid.setVerticalSpacing(self._px(6))
        for slot, widgets in enumerate(items):
            row, column = divmod(slot, columns)
            for offset, widget in enumerate(widgets):
                widget.setParent(box)
                grid.addWidget(widget, row, 3 * column + offset)
                if offset == 2 and column < columns - 1:
                    grid.setColumnMinimumWidth(3 * column + 2, widget.width() + self._px(24))
        grid.setColumnStretch(3 * columns, 1)
        return box

    def _lr_strip(self) -> pg.PlotWidget:
        plot_widget = pg.PlotWidget(self, background=self.background)
        plot = plot_widget.getPlotItem()
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.getViewBox().setMouseEnabled(False, False)
        font = QFont()
        font.setPixelSize(self._px(17))
        for name, text in (("left", "learning rate"), ("bottom", "step")):
            axis = plot.getAxis(name)
            axis.setStyle(tickFont=font, tickTextOffset=self._px(5))
            axis.setPen(pg.mkPen(self.muted))
            axis.setTextPen(pg.mkPen(self.foreground))
            axis.setLabel(text, color=self.foreground, **{"font-size": f"{self._px(19)}px"})
            axis.enableAutoSIPrefix(False)  # 0.02, not 20 with "(x0.001)" in the label
        plot.showGrid(x=True, y=True, alpha=0.2)
        from lrsim.gui.panels import series

        self._lr_data = []
        positive = True
        spans = []
        for index in self.run_indices:
            steps, values = series.lr_series(self.sim, index)
            finite = values[np.isfinite(values)]
            positive = positive and finite.size > 0 and bool(np.all(finite > 0))
            if finite.size:
                # the 10th percentile: a one-cycle's last steps near 0 do not make it log
                spans.append((float(np.percentile(finite, 10)), float(finite.max())))
            self._lr_data.append((steps, values))
        low = min((s[0] for s in spans), default=1.0)
        high = max((s[1] for s in spans), default=1.0)
        log = positive and high / max(low, 1e-300) > LOG_LR_RATIO
        self._lr_items = []
        for (steps, values), index in zip(self._lr_data, self.run_indices, strict=True):
            color = QColor(self.sim.runs[index].color)
            faint = QColor(color)
            faint.setAlpha(80)
            plot.addItem(pg.PlotDataItem(steps, values, pen=pg.mkPen(faint, width=self._px(3))))
            past = pg.PlotDataItem(pen=pg.mkPen(color, width=self._px(4)))
            plot.addItem(past)
            self._lr_items.append(past)
        # the cursor, dots and values of the window's LR panel: one look
        pen = cursor_pen(self._px(2) / 2, self.options.dark)
        self._cursor = pg.InfiniteLine(angle=90, movable=False, pen=pen)
        self._cursor.setZValue(35)
        plot.addItem(self._cursor, ignoreBounds=True)
        self._marks = CursorMarks(plot)
        self._marks.set_series(
            [
                (steps, values, self.sim.runs[index].color)
                for (steps, values), index in zip(self._lr_data, self.run_indices, strict=True)
            ]
        )
        self._marks.set_look(1.5 * self._px(17) / 17, self.options.dark)
        plot.setLogMode(y=log)
        plot.setXRange(0, max(1, self.sim.steps), padding=0.01)
        plot.enableAutoRange(axis="y")
        return plot_widget

    def _arrange(self, side: bool, items) -> None:
        margin = self._px(14)
        width, height = self.options.size
        legend = None
        if side:
            legend = self._legend(items, 1) if items else None
            outer = QHBoxLayout(self)
            outer.setContentsMargins(0, 0, 0, 0)
            outer.setSpacing(0)
            outer.addWidget(self.view, 1)
            panel = QVBoxLayout()
            panel.setContentsMargins(margin, 2 * margin, 2 * margin, margin)
            panel.setSpacing(self._px(18))
            if self.options.header:
                for widget in (self.title, self.counter, legend):
                    if widget is not None:
                        panel.addWidget(widget)
            if self.strip is not None:
                panel.addWidget(self.strip, 1)
            else:
                panel.addStretch(1)
            outer.addLayout(panel)
            self.view.setFixedWidth(width - self.panel_width)
        else:
            outer = QVBoxLayout(self)
            outer.setContentsMargins(0, 0, 0, 0)
            outer.setSpacing(0)
            gap = self._px(30)
            room = width - 4 * margin - 2 * gap
            room -= self.title.sizeHint().width() + self.counter.minimumWidth()
            widths = [self._item_width(item) for item in items]
            one_row = sum(widths) + gap * (len(items) - 1) <= room
            if items:
                fit = max(1, (width - 4 * margin) // (max(widths) + gap))
                legend = self._legend(items, len(items) if one_row else min(fit, len(items)))
            if self.options.header:
                header = QHBoxLayout()
                header.setContentsMargins(2 * margin, margin // 2, 2 * margin, margin // 2)
                header.setSpacing(gap)
                header.addWidget(self.title)
                header.addStretch(1)
                if one_row and legend is not None:
                    header.addWidget(legend)
                    header.addStretch(1)
                header.addWidget(self.counter)
                outer.addLayout(header)
                if not one_row and legend is not None:
                    row = QHBoxLayout()
                    row.setContentsMargins(2 * margin, 0, 2 * margin, margin // 2)
                    row.addWidget(legend)
                    outer.addLayout(row)
            outer.addWidget(self.view, 1)
            if self.strip is not None:
                self.strip.setFixedHeight(max(60, round(0.17 * self.options.size[1])))
                strip_box = QHBoxLayout()
                strip_box.setContentsMargins(margin, 0, 2 * margin, margin // 2)
                strip_box.addWidget(self.strip)
                outer.addLayout(strip_box)
        if not self.options.header:
            for widget in (self.title, self.counter, legend):
                if widget is not None:
                    widget.hide()

    # ------------------------------------------------------------------ per frame

    def show_column(self, column: int) -> None:
        sim = self.sim
        column = int(np.clip(column, 0, len(sim.recorded_steps) - 1))
        step = int(sim.recorded_steps[column])
        self.view.set_column(column)
        self.counter.setText(f"step {step} / {sim.steps}")
        for label, index in zip(self.lr_labels, self.run_indices, strict=True):
            label.setText(f"lr {format_lr(self._lr_at(index, column, step))}")
        if self.strip is not None:
            self._cursor.setValue(step)
            for (steps, values), past in zip(self._lr_data, self._lr_items, strict=True):
                upto = int(np.searchsorted(steps, step, side="right"))
                past.setData(steps[:upto], values[:upto])
            self._marks.set_step(step)

    def _lr_at(self, run_index: int, column: int, step: int) -> float:
        run = self.sim.runs[run_index]
        if not run.per_particle_lr:
            return float(run.lr_curve[step])
        values = run.lr[:, column]
        if values.size > MAX_LR_PARTICLES:
            values = values[:: values.size // MAX_LR_PARTICLES + 1]
        finite = values[np.isfinite(values)]
        return float(np.median(finite)) if finite.size else float("nan")

    def grab_image(self) -> QImage:
        """The frame as drawn (the 3D view's framebuffer and axis labels included)."""
        image = self.grab().toImage()
        painter = QPainter(image)
        self.view.paint_overlay(painter, QPointF(self.view.mapTo(self, QPoint(0, 0))))
        painter.end()
        return image
