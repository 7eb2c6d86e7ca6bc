"""Fused per-pair kernels, compiled lazily: the pairs actually used, never all 15 x 17.

``kernel_for(surface, rule, particle_steps)`` gives the module of the fused kernel of
one (surface, optimizer rule) pair (``fused_source``), or None, in which case the
engine runs the generic kernel, which gives the same numbers bit for bit; so the
choice never changes a CSV, only the speed. A pair is used when

- it is already compiled in this process, or its cache is marked ready on disk
  (a marker file beside numba's cache files, written after the first compile);
- else, if compiling in this process is allowed (commands, tests, the benchmark)
  and the work is big enough (``COMPILE_WORK`` particle-steps) to repay a compile
  of a few seconds, it compiles now;
- else, in the app (``warmup.compile_in_children()``), a child process compiles and
  marks it (numba's compiler holds the GIL: a thread would freeze the window), and
  the generic kernel serves until the marker appears.

Not fused (the generic kernel runs them): formula surfaces (the interpreter), turned
surfaces, per-particle (plateau) learning rates, per-coordinate lr scales, L-BFGS.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from lrsim.core.dispatch import FORMULA_SURFACE
from lrsim.core.fused_source import pair_source
from lrsim.core.optim.registry import RULE_SLOTS, RULES

COMPILE_WORK = 50_000_000
"""Particle-steps from which a command compiles a new pair rather than use the generic kernel."""


_modules: dict[tuple[int, int], object] = {}
_children: dict[tuple[int, int], subprocess.Popen] = {}
_digest: str | None = None


def fusable(surface: int, rule: int) -> bool:
    return 0 <= surface < FORMULA_SURFACE and 0 <= rule < len(RULES)


def _folder() -> Path:
    """Where the pairs' modules, numba's cache of them and their markers live.

    A sub-folder keyed by the core sources' digest: the generated text does not change
    when a rule or a surface does, and numba checks only the module file's time stamp, so
    a folder shared across versions (``NUMBA_CACHE_DIR``) could load stale machine code.
    """
    from lrsim.core.numba_cache import kernel_sources_digest
    from lrsim.core.warmup import cache_folder

    global _digest
    if _digest is None:
        _digest = kernel_sources_digest()
    folder = cache_folder()
    if folder is None:  # no cache folder configured: a temporary one per user
        folder = Path(tempfile.gettempdir()) / f"lrsim-fused-{os.getuid()}"
    return folder / f"fused-{_digest}"


def _name(surface: int, rule: int) -> str:
    return f"lrsim_fused_s{surface}_r{rule}"


def _marker(surface: int, rule: int) -> Path:
    return _folder() / f"{_name(surface, rule)}.ready"


def _module(surface: int, rule: int):
    """The pair's generated module, written (only when missing or different: numba keys its
    cache on the file's time stamp) and imported."""
    key = (surface, rule)
    if key in _modules:
        return _modules[key]
    name = _name(surface, rule)
    path = _folder() / f"{name}.py"
    text = pair_source(surface, rule, RULE_SLOTS[rule])
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(text)
        os.replace(partial, path)  # two processes may write it at once: each whole
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    _modules[key] = module
    return module


def compile_pair(surface: int, rule: int, parallel: bool = True) -> object:
    """Compile (or load from the cache) the pair's kernels and mark them ready on disk."""
    import numpy as np

    module = _module(surface, rule)
    n = 4
    state = np.zeros((9 + RULE_SLOTS[rule], n))
    frozen = np.full(n, -1, dtype=np.int64)
    curve = np.zeros(2)
    slots = np.full(2, -1, dtype=np.int64)
    out = np.zeros((1, n))
    args = (np.zeros(0), np.zeros(0), state, frozen, curve, curve, np.zeros(0), 0.0, 0, 0)
    args += (0, 0, slots, out, out, out)
    module.advance_range(0, 0, *args)
    if parallel:
        module.advance_parallel(*args)
    try:
        _marker(surface, rule).write_text("compiled\n")
    except OSError:
        pass
    return module


def kernel_for(surface: int, rule: int, particle_steps: int):
    """The pair's fused module if it may run now (see the module docstring), else None."""
    if not fusable(surface, rule):
        return None
    key = (surface, rule)
    if key in _modules:
        return _modules[key]
    if _marker(surface, rule).exists():
        return _module(surface, rule)
    from lrsim.core.warmup import compile_in_children, kernels_ready

    if compile_in_children():
        if kernels_ready():  # on a first start the generic kernel's compile goes first
            _start_child(surface, rule)
        return None
    if particle_steps >= COMPILE_WORK:
        return compile_pair(surface, rule)
    return None


def _start_child(surface: int, rule: int) -> None:
    key = (surface, rule)
    child = _children.get(key)
    if child is not None and child.poll() is None:
        return
    if child is not None and child.returncode != 0:
        return  # it failed once: the generic kernel serves this pair
    from lrsim.core.warmup import _python_path

    try:
        _children[key] = subprocess.Popen(
            [sys.executable, "-m", "lrsim.core.fused", str(surface), str(rule)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": _python_path()},
            preexec_fn=(lambda: os.nice(10)) if hasattr(os, "nice") else None,
        )
    except OSError:
        pass


if __name__ == "__main__":
    compile_pair(int(sys.argv[1]), int(sys.argv[2]))
