"""One ViewSpec per view: every list of views (View menu, Render dialog, `lrsim render
--view`, the view area) comes from ``registry.VIEWS``, and every view is a SurfaceView."""

from __future__ import annotations

import subprocess
import sys

import pytest
from gui_fixtures import dialogs_fixture, settings_fixture, window_fixture  # noqa: F401
from gui_helpers import PRESET
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QWidget

from lrsim.core.errors import ConfigError
from lrsim.gui.render.animation import RenderOptions
from lrsim.gui.views.protocol import SurfaceView
from lrsim.gui.views.registry import VIEWS, ViewSpec, view_names, view_spec


def _menu_actions(window) -> dict[str, tuple[str, str]]:
    """name -> (text, shortcut) of the View menu's view entries."""
    actions = {**window.actions_.view_kinds, **window.actions_.layouts}
    return {
        name: (action.text(), action.shortcut().toString(QKeySequence.SequenceFormat.PortableText))
        for name, action in actions.items()
    }


def test_every_view_is_in_the_view_menu_with_its_shortcut(window):
    entries = _menu_actions(window)
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    in_menu = {action.text() for action in view_menu.actions()}
    for spec in VIEWS:
        assert entries[spec.name] == (spec.menu_text, spec.shortcut), spec.name
        assert spec.menu_text in in_menu, spec.name
    shortcuts = [key for _text, key in entries.values()]
    assert len(set(shortcuts)) == len(shortcuts)


def test_the_view_menu_shows_each_view(window):
    area = window.view_area
    for spec in VIEWS:
        window.actions_.view_kinds["flat"].trigger()
        window.actions_.layouts["contour"].trigger()
        (window.actions_.view_kinds if spec.place == "side" else window.actions_.layouts)[
            spec.name
        ].trigger()
        assert area.current_view_name() == spec.name
        assert area.view(spec.name) in area.active_views()
        assert isinstance(area.view(spec.name), spec.view_class())


def test_the_render_dialog_offers_the_renderable_views(qtbot, tmp_path):
    from lrsim.core.engine import Simulation
    from lrsim.core.runfile import load_runfile
    from lrsim.gui.render.dialog import RenderDialog

    sim = Simulation(load_runfile(PRESET))
    dialog = RenderDialog(sim, None, "basins", output=tmp_path / "frames")
    qtbot.addWidget(dialog)
    offered = [dialog.view_box.itemData(i) for i in range(dialog.view_box.count())]
    texts = [dialog.view_box.itemText(i) for i in range(dialog.view_box.count())]
    assert offered == [spec.name for spec in VIEWS if spec.renderable]
    assert texts == [spec.title for spec in VIEWS if spec.renderable]
    assert "basins" not in offered and dialog.view_box.currentData() == "contour"


def test_lrsim_render_help_lists_the_renderable_views_without_qt():
    code = """
import contextlib, io, sys
from lrsim.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
    main(["render", "--help"])
print(out.getvalue())
print("QT", [m for m in sys.modules if m.startswith(("PySide6", "pyqtgraph"))])
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.rstrip().endswith("QT []")
    choices = "{" + ",".join(view_names(renderable=True)) + "}"
    assert f"--view {choices}" in out.stdout
    for spec in VIEWS:
        assert (f"{spec.name}: {spec.title}" in " ".join(out.stdout.split())) == spec.renderable


@pytest.mark.parametrize("spec", VIEWS, ids=lambda spec: spec.name)
def test_every_view_is_made_from_its_spec_and_speaks_the_protocol(qtbot, spec: ViewSpec):
    from test_views import make_sim

    view = spec.create()
    qtbot.addWidget(view)
    assert isinstance(view, QWidget) and isinstance(view, SurfaceView)
    sim = make_sim(n=4, steps=6, runs=2)
    view.set_simulation(sim)
    view.set_theme(False)
    view.set_look(1.5, 1.5)
    view.set_log_scale(True)
    view.set_visible_runs([1])
    view.set_emphasis({1: 0.5})
    view.set_trail(2, True)
    view.set_column(3)
    view.resize(300, 200)
    assert not view.grab_frame().isNull()
    assert hasattr(view, "start_point_requested") == spec.adds_starts


def test_an_unknown_view_raises(window):
    with pytest.raises(KeyError, match="unknown view 'heatmap'"):
        view_spec("heatmap")
    with pytest.raises(KeyError):
        window.view_area.view("overlay")
    with pytest.raises(ValueError):
        window.view_area.set_layout_mode("3d")  # the side view is not a flat view
    with pytest.raises(ValueError):
        window.view_area.set_kind("contour")
    with pytest.raises(ConfigError):
        RenderOptions(view="basins").checked()  # in the table, but not renderable
    with pytest.raises(ValueError):
        ViewSpec("x", "X", "&X", "Ctrl+9", "m:C", place="top")
