"""How reproducible is each golden case by an independent float64 implementation?

An implementation without torch (no FMA, closed-form schedules, analytic gradients)
differs from torch by rounding: ~1e-16..1e-13 relative per step (REFERENCE.md 0.4).
A golden case is only fair if such differences stay far below the conformance
tolerance |a - e| <= 1e-12 + 1e-9 |e| over the whole trajectory. This script reruns
every case in torch twice over:

* start: each start coordinate multiplied by 1 +- 1e-13 (four sign patterns; an
  exactly zero coordinate stays zero, as it would under rounding);
* gradient: the surface scaled by 1 +- 1e-13, so every gradient (and loss) of
  every step carries a relative error of that size, as an independent gradient
  formula does;

and reports the largest deviation from the unperturbed trajectory, in units of
that tolerance, over every x, y, loss, lr and momentum value. Because the probe
itself is ~1000 times a rounding error, the real margin is about that much larger.

It also reports two discrete-decision margins from the unperturbed run (also in
the case's meta.json): the smallest relative gap between a ReduceLROnPlateau
metric and its "is better" threshold, and how close (in decades) any |x|, |y|
or |loss| came to the 1e12 divergence bound.

Cases whose ratio exceeds --limit (default 0.1) are flagged: shorten or drop them.

    /tmp/torchvenv/bin/python tools/check_golden_sensitivity.py [CASE ...] [--delta 1e-13]
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_golden as mg  # noqa: E402

SIGNS = ((1, 1), (1, -1), (-1, 1), (-1, -1))


def deviation(base: list[tuple], other: list[tuple]) -> tuple[float, str]:
    """Largest |a - e| / (atol + rtol |e|) and where it happened."""
    worst, where = 0.0, ""
    for b, o in zip(base, other, strict=True):
        for col, e, a in zip(mg.COLUMNS[4:], b[4:], o[4:], strict=True):
            if e == a:
                continue
            ratio = abs(a - e) / (mg.ATOL + mg.RTOL * abs(e))
            if not math.isfinite(ratio):
                ratio = math.inf
            if ratio > worst:
                worst = ratio
                where = f"run {b[0]} particle {b[2]} step {b[3]} {col}"
    return worst, where


def check(name: str, delta: float) -> dict:
    case = mg.load_case(mg.CASES_DIR / f"{name}.toml")
    base, info = mg.run_case(case)
    committed = mg.EXPECTED_DIR / f"{name}.csv"
    up_to_date = committed.exists() and committed.read_text(encoding="utf-8") == mg.csv_text(base)
    worst, where = 0.0, ""
    worst_start = worst_grad = 0.0
    for sx, sy in SIGNS:

        def perturb(i, start, sx=sx, sy=sy):
            return (start[0] * (1 + sx * delta), start[1] * (1 + sy * delta))

        other, _ = mg.run_case(case, perturb)
        dev, at = deviation(base, other)
        worst_start = max(worst_start, dev)
        if dev > worst:
            worst, where = dev, f"start: {at}"
    for sign in (1, -1):
        other, _ = mg.run_case(case, scale=1 + sign * delta)
        dev, at = deviation(base, other)
        worst_grad = max(worst_grad, dev)
        if dev > worst:
            worst, where = dev, f"gradient: {at}"
    plateau = [
        p.get("plateau_min_decision_margin_rel")
        for r in info
        for p in r["particles"]
        if "plateau_min_decision_margin_rel" in p
    ]
    plateau = [m for m in plateau if m is not None]
    bound = [
        p["divergence_bound_margin_decades"]
        for r in info
        for p in r["particles"]
        if p["divergence_bound_margin_decades"] is not None
    ]
    return {
        "case": name,
        "ratio": worst,
        "start": worst_start,
        "grad": worst_grad,
        "where": where,
        "plateau_margin": min(plateau) if plateau else None,
        "bound_margin": min(bound) if bound else None,
        "up_to_date": up_to_date,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*")
    parser.add_argument("--delta", type=float, default=1e-13, help="relative start perturbation")
    parser.add_argument("--limit", type=float, default=0.1, help="flag ratios above this")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", UserWarning)
    names = args.cases or mg.case_names()
    results = [check(n, args.delta) for n in names]
    width = max(len(r["case"]) for r in results)
    print(f"{'case':<{width}}  start/tol  grad/tol  plateau gap  bound (dec)  csv  worst at")
    flagged = 0
    for r in results:
        flag = r["ratio"] > args.limit
        flagged += flag
        pm = f"{r['plateau_margin']:.1e}" if r["plateau_margin"] is not None else "-"
        bm = f"{r['bound_margin']:.2f}" if r["bound_margin"] is not None else "-"
        print(
            f"{r['case']:<{width}}  {r['start']:9.2e}  {r['grad']:8.2e}  {pm:>11}  {bm:>11}  "
            f"{'ok ' if r['up_to_date'] else 'OLD'}  {r['where']}{'   <-- FLAG' if flag else ''}"
        )
    worst = max(results, key=lambda r: r["ratio"])
    print(f"worst: {worst['case']} {worst['ratio']:.3e} of the tolerance; {flagged} flagged")
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
