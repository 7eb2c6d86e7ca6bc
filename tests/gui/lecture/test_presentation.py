"""The lecture part of the window: explanation, presentation mode, themes, export actions."""

from __future__ import annotations

import pytest
from gui_fixtures import dialogs_fixture, settings_fixture, window_fixture  # noqa: F401
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import QFileDialog

from lrsim.gui.lecture.explanation import ExplanationPanel, color_for_word, description_html
from lrsim.gui.lecture.presentation import looks_for_height
from lrsim.gui.panels import plot_style


def dock_layout(window) -> dict[str, tuple]:
    docks = (window.editor_dock, window.lr_dock, window.loss_dock, window.stats_dock)
    return {
        dock.objectName(): (dock.isVisible(), window.dockWidgetArea(dock), dock.isFloating())
        for dock in docks
    }


def tick_size(panel_plot) -> float:
    return panel_plot.getAxis("bottom").style["tickFont"].pointSizeF()


def background(panel) -> str:
    return panel.canvas.backgroundBrush().color().name()


# ----------------------------------------------------------------------------- explanation


def test_the_preset_explains_itself_above_the_views(window, qtbot):
    panel = window.explanation
    assert panel.mode == "banner"
    assert panel.title == "Fixed high, fixed low, linear decay"
    assert panel.description.startswith("Plain gradient descent from one start")
    assert panel.isVisible() and panel.title_label.text() == panel.title
    panel.set_expanded(True)  # (a short screen starts collapsed)
    tall = panel.height()
    panel.set_expanded(False)  # the title's line; the description behind the arrow
    assert panel.text_label.isHidden() and panel.height() < tall
    assert panel.title_label.toolTip() == panel.description
    assert window.settings.value("explanation_expanded", type=bool) is False
    qtbot.mouseClick(panel.title_label, Qt.MouseButton.LeftButton)  # the title toggles too
    assert panel.expanded and "red" in panel.text_label.text() and panel.text_label.isVisible()
    window.editor.title.setText("A new story")
    assert panel.title == "A new story"  # an edited title shows at once, without a re-run


def test_colour_words_point_at_their_runs():
    html = description_html("fixed (red) & slow (blue: lr 0.1)", ["#d62728", "#1f77b4"])
    assert "color:#d62728" in html and "color:#1f77b4" in html and "&amp;" in html
    assert color_for_word("green", ["#2ca02c"]) == "#2ca02c"
    assert color_for_word("grey", ["#ff0000"]) == "#7f7f7f"  # no run near: the usual grey


def test_column_mode_has_big_type_and_no_toggle(qtbot):
    panel = ExplanationPanel()
    qtbot.addWidget(panel)
    panel.set_text("Title", "Some words (green).", ["#2ca02c"])
    normal = panel.text_label.font().pointSizeF()
    panel.set_mode("column")
    panel.set_font_scale(1.5)
    assert panel.toggle.isHidden()
    assert panel.text_label.font().pointSizeF() == pytest.approx(1.5 * normal)
    assert panel.title_label.font().pointSizeF() > panel.text_label.font().pointSizeF()


# ----------------------------------------------------------------------------- presentation


def test_presentation_mode_on_and_off_restores_docks_fonts_and_theme(window, qtbot):
    before = dock_layout(window)
    state = window.saveState()
    lr_ticks = tick_size(window.lr_panel.lr_plot)
    widths = (window.editor_dock.width(), window.lr_dock.width())
    assert not window.dark
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.presentation.active and window.actions_.presentation.isChecked()
    qtbot.waitUntil(window.isFullScreen, timeout=3000)
    assert window.editor_dock.isHidden() and window.stats_dock.isHidden()
    assert window.lr_dock.isVisible() and window.loss_dock.isVisible()
    assert window.menuBar().isHidden() and window.statusBar().isHidden()
    assert window.explanation.mode == "column" and window.explanation.isVisible()
    scale = window.presentation.font_scale
    assert scale >= 1.25
    assert window.view_area.contour.font_scale == scale
    assert window.view_area.contour.swarm.line_scale > 1
    assert tick_size(window.lr_panel.lr_plot) == pytest.approx(lr_ticks * scale)
    assert window.dark  # projectors get the dark theme
    assert background(window.lr_panel) == plot_style.THEMES[True]["background"]

    qtbot.keyClick(window.view_area, Qt.Key.Key_Escape)
    assert not window.presentation.active and not window.actions_.presentation.isChecked()
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=3000)
    # the deferred restoreState and the docks' refit run from the event loop: wait for
    # them (a loaded machine may take longer than a few ms), then hold them exactly
    qtbot.waitUntil(
        lambda: (
            dock_layout(window) == before
            and (window.editor_dock.width(), window.lr_dock.width()) == widths
            and window.saveState() == state
        ),
        timeout=3000,
    )
    assert window.view_area.contour.font_scale == 1.0
    assert tick_size(window.lr_panel.lr_plot) == pytest.approx(lr_ticks)
    assert window.explanation.mode == "banner"
    assert window.menuBar().isVisible() and window.statusBar().isVisible()
    assert not window.dark and background(window.lr_panel) == "#ffffff"
    assert window.settings.value("dark_theme", type=bool) is False


def test_keys_drive_the_playback_in_presentation_mode_wherever_the_focus_is(window, qtbot):
    window.actions_.presentation.trigger()
    playback = window.playback
    speed_box = window.playback_bar.speed
    speed_box.setFocus()  # a spin box keeps arrows and Home/End for itself normally
    for key in (Qt.Key.Key_Right, Qt.Key.Key_Right, Qt.Key.Key_Right, Qt.Key.Key_Left):
        qtbot.keyClick(speed_box, key)
    assert playback.column == 2
    qtbot.keyClick(speed_box, Qt.Key.Key_End)
    assert playback.column == playback.last_column
    qtbot.keyClick(window.lr_panel.log_box, Qt.Key.Key_Home)
    assert playback.column == 0
    speed = playback.speed
    qtbot.keyClick(speed_box, Qt.Key.Key_Plus)
    assert playback.speed > speed
    qtbot.keyClick(window.view_area, Qt.Key.Key_Minus)
    qtbot.keyClick(window.view_area, Qt.Key.Key_Minus)
    assert playback.speed < speed
    qtbot.keyClick(window.view_area, Qt.Key.Key_Space)
    assert playback.playing
    qtbot.keyClick(speed_box, Qt.Key.Key_Space)
    assert not playback.playing
    qtbot.keyClick(window.view_area, Qt.Key.Key_T)  # light, for printed slides
    assert not window.dark and background(window.loss_panel) == "#ffffff"
    assert window.settings.value("presentation_dark_theme", type=bool) is False
    qtbot.keyClick(window.view_area, Qt.Key.Key_F5)
    assert not window.presentation.active
    window.actions_.presentation.trigger()  # the lecturer's choice is remembered
    assert not window.dark
    window.presentation.leave()


def test_speed_keys_work_in_normal_mode_too(window, qtbot):
    window.view_area.setFocus()
    speed = window.playback.speed
    qtbot.keyClick(window, Qt.Key.Key_Plus)
    assert window.playback.speed > speed


def test_theme_switch_reaches_the_side_panels(window, qtbot):
    window.actions_.dark.trigger()
    qtbot.wait(1)  # the application's palette reaches widgets through posted events
    dark = plot_style.THEMES[True]
    assert window.dark
    for panel, plot in ((window.lr_panel, window.lr_panel.lr_plot), (window.loss_panel, None)):
        plot = plot or panel.plot
        assert background(panel) == dark["background"]
        assert plot.getAxis("left").textPen().color() == QColor(dark["foreground"])
        assert panel.palette().window().color().lightness() < 128  # its check box row too
    assert window.lr_panel.momentum_plot.getAxis("left").textPen().color() == QColor(
        dark["foreground"]
    )
    window.actions_.dark.trigger()
    qtbot.wait(1)
    assert background(window.lr_panel) == "#ffffff"
    assert window.loss_panel.palette().window().color().lightness() > 128


def test_looks_scale_with_the_screen():
    assert looks_for_height(1080)[0] == pytest.approx(1.5)
    assert looks_for_height(768)[0] == pytest.approx(1.25)
    assert looks_for_height(2160)[0] == pytest.approx(1.5)


def test_step_axis_labels_never_overlap(qtbot):
    import pyqtgraph as pg

    widget = pg.PlotWidget(axisItems={"bottom": plot_style.step_axis()})
    qtbot.addWidget(widget)
    axis = widget.getPlotItem().getAxis("bottom")
    font = QFont()
    font.setPointSizeF(16.5)
    axis.setTickFont(font)
    metrics = QFontMetricsF(font)
    for size in (180, 260, 400):
        spacing = axis.tickSpacing(0, 300, size)[0][0]
        ticks = int(300 // spacing) + 1
        assert ticks * metrics.horizontalAdvance("300") < size  # labels fit side by side
    assert axis.tickSpacing(0, 300, 2000)[0][0] >= 30  # never more than ~10 ticks


# ----------------------------------------------------------------------------- export actions


def test_export_animation_opens_the_render_dialog(window, monkeypatch):
    from lrsim.gui.render import dialog as render_dialog

    opened = []
    monkeypatch.setattr(render_dialog.RenderDialog, "exec", lambda self: opened.append(self) or 0)
    action = window.actions_.export_animation
    assert action.shortcut().toString() == "Ctrl+Shift+E"
    action.trigger()
    assert len(opened) == 1 and opened[0].simulation is window.controller.simulation


def test_export_panels_writes_two_pngs(window, monkeypatch, tmp_path):
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path))
    window.playback.set_column(10)
    written = window.exports.export_panels()
    assert sorted(p.name.rsplit("-", 1)[1] for p in written) == ["loss.png", "lr.png"]
    assert all(p.exists() and p.stat().st_size > 1000 for p in written)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    window.actions_.export_panels.trigger()  # cancelled: nothing happens


def test_leaving_after_the_focused_field_was_deleted(window, qtbot):
    """A run card focused when presentation starts may be gone when it ends (New, Open)."""
    import dataclasses

    window.presentation.enter()
    saved = window.presentation._saved
    window.presentation._saved = dataclasses.replace(saved, focus=window.editor.cards[0])
    window.editor.set_data(window.editor.data())  # rebuilds the cards: the old one is deleted
    qtbot.wait(50)
    window.presentation.leave()
    assert not window.presentation.active and not window.actions_.presentation.isChecked()


def test_lr_range_bounds_for_a_run_that_is_gone_change_nothing(window):
    before = window.editor.data()
    assert window.editor.set_run_schedule(99, {"name": "constant"}) is False
    assert window.editor.data() == before
