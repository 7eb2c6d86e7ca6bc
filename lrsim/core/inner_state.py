"""What the app shows of an optimizer's inner state: its effective step size over time and,
for Schedule-Free and ASGD, the averaged point beside each particle.

``inner_series(runfile)`` re-runs the run file one update at a time (the kernel's
own state, as ``lrsim export --state`` does) and keeps, per run and step, the
median over particles (and coordinates) of the effective step size:

each optimizer's module says which quantity (``OptimizerEntry.effective`` and
``effective_step``: lr / (sqrt(v_hat) + eps) for Adam, the scheduled lr for SGD,
L-BFGS the step t its own kernel keeps), and, where it keeps one, the averaged
point (``averaged``: Schedule-Free's evaluation point, ASGD's ax). Row 0 (before
any update) is NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrsim.core import kernel, lbfgs_kernel
from lrsim.core.engine import Simulation
from lrsim.core.optim.registry import entry
from lrsim.core.runfile import RunFile

MAX_PARTICLE_STEPS = 20_000_000
"""Larger simulations are not re-run for the inner state (the app says so)."""


@dataclass
class RunInner:
    """One run's inner-state series over steps 0..steps."""

    label: str
    color: str
    what: str  # which quantity ``effective`` holds
    effective: np.ndarray  # (steps + 1,) median over particles; NaN at step 0
    averaged: np.ndarray | None  # (particles, steps + 1, 2) or None


def _median(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if finite.size else np.nan


def inner_series(runfile: RunFile, progress=None) -> list[RunInner] | None:
    """Every run's inner-state series, or None when the run file is too large to re-run.

    ``progress(done, total)`` is called after every update (it may raise to stop).
    """
    sim = Simulation(runfile, allow_stride=False)
    if sim.n_particles * sim.steps * sim.n_runs > MAX_PARTICLE_STEPS:
        return None
    optimizers = [run.optimizer for run in runfile.runs]
    out = []
    for run, optimizer in zip(sim.runs, optimizers, strict=True):
        item = entry(optimizer.spec.name)
        averaged = None
        if item.averaged is not None:
            averaged = np.full((sim.n_particles, sim.steps + 1, 2), np.nan)
        what = item.effective
        out.append(RunInner(run.label, run.color, what, np.full(sim.steps + 1, np.nan), averaged))
    for t in range(1, sim.steps + 1):
        sim.run_to(t)
        for r, optimizer in enumerate(optimizers):
            _record(sim, r, optimizer.spec, optimizer.params, t, out[r])
        if progress is not None:
            progress(t, sim.steps)
    return out


def _record(sim: Simulation, r: int, spec, params, t: int, inner: RunInner) -> None:
    item = entry(spec.name)
    state = sim._states[r]
    running = sim.runs[r].frozen_at < 0
    lr, mom = float(state.lrs[t - 1]), float(state.moms[t - 1])  # what update t used
    if state.lbfgs is not None:
        values = state.lbfgs[1][:, lbfgs_kernel.T]
    else:
        slots = state.state[kernel.OPT_BASE :]
        values = np.asarray(item.effective_step(slots, lr, mom, float(t), params))
    values = values.reshape(-1, sim.n_particles)[:, running] if running.any() else values
    inner.effective[t] = _median(np.asarray(values, dtype=float))
    if inner.averaged is not None:
        slots = state.state[kernel.OPT_BASE :]
        beta1 = sim.runs[r].momentum_curve[t]
        x, y = state.state[kernel.X], state.state[kernel.Y]
        inner.averaged[:, t, 0], inner.averaged[:, t, 1] = item.averaged(slots, x, y, beta1)
