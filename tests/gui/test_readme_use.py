"""The README's Use section works as written: every headless command line it lists runs."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from lrsim.cli import main

ROOT = Path(__file__).resolve().parents[2]
PRESET = ROOT / "resources" / "presets" / "fixed-vs-decay.toml"
GUI_LINES = ("lrsim", "lrsim RUNFILE", "python main.py")  # open a window: not headless


def use_lines() -> list[str]:
    """The command lines of the Use section's code block, comments stripped."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Use") :]
    block = re.search(r"```\n(.*?)```", section, flags=re.S).group(1)
    return [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]


def variants(line: str) -> list[str]:
    """The line with its [optional] parts filled in, and (unless only a speed switch) without."""
    full = re.sub(r"\[([^\]]*)\]", r"\1", line)
    bare = re.sub(r"\s*\[[^\]]*\]", "", line)
    return [full] if "--quick" in line or full == bare else [full, bare]


def headless_lines() -> list[str]:
    return [line for line in use_lines() if line not in GUI_LINES]


def test_the_use_section_lists_the_commands():
    lines = use_lines()
    for expected in ("export", "stats", "lr-find", "render", "schedules", "--version"):
        assert any(expected in line for line in lines), expected
    assert set(GUI_LINES) <= set(lines)


@pytest.mark.parametrize("line", headless_lines())
def test_each_headless_line_runs_on_a_preset(line, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for command in variants(line):
        words = [PRESET.as_posix() if word == "RUNFILE" else word for word in shlex.split(command)]
        if words[:3] == ["python", "-m", "lrsim.bench"]:
            from lrsim import bench

            assert bench.main(words[3:]) == 0
            out = capsys.readouterr().out
            if words[3:4] == ["interactive"]:  # drag and slider latency in a real window
                assert "drag, 1 particle x 3 runs: median" in out and "slider, 1 particle" in out
            else:
                assert "particle-steps per second" in out
            continue
        assert words[0] == "lrsim", command
        code = main(words[1:])
        out, err = capsys.readouterr()
        assert code == 0, f"{command}: {err}"
        assert "Traceback" not in err
        outputs = [
            word for previous, word in zip(words, words[1:], strict=False) if previous == "-o"
        ]
        for output in outputs:
            assert (tmp_path / output).stat().st_size > 0, command
        if words[1] == "stats" and not outputs:
            assert "iters to loss (reached)" in out and "basins of" in out
        if words[1] == "--version":
            assert out.startswith("lrsim ")
