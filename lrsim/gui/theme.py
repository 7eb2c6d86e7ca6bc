"""Light or dark window chrome (Fusion palette), to match the plots' dark background."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

_DARK = {
    QPalette.ColorRole.Window: "#2b2d30",
    QPalette.ColorRole.WindowText: "#e0e0e0",
    QPalette.ColorRole.Base: "#1e1f22",
    QPalette.ColorRole.AlternateBase: "#2b2d30",
    QPalette.ColorRole.ToolTipBase: "#3c3f41",
    QPalette.ColorRole.ToolTipText: "#e0e0e0",
    QPalette.ColorRole.Text: "#e0e0e0",
    QPalette.ColorRole.Button: "#3c3f41",
    QPalette.ColorRole.ButtonText: "#e0e0e0",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Highlight: "#3d7bd9",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.PlaceholderText: "#9a9a9a",
    QPalette.ColorRole.Link: "#6aa9ff",
    QPalette.ColorRole.Light: "#505357",
    QPalette.ColorRole.Midlight: "#45484c",
    QPalette.ColorRole.Mid: "#35373a",
    QPalette.ColorRole.Dark: "#1b1c1e",
    QPalette.ColorRole.Shadow: "#0d0d0e",
}
_platform_look: list[tuple[QPalette, str]] = []  # the palette and style before the first switch


def apply_theme(dark: bool) -> None:
    """Switch the whole application's palette: the dark one on Qt's Fusion style (it
    follows a palette everywhere); the light one is the platform's own palette and
    style again (Windows' or macOS' native look, not Fusion in light colours)."""
    app = QApplication.instance()
    if app is None:
        return
    if not _platform_look:
        _platform_look.append((QPalette(app.palette()), app.style().name()))
    palette, style = _platform_look[0]
    if not dark:
        known = {key.lower() for key in QStyleFactory.keys()}
        if style and style.lower() in known and app.style().name() != style:
            app.setStyle(style)  # (a style not made by name, e.g. a proxy, has none)
        app.setPalette(palette)
        return
    app.setStyle("Fusion")
    palette = QPalette()
    for role, color in _DARK.items():
        palette.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    app.setPalette(palette)
