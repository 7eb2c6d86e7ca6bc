"""The controller: turns a validated run file into a Simulation and keeps it computed.

Short simulations (under ``SYNC_PARTICLE_STEPS``) run to the end at once when
loaded, since the kernels do ~1e8 particle-steps per second. Longer ones run in
a ``BackgroundTask`` (the numba kernels release the GIL), reporting progress;
the views get the scene at once (start points and surface) and again when the
work is done or cancelled.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from lrsim.core.engine import Simulation
from lrsim.core.runfile import RunFile
from lrsim.gui.background import BackgroundTask

SYNC_PARTICLE_STEPS = 20_000_000


def particle_steps(runfile: RunFile) -> int:
    return runfile.particles.count * runfile.steps * len(runfile.runs)


class SimulationController(QObject):
    """Owns the current Simulation; emits it whenever more of it can be shown."""

    scene_changed = Signal(object)  # Simulation: new, or more steps computed
    busy_changed = Signal(bool)
    progress_changed = Signal(float)  # fraction done of the background run
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.simulation: Simulation | None = None
        self.runfile: RunFile | None = None
        self._task: BackgroundTask | None = None
        self.sync_limit = SYNC_PARTICLE_STEPS

    @property
    def busy(self) -> bool:
        return self._task is not None

    def load(self, runfile: RunFile) -> None:
        """Build and compute the simulation of ``runfile``.

        Raises ConfigError (naming the field) when the engine refuses it; the
        current simulation is then left as it was.
        """
        simulation = Simulation(runfile)
        self._stop_task()
        self.simulation, self.runfile = simulation, runfile
        if particle_steps(runfile) <= self.sync_limit:
            simulation.run_to_end()
            self.scene_changed.emit(simulation)
            return
        self.scene_changed.emit(simulation)  # the starts and the surface, at once
        self._start_task(simulation)

    def _start_task(self, simulation: Simulation) -> None:
        def compute(progress, cancelled):
            simulation.run_to_end(progress=progress, cancel=cancelled)
            return simulation

        task = BackgroundTask(compute, self)
        task.progress_changed.connect(self.progress_changed)
        task.succeeded.connect(lambda _result: self._on_task_finished(task))
        task.cancelled_done.connect(lambda: self._on_task_finished(task))
        task.failed.connect(lambda message: self._on_task_failed(task, message))
        task.finished.connect(task.deleteLater)
        self._task = task
        self.busy_changed.emit(True)
        task.start()

    def cancel(self) -> None:
        """Stop the background run; what was computed stays viewable."""
        if self._stop_task() and self.simulation is not None:
            self.scene_changed.emit(self.simulation)

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

    def _on_task_finished(self, task: BackgroundTask) -> None:
        if task is not self._task:
            return  # a stopped task whose last report arrived late
        self._task = None
        self.busy_changed.emit(False)
        self.scene_changed.emit(self.simulation)

    def _on_task_failed(self, task: BackgroundTask, message: str) -> None:
        if task is not self._task:
            return
        self._task = None
        self.busy_changed.emit(False)
        self.failed.emit(message)
        self.scene_changed.emit(self.simulation)
