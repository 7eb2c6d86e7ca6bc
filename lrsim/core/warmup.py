"""The first start on an empty numba cache: NumPy serves while the kernels compile.

Compiling the fused kernel and the surfaces' grid loops takes from a quarter of
a minute to a minute. On a first start nothing is cached yet, so instead of
showing empty axes lrsim runs small simulations with the NumPy reference engine
(``reference_engine``, the twin every kernel is tested against: the same
numbers to ~1e-12) and compiles the kernels in a separate process
(``python -m lrsim.core.warmup``), which fills the cache. A marker file in the
cache folder says the compile finished; from then on (and on every later
start) the kernels run.

A separate process rather than a thread: numba's compiler is Python code that
holds the GIL, which would freeze the window for the length of the compile.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MARKER = "lrsim-kernels-ready"
COMPILING_MESSAGE = "compiling kernels (first start only)"

_ready = False  # once True in a process it stays True
_numpy_while_compiling = False  # the app opts in; commands and tests always use the kernels


def serve_with_numpy_while_compiling(on: bool = True) -> None:
    """Let "auto" engines use NumPy until the kernels are ready (the app, on a first start).

    Off by default: headless commands write CSVs whose bytes must not depend on
    the state of the cache, and tests compare the kernels with NumPy.
    """
    global _numpy_while_compiling
    _numpy_while_compiling = on


def compile_in_children() -> bool:
    """True in the app: a kernel not yet compiled (``fused``) compiles in a child process,
    never in this one, where numba's compiler would hold the GIL and freeze the window."""
    return _numpy_while_compiling


def use_numpy() -> bool:
    """True while an "auto" engine should use the NumPy reference instead of the kernels."""
    return _numpy_while_compiling and not kernels_ready()


def cache_folder() -> Path | None:
    """Where numba writes its cache for this source (None: numba's own default)."""
    folder = os.environ.get("NUMBA_CACHE_DIR")
    if folder:
        return Path(folder)
    import numba

    configured = getattr(numba.config, "CACHE_DIR", "")
    return Path(configured) if configured else None


def kernels_ready() -> bool:
    """True when the kernels are compiled and cached (or numba's JIT is switched off)."""
    global _ready
    if _ready:
        return True
    if os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0"):
        _ready = True
        return True
    folder = cache_folder()
    _ready = folder is not None and (folder / MARKER).exists()
    return _ready


def mark_ready() -> None:
    """Note in the cache folder (and in this process) that the kernels are compiled."""
    global _ready
    _ready = True
    folder = cache_folder()
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / MARKER).write_text("the kernels in this folder are compiled\n")
        except OSError:
            pass  # an unwritable cache: the next start simply compiles again


def compile_kernels() -> None:
    """Compile (and so cache) every kernel a session uses: the engine, the grid of each
    built-in surface and the formula interpreter; then mark the cache ready."""
    import numpy as np

    from lrsim.core.engine import Simulation
    from lrsim.core.runfile import parse_runfile
    from lrsim.core.surfaces import SURFACES

    def runfile(particles: dict):
        return parse_runfile(
            {
                "steps": 2,
                "surface": {"name": "quadratic"},
                "particles": particles,
                "runs": [{"optimizer": {"name": "sgd", "lr": 0.1}}],
            }
        )

    Simulation(runfile({"points": [[1.0, 1.0]]}), engine="kernel").run_to_end()  # serial
    Simulation(runfile({"random": {"n": 4096, "seed": 0}}), engine="kernel").run_to_end()
    axis = np.linspace(-1.0, 1.0, 3)
    for surface in SURFACES.values():
        surface.evaluate_grid(axis, axis, surface.param_vector({}), engine="kernel")
    from lrsim.core.surfaces.formula import formula_surface

    formula = formula_surface("x**2 + y**2", {}, ((-1.0, 1.0), (-1.0, 1.0)))
    formula.evaluate_grid(axis, axis, formula.param_vector({}), engine="kernel")
    mark_ready()


def start_background_compile() -> subprocess.Popen | None:
    """Compile the kernels in a child process (its output discarded); None if that fails."""
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "lrsim.core.warmup"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": _python_path()},
            # below the app's priority: the window stays responsive while it compiles
            preexec_fn=(lambda: os.nice(10)) if hasattr(os, "nice") else None,
        )
    except OSError:
        return None


def _python_path() -> str:
    """This process's lrsim on the child's path, whether installed or run from a clone."""
    here = str(Path(__file__).resolve().parents[2])
    current = os.environ.get("PYTHONPATH", "")
    return here if not current else f"{here}{os.pathsep}{current}"


if __name__ == "__main__":
    import lrsim.core  # noqa: F401 (points numba at lrsim's cache folder)

    compile_kernels()
