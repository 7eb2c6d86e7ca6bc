"""The app frees reference cycles on the GUI thread only (``lrsim.gui.gc_timer``)."""

import gc
import threading

from lrsim.gui.gc_timer import CycleCollector, collect_on_the_gui_thread


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def _cycles_alive() -> int:
    # type(), not isinstance: isinstance on a dead weak proxy raises ReferenceError
    return sum(type(obj) is _Cycle for obj in gc.get_objects())


def test_automatic_collection_is_off_and_the_timer_collects(qapp, qtbot):
    gc.enable()
    collector = collect_on_the_gui_thread(qapp)
    assert collect_on_the_gui_thread(qapp) is collector  # one per application
    assert not gc.isenabled()
    gc.collect()
    for _ in range(5000):  # far past generation 0's threshold
        _Cycle()
    assert _cycles_alive() == 5000  # nothing collected them by itself
    qtbot.waitUntil(lambda: _cycles_alive() == 0, timeout=5000)


def test_a_worker_thread_never_collects(qapp):
    collect_on_the_gui_thread(qapp)
    gc.collect()
    before = gc.get_stats()[0]["collections"]

    def allocate() -> None:
        for _ in range(20000):
            _Cycle()

    worker = threading.Thread(target=allocate)
    worker.start()
    worker.join()
    assert gc.get_stats()[0]["collections"] == before
    collector = qapp.findChild(CycleCollector)
    collector.collect_due()  # on the GUI thread, at the next tick
    assert _cycles_alive() == 0


def test_no_collection_while_another_thread_compiles(qapp):
    from numba.core.compiler_lock import global_compiler_lock

    collector = collect_on_the_gui_thread(qapp)
    gc.collect()
    holding, release = threading.Event(), threading.Event()

    def compile_for_a_while() -> None:
        with global_compiler_lock:
            holding.set()
            release.wait(10)

    worker = threading.Thread(target=compile_for_a_while)
    worker.start()
    try:
        holding.wait(10)
        for _ in range(5000):
            _Cycle()
        collector.collect_due()
        assert _cycles_alive() == 5000  # the tick passed: a compile was running
    finally:
        release.set()
        worker.join()
    collector.collect_due()
    assert _cycles_alive() == 0
