"""First start: the status bar says the kernels compile; the scene is redone with them after."""

from __future__ import annotations

import numba
from PySide6.QtWidgets import QMainWindow

from lrsim.core import warmup
from lrsim.core.runfile import load_runfile
from lrsim.gui.controller import SimulationController
from lrsim.gui.kernel_warmup import KernelWarmup


class _FakeCompile:
    """Stands in for the child process: running until ``finish()``."""

    def __init__(self):
        self.code = None

    def poll(self):
        return self.code

    def finish(self):
        warmup.mark_ready()  # what the child writes when it is done
        self.code = 0


def test_numpy_serves_while_compiling_then_the_kernels_take_over(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(warmup, "_ready", False)
    monkeypatch.setattr(warmup, "_numpy_while_compiling", True)
    child = _FakeCompile()
    monkeypatch.setattr(warmup, "start_background_compile", lambda: child)
    window = QMainWindow()
    qtbot.addWidget(window)
    controller = SimulationController(window)
    status = KernelWarmup(window.statusBar(), controller.scene_changed, window)
    status.ready.connect(controller.redo_with_kernels)
    window.show()
    assert status.label.text() == "compiling kernels (first start only)"
    assert status.label.isVisible()

    with qtbot.waitSignal(controller.scene_changed, timeout=10_000):
        controller.load(load_runfile("resources/presets/fixed-vs-decay.toml"))
    assert controller.simulation.engine == "reference"
    assert controller.simulation.finished  # the whole lecture scene at once

    child.finish()
    qtbot.waitUntil(lambda: controller.simulation.engine == "kernel", timeout=20_000)
    assert not status.label.isVisible()
    assert "kernels compiled" in window.statusBar().currentMessage()
    assert controller.simulation.finished


def test_a_failed_compile_falls_back_to_compiling_in_the_app(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(warmup, "_ready", False)
    monkeypatch.setattr(warmup, "_numpy_while_compiling", True)
    monkeypatch.setattr(warmup, "_app", True)
    child = _FakeCompile()
    child.code = 1
    monkeypatch.setattr(warmup, "start_background_compile", lambda: child)
    window = QMainWindow()
    qtbot.addWidget(window)
    status = KernelWarmup(window.statusBar(), None, window)
    qtbot.waitUntil(lambda: not status.compiling, timeout=5_000)
    assert not warmup.use_numpy()
    assert "first use" in status.label.text()
    assert warmup.compile_in_children()  # still the app: fused pairs never compile here


def test_shutdown_stops_the_compiling_child(qtbot, monkeypatch):
    class Running(_FakeCompile):
        def terminate(self):
            self.code = -15

        def wait(self, timeout=None):
            return self.code

    child = Running()
    monkeypatch.setattr(warmup, "start_background_compile", lambda: child)
    window = QMainWindow()
    qtbot.addWidget(window)
    status = KernelWarmup(window.statusBar(), None, window)
    status.shutdown()
    assert child.code == -15 and not status.compiling
