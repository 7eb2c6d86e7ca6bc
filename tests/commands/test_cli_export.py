"""`lrsim export`: the contract's CSV, atomic, bit-exact floats, one-line errors."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lrsim.cli import main
from lrsim.core.engine import Simulation
from lrsim.core.runfile import load_runfile

RUNFILE = """
title = "two runs"
steps = 12

[surface]
name = "himmelblau"

[particles]
points = [[-4.0, 3.5], [0.5, -1.0], [4.5, 4.5]]

[[runs]]
label = "adam, cosine"
color = "#d62728"
optimizer = { name = "adam", lr = 0.3 }
schedule = { name = "cosine" }

[[runs]]
label = "sgd \\"plateau\\", too fast"
color = "#1f77b4"
optimizer = { name = "sgd", lr = 0.05 }
schedule = { name = "plateau", patience = 1, factor = 0.5 }
"""


@pytest.fixture
def runfile(tmp_path) -> Path:
    path = tmp_path / "run.toml"
    path.write_text(RUNFILE)
    return path


def _rows(path: Path) -> list[dict]:
    with path.open(newline="") as stream:
        return list(csv.DictReader(stream))


def test_export_writes_the_contract_csv(runfile, tmp_path):
    out = tmp_path / "out.csv"
    assert main(["export", str(runfile), "-o", str(out), "-q"]) == 0
    rows = _rows(out)
    assert out.read_text().splitlines()[0] == "run,label,particle,step,x,y,loss,lr,momentum"
    assert len(rows) == 2 * 3 * 13
    first = rows[0]
    assert (first["run"], first["particle"], first["step"]) == ("0", "0", "0")
    assert (float(first["x"]), float(first["y"])) == (-4.0, 3.5)
    assert rows[13 * 3]["label"] == 'sgd "plateau", too fast'  # quoted, round-trips
    sim = Simulation(load_runfile(runfile))
    sim.run_to_end()
    for run_index, run in enumerate(sim.runs):
        block = [r for r in rows if r["run"] == str(run_index)]
        x = np.array([float(r["x"]) for r in block]).reshape(3, 13)
        loss = np.array([float(r["loss"]) for r in block]).reshape(3, 13)
        np.testing.assert_array_equal(x, run.x)  # bit-exact round trip
        np.testing.assert_array_equal(loss, run.loss)
        lr = np.array([float(r["lr"]) for r in block]).reshape(3, 13)
        expected_lr = run.lr if run.per_particle_lr else np.broadcast_to(run.lr, (3, 13))
        np.testing.assert_array_equal(lr, expected_lr)
    assert float(rows[0]["momentum"]) == 0.9  # adam's beta1


def _run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lrsim.cli", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "change, words",
    [
        (("step_size", 'name = "step", step_size = -3'), "runs[0].schedule.step_size"),
        (("momentm", 'name = "constant", momentm = 1'), "runs[0].schedule.momentm"),
    ],
)
def test_bad_run_file_is_one_line_and_keeps_existing_output(tmp_path, change, words):
    bad = tmp_path / "bad.toml"
    bad.write_text(RUNFILE.replace('name = "cosine"', change[1]))
    out = tmp_path / "out.csv"
    out.write_text("precious\n")
    result = _run_cli("export", str(bad), "-o", str(out))
    assert result.returncode != 0
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert out.read_text() == "precious\n"


def test_missing_output_folder_is_not_created(runfile, tmp_path, capsys):
    target = tmp_path / "nowhere" / "out.csv"
    assert main(["export", str(runfile), "-o", str(target)]) != 0
    assert "does not exist" in capsys.readouterr().err
    assert not target.parent.exists()


def test_over_budget_request_is_refused_naming_the_budget(tmp_path, capsys):
    big = tmp_path / "big.toml"
    big.write_text(
        RUNFILE.replace("steps = 12", "steps = 100000").replace(
            "points = [[-4.0, 3.5], [0.5, -1.0], [4.5, 4.5]]", "random = { n = 1000000 }"
        )
    )
    out = tmp_path / "out.csv"
    assert main(["export", str(big), "-o", str(out)]) != 0
    error = capsys.readouterr().err
    assert "memory budget" in error and "GB" in error
    assert not out.exists()


@pytest.mark.parametrize(
    "content",
    [b"\x00\x01\x02binary", b"[[runs]]\nlabel = 1", b"steps = 3\n[surface]\nname = 'quadratic'\n"],
)
def test_garbage_input_never_tracebacks(tmp_path, content):
    bad = tmp_path / "bad.toml"
    bad.write_bytes(content)
    result = _run_cli("export", str(bad), "-o", str(tmp_path / "o.csv"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.startswith("lrsim: ")


def test_usage_errors(capsys):
    assert main(["export"]) == 2
    assert "lrsim:" in capsys.readouterr().err


def test_exported_file_gets_ordinary_permissions(runfile, tmp_path):
    import os

    out = tmp_path / "out.csv"
    assert main(["export", str(runfile), "-o", str(out), "-q"]) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
