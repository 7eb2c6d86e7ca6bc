"""The ``lrsim`` command: open the app, or work headless (``lrsim export``).

Every bad input ends in one line on stderr naming the field and the problem and
a non-zero exit, never a traceback; nothing on disk is overwritten unless the
command succeeds.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from lrsim.core.errors import ConfigError
from lrsim.core.safe_text import printable

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line."""

    def error(self, message: str) -> None:  # noqa: D401 - argparse override
        self.exit(EXIT_BAD_INPUT, f"lrsim: {message} (see lrsim --help)\n")


def _command_modules():
    """Every module of ``lrsim.commands``: each adds one subcommand with ``register``."""
    import lrsim.commands

    for info in sorted(pkgutil.iter_modules(lrsim.commands.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"lrsim.commands.{info.name}")


def command_names() -> set[str]:
    return {module.NAME for module in _command_modules()}


def build_parser() -> argparse.ArgumentParser:
    from lrsim import __version__

    parser = _Parser(
        prog="lrsim",
        usage="lrsim [-h] [--version] [RUNFILE]\n       lrsim COMMAND [options] (see below)",
        description=(
            "Loss-landscape simulator. `lrsim` opens the app, `lrsim RUNFILE` opens it with "
            "that run file loaded; the commands below work headless."
        ),
    )
    parser.add_argument("--version", action="version", version=f"lrsim {__version__}")
    commands = parser.add_subparsers(
        dest="command", parser_class=_Parser, metavar="COMMAND", title="commands"
    )
    for module in _command_modules():
        module.register(commands)
    return parser


EXIT_NO_DISPLAY = 3
NO_DISPLAY_MESSAGE = (
    "lrsim: no display found (DISPLAY and WAYLAND_DISPLAY are not set): run the app under "
    "`xvfb-run -a lrsim`, or use the headless commands (lrsim export | stats | lr-find | "
    "render | schedules; see lrsim --help)"
)


def display_problem(environ=None, platform: str | None = None) -> str | None:
    """Why the app cannot open a window here, or None.

    Checked before Qt starts: without a display Qt's xcb plugin aborts the process
    with a message about reinstalling libraries, which is the wrong advice. A
    ``QT_QPA_PLATFORM`` the user set (offscreen, wayland, vnc...) is respected.
    """
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux") and "bsd" not in platform:
        return None  # macOS and Windows always have their own window system
    if environ.get("QT_QPA_PLATFORM") or environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return NO_DISPLAY_MESSAGE


def run_gui(argv: Sequence[str]) -> int:
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        build_parser().parse_args(argv)  # prints help or a usage error
        return EXIT_BAD_INPUT
    if argv:  # a bad run file is reported as such, display or not
        from lrsim.core.runfile import load_runfile

        load_runfile(argv[0])
    problem = display_problem()
    if problem is not None:
        print(problem, file=sys.stderr)
        return EXIT_NO_DISPLAY
    from lrsim.gui.app import main as gui_main

    return gui_main(argv[0] if argv else None)


def _say(message: str) -> None:
    """One line on stderr; text from a run file never acts on the terminal."""
    from lrsim.commands._common import end_progress_line

    end_progress_line()
    print(f"lrsim: {printable(message)}", file=sys.stderr)


def _run_command(args: argparse.Namespace) -> int:
    """The handler under the signal handlers, with floating-point warnings silenced:
    overflow is refused or reported as divergence, never a RuntimeWarning line."""
    import warnings

    import numpy as np

    from lrsim.commands import _signals

    with _signals.handled(), np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return args.handler(args)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if not argv or argv[0] not in command_names():
            if argv and argv[0] in ("-h", "--help"):
                build_parser().parse_args(argv)
            return run_gui(argv)
        args = build_parser().parse_args(argv)
        return _run_command(args)
    except ConfigError as error:
        _say(str(error))
        return EXIT_BAD_INPUT
    except SystemExit as exit_request:  # argparse: help or a usage error, already printed
        return int(exit_request.code or 0)
    except KeyboardInterrupt as interrupt:
        from lrsim.commands._signals import Interrupted

        if isinstance(interrupt, Interrupted):
            _say(f"{interrupt.description}; nothing was written")
            return interrupt.exit_code
        _say("interrupted; nothing was written")
        return 130
    except MemoryError:
        _say("out of memory; try fewer particles or steps")
        return EXIT_INTERNAL
    except OSError as error:  # a disk that fills up, a folder that became read-only
        where = f"{error.filename}: " if error.filename else ""
        _say(f"{where}{error.strerror or error}")
        return EXIT_INTERNAL
    except Exception as error:  # one line, never a traceback
        _say(f"internal error: {type(error).__name__}: {error}")
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
