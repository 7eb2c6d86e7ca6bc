"""The one place a live edit (a dragged start, a moved slider) recomputes the scene.

Every live recompute goes through ``recompute``: today it builds a new
``Simulation`` from the edited run file and runs it to the end synchronously (a
lecture scene costs well under a millisecond of kernel time; parsing and
building cost a little more). When the engine offers a recompute API (re-run
from new starts, or with one run's hyper-parameters changed, reusing buffers),
only this module changes: compare ``runfile`` with ``controller.runfile`` and
ask the current simulation to recompute in place.

A scene too long to compute between two mouse moves goes to the controller's
background path (``controller.load``), as a typed edit does.
"""

from __future__ import annotations

from lrsim.core.engine import Simulation
from lrsim.core.runfile import RunFile
from lrsim.gui.controller import SimulationController, particle_steps

LIVE_PARTICLE_STEPS = 2_000_000  # beyond this a live edit computes in the background


def recompute(controller: SimulationController, runfile: RunFile) -> Simulation | None:
    """Compute ``runfile`` now and make it the controller's scene (emits ``scene_changed``).

    Returns the new simulation, or None when it went to the background. Raises
    ConfigError (naming the field) when the engine refuses the run file; the
    current scene is then kept.
    """
    if particle_steps(runfile) > LIVE_PARTICLE_STEPS or controller.busy:
        controller.load(runfile)
        return None
    simulation = Simulation(
        runfile, memory_budget=controller.memory_budget, stride=controller.stride
    )
    simulation.run_to_end()
    controller.simulation, controller.runfile = simulation, runfile
    controller.scene_changed.emit(simulation)
    return simulation
