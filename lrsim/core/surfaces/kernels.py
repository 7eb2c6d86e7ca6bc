"""The surfaces' compiled value-and-gradient kernels.

Each kernel is ``(x: float, y: float, p: float64[:]) -> (f, gx, gy)``, a module-level
``@njit(cache=True, error_model="numpy")`` function, so it caches on disk and
compiled code can call it (the engine's fused loop, ``evaluate_grid`` below). No
``fastmath``: the numbers must match PyTorch autograd to ~1e-12, so every formula
keeps the evaluation order of REFERENCE.md section 3. Non-finite inputs give
whatever IEEE arithmetic gives (inf/nan), never an exception.
``surfaces.reference`` holds the same formulas in NumPy, vectorised.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
from numba import types

from lrsim.core.jit import njit
from lrsim.core.surfaces.turns import sincos_turns

TWO_PI = 2.0 * math.pi
THREE_PI = 3.0 * math.pi

kernel = njit(cache=True, error_model="numpy", inline="always")


@kernel
def quadratic(x, y, p):
    """0.5 (a x^2 + b y^2); p = (a, b)."""
    a = p[0]
    b = p[1]
    f = 0.5 * (a * (x * x) + b * (y * y))
    return f, a * x, b * y


@kernel
def saddle(x, y, p):
    """a x^2 - b y^2; p = (a, b)."""
    a = p[0]
    b = p[1]
    f = a * (x * x) - b * (y * y)
    return f, 2.0 * a * x, -2.0 * b * y


@kernel
def rosenbrock(x, y, p):
    """(a - x)^2 + b (y - x^2)^2; p = (a, b)."""
    a = p[0]
    b = p[1]
    u = a - x
    v = y - x * x
    f = u * u + b * (v * v)
    gx = -2.0 * u - 4.0 * b * x * v
    gy = 2.0 * b * v
    return f, gx, gy


@kernel
def himmelblau(x, y, p):
    """(x^2 + y - 11)^2 + (x + y^2 - 7)^2; no parameters."""
    u = x * x + y - 11.0
    w = x + y * y - 7.0
    f = u * u + w * w
    gx = 4.0 * x * u + 2.0 * w
    gy = 2.0 * u + 4.0 * y * w
    return f, gx, gy


@kernel
def rastrigin(x, y, p):
    """2A + sum(x_i^2 - A cos 2 pi x_i); p = (A,)."""
    big_a = p[0]
    sin_x, cos_x = sincos_turns(x)
    sin_y, cos_y = sincos_turns(y)
    f = 2.0 * big_a + ((x * x - big_a * cos_x) + (y * y - big_a * cos_y))
    gx = 2.0 * x + TWO_PI * big_a * sin_x
    gy = 2.0 * y + TWO_PI * big_a * sin_y
    return f, gx, gy


@kernel
def ackley(x, y, p):
    """-a e^(-b r) - e^(mean cos c x_i) + e + a, r = sqrt(mean x_i^2); p = (a, b, c).

    The gradient is (nan, nan) at the origin, as PyTorch autograd gives.
    """
    a = p[0]
    b = p[1]
    c = p[2]
    r = math.sqrt(0.5 * (x * x + y * y))
    well = math.exp(-b * r)
    turns = c / TWO_PI  # exactly 1.0 for the standard c = 2 pi
    sin_x, cos_x = sincos_turns(turns * x)
    sin_y, cos_y = sincos_turns(turns * y)
    ripple = math.exp(0.5 * (cos_x + cos_y))
    f = -a * well - ripple + math.e + a
    radial = 0.5 * a * b
    half_c = 0.5 * c
    gx = radial * x * well / r + half_c * sin_x * ripple
    gy = radial * y * well / r + half_c * sin_y * ripple
    return f, gx, gy


@kernel
def beale(x, y, p):
    """(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2; no parameters."""
    y2 = y * y
    y3 = y2 * y
    a1 = 1.5 - x + x * y
    a2 = 2.25 - x + x * y2
    a3 = 2.625 - x + x * y3
    f = a1 * a1 + a2 * a2 + a3 * a3
    gx = 2.0 * a1 * (y - 1.0) + 2.0 * a2 * (y2 - 1.0) + 2.0 * a3 * (y3 - 1.0)
    gy = 2.0 * a1 * x + 4.0 * a2 * x * y + 6.0 * a3 * x * y2
    return f, gx, gy


@kernel
def booth(x, y, p):
    """(x + 2y - 7)^2 + (2x + y - 5)^2; no parameters."""
    u = x + 2.0 * y - 7.0
    w = 2.0 * x + y - 5.0
    f = u * u + w * w
    return f, 2.0 * u + 4.0 * w, 4.0 * u + 2.0 * w


@kernel
def matyas(x, y, p):
    """0.26 (x^2 + y^2) - 0.48 xy; no parameters."""
    f = 0.26 * (x * x + y * y) - 0.48 * x * y
    return f, 0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x


@kernel
def goldstein_price(x, y, p):
    """A B with A = 1 + s^2 P, B = 30 + d^2 Q (REFERENCE 3.8); no parameters."""
    s = x + y + 1.0
    poly_p = 19.0 - 14.0 * x + 3.0 * (x * x) - 14.0 * y + 6.0 * x * y + 3.0 * (y * y)
    factor_a = 1.0 + s * s * poly_p
    d = 2.0 * x - 3.0 * y
    poly_q = 18.0 - 32.0 * x + 12.0 * (x * x) + 48.0 * y - 36.0 * x * y + 27.0 * (y * y)
    factor_b = 30.0 + d * d * poly_q
    f = factor_a * factor_b
    a_x = 2.0 * s * poly_p + s * s * (-14.0 + 6.0 * x + 6.0 * y)
    b_x = 4.0 * d * poly_q + d * d * (-32.0 + 24.0 * x - 36.0 * y)
    b_y = -6.0 * d * poly_q + d * d * (48.0 - 36.0 * x + 54.0 * y)
    gx = a_x * factor_b + factor_a * b_x
    gy = a_x * factor_b + factor_a * b_y
    return f, gx, gy


@kernel
def three_hump_camel(x, y, p):
    """2x^2 - 1.05x^4 + x^6/6 + xy + y^2; no parameters."""
    x2 = x * x
    x4 = x2 * x2
    f = 2.0 * x2 - 1.05 * x4 + x4 * x2 / 6.0 + x * y + y * y
    gx = 4.0 * x - 4.2 * (x2 * x) + x4 * x + y
    gy = x + 2.0 * y
    return f, gx, gy


@kernel
def six_hump_camel(x, y, p):
    """(4 - 2.1x^2 + x^4/3) x^2 + xy + (-4 + 4y^2) y^2; no parameters."""
    x2 = x * x
    x4 = x2 * x2
    y2 = y * y
    f = (4.0 - 2.1 * x2 + x4 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y2) * y2
    gx = 8.0 * x - 8.4 * (x2 * x) + 2.0 * (x4 * x) + y
    gy = x - 8.0 * y + 16.0 * (y2 * y)
    return f, gx, gy


@kernel
def styblinski_tang(x, y, p):
    """0.5 sum(x_i^4 - 16 x_i^2 + 5 x_i); no parameters."""
    x2 = x * x
    y2 = y * y
    f = 0.5 * ((x2 * x2 - 16.0 * x2 + 5.0 * x) + (y2 * y2 - 16.0 * y2 + 5.0 * y))
    gx = 2.0 * (x2 * x) - 16.0 * x + 2.5
    gy = 2.0 * (y2 * y) - 16.0 * y + 2.5
    return f, gx, gy


@kernel
def levi13(x, y, p):
    """sin^2(3 pi x) + (x-1)^2 (1 + sin^2(3 pi y)) + (y-1)^2 (1 + sin^2(2 pi y)); no parameters."""
    sx = sincos_turns(1.5 * x)[0]
    sy3 = sincos_turns(1.5 * y)[0]
    sy2, cy2 = sincos_turns(y)
    dx = x - 1.0
    dy = y - 1.0
    f = sx * sx + dx * dx * (1.0 + sy3 * sy3) + dy * dy * (1.0 + sy2 * sy2)
    gx = THREE_PI * sincos_turns(3.0 * x)[0] + 2.0 * dx * (1.0 + sy3 * sy3)
    gy = (
        THREE_PI * (dx * dx) * sincos_turns(3.0 * y)[0]
        + 2.0 * dy * (1.0 + sy2 * sy2)
        + TWO_PI * (dy * dy) * (2.0 * sy2 * cy2)
    )
    return f, gx, gy


@kernel
def easom(x, y, p):
    """-cos x cos y exp(-((x - pi)^2 + (y - pi)^2)); no parameters."""
    dx = x - math.pi
    dy = y - math.pi
    bump = math.exp(-(dx * dx + dy * dy))
    cx = math.cos(x)
    cy = math.cos(y)
    f = -cx * cy * bump
    gx = bump * cy * (math.sin(x) + 2.0 * dx * cx)
    gy = bump * cx * (math.sin(y) + 2.0 * dy * cy)
    return f, gx, gy


@kernel
def two_basin(x, y, p):
    """c (x^2 + y^2) - A exp(-((x - x0)^2 + (y - y0)^2) / (2 s^2)); p = (c, A, s, x0, y0)."""
    c = p[0]
    big_a = p[1]
    s = p[2]
    dx = x - p[3]
    dy = y - p[4]
    s2 = s * s
    well = math.exp(-(dx * dx + dy * dy) / (2.0 * s2))
    f = c * (x * x + y * y) - big_a * well
    gx = 2.0 * c * x + big_a * well * dx / s2
    gy = 2.0 * c * y + big_a * well * dy / s2
    return f, gx, gy


SIGNATURE = types.UniTuple(types.float64, 3)(types.float64, types.float64, types.float64[::1])
"""Every kernel's signature, as a first-class function type sees it."""


def _fill_grid(value_grad, xs, ys, p, out):
    for row in range(ys.size):
        for col in range(xs.size):
            out[row, col] = value_grad(xs[col], ys[row], p)[0]


@cache
def _grid_filler():
    """``_fill_grid`` compiled once for every kernel (a function-pointer argument).

    A dispatcher argument would specialise per kernel and, in numba 0.68, miss the
    on-disk cache in every new process; the first-class function type is one
    signature, so this compiles once and then loads from the cache. Built on first
    use, so importing this module compiles nothing.
    """
    array_1d = types.float64[::1]
    signature = types.void(
        types.FunctionType(SIGNATURE), array_1d, array_1d, array_1d, types.float64[:, ::1]
    )
    return njit(signature, cache=True, error_model="numpy")(_fill_grid)


def evaluate_grid(value_grad, xs: np.ndarray, ys: np.ndarray, p: np.ndarray) -> np.ndarray:
    """f of ``value_grad`` on ``np.meshgrid(xs, ys)``: shape (len(ys), len(xs))."""
    xs = np.ascontiguousarray(xs, dtype=np.float64).ravel()
    ys = np.ascontiguousarray(ys, dtype=np.float64).ravel()
    out = np.empty((ys.size, xs.size))
    _grid_filler()(value_grad, xs, ys, np.ascontiguousarray(p, dtype=np.float64), out)
    return out
