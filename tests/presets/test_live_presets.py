"""The three "hands on the landscape" presets say what they show, on ``lrsim export``'s numbers,
and the stability bound the LR panel draws is the one their descriptions quote."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from lrsim.cli import main as lrsim_main
from lrsim.core.engine import Simulation
from lrsim.core.runfile import load_runfile, parse_runfile, read_runfile_data
from lrsim.core.stability import max_sharpness, sharpness_along, stable_lr

PRESETS = Path(__file__).resolve().parents[2] / "resources" / "presets"


def export_rows(path: Path, out: Path) -> dict[str, list[dict[str, float]]]:
    """Per run label, its CSV rows (x, y, loss, lr as floats) in step order."""
    assert lrsim_main(["export", str(path), "-o", str(out), "-q"]) == 0
    rows: dict[str, list[dict[str, float]]] = {}
    with out.open(newline="") as stream:
        for row in csv.DictReader(stream):
            values = {key: float(row[key]) for key in ("step", "x", "y", "loss", "lr")}
            rows.setdefault(row["label"], []).append(values)
    return rows


def edited(name: str, tmp_path: Path, change) -> Path:
    """The preset ``name`` with ``change(data)`` applied, written as a run file."""
    from lrsim.core.toml_writer import dumps_toml as dumps

    data = read_runfile_data(PRESETS / f"{name}.toml")
    change(data)
    parse_runfile(data)  # still valid
    path = tmp_path / f"{name}-edited.toml"
    path.write_text(dumps(data), encoding="utf-8")
    return path


def test_drag_across_the_ridge_changes_the_basin(tmp_path):
    rows = export_rows(PRESETS / "drag-start-across-ridge.toml", tmp_path / "a.csv")
    sim = Simulation(load_runfile(PRESETS / "drag-start-across-ridge.toml"))
    points = {p.kind: p for p in sim.critical_points()}
    saddle, well = points["saddle"], points["local_min"]
    assert saddle.x == pytest.approx(1.49, abs=0.01) and well.x == pytest.approx(1.92, abs=0.01)
    assert len(rows) == 3
    for run in rows.values():
        assert np.hypot(run[-1]["x"], run[-1]["y"]) < 0.1  # the deep bowl at the origin

    def across(data):
        data["particles"] = {"points": [[1.6, 1.6]]}

    rows = export_rows(edited("drag-start-across-ridge", tmp_path, across), tmp_path / "b.csv")
    for run in rows.values():
        assert np.hypot(run[-1]["x"] - well.x, run[-1]["y"] - well.y) < 0.05  # the shallow well


def test_lr_past_two_over_lambda_zigzags_then_diverges(tmp_path):
    preset = PRESETS / "slide-lr-past-two-over-lambda.toml"
    sim = Simulation(load_runfile(preset))
    assert max_sharpness(sim) == pytest.approx(20.0, rel=1e-6)
    assert stable_lr(sim) == pytest.approx(0.1, rel=1e-6)
    rows = export_rows(preset, tmp_path / "lr.csv")
    smooth, zigzag, past = (rows[f"lr {lr}"] for lr in ("0.04", "0.095", "0.105"))
    ys = {key: np.array([r["y"] for r in run]) for key, run in
          (("smooth", smooth), ("zigzag", zigzag), ("past", past))}  # fmt: skip
    assert np.all(ys["smooth"][:20] > 0)  # no sign change: no zig-zag
    assert np.all(np.sign(ys["zigzag"][1:21]) == -np.sign(ys["zigzag"][:20]))  # every step
    assert abs(ys["zigzag"][-1]) < 1e-3 and zigzag[-1]["loss"] < smooth[-1]["loss"]
    assert abs(ys["past"][-1]) > 1e3 * abs(ys["past"][0])  # past 2/lambda: it grows
    assert np.all(np.abs(ys["past"][2:]) > np.abs(ys["past"][1:-1]))


def test_momentum_two_arrows_claims(tmp_path):
    rows = export_rows(PRESETS / "momentum-two-arrows.toml", tmp_path / "m.csv")
    sgd = rows["SGD, lr 0.01"][-1]["loss"]
    assert rows["momentum 0.9, lr 0.01"][-1]["loss"] < sgd / 10_000
    assert rows["Adam, lr 0.5"][-1]["loss"] < sgd / 1_000


def test_sharpness_along_a_quadratic_is_its_curvature():
    sim = Simulation(load_runfile(PRESETS / "slide-lr-past-two-over-lambda.toml"))
    sim.run_to_end()
    steps, sharpness = sharpness_along(sim, 0)
    assert steps[0] == 0 and steps[-1] == sim.steps
    np.testing.assert_allclose(sharpness, 20.0, rtol=1e-6)
