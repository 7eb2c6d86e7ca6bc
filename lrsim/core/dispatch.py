"""Integer dispatch to surfaces and optimizer rules inside the one fused kernel.

numba cannot reuse its on-disk cache for kernels that take functions as
arguments (the cache key holds the function object's address, so every
process compiles again). So the fused kernel takes small integers instead and
branches here; the branch is the same for every particle and step of a call,
so it predicts perfectly, and the whole engine is one cached compilation.
"""

from __future__ import annotations

from numba import njit

from lrsim.core import surface_kernels as surfaces
from lrsim.core.optim import kernels as rules

SURFACE_KERNELS = (
    surfaces.quadratic,
    surfaces.saddle,
    surfaces.rosenbrock,
    surfaces.himmelblau,
    surfaces.rastrigin,
    surfaces.ackley,
    surfaces.beale,
    surfaces.booth,
    surfaces.matyas,
    surfaces.goldstein_price,
    surfaces.three_hump_camel,
    surfaces.six_hump_camel,
    surfaces.styblinski_tang,
    surfaces.levi13,
    surfaces.easom,
    surfaces.two_basin,
)
OPTIMIZER_RULES = (
    rules.sgd_update,
    rules.adagrad_update,
    rules.adadelta_update,
    rules.rmsprop_update,
    rules.adam_update,
    rules.nadam_update,
    rules.radam_update,
    rules.adamax_update,
)


def surface_id(value_grad) -> int:
    """The dispatch number of a surface's kernel."""
    return SURFACE_KERNELS.index(value_grad)


def optimizer_id(name: str) -> int:
    return OPTIMIZER_RULES.index(rules.KERNEL_UPDATES[name])


@njit(cache=True, error_model="numpy")
def value_grad(surface, x, y, p):
    """(f, gx, gy) of surface number ``surface`` (order of SURFACE_KERNELS)."""
    if surface == 0:
        return surfaces.quadratic(x, y, p)
    if surface == 1:
        return surfaces.saddle(x, y, p)
    if surface == 2:
        return surfaces.rosenbrock(x, y, p)
    if surface == 3:
        return surfaces.himmelblau(x, y, p)
    if surface == 4:
        return surfaces.rastrigin(x, y, p)
    if surface == 5:
        return surfaces.ackley(x, y, p)
    if surface == 6:
        return surfaces.beale(x, y, p)
    if surface == 7:
        return surfaces.booth(x, y, p)
    if surface == 8:
        return surfaces.matyas(x, y, p)
    if surface == 9:
        return surfaces.goldstein_price(x, y, p)
    if surface == 10:
        return surfaces.three_hump_camel(x, y, p)
    if surface == 11:
        return surfaces.six_hump_camel(x, y, p)
    if surface == 12:
        return surfaces.styblinski_tang(x, y, p)
    if surface == 13:
        return surfaces.levi13(x, y, p)
    if surface == 14:
        return surfaces.easom(x, y, p)
    return surfaces.two_basin(x, y, p)


@njit(cache=True, error_model="numpy")
def update(rule, state, i, base, n, x, y, gx, gy, lr, mom, h):
    """New (x, y) from optimizer rule number ``rule`` (order of OPTIMIZER_RULES)."""
    if rule == 0:
        return rules.sgd_update(state, i, base, n, x, y, gx, gy, lr, mom, h)
    if rule == 1:
        return rules.adagrad_update(state, i, base, n, x, y, gx, gy, lr, mom, h)
    if rule == 2:
        return rules.adadelta_update(state, i, base, n, x, y, gx, gy, lr, mom, h)
    if rule == 3:
        return rules.rmsprop_update(state, i, base, n, x, y, gx, gy, lr, mom, h)
    if rule == 4:
        return rules.adam_update(state, i, base, n, x, y, gx, gy, lr, mom, h)
    if rule == 5:
        return rules.nadam_update(state, i, base, n, x, y, gx, gy, lr, mom, h)
    if rule == 6:
        return rules.radam_update(state, i, base, n, x, y, gx, gy, lr, mom, h)
    return rules.adamax_update(state, i, base, n, x, y, gx, gy, lr, mom, h)
