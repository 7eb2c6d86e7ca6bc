"""The engine's per-block loops compile to SIMD code (LLVM's <k x double> vectors).

A stray per-particle branch, a load on one side of an ``if`` or a 2-D state index
with a runtime row offset silently turns a loop back into scalar code; the numbers
stay the same, only the speed drops, so no other test would notice. Each case
compiles one loop alone (a small uncached wrapper) and reads its LLVM IR.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from numba import njit

from lrsim.core import kernel
from lrsim.core.dispatch import SURFACE_KERNELS, _surface_loop, _update_loop, optimizer_id
from lrsim.core.optim.registry import OPTIMIZERS
from lrsim.core.surfaces import kernels as surfaces

VECTOR = re.compile(r"<\d+ x double>")
BLOCK = 64


def _wrapper(source: str, **names):
    namespace = dict(names)
    exec(source, namespace)  # the literal rule / surface number must be in the source
    return njit(error_model="numpy")(namespace["w"])


def _ir(function) -> str:
    return function.inspect_llvm(function.signatures[0])


@pytest.mark.parametrize(
    "name, given",
    [
        ("sgd", {"lr": 0.1}),
        ("sgd", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
        ("adam", {"lr": 0.01}),
        ("adam", {"lr": 0.01, "amsgrad": True}),
        ("adamw", {"lr": 0.01}),
        ("rmsprop", {"lr": 0.01}),
        ("adagrad", {"lr": 0.1}),
    ],
)
def test_update_loop_is_vectorised(name, given):
    spec = OPTIMIZERS[name]
    params = spec.resolve(given)
    update = _wrapper(
        "def w(state, lo, base, n, lr, lrs, mom, h, gx, gy, nx, ny):\n"
        f"    _update_loop({optimizer_id(name)}, state, lo, base, n, lr, lrs, mom, h, gx, gy, "
        "nx, ny)\n",
        _update_loop=_update_loop,
    )
    state = np.zeros((kernel.OPT_BASE + spec.n_slots, BLOCK + 3))
    state[kernel.OPT_BASE :] = spec.initial_slots(params)[:, None]
    grads = np.linspace(-1.0, 1.0, BLOCK)
    nx, ny = np.empty(BLOCK), np.empty(BLOCK)
    update(
        state, 3, kernel.OPT_BASE, 1.0, params["lr"], np.zeros(0), spec.base_momentum(params),
        spec.hyper_vector(params), grads, grads[::-1].copy(), nx, ny,
    )  # fmt: skip
    assert np.all(np.isfinite(nx))
    assert VECTOR.search(_ir(update)), f"{name}: the update loop is scalar"


@pytest.mark.parametrize(
    "value_grad", [surfaces.rastrigin, surfaces.rosenbrock, surfaces.ackley, surfaces.quadratic]
)
def test_surface_loop_is_vectorised(value_grad):
    surface = _wrapper(
        "def w(xs, ys, p, f, gx, gy):\n"
        f"    _surface_loop({SURFACE_KERNELS.index(value_grad)}, xs, ys, p, f, gx, gy)\n",
        _surface_loop=_surface_loop,
    )
    xs = np.linspace(-2.0, 2.0, BLOCK)
    f, gx, gy = np.empty(BLOCK), np.empty(BLOCK), np.empty(BLOCK)
    surface(xs, xs[::-1].copy(), np.array([1.0, 100.0, 0.2, 1.0]), f, gx, gy)
    assert np.all(np.isfinite(f))
    assert VECTOR.search(_ir(surface)), f"{value_grad.__name__}: the surface loop is scalar"


def test_accept_loop_is_vectorised_and_freezes_only_what_leaves_the_bounds():
    # rows of one 2-D state sliced inside the compiled code, as the kernel does: LLVM then
    # sees one underlying object at runtime distances, the case that defeats it
    accept = _wrapper(
        "def w(state, frozen_at, lo, hi, new, step):\n"
        "    accept(state[0, lo:hi], state[1, lo:hi], state[2, lo:hi], state[3, lo:hi],\n"
        "           state[4, lo:hi], frozen_at[lo:hi], new[0], new[1], new[2], new[3], new[4],\n"
        "           step)\n",
        accept=kernel.accept,
    )
    state = np.zeros((kernel.OPT_BASE, BLOCK + 2))
    frozen = np.full(BLOCK + 2, -1, dtype=np.int64)
    frozen[3] = 4  # already frozen: stays where it is
    new = np.ones((5, BLOCK))
    new[0, 2] = 2 * kernel.DIVERGENCE_LIMIT  # particle 4 leaves the bounds now
    accept(state, frozen, 2, BLOCK + 2, new, 7)
    assert frozen[3] == 4 and frozen[4] == 7 and (np.delete(frozen, [3, 4])[2:] == -1).all()
    moved = state[:5, 2:]
    assert (moved[:, 1:3] == 0.0).all() and (state[:, :2] == 0.0).all()
    assert (np.delete(moved, [1, 2], axis=1) == 1.0).all()
    assert VECTOR.search(_ir(accept)), "the accept loop is scalar"
