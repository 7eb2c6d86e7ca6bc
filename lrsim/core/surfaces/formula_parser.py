"""The whitelist parser for formula surfaces: text -> expression tree, never code.

A formula is one expression in ``x``, ``y``, numbers (``2``, ``2.5``, ``.5``,
``1e-3``), named parameters, ``+ - * / **``, unary ``-`` and ``+``, parentheses
and calls to the functions in ``FUNCTIONS``; ``pi`` and ``e`` are constants.
Precedence and associativity are Python's: ``**`` binds tighter than unary minus
and groups to the right (``-x**2 == -(x**2)``, ``2**-x**2 == 2**(-(x**2))``).

Safety: the text is split by a hand-written tokenizer that only knows those
symbols, and read by a recursive-descent parser; nothing is ever handed to
``eval``, ``exec``, ``compile`` or ``getattr``, names are looked up in fixed
tables, and there is no attribute access, indexing, string or keyword. Time and
memory are linear in the text: the text length, the nesting depth (so the parser
never reaches Python's recursion limit) and, in ``formula_program``, the compiled
program's length and stack depth are all capped, each with its own message.

Every error is a ``FormulaError`` (a ``ConfigError``) carrying the 0-based
``position`` of the offending character; its message names the 1-based column,
e.g. ``unknown name 'z' at column 8``.

The tree's node types and the iterative walks over it are in ``formula_tree``.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lrsim.core.errors import ConfigError
from lrsim.core.surfaces.formula_tree import (
    CONSTANTS,
    FUNCTIONS,
    RESERVED,
    VARIABLES,
    Binary,
    Call,
    Expr,
    Num,
    Param,
    Unary,
    Var,
)

MAX_FORMULA_CHARS = 20_000
"""Longest formula text accepted (characters)."""

MAX_NESTING = 50
"""Deepest nesting of parentheses, calls and ``**`` exponents accepted."""


class FormulaError(ConfigError):
    """A formula that cannot be read; ``position`` is the 0-based index of the culprit.

    ``problem`` already says where (``... at column N``, 1-based). ``field`` is empty
    unless given (``check_formula`` gives the run file's ``surface.formula``), so
    ``within(prefix)`` yields ``prefix: problem``; the position survives ``within``.
    """

    def __init__(self, problem: str, position: int, field: str = ""):
        super().__init__(field, problem)
        self.position = position

    @property
    def column(self) -> int:
        """The 1-based column of ``position``, as the message says."""
        return self.position + 1

    def within(self, prefix: str) -> FormulaError:
        if not prefix:
            return self
        plain = ConfigError.within(self, prefix)
        return FormulaError(self.problem, self.position, plain.field)


def _fail(problem: str, position: int, hint: str = "") -> FormulaError:
    return FormulaError(f"{problem} at column {position + 1}{hint}", position)


# ----------------------------------------------------------------------------- tokenizer

NUMBER, NAME, SYMBOL, END = "number", "name", "symbol", "end"
_SYMBOLS = ("**", "+", "-", "*", "/", "(", ")", ",")
_WHITESPACE = " \t\r\n"
_FORBIDDEN = {
    "^": "'^' is not a power here; write '**' (x**2)",
    ".": "'.' outside a number (attribute access is not allowed)",
    ";": "';' is not allowed: a formula is a single expression",
    "=": "'=' is not allowed: a formula is an expression, not an assignment or comparison",
    "'": "strings are not allowed",
    '"': "strings are not allowed",
    "[": "brackets are not allowed; use parentheses",
    "]": "brackets are not allowed; use parentheses",
    "%": "'%' is not supported",
}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    position: int


def _is_name_start(char: str) -> bool:
    return char == "_" or ("a" <= char <= "z") or ("A" <= char <= "Z")


def _is_name_char(char: str) -> bool:
    return _is_name_start(char) or ("0" <= char <= "9")


def _is_digit(char: str) -> bool:
    return "0" <= char <= "9"


def _scan_digits(text: str, index: int) -> int:
    while index < len(text) and _is_digit(text[index]):
        index += 1
    return index


def _scan_number(text: str, start: int) -> int:
    """End of the number starting at ``start``: digits [. digits] [e [+-] digits]."""
    index = _scan_digits(text, start)
    if index < len(text) and text[index] == ".":
        index = _scan_digits(text, index + 1)
    if index < len(text) and text[index] in "eE":
        exponent = index + 1
        if exponent < len(text) and text[exponent] in "+-":
            exponent += 1
        digits_end = _scan_digits(text, exponent)
        if digits_end == exponent:
            raise _fail(f"malformed number '{text[start:digits_end]}'", start)
        index = digits_end
    if index < len(text) and (_is_name_char(text[index]) or text[index] == "."):
        end = index
        if text[index] == "." or _is_digit(text[index]):
            while end < len(text) and (_is_name_char(text[end]) or text[end] == "."):
                end += 1
            raise _fail(f"malformed number '{text[start:end]}'", start)
        while end < len(text) and _is_name_char(text[end]):
            end += 1
        name = text[index:end]
        raise _fail(
            f"missing operator between '{text[start:index]}' and '{name}'",
            index,
            f" (write {text[start:index]}*{name})",
        )
    return index


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an END token; FormulaError on any stray character."""
    return list(iter_tokens(text))


def iter_tokens(text: str) -> Iterator[Token]:
    """``tokenize`` lazily, so the parser reports the leftmost problem first."""
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char in _WHITESPACE:
            index += 1
        elif _is_digit(char) or (char == "." and index + 1 < length and _is_digit(text[index + 1])):
            end = _scan_number(text, index)
            yield Token(NUMBER, text[index:end], index)
            index = end
        elif _is_name_start(char):
            end = index + 1
            while end < length and _is_name_char(text[end]):
                end += 1
            yield Token(NAME, text[index:end], index)
            index = end
        elif text.startswith("**", index):
            yield Token(SYMBOL, "**", index)
            index += 2
        elif char in _SYMBOLS:
            if char == "/" and text.startswith("//", index):
                raise _fail("'//' (floor division) is not supported", index)
            yield Token(SYMBOL, char, index)
            index += 1
        elif char in _FORBIDDEN:
            raise _fail(_FORBIDDEN[char], index)
        else:
            shown = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
            raise _fail(f"unexpected character {shown}", index)
    yield Token(END, "", length)


# ----------------------------------------------------------------------------- parser


def _describe(token: Token) -> str:
    return "the end of the formula" if token.kind == END else f"'{token.text}'"


def _suggest(name: str, known: Iterable[str]) -> str:
    if len(name) > 40:
        return ""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.7)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Parser:
    """Recursive descent over the token list, Python's grammar restricted to arithmetic.

    expression := term (('+' | '-') term)*
    term       := unary (('*' | '/') unary)*
    unary      := ('-' | '+')* power
    power      := primary ['**' unary]
    primary    := number | name | name '(' expression (',' expression)* ')' | '(' expression ')'
    """

    def __init__(self, text: str, param_names: frozenset[str]):
        self.text = text
        self.params = param_names
        self.stream = iter_tokens(text)
        self.token = next(self.stream)
        self.depth = 0

    def _advance(self) -> Token:
        token = self.token
        if token.kind != END:
            self.token = next(self.stream)
        return token

    def _at(self, symbol: str) -> bool:
        return self.token.kind == SYMBOL and self.token.text == symbol

    def _nest(self, position: int) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise _fail(f"formula is nested too deeply (more than {MAX_NESTING} levels)", position)

    def parse(self) -> Expr:
        if self.token.kind == END:
            raise FormulaError("formula is empty", 0)
        expr = self.expression()
        if self.token.kind != END:
            raise self._unexpected()
        return expr

    def _unexpected(self) -> FormulaError:
        token = self.token
        if self._at(")"):
            return _fail("unmatched ')'", token.position)
        if token.kind in (NUMBER, NAME) or self._at("("):
            return _fail(f"missing operator before '{token.text}'", token.position)
        return _fail(f"unexpected {_describe(token)}", token.position)

    def expression(self) -> Expr:
        self._nest(self.token.position)
        left = self.term()
        while self._at("+") or self._at("-"):
            operator = self._advance()
            left = Binary(operator.text, left, self.term(), operator.position)
        self.depth -= 1
        return left

    def term(self) -> Expr:
        left = self.unary()
        while self._at("*") or self._at("/"):
            operator = self._advance()
            left = Binary(operator.text, left, self.unary(), operator.position)
        return left

    def unary(self) -> Expr:
        signs: list[Token] = []
        while self._at("-") or self._at("+"):
            signs.append(self._advance())
        expr = self.power()
        for sign in reversed(signs):
            expr = Unary(sign.text, expr, sign.position)
        return expr

    def power(self) -> Expr:
        base = self.primary()
        if not self._at("**"):
            return base
        operator = self._advance()
        self._nest(operator.position)
        exponent = self.unary()
        self.depth -= 1
        return Binary("**", base, exponent, operator.position)

    def primary(self) -> Expr:
        token = self.token
        if token.kind == NUMBER:
            self._advance()
            value = float(token.text)  # the tokenizer admitted only digits, '.', e and sign
            if not math.isfinite(value):
                raise _fail(f"number '{token.text}' is too large", token.position)
            return Num(value, token.position, token.text)
        if token.kind == NAME:
            self._advance()
            return self._name(token)
        if self._at("("):
            self._advance()
            if self._at(")"):
                raise _fail("empty parentheses", token.position)
            inner = self.expression()
            self._close(token)
            return inner
        if token.kind == END:
            raise _fail("formula ends too early: expected an expression", token.position)
        raise _fail(f"expected an expression, found {_describe(token)}", token.position)

    def _close(self, opening: Token) -> None:
        if self._at(")"):
            self._advance()
            return
        if self.token.kind == END:
            raise _fail("'(' is never closed", opening.position)
        raise self._unexpected()

    def _name(self, token: Token) -> Expr:
        name = token.text
        called = self._at("(")
        if name in FUNCTIONS:
            if not called:
                raise _fail(f"function '{name}' needs its argument in parentheses", token.position)
            return self._call(token)
        known = name in VARIABLES or name in CONSTANTS or name in self.params
        if called and known:
            raise _fail(f"'{name}' is not a function", token.position)
        if called:
            hint = _suggest(name, FUNCTIONS)
            raise _fail(f"unknown function '{name}'", token.position, hint)
        if name in VARIABLES:
            return Var(name, token.position)
        if name in CONSTANTS:
            return Num(CONSTANTS[name], token.position, name)
        if name in self.params:
            return Param(name, token.position)
        hint = _suggest(name, RESERVED | self.params)
        raise _fail(f"unknown name '{name}'", token.position, hint)

    def _call(self, name: Token) -> Call:
        opening = self._advance()
        args: list[Expr] = []
        if not self._at(")"):
            args.append(self.expression())
            while self._at(","):
                self._advance()
                args.append(self.expression())
        self._close(opening)
        wanted = FUNCTIONS[name.text]
        if len(args) != wanted:
            plural = "s" if wanted != 1 else ""
            raise _fail(
                f"{name.text}() takes {wanted} argument{plural}, got {len(args)}", name.position
            )
        return Call(name.text, tuple(args), name.position)


def parse_formula(text: str, param_names: Iterable[str] = ()) -> Expr:
    """The expression tree of ``text``; ``param_names`` are the names it may use besides x, y.

    Raises ``FormulaError`` (with ``position``) for anything else: unknown names,
    stray characters, bad syntax, wrong argument counts, too long or too deep.
    """
    if not isinstance(text, str):
        raise FormulaError(f"must be text, got {type(text).__name__}", 0)
    if len(text) > MAX_FORMULA_CHARS:
        raise FormulaError(
            f"formula is too long ({len(text)} characters; at most {MAX_FORMULA_CHARS})",
            MAX_FORMULA_CHARS,
        )
    names = frozenset(str(name) for name in param_names) - RESERVED
    return _Parser(text, names).parse()
