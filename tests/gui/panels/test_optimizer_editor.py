"""The editor offers the second release's optimizers with the references' names, defaults, docs."""

from __future__ import annotations

import pytest

from lrsim.core.optim.registry import OPTIMIZERS
from lrsim.gui.panels.named_chooser import optimizer_chooser

NEW = {
    "lion": {"lr": "0.0001", "betas": "0.9, 0.99", "weight_decay": "0.0"},
    "rprop": {"lr": "0.01", "etas": "0.5, 1.2", "step_sizes": "1e-06, 50.0"},
    "asgd": {"lr": "0.01", "lambd": "0.0001", "alpha": "0.75", "t0": "1000000.0"},
    "adafactor": {"lr": "0.01", "beta2_decay": "-0.8", "eps": "auto, 0.001", "d": "1.0"},
    "schedulefree_adamw": {"lr": "0.0025", "betas": "0.9, 0.999", "warmup_steps": "0", "r": "0.0"},
    "schedulefree_sgd": {"lr": "1.0", "momentum": "0.9", "weight_lr_power": "2.0"},
    "prodigy": {"lr": "1.0", "beta3": "not set", "d0": "1e-06", "growth_rate": "inf"},
    "lbfgs": {"lr": "1.0", "max_iter": "20", "max_eval": "not set", "history_size": "100"},
}


@pytest.mark.parametrize("name", sorted(NEW))
def test_new_optimizers_have_fields_with_reference_defaults_and_tooltips(qtbot, name):
    chooser = optimizer_chooser()
    qtbot.addWidget(chooser)
    assert chooser.combo.findData(name) >= 0
    chooser.set_table({"name": name})
    assert set(chooser.form.specs) == {p.name for p in OPTIMIZERS[name].params}
    for field, default in NEW[name].items():
        widget = chooser.form.field_widget(field)
        assert widget.placeholderText() == default, field
        assert field in widget.toolTip() and "Default" in widget.toolTip()
    assert chooser.table() == {"name": name}


def test_adafactor_eps_auto_round_trips_and_resolves(qtbot):
    chooser = optimizer_chooser()
    qtbot.addWidget(chooser)
    chooser.set_table({"name": "adafactor", "eps": ["auto", 0.01]})
    table = chooser.table()
    assert table == {"name": "adafactor", "eps": ["auto", 0.01]}
    params = OPTIMIZERS["adafactor"].resolve({"eps": table["eps"]})
    assert params["eps"] == ("auto", 0.01)


def test_maximize_is_offered_where_the_source_has_it():
    with_maximize = {
        name for name, spec in OPTIMIZERS.items() if "maximize" in {p.name for p in spec.params}
    }
    assert with_maximize == set(OPTIMIZERS) - {
        "lion", "schedulefree_adamw", "schedulefree_sgd", "prodigy", "lbfgs"
    }  # fmt: skip
