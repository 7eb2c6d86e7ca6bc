"""Pieces every subcommand shares: output checks and progress on stderr."""

from __future__ import annotations

import sys
import time

from lrsim.core.atomic import check_target as check_output_path  # noqa: F401 (re-export)


class _Line:
    open = False  # a progress report is on the terminal's last line, without a newline


def end_progress_line() -> None:
    """Finish a progress report's line, so the next message starts a line of its own."""
    if _Line.open:
        _Line.open = False
        print(file=sys.stderr)


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
            _Line.open = done < total

    return report
