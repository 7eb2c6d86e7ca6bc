"""The second release's presets: each claim checked on ``lrsim export --state``'s numbers."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from lrsim.cli import main as lrsim_main

PRESETS = Path(__file__).resolve().parents[2] / "resources" / "presets"


def exported(name: str, tmp_path: Path, *columns: str) -> dict[str, dict[str, np.ndarray]]:
    """label -> column -> (particles, steps + 1) from ``lrsim export --state`` (empty -> NaN)."""
    out = tmp_path / f"{name}.csv"
    assert (
        lrsim_main(["export", str(PRESETS / f"{name}.toml"), "-o", str(out), "-q", "--state"]) == 0
    )
    rows: dict[str, list] = {}
    with out.open(newline="") as stream:
        for row in csv.DictReader(stream):
            values = [float(row[c]) if row[c] else np.nan for c in ("loss", *columns)]
            rows.setdefault(row["label"], []).append(
                (int(row["particle"]), int(row["step"]), values)
            )
    table = {}
    for label, values in rows.items():
        values.sort(key=lambda v: (v[0], v[1]))
        n = values[-1][0] + 1
        array = np.array([v[2] for v in values]).reshape(n, -1, 1 + len(columns))
        table[label] = {c: array[:, :, k] for k, c in enumerate(("loss", *columns))}
    return table


def test_lbfgs_crosses_rosenbrock_in_a_handful_of_steps(tmp_path):
    runs = exported("lbfgs-rosenbrock", tmp_path, "t")
    wolfe = runs["L-BFGS, strong Wolfe"]["loss"]
    assert (wolfe[:, 3] < 1e-9).all()
    plain = runs["L-BFGS, lr 0.1, no line search"]["loss"]
    assert (plain[:, 3] > 1e-9).any() and (plain[:, -1] < 1e-9).all()
    for label in ("Adam, lr 0.05", "SGD momentum 0.9, lr 0.0005"):
        assert (runs[label]["loss"][:, -1] > 0.05).all(), label
    # the line search chose steps t other than lr = 1 on the way
    assert np.nanmax(np.abs(runs["L-BFGS, strong Wolfe"]["t"][:, 1:3] - 1.0)) > 1e-3


def test_prodigy_finds_its_own_step_size(tmp_path):
    runs = exported("prodigy-finds-its-step", tmp_path, "d")
    prodigy = runs["Prodigy, defaults"]
    d = prodigy["d"]
    assert np.isnan(d[:, 0]).all() and (d[:, 1] == 1e-6).all()  # row 0 empty; d starts at d0
    assert (d[:, 20] / d[:, 1] > 1e5).all()
    assert (prodigy["loss"][:, -1] < 1e-5).all()
    tuned = runs["Adam, lr 0.1 (tuned by hand)"]["loss"][:, -1]
    assert (tuned < 1e-5).all()
    stuck = runs["Adam, lr 1e-6 (Prodigy's d0)"]["loss"]
    assert (np.abs(stuck[:, -1] / stuck[:, 0] - 1) < 0.01).all()  # barely moved
    assert (runs["Adam, lr 0.003"]["loss"][:, -1] > 50).all()


def test_lion_sign_steps_against_adam(tmp_path):
    runs = exported("lion-sign-steps", tmp_path, "exp_avg_x")
    out = tmp_path / "xy.csv"
    assert lrsim_main(["export", str(PRESETS / "lion-sign-steps.toml"), "-o", str(out), "-q"]) == 0
    with out.open(newline="") as stream:
        lion = [r for r in csv.DictReader(stream) if r["label"] == "Lion, lr 0.05"]
    xy = np.array([[float(r["x"]), float(r["y"])] for r in lion]).reshape(3, -1, 2)
    steps = np.abs(np.diff(xy, axis=1))
    np.testing.assert_allclose(steps, 0.05, rtol=0, atol=1e-12)  # every coordinate, every step
    constant, annealed = runs["Lion, lr 0.05"]["loss"], runs["Lion, lr 0.05, cosine"]["loss"]
    adam = runs["Adam, lr 0.05"]["loss"]
    assert (constant[:, 100] < 1).all() and (adam[:, 100] > 5).all()
    assert (adam[:, -1] > 4).all()
    # constant lr: still hopping at the end; annealed: lower at every start
    assert (constant[:, -20:].max(axis=1) - constant[:, -20:].min(axis=1) > 0.3).all()
    assert (annealed[:, -20:].max(axis=1) < constant[:, -20:].max(axis=1)).all()
    assert np.isfinite(runs["Lion, lr 0.05"]["exp_avg_x"][:, 1:]).all()
