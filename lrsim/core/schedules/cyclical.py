"""Schedules that set their own lr and may cycle momentum: CyclicLR and OneCycleLR.

Both ignore the optimizer's lr and, with ``cycle_momentum`` (the default, as
in PyTorch), drive the optimizer's momentum / beta1 opposite to the lr. The
arithmetic follows torch's ``get_lr`` operation by operation, so the values
match it to the last bit or so (REFERENCE 1.9, 1.10).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from lrsim.core.errors import ConfigError
from lrsim.core.params import REQUIRED, RUN_STEPS, ParamSpec
from lrsim.core.schedules import _checks as checks
from lrsim.core.schedules._display import STEPS, Family, Knob, ratio, round6
from lrsim.core.schedules._spec import Context, Curve, ScheduleSpec

Params = dict[str, Any]

# --- cyclic (CyclicLR, with the CLR paper's windows) --------------------------------------


def _cyclic_check(params: Params, context: Context) -> None:
    checks.non_negative(params, "base_lr")
    checks.non_negative(params, "max_lr")
    # torch takes float(step_size_up), float(step_size_down): fractional sizes run there too
    checks.positive(params, "step_size_up")
    if params["step_size_down"] is not None:
        checks.non_negative(params, "step_size_down")
    checks.non_negative(params, "gamma")
    checks.momentum_cycling(params, context.momentum_kind)


def _window(height: np.ndarray, window: str) -> np.ndarray:
    """The cycle's shape as a function of the triangle's height h in [0, 1]."""
    if window == "welch":
        return 1 - (1 - height) ** 2
    if window == "hann":
        return (1 - np.cos(np.pi * height)) / 2
    return height


def _cyclic_curve(params: Params, t: np.ndarray, base_lr: float, base_momentum: float) -> Curve:
    up = float(params["step_size_up"])
    down = float(params["step_size_down"]) if params["step_size_down"] is not None else up
    total_size = up + down
    step_ratio = up / total_size
    steps = t.astype(np.float64)
    cycle = np.floor(1 + steps / total_size)
    x = 1.0 + steps / total_size - cycle
    rising = x <= step_ratio
    height = np.empty_like(x)
    height[rising] = x[rising] / step_ratio
    height[~rising] = (x[~rising] - 1) / (step_ratio - 1)
    height = _window(height, params["window"])

    mode = params["mode"]
    if mode == "triangular2":
        scale = 1 / (2.0 ** (cycle - 1))
    elif mode == "exp_range":
        scale = params["gamma"] ** steps  # on the iteration, not the cycle
    else:
        scale = np.ones_like(x)

    low, high = params["base_lr"], params["max_lr"]
    lr = low + ((high - low) * height) * scale
    if not params["cycle_momentum"]:
        return lr, np.full(t.shape, base_momentum)
    low_m, high_m = params["base_momentum"], params["max_momentum"]
    return lr, high_m - ((high_m - low_m) * height) * scale


def _figure_defaults(mode: str, window: str = "triangle") -> Callable[[int, float], Params]:
    """The figure's parameters of a CyclicLR family: three cycles from lr / 10 to lr."""

    def defaults(steps: int, lr: float) -> Params:
        params: Params = {
            "base_lr": round6(lr / 10),
            "max_lr": round6(lr),
            "step_size_up": max(1, steps // 6),
        }
        if mode != "triangular":
            params["mode"] = mode
        if mode == "exp_range":
            params["gamma"] = ratio(0.05, steps)
        if window != "triangle":
            params["window"] = window
        return params

    return defaults


CYCLIC = ScheduleSpec(
    name="cyclic",
    title="Cyclical lr (CyclicLR)",
    doc=(
        "Sweeps the lr between base_lr and max_lr (the optimizer's lr is ignored): up in "
        "step_size_up steps, down in step_size_down. With h in [0, 1] the height in the cycle, "
        "w(h) the window (triangle h, welch 1 - (1 - h)^2, hann (1 - cos(pi h)) / 2) and a the "
        "mode's amplitude (triangular 1, triangular2 1/2^(cycle-1), exp_range gamma^t): "
        "lr = base_lr + (max_lr - base_lr) * w(h) * a; "
        "momentum = max_momentum - (max_momentum - base_momentum) * w(h) * a."
    ),
    params=(
        ParamSpec(
            "base_lr", "float", REQUIRED, "The lowest lr of a cycle (replaces the optimizer's)."
        ),
        ParamSpec("max_lr", "float", REQUIRED, "The highest lr of a cycle."),
        ParamSpec("step_size_up", "float", 2000, "Steps from base_lr up to max_lr."),
        ParamSpec(
            "step_size_down",
            "float",
            None,
            "Steps from max_lr back down (default: the same as step_size_up).",
            optional=True,
        ),
        ParamSpec(
            "mode",
            "choice",
            "triangular",
            "How the peaks change: all equal, halving each cycle, or shrinking by gamma^t.",
            choices=("triangular", "triangular2", "exp_range"),
        ),
        ParamSpec("gamma", "float", 1.0, "Per-step shrink factor of the peaks in exp_range mode."),
        ParamSpec(
            "cycle_momentum",
            "bool",
            True,
            "Also cycle momentum / beta1, high when the lr is low (PyTorch's default).",
        ),
        ParamSpec("base_momentum", "float", 0.8, "Momentum at the lr's peak."),
        ParamSpec("max_momentum", "float", 0.9, "Momentum at the lr's lowest point."),
        ParamSpec(
            "window",
            "choice",
            "triangle",
            "Shape of each cycle: straight lines, a parabola (welch) or a cosine bump (hann).",
            choices=("triangle", "welch", "hann"),
        ),
    ),
    check=_cyclic_check,
    curve=_cyclic_curve,
    cycles_momentum=True,
    sets_own_lr=True,
    torch_class="CyclicLR",
    live_knob=Knob("step_size_up", 1, STEPS, integer=True),
    figure=(
        Family(
            "cyclic_triangular",
            "cyclic triangular",
            "cyclic",
            "#17becf",
            _figure_defaults("triangular"),
            shown=True,
            implied={"mode": "triangular", "window": "triangle"},
        ),
        Family(
            "cyclic_triangular2",
            "cyclic triangular2",
            "cyclic",
            "#637939",  # not triangular's cyan: the two cross at every cycle's start
            _figure_defaults("triangular2"),
            dash="dash",
            implied={"mode": "triangular2", "window": "triangle"},
        ),
        Family(
            "cyclic_exp_range",
            "cyclic exp_range",
            "cyclic",
            "#17becf",
            _figure_defaults("exp_range"),
            dash="dot",
            implied={"mode": "exp_range", "window": "triangle"},
        ),
        Family(
            "cyclic_welch",
            "cyclic, Welch window",
            "cyclic",
            "#6b6ecf",
            _figure_defaults("triangular", "welch"),
            implied={"mode": "triangular", "window": "welch"},
        ),
        Family(
            "cyclic_hann",
            "cyclic, Hann window",
            "cyclic",
            "#6b6ecf",
            _figure_defaults("triangular", "hann"),
            dash="dash",
            implied={"mode": "triangular", "window": "hann"},
        ),
    ),
)

# --- onecycle (OneCycleLR) ----------------------------------------------------------------

# A phase: (end step, lr from, lr to, momentum from, momentum to); the names refer to
# the values computed in _onecycle_values.
_TWO_PHASES = (
    ("initial", "max", "max_m", "base_m"),
    ("max", "min", "base_m", "max_m"),
)
_THREE_PHASES = (
    ("initial", "max", "max_m", "base_m"),
    ("max", "initial", "base_m", "max_m"),
    ("initial", "min", "max_m", "max_m"),
)


def _phase_ends(params: Params) -> tuple[float, ...]:
    """End steps of the phases, computed as torch computes them (floats)."""
    total, pct = params["total_steps"], params["pct_start"]
    if params["three_phase"]:
        return (float(pct * total) - 1, float(2 * pct * total) - 2, float(total - 1))
    return (float(pct * total) - 1, float(total - 1))


def _phase_of(ends: tuple[float, ...], steps: np.ndarray) -> np.ndarray:
    """Index of the first phase whose end is >= t; the last phase takes the rest."""
    phase = np.full(steps.shape, len(ends) - 1, dtype=np.int64)
    for index in range(len(ends) - 2, -1, -1):
        phase[steps <= ends[index]] = index
    return phase


def _onecycle_values(params: Params) -> dict[str, float]:
    initial = params["max_lr"] / params["div_factor"]
    return {
        "initial": initial,
        "max": params["max_lr"],
        "min": initial / params["final_div_factor"],
        "max_m": params["max_momentum"],
        "base_m": params["base_momentum"],
    }


def _onecycle_check(params: Params, context: Context) -> None:
    given = context.given
    if given.get("total_steps") is None:
        epochs, per_epoch = given.get("epochs"), given.get("steps_per_epoch")
        if (epochs is None) != (per_epoch is None):
            missing = "steps_per_epoch" if per_epoch is None else "epochs"
            raise ConfigError(
                missing, "is required with the other (total_steps = epochs * steps_per_epoch)"
            )
        if epochs is not None:
            checks.positive_int(params, "epochs")
            checks.positive_int(params, "steps_per_epoch")
            params["total_steps"] = params["epochs"] * params["steps_per_epoch"]
    else:
        checks.positive_int(params, "total_steps")
        if params["epochs"] is not None and params["steps_per_epoch"] is not None:
            product = params["epochs"] * params["steps_per_epoch"]
            if product != params["total_steps"]:
                raise ConfigError(
                    "total_steps",
                    f"is {params['total_steps']} but epochs * steps_per_epoch is {product}; "
                    "give one or the other",
                )
    checks.positive_int(params, "total_steps")
    if context.last_step > params["total_steps"]:
        raise ConfigError(
            "total_steps",
            f"is {params['total_steps']}, fewer than the run's {context.last_step} steps "
            "(torch raises ValueError when stepped past total_steps)",
        )
    checks.in_interval(params, "pct_start", 0.0, 1.0)
    checks.non_negative(params, "max_lr")
    checks.positive(params, "div_factor")
    checks.positive(params, "final_div_factor")
    checks.momentum_cycling(params, context.momentum_kind)

    ends = _phase_ends(params)
    phase = _phase_of(ends, np.arange(context.last_step + 1, dtype=np.float64))
    for index, end in enumerate(ends):
        start = 0.0 if index == 0 else ends[index - 1]
        if end == start and np.any(phase == index):
            raise ConfigError(
                "pct_start",
                f"{params['pct_start']!r} with total_steps {params['total_steps']} gives a phase "
                "of zero length (torch raises ZeroDivisionError); choose another pct_start",
            )


def _onecycle_curve(params: Params, t: np.ndarray, base_lr: float, base_momentum: float) -> Curve:
    total = params["total_steps"]
    if t.size and int(t.max()) > total:
        raise ConfigError(
            "total_steps", f"is {total}, fewer than the {int(t.max())} steps asked for"
        )
    steps = t.astype(np.float64)
    ends = _phase_ends(params)
    phase = _phase_of(ends, steps)
    values = _onecycle_values(params)
    cosine = params["anneal_strategy"] == "cos"
    table = _THREE_PHASES if params["three_phase"] else _TWO_PHASES
    lr = np.empty_like(steps)
    momentum = np.empty_like(steps)
    start = 0.0
    for index, (end, names) in enumerate(zip(ends, table, strict=True)):
        mask = phase == index
        if mask.any():
            pct = (steps[mask] - start) / (end - start)
            lr_from, lr_to, m_from, m_to = (values[name] for name in names)
            if cosine:
                cos_out = np.cos(np.pi * pct) + 1
                lr[mask] = lr_to + (lr_from - lr_to) / 2.0 * cos_out
                momentum[mask] = m_to + (m_from - m_to) / 2.0 * cos_out
            else:
                lr[mask] = (lr_to - lr_from) * pct + lr_from
                momentum[mask] = (m_to - m_from) * pct + m_from
        start = end
    if not params["cycle_momentum"]:
        return lr, np.full(t.shape, base_momentum)
    return lr, momentum


ONECYCLE = ScheduleSpec(
    name="onecycle",
    title="One-cycle (OneCycleLR)",
    doc=(
        "One warm-up and one long cool-down (super-convergence); the optimizer's lr is ignored. "
        "From max_lr / div_factor up to max_lr at step pct_start * N - 1, then down to "
        "max_lr / div_factor / final_div_factor at N - 1 (N = total_steps); momentum moves "
        "the opposite way between max_momentum and base_momentum. Each phase anneals "
        "v = to + (from - to) * (1 + cos(pi p)) / 2 (cos) or from + (to - from) * p (linear), "
        "p the fraction of the phase done. Step N itself (the last row when the run has N "
        "steps) holds what PyTorch reports after its N-th scheduler step: the last phase "
        "continued past p = 1, so cos rises again (lr(N) = lr(N - 2)) and linear overshoots "
        "below the minimum; no update uses it. More steps than N are refused, as PyTorch "
        "raises when stepped past total_steps."
    ),
    params=(
        ParamSpec("max_lr", "float", REQUIRED, "The peak lr (replaces the optimizer's lr)."),
        ParamSpec(
            "total_steps", "int", RUN_STEPS, "Length of the cycle N (default: the run's steps)."
        ),
        ParamSpec(
            "epochs",
            "int",
            None,
            "With steps_per_epoch, another way to give total_steps.",
            optional=True,
        ),
        ParamSpec(
            "steps_per_epoch",
            "int",
            None,
            "total_steps = epochs * steps_per_epoch.",
            optional=True,
        ),
        ParamSpec("pct_start", "float", 0.3, "Fraction of the cycle spent raising the lr."),
        ParamSpec(
            "anneal_strategy",
            "choice",
            "cos",
            "Shape of each phase: cosine or straight line.",
            choices=("cos", "linear"),
        ),
        ParamSpec(
            "cycle_momentum",
            "bool",
            True,
            "Also cycle momentum / beta1, low when the lr is high (PyTorch's default).",
        ),
        ParamSpec("base_momentum", "float", 0.85, "Momentum at the lr's peak."),
        ParamSpec("max_momentum", "float", 0.95, "Momentum at the start and the end."),
        ParamSpec("div_factor", "float", 25.0, "Starting lr = max_lr / div_factor."),
        ParamSpec("final_div_factor", "float", 1e4, "Final lr = starting lr / final_div_factor."),
        ParamSpec(
            "three_phase",
            "bool",
            False,
            "Come back down to the starting lr symmetrically before the final decay.",
        ),
    ),
    check=_onecycle_check,
    curve=_onecycle_curve,
    cycles_momentum=True,
    sets_own_lr=True,
    torch_class="OneCycleLR",
    live_knob=Knob("pct_start", 0.01, 0.99),
    figure=(
        Family(
            "onecycle",
            "one-cycle",
            "onecycle",
            "#e377c2",
            lambda n, lr: {"max_lr": round6(lr), "total_steps": max(2, n)},
            shown=True,
        ),
    ),
)

SPECS = (CYCLIC, ONECYCLE)
