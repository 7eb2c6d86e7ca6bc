"""The anatomy of one update: the gradient's part, the momentum's part and the update.

``StepAnatomy(runfile)`` replays the run file one update at a time (the kernel's own
state, as ``inner_state`` and ``lrsim export --state`` do) and, for a run, a step t
(< steps) and the particles, splits the update x_{t+1} - x_t into

* ``gradient_part``: what the gradient seen at step t contributes (noise, loss decay
  and coupled weight decay included, as the kernel applies them);
* ``momentum_part``: what the state carried from earlier steps contributes;
* ``update``: x_{t+1} - x_t of the replayed trajectory (the recorded one);
* ``effective``: for the adaptive optimizers (``OptimizerEntry.adaptive``) the
  per-coordinate effective step after the update (``effective_step``: lr / (sqrt(v_hat)
  + eps) for Adam), else None.

The exact splits (gradient_part + momentum_part == update to rounding) are the
optimizers' own (``OptimizerEntry.split`` in their modules):

* SGD, with momentum, dampening, Nesterov and weight decay: heavy ball
  -lr (1 - dampening) g and -lr momentum buf; Nesterov -lr (1 + momentum (1 -
  dampening)) g and -lr momentum^2 buf (torch's first step: buf = g, no momentum part);
* Adam and AdamW (AMSGrad too): -lr / bc1 (1 - beta1) g / D and -lr / bc1 beta1 m / D
  with D = sqrt(v_hat) + eps; AdamW's decoupled decay -lr wd x joins the gradient part;
* Adagrad (no momentum): all of the update is the gradient's.

Every other optimizer gives only the update (``exact`` False, "update only").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrsim.core import kernel
from lrsim.core.engine import Simulation
from lrsim.core.noise import gaussian_pair
from lrsim.core.optim.registry import entry
from lrsim.core.runfile import RunFile

KEEP_STEPS = 64  # steps whose states are kept


@dataclass
class Anatomy:
    """One run's update t -> t+1 for some particles; every array (particles, 2)."""

    optimizer: str
    step: int
    position: np.ndarray  # x_t
    update: np.ndarray  # x_{t+1} - x_t
    gradient_part: np.ndarray | None  # None when not split ("update only")
    momentum_part: np.ndarray | None
    effective: np.ndarray | None  # per-coordinate effective step, adaptive optimizers
    gradient_label: str = "-lr·g"
    momentum_label: str = "momentum"

    @property
    def exact(self) -> bool:
        return self.gradient_part is not None


class StepAnatomy:
    """Replays ``runfile`` (every step recorded) to answer ``at(run, step, particles)``."""

    def __init__(self, runfile: RunFile):
        self.runfile = runfile
        self._sim = Simulation(runfile, allow_stride=False)
        self.steps = self._sim.steps
        self._snapshots: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}

    def _snapshot(self, step: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per run the kernel state before and after update ``step`` (kept for reuse: the
        runs of one step and a redraw at the same step replay nothing)."""
        if step not in self._snapshots:
            if self._sim.current_step > step:  # a step back: replay from the start
                self._sim = Simulation(self.runfile, allow_stride=False)
                self._snapshots.clear()  # their steps are not in the new trajectory yet
            self._sim.run_to(step)
            before = [rs.state.copy() for rs in self._sim._states]
            self._sim.run_to(step + 1)
            after = [rs.state.copy() for rs in self._sim._states]
            if len(self._snapshots) >= KEEP_STEPS:
                self._snapshots.pop(next(iter(self._snapshots)))
            self._snapshots[step] = list(zip(before, after, strict=True))
        return self._snapshots[step]

    def at(self, run: int, step: int, particles=None) -> Anatomy:
        """The update from step ``step`` to ``step + 1`` of run ``run`` for ``particles``
        (indices; all when None)."""
        if not 0 <= step < self.steps:
            raise ValueError(f"step must be in [0, {self.steps}), got {step}")
        state_before, state_after = self._snapshot(step)[run]
        sim = self._sim
        idx = np.arange(sim.n_particles) if particles is None else np.asarray(particles, int)
        optimizer = self.runfile.runs[run].optimizer
        spec, params = optimizer.spec, optimizer.params
        item = entry(spec.name)
        rs = sim._states[run]
        before = state_before[:, idx]
        x, y = before[kernel.X], before[kernel.Y]
        g = np.stack([before[kernel.GX], before[kernel.GY]])
        if rs.noise_scale != 0.0:
            seed = self.runfile.noise.seed
            for k, i in enumerate(idx):
                zx, zy = gaussian_pair(seed, sim.first_particle + int(i), step)
                g[0, k] += rs.noise_scale * zx
                g[1, k] += rs.noise_scale * zy
        if rs.loss_scales.shape[0] > 0:
            g = g * rs.loss_scales[step]
        lr, mom = float(rs.lrs[step]), float(rs.moms[step])
        slots = before[kernel.OPT_BASE :]
        traj = sim.runs[run]  # the trajectory: every step so far is recorded
        position = np.stack([traj.x[idx, step], traj.y[idx, step]], axis=1)
        after = np.stack([traj.x[idx, step + 1], traj.y[idx, step + 1]], axis=1)
        update = after - position
        parts = None
        if rs.lbfgs is None and item.split is not None:
            parts = item.split(rs.hyper, slots, np.stack([x, y]), g, lr, mom, step + 1)
        effective = None
        if item.adaptive and rs.lbfgs is None:
            post = state_after[kernel.OPT_BASE :, idx]
            fn = item.effective_step
            effective = np.asarray(fn(post, lr, mom, float(step + 1), params)).reshape(2, -1).T
        gp = mp = None
        if parts is not None:
            gp, mp = parts
            if rs.lr_scales.shape[0] > 0:  # per-coordinate lr scales every rule's step
                gp, mp = gp * rs.lr_scales[:2], mp * rs.lr_scales[:2]
            frozen = traj.frozen_at[idx]
            stopped = (frozen >= 0) & (frozen <= step)  # not stepped any more
            gp[stopped] = 0.0
            mp[stopped] = 0.0
        return Anatomy(spec.name, step, position, update, gp, mp, effective, *item.split_labels)
