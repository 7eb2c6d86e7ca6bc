"""The all-schedules figure reads at a glance: distinct colours, visible dashes, momentum ticks."""

from __future__ import annotations

import argparse

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFontMetricsF

from lrsim.commands.schedules import curves
from lrsim.core.schedule_families import FAMILY_BY_KEY
from lrsim.gui.schedule_figure import SWATCH_LENGTH, ScheduleFigure, momentum_ticks


def _curves(families: str):
    return curves(argparse.Namespace(steps=300, lr=0.1, scale=1.0, families=families))


def test_triangular_and_triangular2_have_their_own_colours():
    one, two = FAMILY_BY_KEY["cyclic_triangular"], FAMILY_BY_KEY["cyclic_triangular2"]
    assert one.color.lower() != two.color.lower()
    pairs = [(family.color.lower(), family.dash) for family in FAMILY_BY_KEY.values()]
    assert len(pairs) == len(set(pairs))  # no two families drawn alike


def test_no_cycled_momentum_means_no_momentum_ticks():
    assert momentum_ticks(_curves("step,cosine")) == []


def test_momentum_axis_has_a_tick_at_one_cycles_maximum():
    entries = _curves("onecycle,cyclic_triangular")
    values = [value for value, _label in momentum_ticks(entries)]
    assert np.allclose(values, [0.8, 0.85, 0.9, 0.95])
    onecycle = next(entry for entry in entries if entry.key == "onecycle")
    assert np.isclose(np.max(onecycle.momentum), 0.95)


def test_legend_swatch_is_long_enough_for_dashes_and_momentum_ticks_do_not_touch(qtbot):
    figure = ScheduleFigure()
    qtbot.addWidget(figure)
    figure.resize(1600, 900)
    figure.show()
    figure.draw(_curves("all"), title="t", log=False)
    qtbot.wait(50)
    samples = [sample for sample, _label in figure.legend.items]
    assert samples and all(sample.boundingRect().width() >= SWATCH_LENGTH for sample in samples)
    assert all(isinstance(sample, pg.ItemSample) for sample in samples)
    ticks = momentum_ticks(_curves("all"))
    height = figure.momentum_plot.getViewBox().height()
    low, high = figure.momentum_plot.getViewBox().viewRange()[1]
    spacing = height * 0.05 / (high - low)  # pixels between two ticks
    axis_font = figure.momentum_plot.getAxis("left").style["tickFont"]
    text_height = QFontMetricsF(axis_font).height() if axis_font else 20.0
    assert len(ticks) == 4 and spacing > 1.2 * text_height
