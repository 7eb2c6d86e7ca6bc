"""Outputs and signals: `-o` never clobbers what it must not, signals leave nothing (issue 9)."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lrsim.cli import main
from lrsim.core import atomic
from lrsim.core.errors import ConfigError

RUNFILE = """steps = 10
[surface]
name = "quadratic"
[particles]
points = [[1.0, 1.0]]
[[runs]]
optimizer = { name = "sgd", lr = 0.1 }
"""

# Slow enough to interrupt: a formula surface (interpreted per particle-step), many rows.
SLOW_RUNFILE = """steps = {steps}
[surface]
formula = "{formula}"
domain = [[-2.0, 2.0], [-2.0, 2.0]]
[particles]
grid = {{ nx = 50, ny = 50 }}
[[runs]]
optimizer = {{ name = "sgd", lr = 0.001 }}
"""
SLOW_FORMULA = " + ".join(f"{k}*x**2/(1 + {k}*y**2)" for k in range(1, 25))


def _run(args: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(args)
    return code, err.getvalue()


@pytest.fixture
def runfile(tmp_path) -> Path:
    path = tmp_path / "run.toml"
    path.write_text(RUNFILE)
    return path


# ----------------------------------------------------------------------------- 3: -o


@pytest.mark.parametrize("command", ["export", "stats", "lr-find"])
def test_the_input_file_is_never_the_output(runfile, command):
    code, err = _run([command, str(runfile), "-o", str(runfile), "-q"])
    assert code == 2 and "is the input file" in err
    assert runfile.read_text() == RUNFILE


def test_a_link_to_the_input_is_not_replaced_either(runfile, tmp_path):
    link = tmp_path / "same.csv"
    os.link(runfile, link)
    code, err = _run(["export", str(runfile), "-o", str(link), "-q"])
    assert code == 2 and "is the input file" in err
    assert runfile.read_text() == RUNFILE


def test_devices_and_fifos_are_never_replaced(runfile, tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for target in (fifo, Path("/dev/null")):
        code, err = _run(["export", str(runfile), "-o", str(target), "-q"])
        assert code == 2 and "not a regular file" in err, err
    assert Path("/dev/null").is_char_device() and fifo.is_fifo()


def test_an_existing_regular_file_is_replaced(runfile, tmp_path):
    out = tmp_path / "old.csv"
    out.write_text("old\n")
    assert _run(["export", str(runfile), "-o", str(out), "-q"])[0] == 0
    assert out.read_text().startswith("run,label,")


def test_a_symbolic_link_is_replaced_not_followed(runfile, tmp_path):
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep me\n")
    link = tmp_path / "out.csv"
    link.symlink_to(elsewhere)
    assert _run(["export", str(runfile), "-o", str(link), "-q"])[0] == 0
    assert not link.is_symlink() and link.read_text().startswith("run,label,")
    assert elsewhere.read_text() == "keep me\n"


# ----------------------------------------------------------------------------- 11: names


@pytest.mark.parametrize("length", [246, 250, 255])
def test_long_output_names_fit_the_temporary_name(runfile, tmp_path, length):
    out = tmp_path / ("n" * (length - 4) + ".csv")
    code, err = _run(["export", str(runfile), "-o", str(out), "-q"])
    assert code == 0, err
    assert out.exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_temporary_names_fit_name_max_in_bytes():
    prefix = atomic.temp_prefix("é" * 127 + ".csv", ".tmp")
    assert len(prefix.encode()) + 8 + len(".tmp") <= atomic.NAME_MAX


def test_an_unwritable_folder_names_the_target(tmp_path, monkeypatch):
    def refuse(name):  # what an unwritable folder does (root is never refused)
        raise PermissionError(13, "Permission denied", name)

    monkeypatch.setattr(atomic, "_open_new", refuse)
    target = tmp_path / "out.csv"
    with pytest.raises(ConfigError) as caught:
        atomic.write_text_atomic(target, "x")
    assert caught.value.field == str(target) and "Permission denied" in caught.value.problem


# ----------------------------------------------------------------------------- 2, 10: signals


def _start(args: list[str], tmp_path: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    return subprocess.Popen(
        [sys.executable, "-m", "lrsim.cli", *args],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )


def _wait_for_temporary(folder: Path, process: subprocess.Popen) -> bool:
    """True once a hidden temporary file appears in ``folder`` (the CSV is being written)."""
    while process.poll() is None:
        if any(p.name.startswith(".") for p in folder.iterdir()):
            return True
        time.sleep(0.005)
    return False


@pytest.mark.parametrize(
    ("signum", "code", "expected"),
    [
        (signal.SIGINT, 130, "interrupted"),
        (signal.SIGTERM, 143, "stopped by SIGTERM"),
        (signal.SIGHUP, 129, "stopped by SIGHUP"),
    ],
    ids=["int", "term", "hup"],
)
def test_a_signal_while_writing_leaves_nothing_behind(tmp_path, signum, code, expected):
    """The signal arrives while the CSV is written under its temporary name."""
    run = tmp_path / "slow.toml"
    run.write_text(SLOW_RUNFILE.format(formula=SLOW_FORMULA, steps=200))
    old = tmp_path / "out.csv"
    old.write_text("the good old file\n")
    process = _start(["export", "slow.toml", "-o", "out.csv", "-q"], tmp_path)
    assert _wait_for_temporary(tmp_path, process)
    process.send_signal(signum)
    rest = process.stderr.read()
    assert process.wait(timeout=120) == code, rest
    assert "Traceback" not in rest
    assert rest.strip().splitlines()[-1] == f"lrsim: {expected}; nothing was written"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "slow.toml"]
    assert old.read_text() == "the good old file\n"


@pytest.mark.parametrize(
    "args",
    [["stats", "slow.toml", "-o", "out.csv"], ["lr-find", "slow.toml", "--steps", "20000",
                                               "-o", "out.csv"]],
    ids=["stats", "lr-find"],
)  # fmt: skip
def test_ctrl_c_mid_simulation_exits_130(tmp_path, args):
    """10,000 steps (a 20,000-step sweep) of a slow surface take far longer than the wait."""
    run = tmp_path / "slow.toml"
    run.write_text(SLOW_RUNFILE.format(formula=SLOW_FORMULA, steps=10_000))
    process = _start([*args, "-q"], tmp_path)
    time.sleep(2.0)
    process.send_signal(signal.SIGINT)
    rest = process.stderr.read()
    assert process.wait(timeout=120) == 130, rest
    assert rest == "lrsim: interrupted; nothing was written\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slow.toml"]
