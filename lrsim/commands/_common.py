"""Pieces every subcommand shares: output checks and progress on stderr."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from lrsim.core.errors import ConfigError


def progress_printer(label: str, enabled: bool):
    """A progress callback that prints at most a few times a second, only for long work."""
    start = time.monotonic()
    last = [start]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if enabled and now - start > 1.0 and (now - last[0] > 0.5 or done >= total):
            last[0] = now
            percent = 100.0 * done / max(1, total)
            print(f"\r{label}: {percent:5.1f}%", end="" if done < total else "\n", file=sys.stderr)

    return report


def check_output_path(path: Path) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ConfigError(str(path), f"folder {str(folder)!r} does not exist")
    if path.is_dir():
        raise ConfigError(str(path), "is a folder")
