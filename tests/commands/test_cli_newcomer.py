"""What a newcomer meets on the command line: versions, help, no display, one-line errors."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lrsim import __version__
from lrsim.cli import EXIT_NO_DISPLAY, display_problem, main
from lrsim.commands._common import parse_size
from lrsim.core.errors import ConfigError
from lrsim.core.runfile import parse_runfile

ROOT = Path(__file__).resolve().parents[2]
PRESET = str(ROOT / "resources" / "presets" / "fixed-vs-decay.toml")


def _help(capsys, *words) -> str:
    assert main([*words, "--help"]) == 0
    return capsys.readouterr().out


def test_version_and_usage(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"lrsim {__version__}"
    text = _help(capsys)
    assert "lrsim [-h] [--version] [RUNFILE]" in text
    for command in ("export", "stats", "lr-find", "render", "schedules"):
        assert command in text


def test_help_shows_the_defaults(capsys):
    stats = _help(capsys, "stats")
    assert "(default 1e-3)" in stats and "(default 1e-2)" in stats
    assert "--memory-budget" in stats and "--stride" in stats
    assert "(default 100)" in _help(capsys, "lr-find")
    schedules = " ".join(_help(capsys, "schedules").split())
    assert "light (white background" in schedules
    assert "Family keys: constant step" in schedules and "onecycle" in schedules


def test_bench_help_is_plain_text(capsys):
    from lrsim import bench

    with pytest.raises(SystemExit):
        bench.main(["--help"])
    text = capsys.readouterr().out
    assert "``" not in text and "notes" not in text
    assert "Adam + cosine" in text


def test_no_display_is_one_line_before_qt_starts():
    assert "xvfb-run" in display_problem({}, "linux")
    assert display_problem({"DISPLAY": ":0"}, "linux") is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None  # respected
    assert display_problem({}, "darwin") is None
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "lrsim.cli"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == EXIT_NO_DISPLAY
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "no display found" in lines[0] and "xvfb-run" in lines[0]
    assert "Traceback" not in done.stderr and "xcb" not in done.stderr


def test_lr_find_blames_a_too_small_max_lr(capsys):
    assert main(["lr-find", PRESET, "--max-lr", "1e-5"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("lrsim: --max-lr: the loss falls by less than 1%")
    assert "particles" not in error.split(":")[1]


def test_runs_are_counted_from_0_everywhere(tmp_path):
    table = {
        "steps": 2,
        "surface": {"name": "quadratic"},
        "particles": {"points": [[1.0, 1.0]]},
        "runs": [{"optimizer": {"name": "sgd", "lr": 0.1}}, {"optimizer": {"name": "sgd"}}],
    }
    runfile = parse_runfile(table)
    assert [run.label for run in runfile.runs] == ["run 0", "run 1"]
    path = tmp_path / "two.toml"
    path.write_text(
        "steps = 2\n[surface]\nname = 'quadratic'\n[particles]\npoints = [[1.0, 1.0]]\n"
        "[[runs]]\noptimizer = { name = 'sgd', lr = 0.1 }\n"
        "[[runs]]\noptimizer = { name = 'sgd', lr = 0.2 }\n"
    )
    out = tmp_path / "out.csv"
    assert main(["export", str(path), "-o", str(out), "-q"]) == 0
    rows = list(csv.DictReader(out.open()))
    assert {(row["run"], row["label"]) for row in rows} == {("0", "run 0"), ("1", "run 1")}
    table["runs"][1]["schedule"] = {"name": "step", "step_size": -3}
    with pytest.raises(ConfigError) as error:
        parse_runfile(table)
    assert error.value.field.startswith("runs[1].")  # the CSV's run 1, "run 1"


def test_sizes_read_as_people_write_them():
    assert parse_size("2G") == 2 * 1024**3
    assert parse_size("512M") == 512 * 1024**2
    assert parse_size("1.5GB") == int(1.5 * 1024**3)
    assert parse_size("4096") == 4096
    for bad in ("lots", "-1G", "0"):
        with pytest.raises(Exception, match="size"):
            parse_size(bad)


def test_memory_budget_and_stride_open_the_way(tmp_path, capsys):
    big = tmp_path / "big.toml"
    big.write_text(
        "steps = 300\n[surface]\nname = 'quadratic'\n[particles]\nrandom = { n = 20000 }\n"
        "[[runs]]\noptimizer = { name = 'sgd', lr = 0.1 }\n"
    )
    out = tmp_path / "out.csv"
    assert main(["export", str(big), "-o", str(out), "--memory-budget", "64M", "-q"]) == 2
    error = capsys.readouterr().err
    assert "over the memory budget of 64.0 MB" in error and "--stride" in error
    assert not out.exists()
    assert main(["stats", str(big), "--memory-budget", "64M", "--stride", "10", "-q"]) == 0
    assert "basins of run 0" in capsys.readouterr().out
    small = tmp_path / "small.toml"
    small.write_text(big.read_text().replace("n = 20000", "n = 3"))
    assert main(["export", str(small), "-o", str(out), "--stride", "100", "-q"]) == 0
    steps = sorted({int(row["step"]) for row in csv.DictReader(out.open())})
    assert steps == [0, 100, 200, 300]
    assert main(["export", str(small), "-o", str(out), "--stride", "0"]) == 2
    assert "--stride" in capsys.readouterr().err
