"""Tools > Memory and recording: the app's --memory-budget and --stride."""

from __future__ import annotations

from gui_fixtures import dialogs_fixture, settings_fixture, window_fixture  # noqa: F401
from gui_helpers import make_window

from lrsim.core.engine import DEFAULT_MEMORY_BUDGET
from lrsim.gui import simulation_settings
from lrsim.gui.simulation_settings import GIB, SimulationSettingsDialog


def test_menu_entry_exists(window):
    tools = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Tools")
    assert "&Memory and recording…" in [action.text() for action in tools.actions()]


def test_dialog_reads_back_what_it_shows(qtbot):
    dialog = SimulationSettingsDialog(DEFAULT_MEMORY_BUDGET, None)
    qtbot.addWidget(dialog)
    assert dialog.values() == (DEFAULT_MEMORY_BUDGET, None)
    dialog.budget_box.setValue(8.0)
    dialog.stride_box.setValue(5)
    assert dialog.values() == (8 * GIB, 5)


def test_a_stride_redoes_the_simulation_and_is_remembered(window, qtbot, settings):
    qtbot.waitUntil(lambda: window.controller.simulation is not None, timeout=20_000)
    assert window.controller.simulation.stride == 1
    simulation_settings.apply(window.settings, window.controller, 4 * GIB, 5)
    qtbot.waitUntil(
        lambda: window.controller.simulation.stride == 5 and not window.controller.busy,
        timeout=20_000,
    )
    steps = window.controller.simulation.recorded_steps
    assert steps[1] - steps[0] == 5 and steps[-1] == window.controller.simulation.steps
    assert window.controller.memory_budget == 4 * GIB
    window.document.dirty = False
    again = make_window(qtbot, settings)  # the next start uses them too
    assert (again.controller.memory_budget, again.controller.stride) == (4 * GIB, 5)
    again.document.dirty = False
    again.close()
