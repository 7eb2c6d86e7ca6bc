"""One run's recorded history, whose columns past the computed step read as NaN.

A run put back at step 0 (``Simulation.restart``, ``set_run_params``) still holds
the columns of its earlier run. Writing NaN over them at once would cost as much
memory traffic as the kernel's own writes, and is wasted when ``run_to_end``
overwrites them straight after (a drag in the app): so they are only marked
stale. The engine writes NaN past the columns it computed at its next
``run_to``; a reader before that gets them NaN-filled on first access (under
the simulation's lock). Either way no one sees an earlier run's values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

CLEAN = -1  # ``stale_from`` when no column holds an earlier run's values


@dataclass(eq=False)
class RunTrajectory:
    """One run's recorded history: columns are ``Simulation.recorded_steps``.

    ``x``, ``y``, ``loss``: (N, S) views of (S, N) stores, NaN where not yet computed;
    ``lr``: (S,), or (N, S) under a plateau schedule (NaN likewise)."""

    label: str
    color: str
    optimizer: str
    schedule: str
    stores: tuple  # (x, y, loss, lr): the kernel's (S, N) arrays (lr (S,) unless plateau)
    momentum: np.ndarray  # (S,)
    lr_curve: np.ndarray  # (steps + 1,) the lr each update uses (a plateau's starting lr)
    momentum_curve: np.ndarray  # (steps + 1,)
    frozen_at: np.ndarray  # (N,) update at which the particle diverged, -1 if it did not
    lock: Any  # the simulation's: a reader's NaN fill never meets the kernel's writes
    loss_scale_curve: np.ndarray | None = None  # (steps + 1,) under loss decay, else None
    stale_from: int = CLEAN  # first column that may hold an earlier run's values

    def __post_init__(self) -> None:
        self._views = tuple(store.T for store in self.stores)  # the same objects every read

    @property
    def x(self) -> np.ndarray:
        return self._read(0)

    @property
    def y(self) -> np.ndarray:
        return self._read(1)

    @property
    def loss(self) -> np.ndarray:
        return self._read(2)

    @property
    def lr(self) -> np.ndarray:
        return self._read(3)

    @property
    def diverged(self) -> np.ndarray:
        return self.frozen_at >= 0

    @property
    def per_particle_lr(self) -> bool:
        return self.stores[3].ndim == 2

    def _read(self, which: int) -> np.ndarray:
        if self.stale_from != CLEAN:
            with self.lock:
                self.clean(0)
        return self._views[which]

    def clean(self, computed: int) -> None:
        """NaN in the stale columns from ``computed`` on (the columns before it hold this
        run's values); the caller holds ``lock``."""
        if self.stale_from == CLEAN:
            return
        first = max(self.stale_from, computed)
        self.stale_from = CLEAN
        rows = self.stores if self.per_particle_lr else self.stores[:3]
        for store in rows:
            store[first:] = np.nan
