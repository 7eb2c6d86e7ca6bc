"""What the app shows of each schedule comes from its ScheduleSpec: live knob and figure curves."""

from __future__ import annotations

import hashlib

from lrsim.cli import main
from lrsim.core.schedule_families import FAMILIES, FAMILY_BY_KEY, family_curves
from lrsim.core.schedules import SCHEDULES, STEPS

# sha256 of `lrsim schedules --families all -o curves.csv` before the families moved into
# the schedules' modules (issue 8), with these 22 families: their order, parameters and
# numbers must not move (a schedule added since adds its own curve after them).
FAMILIES_THEN = (
    "constant,step,multistep,exponential,inverse_time,linear,polynomial,cosine,"
    "cosine_restarts,warmup_cosine,cyclic_triangular,cyclic_triangular2,cyclic_exp_range,"
    "cyclic_welch,cyclic_hann,onecycle,constant_factor,wsd,inverse_sqrt,warmup_cosine_floor,"
    "rex,sequential"
)
ALL_CURVES_SHA256 = "0016ef8740b6673bb5353ebc1c4098e9dc56c50a8e0e9b5e70051af687af13e2"


def test_every_live_knob_sets_a_parameter_of_its_schedule():
    knobs = {name: spec.live_knob for name, spec in SCHEDULES.items() if spec.live_knob}
    assert len(knobs) >= len(SCHEDULES) - 3  # constant, REX and sequential have none
    for name, knob in knobs.items():
        param = next(p for p in SCHEDULES[name].params if p.name == knob.param)
        assert param.kind in ("int", "float") and (knob.integer or param.kind == "float"), name
        assert knob.high == STEPS or knob.low < knob.high, name
        if isinstance(param.default, float) and knob.high != STEPS:
            assert knob.low <= param.default <= knob.high, name


def test_every_schedule_is_in_the_figure_unless_it_says_it_cannot_be():
    in_figure = {family.schedule for family in FAMILIES}
    for name, spec in SCHEDULES.items():
        assert (name in in_figure) == (spec.figure != ()), name
    assert SCHEDULES["plateau"].figure == ()  # its lr follows each particle's loss
    assert len({(f.color, f.dash) for f in FAMILIES}) == len(FAMILIES)
    for family in FAMILIES:
        lr, _, _ = family_curves(family, family.defaults(300, 0.1), steps=300, base_lr=0.1)
        assert lr.shape == (301,), family.key
    assert FAMILY_BY_KEY["constant_factor"].group == 2


def test_the_all_families_csv_is_byte_identical(tmp_path):
    out = tmp_path / "curves.csv"
    keys = FAMILIES_THEN.split(",")
    assert [family.key for family in FAMILIES][: len(keys)] == keys  # the figure's order
    assert main(["schedules", "--families", FAMILIES_THEN, "-o", str(out), "-q"]) in (0, None)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == ALL_CURVES_SHA256
