"""The side panels on real simulations: LR (plateau median, cycled momentum), loss band, table."""

from __future__ import annotations

import numpy as np
import pytest

from lrsim.core.engine import Simulation
from lrsim.core.runfile import parse_runfile
from lrsim.gui.panels import series
from lrsim.gui.panels.loss_panel import LossPanel
from lrsim.gui.panels.lr_panel import LrPanel
from lrsim.gui.panels.stats_panel import StatsPanel


def simulate(schedules, n=64, steps=60, surface="himmelblau"):
    runs = [
        {"label": name, "optimizer": {"name": "sgd", "lr": 0.01, "momentum": 0.5}, "schedule": s}
        for name, s in schedules
    ]
    data = {"steps": steps, "surface": {"name": surface}, "particles": {"random": {"n": n}}}
    sim = Simulation(parse_runfile({**data, "runs": runs}))
    sim.run_to_end()
    return sim


@pytest.fixture(scope="module")
def sim():
    return simulate(
        [
            ("plateau", {"name": "plateau", "patience": 2, "factor": 0.5}),
            ("onecycle", {"name": "onecycle", "max_lr": 0.02}),
            ("constant", {"name": "constant"}),
        ]
    )


def test_plateau_runs_draw_the_median_per_particle_lr(sim):
    steps, lr = series.lr_series(sim, 0)
    assert sim.runs[0].per_particle_lr
    assert np.array_equal(steps, sim.recorded_steps)
    assert np.allclose(lr, np.median(sim.runs[0].lr, axis=0))
    assert lr[-1] < lr[0]  # the plateau cut it


def test_momentum_plot_only_when_a_schedule_cycles_it(qtbot, sim):
    panel = LrPanel()
    qtbot.addWidget(panel)
    panel.set_scene(sim)
    assert panel.momentum_plot in panel.canvas.ci.items  # onecycle cycles momentum
    panel.set_scene(simulate([("constant", {"name": "constant"})], n=4, steps=10))
    assert panel.momentum_plot not in panel.canvas.ci.items
    panel.set_step(5)
    assert panel.cursors[0].value() == 5
    panel.log_box.setChecked(True)


def test_loss_band_is_the_10_90_percentile(qtbot, sim):
    steps, median, low, high = series.loss_quantiles(sim, 2)
    loss = sim.runs[2].loss
    assert np.allclose(median, np.median(loss, axis=0))
    assert np.allclose(low, np.percentile(loss, 10, axis=0))
    assert np.all(low <= median) and np.all(median <= high)
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.set_scene(sim)
    assert len(panel._items) == 3 * 4  # per run: low, high, band, median
    panel.log_box.setChecked(True)  # loss - f* on a log axis: no crash on zeros
    panel.set_step(30)
    assert panel.cursor.value() == 30


def test_stats_table_follows_the_step(qtbot, sim):
    panel = StatsPanel()
    qtbot.addWidget(panel)
    panel.set_scene(sim)
    panel.set_step(0)
    panel.refresh()
    assert "step 0" in panel.caption.text()
    assert [panel.cell_text(row, 0) for row in range(3)] == ["plateau", "onecycle", "constant"]
    panel.set_step(60)
    qtbot.waitUntil(lambda: "step 60" in panel.caption.text(), timeout=2000)
    panel.dist_tol.setCurrentText("1e-1")  # a looser tolerance: reached sooner or as soon
    assert panel.cell_text(2, 8) != ""
