"""`lrsim render RUNFILE -o out.mp4|out.gif|folder/`: the animation, headless, for slides.

Qt needs a display to paint; without one (no ``DISPLAY``) the command uses Qt's
``offscreen`` platform, which draws the contour and small-multiples views but
has no OpenGL, so ``--view 3d`` then says to run under ``xvfb-run``.
"""

from __future__ import annotations

import argparse
import os
import sys

from lrsim.commands._common import (
    add_memory_options,
    compile_kernels_if_needed,
    progress_printer,
)
from lrsim.core.errors import ConfigError
from lrsim.gui.views.registry import DEFAULT, VIEWS, view_names, view_spec

NAME = "render"
NO_DISPLAY_GL = (
    "{view} needs a display with OpenGL and there is none (DISPLAY is not set); "
    f"run under xvfb-run -a, or use --view {DEFAULT}"
)
_QUIET_QT = ("propagateSizeHints",)  # the offscreen platform's harmless complaints


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _application():
    """The QApplication: the running one, or a new one (offscreen without a display)."""
    if not _has_display() and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt is loaded
    from PySide6.QtCore import QCoreApplication, Qt, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        # the 3D view's shader programs are shared by every GL widget of the process
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        previous = None

        def quiet(mode, context, message):
            if any(text in message for text in _QUIET_QT):
                return
            if previous is not None:
                previous(mode, context, message)
            else:
                print(message, file=sys.stderr)

        previous = qInstallMessageHandler(quiet)
    from lrsim.gui.app import create_app

    return create_app()


def _options(args: argparse.Namespace):
    from lrsim.gui.render.animation import RenderOptions, parse_size, parse_step_range

    try:
        size = parse_size(args.size)
        first, last = parse_step_range(args.steps) if args.steps else (None, None)
        options = RenderOptions(
            size=size,
            fps=args.fps,
            first_step=first,
            last_step=last,
            every=args.every,
            frames_per_step=args.frames_per_step,
            hold=args.hold,
            view=args.view,
            dark=args.theme == "dark",
            header=not args.no_header,
            lr_strip=not args.no_lr,
            scale=args.scale,
        ).checked()
    except ConfigError as error:
        option = {"frames_per_step": "frames-per-step", "first_step": "steps"}.get(
            error.field, error.field.replace("_", "-")
        )
        raise ConfigError(f"--{option}", error.problem) from None
    return options


def run(args: argparse.Namespace) -> int:
    from lrsim.gui.render.writers import check_output

    options = _options(args)
    check_output(args.output, inputs=(args.runfile,))  # format, encoder, folder: before work
    needs_gl = view_spec(options.view).needs_gl
    if needs_gl and not _has_display():
        raise ConfigError("--view", NO_DISPLAY_GL.format(view=options.view))
    from lrsim.core.engine import Simulation
    from lrsim.core.runfile import load_runfile

    runfile = load_runfile(args.runfile)
    compile_kernels_if_needed(args.quiet)
    _application()
    if needs_gl:
        from lrsim.gui.views import opengl_problem

        problem = opengl_problem()
        if problem is not None:
            raise ConfigError("--view", f"{options.view}: {problem} Use --view {DEFAULT}")
    from lrsim.commands import _signals
    from lrsim.gui.render.animation import check_frame_total, frame_columns, render_animation

    simulation = Simulation(runfile, memory_budget=args.memory_budget, stride=args.stride)
    try:
        columns = frame_columns(simulation, options)
    except ConfigError as error:
        raise ConfigError("--steps", error.problem) from None
    try:
        check_frame_total(len(columns), options)
    except ConfigError as error:
        raise ConfigError(f"--{error.field.replace('_', '-')}", error.problem) from None
    show = not args.quiet
    simulation.run_to_end(last=int(simulation.recorded_steps[columns[-1]]))  # Ctrl-C: seen
    # Qt paints the frames: a signal there must not raise inside its callbacks (it
    # crashed in pyqtgraph's paint); it asks the loop to stop instead, raised on leaving
    with _signals.deferred():
        result = render_animation(
            simulation,
            args.output,
            options,
            progress=progress_printer("rendering", show),
            cancel=_signals.requested,
        )
    if result.cancelled:
        _signals.raise_requested()
    for note in result.notes:
        print(f"lrsim: {note}", file=sys.stderr)
    if show:
        print(result.summary())
    return 0


def register(commands) -> None:
    parser = commands.add_parser(
        NAME,
        help="render the animation to MP4, GIF or PNG frames (headless, for slides)",
        description=(
            "Simulates a run file and renders its playback: one frame per step, the view "
            "with the runs' colours and learning rates, 'step k / N' and the schedules. "
            "The format follows the output: .mp4 (H.264), .gif, or a folder (PNG frames "
            "frame_00000.png ...). GIF and PNG need nothing more; MP4 needs the video extra: "
            "pip install -e '.[video]' in the lrsim folder."
        ),
    )
    parser.add_argument("runfile", help="run file (TOML or JSON)")
    parser.add_argument("-o", "--output", required=True, help="out.mp4, out.gif or a folder/")
    parser.add_argument("--size", default="1920x1080", help="frame size WxH (default 1920x1080)")
    parser.add_argument("--fps", type=float, default=12.0, help="frames per second (default 12)")
    parser.add_argument(
        "--steps", metavar="A:B", help="steps A to B, both included (default: all; 'A:' or ':B')"
    )
    parser.add_argument("--every", type=int, default=1, metavar="K", help="every K-th step only")
    parser.add_argument(
        "--frames-per-step", type=int, default=1, metavar="N", help="show each step N frames"
    )
    parser.add_argument(
        "--hold", type=float, default=0.0, metavar="S", help="keep the last frame S seconds"
    )
    parser.add_argument(
        "--view",
        choices=view_names(renderable=True),
        default=DEFAULT,
        help=", ".join(f"{spec.name}: {spec.title}" for spec in VIEWS if spec.renderable)
        + f" (default {DEFAULT})",
    )
    parser.add_argument("--theme", choices=("dark", "light"), default="dark", help="default dark")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="write frames this many times --size (laid out at --size; e.g. 0.5 for a small GIF)",
    )
    add_memory_options(parser)
    parser.add_argument("--no-header", action="store_true", help="no title, legend, step counter")
    parser.add_argument("--no-lr", action="store_true", help="no learning-rate strip")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress, no summary")
    parser.set_defaults(handler=run)
