"""`lrsim export RUNFILE -o OUT.csv`: simulate headless and write the trajectory CSV."""

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

NAME = "export"


def run(args: argparse.Namespace) -> int:
    from lrsim.core.engine import Simulation
    from lrsim.core.export import export_csv
    from lrsim.core.runfile import load_runfile

    output = Path(args.output)
    check_output_path(output, inputs=(args.runfile,))
    runfile = load_runfile(args.runfile)
    compile_kernels_if_needed(args.quiet)
    simulation = Simulation(
        runfile, allow_stride=False, memory_budget=args.memory_budget, stride=args.stride
    )
    show = not args.quiet
    state = None
    if args.state:
        from lrsim.core.state_export import simulate_with_state

        state = simulate_with_state(simulation, progress=progress_printer("simulating", show))
    else:
        simulation.run_to_end(progress=progress_printer("simulating", show))
    rows = export_csv(simulation, output, progress=progress_printer("writing", show), state=state)
    if show:
        print(f"wrote {rows} rows to {output}", file=sys.stderr)
    return 0


def register(commands) -> None:
    parser = commands.add_parser(NAME, help="simulate a run file and write the trajectory CSV")
    parser.add_argument("runfile", help="run file (TOML or JSON)")
    parser.add_argument("-o", "--output", required=True, help="CSV file to write")
    add_memory_options(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument(
        "--state",
        action="store_true",
        help="append the optimizer's state after each update (columns named after its state "
        "keys, _x/_y per coordinate; row 0 empty)",
    )
    parser.set_defaults(handler=run)
