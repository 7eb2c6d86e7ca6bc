"""The lecture presets say what they show: checked on the exported CSV, no GUI."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from lrsim.core.engine import Simulation
from lrsim.core.export import export_csv
from lrsim.core.runfile import load_runfile

PRESETS = Path(__file__).resolve().parents[2] / "resources" / "presets"
TOLERANCE = 1e-2


def exported_distances(preset: Path, tmp_path: Path) -> dict[str, np.ndarray]:
    """Per run label, the distance to the minimum (0, 0) at every step, read back from the CSV."""
    simulation = Simulation(load_runfile(preset), allow_stride=False)
    simulation.run_to_end()
    out = tmp_path / "out.csv"
    export_csv(simulation, out)
    rows: dict[str, list[tuple[int, float]]] = {}
    with out.open(newline="") as stream:
        for row in csv.DictReader(stream):
            distance = float(np.hypot(float(row["x"]), float(row["y"])))
            rows.setdefault(row["label"], []).append((int(row["step"]), distance))
    return {label: np.array([d for _, d in sorted(r)]) for label, r in rows.items()}


def first_within(distances: np.ndarray) -> float:
    """The first iteration within TOLERANCE of the minimum (inf if never)."""
    hits = np.flatnonzero(distances < TOLERANCE)
    return float(hits[0]) if hits.size else float("inf")


@pytest.mark.parametrize("preset", sorted(PRESETS.glob("*.toml")), ids=lambda p: p.stem)
def test_every_preset_loads_with_title_and_description(preset: Path):
    runfile = load_runfile(preset)
    assert runfile.title and runfile.description


def test_fixed_vs_decay(tmp_path: Path):
    preset = PRESETS / "fixed-vs-decay.toml"
    runfile = load_runfile(preset)
    assert runfile.surface.name == "quadratic"
    # vermillion, sky blue, reddish purple: Okabe-Ito, visible on viridis
    assert [run.color for run in runfile.runs] == ["#d55e00", "#56b4e9", "#cc79a7"]
    assert {run.optimizer["name"] for run in runfile.runs} == {"sgd"}
    high, low, decay = (exported_distances(preset, tmp_path)[run.label] for run in runfile.runs)
    # the decayed run is close to the optimum after four iterations and stays there
    assert first_within(decay) == 4
    assert decay[4] < TOLERANCE / 2  # with room to spare, not by a hair
    assert np.all(decay[4:] < TOLERANCE)
    # both fixed rates need many more (the low one does not get there within the run at all)
    assert first_within(high) > 15
    assert first_within(low) > 15
    assert first_within(high) == 27  # as the description says
    assert first_within(low) == float("inf")  # not within the run's 50 steps
