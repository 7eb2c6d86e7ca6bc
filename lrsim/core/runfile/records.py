"""The run file's typed records: what ``parse_runfile`` yields and every consumer reads.

A run carries its optimizer and schedule resolved once (``ResolvedOptimizer``,
``ResolvedSchedule``: the spec, every parameter as a number, the curves on
demand) next to the tables as written, which only saving and the editor use.
A ``RunFile`` refuses runs resolved for another run length, so a changed
``steps`` cannot keep stale schedules: change runs through ``edited_run`` /
``edited_runfile`` (``lrsim.core.runfile.parse``), never by hand.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lrsim.core.optim.resolved import ResolvedOptimizer
    from lrsim.core.schedules.resolved import ResolvedSchedule

# Okabe-Ito's colour-blind-safe colours that stay visible on every part of viridis (the
# views' colour map) and on the plots' white and dark backgrounds, then brown, Tol's wine,
# magenta and sand: CIE Lab distance >= 28 from every viridis colour, checked in
# tests/gui/views/test_readable.py; runs also differ by marker shape
DEFAULT_COLORS = (
    "#d55e00", "#56b4e9", "#cc79a7", "#e69f00", "#8c564b",
    "#882255", "#ee3377", "#ddaa33",
)  # fmt: skip
MAX_STEPS = 1_000_000
MAX_PARTICLES = 10_000_000
COLOR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class SurfaceConfig:
    name: str | None = "quadratic"
    formula: str | None = None
    params: Mapping[str, float] = field(default_factory=dict)
    domain: tuple[tuple[float, float], tuple[float, float]] | None = None
    rotate: float = 0.0  # degrees, counter-clockwise about the origin (surfaces.rotation)


@dataclass(frozen=True)
class ParticlesConfig:
    """Exactly one of ``points``, ``random`` (n, seed) or ``grid`` (nx, ny)."""

    points: tuple[tuple[float, float], ...] | None = None
    random: tuple[int, int] | None = None
    grid: tuple[int, int] | None = None

    @property
    def count(self) -> int:
        if self.points is not None:
            return len(self.points)
        if self.random is not None:
            return self.random[0]
        assert self.grid is not None
        return self.grid[0] * self.grid[1]


@dataclass(frozen=True)
class NoiseConfig:
    """Stochastic gradients: g + sigma / sqrt(batch_size) * N(0, 1), seeded per particle."""

    sigma: float = 0.0
    batch_size: int = 1
    seed: int = 0

    @property
    def scale(self) -> float:
        return self.sigma / self.batch_size**0.5


@dataclass(frozen=True)
class RunConfig:
    """One run, resolved: ``optimizer.lr``, ``schedule.per_particle``, ``schedule.curves``;
    ``optimizer.written`` / ``schedule.written`` are the tables as the user wrote them."""

    label: str
    color: str
    optimizer: ResolvedOptimizer
    schedule: ResolvedSchedule
    lr_scales: tuple[float, float] = (1.0, 1.0)  # per-coordinate lr multipliers (x, y)
    loss_decay: bool = False  # the schedule's factor scales the loss; the lr stays at its base
    noise: Mapping[str, Any] = field(default_factory=dict)  # overrides sigma / batch_size


def run_noise(runfile: RunFile, run: RunConfig) -> NoiseConfig:
    """The file's noise with the run's overrides (the seed is shared: same draws per run)."""
    base = runfile.noise
    return NoiseConfig(
        run.noise.get("sigma", base.sigma), run.noise.get("batch_size", base.batch_size), base.seed
    )


@dataclass(frozen=True)
class RunFile:
    steps: int
    surface: SurfaceConfig
    particles: ParticlesConfig
    runs: tuple[RunConfig, ...]
    noise: NoiseConfig = NoiseConfig()
    title: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        for index, run in enumerate(self.runs):
            if run.schedule.steps != self.steps:
                raise ValueError(
                    f"runs[{index}] was resolved for {run.schedule.steps} steps, not "
                    f"{self.steps}: build it with edited_runfile(..., steps=...)"
                )
