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
_app = False  # set once by the app: new fused pairs compile in child processes only


def serve_with_numpy_while_compiling(on: bool = True) -> None:
    """Let "auto" engines use NumPy until the kernels are ready (the app, on a first start).

    Off by default: headless commands write CSVs whose bytes must not depend on
    the state of the cache, and tests compare the kernels with NumPy.
    """
    global _numpy_while_compiling
    _numpy_while_compiling = on


def this_is_the_app() -> None:
    """Called once by the app: from now on ``compile_in_children()`` is True.

    Apart from ``serve_with_numpy_while_compiling``, which a failed first-start
    compile switches off: that must not make the app compile fused pairs itself.
    """
    global _app
    _app = True


def compile_in_children() -> bool:
    """True in the app: a kernel not yet compiled (``fused``) compiles in a child process,
    never in this one, where numba's compiler would hold the GIL and freeze the window."""
    return _app


def use_numpy() -> bool:
    """True while an "auto" engine should use the NumPy reference instead of the kernels."""
    return _numpy_while_compiling and not kernels_ready()


def cache_folder() -> Path | None:
    """Where numba writes its cache for this source (None: numba's own default)."""
    import numba

    import lrsim.core.jit  # noqa: F401 (configures the folder, whoever imported numba first)

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
    return spawn("lrsim.core.warmup")


def spawn(module: str, *args: str) -> subprocess.Popen | None:
    """``python -m module args`` in a child, its output discarded; None if it cannot start.

    The child lowers its own priority (``lower_priority``) so the window stays
    responsive: no ``preexec_fn``, which is unsafe in a process with threads.
    """
    try:
        return subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": _python_path()},
        )
    except OSError:
        return None


def lower_priority() -> None:
    """In a compiling child: run below the app's priority."""
    if hasattr(os, "nice"):
        try:
            os.nice(10)
        except OSError:
            pass


def stop(process: subprocess.Popen) -> None:
    """Terminate a child if it still runs, and reap it (at the app's exit)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _python_path() -> str:
    """This process's lrsim on the child's path, whether installed or run from a clone."""
    here = str(Path(__file__).resolve().parents[2])
    current = os.environ.get("PYTHONPATH", "")
    return here if not current else f"{here}{os.pathsep}{current}"


if __name__ == "__main__":
    lower_priority()
    compile_kernels()
