"""Fused per-pair kernels, compiled lazily: the pairs actually used, never all 15 x 17.

``kernel_for(surface, rule, particle_steps)`` gives the module of the fused kernel of
one (surface, optimizer rule) pair (``fused_source``), or None, in which case the
engine runs the generic kernel, which gives the same numbers bit for bit; so the
choice never changes a CSV, only the speed. A pair is used when

- it is already compiled in this process, or its cache is marked ready on disk
  (a marker file beside numba's cache files, written after the first compile);
- else, if compiling in this process is allowed (commands, tests, the benchmark; on
  the main thread or a streamed export's worker, never a GUI worker thread) and the
  work is big enough (``COMPILE_WORK`` particle-steps) to repay a compile of a few
  seconds, it compiles now;
- else, in the app (``warmup.compile_in_children()``), a child process compiles and
  marks it (numba's compiler holds the GIL: a thread would freeze the window), and
  the generic kernel serves until the marker appears; at most one child per pair.

Only in lrsim's own source-keyed cache folder (``numba_cache.configured_folder``),
never in a shared temporary one another user could plant modules in; a pair whose
folder cannot be written is remembered and left to the generic kernel.

Not fused (the generic kernel runs them): formula surfaces (the interpreter), turned
surfaces, per-particle (plateau) learning rates, per-coordinate lr scales, L-BFGS.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import threading
from pathlib import Path

from lrsim.core import numba_cache, warmup
from lrsim.core.dispatch import FORMULA_SURFACE
from lrsim.core.fused_source import pair_source
from lrsim.core.optim.registry import RULE_SLOTS, RULES

COMPILE_WORK = 50_000_000
"""Particle-steps from which a command compiles a new pair rather than use the generic kernel."""


_lock = threading.Lock()  # the slow path of kernel_for: run threads, a streamed export's worker
_modules: dict[tuple[int, int], object] = {}
_children: dict[tuple[int, int], subprocess.Popen] = {}  # running (or not yet reaped)
_started: set[tuple[int, int]] = set()  # a child per pair per process, whatever its fate
_failed: set[tuple[int, int]] = set()  # could not be written or imported: the generic kernel


def fusable(surface: int, rule: int) -> bool:
    return 0 <= surface < FORMULA_SURFACE and 0 <= rule < len(RULES)


def _folder() -> Path | None:
    """Where the pairs' modules, numba's cache of them and their markers live: inside the
    cache folder keyed by the core sources' digest (the generated text does not change when
    a rule or a surface does), so it is pruned with it. None: no such folder, no fusing."""
    folder = numba_cache.configured_folder()
    return None if folder is None else folder / "fused"


def _name(surface: int, rule: int) -> str:
    return f"lrsim_fused_s{surface}_r{rule}"


def _marker(folder: Path, surface: int, rule: int) -> Path:
    return folder / f"{_name(surface, rule)}.ready"


def _module(surface: int, rule: int, folder: Path | None = None):
    """The pair's generated module, written (only when missing or different: numba keys its
    cache on the file's time stamp) and imported. OSError when it cannot be written."""
    key = (surface, rule)
    if key in _modules:
        return _modules[key]
    folder = folder or _folder()
    if folder is None:
        raise OSError("no lrsim cache folder for the fused kernels")
    name = _name(surface, rule)
    path = folder / f"{name}.py"
    text = pair_source(surface, rule, RULE_SLOTS[rule])
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        partial = path.with_suffix(f".{os.getpid()}-{threading.get_ident()}.tmp")
        partial.write_text(text)
        os.replace(partial, path)  # two processes may write it at once: each whole
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    _modules[key] = module
    return module


def compile_pair(surface: int, rule: int, parallel: bool = True, folder: Path | None = None):
    """Compile (or load from the cache) the pair's kernels and mark them ready on disk."""
    import numpy as np

    folder = folder or _folder()
    module = _module(surface, rule, folder)
    n = 4
    state = np.zeros((9 + RULE_SLOTS[rule], n))
    frozen = np.full(n, -1, dtype=np.int64)
    curve = np.zeros(2)
    slots = np.full(2, -1, dtype=np.int64)
    out = np.zeros((1, n))
    table = module.constants_table(curve, np.zeros(8), 0, 0)
    args = (np.zeros(0), np.zeros(0), table, state, frozen, curve, curve, np.zeros(0), 0.0, 0, 0)
    args += (0, 0, slots, out, out, out)
    module.advance_range(0, 0, *args)
    if parallel:
        module.advance_parallel(*args)
    try:
        _marker(folder, surface, rule).write_text("compiled\n")
    except OSError:
        pass
    return module


def kernel_for(surface: int, rule: int, particle_steps: int):
    """The pair's fused module if it may run now (see the module docstring), else None."""
    if not fusable(surface, rule):
        return None
    module = _modules.get((surface, rule))
    if module is not None:
        return module
    with _lock:
        return _load_or_start(surface, rule, particle_steps)


def _load_or_start(surface: int, rule: int, particle_steps: int):
    key = (surface, rule)
    if key in _modules:
        return _modules[key]
    folder = _folder()
    if key in _failed or folder is None:
        return None
    if _marker(folder, surface, rule).exists():
        child = _children.pop(key, None)
        if child is not None:
            child.poll()  # reap it
        return _or_fail(key, _module, surface, rule, folder)
    if warmup.compile_in_children():
        if warmup.kernels_ready():  # on a first start the generic kernel's compile goes first
            _start_child(surface, rule)
        return None
    if particle_steps >= COMPILE_WORK and _may_compile_here():
        return _or_fail(key, compile_pair, surface, rule, folder=folder)
    return None


COMPILING_THREADS = ("lrsim-stream",)
"""Threads besides the main one that may compile a pair in-process (a streamed export's
worker). Never a GUI worker thread: a compile there held up, and once dead-locked, the
window's thread (seen in tests/gui/test_background_runs.py)."""


def _may_compile_here() -> bool:
    thread = threading.current_thread()
    return thread is threading.main_thread() or thread.name in COMPILING_THREADS


def _or_fail(key, make, *args, **kwargs):
    """``make(*args)``, or None for good when the pair's module cannot be written or
    imported (an unwritable or odd cache folder): the generic kernel gives the same numbers."""
    try:
        return make(*args, **kwargs)
    except (OSError, ImportError):
        _failed.add(key)
        return None


def _start_child(surface: int, rule: int) -> None:
    key = (surface, rule)
    for other, child in list(_children.items()):  # reap the finished
        if child.poll() is not None:
            del _children[other]
    if key in _started:
        return  # running, done (marker unwritable) or failed: never a second one
    _started.add(key)
    child = warmup.spawn("lrsim.core.fused", str(surface), str(rule))
    if child is not None:
        _children[key] = child


def shutdown() -> None:
    """Stop the pairs' compiling children (the app, at exit)."""
    with _lock:
        for child in _children.values():
            warmup.stop(child)
        _children.clear()


if __name__ == "__main__":
    warmup.lower_priority()
    compile_pair(int(sys.argv[1]), int(sys.argv[2]))
