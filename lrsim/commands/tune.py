"""`lrsim tune RUNFILE [-o tuned.toml]`: a fair fight, each run at its own best lr / momentum."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lrsim.commands._common import (
    add_memory_options,
    check_output_path,
    compile_kernels_if_needed,
    progress_printer,
)
from lrsim.core.errors import ConfigError

NAME = "tune"


def run(args: argparse.Namespace) -> int:
    from lrsim.core.runfile import load_runfile, save_runfile
    from lrsim.core.tune import describe, tune_runfile

    output = Path(args.output) if args.output else None
    if output is not None:
        check_output_path(output)
    if not args.loss_tol > 0:
        raise ConfigError("--loss-tol", f"must be > 0, got {args.loss_tol!r}")
    runfile = load_runfile(args.runfile)
    params = tuple(args.param) if args.param else ("lr",)
    compile_kernels_if_needed(args.quiet)
    try:
        result = tune_runfile(
            runfile,
            params,
            args.metric,
            loss_tol=args.loss_tol,
            memory_budget=args.memory_budget,
            progress=progress_printer("tuning", not args.quiet),
        )
    except ConfigError as error:
        if error.field in ("param", "metric"):
            raise ConfigError(f"--{error.field}", error.problem) from None
        raise
    assert result is not None  # no cancel callback
    print(f"metric: {result.metric} (lower is better); {result.candidate_runs} candidate runs")
    print(describe(result))
    if output is not None:
        save_runfile(result.runfile, output)
        if not args.quiet:
            print(f"wrote the tuned run file to {output}", file=sys.stderr)
    return 0


def register(commands) -> None:
    parser = commands.add_parser(
        NAME,
        help="tune each run's lr (and momentum) on its own starts and steps; write the result",
        description=(
            "For every run, a log-scale search (a coarse grid, then a refine) of the named "
            "parameters on the run file's own starts and step budget. Prints the best value, "
            "its metric and the metric at every value tried; -o writes the tuned run file. "
            "final_loss: median final loss, a diverged particle counting as +inf. iterations: "
            "median first step with loss - global minimum <= --loss-tol, never counting as "
            "steps + 1. Deterministic."
        ),
    )
    parser.add_argument("runfile", help="run file (TOML or JSON)")
    parser.add_argument(
        "--param",
        action="append",
        choices=("lr", "momentum"),
        help="parameter to tune, repeatable, tuned in the order given (default lr)",
    )
    parser.add_argument(
        "--metric",
        choices=("final_loss", "iterations"),
        default="final_loss",
        help="what the search minimises (default final_loss)",
    )
    parser.add_argument(
        "--loss-tol", type=float, default=1e-3, help="loss gap of the iterations metric"
    )
    add_memory_options(parser, stride=False)  # each batch of candidates within the budget
    parser.add_argument("-o", "--output", help="write the tuned run file here (TOML or .json)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    parser.set_defaults(handler=run)
