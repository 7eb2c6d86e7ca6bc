"""The contour view's level-of-detail note ("Trails for 199 of 1,600 particles"): one
elided line in the title row's left corner, never over the data."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from lrsim.gui.views import style
from lrsim.gui.views.scene import DetailPlan

NOTE_SCALE = 0.8  # the level-of-detail note's type, of the note font


class DetailNote(QLabel):
    """Shown only when the plan draws less than everything; its tooltip says it in full."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setFont(style.note_font(NOTE_SCALE))
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hide()
        self.full = ""

    def set_font_scale(self, font_scale: float) -> None:
        self.setFont(style.note_font(font_scale * NOTE_SCALE))

    def set_colors(self, colors: style.Theme) -> None:
        self.setStyleSheet(f"color: {colors.note}; background: {colors.background};")

    def show_plan(self, plan: DetailPlan) -> None:
        self.full = plan.note()
        self.setText(self.full)
        self.setToolTip(plan.note(long=True))
        self.setVisible(plan.reduced)

    def place(self, plot_widget: pg.PlotWidget) -> None:
        """Top left, beside the title, over no data (the plot area starts below)."""
        plot_item = plot_widget.getPlotItem()
        top = plot_widget.mapFromScene(plot_item.getViewBox().sceneBoundingRect().topLeft())
        width = 260
        item = plot_item.titleLabel.item
        if plot_item.titleLabel.isVisible() and item.toPlainText():
            title = item.mapRectToScene(item.boundingRect())
            width = min(width, plot_widget.mapFromScene(title.topLeft()).x() - 10)
        width = max(60, round(width))
        self.setFixedWidth(width)
        metrics = self.fontMetrics()
        self.setText(metrics.elidedText(self.full, Qt.TextElideMode.ElideRight, width - 4))
        self.adjustSize()  # one line, beside the title: never down onto the data
        self.move(4, max(0, top.y() - self.height() - 2))
        self.raise_()
