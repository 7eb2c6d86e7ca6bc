"""Linear warm-up joined to any other schedule, as SequentialLR / optax's join do.

For t < W the lr rises linearly from start_factor * lr0 to lr0; from t = W on the
schedule in ``then`` runs on its own clock t - W with the same lr0. The nested
schedule's run length (the default of its ``T_max`` / ``total_steps``) is the
steps left after the warm-up, so ``then = { name = "cosine" }`` reaches eta_min
exactly at the last step (REFERENCE 1.11).

During the warm-up the momentum is the one ``then`` starts with: the optimizer's
own, or ``max_momentum`` for a momentum-cycling cyclic / onecycle, whose torch
constructors set it before SequentialLR runs the warm-up.

A ``then`` that sets its own lr (cyclic, onecycle) does not move the warm-up's
target: the ramp rises toward the optimizer's lr0 (torch's LambdaLR ramp read it
when it was built, before the OneCycleLR), and at t = W the one-cycle starts from
its own max_lr / div_factor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from lrsim.core.errors import ConfigError
from lrsim.core.params import REQUIRED, ParamSpec
from lrsim.core.schedules import _checks as checks
from lrsim.core.schedules._display import STEPS, Family, Knob
from lrsim.core.schedules._spec import (
    Context,
    Curve,
    ScheduleSpec,
    evaluate_switched_in,
    validate_schedule,
)

Params = dict[str, Any]


def _warmup_check(params: Params, context: Context) -> None:
    checks.positive_int(params, "warmup_steps")
    checks.in_interval(params, "start_factor", 0.0, 1.0)
    then = params["then"]
    if isinstance(then, Mapping) and then.get("name") == "plateau":
        raise ConfigError(
            "then.name",
            "plateau cannot follow a warm-up (torch's SequentialLR does not accept "
            "ReduceLROnPlateau)",
        )
    remaining = max(context.steps - params["warmup_steps"], 1)
    try:
        params["then"] = validate_schedule(
            then,
            momentum_kind=context.momentum_kind,
            steps=remaining,
            switched_in=True,
            depth=context.depth + 1,
        )
    except ConfigError as error:
        raise error.within("then") from None


def _warmup_curve(params: Params, t: np.ndarray, base_lr: float, base_momentum: float) -> Curve:
    warmup_steps, start = params["warmup_steps"], params["start_factor"]
    then = params["then"]
    warming = t < warmup_steps
    lr = np.empty(t.shape, dtype=np.float64)
    momentum = np.empty(t.shape, dtype=np.float64)
    lr[warming] = base_lr * (start + (1.0 - start) * t[warming].astype(np.float64) / warmup_steps)
    # A momentum-cycling `then` (cyclic, onecycle) sets its starting momentum when torch
    # constructs it, before the warm-up runs; otherwise this is the optimizer's own.
    # One call on the steps after the warm-up plus step 0, so nesting costs linear work.
    later = np.concatenate((np.zeros(1, dtype=np.int64), t[~warming] - warmup_steps))
    then_lr, then_momentum = evaluate_switched_in(then, later, base_lr, base_momentum)
    momentum[warming] = then_momentum[0]
    lr[~warming], momentum[~warming] = then_lr[1:], then_momentum[1:]
    return lr, momentum


WARMUP = ScheduleSpec(
    name="warmup",
    title="Linear warm-up, then another schedule",
    doc=(
        "Raises the lr in a straight line for warmup_steps steps, then hands over to the "
        "schedule in then, which starts from step 0 (SequentialLR): "
        "lr(t) = lr0 * (s + (1 - s) * t / W) for t < W, else then(t - W)."
    ),
    params=(
        ParamSpec("warmup_steps", "int", REQUIRED, "Steps the lr takes to climb to lr0."),
        ParamSpec("start_factor", "float", 0.0, "Fraction of lr0 at step 0 (0 = start from zero)."),
        ParamSpec(
            "then",
            "schedule",
            {"name": "constant"},
            "The schedule that follows the warm-up (default: constant lr0).",
        ),
    ),
    check=_warmup_check,
    curve=_warmup_curve,
    live_knob=Knob("warmup_steps", 1, STEPS, integer=True),
    figure=(
        Family(
            "warmup_cosine",
            "warm-up + cosine",
            "warmup",
            "#9467bd",
            lambda n, lr: {
                "warmup_steps": max(1, n // 10),
                "then": {"name": "cosine", "T_max": max(1, n - n // 10)},
            },
            shown=True,
        ),
    ),
)

SPECS = (WARMUP,)
