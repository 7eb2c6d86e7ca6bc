"""Formula surfaces: the whitelist parser, the compiled interpreter and its NumPy twin, minima.

Checks: Python's precedence; errors as FormulaError with the right position;
nothing that could execute code gets through (and eval/exec/compile are never
called); the kernel's exact gradient against central differences and against
the NumPy evaluator; limits that keep parsing linear and bounded; minima; and
hypothesis fuzzing (random text, random token soup, random valid trees).
"""

from __future__ import annotations

import builtins
import math
import re
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numba import config, njit

from lrsim.core.errors import ConfigError
from lrsim.core.surfaces.formula import (
    DEFAULT_DOMAIN,
    FormulaError,
    check_formula,
    evaluate_program,
    find_minima,
    format_expr,
    formula_surface,
    formula_value_grad,
    parse_formula,
)
from lrsim.core.surfaces.formula_kernel import formula_grad_loop
from lrsim.core.surfaces.formula_parser import MAX_FORMULA_CHARS, MAX_NESTING
from lrsim.core.surfaces.formula_program import (
    MAX_PROGRAM,
    MAX_STACK,
    compile_program,
    decode_program,
)
from lrsim.core.surfaces.formula_tree import Binary, Num, Unary

COMPILED = pytest.mark.skipif(
    config.DISABLE_JIT, reason="plain Python raises where compiled code gives inf/nan"
)
FUZZ = settings(
    max_examples=150, deadline=1000, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def program(text: str, **params: float) -> np.ndarray:
    return compile_program(parse_formula(text, params), params)


def kernel_at(prog: np.ndarray, xs, ys) -> np.ndarray:
    """The compiled kernel at each point: array (3, n)."""
    return np.array(
        [formula_value_grad(float(x), float(y), prog) for x, y in zip(xs, ys, strict=True)]
    ).T


def numpy_at(prog: np.ndarray, xs, ys) -> np.ndarray:
    return np.array(evaluate_program(prog, np.asarray(xs), np.asarray(ys)))


@pytest.fixture(scope="module", autouse=True)
def _compiled():
    """Load (or compile) the kernel once, outside the timed hypothesis examples."""
    formula_value_grad(0.0, 0.0, program("x"))


# ----------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "x", "y", "expected"),
    [
        ("-x**2", 3.0, 0.0, -9.0),
        ("-2**2", 0.0, 0.0, -4.0),
        ("2**3**2", 0.0, 0.0, 512.0),
        ("2**-1", 0.0, 0.0, 0.5),
        ("2**-x**2", 1.0, 0.0, 0.5),
        ("(-x)**2", 3.0, 0.0, 9.0),
        ("x - y - 1", 5.0, 2.0, 2.0),
        ("x / y / 2", 8.0, 2.0, 2.0),
        ("x - -y", 1.0, 2.0, 3.0),
        ("--x", 4.0, 0.0, 4.0),
        ("+x * -y", 2.0, 3.0, -6.0),
        ("2*x + 3*y**2", 1.0, 2.0, 14.0),
        ("1e-3 + 2.5 + .5 + 1. + 1E+2", 0.0, 0.0, 104.001),
        ("2*pi + e", 0.0, 0.0, 2 * math.pi + math.e),
        ("min(x, y) + max(x, y)", 1.0, 5.0, 6.0),
        ("sin(x)**2 + cos(x)**2", 0.7, 0.0, 1.0),
        ("  x\t+\ny  ", 1.0, 2.0, 3.0),
    ],
)
def test_precedence_and_values_follow_python(text, x, y, expected):
    value = formula_value_grad(x, y, program(text))[0]
    assert value == pytest.approx(expected, rel=1e-15)


def test_tree_shape_of_unary_minus_and_power():
    expr = parse_formula("-x**2")
    assert isinstance(expr, Unary) and isinstance(expr.operand, Binary)
    assert expr.operand.op == "**"
    power = parse_formula("2**3**2")
    assert isinstance(power, Binary) and isinstance(power.left, Num)
    assert isinstance(power.right, Binary) and power.right.op == "**"


@pytest.mark.parametrize(
    "text",
    ["x**2 + 10*y**2", "-x**2", "(-x)**2", "(x**y)**2", "x - (y - x)", "a*x/(b*y)",
     "2**-x**2", "min(x, -y) * max(-(x + y), 1e-3)", "--x", "x ** -y ** 2"],
)  # fmt: skip
def test_format_expr_round_trips(text):
    expr = parse_formula(text, ["a", "b"])
    canonical = format_expr(expr)
    assert format_expr(parse_formula(canonical, ["a", "b"])) == canonical
    prog, again = program(text, a=2.0, b=3.0), program(canonical, a=2.0, b=3.0)
    np.testing.assert_array_equal(prog, again)


def test_parameters_are_substituted_and_unused_ones_are_fine():
    prog = program("a*x + b", a=2.0, b=3.0, unused=7.0)
    assert formula_value_grad(5.0, 0.0, prog) == (13.0, 2.0, 0.0)


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("x**2 + z", 7, "unknown name 'z' at column 8"),
        ("x^2", 1, "write '**'"),
        ("sinn(x)", 0, "did you mean 'sin'"),
        ("sin x", 0, "needs its argument in parentheses"),
        ("sin(x, y)", 0, "sin() takes 1 argument, got 2"),
        ("min(x)", 0, "min() takes 2 arguments, got 1"),
        ("x(2)", 0, "'x' is not a function"),
        ("(x + 1", 0, "'(' is never closed"),
        ("x + 1)", 5, "unmatched ')'"),
        ("x y", 2, "missing operator before 'y'"),
        ("2x", 1, "write 2*x"),
        ("1e", 0, "malformed number"),
        ("1.2.3", 0, "malformed number '1.2.3'"),
        ("x +", 3, "formula ends too early"),
        ("", 0, "formula is empty"),
        ("   ", 0, "formula is empty"),
        ("x // 2", 2, "floor division"),
        ("x % 2", 2, "'%' is not supported"),
        ("()", 0, "empty parentheses"),
        ("min(x,)", 6, "expected an expression, found ')'"),
        ("x ** * y", 5, "expected an expression, found '*'"),
        ("1e999", 0, "too large"),
        ("x é", 2, "unexpected character 'é'"),
        ("x\x00", 1, "U+0000"),
    ],
)
def test_errors_name_the_position(text, position, fragment):
    with pytest.raises(FormulaError) as caught:
        parse_formula(text)
    error = caught.value
    assert error.position == position
    assert fragment in str(error)
    assert isinstance(error, ConfigError)
    if "column" in str(error):
        assert f"at column {position + 1}" in str(error)


UNSAFE = [
    "__import__('os')",
    "__import__",
    "x.__class__",
    "().__class__",
    "(1).__class__.__bases__",
    "x.real",
    "1 .real",
    "lambda: 1",
    "lambda x: x",
    "'x'",
    '"x"',
    "f'{x}'",
    "x; y",
    "exec('1')",
    "eval('1')",
    "compile('1', 'f', 'eval')",
    "open('f')",
    "getattr(x, 'y')",
    "globals()",
    "__builtins__",
    "import os",
    "[x for x in y]",
    "x if y else 1",
    "{}",
    "x[0]",
    "x @ y",
    "not x",
    "x and y",
    "x == y",
    "x < y",
    "x = 1",
    "# comment",
    "x \\\n + y",
    "sin.__call__(x)",
    "`x`",
    "x := 1",
    "*x",
    "~x",
    "x | y",
    "x & y",
]


@pytest.mark.parametrize("text", UNSAFE)
def test_anything_but_arithmetic_is_rejected(text):
    with pytest.raises(FormulaError):
        parse_formula(text, ["a"])
    with pytest.raises(ConfigError):
        check_formula(text, {}, "surface.formula")


def test_no_eval_exec_or_compile_is_ever_called(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("user text reached eval/exec/compile")

    for name in ("eval", "exec", "compile", "__import__"):
        monkeypatch.setattr(builtins, name, forbidden)
    for text in ["x**2 + 10*y**2", "sin(x)*exp(-y) + min(x, y)", *UNSAFE]:
        try:
            prog = check_formula(text, {"a": 1.0})
            evaluate_program(prog, np.array([0.5]), np.array([0.25]))
        except ConfigError:
            pass


def test_formula_modules_never_call_eval_exec_compile_or_getattr():
    root = Path(__file__).resolve().parents[3] / "lrsim" / "core" / "surfaces"
    banned = re.compile(r"\b(eval|exec|compile|getattr|literal_eval|__import__)\s*\(")
    sources = sorted(root.glob("formula*.py"))
    assert len(sources) >= 3
    for source in sources:
        assert not banned.search(source.read_text()), source.name


# ----------------------------------------------------------------------------- limits


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("(" * 100_000, "too long"),
        ("(" * (MAX_FORMULA_CHARS - 1), "nested too deeply"),
        ("x" + "**x" * 5000, "nested too deeply"),
        ("-" * 10_000 + "x", f"more than {MAX_PROGRAM} operations"),
        ("x" + "+x" * 3000, f"more than {MAX_PROGRAM} operations"),
        ("x" + "+x*(x" * 40 + ")" * 40, f"more than {MAX_STACK} pending values"),
        ("sin(" * 60 + "x" + ")" * 60, f"more than {MAX_NESTING} levels"),
    ],
)
def test_huge_or_deep_formulas_fail_fast_with_a_message(text, fragment):
    start = time.perf_counter()
    with pytest.raises(FormulaError, match=re.escape(fragment)):
        check_formula(text, {}, "formula")
    assert time.perf_counter() - start < 1.0


def test_long_formulas_within_the_limits_work():
    text = "x" + "+x" * 2000  # 4001 program entries
    assert formula_value_grad(1.5, 0.0, program(text)) == (3001.5, 2001.0, 0.0)
    nested = "(" * (MAX_NESTING - 1) + "x" + ")" * (MAX_NESTING - 1)
    assert formula_value_grad(2.0, 0.0, program(nested))[0] == 2.0


# ----------------------------------------------------------------------------- gradients

FUNCTION_CASES = [  # (formula, the same written with NumPy, safe box for random points)
    ("x**2 + 10*y**2", lambda x, y: x**2 + 10 * y**2, 3.0),
    ("(1 - x)**2 + 100*(y - x**2)**2", lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2, 2.0),
    ("sin(x)*cos(y)", lambda x, y: np.sin(x) * np.cos(y), 3.0),
    ("tan(0.3*x) + y", lambda x, y: np.tan(0.3 * x) + y, 3.0),
    ("exp(0.5*x - y**2)", lambda x, y: np.exp(0.5 * x - y**2), 2.0),
    ("log(1 + x**2 + y**2)", lambda x, y: np.log(1 + x**2 + y**2), 3.0),
    ("sqrt(1 + x**2)*y", lambda x, y: np.sqrt(1 + x**2) * y, 3.0),
    ("abs(x - 0.1) + abs(y + 0.2)", lambda x, y: np.abs(x - 0.1) + np.abs(y + 0.2), 3.0),
    ("tanh(x*y)", lambda x, y: np.tanh(x * y), 1.5),
    ("sinh(0.5*x) - cosh(0.5*y)", lambda x, y: np.sinh(0.5 * x) - np.cosh(0.5 * y), 3.0),
    ("arctan(x/(1 + y**2))", lambda x, y: np.arctan(x / (1 + y**2)), 3.0),
    ("min(x**2, y + 3) + max(x, y)", lambda x, y: np.minimum(x**2, y + 3) + np.maximum(x, y), 2.0),
    ("(2 + sin(x))**(1 + 0.5*cos(y))", lambda x, y: (2 + np.sin(x)) ** (1 + 0.5 * np.cos(y)), 3.0),
    ("2**x * 3**-y", lambda x, y: 2.0**x * 3.0 ** (-y), 2.0),
    ("x**3 - 3*x*y**2", lambda x, y: x**3 - 3 * x * y**2, 2.0),
    ("1/(1 + x**2 + y**2) - pi*e*y", lambda x, y: 1 / (1 + x**2 + y**2) - np.pi * np.e * y, 3.0),
    ("-x**2/2 + x**0.5", lambda x, y: -(x**2) / 2 + np.abs(x) ** 0.5, 3.0),  # x > 0 below
]


def _points(box: float, n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(0.05, box, n) * rng.choice([-1, 1], n), rng.uniform(-box, box, n)


@pytest.mark.parametrize(("text", "reference", "box"), FUNCTION_CASES, ids=lambda v: str(v)[:30])
def test_values_match_numpy_written_by_hand(text, reference, box):
    xs, ys = _points(box)
    if "x**0.5" in text:
        xs = np.abs(xs)
    values = kernel_at(program(text), xs, ys)[0]
    np.testing.assert_allclose(values, reference(xs, ys), rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize(("text", "reference", "box"), FUNCTION_CASES, ids=lambda v: str(v)[:30])
def test_kernel_gradient_matches_central_differences(text, reference, box):
    prog = program(text)
    xs, ys = _points(box, seed=1)
    if "x**0.5" in text:
        xs = np.abs(xs)
    for x, y in zip(xs, ys, strict=True):
        if "abs" in text and min(abs(x - 0.1), abs(y + 0.2)) < 1e-3:
            continue
        if "min" in text and min(abs(x * x - y - 3), abs(x - y)) < 1e-3:
            continue
        _, gx, gy = formula_value_grad(x, y, prog)
        hx, hy = 1e-6 * max(1.0, abs(x)), 1e-6 * max(1.0, abs(y))
        fd_x = formula_value_grad(x + hx, y, prog)[0] - formula_value_grad(x - hx, y, prog)[0]
        fd_y = formula_value_grad(x, y + hy, prog)[0] - formula_value_grad(x, y - hy, prog)[0]
        scale = 1.0 + abs(formula_value_grad(x, y, prog)[0])
        assert gx == pytest.approx(fd_x / (2 * hx), rel=1e-6, abs=1e-6 * scale), (x, y)
        assert gy == pytest.approx(fd_y / (2 * hy), rel=1e-6, abs=1e-6 * scale), (x, y)


@pytest.mark.parametrize(("text", "reference", "box"), FUNCTION_CASES, ids=lambda v: str(v)[:30])
def test_kernel_matches_numpy_evaluator(text, reference, box):
    prog = program(text)
    xs, ys = _points(box * 3, n=60, seed=2)  # also outside the safe box: nan/inf must agree
    np.testing.assert_allclose(kernel_at(prog, xs, ys), numpy_at(prog, xs, ys), rtol=1e-13)


@pytest.mark.parametrize(
    ("text", "x", "y", "expected"),
    [
        ("abs(x)", 0.0, 0.0, (0.0, 0.0, 0.0)),
        ("min(x, y)", 1.0, 1.0, (1.0, 1.0, 0.0)),  # a tie takes the first operand
        ("max(x, y)", 1.0, 1.0, (1.0, 1.0, 0.0)),
        ("sqrt(x)", 0.0, 0.0, (0.0, math.inf, math.nan)),  # inf * 0: forward mode's nan
        ("log(x)", -1.0, 0.0, (math.nan, -1.0, 0.0)),
        ("x**0", 0.0, 0.0, (1.0, 0.0, 0.0)),
        ("x**2", 0.0, 0.0, (0.0, 0.0, 0.0)),
        ("x**y", -2.0, 2.0, (4.0, -4.0, math.nan)),
        ("1/x", 0.0, 0.0, (math.inf, -math.inf, math.nan)),
        ("exp(x)", 1000.0, 0.0, (math.inf, math.inf, math.nan)),
        ("min(x, y)", math.nan, 1.0, (math.nan, math.nan, math.nan)),
    ],
)
@COMPILED
def test_edge_conventions_give_numbers_not_exceptions(text, x, y, expected):
    prog = program(text)
    np.testing.assert_array_equal(formula_value_grad(x, y, prog), expected)
    np.testing.assert_array_equal(numpy_at(prog, [x], [y])[:, 0], expected)


def test_kernel_works_as_a_first_class_function_in_a_compiled_loop():
    @njit
    def total(value_grad, xs, p):
        out = 0.0
        for x in xs:
            out += value_grad(x, 2.0 * x, p)[0]
        return out

    prog = program("a*x**2 + y", a=3.0)
    xs = np.linspace(-1.0, 1.0, 11)
    assert total(formula_value_grad, xs, prog) == pytest.approx(np.sum(3 * xs**2 + 2 * xs))


def test_grad_loop_fills_a_block_and_can_be_cached():
    prog = program("x*y + sin(x)")
    xs, ys = np.linspace(-1.0, 1.0, 7), np.linspace(2.0, 3.0, 7)
    f, gx, gy = np.empty(7), np.empty(7), np.empty(7)
    formula_grad_loop(xs, ys, prog, f, gx, gy)
    np.testing.assert_array_equal(np.array([f, gx, gy]), kernel_at(prog, xs, ys))
    if not config.DISABLE_JIT:  # no embedded addresses: it (and kernels calling it) cache on disk
        compiled = formula_grad_loop.overloads.values()
        assert not any(result.library.has_dynamic_globals for result in compiled)


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros(0),
        np.zeros(10),
        np.array([7_000_001.0, 5.0, 2.0]),  # count beyond the array
        np.array([7_000_001.0, 2.0, 2.0, 2.0]),  # two values left on the stack
        np.array([7_000_001.0, 1.0, 4.0]),  # a binary op on an empty stack
        np.array([7_000_001.0, 2.0, 2.0, 99.0]),  # unknown opcode
        np.array([7_000_001.0, 2.0, 2.0, 11.5]),  # not an integer opcode
        np.array([7_000_001.0, 1.0, 1.0]),  # CONST without its value
        np.array([7_000_001.0, math.nan, 2.0]),
        np.array([7_000_001.0, MAX_STACK + 1] + [2.0] * (MAX_STACK + 1)),  # stack overflow
    ],
)
def test_malformed_programs_give_nan_and_a_config_error(bad):
    assert all(math.isnan(v) for v in formula_value_grad(0.5, 0.5, bad))
    with pytest.raises(ConfigError):
        decode_program(bad)


# ----------------------------------------------------------------------------- run file layer


def test_check_formula_reports_the_run_file_field_and_keeps_the_position():
    with pytest.raises(FormulaError) as caught:
        check_formula("x**2 + z", {"a": 1.0}, "surface.formula")
    assert str(caught.value) == "surface.formula: unknown name 'z' at column 8"
    assert caught.value.position == 7 and caught.value.field == "surface.formula"
    assert caught.value.within("runs").field == "runs.surface.formula"


@pytest.mark.parametrize(
    ("params", "field", "fragment"),
    [
        ({"sin": 1.0}, "surface.params.sin", "function"),
        ({"x": 1.0}, "surface.params.x", "variable"),
        ({"pi": 3.0}, "surface.params.pi", "constant"),
        ({"a": "big"}, "surface.params.a", "must be a number"),
        ({"a": math.inf}, "surface.params.a", "finite"),
        ({"a": True}, "surface.params.a", "must be a number"),
    ],
)
def test_check_formula_rejects_bad_parameters_at_their_field(params, field, fragment):
    with pytest.raises(ConfigError) as caught:
        check_formula("a*x", params, "surface.formula")
    assert caught.value.field == field
    assert fragment in caught.value.problem


# ----------------------------------------------------------------------------- the surface


def test_formula_surface_fields_and_parameter_vector():
    surface = formula_surface("a*x**2 + b*y**2", {"a": 1.0, "b": 10.0})
    assert surface.name == "formula" and surface.title == "a*x**2 + b*y**2"
    assert surface.domain == DEFAULT_DOMAIN
    assert [spec.name for spec in surface.params] == ["a", "b"]
    assert surface.value_grad is formula_value_grad
    p = surface.param_vector({"a": 1.0, "b": 10.0})
    assert surface.value_grad(1.0, 2.0, p) == (41.0, 2.0, 40.0)
    p2 = surface.param_vector({"b": 1.0})  # other values recompile the program
    assert surface.value_grad(1.0, 2.0, p2) == (5.0, 2.0, 4.0)
    f, gx, gy = surface.reference(np.array([1.0, 0.0]), np.array([2.0, 1.0]), p)
    np.testing.assert_array_equal(f, [41.0, 10.0])
    with pytest.raises(ConfigError, match="unknown parameter"):
        surface.param_vector({"c": 1.0})
    grid = surface.evaluate_grid(np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0]), p)
    np.testing.assert_array_equal(grid, [[0.0, 1.0, 4.0], [10.0, 11.0, 14.0]])


def test_formula_surface_errors():
    with pytest.raises(FormulaError) as caught:
        formula_surface("x + q")
    assert caught.value.within("surface.formula").field == "surface.formula"
    with pytest.raises(ConfigError, match="domain"):
        formula_surface("x", {}, ((1.0, -1.0), (0.0, 1.0)))


def test_quadratic_minimum_is_found_at_the_origin_quickly():
    surface = formula_surface("x**2 + 10*y**2")
    start = time.perf_counter()
    points = surface.critical_points(surface.param_vector())
    assert time.perf_counter() - start < 2.0  # ~0.02 s on an idle machine
    assert len(points) == 1
    (point,) = points
    assert point.kind == "global_min"
    assert abs(point.x) < 1e-9 and abs(point.y) < 1e-9 and point.value < 1e-18


@pytest.mark.parametrize(
    ("text", "domain", "expected"),
    [
        (
            "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
            None,
            [(3.0, 2.0, "global_min"), (-2.805118, 3.131313, "global_min"),
             (-3.779310, -3.283186, "global_min"), (3.584428, -1.848127, "global_min")],
        ),
        ("(1 - x)**2 + 100*(y - x**2)**2", ((-2.0, 2.0), (-1.0, 3.0)), [(1.0, 1.0, "global_min")]),
        (
            "(1 + (x + y + 1)**2*(19 - 14*x + 3*x**2 - 14*y + 6*x*y + 3*y**2))"
            "*(30 + (2*x - 3*y)**2*(18 - 32*x + 12*x**2 + 48*y - 36*x*y + 27*y**2))",
            ((-2.0, 2.0), (-2.0, 2.0)),
            [(0.0, -1.0, "global_min"), (-0.6, -0.4, "local_min"), (1.8, 0.2, "local_min"),
             (1.2, 0.8, "local_min")],
        ),
        ("x**4 + y**4", None, [(0.0, 0.0, "global_min")]),  # degenerate Hessian
        ("abs(x - 1) + abs(y)", None, [(1.0, 0.0, "global_min")]),  # a kink
        ("min((x-1)**2 + y**2, (x+2)**2 + y**2 + 1)", None,
         [(1.0, 0.0, "global_min"), (-2.0, 0.0, "local_min")]),
        ("x + y", None, []),  # unbounded below
        ("x**2", None, []),  # a valley of minima: none is isolated
        ("1", None, []),
        ("x**2 + (y - 9)**2", None, []),  # the minimum is outside the domain
    ],
)  # fmt: skip
def test_minima(text, domain, expected):
    surface = formula_surface(text, {}, domain)
    points = surface.critical_points(surface.param_vector())
    assert len(points) == len(expected), points
    for x, y, kind in expected:
        match = [pt for pt in points if abs(pt.x - x) < 1e-5 and abs(pt.y - y) < 1e-5]
        assert len(match) == 1 and match[0].kind == kind, (x, y, points)
    assert [pt.kind for pt in points] == sorted((pt.kind for pt in points), key="global_min".__ne__)


def test_find_minima_of_rastrigin_includes_the_origin_and_its_neighbours():
    text = "20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)"
    minima = find_minima(program(text), ((-2.5, 2.5), (-2.5, 2.5)))
    for x, y in [(0.0, 0.0), (0.994959, 0.0), (-0.994959, 0.994959), (1.989918, -1.989918)]:
        assert any(abs(mx - x) < 1e-5 and abs(my - y) < 1e-5 for mx, my in minima), (x, y)


def test_log_scale_is_suggested_for_steep_surfaces_only():
    assert formula_surface("(1 - x)**2 + 100*(y - x**2)**2", {}, ((-2, 2), (-1, 3))).log_scale
    assert not formula_surface("x**2 + 10*y**2").log_scale


# ----------------------------------------------------------------------------- fuzzing

SOUP = [
    "x", "y", "a", "z", "pi", "e", "sin", "min", "max", "log", "sqrt", "__import__", "lambda",
    "(", ")", ",", "+", "-", "*", "/", "**", "^", ".", "'", ";", "=", "[", "]",
    "0", "2", "2.5", ".5", "1e-3", "1e", "9" * 400, " ", "\t", "é",
]  # fmt: skip


def _parse_and_run(text: str) -> None:
    """Only FormulaError may come out; whatever parses must also evaluate without raising."""
    try:
        prog = check_formula(text, {"a": 1.5})
    except FormulaError:
        return
    formula_value_grad(0.3, -0.7, prog)
    evaluate_program(prog, np.array([0.3, 2.0]), np.array([-0.7, 1.0]))


@FUZZ
@given(st.text(max_size=300))
def test_fuzz_random_text_only_raises_formula_error(text):
    _parse_and_run(text)


@FUZZ
@given(st.lists(st.sampled_from(SOUP), max_size=80).map("".join))
def test_fuzz_token_soup_only_raises_formula_error(text):
    _parse_and_run(text)


# Random valid trees, each rendered with Python's spacing and parentheses kept only
# around compound operands, paired with the same computation done here in NumPy.
# The NumPy side mirrors the kernel's conventions (a*a for squares, min/max
# picking an operand), so values must agree bit for bit.

EXACT_UNARY = {"abs": np.abs, "sqrt": np.sqrt}
ALL_UNARY = {
    **EXACT_UNARY,
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log, "tanh": np.tanh,
    "sinh": np.sinh, "cosh": np.cosh, "arctan": np.arctan,
}  # fmt: skip


def _pick(first, second, left, right):
    return np.where(first, left, np.where(second, right, np.nan))


BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "min": lambda a, b: _pick(a <= b, b < a, a, b),
    "max": lambda a, b: _pick(a >= b, b > a, a, b),
}


def _quiet(function, *args):
    with np.errstate(all="ignore"):
        return function(*args)


X = np.array([0.0, 0.3, -1.7, 2.5, 1e-3])
Y = np.array([1.0, -0.7, 0.0, 3.0, -2.0])
LEAVES = {
    "x": X,
    "y": Y,
    "a": np.full(5, 1.5),
    "pi": np.full(5, math.pi),
    "e": np.full(5, math.e),
}


def _leaf():
    names = st.sampled_from(sorted(LEAVES)).map(lambda name: (name, LEAVES[name], True))
    numbers = st.sampled_from(["0", "1", "2", "3.5", ".25", "1e-2", "10"]).map(
        lambda text: (text, np.full(5, float(text)), True)
    )
    return names | numbers


def _extend(children, unary_functions):
    def wrap(text, atomic):
        return text if atomic else f"({text})"

    binary = st.tuples(st.sampled_from(sorted(BINARY)), children, children).map(
        lambda t: (
            f"{t[0]}({t[1][0]}, {t[2][0]})" if t[0] in ("min", "max")
            else f"{wrap(t[1][0], t[1][2])} {t[0]} {wrap(t[2][0], t[2][2])}",
            _quiet(BINARY[t[0]], t[1][1], t[2][1]),
            t[0] in ("min", "max"),
        )
    )  # fmt: skip
    call = st.tuples(st.sampled_from(sorted(unary_functions)), children).map(
        lambda t: (f"{t[0]}({t[1][0]})", _quiet(unary_functions[t[0]], t[1][1]), True)
    )
    negate = children.map(lambda c: (f"-{wrap(c[0], c[2])}", -c[1], False))
    square = children.map(  # the kernel squares by a * a
        lambda c: (f"{wrap(c[0], c[2])}**2", _quiet(np.multiply, c[1], c[1]), False)
    )
    return binary | call | negate | square


def _trees(unary_functions):
    return st.recursive(_leaf(), lambda c: _extend(c, unary_functions), max_leaves=25)


@FUZZ
@given(_trees(ALL_UNARY))
def test_fuzz_valid_trees_parse_to_what_they_say(tree):
    text, expected, _ = tree
    with np.errstate(all="ignore"):
        prog = check_formula(text, {"a": 1.5})
        value = evaluate_program(prog, X, Y)[0]
    np.testing.assert_array_equal(value, expected)
    assert format_expr(parse_formula(format_expr(parse_formula(text, ["a"])), ["a"])) == (
        format_expr(parse_formula(text, ["a"]))
    )


@COMPILED
@FUZZ
@given(_trees(EXACT_UNARY))
def test_fuzz_kernel_matches_numpy_exactly_on_correctly_rounded_operations(tree):
    text, _, _ = tree
    prog = check_formula(text, {"a": 1.5})
    np.testing.assert_array_equal(kernel_at(prog, X, Y), numpy_at(prog, X, Y))
