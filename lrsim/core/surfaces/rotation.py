"""Rotated surfaces: ``[surface] rotate = DEGREES`` turns f counter-clockwise about the origin.

With R the counter-clockwise rotation by the angle (cos c, sin s),

    f_rot(p) = f(R^-1 p),   R^-1 p = (c x + s y, -s x + c y)
    grad f_rot(p) = R grad f(R^-1 p) = (c gu - s gv, s gu + c gv)

where (gu, gv) is f's exact gradient at u = R^-1 p. Minima, saddles and maxima
move to R q for every critical point q of f, with the same value. The domain
(the box the views draw and random starts fill) stays the box given.

``rotation_vector`` is empty for a multiple of 360 degrees (or no ``rotate``),
and every function here then calls the unrotated code unchanged, so such a run
is bit-identical to one without the key. Multiples of 90 degrees use exact
cosines and sines (0, 1, -1), so a quarter turn only permutes and negates.

``rotated_value_grad_block`` is what the fused kernel calls; ``RotatedSurface``
wraps a surface so the NumPy reference, the views' grid and the critical
points (and through them stats, basins and the reference engine) turn too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from lrsim.core.dispatch import surface_id, value_grad_block
from lrsim.core.errors import ConfigError
from lrsim.core.jit import njit

MAX_DEGREES = 360.0
"""``rotate`` is accepted in [-360, 360]; a full turn either way is no turn."""

NO_ROTATION = np.zeros(0, dtype=np.float64)

_EXACT = {0.0: (1.0, 0.0), 90.0: (0.0, 1.0), 180.0: (-1.0, 0.0), 270.0: (0.0, -1.0)}


def check_rotate(value, where: str = "surface.rotate") -> float:
    """The angle in degrees: a finite number within +-360, else ConfigError naming ``where``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(where, f"must be a number of degrees, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):  # a JSON int may be huge
        raise ConfigError(where, f"must be finite, got {value!r}")
    if abs(value) > MAX_DEGREES:
        raise ConfigError(where, f"must be between -360 and 360 degrees, got {value!r}")
    return float(value)


def cos_sin(degrees: float) -> tuple[float, float]:
    """(cos, sin) of ``degrees``; exact for multiples of 90."""
    turned = math.fmod(float(degrees), 360.0)
    if turned < 0.0:
        turned += 360.0
    if turned in _EXACT:
        return _EXACT[turned]
    radians = math.radians(turned)
    return math.cos(radians), math.sin(radians)


def is_rotated(degrees: float | None) -> bool:
    return degrees is not None and math.fmod(float(degrees), 360.0) != 0.0


def rotation_vector(degrees: float | None) -> np.ndarray:
    """What the kernel takes: [cos, sin], or an empty array for no rotation."""
    if not is_rotated(degrees):
        return NO_ROTATION
    return np.array(cos_sin(degrees), dtype=np.float64)


@njit(cache=True, error_model="numpy", nogil=True)
def rotated_value_grad_block(surface, rotation, xs, ys, p, f, gx, gy):
    """f_rot, grad f_rot at every (xs[k], ys[k]); plain ``value_grad_block`` when unrotated."""
    if rotation.shape[0] == 0:
        value_grad_block(surface, xs, ys, p, f, gx, gy)
        return
    c, s = rotation[0], rotation[1]
    m = xs.shape[0]
    us, vs = np.empty(m), np.empty(m)
    for k in range(m):
        us[k] = c * xs[k] + s * ys[k]
        vs[k] = c * ys[k] - s * xs[k]
    value_grad_block(surface, us, vs, p, f, gx, gy)
    for k in range(m):
        gu, gv = gx[k], gy[k]
        gx[k] = c * gu - s * gv
        gy[k] = s * gu + c * gv


def rotated_reference(reference, c: float, s: float, x, y, p):
    """The NumPy twin of ``rotated_value_grad_block`` for one surface reference."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    f, gu, gv = reference(c * x + s * y, c * y - s * x, p)
    return f, c * gu - s * gv, s * gu + c * gv


@dataclass(frozen=True)
class RotatedSurface:
    """``base`` turned by ``degrees``: the same name, parameters and domain, rotated maths.

    ``value_grad`` stays the base kernel (the engine dispatches on it and passes
    ``rotation`` to the kernel); ``reference``, ``evaluate_grid`` and
    ``critical_points`` give the rotated surface's numbers.
    """

    base: object
    degrees: float

    @property
    def rotation(self) -> np.ndarray:
        return rotation_vector(self.degrees)

    name = property(lambda self: self.base.name)
    title = property(lambda self: f"{self.base.title}, turned {self.degrees:g}°")
    description = property(lambda self: self.base.description)
    params = property(lambda self: self.base.params)
    domain = property(lambda self: self.base.domain)
    value_grad = property(lambda self: self.base.value_grad)
    log_scale = property(lambda self: self.base.log_scale)

    def param_vector(self, overrides=None) -> np.ndarray:
        return self.base.param_vector(overrides)

    def reference(self, x, y, p):
        c, s = cos_sin(self.degrees)
        return rotated_reference(self.base.reference, c, s, x, y, p)

    def evaluate_grid(self, xs: np.ndarray, ys: np.ndarray, p: np.ndarray) -> np.ndarray:
        """f_rot on ``np.meshgrid(xs, ys)``, by the engine's own compiled block."""
        grid_x, grid_y = np.meshgrid(np.asarray(xs, np.float64), np.asarray(ys, np.float64))
        flat_x = np.ascontiguousarray(grid_x.ravel())
        flat_y = np.ascontiguousarray(grid_y.ravel())
        f, gx, gy = np.empty(flat_x.size), np.empty(flat_x.size), np.empty(flat_x.size)
        program = np.ascontiguousarray(p, dtype=np.float64)
        which = surface_id(self.base.value_grad)
        rotated_value_grad_block(which, self.rotation, flat_x, flat_y, program, f, gx, gy)
        return f.reshape(grid_x.shape)

    def critical_points(self, p: np.ndarray) -> tuple:
        """The base surface's points turned by R (values unchanged).

        A formula's minima are searched inside the domain, so the search runs over
        the box that R^-1 maps the domain into and keeps the turned points that
        land inside the domain.
        """
        c, s = cos_sin(self.degrees)
        base = self.base
        formula = getattr(base, "formula", "")
        if formula:
            base = replace(base, domain=_preimage_box(base.domain, c, s))
        turned = []
        for point in base.critical_points(p):
            x, y = c * point.x - s * point.y, s * point.x + c * point.y
            if formula and not _inside(self.domain, x, y):
                continue
            turned.append(replace(point, x=float(x), y=float(y)))
        return _relabelled(turned) if formula else tuple(turned)


def _preimage_box(domain, c: float, s: float):
    """The bounding box of R^-1 applied to the corners of ``domain``."""
    (xmin, xmax), (ymin, ymax) = domain
    corners = [(x, y) for x in (xmin, xmax) for y in (ymin, ymax)]
    us = [c * x + s * y for x, y in corners]
    vs = [c * y - s * x for x, y in corners]
    return (min(us), max(us)), (min(vs), max(vs))


def _relabelled(points) -> tuple:
    """Global minima re-chosen among the points kept (the deepest may have been dropped)."""
    minima = [pt.value for pt in points if pt.kind in ("global_min", "local_min")]
    if not minima:
        return tuple(points)
    lowest = min(minima)
    tie = 1e-9 * max(1.0, abs(lowest))
    out = []
    for pt in points:
        if pt.kind in ("global_min", "local_min"):
            pt = replace(pt, kind="global_min" if pt.value <= lowest + tie else "local_min")
        out.append(pt)
    out.sort(key=lambda pt: (pt.kind != "global_min", pt.value, pt.x, pt.y))
    return tuple(out)


def _inside(domain, x: float, y: float) -> bool:
    (xmin, xmax), (ymin, ymax) = domain
    return xmin <= x <= xmax and ymin <= y <= ymax


def rotated(surface, degrees: float | None):
    """``surface`` turned by ``degrees``, or ``surface`` itself for no turn.

    The same (surface, angle) gives the same object, as a built-in surface is one
    object: the views keep their grid while only the runs change.
    """
    if not is_rotated(degrees):
        return surface
    try:
        return _rotated_cached(surface, float(degrees))
    except TypeError:  # an unhashable surface
        return RotatedSurface(surface, float(degrees))


@lru_cache(maxsize=64)
def _rotated_cached(surface, degrees: float) -> RotatedSurface:
    return RotatedSurface(surface, degrees)


def surface_rotation(surface) -> np.ndarray:
    """The kernel's rotation vector of a (possibly rotated) surface."""
    return surface.rotation if isinstance(surface, RotatedSurface) else NO_ROTATION
