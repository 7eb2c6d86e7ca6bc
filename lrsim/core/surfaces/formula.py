"""Formula surfaces: f(x, y) typed by the user, with an exact gradient and no code execution.

``formula_parser`` turns the text into a tree with a whitelist parser (numbers, x,
y, named parameters, + - * / **, unary minus, the functions of ``FUNCTIONS``, pi,
e). ``formula_program`` compiles the tree to a float64 *program* with the
parameter values substituted; that program is the surface's parameter vector, so
the engine runs the one compiled interpreter ``formula_value_grad`` for every
formula (forward-mode dual numbers: the gradient is exact). This module ties them
into a ``Surface`` and finds its minima numerically.

Public API::

    check_formula(text, params, field)   # run-file validation: ConfigError at ``field``
    formula_surface(text, params, domain) -> FormulaSurface (a Surface)
    parse_formula(text, param_names) -> Expr;  FormulaError(position) on bad text
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from lrsim.core.errors import ConfigError
from lrsim.core.params import ParamSpec, coerce_value, resolve_params
from lrsim.core.surfaces import CriticalPoint, Surface
from lrsim.core.surfaces.critical_points import refine
from lrsim.core.surfaces.formula_kernel import formula_value_grad
from lrsim.core.surfaces.formula_parser import FormulaError, parse_formula
from lrsim.core.surfaces.formula_program import compile_program, evaluate_program, formula_reference
from lrsim.core.surfaces.formula_tree import CONSTANTS, FUNCTIONS, VARIABLES, Expr, format_expr

__all__ = [
    "DEFAULT_DOMAIN",
    "FormulaError",
    "FormulaSurface",
    "check_formula",
    "evaluate_program",
    "find_minima",
    "format_expr",
    "formula_surface",
    "formula_value_grad",
    "parse_formula",
]

Domain = tuple[tuple[float, float], tuple[float, float]]
DEFAULT_DOMAIN: Domain = ((-5.0, 5.0), (-5.0, 5.0))


def _params_field(field: str, name: str) -> str:
    """Where parameter ``name`` lives, next to the formula: surface.formula -> surface.params.a."""
    if field.endswith("formula"):
        return f"{field[: -len('formula')]}params.{name}"
    return f"{field}.params.{name}" if field else f"params.{name}"


def _param_values(params: Mapping[str, Any] | None, field: str) -> dict[str, float]:
    """The formula's parameters as floats; a name taken by x, y, a function or a constant fails."""
    values: dict[str, float] = {}
    for name, value in (params or {}).items():
        where = _params_field(field, str(name))
        if name in VARIABLES or name in CONSTANTS or name in FUNCTIONS:
            taken = (
                "variable"
                if name in VARIABLES
                else ("constant" if name in CONSTANTS else "function")
            )
            raise ConfigError(where, f"'{name}' is the name of a {taken}; choose another name")
        values[str(name)] = coerce_value(ParamSpec(str(name), "float", 0.0, ""), value, where)
    return values


def check_formula(text: str, params: Mapping[str, Any] | None, field: str = "formula"):
    """Validate ``text`` with ``params`` for a run file; returns the compiled program.

    Every problem is a ``ConfigError`` at ``field`` (a ``FormulaError`` keeping the
    0-based ``position``, the message naming the column), or at the parameter's
    field (``surface.params.a``) for a bad parameter.
    """
    values = _param_values(params, field)
    try:
        return compile_program(parse_formula(text, values), values)
    except FormulaError as error:
        raise error.within(field) from None


@dataclass(frozen=True)
class FormulaSurface(Surface):
    """A ``Surface`` whose parameter vector is the compiled program of ``formula``.

    ``params`` declares the formula's named parameters (defaults = the values
    given), so ``param_vector(overrides)`` recompiles with other values, checked
    like any surface's. ``critical_points(p)`` finds the minima numerically.
    """

    formula: str = ""
    expr: Expr | None = field(default=None, compare=False, repr=False)

    def param_vector(self, overrides: Mapping[str, float] | None = None) -> np.ndarray:
        values = resolve_params(self.params, overrides or {})
        expr = self.expr if self.expr is not None else parse_formula(self.formula, values)
        return compile_program(expr, values)

    def critical_points(self, p: np.ndarray) -> tuple[CriticalPoint, ...]:
        """The minima inside the domain, global ones first (cached per program and domain)."""
        key = tuple(float(v) for v in np.asarray(p, dtype=np.float64).ravel())
        return _labelled_minima(key, self.domain)


def _domain(domain: Any) -> Domain:
    if domain is None:
        return DEFAULT_DOMAIN
    try:
        (xmin, xmax), (ymin, ymax) = domain
        bounds = tuple(float(v) for v in (xmin, xmax, ymin, ymax))
    except (TypeError, ValueError):
        raise ConfigError("domain", "must be [[xmin, xmax], [ymin, ymax]]") from None
    xmin, xmax, ymin, ymax = bounds
    if not (np.all(np.isfinite(bounds)) and xmin < xmax and ymin < ymax):
        raise ConfigError("domain", f"needs finite min < max on both axes, got {domain!r}")
    return (xmin, xmax), (ymin, ymax)


def formula_surface(
    text: str, params: Mapping[str, Any] | None = None, domain: Any = None
) -> FormulaSurface:
    """The surface f(x, y) = ``text`` with named ``params`` over ``domain`` (default +-5).

    Raises ``FormulaError`` (field "", so ``error.within("surface.formula")`` reads
    well) for bad text, ``ConfigError`` for a bad parameter or domain.
    """
    values = _param_values(params, "")
    expr = parse_formula(text, values)
    program = compile_program(expr, values)  # checks the size limits now, not at run time
    box = _domain(domain)
    return FormulaSurface(
        name="formula",
        title=text,
        description=f"f(x, y) = {text}: a formula surface, differentiated exactly "
        "(forward mode); its minima are found numerically.",
        params=tuple(
            ParamSpec(name, "float", value, "A parameter of the formula.")
            for name, value in values.items()
        ),
        domain=box,
        value_grad=formula_value_grad,
        reference=formula_reference,
        log_scale=_wide_range(program, box),
        formula=text,
        expr=expr,
    )


def _wide_range(program: np.ndarray, domain: Domain) -> bool:
    """Whether the values over the domain span orders of magnitude (suggests a log colour scale).

    True when the full range is over 40 times the range of the lowest quarter of the values
    (on the built-in surfaces this picks the ones flagged by hand, but for Himmelblau).
    """
    (xmin, xmax), (ymin, ymax) = domain
    grid_x, grid_y = np.meshgrid(np.linspace(xmin, xmax, 41), np.linspace(ymin, ymax, 41))
    values = evaluate_program(program, grid_x, grid_y, gradient=False)[0]
    values = values[np.isfinite(values)]
    if values.size < 10:
        return False
    low, quarter, high = np.min(values), np.quantile(values, 0.25), np.max(values)
    return bool(quarter > low and high - low > 40.0 * (quarter - low))


# ----------------------------------------------------------------------------- minima


def _batched_hessian(program, x, y, steps):
    """Central differences of the exact gradient (hxx, hxy, hyy), all four shifts in one call."""
    hx, hy = steps
    xs = np.concatenate([x + hx, x - hx, x, x])
    ys = np.concatenate([y, y, y + hy, y - hy])
    _, gx, gy = evaluate_program(program, xs, ys)
    n = x.size
    width, height = (x + hx) - (x - hx), (y + hy) - (y - hy)
    hxx = (gx[:n] - gx[n : 2 * n]) / width
    hyy = (gy[2 * n : 3 * n] - gy[3 * n :]) / height
    hxy = 0.5 * ((gy[:n] - gy[n : 2 * n]) / width + (gx[2 * n : 3 * n] - gx[3 * n :]) / height)
    return hxx, hxy, hyy


def _descend(program, domain: Domain, starts_per_axis: int, iterations: int):
    """Levenberg-Marquardt descent from a grid of starts: (x, y, settled) arrays.

    Each step solves (H + shift I) d = -g with the shift making the matrix positive
    definite, caps |d| at a quarter of the domain, and is accepted only if f does
    not rise (else the damping grows). A start settles when its step becomes
    negligible; one leaving the domain far behind, or meeting non-finite values, stops.
    """
    (xmin, xmax), (ymin, ymax) = domain
    width, height = xmax - xmin, ymax - ymin
    size = float(np.hypot(width, height))
    # cell centres nudged off the symmetry lines, where the gradient can vanish at saddles
    fractions = (np.arange(starts_per_axis) + 0.5 + 0.0137) / starts_per_axis
    x, y = (a.ravel() for a in np.meshgrid(xmin + width * fractions, ymin + height * fractions))
    f, gx, gy = evaluate_program(program, x, y)
    damping = np.full(x.shape, 1e-3)
    running = np.isfinite(f) & np.isfinite(gx) & np.isfinite(gy)
    settled = np.zeros(x.shape, dtype=bool)
    hx, hy = 1e-5 * max(1.0, width), 1e-5 * max(1.0, height)
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            index = np.flatnonzero(running)
            if index.size == 0:
                break
            px, py, pf, pgx, pgy = x[index], y[index], f[index], gx[index], gy[index]
            hxx, hxy, hyy = _batched_hessian(program, px, py, (hx, hy))
            mean, spread = 0.5 * (hxx + hyy), np.hypot(0.5 * (hxx - hyy), hxy)
            low, high = mean - spread, mean + spread
            curvature = np.abs(low) + np.abs(high) + np.hypot(pgx, pgy) / size + 1e-300
            shift = np.maximum(0.0, -low) + damping[index] * curvature
            a, c = hxx + shift, hyy + shift
            det = a * c - hxy * hxy
            dx, dy = -(c * pgx - hxy * pgy) / det, -(a * pgy - hxy * pgx) / det
            length = np.hypot(dx, dy)
            scale = np.minimum(1.0, 0.25 * size / length)
            dx, dy = dx * scale, dy * scale
            tx, ty = px + dx, py + dy
            tf, tgx, tgy = evaluate_program(program, tx, ty)
            better = np.isfinite(tf) & np.isfinite(tgx) & np.isfinite(tgy) & (tf <= pf)
            accepted = index[better]
            x[accepted], y[accepted], f[accepted] = tx[better], ty[better], tf[better]
            gx[accepted], gy[accepted] = tgx[better], tgy[better]
            damping[index] = np.where(better, damping[index] / 3.0, damping[index] * 4.0)
            tiny = (length * scale <= 1e-13 * size) | (damping[index] > 1e10)
            tiny |= (length * scale <= 1e-8 * size) & better  # refine() polishes from here
            broken = ~np.isfinite(det) | ~np.isfinite(length)
            away = (np.abs(x[index] - 0.5 * (xmin + xmax)) > 1.5 * width) | (
                np.abs(y[index] - 0.5 * (ymin + ymax)) > 1.5 * height
            )
            settled[index[tiny & ~broken & ~away]] = True
            running[index[tiny | broken | away]] = False
    return x, y, settled


def _ring(x: float, y: float, radius: float, count: int = 16) -> tuple[np.ndarray, np.ndarray]:
    angles = np.linspace(0.0, 2.0 * np.pi, count, endpoint=False)
    return x + radius * np.cos(angles), y + radius * np.sin(angles)


def _strict_minimum(program, x: float, y: float, radius: float) -> bool:
    """Every point of a ring around (x, y) is clearly higher: a minimum, degenerate or not."""
    ring_x, ring_y = _ring(x, y, radius)
    values = evaluate_program(program, np.append(ring_x, x), np.append(ring_y, y), gradient=False)
    rise = values[0][:-1] - values[0][-1]
    return bool(np.all(np.isfinite(rise)) and np.min(rise) > 1e-9 * np.max(rise) > 0.0)


def _pattern_search(program, x: float, y: float, radius: float, tolerance: float):
    """Derivative-free descent to a degenerate minimum (a kink, a flat bottom): the best
    of eight neighbours at distance r while it is lower, else halve r, down to ``tolerance``.
    """
    value = evaluate_program(program, np.array(x), np.array(y), gradient=False)[0]
    for _ in range(1000):
        if radius <= tolerance:
            break
        ring_x, ring_y = _ring(x, y, radius, 8)
        values = evaluate_program(program, ring_x, ring_y, gradient=False)[0]
        best = int(np.argmin(values))
        if values[best] < value:
            x, y, value = float(ring_x[best]), float(ring_y[best]), values[best]
        else:
            radius *= 0.5
    return x, y


def find_minima(
    program: np.ndarray, domain: Domain, starts_per_axis: int = 15, iterations: int = 200
) -> list[tuple[float, float]]:
    """The distinct local minima of the formula ``program`` inside ``domain``.

    Damped Newton descent from a grid of starts (``_descend``), then Newton's
    method and the finite-difference Hessian (``critical_points.refine``) polish
    and confirm each; a point where the Hessian is degenerate (x**4 + y**4 at 0,
    a kink such as abs) counts if a small ring around it is strictly higher.
    Flat valleys and plateaus have no isolated minimum and give none.
    """
    (xmin, xmax), (ymin, ymax) = domain
    size = float(np.hypot(xmax - xmin, ymax - ymin))
    x, y, settled = _descend(program, domain, starts_per_axis, iterations)
    inside = settled & (xmin <= x) & (x <= xmax) & (ymin <= y) & (y <= ymax)
    candidates: list[tuple[float, float]] = []
    for cx, cy in zip(x[inside], y[inside], strict=True):
        if all(abs(cx - kx) + abs(cy - ky) > 1e-4 * size for kx, ky in candidates):
            candidates.append((float(cx), float(cy)))
    seeds = [(cx, cy, "min") for cx, cy in candidates]
    minima = [(px, py) for px, py, _ in refine(formula_reference, program, seeds, within=domain)]
    for cx, cy in candidates:
        if any(abs(cx - kx) + abs(cy - ky) <= 1e-4 * size for kx, ky in minima):
            continue
        if _strict_minimum(program, cx, cy, 1e-4 * size):
            minima.append(_pattern_search(program, cx, cy, 1e-4 * size, 1e-13 * size))
    return minima


@lru_cache(maxsize=64)
def _labelled_minima(key: tuple[float, ...], domain: Domain) -> tuple[CriticalPoint, ...]:
    program = np.array(key, dtype=np.float64)
    minima = find_minima(program, domain)
    if not minima:
        return ()
    xs = np.array([m[0] for m in minima])
    ys = np.array([m[1] for m in minima])
    values = evaluate_program(program, xs, ys, gradient=False)[0]
    lowest = float(np.min(values))
    tie = 1e-9 * max(1.0, abs(lowest))
    points = [
        CriticalPoint(
            float(px), float(py), float(v), "global_min" if v <= lowest + tie else "local_min"
        )
        for px, py, v in zip(xs, ys, values, strict=True)
    ]
    points.sort(key=lambda pt: (pt.kind != "global_min", pt.value, pt.x, pt.y))
    return tuple(points)
