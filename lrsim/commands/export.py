"""`lrsim export RUNFILE -o OUT.csv`: simulate headless and write the trajectory.

The output's suffix picks the format: ``.csv`` (the contract's, the default),
``.parquet`` (pyarrow, the ``parquet`` extra) or ``.npz``. A CSV is written from
one ``Simulation`` (as the app does), so a history past the memory budget is
refused, naming it (the contract); with ``--stream``, and always for the
columnar files, the run file is simulated and written block by block of
particles (``lrsim.core.stream``) in the same row order, so memory holds one
block whatever the swarm's size.
"""

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


def _whole(args, runfile, output: Path, show: bool) -> int:
    from lrsim.core.engine import Simulation
    from lrsim.core.export import export_csv

    simulation = Simulation(
        runfile, allow_stride=False, memory_budget=args.memory_budget, stride=args.stride
    )
    state = None
    if args.state:
        from lrsim.core.state_export import simulate_with_state

        state = simulate_with_state(simulation, progress=progress_printer("simulating", show))
    else:
        simulation.run_to_end(progress=progress_printer("simulating", show))
    return export_csv(simulation, output, progress=progress_printer("writing", show), state=state)


def _streamed(args, runfile, output: Path, kind: str, show: bool) -> int:
    from lrsim.core.atomic import atomic_writer
    from lrsim.core.columnar import write_npz
    from lrsim.core.engine import recording_plan
    from lrsim.core.export import header, write_run_rows
    from lrsim.core.stream import prefetched, simulate_blocks

    steps = runfile.steps
    kept = len(recording_plan(steps, args.stride, steps + 1)[1]) if args.stride else steps + 1
    total = len(runfile.runs) * runfile.particles.count * kept
    printer = progress_printer("exporting", show)
    done = [0]

    def progress(rows: int) -> None:
        done[0] += rows
        printer(done[0], total)

    blocks = prefetched(
        simulate_blocks, runfile=runfile, stride=args.stride, memory_budget=args.memory_budget
    )
    with atomic_writer(output, "w" if kind == "csv" else "wb") as stream:
        if kind == "parquet":
            from lrsim.core.parquet import DEFAULT_COMPRESSION, write_parquet

            compression = args.compression or DEFAULT_COMPRESSION
            return write_parquet(blocks, stream, progress, compression=compression)
        if kind == "npz":
            labels = [run.label for run in runfile.runs]
            return write_npz(blocks, stream, labels, output.parent, progress)
        stream.write(header())
        for block in blocks:
            write_run_rows(
                block.simulation, stream, 0, label_run=block.run_index,
                first_particle=block.first_particle, progress=progress,
            )  # fmt: skip
        return done[0]


def run(args: argparse.Namespace) -> int:
    from lrsim.core.columnar import check_available, output_format
    from lrsim.core.errors import ConfigError
    from lrsim.core.runfile import load_runfile

    output = Path(args.output)
    check_output_path(output, inputs=(args.runfile,))
    kind = output_format(output)
    check_available(kind)
    runfile = load_runfile(args.runfile)
    if args.state and (kind != "csv" or args.stream):
        raise ConfigError(
            "--state", "is written to a whole CSV only (not to .parquet, .npz, --stream)"
        )
    if args.compression and kind != "parquet":
        raise ConfigError("--compression", "applies to .parquet output only")
    compile_kernels_if_needed(args.quiet)
    show = not args.quiet
    if kind == "csv" and not args.stream:
        rows = _whole(args, runfile, output, show)
    else:
        rows = _streamed(args, runfile, output, kind, show)
    if show:
        print(f"wrote {rows} rows to {output}", file=sys.stderr)
    return 0


def register(commands) -> None:
    parser = commands.add_parser(
        NAME, help="simulate a run file and write the trajectory (CSV, Parquet or npz)"
    )
    parser.add_argument("runfile", help="run file (TOML or JSON)")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        help="file to write: .csv (default format), .parquet (needs pyarrow) or .npz",
    )
    add_memory_options(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument(
        "--state",
        action="store_true",
        help="append the optimizer's state after each update (columns named after its state "
        "keys, _x/_y per coordinate; row 0 empty)",
    )
    parser.add_argument(
        "--stream",
        action="store_true",
        help="simulate and write block by block of particles, so the memory budget bounds one "
        "block, not the whole history (always on for .parquet and .npz)",
    )
    parser.add_argument(
        "--compression",
        choices=("none", "snappy", "lz4", "zstd"),
        help="codec of a .parquet's columns (default snappy: every reader has it, 2.2x smaller "
        "than none for the same CPU; lz4 is 14%% smaller again, zstd 30%% at 1.8x the CPU)",
    )
    parser.set_defaults(handler=run)
