"""Schedules that decay the optimizer's lr: closed forms of PyTorch's schedulers.

Each lr curve is a vectorised closed form of ``t`` (completed updates, torch's
``last_epoch``), using torch's own ``_get_closed_form_lr`` expression where it
has one. Torch itself mostly steps recursively (lr_t = lr_{t-1} * factor); the
two agree to ~1e-13 relative (REFERENCE 0.4).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lrsim.core.errors import ConfigError
from lrsim.core.params import REQUIRED, ParamSpec
from lrsim.core.schedules import _checks as checks
from lrsim.core.schedules._display import Family, Knob, ratio
from lrsim.core.schedules._spec import Context, ScheduleSpec, lr_only

Params = dict[str, Any]


# --- constant (ConstantLR) ----------------------------------------------------------------


def _constant_check(params: Params, context: Context) -> None:
    # torch: 0 <= factor <= 1; at step total_iters it divides by factor
    checks.in_interval(params, "factor", 0.0, 1.0)
    checks.non_negative_int(params, "total_iters")
    if params["factor"] == 0 and 1 <= params["total_iters"] <= context.last_step:
        raise ConfigError(
            "factor",
            f"0 with total_iters {params['total_iters']} within the run: at that step torch's "
            "ConstantLR divides the lr by factor (ZeroDivisionError); raise total_iters past the "
            "run or use a factor above 0",
        )


def _constant_lr(params: Params, t: np.ndarray, base_lr: float) -> np.ndarray:
    """lr0 * factor for t < total_iters, then lr0; total_iters 0 keeps lr0 * factor for good
    (torch's ConstantLR scales at step 0 and only undoes it at step total_iters)."""
    factor, total = params["factor"], params["total_iters"]
    scaled = (t < total) | (total == 0)
    return np.where(scaled, base_lr * factor, base_lr)


def _constant_switched_in_lr(params: Params, t: np.ndarray, base_lr: float) -> np.ndarray:
    """After a milestone torch uses ConstantLR's closed form, so total_iters 0 means lr0."""
    return np.where(t < params["total_iters"], base_lr * params["factor"], base_lr)


CONSTANT = ScheduleSpec(
    name="constant",
    title="Constant (ConstantLR)",
    doc=(
        "The optimizer's lr, scaled by factor for the first total_iters steps (ConstantLR): "
        "lr(t) = lr0 * factor for t < total_iters, else lr0. The default factor 1 "
        "keeps lr0 throughout; total_iters = 0 keeps lr0 * factor throughout, as in PyTorch."
    ),
    params=(
        ParamSpec("factor", "float", 1.0, "Fraction of the lr used until total_iters (0..1)."),
        ParamSpec("total_iters", "int", 5, "Steps that use the scaled lr."),
    ),
    check=_constant_check,
    curve=lr_only(_constant_lr),
    torch_class="ConstantLR",
    switched_in_curve=lr_only(_constant_switched_in_lr),
    figure=(
        Family("constant", "constant", "constant", "#7f7f7f", lambda n, lr: {}, shown=True),
        Family(
            "constant_factor",
            "constant, factor",
            "constant",
            "#7f7f7f",
            lambda n, lr: {"factor": 0.5, "total_iters": max(1, n // 5)},
            dash="dash",
            group=2,
        ),
    ),
)

# --- linear (LinearLR) --------------------------------------------------------------------


def _linear_check(params: Params, context: Context) -> None:
    # torch: 0 < start_factor <= 1, 0 <= end_factor <= 1
    checks.in_interval(params, "start_factor", 0.0, 1.0, low_open=True)
    checks.in_interval(params, "end_factor", 0.0, 1.0)
    checks.non_negative_int(params, "total_iters")
    checks.no_zero_after_milestone(params, "total_iters", context, "LinearLR")


def _linear_lr(params: Params, t: np.ndarray, base_lr: float) -> np.ndarray:
    start, end, total = params["start_factor"], params["end_factor"], params["total_iters"]
    if total == 0:  # torch scales by start_factor at step 0 and never moves again
        return np.full(t.shape, base_lr * start)
    return base_lr * (start + (end - start) * np.minimum(total, t) / total)


LINEAR = ScheduleSpec(
    name="linear",
    title="Linear (LinearLR)",
    doc=(
        "Moves the lr in a straight line from start_factor * lr0 to end_factor * lr0 "
        "over total_iters steps, then holds it: "
        "lr(t) = lr0 * (s + (e - s) * min(t, T) / T); T = 0 holds lr0 * s, as in PyTorch."
    ),
    params=(
        ParamSpec("start_factor", "float", 1.0 / 3, "Fraction of the lr at step 0 (0 < s <= 1)."),
        ParamSpec("end_factor", "float", 1.0, "Fraction of the lr reached at total_iters (0..1)."),
        ParamSpec("total_iters", "int", 5, "Steps the straight-line change takes."),
    ),
    check=_linear_check,
    curve=lr_only(_linear_lr),
    torch_class="LinearLR",
    live_knob=Knob("end_factor", 0.0, 1.0),
    figure=(
        Family(
            "linear",
            "linear",
            "linear",
            "#e6a800",
            lambda n, lr: {"start_factor": 1.0, "end_factor": 0.0, "total_iters": max(1, n)},
        ),
    ),
)

# --- step (StepLR) ------------------------------------------------------------------------


def _step_check(params: Params, context: Context) -> None:
    checks.positive_int(params, "step_size")
    checks.non_negative(params, "gamma")


def _step_lr(params: Params, t: np.ndarray, base_lr: float) -> np.ndarray:
    exponent = (t // params["step_size"]).astype(np.float64)
    return base_lr * params["gamma"] ** exponent


STEP = ScheduleSpec(
    name="step",
    title="Step decay (StepLR)",
    doc=(
        "Multiplies the lr by gamma every step_size steps: lr(t) = lr0 * gamma^floor(t / S). "
        "Row t = S is the first to show the lower rate."
    ),
    params=(
        ParamSpec("step_size", "int", REQUIRED, "Steps between two cuts of the lr."),
        ParamSpec("gamma", "float", 0.1, "Factor the lr is multiplied by at each cut."),
    ),
    check=_step_check,
    curve=lr_only(_step_lr),
    torch_class="StepLR",
    live_knob=Knob("gamma", 0.01, 1.0),
    figure=(
        Family(
            "step",
            "step",
            "step",
            "#1f77b4",
            lambda n, lr: {"step_size": max(1, n // 4), "gamma": 0.5},
            shown=True,
        ),
    ),
)

# --- multistep (MultiStepLR) --------------------------------------------------------------


def _multistep_check(params: Params, context: Context) -> None:
    for index, milestone in enumerate(params["milestones"]):
        if milestone < 0:
            raise ConfigError(
                f"milestones[{index}]", f"must be a non-negative step, got {milestone!r}"
            )
    checks.non_negative(params, "gamma")


def _multistep_lr(params: Params, t: np.ndarray, base_lr: float) -> np.ndarray:
    milestones = np.sort(np.asarray(params["milestones"], dtype=np.int64))
    passed = np.searchsorted(milestones, t, side="right").astype(np.float64)
    return base_lr * params["gamma"] ** passed


MULTISTEP = ScheduleSpec(
    name="multistep",
    title="Multi-step decay (MultiStepLR)",
    doc=(
        "Multiplies the lr by gamma at each milestone step: "
        "lr(t) = lr0 * gamma^(number of milestones <= t); a milestone listed twice counts twice."
    ),
    params=(
        ParamSpec("milestones", "ints", REQUIRED, "Steps at which the lr is cut, e.g. [30, 80]."),
        ParamSpec("gamma", "float", 0.1, "Factor the lr is multiplied by at each milestone."),
    ),
    check=_multistep_check,
    curve=lr_only(_multistep_lr),
    torch_class="MultiStepLR",
    live_knob=Knob("gamma", 0.01, 1.0),
    figure=(
        Family(
            "multistep",
            "multistep",
            "multistep",
            "#8c564b",
            lambda n, lr: {"milestones": [max(1, n // 2), max(2, 3 * n // 4)], "gamma": 0.1},
        ),
    ),
)

# --- exponential (ExponentialLR, or continuous rate k) ------------------------------------


def _exponential_check(params: Params, context: Context) -> None:
    gamma, k = params["gamma"], params["k"]
    if gamma is None and k is None:
        raise ConfigError("gamma", "is required: give gamma (lr0 * gamma^t) or k (lr0 * exp(-k t))")
    if gamma is not None and k is not None:
        raise ConfigError("k", "give either gamma or k, not both (gamma = exp(-k))")
    if gamma is not None:
        checks.non_negative(params, "gamma")


def _exponential_lr(params: Params, t: np.ndarray, base_lr: float) -> np.ndarray:
    steps = t.astype(np.float64)
    if params["k"] is not None:
        return base_lr * np.exp(-params["k"] * steps)
    return base_lr * params["gamma"] ** steps


EXPONENTIAL = ScheduleSpec(
    name="exponential",
    title="Exponential decay (ExponentialLR)",
    doc=(
        "Multiplies the lr by gamma after every step: lr(t) = lr0 * gamma^t; "
        "or, with k instead, the continuous form lr(t) = lr0 * exp(-k t) (gamma = exp(-k))."
    ),
    params=(
        ParamSpec(
            "gamma", "float", None, "Factor per step, e.g. 0.99 (give gamma or k).", optional=True
        ),
        ParamSpec(
            "k",
            "float",
            None,
            "Continuous decay rate: lr0 * exp(-k t) (give gamma or k).",
            optional=True,
        ),
    ),
    check=_exponential_check,
    curve=lr_only(_exponential_lr),
    torch_class="ExponentialLR",
    live_knob=Knob("gamma", 0.9, 1.0),
    figure=(
        Family(
            "exponential",
            "exponential",
            "exponential",
            "#ff7f0e",
            lambda n, lr: {"gamma": ratio(0.01, n)},
            shown=True,
        ),
    ),
)

# --- inverse_time (Keras InverseTimeDecay) ------------------------------------------------


def _inverse_time_check(params: Params, context: Context) -> None:
    checks.non_negative(params, "decay_rate")
    checks.positive_int(params, "decay_steps")


def _inverse_time_lr(params: Params, t: np.ndarray, base_lr: float) -> np.ndarray:
    progress = t.astype(np.float64) / params["decay_steps"]
    if params["staircase"]:
        progress = np.floor(progress)
    return base_lr / (1 + params["decay_rate"] * progress)


INVERSE_TIME = ScheduleSpec(
    name="inverse_time",
    title="Inverse-time decay",
    doc=(
        "Shrinks the lr like 1/t (Keras InverseTimeDecay): "
        "lr(t) = lr0 / (1 + decay_rate * t / decay_steps); "
        "staircase uses floor(t / decay_steps), so the lr drops in steps."
    ),
    params=(
        ParamSpec(
            "decay_rate", "float", REQUIRED, "How fast the lr shrinks (k in lr0 / (1 + k t))."
        ),
        ParamSpec("decay_steps", "int", 1, "Steps that count as one unit of t."),
        ParamSpec("staircase", "bool", False, "Drop the lr in whole steps of decay_steps."),
    ),
    check=_inverse_time_check,
    curve=lr_only(_inverse_time_lr),
    live_knob=Knob("decay_rate", 0.001, 10.0, log=True),
    figure=(
        Family(
            "inverse_time",
            "inverse time",
            "inverse_time",
            "#bcbd22",
            lambda n, lr: {"decay_rate": 1.0, "decay_steps": max(1, n // 10)},
        ),
    ),
)

# --- polynomial (PolynomialLR) ------------------------------------------------------------


def _polynomial_check(params: Params, context: Context) -> None:
    checks.non_negative_int(params, "total_iters")
    checks.no_zero_after_milestone(params, "total_iters", context, "PolynomialLR")
    if params["power"] < 0 and 1 <= params["total_iters"] <= context.last_step:
        raise ConfigError(
            "power",
            f"must be >= 0 when the lr reaches 0 within the run (total_iters "
            f"{params['total_iters']}): 0 to a negative power has no value "
            f"(torch raises ZeroDivisionError), got {params['power']!r}",
        )


def _polynomial_lr(params: Params, t: np.ndarray, base_lr: float) -> np.ndarray:
    total = params["total_iters"]
    if total == 0:  # torch's PolynomialLR leaves the lr alone when total_iters is 0
        return np.full(t.shape, base_lr)
    return base_lr * (1.0 - np.minimum(total, t) / total) ** params["power"]


POLYNOMIAL = ScheduleSpec(
    name="polynomial",
    title="Polynomial decay (PolynomialLR)",
    doc=(
        "Decays the lr to exactly 0 at total_iters and keeps it there: "
        "lr(t) = lr0 * (1 - min(t, T) / T)^power; T = 0 keeps lr0, as in PyTorch."
    ),
    params=(
        ParamSpec("total_iters", "int", 5, "Steps until the lr reaches 0."),
        ParamSpec("power", "float", 1.0, "Shape of the decay: 1 is a straight line."),
    ),
    check=_polynomial_check,
    curve=lr_only(_polynomial_lr),
    torch_class="PolynomialLR",
    live_knob=Knob("power", 0.1, 5.0, log=True),
    figure=(
        Family(
            "polynomial",
            "polynomial",
            "polynomial",
            "#ad494a",
            lambda n, lr: {"total_iters": max(1, n), "power": 2.0},
        ),
    ),
)

SPECS = (
    CONSTANT,
    LINEAR,
    STEP,
    MULTISTEP,
    EXPONENTIAL,
    INVERSE_TIME,
    POLYNOMIAL,
)
