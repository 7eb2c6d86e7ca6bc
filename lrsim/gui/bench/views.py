"""Frames per second of the surface views while a simulation plays forward.

Run under a real (virtual) display, e.g.::

    xvfb-run -a -s "-screen 0 1920x1080x24" python -m lrsim.gui.bench.views
    ... lrsim.gui.bench.views --particles 1000 --views contour --screenshots screenshots

Each case builds a Simulation from a run-file dict (random starts, Adam + cosine),
runs it to the end, then times ``set_column(column)`` for every column followed by
``QApplication.processEvents()`` (which paints the frame; a ``repaint()`` is
forced if it did not), as a playing animation does. Wall-clock fps depends on
what else the machine runs; CPU fps (frames per second of this process's CPU
time) is steadier on a shared machine. "Redraw" is the cost of a frame whose
history must be drawn from scratch (after a zoom, a resize or a step back).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication

from lrsim.core.engine import Simulation
from lrsim.core.runfile import parse_runfile

RUN_STYLES = (
    ("Adam + cosine", "#d62728", {"name": "adam", "lr": 0.05}, {"name": "cosine"}),
    (
        "SGD momentum",
        "#1f77b4",
        {"name": "sgd", "lr": 0.002, "momentum": 0.9},
        {"name": "constant"},
    ),
    ("RMSprop", "#ff7f0e", {"name": "rmsprop", "lr": 0.02}, {"name": "constant"}),
)


def build_simulation(surface: str, particles: int, steps: int, runs: int = 1) -> Simulation:
    runfile = {
        "steps": steps,
        "surface": {"name": surface},
        "particles": {"random": {"n": particles, "seed": 0}},
        "runs": [
            {"label": label, "color": color, "optimizer": optimizer, "schedule": schedule}
            for label, color, optimizer, schedule in RUN_STYLES[:runs]
        ],
    }
    sim = Simulation(parse_runfile(runfile))
    sim.run_to_end()
    return sim


class _PaintCounter(QObject):
    """Counts frames shown: paint events of a widget, or ``frameSwapped`` of a GL widget."""

    def __init__(self, target):
        super().__init__()
        self.count = 0
        self._target = target
        if hasattr(target, "frameSwapped"):  # QOpenGLWidget renders outside paint events
            target.frameSwapped.connect(self._on_frame)
        else:
            target.installEventFilter(self)

    def _on_frame(self) -> None:
        self.count += 1

    def eventFilter(self, watched, event):  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False

    def close(self) -> None:
        if hasattr(self._target, "frameSwapped"):
            self._target.frameSwapped.disconnect(self._on_frame)
        else:
            self._target.removeEventFilter(self)


def _time_frames(app, view, target, columns) -> tuple[float, float]:
    """(wall fps, cpu fps) over ``columns``, one frame shown for each."""
    counter = _PaintCounter(target)
    wall, cpu = time.perf_counter(), time.process_time()
    for column in columns:
        before = counter.count
        view.set_column(int(column))
        app.processEvents()
        if counter.count == before:
            target.repaint()
            app.processEvents()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    counter.close()
    return len(columns) / wall, len(columns) / max(cpu, 1e-9)


def _time_motion(app, view, target, column: int, frames: int = 30) -> dict:
    """Median ms a frame while panning, then zooming; and the redraw once the view settles."""
    view.set_column(column)
    app.processEvents()
    box = view.view_box
    (x0, x1), _ = box.viewRange()
    out = {}
    for name, move in (
        ("pan_ms", lambda i: box.translateBy(x=(x1 - x0) * (0.01 if i % 20 < 10 else -0.01))),
        ("zoom_ms", lambda i: box.scaleBy((0.98, 0.98) if i % 20 < 10 else (1.02, 1.02))),
    ):
        times = []
        for i in range(frames):
            start = time.perf_counter()
            move(i)
            app.processEvents()
            target.repaint()
            times.append(time.perf_counter() - start)
        out[name] = 1000 * float(np.median(times))
    time.sleep(0.25)  # the view settles: the history is redrawn sharp once
    start = time.perf_counter()
    app.processEvents()
    target.repaint()
    out["settle_ms"] = 1000 * (time.perf_counter() - start)
    return out


def bench_view(app, kind: str, sim, size, screenshots: Path | None, tag: str) -> dict:
    from lrsim.gui.views.registry import view_spec

    view = view_spec(kind).create()
    if kind == "3d" and not view.available:
        return {"view": kind, "skipped": view.problem}
    view.resize(*size)
    view.show()
    view.set_simulation(sim)
    for _ in range(3):
        app.processEvents()
    target = view.plot_widget.viewport() if kind == "contour" else view.gl_view
    columns = np.arange(len(sim.recorded_steps))
    _time_frames(app, view, target, columns[:5])  # warm up (pixmaps, shaders)
    view.set_column(0)
    app.processEvents()
    wall, cpu = _time_frames(app, view, target, columns)
    redraws = []
    for column in (columns[-1], columns[len(columns) // 2]) * 2:
        if kind == "contour":
            view.swarm.invalidate()
        start = time.perf_counter()
        view.set_column(int(column))
        app.processEvents()
        target.repaint()
        redraws.append(time.perf_counter() - start)
    motion = _time_motion(app, view, target, int(columns[-1])) if kind == "contour" else {}
    if screenshots is not None:
        screenshots.mkdir(parents=True, exist_ok=True)
        view.set_column(int(columns[-1]))
        app.processEvents()
        path = screenshots / f"bench_{kind}_{tag}.png"
        view.grab_frame().save(str(path))
    counts = view.drawn_counts()
    note = view.note_text() if kind == "contour" else ""
    view.close()
    view.deleteLater()
    app.processEvents()
    return {
        "view": kind,
        "fps_wall": wall,
        "fps_cpu": cpu,
        "redraw_ms": 1000 * float(np.median(redraws)),
        **motion,
        "counts": counts,
        "note": note,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--surface", default="rastrigin")
    parser.add_argument("--particles", type=int, nargs="+", default=[100, 1_000, 10_000])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--runs", type=int, default=1, choices=(1, 2, 3))
    parser.add_argument("--views", nargs="+", default=["contour", "3d"], choices=("contour", "3d"))
    parser.add_argument("--size", default="1300x950", help="view size in pixels, WxH")
    parser.add_argument("--screenshots", type=Path, default=None)
    args = parser.parse_args(argv)
    size = tuple(int(v) for v in args.size.lower().split("x"))
    # pyqtgraph keeps GL shader programs per class: views created one after another
    # must share one GL context group, or the second view's programs are invalid
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    print(
        f"{args.surface}, {args.steps} steps, {args.runs} run(s), view {size[0]}x{size[1]}, "
        f"platform {app.platformName()}"
    )
    for n in args.particles:
        sim = build_simulation(args.surface, n, args.steps, args.runs)
        for kind in args.views:
            result = bench_view(app, kind, sim, size, args.screenshots, f"{args.surface}_{n}")
            if "skipped" in result:
                print(f"{n:>7} particles  {kind:7s}  skipped: {result['skipped']}")
                continue
            print(
                f"{n:>7} particles  {kind:7s}  {result['fps_wall']:6.1f} fps wall  "
                f"{result['fps_cpu']:6.1f} fps cpu  redraw {result['redraw_ms']:6.1f} ms"
                + (
                    f"  pan {result['pan_ms']:5.1f} ms  zoom {result['zoom_ms']:5.1f} ms"
                    f"  settle {result['settle_ms']:6.1f} ms"
                    if "pan_ms" in result
                    else ""
                )
                + (f"  [{result['note']}]" if result["note"] else "")
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
