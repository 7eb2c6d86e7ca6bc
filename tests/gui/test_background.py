"""A started ``BackgroundTask`` outlives every reference to it until its thread ends.

Qt aborts the whole process ("QThread: Destroyed while thread is still running") when a
QThread object is deleted while its thread runs. A task whose window went away must
therefore not be collected with the window's cycles (CI once aborted so in a teardown).
"""

from __future__ import annotations

import gc
import threading
import weakref
from types import SimpleNamespace

from lrsim.gui.background import BackgroundTask


def test_a_running_task_nobody_holds_is_not_collected(qtbot):
    release = threading.Event()

    def work(_progress, _cancelled):
        release.wait(10)
        return 1

    task = BackgroundTask(work)  # no Qt parent: its Python owner alone keeps it
    task.start()
    alive = weakref.ref(task)
    owner = SimpleNamespace(tasks={task})  # a panel holding its workers, in a cycle
    owner.itself = owner
    del task, owner
    gc.collect()  # aborted the process before tasks were held while running
    assert alive() is not None and alive().isRunning()
    release.set()
    assert alive().wait(10_000)


def test_stop_all_cancels_and_waits():
    started = threading.Event()

    def work(_progress, cancelled):
        started.set()
        while not cancelled():
            threading.Event().wait(0.01)

    task = BackgroundTask(work)
    task.start()
    assert started.wait(10)
    BackgroundTask.stop_all()
    assert task.isFinished()
