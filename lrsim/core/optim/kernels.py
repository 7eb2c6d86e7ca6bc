"""numba update rules: the same numbers as ``reference.py``, one particle at a time.

Every rule has the signature ``update(s, i, n, x, y, gx, gy, lr, mom, h, c)``
and returns the new ``(x, y)``. ``c`` holds the rule's per-step constants (powers
of the betas and the like), computed once per step for all particles by the
rule's ``*_constants(n, mom, h)`` twin: pow() per particle would cost more than
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

import math

from lrsim.core.jit import njit

JIT = {"cache": True, "error_model": "numpy", "inline": "always"}


@njit(**JIT)
def sgd_update(s, i, n, x, y, gx, gy, lr, mom, h, c):
    dampening, weight_decay, nesterov = h[0], h[1], h[2] != 0.0
    if weight_decay != 0.0:
        gx = gx + weight_decay * x
        gy = gy + weight_decay * y
    if mom != 0.0:
        first = s[2][i] == 0.0  # PyTorch creates the buffer as a copy of g
        # loads first, then selects: a branch (or a load on one side of an ``if``
        # expression) per particle stops the block's loop from vectorising
        old_x, old_y = s[0][i], s[1][i]
        bx = gx if first else mom * old_x + (1.0 - dampening) * gx
        by = gy if first else mom * old_y + (1.0 - dampening) * gy
        s[2][i] = 1.0
        s[0][i] = bx
        s[1][i] = by
        if nesterov:
            gx = gx + mom * bx
            gy = gy + mom * by
        else:
            gx, gy = bx, by
    return x - lr * gx, y - lr * gy


@njit(**JIT)
def adagrad_update(s, i, n, x, y, gx, gy, lr, mom, h, c):
    weight_decay, eps = h[1], h[3]
    if weight_decay != 0.0:
        gx = gx + weight_decay * x
        gy = gy + weight_decay * y
    clr = lr / c[0]
    sx = s[0][i] + gx * gx
    sy = s[1][i] + gy * gy
    s[0][i] = sx
    s[1][i] = sy
    return x - clr * gx / (math.sqrt(sx) + eps), y - clr * gy / (math.sqrt(sy) + eps)


@njit(**JIT)
def adadelta_update(s, i, n, x, y, gx, gy, lr, mom, h, c):
    rho, eps, weight_decay = h[0], h[1], h[2]
    if weight_decay != 0.0:
        gx = gx + weight_decay * x
        gy = gy + weight_decay * y
    vx = rho * s[0][i] + (1.0 - rho) * gx * gx
    vy = rho * s[1][i] + (1.0 - rho) * gy * gy
    dx = math.sqrt(s[2][i] + eps) / math.sqrt(vx + eps) * gx
    dy = math.sqrt(s[3][i] + eps) / math.sqrt(vy + eps) * gy
    s[0][i] = vx
    s[1][i] = vy
    s[2][i] = rho * s[2][i] + (1.0 - rho) * dx * dx
    s[3][i] = rho * s[3][i] + (1.0 - rho) * dy * dy
    return x - lr * dx, y - lr * dy


@njit(**JIT)
def rmsprop_update(s, i, n, x, y, gx, gy, lr, mom, h, c):
    alpha, eps, weight_decay, centered = h[0], h[1], h[2], h[3] != 0.0
    if weight_decay != 0.0:
        gx = gx + weight_decay * x
        gy = gy + weight_decay * y
    vx = alpha * s[0][i] + (1.0 - alpha) * gx * gx
    vy = alpha * s[1][i] + (1.0 - alpha) * gy * gy
    s[0][i] = vx
    s[1][i] = vy
    if centered:
        ax = s[2][i] + (1.0 - alpha) * (gx - s[2][i])
        ay = s[3][i] + (1.0 - alpha) * (gy - s[3][i])
        s[2][i] = ax
        s[3][i] = ay
        avg_x = math.sqrt(vx - ax * ax) + eps
        avg_y = math.sqrt(vy - ay * ay) + eps
    else:
        avg_x = math.sqrt(vx) + eps
        avg_y = math.sqrt(vy) + eps
    if mom > 0.0:
        bx = mom * s[4][i] + gx / avg_x
        by = mom * s[5][i] + gy / avg_y
        s[4][i] = bx
        s[5][i] = by
        return x - lr * bx, y - lr * by
    return x - lr * gx / avg_x, y - lr * gy / avg_y


@njit(**JIT)
def _weight_decay(x, y, gx, gy, lr, weight_decay, decoupled):
    """Decoupled decay shrinks theta (AdamW); coupled decay adds wd * theta to g."""
    if weight_decay != 0.0:
        if decoupled:
            return x * (1.0 - lr * weight_decay), y * (1.0 - lr * weight_decay), gx, gy
        return x, y, gx + weight_decay * x, gy + weight_decay * y
    return x, y, gx, gy


@njit(**JIT)
def _moments(s, i, gx, gy, beta1, beta2):
    mx = s[0][i] + (1.0 - beta1) * (gx - s[0][i])
    my = s[1][i] + (1.0 - beta1) * (gy - s[1][i])
    vx = beta2 * s[2][i] + (1.0 - beta2) * gx * gx
    vy = beta2 * s[3][i] + (1.0 - beta2) * gy * gy
    s[0][i] = mx
    s[1][i] = my
    s[2][i] = vx
    s[3][i] = vy
    return mx, my, vx, vy


@njit(**JIT)
def adam_update(s, i, n, x, y, gx, gy, lr, beta1, h, c):
    beta2, eps, weight_decay, amsgrad, decoupled = h[0], h[1], h[2], h[3] != 0.0, h[4] != 0.0
    x, y, gx, gy = _weight_decay(x, y, gx, gy, lr, weight_decay, decoupled)
    mx, my, vx, vy = _moments(s, i, gx, gy, beta1, beta2)
    # amsgrad by selects and a store of the old value without it: a conditional store
    # would stop the block's loop from vectorising
    max_x, max_y = s[4][i], s[5][i]
    vx = max(max_x, vx) if amsgrad else vx
    vy = max(max_y, vy) if amsgrad else vy
    s[4][i] = vx if amsgrad else max_x
    s[5][i] = vy if amsgrad else max_y
    step_size = lr / c[0]
    correction2_sqrt = c[1]
    x = x + (-step_size * mx) / (math.sqrt(vx) / correction2_sqrt + eps)
    y = y + (-step_size * my) / (math.sqrt(vy) / correction2_sqrt + eps)
    return x, y


@njit(**JIT)
def nadam_update(s, i, n, x, y, gx, gy, lr, beta1, h, c):
    beta2, eps, weight_decay, decoupled = h[0], h[1], h[2], h[4] != 0.0
    x, y, gx, gy = _weight_decay(x, y, gx, gy, lr, weight_decay, decoupled)
    mu, mu_next, correction2 = c[0], c[1], c[2]
    product = s[4][i] * mu  # starts at 1.0 (OptimizerSpec.initial_slots)
    s[4][i] = product
    mx, my, vx, vy = _moments(s, i, gx, gy, beta1, beta2)
    dx = math.sqrt(vx / correction2) + eps
    dy = math.sqrt(vy / correction2) + eps
    grad_scale = -lr * (1.0 - mu) / (1.0 - product)
    x = x + grad_scale * gx / dx
    y = y + grad_scale * gy / dy
    avg_scale = (-lr * mu_next) / (1.0 - product * mu_next)
    return x + avg_scale * mx / dx, y + avg_scale * my / dy


@njit(**JIT)
def radam_update(s, i, n, x, y, gx, gy, lr, beta1, h, c):
    beta2, eps, weight_decay, decoupled = h[0], h[1], h[2], h[3] != 0.0
    x, y, gx, gy = _weight_decay(x, y, gx, gy, lr, weight_decay, decoupled)
    mx, my, vx, vy = _moments(s, i, gx, gy, beta1, beta2)
    correction1, rect, root2 = c[0], c[1], c[2]
    cx = mx / correction1
    cy = my / correction1
    if rect > 0.0:  # rho_n > 5: the adaptive term is on
        x = x - cx * lr * (root2 / (math.sqrt(vx) + eps)) * rect
        y = y - cy * lr * (root2 / (math.sqrt(vy) + eps)) * rect
        return x, y
    return x - cx * lr, y - cy * lr


@njit(**JIT)
def adamax_update(s, i, n, x, y, gx, gy, lr, beta1, h, c):
    beta2, eps, weight_decay = h[0], h[1], h[2]
    if weight_decay != 0.0:
        gx = gx + weight_decay * x
        gy = gy + weight_decay * y
    mx = s[0][i] + (1.0 - beta1) * (gx - s[0][i])
    my = s[1][i] + (1.0 - beta1) * (gy - s[1][i])
    ux = max(beta2 * s[2][i], abs(gx) + eps)
    uy = max(beta2 * s[3][i], abs(gy) + eps)
    s[0][i] = mx
    s[1][i] = my
    s[2][i] = ux
    s[3][i] = uy
    clr = lr / c[0]
    return x + (-clr * mx) / ux, y + (-clr * my) / uy


NO_CONSTANTS = (0.0, 0.0, 0.0)


@njit(**JIT)
def no_constants(n, mom, h):
    return NO_CONSTANTS


@njit(**JIT)
def adagrad_constants(n, mom, h):
    return 1.0 + (n - 1) * h[0], 0.0, 0.0


@njit(**JIT)
def adam_constants(n, beta1, h):
    return 1.0 - beta1**n, math.sqrt(1.0 - h[0] ** n), 0.0


@njit(**JIT)
def nadam_constants(n, beta1, h):
    psi = h[3]
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (n * psi))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((n + 1) * psi))
    return mu, mu_next, 1.0 - h[0] ** n


@njit(**JIT)
def radam_constants(n, beta1, h):
    """(1 - beta1^n, the rectifier (0 while rho_n <= 5), sqrt(1 - beta2^n))."""
    beta2 = h[0]
    correction2 = 1.0 - beta2**n
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    rho_n = rho_inf - 2.0 * n * beta2**n / correction2
    rect = 0.0
    if rho_n > 5.0:
        rect = math.sqrt(
            (rho_n - 4.0) * (rho_n - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_n)
        )
    return 1.0 - beta1**n, rect, math.sqrt(correction2)


@njit(**JIT)
def adamax_constants(n, beta1, h):
    return 1.0 - beta1**n, 0.0, 0.0


KERNEL_CONSTANTS = {
    "sgd": no_constants,
    "adagrad": adagrad_constants,
    "adadelta": no_constants,
    "rmsprop": no_constants,
    "adam": adam_constants,
    "adamw": adam_constants,
    "nadam": nadam_constants,
    "radam": radam_constants,
    "adamax": adamax_constants,
}

KERNEL_UPDATES = {
    "sgd": sgd_update,
    "adagrad": adagrad_update,
    "adadelta": adadelta_update,
    "rmsprop": rmsprop_update,
    "adam": adam_update,
    "adamw": adam_update,
    "nadam": nadam_update,
    "radam": radam_update,
    "adamax": adamax_update,
}
