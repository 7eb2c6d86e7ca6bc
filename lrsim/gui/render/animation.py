"""Render the playback to a video, a GIF or PNG frames, and the side panels to still images.

``render_animation(sim, output, options, progress, cancel)`` builds an offscreen
frame (``FrameWidget``: the chosen view, a header with the run file's title,
the runs' colours with their current learning rates and "step k / N", and a
strip with the learning-rate schedules and a cursor), resizes it to the
requested size, and for each recorded step in the range calls the view's
``set_column`` and grabs the frame. Qt widgets can only be painted on the GUI
thread, so this runs there; ``progress(done, total)`` is called after every
frame and ``cancel()`` is polled before it, with pending events processed in
between, so a dialog stays responsive. Writers (``render_writers``) commit the
output atomically; a cancelled or failed render leaves nothing behind.

Still images of the LR and loss panels are in ``render_stills``.

The 3D view needs an OpenGL context (a real or virtual X display); without one
the contour view is rendered instead and ``RenderResult.notes`` says why.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication

from lrsim.core.errors import ConfigError
from lrsim.gui.render import writers as render_writers
from lrsim.gui.render.frame import FrameWidget
from lrsim.gui.render.writers import check_output, even_size, open_writer
from lrsim.gui.views.registry import DEFAULT, view_names, view_spec

VIEWS = view_names(renderable=True)  # contour, multiples, 3d: from registry.VIEWS
SIZE_PRESETS = ((1920, 1080), (1280, 720), (1024, 768))
MAX_SIDE = 7680
MAX_GIF_BYTES = 2 * 1024**3  # Pillow holds every 8-bit GIF frame until it writes the file
MAX_FRAMES = 50_000  # frames in one output (70 minutes at 12 fps): --fps, --hold and
# --frames-per-step multiply, each within its own bound


@dataclass(frozen=True)
class RenderOptions:
    """What to render. Steps are the simulation's (0 = the starts), both ends included."""

    size: tuple[int, int] = (1920, 1080)
    fps: float = 12.0
    first_step: int | None = None  # None: 0
    last_step: int | None = None  # None: the last step
    every: int = 1  # show every k-th recorded step
    frames_per_step: int = 1  # each step shown this many frames (slow motion)
    hold: float = 0.0  # seconds the last frame stays
    view: str = DEFAULT  # one of VIEWS
    dark: bool = True
    log_scale: bool | None = None  # None: the surface's suggestion
    visible_runs: tuple[int, ...] | None = None  # None: every run
    header: bool = True  # title, run legend with the current lr, "step k / N"
    lr_strip: bool = True  # the schedules with a cursor at the current step
    scale: float = 1.0  # frames are laid out at ``size`` and written ``scale`` times as big

    def checked(self) -> RenderOptions:
        """These options, or a ConfigError naming the first bad one."""
        width, height = self.size
        if not (16 <= width <= MAX_SIDE and 16 <= height <= MAX_SIDE):
            raise ConfigError("size", f"must be 16..{MAX_SIDE} pixels a side, got {width}x{height}")
        if not (math.isfinite(self.fps) and 0.1 <= self.fps <= 120):
            raise ConfigError("fps", f"must be between 0.1 and 120, got {self.fps:g}")
        if self.every < 1:
            raise ConfigError("every", f"must be a positive integer, got {self.every}")
        if not 1 <= self.frames_per_step <= 1000:
            raise ConfigError("frames_per_step", f"must be 1..1000, got {self.frames_per_step}")
        if not (math.isfinite(self.hold) and 0 <= self.hold <= 3600):
            raise ConfigError("hold", f"must be 0..3600 seconds, got {self.hold:g}")
        if self.view not in VIEWS:
            raise ConfigError("view", f"must be one of {', '.join(VIEWS)}, got {self.view!r}")
        if not (math.isfinite(self.scale) and 0.05 <= self.scale <= 4):
            raise ConfigError("scale", f"must be between 0.05 and 4, got {self.scale:g}")
        for name in ("first_step", "last_step"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ConfigError(name, f"must be >= 0, got {value}")
        if None not in (self.first_step, self.last_step) and self.first_step > self.last_step:
            raise ConfigError("steps", f"first step {self.first_step} is after {self.last_step}")
        return self

    def output_size(self, fmt: str) -> tuple[int, int]:
        width, height = (max(2, round(side * self.scale)) for side in self.size)
        return even_size(width, height) if fmt == "mp4" else (width, height)


@dataclass
class RenderResult:
    path: Path
    format: str
    frames: int  # frames in the output (steps x frames_per_step + hold)
    rendered: int  # frames drawn (one per step shown)
    size: tuple[int, int]
    seconds: float
    bytes: int
    view: str  # the view rendered (contour when 3D was asked for but is unavailable)
    notes: list[str] = field(default_factory=list)
    cancelled: bool = False

    @property
    def ms_per_frame(self) -> float:
        return 1000.0 * self.seconds / max(1, self.rendered)

    def summary(self) -> str:
        width, height = self.size
        return (
            f"wrote {self.path}: {self.frames} frames, {width}x{height}, {self.format}, "
            f"{self.seconds:.1f} s ({self.ms_per_frame:.0f} ms/frame), {self.bytes:,} bytes"
        )


# ----------------------------------------------------------------------------- parsing


def parse_size(text: str) -> tuple[int, int]:
    """'1920x1080' -> (1920, 1080); ConfigError('size', ...) otherwise."""
    parts = text.lower().replace("×", "x").split("x")
    try:
        width, height = (int(part) for part in parts)
    except ValueError:
        raise ConfigError(
            "size", f"expected WIDTHxHEIGHT such as 1920x1080, got {text!r}"
        ) from None
    if width < 16 or height < 16 or width > MAX_SIDE or height > MAX_SIDE:
        raise ConfigError("size", f"must be 16..{MAX_SIDE} pixels a side, got {text!r}")
    return width, height


def parse_step_range(text: str) -> tuple[int | None, int | None]:
    """'A:B' (both included), 'A:', ':B' or 'A' -> (first, last); None = open end."""
    first_text, colon, last_text = text.partition(":")
    try:
        first = int(first_text) if first_text.strip() else None
        last = int(last_text) if last_text.strip() else None
    except ValueError:
        raise ConfigError("steps", f"expected FIRST:LAST such as 0:50, got {text!r}") from None
    if not colon:
        last = first
    if (first is not None and first < 0) or (last is not None and last < 0):
        raise ConfigError("steps", f"steps are >= 0, got {text!r}")
    if first is not None and last is not None and first > last:
        raise ConfigError("steps", f"first step {first} is after the last {last}")
    return first, last


def frame_columns(sim, options: RenderOptions) -> np.ndarray:
    """The recorded columns shown, one per rendered frame (every k-th, and the last)."""
    first = 0 if options.first_step is None else options.first_step
    last = sim.steps if options.last_step is None else options.last_step
    if first > sim.steps:
        raise ConfigError("steps", f"first step {first} is past the run's last step {sim.steps}")
    last = min(last, sim.steps)
    steps = sim.recorded_steps
    columns = np.nonzero((steps >= first) & (steps <= last))[0]
    if columns.size == 0:
        raise ConfigError("steps", f"no recorded step in {first}..{last} (every {sim.stride})")
    chosen = columns[:: options.every]
    if chosen[-1] != columns[-1]:
        chosen = np.append(chosen, columns[-1])
    return chosen


def check_frame_total(shown: int, options: RenderOptions) -> int:
    """Frames the output will hold for ``shown`` steps; ConfigError naming the option that
    contributes most when that is over ``MAX_FRAMES`` (checked before anything is drawn)."""
    held = round(options.hold * options.fps)
    stepped = shown * options.frames_per_step
    total = stepped + held
    if total > MAX_FRAMES:
        if held > stepped:
            option = "hold"
        else:
            option = "frames_per_step" if options.frames_per_step > 1 else "every"
        raise ConfigError(
            option,
            f"{shown:,} steps x {options.frames_per_step} frame(s) + {held:,} held frames = "
            f"{total:,} frames, over the limit of {MAX_FRAMES:,}: show fewer steps "
            "(--every, --steps), fewer frames per step or a shorter hold",
        )
    return total


# ----------------------------------------------------------------------------- frames


def scaled_exactly(image: QImage, width: int, height: int) -> QImage:
    """``image`` at exactly width x height (a grab can be a pixel off the asked size)."""
    if (image.width(), image.height()) == (width, height):
        return image
    return image.scaled(
        width,
        height,
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )


def process_events() -> None:
    QCoreApplication.sendPostedEvents()
    QApplication.processEvents()


class FrameRenderer:
    """An offscreen ``FrameWidget`` for ``sim``; ``image(column)`` gives one frame.

    The widget is shown once with ``WA_DontShowOnScreen`` (laid out like a
    window, never mapped; the 3D view gets its GL context) and hidden again:
    ``grab()`` draws a hidden widget just the same, and no paint event then
    draws every frame a second time (measured: the same pixels, 25-35 % faster).
    Its layout is fixed after that: every label that changes per frame has a
    fixed width.
    """

    def __init__(self, sim, options: RenderOptions):
        self.options = options.checked()
        self.notes: list[str] = []
        view = options.view
        if view_spec(view).needs_gl:
            from lrsim.gui.views import opengl_problem

            problem = opengl_problem()
            if problem is not None:
                self.notes.append(f"{problem} Rendered the {DEFAULT} view instead.")
                view = DEFAULT
        self.view_kind = view
        self.frame = FrameWidget(sim, replace(options, view=view))
        self.frame.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        self.frame.setFixedSize(*options.size)
        self.frame.show()  # lays it out (and creates the 3D view's GL context)
        process_events()
        self.frame.hide()  # grab() still draws it, but no paint events draw it twice
        process_events()

    def image(self, column: int, size: tuple[int, int] | None = None) -> QImage:
        """Frame ``column`` as an RGB32 image of ``size`` (default: the layout size)."""
        self.frame.show_column(int(column))
        process_events()
        image = self.frame.grab_image()
        width, height = size or self.options.size
        return scaled_exactly(image, width, height).convertToFormat(QImage.Format.Format_RGB32)

    def close(self) -> None:
        self.frame.close()
        self.frame.deleteLater()
        process_events()


def palette_source(first: QImage, last: QImage, colors: Sequence[str]) -> QImage:
    """The first and last frames side by side over a band of blocks of ``colors``.

    A GIF's one palette is taken from it: the two frames hold every colour the
    animation shows, and the blocks give the runs' colours enough weight to get
    entries of their own (a few pixels of trail would be merged into a neighbour).
    """
    band = max(8, first.height() // 8)
    width = first.width() + last.width()
    combined = QImage(width, first.height() + band, QImage.Format.Format_RGB32)
    painter = QPainter(combined)
    painter.drawImage(0, 0, first)
    painter.drawImage(first.width(), 0, last)
    block = width / max(1, len(colors))
    for index, color in enumerate(colors):
        left = round(index * block)
        painter.fillRect(
            left, first.height(), round((index + 1) * block) - left, band, QColor(color)
        )
    painter.end()
    return combined


def _output_bytes(path: Path, fmt: str) -> int:
    if fmt == "png":
        return sum(entry.stat().st_size for entry in path.iterdir())
    return path.stat().st_size


def render_animation(
    sim,
    output: str | os.PathLike,
    options: RenderOptions | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> RenderResult:
    """Render steps of ``sim`` to ``output`` (.mp4, .gif, or a folder for PNG frames).

    The simulation is advanced to the last step shown if it is not there yet.
    Returns a ``RenderResult``; when ``cancel()`` turns true the output is not
    written (``cancelled`` is set). Bad options, an unknown format, a missing
    encoder or output folder raise ConfigError before anything is drawn.
    """
    options = (options or RenderOptions()).checked()
    target, fmt = check_output(output)
    columns = frame_columns(sim, options)
    check_frame_total(len(columns), options)
    out_size = options.output_size(fmt)
    if fmt == "gif" and out_size[0] * out_size[1] * len(columns) > MAX_GIF_BYTES:
        raise ConfigError(
            "size",
            f"a GIF of {len(columns)} frames at {out_size[0]}x{out_size[1]} needs more than "
            f"{MAX_GIF_BYTES // 1024**3} GB while it is written; "
            "use a smaller scale or fewer steps",
        )
    sim.run_to(int(sim.recorded_steps[columns[-1]]))
    started = time.perf_counter()
    renderer = FrameRenderer(sim, options)
    if out_size != options.output_size("png"):
        renderer.notes.append(
            f"MP4 (H.264) needs an even width and height: wrote {out_size[0]}x{out_size[1]}"
        )
    writer = None
    hold_frames = round(options.hold * options.fps)
    total = len(columns)
    done = 0
    try:
        palette = None
        if fmt == "gif":
            palette = palette_source(
                renderer.image(columns[0], out_size),
                renderer.image(columns[-1], out_size),
                [run.color for run in sim.runs],
            )
        writer = open_writer(fmt, target, out_size, options.fps, palette_source=palette)
        for index, column in enumerate(columns):
            process_events()
            if cancel is not None and cancel():
                writer.abort()
                return _result(target, fmt, writer.frames, done, out_size, started, renderer, True)
            repeat = options.frames_per_step + (hold_frames if index == total - 1 else 0)
            writer.add(renderer.image(column, out_size), repeat)
            done += 1
            if progress is not None:
                progress(done, total)
        if cancel is not None and cancel():  # a request during the last frame: not written
            writer.abort()
            return _result(target, fmt, writer.frames, done, out_size, started, renderer, True)
        writer.finish()
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        renderer.close()
    return _result(target, fmt, writer.frames, done, out_size, started, renderer, False)


def _result(target, fmt, frames, rendered, size, started, renderer, cancelled) -> RenderResult:
    return RenderResult(
        path=target,
        format=fmt,
        frames=frames,
        rendered=rendered,
        size=size,
        seconds=time.perf_counter() - started,
        bytes=0 if cancelled else _output_bytes(target, fmt),
        view=renderer.view_kind,
        notes=list(renderer.notes),
        cancelled=cancelled,
    )


__all__ = [
    "SIZE_PRESETS",
    "VIEWS",
    "FrameRenderer",
    "RenderOptions",
    "RenderResult",
    "check_frame_total",
    "frame_columns",
    "parse_size",
    "parse_step_range",
    "render_animation",
    "render_writers",
]
