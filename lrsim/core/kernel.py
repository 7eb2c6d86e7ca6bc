"""The fused hot path: gradient, noise, optimizer update, divergence, plateau, recording.

One call advances every particle of one run through a block of steps. The
surface and the optimizer rule arrive as small integers (``dispatch``), so the
whole engine is a single compilation that numba caches on disk.
Particles are processed in blocks with the step loop outside the particle loop
(block-major), and blocks are spread over cores with ``prange``.

State layout, ``state[slot, particle]`` (float64, C order):
0 x, 1 y, 2 loss, 3 gx, 4 gy (the gradient at x, y), 5 the particle's plateau lr,
6 plateau best, 7 bad steps, 8 cooldown left; ``OPT_BASE`` onwards the optimizer's.
``frozen_at[i]`` is the update at which particle i diverged (-1 while it runs).
``first_particle`` is the run file's index of particle 0 here (nonzero when a big
swarm is simulated block by block, ``lrsim.core.stream``): the noise drawn for a
particle depends on its index in the whole swarm, never on the block.
Recordings ``out_*[slot, particle]`` hold the state after ``recorded_steps[slot]`` updates.
The hot loops never index ``state[row, i]``: they take 1-D views of a block's rows and
index them by the loop's own k, which is what lets LLVM vectorise them (``dispatch``).
"""

from __future__ import annotations

import numpy as np

from lrsim.core.dispatch import update_block
from lrsim.core.jit import njit, prange
from lrsim.core.noise import gaussian_pair
from lrsim.core.surfaces.rotation import rotated_value_grad_block

X, Y, LOSS, GX, GY, PLATEAU_LR, PLATEAU_BEST, PLATEAU_BAD, PLATEAU_COOLDOWN = range(9)
OPT_BASE = 9
DIVERGENCE_LIMIT = 1e12
BLOCK = 256
RANGES = 16  # ranges per parallel call: enough to balance a few cores
JIT = {"cache": True, "error_model": "numpy", "nogil": True}


@njit(cache=True, inline="always")
def within_bounds(x, y, loss):
    return (
        abs(x) <= DIVERGENCE_LIMIT and abs(y) <= DIVERGENCE_LIMIT and abs(loss) <= DIVERGENCE_LIMIT
    )


@njit(**JIT)
def initialise(surface, surface_p, state, frozen_at, rotation):
    """Loss and gradient at the starts; a start already out of bounds is frozen at 0.

    ``rotation`` is [cos, sin] of a turned surface or empty (``lrsim.core.surfaces.rotation``)."""
    rotated_value_grad_block(
        surface, rotation, state[X], state[Y], surface_p, state[LOSS], state[GX], state[GY]
    )
    for i in range(state.shape[1]):
        if not within_bounds(state[X, i], state[Y, i], state[LOSS, i]):
            frozen_at[i] = 0


@njit(cache=True, inline="always", error_model="numpy")
def accept(xs, ys, losses, gxs, gys, frozen, nx, ny, f, ngx, ngy, step):
    """Move each running particle k of a block to (nx, ny) with its new loss and gradient,
    or freeze it at update ``step`` when that leaves the bounds.

    Loads first, then selects, no branch: a load on one side of an ``if`` is one LLVM may
    not speculate, and this loop would stop vectorising (tests/kernels/test_vectorised.py).
    """
    for k in range(xs.shape[0]):
        x, y, loss, old_gx, old_gy, was = xs[k], ys[k], losses[k], gxs[k], gys[k], frozen[k]
        new_x, new_y, new_f, new_gx, new_gy = nx[k], ny[k], f[k], ngx[k], ngy[k]
        running = was < 0
        move = running and within_bounds(new_x, new_y, new_f)
        frozen[k] = step if running and not move else was
        xs[k] = new_x if move else x
        ys[k] = new_y if move else y
        losses[k] = new_f if move else loss
        gxs[k] = new_gx if move else old_gx
        gys[k] = new_gy if move else old_gy


@njit(cache=True, inline="always")
def _plateau_step(state, i, metric, plateau):
    """ReduceLROnPlateau.step(metric) for particle i (REFERENCE 1.12)."""
    maximise, factor, patience, threshold = plateau[0] != 0.0, plateau[1], plateau[2], plateau[3]
    absolute, cooldown, min_lr, eps = plateau[4] != 0.0, plateau[5], plateau[6], plateau[7]
    best = state[PLATEAU_BEST, i]
    if maximise:
        better = metric > (best + threshold if absolute else best * (threshold + 1.0))
    else:
        better = metric < (best - threshold if absolute else best * (1.0 - threshold))
    if better:
        state[PLATEAU_BEST, i] = metric
        state[PLATEAU_BAD, i] = 0.0
    else:
        state[PLATEAU_BAD, i] += 1.0
    if state[PLATEAU_COOLDOWN, i] > 0.0:
        state[PLATEAU_COOLDOWN, i] -= 1.0
        state[PLATEAU_BAD, i] = 0.0
    if state[PLATEAU_BAD, i] > patience:
        old = state[PLATEAU_LR, i]
        new = max(old * factor, min_lr)
        if old - new > eps:
            state[PLATEAU_LR, i] = new
        state[PLATEAU_COOLDOWN, i] = cooldown
        state[PLATEAU_BAD, i] = 0.0


@njit(cache=True, inline="always")
def _advance_block(
    lo, hi, surface, rule, surface_p, hyper, state, frozen_at, lrs, moms, plateau,
    loss_scales, lr_scales, noise_scale, noise_seed, first_particle, t0, t1, slot_of_step,
    out_x, out_y, out_loss, out_lr, rotation,
):  # fmt: skip
    # Every loop below indexes 1-D views of this block by its own k: numba then knows the
    # index is >= 0 and drops the negative-index wraparound select that ``lo + k`` needs,
    # which is what lets LLVM vectorise the loops (see dispatch._update_loop).
    use_plateau = plateau.shape[0] > 0
    plateau_lrs = state[PLATEAU_LR] if use_plateau else state[PLATEAU_LR, :0]
    xs, ys, losses = state[X, lo:hi], state[Y, lo:hi], state[LOSS, lo:hi]
    gxs, gys, frozen = state[GX, lo:hi], state[GY, lo:hi], frozen_at[lo:hi]
    m = hi - lo
    gx, gy = np.empty(m), np.empty(m)
    nx, ny = np.empty(m), np.empty(m)
    f, ngx, ngy = np.empty(m), np.empty(m), np.empty(m)
    for t in range(t0, t1):
        for k in range(m):  # explicit loops: a slice assignment checks for overlap first
            gx[k] = gxs[k]
            gy[k] = gys[k]
        if noise_scale != 0.0:
            for k in range(m):
                zx, zy = gaussian_pair(noise_seed, first_particle + lo + k, t)
                gx[k] += noise_scale * zx
                gy[k] += noise_scale * zy
        if loss_scales.shape[0] > 0:  # loss decay (the schedule scales the loss) and maximize
            scale = loss_scales[t]
            for k in range(m):
                gx[k] *= scale
                gy[k] *= scale
        update_block(
            rule, state, lo, OPT_BASE, float(t + 1), lrs[t], plateau_lrs, moms[t], hyper,
            gx, gy, nx, ny,
        )  # fmt: skip
        if lr_scales.shape[0] > 0:  # per-coordinate lr: every rule's step is linear in lr
            scale_x, scale_y = lr_scales[0], lr_scales[1]
            for k in range(m):
                nx[k] = xs[k] + scale_x * (nx[k] - xs[k])
                ny[k] = ys[k] + scale_y * (ny[k] - ys[k])
        rotated_value_grad_block(surface, rotation, nx, ny, surface_p, f, ngx, ngy)
        step = t + 1
        accept(xs, ys, losses, gxs, gys, frozen, nx, ny, f, ngx, ngy, step)
        if use_plateau:
            for k in range(m):
                if frozen[k] < 0:
                    _plateau_step(state, lo + k, losses[k], plateau)
        slot = slot_of_step[step]
        if slot >= 0:  # recordings are (slot, particle): contiguous writes
            row_x, row_y, row_loss = out_x[slot, lo:hi], out_y[slot, lo:hi], out_loss[slot, lo:hi]
            for k in range(m):
                row_x[k] = xs[k]
                row_y[k] = ys[k]
                row_loss[k] = losses[k]
            if use_plateau:
                row_lr, block_lrs = out_lr[slot, lo:hi], plateau_lrs[lo:hi]
                for k in range(m):
                    row_lr[k] = block_lrs[k]


@njit(**JIT)
def advance_range(
    first, last, surface, rule, surface_p, hyper, state, frozen_at, lrs, moms, plateau,
    loss_scales, lr_scales, noise_scale, noise_seed, first_particle, t0, t1, slot_of_step,
    out_x, out_y, out_loss, out_lr, rotation,
):  # fmt: skip
    """Steps t0 -> t1 for particles first .. last - 1, block by block, on this thread."""
    for lo in range(first, last, BLOCK):
        _advance_block(
            lo, min(lo + BLOCK, last), surface, rule, surface_p, hyper, state,
            frozen_at, lrs, moms, plateau, loss_scales, lr_scales, noise_scale, noise_seed,
            first_particle, t0, t1, slot_of_step, out_x, out_y, out_loss, out_lr, rotation,
        )  # fmt: skip


@njit(cache=True, inline="always")
def parallel_ranges(n_particles):
    """How many block-aligned ranges a parallel call spreads over the cores."""
    return min((n_particles + BLOCK - 1) // BLOCK, RANGES)


@njit(cache=True, inline="always")
def range_bounds(r, n_ranges, n_particles):
    """Particles [first, last) of range r: whole blocks, the last range takes the rest."""
    n_blocks = (n_particles + BLOCK - 1) // BLOCK
    first = (n_blocks * r // n_ranges) * BLOCK
    return first, min((n_blocks * (r + 1) // n_ranges) * BLOCK, n_particles)


@njit(parallel=True, **JIT)
def advance_parallel(
    surface, rule, surface_p, hyper, state, frozen_at, lrs, moms, plateau,
    loss_scales, lr_scales, noise_scale, noise_seed, first_particle, t0, t1, slot_of_step,
    out_x, out_y, out_loss, out_lr, rotation,
):  # fmt: skip
    """Steps t0 -> t1 for all particles, a few block-aligned ranges spread over cores.

    Each range runs the serial, separately compiled loop: inlining the block loop
    into the parallel region instead loses its vectorisation.
    """
    n_particles = state.shape[1]
    n_ranges = parallel_ranges(n_particles)
    for r in prange(n_ranges):
        first, last = range_bounds(r, n_ranges, n_particles)
        advance_range(
            first, last, surface, rule, surface_p, hyper, state, frozen_at, lrs, moms, plateau,
            loss_scales, lr_scales, noise_scale, noise_seed, first_particle, t0, t1, slot_of_step,
            out_x, out_y, out_loss, out_lr, rotation,
        )  # fmt: skip


@njit(**JIT)
def advance_serial(
    surface, rule, surface_p, hyper, state, frozen_at, lrs, moms, plateau,
    loss_scales, lr_scales, noise_scale, noise_seed, first_particle, t0, t1, slot_of_step,
    out_x, out_y, out_loss, out_lr, rotation,
):  # fmt: skip
    """The same on one core: for few particles a second thread only costs."""
    advance_range(
        0, state.shape[1], surface, rule, surface_p, hyper, state, frozen_at, lrs, moms,
        plateau, loss_scales, lr_scales, noise_scale, noise_seed, first_particle, t0, t1,
        slot_of_step, out_x, out_y, out_loss, out_lr, rotation,
    )  # fmt: skip


PARALLEL_THRESHOLD = 2 * BLOCK


def advance(n_particles: int, *args) -> None:
    """Pick the serial or parallel kernel by swarm size."""
    kernel = advance_parallel if n_particles >= PARALLEL_THRESHOLD else advance_serial
    kernel(*args)
