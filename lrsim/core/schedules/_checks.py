"""Range checks for resolved schedule parameters; each names the offending field."""

from __future__ import annotations

from typing import Any

from lrsim.core.errors import ConfigError


def _show(value: Any) -> str:
    return repr(value)


def positive_int(params: dict[str, Any], name: str) -> None:
    value = params[name]
    if value <= 0:
        raise ConfigError(name, f"must be a positive integer, got {_show(value)}")


def non_negative_int(params: dict[str, Any], name: str) -> None:
    value = params[name]
    if value < 0:
        raise ConfigError(name, f"must be a non-negative integer, got {_show(value)}")


def positive(params: dict[str, Any], name: str) -> None:
    value = params[name]
    if not value > 0:
        raise ConfigError(name, f"must be positive, got {_show(value)}")


def non_negative(params: dict[str, Any], name: str) -> None:
    value = params[name]
    if value < 0:
        raise ConfigError(name, f"must be non-negative, got {_show(value)}")


def in_interval(
    params: dict[str, Any],
    name: str,
    low: float,
    high: float,
    *,
    low_open: bool = False,
    high_open: bool = False,
    why: str = "",
) -> None:
    """``params[name]`` within the interval, e.g. ``(0, 1]`` for low_open=True."""
    value = params[name]
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high:
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        suffix = f" ({why})" if why else ""
        raise ConfigError(name, f"must be in {interval}, got {_show(value)}{suffix}")


def momentum_cycling(params: dict[str, Any], momentum_kind: str | None) -> None:
    """Torch's rule for ``cycle_momentum`` plus sane base/max momentum values."""
    if not params["cycle_momentum"]:
        return
    if momentum_kind is None:
        raise ConfigError(
            "cycle_momentum",
            "this optimizer has no momentum or beta1 to cycle (torch raises ValueError); "
            "set cycle_momentum = false",
        )
    for name in ("base_momentum", "max_momentum"):
        if momentum_kind == "beta1":
            in_interval(params, name, 0.0, 1.0, high_open=True, why="it becomes Adam's beta1")
        else:
            non_negative(params, name)


def no_zero_after_milestone(
    params: dict[str, Any], name: str, context: Any, torch_class: str
) -> None:
    """torch switches a scheduler in at a milestone with its closed form, which divides by
    ``name``: 0 there raises ZeroDivisionError, so it is refused after a milestone."""
    if context.switched_in and params[name] == 0:
        raise ConfigError(
            name,
            f"must be positive after a milestone (torch's SequentialLR evaluates {torch_class}'s "
            f"closed form there, which divides by {name}), got 0",
        )
