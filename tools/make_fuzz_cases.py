"""Random golden cases for the second release's optimizers: ``tests/golden/cases/fuzz_*.toml``.

Each file holds one optimizer with random parameters (seeded, so the files are
reproducible), a random schedule per run and random starts on one of a few
smooth surfaces. make_golden.py then computes their torch (or add-on package)
trajectories like any case, check_golden_sensitivity.py must keep each below
0.1 of the tolerance, and the suite replays them (tests/golden/test_golden_fuzz.py).

    python tools/make_fuzz_cases.py [--files-per-optimizer 3] [--seed 14]
"""

from __future__ import annotations

import argparse
import math
import random
from pathlib import Path

CASES = Path(__file__).resolve().parent.parent / "tests" / "golden" / "cases"
SURFACES = ("quadratic", "ill_conditioned", "booth", "matyas", "himmelblau", "three_hump_camel")


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return float(f"{math.exp(rng.uniform(math.log(low), math.log(high))):.4g}")


def _uniform(rng: random.Random, low: float, high: float) -> float:
    return float(f"{rng.uniform(low, high):.4g}")


def _lion(rng):
    p = {
        "lr": _log_uniform(rng, 1e-3, 0.1),
        "betas": [_uniform(rng, 0.5, 0.99), _uniform(rng, 0.8, 0.999)],
    }
    if rng.random() < 0.5:
        p["weight_decay"] = _uniform(rng, 0.0, 0.5)
        p["decoupled_weight_decay"] = rng.random() < 0.5
        if p["decoupled_weight_decay"]:
            p["weight_decay"] = _uniform(rng, 0.0, 0.01)
    return p


def _rprop(rng):
    return {
        "lr": _log_uniform(rng, 1e-3, 0.3),
        "etas": [_uniform(rng, 0.2, 0.9), _uniform(rng, 1.05, 2.0)],
        "step_sizes": [_log_uniform(rng, 1e-7, 1e-3), _uniform(rng, 0.1, 50.0)],
    }


def _asgd(rng):
    p = {
        "lr": _log_uniform(rng, 1e-3, 0.02),
        "lambd": _log_uniform(rng, 1e-5, 0.1),
        "alpha": _uniform(rng, 0.5, 1.0),
        "t0": float(rng.randint(1, 20)) if rng.random() < 0.6 else 1e6,
    }
    if rng.random() < 0.5:
        p["weight_decay"] = _uniform(rng, 0.0, 0.2)
    return p


def _adafactor(rng):
    eps1 = "auto" if rng.random() < 0.5 else _log_uniform(rng, 1e-12, 1e-6)
    p = {
        "lr": _log_uniform(rng, 1e-3, 0.15),
        "beta2_decay": _uniform(rng, -1.0, -0.2),
        "eps": [eps1, _log_uniform(rng, 1e-4, 0.1)],
        "d": _uniform(rng, 1.0, 3.0),
    }
    if rng.random() < 0.5:
        p["weight_decay"] = _uniform(rng, 0.0, 0.1)
    return p


def _schedule_free(rng, adam: bool):
    p = {"lr": _log_uniform(rng, 1e-3, 0.1 if adam else 0.02)}
    if adam:
        p["betas"] = [_uniform(rng, 0.5, 0.95), _uniform(rng, 0.9, 0.999)]
        p["eps"] = _log_uniform(rng, 1e-10, 1e-4)
    else:
        p["momentum"] = _uniform(rng, 0.5, 0.95)
    if rng.random() < 0.5:
        p["weight_decay"] = _uniform(rng, 0.0, 0.1)
    p["warmup_steps"] = rng.choice((0, rng.randint(1, 10)))
    if rng.random() < 0.5:
        p["r"] = _uniform(rng, 0.0, 2.0)
    p["weight_lr_power"] = _uniform(rng, 0.0, 3.0)
    return p


def _prodigy(rng):
    p = {
        "lr": _uniform(rng, 0.3, 1.0),
        "betas": [_uniform(rng, 0.0, 0.95), _uniform(rng, 0.9, 0.999)],
        "d0": _log_uniform(rng, 0.01, 0.1),
        "d_coef": _uniform(rng, 0.5, 1.5),
        "use_bias_correction": rng.random() < 0.5,
        "safeguard_warmup": rng.random() < 0.5,
        "growth_rate": rng.choice((math.inf, _uniform(rng, 1.02, 2.0))),
    }
    if rng.random() < 0.5:
        p["beta3"] = _uniform(rng, 0.8, 0.999)
    if rng.random() < 0.5:
        p["weight_decay"] = _uniform(rng, 0.0, 0.1)
        p["decouple"] = rng.random() < 0.5
    return p


def _lbfgs(rng):
    p = {"lr": _uniform(rng, 0.05, 1.0), "max_iter": rng.randint(1, 4)}
    if rng.random() < 0.5:
        p["line_search_fn"] = "strong_wolfe"
    if rng.random() < 0.5:
        p["history_size"] = rng.randint(1, 5)
    if rng.random() < 0.3:
        p["max_eval"] = rng.randint(1, 8)
    if rng.random() < 0.3:
        p["tolerance_grad"] = _log_uniform(rng, 1e-9, 1e-5)
        p["tolerance_change"] = _log_uniform(rng, 1e-12, 1e-8)
    return p


OPTIMIZERS = {
    "lion": _lion,
    "rprop": _rprop,
    "asgd": _asgd,
    "adafactor": _adafactor,
    "schedulefree_adamw": lambda rng: _schedule_free(rng, adam=True),
    "schedulefree_sgd": lambda rng: _schedule_free(rng, adam=False),
    "prodigy": _prodigy,
    "lbfgs": _lbfgs,
}
STEPS = {"prodigy": 10, "lbfgs": 4}  # d's estimate amplifies rounding: shorter runs stay well-posed


def _schedule(rng: random.Random) -> dict:
    kind = rng.choice(("constant", "cosine", "step", "exponential", "linear"))
    if kind == "step":
        return {"name": "step", "step_size": rng.randint(5, 15), "gamma": _uniform(rng, 0.3, 0.9)}
    if kind == "exponential":
        return {"name": "exponential", "gamma": _uniform(rng, 0.9, 0.99)}
    if kind == "linear":
        return {"name": "linear", "start_factor": 1.0, "end_factor": _uniform(rng, 0.1, 0.9)}
    return {"name": kind}


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    return repr(value)


def case_text(name: str, index: int, rng: random.Random, steps: int = 24) -> str:
    surface = rng.choice(SURFACES)
    starts = [[_uniform(rng, -3.0, 3.0), _uniform(rng, -3.0, 3.0)] for _ in range(2)]
    lines = [
        f'title = "Random {name} parameters and schedules ({index}), generated by '
        f'tools/make_fuzz_cases.py"',
        f"steps = {steps}",
        "",
        "[surface]",
        f'name = "{surface}"',
        "",
        "[particles]",
        f"points = {_toml(starts)}",
    ]
    for run in range(4):
        optimizer = {"name": name, **OPTIMIZERS[name](rng)}
        lines += [
            "",
            "[[runs]]",
            f'label = "{name} {run}"',
            f"optimizer = {_toml(optimizer)}",
            f"schedule = {_toml(_schedule(rng))}",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files-per-optimizer", type=int, default=3)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    for name in OPTIMIZERS:
        rng = random.Random(f"{args.seed}-{name}")
        for index in range(args.files_per_optimizer):
            path = CASES / f"fuzz_{name}_{index}.toml"
            text = case_text(name, index, rng, STEPS.get(name, 24))
            path.write_text(text, encoding="utf-8")
            print(path.name)


if __name__ == "__main__":
    main()
