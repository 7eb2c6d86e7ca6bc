"""The trajectory CSV of the contract: long format, Python ``repr`` floats, written atomically.

Rows come straight from ``Simulation``'s recorded arrays (what the views draw),
one per (run, particle, recorded step), ordered run, particle, step.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO

import numpy as np

from lrsim.core.atomic import atomic_writer
from lrsim.core.engine import Simulation
from lrsim.core.safe_text import spreadsheet_text

HEADER = "run,label,particle,step,x,y,loss,lr,momentum\n"
_ROWS_PER_CHUNK = 200_000


def csv_field(text: str) -> str:
    """A text field quoted as RFC 4180 wants when it holds a comma, quote or newline."""
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _reprs(values: np.ndarray) -> list[str]:
    return list(map(repr, values.tolist()))


def _state_cells(values: np.ndarray) -> list[str]:
    """``,v1,v2,...`` per step of one particle's (steps, columns) state; NaN -> empty."""
    return ["".join("," + ("" if v != v else repr(v)) for v in row) for row in values.tolist()]


def header(state=None) -> str:
    """The CSV's first line (with ``--state``'s columns when ``state`` is given)."""
    if state is None:
        return HEADER
    return HEADER[:-1] + "".join("," + name for name in state.columns) + "\n"


def write_run_rows(
    simulation: Simulation,
    stream: IO[str],
    run_index: int,
    *,
    label_run: int | None = None,
    first_particle: int = 0,
    state=None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the rows of ``simulation.runs[run_index]`` as run ``label_run`` (default the
    same) with particles numbered from ``first_particle``; returns the number of rows.

    ``lrsim.core.stream`` calls it once per block of particles of a big swarm.
    """
    columns = simulation.recorded_upto()
    steps = simulation.recorded_steps[:columns]
    step_text = [str(s) for s in steps.tolist()]
    n = simulation.n_particles
    particles_per_chunk = max(1, _ROWS_PER_CHUNK // max(1, columns))
    run = simulation.runs[run_index]
    number = run_index if label_run is None else label_run
    prefix = f"{number},{csv_field(spreadsheet_text(run.label))},"
    momentum = _reprs(run.momentum[:columns])
    shared_lr = None if run.per_particle_lr else _reprs(run.lr[:columns])
    written = 0
    for lo in range(0, n, particles_per_chunk):
        hi = min(n, lo + particles_per_chunk)
        xs = run.x[lo:hi, :columns]
        ys = run.y[lo:hi, :columns]
        losses = run.loss[lo:hi, :columns]
        lrs = run.lr[lo:hi, :columns] if shared_lr is None else None
        lines = []
        for offset in range(hi - lo):
            head = f"{prefix}{first_particle + lo + offset},"
            x, y, f = _reprs(xs[offset]), _reprs(ys[offset]), _reprs(losses[offset])
            lr = shared_lr if lrs is None else _reprs(lrs[offset])
            if state is None:
                lines.extend(
                    f"{head}{step_text[k]},{x[k]},{y[k]},{f[k]},{lr[k]},{momentum[k]}\n"
                    for k in range(columns)
                )
                continue
            cells = _state_cells(state.values[run_index][lo + offset, :columns])
            cells[0] = "," * len(state.columns)  # row 0: before any update
            lines.extend(
                f"{head}{step_text[k]},{x[k]},{y[k]},{f[k]},{lr[k]},{momentum[k]}{cells[k]}\n"
                for k in range(columns)
            )
        stream.write("".join(lines))
        written += (hi - lo) * columns
        if progress is not None:
            progress((hi - lo) * columns)
    return written


def write_trajectories(
    simulation: Simulation,
    stream: IO[str],
    progress: Callable[[int, int], None] | None = None,
    state=None,
) -> int:
    """Write the CSV of every computed step to ``stream``; returns the number of rows.

    ``state`` (a ``state_export.StateTable``) appends the optimizer state columns.
    """
    stream.write(header(state))
    total = simulation.n_runs * simulation.n_particles * simulation.recorded_upto()
    done = [0]

    def report(rows: int) -> None:
        done[0] += rows
        if progress is not None:
            progress(done[0], total)

    for run_index in range(simulation.n_runs):
        write_run_rows(simulation, stream, run_index, state=state, progress=report)
    return done[0]


def export_csv(
    simulation: Simulation,
    path: str | Path,
    progress: Callable[[int, int], None] | None = None,
    state=None,
) -> int:
    """Write the trajectory CSV to ``path`` atomically; returns the number of rows."""
    with atomic_writer(path) as stream:
        return write_trajectories(simulation, stream, progress, state)


STATS_COLUMNS = (
    "run",
    "label",
    "step",
    "particles",
    "iterations_to_loss_tol",
    "iterations_to_dist_tol",
    "reached_fraction",
    "final_loss_best",
    "final_loss_median",
    "final_loss_worst",
    "distance_median",
    "global_fraction",
    "diverged",
    "sharpness_median",
    "sharpness_max",
    "flatness_median",
    "basins",
)


def stats_rows(table) -> list[list[str]]:
    """The statistics CSV's rows (after the header) for a list of RunStats."""
    rows = []
    for index, stats in enumerate(table):
        basins = "; ".join(f"{name}: {count}" for name, count in stats.basin_counts.items())
        values = [
            index,
            spreadsheet_text(stats.label),
            stats.step,
            stats.n_particles,
            stats.iterations_to_loss_tol,
            stats.iterations_to_dist_tol,
            stats.reached_fraction,
            stats.final_loss_best,
            stats.final_loss_median,
            stats.final_loss_worst,
            stats.distance_median,
            stats.global_fraction,
            stats.diverged,
            stats.sharpness_median,
            stats.sharpness_max,
            stats.flatness_median,
            basins,
        ]
        rows.append([csv_field(v) if isinstance(v, str) else repr(v) for v in values])
    return rows


def export_stats_csv(table, path: str | Path) -> None:
    """Write one row of statistics per run (``lrsim stats``), atomically."""
    with atomic_writer(path) as stream:
        stream.write(",".join(STATS_COLUMNS) + "\n")
        for row in stats_rows(table):
            stream.write(",".join(row) + "\n")
