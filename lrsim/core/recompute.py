"""Re-running a ``Simulation`` in its own buffers: new starts, or one run's parameters edited.

The app redraws while a start is dragged or a slider moves (``gui/live_recompute.py``
recomputes a held gesture's scene here). Building a fresh ``Simulation`` for every
such edit re-validates the whole file, recomputes every schedule and allocates every
history array; at small N that costs more than the kernel. Here the simulation keeps
its buffers and only what the edit touches is recomputed, with the very code
``Simulation.__init__`` uses (``_run_curves``, ``_reset_run``), so the numbers equal a
fresh build from the edited run file bit for bit (``tests/core/engine/test_recompute.py``)::

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

from lrsim.core import kernel
from lrsim.core.errors import ConfigError
from lrsim.core.runfile import RunConfig, RunFile


class Recompute:
    """The recompute API of ``Simulation`` (a mixin: it uses the engine's buffers)."""

    # bumped by every restart or edit: results derived from the numbers (the statistics'
    # basin labels, first hits) key on it, as the step count comes back to the same value
    generation = 0

    @property
    def runfile(self) -> RunFile:
        """The run file of these numbers; after ``restart(starts=...)`` one with those
        ``particles.points``, built when first read (a drag restarts far more often than
        anything reads it, and 1,000 points cost more to write out than to simulate)."""
        if self._points_pending:
            with self._lock:
                if self._points_pending:
                    self._runfile = with_points(self._runfile, self.starts)
                    self._points_pending = False
        return self._runfile

    @runfile.setter
    def runfile(self, runfile: RunFile) -> None:
        self._runfile, self._points_pending = runfile, False
        self.noise_seed = runfile.noise.seed  # the kernels' (the same in every edited file)

    def restart(self, starts: np.ndarray | None = None) -> None:
        """Every run back to step 0; with ``starts`` (N, 2), from those starts.

        ``starts`` must hold as many points as the simulation has particles; the
        run file becomes one with those explicit ``particles.points``. The surface is
        evaluated at the starts once for all runs, before anything changes.
        """
        from lrsim.core.engine_checks import check_starts

        with self._lock:
            if starts is None:
                self.generation += 1
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
            start = self._start_rows(new)
            if not np.isfinite(start[0][kernel.LOSS]).all():
                check_starts(with_points(self._runfile, new), new, start[0][kernel.LOSS])
            self.generation += 1
            self.starts[:] = new
            self._points_pending = True
            for index in range(self.n_runs):
                self._reset_run(index, start)

    def _start_rows(self, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(state rows X..GY, frozen_at) at ``starts``: where every run begins (temporaries
        within the starts' share of the memory budget, ``START_BYTES_PER_PARTICLE``)."""
        rows = np.zeros((kernel.GY + 1, len(starts)))
        rows[kernel.X], rows[kernel.Y] = starts[:, 0], starts[:, 1]
        frozen_at = np.full(len(starts), -1, dtype=np.int64)
        self._initialise(rows, frozen_at)
        return rows, frozen_at

    def set_run_params(
        self, index: int, *, schedule: dict[str, Any] | None = None, **optimizer: Any
    ) -> None:
        """Run ``index`` with optimizer parameters ``optimizer`` (e.g. ``lr=0.1``,
        ``momentum=0.9``, ``betas=(0.8, 0.999)``) and schedule parameters ``schedule``
        merged into its configuration, back at step 0; the other runs keep their steps.

        Validated as the run file would be; errors name ``runs[index]....``.
        """
        from lrsim.core.runfile import edited_run

        with self._lock:
            if not 0 <= index < self.n_runs:
                raise IndexError(f"run index {index} out of range 0..{self.n_runs - 1}")
            old = self._runfile.runs[index]
            if optimizer.get("name", old.optimizer.name) != old.optimizer.name:
                raise ConfigError(f"runs[{index}].optimizer.name", "cannot change in place")
            run = edited_run(
                old,
                self.steps,
                index,
                optimizer={**old.optimizer.written, **optimizer},
                schedule={**old.schedule.written, **(schedule or {})},
            )
            self.set_run(index, run)

    def set_run(self, index: int, run: RunConfig) -> None:
        """Run ``index`` becomes ``run`` (resolved for this file's steps: a parsed edit of
        it), back at step 0; the other runs keep their steps. Only its optimizer's
        parameters and its schedule may differ from the run's: another optimizer, label,
        colour, ``lr_scales``, ``loss_decay`` or noise raises ConfigError, as does what
        needs other buffers. Errors name ``runs[index]...``; on one nothing has changed.
        """
        from lrsim.core import lbfgs_kernel

        with self._lock:
            if not 0 <= index < self.n_runs:
                raise IndexError(f"run index {index} out of range 0..{self.n_runs - 1}")
            old = self._runfile.runs[index]
            where = f"runs[{index}]"
            if run.optimizer.name != old.optimizer.name:
                raise ConfigError(f"{where}.optimizer.name", "cannot change in place")
            if replace(run, optimizer=old.optimizer, schedule=old.schedule) != old:
                raise ConfigError(
                    where, "only the optimizer's parameters and the schedule change in place"
                )
            if run.schedule.steps != self.steps:
                raise ConfigError(
                    f"{where}.schedule",
                    f"is resolved for {run.schedule.steps} steps, not {self.steps}",
                )
            try:
                lbfgs_kernel.check_run(self._runfile, run)
                lrs, moms, loss_scales = self._run_curves(run)
            except ConfigError as error:
                raise error.within(where) from None
            except (ArithmeticError, ValueError, TypeError) as error:  # as Simulation.__init__
                problem = f"holds a value out of range ({type(error).__name__}: {error})"
                raise ConfigError(f"{where}.schedule", problem) from None
            state, trajectory = self._states[index], self.runs[index]
            if run.schedule.per_particle != old.schedule.per_particle:
                raise ConfigError(f"{where}.schedule.name", "cannot switch plateau in place")
            params = run.optimizer.params
            if state.lbfgs is not None and state.lbfgs[0].shape[1] != params["history_size"]:
                raise ConfigError(f"{where}.optimizer.history_size", "cannot change in place")
            # committed from here on: copy into the run's arrays (views and the GUI hold them)
            hyper = run.optimizer.hyper
            if not (_same_bits(state.moms, moms) and _same_bits(state.hyper, hyper)):
                state.constants = None  # the rule's constants table follows moms and hyper
            state.lrs[:] = lrs
            state.moms[:] = moms
            state.loss_scales = loss_scales
            trajectory.loss_scale_curve = np.abs(loss_scales) if run.loss_decay else None
            state.hyper = hyper.copy()
            state.plateau = run.schedule.kernel_vector()
            state.initial_slots = run.optimizer.initial_slots()
            state.plateau_best = run.schedule.best_start
            if state.lbfgs is not None:
                hist, vec, _ = state.lbfgs
                state.lbfgs = (hist, vec, lbfgs_kernel.config_vector(params))
            if not trajectory.per_particle_lr:
                trajectory.stores[3][:] = lrs[self.recorded_steps]  # .lr would clean the columns
            trajectory.momentum[:] = moms[self.recorded_steps]
            trajectory.schedule = run.schedule.name
            runs = list(self._runfile.runs)
            runs[index] = run
            self._runfile = replace(self._runfile, runs=tuple(runs))  # points may stay lazy
            self.generation += 1
            self._reset_run(index)


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Bit for bit the same floats (-0.0 is not 0.0: NAdam's mu takes the sign of beta1)."""
    a, b = np.ascontiguousarray(a, np.float64), np.ascontiguousarray(b, np.float64)
    return a.shape == b.shape and np.array_equal(a.view(np.int64), b.view(np.int64))


def with_points(runfile: RunFile, starts: np.ndarray) -> RunFile:
    """``runfile`` whose particles are the explicit points ``starts`` ((N, 2) finite floats:
    the parser's ``particles.points`` of them, without checking each pair again)."""
    points = tuple(map(tuple, starts.tolist()))
    particles = replace(runfile.particles, points=points, random=None, grid=None)
    return replace(runfile, particles=particles)
