"""A run's optimizer, resolved once: its spec and every parameter as a number.

``resolve_optimizer`` is the one place an optimizer table becomes numbers; the run
file's parser calls it and the engines, tune, lr_find and the GUI read the result
(``lr``, ``base_momentum``, ``hyper``) instead of resolving the table again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrsim.core.optim.base import OptimizerSpec


@dataclass(frozen=True)
class ResolvedOptimizer:
    """One checked optimizer: ``written`` is the table as the user wrote it (saved as is),
    ``params`` every parameter with its default filled; equal when written alike."""

    spec: OptimizerSpec = field(compare=False, repr=False)
    params: Mapping[str, Any] = field(compare=False)
    written: Mapping[str, Any]
    hyper: np.ndarray = field(compare=False, repr=False)  # the kernel's constant vector

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def lr(self) -> float:
        return float(self.params["lr"])

    @property
    def momentum_kind(self) -> str | None:
        return self.spec.momentum_kind

    @property
    def base_momentum(self) -> float:
        """The momentum (or beta1) the optimizer uses when no schedule cycles it."""
        return self.spec.base_momentum(self.params)

    @property
    def maximize(self) -> bool:
        return bool(self.params.get("maximize", False))

    def initial_slots(self) -> np.ndarray:
        """Starting values of the per-particle state slots (a fresh array)."""
        return self.spec.initial_slots(self.params)


def resolve_optimizer(table: Mapping[str, Any]) -> ResolvedOptimizer:
    """``{"name": ..., **params}`` checked as the source checks it; ConfigError relative to
    the table (``name``, ``lr``, ``betas[1]``)."""
    from lrsim.core.optim.registry import get_optimizer

    given = {key: value for key, value in table.items() if key != "name"}
    spec = get_optimizer(table.get("name"))
    params = spec.resolve(given)
    return ResolvedOptimizer(spec, params, dict(table), spec.hyper_vector(params))
