"""File > Export animation…: render the playback to MP4, GIF or PNG frames, with progress.

``RenderDialog(simulation, window).exec()`` is all a menu action needs. Frames are
drawn on the GUI thread (Qt widgets cannot be painted elsewhere) one at a time,
with pending events processed between them, so the progress bar moves and
Cancel works; a cancelled render leaves no file. A simulation that is still
running on screen is not touched: the dialog simulates its own copy first.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QWidget,
)

from lrsim.core.errors import ConfigError
from lrsim.gui.render.animation import RenderOptions, RenderResult, render_animation
from lrsim.gui.render.dialog_form import build_form
from lrsim.gui.render.stills import app_is_dark
from lrsim.gui.render.writers import FORMAT_NAMES, missing_dependency, output_format
from lrsim.gui.views.registry import DEFAULT

ERROR_STYLE = "color: #d0423b;"


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
        self._build(current_view, app_is_dark() if dark is None else dark, output)
        self._update_format()
        self._update_summary()

    # ------------------------------------------------------------------ building

    def _build(self, current_view: str, dark: bool, output) -> None:
        build_form(self, current_view, dark, output)

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
