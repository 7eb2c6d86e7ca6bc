"""Start the desktop app: ``main(path_or_None) -> exit code`` (called by ``lrsim [RUNFILE]``).

A run file given on the command line is read before any window exists, so a
bad one ends with the CLI's one-line message and a non-zero exit. Without one
the window opens the last file used, or the lecture preset on the first start.

``LRSIM_QUIT_AFTER_SHOW=1`` quits right after the window's first paint, ``=scene``
after the first simulation is shown; both print the seconds since start-up
(for measuring launch time). The first simulation is built off the GUI thread,
so the window paints while numba loads (or compiles) its kernels.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

_STARTED = time.perf_counter()

BASE_POINT_SIZE = 11.0  # readable on a projector, still fits a 1366x768 laptop


def _report(what: str) -> None:
    elapsed = time.perf_counter() - _STARTED
    print(f"lrsim: {what} after {elapsed:.2f} s (epoch {time.time():.3f})", file=sys.stderr)


def _quit_after_show(app, window, when: str) -> None:
    """Report the first paint and the first scene; quit after ``when`` ("1" or "scene")."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):  # Qt override
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                _report("window drawn")
                if when != "scene":
                    QTimer.singleShot(0, app.quit)
            return False

    def on_scene(_sim) -> None:
        window.controller.scene_changed.disconnect(on_scene)
        QTimer.singleShot(0, lambda: (_report("scene drawn"), app.quit()))

    window._first_paint = FirstPaint(window)
    window.installEventFilter(window._first_paint)
    if when == "scene":
        window.controller.scene_changed.connect(on_scene)


def create_app():
    """The QApplication, set up once: names for QSettings, fonts, pyqtgraph options."""
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        # GL views share pyqtgraph's compiled shaders: their contexts must share too
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        app = QApplication(sys.argv[:1])
    app.setOrganizationName("lrsim")
    app.setApplicationName("lrsim")
    font = app.font()
    if font.pointSizeF() < BASE_POINT_SIZE:
        font.setPointSizeF(BASE_POINT_SIZE)
        app.setFont(font)
    import pyqtgraph as pg

    pg.setConfigOptions(antialias=True, background="w", foreground="#202020")
    from lrsim.gui.gc_timer import collect_on_the_gui_thread

    collect_on_the_gui_thread(app)  # cycles are freed between events, never mid-build
    return app


def main(path: str | None = None) -> int:
    """Open the app (with ``path`` loaded if given); returns the exit code."""
    if path is not None:
        from lrsim.core.runfile import load_runfile

        load_runfile(path)  # a bad file: ConfigError, reported by the CLI in one line
    from lrsim.core import warmup

    warmup.this_is_the_app()  # new fused pairs compile in children, never here
    warmup.serve_with_numpy_while_compiling(True)
    app = create_app()
    from lrsim.gui.main_window import MainWindow

    window = MainWindow()
    if not warmup.kernels_ready():  # first start: NumPy draws while a child compiles
        from lrsim.gui.kernel_warmup import KernelWarmup

        print(f"lrsim: {warmup.COMPILING_MESSAGE}", file=sys.stderr)
        window.kernel_warmup = KernelWarmup(
            window.statusBar(), window.controller.scene_changed, window
        )
        window.kernel_warmup.ready.connect(window.controller.redo_with_kernels)
    window.open_initial(Path(path) if path is not None else None)
    window.fit_to_screen()
    if os.environ.get("LRSIM_QUIT_AFTER_SHOW"):
        _quit_after_show(app, window, os.environ["LRSIM_QUIT_AFTER_SHOW"])
    window.show()
    window.fit_to_screen()  # dock sizes settle only once the window is laid out
    code = app.exec()
    window.controller.shutdown()  # app.quit() without a close: stop any worker first
    window.step_size_panel.shutdown()
    from lrsim.core import fused

    fused.shutdown()  # no compiling child outlives the app
    if getattr(window, "kernel_warmup", None) is not None:
        window.kernel_warmup.shutdown()
    return code
