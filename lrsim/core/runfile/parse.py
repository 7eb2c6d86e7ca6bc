"""Parsing a run file (the contract's TOML/JSON) into typed, resolved records.

Parsing checks everything a run needs (names, types, ranges, unknown keys) and
raises ``ConfigError`` with the dotted path of the first bad value, so a typo
never passes silently. Each run's optimizer and schedule are resolved here,
once (``resolve_run``); an edit of a parsed run or run file goes through
``edited_run`` / ``edited_runfile``, which resolve it the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from lrsim.core.decode import decode_text
from lrsim.core.errors import ConfigError
from lrsim.core.limits import check_structure, read_limited
from lrsim.core.runfile import values as check
from lrsim.core.runfile.records import (
    COLOR,
    DEFAULT_COLORS,
    MAX_PARTICLES,
    MAX_STEPS,
    NoiseConfig,
    ParticlesConfig,
    RunConfig,
    RunFile,
    SurfaceConfig,
)
from lrsim.core.runfile.save import run_to_dict


def _parse_surface(raw: Any) -> SurfaceConfig:
    table = check.table(raw, "surface")
    check.no_unknown(table, ("name", "formula", "params", "domain", "rotate"), "surface")
    name = table.get("name")
    formula = table.get("formula")
    if name is not None and formula is not None:
        raise ConfigError("surface", "give either name or formula, not both")
    if name is None and formula is None:
        raise ConfigError("surface", "needs a name (a built-in surface) or a formula")
    params_raw = check.table(table.get("params", {}), "surface.params")
    params = {str(k): check.number(v, f"surface.params.{k}") for k, v in params_raw.items()}
    domain = None
    if "domain" in table:
        raw_domain = table["domain"]
        if not isinstance(raw_domain, list | tuple) or len(raw_domain) != 2:
            raise ConfigError("surface.domain", "must be [[xmin, xmax], [ymin, ymax]]")
        domain = (
            check.pair(raw_domain[0], "surface.domain[0]"),
            check.pair(raw_domain[1], "surface.domain[1]"),
        )
        for axis, (low, high) in enumerate(domain):
            if not low < high:
                raise ConfigError(f"surface.domain[{axis}]", f"needs min < max, got {[low, high]}")
    rotate = 0.0
    if "rotate" in table:
        from lrsim.core.surfaces.rotation import check_rotate

        rotate = check_rotate(table["rotate"], "surface.rotate")
    if formula is not None:
        from lrsim.core.surfaces.formula import (
            check_formula,  # deferred: only formula files need it
        )

        formula = check.text(formula, "surface.formula")
        check_formula(formula, params, "surface.formula")
        return SurfaceConfig(None, formula, params, domain, rotate)
    from lrsim.core.surfaces import get_surface

    name = check.text(name, "surface.name")
    try:
        surface = get_surface(name)
        surface.param_vector(params)
    except ConfigError as error:
        raise error.within("surface.params" if error.field != "name" else "surface") from None
    return SurfaceConfig(surface.name, None, params, domain, rotate)


def _parse_particles(raw: Any) -> ParticlesConfig:
    table = check.table(raw, "particles")
    check.no_unknown(table, ("points", "random", "grid"), "particles")
    given = [key for key in ("points", "random", "grid") if key in table]
    if len(given) != 1:
        raise ConfigError("particles", "give exactly one of points, random or grid")
    if "points" in table:
        points = table["points"]
        if not isinstance(points, list | tuple) or not points:
            raise ConfigError("particles.points", "must be a non-empty list of [x, y] pairs")
        if len(points) > MAX_PARTICLES:
            raise ConfigError("particles.points", f"at most {MAX_PARTICLES} points")
        return ParticlesConfig(
            points=tuple(check.pair(p, f"particles.points[{i}]") for i, p in enumerate(points))
        )
    if "random" in table:
        rand = check.table(table["random"], "particles.random")
        check.no_unknown(rand, ("n", "seed"), "particles.random")
        if "n" not in rand:
            raise ConfigError("particles.random.n", "is required")
        n = check.integer(rand["n"], "particles.random.n", 1, MAX_PARTICLES)
        seed = check.integer(rand.get("seed", 0), "particles.random.seed", 0)
        return ParticlesConfig(random=(n, seed))
    grid = check.table(table["grid"], "particles.grid")
    check.no_unknown(grid, ("nx", "ny"), "particles.grid")
    for key in ("nx", "ny"):
        if key not in grid:
            raise ConfigError(f"particles.grid.{key}", "is required")
    nx = check.integer(grid["nx"], "particles.grid.nx", 1, MAX_PARTICLES)
    ny = check.integer(grid["ny"], "particles.grid.ny", 1, MAX_PARTICLES)
    if nx * ny > MAX_PARTICLES:
        raise ConfigError("particles.grid", f"nx * ny must be at most {MAX_PARTICLES}")
    return ParticlesConfig(grid=(nx, ny))


def _parse_noise(raw: Any) -> NoiseConfig:
    table = check.table(raw, "noise")
    check.no_unknown(table, ("sigma", "batch_size", "seed"), "noise")
    sigma = check.number(table.get("sigma", 0.0), "noise.sigma")
    if sigma < 0:
        raise ConfigError("noise.sigma", f"must be >= 0, got {sigma!r}")
    batch = check.integer(table.get("batch_size", 1), "noise.batch_size", 1)
    seed = check.integer(table.get("seed", 0), "noise.seed", 0, 2**63 - 1)
    return NoiseConfig(sigma, batch, seed)


def _named_table(raw: Any, where: str, default_name: str | None) -> dict[str, Any]:
    table = dict(check.table(raw, where))
    if "name" not in table:
        if default_name is None:
            raise ConfigError(f"{where}.name", "is required")
        table["name"] = default_name
    return table


def resolve_run(raw: Any, index: int, steps: int) -> RunConfig:
    """Run ``index`` of a ``steps``-long file, checked and resolved: the only place a run's
    optimizer and schedule tables become numbers. ConfigError names ``runs[index]...``."""
    from lrsim.core.optim.resolved import resolve_optimizer
    from lrsim.core.schedules.resolved import resolve_schedule

    where = f"runs[{index}]"
    table = check.table(raw, where)
    allowed = ("label", "color", "optimizer", "schedule", "lr_scales", "loss_decay", "noise")
    check.no_unknown(table, allowed, where)
    # one convention: runs are counted from 0 in default labels, the CSV's run column and
    # error paths (runs[1] is the CSV's run 1, labelled "run 1" when it has no label)
    label = check.one_line(table.get("label", f"run {index}"), f"{where}.label")
    color = check.text(
        table.get("color", DEFAULT_COLORS[index % len(DEFAULT_COLORS)]), f"{where}.color"
    )
    if not COLOR.fullmatch(color):
        raise ConfigError(f"{where}.color", f"must be a colour like '#d62728', got {color!r}")
    if "optimizer" not in table:
        raise ConfigError(f"{where}.optimizer", "is required")
    optimizer_table = _named_table(table["optimizer"], f"{where}.optimizer", None)
    schedule_table = _named_table(table.get("schedule", {}), f"{where}.schedule", "constant")
    lr_scales = check.pair(table.get("lr_scales", (1.0, 1.0)), f"{where}.lr_scales")
    for axis, scale in enumerate(lr_scales):
        if not scale > 0:
            raise ConfigError(f"{where}.lr_scales[{axis}]", f"must be > 0, got {scale!r}")
    loss_decay = table.get("loss_decay", False)
    if not isinstance(loss_decay, bool):
        raise ConfigError(f"{where}.loss_decay", f"must be true or false, got {loss_decay!r}")
    noise = _run_noise(table, where)
    try:
        try:
            optimizer = resolve_optimizer(optimizer_table)
        except ConfigError as error:
            raise error.within("optimizer") from None
        try:
            schedule = resolve_schedule(
                schedule_table, momentum_kind=optimizer.momentum_kind, steps=steps
            )
        except ConfigError as error:
            raise error.within("schedule") from None
        if loss_decay and schedule.per_particle:
            problem = f"cannot follow a {schedule.name} schedule (it watches the loss itself)"
            raise ConfigError("loss_decay", problem)
        if loss_decay and not optimizer.lr > 0:
            raise ConfigError(
                "optimizer.lr", "must be > 0 with loss_decay (it divides the schedule)"
            )
    except ConfigError as error:
        raise error.within(where) from None
    return RunConfig(label, color, optimizer, schedule, lr_scales, loss_decay, noise)


def _run_noise(table: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A run's noise overrides (sigma, batch_size), checked."""
    noise: dict[str, Any] = {}
    if "noise" in table:
        raw_noise = check.table(table["noise"], f"{where}.noise")
        check.no_unknown(raw_noise, ("sigma", "batch_size"), f"{where}.noise")
        if "sigma" in raw_noise:
            noise["sigma"] = check.number(raw_noise["sigma"], f"{where}.noise.sigma")
            if noise["sigma"] < 0:
                raise ConfigError(f"{where}.noise.sigma", f"must be >= 0, got {noise['sigma']!r}")
        if "batch_size" in raw_noise:
            noise["batch_size"] = check.integer(
                raw_noise["batch_size"], f"{where}.noise.batch_size", 1
            )
    return noise


def edited_run(run: RunConfig, steps: int, index: int = 0, **changes: Any) -> RunConfig:
    """``run`` with ``changes`` in its written form (``optimizer`` / ``schedule`` tables,
    ``loss_decay``, ``label``, ...), resolved for a ``steps``-long file as the parser
    resolves it; ConfigError names ``runs[index]``. The one way to change a parsed run."""
    where = f"runs[{index}]"
    return _guarded(where, resolve_run, {**run_to_dict(run), **changes}, index, steps)


def edited_runfile(runfile: RunFile, **changes: Any) -> RunFile:
    """``runfile`` with ``changes`` (``dataclasses.replace`` fields); a new ``steps``
    resolves every run again for the new length."""
    steps = changes.get("steps", runfile.steps)
    runs = changes.get("runs", runfile.runs)
    if any(run.schedule.steps != steps for run in runs):
        runs = tuple(edited_run(run, steps, index) for index, run in enumerate(runs))
    return replace(runfile, **{**changes, "runs": tuple(runs)})


def _guarded(where: str, parse, *args):
    """``parse(*args)``; an arithmetic surprise deep inside (an overflow, a value numpy
    refuses) still becomes one line naming the section it came from."""
    try:
        return parse(*args)
    except ConfigError:
        raise
    except (ArithmeticError, ValueError, TypeError, RecursionError) as error:
        problem = f"holds a value out of range ({type(error).__name__}: {error})"
        raise ConfigError(where, problem) from None


def parse_runfile(data: Mapping[str, Any]) -> RunFile:
    """A validated RunFile from the contract's structure (as TOML or JSON decode it)."""
    top = check.table(data, "")
    check_structure(top)
    allowed = ("title", "description", "steps", "surface", "particles", "noise", "runs")
    check.no_unknown(top, allowed, "")
    title = check.text(top.get("title", ""), "title")
    description = check.text(top.get("description", ""), "description")
    if "steps" not in top:
        raise ConfigError("steps", "is required (updates per particle)")
    steps = check.integer(top["steps"], "steps", 1, MAX_STEPS)
    if "surface" not in top:
        raise ConfigError("surface", "is required")
    surface = _guarded("surface", _parse_surface, top["surface"])
    if "particles" not in top:
        raise ConfigError("particles", "is required")
    particles = _guarded("particles", _parse_particles, top["particles"])
    noise = _guarded("noise", _parse_noise, top.get("noise", {}))
    runs_raw = top.get("runs")
    if not isinstance(runs_raw, list | tuple) or not runs_raw:
        raise ConfigError("runs", "needs at least one [[runs]] table")
    runs = tuple(
        _guarded(f"runs[{i}]", resolve_run, raw, i, steps) for i, raw in enumerate(runs_raw)
    )
    return RunFile(steps, surface, particles, runs, noise, title, description)


def read_runfile_data(path: str | Path) -> dict[str, Any]:
    """The decoded TOML or JSON of ``path``; ConfigError naming the file otherwise.

    At most ``limits.MAX_FILE_BYTES`` are read, so a huge file or a device is
    refused quickly.
    """
    path = Path(path)
    raw = read_limited(path)
    try:
        text = raw.decode("utf-8-sig")  # a BOM from Windows editors is fine
    except UnicodeDecodeError:
        raise ConfigError(
            str(path), "is not UTF-8 text (expected a TOML or JSON run file)"
        ) from None
    json_text = path.suffix.lower() == ".json" or text.lstrip().startswith("{")
    return decode_text(text, str(path), json_text=json_text)


def load_runfile(path: str | Path) -> RunFile:
    """Read and validate a run file (TOML, or JSON with the same structure)."""
    return parse_runfile(read_runfile_data(path))
