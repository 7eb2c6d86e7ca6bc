"""What every numba update rule shares: the contract, the JIT options and common pieces.

Every rule has the signature ``update(s, i, n, x, y, gx, gy, lr, mom, h, c)``
and returns the new ``(x, y)``; its NumPy twin ``reference`` (same module) must give
the same numbers. ``c`` holds the rule's per-step constants (powers
of the betas and the like), computed once per step for all particles by the
rule's ``constants(n, mom, h)`` twin: pow() per particle would cost more than
the whole update. ``s`` is a tuple of the rule's state slots, each one
contiguous 1-D row of the engine's ``(slots, particles)`` array, and the rule
reads and writes ``s[slot][i]`` (zero-initialised by the engine, except where
``OptimizerSpec.initial_slots`` says). Separate 1-D arrays with constant tuple
indices are what lets LLVM check them for overlap and vectorise the block's loop
(``dispatch._update_loop``); a 2-D ``state[base + slot, i]`` with a runtime row
offset is not. Per-particle choices are selects, not branches, for the same
reason. ``n`` is the 1-based update count, ``lr``/``mom`` the scheduled learning
rate and momentum (or beta1), ``h`` the constant hyper-parameters in
``OptimizerSpec.hyper_names`` order. Operation order follows PyTorch's
single-tensor code (REFERENCE.md section 2), so trajectories agree with
torch.optim within rounding.
"""

from __future__ import annotations

from lrsim.core.jit import njit

JIT = {"cache": True, "error_model": "numpy", "inline": "always"}

NO_CONSTANTS = (0.0, 0.0, 0.0)


@njit(**JIT)
def no_constants(n, mom, h):
    return NO_CONSTANTS


@njit(**JIT)
def coupled_decay(x, y, gx, gy, weight_decay):
    """torch's coupled (L2) weight decay: g + wd * theta, skipped at 0 as torch skips it."""
    if weight_decay != 0.0:
        return gx + weight_decay * x, gy + weight_decay * y
    return gx, gy


@njit(**JIT)
def apply_weight_decay(x, y, gx, gy, lr, weight_decay, decoupled):
    """Decoupled decay shrinks theta (AdamW); coupled decay adds wd * theta to g."""
    if weight_decay != 0.0 and decoupled:
        return x * (1.0 - lr * weight_decay), y * (1.0 - lr * weight_decay), gx, gy
    gx, gy = coupled_decay(x, y, gx, gy, weight_decay)
    return x, y, gx, gy


@njit(**JIT)
def moments(s, i, gx, gy, beta1, beta2):
    mx = s[0][i] + (1.0 - beta1) * (gx - s[0][i])
    my = s[1][i] + (1.0 - beta1) * (gy - s[1][i])
    vx = beta2 * s[2][i] + (1.0 - beta2) * gx * gx
    vy = beta2 * s[3][i] + (1.0 - beta2) * gy * gy
    s[0][i] = mx
    s[1][i] = my
    s[2][i] = vx
    s[3][i] = vy
    return mx, my, vx, vy
