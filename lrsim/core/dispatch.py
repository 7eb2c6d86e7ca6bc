"""Integer dispatch to surfaces and optimizer rules, one block of particles at a time.

numba cannot reuse its on-disk cache for a kernel whose *arguments* are
functions (the cache key holds the function object's address), and a call
per particle through a big branchy dispatcher costs more than the maths. So
the fused kernel passes small integers, and each call here branches once and
then runs a tight loop over a block of particles with the surface or rule
inlined (specialised per function, compiled inside this cached function).
"""

from __future__ import annotations

from numba import njit

from lrsim.core import surface_kernels as surfaces
from lrsim.core.formula_kernel import formula_grad_loop, formula_value_grad
from lrsim.core.optim import kernels as rules

JIT = {"cache": True, "error_model": "numpy", "nogil": True}

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
    formula_value_grad,  # the interpreter of every typed formula (its program is in p)
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


@njit(**JIT)
def _grad_loop(value_grad, xs, ys, p, f, gx, gy):
    for k in range(xs.shape[0]):
        f[k], gx[k], gy[k] = value_grad(xs[k], ys[k], p)


@njit(**JIT)
def value_grad_block(surface, xs, ys, p, f, gx, gy):
    """f, gx, gy at every (xs[k], ys[k]) for surface number ``surface``."""
    if surface == 0:
        _grad_loop(surfaces.quadratic, xs, ys, p, f, gx, gy)
    elif surface == 1:
        _grad_loop(surfaces.saddle, xs, ys, p, f, gx, gy)
    elif surface == 2:
        _grad_loop(surfaces.rosenbrock, xs, ys, p, f, gx, gy)
    elif surface == 3:
        _grad_loop(surfaces.himmelblau, xs, ys, p, f, gx, gy)
    elif surface == 4:
        _grad_loop(surfaces.rastrigin, xs, ys, p, f, gx, gy)
    elif surface == 5:
        _grad_loop(surfaces.ackley, xs, ys, p, f, gx, gy)
    elif surface == 6:
        _grad_loop(surfaces.beale, xs, ys, p, f, gx, gy)
    elif surface == 7:
        _grad_loop(surfaces.booth, xs, ys, p, f, gx, gy)
    elif surface == 8:
        _grad_loop(surfaces.matyas, xs, ys, p, f, gx, gy)
    elif surface == 9:
        _grad_loop(surfaces.goldstein_price, xs, ys, p, f, gx, gy)
    elif surface == 10:
        _grad_loop(surfaces.three_hump_camel, xs, ys, p, f, gx, gy)
    elif surface == 11:
        _grad_loop(surfaces.six_hump_camel, xs, ys, p, f, gx, gy)
    elif surface == 12:
        _grad_loop(surfaces.styblinski_tang, xs, ys, p, f, gx, gy)
    elif surface == 13:
        _grad_loop(surfaces.levi13, xs, ys, p, f, gx, gy)
    elif surface == 14:
        _grad_loop(surfaces.easom, xs, ys, p, f, gx, gy)
    elif surface == 15:
        _grad_loop(surfaces.two_basin, xs, ys, p, f, gx, gy)
    else:  # called by name: as an argument the big interpreter would not inline or cache
        formula_grad_loop(xs, ys, p, f, gx, gy)


@njit(**JIT)
def _update_loop(rule, constants, state, lo, base, n, lr, lrs, mom, h, gx, gy, nx, ny):
    per_particle = lrs.shape[0] > 0
    c = constants(n, mom, h)
    for k in range(gx.shape[0]):
        i = lo + k
        rate = lrs[i] if per_particle else lr
        x, y = state[0, i], state[1, i]
        nx[k], ny[k] = rule(state, i, base, n, x, y, gx[k], gy[k], rate, mom, h, c)


@njit(**JIT)
def update_block(rule, state, lo, base, n, lr, lrs, mom, h, gx, gy, nx, ny):
    """New positions (nx, ny) of particles lo, lo + 1, ... under optimizer rule ``rule``.

    ``lrs`` holds one lr per particle (plateau schedules) or is empty (use ``lr``).
    """
    if rule == 0:
        _update_loop(
            rules.sgd_update,
            rules.no_constants,
            state,
            lo,
            base,
            n,
            lr,
            lrs,
            mom,
            h,
            gx,
            gy,
            nx,
            ny,
        )
    elif rule == 1:
        _update_loop(
            rules.adagrad_update,
            rules.adagrad_constants,
            state,
            lo,
            base,
            n,
            lr,
            lrs,
            mom,
            h,
            gx,
            gy,
            nx,
            ny,
        )
    elif rule == 2:
        _update_loop(
            rules.adadelta_update,
            rules.no_constants,
            state,
            lo,
            base,
            n,
            lr,
            lrs,
            mom,
            h,
            gx,
            gy,
            nx,
            ny,
        )
    elif rule == 3:
        _update_loop(
            rules.rmsprop_update,
            rules.no_constants,
            state,
            lo,
            base,
            n,
            lr,
            lrs,
            mom,
            h,
            gx,
            gy,
            nx,
            ny,
        )
    elif rule == 4:
        _update_loop(
            rules.adam_update,
            rules.adam_constants,
            state,
            lo,
            base,
            n,
            lr,
            lrs,
            mom,
            h,
            gx,
            gy,
            nx,
            ny,
        )
    elif rule == 5:
        _update_loop(
            rules.nadam_update,
            rules.nadam_constants,
            state,
            lo,
            base,
            n,
            lr,
            lrs,
            mom,
            h,
            gx,
            gy,
            nx,
            ny,
        )
    elif rule == 6:
        _update_loop(
            rules.radam_update,
            rules.radam_constants,
            state,
            lo,
            base,
            n,
            lr,
            lrs,
            mom,
            h,
            gx,
            gy,
            nx,
            ny,
        )
    else:
        _update_loop(
            rules.adamax_update,
            rules.adamax_constants,
            state,
            lo,
            base,
            n,
            lr,
            lrs,
            mom,
            h,
            gx,
            gy,
            nx,
            ny,
        )
