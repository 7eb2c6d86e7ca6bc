"""Integer dispatch to surfaces and optimizer rules, one block of particles at a time.

numba cannot reuse its on-disk cache for a kernel whose *arguments* are
functions (the cache key holds the function object's address), and a call
per particle through a big branchy dispatcher costs more than the maths. So
the fused kernel passes small integers, and each call here branches once and
then runs a tight loop over a block of particles with the surface or rule
inlined: an ``overload`` keyed on a literal index picks the function at
compile time, so it is a global to numba (inlined, vectorised, cacheable).
"""

from __future__ import annotations

from numba import types
from numba.extending import overload

from lrsim.core.jit import njit
from lrsim.core.optim.registry import RULE_CONSTANTS, RULE_SLOTS, RULES, rule_number
from lrsim.core.surfaces.formula_kernel import formula_grad_loop, formula_value_grad
from lrsim.core.surfaces.registry import SURFACES

JIT = {"cache": True, "error_model": "numpy", "nogil": True}

# Dispatch numbers: the registry's surfaces in its order, then the formula interpreter.
SURFACE_KERNELS = (*dict.fromkeys(s.value_grad for s in SURFACES.values()), formula_value_grad)
FORMULA_SURFACE = len(SURFACE_KERNELS) - 1
OPTIMIZER_RULES = RULES  # one per distinct rule, numbered in the registry's order
OPTIMIZER_CONSTANTS = RULE_CONSTANTS
OPTIMIZER_SLOTS = RULE_SLOTS


def surface_id(value_grad) -> int:
    """The dispatch number of a surface's kernel."""
    return SURFACE_KERNELS.index(value_grad)


def optimizer_id(name: str) -> int:
    """The dispatch number of optimizer ``name``'s rule (an unknown id raises)."""
    return rule_number(name)


@njit(cache=True, inline="always")
def as_tuple(p):
    """The first 8 entries of ``p`` (zero-padded) as a tuple: values the loop below cannot
    overwrite, so LLVM keeps them in registers and vectorises (an array could alias the
    outputs, which forces a reload every iteration and blocks SIMD)."""
    n = p.shape[0]
    return (
        p[0] if n > 0 else 0.0,
        p[1] if n > 1 else 0.0,
        p[2] if n > 2 else 0.0,
        p[3] if n > 3 else 0.0,
        p[4] if n > 4 else 0.0,
        p[5] if n > 5 else 0.0,
        p[6] if n > 6 else 0.0,
        p[7] if n > 7 else 0.0,
    )


def _surface_loop(which, xs, ys, p, f, gx, gy):
    """f, gx, gy of surface number ``which`` (a literal) at every (xs[k], ys[k])."""
    raise NotImplementedError("only callable from numba code")


@overload(_surface_loop)
def _surface_loop_impl(which, xs, ys, p, f, gx, gy):
    # ``which`` is a literal, so the kernel is a global here: numba inlines it (the kernels
    # are inline="always") and the loop vectorises; a function passed as a value would be
    # called through a pointer, which is slower and cannot be cached on disk.
    if not isinstance(which, types.IntegerLiteral):
        return None
    value_grad = SURFACE_KERNELS[which.literal_value]

    def loop(which, xs, ys, p, f, gx, gy):
        q = as_tuple(p)
        for k in range(xs.shape[0]):
            f[k], gx[k], gy[k] = value_grad(xs[k], ys[k], q)

    return loop


def _chain(count, target: str, call, params: str, what: str):
    """``def chain(number, count, params)``: one ``if number == i: target(i, params)`` branch
    for each i in 0 .. count - 1, and a ValueError for any other number.

    Written out from the tables' length, so a surface or rule added to its registry gets its
    branch without an edit here. Each branch calls ``target`` with a literal i: numba picks
    the function at compile time (inlined, cacheable), which a function looked up at run
    time in a tuple would not be.
    """
    if not isinstance(count, types.IntegerLiteral):
        return None
    lines = [f"def chain(number, count, {params}):"]
    for i in range(count.literal_value):
        lines += [
            f"    {'if' if i == 0 else 'elif'} number == {i}:",
            f"        {target}({i}, {params})",
        ]
    lines += ["    else:", f"        raise ValueError('unknown {what} number')"]
    namespace: dict = {target: call}
    exec("\n".join(lines), namespace)  # noqa: S102
    return namespace["chain"]


def _surface_chain(number, count, xs, ys, p, f, gx, gy):
    raise NotImplementedError("only callable from numba code")


@overload(_surface_chain)
def _surface_chain_impl(number, count, xs, ys, p, f, gx, gy):
    return _chain(count, "_surface_loop", _surface_loop, "xs, ys, p, f, gx, gy", "surface")


@njit(**JIT)
def value_grad_block(surface, xs, ys, p, f, gx, gy):
    """f, gx, gy at every (xs[k], ys[k]) for surface number ``surface``; an unknown one raises."""
    if surface == FORMULA_SURFACE:  # by name: the big interpreter neither inlines nor caches
        formula_grad_loop(xs, ys, p, f, gx, gy)
    else:
        _surface_chain(surface, FORMULA_SURFACE, xs, ys, p, f, gx, gy)


def slot_rows(state, base, count, lo, hi):
    """(state[base, lo:hi], ..., state[base + count - 1, lo:hi]): ``count`` a literal."""
    raise NotImplementedError("only callable from numba code")


@overload(slot_rows)
def _slot_rows_impl(state, base, count, lo, hi):
    if not isinstance(count, types.IntegerLiteral):
        return None
    rows = "".join(f"state[base + {j}, lo:hi], " for j in range(count.literal_value))
    namespace: dict = {}
    exec(f"def rows(state, base, count, lo, hi):\n    return ({rows})\n", namespace)  # noqa: S102
    return namespace["rows"]


def _update_loop(which, state, lo, base, n, lr, lrs, mom, h, gx, gy, nx, ny):
    """New (nx, ny) of particles lo, lo + 1, ... under optimizer rule ``which`` (a literal)."""
    raise NotImplementedError("only callable from numba code")


@overload(_update_loop)
def _update_loop_impl(which, state, lo, base, n, lr, lrs, mom, h, gx, gy, nx, ny):
    if not isinstance(which, types.IntegerLiteral):
        return None
    n_slots = OPTIMIZER_SLOTS[which.literal_value]

    def loop(which, state, lo, base, n, lr, lrs, mom, h, gx, gy, nx, ny):
        m = gx.shape[0]
        s = slot_rows(state, base, n_slots, lo, lo + m)
        xs, ys = state[0, lo : lo + m], state[1, lo : lo + m]
        rates = lrs[lo : lo + m] if lrs.shape[0] > 0 else lrs
        update_rows(which, s, xs, ys, n, lr, rates, mom, h, gx, gy, nx, ny)

    return loop


def update_rows(which, s, xs, ys, n, lr, lrs, mom, h, gx, gy, nx, ny):
    """New (nx, ny) of a block whose slot rows ``s`` and positions ``xs``, ``ys`` are given,
    under optimizer rule ``which`` (a literal); ``lrs`` a per-particle lr of the block or empty.
    The generic kernel's ``_update_loop`` calls it; the fused kernels call ``rule_rows``."""
    raise NotImplementedError("only callable from numba code")


@overload(update_rows)
def _update_rows_impl(which, s, xs, ys, n, lr, lrs, mom, h, gx, gy, nx, ny):
    if not isinstance(which, types.IntegerLiteral):
        return None
    rule = OPTIMIZER_RULES[which.literal_value]
    constants = OPTIMIZER_CONSTANTS[which.literal_value]

    def loop(which, s, xs, ys, n, lr, lrs, mom, h, gx, gy, nx, ny):
        # What keeps this loop vectorised (<4 x double> on AVX2; tests/kernels/
        # test_vectorised.py looks for it): every array it touches is a 1-D contiguous view
        # of this block indexed by the loop's own k (numba knows k >= 0 and drops the
        # negative-index wraparound select that an index lo + k needs, which stops LLVM);
        # the rule's slots arrive as a tuple of such rows indexed by constants, so LLVM can
        # check at run time that they do not overlap (a 2-D state[base + j, i] with a
        # runtime row offset defeats that); the per-step constants c and hyper-parameters q
        # are scalars hoisted out of the loop; error_model="numpy" (no zero-division branch
        # per "/"); and the rules load before they choose and choose with selects, never a
        # per-particle branch or a load on one side of an ``if`` (LLVM may not speculate it).
        c = constants(n, mom, h)
        q = as_tuple(h)
        m = gx.shape[0]
        if lrs.shape[0] > 0:  # two loops, not a load of lrs[i] chosen per particle
            for k in range(m):
                nx[k], ny[k] = rule(s, k, n, xs[k], ys[k], gx[k], gy[k], lrs[k], mom, q, c)
        else:
            rule_rows(which, s, xs, ys, n, lr, mom, q, c, gx, gy, nx, ny)

    return loop


def rule_rows(which, s, xs, ys, n, lr, mom, q, c, gx, gy, nx, ny):
    """``update_rows`` with the step's constants ``c`` and hyper-parameters ``q`` (a tuple)
    given, and one lr: the fused kernels read the constants from a table; ``update_rows``
    runs its one-lr case through it."""
    raise NotImplementedError("only callable from numba code")


@overload(rule_rows)
def _rule_rows_impl(which, s, xs, ys, n, lr, mom, q, c, gx, gy, nx, ny):
    if not isinstance(which, types.IntegerLiteral):
        return None
    rule = OPTIMIZER_RULES[which.literal_value]

    def loop(which, s, xs, ys, n, lr, mom, q, c, gx, gy, nx, ny):
        # vectorised as update_rows' loop is (see there)
        for k in range(gx.shape[0]):
            nx[k], ny[k] = rule(s, k, n, xs[k], ys[k], gx[k], gy[k], lr, mom, q, c)

    return loop


def _rule_chain(number, count, state, lo, base, n, lr, lrs, mom, h, gx, gy, nx, ny):
    raise NotImplementedError("only callable from numba code")


@overload(_rule_chain)
def _rule_chain_impl(number, count, state, lo, base, n, lr, lrs, mom, h, gx, gy, nx, ny):
    params = "state, lo, base, n, lr, lrs, mom, h, gx, gy, nx, ny"
    return _chain(count, "_update_loop", _update_loop, params, "optimizer rule")


N_RULES = len(OPTIMIZER_RULES)


@njit(**JIT)
def update_block(rule, state, lo, base, n, lr, lrs, mom, h, gx, gy, nx, ny):
    """New positions (nx, ny) of particles lo, lo + 1, ... under optimizer rule ``rule``.

    One branch per entry of ``OPTIMIZER_RULES`` (``_chain``); any other number raises.
    ``lrs`` holds one lr per particle (plateau schedules) or is empty (use ``lr``).
    """
    _rule_chain(rule, N_RULES, state, lo, base, n, lr, lrs, mom, h, gx, gy, nx, ny)
