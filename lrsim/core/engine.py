"""Simulation: every run of a run file over the same starts, advanced in blocks of steps.

The engine owns the trajectories the views draw, the statistics summarise and
the CSV export writes, so what you see is what you save. It validates the run
file's runs once, precomputes each schedule's curves, allocates the recording
arrays (every ``stride``-th step when the full history would pass the memory
budget) and then only calls the fused kernel.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from lrsim.core import kernel, lbfgs_kernel
from lrsim.core.dispatch import optimizer_id, surface_id
from lrsim.core.engine_checks import (  # noqa: F401 (format_bytes: re-exported)
    check_curves,
    check_starts,
    curve_bytes,
    format_bytes,
    over_budget,
)
from lrsim.core.errors import ConfigError
from lrsim.core.limits import DEFAULT_MEMORY_BUDGET
from lrsim.core.recompute import Recompute
from lrsim.core.run_setup import (  # noqa: F401 (re-exported: the engine's public set-up)
    REFERENCE_PARTICLE_STEPS,
    STATE_BYTES_PER_PARTICLE,
    budget_terms,
    choose_engine,
    recording_plan,
    resolve_surface,
    run_learning_rates,
    start_points,
)
from lrsim.core.runfile import RunConfig, RunFile, run_noise
from lrsim.core.stepping import advance_run, fused_module
from lrsim.core.surfaces.rotation import surface_rotation
from lrsim.core.trajectory import CLEAN, RunTrajectory

_NO_SLOTS = np.zeros(0)
TINY_WORK = 1_000_000
"""Particle-steps ``run_to_end`` does in one chunk (~10 ms of the fused kernel's work)."""


@dataclass
class _RunState:
    """What the kernel needs for one run, kept between blocks."""

    surface: int
    rule: int
    hyper: np.ndarray
    state: np.ndarray
    plateau: np.ndarray
    lrs: np.ndarray
    moms: np.ndarray
    loss_scales: np.ndarray  # empty unless loss decay
    lr_scales: np.ndarray  # empty unless per-coordinate lr scales
    noise_scale: float  # sigma / sqrt(batch_size) of this run
    lbfgs: tuple | None = None  # (history, per-particle vector, config) on L-BFGS's own path
    # the optimizer's slots before the first update (``_reset_run`` writes them back)
    initial_slots: np.ndarray = field(default_factory=lambda: _NO_SLOTS)
    plateau_best: float = np.inf  # a plateau's starting "best" (-inf in mode max)
    # the fused kernels' table of per-step rule constants, kept (``stepping.run_constants``)
    constants: np.ndarray | None = None


class Simulation(Recompute):
    """All runs of ``runfile`` over the same starts; advance with ``run_to``.

    ``allow_stride=False`` refuses (ConfigError) a request whose full history
    does not fit ``memory_budget`` instead of recording every k-th step;
    ``stride`` forces recording every k-th step (and the last).

    ``engine``: "kernel" (the fused numba kernel), "reference" (the NumPy twin,
    the whole run at the first ``run_to``) or "auto": the kernel, except in the
    app on a first start whose kernels are not compiled yet, when a simulation of
    up to ``REFERENCE_PARTICLE_STEPS`` runs in NumPy meanwhile (``lrsim.core.warmup``).
    """

    def __init__(
        self,
        runfile: RunFile,
        *,
        memory_budget: int = DEFAULT_MEMORY_BUDGET,
        allow_stride: bool = True,
        stride: int | None = None,
        engine: str = "auto",
    ):
        self.runfile = runfile
        self.steps = runfile.steps
        self.surface, self.surface_params, self.domain = resolve_surface(runfile)
        self.rotation = surface_rotation(self.surface)  # [cos, sin] or empty: the kernel's
        self.n_particles = runfile.particles.count
        self.n_runs = len(runfile.runs)
        self.engine = choose_engine(engine, self.n_particles * self.steps * self.n_runs)
        self._lock = threading.RLock()  # advance() holds it around run_to()
        for index, run in enumerate(runfile.runs):
            try:
                lbfgs_kernel.check_run(runfile, run)
            except ConfigError as error:
                raise error.within(f"runs[{index}]") from None
        n = self.n_particles
        per_step, state_bytes, fixed_bytes, kept = budget_terms(runfile, stride)
        needed = per_step * kept + fixed_bytes
        if needed > memory_budget and not allow_stride:
            every = f" (every {stride} steps)" if stride and stride > 1 else ""
            raise ConfigError(
                "particles",
                f"{n} particles x {kept} recorded steps{every} x {self.n_runs} runs "
                f"{over_budget(needed, memory_budget)}"
                "; raise it (--memory-budget) or record every k-th step (--stride)",
            )
        if fixed_bytes >= memory_budget:
            raise ConfigError(
                "particles" if state_bytes * 2 > fixed_bytes else "steps",
                f"{n} particles x {self.steps + 1} steps x {self.n_runs} runs "
                f"{over_budget(fixed_bytes, memory_budget)} for the optimizer state and "
                "the schedule curves alone",
            )
        self.starts = start_points(runfile, self.domain)  # allocated once within the budget
        self.stride, self.recorded_steps = recording_plan(
            self.steps, per_step, memory_budget - fixed_bytes
        )
        if stride is not None and stride > self.stride:
            self.stride, self.recorded_steps = recording_plan(self.steps, stride, self.steps + 1)
        self.slot_of_step = np.full(self.steps + 1, -1, dtype=np.int64)
        self.slot_of_step[self.recorded_steps] = np.arange(len(self.recorded_steps))
        self.first_particle = 0  # index of particle 0 in the run file (``stream`` blocks)
        self._run_steps: list[int] = []  # updates done per run (a run edited alone restarts)
        self.runs: list[RunTrajectory] = []
        self._states: list[_RunState] = []
        for index, run in enumerate(runfile.runs):
            try:
                self._add_run(run)
            except ConfigError as error:
                raise error.within(f"runs[{index}]") from None
            except (ArithmeticError, ValueError, TypeError) as error:  # a value numpy refuses
                problem = f"holds a value out of range ({type(error).__name__}: {error})"
                raise ConfigError(f"runs[{index}].schedule", problem) from None
            if index == 0:
                check_starts(runfile, self.starts, self._states[0].state[kernel.LOSS])

    # -------------------------------------------------------------------------- set-up

    def _run_curves(self, run: RunConfig):
        """(lrs, moms, loss_scales) of one run: the only place they are computed, so a run
        edited in place (``set_run_params``) gets the numbers a fresh build would."""
        with np.errstate(all="ignore"):  # an overflow is refused just below, not warned about
            lrs, moms, loss_scales = run_learning_rates(run)
        check_curves(lrs, moms, loss_scales)
        moms = np.ascontiguousarray(moms, dtype=np.float64)
        return lrs, moms, loss_scales

    def _add_run(self, run: RunConfig) -> None:
        lrs, moms, loss_scales = self._run_curves(run)
        optimizer, spec = run.optimizer, run.optimizer.spec
        lr_scales = np.array(run.lr_scales if run.lr_scales != (1.0, 1.0) else (), dtype=float)
        n, columns = self.n_particles, len(self.recorded_steps)
        state = np.zeros((kernel.OPT_BASE + spec.n_slots, n), dtype=np.float64)
        plateau = run.schedule.kernel_vector()
        frozen_at = np.full(n, -1, dtype=np.int64)
        # stored (slot, particle) so the kernel writes contiguously; exposed (particle, slot)
        x = np.full((columns, n), np.nan)
        y = np.full((columns, n), np.nan)
        loss = np.full((columns, n), np.nan)
        if plateau.size:
            lr = np.full((columns, n), np.nan).T
        else:
            lr = lrs[self.recorded_steps].copy()
        self.runs.append(
            RunTrajectory(
                label=run.label,
                color=run.color,
                optimizer=spec.name,
                schedule=run.schedule.name,
                stores=(x, y, loss, lr.T),
                momentum=moms[self.recorded_steps].copy(),
                lr_curve=lrs,
                momentum_curve=moms,
                frozen_at=frozen_at,
                lock=self._lock,
                loss_scale_curve=np.abs(loss_scales) if run.loss_decay else None,
            )
        )
        own_path = None
        if spec.name == "lbfgs":
            own_path = (
                *lbfgs_kernel.buffers(n, optimizer.params["history_size"]),
                lbfgs_kernel.config_vector(optimizer.params),
            )
        self._states.append(
            _RunState(
                surface=surface_id(self.surface.value_grad),
                rule=optimizer_id(spec.name),
                hyper=optimizer.hyper.copy(),
                state=state,
                plateau=plateau,
                lrs=lrs,
                moms=moms,
                loss_scales=loss_scales,
                lr_scales=lr_scales,
                noise_scale=run_noise(self.runfile, run).scale,
                lbfgs=own_path,
                initial_slots=optimizer.initial_slots(),
                plateau_best=run.schedule.best_start,
            )
        )
        self._run_steps.append(0)
        self._reset_run(len(self._states) - 1)

    def _reset_run(self, index: int, start: tuple | None = None) -> None:
        """Put run ``index`` back at step 0 in its own buffers (nothing is allocated).

        ``start``: ``(rows X..GY, frozen_at)`` at the starts (``start_rows``), the same for
        every run, so a restart of all runs evaluates the surface once, not once per run."""
        run, trajectory = self._states[index], self.runs[index]
        state = run.state
        state[: kernel.OPT_BASE] = 0.0
        if start is None:
            state[kernel.X] = self.starts[:, 0]
            state[kernel.Y] = self.starts[:, 1]
            trajectory.frozen_at.fill(-1)
            self._initialise(state, trajectory.frozen_at)
        else:
            state[: len(start[0])] = start[0]
            trajectory.frozen_at[:] = start[1]
        state[kernel.OPT_BASE :] = run.initial_slots[:, None]
        if run.plateau.size:
            state[kernel.PLATEAU_LR] = run.lrs[0]
            state[kernel.PLATEAU_BEST] = run.plateau_best
        if run.lbfgs is not None:
            run.lbfgs[0].fill(0.0)
            run.lbfgs[1].fill(0.0)
        x, y, loss, lr = trajectory.stores
        x[0], y[0], loss[0] = state[kernel.X], state[kernel.Y], state[kernel.LOSS]
        if trajectory.per_particle_lr:
            lr[0] = run.lrs[0]
        if self._run_steps[index] > 0:  # NaN past column 0 when next run or read (trajectory)
            trajectory.stale_from = 1
        self._run_steps[index] = 0

    def _initialise(self, state: np.ndarray, frozen_at: np.ndarray) -> None:
        """Loss and gradient at ``state``'s positions (rows X, Y), out-of-bounds starts frozen."""
        if self.engine == "kernel":
            surface = surface_id(self.surface.value_grad)
            kernel.initialise(surface, self.surface_params, state, frozen_at, self.rotation)
        else:
            from lrsim.core.reference_engine import initialise

            initialise(self.surface.reference, self.surface_params, state, frozen_at)

    # -------------------------------------------------------------------------- stepping

    @property
    def finished(self) -> bool:
        return self.current_step >= self.steps

    @property
    def current_step(self) -> int:
        """Updates every run has done (a run edited alone starts again from 0)."""
        return min(self._run_steps, default=0)

    @current_step.setter
    def current_step(self, step: int) -> None:
        self._run_steps = [int(step)] * len(self._run_steps)

    def run_to(self, step: int) -> None:
        """Advance every run until ``step`` updates are done (no-op if already there)."""
        step = min(int(step), self.steps)
        with self._lock:
            if step <= self.current_step:
                return
            if self.engine == "reference":
                from lrsim.core.reference_engine import fill_simulation

                fill_simulation(self)  # every step at once
                return
            computed = int(np.searchsorted(self.recorded_steps, step, side="right"))
            for index, (trajectory, run) in enumerate(zip(self.runs, self._states, strict=True)):
                first = self._run_steps[index]
                if first < step:
                    advance_run(self, run, trajectory, first, step)
                    self._run_steps[index] = step
                    if trajectory.stale_from != CLEAN:
                        trajectory.clean(computed)  # the earlier run's columns past ``step``

    def advance(self, n_steps: int) -> None:
        with self._lock:  # read and advance as one step: two callers never lose steps
            self.run_to(self.current_step + n_steps)

    def run_to_end(
        self,
        progress: Callable[[int, int], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        chunk_particle_steps: int = 20_000_000,
        last: int | None = None,
    ) -> bool:
        """Run to the last step (or to ``last``) in chunks; report progress; stop early if
        ``cancel()``.

        A rest of at most ``TINY_WORK`` particle-steps runs in one chunk. Larger ones
        start small and double while one takes under a tenth of a second (up
        to ``chunk_particle_steps``), so a slow surface (a long formula) still gets
        back to Python, where Ctrl-C and ``cancel`` are seen, several times a second.
        Returns True when the end was reached, False when cancelled.
        """
        end = self.steps if last is None else min(int(last), self.steps)
        runs = zip(self._states, self._run_steps, strict=True)
        behind = [(run, end - first) for run, first in runs if first < end]
        width = max(1, self.n_particles * len(behind))
        most = max(1, chunk_particle_steps // width)
        work = self.n_particles * sum(left for _, left in behind)
        # a tiny rest in one go: each chunk is a kernel call per run (a thread pool's wake-up
        # at a parallel one), which costs more than a few milliseconds of work it would split
        chunk = most if work <= TINY_WORK else min(most, max(1, 100_000 // width))
        if self.engine == "kernel":  # the whole rest, not a chunk, repays a fused compile
            for run, left in behind:
                fused_module(self, run, self.n_particles * left)
        while self.current_step < end:
            if cancel is not None and cancel():
                return False
            started = time.perf_counter()
            self.run_to(min(end, self.current_step + chunk))
            if progress is not None:
                progress(self.current_step, end)
            if time.perf_counter() - started < 0.1:
                chunk = min(most, chunk * 2)
        return True

    # -------------------------------------------------------------------------- queries

    def recorded_upto(self) -> int:
        """How many recorded columns hold computed values."""
        return int(np.searchsorted(self.recorded_steps, self.current_step, side="right"))

    def critical_points(self):
        return self.surface.critical_points(self.surface_params)
