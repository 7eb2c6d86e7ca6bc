"""The core imports no Qt, and its numba cache follows the kernels' source."""

from __future__ import annotations

import subprocess
import sys

from lrsim.core import numba_cache


def test_core_imports_without_qt():
    code = (
        "import sys; import lrsim.core.engine, lrsim.core.export, lrsim.core.stats, lrsim.cli;"
        "import lrsim.core.surfaces.formula;"
        "print([m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cache_folder_changes_when_a_kernel_source_changes(tmp_path, monkeypatch):
    core = tmp_path / "core"
    core.mkdir()
    (core / "kernel.py").write_text("from numba import njit\n")
    (core / "plain.py").write_text("x = 1\n")
    monkeypatch.setattr(numba_cache, "CORE", core)
    before = numba_cache.kernel_sources_digest()
    (core / "plain.py").write_text("x = 2\n")  # a constant a kernel may inline
    after_plain = numba_cache.kernel_sources_digest()
    assert after_plain != before
    (core / "kernel.py").write_text("from numba import njit\n# changed\n")
    after_kernel = numba_cache.kernel_sources_digest()
    assert after_kernel not in (before, after_plain)
    (core / "notes.txt").write_text("not source")
    assert numba_cache.kernel_sources_digest() == after_kernel


def test_commands_load_and_write_curves_without_qt(tmp_path):
    """Every command module imports without Qt, and `lrsim schedules -o curves.csv` runs
    without it: the families and their Curve record live in the core."""
    out_csv = tmp_path / "curves.csv"
    code = (
        "import sys, pkgutil, importlib, lrsim.commands as c;"
        "names = [m.name for m in pkgutil.iter_modules(c.__path__)];"
        "[importlib.import_module('lrsim.commands.' + name) for name in names];"
        "from lrsim.cli import main;"
        f"code = main(['schedules', '-o', {str(out_csv)!r}, '-q']);"
        "gui = ('PySide6', 'pyqtgraph', 'lrsim.gui');"
        "print(code, [m for m in sys.modules if m.startswith(gui)])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0 []"
    assert out_csv.read_text().startswith("step,")


def test_help_and_parsing_import_no_numba():
    """`lrsim --help` and parsing a run file neither import numba nor hash the core's
    sources: the numba cache is set up where the kernels live (``lrsim.core.jit``)."""
    code = (
        "import sys, contextlib, io;"
        "from lrsim.cli import main;"
        "out = io.StringIO();"
        "stop = contextlib.redirect_stdout(out);"
        "stop.__enter__();"
        "code = None;\n"
        "try:\n    code = main(['--help'])\nexcept SystemExit as e:\n    code = e.code\n"
        "stop.__exit__(None, None, None);"
        "import lrsim.core.runfile, lrsim.core.schedules;"
        "print(code, 'numba' in sys.modules, 'lrsim.core.jit' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0 False False"
