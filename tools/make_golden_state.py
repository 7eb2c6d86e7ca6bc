"""Golden optimizer state: ``tests/golden/expected/<case>.state.csv`` from the reference packages.

For ``lrsim export --state`` (run-config.md): the same loop as make_golden.py, and
after every update the reference optimizer's ``state`` (and the few group
scalars the contract names: Prodigy's d, d_max, d_numerator; Schedule-Free's
lr_max, weight_sum) flattened into columns ``<key>_x`` / ``<key>_y`` (0-d values
one column ``<key>``; counters ``step``, ``k``, ``n_iter``, ``func_evals`` and
L-BFGS's history lists left out). Schedule-Free's evaluation point is
``torch.lerp(p, z, 1 - 1/beta1)``, what ``optimizer.eval()`` computes, as
``eval_x, eval_y``, with the beta1 (momentum) of the row, i.e. after the
scheduler's step. Rows: run, particle, step (from 1); cells empty where the
optimizer has no such state. A diverged particle's state stays as it was after
the update that diverged.

    /tmp/torchvenv/bin/python tools/make_golden_state.py [CASE ...]   # default: STATE_CASES
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_golden as mg  # noqa: E402
import torch  # noqa: E402
from golden_optimizers import step_optimizer  # noqa: E402

STATE_CASES = (
    "all_optimizers_booth",
    "rmsprop_rosenbrock_variants",
    "adam_rosenbrock_amsgrad",
    "sgd_quadratic_lr_diverges",
    "maximize_every_optimizer",
    "lion_rosenbrock_cosine_weight_decay",
    "rprop_beale_options",
    "asgd_booth_averaging",
    "adafactor_himmelblau_options",
    "schedulefree_adamw_rosenbrock_vs_warmup",
    "schedulefree_sgd_booth_cyclic_momentum",
    "prodigy_himmelblau_d0",
    "lbfgs_rosenbrock_line_search",
    "lbfgs_himmelblau_options",
)
SKIP = {"step", "k", "n_iter", "func_evals", "old_dirs", "old_stps", "ro", "al"}
GROUP_KEYS = ("d", "d_max", "d_numerator", "lr_max", "weight_sum")


def _flatten(key: str, value) -> dict[str, float]:
    if isinstance(value, torch.Tensor):
        if value.dim() == 0:
            return {key: float(value)}
        return {f"{key}_x": float(value[0]), f"{key}_y": float(value[1])}
    return {key: float(value)}


def state_of(opt, param) -> dict[str, float]:
    """The reference optimizer's state after an update, flattened into named cells."""
    cells: dict[str, float] = {}
    state = opt.state[param] if param in opt.state else opt.state[opt.param_groups[0]["params"][0]]
    for key, value in state.items():
        if key in SKIP or value is None or isinstance(value, list):
            continue
        if key == "d" and type(opt).__name__ == "Prodigy":
            continue  # Prodigy's d is the group's scalar, below
        cells.update(_flatten(key, value))
    group = opt.param_groups[0]
    module = type(opt).__module__
    if module.startswith(("prodigyopt", "schedulefree")):
        for key in GROUP_KEYS:
            if key in group and not (module.startswith("schedulefree") and key[0] == "d"):
                cells[key] = float(group[key])
    if module.startswith("schedulefree") and "z" in state:
        beta1 = group["betas"][0] if "betas" in group else group["momentum"]
        cells.update(_flatten("eval", torch.lerp(param.detach(), state["z"], 1 - 1 / beta1)))
    return cells


def state_rows(f, start, optimizer, schedule, steps):
    """[(step, cells)] for t = 1..steps of one particle."""
    param = torch.tensor([float(start[0]), float(start[1])], requires_grad=True)
    opt, _, _ = mg.build_optimizer(optimizer, param)
    sched, is_plateau, _ = mg.build_schedule(opt, schedule, steps)

    def loss_of():
        return f(param[0], param[1])

    loss = loss_of()
    rows, frozen = [], None
    for t in range(1, steps + 1):
        stepped = frozen is None
        if stepped:
            opt.zero_grad(set_to_none=True)
            loss.backward()
            step_optimizer(opt, loss_of)
            loss = loss_of()
        if is_plateau:
            sched.step(float(loss))
        else:
            sched.step()
        if stepped:  # read after the scheduler: eval() at row t uses the row's beta1
            cells = state_of(opt, param)
            values = (float(param[0]), float(param[1]), float(loss))
            if not all(math.isfinite(v) and abs(v) <= mg.BOUND for v in values):
                frozen = cells
        rows.append((t, cells if frozen is None else frozen))
    return rows


def state_csv(name: str) -> str:
    case = mg.load_case(mg.CASES_DIR / f"{name}.toml")
    f, _, _ = mg.surface_function(case["surface"])
    table = []
    for r, run in enumerate(case["runs"]):
        for i, point in enumerate(case["particles"]["points"]):
            schedule = run.get("schedule", {"name": "constant"})
            for t, cells in state_rows(f, point, run["optimizer"], schedule, case["steps"]):
                table.append((r, i, t, cells))
    columns = list(dict.fromkeys(key for *_, cells in table for key in cells))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["run", "particle", "step", *columns])
    for r, i, t, cells in table:
        writer.writerow([r, i, t, *(repr(cells[c]) if c in cells else "" for c in columns)])
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", UserWarning)
    for name in args.cases or STATE_CASES:
        text = state_csv(name)
        path = mg.EXPECTED_DIR / f"{name}.state.csv"
        path.write_text(text, encoding="utf-8")
        print(f"{path.name}: {text.count(chr(10)) - 1} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
