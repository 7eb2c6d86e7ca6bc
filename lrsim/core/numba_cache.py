"""Where numba keeps compiled kernels: a folder keyed by the kernels' own source.

numba checks only the timestamp of the file that holds a cached function, not
of the functions it calls. The engine's kernel calls surfaces, optimizer rules
and helpers in other files, so after an edit or an upgrade it could load stale
machine code. Keying the cache folder by a hash of every core source file (not
only those that import numba: kernels inline helpers from modules that never
mention it) makes any change start a fresh cache, under ``NUMBA_CACHE_DIR`` too
when the user sets it; folders of other sources unused a week are pruned.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from pathlib import Path

CORE = Path(__file__).resolve().parent
STALE_AFTER_SECONDS = 7 * 24 * 3600
_OURS = re.compile(r"(fused-)?[0-9a-f]{16}")  # a digest folder (or an older fused-<digest>)

_configured: Path | None = None


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
    """The folder that holds one cache folder per source: ``NUMBA_CACHE_DIR`` when set."""
    configured = os.environ.get("NUMBA_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lrsim" / "numba"


def configured_folder() -> Path | None:
    """The source-keyed folder ``configure`` pointed numba at (None: it could not)."""
    return _configured


def configure() -> None:
    """Point numba's cache at ``cache_root()/<digest>``; prune our folders unused a week.

    Only folders named like a digest are pruned: a user's ``NUMBA_CACHE_DIR`` may
    hold other programs' caches.
    """
    global _configured
    # no vector maths library (read when numba is first imported): with one (conda's SVML)
    # LLVM may vectorise a loop of pow into other last digits than the generic kernel's
    # scalar calls. PyPI's llvmlite has none; this keeps a conda install the same
    os.environ.setdefault("NUMBA_DISABLE_INTEL_SVML", "1")
    import numba

    root = cache_root()
    folder = root / kernel_sources_digest()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.utime(folder)
    except OSError:
        return  # unwritable: numba's own default location still works (nothing is fused)
    numba.config.CACHE_DIR = str(folder)
    _configured = folder
    _prune(root, folder)


def _prune(root: Path, keep: Path) -> None:
    cutoff = time.time() - STALE_AFTER_SECONDS
    try:
        for other in root.iterdir():
            if other == keep or not _OURS.fullmatch(other.name) or not other.is_dir():
                continue
            if other.stat().st_mtime < cutoff:
                shutil.rmtree(other, ignore_errors=True)
    except OSError:
        pass  # a folder another process pruned first, or an unreadable root: keep going
