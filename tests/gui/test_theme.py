"""Dark chrome is Fusion with a dark palette; light again is the platform's own style and
palette (Fusion used to stay, a light Fusion on Windows and macOS)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from lrsim.gui import theme


def test_light_again_is_the_platform_style_and_palette(qtbot, monkeypatch):
    app = QApplication.instance()
    if "Windows" not in QStyleFactory.keys():
        pytest.skip("Qt's Windows style is not built in")
    before_style, before_palette = app.style().name(), QPalette(app.palette())
    monkeypatch.setattr(theme, "_platform_look", [])
    try:
        app.setStyle("Windows")  # stands for a platform style other than Fusion
        light = app.palette().color(QPalette.ColorRole.Window).name()
        theme.apply_theme(True)
        assert app.style().name().lower() == "fusion"
        assert app.palette().color(QPalette.ColorRole.Window).name() == "#2b2d30"
        theme.apply_theme(False)
        assert app.style().name().lower() == "windows"
        assert app.palette().color(QPalette.ColorRole.Window).name() == light
    finally:
        app.setStyle(before_style)
        app.setPalette(before_palette)
