"""The expression tree of a formula: its node types, names, and iterative walks.

Nodes carry the 0-based ``position`` of the text they came from, so later
stages (``formula_program``) can point at the culprit too. Trees can be deep (a
long sum is a left-leaning chain), so everything that walks them is iterative
(``postorder``, ``format_expr``); do the same.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

VARIABLES = ("x", "y")
CONSTANTS = {"pi": math.pi, "e": math.e}
FUNCTIONS = {  # name -> number of arguments
    "sin": 1,
    "cos": 1,
    "tan": 1,
    "exp": 1,
    "log": 1,
    "sqrt": 1,
    "abs": 1,
    "tanh": 1,
    "sinh": 1,
    "cosh": 1,
    "arctan": 1,
    "min": 2,
    "max": 2,
}
RESERVED = frozenset(VARIABLES) | frozenset(CONSTANTS) | frozenset(FUNCTIONS)


@dataclass(frozen=True)
class Num:
    """A number literal or a named constant (``text`` is how it was written)."""

    value: float
    position: int
    text: str


@dataclass(frozen=True)
class Var:
    """``x`` or ``y``."""

    name: str
    position: int


@dataclass(frozen=True)
class Param:
    """A named parameter; its value is substituted when the program is built."""

    name: str
    position: int


@dataclass(frozen=True)
class Unary:
    """``-operand`` or ``+operand``."""

    op: str
    operand: Expr
    position: int


@dataclass(frozen=True)
class Binary:
    """``left op right`` with op one of ``+ - * / **``; position is the operator's."""

    op: str
    left: Expr
    right: Expr
    position: int


@dataclass(frozen=True)
class Call:
    """``func(args...)``, func a key of ``FUNCTIONS`` with its arity of args."""

    func: str
    args: tuple[Expr, ...]
    position: int


Expr = Num | Var | Param | Unary | Binary | Call


def children(node: Expr) -> tuple[Expr, ...]:
    """The operands of ``node`` in evaluation order."""
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Call):
        return node.args
    return ()


def postorder(expr: Expr) -> Iterator[Expr]:
    """Every node, operands before their operator (the stack machine's order); iterative."""
    pending: list[tuple[Expr, bool]] = [(expr, False)]
    while pending:
        node, expanded = pending.pop()
        operands = children(node)
        if expanded or not operands:
            yield node
        else:
            pending.append((node, True))
            pending.extend((child, False) for child in reversed(operands))


_BINDING = {"+": 1, "-": 1, "*": 2, "/": 2, "unary": 3, "**": 4, "atom": 5}


def format_expr(expr: Expr) -> str:
    """Canonical text of ``expr`` with only the parentheses Python needs; parses back to it."""
    parts: list[tuple[str, int]] = []  # (text, binding strength of its top operator)
    for node in postorder(expr):
        if isinstance(node, Num):
            text = node.text if node.text in CONSTANTS else repr(node.value)
            parts.append((text, _BINDING["atom"]))
        elif isinstance(node, Var | Param):
            parts.append((node.name, _BINDING["atom"]))
        elif isinstance(node, Call):
            args = [text for text, _ in parts[len(parts) - len(node.args) :]]
            del parts[len(parts) - len(node.args) :]
            parts.append((f"{node.func}({', '.join(args)})", _BINDING["atom"]))
        elif isinstance(node, Unary):
            text, strength = parts.pop()
            if strength < _BINDING["unary"]:
                text = f"({text})"
            parts.append((f"{node.op}{text}", _BINDING["unary"]))
        else:
            right, right_strength = parts.pop()
            left, left_strength = parts.pop()
            strength = _BINDING[node.op]
            if node.op == "**":  # right-associative; its left operand must be an atom
                left_ok = left_strength > strength
                right_ok = right_strength >= _BINDING["unary"]
            else:  # left-associative
                left_ok = left_strength >= strength
                right_ok = right_strength > strength
            left = left if left_ok else f"({left})"
            right = right if right_ok else f"({right})"
            parts.append((f"{left} {node.op} {right}", strength))
    return parts[0][0]
