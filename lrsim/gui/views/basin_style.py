"""Colours and words of the basin map, as plain NumPy: no Qt, tested without a display.

One palette per scene, shared by every run's map, so the same minimum has the
same colour in every map: global minima in strong cool colours (blue, teal,
violet, ...), local minima in muted warm ones (sand, rose, sage, ...), a
particle near no known minimum in light grey and a diverged one in dark red.
The palette's rows are indexed by ``basin_assignments``' labels directly:
row ``i`` is minimum ``i``, row -1 (the last) "elsewhere", row -2 "diverged".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lrsim.core.stats import DIVERGED_BASIN, ELSEWHERE_BASIN, minimum_label

GLOBAL_COLORS = ("#1f5fbf", "#00a087", "#7040b8", "#16b5d0", "#2f8f3a", "#3f4bb0")
"""Strong and cool: the global minima stand out wherever they are."""

LOCAL_COLORS = (
    "#e6a96b",  # sand
    "#dc8f8f",  # dusty rose
    "#b9c47c",  # sage
    "#c9a6db",  # lilac
    "#ead680",  # straw
    "#ad977f",  # taupe
    "#e9b8a0",  # peach
    "#a9c1a0",  # grey-green
)
"""Muted and warm: local minima read as "not where we wanted", and apart from each other."""

ELSEWHERE_COLOR = "#d2d2d2"
DIVERGED_COLOR = "#5c0b0b"
LEGEND_MAX_MINIMA = 12
"""More known minima than this (Rastrigin, pockets) share one legend entry per kind."""


def rgba(color: str, alpha: int = 255) -> tuple[int, int, int, int]:
    """``#rrggbb`` as an (r, g, b, a) tuple of ints."""
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16), alpha


def minimum_colors(minima) -> list[str]:
    """One colour per minimum, in order: globals from the strong set, locals from the muted."""
    colors, n_global, n_local = [], 0, 0
    for point in minima:
        if point.kind == "global_min":
            colors.append(GLOBAL_COLORS[n_global % len(GLOBAL_COLORS)])
            n_global += 1
        else:
            colors.append(LOCAL_COLORS[n_local % len(LOCAL_COLORS)])
            n_local += 1
    return colors


def basin_palette(minima) -> np.ndarray:
    """(len(minima) + 2, 4) uint8 RGBA, indexed by ``basin_assignments`` labels.

    Row i is minimum i; the two rows at the end are reached by the negative labels:
    ``palette[DIVERGED_BASIN]`` (-2) is diverged, ``palette[ELSEWHERE_BASIN]`` (-1) elsewhere.
    """
    rows = [rgba(color) for color in minimum_colors(minima)]
    rows += [rgba(DIVERGED_COLOR), rgba(ELSEWHERE_COLOR)]
    palette = np.array(rows, dtype=np.uint8)
    assert tuple(palette[DIVERGED_BASIN]) == rgba(DIVERGED_COLOR)
    assert tuple(palette[ELSEWHERE_BASIN]) == rgba(ELSEWHERE_COLOR)
    return palette


@dataclass(frozen=True)
class LegendEntry:
    text: str
    colors: tuple[str, ...]  # one swatch, or a few for a collapsed group of minima
    tip: str = ""


def legend_entries(minima) -> list[LegendEntry]:
    """Every known minimum (``global (3, 2)``), then ``elsewhere`` and ``diverged``.

    Past ``LEGEND_MAX_MINIMA`` the minima of each kind share one entry, with a few of
    their colours as swatches and the full list in the tooltip.
    """
    colors = minimum_colors(minima)
    entries = []
    if len(minima) <= LEGEND_MAX_MINIMA:
        entries = [
            LegendEntry(minimum_label(p), (c,), f"f = {p.value:.6g}")
            for p, c in zip(minima, colors, strict=True)
        ]
    else:
        for kind, noun in (("global_min", "global"), ("local_min", "local")):
            chosen = [(p, c) for p, c in zip(minima, colors, strict=True) if p.kind == kind]
            if not chosen:
                continue
            swatches = tuple(dict.fromkeys(c for _p, c in chosen))[:4]
            text = minimum_label(chosen[0][0])
            if len(chosen) > 1:
                text = f"{len(chosen)} {noun} minima"
            tip = ", ".join(minimum_label(p) for p, _c in chosen)
            entries.append(LegendEntry(text, swatches, tip))
    entries.append(LegendEntry("elsewhere", (ELSEWHERE_COLOR,), "Not (yet) near any known minimum"))
    entries.append(LegendEntry("diverged", (DIVERGED_COLOR,), "Loss or position blew up (> 1e12)"))
    return entries


@dataclass(frozen=True)
class ScatterRaster:
    """Scattered starts as squares on a fine raster: one image per run, recoloured per step.

    ``index`` (rows, columns) holds the particle whose square covers each raster cell
    (-1: none); every square is ``cells`` x ``cells`` raster cells, snapped to the
    raster, so squares stay crisp at any zoom while a step costs one lookup.
    ``rect`` is (x, y, width, height) of the raster in data units.
    """

    index: np.ndarray
    rect: tuple[float, float, float, float]
    cells: int

    def image(self, colors: np.ndarray) -> np.ndarray:
        """(rows, columns, 4) RGBA from per-particle RGBA; transparent where no square."""
        packed = np.ascontiguousarray(colors, dtype=np.uint8).view(np.uint32).ravel()
        padded = np.append(packed, np.uint32(0))  # index -1 picks this transparent pixel
        rows, columns = self.index.shape
        # one 4-byte gather per cell: ~13x faster than gathering (N, 4) rows
        return np.take(padded, self.index).view(np.uint8).reshape(rows, columns, 4)


def square_side(domain, n: int) -> float:
    """Side of the square drawn at each scattered start: about the spacing of n starts."""
    (xmin, xmax), (ymin, ymax) = domain
    width, height = xmax - xmin, ymax - ymin
    return float(min(0.9 * math.sqrt(width * height / max(1, n)), 0.05 * min(width, height)))


def scatter_raster(starts: np.ndarray, domain, side: float | None = None) -> ScatterRaster:
    """The raster of squares of side ``side`` (default ``square_side``) centred at ``starts``."""
    n = len(starts)
    side = square_side(domain, n) if side is None else side
    cells = 4 if n <= 20_000 else 2
    cell = side / cells
    (xmin, xmax), (ymin, ymax) = domain
    x0 = min(xmin, float(starts[:, 0].min(initial=xmin))) - side
    y0 = min(ymin, float(starts[:, 1].min(initial=ymin))) - side
    x1 = max(xmax, float(starts[:, 0].max(initial=xmax))) + side
    y1 = max(ymax, float(starts[:, 1].max(initial=ymax))) + side
    columns, rows = math.ceil((x1 - x0) / cell), math.ceil((y1 - y0) / cell)
    index = np.full((rows, columns), -1, dtype=np.int64)
    left = np.clip(
        np.round((starts[:, 0] - side / 2 - x0) / cell).astype(np.int64), 0, columns - cells
    )
    bottom = np.clip(
        np.round((starts[:, 1] - side / 2 - y0) / cell).astype(np.int64), 0, rows - cells
    )
    particles = np.arange(n)
    for j in range(cells):
        for i in range(cells):
            index[bottom + j, left + i] = particles
    return ScatterRaster(index, (x0, y0, columns * cell, rows * cell), cells)


def best_grid(
    count: int,
    width: float,
    height: float,
    aspect: float,
    legend_height=lambda _width, _inline: 0,
    overhead=(60.0, 90.0),
) -> tuple[int, int, bool]:
    """(rows, columns, legend in a cell) that make ``count`` maps of a domain biggest.

    ``aspect`` is the domain's width / height; each cell of the ``width`` x ``height``
    area loses ``overhead`` pixels (axes, title) to its map. ``legend_height(width,
    inline)`` is the height the legend needs at a width: in the empty cells of the last
    row if there are some and it fits there (not inline), else in a strip underneath
    (inline). Ties go to fewer rows (side by side reads best).
    """
    count = max(1, count)
    best, best_scale = (1, count, False), -math.inf
    for rows in range(1, count + 1):
        columns = math.ceil(count / rows)
        if (rows - 1) * columns >= count:
            continue  # a whole empty row
        spare = rows * columns - count
        in_cell = spare > 0 and legend_height(width / columns * spare, False) <= height / rows
        strip = 0.0 if in_cell else legend_height(width, True)
        cell_w = width / columns - overhead[0]
        cell_h = (height - strip) / rows - overhead[1]
        scale = min(cell_w / aspect, cell_h)  # the map's height in pixels
        # more rows only for clearly bigger maps (2 %), not for a rounding difference
        better = scale > best_scale * 1.02 if best_scale > 0 else scale > best_scale
        if better:
            best, best_scale = (rows, columns, in_cell), scale
    return best


def percent(fraction: float) -> str:
    """62 %; "< 1 %" for a few, never "0 %" for some."""
    if not math.isfinite(fraction):
        return "—"
    if 0 < fraction < 0.005:
        return "< 1 %"
    if 0.995 <= fraction < 1:
        return "> 99 %"
    return f"{100 * fraction:.0f} %"


def fraction_texts(labels: np.ndarray, is_global: np.ndarray) -> tuple[str, str]:
    """("62 % reach the global minimum · 3 % diverged", "62 % global · 3 % diverged").

    ``is_global`` is a bool per minimum; "a global minimum" when there are several.
    The short form is for narrow maps.
    """
    n = max(1, labels.size)
    if is_global.size == 0:
        full = short = "no known minimum"
    else:
        flags = np.concatenate([is_global, [False, False]])  # labels -2 and -1 index these
        fraction = percent(np.count_nonzero(flags[labels]) / n)
        target = "the global minimum" if np.count_nonzero(is_global) == 1 else "a global minimum"
        full, short = f"{fraction} reach {target}", f"{fraction} global"
    diverged = np.count_nonzero(labels == DIVERGED_BASIN)
    if diverged:
        tail = f" · {percent(diverged / n)} diverged"
        full, short = full + tail, short + tail
    return full, short
