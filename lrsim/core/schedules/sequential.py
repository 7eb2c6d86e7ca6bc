"""Schedules one after another at milestones, as PyTorch's SequentialLR runs them.

With milestones m_1 < m_2 < ... and m_0 = 0, child i runs for m_i <= t < m_{i+1}
on its own clock: lr(t) = child_i(t - m_i). Every child scales the optimizer's lr
(LambdaLR semantics, as ``warmup`` does), so a child ``onecycle`` starts from its
own max_lr / div_factor and the children around it keep the optimizer's lr. A
child's run-length defaults (``T_max``, ``total_steps``, ``num_training_steps``)
are the steps until the next milestone, or until the run ends for the last child.

Momentum: a child that cycles it (cyclic, onecycle) sets it while it runs; a child
that does not keeps the last value set. Before any cycling child has run, the
momentum is the starting value of the last cycling child, because torch builds
every child first and each cycling constructor writes its starting momentum.

Each child is validated once and evaluated once on its own steps (plus the two
ends of its span), so the work is linear in the steps and the number of children;
nesting is limited to ``MAX_NESTING`` levels.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lrsim.core.errors import ConfigError
from lrsim.core.params import REQUIRED, ParamSpec
from lrsim.core.schedules._display import Family, ratio
from lrsim.core.schedules._spec import (
    Context,
    Curve,
    ScheduleSpec,
    evaluate,
    evaluate_switched_in,
    validate_schedule,
    writes_momentum,
)

Params = dict[str, Any]


def _sequential_check(params: Params, context: Context) -> None:
    children, milestones = params["schedules"], params["milestones"]
    if not children:
        raise ConfigError("schedules", "needs at least one schedule (torch raises ValueError)")
    if len(milestones) != len(children) - 1:
        raise ConfigError(
            "milestones",
            f"needs one fewer entry than schedules ({len(children) - 1}), got {len(milestones)}",
        )
    previous = 0
    for index, milestone in enumerate(milestones):
        if milestone <= previous:
            why = "positive" if index == 0 else "increasing"
            raise ConfigError(
                f"milestones[{index}]",
                f"must be {why} steps (each after the one before), got {milestone!r}",
            )
        previous = milestone
    starts = (0, *milestones)
    resolved = []
    for index, child in enumerate(children):
        if isinstance(child, dict) and child.get("name") == "plateau":
            raise ConfigError(
                f"schedules[{index}].name",
                "plateau cannot be part of a sequential schedule (torch's SequentialLR does "
                "not accept ReduceLROnPlateau)",
            )
        last = None
        if index + 1 < len(starts):  # runs until the step before the next milestone
            span = starts[index + 1] - starts[index]
            last = span - 1
        else:
            span = max(context.steps - starts[index], 1)
        try:
            resolved.append(
                validate_schedule(
                    child,
                    momentum_kind=context.momentum_kind,
                    steps=span,
                    switched_in=context.switched_in or index > 0,
                    depth=context.depth + 1,
                    last_step=last,
                )
            )
        except ConfigError as error:
            raise error.within(f"schedules[{index}]") from None
    params["schedules"] = resolved
    params["milestones"] = tuple(milestones)


def _sequential_curve(params: Params, t: np.ndarray, base_lr: float, base_momentum: float) -> Curve:
    children, starts = params["schedules"], (0, *params["milestones"])
    ends = (*params["milestones"], None)
    lr = np.empty(t.shape, dtype=np.float64)
    momentum = np.empty(t.shape, dtype=np.float64)
    writers = [index for index, child in enumerate(children) if writes_momentum(child)]
    carried = float(base_momentum)
    if writers:  # the last cycling child was built last: its starting momentum stands
        last = writers[-1]
        probe = evaluate_switched_in if last > 0 else evaluate
        carried = float(probe(children[last], np.zeros(1, np.int64), base_lr, carried)[1][0])
    for index, child in enumerate(children):
        start, end = starts[index], ends[index]
        mask = (t >= start) if end is None else (t >= start) & (t < end)
        last_local = np.zeros(0, np.int64) if end is None else np.array([end - start - 1])
        local = np.concatenate((last_local, t[mask] - start))
        run = evaluate_switched_in if index > 0 else evaluate
        child_lr, child_momentum = run(child, local, base_lr, carried)
        lr[mask] = child_lr[last_local.size :]
        if index in writers:
            momentum[mask] = child_momentum[last_local.size :]
            if last_local.size:
                carried = float(child_momentum[0])
        else:
            momentum[mask] = carried
    return lr, momentum


SEQUENTIAL = ScheduleSpec(
    name="sequential",
    title="Sequential (SequentialLR)",
    doc=(
        "Runs the schedules one after another, switching at the milestones; each starts its "
        "own clock at its milestone and scales the optimizer's lr: "
        "lr(t) = schedules[i](t - milestones[i-1]) for milestones[i-1] <= t < milestones[i]."
    ),
    params=(
        ParamSpec(
            "schedules",
            "schedules",
            REQUIRED,
            "The schedules in order, e.g. [{ name = 'linear' }, { name = 'cosine' }].",
        ),
        ParamSpec(
            "milestones",
            "ints",
            (),
            "Steps at which the next schedule takes over (one fewer than the schedules).",
        ),
    ),
    check=_sequential_check,
    curve=_sequential_curve,
    torch_class="SequentialLR",
    figure=(
        Family(
            "sequential",
            "sequential",
            "sequential",
            "#7b4173",
            lambda n, lr: {
                "schedules": [
                    {"name": "linear", "start_factor": 0.1, "total_iters": max(1, n // 10)},
                    {"name": "constant"},
                    {"name": "exponential", "gamma": ratio(0.05, n - n // 2)},
                ],
                "milestones": [max(1, n // 10), max(2, n // 2)],
            },
            group=2,
        ),
    ),
)

SPECS = (SEQUENTIAL,)
