"""First start on an empty numba cache: say so in the status bar while a child compiles.

The app serves the first scenes with the NumPy reference engine
(``lrsim.core.warmup``) and compiles the kernels in a child process; this
collaborator shows "compiling kernels (first start only)" where the user looks,
polls the child, and when it is done asks the controller to redo the current
simulation with the kernels (the same numbers, to ~1e-12, and exact CSVs).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QStatusBar

from lrsim.core import warmup

POLL_MS = 500
START_LATEST_MS = 3000


class KernelWarmup(QObject):
    """Starts the background compile and reports it; ``ready`` when the kernels are cached."""

    ready = Signal()

    def __init__(self, status_bar: QStatusBar, first_scene=None, parent: QObject | None = None):
        """``first_scene``: a signal after whose first emission the compile starts (so the
        child does not compete with drawing the first scene); at the latest after
        ``START_LATEST_MS``."""
        super().__init__(parent)
        self._status_bar = status_bar
        self.label = QLabel(warmup.COMPILING_MESSAGE, status_bar)
        self.label.setToolTip(
            "numba compiles lrsim's kernels once and caches them; meanwhile small simulations "
            "run in NumPy (the same numbers). Later starts skip this."
        )
        status_bar.addPermanentWidget(self.label)
        self._process = None
        self._started = False
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._timer.start()
        self._first_scene = first_scene
        if first_scene is not None:
            first_scene.connect(self._start)
            QTimer.singleShot(START_LATEST_MS, self._start)
        else:
            self._start()

    def _start(self, *_args) -> None:
        if self._started:
            return
        self._started = True
        if self._first_scene is not None:
            try:
                self._first_scene.disconnect(self._start)
            except (RuntimeError, TypeError):
                pass
        self._process = warmup.start_background_compile()

    def shutdown(self) -> None:
        """Stop the compiling child (the app's exit): the next start compiles again."""
        self._timer.stop()
        if self._process is not None:
            warmup.stop(self._process)

    @property
    def compiling(self) -> bool:
        return self._timer.isActive()

    def _poll(self) -> None:
        if not self._started or (self._process is not None and self._process.poll() is None):
            return
        self._timer.stop()
        if warmup.kernels_ready():
            self.label.hide()
            self._status_bar.showMessage("kernels compiled; later starts skip this", 6000)
            self.ready.emit()
        else:  # the child failed: the kernels compile in this process when first used
            # (the generic ones only: fused pairs still never compile in the app)
            warmup.serve_with_numpy_while_compiling(False)
            self.label.setText("kernels compile on first use")
