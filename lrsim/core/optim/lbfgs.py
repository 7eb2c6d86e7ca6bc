"""L-BFGS (torch.optim.LBFGS 2.13): its spec and a plain-Python reference of one ``step(closure)``.

Not an elementwise rule: each particle keeps a history of up to ``history_size``
pairs (s, y) and every ``step`` call evaluates the surface several times (up to
``max_iter`` iterations, ``max_eval`` evaluations). One CSV row per ``step`` call.
Within a call, from the gradient g at the current point::

    d = -H g                              (two-loop recursion over the history; H0 = ys / yy)
    t = min(1, 1 / sum|g|) * lr on the very first iteration, else lr
    theta <- theta + t d                  (or t from the strong-Wolfe line search)
    history gets (s = t d, y = g_new - g) when y.s > 1e-10

and it stops at max_iter, max_eval, max|g| <= tolerance_grad, max|t d| <=
tolerance_change or |f_new - f| < tolerance_change. The numba kernel
(``lrsim/core/lbfgs_kernel.py``) computes the same numbers for every particle.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from lrsim.core.optim.base import OptimizerEntry, OptimizerSpec, param, require


def _checks(name: str, p: Mapping[str, Any]) -> None:
    require(p["lr"] >= 0.0, "lr", f"must be >= 0, got {p['lr']!r}")
    # torch accepts these but fails inside step(): refused here instead
    require(p["max_iter"] >= 1, "max_iter", f"must be >= 1, got {p['max_iter']!r}")
    max_eval = p["max_eval"]
    require(max_eval is None or max_eval >= 1, "max_eval", f"must be >= 1, got {max_eval!r}")
    require(p["history_size"] >= 1, "history_size", f"must be >= 1, got {p['history_size']!r}")


def max_eval_of(p: Mapping[str, Any]) -> int:
    return p["max_iter"] * 5 // 4 if p["max_eval"] is None else p["max_eval"]


SPEC = OptimizerSpec(
    name="lbfgs",
    title="L-BFGS",
    doc="Quasi-Newton: d = -H g from the last history_size steps and gradient changes; "
    "one row per step(closure) call, which may evaluate the surface many times.",
    params=(
        param("lr", "float", 1.0, "Step length along d (the line search's first guess)."),
        param("max_iter", "int", 20, "Iterations per step(closure) call."),
        param(
            "max_eval",
            "int",
            None,
            "Surface evaluations per step call (not set: max_iter * 5 // 4).",
            optional=True,
        ),
        param("tolerance_grad", "float", 1e-7, "Stop when max |g| is at most this."),
        param(
            "tolerance_change", "float", 1e-9, "Stop when the step or the loss change is smaller."
        ),
        param("history_size", "int", 100, "Number of (s, y) pairs kept."),
        param(
            "line_search_fn",
            "choice",
            "none",
            '"strong_wolfe": a line search for t satisfying the strong Wolfe conditions.',
            choices=("none", "strong_wolfe"),
        ),
    ),
    momentum_kind=None,
    n_slots=0,  # its state is a history, kept by lrsim/core/lbfgs_kernel.py
    hyper_names=(),
    checks=_checks,
    hyper=lambda p: [],
    state_names=(),
    source="torch.optim 2.13",
)


def _dot(a, b):
    return a[0] * b[0] + a[1] * b[1]


def _add(a, alpha, b):
    return [a[0] + alpha * b[0], a[1] + alpha * b[1]]


def cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """torch.optim.lbfgs._cubic_interpolate on floats."""
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 * d1 - g1 * g2
    if d2_square >= 0:
        d2 = math.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def strong_wolfe(obj, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """torch.optim.lbfgs._strong_wolfe on floats; ``obj(x, t, d)`` -> (f, g)."""
    d_norm = max(abs(d[0]), abs(d[1]))
    f_new, g_new = obj(x, t, d)
    evals = 1
    gtd_new = _dot(g_new, d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    bracket_gtd = [gtd_prev, gtd_new]
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, (min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new, gtd_new
        f_new, g_new = obj(x, t, d)
        evals += 1
        gtd_new = _dot(g_new, d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = cubic_interpolate(
            bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]
        )
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj(x, t, d)
        evals += 1
        gtd_new = _dot(g_new, d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new, gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new, gtd_new
    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], evals


def reference_step(
    theta: list[float], closure: Callable, state: dict, lr: float, p: Mapping[str, Any]
) -> list[float]:
    """One ``LBFGS.step(closure)`` for one particle; ``closure(theta)`` -> (f, [gx, gy]).

    ``state`` is the optimizer's state dict (empty at first); returns the new theta.
    """
    max_iter, max_eval = p["max_iter"], max_eval_of(p)
    tolerance_grad, tolerance_change = p["tolerance_grad"], p["tolerance_change"]
    history_size = p["history_size"]
    state.setdefault("n_iter", 0)
    loss, flat_grad = closure(theta)
    current_evals = 1
    if max(abs(flat_grad[0]), abs(flat_grad[1])) <= tolerance_grad:
        return theta
    d, t = state.get("d"), state.get("t")
    old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
    h_diag, prev_flat_grad = state.get("H_diag"), state.get("prev_flat_grad")
    prev_loss = state.get("prev_loss")
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        state["n_iter"] += 1
        if state["n_iter"] == 1:
            d = [-flat_grad[0], -flat_grad[1]]
            old_dirs, old_stps, ro, h_diag = [], [], [], 1.0
        else:
            y = [flat_grad[0] - prev_flat_grad[0], flat_grad[1] - prev_flat_grad[1]]
            s = [d[0] * t, d[1] * t]
            ys = _dot(y, s)
            if ys > 1e-10:
                if len(old_dirs) == history_size:
                    old_dirs.pop(0)
                    old_stps.pop(0)
                    ro.pop(0)
                old_dirs.append(y)
                old_stps.append(s)
                ro.append(1.0 / ys)
                h_diag = ys / _dot(y, y)
            al = [0.0] * len(old_dirs)
            q = [-flat_grad[0], -flat_grad[1]]
            for i in range(len(old_dirs) - 1, -1, -1):
                al[i] = _dot(old_stps[i], q) * ro[i]
                q = _add(q, -al[i], old_dirs[i])
            r = [q[0] * h_diag, q[1] * h_diag]
            for i in range(len(old_dirs)):
                be_i = _dot(old_dirs[i], r) * ro[i]
                r = _add(r, al[i] - be_i, old_stps[i])
            d = r
        prev_flat_grad = list(flat_grad)
        prev_loss = loss
        if state["n_iter"] == 1:
            t = min(1.0, 1.0 / (abs(flat_grad[0]) + abs(flat_grad[1]))) * lr
        else:
            t = lr
        gtd = _dot(flat_grad, d)
        if gtd > -tolerance_change:
            break
        evals = 0
        if p["line_search_fn"] == "strong_wolfe":

            def obj(x, step, direction):
                return closure(_add(x, step, direction))

            loss, flat_grad, t, evals = strong_wolfe(
                obj, theta, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals
            )
            theta = _add(theta, t, d)
            opt_cond = max(abs(flat_grad[0]), abs(flat_grad[1])) <= tolerance_grad
        else:
            theta = _add(theta, t, d)
            opt_cond = False
            if n_iter != max_iter:
                loss, flat_grad = closure(theta)
                opt_cond = max(abs(flat_grad[0]), abs(flat_grad[1])) <= tolerance_grad
                evals = 1
        current_evals += evals
        if n_iter == max_iter or current_evals >= max_eval or opt_cond:
            break
        if max(abs(d[0] * t), abs(d[1] * t)) <= tolerance_change:
            break
        if abs(loss - prev_loss) < tolerance_change:
            break
    state.update(
        d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
        prev_flat_grad=prev_flat_grad, prev_loss=prev_loss,
    )  # fmt: skip
    return theta


# its own kernel path; the inner-state panel reads the step t from that kernel's state
ENTRIES = (OptimizerEntry(SPEC, None, None, reference_step, path="lbfgs", effective="step t"),)
