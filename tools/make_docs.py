"""Write the reference pages of ``docs/`` from lrsim's registries, so they cannot drift.

``python tools/make_docs.py`` rewrites ``docs/surfaces.md``, ``docs/optimizers.md``
and ``docs/schedules.md`` from ``SURFACES``, ``OPTIMIZERS`` and ``SCHEDULES``
(titles, descriptions, every parameter with its default and meaning, domains,
known minima). ``--images`` also redraws the surface thumbnails in
``docs/images/surfaces/`` (small PNGs through Pillow, a core dependency).
``tests/docs/test_docs.py`` checks that the committed pages equal what this writes.
The formulas are written here, one per surface, because the registry holds
compiled code rather than text; the test fails when a surface has none.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lrsim.core.optim.registry import OPTIMIZERS  # noqa: E402
from lrsim.core.params import REQUIRED, RUN_STEPS  # noqa: E402
from lrsim.core.schedules import SCHEDULES  # noqa: E402
from lrsim.core.surfaces import SURFACES  # noqa: E402

DOCS = ROOT / "docs"
IMAGES = DOCS / "images" / "surfaces"
THUMBNAIL = (160, 128)
GENERATED = "<!-- written by tools/make_docs.py from the registries: edit those, then rerun -->"
MAX_POINTS = 8  # critical points listed per kind; the rest are counted

FORMULAS = {
    "quadratic": "f = 0.5 (a x^2 + b y^2)",
    "ill_conditioned": "f = 0.5 (a x^2 + b y^2)",
    "saddle": "f = a x^2 - b y^2",
    "rosenbrock": "f = (a - x)^2 + b (y - x^2)^2",
    "himmelblau": "f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    "rastrigin": "f = 2 A + (x^2 - A cos(2 pi x)) + (y^2 - A cos(2 pi y))",
    "ackley": "r = sqrt((x^2 + y^2) / 2); "
    "f = -20 exp(-0.2 r) - exp((cos(2 pi x) + cos(2 pi y)) / 2) + e + 20",
    "beale": "f = (1.5 - x + x y)^2 + (2.25 - x + x y^2)^2 + (2.625 - x + x y^3)^2",
    "booth": "f = (x + 2 y - 7)^2 + (2 x + y - 5)^2",
    "matyas": "f = 0.26 (x^2 + y^2) - 0.48 x y",
    "goldstein_price": "f = [1 + (x + y + 1)^2 (19 - 14 x + 3 x^2 - 14 y + 6 x y + 3 y^2)] "
    "[30 + (2 x - 3 y)^2 (18 - 32 x + 12 x^2 + 48 y - 36 x y + 27 y^2)]",
    "three_hump_camel": "f = 2 x^2 - 1.05 x^4 + x^6 / 6 + x y + y^2",
    "six_hump_camel": "f = (4 - 2.1 x^2 + x^4 / 3) x^2 + x y + (-4 + 4 y^2) y^2",
    "styblinski_tang": "f = 0.5 [(x^4 - 16 x^2 + 5 x) + (y^4 - 16 y^2 + 5 y)]",
    "levi13": "f = sin^2(3 pi x) + (x - 1)^2 (1 + sin^2(3 pi y)) + (y - 1)^2 (1 + sin^2(2 pi y))",
    "easom": "f = -cos(x) cos(y) exp(-((x - pi)^2 + (y - pi)^2))",
    "two_basin": "f = c (x^2 + y^2) - A exp(-((x - x0)^2 + (y - y0)^2) / (2 s^2))",
}

KIND_NAMES = {
    "global_min": "global minima",
    "local_min": "local minima",
    "saddle": "saddles",
    "max": "maxima",
}


def number(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(number(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {number(item)}" for key, item in value.items()) + " }"
    return str(value)


def default_text(spec) -> str:
    if spec.default is REQUIRED:
        return "required"
    if spec.default is RUN_STEPS:
        return "the run's `steps` (PyTorch requires it)"
    if spec.default is None:
        return "none (optional)" if spec.optional else "none"
    return f"`{number(spec.default)}`"


def param_table(params) -> list[str]:
    if not params:
        return ["No parameters.", ""]
    lines = ["| parameter | default | meaning |", "|---|---|---|"]
    for spec in params:
        meaning = spec.doc.replace("|", "\\|")
        if spec.choices:
            meaning += " One of: " + ", ".join(f"`{choice}`" for choice in spec.choices) + "."
        lines.append(f"| `{spec.name}` | {default_text(spec)} | {meaning} |")
    return lines + [""]


def _point(point) -> str:
    return f"({point.x:.6g}, {point.y:.6g}), f = {point.value:.6g}"


def surfaces_page() -> str:
    lines = [
        GENERATED,
        "",
        "# Built-in surfaces",
        "",
        'A run file picks one with `[surface] name = "..."`; `params = { ... }` overrides '
        "the parameters below and `domain = [[xmin, xmax], [ymin, ymax]]` the default domain "
        "(the box the views show, random and grid starts fill, and the basin rule measures).",
        "Every surface has its exact gradient. The minima, saddles and maxima are those at "
        "the default parameters, found numerically (to about 1e-9) and listed as the views "
        "mark them; the lowest minima are the global ones. Thumbnails show log(1 + f - min f) "
        "over the default domain, darker is lower, white dots the minima.",
        "",
        "| surface | domain (x; y) | global minimum |",
        "|---|---|---|",
    ]
    for name, surface in SURFACES.items():
        (x0, x1), (y0, y1) = surface.domain
        points = surface.critical_points(surface.param_vector({}))
        best = [p for p in points if p.kind == "global_min"]
        shown = _point(best[0]) if best else "none (unbounded below)"
        if len(best) > 1:
            shown += f" and {len(best) - 1} more"
        lines.append(f"| [`{name}`](#{name}) | {x0:g} .. {x1:g}; {y0:g} .. {y1:g} | {shown} |")
    lines.append("")
    for name, surface in SURFACES.items():
        (x0, x1), (y0, y1) = surface.domain
        lines += [
            f'<a id="{name}"></a>',
            f"## `{name}`: {surface.title}",
            "",
            f"![{surface.title}](images/surfaces/{name}.png)",
            "",
            f"`{FORMULAS[name]}`",
            "",
            surface.description,
            "",
            f"Default domain: x from {x0:g} to {x1:g}, y from {y0:g} to {y1:g}.",
            "",
        ]
        lines += param_table(surface.params)
        points = surface.critical_points(surface.param_vector({}))
        for kind, title in KIND_NAMES.items():
            chosen = [p for p in points if p.kind == kind]
            if not chosen:
                continue
            listed = "; ".join(_point(p) for p in chosen[:MAX_POINTS])
            more = f"; and {len(chosen) - MAX_POINTS} more" if len(chosen) > MAX_POINTS else ""
            lines.append(f"- {title.capitalize()}: {listed}{more}.")
        if not points:
            lines.append("- No known critical points.")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def optimizers_page() -> str:
    lines = [
        GENERATED,
        "",
        "# Optimizers",
        "",
        '`optimizer = { name = "...", lr = ..., ... }` in a `[[runs]]` table. Names, '
        "parameters and defaults are `torch.optim`'s: a key left out takes the default below. "
        "`lr` has PyTorch's default too, but a run file usually gives it. Each particle is its "
        "own float64 parameter of shape (2,) with its own optimizer.",
        "",
    ]
    for name, spec in OPTIMIZERS.items():
        momentum = {
            "momentum": "`momentum` (the CSV's momentum column; cyclic and onecycle may cycle it)",
            "beta1": "`betas[0]` (the CSV's momentum column; cyclic and onecycle may cycle it)",
            None: "none (the CSV's momentum column is 0)",
        }[spec.momentum_kind]
        lines += [f"## `{name}`: {spec.title}", "", spec.doc, "", f"Momentum: {momentum}.", ""]
        lines += param_table(spec.params)
    return "\n".join(lines).rstrip() + "\n"


def schedules_page() -> str:
    lines = [
        GENERATED,
        "",
        "# Learning-rate schedules",
        "",
        '`schedule = { name = "...", ... }` in a `[[runs]]` table; without `schedule` a run '
        "keeps its lr (`constant`). Parameters have PyTorch's names and defaults, stepped once "
        "per update; where lrsim's default differs (a length PyTorch requires, which lrsim "
        "takes from the run's `steps`) the table says so. `lr(t)` is the rate update t + 1 "
        "uses, as in the CSV's `lr` column.",
        "",
    ]
    for name, spec in SCHEDULES.items():
        if not spec.torch_class:
            torch = " (beyond PyTorch)"
        elif spec.torch_class in spec.title:
            torch = ""  # the title names it already
        else:
            torch = f" (PyTorch `{spec.torch_class}`)"
        lines += [f"## `{name}`: {spec.title}{torch}", "", spec.doc, ""]
        if spec.sets_own_lr:
            lines += ["Sets its own lr: the optimizer's `lr` is not used.", ""]
        if spec.cycles_momentum:
            lines += ["May cycle the optimizer's momentum (or `betas[0]`).", ""]
        lines += param_table(spec.params)
    return "\n".join(lines).rstrip() + "\n"


PAGES = {
    "surfaces.md": surfaces_page,
    "optimizers.md": optimizers_page,
    "schedules.md": schedules_page,
}

# a dark-to-light ramp (blue-violet to yellow): readable in print and on a projector
RAMP = np.array(
    [[13, 8, 135], [84, 2, 163], [139, 10, 165], [185, 50, 137], [219, 92, 104],
     [244, 136, 73], [254, 188, 43], [240, 249, 33]],
    dtype=np.float64,
)  # fmt: skip


def thumbnail(surface) -> np.ndarray:
    """(h, w, 3) uint8: log(1 + f - min f) over the default domain, minima as white dots."""
    width, height = THUMBNAIL
    (x0, x1), (y0, y1) = surface.domain
    xs = np.linspace(x0, x1, width)
    ys = np.linspace(y1, y0, height)  # top row is the largest y
    grid_x, grid_y = np.meshgrid(xs, ys)
    p = surface.param_vector({})
    with np.errstate(all="ignore"):
        values = surface.reference(grid_x.ravel(), grid_y.ravel(), p)[0].reshape(grid_x.shape)
    shade = np.log1p(np.clip(values - np.nanmin(values), 0, None))
    shade = (shade - np.nanmin(shade)) / max(1e-300, float(np.nanmax(shade) - np.nanmin(shade)))
    position = np.nan_to_num(shade, nan=1.0) * (len(RAMP) - 1)
    low = np.floor(position).astype(int).clip(0, len(RAMP) - 2)
    frac = (position - low)[..., None]
    image = RAMP[low] * (1 - frac) + RAMP[low + 1] * frac
    for point in surface.critical_points(p):
        if point.kind not in ("global_min", "local_min"):
            continue
        col = round((point.x - x0) / (x1 - x0) * (width - 1))
        row = round((y1 - point.y) / (y1 - y0) * (height - 1))
        image[max(0, row - 1) : row + 2, max(0, col - 1) : col + 2] = 255
    return image.astype(np.uint8)


def write_images() -> None:
    from PIL import Image

    IMAGES.mkdir(parents=True, exist_ok=True)
    for name, surface in SURFACES.items():
        Image.fromarray(thumbnail(surface)).save(IMAGES / f"{name}.png", optimize=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", action="store_true", help="also redraw the thumbnails")
    args = parser.parse_args(argv)
    for page, build in PAGES.items():
        (DOCS / page).write_text(build(), encoding="utf-8")
    if args.images:
        write_images()
    return 0


if __name__ == "__main__":
    sys.exit(main())
