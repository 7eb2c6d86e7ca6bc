"""Saving a run file: the contract's structure of a ``RunFile``, written atomically.

Runs are saved as the user wrote them (``optimizer.written``, ``schedule.written``),
so a loaded file does not bloat with defaults and ``parse_runfile`` of the saved
structure gives the same run file back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lrsim.core.atomic import write_text_atomic
from lrsim.core.runfile.records import NoiseConfig, RunConfig, RunFile
from lrsim.core.toml_writer import dumps_toml


def runfile_to_dict(runfile: RunFile) -> dict[str, Any]:
    """The contract's structure of ``runfile``; ``parse_runfile`` of it gives it back."""
    data: dict[str, Any] = {}
    if runfile.title:
        data["title"] = runfile.title
    if runfile.description:
        data["description"] = runfile.description
    data["steps"] = runfile.steps
    surface: dict[str, Any] = {}
    if runfile.surface.formula is not None:
        surface["formula"] = runfile.surface.formula
    else:
        surface["name"] = runfile.surface.name
    if runfile.surface.params:
        surface["params"] = dict(runfile.surface.params)
    if runfile.surface.domain is not None:
        surface["domain"] = [list(axis) for axis in runfile.surface.domain]
    if runfile.surface.rotate != 0.0:
        surface["rotate"] = runfile.surface.rotate
    data["surface"] = surface
    parts = runfile.particles
    if parts.points is not None:
        data["particles"] = {"points": [list(p) for p in parts.points]}
    elif parts.random is not None:
        data["particles"] = {"random": {"n": parts.random[0], "seed": parts.random[1]}}
    else:
        assert parts.grid is not None
        data["particles"] = {"grid": {"nx": parts.grid[0], "ny": parts.grid[1]}}
    if runfile.noise != NoiseConfig():
        noise = runfile.noise
        data["noise"] = {"sigma": noise.sigma, "batch_size": noise.batch_size, "seed": noise.seed}
    data["runs"] = [run_to_dict(run) for run in runfile.runs]
    return data


def run_to_dict(run: RunConfig) -> dict[str, Any]:
    """One run as written (its optimizer and schedule tables unexpanded)."""
    table: dict[str, Any] = {
        "label": run.label,
        "color": run.color,
        "optimizer": dict(run.optimizer.written),
        "schedule": dict(run.schedule.written),
    }
    if run.lr_scales != (1.0, 1.0):
        table["lr_scales"] = list(run.lr_scales)
    if run.loss_decay:
        table["loss_decay"] = True
    if run.noise:
        table["noise"] = dict(run.noise)
    return table


def save_runfile(runfile: RunFile, path: str | Path) -> None:
    """Write ``runfile`` as TOML (JSON if the name ends in .json), atomically."""
    path = Path(path)
    data = runfile_to_dict(runfile)
    if path.suffix.lower() == ".json":
        text = json.dumps(data, indent=2) + "\n"
    else:
        text = dumps_toml(data)
    write_text_atomic(path, text)
