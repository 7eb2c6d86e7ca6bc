"""Text from a run file made safe to echo: on a terminal and in a spreadsheet.

A run file's keys and labels reach error lines, the ``stats`` table and the
CSV. On a terminal a control character (an escape sequence, a newline forging
a second ``lrsim:`` line) or a bidi override would act instead of showing;
``printable`` shows each such character as its escape (``\\x1b``, ``\\u202e``).
In a spreadsheet a cell that starts with ``=``, ``+``, ``-`` or ``@`` is a
formula; ``spreadsheet_text`` puts an apostrophe in front (OWASP's advice),
which spreadsheets hide and scripts can strip.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def printable(text: str) -> str:
    """``text`` with every character that is not printable shown as its escape."""
    if text.isprintable():
        return text
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )


def spreadsheet_text(text: str) -> str:
    """``text``, with ``'`` in front when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
