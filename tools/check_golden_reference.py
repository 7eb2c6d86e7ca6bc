"""Golden cases against lrsim's plain NumPy / Python references (no torch, no numba kernel).

For the second release's optimizers (lion, rprop, asgd, adafactor, schedulefree_*,
prodigy, lbfgs) and ``maximize``, the independent float64 implementation is lrsim's
own reference path (``lrsim/core/reference_engine.py``, ``lrsim/core/optim/*.py``
``reference`` functions, ``lbfgs.reference_step``): written from the sources, with
no FMA and analytic gradients. This replays every case (or those named) through it
and prints the worst error as a fraction of the tolerance 1e-12 + 1e-9 |v|.

    PYTHONPATH=. python tools/check_golden_reference.py [CASE ...]
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lrsim.core.reference_engine import simulate_run  # noqa: E402
from lrsim.core.runfile import load_runfile  # noqa: E402
from tests.golden import golden  # noqa: E402


def reference_csv(name: str) -> str:
    runfile = load_runfile(golden.case_path(name))
    out = io.StringIO()
    out.write(",".join(golden.COLUMNS) + "\n")
    for r, run in enumerate(runfile.runs):
        result = simulate_run(runfile, r)
        for i in range(result["x"].shape[0]):
            for t in range(runfile.steps + 1):
                values = (
                    result["x"][i, t], result["y"][i, t], result["loss"][i, t],
                    result["lr"][i, t], result["momentum"][t],
                )  # fmt: skip
                label = '"' + run.label.replace('"', '""') + '"'
                out.write(f"{r},{label},{i},{t}," + ",".join(repr(float(v)) for v in values))
                out.write("\n")
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    names = (argv if argv is not None else sys.argv[1:]) or golden.case_names()
    worst_all, failed = 0.0, 0
    for name in names:
        found, worst = golden.mismatches(reference_csv(name), golden.load_expected(name))
        worst_all = max(worst_all, worst)
        failed += bool(found)
        print(f"{name:<45} {worst:10.3e}  {'ok' if not found else f'FAIL ({len(found)} values)'}")
    print(f"worst {worst_all:.3e} of the tolerance; {failed} cases failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
