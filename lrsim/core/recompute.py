"""Re-running a ``Simulation`` in its own buffers: new starts, or one run's parameters edited.

The app redraws while a start is dragged or a slider moves. Building a fresh
``Simulation`` for every such edit re-validates the whole file, recomputes every
schedule and allocates every history array; at small N that costs more than
the kernel. Here the simulation keeps its buffers and only what the edit
touches is recomputed, with the very code ``Simulation.__init__`` uses
(``_run_curves``, ``_reset_run``), so the numbers equal a fresh build from the
edited run file bit for bit (``tests/core/engine/test_recompute.py``)::

    sim.restart(starts=new_starts)          # every run from step 0, from new starts
    sim.set_run_params(1, lr=0.05)          # run 1 only, from step 0
    sim.set_run_params(0, betas=(0.8, 0.99), schedule={"T_max": 50})
    sim.run_to_end()                        # only the runs that restarted do work

An edit that would need different buffers (another optimizer, switching to or
from a plateau schedule, another particle count) raises a ``ConfigError``: build
a new ``Simulation`` for it. On any error nothing has changed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from lrsim.core.errors import ConfigError


class Recompute:
    """The recompute API of ``Simulation`` (a mixin: it uses the engine's buffers)."""

    def restart(self, starts: np.ndarray | None = None) -> None:
        """Every run back to step 0; with ``starts`` (N, 2), from those starts.

        ``starts`` must hold as many points as the simulation has particles; the
        run file becomes one with those explicit ``particles.points``.
        """
        from lrsim.core import kernel
        from lrsim.core.engine_checks import check_starts

        with self._lock:
            if starts is None:
                for index in range(self.n_runs):
                    self._reset_run(index)
                return
            new = np.asarray(starts, dtype=np.float64)
            if new.shape != self.starts.shape:
                raise ConfigError(
                    "particles.points",
                    f"must hold {self.n_particles} starts (x, y), got shape {new.shape}",
                )
            if not np.isfinite(new).all():
                raise ConfigError("particles.points", "must be finite numbers")
            old_starts, old_file = self.starts.copy(), self.runfile
            self.starts[:] = new
            particles = replace(
                self.runfile.particles, points=tuple(map(tuple, new.tolist())), random=None,
                grid=None,
            )  # fmt: skip
            self.runfile = replace(self.runfile, particles=particles)
            for index in range(self.n_runs):
                self._reset_run(index)
            try:
                check_starts(self.runfile, self.starts, self._states[0].state[kernel.LOSS])
            except ConfigError:
                self.starts[:], self.runfile = old_starts, old_file
                for index in range(self.n_runs):
                    self._reset_run(index)
                raise

    def set_run_params(
        self, index: int, *, schedule: dict[str, Any] | None = None, **optimizer: Any
    ) -> None:
        """Run ``index`` with optimizer parameters ``optimizer`` (e.g. ``lr=0.1``,
        ``momentum=0.9``, ``betas=(0.8, 0.999)``) and schedule parameters ``schedule``
        merged into its configuration, back at step 0; the other runs keep their steps.

        Validated as the run file would be; errors name ``runs[index]....``.
        """
        from lrsim.core import lbfgs_kernel
        from lrsim.core.engine import plateau_vector
        from lrsim.core.runfile import resolved_schedule

        with self._lock:
            if not 0 <= index < self.n_runs:
                raise IndexError(f"run index {index} out of range 0..{self.n_runs - 1}")
            old = self.runfile.runs[index]
            run = replace(
                old,
                optimizer={**old.optimizer, **optimizer},
                schedule={**old.schedule, **(schedule or {})},
            )
            where = f"runs[{index}]"
            if run.optimizer.get("name") != old.optimizer.get("name"):
                raise ConfigError(f"{where}.optimizer.name", "cannot change in place")
            try:
                resolved = resolved_schedule(run, self.steps)
                lbfgs_kernel.check_run(self.runfile, run, resolved)
                spec, params, lrs, moms, loss_scales = self._run_curves(run, resolved)
            except ConfigError as error:
                raise error.within(where) from None
            except (ArithmeticError, ValueError, TypeError) as error:  # as Simulation.__init__
                problem = f"holds a value out of range ({type(error).__name__}: {error})"
                raise ConfigError(f"{where}.schedule", problem) from None
            state, trajectory = self._states[index], self.runs[index]
            plateau = plateau_vector(resolved)
            if (plateau.size > 0) != (state.plateau.size > 0):
                raise ConfigError(f"{where}.schedule.name", "cannot switch plateau in place")
            if state.lbfgs is not None and state.lbfgs[0].shape[1] != params["history_size"]:
                raise ConfigError(f"{where}.optimizer.history_size", "cannot change in place")
            # committed from here on: copy into the run's arrays (views and the GUI hold them)
            state.lrs[:] = lrs
            state.moms[:] = moms
            state.loss_scales = loss_scales
            trajectory.loss_scale_curve = np.abs(loss_scales) if run.loss_decay else None
            state.hyper = spec.hyper_vector(params)
            state.plateau = plateau
            state.initial_slots = spec.initial_slots(params)
            state.plateau_best = -np.inf if resolved.get("mode") == "max" else np.inf
            if state.lbfgs is not None:
                hist, vec, _ = state.lbfgs
                state.lbfgs = (hist, vec, lbfgs_kernel.config_vector(params))
            if not trajectory.per_particle_lr:
                trajectory.lr[:] = lrs[self.recorded_steps]
            trajectory.momentum[:] = moms[self.recorded_steps]
            trajectory.schedule = resolved["name"]
            runs = list(self.runfile.runs)
            runs[index] = run
            self.runfile = replace(self.runfile, runs=tuple(runs))
            self._reset_run(index)
