"""Formula programs: a parsed formula as a float64 array, and their NumPy interpreter.

The engine runs every surface through a ``value_grad(x, y, p)`` kernel with a
float64 parameter array ``p``. A formula's ``p`` is its *program*: the
expression in postfix order for a stack machine, parameters already substituted
as constants::

    [PROGRAM_TAG, n, op, op, CONST, 2.5, op, ...]      # n = entries after the header

``formula_kernel.formula_value_grad`` (numba) and ``evaluate_program`` here (NumPy,
vectorised, the reference the kernel is tested against) interpret it in forward mode: every
stack entry carries (v, dv/dx, dv/dy), so the gradient is exact, with the same
operations in the same order in both. Conventions where a derivative does not
exist: abs'(0) = 0; min/max follow the chosen operand (the first on a tie);
sqrt'(0) = inf, log of a negative = nan, a**b with b constant never touches
log(a). nan and inf are results, never exceptions (the engine treats them as
divergence). A malformed program gives (nan, nan, nan); the kernel never reads
or writes outside its arrays.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from lrsim.core.errors import ConfigError
from lrsim.core.surfaces.formula_parser import FormulaError
from lrsim.core.surfaces.formula_tree import Binary, Call, Expr, Num, Param, Unary, Var, postorder

MAX_PROGRAM = 4096
"""Most program entries (opcodes and constants) a formula may compile to."""

MAX_STACK = 64
"""Most values the stack machine holds at once."""

PROGRAM_TAG = 7_000_001.0  # first entry of every program: "formula program, version 1"
HEADER = 2

# Opcodes (stored as floats). 0 is deliberately unused: an all-zero array is not a program.
CONST, VAR_X, VAR_Y = 1, 2, 3
ADD, SUB, MUL, DIV, POW, MIN, MAX = 4, 5, 6, 7, 8, 9, 10  # binary: pop b, pop a, push a op b
NEG, SIN, COS, TAN, EXP, LOG, SQRT, ABS, TANH, SINH, COSH, ARCTAN = range(11, 23)  # unary
LAST_OPCODE = ARCTAN

BINARY_OPCODES = {"+": ADD, "-": SUB, "*": MUL, "/": DIV, "**": POW}
CALL_OPCODES = {
    "sin": SIN,
    "cos": COS,
    "tan": TAN,
    "exp": EXP,
    "log": LOG,
    "sqrt": SQRT,
    "abs": ABS,
    "tanh": TANH,
    "sinh": SINH,
    "cosh": COSH,
    "arctan": ARCTAN,
    "min": MIN,
    "max": MAX,
}


def compile_program(expr: Expr, params: Mapping[str, float]) -> np.ndarray:
    """The float64 program of ``expr`` with ``params``' values substituted.

    Raises ``FormulaError`` (at the node that crosses the line) when the program
    would exceed ``MAX_PROGRAM`` entries or ``MAX_STACK`` stack depth.
    """
    code: list[float] = [PROGRAM_TAG, 0.0]
    depth = 0
    for node in postorder(expr):
        if isinstance(node, Num | Param):
            value = node.value if isinstance(node, Num) else float(params[node.name])
            code += (CONST, value)
            depth += 1
        elif isinstance(node, Var):
            code.append(VAR_X if node.name == "x" else VAR_Y)
            depth += 1
        elif isinstance(node, Unary):
            if node.op == "-":
                code.append(NEG)
        elif isinstance(node, Binary):
            code.append(BINARY_OPCODES[node.op])
            depth -= 1
        elif isinstance(node, Call):
            code.append(CALL_OPCODES[node.func])
            depth -= len(node.args) - 1
        else:  # pragma: no cover - the parser makes no other node
            raise TypeError(f"not a formula node: {node!r}")
        if len(code) - HEADER > MAX_PROGRAM:
            raise FormulaError(
                f"formula is too long (more than {MAX_PROGRAM} operations)"
                f" at column {node.position + 1}",
                node.position,
            )
        if depth > MAX_STACK:
            raise FormulaError(
                f"formula is nested too deeply (more than {MAX_STACK} pending values)"
                f" at column {node.position + 1}",
                node.position,
            )
    code[1] = float(len(code) - HEADER)
    return np.array(code, dtype=np.float64)


def decode_program(program: np.ndarray) -> list[tuple[int, float]]:
    """The (opcode, constant) instructions of ``program``; ConfigError if it is not one."""
    program = np.asarray(program, dtype=np.float64).ravel()
    bad = ConfigError("params", "is not a compiled formula program")
    if program.size < HEADER or program[0] != PROGRAM_TAG:
        raise bad
    count = program[1]
    if not (0 <= count <= MAX_PROGRAM and count == int(count)) or HEADER + count > program.size:
        raise bad
    instructions = []
    index, end, depth = HEADER, HEADER + int(count), 0
    while index < end:
        op = program[index]
        if not CONST <= op <= LAST_OPCODE or op != int(op):
            raise bad
        op = int(op)
        if op == CONST:
            if index + 1 >= end:
                raise bad
            instructions.append((op, float(program[index + 1])))
            index += 2
        else:
            instructions.append((op, 0.0))
            index += 1
        depth += 1 if op <= VAR_Y else (-1 if op <= MAX else 0)
        if not 1 <= depth <= MAX_STACK:
            raise bad
    if depth != 1:
        raise bad
    return instructions


# ----------------------------------------------------------------------------- NumPy twin


def _binary(op: int, a, b, gradient: bool):
    (av, ax, ay), (bv, bx, by) = a, b
    vx = vy = None
    if op == ADD:
        v = av + bv
        if gradient:
            vx, vy = ax + bx, ay + by
    elif op == SUB:
        v = av - bv
        if gradient:
            vx, vy = ax - bx, ay - by
    elif op == MUL:
        v = av * bv
        if gradient:
            vx, vy = ax * bv + av * bx, ay * bv + av * by
    elif op == DIV:
        v = av / bv
        if gradient:
            vx, vy = (ax - v * bx) / bv, (ay - v * by) / bv
    elif op == POW:  # the kernel's per-element branches, taken once when b is a constant
        if np.ndim(bv) == 0:
            exponent = float(bv)
            if exponent == 2.0:
                v, slope = av * av, 2.0 * av
            else:
                v = np.power(av, exponent)
                slope = 0.0 if exponent == 0.0 else exponent * np.power(av, exponent - 1.0)
        else:
            square = bv == 2.0
            v = np.where(square, av * av, np.power(av, bv))
            general = np.where(bv == 0.0, 0.0, bv * np.power(av, bv - 1.0))
            slope = np.where(square, 2.0 * av, general)
        if gradient:
            vx, vy = slope * ax, slope * ay
            if np.any(bx) or np.any(by):
                log_a = np.log(av)
                vx = vx + np.where(bx != 0.0, v * log_a * bx, 0.0)
                vy = vy + np.where(by != 0.0, v * log_a * by, 0.0)
    else:  # MIN, MAX: the chosen operand's value and derivatives; nan when incomparable
        first = av <= bv if op == MIN else av >= bv
        second = bv < av if op == MIN else bv > av

        def choose(left, right):
            return np.where(first, left, np.where(second, right, np.nan))

        v = choose(av, bv)
        if gradient:
            vx, vy = choose(ax, bx), choose(ay, by)
    return v, vx, vy


def _unary(op: int, a, gradient: bool):
    av, ax, ay = a
    if op == NEG:
        v, slope = -av, -1.0
    elif op == SIN:
        v, slope = np.sin(av), np.cos(av)
    elif op == COS:
        v, slope = np.cos(av), -np.sin(av)
    elif op == TAN:
        v = np.tan(av)
        slope = 1.0 + v * v
    elif op == EXP:
        v = np.exp(av)
        slope = v
    elif op == LOG:
        v, slope = np.log(av), 1.0 / av
    elif op == SQRT:
        v = np.sqrt(av)
        slope = 0.5 / v
    elif op == ABS:
        v = np.abs(av)
        slope = np.where(av > 0.0, 1.0, np.where(av < 0.0, -1.0, 0.0))
    elif op == TANH:
        v, c = np.tanh(av), np.cosh(av)
        slope = 1.0 / (c * c)
    elif op == SINH:
        v, slope = np.sinh(av), np.cosh(av)
    elif op == COSH:
        v, slope = np.cosh(av), np.sinh(av)
    else:  # ARCTAN
        v, slope = np.arctan(av), 1.0 / (1.0 + av * av)
    if not gradient:
        return v, None, None
    return v, slope * ax, slope * ay


def evaluate_program(program: np.ndarray, x, y, *, gradient: bool = True):
    """(f, df/dx, df/dy) of ``program`` at arrays ``x``, ``y`` (broadcast), as float64 arrays.

    The NumPy twin of ``formula_value_grad``: same operations, same order, so the
    two agree to the last bits libm allows. With ``gradient=False`` the derivatives
    are skipped (and returned as None), for contour grids.
    """
    instructions = decode_program(program)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    shape = np.broadcast_shapes(x.shape, y.shape)
    zero, one = np.zeros(()), np.ones(())
    stack: list[tuple] = []
    with np.errstate(all="ignore"):
        for op, constant in instructions:
            if op == CONST:
                stack.append((np.asarray(constant), zero, zero))
            elif op == VAR_X:
                stack.append((x, one, zero))
            elif op == VAR_Y:
                stack.append((y, zero, one))
            elif op <= MAX:
                right = stack.pop()
                stack.append(_binary(op, stack.pop(), right, gradient))
            else:
                stack.append(_unary(op, stack.pop(), gradient))
    value, grad_x, grad_y = stack[0]
    value = np.broadcast_to(value, shape).astype(np.float64)
    if not gradient:
        return value, None, None
    return (
        value,
        np.broadcast_to(grad_x, shape).astype(np.float64),
        np.broadcast_to(grad_y, shape).astype(np.float64),
    )


def formula_reference(x, y, p):
    """``Surface.reference`` for formulas: ``evaluate_program(p, x, y)``."""
    return evaluate_program(p, x, y)
