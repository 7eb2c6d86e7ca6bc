"""The same simulation in plain NumPy: a loop over steps, vectorised over particles.

Obviously right rather than fast: the fused numba kernel is tested against it,
and the benchmark measures it as the "plain NumPy" baseline. On the app's first
start, while the kernels compile, it also fills ``Simulation(engine="reference")``
(``initialise`` and ``fill_simulation``, see ``lrsim.core.warmup``).
"""

from __future__ import annotations

import numpy as np

from lrsim.core import kernel
from lrsim.core.engine import resolve_surface, run_learning_rates, start_points
from lrsim.core.kernel import DIVERGENCE_LIMIT
from lrsim.core.noise import gaussian_pairs_numpy
from lrsim.core.optim.registry import entry
from lrsim.core.runfile import RunFile, run_noise


def _plateau_step(metric, lr, best, bad, cooldown, schedule):
    """Vectorised ReduceLROnPlateau.step for particles still running (REFERENCE 1.12)."""
    threshold = schedule["threshold"]
    if schedule["mode"] == "max":
        bound = best + threshold if schedule["threshold_mode"] == "abs" else best * (threshold + 1)
        better = metric > bound
    else:
        bound = best - threshold if schedule["threshold_mode"] == "abs" else best * (1 - threshold)
        better = metric < bound
    best = np.where(better, metric, best)
    bad = np.where(better, 0, bad + 1)
    in_cooldown = cooldown > 0
    cooldown = np.where(in_cooldown, cooldown - 1, cooldown)
    bad = np.where(in_cooldown, 0, bad)
    reduce = bad > schedule["patience"]
    new_lr = np.maximum(lr * schedule["factor"], schedule["min_lr"])
    lr = np.where(reduce & (lr - new_lr > schedule["eps"]), new_lr, lr)
    cooldown = np.where(reduce, schedule["cooldown"], cooldown)
    bad = np.where(reduce, 0, bad)
    return lr, best, bad, cooldown


def simulate_run(runfile: RunFile, run_index: int, particles: np.ndarray | None = None) -> dict:
    """Every step of one run: arrays x, y, loss, lr (N, T+1), momentum (T+1,), frozen_at (N,)."""
    steps = runfile.steps
    surface, surface_params, domain = resolve_surface(runfile)
    starts = start_points(runfile, domain)
    index = np.arange(len(starts)) if particles is None else np.asarray(particles)
    theta = starts[index].copy()
    run = runfile.runs[run_index]
    spec, params, schedule = run.optimizer.spec, run.optimizer.params, run.schedule.params
    lrs, moms, loss_scales = run_learning_rates(run)
    lr_scales = np.array(run.lr_scales)
    update = entry(spec.name).reference
    if entry(spec.name).path == "lbfgs":
        return _simulate_lbfgs(surface, surface_params, theta, lrs, moms, params, steps)
    plateau = run.schedule.per_particle
    n = len(theta)
    out = {key: np.empty((n, steps + 1)) for key in ("x", "y", "loss", "lr")}
    frozen_at = np.full(n, -1)
    plateau_lr = np.full(n, lrs[0])
    best = np.full(n, run.schedule.best_start)
    bad = np.zeros(n)
    cooldown = np.zeros(n)
    state: dict = {}  # each reference creates its own entries on first use, as torch does
    noise_scale = run_noise(runfile, run).scale
    with np.errstate(all="ignore"):
        loss, gx, gy = surface.reference(theta[:, 0], theta[:, 1], surface_params)
        bad_start = ~(
            (np.abs(theta) <= DIVERGENCE_LIMIT).all(axis=1) & (np.abs(loss) <= DIVERGENCE_LIMIT)
        )
        frozen_at[bad_start] = 0
        grad = np.column_stack([gx, gy])
        for t in range(steps + 1):
            out["x"][:, t], out["y"][:, t], out["loss"][:, t] = theta[:, 0], theta[:, 1], loss
            out["lr"][:, t] = plateau_lr if plateau else lrs[t]
            if t == steps:
                break
            noisy = grad
            if noise_scale != 0.0:
                pairs = gaussian_pairs_numpy(runfile.noise.seed, index, t)
                noisy = grad + noise_scale * pairs
            if loss_scales.size:
                noisy = noisy * loss_scales[t]
            lr = plateau_lr[:, None] if plateau else lrs[t]
            new_theta = update(theta, noisy, state, float(t + 1), lr, moms[t], params)
            if run.lr_scales != (1.0, 1.0):
                new_theta = theta + lr_scales * (new_theta - theta)
            new_loss, ngx, ngy = surface.reference(new_theta[:, 0], new_theta[:, 1], surface_params)
            ok = (np.abs(new_theta) <= DIVERGENCE_LIMIT).all(axis=1) & (
                np.abs(new_loss) <= DIVERGENCE_LIMIT
            )
            running = frozen_at < 0
            frozen_at[running & ~ok] = t + 1
            move = running & ok
            theta = np.where(move[:, None], new_theta, theta)
            loss = np.where(move, new_loss, loss)
            grad = np.where(move[:, None], np.column_stack([ngx, ngy]), grad)
            if plateau:
                new = _plateau_step(loss, plateau_lr, best, bad, cooldown, schedule)
                plateau_lr = np.where(move, new[0], plateau_lr)
                best = np.where(move, new[1], best)
                bad = np.where(move, new[2], bad)
                cooldown = np.where(move, new[3], cooldown)
    return {**out, "momentum": moms.copy(), "frozen_at": frozen_at}


def initialise(reference, surface_params, state, frozen_at) -> None:
    """``kernel.initialise`` in NumPy: loss and gradient at the starts, out-of-bounds frozen."""
    with np.errstate(all="ignore"):
        loss, gx, gy = reference(state[kernel.X], state[kernel.Y], surface_params)
    state[kernel.LOSS], state[kernel.GX], state[kernel.GY] = loss, gx, gy
    inside = (np.abs(state[kernel.X]) <= DIVERGENCE_LIMIT) & (
        np.abs(state[kernel.Y]) <= DIVERGENCE_LIMIT
    )
    frozen_at[~(inside & (np.abs(loss) <= DIVERGENCE_LIMIT))] = 0


def fill_simulation(sim) -> None:
    """Every step of every run of ``sim`` at once, into its recorded columns."""
    columns = sim.recorded_steps
    for index, trajectory in enumerate(sim.runs):
        out = simulate_run(sim.runfile, index)
        trajectory.x.T[:] = out["x"][:, columns].T
        trajectory.y.T[:] = out["y"][:, columns].T
        trajectory.loss.T[:] = out["loss"][:, columns].T
        if trajectory.per_particle_lr:
            trajectory.lr[:] = out["lr"][:, columns]
        trajectory.frozen_at[:] = out["frozen_at"]
        state = sim._states[index].state  # where the kernel would have left the particles
        state[kernel.X], state[kernel.Y] = out["x"][:, -1], out["y"][:, -1]
        state[kernel.LOSS] = out["loss"][:, -1]
    sim.current_step = sim.steps


def _simulate_lbfgs(surface, surface_params, theta, lrs, moms, params, steps) -> dict:
    """L-BFGS, one ``step(closure)`` per row, particle by particle (plain Python floats)."""
    from lrsim.core.optim.lbfgs import reference_step

    def closure(point):
        f, gx, gy = surface.reference(np.array([point[0]]), np.array([point[1]]), surface_params)
        return float(f[0]), [float(gx[0]), float(gy[0])]

    n = len(theta)
    out = {key: np.empty((n, steps + 1)) for key in ("x", "y", "loss", "lr")}
    out["lr"][:] = lrs
    frozen_at = np.full(n, -1)
    with np.errstate(all="ignore"):
        for i in range(n):
            point, state = [float(theta[i, 0]), float(theta[i, 1])], {}
            loss = closure(point)[0]
            if not _in_bounds(point, loss):
                frozen_at[i] = 0
            for t in range(steps + 1):
                out["x"][i, t], out["y"][i, t], out["loss"][i, t] = *point, loss
                if t == steps or frozen_at[i] >= 0:
                    continue
                new = reference_step(point, closure, state, float(lrs[t]), params)
                new_loss = closure(new)[0]
                if _in_bounds(new, new_loss):
                    point, loss = new, new_loss
                else:
                    frozen_at[i] = t + 1
    return {**out, "momentum": moms.copy(), "frozen_at": frozen_at}


def _in_bounds(point, loss) -> bool:
    values = (*point, loss)
    return all(np.isfinite(v) and abs(v) <= DIVERGENCE_LIMIT for v in values)
