"""Long work off the GUI thread: a QThread that runs one task and reports back.

The task is ``task(progress, cancelled) -> result``. ``progress(done, total)``
may be called from the worker thread as often as it likes (the signal, the
fraction done, is throttled to ~20 per second); ``cancelled()`` tells the task to stop early.
The numba kernels release the GIL, so the window keeps painting meanwhile.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QThread, Signal

Task = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]


class Cancelled(Exception):
    """Raised inside a task (e.g. from ``progress``) to abandon it."""


class BackgroundTask(QThread):
    """Runs ``task`` once; emits ``progress_changed``, then ``succeeded`` or ``failed``.

    A started task is held (``_started``) until its thread has finished: Qt aborts the
    process when a QThread object is destroyed while its thread still runs, and a task
    nothing else refers to any more (its window closed) would otherwise be collected with
    the window's cycles while its thread emits its last signal (seen in CI: "Fatal Python
    error: Aborted" in a test's teardown)."""

    progress_changed = Signal(float)
    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    cancelled_done = Signal()
    _started: ClassVar[set[BackgroundTask]] = set()

    def start(self, *args) -> None:
        BackgroundTask._forget_finished()
        BackgroundTask._started.add(self)
        super().start(*args)

    @classmethod
    def _forget_finished(cls) -> None:
        for task in list(cls._started):
            try:
                finished = task.isFinished()
            except RuntimeError:  # its C++ object is gone (deleteLater once it finished)
                finished = True
            if finished:
                cls._started.discard(task)

    @classmethod
    def stop_all(cls) -> None:
        """Cancel every task still running and wait for its thread (tests, between tests)."""
        for task in list(cls._started):
            try:
                task.cancel()
                task.wait()
            except RuntimeError:
                pass
        cls._started.clear()

    def __init__(self, task: Task, parent=None):
        super().__init__(parent)
        self._task = task
        self._cancel = threading.Event()
        self._last_report = 0.0

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _report(self, done: int, total: int) -> None:
        if self._cancel.is_set():
            raise Cancelled
        now = time.monotonic()
        if now - self._last_report > 0.05 or done >= total:
            self._last_report = now
            self.progress_changed.emit(done / total if total > 0 else 1.0)

    def run(self) -> None:  # Qt override: runs in the worker thread
        try:
            result = self._task(self._report, self._cancel.is_set)
        except Cancelled:
            self.cancelled_done.emit()
            return
        except Exception as error:  # reported in the window, never a crash
            self.failed.emit(error)
            return
        if self._cancel.is_set():
            self.cancelled_done.emit()
        else:
            self.succeeded.emit(result)
