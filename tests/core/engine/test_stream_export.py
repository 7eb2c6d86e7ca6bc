"""`lrsim export --stream`, `.parquet` and `.npz`: block by block of particles, the same rows
in the same order as the whole CSV, bit for bit."""

from __future__ import annotations

import csv
import signal
import time

import numpy as np
import pytest

from lrsim.cli import main

RUNFILE = """
steps = 30
[surface]
name = "rastrigin"
[particles]
random = { n = 300, seed = 1 }
[noise]
sigma = 0.3
seed = 2
[[runs]]
label = "a, b"
optimizer = { name = "adam", lr = 0.05 }
schedule = { name = "cosine" }
[[runs]]
optimizer = { name = "rmsprop", lr = 0.01 }
schedule = { name = "plateau", patience = 2 }
[[runs]]
optimizer = { name = "lbfgs", lr = 0.5 }
noise = { sigma = 0.0 }
"""
SMALL = ["--memory-budget", "300K", "-q"]  # a few blocks of particles, the last one shorter


@pytest.fixture
def files(tmp_path):
    runfile = tmp_path / "run.toml"
    runfile.write_text(RUNFILE)
    whole = tmp_path / "whole.csv"
    assert main(["export", str(runfile), "-o", str(whole), "-q", "--stride", "3"]) == 0
    return runfile, whole


def _columns(path):
    rows = list(csv.DictReader(path.open()))
    ints = {k: np.array([int(r[k]) for r in rows]) for k in ("run", "particle", "step")}
    floats = {
        k: np.array([float(r[k]) for r in rows]) for k in ("x", "y", "loss", "lr", "momentum")
    }
    return {**ints, **floats, "label": [r["label"] for r in rows]}


def test_streamed_csv_is_the_whole_csv_byte_for_byte(files, tmp_path):
    runfile, whole = files
    out = tmp_path / "streamed.csv"
    assert main(["export", str(runfile), "-o", str(out), "--stream", "--stride", "3", *SMALL]) == 0
    assert out.read_bytes() == whole.read_bytes()


def test_npz_holds_the_csv_columns(files, tmp_path):
    runfile, whole = files
    out = tmp_path / "out.npz"
    assert main(["export", str(runfile), "-o", str(out), "--stride", "3", *SMALL]) == 0
    expected, stored = _columns(whole), np.load(out)
    for name in ("run", "particle", "step", "x", "y", "loss", "lr", "momentum"):
        np.testing.assert_array_equal(stored[name], expected[name], name)
    assert [str(stored["labels"][r]) for r in stored["run"]] == expected["label"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.npz", "run.toml", "whole.csv"]


@pytest.mark.parametrize("compression", [None, "none", "snappy", "lz4", "zstd"])
def test_parquet_holds_the_csv_columns(files, tmp_path, compression):
    """Several blocks per run (the column buffers are reused), a per-particle lr (plateau)."""
    pq = pytest.importorskip("pyarrow.parquet")
    runfile, whole = files
    out = tmp_path / "out.parquet"
    chosen = ["--compression", compression] if compression else []
    assert main(["export", str(runfile), "-o", str(out), "--stride", "3", *SMALL, *chosen]) == 0
    table = pq.read_table(out)
    assert table.column_names == ["run", "label", "particle", "step", "x", "y", "loss", "lr",
                                  "momentum"]  # fmt: skip
    expected = _columns(whole)
    for name in ("run", "particle", "step", "x", "y", "loss", "lr", "momentum"):
        np.testing.assert_array_equal(table[name].to_numpy(), expected[name], name)
    assert table["label"].to_pylist() == expected["label"]


def test_state_columns_only_go_to_a_whole_csv(files, tmp_path, capsys):
    runfile, _ = files
    assert main(["export", str(runfile), "-o", str(tmp_path / "o.npz"), "--state", "-q"]) == 2
    assert capsys.readouterr().err.startswith("lrsim: --state: ")
    assert not (tmp_path / "o.npz").exists()


def test_a_bad_start_in_a_later_block_is_refused_and_nothing_is_left(tmp_path, capsys):
    runfile = tmp_path / "run.toml"
    points = [[1.0, 1.0]] * 400 + [[-1.0, 1.0]]
    runfile.write_text(
        f"steps = 5\n[surface]\nformula = 'log(x)'\n[particles]\npoints = {points}\n"
        "[[runs]]\noptimizer = { name = 'sgd', lr = 0.01 }\n"
    )
    out = tmp_path / "out.csv"
    assert main(["export", str(runfile), "-o", str(out), "--stream", *SMALL]) == 2
    assert "particles.points[400]" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.toml"]


@pytest.mark.parametrize("name", ["out.npz", "out.csv", "out.parquet"])
def test_ctrl_c_while_streaming_leaves_nothing_behind(tmp_path, name):
    """The signal arrives while blocks are simulated and written on two threads."""
    from tests.commands.test_hostile_outputs import SLOW_FORMULA, SLOW_RUNFILE, _start

    (tmp_path / "slow.toml").write_text(SLOW_RUNFILE.format(formula=SLOW_FORMULA, steps=400))
    extra = ["--stream"] if name.endswith(".csv") else []
    process = _start(["export", "slow.toml", "-o", name, "--memory-budget", "1M", *extra, "-q"],
                     tmp_path)  # fmt: skip
    while process.poll() is None and not any(p.name.startswith(".") for p in tmp_path.iterdir()):
        time.sleep(0.005)
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    rest = process.stderr.read()
    assert process.wait(timeout=120) == 130, rest
    assert rest.strip().splitlines()[-1] == "lrsim: interrupted; nothing was written"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slow.toml"]
