"""The run file's value checks: each raises ``ConfigError`` with the value's dotted path.

Shared by every section of the parser, so a number, an integer, a pair or a label is
checked one way everywhere.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from lrsim.core.errors import ConfigError


def table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(where, "must be a table")
    return value


def no_unknown(table: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            path = f"{where}.{key}" if where else str(key)
            raise ConfigError(path, f"unknown key (expected one of: {', '.join(allowed)})")


def number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(where, f"must be a number, got {shown(value)}")
    try:
        result = float(value)
    except OverflowError:
        result = float("inf")
    if result != result or result in (float("inf"), float("-inf")):
        raise ConfigError(where, f"must be finite, got {shown(value)}")
    return result


def shown(value: Any) -> str:
    """``repr(value)``, cut short (a 4000-digit integer is not echoed whole)."""
    written = repr(value)
    return written if len(written) <= 40 else f"{written[:18]}...{written[-18:]}"


def integer(value: Any, where: str, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if not (isinstance(value, float) and value.is_integer()):
            raise ConfigError(where, f"must be an integer, got {shown(value)}")
        value = int(value)
    if value < minimum:
        kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ConfigError(where, f"must be {kind}, got {shown(value)}")
    if maximum is not None and value > maximum:
        raise ConfigError(where, f"must be at most {maximum}, got {shown(value)}")
    return value


def text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(where, f"must be a string, got {shown(value)}")
    return value


def one_line(value: Any, where: str) -> str:
    """A string without control characters (a label is echoed by the CLI and the CSV)."""
    line = text(value, where)
    if any(unicodedata.category(char) == "Cc" for char in line):
        raise ConfigError(
            where, f"must not hold control characters (newlines, escapes), got {line!r}"
        )
    return line


def pair(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ConfigError(where, f"must be a pair [a, b], got {shown(value)}")
    return number(value[0], f"{where}[0]"), number(value[1], f"{where}[1]")
