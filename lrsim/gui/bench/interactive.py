"""``python -m lrsim.bench interactive``: latency from input event to painted frame.

Run under a real (virtual) display::

    xvfb-run -a -s "-screen 0 1920x1080x24" python -m lrsim.bench interactive

For 1, 100 and 1,000 particles x 3 runs x 200 steps it opens the real window on
a lecture preset and replays, through Qt's own event delivery (``QTest``):

- a drag: a press on the start (the swarm's centre for many starts), then 200
  mouse moves along a line, on "drag the start across the ridge";
- a slider sweep: the first run's lr slider held and moved through 200
  positions, on "slide the lr past 2/lambda".

Each latency runs from just before the event is sent until the contour view's
viewport has painted the recomputed scene (events are processed until its paint
counter moves; a ``repaint()`` is forced if none came). One line per case with
the median and 95th percentile. Goal: p95 <= 33 ms at 1,000 particles and
<= 16 ms at 100.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from lrsim.core.runfile import read_runfile_data
from lrsim.gui.resources import resources_dir

MOVES = 200
STEPS = 200
PARTICLES = (1, 100, 1000)


class _Paints(QObject):
    def __init__(self, target):
        super().__init__()
        self.count = 0
        target.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # Qt override
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def _data(preset: str, particles: int) -> dict:
    data = read_runfile_data(resources_dir() / "presets" / f"{preset}.toml")
    data["steps"] = STEPS
    if particles > 1:
        data["particles"] = {"random": {"n": particles, "seed": 0}}
    return data


def _open(window, data: dict, app) -> None:
    window.editor.set_data(data)
    window.document.reset(window.editor.data(), None, writable=False)
    window.apply_editor()
    window.playback.to_end()
    while window.controller.busy:
        app.processEvents()
    app.processEvents()


def _until_painted(app, paints: _Paints, viewport, before: int) -> None:
    deadline = time.perf_counter() + 1.0
    while paints.count == before and time.perf_counter() < deadline:
        app.processEvents()
    if paints.count == before:
        viewport.repaint()


def _pixel(window, x: float, y: float):
    view = window.view_area.contour
    return view.plot_widget.mapFromScene(view.view_box.mapViewToScene(QPointF(x, y)))


def time_drag(window, app, particles: int, moves: int = MOVES) -> list[float]:
    from lrsim.gui.views.start_drag import grab_targets

    _open(window, _data("drag-start-across-ridge", particles), app)
    viewport = window.view_area.contour.plot_widget.viewport()
    paints = _Paints(viewport)
    (x0, y0) = grab_targets(window.controller.simulation)[0][0]
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=_pixel(window, x0, y0))
    app.processEvents()
    times = []
    for i in range(moves):
        fraction = (i + 1) / moves
        point = _pixel(window, x0 + 0.5 * fraction, y0 + 0.5 * fraction)
        before = paints.count
        start = time.perf_counter()
        QTest.mouseMove(viewport, point)
        _until_painted(app, paints, viewport, before)
        times.append(time.perf_counter() - start)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=point)
    app.processEvents()
    return times


def time_slider(window, app, particles: int, moves: int = MOVES) -> list[float]:
    _open(window, _data("slide-lr-past-two-over-lambda", particles), app)
    viewport = window.view_area.contour.plot_widget.viewport()
    paints = _Paints(viewport)
    slider = window.editor.cards[0].live.lr.slider
    slider.setSliderDown(True)
    positions = np.linspace(slider.value(), slider.maximum() * 0.9, moves).round().astype(int)
    times = []
    for position in positions:
        before = paints.count
        start = time.perf_counter()
        slider.setValue(int(position))
        _until_painted(app, paints, viewport, before)
        times.append(time.perf_counter() - start)
    slider.setSliderDown(False)
    app.processEvents()
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lrsim.bench interactive", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--particles", type=int, nargs="*", default=list(PARTICLES))
    parser.add_argument("--quick", action="store_true", help="1 particle, 20 moves: a check")
    args = parser.parse_args(argv)
    moves = 20 if args.quick else MOVES
    if args.quick:
        args.particles = [1]
    app = QApplication.instance() or QApplication([])
    from lrsim.gui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as folder:
        settings = QSettings(str(Path(folder) / "bench.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings)
        window.resize(1366, 768)
        window.show()
        QTest.qWaitForWindowExposed(window)
        _open(window, _data("drag-start-across-ridge", 1), app)  # kernels loaded: not timed
        for kind, timer in (("drag", time_drag), ("slider", time_slider)):
            for particles in args.particles:
                times = np.array(timer(window, app, particles, moves)) * 1e3
                print(
                    f"{kind}, {particles:,} particle{'s' if particles > 1 else ''} x 3 runs: "
                    f"median {np.median(times):.1f} ms, p95 {np.percentile(times, 95):.1f} ms",
                    flush=True,
                )
        window.document.dirty = False
        window.close()
    return 0
