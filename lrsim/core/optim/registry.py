"""The one table of optimizers: the modules, one line each, in the order the app lists them.

Each module declares its ``ENTRIES`` (an ``OptimizerEntry`` per optimizer id: spec,
numba rule, constants, reference, what the inner-state panel and the step anatomy
read); ``OPTIMIZER_ENTRIES``, ``OPTIMIZERS`` and the kernel's dispatch numbers
(``RULES``) are derived from them. An id with no entry raises; nothing falls back
to a neighbour. Adding an optimizer: its module, one line below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lrsim.core.errors import ConfigError
from lrsim.core.optim import (
    adadelta,
    adafactor,
    adagrad,
    adam,
    adamax,
    adamw,
    asgd,
    lbfgs,
    lion,
    nadam,
    prodigy,
    radam,
    rmsprop,
    rprop,
    schedulefree,
    sgd,
)
from lrsim.core.optim.base import OptimizerEntry, OptimizerSpec

_MODULES = (
    sgd,
    adagrad,
    adadelta,
    rmsprop,
    adam,
    adamw,
    nadam,
    radam,
    adamax,
    lion,
    rprop,
    asgd,
    adafactor,
    prodigy,
    schedulefree,  # schedulefree_adamw, schedulefree_sgd
    lbfgs,
)  # fmt: skip


def _entries() -> dict[str, OptimizerEntry]:
    entries: dict[str, OptimizerEntry] = {}
    for module in _MODULES:
        for item in module.ENTRIES:
            if item.spec.name in entries:
                raise AssertionError(f"optimizer {item.spec.name!r} declared twice")
            entries[item.spec.name] = item
    return entries


OPTIMIZER_ENTRIES: dict[str, OptimizerEntry] = _entries()

OPTIMIZERS: dict[str, OptimizerSpec] = {name: e.spec for name, e in OPTIMIZER_ENTRIES.items()}
"""Every optimizer's spec by id, in the order the app lists them."""

# Kernel dispatch numbers: one per distinct rule (adam and adamw share theirs), in table order.
RULES: tuple[Callable, ...] = tuple(
    dict.fromkeys(e.update for e in OPTIMIZER_ENTRIES.values() if e.path == "fused")
)
RULE_CONSTANTS: tuple[Callable, ...] = tuple(
    next(e.constants for e in OPTIMIZER_ENTRIES.values() if e.update is rule) for rule in RULES
)


def _rule_slots(rule: Callable) -> int:
    """The state slots of ``rule`` (every optimizer sharing a rule has as many)."""
    counts = {e.spec.n_slots for e in OPTIMIZER_ENTRIES.values() if e.update is rule}
    if len(counts) != 1:
        raise AssertionError(f"optimizers sharing {rule} differ in slots: {counts}")
    return counts.pop()


# The slot rows each rule is handed (``dispatch.slot_rows``), in RULES order.
RULE_SLOTS: tuple[int, ...] = tuple(_rule_slots(rule) for rule in RULES)


def entry(name: str) -> OptimizerEntry:
    """The entry of optimizer ``name``; an unknown id raises a ConfigError."""
    if name not in OPTIMIZER_ENTRIES:
        raise ConfigError("name", f"unknown optimizer {name!r}")
    return OPTIMIZER_ENTRIES[name]


def get_optimizer(name: Any) -> OptimizerSpec:
    """The spec called ``name``, or a ConfigError on ``name`` listing the choices."""
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise ConfigError(
            "name", f"unknown optimizer {name!r} (expected one of: {', '.join(OPTIMIZERS)})"
        )
    return OPTIMIZERS[name]


def rule_number(name: str) -> int:
    """The dispatch number of ``name``'s kernel rule (-1 for an optimizer with its own path)."""
    item = entry(name)
    return RULES.index(item.update) if item.path == "fused" else -1
