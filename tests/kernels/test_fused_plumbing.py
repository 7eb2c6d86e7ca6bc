"""The fused pairs' plumbing: where they are written, when they compile, their children.

Which kernel runs never changes a number (``test_fused.py``); these check that the
choice degrades to the generic kernel instead of failing, that a command compiles
when the whole run's work repays it, and that the app starts at most one child per
pair and stops them at exit.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from lrsim.core import fused, numba_cache, warmup
from lrsim.core.engine import Simulation
from lrsim.core.runfile import parse_runfile


class _Child:
    """Stands in for a compiling child process."""

    def __init__(self, code=None):
        self.code, self.terminated, self.polls = code, False, 0

    def poll(self):
        self.polls += 1
        return self.code

    def terminate(self):
        self.terminated, self.code = True, -15

    def wait(self, timeout=None):
        return self.code


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """No pair compiled, started or failed; pairs live in ``tmp_path``; a command."""
    for name, value in (("_modules", {}), ("_children", {}), ("_started", set())):
        monkeypatch.setattr(fused, name, value)
    monkeypatch.setattr(fused, "_failed", set())
    monkeypatch.setattr(fused, "_folder", lambda: tmp_path)
    monkeypatch.setattr(warmup, "_app", False)
    return tmp_path


def test_an_unwritable_cache_folder_falls_back_to_the_generic_kernel(fresh, monkeypatch):
    blocker = fresh / "a file"
    blocker.write_text("")
    monkeypatch.setattr(fused, "_folder", lambda: blocker / "fused")  # mkdir must fail
    assert fused.kernel_for(0, 0, 10**9) is None
    assert (0, 0) in fused._failed
    tries = []
    monkeypatch.setattr(fused, "_module", lambda *args: tries.append(args))
    assert fused.kernel_for(0, 0, 10**9) is None
    assert tries == []  # remembered: not tried again


def test_the_real_folder_is_inside_the_configured_cache(monkeypatch, tmp_path):
    monkeypatch.setattr(numba_cache, "_configured", tmp_path)
    assert fused._folder() == tmp_path / "fused"
    monkeypatch.setattr(numba_cache, "_configured", None)
    assert fused._folder() is None
    monkeypatch.setattr(fused, "_modules", {})
    monkeypatch.setattr(fused, "_failed", set())
    monkeypatch.setattr(warmup, "_app", False)
    compiled = []
    monkeypatch.setattr(fused, "compile_pair", lambda *args, **kw: compiled.append(args))
    assert fused.kernel_for(0, 0, 10**12) is None  # never a shared temporary folder
    assert compiled == []


def _small_run(n: int, steps: int):
    return parse_runfile(
        {
            "steps": steps,
            "surface": {"name": "rastrigin"},
            "particles": {"random": {"n": n, "seed": 1}},
            "runs": [{"optimizer": {"name": "adam", "lr": 0.01}}],
        }
    )


def test_run_to_end_decides_from_the_whole_runs_work(fresh, monkeypatch):
    """Chunks each below COMPILE_WORK, their sum above it: a command compiles once."""
    compiled = []
    monkeypatch.setattr(fused, "COMPILE_WORK", 1000)
    monkeypatch.setattr(fused, "compile_pair", lambda s, r, **_: compiled.append((s, r)))
    sim = Simulation(_small_run(10, 200), engine="kernel")  # 2000 particle-steps
    sim.run_to_end(chunk_particle_steps=500)
    run = sim._states[0]
    assert compiled[:1] == [(run.surface, run.rule)]
    assert sim.current_step == 200

    compiled.clear()
    small = Simulation(_small_run(10, 50), engine="kernel")  # 500: not worth a compile
    small.run_to_end(chunk_particle_steps=500)
    assert compiled == []


def test_the_app_starts_one_child_per_pair_and_reaps_it(fresh, monkeypatch):
    children = []

    def spawn(module, *args):
        children.append((module, args))
        return _Child(code=0)  # exits at once without writing the marker

    monkeypatch.setattr(warmup, "spawn", spawn)
    monkeypatch.setattr(warmup, "kernels_ready", lambda: True)
    monkeypatch.setattr(warmup, "_app", True)
    for _ in range(3):
        assert fused.kernel_for(4, 1, 10**12) is None
    assert children == [("lrsim.core.fused", ("4", "1"))]
    assert fused._children == {}  # finished: reaped on the next look

    running = _Child()
    monkeypatch.setattr(warmup, "spawn", lambda *_: running)
    assert fused.kernel_for(4, 2, 10**12) is None
    assert fused._children == {(4, 2): running}
    fused.shutdown()
    assert running.terminated and fused._children == {}


def test_a_found_marker_reaps_the_child(fresh, monkeypatch):
    child = _Child(code=0)
    fused._children[(4, 1)] = child
    fused._started.add((4, 1))
    (fresh / f"{fused._name(4, 1)}.ready").write_text("compiled\n")
    loaded = []
    monkeypatch.setattr(fused, "_module", lambda *args: loaded.append(args) or "module")
    monkeypatch.setattr(warmup, "_app", True)
    assert fused.kernel_for(4, 1, 1) == "module"
    assert fused._children == {} and child.polls == 1


def test_children_start_without_preexec_fn(monkeypatch):
    calls = []
    monkeypatch.setattr(
        warmup.subprocess, "Popen", lambda command, **kw: calls.append((command, kw))
    )
    warmup.spawn("lrsim.core.fused", "1", "2")
    warmup.start_background_compile()
    assert [command[1:] for command, _ in calls] == [
        ["-m", "lrsim.core.fused", "1", "2"],
        ["-m", "lrsim.core.warmup"],
    ]
    assert all("preexec_fn" not in kw for _, kw in calls)


def test_cache_folder_does_not_depend_on_import_order(tmp_path):
    """``warmup`` imported alone (before any kernel) already sees lrsim's cache folder."""
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(numba_cache.CORE.parents[1]),
        "XDG_CACHE_HOME": str(tmp_path),
        "HOME": str(tmp_path),
    }
    code = "from lrsim.core import warmup; print(warmup.cache_folder())"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    digest = numba_cache.kernel_sources_digest()
    assert out.stdout.strip() == str(tmp_path / "lrsim" / "numba" / digest)


def test_a_user_cache_folder_is_keyed_by_the_source_and_pruned(tmp_path, monkeypatch):
    import os

    import numba

    monkeypatch.setattr(numba.config, "CACHE_DIR", numba.config.CACHE_DIR)
    monkeypatch.setattr(numba_cache, "_configured", numba_cache._configured)
    monkeypatch.setattr(numba_cache, "cache_root", lambda: tmp_path)
    old, old_fused, theirs = "0123456789abcdef", "fused-0123456789abcdef", "someone-else"
    for name in (old, old_fused, theirs):
        (tmp_path / name).mkdir()
        os.utime(tmp_path / name, (0, 0))
    numba_cache.configure()
    digest = numba_cache.kernel_sources_digest()
    assert numba.config.CACHE_DIR == str(tmp_path / digest)
    assert numba_cache.configured_folder() == tmp_path / digest
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([digest, theirs])


def test_the_root_is_numba_cache_dir_when_set(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert numba_cache.cache_root() == tmp_path
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert numba_cache.cache_root() == tmp_path / "lrsim" / "numba"


def test_only_the_main_thread_and_the_stream_worker_compile(fresh, monkeypatch):
    """A worker thread of the GUI (anything but the main thread and the streamed export's
    worker) never compiles a pair in-process: the generic kernel serves it."""
    import threading

    compiled = []
    monkeypatch.setattr(fused, "COMPILE_WORK", 1000)
    monkeypatch.setattr(fused, "compile_pair", lambda s, r, **_: compiled.append((s, r)))

    def ask(name: str) -> None:
        thread = threading.Thread(target=lambda: fused.kernel_for(0, 0, 10**6), name=name)
        thread.start()
        thread.join()

    ask("a-gui-worker")
    assert compiled == []
    ask("lrsim-stream")
    assert compiled == [(0, 0)]
