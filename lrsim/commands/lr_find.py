"""`lrsim lr-find RUNFILE [-o curve.csv]`: LR range test; print the suggested lr range."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lrsim.commands._common import (
    add_memory_options,
    check_output_path,
    compile_kernels_if_needed,
)
from lrsim.core.errors import ConfigError
from lrsim.core.safe_text import printable

NAME = "lr-find"

_OPTIONS = {  # lr_range_test's argument -> this command's option, for error messages
    "run_index": "--run",
    "min_lr": "--min-lr",
    "max_lr": "--max-lr",
    "steps": "--steps",
    "smoothing": "--smoothing",
    "seed": "--seed",
}


def run(args: argparse.Namespace) -> int:
    from lrsim.core.lr_find import describe, lr_range_test, write_curve_csv
    from lrsim.core.runfile import load_runfile

    output = Path(args.output) if args.output else None
    if output is not None:
        check_output_path(output, inputs=(args.runfile,))
    runfile = load_runfile(args.runfile)
    compile_kernels_if_needed(args.quiet)
    try:
        result = lr_range_test(
            runfile,
            args.run,
            min_lr=args.min_lr,
            max_lr=args.max_lr,
            steps=args.steps,
            particles=args.particles,
            smoothing=args.smoothing,
            seed=args.seed,
            memory_budget=args.memory_budget,
        )
    except ConfigError as error:
        if error.field == "particles" and "memory budget" in error.problem:
            raise ConfigError("--memory-budget", error.problem) from None
        if error.field == "particles" and args.particles is not None:
            raise ConfigError("--particles", error.problem) from None
        if error.field in _OPTIONS:
            raise ConfigError(_OPTIONS[error.field], error.problem) from None
        raise
    label = printable(runfile.runs[args.run].label)
    print(f"run {args.run} ({label}), {result.steps} steps:")
    print(describe(result))
    if output is not None:
        write_curve_csv(result, output)
        if not args.quiet:
            print(f"wrote {result.steps + 1} rows to {output}", file=sys.stderr)
    return 0


def register(commands) -> None:
    parser = commands.add_parser(
        NAME,
        help="LR range test: sweep a run's lr and suggest bounds for a cyclic schedule",
        description=(
            "Runs a run's optimizer with its lr rising exponentially from --min-lr to "
            "--max-lr, prints the suggested lr range (steepest descent .. largest stable "
            "lr) and optionally writes the loss curve as CSV."
        ),
    )
    parser.add_argument("runfile", help="run file (TOML or JSON)")
    parser.add_argument("--run", type=int, default=0, metavar="N", help="run to test (from 0)")
    parser.add_argument("--min-lr", type=float, default=1e-6, help="first lr (default 1e-6)")
    parser.add_argument("--max-lr", type=float, default=10.0, help="last lr (default 10)")
    parser.add_argument(
        "--steps", type=int, default=100, help="updates in the sweep, >= 10 (default 100)"
    )
    parser.add_argument(
        "--particles",
        type=int,
        default=None,
        metavar="N",
        help="N seeded random starts over the domain instead of the run file's starts",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of --particles (default 0)")
    parser.add_argument(
        "--smoothing",
        type=float,
        default=0.4,
        help="moving-average weight in (0, 1]; 1 = no smoothing (default 0.4)",
    )
    add_memory_options(parser, stride=False)
    parser.add_argument("-o", "--output", help="write the curve CSV here")
    parser.add_argument("-q", "--quiet", action="store_true", help="nothing on stderr")
    parser.set_defaults(handler=run)
