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


def give_default_mode(path: str | Path) -> None:
    """The permissions a plain new file (or folder) gets: mkstemp and mkdtemp make them
    private (0o600 / 0o700), open() would give 0o666 (0o777) less the umask."""
    umask = os.umask(0o022)
    os.umask(umask)
    mode = 0o777 if Path(path).is_dir() else 0o666
    os.chmod(path, mode & ~umask)


def check_parent_folder(path: str | Path) -> Path:
    """The folder ``path`` would be written into; ConfigError if it does not exist."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ConfigError(str(path), f"folder {str(folder)!r} does not exist")
    return folder


def check_target(path: str | Path) -> Path:
    """The folder a file ``path`` goes into, checked before any work: it must exist and
    ``path`` must not be a folder (the same checks ``atomic_writer`` makes)."""
    folder = check_parent_folder(path)
    if Path(path).is_dir():
        raise ConfigError(str(path), "is a folder")
    return folder


@contextmanager
def atomic_writer(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Yield a file object; on success it replaces ``path``, on any error it vanishes."""
    path = Path(path)
    folder = check_target(path)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        newline = "" if "b" not in mode else None
        encoding = "utf-8" if "b" not in mode else None
        with os.fdopen(handle, mode, newline=newline, encoding=encoding) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        give_default_mode(temp_name)
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
