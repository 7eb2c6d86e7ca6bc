"""Run files: strict parsing with one clear error per bad value, and saving that round-trips."""

from __future__ import annotations

import json
import tomllib

import pytest

from lrsim.core.errors import ConfigError
from lrsim.core.runfile import (
    load_runfile,
    parse_runfile,
    runfile_to_dict,
    save_runfile,
)
from lrsim.core.toml_writer import dumps_toml

CONTRACT_EXAMPLE = """
title = "Fixed high, fixed low, linear decay"
steps = 40                      # updates per particle

[surface]
name = "quadratic"

[particles]
points = [[-4.0, 3.5]]

[[runs]]
label = "high lr"
color = "#d62728"
optimizer = { name = "sgd", lr = 1.8 }
schedule = { name = "constant" }

[[runs]]
label = "linear decay"
color = "#2ca02c"
optimizer = { name = "sgd", lr = 1.8 }
schedule = { name = "linear", start_factor = 1.0, end_factor = 0.0, total_iters = 8 }
"""


def _base(**changes) -> dict:
    data = tomllib.loads(CONTRACT_EXAMPLE)
    data.update(changes)
    return data


def test_contract_example_parses():
    runfile = parse_runfile(tomllib.loads(CONTRACT_EXAMPLE))
    assert runfile.steps == 40
    assert runfile.surface.name == "quadratic"
    assert runfile.particles.points == ((-4.0, 3.5),)
    assert [r.label for r in runfile.runs] == ["high lr", "linear decay"]
    assert runfile.runs[1].schedule["total_iters"] == 8


def _error(data: dict) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        parse_runfile(data)
    return raised.value


def _with_run(index: int, **changes) -> dict:
    data = _base()
    data["runs"][index] = {**data["runs"][index], **changes}
    return data


@pytest.mark.parametrize(
    "data, field, words",
    [
        (
            _with_run(1, schedule={"name": "step", "step_size": -3}),
            "runs[1].schedule.step_size",
            "positive integer",
        ),
        (
            _with_run(0, optimizer={"name": "sgd", "lr": 0.1, "momentm": 0.9}),
            "runs[0].optimizer.momentm",
            "unknown",
        ),
        (_with_run(0, optimizer={"name": "sgdd"}), "runs[0].optimizer.name", "unknown optimizer"),
        (_with_run(0, schedule={"name": "cosin"}), "runs[0].schedule.name", "unknown schedule"),
        (_with_run(0, color="red"), "runs[0].color", "colour"),
        (_with_run(0, colour="#ffffff"), "runs[0].colour", "unknown key"),
        (_base(steps=0), "steps", "positive"),
        (_base(steps=2.5), "steps", "integer"),
        (_base(runs=[]), "runs", "at least one"),
        (_base(surface={"name": "rosenbrok"}), "surface.name", "unknown surface"),
        (_base(surface={"name": "rosenbrock", "params": {"c": 1.0}}), "surface.params.c", ""),
        (
            _base(surface={"name": "quadratic", "domain": [[1, -1], [0, 1]]}),
            "surface.domain[0]",
            "",
        ),
        (_base(particles={"random": {"n": 0}}), "particles.random.n", "positive"),
        (_base(particles={"points": [[1.0]]}), "particles.points[0]", "pair"),
        (_base(particles={}), "particles", "exactly one"),
        (_base(noise={"sigma": -1.0}), "noise.sigma", ">= 0"),
        (_base(stepz=3), "stepz", "unknown key"),
        (
            _with_run(
                0,
                optimizer={"name": "adagrad"},
                schedule={"name": "cyclic", "base_lr": 0.1, "max_lr": 1.0},
            ),
            "runs[0].schedule.cycle_momentum",
            "",
        ),
    ],
)
def test_bad_values_name_their_field(data, field, words):
    error = _error(data)
    assert error.field == field
    assert words in error.problem
    assert str(error).startswith(field + ": ")


def test_load_toml_and_json(tmp_path):
    toml_path = tmp_path / "a.toml"
    toml_path.write_text(CONTRACT_EXAMPLE)
    json_path = tmp_path / "a.json"
    json_path.write_text(json.dumps(tomllib.loads(CONTRACT_EXAMPLE)))
    assert load_runfile(toml_path) == load_runfile(json_path)


@pytest.mark.parametrize(
    "content, words",
    [
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b"steps = = 3", "not valid TOML"),
        (b'{ "steps": ', "not valid JSON"),
    ],
)
def test_unreadable_files_say_why(tmp_path, content, words):
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as raised:
        load_runfile(path)
    assert words in str(raised.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_runfile(tmp_path / "nope.toml")


def test_save_round_trips_and_keeps_what_the_user_wrote(tmp_path):
    data = _base(description='Why a decaying rate helps.\nSecond line with "quotes".')
    data["noise"] = {"sigma": 0.25, "batch_size": 4, "seed": 7}
    data["runs"][0]["schedule"] = {
        "name": "warmup",
        "warmup_steps": 3,
        "then": {"name": "cosine", "T_max": 37, "eta_min": 1e-8},
    }
    runfile = parse_runfile(data)
    for name in ("out.toml", "out.json"):
        path = tmp_path / name
        save_runfile(runfile, path)
        assert load_runfile(path) == runfile
    text = (tmp_path / "out.toml").read_text()
    assert "lr_decay" not in text and "dampening" not in text  # defaults are not written out
    assert tomllib.loads(dumps_toml(runfile_to_dict(runfile))) == runfile_to_dict(runfile)


def test_save_into_missing_folder_fails_and_leaves_nothing(tmp_path):
    runfile = parse_runfile(_base())
    with pytest.raises(ConfigError, match="does not exist"):
        save_runfile(runfile, tmp_path / "missing" / "x.toml")
    assert list(tmp_path.iterdir()) == []


def test_non_string_surface_name_and_zero_lr_loss_decay_name_their_fields():
    assert _error(_base(surface={"name": 3})).field == "surface.name"
    data = _with_run(0, optimizer={"name": "sgd", "lr": 0.0}, loss_decay=True)
    assert _error(data).field == "runs[0].optimizer.lr"


def test_a_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + CONTRACT_EXAMPLE.encode())
    assert load_runfile(path).steps == 40
