"""Plain NumPy versions of the surfaces: the obviously right yardstick for the kernels.

Each function takes arrays ``x`` and ``y`` (any broadcastable shapes) and the
parameter vector ``p`` (float64, in the surface's ``params`` order) and returns
``(f, gx, gy)``. Formulas and their evaluation order are those of REFERENCE.md
section 3, written out the same way as in ``surfaces.kernels`` so the two agree
to rounding; tests check these gradients against central differences.
"""

from __future__ import annotations

import math

import numpy as np

TWO_PI = 2.0 * math.pi
THREE_PI = 3.0 * math.pi


def quadratic(x, y, p):
    """0.5 (a x^2 + b y^2): the bowl whose curvatures a, b set the stable learning rates."""
    a, b = p[0], p[1]
    f = 0.5 * (a * (x * x) + b * (y * y))
    return f, a * x, b * y


def saddle(x, y, p):
    """a x^2 - b y^2: one direction up, one down."""
    a, b = p[0], p[1]
    f = a * (x * x) - b * (y * y)
    return f, 2.0 * a * x, -2.0 * b * y


def rosenbrock(x, y, p):
    """(a - x)^2 + b (y - x^2)^2: the curved, narrow valley."""
    a, b = p[0], p[1]
    u = a - x
    v = y - x * x
    f = u * u + b * (v * v)
    gx = -2.0 * u - 4.0 * b * x * v
    gy = 2.0 * b * v
    return f, gx, gy


def himmelblau(x, y, p):
    """(x^2 + y - 11)^2 + (x + y^2 - 7)^2: four equal minima."""
    u = x * x + y - 11.0
    w = x + y * y - 7.0
    f = u * u + w * w
    gx = 4.0 * x * u + 2.0 * w
    gy = 2.0 * u + 4.0 * y * w
    return f, gx, gy


def rastrigin(x, y, p):
    """2A + sum(x_i^2 - A cos 2 pi x_i): a bowl covered in egg-box dimples."""
    big_a = p[0]
    f = 2.0 * big_a + ((x * x - big_a * np.cos(TWO_PI * x)) + (y * y - big_a * np.cos(TWO_PI * y)))
    gx = 2.0 * x + TWO_PI * big_a * np.sin(TWO_PI * x)
    gy = 2.0 * y + TWO_PI * big_a * np.sin(TWO_PI * y)
    return f, gx, gy


def ackley(x, y, p):
    """-a e^(-b r) - e^(mean cos(c x_i)) + e + a with r = sqrt(mean x_i^2); (nan, nan) grad at 0."""
    a, b, c = p[0], p[1], p[2]
    r = np.sqrt(0.5 * (x * x + y * y))
    well = np.exp(-b * r)
    ripple = np.exp(0.5 * (np.cos(c * x) + np.cos(c * y)))
    f = -a * well - ripple + math.e + a
    radial = 0.5 * a * b  # 2 at the defaults, as REFERENCE writes it
    half_c = 0.5 * c  # pi at the defaults
    gx = radial * x * well / r + half_c * np.sin(c * x) * ripple
    gy = radial * y * well / r + half_c * np.sin(c * y) * ripple
    return f, gx, gy


def beale(x, y, p):
    """a1^2 + a2^2 + a3^2 with a_k = c_k - x + x y^k: flat plateaus and steep walls."""
    y2 = y * y
    y3 = y2 * y
    a1 = 1.5 - x + x * y
    a2 = 2.25 - x + x * y2
    a3 = 2.625 - x + x * y3
    f = a1 * a1 + a2 * a2 + a3 * a3
    gx = 2.0 * a1 * (y - 1.0) + 2.0 * a2 * (y2 - 1.0) + 2.0 * a3 * (y3 - 1.0)
    gy = 2.0 * a1 * x + 4.0 * a2 * x * y + 6.0 * a3 * x * y2
    return f, gx, gy


def booth(x, y, p):
    """(x + 2y - 7)^2 + (2x + y - 5)^2: a tilted quadratic bowl."""
    u = x + 2.0 * y - 7.0
    w = 2.0 * x + y - 5.0
    f = u * u + w * w
    return f, 2.0 * u + 4.0 * w, 4.0 * u + 2.0 * w


def matyas(x, y, p):
    """0.26 (x^2 + y^2) - 0.48 x y: a quadratic with a flat diagonal."""
    f = 0.26 * (x * x + y * y) - 0.48 * x * y
    return f, 0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x


def goldstein_price(x, y, p):
    """A B with A = 1 + s^2 P, B = 30 + d^2 Q (REFERENCE 3.8): values from 3 to ~1e6."""
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
    gy = a_x * factor_b + factor_a * b_y  # A_y == A_x
    return f, gx, gy


def three_hump_camel(x, y, p):
    """2x^2 - 1.05x^4 + x^6/6 + xy + y^2."""
    x2 = x * x
    x4 = x2 * x2
    f = 2.0 * x2 - 1.05 * x4 + x4 * x2 / 6.0 + x * y + y * y
    gx = 4.0 * x - 4.2 * (x2 * x) + x4 * x + y
    gy = x + 2.0 * y
    return f, gx, gy


def six_hump_camel(x, y, p):
    """(4 - 2.1x^2 + x^4/3) x^2 + xy + (-4 + 4y^2) y^2."""
    x2 = x * x
    x4 = x2 * x2
    y2 = y * y
    f = (4.0 - 2.1 * x2 + x4 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y2) * y2
    gx = 8.0 * x - 8.4 * (x2 * x) + 2.0 * (x4 * x) + y
    gy = x - 8.0 * y + 16.0 * (y2 * y)
    return f, gx, gy


def styblinski_tang(x, y, p):
    """0.5 sum(x_i^4 - 16 x_i^2 + 5 x_i): separable, four minima of different depth."""
    x2 = x * x
    y2 = y * y
    f = 0.5 * ((x2 * x2 - 16.0 * x2 + 5.0 * x) + (y2 * y2 - 16.0 * y2 + 5.0 * y))
    gx = 2.0 * (x2 * x) - 16.0 * x + 2.5
    gy = 2.0 * (y2 * y) - 16.0 * y + 2.5
    return f, gx, gy


def levi13(x, y, p):
    """sin^2(3 pi x) + (x-1)^2 (1 + sin^2(3 pi y)) + (y-1)^2 (1 + sin^2(2 pi y))."""
    sx = np.sin(THREE_PI * x)
    sy3 = np.sin(THREE_PI * y)
    sy2 = np.sin(TWO_PI * y)
    dx = x - 1.0
    dy = y - 1.0
    f = sx * sx + dx * dx * (1.0 + sy3 * sy3) + dy * dy * (1.0 + sy2 * sy2)
    gx = THREE_PI * np.sin(2.0 * THREE_PI * x) + 2.0 * dx * (1.0 + sy3 * sy3)
    gy = (
        THREE_PI * (dx * dx) * np.sin(2.0 * THREE_PI * y)
        + 2.0 * dy * (1.0 + sy2 * sy2)
        + TWO_PI * (dy * dy) * np.sin(2.0 * TWO_PI * y)
    )
    return f, gx, gy


def easom(x, y, p):
    """-cos x cos y exp(-((x - pi)^2 + (y - pi)^2)): one narrow hole in a flat plain."""
    dx = x - math.pi
    dy = y - math.pi
    bump = np.exp(-(dx * dx + dy * dy))
    cx = np.cos(x)
    cy = np.cos(y)
    f = -cx * cy * bump
    gx = bump * cy * (np.sin(x) + 2.0 * dx * cx)
    gy = bump * cx * (np.sin(y) + 2.0 * dy * cy)
    return f, gx, gy


def two_basin(x, y, p):
    """c (x^2 + y^2) - A exp(-|(x, y) - (x0, y0)|^2 / (2 s^2)): wide bowl plus narrow well."""
    c, big_a, s, x0, y0 = p[0], p[1], p[2], p[3], p[4]
    dx = x - x0
    dy = y - y0
    s2 = s * s
    well = np.exp(-(dx * dx + dy * dy) / (2.0 * s2))
    f = c * (x * x + y * y) - big_a * well
    gx = 2.0 * c * x + big_a * well * dx / s2
    gy = 2.0 * c * y + big_a * well * dy / s2
    return f, gx, gy
