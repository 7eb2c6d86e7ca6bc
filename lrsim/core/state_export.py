"""The optimizer state after every update, for ``lrsim export --state`` (contract).

Columns are named after the source's state keys with ``_x`` / ``_y`` (scalars such
as ASGD's ``eta`` or Prodigy's ``d`` one column; the source's ``step`` counter left
out), in the order the runs first name them; a run without a column leaves it
empty, and row 0 (before any update) leaves every state cell empty. Schedule-Free
adds its evaluation point ``eval_x, eval_y`` = lerp(y, z, 1 - 1/beta1), where
``optimizer.eval()`` would put the parameter. L-BFGS gives ``d``, ``t``,
``H_diag``, ``prev_flat_grad`` and ``prev_loss`` (its history lists do not fit
columns). A key that no run ever has is no column.

The values are the kernel's own state: the simulation is advanced one update at a
time and its state slots copied after each. A diverged particle's state stays as
it was after the update that diverged (the source is not stepped again).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrsim.core import kernel, lbfgs_kernel
from lrsim.core.engine import Simulation
from lrsim.core.optim.registry import entry

LBFGS_COLUMNS = {
    "d_x": lbfgs_kernel.D_X,
    "d_y": lbfgs_kernel.D_Y,
    "t": lbfgs_kernel.T,
    "H_diag": lbfgs_kernel.H_DIAG,
    "prev_flat_grad_x": lbfgs_kernel.PREV_GX,
    "prev_flat_grad_y": lbfgs_kernel.PREV_GY,
    "prev_loss": lbfgs_kernel.PREV_LOSS,
}
EVAL_COLUMNS = ("eval_x", "eval_y")
BUFFER_FLAG = "_buffer_exists"  # a state slot that is 0 until the source creates its buffer


@dataclass
class StateTable:
    """``values[run]`` is (particles, recorded steps, len(columns)); NaN = an empty cell."""

    columns: list[str]
    values: list[np.ndarray]


def _run_columns(simulation: Simulation, index: int) -> list[str]:
    optimizer = simulation.runfile.runs[index].optimizer
    spec, params = optimizer.spec, optimizer.params
    if entry(spec.name).path == "lbfgs":
        return list(LBFGS_COLUMNS)
    names = list(spec.exported_state(params))
    if entry(spec.name).eval_columns:  # Schedule-Free's evaluation point
        names += EVAL_COLUMNS
    return names


def _snapshot(simulation: Simulation, index: int, names: list[str]) -> np.ndarray:
    """(particles, len(names)) state of run ``index`` now."""
    run_state = simulation._states[index]
    spec = simulation.runfile.runs[index].optimizer.spec
    out = np.full((simulation.n_particles, len(names)), np.nan)
    if run_state.lbfgs is not None:
        vec = run_state.lbfgs[1]
        for k, name in enumerate(names):
            out[:, k] = vec[:, LBFGS_COLUMNS[name]]
        return out
    slots = run_state.state[kernel.OPT_BASE :]
    for k, name in enumerate(names):
        if name in spec.state_names:
            out[:, k] = slots[spec.state_names.index(name)]
    if BUFFER_FLAG in spec.state_names:  # torch has no buffer until the first step makes one
        missing = slots[spec.state_names.index(BUFFER_FLAG)] == 0.0
        out[missing] = np.nan
    if EVAL_COLUMNS[0] in names:
        trajectory = simulation.runs[index]
        beta1 = trajectory.momentum_curve[simulation.current_step]
        x, y = run_state.state[kernel.X], run_state.state[kernel.Y]
        eval_x, eval_y = entry(spec.name).averaged(slots, x, y, beta1)
        out[:, names.index("eval_x")] = eval_x
        out[:, names.index("eval_y")] = eval_y
    return out


def simulate_with_state(simulation: Simulation, progress=None) -> StateTable:
    """Run ``simulation`` (at step 0, recording every step) to its end, one update at a
    time, keeping the optimizer state after each update."""
    if simulation.current_step != 0 or simulation.stride != 1:
        raise ValueError("state export needs a fresh simulation that records every step")
    per_run = [_run_columns(simulation, r) for r in range(simulation.n_runs)]
    columns = list(dict.fromkeys(name for names in per_run for name in names))
    n, steps = simulation.n_particles, simulation.steps
    values = [np.full((n, steps + 1, len(columns)), np.nan) for _ in per_run]
    where = [[columns.index(name) for name in names] for names in per_run]
    for t in range(1, steps + 1):
        simulation.run_to(t)
        for r, names in enumerate(per_run):
            values[r][:, t, where[r]] = _snapshot(simulation, r, names)
        if progress is not None:
            progress(t, steps)
    for r, trajectory in enumerate(simulation.runs):  # a diverged particle's state is held
        for i in np.flatnonzero(trajectory.frozen_at > 0):
            values[r][i, trajectory.frozen_at[i] + 1 :] = values[r][i, trajectory.frozen_at[i]]
    # a key no particle of any run ever had (SGD without momentum: no momentum_buffer) is
    # not a column, as the source never has it
    keep = [k for k in range(len(columns)) if any(np.isfinite(v[:, :, k]).any() for v in values)]
    return StateTable([columns[k] for k in keep], [v[:, :, keep] for v in values])
