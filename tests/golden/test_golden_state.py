"""``lrsim export --state`` against the reference optimizers' own ``optimizer.state``.

``tools/make_golden_state.py`` wrote ``expected/<case>.state.csv`` with torch 2.13 /
lion-pytorch / schedulefree / prodigyopt; here every state cell lrsim exports must
name the same key, be empty exactly where the reference has no such state, and
agree within 1e-12 + 1e-9 |v|.
"""

from __future__ import annotations

import csv
import io

import pytest

from lrsim.core.engine import Simulation
from lrsim.core.export import HEADER, write_trajectories
from lrsim.core.runfile import load_runfile
from lrsim.core.state_export import simulate_with_state
from tests.golden.golden import ATOL, EXPECTED_DIR, RTOL, case_path

STATE_FILES = sorted(EXPECTED_DIR.glob("*.state.csv"))
BASE = HEADER.strip().split(",")


def _exported(name: str) -> list[dict[str, str]]:
    simulation = Simulation(load_runfile(case_path(name)), allow_stride=False)
    table = simulate_with_state(simulation)
    text = io.StringIO()
    write_trajectories(simulation, text, state=table)
    return list(csv.DictReader(io.StringIO(text.getvalue())))


def test_there_are_state_goldens_for_every_optimizer():
    from lrsim.core.optim.registry import OPTIMIZERS

    cases = "\n".join(case_path(p.name.removesuffix(".state.csv")).read_text() for p in STATE_FILES)
    for name in OPTIMIZERS:
        assert f'name = "{name}"' in cases, name


@pytest.mark.parametrize("path", STATE_FILES, ids=lambda p: p.name.removesuffix(".state.csv"))
def test_state_matches_the_reference(path):
    name = path.name.removesuffix(".state.csv")
    rows = _exported(name)
    expected = list(csv.DictReader(path.open(encoding="utf-8")))
    columns = [c for c in rows[0] if c not in BASE]
    assert set(columns) == set(expected[0]) - {"run", "particle", "step"}
    by_key = {(r["run"], r["particle"], r["step"]): r for r in rows}
    worst = 0.0
    for want in expected:
        got = by_key[(want["run"], want["particle"], want["step"])]
        for column in columns:
            where = f"{name} run {want['run']} particle {want['particle']} step {want['step']}"
            assert (got[column] == "") == (want[column] == ""), f"{where} {column}"
            if want[column]:
                a, e = float(got[column]), float(want[column])
                if a != e:
                    ratio = abs(a - e) / (ATOL + RTOL * abs(e))
                    assert ratio <= 1.0, f"{where} {column}: {a!r} vs {e!r}"
                    worst = max(worst, ratio)
    for row in rows:
        if row["step"] == "0":
            assert all(row[c] == "" for c in columns)


def test_without_state_the_columns_are_unchanged():
    simulation = Simulation(load_runfile(case_path("rprop_beale_options")), allow_stride=False)
    simulation.run_to_end()
    text = io.StringIO()
    write_trajectories(simulation, text)
    assert text.getvalue().startswith(HEADER)


def test_cli_state_flag_writes_the_state_columns(tmp_path):
    from lrsim.cli import main

    out = tmp_path / "out.csv"
    assert (
        main(["export", str(case_path("asgd_booth_averaging")), "-o", str(out), "-q", "--state"])
        == 0
    )
    header = out.read_text().splitlines()[0]
    assert header == HEADER.strip() + ",eta,mu,ax_x,ax_y"


def test_json_nulls_save_as_toml(tmp_path):
    from lrsim.core.runfile import load_runfile as load
    from lrsim.core.runfile import parse_runfile, save_runfile

    runfile = parse_runfile(
        {
            "steps": 2,
            "surface": {"name": "booth"},
            "particles": {"points": [[1.0, 2.0]]},
            "runs": [
                {"optimizer": {"name": "adafactor", "eps": [None, 0.01]}},
                {"optimizer": {"name": "prodigy", "beta3": None}},
            ],
        }
    )
    save_runfile(runfile, tmp_path / "saved.toml")
    again = load(tmp_path / "saved.toml")
    assert again.runs[0].optimizer.written["eps"] == ["auto", 0.01]
    assert "beta3" not in again.runs[1].optimizer.written
