"""One run of a Simulation advanced from update ``first`` to ``last``: which kernel runs it.

L-BFGS has its own kernel; a run the fused per-pair kernels cover (``fused``) runs in
its pair's kernel once that is compiled; everything else in the generic kernel. The
three give the same numbers as each other's tests demand (fused == generic bit for bit),
so the choice is only about speed.
"""

from __future__ import annotations

import numpy as np

from lrsim.core import fused, kernel, lbfgs_kernel
from lrsim.core.engine_checks import KEPT_TABLE_STEPS

_NO_LR = np.zeros((1, 1))  # the kernel's per-particle lr output when the run has none


SPLIT_PARTICLES = 24
SPLIT_WORK = 20_000
"""A fused call of fewer than two blocks still shares its particles among the cores from
these many particles and particle-steps: a parallel launch costs some microseconds, and
below about a dozen particles a core the launch costs more than it saves (measured on
Adam + Rastrigin, 1,000 steps: 16 particles 0.25 ms either way, 32: 0.32 -> 0.28 ms,
100: 0.97 -> 0.67 ms)."""


def split_over_cores(n_particles: int, steps: int) -> bool:
    """Whether a fused call of ``n_particles`` (fewer than two blocks) over ``steps`` steps
    is worth a parallel launch."""
    return n_particles >= SPLIT_PARTICLES and n_particles * steps >= SPLIT_WORK


def run_constants(module, run, steps: int, first: int, last: int) -> np.ndarray:
    """The table of the run's per-step rule constants for updates ``first`` .. ``last``
    (``constants_table`` of its fused module). A run of at most ``KEPT_TABLE_STEPS`` steps
    keeps its whole table (counted in ``curve_bytes``) until ``set_run_params`` changes the
    run and drops it: a drag's three Adam runs paid 90 us for it at every recompute (two
    ``pow`` a step). A longer run computes the rows of this call only."""
    if steps > KEPT_TABLE_STEPS:
        return module.constants_table(run.moms, run.hyper, first, last)
    if run.constants is None:
        run.constants = module.constants_table(run.moms, run.hyper, 0, steps)
    return run.constants


def fused_module(sim, run, particle_steps: int):
    """The fused kernel module for ``run`` of ``sim``, or None when the generic one runs it."""
    if run.lbfgs is not None or run.plateau.size or run.lr_scales.size or sim.rotation.size:
        return None
    return fused.kernel_for(run.surface, run.rule, particle_steps)


def advance_run(sim, run, trajectory, first: int, last: int) -> None:
    """Updates ``first`` -> ``last`` of one run (``_RunState`` ``run``) of ``sim``."""
    n, seed = sim.n_particles, sim.noise_seed
    out_x, out_y, out_loss, out_lr = trajectory.stores  # not .x: that would NaN-fill stale columns
    if run.lbfgs is not None:
        hist, vec, config = run.lbfgs
        lbfgs_kernel.advance(
            run.surface, sim.surface_params, hist, vec, run.state, trajectory.frozen_at,
            run.lrs, config, first, last, sim.slot_of_step, out_x, out_y, out_loss,
        )  # fmt: skip
        return
    module = fused_module(sim, run, n * (last - first))
    if module is not None:
        table = run_constants(module, run, sim.steps, first, last)
        args = (
            sim.surface_params, run.hyper, table, run.state, trajectory.frozen_at, run.lrs,
            run.moms, run.loss_scales, run.noise_scale, seed, sim.first_particle, first, last,
            sim.slot_of_step, out_x, out_y, out_loss,
        )  # fmt: skip
        if n >= kernel.PARALLEL_THRESHOLD or split_over_cores(n, last - first):
            module.advance_parallel(*args)
        else:
            module.advance_range(0, n, *args)
        return
    kernel.advance(
        n, run.surface, run.rule, sim.surface_params, run.hyper, run.state,
        trajectory.frozen_at, run.lrs, run.moms, run.plateau, run.loss_scales, run.lr_scales,
        run.noise_scale, seed, sim.first_particle, first, last, sim.slot_of_step,
        out_x, out_y, out_loss, out_lr if trajectory.per_particle_lr else _NO_LR, sim.rotation,
    )  # fmt: skip
