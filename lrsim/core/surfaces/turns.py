"""sin and cos of 2 pi x ("x in turns") without libm: a polynomial after exact reduction.

libm's sin/cos are opaque calls that LLVM cannot vectorise (PyPI's llvmlite has
no SVML), and they dominated the periodic surfaces (Rastrigin, Ackley, Levi)
in the engine. Reducing x by the nearest quarter turn is exact in float64
(Sterbenz), which leaves |theta| <= pi/4 for two short Taylor polynomials.
The result is within a few ulp of the true value; libm evaluated at the
rounded argument fl(2 pi x), which PyTorch computes, differs from the truth by
up to |2 pi x| * 1.1e-16, so the two agree to ~5e-15 on the surfaces' domains.
"""

from __future__ import annotations

import math

import numpy as np

from lrsim.core.jit import njit

TWO_PI = 2.0 * math.pi
_S = (
    -1.0 / 6.0,
    1.0 / 120.0,
    -1.0 / 5040.0,
    1.0 / 362880.0,
    -1.0 / 39916800.0,
    1.0 / 6227020800.0,
    -1.0 / 1307674368000.0,
)
_C = (
    -1.0 / 2.0,
    1.0 / 24.0,
    -1.0 / 720.0,
    1.0 / 40320.0,
    -1.0 / 3628800.0,
    1.0 / 479001600.0,
    -1.0 / 87178291200.0,
    1.0 / 20922789888000.0,
)
S1, S2, S3, S4, S5, S6, S7 = _S
C1, C2, C3, C4, C5, C6, C7, C8 = _C


@njit(cache=True, inline="always", error_model="numpy")
def sincos_turns(x):
    """(sin(2 pi x), cos(2 pi x))."""
    quarter = math.floor(4.0 * x + 0.5)
    theta = TWO_PI * (x - 0.25 * quarter)  # |theta| <= pi / 4, the subtraction is exact
    z = theta * theta
    s = theta + theta * z * (S1 + z * (S2 + z * (S3 + z * (S4 + z * (S5 + z * (S6 + z * S7))))))
    c = 1.0 + z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * (C6 + z * (C7 + z * C8)))))))
    # rotate by k quarter turns without branches, so loops over particles vectorise
    k = int(quarter) & 3 if abs(quarter) < 4.0e18 else 0
    sin_sign = float(1 - (k & 2))
    cos_sign = float(1 - ((k + 1) & 2))
    odd = (k & 1) == 1
    return sin_sign * (c if odd else s), cos_sign * (s if odd else c)


def sincos_turns_numpy(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same polynomial in NumPy (tests compare the kernel with it bit for bit)."""
    x = np.asarray(x, dtype=np.float64)
    quarter = np.floor(4.0 * x + 0.5)
    theta = TWO_PI * (x - 0.25 * quarter)
    z = theta * theta
    s = theta + theta * z * (S1 + z * (S2 + z * (S3 + z * (S4 + z * (S5 + z * (S6 + z * S7))))))
    c = 1.0 + z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * (C6 + z * (C7 + z * C8)))))))
    k = np.where(np.abs(quarter) < 4.0e18, np.nan_to_num(quarter), 0).astype(np.int64) & 3
    sin = np.choose(k, [s, c, -s, -c])
    cos = np.choose(k, [c, -s, -c, s])
    return sin, cos
