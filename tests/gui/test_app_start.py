"""Starting the app: the entry point, a bad file on the command line, finding the presets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lrsim.cli import main as cli_main
from lrsim.gui import resources

REPO = Path(__file__).resolve().parents[2]


def test_presets_are_found_next_to_the_package():
    assert resources.resources_dir() == REPO / "resources"
    assert resources.default_preset() == REPO / "resources" / "presets" / "fixed-vs-decay.toml"


def test_resources_folder_can_be_overridden(monkeypatch, tmp_path):
    (tmp_path / "presets").mkdir()
    (tmp_path / "presets" / "only.toml").write_text("")
    monkeypatch.setenv("LRSIM_RESOURCES", str(tmp_path))
    assert resources.list_presets() == [tmp_path / "presets" / "only.toml"]
    assert resources.default_preset() is None


def test_a_bad_run_file_on_the_command_line_exits_with_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('steps = 10\n[surface]\nname = "nope"\n[particles]\npoints = [[0, 0]]\n')
    assert cli_main([str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "surface.name" in err


def test_the_app_starts_draws_and_quits(tmp_path):
    """`lrsim` end to end in a fresh process: first start opens the preset and paints."""
    # a fresh QSettings folder; the numba cache (under XDG_CACHE_HOME / HOME) stays warm
    env = dict(os.environ, LRSIM_QUIT_AFTER_SHOW="scene", XDG_CONFIG_HOME=str(tmp_path),
               QT_QPA_PLATFORM="offscreen")  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from lrsim.cli import main; sys.exit(main([]))"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "window drawn after" in done.stderr and "scene drawn after" in done.stderr
    settings = tmp_path / "lrsim" / "lrsim.conf"
    assert settings.exists() and "fixed-vs-decay.toml" in settings.read_text()
