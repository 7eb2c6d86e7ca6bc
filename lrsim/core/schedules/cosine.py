"""Cosine annealing, once or with warm restarts: closed forms of PyTorch's schedulers."""

from __future__ import annotations

from typing import Any

import numpy as np

from lrsim.core.errors import ConfigError
from lrsim.core.params import REQUIRED, RUN_STEPS, ParamSpec
from lrsim.core.schedules import _checks as checks
from lrsim.core.schedules._display import STEPS, Family, Knob
from lrsim.core.schedules._spec import Context, ScheduleSpec, lr_only

Params = dict[str, Any]

# --- cosine (CosineAnnealingLR) -----------------------------------------------------------


def _cosine_check(params: Params, context: Context) -> None:
    checks.positive_int(params, "T_max")
    checks.non_negative(params, "eta_min")


def _annealed(base_lr: float, eta_min: float, cosine: np.ndarray) -> np.ndarray:
    """PyTorch's cosine annealing from ``base_lr`` to ``eta_min`` at cos(pi * position)."""
    return eta_min + (base_lr - eta_min) * (1 + cosine) / 2


def _cosine_lr(params: Params, t: np.ndarray, base_lr: float) -> np.ndarray:
    t_max, eta_min = params["T_max"], params["eta_min"]
    return _annealed(base_lr, eta_min, np.cos(np.pi * t.astype(np.float64) / t_max))


COSINE = ScheduleSpec(
    name="cosine",
    title="Cosine annealing (CosineAnnealingLR)",
    doc=(
        "Half a cosine from lr0 down to eta_min over T_max steps: "
        "lr(t) = eta_min + (lr0 - eta_min) * (1 + cos(pi t / T_max)) / 2. "
        "Not clamped: past T_max it climbs back up (period 2 T_max), as in PyTorch."
    ),
    params=(
        ParamSpec(
            "T_max", "int", RUN_STEPS, "Steps from lr0 down to eta_min (default: the run's steps)."
        ),
        ParamSpec("eta_min", "float", 0.0, "The lowest lr, reached at T_max."),
    ),
    check=_cosine_check,
    curve=lr_only(_cosine_lr),
    torch_class="CosineAnnealingLR",
    live_knob=Knob("T_max", 1, STEPS, integer=True),
    figure=(
        Family(
            "cosine", "cosine", "cosine", "#2ca02c", lambda n, lr: {"T_max": max(1, n)}, shown=True
        ),
    ),
)

# --- cosine_restarts (CosineAnnealingWarmRestarts) ----------------------------------------


def _cosine_restarts_check(params: Params, context: Context) -> None:
    checks.positive_int(params, "T_0")
    if params["T_mult"] < 1:
        raise ConfigError("T_mult", f"must be an integer >= 1, got {params['T_mult']!r}")
    checks.non_negative(params, "eta_min")


def _restart_position(t: np.ndarray, first: int, mult: int) -> tuple[np.ndarray, np.ndarray]:
    """(steps since the last restart, length of the current cycle) for each t."""
    if mult == 1:
        return t % first, np.full(t.shape, first, dtype=np.int64)
    last = int(t.max()) if t.size else 0
    starts, lengths = [0], [first]
    while starts[-1] + lengths[-1] <= last:  # cycle k starts at first * (mult^k - 1) / (mult - 1)
        starts.append(starts[-1] + lengths[-1])
        lengths.append(lengths[-1] * mult)
    cycle = np.searchsorted(np.asarray(starts, dtype=np.int64), t, side="right") - 1
    return t - np.asarray(starts, dtype=np.int64)[cycle], np.asarray(lengths, dtype=np.float64)[
        cycle
    ]


def _cosine_restarts_lr(params: Params, t: np.ndarray, base_lr: float) -> np.ndarray:
    eta_min = params["eta_min"]
    since_restart, length = _restart_position(t, params["T_0"], params["T_mult"])
    return _annealed(base_lr, eta_min, np.cos(np.pi * since_restart.astype(np.float64) / length))


COSINE_RESTARTS = ScheduleSpec(
    name="cosine_restarts",
    title="Cosine with warm restarts (CosineAnnealingWarmRestarts)",
    doc=(
        "Cosine annealing that jumps back to lr0 at each restart (SGDR): "
        "lr(t) = eta_min + (lr0 - eta_min) * (1 + cos(pi T_cur / T_i)) / 2, where T_cur counts "
        "steps since the last restart and the cycle length T_i starts at T_0 and is multiplied "
        "by T_mult after each restart."
    ),
    params=(
        ParamSpec("T_0", "int", REQUIRED, "Length of the first cycle, in steps."),
        ParamSpec("T_mult", "int", 1, "Each cycle is this many times longer than the last."),
        ParamSpec("eta_min", "float", 0.0, "The lr the cosine heads for at the end of a cycle."),
    ),
    check=_cosine_restarts_check,
    curve=lr_only(_cosine_restarts_lr),
    torch_class="CosineAnnealingWarmRestarts",
    live_knob=Knob("T_0", 1, STEPS, integer=True),
    figure=(
        Family(
            "cosine_restarts",
            "cosine restarts",
            "cosine_restarts",
            "#d62728",
            lambda n, lr: {"T_0": max(1, n // 6), "T_mult": 2},
            shown=True,
        ),
    ),
)

SPECS = (COSINE, COSINE_RESTARTS)
