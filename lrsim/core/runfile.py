"""The run file (the contract's TOML/JSON): frozen dataclasses, strict parsing, atomic saving.

Parsing checks everything a run needs (names, types, ranges, unknown keys) and
raises ``ConfigError`` with the dotted path of the first bad value, so a typo
never passes silently. The dataclasses keep what the user wrote (optimizer and
schedule tables unexpanded), so saving a loaded file does not bloat it with
defaults; ``resolved_*`` helpers give the fully expanded parameters.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lrsim.core.atomic import write_text_atomic
from lrsim.core.decode import decode_text
from lrsim.core.errors import ConfigError
from lrsim.core.limits import check_structure, read_limited
from lrsim.core.toml_writer import dumps_toml

# Okabe-Ito's colour-blind-safe colours that stay visible on every part of viridis (the
# views' colour map) and on the plots' white and dark backgrounds, then brown, Tol's wine,
# magenta and sand: CIE Lab distance >= 28 from every viridis colour, checked in
# tests/gui/test_palette.py; runs also differ by marker shape
DEFAULT_COLORS = (
    "#d55e00", "#56b4e9", "#cc79a7", "#e69f00", "#8c564b",
    "#882255", "#ee3377", "#ddaa33",
)  # fmt: skip
MAX_STEPS = 1_000_000
MAX_PARTICLES = 10_000_000
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class SurfaceConfig:
    name: str | None = "quadratic"
    formula: str | None = None
    params: Mapping[str, float] = field(default_factory=dict)
    domain: tuple[tuple[float, float], tuple[float, float]] | None = None
    rotate: float = 0.0  # degrees, counter-clockwise about the origin (surfaces.rotation)


@dataclass(frozen=True)
class ParticlesConfig:
    """Exactly one of ``points``, ``random`` (n, seed) or ``grid`` (nx, ny)."""

    points: tuple[tuple[float, float], ...] | None = None
    random: tuple[int, int] | None = None
    grid: tuple[int, int] | None = None

    @property
    def count(self) -> int:
        if self.points is not None:
            return len(self.points)
        if self.random is not None:
            return self.random[0]
        assert self.grid is not None
        return self.grid[0] * self.grid[1]


@dataclass(frozen=True)
class NoiseConfig:
    """Stochastic gradients: g + sigma / sqrt(batch_size) * N(0, 1), seeded per particle."""

    sigma: float = 0.0
    batch_size: int = 1
    seed: int = 0

    @property
    def scale(self) -> float:
        return self.sigma / self.batch_size**0.5


@dataclass(frozen=True)
class RunConfig:
    label: str
    color: str
    optimizer: Mapping[str, Any]  # {"name": ..., **params as written}
    schedule: Mapping[str, Any]  # {"name": ..., **params as written}
    lr_scales: tuple[float, float] = (1.0, 1.0)  # per-coordinate lr multipliers (x, y)
    loss_decay: bool = False  # the schedule's factor scales the loss; the lr stays at its base
    noise: Mapping[str, Any] = field(default_factory=dict)  # overrides sigma / batch_size


def run_noise(runfile: RunFile, run: RunConfig) -> NoiseConfig:
    """The file's noise with the run's overrides (the seed is shared: same draws per run)."""
    base = runfile.noise
    return NoiseConfig(
        run.noise.get("sigma", base.sigma), run.noise.get("batch_size", base.batch_size), base.seed
    )


@dataclass(frozen=True)
class RunFile:
    steps: int
    surface: SurfaceConfig
    particles: ParticlesConfig
    runs: tuple[RunConfig, ...]
    noise: NoiseConfig = NoiseConfig()
    title: str = ""
    description: str = ""


# ----------------------------------------------------------------------------- parsing


def _table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(where, "must be a table")
    return value


def _no_unknown(table: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            path = f"{where}.{key}" if where else str(key)
            raise ConfigError(path, f"unknown key (expected one of: {', '.join(allowed)})")


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(where, f"must be a number, got {_shown(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = float("inf")
    if number != number or number in (float("inf"), float("-inf")):
        raise ConfigError(where, f"must be finite, got {_shown(value)}")
    return number


def _shown(value: Any) -> str:
    """``repr(value)``, cut short (a 4000-digit integer is not echoed whole)."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:18]}...{text[-18:]}"


def _integer(value: Any, where: str, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if not (isinstance(value, float) and value.is_integer()):
            raise ConfigError(where, f"must be an integer, got {_shown(value)}")
        value = int(value)
    if value < minimum:
        kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ConfigError(where, f"must be {kind}, got {_shown(value)}")
    if maximum is not None and value > maximum:
        raise ConfigError(where, f"must be at most {maximum}, got {_shown(value)}")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(where, f"must be a string, got {_shown(value)}")
    return value


def _one_line(value: Any, where: str) -> str:
    """A string without control characters (a label is echoed by the CLI and the CSV)."""
    text = _text(value, where)
    if any(unicodedata.category(char) == "Cc" for char in text):
        raise ConfigError(
            where, f"must not hold control characters (newlines, escapes), got {text!r}"
        )
    return text


def _pair(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ConfigError(where, f"must be a pair [a, b], got {_shown(value)}")
    return _number(value[0], f"{where}[0]"), _number(value[1], f"{where}[1]")


def _parse_surface(raw: Any) -> SurfaceConfig:
    table = _table(raw, "surface")
    _no_unknown(table, ("name", "formula", "params", "domain", "rotate"), "surface")
    name = table.get("name")
    formula = table.get("formula")
    if name is not None and formula is not None:
        raise ConfigError("surface", "give either name or formula, not both")
    if name is None and formula is None:
        raise ConfigError("surface", "needs a name (a built-in surface) or a formula")
    params_raw = _table(table.get("params", {}), "surface.params")
    params = {str(k): _number(v, f"surface.params.{k}") for k, v in params_raw.items()}
    domain = None
    if "domain" in table:
        raw_domain = table["domain"]
        if not isinstance(raw_domain, list | tuple) or len(raw_domain) != 2:
            raise ConfigError("surface.domain", "must be [[xmin, xmax], [ymin, ymax]]")
        domain = (
            _pair(raw_domain[0], "surface.domain[0]"),
            _pair(raw_domain[1], "surface.domain[1]"),
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

        formula = _text(formula, "surface.formula")
        check_formula(formula, params, "surface.formula")
        return SurfaceConfig(None, formula, params, domain, rotate)
    from lrsim.core.surfaces import get_surface

    name = _text(name, "surface.name")
    try:
        surface = get_surface(name)
        surface.param_vector(params)
    except ConfigError as error:
        raise error.within("surface.params" if error.field != "name" else "surface") from None
    return SurfaceConfig(surface.name, None, params, domain, rotate)


def _parse_particles(raw: Any) -> ParticlesConfig:
    table = _table(raw, "particles")
    _no_unknown(table, ("points", "random", "grid"), "particles")
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
            points=tuple(_pair(p, f"particles.points[{i}]") for i, p in enumerate(points))
        )
    if "random" in table:
        rand = _table(table["random"], "particles.random")
        _no_unknown(rand, ("n", "seed"), "particles.random")
        if "n" not in rand:
            raise ConfigError("particles.random.n", "is required")
        n = _integer(rand["n"], "particles.random.n", 1, MAX_PARTICLES)
        seed = _integer(rand.get("seed", 0), "particles.random.seed", 0)
        return ParticlesConfig(random=(n, seed))
    grid = _table(table["grid"], "particles.grid")
    _no_unknown(grid, ("nx", "ny"), "particles.grid")
    for key in ("nx", "ny"):
        if key not in grid:
            raise ConfigError(f"particles.grid.{key}", "is required")
    nx = _integer(grid["nx"], "particles.grid.nx", 1, MAX_PARTICLES)
    ny = _integer(grid["ny"], "particles.grid.ny", 1, MAX_PARTICLES)
    if nx * ny > MAX_PARTICLES:
        raise ConfigError("particles.grid", f"nx * ny must be at most {MAX_PARTICLES}")
    return ParticlesConfig(grid=(nx, ny))


def _parse_noise(raw: Any) -> NoiseConfig:
    table = _table(raw, "noise")
    _no_unknown(table, ("sigma", "batch_size", "seed"), "noise")
    sigma = _number(table.get("sigma", 0.0), "noise.sigma")
    if sigma < 0:
        raise ConfigError("noise.sigma", f"must be >= 0, got {sigma!r}")
    batch = _integer(table.get("batch_size", 1), "noise.batch_size", 1)
    seed = _integer(table.get("seed", 0), "noise.seed", 0, 2**63 - 1)
    return NoiseConfig(sigma, batch, seed)


def _named_table(raw: Any, where: str, default_name: str | None) -> dict[str, Any]:
    table = dict(_table(raw, where))
    if "name" not in table:
        if default_name is None:
            raise ConfigError(f"{where}.name", "is required")
        table["name"] = default_name
    return table


def resolved_optimizer(run: RunConfig, steps: int) -> tuple[Any, dict[str, Any]]:
    """(OptimizerSpec, every optimizer parameter) of ``run``; ConfigError relative to the run."""
    from lrsim.core.optim.specs import get_optimizer

    table = dict(run.optimizer)
    try:
        spec = get_optimizer(table.pop("name"))
        return spec, spec.resolve(table)
    except ConfigError as error:
        raise error.within("optimizer") from None


def resolved_schedule(run: RunConfig, steps: int) -> dict[str, Any]:
    """Every schedule parameter of ``run`` (validated against its optimizer)."""
    from lrsim.core.schedules import validate_schedule

    spec, _ = resolved_optimizer(run, steps)
    try:
        return validate_schedule(run.schedule, momentum_kind=spec.momentum_kind, steps=steps)
    except ConfigError as error:
        raise error.within("schedule") from None


def _parse_run(raw: Any, index: int, steps: int) -> RunConfig:
    where = f"runs[{index}]"
    table = _table(raw, where)
    allowed = ("label", "color", "optimizer", "schedule", "lr_scales", "loss_decay", "noise")
    _no_unknown(table, allowed, where)
    # one convention: runs are counted from 0 in default labels, the CSV's run column and
    # error paths (runs[1] is the CSV's run 1, labelled "run 1" when it has no label)
    label = _one_line(table.get("label", f"run {index}"), f"{where}.label")
    color = _text(table.get("color", DEFAULT_COLORS[index % len(DEFAULT_COLORS)]), f"{where}.color")
    if not _COLOR.fullmatch(color):
        raise ConfigError(f"{where}.color", f"must be a colour like '#d62728', got {color!r}")
    if "optimizer" not in table:
        raise ConfigError(f"{where}.optimizer", "is required")
    optimizer = _named_table(table["optimizer"], f"{where}.optimizer", None)
    schedule = _named_table(table.get("schedule", {}), f"{where}.schedule", "constant")
    lr_scales = _pair(table.get("lr_scales", (1.0, 1.0)), f"{where}.lr_scales")
    for axis, scale in enumerate(lr_scales):
        if not scale > 0:
            raise ConfigError(f"{where}.lr_scales[{axis}]", f"must be > 0, got {scale!r}")
    loss_decay = table.get("loss_decay", False)
    if not isinstance(loss_decay, bool):
        raise ConfigError(f"{where}.loss_decay", f"must be true or false, got {loss_decay!r}")
    if loss_decay and schedule.get("name") == "plateau":
        raise ConfigError(
            f"{where}.loss_decay", "cannot follow a plateau schedule (it watches the loss itself)"
        )
    noise: dict[str, Any] = {}
    if "noise" in table:
        raw_noise = _table(table["noise"], f"{where}.noise")
        _no_unknown(raw_noise, ("sigma", "batch_size"), f"{where}.noise")
        if "sigma" in raw_noise:
            noise["sigma"] = _number(raw_noise["sigma"], f"{where}.noise.sigma")
            if noise["sigma"] < 0:
                raise ConfigError(f"{where}.noise.sigma", f"must be >= 0, got {noise['sigma']!r}")
        if "batch_size" in raw_noise:
            noise["batch_size"] = _integer(raw_noise["batch_size"], f"{where}.noise.batch_size", 1)
    run = RunConfig(label, color, optimizer, schedule, lr_scales, loss_decay, noise)
    try:
        resolved_schedule(run, steps)
        if loss_decay and not resolved_optimizer(run, steps)[1]["lr"] > 0:
            raise ConfigError(
                "optimizer.lr", "must be > 0 with loss_decay (it divides the schedule)"
            )
    except ConfigError as error:
        raise error.within(where) from None
    return run


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
    top = _table(data, "")
    check_structure(top)
    allowed = ("title", "description", "steps", "surface", "particles", "noise", "runs")
    _no_unknown(top, allowed, "")
    title = _text(top.get("title", ""), "title")
    description = _text(top.get("description", ""), "description")
    if "steps" not in top:
        raise ConfigError("steps", "is required (updates per particle)")
    steps = _integer(top["steps"], "steps", 1, MAX_STEPS)
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
        _guarded(f"runs[{i}]", _parse_run, raw, i, steps) for i, raw in enumerate(runs_raw)
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


# ----------------------------------------------------------------------------- saving


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
    data["runs"] = [_run_to_dict(run) for run in runfile.runs]
    return data


def _run_to_dict(run: RunConfig) -> dict[str, Any]:
    table: dict[str, Any] = {
        "label": run.label,
        "color": run.color,
        "optimizer": dict(run.optimizer),
        "schedule": dict(run.schedule),
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
