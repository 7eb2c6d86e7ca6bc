"""Golden trajectories computed by torch.optim: where they are and how to compare with them.

No torch here: the cases (``cases/<case>.toml``, run files in the contract's
format) and their expected CSVs (``expected/<case>.csv``, written by
``tools/make_golden.py`` with torch 2.13.0) are plain files.

A test exports each case with lrsim and compares::

    from tests.golden.golden import assert_rows_match, case_paths, load_expected

    @pytest.mark.parametrize("path", case_paths(), ids=lambda p: p.stem)
    def test_golden(path, tmp_path):
        out = tmp_path / "out.csv"
        ...  # lrsim export path -o out
        assert_rows_match(out, load_expected(path), case=path.stem)

Conformance rule (REFERENCE.md 0.4): every x, y, loss, lr and momentum value
satisfies ``|actual - expected| <= atol + rtol * |expected|`` with atol = 1e-12,
rtol = 1e-9; run, label, particle and step must match exactly, and the set of
(run, particle, step) rows must be the same (row order is not checked unless
``check_order=True``; the expected files are ordered run, particle, step).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GOLDEN_DIR = Path(__file__).resolve().parent
CASES_DIR = GOLDEN_DIR / "cases"
EXPECTED_DIR = GOLDEN_DIR / "expected"

COLUMNS = ("run", "label", "particle", "step", "x", "y", "loss", "lr", "momentum")
INT_COLUMNS = ("run", "particle", "step")
FLOAT_COLUMNS = ("x", "y", "loss", "lr", "momentum")
RTOL = 1e-9
ATOL = 1e-12

Row = dict[str, Any]
Key = tuple[int, int, int]  # (run, particle, step)


def case_paths() -> list[Path]:
    """Every golden case's run file, sorted by name."""
    return sorted(CASES_DIR.glob("*.toml"))


def case_names() -> list[str]:
    return [p.stem for p in case_paths()]


def _case_name(case: str | Path) -> str:
    if isinstance(case, Path):
        return case.name.removesuffix(".meta.json").removesuffix(".csv").removesuffix(".toml")
    return case


def case_path(case: str | Path) -> Path:
    """The run file of a case (by name or any of its paths)."""
    return CASES_DIR / f"{_case_name(case)}.toml"


def expected_path(case: str | Path) -> Path:
    """The expected CSV of a case (by name or any of its paths)."""
    return EXPECTED_DIR / f"{_case_name(case)}.csv"


def load_meta(case: str | Path) -> dict[str, Any]:
    """The case's ``.meta.json``: torch version, torch calls, divergence steps, margins."""
    with open(EXPECTED_DIR / f"{_case_name(case)}.meta.json", encoding="utf-8") as fh:
        return json.load(fh)


def read_rows(source: str | bytes | Path | io.TextIOBase) -> list[Row]:
    """Parse a trajectory CSV (text, bytes, a path or an open text file) into row dicts.

    Checks the header is exactly the contract's columns; ints for run, particle and
    step, floats (``float()``, so NaN/inf parse) for the rest. Raises AssertionError
    on a malformed file."""
    __tracebackhide__ = True
    if isinstance(source, bytes):
        text = source.decode("utf-8")
    elif isinstance(source, Path):
        text = source.read_text(encoding="utf-8")
    elif isinstance(source, str):
        text = source if ("\n" in source or source.startswith("run,")) else None
        if text is None:
            text = Path(source).read_text(encoding="utf-8")
    else:
        text = source.read()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise AssertionError("trajectory CSV is empty (no header)") from None
    if tuple(header) != COLUMNS:
        raise AssertionError(f"trajectory CSV header is {header}, expected {list(COLUMNS)}")
    rows = []
    for lineno, fields in enumerate(reader, start=2):
        if not fields:
            continue
        if len(fields) != len(COLUMNS):
            raise AssertionError(
                f"trajectory CSV line {lineno}: {len(fields)} fields, expected {len(COLUMNS)}"
            )
        row: Row = {}
        try:
            for name, value in zip(COLUMNS, fields, strict=True):
                if name in INT_COLUMNS:
                    row[name] = int(value)
                elif name == "label":
                    row[name] = value
                else:
                    row[name] = float(value)
        except ValueError as exc:
            raise AssertionError(f"trajectory CSV line {lineno}: {exc}") from None
        rows.append(row)
    return rows


def load_expected(case: str | Path) -> list[Row]:
    """The golden rows of a case (name, or its .toml/.csv path), ordered run, particle, step."""
    return read_rows(expected_path(case))


@dataclass(frozen=True)
class Mismatch:
    """One value outside tolerance."""

    key: Key
    label: str
    column: str
    actual: float
    expected: float
    allowed: float

    @property
    def ratio(self) -> float:
        diff = abs(self.actual - self.expected)
        return diff / self.allowed if math.isfinite(diff) else math.inf

    def describe(self, rtol: float, atol: float) -> str:
        run, particle, step = self.key
        diff = abs(self.actual - self.expected)
        return (
            f"run {run} ({self.label!r}) particle {particle} step {step} column {self.column!r}: "
            f"actual {self.actual!r}, expected {self.expected!r}, |diff| {diff:.3e} > allowed "
            f"{self.allowed:.3e} (atol {atol:g} + rtol {rtol:g} * |expected|)"
        )


def _as_rows(data: Any) -> list[Row]:
    if isinstance(data, list | tuple) and (not data or isinstance(data[0], Mapping)):
        return [dict(r) for r in data]
    if (
        isinstance(data, str)
        and "\n" not in data
        and not Path(data).exists()
        and expected_path(data).exists()
    ):
        return load_expected(data)  # a case name
    return read_rows(data)


def _index(rows: Sequence[Row], what: str) -> dict[Key, Row]:
    index: dict[Key, Row] = {}
    for row in rows:
        key = (row["run"], row["particle"], row["step"])
        if key in index:
            raise AssertionError(
                f"{what}: duplicate row run {key[0]} particle {key[1]} step {key[2]}"
            )
        index[key] = row
    return index


def _fmt_keys(keys: Iterable[Key], limit: int = 5) -> str:
    keys = sorted(keys)
    text = ", ".join(f"(run {r}, particle {p}, step {s})" for r, p, s in keys[:limit])
    return text + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def mismatches(
    actual: Any, expected: Any, rtol: float = RTOL, atol: float = ATOL
) -> tuple[list[Mismatch], float]:
    """All values outside tolerance (in expected order) and the worst |diff| / allowed.

    Both arguments: row dicts, CSV text or a path. Structural problems (missing,
    extra or duplicate rows, label mismatch) raise AssertionError."""
    __tracebackhide__ = True
    act = _index(_as_rows(actual), "actual CSV")
    exp = _index(_as_rows(expected), "expected CSV")
    missing = exp.keys() - act.keys()
    extra = act.keys() - exp.keys()
    if missing or extra:
        parts = [f"{len(act)} rows, expected {len(exp)}"]
        if missing:
            parts.append(f"missing {_fmt_keys(missing)}")
        if extra:
            parts.append(f"unexpected {_fmt_keys(extra)}")
        raise AssertionError("; ".join(parts))
    found: list[Mismatch] = []
    worst = 0.0
    for key, e in exp.items():
        a = act[key]
        if a["label"] != e["label"]:
            raise AssertionError(
                f"run {key[0]} particle {key[1]} step {key[2]}: label {a['label']!r}, "
                f"expected {e['label']!r}"
            )
        for column in FLOAT_COLUMNS:
            av, ev = float(a[column]), float(e[column])
            allowed = atol + rtol * abs(ev)
            diff = abs(av - ev)
            ratio = diff / allowed if math.isfinite(diff) else math.inf
            if av == ev:
                ratio = 0.0
            worst = max(worst, ratio)
            if not ratio <= 1.0:
                found.append(Mismatch(key, e["label"], column, av, ev, allowed))
    return found, worst


def max_error_ratio(actual: Any, expected: Any, rtol: float = RTOL, atol: float = ATOL) -> float:
    """Worst |actual - expected| / (atol + rtol |expected|) over all values (<= 1 passes)."""
    return mismatches(actual, expected, rtol, atol)[1]


def assert_rows_match(
    actual: Any,
    expected: Any,
    rtol: float = RTOL,
    atol: float = ATOL,
    *,
    case: str | Path | None = None,
    check_order: bool = False,
) -> None:
    """Fail with the first (in run, particle, step order) value outside tolerance.

    ``actual``: lrsim's CSV as text, bytes, a path, or row dicts. ``expected``: rows
    from :func:`load_expected`, a CSV path or text. ``case`` only labels the message.
    ``check_order``: also require the rows in the expected order (run, particle, step)."""
    __tracebackhide__ = True
    name = f"golden case {_case_name(case)!r}: " if case is not None else ""
    act_rows = _as_rows(actual)
    exp_rows = _as_rows(expected)
    try:
        found, worst = mismatches(act_rows, exp_rows, rtol, atol)
    except AssertionError as exc:
        raise AssertionError(f"{name}{exc}") from None
    if found:
        first = found[0]
        worst_m = max(found, key=lambda m: m.ratio)
        msg = (
            f"{name}{first.describe(rtol, atol)}\n"
            f"{len(found)} of {len(exp_rows) * len(FLOAT_COLUMNS)} values outside tolerance; "
            f"worst {worst:.3g}x the allowance at run {worst_m.key[0]} particle "
            f"{worst_m.key[1]} step {worst_m.key[2]} column {worst_m.column!r}"
        )
        raise AssertionError(msg)
    if check_order:
        order = [(r["run"], r["particle"], r["step"]) for r in act_rows]
        want = [(r["run"], r["particle"], r["step"]) for r in exp_rows]
        if order != want:
            at = next(i for i, (o, w) in enumerate(zip(order, want, strict=True)) if o != w)
            raise AssertionError(
                f"{name}row {at + 1} is (run, particle, step) {order[at]}, expected {want[at]}"
            )
