"""What the app shows of an optimizer's inner state: its effective step size over time and,
for Schedule-Free and ASGD, the averaged point beside each particle.

``inner_series(runfile)`` re-runs the run file one update at a time (the kernel's
own state, as ``lrsim export --state`` does) and keeps, per run and step, the
median over particles (and coordinates) of the effective step size:

* Adam, AdamW, NAdam, RAdam: lr / (sqrt(v_hat) + eps), v_hat = v / (1 - beta2^n);
  Adamax lr / (1 - beta1^n) / u; RMSprop lr / (sqrt(v) + eps); Adagrad
  lr / (1 + (n - 1) lr_decay) / (sqrt(s) + eps); Adadelta lr sqrt(u + eps) / sqrt(v + eps);
* Prodigy d * lr; Schedule-Free its averaging weight c = weight / weight_sum;
  ASGD eta; Rprop the step size; Adafactor min(lr, 1/sqrt(n)); L-BFGS the step t;
* SGD and Lion the scheduled lr (every Lion step is lr per coordinate);

and the averaged point: Schedule-Free's evaluation point lerp(y, z, 1 - 1/beta1),
ASGD's ax. Row 0 (before any update) is NaN.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lrsim.core import kernel, lbfgs_kernel
from lrsim.core.engine import Simulation
from lrsim.core.optim import schedulefree
from lrsim.core.runfile import RunFile

MAX_PARTICLE_STEPS = 20_000_000
"""Larger simulations are not re-run for the inner state (the app says so)."""


def _adam(s, lr, mom, n, p):
    v_hat = s[2:4] / (1.0 - p["betas"][1] ** n)
    return lr / (np.sqrt(v_hat) + p["eps"])


def _prodigy(s, lr, mom, n, p):
    return s[8] * lr


def _schedulefree(s, lr, mom, n, p):
    weight = n ** p["r"] * s[2] ** p["weight_lr_power"]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s[3] != 0, weight / s[3], 0.0)


EFFECTIVE: dict[str, tuple[str, Callable]] = {
    "sgd": ("scheduled lr", lambda s, lr, mom, n, p: np.full(s.shape[1], lr)),
    "lion": ("lr (every sign step)", lambda s, lr, mom, n, p: np.full(s.shape[1], lr)),
    "adam": ("lr / (sqrt(v_hat) + eps)", _adam),
    "adamw": ("lr / (sqrt(v_hat) + eps)", _adam),
    "nadam": ("lr / (sqrt(v_hat) + eps)", _adam),
    "radam": ("lr / (sqrt(v_hat) + eps)", _adam),
    "adamax": (
        "lr / (1 - beta1^n) / u",
        lambda s, lr, mom, n, p: lr / (1.0 - mom**n) / s[2:4],
    ),
    "rmsprop": ("lr / (sqrt(v) + eps)", lambda s, lr, mom, n, p: lr / (np.sqrt(s[0:2]) + p["eps"])),
    "adagrad": (
        "lr_n / (sqrt(sum) + eps)",
        lambda s, lr, mom, n, p: lr / (1 + (n - 1) * p["lr_decay"]) / (np.sqrt(s[0:2]) + p["eps"]),
    ),
    "adadelta": (
        "lr sqrt(u + eps) / sqrt(v + eps)",
        lambda s, lr, mom, n, p: lr * np.sqrt(s[2:4] + p["eps"]) / np.sqrt(s[0:2] + p["eps"]),
    ),
    "prodigy": ("d * lr", _prodigy),
    "schedulefree_adamw": ("averaging weight c", _schedulefree),
    "schedulefree_sgd": ("averaging weight c", _schedulefree),
    "asgd": ("eta", lambda s, lr, mom, n, p: s[0]),
    "rprop": ("step size", lambda s, lr, mom, n, p: s[2:4]),
    "adafactor": (
        "min(lr, 1/sqrt(n))",
        lambda s, lr, mom, n, p: np.full(s.shape[1], min(lr, n**-0.5)),
    ),
    "lbfgs": ("step t", None),
}


@dataclass
class RunInner:
    """One run's inner-state series over steps 0..steps."""

    label: str
    color: str
    what: str  # which quantity ``effective`` holds
    effective: np.ndarray  # (steps + 1,) median over particles; NaN at step 0
    averaged: np.ndarray | None  # (particles, steps + 1, 2) or None


def _median(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if finite.size else np.nan


def inner_series(runfile: RunFile, progress=None) -> list[RunInner] | None:
    """Every run's inner-state series, or None when the run file is too large to re-run.

    ``progress(done, total)`` is called after every update (it may raise to stop).
    """
    sim = Simulation(runfile, allow_stride=False)
    if sim.n_particles * sim.steps * sim.n_runs > MAX_PARTICLE_STEPS:
        return None
    optimizers = [run.optimizer for run in runfile.runs]
    out = []
    for run, optimizer in zip(sim.runs, optimizers, strict=True):
        spec = optimizer.spec
        averaged = None
        if spec.name in ("asgd", schedulefree.ADAMW.name, schedulefree.SGD.name):
            averaged = np.full((sim.n_particles, sim.steps + 1, 2), np.nan)
        what = EFFECTIVE[spec.name][0]
        out.append(RunInner(run.label, run.color, what, np.full(sim.steps + 1, np.nan), averaged))
    for t in range(1, sim.steps + 1):
        sim.run_to(t)
        for r, optimizer in enumerate(optimizers):
            _record(sim, r, optimizer.spec, optimizer.params, t, out[r])
        if progress is not None:
            progress(t, sim.steps)
    return out


def _record(sim: Simulation, r: int, spec, params, t: int, inner: RunInner) -> None:
    state = sim._states[r]
    running = sim.runs[r].frozen_at < 0
    lr, mom = float(state.lrs[t - 1]), float(state.moms[t - 1])  # what update t used
    if state.lbfgs is not None:
        values = state.lbfgs[1][:, lbfgs_kernel.T]
    else:
        slots = state.state[kernel.OPT_BASE :]
        values = np.asarray(EFFECTIVE[spec.name][1](slots, lr, mom, float(t), params))
    values = values.reshape(-1, sim.n_particles)[:, running] if running.any() else values
    inner.effective[t] = _median(np.asarray(values, dtype=float))
    if inner.averaged is not None:
        slots = state.state[kernel.OPT_BASE :]
        if spec.name == "asgd":
            inner.averaged[:, t, 0], inner.averaged[:, t, 1] = slots[2], slots[3]
        else:
            beta1 = sim.runs[r].momentum_curve[t]
            x, y = state.state[kernel.X], state.state[kernel.Y]
            inner.averaged[:, t, 0] = schedulefree.eval_point(x, slots[0], beta1)
            inner.averaged[:, t, 1] = schedulefree.eval_point(y, slots[1], beta1)
