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


def compile_kernels_if_needed(quiet: bool) -> None:
    """On a first start (empty numba cache) say why the wait, then compile every kernel.

    Commands always run the kernels, so their outputs never depend on the cache;
    compiling all of them once (and marking the cache) also spares the app's
    first start.
    """
    from lrsim.core import warmup

    if warmup.kernels_ready():
        return
    if not quiet:
        print(f"lrsim: {warmup.COMPILING_MESSAGE}, about a minute...", file=sys.stderr)
    start = time.monotonic()
    warmup.compile_kernels()
    if not quiet:
        print(f"lrsim: kernels compiled in {time.monotonic() - start:.0f} s", file=sys.stderr)
