"""The compiled interpreter of formula programs: the kernel the engine runs for formulas.

``formula_value_grad(x, y, program)`` has every surface kernel's signature
``(float64, float64, float64[:]) -> (f, gx, gy)``; the program (``formula_program``)
plays the part of the parameter vector. Forward mode over a fixed-size stack of
dual numbers, with the operations of ``formula_program.evaluate_program`` (its
NumPy twin) in the same order. The stack lives on the machine stack and the
program is read without reference counting, so a call costs a few nanoseconds
per operation and never allocates.
"""

from __future__ import annotations

import math

import numpy as np
from numba import config, types
from numba.core import cgutils
from numba.extending import intrinsic

from lrsim.core.jit import njit
from lrsim.core.surfaces.formula_program import (
    ABS,
    ADD,
    ARCTAN,
    CONST,
    COS,
    COSH,
    DIV,
    EXP,
    HEADER,
    LAST_OPCODE,
    LOG,
    MAX,
    MAX_PROGRAM,
    MAX_STACK,
    MIN,
    MUL,
    NEG,
    POW,
    PROGRAM_TAG,
    SIN,
    SINH,
    SQRT,
    SUB,
    TAN,
    TANH,
    VAR_X,
    VAR_Y,
)

STACK_SLOTS = 3 * MAX_STACK  # values, then d/dx, then d/dy
DX = MAX_STACK
DY = 2 * MAX_STACK

if config.DISABLE_JIT:  # plain Python (coverage runs): ordinary arrays will do

    def _stack_array():
        return np.empty(STACK_SLOTS)

    def _borrowed(array):
        return array

else:

    @intrinsic
    def _stack_array(typingctx):
        """A float64[STACK_SLOTS] array on the machine stack of the calling kernel.

        ``np.empty`` would allocate on the heap at every call of the kernel, which
        costs several times the evaluation of a short formula; this buffer is free.
        """
        array_type = types.Array(types.float64, 1, "C")

        def codegen(context, builder, signature, args):
            item = context.get_value_type(types.float64)
            data = cgutils.alloca_once(builder, item, size=STACK_SLOTS)
            array = context.make_array(array_type)(context, builder)
            itemsize = context.get_constant(types.intp, context.get_abi_sizeof(item))
            context.populate_array(
                array,
                data=data,
                shape=[context.get_constant(types.intp, STACK_SLOTS)],
                strides=[itemsize],
                itemsize=itemsize,
                meminfo=None,
            )
            return array._getvalue()

        return array_type(), codegen

    @intrinsic
    def _borrowed(typingctx, array_type):
        """The same array without its reference count, valid while the caller holds it.

        Used inside the interpreter loop, so numba does not keep the argument alive
        with an atomic incref/decref pair per call (contended across ``prange`` threads).
        """
        if not isinstance(array_type, types.Array):
            return None

        def codegen(context, builder, signature, args):
            array = context.make_array(array_type)(context, builder, value=args[0])
            array.meminfo = cgutils.get_null_value(array.meminfo.type)
            array.parent = cgutils.get_null_value(array.parent.type)
            return array._getvalue()

        return array_type(array_type), codegen


@njit(cache=True, error_model="numpy")
def formula_value_grad(x, y, program):
    """(f, df/dx, df/dy) at (x, y) of the formula compiled into ``program``.

    Forward mode over a stack of dual numbers; ``s[k]``, ``s[DX + k]``, ``s[DY + k]``
    are entry k's value and derivatives. Every push, pop and read is bounds-checked.
    A malformed program stops the loop with ``top = 0``, so the result is nan.
    """
    code = _borrowed(program)
    s = _stack_array()
    top = 0  # number of entries on the stack
    end = 0
    if code.size >= HEADER and code[0] == PROGRAM_TAG:
        count = code[1]
        if 0.0 <= count <= MAX_PROGRAM and HEADER + count <= code.size:
            end = HEADER + int(count)
    i = HEADER
    while i < end:
        entry = code[i]
        i += 1
        if not (CONST <= entry <= LAST_OPCODE):
            top = 0
            break
        op = int(entry)  # integers, so LLVM turns the if-chains below into jump tables
        if op != entry:
            top = 0
            break
        if op <= VAR_Y:  # push
            if top >= MAX_STACK:
                top = 0
                break
            if op == CONST:
                if i >= end:
                    top = 0
                    break
                s[top], s[DX + top], s[DY + top] = code[i], 0.0, 0.0
                i += 1
            elif op == VAR_X:
                s[top], s[DX + top], s[DY + top] = x, 1.0, 0.0
            elif op == VAR_Y:
                s[top], s[DX + top], s[DY + top] = y, 0.0, 1.0
            else:
                top = 0
                break
            top += 1
        elif op <= MAX:  # binary: a = entry top-2, b = entry top-1, result replaces a
            if top < 2:
                top = 0
                break
            top -= 1
            k = top - 1
            a, ax, ay = s[k], s[DX + k], s[DY + k]
            b, bx, by = s[top], s[DX + top], s[DY + top]
            if op == ADD:
                v, vx, vy = a + b, ax + bx, ay + by
            elif op == SUB:
                v, vx, vy = a - b, ax - bx, ay - by
            elif op == MUL:
                v, vx, vy = a * b, ax * b + a * bx, ay * b + a * by
            elif op == DIV:
                v = a / b
                vx, vy = (ax - v * bx) / b, (ay - v * by) / b
            elif op == POW:
                if b == 2.0:  # the common square, without two calls to pow (same numbers)
                    v, slope = a * a, 2.0 * a
                else:
                    v = a**b
                    slope = 0.0 if b == 0.0 else b * a ** (b - 1.0)
                vx, vy = slope * ax, slope * ay
                if bx != 0.0 or by != 0.0:
                    log_a = math.log(a)
                    if bx != 0.0:
                        vx += v * log_a * bx
                    if by != 0.0:
                        vy += v * log_a * by
            elif op == MIN:
                if a <= b:
                    v, vx, vy = a, ax, ay
                elif b < a:
                    v, vx, vy = b, bx, by
                else:
                    v, vx, vy = math.nan, math.nan, math.nan
            elif op == MAX:
                if a >= b:
                    v, vx, vy = a, ax, ay
                elif b > a:
                    v, vx, vy = b, bx, by
                else:
                    v, vx, vy = math.nan, math.nan, math.nan
            else:
                top = 0
                break
            s[k], s[DX + k], s[DY + k] = v, vx, vy
        elif op <= LAST_OPCODE:  # unary: v = g(a), dv = g'(a) da
            if top < 1:
                top = 0
                break
            k = top - 1
            a = s[k]
            if op == NEG:
                v, slope = -a, -1.0
            elif op == SIN:
                v, slope = math.sin(a), math.cos(a)
            elif op == COS:
                v, slope = math.cos(a), -math.sin(a)
            elif op == TAN:
                v = math.tan(a)
                slope = 1.0 + v * v
            elif op == EXP:
                v = math.exp(a)
                slope = v
            elif op == LOG:
                v, slope = math.log(a), 1.0 / a
            elif op == SQRT:
                v = math.sqrt(a)
                slope = 0.5 / v
            elif op == ABS:
                v = abs(a)
                slope = 1.0 if a > 0.0 else (-1.0 if a < 0.0 else 0.0)
            elif op == TANH:
                v, c = math.tanh(a), math.cosh(a)
                slope = 1.0 / (c * c)  # not 1 - v*v, which cancels where tanh is near +-1
            elif op == SINH:
                v, slope = math.sinh(a), math.cosh(a)
            elif op == COSH:
                v, slope = math.cosh(a), math.sinh(a)
            elif op == ARCTAN:
                v, slope = math.atan(a), 1.0 / (1.0 + a * a)
            else:
                top = 0
                break
            s[k], s[DX + k], s[DY + k] = v, slope * s[DX + k], slope * s[DY + k]
        else:
            top = 0
            break
    f = gx = gy = math.nan
    if top == 1:  # ran to the end with exactly the result left (a malformed program: top = 0)
        f, gx, gy = s[0], s[DX], s[DY]
    return f, gx, gy


@njit(cache=True, error_model="numpy", nogil=True)
def formula_grad_loop(xs, ys, program, f, gx, gy):
    """f, gx, gy at every (xs[k], ys[k]): the engine's per-block loop for formula surfaces.

    It calls ``formula_value_grad`` by name. Passing the kernel as a first-class
    argument into a loop that is not inlined makes numba embed the dispatcher's
    address, and then every kernel that reaches it can no longer be cached on disk.
    """
    for k in range(xs.shape[0]):
        f[k], gx[k], gy[k] = formula_value_grad(xs[k], ys[k], program)
