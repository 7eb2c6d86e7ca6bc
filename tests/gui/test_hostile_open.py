"""Hostile files in the app and in `lrsim render` (issue 9): a dialog, never a traceback;
bounded frames; Ctrl-C during a render exits 130 and leaves nothing behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gui_fixtures import dialogs_fixture, settings_fixture, window_fixture  # noqa: F401
from gui_helpers import LONG_RUN, PRESET

from lrsim.cli import main

GOOD = {
    "steps": 5,
    "surface": {"name": "quadratic"},
    "particles": {"points": [[1.0, 1.0]]},
    "runs": [{"optimizer": {"name": "sgd", "lr": 0.1}}],
}


def _hostile_texts() -> dict[str, str]:
    deep = dict(GOOD, title=None)
    deep_text = json.dumps(deep).replace("null", "[" * 3000 + "]" * 3000)
    huge = json.dumps(GOOD).replace('"lr": 0.1', '"lr": ' + "9" * 5000)
    overflow = json.dumps(GOOD).replace('"lr": 0.1', '"lr": ' + "1" + "0" * 400)
    nested: dict = {"name": "constant"}
    for _ in range(900):
        nested = {"name": "warmup", "warmup_steps": 1, "then": nested}
    warmups = json.loads(json.dumps(GOOD))
    warmups["runs"][0]["schedule"] = nested
    return {
        "deep.json": deep_text,
        "huge.json": huge,
        "overflow.json": overflow,
        "warmups.json": json.dumps(warmups),
    }


def test_file_open_turns_every_failure_into_a_dialog(window, dialogs, tmp_path):
    before = window.document.source
    for name, text in _hostile_texts().items():
        path = tmp_path / name
        path.write_text(text)
        dialogs.warnings.clear()
        assert window.open_path(path) is False
        assert len(dialogs.warnings) == 1, name
        assert "\n" not in dialogs.warnings[0] and "internal error" not in dialogs.warnings[0]
    assert window.document.source == before  # the open file stays open


def test_a_hostile_file_on_the_command_line_is_one_line(tmp_path, capsys):
    for name, text in _hostile_texts().items():
        path = tmp_path / name
        path.write_text(text)
        assert main([str(path)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err and "internal" not in err


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--fps", "120", "--hold", "3600"], "--hold"),
        (["--frames-per-step", "1000"], "--frames-per-step"),
    ],
)
def test_frame_counts_multiply_into_a_bound(qapp, tmp_path, capsys, args, option):
    out = tmp_path / "frames"
    assert main(["render", str(PRESET), "-o", str(out), "-q", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"lrsim: {option}: ") and "over the limit of 50,000" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "stopped by SIGTERM")],
    ids=["int", "term"],
)
def test_a_signal_during_render_exits_and_leaves_nothing(tmp_path, signum, code, said):
    run = tmp_path / "long.toml"
    run.write_text(LONG_RUN.format(steps=3000, n=20))
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    process = subprocess.Popen(
        [sys.executable, "-m", "lrsim.cli", "render", "long.toml", "-o", "frames/", "--size",
         "320x240"],
        cwd=tmp_path, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    while process.poll() is None and len(list(tmp_path.iterdir())) < 2:
        time.sleep(0.01)  # the hidden .part folder: frames are being drawn
    time.sleep(0.5)
    process.send_signal(signum)
    err = process.stderr.read()
    assert process.wait(timeout=120) == code, err
    assert err.strip().splitlines()[-1] == f"lrsim: {said}; nothing was written", err
    assert "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["long.toml"]


def test_keys_that_look_like_html_are_shown_as_text(window, dialogs, tmp_path):
    data = dict(GOOD)
    data['<a href="http://example.invalid">click</a>'] = 1
    path = tmp_path / "html.json"
    path.write_text(json.dumps(data))
    assert window.open_path(path) is False
    assert "&lt;a href=" in dialogs.warnings[0] and "<a href" not in dialogs.warnings[0]
    from PySide6.QtCore import Qt

    assert window.problem_label.textFormat() == Qt.TextFormat.PlainText
