"""Export from the app: the trajectory CSV (the same bytes as `lrsim export`), PNGs,
the animation and the side panels as stills.

The CSV is written by ``lrsim.core.export.export_csv`` from the run file the
controller simulated (after applying an edit still waiting for the typing
pause), run to the end with every step recorded, exactly as the command line
does; the simulation on screen is reused when it is that already. Big exports
run in a BackgroundTask with the status bar's progress and Cancel.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QStatusBar, QWidget

from lrsim.core.atomic import write_with
from lrsim.core.engine import Simulation
from lrsim.core.errors import ConfigError
from lrsim.core.export import export_csv as write_csv
from lrsim.core.runfile import RunFile
from lrsim.gui.background import BackgroundTask
from lrsim.gui.controller import same_simulation
from lrsim.gui.edit_session import EditSession
from lrsim.gui.playback import Playback
from lrsim.gui.progress_status import ProgressStatus
from lrsim.gui.view_area import ViewArea
from lrsim.gui.window_theme import WindowTheme

SYNC_ROWS = 2_000_000  # smaller exports are written at once


class ExportActions(QObject):
    """File > Export's commands. ``parent`` is the window (dialogs, PNG of the window);
    ``log_scale()`` says whether the colour scale is logarithmic (the animation draws it so).
    """

    def __init__(
        self,
        parent: QWidget,
        session: EditSession,
        view_area: ViewArea,
        theme: WindowTheme,
        progress: ProgressStatus,
        status: QStatusBar,
        log_scale: Callable[[], bool],
    ):
        super().__init__(parent)
        self.parent_widget = parent
        self.session = session
        self.controller = session.controller
        self.document = session.document
        self.playback: Playback = session.playback
        self.view_area = view_area
        self.theme = theme
        self.progress = progress
        self.status = status
        self.log_scale = log_scale
        self.background_tasks: list[BackgroundTask] = []  # exports running off the GUI thread

    def _suggested(self, suffix: str) -> str:
        source = self.document.path or self.document.source
        stem = source.stem if source is not None else "lrsim"
        folder = source.parent if self.document.path is not None else Path.cwd()
        return str(folder / f"{stem}{suffix}")

    def _reusable(self, runfile: RunFile) -> Simulation | None:
        controller = self.controller
        sim = controller.shared_simulation()
        if (
            sim is not None
            and not controller.busy
            and same_simulation(sim.runfile, runfile)
            and sim.stride == (controller.stride or 1)  # Tools > Memory and recording
            and sim.finished
            and sim.engine == "kernel"  # a CSV is the kernels' numbers, even on a first start
        ):
            return sim
        return None

    def simulated_runfile(self) -> RunFile | None:
        """The run file the controller simulated, once an edit waiting for the typing pause
        is applied; None (the editor shows why) when the editor's run file is not valid."""
        if not self.session.flush():
            return None
        return self.controller.runfile

    def export_csv(self) -> bool:
        """Ask for a file name and write the trajectory CSV; True when written synchronously."""
        parent = self.parent_widget
        runfile = self.simulated_runfile()
        if runfile is None:
            QMessageBox.warning(parent, "Cannot export", "The run file has an error; fix it first.")
            return False
        path, _filter = QFileDialog.getSaveFileName(
            parent, "Export trajectories", self._suggested(".csv"), "CSV files (*.csv)"
        )
        if not path:
            return False
        path = Path(path)
        sim = self._reusable(runfile)
        budget, stride = self.controller.memory_budget, self.controller.stride

        def work(progress=None, cancelled=None) -> int:
            simulation = sim
            if simulation is None:
                simulation = Simulation(
                    runfile,
                    allow_stride=False,
                    engine="kernel",
                    memory_budget=budget,
                    stride=stride,
                )
                simulation.run_to_end(progress=progress, cancel=cancelled)
            return write_csv(simulation, path, progress=progress)

        rows = runfile.particles.count * (runfile.steps + 1) * len(runfile.runs)
        if rows <= SYNC_ROWS:
            try:
                written = work()
            except (ConfigError, OSError, MemoryError) as error:
                QMessageBox.warning(parent, "Cannot export", str(error) or type(error).__name__)
                return False
            except Exception as error:  # the app never crashes on an export
                QMessageBox.warning(parent, "Cannot export", f"{type(error).__name__}: {error}")
                return False
            self.status.showMessage(f"Wrote {written} rows to {path}", 6000)
            return True
        self._run_in_background(work, path)
        return False

    def _run_in_background(self, work, path: Path) -> None:
        task = BackgroundTask(work, self)
        self.progress.begin(task, "exporting", task.cancel)

        def done(message: str) -> None:
            self.progress.end(task)
            self.status.showMessage(message, 8000)

        def failed(error: Exception) -> None:
            done("")
            QMessageBox.warning(
                self.parent_widget, "Cannot export", str(error) or type(error).__name__
            )

        task.progress_changed.connect(self.progress.set_fraction)
        task.succeeded.connect(lambda rows: done(f"Wrote {rows} rows to {path}"))
        task.cancelled_done.connect(lambda: done("Export cancelled; nothing was written"))
        task.failed.connect(failed)
        task.finished.connect(task.deleteLater)
        self.background_tasks.append(task)
        task.finished.connect(lambda: self.background_tasks.remove(task))
        task.start()

    def shutdown(self) -> None:
        """Stop the exports still running (the window is closing)."""
        for task in list(self.background_tasks):
            task.cancel()
            task.wait()

    def export_png(self, *, whole: bool) -> bool:
        """Save the views (or the whole window) as a PNG, atomically."""
        parent = self.parent_widget
        what = "window" if whole else "view"
        path, _filter = QFileDialog.getSaveFileName(
            parent, f"Save the {what} as PNG", self._suggested(f"-{what}.png"), "PNG images (*.png)"
        )
        if not path:
            return False
        path = Path(path)
        if path.suffix.lower() != ".png":
            path = path.with_suffix(".png")
        pixmap = self.view_area.grab_with_overlays(parent if whole else None)
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        encoded = pixmap.save(buffer, "PNG")
        buffer.close()
        if not encoded or not data.size():  # never replace a good file with an empty one
            QMessageBox.warning(parent, "Cannot save image", "the view could not be encoded as PNG")
            return False
        try:
            write_with(path, lambda stream: stream.write(bytes(data)), mode="wb")
        except (ConfigError, OSError) as error:
            QMessageBox.warning(parent, "Cannot save image", str(error))
            return False
        self.status.showMessage(f"Saved {path}", 4000)
        return True

    # ------------------------------------------------------------------ for slides

    def export_animation(self) -> None:
        """File > Export animation…: the playback as MP4, GIF or PNG frames."""
        from lrsim.gui.render.dialog import RenderDialog  # loads on first use

        sim = self.controller.shared_simulation()
        if sim is None:
            self.session.show_problem("Export animation: there is no simulation to render yet")
            return
        self.playback.pause()
        dialog = RenderDialog(
            sim,
            self.parent_widget,
            current_view=self.view_area.current_view_name(),
            dark=self.theme.dark,
            log_scale=self.log_scale(),
            visible_runs=self.view_area.legend.visible_runs(),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.exec()

    def export_panels(self) -> list[Path]:
        """File > Export LR and loss panels…: still PNGs of both plots at the shown step."""
        from lrsim.gui.render.stills import export_panel_images  # loads on first use

        sim = self.controller.shared_simulation()
        if sim is None:
            self.session.show_problem("Export panels: there is no simulation to draw yet")
            return []
        column = min(self.playback.column, max(0, sim.recorded_upto() - 1))
        step = int(sim.recorded_steps[column])
        written = export_panel_images(self.parent_widget, sim, step=step, dark=self.theme.dark)
        if written:
            names = ", ".join(path.name for path in written)
            self.status.showMessage(f"Saved {names} in {written[0].parent}", 6000)
        return written
