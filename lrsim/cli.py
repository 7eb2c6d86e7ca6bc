"""The ``lrsim`` command: open the app, or work headless (``lrsim export``).

Every bad input ends in one line on stderr naming the field and the problem and
a non-zero exit, never a traceback; nothing on disk is overwritten unless the
command succeeds.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from lrsim.core.errors import ConfigError

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line."""

    def error(self, message: str) -> None:  # noqa: D401 - argparse override
        self.exit(EXIT_BAD_INPUT, f"lrsim: {message} (see lrsim --help)\n")


def _progress_printer(label: str, enabled: bool):
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


def _check_output(path: Path) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ConfigError(str(path), f"folder {str(folder)!r} does not exist")
    if path.is_dir():
        raise ConfigError(str(path), "is a folder")


def command_export(args: argparse.Namespace) -> int:
    from lrsim.core.engine import Simulation
    from lrsim.core.export import export_csv
    from lrsim.core.runfile import load_runfile

    output = Path(args.output)
    _check_output(output)
    runfile = load_runfile(args.runfile)
    simulation = Simulation(runfile, allow_stride=False)
    show = not args.quiet
    simulation.run_to_end(progress=_progress_printer("simulating", show))
    rows = export_csv(simulation, output, progress=_progress_printer("writing", show))
    if show:
        print(f"wrote {rows} rows to {output}", file=sys.stderr)
    return 0


def _add_export(commands) -> None:
    export = commands.add_parser("export", help="simulate a run file and write the trajectory CSV")
    export.add_argument("runfile", help="run file (TOML or JSON)")
    export.add_argument("-o", "--output", required=True, help="CSV file to write")
    export.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    export.set_defaults(handler=command_export)


COMMANDS = {"export": _add_export}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lrsim",
        description="Loss-landscape simulator. `lrsim [RUNFILE]` opens the app.",
    )
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    for add in COMMANDS.values():
        add(commands)
    return parser


def run_gui(argv: Sequence[str]) -> int:
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        build_parser().parse_args(argv)  # prints help or a usage error
        return EXIT_BAD_INPUT
    from lrsim.gui.app import main as gui_main

    return gui_main(argv[0] if argv else None)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if not argv or argv[0] not in COMMANDS:
            if argv and argv[0] in ("-h", "--help"):
                build_parser().parse_args(argv)
            return run_gui(argv)
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except ConfigError as error:
        print(f"lrsim: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except SystemExit as exit_request:  # argparse: help or a usage error, already printed
        return int(exit_request.code or 0)
    except KeyboardInterrupt:
        print("lrsim: interrupted; nothing was written", file=sys.stderr)
        return 130
    except MemoryError:
        print("lrsim: out of memory; try fewer particles or steps", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as error:  # one line, never a traceback
        print(f"lrsim: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
