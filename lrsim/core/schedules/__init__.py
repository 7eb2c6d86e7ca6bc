"""Learning-rate (and momentum) schedules, as PyTorch's schedulers compute them.

Every schedule is a pure, vectorised function of t, the number of completed
updates (torch's ``last_epoch``): ``lr[t]`` is the rate update t + 1 uses
(REFERENCE 0.1). A run file's schedule table is checked once by
``validate_schedule``; ``schedule_curves`` then gives the whole lr and momentum
curves in one call::

    config = validate_schedule({"name": "step", "step_size": 30}, momentum_kind="momentum",
                               steps=100)
    lr, momentum = schedule_curves(config, base_lr=0.1, base_momentum=0.9, steps=100)

Modules: ``decay`` (schedules of the optimizer's lr), ``cosine`` (cosine annealing, with
warm restarts too), ``cyclical`` (CyclicLR and
OneCycleLR, which set their own lr and may cycle momentum), ``warmup`` (a linear
warm-up joined to another schedule), ``recipes`` (transformers' WSD, inverse
square root and warm-up cosine; REX), ``sequential`` (SequentialLR),
``plateau`` (ReduceLROnPlateau), ``_spec`` (registry, validation, evaluation),
``_display`` (what the app shows: a live slider knob and the figure's curves),
``resolved`` (a run's schedule resolved once: ``resolve_schedule``).
"""

from __future__ import annotations

from lrsim.core.schedules import cosine, cyclical, decay, plateau, recipes, sequential, warmup
from lrsim.core.schedules._display import STEPS, Family, Knob
from lrsim.core.schedules._spec import (
    MOMENTUM_KINDS,
    REGISTRY,
    ScheduleSpec,
    schedule_curves,
    validate_schedule,
    writes_momentum,
)
from lrsim.core.schedules.resolved import ResolvedSchedule, resolve_schedule

_ORDER = (  # simplest first; the GUI lists them in this order
    "constant", "step", "multistep", "exponential", "inverse_time", "linear", "polynomial",
    "cosine", "cosine_restarts", "warmup", "cyclic", "onecycle", "plateau",
    "wsd", "inverse_sqrt", "warmup_cosine", "rex", "sequential",
)  # fmt: skip
_MODULES = (decay, cosine, cyclical, warmup, plateau, recipes, sequential)
_BY_NAME = {spec.name: spec for module in _MODULES for spec in module.SPECS}
assert set(_ORDER) == set(_BY_NAME), "every schedule needs a place in _ORDER"
REGISTRY.update((name, _BY_NAME[name]) for name in _ORDER)

SCHEDULES: dict[str, ScheduleSpec] = REGISTRY
"""Every schedule of the run-file contract, by name, in the order the GUI lists them."""

__all__ = [
    "MOMENTUM_KINDS",
    "SCHEDULES",
    "STEPS",
    "Family",
    "Knob",
    "ResolvedSchedule",
    "ScheduleSpec",
    "resolve_schedule",
    "schedule_curves",
    "validate_schedule",
    "writes_momentum",
]
