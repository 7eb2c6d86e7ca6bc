"""The budgets a run file meets before any work is done on it.

A run file is untrusted input shared between strangers, so every dimension it
can multiply has a bound checked before anything is allocated: the bytes read,
the nesting of its tables and lists, the integers it holds, the number of runs
(steps and particles are bounded where they are parsed, memory by the engine).
``read_limited`` reads at most ``MAX_FILE_BYTES`` (``/dev/zero`` is refused
quickly); ``check_structure`` walks the decoded data once, iteratively (no
recursion, so no ``RecursionError`` however deep), and names the first value
past a bound.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lrsim.core.errors import ConfigError

MAX_FILE_BYTES = 8 * 1024**2
"""A run file larger than this is refused unread (a lecture's file is a few KB;
8 MB holds ~350,000 explicit start points)."""

MAX_DEPTH = 24
"""Tables and lists nested in each other: the contract needs 4 (``surface.domain``),
each warm-up ``then`` adds one."""

DEFAULT_MEMORY_BUDGET = 2 * 1024**3
"""Bytes the recorded trajectories of one simulation may take (``--memory-budget``)."""

MAX_RUNS = 1000
"""``[[runs]]`` tables in one file (each is a curve per view and a set of arrays)."""

MAX_INTEGER = 2**63 - 1
"""Integers beyond the 64-bit range are refused (write a float such as 1e30)."""

MAX_TEXT_CHARS = 100_000
"""A title, description, label or key longer than this is refused."""


def read_limited(path: str | Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path``, read at most ``limit + 1`` at a time: too big is an error."""
    path = Path(path)
    try:
        with open(path, "rb") as stream:
            data = stream.read(limit + 1)
    except FileNotFoundError:
        raise ConfigError(str(path), "no such file") from None
    except IsADirectoryError:
        raise ConfigError(str(path), "is a folder, not a run file") from None
    except OSError as error:
        raise ConfigError(str(path), f"cannot be read ({error.strerror or error})") from None
    if len(data) > limit:
        raise ConfigError(
            str(path), f"is larger than {limit // 1024**2} MB; a run file is refused past that"
        )
    return data


def _child(where: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else str(key)


def short_path(where: str, limit: int = 80) -> str:
    """``where`` cut in the middle when long (a path 24 levels deep stays one short line)."""
    if len(where) <= limit:
        return where
    keep = (limit - 3) // 2
    return f"{where[:keep]}...{where[-keep:]}"


def check_structure(data: Any) -> None:
    """Refuse nesting deeper than ``MAX_DEPTH``, integers past ``MAX_INTEGER``, text past
    ``MAX_TEXT_CHARS`` and more than ``MAX_RUNS`` runs, naming the first offending path."""
    pending: list[tuple[Any, str, int]] = [(data, "", 0)]
    while pending:
        value, where, depth = pending.pop()
        if isinstance(value, Mapping | list | tuple):
            if depth >= MAX_DEPTH:
                raise ConfigError(
                    short_path(where), f"nested more than {MAX_DEPTH} tables or lists deep"
                )
            items = value.items() if isinstance(value, Mapping) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and len(key) > MAX_TEXT_CHARS:
                    raise ConfigError(short_path(where), "holds a key that is too long")
                pending.append((item, _child(where, key), depth + 1))
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int) and abs(value) > MAX_INTEGER:
            raise ConfigError(
                short_path(where),
                "integer beyond the 64-bit range; write it as a float (1e30) "
                "if you mean a number that large",
            )
        elif isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
            raise ConfigError(short_path(where), f"text longer than {MAX_TEXT_CHARS:,} characters")
    runs = data.get("runs") if isinstance(data, Mapping) else None
    if isinstance(runs, list | tuple) and len(runs) > MAX_RUNS:
        raise ConfigError("runs", f"at most {MAX_RUNS} runs, got {len(runs)}")
