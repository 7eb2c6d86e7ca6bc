"""A small TOML writer for the run-file structure (the standard library only reads TOML).

Scalars first, then tables, then the ``[[runs]]`` array of tables; optimizer and
schedule tables as inline tables. Floats are written with ``repr`` so they read
back bit for bit; strings with JSON escapes, which TOML's basic strings accept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        # TOML has no null: the one list that takes JSON's null, Adafactor's eps, documents
        # null and "auto" as the same value
        return "[" + ", ".join('"auto"' if v is None else _toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):  # a null value is left out: absent means the default too
        items = ", ".join(
            f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items() if v is not None
        )
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def dumps_toml(data: Mapping[str, Any]) -> str:
    """TOML text of the run-file structure: scalars, then tables, then [[runs]]."""
    lines: list[str] = []
    tables = []
    for key, value in data.items():
        if isinstance(value, Mapping):
            tables.append((key, value))
        elif key == "runs":
            continue
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, table in tables:
        lines += ["", f"[{_toml_key(key)}]"]
        lines += [f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in table.items()]
    for run in data.get("runs", []):
        lines += ["", "[[runs]]"]
        lines += [f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in run.items()]
    return "\n".join(lines) + "\n"
