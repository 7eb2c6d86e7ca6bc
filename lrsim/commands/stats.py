"""`lrsim stats RUNFILE [-o stats.csv]`: convergence statistics and sharpness per run."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from lrsim.commands._common import check_output_path, compile_kernels_if_needed, progress_printer
from lrsim.core.errors import ConfigError

NAME = "stats"


def _cell(value) -> str:
    if isinstance(value, float):
        return "-" if math.isnan(value) else f"{value:.4g}"
    return str(value)


def run(args: argparse.Namespace) -> int:
    from lrsim.core.engine import Simulation
    from lrsim.core.export import export_stats_csv
    from lrsim.core.runfile import load_runfile
    from lrsim.core.stats import stats_table

    if args.output:
        check_output_path(Path(args.output))
    for option in ("loss_tol", "dist_tol"):
        if not getattr(args, option) > 0:
            raise ConfigError(f"--{option.replace('_', '-')}", "must be > 0")
    compile_kernels_if_needed(args.quiet)
    simulation = Simulation(load_runfile(args.runfile), allow_stride=False)
    simulation.run_to_end(progress=progress_printer("simulating", not args.quiet))
    table = stats_table(simulation, loss_tol=args.loss_tol, dist_tol=args.dist_tol)
    if args.output:
        export_stats_csv(table, args.output)
        return 0
    header = (
        "run", "iters (loss)", "iters (dist)", "final loss", "global min", "diverged", "sharpness",
    )  # fmt: skip
    lines = [header]
    for stats in table:
        lines.append(
            (
                stats.label,
                _cell(stats.iterations_to_loss_tol),
                _cell(stats.iterations_to_dist_tol),
                _cell(stats.final_loss_median),
                "-" if math.isnan(stats.global_fraction) else f"{stats.global_fraction:.0%}",
                f"{stats.diverged}/{stats.n_particles}",
                _cell(stats.sharpness_median),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
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
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    parser.set_defaults(handler=run)
