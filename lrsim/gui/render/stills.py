"""Still images of the LR and loss panels at a chosen size, for slides and handouts.

``save_panel_images(sim, folder, (1600, 900), step=..., dark=...)`` writes
``lrsim-lr.png`` and ``lrsim-loss.png`` (atomically). The panels are drawn
fresh offscreen from the simulation rather than grabbed from the window: the
app's own sit in docks, and resizing them to 1920x1080 would disturb it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from lrsim.core.atomic import check_target, give_default_mode, write_with
from lrsim.core.errors import ConfigError
from lrsim.gui.render.animation import MAX_SIDE, process_events, scaled_exactly

STILL_SUFFIXES = {".png": "PNG", ".jpg": "JPG", ".jpeg": "JPG", ".bmp": "BMP"}


def widget_image(widget: QWidget, size: tuple[int, int], part: QWidget | None = None) -> QImage:
    """A top-level ``widget`` laid out offscreen so that ``part`` (default: all of it)
    is ``size`` pixels, and ``part`` grabbed (scaled to ``size`` on a high-DPI screen)."""
    part = part or widget
    width, height = size
    widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    widget.setFixedSize(width, height)
    widget.show()
    process_events()
    extra_w, extra_h = widget.width() - part.width(), widget.height() - part.height()
    if extra_w or extra_h:
        widget.setFixedSize(width + extra_w, height + extra_h)
        process_events()
    image = part.grab().toImage()
    widget.hide()
    return scaled_exactly(image, width, height)


def save_image(image: QImage, path: str | os.PathLike) -> Path:
    """Write ``image`` (.png, .jpg or .bmp by the suffix), atomically."""
    path = Path(path)
    kind = STILL_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ConfigError(str(path), "still images are written as .png, .jpg or .bmp")
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, kind):
        raise ConfigError(str(path), f"could not encode the image as {kind}")
    buffer.close()
    write_with(path, lambda stream: stream.write(bytes(data)), mode="wb")
    give_default_mode(path)
    return path


def panel_images(
    sim,
    size: tuple[int, int] = (1600, 900),
    *,
    step: int | None = None,
    dark: bool = True,
    lr_log: bool = False,
    loss_log: bool = False,
    legend: bool = True,
) -> tuple[QImage, QImage]:
    """(LR panel, loss panel) of ``sim`` as images of ``size``, cursor at ``step``.

    Fresh panels are drawn offscreen (the app's own sit in docks: resizing them to
    1920x1080 would disturb the window); only their plots are kept, not the
    checkboxes above them, and a legend names the runs (a still has no legend bar
    beside it).
    """
    from lrsim.gui.panels.loss_panel import LossPanel
    from lrsim.gui.panels.lr_panel import LrPanel

    width, height = size
    if not (16 <= width <= MAX_SIDE and 16 <= height <= MAX_SIDE):
        raise ConfigError("size", f"must be 16..{MAX_SIDE} pixels a side, got {width}x{height}")
    step = sim.current_step if step is None else int(step)
    images = []
    for panel_type, log in ((LrPanel, lr_log), (LossPanel, loss_log)):
        panel = panel_type()
        panel.set_theme(dark)
        panel.log_box.setChecked(log)
        panel.set_scene(sim)
        panel.set_step(step)
        if legend:
            _add_legend(panel.lr_plot if panel_type is LrPanel else panel.plot, sim, dark)
        images.append(widget_image(panel, size, panel.canvas))
        panel.close()
        panel.deleteLater()
    process_events()
    return images[0], images[1]


def _add_legend(plot, sim, dark: bool) -> None:
    from lrsim.gui.panels import plot_style

    colors = plot_style.THEMES[dark]
    fill = QColor(colors["background"])
    fill.setAlpha(220)
    legend = pg.LegendItem(offset=(-12, 12), labelTextSize="13pt")
    legend.setParentItem(plot.getViewBox())
    legend.setBrush(pg.mkBrush(fill))
    legend.setPen(pg.mkPen(colors["foreground"], width=0.5))
    legend.setLabelTextColor(colors["foreground"])
    legend.setZValue(200)
    for run in sim.runs:
        legend.addItem(
            pg.PlotDataItem([0, 1], [0, 0], pen=plot_style.run_pen(run.color)), run.label
        )


def save_panel_images(
    sim,
    destination: str | os.PathLike | Sequence[str | os.PathLike | None],
    size: tuple[int, int] = (1600, 900),
    *,
    stem: str = "lrsim",
    **looks,
) -> list[Path]:
    """Still images of the LR and loss panels; returns the files written.

    ``destination`` is a folder (``<stem>-lr.png`` and ``<stem>-loss.png`` go into
    it) or a pair of paths (LR, loss), either of which may be None to skip it.
    ``looks`` are ``panel_images``' step, dark, lr_log and loss_log. Each file is
    written atomically; a missing folder is an error, not created.
    """
    if isinstance(destination, str | os.PathLike):
        folder = Path(destination)
        if not folder.is_dir():
            raise ConfigError(str(folder), "folder does not exist")
        paths = [folder / f"{stem}-lr.png", folder / f"{stem}-loss.png"]
    else:
        paths = [None if p is None else Path(p) for p in destination]
        if len(paths) != 2:
            raise ConfigError("paths", "give two paths: the LR panel's and the loss panel's")
    for path in paths:
        if path is not None:
            _check_still_path(path)
    images = panel_images(sim, size, **looks)
    return [save_image(image, path) for image, path in zip(images, paths, strict=True) if path]


def _check_still_path(path: Path) -> None:
    check_target(path)
    if path.suffix.lower() not in STILL_SUFFIXES:
        raise ConfigError(str(path), "still images are written as .png, .jpg or .bmp")


def app_is_dark() -> bool:
    app = QApplication.instance()
    return app is not None and app.palette().color(QPalette.ColorRole.Window).lightness() < 128


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "lrsim"


def export_panel_images(
    parent: QWidget | None,
    simulation,
    *,
    step: int | None = None,
    dark: bool | None = None,
    size: tuple[int, int] = (1600, 900),
) -> list[Path]:
    """Ask for a folder and write ``<title>-lr.png`` and ``<title>-loss.png`` there.

    For a menu action: ``export_panel_images(window, window.controller.simulation,
    step=shown_step)``. Returns the files written (none if the user cancelled);
    a problem is shown in a message box.
    """
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    folder = QFileDialog.getExistingDirectory(parent, "Save LR and loss panels as images")
    if not folder:
        return []
    stem = slug(simulation.runfile.title or simulation.surface.name)
    try:
        return save_panel_images(
            simulation,
            folder,
            size,
            stem=stem,
            step=step,
            dark=app_is_dark() if dark is None else dark,
        )
    except (ConfigError, OSError) as error:
        QMessageBox.warning(parent, "Cannot save images", str(error))
        return []
