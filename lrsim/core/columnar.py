"""The trajectory as columns: Parquet (pyarrow, the ``parquet`` extra) or NumPy ``.npz``.

For big swarms a CSV is slow to write and to read back. These writers take the
blocks of ``stream.simulate_blocks`` (one run, a block of particles, every
recorded step) and append them in the CSV's row order (run, particle, step),
so memory holds one block whatever the swarm's size.

- Parquet (``parquet.py``): the CSV's columns and names, one row group per block;
  pandas (``read_parquet``) and polars (``read_parquet``) read it directly.
- ``.npz``: the same numeric columns as 1-D arrays, ``label`` replaced by
  ``labels`` (one per run, indexed by ``run``): a string per row would dwarf
  the numbers. Each column is spooled to a temporary file beside the output and
  then stored (uncompressed) in the archive, so ``np.load`` maps it lazily.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

import numpy as np

from lrsim.core.errors import ConfigError
from lrsim.core.stream import Block

NUMERIC = ("run", "particle", "step", "x", "y", "loss", "lr", "momentum")
COLUMNS = ("run", "label", "particle", "step", "x", "y", "loss", "lr", "momentum")
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".npz": "npz"}


def output_format(path: str | Path) -> str:
    """ "csv", "parquet" or "npz" from the output's suffix (anything else: the CSV)."""
    return FORMATS.get(Path(path).suffix.lower(), "csv")


TILE = 256
"""Particles per tile of ``particle_major``: a tile's reads stay in cache (3x one ravel)."""


def particle_major(history: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``history`` (particles, steps), a transposed view of a (steps, particles) store,
    copied particle-major into the front of ``out`` (1-D), tile by tile of particles."""
    m, columns = history.shape
    if out is None:
        out = np.empty(m * columns, history.dtype)
    grid = out[: m * columns].reshape(m, columns)
    for lo in range(0, m, TILE):
        grid[lo : lo + TILE] = history[lo : lo + TILE]
    return out[: m * columns]


def block_columns(block: Block) -> dict[str, np.ndarray]:
    """The numeric columns of one block's rows, particle-major as the CSV orders them."""
    sim = block.simulation
    run = sim.runs[0]
    columns = sim.recorded_upto()
    m = sim.n_particles
    steps = sim.recorded_steps[:columns]
    lr = (
        particle_major(run.lr[:, :columns])
        if run.per_particle_lr
        else np.broadcast_to(run.lr[:columns], (m, columns)).ravel()
    )
    return {
        "run": np.full(m * columns, block.run_index, dtype=np.int64),
        "particle": np.repeat(np.arange(block.first_particle, block.first_particle + m), columns),
        "step": np.broadcast_to(steps, (m, columns)).ravel(),
        "x": particle_major(run.x[:, :columns]),  # (N, S) views of (S, N) stores
        "y": particle_major(run.y[:, :columns]),
        "loss": particle_major(run.loss[:, :columns]),
        "lr": lr,
        "momentum": np.broadcast_to(run.momentum[:columns], (m, columns)).ravel(),
    }


def pyarrow_modules():
    """``(pyarrow, pyarrow.parquet)``; a ConfigError naming the extra when missing."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigError(
            "output", "Parquet needs pyarrow: pip install 'lrsim[parquet]' (or write .csv, .npz)"
        ) from None
    return pa, pq


def check_available(kind: str) -> None:
    """ConfigError before any work when ``kind``'s library is missing."""
    if kind == "parquet":
        pyarrow_modules()


def write_npz(
    blocks: Iterable[Block],
    stream: IO[bytes],
    labels: list[str],
    folder: str | Path,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Spool every block's columns to temporary files in ``folder`` (the output's, so
    the space is on the same disk), then store them in an ``.npz`` written to ``stream``."""
    rows = 0
    with tempfile.TemporaryDirectory(dir=folder, prefix=".lrsim-npz-") as spool:
        files = {name: open(os.path.join(spool, name), "wb") for name in NUMERIC}
        try:
            for block in blocks:
                data = block_columns(block)
                for name in NUMERIC:
                    files[name].write(memoryview(data[name]))
                rows += len(data["run"])
                if progress is not None:
                    progress(len(data["run"]))
        finally:
            for handle in files.values():
                handle.close()
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
            for name in NUMERIC:
                dtype = np.dtype(np.int64 if name in ("run", "particle", "step") else np.float64)
                _store(archive, name, dtype, rows, os.path.join(spool, name))
            with archive.open("labels.npy", "w", force_zip64=True) as entry:
                np.lib.format.write_array(entry, np.array(labels, dtype=str))
    return rows


def _store(archive: zipfile.ZipFile, name: str, dtype, rows: int, raw: str) -> None:
    header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False}
    header["shape"] = (rows,)
    with archive.open(f"{name}.npy", "w", force_zip64=True) as entry:
        np.lib.format.write_array_header_2_0(entry, header)
        with open(raw, "rb") as source:
            shutil.copyfileobj(source, entry, 16 * 1024 * 1024)
