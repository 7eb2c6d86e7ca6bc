"""Run-file text to data: TOML or JSON, every decoder failure as one ConfigError.

The decoders raise more than their own error types on hostile text: a number
of more than 4300 digits is a ``ValueError``, deep nesting a ``RecursionError``.
Each becomes one line naming the file (and the line, where it can be found).
JSON objects with a repeated key are refused, as TOML refuses them.
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

from lrsim.core.errors import ConfigError

_LONG_NUMBER = re.compile(r"\d{4000,}")
_KEY_BEFORE = re.compile(r"[\"']?([A-Za-z0-9_-]{1,64})[\"']?\s*[=:]\s*-?\+?$")


class _DuplicateKey(Exception):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for key, value in pairs:
        if key in table:
            raise _DuplicateKey(key)
        table[key] = value
    return table


def _long_number_line(text: str) -> str:
    """ "line N (key): " of the first number too long to decode, or "" if none is found."""
    found = _LONG_NUMBER.search(text)
    if found is None:
        return ""
    line_start = text.rfind("\n", 0, found.start()) + 1
    key = _KEY_BEFORE.search(text, line_start, found.start())
    named = f" ({key.group(1)})" if key else ""
    return f"line {text.count(chr(10), 0, found.start()) + 1}{named}: "


def decode_text(text: str, name: str, *, json_text: bool) -> dict[str, Any]:
    """The decoded table of ``text`` (JSON when ``json_text``, else TOML); ``name`` is
    the file the errors name."""
    try:
        if json_text:
            data = json.loads(text, object_pairs_hook=_unique_object)
        else:
            data = tomllib.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(name, f"is not valid JSON: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(name, f"is not valid TOML: {error}") from None
    except _DuplicateKey as error:
        raise ConfigError(
            name, f"is not valid JSON: the key {error.key!r} appears twice in a table"
        ) from None
    except RecursionError:
        raise ConfigError(
            name, "is nested too deeply (tables or lists inside each other)"
        ) from None
    except (ValueError, OverflowError):
        where = _long_number_line(text)
        raise ConfigError(name, f"{where}holds a number with too many digits") from None
    if not isinstance(data, dict):
        raise ConfigError(name, "must contain a table (a JSON object)")
    return data
