"""The built-in loss surfaces: formula, exact gradient, domain and known critical points.

Each ``Surface`` pairs a compiled kernel (``surfaces.kernels``, what the engine
runs and the views draw) with its NumPy twin (``surfaces.reference``, what the
kernels are tested against and the critical-point search differentiates),
declares its parameters with REFERENCE.md's names so a run file can override
them, and lists its minima, saddles and maxima for the parameters in use.

Critical points (``surfaces.critical_points``) come from closed forms where they exist
(quadratic, saddle, Rosenbrock) and otherwise from Newton's method on the
exact gradient, started from REFERENCE.md's 6-decimal coordinates or, for
Rastrigin and two_basin, from starts derived from the formula. They are
computed on first request and cached, so importing this module does no work.
"""

from __future__ import annotations

from lrsim.core.errors import ConfigError
from lrsim.core.surfaces.builtins import BUILT_INS, RASTRIGIN_DOMAIN  # noqa: F401 (re-exported)
from lrsim.core.surfaces.surface import POINT_KINDS, CriticalPoint, Surface  # noqa: F401

SURFACES: dict[str, Surface] = {surface.name: surface for surface in BUILT_INS}
"""Every built-in surface of the run-file contract, by name."""


def get_surface(name: str) -> Surface:
    """The built-in surface called ``name``; ConfigError naming the field ``name`` if unknown."""
    try:
        return SURFACES[name]
    except (KeyError, TypeError):
        expected = ", ".join(SURFACES)
        raise ConfigError(
            "name", f"unknown surface {name!r} (expected one of: {expected})"
        ) from None
