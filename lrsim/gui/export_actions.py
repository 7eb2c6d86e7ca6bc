"""Export from the app: the trajectory CSV (the same bytes as `lrsim export`) and PNGs.

The CSV is written by ``lrsim.core.export.export_csv`` from a simulation run to
the end with every step recorded, exactly as the command line does; the
simulation on screen is reused when it is that already. Big exports run in a
BackgroundTask with the status bar's progress and Cancel.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtWidgets import QFileDialog, QMessageBox

from lrsim.core.atomic import write_with
from lrsim.core.engine import Simulation
from lrsim.core.errors import ConfigError
from lrsim.core.export import export_csv as write_csv
from lrsim.gui.background import BackgroundTask
from lrsim.gui.controller import same_simulation

SYNC_ROWS = 2_000_000  # smaller exports are written at once


def _suggested(window, suffix: str) -> str:
    source = window.document.path or window.document.source
    stem = source.stem if source is not None else "lrsim"
    folder = source.parent if window.document.path is not None else Path.cwd()
    return str(folder / f"{stem}{suffix}")


def _reusable(window, runfile) -> Simulation | None:
    sim = window.controller.simulation
    if (
        sim is not None
        and not window.controller.busy
        and same_simulation(sim.runfile, runfile)
        and sim.stride == (window.controller.stride or 1)  # Tools > Memory and recording
        and sim.finished
        and sim.engine == "kernel"  # a CSV is the kernels' numbers, even on a first start
    ):
        return sim
    return None


def export_csv(window) -> bool:
    """Ask for a file name and write the trajectory CSV; True when written synchronously."""
    runfile = window.validated_runfile()
    if runfile is None:
        QMessageBox.warning(window, "Cannot export", "The run file has an error; fix it first.")
        return False
    path, _filter = QFileDialog.getSaveFileName(
        window, "Export trajectories", _suggested(window, ".csv"), "CSV files (*.csv)"
    )
    if not path:
        return False
    path = Path(path)
    sim = _reusable(window, runfile)

    def work(progress=None, cancelled=None) -> int:
        simulation = sim
        if simulation is None:
            simulation = Simulation(
                runfile,
                allow_stride=False,
                engine="kernel",
                memory_budget=window.controller.memory_budget,
                stride=window.controller.stride,
            )
            simulation.run_to_end(progress=progress, cancel=cancelled)
        return write_csv(simulation, path, progress=progress)

    rows = runfile.particles.count * (runfile.steps + 1) * len(runfile.runs)
    if rows <= SYNC_ROWS:
        try:
            written = work()
        except (ConfigError, OSError, MemoryError) as error:
            QMessageBox.warning(window, "Cannot export", str(error) or type(error).__name__)
            return False
        except Exception as error:  # the app never crashes on an export
            QMessageBox.warning(window, "Cannot export", f"{type(error).__name__}: {error}")
            return False
        window.statusBar().showMessage(f"Wrote {written} rows to {path}", 6000)
        return True
    _run_in_background(window, work, path)
    return False


def _run_in_background(window, work, path: Path) -> None:
    task = BackgroundTask(work, window)
    window.progress.begin(task, "exporting", task.cancel)

    def done(message: str) -> None:
        window.progress.end(task)
        window.statusBar().showMessage(message, 8000)

    def failed(error: Exception) -> None:
        done("")
        QMessageBox.warning(window, "Cannot export", str(error) or type(error).__name__)

    task.progress_changed.connect(window.progress.set_fraction)
    task.succeeded.connect(lambda rows: done(f"Wrote {rows} rows to {path}"))
    task.cancelled_done.connect(lambda: done("Export cancelled; nothing was written"))
    task.failed.connect(failed)
    task.finished.connect(task.deleteLater)
    window.background_tasks.append(task)
    task.finished.connect(lambda: window.background_tasks.remove(task))
    task.start()


def export_png(window, *, whole: bool) -> bool:
    """Save the views (or the whole window) as a PNG, atomically."""
    what = "window" if whole else "view"
    path, _filter = QFileDialog.getSaveFileName(
        window, f"Save the {what} as PNG", _suggested(window, f"-{what}.png"), "PNG images (*.png)"
    )
    if not path:
        return False
    path = Path(path)
    if path.suffix.lower() != ".png":
        path = path.with_suffix(".png")
    pixmap = (window if whole else window.view_area).grab()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    encoded = pixmap.save(buffer, "PNG")
    buffer.close()
    if not encoded or not data.size():  # never replace a good file with an empty one
        QMessageBox.warning(window, "Cannot save image", "the view could not be encoded as PNG")
        return False
    try:
        write_with(path, lambda stream: stream.write(bytes(data)), mode="wb")
    except (ConfigError, OSError) as error:
        QMessageBox.warning(window, "Cannot save image", str(error))
        return False
    window.statusBar().showMessage(f"Saved {path}", 4000)
    return True
