"""Random parameters of the second release's optimizers against their reference packages.

``tools/make_fuzz_cases.py`` writes ``fuzz_<optimizer>_<k>.toml`` (seeded random
parameters, schedules, surfaces and starts); ``tools/make_golden.py`` computes
their trajectories with torch 2.13 / lion-pytorch; this test replays every one
through the engine and reports, per optimizer, the worst error as a fraction of
the tolerance 1e-12 + 1e-9 |v| (run with ``-s`` to see the table).
"""

from __future__ import annotations

import io
import tomllib
from collections import defaultdict

import pytest

from lrsim.core.engine import Simulation
from lrsim.core.export import write_trajectories
from lrsim.core.runfile import load_runfile
from tests.golden.golden import case_paths, load_expected, max_error_ratio

FUZZED = (
    "lion", "rprop", "asgd", "adafactor", "schedulefree_adamw", "schedulefree_sgd", "prodigy",
    "lbfgs",
)  # fmt: skip
FUZZ_PATHS = [path for path in case_paths() if path.stem.startswith("fuzz_")]


def _worst_ratio(path) -> float:
    simulation = Simulation(load_runfile(path), allow_stride=False)
    simulation.run_to_end()
    text = io.StringIO()
    write_trajectories(simulation, text)
    return max_error_ratio(text.getvalue(), load_expected(path))


def test_random_parameters_agree_with_the_reference_per_optimizer():
    worst: dict[str, float] = defaultdict(float)
    runs: dict[str, list[dict]] = defaultdict(list)
    for path in FUZZ_PATHS:
        case = tomllib.loads(path.read_text(encoding="utf-8"))
        names = {run["optimizer"]["name"] for run in case["runs"]}
        assert len(names) == 1, path.name
        name = names.pop()
        runs[name] += [run["optimizer"] for run in case["runs"]]
        worst[name] = max(worst[name], _worst_ratio(path))
    print("\nworst error / tolerance per optimizer (random cases):")
    for name in FUZZED:
        print(f"  {name:18s} {worst[name]:.3e} over {len(runs[name])} random runs")
    for name in FUZZED:
        assert len(runs[name]) >= 12, name
        # the parameters really vary: no two runs of an optimizer are the same
        distinct = {tuple(sorted((k, str(v)) for k, v in run.items())) for run in runs[name]}
        assert len(distinct) == len(runs[name]), name
        assert worst[name] <= 1.0, (name, worst[name])


@pytest.mark.parametrize("name", FUZZED)
def test_every_new_optimizer_has_fuzz_cases(name):
    assert any(path.stem.startswith(f"fuzz_{name}_") for path in FUZZ_PATHS)
