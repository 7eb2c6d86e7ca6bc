"""Small things a newcomer meets first: summaries without Python dicts, one lr format."""

from __future__ import annotations

from lrsim.gui.panels.run_card import summary
from lrsim.gui.render.frame import format_lr


def test_run_summary_shows_a_nested_schedule_as_a_call_not_a_dict():
    table = {
        "optimizer": {"name": "sgd", "lr": 0.5},
        "schedule": {"name": "warmup", "warmup_steps": 5, "then": {"name": "cosine"}},
    }
    text = summary(table)
    assert text == "sgd(lr=0.5) · warmup(warmup_steps=5, then=cosine())"
    assert "{" not in text and "'" not in text
    sequential = {
        "optimizer": {"name": "sgd", "lr": 0.5},
        "schedule": {"name": "sequential", "schedules": [{"name": "constant"}, {"name": "step"}]},
    }
    assert "schedules=[constant(), step()]" in summary(sequential)


def test_render_header_gives_every_lr_in_one_format():
    assert format_lr(0.05) == "0.05"
    assert format_lr(5e-4) == "0.0005"
    assert format_lr(1.8) == "1.8"
    assert format_lr(0.0) == "0"
    assert format_lr(float("nan")) == "–"
