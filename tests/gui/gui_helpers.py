"""Helpers of the app's GUI tests: the preset, a window on a run file, run-file text."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from lrsim.gui.resources import default_preset

PRESET = default_preset()
assert PRESET is not None, "resources/presets/fixed-vs-decay.toml not found"


def make_window(qtbot, settings: QSettings, path: Path | None = None):
    from lrsim.gui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.open_initial(path)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()  # keyboard shortcuts need the active window (xcb without a WM)
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    # the first load; a cold numba cache compiles the kernels first (minutes on a slow machine)
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=300_000)
    return window


def write_runfile(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


LONG_RUN = """
title = "many frames"
steps = {steps}
[surface]
name = "rosenbrock"
[particles]
random = {{ n = {n}, seed = 1 }}
[[runs]]
label = "adam"
optimizer = {{ name = "adam", lr = 0.05 }}
schedule = {{ name = "cosine" }}
[[runs]]
label = "sgd"
optimizer = {{ name = "sgd", lr = 0.001, momentum = 0.9 }}
schedule = {{ name = "onecycle", max_lr = 0.002 }}
"""
