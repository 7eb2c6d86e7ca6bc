"""The one table of optimizers: each id joined to its spec, numba rule, constants and reference.

``OPTIMIZER_ENTRIES[name]`` carries everything about an optimizer; the kernel's
dispatch numbers (``RULES``) and the reference engine's lookups are derived from
it. An id with no entry raises; nothing falls back to a neighbour.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lrsim.core.errors import ConfigError
from lrsim.core.optim import (
    adafactor,
    asgd,
    kernels,
    lbfgs,
    lion,
    prodigy,
    reference,
    rprop,
    schedulefree,
)  # fmt: skip
from lrsim.core.optim.base import OptimizerSpec
from lrsim.core.optim.specs import OPTIMIZERS


@dataclass(frozen=True)
class OptimizerEntry:
    """An elementwise optimizer runs in the fused kernel (``path`` "fused") with ``update``,
    ``constants`` and ``reference``; L-BFGS has its own path ("lbfgs": lbfgs_kernel.py and
    ``lbfgs.reference_step``) and none of the three."""

    spec: OptimizerSpec
    update: Callable | None  # numba rule: update(s, i, n, x, y, gx, gy, lr, mom, h, c)
    constants: Callable | None  # numba: constants(n, mom, h) -> 3 floats per step
    reference: Callable | None  # NumPy: reference(theta, grad, state, n, lr, mom, params)
    path: str = "fused"


def _entries() -> dict[str, OptimizerEntry]:
    entries = {
        name: OptimizerEntry(
            OPTIMIZERS[name],
            kernels.KERNEL_UPDATES[name],
            kernels.KERNEL_CONSTANTS[name],
            reference.REFERENCE_UPDATES[name],
        )
        for name in kernels.KERNEL_UPDATES
    }
    for module in (lion, rprop, asgd, adafactor, prodigy):
        entries[module.SPEC.name] = OptimizerEntry(
            module.SPEC, module.update, module.constants, module.reference
        )
    sf = schedulefree
    entries[sf.ADAMW.name] = OptimizerEntry(
        sf.ADAMW, sf.adamw_update, sf.constants, sf.adamw_reference
    )
    entries[sf.SGD.name] = OptimizerEntry(sf.SGD, sf.sgd_update, sf.constants, sf.sgd_reference)
    entries[lbfgs.SPEC.name] = OptimizerEntry(
        lbfgs.SPEC, None, None, lbfgs.reference_step, path="lbfgs"
    )
    if set(entries) != set(OPTIMIZERS):
        raise AssertionError(f"specs without entries: {set(OPTIMIZERS) ^ set(entries)}")
    return entries


OPTIMIZER_ENTRIES: dict[str, OptimizerEntry] = _entries()

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


def rule_number(name: str) -> int:
    """The dispatch number of ``name``'s kernel rule (-1 for an optimizer with its own path)."""
    item = entry(name)
    return RULES.index(item.update) if item.path == "fused" else -1
