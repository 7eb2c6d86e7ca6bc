"""The one place a live edit (a dragged start, a moved slider) recomputes the scene.

The first move of a gesture builds a new ``Simulation`` from the edited run file. Every
further move of the same gesture recomputes that one in its own buffers when only the
starts or one run's optimizer parameters or schedule changed (``Simulation.restart``,
``Simulation.set_run``: the numbers equal a fresh build's bit for bit), so it pays for
the kernel, not for building.

Recomputing in place is safe because nothing but the views holds that simulation while
the gesture lasts: the side panels wait for the hand to let go, and a reader that keeps
a scene (an export's thread, the render dialog) takes it through
``controller.shared_simulation()``, after which the gesture builds anew. Each in-place
result is handed on as a new ``Simulation`` object sharing the buffers (``copy.copy``),
so every view redraws it as a new scene, not as "more steps of the same one"; results
derived from the numbers and cached on the simulation (basin labels, first hits) key on
``sim.generation``, which every restart or edit bumps.

A scene too long to compute between two mouse moves goes to the controller's
background path (``controller.load``), as a typed edit does.
"""

from __future__ import annotations

import copy
from dataclasses import replace

from lrsim.core.engine import Simulation
from lrsim.core.errors import ConfigError
from lrsim.core.run_setup import start_points
from lrsim.core.runfile import RunFile
from lrsim.gui.controller import SimulationController, particle_steps

LIVE_PARTICLE_STEPS = 2_000_000  # beyond this a live edit computes in the background


def recompute(
    controller: SimulationController, runfile: RunFile, *, held: bool = False
) -> Simulation | None:
    """Compute ``runfile`` now and make it the controller's scene (emits ``scene_changed``).

    ``held``: a move of a gesture still in progress; its scene may be recomputed in place
    at the next move (``end_gesture`` when the hand lets go). Returns the new simulation,
    or None when it went to the background. Raises ConfigError (naming the field) when
    the engine refuses the run file; the current scene is then kept.
    """
    if particle_steps(runfile) > LIVE_PARTICLE_STEPS or controller.busy:
        controller.load(runfile)
        return None
    simulation = _recomputed_in_place(controller, runfile) if held else None
    if simulation is None:
        simulation = Simulation(
            runfile, memory_budget=controller.memory_budget, stride=controller.stride
        )
        simulation.run_to_end()
    controller.live_owned = simulation if held else None
    controller.simulation, controller.runfile = simulation, runfile
    controller.scene_changed.emit(simulation)
    return simulation


def end_gesture(controller: SimulationController) -> None:
    """The hand let go: the scene shown may now be kept by panels and exports."""
    controller.live_owned = None


def _recomputed_in_place(controller: SimulationController, runfile: RunFile):
    """The gesture's simulation recomputed for ``runfile`` as a new object over the same
    buffers, or None when the edit needs a new build (or the engine refuses it: the build
    then names the field)."""
    sim, shown = controller.simulation, controller.runfile
    if sim is None or sim is not controller.live_owned or shown is None:
        return None
    try:
        if replace(runfile, particles=shown.particles) == shown:
            starts = start_points(runfile, sim.domain)
            if starts.shape != sim.starts.shape:
                return None
            sim.restart(starts)
        else:
            index = _only_changed_run(shown, runfile)
            if index is None:
                return None
            sim.set_run(index, runfile.runs[index])
    except ConfigError:
        return None
    sim.runfile = runfile
    sim.run_to_end()
    return copy.copy(sim)


def _only_changed_run(shown: RunFile, runfile: RunFile) -> int | None:
    """The index of the one run ``runfile`` changes, everything else equal; else None."""
    if len(shown.runs) != len(runfile.runs):
        return None
    changed = [i for i, (a, b) in enumerate(zip(shown.runs, runfile.runs, strict=True)) if a != b]
    if len(changed) != 1 or replace(runfile, runs=shown.runs) != shown:
        return None
    return changed[0]
