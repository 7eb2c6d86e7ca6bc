"""L-BFGS's own numba path: every particle runs ``LBFGS.step(closure)`` once per row.

Not the fused elementwise engine: a step evaluates the surface several times and
each particle keeps a history. Same numbers as the plain-Python reference
``lrsim/core/optim/lbfgs.py`` (and torch 2.13), particle by particle, spread over
cores with ``prange``. Per particle:

* ``hist[i, k]`` = (s_x, s_y, y_x, y_y, ro) of the k-th slot of a ring buffer;
* ``vec[i]`` = (d_x, d_y, t, H_diag, prev_gx, prev_gy, prev_loss, n_iter, head, count).
"""

from __future__ import annotations

import math

import numpy as np

from lrsim.core.dispatch import value_grad_block
from lrsim.core.jit import njit, prange

JIT = {"cache": True, "error_model": "numpy", "nogil": True}
D_X, D_Y, T, H_DIAG, PREV_GX, PREV_GY, PREV_LOSS, N_ITER, HEAD, COUNT = range(10)
N_VEC = 10
DIVERGENCE_LIMIT = 1e12


@njit(**JIT)
def _evaluate(surface, p, x, y, buf):
    """(f, gx, gy) at (x, y); ``buf`` is a (5, 1) scratch array."""
    buf[0, 0] = x
    buf[1, 0] = y
    value_grad_block(surface, buf[0], buf[1], p, buf[2], buf[3], buf[4])
    return buf[2, 0], buf[3, 0], buf[4, 0]


@njit(**JIT)
def cubic_interpolate(x1, f1, g1, x2, f2, g2, bounded, lo, hi):
    if bounded:
        xmin_bound, xmax_bound = lo, hi
    elif x1 <= x2:
        xmin_bound, xmax_bound = x1, x2
    else:
        xmin_bound, xmax_bound = x2, x1
    d1 = g1 + g2 - 3.0 * (f1 - f2) / (x1 - x2)
    d2_square = d1 * d1 - g1 * g2
    if d2_square >= 0.0:
        d2 = math.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2.0 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2.0 * d2))
        low = xmin_bound if xmin_bound > min_pos else min_pos  # Python's max(min_pos, lo)
        return xmax_bound if xmax_bound < low else low  # min(low, hi)
    return (xmin_bound + xmax_bound) / 2.0


@njit(**JIT)
def _bmax(b):
    return b[1] if b[1] > b[0] else b[0]


@njit(**JIT)
def _bmin(b):
    return b[1] if b[1] < b[0] else b[0]


@njit(**JIT)
def strong_wolfe(surface, p, buf, x, y, t, dx, dy, f, gx, gy, gtd, tolerance_change, max_ls):
    """torch's _strong_wolfe (c1 = 1e-4, c2 = 0.9): (f, gx, gy, t, evaluations)."""
    c1, c2 = 1e-4, 0.9
    d_norm = max(abs(dx), abs(dy))
    f_new, gnx, gny = _evaluate(surface, p, x + t * dx, y + t * dy, buf)
    evals = 1
    gtd_new = gnx * dx + gny * dy
    t_prev, f_prev, gpx, gpy, gtd_prev = 0.0, f, gx, gy, gtd
    done = False
    ls_iter = 0
    bt, bf, bgtd = np.zeros(2), np.zeros(2), np.zeros(2)
    bg = np.zeros((2, 2))
    size = 2
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bt[0], bf[0], bg[0, 0], bg[0, 1], bgtd[0] = t_prev, f_prev, gpx, gpy, gtd_prev
            bt[1], bf[1], bg[1, 0], bg[1, 1], bgtd[1] = t, f_new, gnx, gny, gtd_new
            break
        if abs(gtd_new) <= -c2 * gtd:
            bt[0], bf[0], bg[0, 0], bg[0, 1] = t, f_new, gnx, gny
            size = 1
            done = True
            break
        if gtd_new >= 0.0:
            bt[0], bf[0], bg[0, 0], bg[0, 1], bgtd[0] = t_prev, f_prev, gpx, gpy, gtd_prev
            bt[1], bf[1], bg[1, 0], bg[1, 1], bgtd[1] = t, f_new, gnx, gny, gtd_new
            break
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10.0
        previous = t
        t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, True, min_step, max_step)
        t_prev, f_prev, gpx, gpy, gtd_prev = previous, f_new, gnx, gny, gtd_new
        f_new, gnx, gny = _evaluate(surface, p, x + t * dx, y + t * dy, buf)
        evals += 1
        gtd_new = gnx * dx + gny * dy
        ls_iter += 1
    if ls_iter == max_ls:
        bt[0], bf[0], bg[0, 0], bg[0, 1] = 0.0, f, gx, gy
        bt[1], bf[1], bg[1, 0], bg[1, 1] = t, f_new, gnx, gny
        size = 2
    insufficient = False
    low, high = (0, 1) if bf[0] <= bf[size - 1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bt[1] - bt[0]) * d_norm < tolerance_change:
            break
        t = cubic_interpolate(bt[0], bf[0], bgtd[0], bt[1], bf[1], bgtd[1], False, 0.0, 0.0)
        top, bottom = _bmax(bt), _bmin(bt)
        eps = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < eps:
            if insufficient or t >= top or t <= bottom:
                if abs(t - top) < abs(t - bottom):
                    t = top - eps
                else:
                    t = bottom + eps
                insufficient = False
            else:
                insufficient = True
        else:
            insufficient = False
        f_new, gnx, gny = _evaluate(surface, p, x + t * dx, y + t * dy, buf)
        evals += 1
        gtd_new = gnx * dx + gny * dy
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bf[low]:
            bt[high], bf[high], bg[high, 0], bg[high, 1], bgtd[high] = t, f_new, gnx, gny, gtd_new
            low, high = (0, 1) if bf[0] <= bf[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bt[high] - bt[low]) >= 0.0:
                bt[high], bf[high], bgtd[high] = bt[low], bf[low], bgtd[low]
                bg[high, 0], bg[high, 1] = bg[low, 0], bg[low, 1]
            bt[low], bf[low], bg[low, 0], bg[low, 1], bgtd[low] = t, f_new, gnx, gny, gtd_new
    return bf[low], bg[low, 0], bg[low, 1], bt[low], evals


@njit(**JIT)
def _two_loop(hist, vec, gx, gy):
    """d = -H g by the two-loop recursion over the particle's history (ring buffer)."""
    size = hist.shape[0]
    head, count = int(vec[HEAD]), int(vec[COUNT])
    al = np.empty(max(count, 1))
    qx, qy = -gx, -gy
    for k in range(count - 1, -1, -1):
        slot = (head + k) % size
        al[k] = (hist[slot, 0] * qx + hist[slot, 1] * qy) * hist[slot, 4]
        qx = qx + -al[k] * hist[slot, 2]
        qy = qy + -al[k] * hist[slot, 3]
    rx, ry = qx * vec[H_DIAG], qy * vec[H_DIAG]
    for k in range(count):
        slot = (head + k) % size
        be = (hist[slot, 2] * rx + hist[slot, 3] * ry) * hist[slot, 4]
        rx = rx + (al[k] - be) * hist[slot, 0]
        ry = ry + (al[k] - be) * hist[slot, 1]
    return rx, ry


@njit(**JIT)
def _remember(hist, vec, sx, sy, yx, yy, ys):
    """Append (s, y) (dropping the oldest when full) and set H_diag = ys / yy."""
    size = hist.shape[0]
    head, count = int(vec[HEAD]), int(vec[COUNT])
    if count == size:
        head = (head + 1) % size
        count -= 1
    slot = (head + count) % size
    hist[slot, 0], hist[slot, 1], hist[slot, 2], hist[slot, 3] = sx, sy, yx, yy
    hist[slot, 4] = 1.0 / ys
    vec[HEAD], vec[COUNT] = head, count + 1
    vec[H_DIAG] = ys / (yx * yx + yy * yy)


@njit(**JIT)
def lbfgs_step(surface, p, buf, hist, vec, x, y, lr, config):
    """One LBFGS.step(closure) from (x, y): the new (x, y)."""
    max_iter, max_eval, tolerance_grad = int(config[0]), int(config[1]), config[2]
    tolerance_change, strong = config[3], config[4] != 0.0
    loss, gx, gy = _evaluate(surface, p, x, y, buf)
    current_evals = 1
    if max(abs(gx), abs(gy)) <= tolerance_grad:
        return x, y
    dx, dy, t = vec[D_X], vec[D_Y], vec[T]
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        vec[N_ITER] += 1.0
        if vec[N_ITER] == 1.0:
            dx, dy = -gx, -gy
            vec[HEAD], vec[COUNT], vec[H_DIAG] = 0.0, 0.0, 1.0
        else:
            yx, yy = gx - vec[PREV_GX], gy - vec[PREV_GY]
            sx, sy = dx * t, dy * t
            ys = yx * sx + yy * sy
            if ys > 1e-10:
                _remember(hist, vec, sx, sy, yx, yy, ys)
            dx, dy = _two_loop(hist, vec, gx, gy)
        vec[PREV_GX], vec[PREV_GY], vec[PREV_LOSS] = gx, gy, loss
        if vec[N_ITER] == 1.0:
            t = min(1.0, 1.0 / (abs(gx) + abs(gy))) * lr
        else:
            t = lr
        gtd = gx * dx + gy * dy
        if gtd > -tolerance_change:
            break
        evals = 0
        opt_cond = False
        if strong:
            loss, gx, gy, t, evals = strong_wolfe(
                surface, p, buf, x, y, t, dx, dy, loss, gx, gy, gtd, tolerance_change,
                max_eval - current_evals,
            )  # fmt: skip
            x, y = x + t * dx, y + t * dy
            opt_cond = max(abs(gx), abs(gy)) <= tolerance_grad
        else:
            x, y = x + t * dx, y + t * dy
            if n_iter != max_iter:
                loss, gx, gy = _evaluate(surface, p, x, y, buf)
                opt_cond = max(abs(gx), abs(gy)) <= tolerance_grad
                evals = 1
        current_evals += evals
        if n_iter == max_iter or current_evals >= max_eval or opt_cond:
            break
        if max(abs(dx * t), abs(dy * t)) <= tolerance_change:
            break
        if abs(loss - vec[PREV_LOSS]) < tolerance_change:
            break
    vec[D_X], vec[D_Y], vec[T] = dx, dy, t
    return x, y


@njit(**JIT)
def _advance_particle(i, surface, p, hist, vec, state, frozen_at, lrs, config, t0, t1,
                      slot_of_step, out_x, out_y, out_loss):  # fmt: skip
    buf = np.empty((5, 1))
    for t in range(t0, t1):
        if frozen_at[i] < 0:
            nx, ny = lbfgs_step(surface, p, buf, hist[i], vec[i], state[0, i], state[1, i],
                                lrs[t], config)  # fmt: skip
            f, _, _ = _evaluate(surface, p, nx, ny, buf)
            if (
                abs(nx) <= DIVERGENCE_LIMIT
                and abs(ny) <= DIVERGENCE_LIMIT
                and abs(f) <= DIVERGENCE_LIMIT
            ):
                state[0, i], state[1, i], state[2, i] = nx, ny, f
            else:
                frozen_at[i] = t + 1
        slot = slot_of_step[t + 1]
        if slot >= 0:
            out_x[slot, i] = state[0, i]
            out_y[slot, i] = state[1, i]
            out_loss[slot, i] = state[2, i]


@njit(parallel=True, **JIT)
def advance(surface, p, hist, vec, state, frozen_at, lrs, config, t0, t1, slot_of_step,
            out_x, out_y, out_loss):  # fmt: skip
    """Steps t0 -> t1 (one LBFGS.step per row) for every particle."""
    for i in prange(state.shape[1]):
        _advance_particle(i, surface, p, hist, vec, state, frozen_at, lrs, config, t0, t1,
                          slot_of_step, out_x, out_y, out_loss)  # fmt: skip


def buffers(n_particles: int, history_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Zeroed (hist, vec) for ``n_particles``."""
    return np.zeros((n_particles, history_size, 5)), np.zeros((n_particles, N_VEC))


def config_vector(params) -> np.ndarray:
    from lrsim.core.optim.lbfgs import max_eval_of

    return np.array(
        [
            params["max_iter"],
            max_eval_of(params),
            params["tolerance_grad"],
            params["tolerance_change"],
            1.0 if params["line_search_fn"] == "strong_wolfe" else 0.0,
        ],
        dtype=np.float64,
    )


def state_bytes(params) -> int:
    """Bytes of L-BFGS state per particle (history and vector)."""
    return 8 * (5 * params["history_size"] + N_VEC)


def check_run(runfile, run, schedule: dict) -> None:
    """L-BFGS takes several evaluations per row: refuse options that assume one gradient."""
    from lrsim.core.errors import ConfigError
    from lrsim.core.runfile import run_noise

    if run.optimizer.get("name") != "lbfgs":
        return
    if schedule["name"] == "plateau":
        raise ConfigError("schedule.name", "plateau is not supported with lbfgs")
    if run_noise(runfile, run).scale != 0.0:
        raise ConfigError("noise", "lbfgs takes exact gradients (no noise)")
    if run.loss_decay:
        raise ConfigError("loss_decay", "not supported with lbfgs")
    if run.lr_scales != (1.0, 1.0):
        raise ConfigError("lr_scales", "not supported with lbfgs")
