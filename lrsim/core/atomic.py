"""Atomic file writing: a temporary file in the target folder, renamed into place.

An interrupted write never leaves a truncated file where a good one was, and a
folder that does not exist is an error (it is not created).
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Callable, Iterator, Sequence
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


NAME_MAX = 255
"""Bytes in one file name on every common file system; a temporary name must fit too."""


def temp_prefix(name: str, suffix: str) -> str:
    """``.NAME.`` for a temporary file beside ``name``, with NAME cut so that the whole
    temporary name (``mkstemp`` adds 8 characters, then ``suffix``) fits ``NAME_MAX``."""
    room = NAME_MAX - 2 - 8 - len(suffix.encode())
    encoded = name.encode("utf-8", "surrogateescape")
    if len(encoded) > room:
        name = encoded[: max(0, room)].decode("utf-8", "ignore")
    return f".{name}."


def check_replaceable(path: str | Path, inputs: Sequence[str | Path] = ()) -> None:
    """ConfigError unless ``path`` is new, or a regular file that is none of ``inputs``.

    A device, a FIFO or a socket is never replaced (as root, ``-o /dev/null`` would
    replace the real one), nor the run file being read (``export run.toml -o
    run.toml``), even through another name (a link).
    """
    try:
        target = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as error:
        raise ConfigError(str(path), f"cannot be checked ({error.strerror or error})") from None
    if stat.S_ISDIR(target.st_mode):
        raise ConfigError(str(path), "is a folder")
    if not stat.S_ISREG(target.st_mode):
        raise ConfigError(
            str(path), "is not a regular file (a device, FIFO or socket); not replaced"
        )
    for source in inputs:
        try:
            read = os.stat(source)
        except OSError:
            continue
        if (read.st_dev, read.st_ino) == (target.st_dev, target.st_ino):
            raise ConfigError(str(path), f"is the input file {str(source)!r}; not replaced")


def check_target(path: str | Path, inputs: Sequence[str | Path] = ()) -> Path:
    """The folder a file ``path`` goes into, checked before any work: it must exist, and
    ``path`` must be new or a regular file other than ``inputs`` (the same checks
    ``atomic_writer`` makes)."""
    folder = check_parent_folder(path)
    check_replaceable(path, inputs)
    return folder


def _open_new(name: str) -> int:
    """A new private file (as ``mkstemp`` makes it); FileExistsError if ``name`` is taken."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    return os.open(name, flags, 0o600)


def _cannot_write(path: Path, error: OSError) -> ConfigError:
    """The error names the target, not the temporary file it was written as."""
    return ConfigError(str(path), f"cannot be written ({error.strerror or error})")


@contextmanager
def atomic_writer(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Yield a file object; on success it replaces ``path``, on any error it vanishes."""
    path = Path(path)
    folder = check_target(path)
    temp_name = ""
    try:
        # the name is known before the file exists: a signal at any moment finds it
        for _attempt in range(100):
            temp_name = os.path.join(
                folder, f"{temp_prefix(path.name, '.tmp')}{secrets.token_hex(4)}.tmp"
            )
            try:
                handle = _open_new(temp_name)
                break
            except FileExistsError:
                continue
        else:
            raise FileExistsError(17, "no free temporary name", temp_name)
        newline = "" if "b" not in mode else None
        encoding = "utf-8" if "b" not in mode else None
        with os.fdopen(handle, mode, newline=newline, encoding=encoding) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        give_default_mode(temp_name)
        check_replaceable(path)  # it may have become a FIFO meanwhile
        os.replace(temp_name, path)
    except BaseException as error:
        try:
            os.unlink(temp_name)
        except OSError:  # never created (an unwritable folder), or gone already
            pass
        if isinstance(error, OSError) and error.filename in (temp_name, None):
            raise _cannot_write(path, error) from None
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    with atomic_writer(path) as stream:
        stream.write(text)


def write_with(path: str | Path, writer: Callable[[IO], None], mode: str = "w") -> None:
    """Call ``writer(stream)`` into a temporary file that replaces ``path`` on success."""
    with atomic_writer(path, mode) as stream:
        writer(stream)
