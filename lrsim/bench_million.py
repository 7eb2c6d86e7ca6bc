"""The bench's 10^6 line: the engine beside torch's fused Adam (``bench_torch``; issue 13's
goal is a ratio to it) and beside its ceiling, the engine's float operations for Adam +
cosine on Rastrigin in one bare loop, so ``python -m lrsim.bench`` can say how far the
engine is from what these operations can do on this machine, whatever its structure.

The loop does, per particle and step, what the fused (Rastrigin, Adam) kernel does to the
numbers (torch's order for Adam: two divisions and a square root per coordinate; the
engine's own polynomial sin/cos; the loss at the new point, stored), and nothing else: no
freezing, no bounds check, no recording, no hyper-parameter selects (amsgrad, weight
decay), one loop instead of the engine's three. Blocks of ``BLOCK`` particles spread over
the cores as the engine's.

``contract=True`` lets LLVM fuse multiplies and adds (FMA): other last digits than the
engine's (which keeps torch's and NumPy's roundings), shown only as what that would buy.
"""

from __future__ import annotations

import importlib.util
import math
import os
import subprocess
import sys
import time

import numpy as np

from lrsim.core.jit import njit, prange
from lrsim.core.kernel import BLOCK
from lrsim.core.surfaces.turns import TWO_PI, sincos_turns

RASTRIGIN_A = 10.0
MILLION_SECONDS_GOAL = 2.5  # issue 13, as orientation on this machine
TORCH_RATIO_GOAL = 4  # issue 13: >= 4x torch's fused Adam, measured beside it


def _kernels(fastmath):
    """(step a block through steps, run all blocks in parallel), compiled with ``fastmath``."""
    jit = {"error_model": "numpy", "nogil": True, "fastmath": fastmath}

    @njit(inline="always", **jit)
    def value_grad(x, y):
        sin_x, cos_x = sincos_turns(x)
        sin_y, cos_y = sincos_turns(y)
        a = RASTRIGIN_A
        f = 2.0 * a + ((x * x - a * cos_x) + (y * y - a * cos_y))
        return f, 2.0 * x + TWO_PI * a * sin_x, 2.0 * y + TWO_PI * a * sin_y

    @njit(**jit)
    def block(state, lrs, beta1, beta2, eps, steps, lo, hi):
        # 1-D views indexed from 0: the loop vectorises (as the engine's)
        xs, ys, losses = state[0, lo:hi], state[1, lo:hi], state[2, lo:hi]
        gxs, gys = state[3, lo:hi], state[4, lo:hi]
        mxs, mys, vxs, vys = state[5, lo:hi], state[6, lo:hi], state[7, lo:hi], state[8, lo:hi]
        for t in range(steps):
            n = float(t + 1)
            step_size = lrs[t] / (1.0 - beta1**n)
            correction2_sqrt = math.sqrt(1.0 - beta2**n)
            for k in range(hi - lo):
                gx, gy = gxs[k], gys[k]
                mx = mxs[k] + (1.0 - beta1) * (gx - mxs[k])
                my = mys[k] + (1.0 - beta1) * (gy - mys[k])
                vx = beta2 * vxs[k] + (1.0 - beta2) * gx * gx
                vy = beta2 * vys[k] + (1.0 - beta2) * gy * gy
                mxs[k], mys[k], vxs[k], vys[k] = mx, my, vx, vy
                x = xs[k] + (-step_size * mx) / (math.sqrt(vx) / correction2_sqrt + eps)
                y = ys[k] + (-step_size * my) / (math.sqrt(vy) / correction2_sqrt + eps)
                f, ngx, ngy = value_grad(x, y)
                xs[k], ys[k], losses[k], gxs[k], gys[k] = x, y, f, ngx, ngy

    @njit(parallel=True, **jit)
    def run(state, lrs, beta1, beta2, eps, steps, ranges):
        n = state.shape[1]
        n_blocks = (n + BLOCK - 1) // BLOCK
        for r in prange(ranges):
            for b in range(n_blocks * r // ranges, n_blocks * (r + 1) // ranges):
                block(state, lrs, beta1, beta2, eps, steps, b * BLOCK, min(b * BLOCK + BLOCK, n))

    return run


def bare_loop_seconds(n: int, steps: int, contract: bool = False) -> float:
    """Seconds of the bare loop for ``n`` particles x ``steps`` steps (compiled first)."""
    run = _kernels({"contract"} if contract else False)
    lrs = 0.005 * (1.0 + np.cos(np.pi * np.arange(steps) / steps))  # cosine from lr 0.01
    rng = np.random.default_rng(0)

    def fresh(count):
        state = np.zeros((9, count))
        state[0:2] = rng.uniform(-5.12, 5.12, (2, count))
        return state

    run(fresh(2 * BLOCK), lrs, 0.9, 0.999, 1e-8, 2, 16)  # compile
    state = fresh(n)
    start = time.perf_counter()
    run(state, lrs, 0.9, 0.999, 1e-8, steps, 16)
    return time.perf_counter() - start


def torch_seconds(python: str | None, n: int, steps: int) -> float | str:
    """Seconds of ``bench_torch`` (torch's fused Adam) in ``python``, or in this interpreter
    if it has torch; else why it was not measured."""
    if python is None:
        if importlib.util.find_spec("torch") is None:
            return "no torch here; --torch-python PATH names an interpreter with it"
        python = sys.executable
    script = os.path.join(os.path.dirname(__file__), "bench_torch.py")
    out = subprocess.run([python, script, str(n), str(steps)], capture_output=True, text=True)
    try:
        return float(out.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):  # no torch there, or one without fused Adam
        return (out.stderr.strip().splitlines() or ["no output"])[-1]


def print_million(engine_seconds: float, steps: int, torch_python: str | None) -> None:
    """The 10^6 line: the engine's seconds beside torch's fused Adam (the goal is a ratio to
    it) and beside the bare loop of the same float operations (``bare_loop_seconds``)."""
    n = 1_000_000
    print(
        f"{'':>9} 10^6 particles x {steps} steps: {engine_seconds:.2f} s "
        f"(goal <= {MILLION_SECONDS_GOAL} s here, i.e. >= {TORCH_RATIO_GOAL}x torch)"
    )
    peer = torch_seconds(torch_python, n, steps)
    if isinstance(peer, str):
        print(f"{'':>9} torch's fused Adam: not measured ({peer})")
    else:
        print(
            f"{'':>9} torch's fused Adam, analytic gradient: {peer:.2f} s; the engine is "
            f"{peer / engine_seconds:.1f}x it (goal >= {TORCH_RATIO_GOAL}x)"
        )
    same = bare_loop_seconds(n, steps)
    fma = bare_loop_seconds(n, steps, contract=True)
    print(
        f"{'':>9} the same float operations in one bare loop (no freezing, bounds, recording "
        f"or selects): {same:.2f} s, the engine at {100 * same / engine_seconds:.0f} % of its "
        f"pace; with fused multiply-adds (other last digits): {fma:.2f} s"
    )
