"""A swarm too big to record whole, simulated block by block of particles.

The trajectory file is ordered run, particle, step (run-config.md). Particles
are independent: the noise a particle draws is a pure function of (seed, its
index in the whole swarm, step) (``noise.py``; the kernel adds
``Simulation.first_particle``), a plateau schedule is per particle and so is
divergence. So one run's rows for particles lo .. hi - 1 come from simulating
just those particles over every step, and writing block after block gives the
rows in the file's order while only a few blocks are ever held (``block_size``).

One ``Simulation`` of one run and one block of particles is built per run and
re-used for every block through ``restart`` (no re-allocation); the last,
shorter block gets its own.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import numpy as np

from lrsim.core import kernel
from lrsim.core.engine import (
    DEFAULT_MEMORY_BUDGET,
    Simulation,
    recording_plan,
    resolve_surface,
    start_points,
)
from lrsim.core.engine_checks import check_starts
from lrsim.core.runfile import ParticlesConfig, RunFile
from lrsim.core.stepping import fused_module

BLOCK_ROWS = 2_000_000
"""Rows (particles x recorded steps) of one block: a few tens of MB of history."""


@dataclass
class Block:
    """One run's rows for particles ``first_particle`` .. + ``simulation.n_particles`` - 1,
    simulated to the end: ``simulation.runs[0]`` holds them."""

    run_index: int
    first_particle: int
    simulation: Simulation


HELD_HISTORIES = 3  # ``prefetched``: one simulating, one queued, one being written
HELD_COLUMN_SETS = 3  # the Parquet writer's two sets of block columns and the run's repeated ones


def block_size(runfile: RunFile, kept: int, memory_budget: int) -> int:
    """Particles per block: about ``BLOCK_ROWS`` rows, and everything held at once (the
    blocks' histories and state, the writer's columns) within half the budget (the other
    half for the encoder's pages, the interpreter and the kernels)."""
    history = 8 * 4 * kept  # x, y, loss, lr per recorded step
    columns = 8 * 5 * kept  # particle, x, y, loss, lr (or step, momentum, ...) per row
    per_particle = HELD_HISTORIES * (history + 8 * 64) + HELD_COLUMN_SETS * columns
    by_budget = max(1, (memory_budget // 2) // per_particle)
    return int(max(1, min(runfile.particles.count, BLOCK_ROWS // max(1, kept), by_budget)))


def _one_run(runfile: RunFile, run_index: int, starts: np.ndarray) -> RunFile:
    points = tuple(map(tuple, starts.tolist()))
    return replace(runfile, runs=(runfile.runs[run_index],), particles=ParticlesConfig(points))


def simulate_blocks(
    runfile: RunFile,
    *,
    stride: int | None = None,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
    cancel: Callable[[], bool] | None = None,
    copies: int = 1,
) -> Iterator[Block]:
    """Yield every run's blocks of particles in the file's order, each simulated to the end.

    ``stride`` records every k-th step (and the last), as ``Simulation`` does. A start
    where the loss is not finite raises the ConfigError a whole ``Simulation`` would.
    A block's buffers are re-used ``copies`` blocks later (``prefetched`` needs 3).
    """
    _, _, domain = resolve_surface(runfile)
    starts = start_points(runfile, domain)
    n, steps = len(starts), runfile.steps
    kept = len(recording_plan(steps, stride, steps + 1)[1]) if stride else steps + 1
    size = block_size(runfile, kept, memory_budget)
    checked = np.zeros(n)  # the starts' losses, filled block by block for check_starts
    for run_index in range(len(runfile.runs)):
        sims: dict[tuple[int, int], Simulation] = {}
        for number, lo in enumerate(range(0, n, size)):
            hi = min(n, lo + size)
            key = (hi - lo, number % copies)
            sim = sims.get(key)
            if sim is None:
                # built on the first block's starts, so a bad start is named by its index
                # in the whole swarm (check_starts below), never by its place in a block
                sub = _one_run(runfile, run_index, starts[: hi - lo])
                sim = Simulation(
                    sub, stride=stride, memory_budget=memory_budget, allow_stride=False,
                    engine="kernel",
                )  # fmt: skip
                sims[key] = sim
                # the whole export's work decides whether a fused kernel is worth compiling
                fused_module(sim, sim._states[0], n * steps)
            sim.starts[:] = starts[lo:hi]
            sim.first_particle = lo
            sim.restart()
            if run_index == 0:
                checked[lo:hi] = sim._states[0].state[kernel.LOSS]
                check_starts(runfile, starts, checked)
            if not sim.run_to_end(cancel=cancel):
                return
            yield Block(run_index, lo, sim)


def prefetched(blocks: Callable[..., Iterator[Block]], **options) -> Iterator[Block]:
    """``simulate_blocks(**options)`` run on a worker thread one block ahead of the caller,
    so the next block is simulated while this one is written (the kernels and pyarrow's
    writer release the GIL). Errors are raised here; leaving early stops the worker."""
    items: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    done = object()

    def work() -> None:
        try:
            for block in blocks(cancel=stop.is_set, copies=3, **options):
                items.put(block)
                if stop.is_set():
                    return
            items.put(done)
        except BaseException as error:  # handed to the caller's thread
            items.put(error)

    worker = threading.Thread(target=work, name="lrsim-stream", daemon=True)
    worker.start()
    try:
        while True:
            item = items.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a worker waiting to put its next block
            try:
                items.get(timeout=0.05)
            except queue.Empty:
                pass
