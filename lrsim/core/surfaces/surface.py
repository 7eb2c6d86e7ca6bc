"""A surface's record: formula kernel, NumPy twin, parameters, domain and critical points.

``Surface`` is what the registry (``registry.SURFACES``) holds and what typed
formulas (``formula.py``) build; critical points are labelled here, cached per
parameter vector, so importing this module does no work.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from lrsim.core.errors import ConfigError
from lrsim.core.params import ParamSpec, resolve_params
from lrsim.core.surfaces import critical_points as points
from lrsim.core.surfaces import kernels

POINT_KINDS = ("global_min", "local_min", "saddle", "max")


@dataclass(frozen=True)
class CriticalPoint:
    """A point where the gradient vanishes, its loss and its kind (one of ``POINT_KINDS``)."""

    x: float
    y: float
    value: float
    kind: str


@dataclass(frozen=True)
class Surface:
    """One built-in surface; ``params`` order is the order of the kernel's ``p`` array.

    ``log_scale`` says the values span orders of magnitude, so a contour view
    should colour by log(f - min f). ``find_points(p)`` returns the unlabelled
    critical points (x, y, "min" | "saddle" | "max"); ``positive`` names the
    parameters that must be > 0 for the formula (and the point search) to make sense.
    """

    name: str
    title: str
    description: str
    params: tuple[ParamSpec, ...]
    domain: tuple[tuple[float, float], tuple[float, float]]
    value_grad: Callable
    reference: Callable
    log_scale: bool = False
    find_points: points.Finder | None = None
    positive: tuple[str, ...] = ()

    def param_vector(self, overrides: Mapping[str, float] | None = None) -> np.ndarray:
        """The kernel's ``p``: float64 in ``params`` order, defaults filled, values checked."""
        resolved = resolve_params(self.params, overrides or {})
        for name in self.positive:
            if not resolved[name] > 0.0:
                raise ConfigError(name, f"must be positive, got {resolved[name]!r}")
        return np.array([resolved[spec.name] for spec in self.params], dtype=np.float64)

    def critical_points(self, p: np.ndarray) -> tuple[CriticalPoint, ...]:
        """Known minima, saddles and maxima for parameters ``p``: global minima first.

        Cached per parameter vector, so views may ask on every redraw.
        """
        key = tuple(float(v) for v in np.asarray(p, dtype=np.float64).ravel())
        if len(key) != len(self.params):
            raise ConfigError("params", f"expected {len(self.params)} values, got {len(key)}")
        if self.find_points is None:
            return ()
        return _labelled_points(self.reference, self.find_points, key)

    def evaluate_grid(
        self, xs: np.ndarray, ys: np.ndarray, p: np.ndarray, engine: str = "auto"
    ) -> np.ndarray:
        """f on ``np.meshgrid(xs, ys)``, shape (len(ys), len(xs)), for the contour views.

        Computed by the kernel itself (a compiled loop, several times faster than
        the NumPy reference), so the views show the very numbers the engine uses;
        by the NumPy reference while the app's kernels compile on a first start
        (``engine="auto"``, see ``lrsim.core.warmup``) or with ``engine="reference"``.
        """
        from lrsim.core.warmup import use_numpy

        if engine == "reference" or (engine == "auto" and use_numpy()):
            grid_x, grid_y = np.meshgrid(np.asarray(xs, np.float64), np.asarray(ys, np.float64))
            with np.errstate(all="ignore"):
                values = self.reference(grid_x.ravel(), grid_y.ravel(), np.asarray(p, np.float64))
            return np.asarray(values[0], dtype=np.float64).reshape(grid_x.shape)
        return kernels.evaluate_grid(self.value_grad, xs, ys, p)


@lru_cache(maxsize=256)
def _labelled_points(ref, find_points, key: tuple[float, ...]) -> tuple[CriticalPoint, ...]:
    """Values and kinds for ``find_points``'s points; the lowest minima are the global ones."""
    p = np.array(key, dtype=np.float64)
    found = find_points(p)
    xs = np.array([point[0] for point in found], np.float64)
    ys = np.array([point[1] for point in found], np.float64)
    with np.errstate(all="ignore"):  # Ackley's gradient at its minimum is 0/0
        values = np.broadcast_to(ref(xs, ys, p)[0], xs.shape)
    lowest = min((v for v, pt in zip(values, found, strict=True) if pt[2] == "min"), default=0.0)
    tie = 1e-9 * max(1.0, abs(lowest))
    labelled = []
    for (x, y, category), value in zip(found, values, strict=True):
        kind = category
        if category == "min":
            kind = "global_min" if value <= lowest + tie else "local_min"
        labelled.append(CriticalPoint(float(x), float(y), float(value), kind))
    labelled.sort(key=lambda pt: (POINT_KINDS.index(pt.kind), pt.value, pt.x, pt.y))
    return tuple(labelled)
