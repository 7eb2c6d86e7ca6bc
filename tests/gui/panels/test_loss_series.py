"""The loss panel's median and band leave diverged particles out from the step they diverge."""

from __future__ import annotations

import numpy as np

from lrsim.core.engine import Simulation
from lrsim.core.runfile import parse_runfile
from lrsim.gui.panels import series


def test_diverged_particles_leave_the_loss_band():
    runfile = parse_runfile(
        {
            "steps": 40,
            "surface": {"name": "saddle"},
            "particles": {"points": [[1.0, 1.0], [1.0, 0.0], [0.5, 0.0]]},
            "runs": [{"optimizer": {"name": "sgd", "lr": 0.6}}],
        }
    )
    sim = Simulation(runfile)
    sim.run_to_end()
    frozen = int(sim.runs[0].frozen_at[0])
    assert 0 < frozen < 40
    steps, median, low, high = series.loss_quantiles(sim, 0)
    after = steps >= frozen
    survivors = sim.runs[0].loss[1:, :][:, after]
    np.testing.assert_allclose(median[after], np.median(survivors, axis=0))
    assert np.all(np.abs(high[after]) < 10)  # the frozen -1e12 loss is not in the band
