"""lrsim's trajectories against PyTorch's (golden CSVs made by tools/make_golden.py).

Every case is exported through the engine and the contract's CSV writer, the
way `lrsim export` does, and compared value by value within 1e-12 + 1e-9|v|,
with the row order of the contract (run, particle, step).
"""

from __future__ import annotations

import io

import pytest

from lrsim.core.engine import Simulation
from lrsim.core.export import write_trajectories
from lrsim.core.runfile import load_runfile
from tests.golden.golden import assert_rows_match, case_paths, load_expected


@pytest.mark.parametrize("path", case_paths(), ids=lambda p: p.stem)
def test_matches_torch(path):
    simulation = Simulation(load_runfile(path), allow_stride=False)
    simulation.run_to_end()
    text = io.StringIO()
    write_trajectories(simulation, text)
    assert_rows_match(text.getvalue(), load_expected(path), case=path.stem, check_order=True)


def test_there_are_cases_for_every_optimizer_and_schedule():
    from lrsim.core.optim.registry import OPTIMIZERS
    from lrsim.core.schedules import SCHEDULES

    text = "\n".join(path.read_text() for path in case_paths())
    for name in list(OPTIMIZERS) + list(SCHEDULES):
        assert f'name = "{name}"' in text, name
