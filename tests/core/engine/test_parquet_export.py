"""The Parquet writer's own parts: the file's layout, the transposing copy, the writer
thread's errors, and ``--compression``'s place on the command line."""

from __future__ import annotations

import io
import threading

import numpy as np
import pytest

from lrsim.cli import main
from lrsim.core.columnar import TILE, particle_major
from lrsim.core.runfile import parse_runfile
from lrsim.core.stream import simulate_blocks

pq = pytest.importorskip("pyarrow.parquet")

RUNFILE = {
    "steps": 20,
    "surface": {"name": "rastrigin"},
    "particles": {"random": {"n": 2 * TILE + 7, "seed": 3}},
    "runs": [
        {"label": "first", "optimizer": {"name": "adam", "lr": 0.05}},
        {"label": "second", "optimizer": {"name": "sgd", "lr": 0.01}},
    ],
}


@pytest.mark.parametrize("shape", [(7, 1), (11, TILE), (5, 2 * TILE + 3)])
def test_particle_major_is_the_transpose_in_row_order(shape):
    store = np.random.default_rng(0).normal(size=shape)  # (steps, particles)
    expected = store.T.ravel()
    np.testing.assert_array_equal(particle_major(store.T), expected)
    out = np.full(store.size + 5, -1.0)
    assert particle_major(store.T, out) is not None
    np.testing.assert_array_equal(out[: store.size], expected)
    np.testing.assert_array_equal(out[store.size :], -1.0)  # past the block: untouched


def test_one_row_group_per_block_required_columns_the_whole_simulations_numbers(tmp_path):
    """Twenty blocks a run through two sets of column buffers: every row group holds its own
    block's numbers, those of one whole Simulation."""
    import pyarrow as pa

    from lrsim.core.engine import Simulation
    from lrsim.core.parquet import write_parquet

    runfile = parse_runfile(RUNFILE)
    sizes: list[int] = []
    out = tmp_path / "out.parquet"
    with out.open("wb") as stream:
        blocks = simulate_blocks(runfile, stride=4, memory_budget=100_000)
        assert write_parquet(blocks, stream, sizes.append) == sum(sizes)
    assert len(sizes) > 8 and len(set(sizes)) == 2  # many blocks a run, a shorter last one
    metadata = pq.ParquetFile(out).metadata
    assert [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)] == sizes
    table = pq.read_table(out)
    assert table.schema.field("label").type == pa.string()
    assert not any(field.nullable for field in table.schema)
    whole = Simulation(runfile, stride=4, allow_stride=False)
    whole.run_to_end()
    for name in ("x", "y", "loss"):
        expected = np.concatenate([getattr(run, name).ravel() for run in whole.runs])
        np.testing.assert_array_equal(table[name].to_numpy(), expected, name)
    rows = sum(sizes) // 2
    assert table["label"].to_pylist() == ["first"] * rows + ["second"] * rows
    particles = np.repeat(np.arange(2 * TILE + 7), 6)  # steps 0, 4, ..., 20
    np.testing.assert_array_equal(table["particle"].to_numpy(), np.tile(particles, 2))


class _FailingStream(io.BytesIO):
    """A disk that fills up after ``room`` bytes."""

    def __init__(self, room: int):
        super().__init__()
        self.room = room

    def write(self, data) -> int:
        if self.tell() + len(memoryview(data)) > self.room:
            raise OSError(28, "No space left on device")
        return super().write(data)


def test_a_failed_write_on_the_writer_thread_is_raised_to_the_caller():
    from lrsim.core.parquet import write_parquet

    runfile = parse_runfile(RUNFILE)
    blocks = simulate_blocks(runfile, stride=4, memory_budget=100_000, copies=3)
    with pytest.raises(OSError, match="No space left"):
        write_parquet(blocks, _FailingStream(room=2_000), compression="none")
    assert not any(t.name == "lrsim-parquet" for t in threading.enumerate())


def test_an_error_in_the_blocks_stops_the_writer_and_is_raised():
    from lrsim.core.parquet import write_parquet

    runfile = parse_runfile(RUNFILE)
    written = []

    def blocks():
        for number, block in enumerate(
            simulate_blocks(runfile, stride=4, memory_budget=100_000, copies=3)
        ):
            if number == 3:
                raise RuntimeError("simulation failed")
            written.append(number)
            yield block

    with pytest.raises(RuntimeError, match="simulation failed"):
        write_parquet(blocks(), io.BytesIO())
    assert written == [0, 1, 2]


def test_every_compression_of_the_writer_is_offered():
    from lrsim.cli import build_parser
    from lrsim.core.parquet import COMPRESSIONS, DEFAULT_COMPRESSION

    parser = build_parser()
    for name in COMPRESSIONS:
        args = parser.parse_args(["export", "r.toml", "-o", "o.parquet", "--compression", name])
        assert args.compression == name
    with pytest.raises(SystemExit):
        parser.parse_args(["export", "r.toml", "-o", "o.parquet", "--compression", "brotli"])
    assert DEFAULT_COMPRESSION in COMPRESSIONS


@pytest.mark.parametrize("name", ["out.csv", "out.npz"])
def test_compression_is_refused_for_other_formats(tmp_path, capsys, name):
    """Refused before any work: nothing is written."""
    runfile = tmp_path / "run.json"
    runfile.write_text(__import__("json").dumps(RUNFILE))
    out = tmp_path / name
    assert main(["export", str(runfile), "-o", str(out), "--compression", "zstd", "-q"]) == 2
    assert capsys.readouterr().err.startswith("lrsim: --compression: ")
    assert not out.exists()
