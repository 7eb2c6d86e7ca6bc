"""The built-in surfaces of the run-file contract, one ``Surface`` each (REFERENCE.md section 3).

Adding a built-in surface: its compiled kernel in ``kernels.py``, its NumPy twin in
``reference.py`` and one ``_surface(...)`` entry here (with a point finder in
``critical_points.py`` if it has no closed form); the engine's dispatch, the docs
generator and the GUI's lists all read ``registry.SURFACES``.
"""

from __future__ import annotations

import math

from lrsim.core.params import ParamSpec
from lrsim.core.surfaces import critical_points as points
from lrsim.core.surfaces import kernels, reference
from lrsim.core.surfaces.surface import Surface


def _spec(name: str, default: float, doc: str) -> ParamSpec:
    return ParamSpec(name, "float", default, doc)


def _surface(name, title, description, kernel, ref, domain, finder, params=(), **extra):
    return Surface(
        name=name,
        title=title,
        description=description,
        params=tuple(params),
        domain=domain,
        value_grad=kernel,
        reference=ref,
        find_points=finder,
        **extra,
    )


def _square(half: float) -> tuple[tuple[float, float], tuple[float, float]]:
    return ((-half, half), (-half, half))


RASTRIGIN_DOMAIN = ((-5.12, 5.12), (-5.12, 5.12))
_ST_1D = ((-2.903534, "min"), (0.156731, "max"), (2.746803, "min"))  # per-coordinate points

_BOWL = (
    _spec("a", 1.0, "Curvature along x (a Hessian eigenvalue): GD is stable for lr < 2/a."),
    _spec("b", 1.0, "Curvature along y (a Hessian eigenvalue): GD is stable for lr < 2/b."),
)

BUILT_INS = (
    _surface(
        "quadratic",
        "Quadratic bowl",
        "The simplest bowl, 0.5 (a x^2 + b y^2): each step of gradient descent multiplies a "
        "coordinate by (1 - lr * curvature), so it converges for lr < 2 / max(a, b) and "
        "zig-zags once lr passes 1 / max(a, b).",
        kernels.quadratic,
        reference.quadratic,
        _square(5.0),
        points.quadratic_points,
        _BOWL,
    ),
    _surface(
        "ill_conditioned",
        "Ill-conditioned bowl",
        "A bowl twenty times steeper in y than in x: the learning rate the steep direction "
        "allows makes progress along the shallow one crawl, the classic case for momentum "
        "and adaptive methods.",
        kernels.quadratic,
        reference.quadratic,
        _square(5.0),
        points.quadratic_points,
        (_BOWL[0], _spec("b", 20.0, _BOWL[1].doc)),
    ),
    _surface(
        "saddle",
        "Saddle",
        "a x^2 - b y^2 curves up along x and down along y: gradient descent slides in along x "
        "and escapes along y at a geometric rate, unless it starts exactly on the x axis.",
        kernels.saddle,
        reference.saddle,
        _square(2.0),
        points.saddle_points,
        (
            _spec("a", 1.0, "Upward curvature along x: f = a x^2 - b y^2 (Hessian eigenvalue 2a)."),
            _spec("b", 1.0, "Downward curvature along y (Hessian eigenvalue -2b)."),
        ),
    ),
    _surface(
        "rosenbrock",
        "Rosenbrock",
        "A long, curved, narrow valley along y = x^2: reaching the valley is easy, following "
        "it to the minimum at (a, a^2) is slow, because its floor is 2500 times flatter than "
        "its walls.",
        kernels.rosenbrock,
        reference.rosenbrock,
        ((-2.0, 2.0), (-1.0, 3.0)),
        points.rosenbrock_points,
        (
            _spec("a", 1.0, "Position of the minimum (a, a^2)."),
            _spec("b", 100.0, "Steepness of the valley walls: f = (a - x)^2 + b (y - x^2)^2."),
        ),
        log_scale=True,
    ),
    _surface(
        "himmelblau",
        "Himmelblau",
        "Four minima of equal depth around a central maximum, separated by saddles: which "
        "one an optimizer reaches depends on where it starts and how large its steps are.",
        kernels.himmelblau,
        reference.himmelblau,
        _square(5.0),
        points.seeded(
            reference.himmelblau,
            [
                (3.0, 2.0, "min"),
                (-2.805118, 3.131313, "min"),
                (-3.779310, -3.283186, "min"),
                (3.584428, -1.848127, "min"),
                (-0.270845, -0.923039, "max"),
                (0.086678, 2.884255, "saddle"),
                (-3.073026, -0.081353, "saddle"),
                (3.385154, 0.073852, "saddle"),
                (-0.127961, -1.953715, "saddle"),
            ],
        ),
        log_scale=True,
    ),
    _surface(
        "rastrigin",
        "Rastrigin",
        "A bowl covered in an egg-box of local minima near every integer point: gradient "
        "descent stops in the nearest dimple unless a large step or noise shakes it out.",
        kernels.rastrigin,
        reference.rastrigin,
        RASTRIGIN_DOMAIN,
        points.half_lattice(reference.rastrigin, RASTRIGIN_DOMAIN),
        (_spec("A", 10.0, "Depth of the ripples: f = 2A + sum(x_i^2 - A cos 2 pi x_i)."),),
    ),
    _surface(
        "ackley",
        "Ackley",
        "A rippled, nearly flat plain around one sharp funnel at the origin: small steps get "
        "caught in the ripples, and the bottom of the funnel is not differentiable.",
        kernels.ackley,
        reference.ackley,
        _square(5.0),
        points.ackley_points,
        (
            _spec("a", 20.0, "Depth of the central funnel."),
            _spec("b", 0.2, "How fast the funnel narrows: f contains -a exp(-b r)."),
            _spec("c", 2.0 * math.pi, "Ripple frequency: 2 pi puts a ripple at every integer."),
        ),
        positive=("a", "b", "c"),
    ),
    _surface(
        "beale",
        "Beale",
        "Flat plateaus and steep ridges around a narrow minimum at (3, 0.5): the gradient "
        "changes by orders of magnitude, so no fixed learning rate suits the whole path.",
        kernels.beale,
        reference.beale,
        _square(4.5),
        points.seeded(reference.beale, [(3.0, 0.5, "min"), (0.0, 1.0, "saddle")]),
        log_scale=True,
    ),
    _surface(
        "booth",
        "Booth",
        "A tilted quadratic bowl with its minimum at (1, 3) and condition number 9.",
        kernels.booth,
        reference.booth,
        _square(10.0),
        points.seeded(reference.booth, [(1.0, 3.0, "min")]),
    ),
    _surface(
        "matyas",
        "Matyas",
        "A quadratic bowl that is nearly flat along the diagonal x = y (curvatures 0.04 and 1): "
        "gradient descent drops to the diagonal quickly and then crawls along it.",
        kernels.matyas,
        reference.matyas,
        _square(10.0),
        points.seeded(reference.matyas, [(0.0, 0.0, "min")]),
    ),
    _surface(
        "goldstein_price",
        "Goldstein-Price",
        "Values from 3 to about a million: a global minimum at (0, -1), three local minima "
        "and steep walls that need a small or adaptive learning rate.",
        kernels.goldstein_price,
        reference.goldstein_price,
        _square(2.0),
        points.seeded(
            reference.goldstein_price,
            [(0.0, -1.0, "min"), (-0.6, -0.4, "min"), (1.8, 0.2, "min"), (1.2, 0.8, "min")],
        ),
        log_scale=True,
    ),
    _surface(
        "three_hump_camel",
        "Three-hump camel",
        "A global minimum at the origin between two shallower local minima, each behind a "
        "saddle: three humps in one valley.",
        kernels.three_hump_camel,
        reference.three_hump_camel,
        _square(5.0),
        points.seeded(
            reference.three_hump_camel,
            [
                (0.0, 0.0, "min"),
                (1.747552, -0.873776, "min"),
                (-1.747552, 0.873776, "min"),
                (1.070542, -0.535271, "saddle"),
                (-1.070542, 0.535271, "saddle"),
            ],
        ),
        log_scale=True,
    ),
    _surface(
        "six_hump_camel",
        "Six-hump camel",
        "Two mirror-image global minima, four shallower local minima and a saddle at the "
        "origin between the two best ones.",
        kernels.six_hump_camel,
        reference.six_hump_camel,
        ((-3.0, 3.0), (-2.0, 2.0)),
        points.seeded(
            reference.six_hump_camel,
            [
                (0.089842, -0.712656, "min"),
                (-0.089842, 0.712656, "min"),
                (1.703607, -0.796084, "min"),
                (-1.703607, 0.796084, "min"),
                (1.607105, 0.568651, "min"),
                (-1.607105, -0.568651, "min"),
                (0.0, 0.0, "saddle"),
            ],
        ),
        log_scale=True,
    ),
    _surface(
        "styblinski_tang",
        "Styblinski-Tang",
        "A separable quartic with four minima of different depth, the deepest at "
        "(-2.90, -2.90): a start on the wrong side of the central maximum ends in a "
        "shallower one.",
        kernels.styblinski_tang,
        reference.styblinski_tang,
        _square(5.0),
        points.seeded(
            reference.styblinski_tang,
            [(u, v, ku if ku == kv else "saddle") for u, ku in _ST_1D for v, kv in _ST_1D],
        ),
    ),
    _surface(
        "levi13",
        "Levi N.13",
        "A parabolic valley with ripples in both directions: many local minima around the "
        "global one at (1, 1), the nearest only about 0.1 higher.",
        kernels.levi13,
        reference.levi13,
        _square(10.0),
        points.seeded(
            reference.levi13,
            [
                (1.0, 1.0, "min"),
                (0.670381, 1.0, "min"),
                (1.329619, 1.0, "min"),
                (0.671666, 1.266107, "min"),
                (0.671666, 0.733893, "min"),
                (1.328334, 1.266107, "min"),
                (1.328334, 0.733893, "min"),
            ],
        ),
    ),
    _surface(
        "easom",
        "Easom",
        "One narrow hole at (pi, pi) in an almost perfectly flat plain: a few units away the "
        "gradient is effectively zero, so optimizers started there barely move.",
        kernels.easom,
        reference.easom,
        _square(100.0),
        points.seeded(reference.easom, [(math.pi, math.pi, "min")]),
    ),
    _surface(
        "two_basin",
        "Two basins",
        "A wide, deep bowl at the origin beside a narrow, shallow well: a constant learning "
        "rate that is stable in the well keeps a particle there, a high rate that decays "
        "throws it out and lets it settle in the bowl.",
        kernels.two_basin,
        reference.two_basin,
        ((-2.0, 4.0), (-2.0, 4.0)),
        points.two_basin_points,
        (
            _spec("c", 0.1, "Curvature of the wide bowl: f contains c (x^2 + y^2)."),
            _spec("A", 0.6, "Depth of the narrow Gaussian well."),
            _spec("s", 0.35, "Width of the well (the Gaussian's standard deviation)."),
            _spec("x0", 2.0, "x of the well's centre."),
            _spec("y0", 2.0, "y of the well's centre."),
        ),
        positive=("c", "s"),
    ),
)
