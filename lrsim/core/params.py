"""Typed parameter tables shared by optimizers and schedules.

Each optimizer and schedule declares its parameters once, with PyTorch's names,
defaults and a one-line doc (the GUI turns them into fields with tooltips).
``resolve_params`` checks a user's table against the declaration: unknown keys,
wrong types and missing required values become a ``ConfigError`` naming the key.
Range checks that depend on the meaning of a value stay with its owner.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lrsim.core.errors import ConfigError

REQUIRED = object()
"""Default of a parameter the user must give."""

RUN_STEPS = object()
"""Default of a parameter that falls back to the run's step count (lrsim's extension)."""

MAX_INTEGER = 2**63 - 1

KINDS = ("float", "int", "bool", "choice", "floats", "ints", "pair", "schedule", "schedules")


@dataclass(frozen=True)
class ParamSpec:
    """One parameter: name, kind (one of ``KINDS``), default, doc and choices."""

    name: str
    kind: str
    default: Any
    doc: str
    choices: tuple[str, ...] = ()
    optional: bool = False  # may be absent/None without a default (e.g. step_size_down)
    allow_inf: bool = False  # a float that may be +inf (Prodigy's growth_rate)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown parameter kind {self.kind!r}")


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    text = repr(value)  # escapes control characters; cut short (a long list is not echoed)
    return text if len(text) <= 40 else f"{text[:18]}...{text[-18:]}"


def _as_float(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(field, f"must be a number, got {_describe(value)}")
    try:
        result = float(value)
    except OverflowError:  # an integer past float range
        result = math.inf
    if not math.isfinite(result):
        raise ConfigError(field, f"must be a finite number, got {_describe(value)}")
    return result


def _as_int(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(field, f"must be an integer, got {_describe(value)}")
    if isinstance(value, float):
        if not value.is_integer():
            raise ConfigError(field, f"must be an integer, got {_describe(value)}")
        value = int(value)
    if abs(value) > MAX_INTEGER:  # numpy's int64 steps could not hold it
        raise ConfigError(field, f"must be an integer of at most {MAX_INTEGER:.3g} in size")
    return value


def coerce_value(spec: ParamSpec, value: Any, field: str) -> Any:
    """``value`` converted to ``spec``'s kind, or a ConfigError naming ``field``."""
    kind = spec.kind
    if kind == "float":
        if spec.allow_inf and isinstance(value, float) and not math.isfinite(value):
            if value == math.inf:
                return value
            raise ConfigError(field, f"must be a number or inf, got {_describe(value)}")
        return _as_float(value, field)
    if kind == "int":
        return _as_int(value, field)
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(field, f"must be true or false, got {_describe(value)}")
        return value
    if kind == "choice":
        if value not in spec.choices:
            options = ", ".join(repr(c) for c in spec.choices)
            raise ConfigError(field, f"must be one of {options}, got {_describe(value)}")
        return value
    if kind in ("floats", "ints", "pair"):
        if not isinstance(value, list | tuple):
            raise ConfigError(field, f"must be a list, got {_describe(value)}")
        convert = _as_int if kind == "ints" else _as_float

        def item_value(item: Any, where: str) -> Any:
            # a pair with choices (Adafactor's eps: ["auto", 0.001]) also takes those words;
            # null (JSON) means the first of them, as None does in the source
            if spec.choices and (item is None or item in spec.choices):
                return spec.choices[0] if item is None else item
            return convert(item, where)

        items = tuple(item_value(item, f"{field}[{i}]") for i, item in enumerate(value))
        if kind == "pair" and len(items) != 2:
            raise ConfigError(field, f"must be a list of two numbers, got {len(items)}")
        return items
    if kind == "schedule":
        if not isinstance(value, Mapping):
            raise ConfigError(field, "must be a table with a schedule name")
        return dict(value)
    if kind == "schedules":
        if not isinstance(value, list | tuple):
            raise ConfigError(field, f"must be a list of schedule tables, got {_describe(value)}")
        for index, item in enumerate(value):
            if not isinstance(item, Mapping):
                raise ConfigError(f"{field}[{index}]", "must be a table with a schedule name")
        return [dict(item) for item in value]
    raise AssertionError(kind)


def resolve_params(
    specs: tuple[ParamSpec, ...],
    given: Mapping[str, Any],
    *,
    steps: int | None = None,
) -> dict[str, Any]:
    """All of ``specs`` filled from ``given`` (validated) or their defaults.

    Field names in errors are the bare parameter names; callers prefix them
    with ``ConfigError.within``.
    """
    known = {spec.name for spec in specs}
    for key in given:
        if key not in known:
            expected = ", ".join(spec.name for spec in specs) or "no parameters"
            raise ConfigError(str(key), f"unknown parameter (expected one of: {expected})")
    resolved: dict[str, Any] = {}
    for spec in specs:
        if spec.name in given and given[spec.name] is not None:
            resolved[spec.name] = coerce_value(spec, given[spec.name], spec.name)
        elif spec.default is REQUIRED:
            raise ConfigError(spec.name, "is required")
        elif spec.default is RUN_STEPS:
            if steps is None:
                raise ConfigError(spec.name, "is required")
            resolved[spec.name] = steps
        else:
            resolved[spec.name] = spec.default
    return resolved
