"""Python's cycle collector runs on the GUI thread, between events, never by itself.

Left automatic, the collector runs wherever enough objects happen to be allocated:
on a worker thread (the streamed export, a kernel compile), or half-way through
PySide building a pyqtgraph item, where destroying an old window's Qt wrappers
re-enters Qt's signal bookkeeping. Either can kill the process (a CI run died with
a segmentation fault inside ``GraphicsWidget.__init__``'s ``geometryChanged.connect``).
So automatic collection is switched off and a timer on the GUI thread collects,
generation by generation, at the thresholds Python would have used (the scheme of
pyqtgraph's ``GarbageCollector``). Reference counting still frees everything that
is not in a cycle at once; only cycles wait for the next tick.
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class CycleCollector(QObject):
    """Collects cycles from a timer owned by the application (created once per app)."""

    def __init__(self, app) -> None:
        super().__init__(app)
        self._thresholds = gc.get_threshold()
        gc.disable()
        # what start-up made (modules, numba's and Qt's tables) lives as long as the app:
        # moved out of the collector's sight, a full collection walks only the session's
        # objects (Python would also skip most full ones; this timer cannot see why). No
        # collection first: it would cost start-up ~30 ms to free a few import-time cycles
        gc.freeze()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start(INTERVAL_MS)

    def collect_due(self) -> None:
        """Collect the generations whose counts passed Python's own thresholds; not while
        a worker thread compiles a kernel (a collection under a running compile is where
        a stress run of the GUI tests dead-locked), the next tick will."""
        if _compiling():
            return
        counts = gc.get_count()
        generation = -1
        for level, (count, threshold) in enumerate(zip(counts, self._thresholds, strict=True)):
            if count <= threshold:
                break
            generation = level
        if generation >= 0:
            gc.collect(generation)


def _compiling() -> bool:
    """True while another thread holds numba's compiler lock; False without numba.
    (numba's own ``is_locked`` answers only for the calling thread.)"""
    module = sys.modules.get("numba.core.compiler_lock")
    if module is None:
        return False
    lock = getattr(module.global_compiler_lock, "_lock", None)  # numba's RLock (private)
    if lock is None:  # another numba: collect as if nothing compiled, never fail the tick
        return False
    if lock.acquire(blocking=False):  # free, or re-entered by this (the GUI) thread
        lock.release()
        return False
    return True


def collect_on_the_gui_thread(app) -> CycleCollector:
    """Install the collector on ``app`` (once; later calls return the same one)."""
    existing = app.findChild(CycleCollector)
    if existing is not None:
        gc.disable()
        return existing
    return CycleCollector(app)
