"""ReduceLROnPlateau: validated here, applied per particle by the engine (REFERENCE 1.12).

The lr curve is the optimizer's lr; the cuts depend on each particle's own loss,
so the fused kernel and the NumPy reference engine apply them step by step.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lrsim.core.errors import ConfigError
from lrsim.core.params import ParamSpec
from lrsim.core.schedules import _checks as checks
from lrsim.core.schedules._display import Knob
from lrsim.core.schedules._spec import Context, ScheduleSpec, lr_only

Params = dict[str, Any]

# --- plateau (ReduceLROnPlateau: per particle, in the engine) -----------------------------


def _plateau_check(params: Params, context: Context) -> None:
    # torch checks only factor < 1; patience, cooldown, threshold and eps are compared as
    # numbers, so fractional (or negative) values run as they run there.
    if not params["factor"] < 1:
        raise ConfigError(
            "factor",
            f"must be below 1 (torch raises ValueError otherwise), got {params['factor']!r}",
        )
    checks.non_negative(params, "min_lr")


def kernel_vector(params: Params) -> np.ndarray:
    """ReduceLROnPlateau's parameters in the order the kernel reads them."""
    return np.array(
        [
            1.0 if params["mode"] == "max" else 0.0,
            params["factor"],
            params["patience"],
            params["threshold"],
            1.0 if params["threshold_mode"] == "abs" else 0.0,
            params["cooldown"],
            params["min_lr"],
            params["eps"],
        ],
        dtype=np.float64,
    )


def _plateau_lr(params: Params, t: np.ndarray, base_lr: float) -> np.ndarray:
    # The cuts depend on each particle's loss; the engine applies them per particle.
    return np.full(t.shape, base_lr)


PLATEAU = ScheduleSpec(
    name="plateau",
    title="Reduce on plateau (ReduceLROnPlateau)",
    doc=(
        "Watches each particle's loss and multiplies its lr by factor after more than "
        "patience steps without improvement: lr <- max(lr * factor, min_lr), "
        "then waits cooldown steps. Improvement (mode min, rel): loss < best * (1 - threshold). "
        "The cut happens when the count of bad steps exceeds patience, so a fractional "
        "patience such as 2.5 cuts on the 3rd bad step, as in PyTorch."
    ),
    params=(
        ParamSpec(
            "mode",
            "choice",
            "min",
            "'min': lower loss is better; 'max': higher is better.",
            choices=("min", "max"),
        ),
        ParamSpec("factor", "float", 0.1, "The lr is multiplied by this at each cut (below 1)."),
        ParamSpec("patience", "float", 10, "Steps without improvement tolerated before a cut."),
        ParamSpec("threshold", "float", 1e-4, "How much better a loss must be to count."),
        ParamSpec(
            "threshold_mode",
            "choice",
            "rel",
            "'rel': better by a fraction of the best loss; 'abs': by a fixed amount.",
            choices=("rel", "abs"),
        ),
        ParamSpec("cooldown", "float", 0, "Steps to wait after a cut before counting again."),
        ParamSpec("min_lr", "float", 0.0, "The lr is never cut below this."),
        ParamSpec("eps", "float", 1e-8, "Cuts smaller than this are skipped."),
    ),
    check=_plateau_check,
    curve=lr_only(_plateau_lr),
    torch_class="ReduceLROnPlateau",
    per_particle=kernel_vector,
    live_knob=Knob("factor", 0.01, 0.99),
    figure=(),  # its lr follows each particle's loss: no curve of t alone
)

SPECS = (PLATEAU,)
