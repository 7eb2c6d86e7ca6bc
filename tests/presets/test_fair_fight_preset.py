"""The fair-fight preset's claim, from exported numbers: tuning each optimizer's lr
(``lrsim tune``) turns the default-lr ranking over.

SGD, Adam and Lion at their sources' default lrs rank in one order; tuned, in the reverse.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from lrsim.cli import main
from lrsim.core.runfile import load_runfile

PRESET = Path(__file__).resolve().parents[2] / "resources" / "presets" / "fair-fight.toml"


def median_final_losses(runfile_path: Path, csv_path: Path) -> dict[str, float]:
    """Per run label, the median final loss, read back from `lrsim export`'s CSV."""
    assert main(["export", str(runfile_path), "-o", str(csv_path), "-q"]) == 0
    steps = load_runfile(runfile_path).steps
    finals: dict[str, list[float]] = {}
    with csv_path.open(newline="") as stream:
        for row in csv.DictReader(stream):
            if int(row["step"]) == steps:
                finals.setdefault(row["label"], []).append(float(row["loss"]))
    return {label: float(np.median(values)) for label, values in finals.items()}


def ranking(losses: dict[str, float]) -> list[str]:
    return sorted(losses, key=losses.get)


def test_tuning_turns_the_ranking_over(tmp_path, capsys):
    tuned_path = tmp_path / "tuned.toml"
    assert main(["tune", str(PRESET), "-o", str(tuned_path), "-q"]) == 0
    capsys.readouterr()
    default = median_final_losses(PRESET, tmp_path / "default.csv")
    tuned = median_final_losses(tuned_path, tmp_path / "tuned.csv")
    runfile, tuned_runfile = load_runfile(PRESET), load_runfile(tuned_path)
    assert runfile.surface.name == "beale" and runfile.steps == 300
    for run in runfile.runs:  # the defaults the description quotes
        expected = {"sgd": 0.001, "adam": 0.001, "lion": 0.0001}[run.optimizer["name"]]
        assert run.optimizer["lr"] == expected
    # default lrs: SGD ends lowest and Adam highest, by more than 50 times
    assert ranking(default) == ["SGD", "Adam", "Lion"]
    assert min(default["Adam"], default["Lion"]) > 50 * default["SGD"]
    # tuned: the reverse order; Adam's median final loss falls over 1000-fold
    assert ranking(tuned) == ["Adam", "Lion", "SGD"]
    assert tuned["Adam"] < default["Adam"] / 1000
    # every tuned run is at least as good as it was, and only the lr changed
    for before, after in zip(runfile.runs, tuned_runfile.runs, strict=True):
        assert tuned[before.label] <= default[before.label]
        assert {k: v for k, v in after.optimizer.items() if k != "lr"} == {
            k: v for k, v in before.optimizer.items() if k != "lr"
        }
