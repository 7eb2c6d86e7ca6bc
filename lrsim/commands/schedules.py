"""`lrsim schedules -o figure.png|curves.csv`: every schedule family in one plot, headless.

The figure of Tools > All schedules in one plot, with the same lecture defaults
(the families' parameters follow ``--lr`` and ``--steps``): a PNG at slide size,
or the curves as CSV (``step`` then one ``lr`` column per family, and a
``momentum`` column for those that cycle it). Written atomically.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import sys
from pathlib import Path

from lrsim.commands._common import check_output_path
from lrsim.core.atomic import write_with
from lrsim.core.errors import ConfigError

NAME = "schedules"
SUFFIXES = (".png", ".csv")
MAX_STEPS = 100_000  # as Tools > All schedules allows: ~35 MB of CSV at most


def _families(text: str | None):
    from lrsim.core.schedule_families import FAMILIES, FAMILY_BY_KEY

    if text is None:
        return [family for family in FAMILIES if family.shown]
    if text.strip() == "all":
        return list(FAMILIES)
    keys = [key.strip() for key in text.split(",") if key.strip()]
    unknown = [key for key in keys if key not in FAMILY_BY_KEY]
    if unknown or not keys:
        names = ", ".join(FAMILY_BY_KEY)
        raise ConfigError("--families", f"unknown {unknown or 'none'} (expected all or: {names})")
    return [FAMILY_BY_KEY[key] for key in keys]


def curves(args: argparse.Namespace):
    """The chosen families' curves at ``--lr`` and ``--steps`` (``Curve`` list)."""
    import numpy as np

    from lrsim.core.schedule_families import (
        Curve,
        cycles_momentum,
        family_curves,
        legend_label,
    )

    if not 2 <= args.steps <= MAX_STEPS:
        raise ConfigError("--steps", f"must be 2 to {MAX_STEPS:,}, got {args.steps}")
    if not (args.lr > 0 and math.isfinite(args.lr)):
        raise ConfigError("--lr", f"must be positive and finite, got {args.lr}")
    if not 0.25 <= args.scale <= 4:
        raise ConfigError("--scale", f"must be 0.25 to 4, got {args.scale}")
    entries = []
    for family in _families(args.families):
        params = family.defaults(args.steps, args.lr)
        lr, momentum, validated = family_curves(family, params, steps=args.steps, base_lr=args.lr)
        cycled = momentum if cycles_momentum(family, validated) else None
        if not (np.isfinite(lr).all() and np.isfinite(momentum).all()):
            raise ConfigError(
                "--lr", f"{args.lr:g} overflows the {family.key} curve; use a smaller lr"
            )
        entries.append(Curve(family.key, family, legend_label(family, params), lr, cycled))
    return entries


def _csv_text(entries, steps: int) -> str:
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    header = ["step"]
    for entry in entries:
        header.append(f"{entry.key}_lr")
        if entry.momentum is not None:
            header.append(f"{entry.key}_momentum")
    writer.writerow(header)
    for step in range(steps + 1):
        row = [step]
        for entry in entries:
            row.append(repr(float(entry.lr[step])))
            if entry.momentum is not None:
                row.append(repr(float(entry.momentum[step])))
        writer.writerow(row)
    return stream.getvalue()


def _png(entries, args: argparse.Namespace, path: Path) -> None:
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is loaded
    from lrsim.gui.app import create_app

    create_app()
    from lrsim.gui.render.animation import parse_size
    from lrsim.gui.render.stills import save_image
    from lrsim.gui.schedule_figure import figure_image

    try:
        size = parse_size(args.size)
    except ConfigError as error:
        raise ConfigError("--size", error.problem) from None
    title = f"Learning-rate schedules: base lr {args.lr:g}, {args.steps} steps"
    from lrsim.commands import _signals

    with _signals.deferred():  # Qt draws the figure: a signal must not raise inside it
        image = figure_image(
            entries,
            title=title,
            log=args.log,
            dark=args.theme == "dark",
            size=size,
            scale=args.scale,
        )
    _signals.raise_requested()
    save_image(image, path)


def run(args: argparse.Namespace) -> int:
    path = Path(args.output)
    if path.suffix.lower() not in SUFFIXES:
        raise ConfigError("-o", f"write a .png figure or a .csv of the curves, got {path.name!r}")
    check_output_path(path)
    entries = curves(args)
    if path.suffix.lower() == ".csv":
        text = _csv_text(entries, args.steps)
        write_with(path, lambda stream: stream.write(text))
    else:
        _png(entries, args, path)
    if not args.quiet:
        print(f"wrote {path}: {len(entries)} schedules, {args.steps} steps", file=sys.stdout)
    return 0


def register(commands) -> None:
    from lrsim.core.schedule_families import FAMILIES  # no Qt: the registry of the figure

    keys = " ".join(family.key for family in FAMILIES)
    shown = ",".join(family.key for family in FAMILIES if family.shown)
    parser = commands.add_parser(
        NAME,
        help="every schedule family in one plot (PNG) or as CSV, for slides",
        description=(
            "The lr (and cycled momentum) curves of the schedule families with lecture "
            "defaults that follow --lr and --steps: a PNG figure with a legend giving each "
            "family's parameters, or the curves as CSV. "
            f"Family keys: {keys}."
        ),
    )
    parser.add_argument("-o", "--output", required=True, help="figure.png or curves.csv")
    parser.add_argument("--steps", type=int, default=300, help="steps (default 300)")
    parser.add_argument("--lr", type=float, default=0.1, help="base lr (default 0.1)")
    parser.add_argument(
        "--families",
        metavar="A,B,...",
        help=f"comma-separated family keys (listed above) or 'all' (default: {shown})",
    )
    parser.add_argument("--log", action="store_true", help="lr on a logarithmic axis")
    parser.add_argument(
        "--theme",
        choices=("light", "dark"),
        default="light",
        help="light (white background, for print) or dark (for a dark slide deck); default light",
    )
    parser.add_argument("--size", default="1600x900", help="layout size WxH (default 1600x900)")
    parser.add_argument("--scale", type=float, default=2.0, help="pixels per layout pixel (2)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no summary line")
    parser.set_defaults(handler=run)
