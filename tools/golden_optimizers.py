"""The optimizers added in the second release, as make_golden.py builds them.

Each run-file name maps to its reference class (torch.optim 2.13 or the add-on
package the contract pins), where its momentum column lives, and whether the
class takes ``foreach`` (torch's do: ``foreach=False``, the single-tensor code).
Run-file lists become the tuples the constructors expect; Adafactor's
``eps = ["auto", x]`` becomes torch's ``(None, x)``.

Needs the reference packages (not project dependencies)::

    pip install torch==2.13.0 lion-pytorch==0.2.5 schedulefree==1.4.1 prodigyopt==1.1.2
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

import torch


def _lion():
    from lion_pytorch import Lion

    return Lion


def _schedulefree(name: str):
    import schedulefree

    return getattr(schedulefree, name)


def _prodigy():
    from prodigyopt import Prodigy

    return Prodigy


# name -> (class factory, momentum kind, takes foreach, distribution for the version)
EXTRA_OPTIMIZERS: dict[str, tuple[Any, str | None, bool, str]] = {
    "lion": (_lion, "beta1", False, "lion-pytorch"),
    "rprop": (lambda: torch.optim.Rprop, None, True, "torch"),
    "asgd": (lambda: torch.optim.ASGD, None, True, "torch"),
    "adafactor": (lambda: torch.optim.Adafactor, None, True, "torch"),
    "schedulefree_adamw": (
        lambda: _schedulefree("AdamWScheduleFree"),
        "beta1",
        True,
        "schedulefree",
    ),
    "schedulefree_sgd": (
        lambda: _schedulefree("SGDScheduleFree"),
        "momentum",
        True,
        "schedulefree",
    ),
    "prodigy": (_prodigy, "beta1", False, "prodigyopt"),
    "lbfgs": (lambda: torch.optim.LBFGS, None, False, "torch"),
}

PAIRS = ("betas", "etas", "step_sizes", "eps")


def build_extra_optimizer(config: Mapping[str, Any], param: torch.Tensor):
    """(optimizer, momentum kind, description) for one of ``EXTRA_OPTIMIZERS``."""
    name = config["name"]
    factory, kind, takes_foreach, dist = EXTRA_OPTIMIZERS[name]
    cls = factory()
    kwargs = {k: v for k, v in config.items() if k != "name"}
    for key in PAIRS:
        if isinstance(kwargs.get(key), list):
            kwargs[key] = tuple(None if v == "auto" else float(v) for v in kwargs[key])
    for key in ("foreach", "fused", "capturable", "differentiable", "use_triton"):
        if key in kwargs:
            raise ValueError(f"optimizer.{key}: not a run-file parameter")
    if kwargs.get("line_search_fn") == "none":  # lbfgs: the run file's "none" is torch's None
        kwargs["line_search_fn"] = None
    if takes_foreach:
        kwargs["foreach"] = False
    opt = cls([param], **kwargs)
    if hasattr(opt, "train"):  # Schedule-Free: steps are taken in train mode (y), never eval()
        opt.train()
    desc = {
        "class": f"{cls.__module__}.{cls.__name__}",
        "package": f"{dist} {version(dist)}",
        "kwargs": {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()},
    }
    return opt, kind, desc


def step_optimizer(opt, loss_of) -> None:
    """``opt.step()``; L-BFGS gets ``step(closure)``, one call per row (it re-evaluates)."""
    if isinstance(opt, torch.optim.LBFGS):

        def closure():
            opt.zero_grad(set_to_none=True)
            value = loss_of()
            value.backward()
            return value

        opt.step(closure)
    else:
        opt.step()
