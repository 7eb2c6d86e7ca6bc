"""Where numba keeps compiled kernels: a folder keyed by the kernels' own source.

numba checks only the timestamp of the file that holds a cached function, not
of the functions it calls. The engine's kernel calls surfaces, optimizer rules
and helpers in other files, so after an edit or an upgrade it could load stale
machine code. Keying the cache folder by a hash of every core source file (not
only those that import numba: kernels inline helpers from modules that never
mention it) makes any change start a fresh cache; folders unused a week are pruned.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

CORE = Path(__file__).resolve().parent
STALE_AFTER_SECONDS = 7 * 24 * 3600


def kernel_sources_digest() -> str:
    """A short hash of every core source file.

    All of them, not only those that import numba: kernels inline constants and
    helpers from modules that never mention it. A recompile after an edit costs
    a minute; stale machine code would cost wrong numbers.
    """
    digest = hashlib.sha256()
    for path in sorted(CORE.rglob("*.py")):
        digest.update(path.relative_to(CORE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lrsim" / "numba"


def configure() -> None:
    """Point numba's cache at the folder for this source (unless NUMBA_CACHE_DIR is set)."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    import numba

    root = cache_root()
    folder = root / kernel_sources_digest()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.utime(folder)
        cutoff = time.time() - STALE_AFTER_SECONDS
        for other in root.iterdir():
            if other != folder and other.is_dir() and other.stat().st_mtime < cutoff:
                shutil.rmtree(other, ignore_errors=True)
    except OSError:
        return  # unwritable home: numba's own default location still works
    numba.config.CACHE_DIR = str(folder)
