"""Where the shipped resources (presets, icons) live, for a source tree or an install.

``resources/`` sits at the repository root next to the ``lrsim`` package. An
editable install (``pip install -e .``) imports ``lrsim`` from the source tree,
so the folder is found beside it; ``LRSIM_RESOURCES`` overrides the search and a
non-editable install may ship the folder under ``<prefix>/share/lrsim``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import lrsim

DEFAULT_PRESET = "fixed-vs-decay.toml"


def _candidates() -> list[Path]:
    found = []
    override = os.environ.get("LRSIM_RESOURCES")
    if override:
        found.append(Path(override))
    package = Path(lrsim.__file__).resolve().parent
    found += [
        package.parent / "resources",  # source tree / editable install
        package / "resources",  # shipped inside the package
        Path(sys.prefix) / "share" / "lrsim" / "resources",  # data files of a wheel
    ]
    return found


def resources_dir() -> Path | None:
    """The first resources folder that holds presets, or None."""
    for folder in _candidates():
        if (folder / "presets").is_dir():
            return folder
    return None


def list_presets() -> list[Path]:
    """Every ``presets/*.toml``, sorted by file name (empty when none are found)."""
    folder = resources_dir()
    return sorted((folder / "presets").glob("*.toml")) if folder is not None else []


def default_preset() -> Path | None:
    """The lecture preset the app opens the first time it starts."""
    for path in list_presets():
        if path.name == DEFAULT_PRESET:
            return path
    return None
