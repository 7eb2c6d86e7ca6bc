"""The trajectory as Parquet (pyarrow, the ``parquet`` extra), written at the disk's pace.

The CSV's columns and names (``run, label, particle, step, x, y, loss, lr,
momentum``), int64 / string / float64, never null, one row group per block of
``stream.simulate_blocks``; pandas and polars ``read_parquet`` it directly.

Why it is built this way (issue 13, measured on 2M-row blocks):

- The columns that change from block to block (particle, x, y, loss; lr when it
  is per particle) are copied into two preallocated sets of buffers used in turn,
  the (step, particle) histories transposed tile by tile (``columnar.particle_major``):
  no allocation, no page faults, no concatenation per block.
- The columns that repeat (run, label, step, lr, momentum) are built once per
  run. The label is handed over as a dictionary (never hashed); with a codec the
  other four compress to under half a byte a row at a third of a dictionary's CPU
  (2.5 against 7 ns a row), without one (``none``) they are dictionary-encoded
  (8 -> 0.9 bytes). The floats that change are stored PLAIN.
- Columns are required (no definition levels: ~15 % less encoding). Only run,
  particle and step get statistics, which prune row groups by particle: a row
  group holds every step of its particles, so its x, y and loss span nearly
  their whole range, and their statistics (17 % of the writing's CPU) prune nothing.
- A writer thread encodes and writes one block while the caller fills the next
  (pyarrow releases the GIL), and syncs each row group to the disk, so the disk
  writes while the kernels compute instead of all at the closing ``fsync``.
"""

from __future__ import annotations

import io
import os
import queue
import threading
from collections.abc import Callable, Iterable
from typing import IO

import numpy as np

from lrsim.core.columnar import COLUMNS, particle_major, pyarrow_modules
from lrsim.core.stream import Block

COMPRESSIONS = ("none", "snappy", "lz4", "zstd")
DEFAULT_COMPRESSION = "snappy"
"""Measured on 2M-row blocks of 10^6 Adam particles x 1,000 steps, every 10th: snappy 14.7
bytes a row at 44 ns of CPU a row; none 32.9 bytes at 45 ns (2.2x the disk's work for
nothing); lz4 12.6 bytes at 45 ns (but LZ4_RAW, which older readers lack); zstd 10.2 bytes
at 80 ns. Snappy is every reader's codec."""

DICTIONARY = ["run", "label", "step", "lr", "momentum"]  # without a codec; with one: label
STATISTICS = ["run", "particle", "step"]
BUFFER_SETS = 2  # one being written, one being filled: memory holds two blocks of columns


def schema(pa):
    """Every column required; the label a dictionary of strings (read back as strings)."""
    types = {"run": pa.int64(), "label": pa.dictionary(pa.int32(), pa.string())}
    types |= {name: pa.int64() for name in ("particle", "step")}
    types |= {name: pa.float64() for name in ("x", "y", "loss", "lr", "momentum")}
    return pa.schema([pa.field(name, types[name], nullable=False) for name in COLUMNS])


def writer_options(compression: str) -> dict:
    """``pq.ParquetWriter``'s options; ``store_schema`` off so the label reads back as a
    plain string column (the Arrow dictionary type is how it is handed over, not what it is)."""
    return {
        "compression": compression,
        "use_dictionary": DICTIONARY if compression == "none" else ["label"],
        "write_statistics": STATISTICS,
        "store_schema": False,
    }


def write_parquet(
    blocks: Iterable[Block],
    stream: IO[bytes],
    progress: Callable[[int], None] | None = None,
    compression: str = DEFAULT_COMPRESSION,
) -> int:
    """Append every block as a row group to ``stream``; returns the number of rows."""
    pa, pq = pyarrow_modules()
    rows = 0
    shape = schema(pa)
    with pq.ParquetWriter(stream, shape, **writer_options(compression)) as parquet:
        writer = _Writer(parquet, stream)
        try:
            repeated: dict[tuple[int, int], dict] = {}
            for block in blocks:
                buffers = writer.free_buffers()
                count = block.simulation.n_particles * block.simulation.recorded_upto()
                key = (block.run_index, count)
                if key not in repeated:  # built once per run (and once for a shorter last block)
                    repeated = {key: _repeated_columns(pa, block)}
                same = repeated[key]
                arrays = {**same, **_changing_columns(pa, block, same["first"], buffers)}
                table = pa.Table.from_arrays([arrays[k] for k in COLUMNS], schema=shape)
                writer.put(table, buffers)
                rows += count
                if progress is not None:
                    progress(count)
        except BaseException:
            writer.abandon()
            raise
        writer.finish()
    return rows


def _changing_columns(pa, block: Block, first: np.ndarray, buffers: dict) -> dict:
    """pyarrow arrays over ``buffers`` (grown to the block's size) of the particle numbers
    (``first``: this block's, less its first particle), x, y, loss and a per-particle lr,
    in the file's order (particle, then step)."""
    run = block.simulation.runs[0]
    columns = block.simulation.recorded_upto()
    stores = {"x": run.x, "y": run.y, "loss": run.loss}
    if run.per_particle_lr:
        stores["lr"] = run.lr
    for name in ("particle", *stores):
        if len(buffers.get(name, ())) < len(first):
            buffers[name] = np.empty(len(first), first.dtype if name == "particle" else np.float64)
    particle = np.add(first, block.first_particle, out=buffers["particle"][: len(first)])
    arrays = {"particle": pa.array(particle)}
    for name, store in stores.items():
        arrays[name] = pa.array(particle_major(store[:, :columns], buffers[name]))
    return arrays


def _repeated_columns(pa, block: Block) -> dict:
    """pyarrow arrays of the columns every block of this run and size shares (run, label,
    step, momentum, and lr unless it is per particle) and, as ``first``, the particle
    numbers less the block's first."""
    sim, run = block.simulation, block.simulation.runs[0]
    columns = sim.recorded_upto()
    count = sim.n_particles * columns
    same = {
        "first": np.repeat(np.arange(sim.n_particles, dtype=np.int64), columns),
        "run": pa.array(np.full(count, block.run_index, dtype=np.int64)),
        "label": pa.DictionaryArray.from_arrays(
            pa.array(np.zeros(count, dtype=np.int32)), pa.array([run.label], pa.string())
        ),
        "step": pa.array(np.tile(sim.recorded_steps[:columns].astype(np.int64), sim.n_particles)),
        "momentum": pa.array(np.tile(run.momentum[:columns], sim.n_particles)),
    }
    if not run.per_particle_lr:
        same["lr"] = pa.array(np.tile(run.lr[:columns], sim.n_particles))
    return same


class _Writer:
    """A thread that writes the tables it is given, in order, each as one row group, and
    syncs it to the disk; ``BUFFER_SETS`` sets of buffers go round between it and the
    caller, so a table's buffers are refilled only after it was written."""

    def __init__(self, parquet, stream: IO[bytes]):
        self._parquet, self._stream = parquet, stream
        self._todo: queue.Queue = queue.Queue()
        self._free: queue.Queue = queue.Queue()
        for _ in range(BUFFER_SETS):
            self._free.put({})
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="lrsim-parquet", daemon=True)
        self._thread.start()

    def free_buffers(self) -> dict[str, np.ndarray]:
        """A set of buffers no table being written uses (waits for the writer if need be)."""
        buffers = self._free.get()
        self._raise()
        return buffers

    def put(self, table, buffers: dict[str, np.ndarray]) -> None:
        self._todo.put((table, buffers))

    def finish(self) -> None:
        """Wait for every table given to be written; a failure of the thread is raised here."""
        self._todo.put(None)
        self._thread.join()
        self._raise()

    def abandon(self) -> None:
        """After an error in the caller: drop what is still queued and wait for the thread
        (the file is about to be removed under it)."""
        self._stop.set()
        self._todo.put(None)
        self._thread.join()

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _work(self) -> None:
        while (item := self._todo.get()) is not None:
            table, buffers = item
            try:
                if self._error is None and not self._stop.is_set():
                    self._parquet.write_table(table, row_group_size=table.num_rows)
                    self._sync()
            except BaseException as error:  # handed to the caller's thread
                self._error = error
            finally:
                del table, item
                self._free.put(buffers)

    def _sync(self) -> None:
        """Send the row group to the disk now, overlapping the simulation of the next."""
        try:
            number = self._stream.fileno()
        except (AttributeError, OSError, io.UnsupportedOperation):
            return  # an in-memory stream
        self._stream.flush()
        os.fdatasync(number)
