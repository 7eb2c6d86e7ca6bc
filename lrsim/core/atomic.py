"""Atomic file writing: a temporary file in the target folder, renamed into place.

An interrupted write never leaves a truncated file where a good one was, and a
folder that does not exist is an error (it is not created).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from lrsim.core.errors import ConfigError


def _default_permissions() -> int:
    """What open() would give a new file: 0o666 less the umask (mkstemp gives 0o600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_writer(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Yield a file object; on success it replaces ``path``, on any error it vanishes."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ConfigError(str(path), f"folder {str(folder)!r} does not exist")
    if path.is_dir():
        raise ConfigError(str(path), "is a folder")
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        newline = "" if "b" not in mode else None
        encoding = "utf-8" if "b" not in mode else None
        with os.fdopen(handle, mode, newline=newline, encoding=encoding) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, _default_permissions())
        os.replace(temp_name, path)
    except BaseException:
        try:
            os.unlink(temp_name)
        except FileNotFoundError:
            pass
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    with atomic_writer(path) as stream:
        stream.write(text)


def write_with(path: str | Path, writer: Callable[[IO], None], mode: str = "w") -> None:
    """Call ``writer(stream)`` into a temporary file that replaces ``path`` on success."""
    with atomic_writer(path, mode) as stream:
        writer(stream)
