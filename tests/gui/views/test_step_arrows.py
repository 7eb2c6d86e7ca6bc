"""The anatomy of a step on the contour view: a click on a particle shows its arrows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from lrsim.core.engine import Simulation
from lrsim.core.runfile import load_runfile
from lrsim.core.step_anatomy import StepAnatomy
from lrsim.gui.views.contour import ContourView

PRESET = Path(__file__).parents[3] / "resources" / "presets" / "momentum-two-arrows.toml"


@pytest.fixture(name="contour")
def contour_fixture(qtbot):
    view = ContourView(show_legend=True)
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    return view


def _sim():
    sim = Simulation(load_runfile(PRESET))
    sim.run_to_end()
    return sim


def test_clicking_a_particle_shows_the_decomposition(contour, qtbot):
    sim = _sim()
    contour.set_simulation(sim)
    contour.set_column(5)
    contour.grab()
    received = []
    contour.start_point_requested.connect(lambda x, y: received.append((x, y)))
    run = sim.runs[1]  # momentum 0.9
    pixel = contour.plot_widget.mapFromScene(
        contour.view_box.mapViewToScene(QPointF(run.x[0, 5], run.y[0, 5]))
    )
    qtbot.mouseClick(contour.plot_widget.viewport(), Qt.MouseButton.LeftButton, pos=pixel)
    arrows = contour.step_arrows
    assert arrows.pinned is not None and not received  # no start point added
    r, i = arrows.pinned
    row = arrows.shown[(r, i)]
    want = StepAnatomy(sim.runfile).at(r, 5, [i])
    assert np.array_equal(row["gradient"], want.gradient_part[0])
    assert np.array_equal(row["momentum"], want.momentum_part[0])
    recorded = np.array(
        [sim.runs[r].x[i, 6] - sim.runs[r].x[i, 5], sim.runs[r].y[i, 6] - sim.runs[r].y[i, 5]]
    )
    assert np.allclose(row["gradient"] + row["momentum"], recorded, rtol=1e-12, atol=0)
    assert np.array_equal(row["update"], recorded)
    assert len(arrows._labels) == 1 and "update" in arrows._labels[0].toPlainText()
    contour.set_column(6)  # follows the playback
    assert arrows.shown[(r, i)]["position"][0] == sim.runs[r].x[i, 6]
    contour.set_simulation(_sim())  # a new scene clears it
    assert arrows.pinned is None and not arrows.shown and not arrows._labels


def test_every_particle_and_adams_scale_bars(contour):
    sim = _sim()
    contour.set_simulation(sim)
    contour.set_column(3)
    assert contour.step_arrows.set_swarm(True)
    assert set(contour.step_arrows.shown) == {(0, 0), (1, 0), (2, 0)}
    adam = contour.step_arrows.shown[(2, 0)]
    assert adam["effective"] is not None and adam["effective"].shape == (2,)
    assert contour.step_arrows.shown[(0, 0)]["effective"] is None
    xs, _ys = contour.step_arrows._lines["scale"][1].getData()
    assert len(xs) == 8  # two bars with their caps
    contour.set_column(len(sim.recorded_steps) - 1)  # no update after the last step
    assert not contour.step_arrows.shown
