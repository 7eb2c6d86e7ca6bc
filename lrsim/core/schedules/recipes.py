"""Today's training recipes: warmup-stable-decay, inverse square root, warm-up cosine, REX.

Three are Hugging Face transformers' LambdaLR factors (``get_wsd_schedule``,
``get_inverse_sqrt_schedule``, ``get_cosine_with_min_lr_schedule_with_warmup``,
transformers 5.x): lr(t) = lr0 * f(t), with f computed operation by operation as
transformers computes it, so the curves match it to the last bit or so. REX
(Chen et al. 2021, "REX: Revisiting Budgeted Training with an Improved Schedule")
is its closed formula. Defaults that transformers leaves to the caller
(``num_training_steps``, REX's ``total_steps``) are the run's steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lrsim.core.errors import ConfigError
from lrsim.core.params import REQUIRED, RUN_STEPS, ParamSpec
from lrsim.core.schedules import _checks as checks
from lrsim.core.schedules._display import STEPS, Family, Knob
from lrsim.core.schedules._spec import Context, ScheduleSpec, lr_only

Params = dict[str, Any]
SHAPES = ("linear", "cosine", "1-sqrt")

# --- wsd (transformers get_wsd_schedule) -------------------------------------------------


def _stable_steps(params: Params) -> int:
    """num_stable_steps as given, else what is left of num_training_steps."""
    if params["num_stable_steps"] is not None:
        return params["num_stable_steps"]
    return params["num_training_steps"] - params["num_warmup_steps"] - params["num_decay_steps"]


def _wsd_check(params: Params, context: Context) -> None:
    checks.non_negative_int(params, "num_warmup_steps")
    checks.non_negative_int(params, "num_decay_steps")
    checks.non_negative_int(params, "num_training_steps")
    # num_training_steps below warm-up + decay leaves a negative stable phase: transformers
    # then starts the decay part-way in, as here.
    if params["num_stable_steps"] is not None:
        checks.non_negative_int(params, "num_stable_steps")
    checks.non_negative(params, "min_lr_ratio")


def _wsd_lr(params: Params, t: np.ndarray, base_lr: float) -> np.ndarray:
    """lr0 * f(t): f = max(0, w(t / W) (1 - m) + m) for t < W; 1 for t < W + S;
    max(0, d((t - W - S) / D) (1 - m) + m) for t < W + S + D; then m (= min_lr_ratio).
    Shapes w / d: linear p / 1 - p; cosine (1 - cos(pi p)) / 2 / (1 + cos(2 pi c p)) / 2
    with c = num_cycles; 1-sqrt 1 - sqrt(1 - p) / 1 - sqrt(p). (max(1, W) and max(1, D)
    divide, as in transformers.)"""
    warmup, decay = params["num_warmup_steps"], params["num_decay_steps"]
    stable, ratio = _stable_steps(params), params["min_lr_ratio"]
    steps = t.astype(np.float64)
    factor = np.full(t.shape, float(ratio))

    in_decay = t < warmup + stable + decay
    progress = (t - warmup - stable).astype(np.float64) / float(max(1, decay))
    with np.errstate(invalid="ignore"):  # shapes outside their phase are discarded
        if params["decay_type"] == "linear":
            shape = 1.0 - progress
        elif params["decay_type"] == "cosine":
            shape = 0.5 * (1.0 + np.cos(np.pi * float(params["num_cycles"]) * 2.0 * progress))
        else:
            shape = 1.0 - np.sqrt(progress)
        factor = np.where(in_decay, np.maximum(0.0, shape * (1.0 - ratio) + ratio), factor)
        factor = np.where(t < warmup + stable, 1.0, factor)

        progress = steps / float(max(1, warmup))
        if params["warmup_type"] == "linear":
            shape = progress
        elif params["warmup_type"] == "cosine":
            shape = 0.5 * (1.0 - np.cos(np.pi * progress))
        else:
            shape = 1.0 - np.sqrt(1.0 - progress)
        factor = np.where(t < warmup, np.maximum(0.0, shape * (1.0 - ratio) + ratio), factor)
    return base_lr * factor


WSD = ScheduleSpec(
    name="wsd",
    title="Warmup-stable-decay (transformers get_wsd_schedule)",
    doc=(
        "Warm up over num_warmup_steps, hold lr0 for num_stable_steps, decay over "
        "num_decay_steps, then stay at min_lr_ratio * lr0: lr(t) = lr0 * f(t), "
        "f = m + (1 - m) w(t / W) while warming up, 1 while stable, "
        "m + (1 - m) d((t - W - S) / D) while decaying (m = min_lr_ratio; shapes linear, "
        "cosine, 1-sqrt). num_stable_steps defaults to num_training_steps - W - D."
    ),
    params=(
        ParamSpec("num_warmup_steps", "int", REQUIRED, "Steps of the warm-up phase."),
        ParamSpec("num_decay_steps", "int", REQUIRED, "Steps of the decay phase."),
        ParamSpec(
            "num_training_steps",
            "int",
            RUN_STEPS,
            "Warm-up + stable + decay steps (default: the run's steps).",
        ),
        ParamSpec(
            "num_stable_steps",
            "int",
            None,
            "Steps at lr0; if set, num_training_steps is ignored.",
            optional=True,
        ),
        ParamSpec("warmup_type", "choice", "linear", "Shape of the warm-up.", choices=SHAPES),
        ParamSpec(
            "decay_type",
            "choice",
            "cosine",
            "Shape of the decay.",
            choices=("cosine", "linear", "1-sqrt"),
        ),
        ParamSpec("min_lr_ratio", "float", 0.0, "The lowest lr as a fraction of lr0."),
        ParamSpec("num_cycles", "float", 0.5, "Waves of the cosine decay (0.5: one half-cosine)."),
    ),
    check=_wsd_check,
    curve=lr_only(_wsd_lr),
    source="transformers get_wsd_schedule",
    live_knob=Knob("num_decay_steps", 1, STEPS, integer=True),
    figure=(
        Family(
            "wsd",
            "warmup-stable-decay",
            "wsd",
            "#393b79",
            lambda n, lr: {"num_warmup_steps": max(1, n // 10), "num_decay_steps": max(1, n // 5)},
            shown=True,
            group=2,
        ),
    ),
)

# --- inverse_sqrt (transformers get_inverse_sqrt_schedule) ---------------------------------


def _timescale(params: Params) -> int:
    if params["timescale"] is not None:
        return params["timescale"]
    return params["num_warmup_steps"] or 10_000


def _inverse_sqrt_check(params: Params, context: Context) -> None:
    checks.non_negative_int(params, "num_warmup_steps")
    if params["timescale"] is not None:
        checks.positive_int(params, "timescale")


def _inverse_sqrt_lr(params: Params, t: np.ndarray, base_lr: float) -> np.ndarray:
    """f = t / max(1, W) for t < W, else 1 / sqrt((t + timescale - W) / timescale)."""
    warmup, timescale = params["num_warmup_steps"], _timescale(params)
    ramp = t.astype(np.float64) / float(max(1, warmup))
    with np.errstate(divide="ignore", invalid="ignore"):  # warm-up steps; discarded below
        decay = 1.0 / np.sqrt((t + (timescale - warmup)) / timescale)
    return base_lr * np.where(t < warmup, ramp, decay)


INVERSE_SQRT = ScheduleSpec(
    name="inverse_sqrt",
    title="Inverse square root (transformers get_inverse_sqrt_schedule)",
    doc=(
        "Linear warm-up from 0 over num_warmup_steps, then the lr falls like 1 / sqrt(t): "
        "lr(t) = lr0 * t / W for t < W, else lr0 / sqrt((t + timescale - W) / timescale). "
        "timescale defaults to num_warmup_steps (10,000 when that is 0)."
    ),
    params=(
        ParamSpec("num_warmup_steps", "int", REQUIRED, "Steps of the linear warm-up from 0."),
        ParamSpec(
            "timescale",
            "int",
            None,
            "Steps over which the lr halves twice (default: num_warmup_steps, or 10000).",
            optional=True,
        ),
    ),
    check=_inverse_sqrt_check,
    curve=lr_only(_inverse_sqrt_lr),
    source="transformers get_inverse_sqrt_schedule",
    live_knob=Knob("num_warmup_steps", 1, STEPS, integer=True),
    figure=(
        Family(
            "inverse_sqrt",
            "inverse sqrt",
            "inverse_sqrt",
            "#637939",
            lambda n, lr: {"num_warmup_steps": max(1, n // 10)},
            group=2,
        ),
    ),
)

# --- warmup_cosine (transformers get_cosine_with_min_lr_schedule_with_warmup) ------------


def _warmup_cosine_check(params: Params, context: Context) -> None:
    checks.non_negative_int(params, "num_warmup_steps")
    checks.non_negative_int(params, "num_training_steps")
    if params["min_lr"] is not None and params["min_lr_rate"] is not None:
        raise ConfigError("min_lr_rate", "give min_lr or min_lr_rate, not both")
    for name in ("min_lr", "min_lr_rate"):
        if params[name] is not None:
            checks.non_negative(params, name)


def _warmup_cosine_lr(params: Params, t: np.ndarray, base_lr: float) -> np.ndarray:
    """f = t / max(1, W) for t < W, else max(0, c * (1 - r) + r) with
    c = (1 + cos(pi * num_cycles * 2 * (t - W) / max(1, N - W))) / 2, r = min_lr / lr0."""
    warmup, total = params["num_warmup_steps"], params["num_training_steps"]
    if params["min_lr"] is not None:
        if base_lr == 0:
            raise ConfigError(
                "min_lr",
                "needs the optimizer's lr above 0 (transformers divides min_lr by it); "
                "give min_lr_rate instead",
            )
        rate = params["min_lr"] / base_lr
    else:
        rate = params["min_lr_rate"] or 0.0
    ramp = t.astype(np.float64) / float(max(1, warmup))
    progress = (t - warmup).astype(np.float64) / float(max(1, total - warmup))
    cosine = 0.5 * (1.0 + np.cos(np.pi * float(params["num_cycles"]) * 2.0 * progress))
    decay = np.maximum(0, cosine * (1 - rate) + rate)
    return base_lr * np.where(t < warmup, ramp, decay)


WARMUP_COSINE = ScheduleSpec(
    name="warmup_cosine",
    title="Warm-up, then cosine to a floor (transformers)",
    doc=(
        "Linear warm-up from 0 over num_warmup_steps, then a cosine from lr0 down to min_lr "
        "at num_training_steps (get_cosine_with_min_lr_schedule_with_warmup): "
        "lr(t) = lr0 * t / W for t < W, else lr0 * (r + (1 - r) (1 + cos(2 pi c p)) / 2), "
        "p = (t - W) / (N - W), c = num_cycles, r = min_lr / lr0 or min_lr_rate (default 0)."
    ),
    params=(
        ParamSpec("num_warmup_steps", "int", REQUIRED, "Steps of the linear warm-up from 0."),
        ParamSpec(
            "num_training_steps",
            "int",
            RUN_STEPS,
            "Step at which the cosine reaches min_lr (default: the run's steps).",
        ),
        ParamSpec("num_cycles", "float", 0.5, "Waves of the cosine (0.5: one half-cosine down)."),
        ParamSpec(
            "min_lr", "float", None, "The floor as an lr (or give min_lr_rate).", optional=True
        ),
        ParamSpec(
            "min_lr_rate",
            "float",
            None,
            "The floor as a fraction of lr0 (or give min_lr; neither means 0).",
            optional=True,
        ),
    ),
    check=_warmup_cosine_check,
    curve=lr_only(_warmup_cosine_lr),
    source="transformers get_cosine_with_min_lr_schedule_with_warmup",
    live_knob=Knob("num_warmup_steps", 1, STEPS, integer=True),
    figure=(
        Family(
            "warmup_cosine_floor",
            "warm-up cosine to a floor",
            "warmup_cosine",
            "#843c39",
            lambda n, lr: {"num_warmup_steps": max(1, n // 10), "min_lr_rate": 0.1},
            group=2,
        ),
    ),
)

# --- rex (Chen et al. 2021) --------------------------------------------------------------


def _rex_check(params: Params, context: Context) -> None:
    checks.positive_int(params, "total_steps")
    checks.non_negative(params, "eta_min")


def _rex_lr(params: Params, t: np.ndarray, base_lr: float) -> np.ndarray:
    """eta_min + (lr0 - eta_min) * (1 - z) / (1 - z / 2), z = t / total_steps; eta_min
    from total_steps on."""
    eta_min, total = params["eta_min"], params["total_steps"]
    z = np.minimum(t, total) / total
    return np.where(t < total, eta_min + (base_lr - eta_min) * (1 - z) / (1 - z / 2), eta_min)


REX = ScheduleSpec(
    name="rex",
    title="REX (reflected exponential, Chen et al. 2021)",
    doc=(
        "Budgeted-training decay that stays high longer than linear and drops late: "
        "lr(t) = eta_min + (lr0 - eta_min) * (1 - z) / (1 - z / 2), z = t / total_steps; "
        "eta_min from total_steps on."
    ),
    params=(
        ParamSpec(
            "total_steps", "int", RUN_STEPS, "Steps until the lr reaches eta_min (default: run's)."
        ),
        ParamSpec("eta_min", "float", 0.0, "The lr reached at total_steps and kept."),
    ),
    check=_rex_check,
    curve=lr_only(_rex_lr),
    source="Chen et al. 2021, REX",
    figure=(
        Family("rex", "REX", "rex", "#31a354", lambda n, lr: {"total_steps": max(1, n)}, group=2),
    ),
)

SPECS = (WSD, INVERSE_SQRT, WARMUP_COSINE, REX)
