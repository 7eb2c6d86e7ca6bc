"""A run's schedule, resolved once: the spec, every parameter, and its curves on demand.

``resolve_schedule`` is the one place a schedule table becomes numbers; the run file's
parser calls it and every consumer (engines, tune, lr_find, the GUI) asks the resolved
object instead of looking at names: ``per_particle`` rather than ``name == "plateau"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrsim.core.schedules._spec import (
    REGISTRY,
    ScheduleSpec,
    schedule_curves,
    validate_schedule,
    writes_momentum,
)


@dataclass(frozen=True)
class ResolvedSchedule:
    """One validated schedule of a ``steps``-long run.

    ``written`` is the table as the user wrote it (saved as is); ``params`` is the
    validated table (``{"name": ..., **every parameter}``, nested schedules resolved).
    Two are equal when written alike for the same run length and optimizer.
    """

    spec: ScheduleSpec = field(compare=False, repr=False)
    params: Mapping[str, Any] = field(compare=False)
    written: Mapping[str, Any]
    steps: int
    momentum_kind: str | None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def per_particle(self) -> bool:
        """Whether each particle has its own lr (plateau follows each particle's loss)."""
        return self.spec.per_particle is not None

    @property
    def writes_momentum(self) -> bool:
        """Whether the schedule sets the optimizer's momentum / beta1 (a cycled momentum)."""
        return writes_momentum(self.params)

    def curves(self, base_lr: float, base_momentum: float) -> tuple[np.ndarray, np.ndarray]:
        """``lr[t]`` and ``momentum[t]`` for t = 0..steps (see ``schedule_curves``)."""
        return schedule_curves(
            self.params, base_lr=base_lr, base_momentum=base_momentum, steps=self.steps
        )

    def kernel_vector(self) -> np.ndarray:
        """The per-particle schedule's parameters for the kernel (empty for a curve)."""
        if self.spec.per_particle is None:
            return np.zeros(0)
        return self.spec.per_particle(dict(self.params))

    @property
    def best_start(self) -> float:
        """A per-particle schedule's starting "best" loss (-inf when it maximises)."""
        return -np.inf if self.params.get("mode") == "max" else np.inf


def resolve_schedule(
    table: Mapping[str, Any], *, momentum_kind: str | None, steps: int
) -> ResolvedSchedule:
    """``table`` validated for a ``steps``-long run; ConfigError relative to the table."""
    params = validate_schedule(table, momentum_kind=momentum_kind, steps=steps)
    return ResolvedSchedule(REGISTRY[params["name"]], params, dict(table), steps, momentum_kind)
