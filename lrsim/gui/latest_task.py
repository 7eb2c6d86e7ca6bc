"""One background computation at a time for a tool dialog (the LR range test, Tune).

Starting another abandons the running one: it is cancelled and waited for, and
a result it still reports is dropped, so ``succeeded``, ``failed`` and
``progress_changed`` only ever speak for the computation last started.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from lrsim.gui.background import BackgroundTask, Task


class LatestTask(QObject):
    """Runs the latest of a dialog's computations off the GUI thread.

    ``keep_workers`` keeps finished workers until ``shutdown`` instead of deleting
    them on ``finished`` (deleting a just-finished QThread from its own
    ``finished`` signal crashed Tune's dialog under pytest-qt).
    """

    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    progress_changed = Signal(float)

    def __init__(self, parent: QObject | None = None, *, keep_workers: bool = False):
        super().__init__(parent)
        self._task: BackgroundTask | None = None
        self._keep = keep_workers
        self._workers: list[BackgroundTask] = []

    @property
    def busy(self) -> bool:
        return self._task is not None

    def start(self, work: Task) -> None:
        """Run ``work(progress, cancelled)``; a computation still running is abandoned."""
        self.stop()
        worker = BackgroundTask(work, self)
        worker.succeeded.connect(lambda result: self._finish(worker, self.succeeded, result))
        worker.failed.connect(lambda error: self._finish(worker, self.failed, error))
        worker.progress_changed.connect(self._on_progress)  # a slot: runs on the GUI thread
        if self._keep:
            self._workers.append(worker)
        else:
            worker.finished.connect(worker.deleteLater)
        self._task = worker
        worker.start()

    def stop(self) -> None:
        """Cancel the running computation and wait for it (its result is dropped)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            task.wait()

    def shutdown(self) -> None:
        """Stop, and wait for every worker this object kept (the dialog is closing)."""
        self.stop()
        for worker in self._workers:
            worker.wait()

    def _on_progress(self, fraction: float) -> None:
        if self._task is not None:
            self.progress_changed.emit(fraction)

    def _finish(self, worker: BackgroundTask, signal, value) -> None:
        if worker is not self._task:
            return  # abandoned
        self._task = None
        signal.emit(value)
