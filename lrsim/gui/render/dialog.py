"""File > Export animation…: render the playback to MP4, GIF or PNG frames, with progress.

``RenderDialog(simulation, window).exec()`` is all a menu action needs. Frames are
drawn on the GUI thread (Qt widgets cannot be painted elsewhere) one at a time,
with pending events processed between them, so the progress bar moves and
Cancel works; a cancelled render leaves no file. A simulation that is still
running on screen is not touched: the dialog simulates its own copy first.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lrsim.core.errors import ConfigError
from lrsim.gui.render.animation import SIZE_PRESETS, RenderOptions, RenderResult, render_animation
from lrsim.gui.render.writers import FORMAT_NAMES, missing_dependency, output_format
from lrsim.gui.views.registry import DEFAULT, VIEWS, view_spec

VIEW_CHOICES = tuple((spec.name, spec.title) for spec in VIEWS if spec.renderable)
ERROR_STYLE = "color: #d0423b;"


def _app_is_dark() -> bool:
    app = QApplication.instance()
    return app is not None and app.palette().color(QPalette.ColorRole.Window).lightness() < 128


def gl_problem() -> str | None:
    """Why a view that needs OpenGL cannot be rendered in this app, or None."""
    from PySide6.QtCore import QCoreApplication

    from lrsim.gui.views import opengl_problem

    problem = opengl_problem()
    if problem is not None:
        return problem
    if not QCoreApplication.testAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts):
        # pyqtgraph compiles its GL shaders once per process: a second GL context that
        # does not share with the first breaks the 3D view drawn after it
        return "Rendering 3D here needs OpenGL contexts shared across windows (use lrsim render)."
    return None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "lrsim"


class RenderDialog(QDialog):
    """Output, size, frame rate, steps, view and theme; Render with progress and Cancel."""

    def __init__(
        self,
        simulation,
        parent: QWidget | None = None,
        current_view: str = DEFAULT,
        *,
        dark: bool | None = None,
        log_scale: bool | None = None,
        visible_runs: list[int] | None = None,
        output: str | Path | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle("Export animation")
        self.simulation = simulation
        self.log_scale = log_scale
        self.visible_runs = None if visible_runs is None else tuple(visible_runs)
        self.result: RenderResult | None = None
        self._rendering = False
        self._cancelled = False
        self._close_when_done = False
        self._build(current_view, _app_is_dark() if dark is None else dark, output)
        self._update_format()
        self._update_summary()

    # ------------------------------------------------------------------ building

    def _build(self, current_view: str, dark: bool, output) -> None:
        sim = self.simulation
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)

        if output is None:
            # GIF by default: it needs nothing beyond the core install (MP4 needs the video extra)
            output = Path.cwd() / f"{_slug(sim.runfile.title or sim.surface.name)}.gif"
        self.path_edit = QLineEdit(str(output), self)
        self.path_edit.setMinimumWidth(380)
        self.path_edit.textChanged.connect(self._update_format)
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form.addRow("Output", row)
        self.format_label = QLabel(self)
        self.format_label.setWordWrap(True)
        self.format_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Format", self.format_label)

        self.size_box = QComboBox(self)
        for width, height in SIZE_PRESETS:
            self.size_box.addItem(f"{width} × {height}", (width, height))
        self.size_box.addItem("Custom", None)
        self.width_box = self._spin(16, 7680, SIZE_PRESETS[0][0])
        self.height_box = self._spin(16, 7680, SIZE_PRESETS[0][1])
        self.size_box.currentIndexChanged.connect(self._on_size_preset)
        row = QHBoxLayout()
        row.addWidget(self.size_box)
        row.addWidget(self.width_box)
        row.addWidget(QLabel("×", self))
        row.addWidget(self.height_box)
        row.addStretch(1)
        form.addRow("Size", row)
        self._on_size_preset()
        self.scale_box = QDoubleSpinBox(self)
        self.scale_box.setRange(0.1, 4.0)
        self.scale_box.setSingleStep(0.25)
        self.scale_box.setValue(1.0)
        self.scale_box.setToolTip(
            "Frames are laid out at the size above and written this many times as big: "
            "0.5 gives a small GIF that looks like the full-size frame"
        )
        self.scale_box.valueChanged.connect(self._update_summary)
        form.addRow("Scale", self.scale_box)

        self.fps_box = QDoubleSpinBox(self)
        self.fps_box.setRange(0.5, 60.0)
        self.fps_box.setValue(12.0)
        self.fps_box.setSuffix(" fps")
        self.fps_box.valueChanged.connect(self._update_summary)
        form.addRow("Frame rate", self.fps_box)

        self.first_box = self._spin(0, sim.steps, 0)
        self.last_box = self._spin(0, sim.steps, sim.steps)
        self.every_box = self._spin(1, max(1, sim.steps), 1)
        self.repeat_box = self._spin(1, 100, 1)
        self.hold_box = QDoubleSpinBox(self)
        self.hold_box.setRange(0.0, 60.0)
        self.hold_box.setSuffix(" s")
        self.hold_box.valueChanged.connect(self._update_summary)
        row = QHBoxLayout()
        for label, widget in (
            ("from", self.first_box),
            ("to", self.last_box),
            ("every", self.every_box),
        ):
            row.addWidget(QLabel(label, self))
            row.addWidget(widget)
        row.addStretch(1)
        form.addRow("Steps", row)
        row = QHBoxLayout()
        row.addWidget(self.repeat_box)
        row.addWidget(QLabel("frames per step; hold the last frame", self))
        row.addWidget(self.hold_box)
        row.addStretch(1)
        form.addRow("Timing", row)

        self.view_box = QComboBox(self)
        problem = gl_problem()
        for key, text in VIEW_CHOICES:
            self.view_box.addItem(text, key)
            if view_spec(key).needs_gl and problem is not None:
                item = self.view_box.model().item(self.view_box.count() - 1)
                item.setEnabled(False)
                item.setToolTip(problem)
        keys = [key for key, _text in VIEW_CHOICES]
        wanted = current_view if current_view in keys else DEFAULT  # e.g. the basin map
        if view_spec(wanted).needs_gl and problem is not None:
            wanted = DEFAULT
        self.view_box.setCurrentIndex(keys.index(wanted))
        form.addRow("View", self.view_box)
        self.theme_box = QComboBox(self)
        self.theme_box.addItem("Dark (projector)", True)
        self.theme_box.addItem("Light (print)", False)
        self.theme_box.setCurrentIndex(0 if dark else 1)
        form.addRow("Theme", self.theme_box)
        self.header_box = QCheckBox("Title, legend with learning rates, step counter", self)
        self.header_box.setChecked(True)
        self.strip_box = QCheckBox("Learning-rate schedules with a cursor", self)
        self.strip_box.setChecked(True)
        form.addRow("Show", self.header_box)
        form.addRow("", self.strip_box)

        self.summary_label = QLabel(self)
        layout.addWidget(self.summary_label)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        layout.addWidget(self.progress)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status_label)

        self.buttons = QDialogButtonBox(self)
        self.render_button = self.buttons.addButton(
            "Render", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.render_button.clicked.connect(self.start_render)
        self.cancel_button.clicked.connect(self.cancel_render)
        self.close_button.clicked.connect(self.reject)
        self.cancel_button.setEnabled(False)
        layout.addWidget(self.buttons)
        self._inputs = [
            self.path_edit,
            browse,
            self.size_box,
            self.width_box,
            self.height_box,
            self.scale_box,
            self.fps_box,
            self.first_box,
            self.last_box,
            self.every_box,
            self.repeat_box,
            self.hold_box,
            self.view_box,
            self.theme_box,
            self.header_box,
            self.strip_box,
        ]

    def _spin(self, low: int, high: int, value: int) -> QSpinBox:
        box = QSpinBox(self)
        box.setRange(low, high)
        box.setValue(value)
        box.valueChanged.connect(self._update_summary)
        return box

    # ------------------------------------------------------------------ reacting

    def _browse(self) -> None:
        filters = "Animated GIF (*.gif);;MP4 video (*.mp4);;PNG frames (a new folder) (*)"
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export animation", self.path_edit.text(), filters
        )
        if not path:
            return
        if chosen.startswith("MP4") and not path.lower().endswith(".mp4"):
            path += ".mp4"
        elif chosen.startswith("Animated") and not path.lower().endswith(".gif"):
            path += ".gif"
        self.path_edit.setText(path)

    def _on_size_preset(self) -> None:
        preset = self.size_box.currentData()
        custom = preset is None
        self.width_box.setEnabled(custom and not self._rendering)
        self.height_box.setEnabled(custom and not self._rendering)
        if preset is not None:
            self.width_box.setValue(preset[0])
            self.height_box.setValue(preset[1])
        self._update_summary()

    def output_problem(self) -> str | None:
        """Why the output path cannot be written as it stands (format or encoder), or None."""
        text = self.path_edit.text().strip()
        if not text:
            return "Choose where to write the animation."
        try:
            fmt = output_format(text)
        except ConfigError as error:
            return error.problem
        return missing_dependency(fmt)

    def _update_format(self) -> None:
        problem = self.output_problem()
        if problem is None:
            fmt = output_format(self.path_edit.text().strip())
            text = FORMAT_NAMES[fmt] + (
                " (frame_00000.png, … in the folder)" if fmt == "png" else ""
            )
            self.format_label.setText(text)
            self.format_label.setStyleSheet("")
        else:
            self.format_label.setText(problem)
            self.format_label.setStyleSheet(ERROR_STYLE)
        self.render_button.setEnabled(problem is None and not self._rendering)
        self._update_summary()
        self._fit_height()

    def _fit_height(self) -> None:
        """Grow to show a message that wrapped onto more lines (never shrink the user's size)."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        needed = layout.totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def options(self) -> RenderOptions:
        return RenderOptions(
            size=(self.width_box.value(), self.height_box.value()),
            fps=self.fps_box.value(),
            first_step=self.first_box.value(),
            last_step=self.last_box.value(),
            every=self.every_box.value(),
            frames_per_step=self.repeat_box.value(),
            hold=self.hold_box.value(),
            view=self.view_box.currentData(),
            dark=bool(self.theme_box.currentData()),
            log_scale=self.log_scale,
            visible_runs=self.visible_runs,
            header=self.header_box.isChecked(),
            lr_strip=self.strip_box.isChecked(),
            scale=self.scale_box.value(),
        )

    def _update_summary(self) -> None:
        from lrsim.gui.render.animation import frame_columns

        if not hasattr(self, "summary_label"):
            return
        try:
            options = self.options().checked()
            steps = len(frame_columns(self.simulation, options))
        except ConfigError as error:
            self.summary_label.setText(str(error))
            self.summary_label.setStyleSheet(ERROR_STYLE)
            return
        frames = steps * options.frames_per_step + round(options.hold * options.fps)
        width, height = (max(2, round(side * options.scale)) for side in options.size)
        self.summary_label.setStyleSheet("")
        self.summary_label.setText(
            f"{frames} frames of {width} × {height}: {frames / options.fps:.1f} s "
            f"at {options.fps:g} fps"
        )

    # ------------------------------------------------------------------ rendering

    def _set_busy(self, busy: bool) -> None:
        self._rendering = busy
        for widget in self._inputs:
            widget.setEnabled(not busy)
        if not busy:
            self._on_size_preset()
        self.render_button.setEnabled(not busy and self.output_problem() is None)
        self.close_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    def _finished_simulation(self):
        """The simulation with every step computed: the one shown, or a copy run here."""
        sim = self.simulation
        if sim.finished:
            return sim
        from lrsim.core.engine import Simulation

        self.status_label.setText("Simulating…")
        copy = Simulation(sim.runfile)

        def progress(done: int, total: int) -> None:
            self._on_progress(done, total)
            QApplication.processEvents()

        if not copy.run_to_end(progress=progress, cancel=lambda: self._cancelled):
            return None
        return copy

    def start_render(self) -> RenderResult | None:
        """Render with the dialog's settings; returns the result (None on error)."""
        if self._rendering:
            return None
        problem = self.output_problem()
        if problem is not None:
            self._show_error(problem)
            return None
        self._cancelled = False
        self._set_busy(True)
        self.status_label.setStyleSheet("")
        self.progress.setValue(0)
        result = None
        try:
            sim = self._finished_simulation()
            if sim is not None:
                self.status_label.setText("Rendering…")
                result = render_animation(
                    sim,
                    self.path_edit.text().strip(),
                    self.options(),
                    progress=self._on_progress,
                    cancel=lambda: self._cancelled,
                )
        except (ConfigError, OSError, MemoryError) as error:
            self._show_error(str(error) or type(error).__name__)
        except Exception as error:  # an encoder's own error: say it, never crash the app
            self._show_error(f"{type(error).__name__}: {error}")
        finally:
            self._set_busy(False)
        if result is not None or self._cancelled:
            self._show_result(result)
        if self._close_when_done:
            super().reject()
        return result

    def _show_result(self, result: RenderResult | None) -> None:
        self.result = result
        if result is None or result.cancelled:
            self.status_label.setText("Cancelled: nothing was written.")
            self.progress.setValue(0)
            return
        megabytes = result.bytes / 1024**2
        notes = "".join(f"\n{note}" for note in result.notes)
        self.status_label.setText(
            f"Wrote {result.path} ({result.frames} frames, {megabytes:.1f} MB) "
            f"in {result.seconds:.1f} s.{notes}"
        )

    def _show_error(self, message: str) -> None:
        self.status_label.setText(message)
        self.status_label.setStyleSheet(ERROR_STYLE)
        self._fit_height()

    def cancel_render(self) -> None:
        self._cancelled = True

    def reject(self) -> None:  # Esc, the window's close button, Close
        if self._rendering:
            self._cancelled = True
            self._close_when_done = True
            return
        super().reject()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self._rendering:
            self._cancelled = True
            self._close_when_done = True
            event.ignore()
            return
        super().closeEvent(event)


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
    from PySide6.QtWidgets import QMessageBox

    from lrsim.gui.render.stills import save_panel_images

    folder = QFileDialog.getExistingDirectory(parent, "Save LR and loss panels as images")
    if not folder:
        return []
    stem = _slug(simulation.runfile.title or simulation.surface.name)
    try:
        return save_panel_images(
            simulation,
            folder,
            size,
            stem=stem,
            step=step,
            dark=_app_is_dark() if dark is None else dark,
        )
    except (ConfigError, OSError) as error:
        QMessageBox.warning(parent, "Cannot save images", str(error))
        return []
