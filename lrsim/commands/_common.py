"""Pieces every subcommand shares: output checks and progress on stderr."""

from __future__ import annotations

import argparse
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
        print(f"lrsim: {warmup.COMPILING_MESSAGE}...", file=sys.stderr)
    start = time.monotonic()
    warmup.compile_kernels()
    if not quiet:
        print(f"lrsim: kernels compiled in {time.monotonic() - start:.0f} s", file=sys.stderr)


def parse_size(text: str) -> int:
    """Bytes from ``2G``, ``512M``, ``1.5GB``, ``800000000`` (argparse type; binary units)."""
    cleaned = str(text).strip().upper().removesuffix("B").removesuffix("I")
    factor = 1
    for suffix, power in (("K", 1), ("M", 2), ("G", 3), ("T", 4)):
        if cleaned.endswith(suffix):
            cleaned, factor = cleaned[:-1], 1024**power
            break
    try:
        value = float(cleaned) * factor
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 4G, 512M)") from None
    if not (value >= 1 and value < 2**63):
        raise argparse.ArgumentTypeError(f"must be a positive size, got {text!r}")
    return int(value)


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_memory_options(parser, *, stride: bool = True) -> None:
    """``--memory-budget SIZE`` and (where a history is kept) ``--stride K``."""
    from lrsim.core.limits import DEFAULT_MEMORY_BUDGET

    parser.add_argument(
        "--memory-budget",
        type=parse_size,
        default=DEFAULT_MEMORY_BUDGET,
        metavar="SIZE",
        help="largest recorded history, e.g. 8G or 512M "
        f"(default {DEFAULT_MEMORY_BUDGET // 1024**3}G)",
    )
    if stride:
        parser.add_argument(
            "--stride",
            type=positive_int,
            default=None,
            metavar="K",
            help="record every K-th step (and the last) to fit more particles or steps in the "
            "budget (default 1: every step)",
        )
