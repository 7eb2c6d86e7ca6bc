"""A live edit hands the contour a new simulation at every mouse move: the same look is not
styled again (restyling relaid the axes out and repainted them, half of a drag's frame)."""

from __future__ import annotations

from lrsim.core.engine import Simulation
from lrsim.core.runfile import parse_runfile
from lrsim.gui.view_area import ViewArea
from lrsim.gui.views import style


def make_sim(seed: int) -> Simulation:
    data = {
        "steps": 30,
        "surface": {"name": "himmelblau"},
        "particles": {"random": {"n": 20, "seed": seed}},
        "runs": [{"label": "sgd", "color": "#1f77b4", "optimizer": {"name": "sgd", "lr": 0.01}}],
    }
    sim = Simulation(parse_runfile(data))
    sim.run_to_end()
    return sim


def _count_axis_styling(monkeypatch) -> list:
    calls = []
    original = style.style_axis

    def counting(axis, *args, **kwargs):
        calls.append(axis)
        return original(axis, *args, **kwargs)

    monkeypatch.setattr(style, "style_axis", counting)
    return calls


def test_a_new_simulation_with_the_same_look_is_not_styled_again(qtbot, monkeypatch):
    area = ViewArea()
    qtbot.addWidget(area)
    area.resize(900, 700)
    area.show()
    area.set_simulation(make_sim(seed=0))
    calls = _count_axis_styling(monkeypatch)
    area.set_simulation(make_sim(seed=1))
    assert calls == []
    contour = area.contour
    assert contour._sim is area._sim  # the new scene is shown all the same


def test_a_new_theme_or_font_scale_still_restyles_the_axes(qtbot, monkeypatch):
    area = ViewArea()
    qtbot.addWidget(area)
    area.show()
    area.set_simulation(make_sim(seed=0))
    calls = _count_axis_styling(monkeypatch)
    area.set_theme(not area._dark)
    themed = len(calls)
    assert themed >= 2  # x and y (and the colour bar's axis)
    area.set_look(1.5, 1.5)
    assert len(calls) == 2 * themed
    assert area.contour.font_scale == 1.5
    area.set_look(1.5, 1.5)
    area.set_theme(area._dark)
    assert len(calls) == 2 * themed
