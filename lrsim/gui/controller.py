"""The controller: turns a validated run file into a Simulation and keeps it computed.

Short simulations (under ``SYNC_PARTICLE_STEPS``) run to the end at once when
loaded, since the kernels do ~1e8 particle-steps per second. Longer ones are
built and run in a ``BackgroundTask`` (allocation and the numba kernels, which
release the GIL), reporting progress; the views get the scene as soon as it
exists (start points and surface) and again when the work is done or cancelled.

``load(..., background=True)`` sends a short one to the worker too: the first
Simulation of a process pays for numba's start-up and loads (or, on a cold
cache, compiles) its kernels, which would otherwise hold up the first paint of
the window.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from lrsim.core.engine import DEFAULT_MEMORY_BUDGET, Simulation
from lrsim.core.runfile import RunFile
from lrsim.gui.background import BackgroundTask

SYNC_PARTICLE_STEPS = 20_000_000


def same_simulation(a: RunFile, b: RunFile) -> bool:
    """True when ``a`` and ``b`` differ at most in title and description (the same numbers)."""
    return replace(a, title="", description="") == replace(b, title="", description="")


def particle_steps(runfile: RunFile) -> int:
    return runfile.particles.count * runfile.steps * len(runfile.runs)


class SimulationController(QObject):
    """Owns the current Simulation; emits it whenever more of it can be shown."""

    scene_changed = Signal(object)  # Simulation: new, or more steps computed
    busy_changed = Signal(bool)
    progress_changed = Signal(float)  # fraction done of the background run
    failed = Signal(object)  # the exception of a background load (ConfigError names a field)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.simulation: Simulation | None = None
        self.runfile: RunFile | None = None
        self._task: BackgroundTask | None = None
        self._built: dict[str, Simulation] = {}  # what the running task has built so far
        self.sync_limit = SYNC_PARTICLE_STEPS
        self.memory_budget = DEFAULT_MEMORY_BUDGET
        self.stride: int | None = None  # record every k-th step (Tools > Memory and recording)
        # the scene a held drag or slide recomputes in place (live_recompute): shown by the
        # views only; anything that keeps a scene takes it through ``shared_simulation``
        self.live_owned: Simulation | None = None

    @property
    def busy(self) -> bool:
        return self._task is not None

    def shared_simulation(self) -> Simulation | None:
        """The current simulation, for a reader that keeps it (an export's thread, a dialog):
        a live gesture will not recompute it in place from now on."""
        self.live_owned = None
        return self.simulation

    def load(self, runfile: RunFile, *, background: bool = False) -> None:
        """Build and compute the simulation of ``runfile``.

        Raises ConfigError (naming the field) when the engine refuses it; the
        current simulation is then left as it was. With ``background`` the
        Simulation is built off the GUI thread too, and a refusal arrives
        through ``failed``.
        """
        long = particle_steps(runfile) > self.sync_limit
        if background or long:
            self._stop_task()
            self._start_task(runfile, show_early=long)
            return
        simulation = Simulation(runfile, memory_budget=self.memory_budget, stride=self.stride)
        simulation.run_to_end()  # before taking it on: a failure leaves the old one in place
        self._stop_task()
        self.simulation, self.runfile = simulation, runfile
        self.scene_changed.emit(simulation)

    def redo_with_kernels(self) -> None:
        """Recompute a simulation the NumPy engine served (first start) with the kernels."""
        sim = self.simulation
        if sim is not None and sim.engine == "reference" and not self.busy:
            self._start_task(sim.runfile, show_early=False)

    def _start_task(self, runfile: RunFile, *, show_early: bool) -> None:
        """Build and run the simulation in a worker.

        With ``show_early`` the scene is shown as soon as the simulation exists
        (surface and starts), then again when the run is done or cancelled.
        """
        built: dict[str, Simulation] = {}
        budget, stride = self.memory_budget, self.stride

        def compute(progress, cancelled):
            sim = Simulation(runfile, memory_budget=budget, stride=stride)
            built["simulation"] = sim
            progress(0, sim.steps)  # "built": the GUI may show it now
            sim.run_to_end(progress=progress, cancel=cancelled)
            return sim

        task = BackgroundTask(compute, self)
        task.progress_changed.connect(self.progress_changed)
        if show_early:
            task.progress_changed.connect(lambda _f: self._on_task_progress(task))
        task.succeeded.connect(lambda _result: self._on_task_finished(task))
        task.cancelled_done.connect(lambda: self._on_task_finished(task))
        task.failed.connect(lambda error: self._on_task_failed(task, error))
        task.finished.connect(task.deleteLater)
        self._task, self._built = task, built
        self.busy_changed.emit(True)
        task.start()

    def cancel(self) -> None:
        """Stop the background run; what was computed stays viewable."""
        if self._stop_task():
            self._adopt(self._built)

    def shutdown(self) -> None:
        """Stop any background work before the window goes (no signals)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            task.wait()

    def _stop_task(self) -> bool:
        task, self._task = self._task, None
        if task is None:
            return False
        task.cancel()
        task.wait()
        self.busy_changed.emit(False)
        return True

    def _adopt(self, built: dict[str, Simulation]) -> None:
        """Show what a task built (if anything) as the current simulation."""
        simulation = built.get("simulation")
        if simulation is not None:
            self.simulation, self.runfile = simulation, simulation.runfile
        if self.simulation is not None:
            self.scene_changed.emit(self.simulation)

    def _on_task_progress(self, task: BackgroundTask) -> None:
        simulation = self._built.get("simulation")
        if task is self._task and simulation is not None and simulation is not self.simulation:
            self._adopt(self._built)

    def _on_task_finished(self, task: BackgroundTask) -> None:
        if task is not self._task:
            return  # a stopped task whose last report arrived late
        self._task = None
        self.busy_changed.emit(False)
        self._adopt(self._built)

    def _on_task_failed(self, task: BackgroundTask, error: Exception) -> None:
        if task is not self._task:
            return
        self._task = None
        self.busy_changed.emit(False)
        self.failed.emit(error)
        if self.simulation is not None:
            self.scene_changed.emit(self.simulation)
