"""The rotated-valley preset's claim, read back from exported CSVs: SGD turns with the valley,
Adam, RMSprop and Lion do not."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from lrsim.core.engine import Simulation
from lrsim.core.export import export_csv
from lrsim.core.runfile import load_runfile, parse_runfile, runfile_to_dict
from lrsim.core.surfaces.rotation import cos_sin

PRESET = Path(__file__).resolve().parents[2] / "resources" / "presets" / "rotated-valley.toml"


def exported(runfile, path: Path) -> dict[str, dict[str, np.ndarray]]:
    """Per run label, x, y, loss as (particle, step) arrays read back from the exported CSV."""
    sim = Simulation(runfile, allow_stride=False)
    sim.run_to_end()
    export_csv(sim, path)
    rows: dict[str, list] = {}
    with path.open(newline="") as stream:
        for row in csv.DictReader(stream):
            rows.setdefault(row["label"], []).append(
                (
                    int(row["particle"]),
                    int(row["step"]),
                    *map(float, (row["x"], row["y"], row["loss"])),
                )
            )
    out = {}
    for label, items in rows.items():
        items.sort()
        table = np.array([item[2:] for item in items]).reshape(sim.n_particles, sim.steps + 1, 3)
        out[label] = {"x": table[..., 0], "y": table[..., 1], "loss": table[..., 2]}
    return out


def test_sgd_turns_with_the_valley_adaptive_methods_do_not(tmp_path):
    turned = load_runfile(PRESET)
    assert turned.surface.name == "ill_conditioned" and turned.surface.rotate == 45.0
    c, s = cos_sin(45.0)
    data = runfile_to_dict(turned)
    del data["surface"]["rotate"]
    data["particles"]["points"] = [
        [c * x + s * y, c * y - s * x] for x, y in turned.particles.points
    ]
    aligned = parse_runfile(data)
    on_turned = exported(turned, tmp_path / "turned.csv")
    on_aligned = exported(aligned, tmp_path / "aligned.csv")
    errors, ratios = {}, {}
    for run in turned.runs:
        a, b = on_aligned[run.label], on_turned[run.label]
        x, y = c * a["x"] - s * a["y"], s * a["x"] + c * a["y"]  # the aligned path, turned
        errors[run.optimizer["name"], run.label] = max(
            np.max(np.abs(x - b["x"])), np.max(np.abs(y - b["y"]))
        )
        ratios[run.label] = np.median(b["loss"][:, -1]) / np.median(a["loss"][:, -1])
    sgd, momentum, rmsprop, adam, lion = (run.label for run in turned.runs)
    # SGD, with and without momentum: the same path, turned, to rounding; same final losses
    assert errors["sgd", sgd] < 1e-13 and errors["sgd", momentum] < 1e-13
    assert abs(ratios[sgd] - 1) < 1e-12 and abs(ratios[momentum] - 1) < 1e-12
    # Adam and RMSprop: paths change by more than a unit and end higher on the diagonal
    assert errors["rmsprop", rmsprop] > 1.0 and errors["adam", adam] > 1.0
    assert ratios[rmsprop] > 1000
    assert 1.5 < ratios[adam] < 2.5  # "about twice"
    # Lion's sign step: each coordinate moves by exactly lr, so its path does not turn either
    assert errors["lion", lion] > 1.0 and 2.5 < ratios[lion] < 4.5  # "about three times"
