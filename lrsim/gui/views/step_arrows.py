"""The anatomy of a step on the contour view (``core.step_anatomy``).

Click a particle's current marker: three arrows leave it for the update to the next
step, the gradient part (orange), the momentum part (white, from the gradient part's
tip, so the two add up visibly) and the update itself (dashed pink), each with its
numbers; for the adaptive optimizers two scale bars along x and y show the
per-coordinate effective step (the longer one 40 px, the values in the label).
Click the same particle again to hide it. View > "Step anatomy for every particle"
draws the arrows (without labels) for the whole swarm when particles x runs <= 50.
Every arrow is a coloured line over a black outline: readable on viridis, thicker in
presentation mode. Cleared on a new scene; follows the playback step.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from lrsim.core.inner_state import MAX_PARTICLE_STEPS
from lrsim.core.step_anatomy import StepAnatomy

SWARM_LIMIT = 50  # particles x runs drawn by "for every particle"
PICK_PX = 10  # a click this close to a current marker picks it
BAR_PX = 40  # the longer effective-step bar
HEAD_PX = 9  # arrowhead length, at most a third of the arrow
COLORS = {"gradient": "#ff9f1c", "momentum": "#ffffff", "update": "#ff5fa2", "scale": "#ffffff"}
OUTLINE = (0, 0, 0, 230)


def _fmt(v) -> str:
    return f"({v[0]:.3g}, {v[1]:.3g})"


class StepArrows:
    """Owned by a ``ContourView``; see the module docstring."""

    def __init__(self, contour):
        self.contour = contour
        self.view_box = contour.view_box
        self._sim = None
        self._anatomy: StepAnatomy | None = None
        self._column = -1
        self.pinned: tuple[int, int] | None = None  # (run, particle)
        self.swarm = False
        self.message = ""  # why nothing is drawn, for the status bar
        self.shown: dict = {}  # what is drawn: {(run, particle): Anatomy row dict}
        self._lines = {}
        for z, key in enumerate(("scale", "update", "gradient", "momentum")):
            outline = pg.PlotCurveItem(connect="pairs", antialias=True)
            line = pg.PlotCurveItem(connect="pairs", antialias=True)
            for item in (outline, line):
                item.setZValue(60 + z)
                self.contour.plot_item.addItem(item, ignoreBounds=True)
            self._lines[key] = (outline, line)
        self._labels: list[pg.TextItem] = []
        # arrowheads, bars and label offsets are in pixels: drawn again on a zoom
        self.view_box.sigRangeChanged.connect(lambda *_: self.shown and self.redraw())

    # ------------------------------------------------------------------ the API

    def set_simulation(self, sim) -> None:
        if sim is self._sim:
            return
        self._sim = sim
        self._anatomy = None
        self.pinned = None
        self.clear()

    def set_column(self, column: int) -> None:
        self._column = int(column)
        self.redraw()

    def set_swarm(self, on: bool) -> bool:
        """Arrows for every particle (when particles x runs <= 50); False when off-limits."""
        self.swarm = bool(on)
        self.redraw()
        return not self.message

    def click(self, scene_pos) -> bool:
        """Pin (or unpin) the particle under ``scene_pos``; True when one was hit."""
        hit = self._pick(scene_pos)
        if hit is None:
            return False
        self.pinned = None if hit == self.pinned else hit
        self.redraw()
        return True

    def clear(self) -> None:
        self.shown = {}
        for outline, line in self._lines.values():
            outline.setData([], [])
            line.setData([], [])
        for label in self._labels:
            self.contour.plot_item.removeItem(label)
        self._labels = []

    # ------------------------------------------------------------------ internals

    def _pick(self, scene_pos):
        sim, column = self._sim, self._column
        if sim is None or column < 0:
            return None
        point = self.view_box.mapSceneToView(scene_pos)
        px, py = self.view_box.viewPixelSize()
        best, where = PICK_PX**2, None
        for r in self.contour.visible_run_indices():
            run = sim.runs[r]
            dx = (run.x[:, column] - point.x()) / px
            dy = (run.y[:, column] - point.y()) / py
            d2 = np.nan_to_num(dx * dx + dy * dy, nan=np.inf)
            i = int(np.argmin(d2))
            if d2[i] <= best:
                best, where = d2[i], (r, i)
        return where

    def _targets(self) -> list[tuple[int, list[int]]]:
        sim = self._sim
        runs = self.contour.visible_run_indices()
        self.message = ""
        wanted: dict[int, set[int]] = {}
        if self.swarm:
            if sim.n_particles * len(runs) > SWARM_LIMIT:
                self.message = (
                    f"Step anatomy for every particle: {sim.n_particles} particles x "
                    f"{len(runs)} runs is more than {SWARM_LIMIT}; click one particle instead"
                )
            else:
                wanted = {r: set(range(sim.n_particles)) for r in runs}
        if self.pinned is not None and self.pinned[0] in runs:
            wanted.setdefault(self.pinned[0], set()).add(self.pinned[1])
        return [(r, sorted(p)) for r, p in wanted.items()]

    def redraw(self) -> None:
        self.clear()
        sim, column = self._sim, self._column
        if sim is None or column < 0 or (self.pinned is None and not self.swarm):
            return
        targets = self._targets()
        step = int(sim.recorded_steps[column])
        if not targets or step >= sim.steps:
            return  # no update after the last step
        if sim.n_particles * sim.steps * sim.n_runs > MAX_PARTICLE_STEPS:
            self.message = "Step anatomy: the simulation is too large to replay"
            return
        if self._anatomy is None or self._anatomy.runfile is not sim.runfile:
            self._anatomy = StepAnatomy(sim.runfile)
        segments = {key: [] for key in self._lines}
        for r, particles in targets:
            a = self._anatomy.at(r, step, particles)
            for k, i in enumerate(particles):
                row = {
                    "optimizer": a.optimizer,
                    "position": a.position[k],
                    "update": a.update[k],
                    "gradient": None if a.gradient_part is None else a.gradient_part[k],
                    "momentum": None if a.momentum_part is None else a.momentum_part[k],
                    "effective": None if a.effective is None else a.effective[k],
                }
                self.shown[(r, i)] = row
                self._segments(row, segments)
                if (r, i) == self.pinned:
                    self._label(row, a)
        scale = self.contour.swarm.line_scale
        for key, (outline, line) in self._lines.items():
            xs = np.array([p for seg in segments[key] for p in (seg[0][0], seg[1][0])])
            ys = np.array([p for seg in segments[key] for p in (seg[0][1], seg[1][1])])
            style = Qt.PenStyle.DashLine if key == "update" else Qt.PenStyle.SolidLine
            outline.setPen(pg.mkPen(OUTLINE, width=5.0 * scale, cosmetic=True))
            line.setPen(pg.mkPen(COLORS[key], width=2.4 * scale, cosmetic=True, style=style))
            outline.setData(xs, ys, connect="pairs")
            line.setData(xs, ys, connect="pairs")

    def _arrow(self, start, vector, out: list) -> None:
        start, vector = np.asarray(start, float), np.asarray(vector, float)
        if not np.all(np.isfinite(vector)) or not np.any(vector):
            return
        tip = start + vector
        out.append((start, tip))
        px, py = self.view_box.viewPixelSize()
        pixels = np.array([vector[0] / px, vector[1] / py])
        length = float(np.hypot(*pixels))
        head = min(HEAD_PX * self.contour.swarm.line_scale, length / 3)
        back = -pixels / length * head
        for angle in (0.45, -0.45):
            c, s = np.cos(angle), np.sin(angle)
            wing = np.array([c * back[0] - s * back[1], s * back[0] + c * back[1]])
            out.append((tip, tip + wing * (px, py)))

    def _segments(self, row, segments) -> None:
        x = row["position"]
        if row["gradient"] is not None:
            self._arrow(x, row["gradient"], segments["gradient"])
            self._arrow(x + row["gradient"], row["momentum"], segments["momentum"])
        self._arrow(x, row["update"], segments["update"])
        eff = row["effective"]
        if eff is not None and np.all(np.isfinite(eff)) and eff.max() > 0:
            px, py = self.view_box.viewPixelSize()
            bar = eff / eff.max() * BAR_PX * self.contour.swarm.line_scale
            cap = 3 * self.contour.swarm.line_scale
            bx, by = bar[0] * px, bar[1] * py
            segments["scale"] += [
                (x, x + (bx, 0.0)),
                (x + (bx, -cap * py), x + (bx, cap * py)),
                (x, x + (0.0, by)),
                (x + (-cap * px, by), x + (cap * px, by)),
            ]

    def _label(self, row, a) -> None:
        size = 9 * self.contour.font_scale
        lines = []
        if row["gradient"] is not None:
            lines.append((COLORS["gradient"], f"{a.gradient_label} {_fmt(row['gradient'])}"))
            lines.append((COLORS["momentum"], f"{a.momentum_label} {_fmt(row['momentum'])}"))
            lines.append((COLORS["update"], f"update {_fmt(row['update'])}"))
        else:
            lines.append((COLORS["update"], f"update only {_fmt(row['update'])}"))
        if row["effective"] is not None:
            lines.append((COLORS["scale"], f"lr/(√v̂+ε) x {row['effective'][0]:.3g}"))
            lines.append((COLORS["scale"], f"lr/(√v̂+ε) y {row['effective'][1]:.3g}"))
        body = "<br>".join(f'<span style="color:{c}">{t}</span>' for c, t in lines)
        head = f"step {a.step} → {a.step + 1}, {a.optimizer}"
        # towards the middle of the view: a particle in a corner keeps its label on screen
        (x0, x1), (y0, y1) = self.view_box.viewRange()
        right = row["position"][0] <= (x0 + x1) / 2
        above = row["position"][1] <= (y0 + y1) / 2
        anchor = (0 if right else 1, 1 if above else 0)
        label = pg.TextItem(anchor=anchor, fill=pg.mkBrush(0, 0, 0, 190))
        label.setHtml(f'<div style="font-size:{size:.0f}pt; color:#ffffff">{head}<br>{body}</div>')
        label.setZValue(70)
        px, py = self.view_box.viewPixelSize()
        sx, sy = (12 if right else -12), (12 if above else -12)
        label.setPos(row["position"][0] + sx * px, row["position"][1] + sy * py)
        self.contour.plot_item.addItem(label, ignoreBounds=True)
        self._labels.append(label)
