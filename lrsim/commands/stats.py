"""`lrsim stats RUNFILE [-o stats.csv]`: convergence statistics and sharpness per run."""

from __future__ import annotations

import argparse
import math
import textwrap
from pathlib import Path

from lrsim.commands._common import (
    add_memory_options,
    check_output_path,
    compile_kernels_if_needed,
    progress_printer,
)
from lrsim.core.errors import ConfigError
from lrsim.core.safe_text import printable

NAME = "stats"


def _cell(value) -> str:
    if isinstance(value, float):
        return "-" if math.isnan(value) else f"{value:.4g}"
    return str(value)


def _percent(fraction: float) -> str:
    if math.isnan(fraction):
        return "-"
    if 0 < fraction < 0.01:
        return "<1 %"
    return f"{fraction:.0%}".replace("%", " %")


def _iterations(value: float, fraction: float) -> str:
    """``68 (3 %)``: the median step over the particles that got there, and how many did."""
    if math.isnan(fraction):
        return "-"
    return f"{_cell(value)} ({_percent(fraction)})"


HEADER = (
    "run", "iters to loss (reached)", "iters to min (reached)", "final loss best",
    "median", "worst", "distance", "global min", "diverged", "sharpness", "flatness",
)  # fmt: skip


def table_lines(table) -> list[tuple[str, ...]]:
    """The terminal table's rows (header first), one per run, as strings."""
    lines = [HEADER]
    for stats in table:
        lines.append(
            (
                printable(stats.label),
                _iterations(stats.iterations_to_loss_tol, stats.reached_fraction),
                _iterations(stats.iterations_to_dist_tol, stats.dist_reached_fraction),
                _cell(stats.final_loss_best),
                _cell(stats.final_loss_median),
                _cell(stats.final_loss_worst),
                _cell(stats.distance_median),
                _percent(stats.global_fraction),
                f"{stats.diverged}/{stats.n_particles}",
                _cell(stats.sharpness_median),
                _cell(stats.flatness_median),
            )
        )
    return lines


def print_table(table, loss_tol: float, dist_tol: float) -> None:
    """The table, then each run's basin counts, then what the columns mean."""
    lines = table_lines(table)
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    for line in lines:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
    print()
    for stats in table:
        ranked = sorted(stats.basin_counts.items(), key=lambda item: -item[1])
        counts = ", ".join(f"{name} {count}" for name, count in ranked) or "-"
        diverged = f", diverged {stats.diverged}" if stats.diverged else ""
        print(f"basins of {printable(stats.label)} (particles): {counts}{diverged}")
    print()
    legend = (
        f"iters: median first step with the loss gap <= {loss_tol:g} (to loss) or within "
        f"{dist_tol:g} of a known minimum (to min), over the particles that got there; "
        "(reached) is their share of all particles. Final losses and the median distance to "
        "the nearest known minimum leave out diverged particles. global min: share in a "
        "global minimum's basin, where a short exact descent from the particle ends. "
        "sharpness / flatness: median largest / smallest Hessian eigenvalue at the ends."
    )
    print(textwrap.fill(legend, width=100))


def run(args: argparse.Namespace) -> int:
    from lrsim.core.engine import Simulation
    from lrsim.core.export import export_stats_csv
    from lrsim.core.runfile import load_runfile
    from lrsim.core.stats import stats_table

    if args.output:
        check_output_path(Path(args.output), inputs=(args.runfile,))
    for option in ("loss_tol", "dist_tol"):
        if not getattr(args, option) > 0:
            raise ConfigError(f"--{option.replace('_', '-')}", "must be > 0")
    compile_kernels_if_needed(args.quiet)
    simulation = Simulation(
        load_runfile(args.runfile),
        allow_stride=False,
        memory_budget=args.memory_budget,
        stride=args.stride,
    )
    simulation.run_to_end(progress=progress_printer("simulating", not args.quiet))
    table = stats_table(simulation, loss_tol=args.loss_tol, dist_tol=args.dist_tol)
    if args.output:
        export_stats_csv(table, args.output)
        return 0
    print_table(table, args.loss_tol, args.dist_tol)
    return 0


def register(commands) -> None:
    parser = commands.add_parser(NAME, help="simulate a run file and print or save statistics")
    parser.add_argument("runfile", help="run file (TOML or JSON)")
    parser.add_argument("-o", "--output", help="write the statistics CSV here instead")
    parser.add_argument(
        "--loss-tol",
        type=float,
        default=1e-3,
        help="loss gap tolerance: loss minus the global minimum's value (default 1e-3)",
    )
    parser.add_argument(
        "--dist-tol",
        type=float,
        default=1e-2,
        help="distance to the nearest known minimum (default 1e-2)",
    )
    add_memory_options(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    parser.set_defaults(handler=run)
