"""Pieces every subcommand shares: output checks and progress on stderr."""

from __future__ import annotations

import sys
import time

from lrsim.core.atomic import check_target as check_output_path  # noqa: F401 (re-export)


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
