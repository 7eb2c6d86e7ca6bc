"""What every optimizer declaration is made of: ``OptimizerSpec`` and its helpers.

An optimizer is one module holding an ``OptimizerEntry``: its ``OptimizerSpec``
(parameters with the source's names, defaults and docs; where its momentum lives;
its per-particle state slots and their names; its constructor checks), its numba
rule, its per-step constants, its NumPy reference and what the inner-state panel
and the step anatomy read of it; ``registry.py`` lists the modules. ``hyper_vector`` packs the
constant hyper-parameters into the float64 array the kernels read; ``lr`` and
the momentum (SGD/RMSprop ``momentum`` or the Adam family's ``betas[0]``) are
not in it because schedules may change them every step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrsim.core.errors import ConfigError
from lrsim.core.params import ParamSpec, resolve_params

LR_DOC = "Learning rate: the step size every update is multiplied by."
WD_DOC = "L2 penalty: weight_decay * theta is added to the gradient."
MAXIMIZE = ParamSpec(
    "maximize",
    "bool",
    False,
    "Maximise the objective: the gradient's sign is flipped before everything else.",
)


def param(name: str, kind: str, default: Any, doc: str, **more: Any) -> ParamSpec:
    return ParamSpec(name, kind, default, doc, **more)


def require(condition: bool, field: str, problem: str) -> None:
    """A ConfigError naming ``field`` unless ``condition``: the source's constructor checks."""
    if not condition:
        raise ConfigError(field, problem)


@dataclass(frozen=True)
class OptimizerSpec:
    """One optimizer: its parameters, where its momentum lives and its state slots.

    ``checks(name, params)`` raises a ConfigError as the source's constructor
    refuses a value; ``hyper(params)`` gives the kernel's constant hyper-parameters
    in ``hyper_names`` order (a float each, at most 8); ``initial(params)`` the
    starting state slots (zeros when None). ``state_names`` names the slots after
    the source's state keys (``exp_avg_x``, ``eta``); ``source`` is the reference
    implementation the numbers are matched against.
    """

    name: str
    title: str
    doc: str
    params: tuple[ParamSpec, ...]
    momentum_kind: str | None  # "momentum", "beta1" or None
    n_slots: int  # per-particle float64 state slots the kernel uses
    hyper_names: tuple[str, ...]  # order of hyper_vector entries
    checks: Callable[[str, Mapping[str, Any]], None]
    hyper: Callable[[Mapping[str, Any]], list[float]] | None = None
    initial: Callable[[Mapping[str, Any]], list[float]] | None = None
    state_names: tuple[str, ...] = ()
    source: str = ""
    hidden_state: Callable[[Mapping[str, Any]], tuple[str, ...]] | None = None

    def exported_state(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        """The state slots ``lrsim export --state`` writes for these parameters: the ones the
        source keeps in its state (a name starting with "_" is lrsim's own bookkeeping)."""
        hidden = self.hidden_state(params) if self.hidden_state is not None else ()
        return tuple(n for n in self.state_names if not n.startswith("_") and n not in hidden)

    def resolve(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """All parameters with defaults filled, checked as the source checks them."""
        params = resolve_params(self.params, given)
        self.checks(self.name, params)
        return params

    def base_momentum(self, params: Mapping[str, Any]) -> float:
        """The momentum (or beta1) the optimizer uses when no schedule cycles it."""
        if self.momentum_kind == "momentum":
            return float(params["momentum"])
        if self.momentum_kind == "beta1":
            return float(params["betas"][0])
        return 0.0

    def initial_slots(self, params: Mapping[str, Any]) -> np.ndarray:
        """Starting values of the per-particle state (zeros but where the source differs)."""
        slots = np.zeros(self.n_slots, dtype=np.float64)
        if self.initial is not None:
            slots[:] = self.initial(params)
        return slots

    def hyper_vector(self, params: Mapping[str, Any]) -> np.ndarray:
        """The constant hyper-parameters as float64, in ``hyper_names`` order."""
        if self.hyper is not None:
            values = self.hyper(params)
        else:
            values = [float(params[name]) for name in self.hyper_names]
        vector = np.array(values, dtype=np.float64)
        if vector.shape != (len(self.hyper_names),) or len(vector) > 8:
            raise AssertionError(f"{self.name}: hyper vector {vector} vs {self.hyper_names}")
        return vector


@dataclass(frozen=True)
class OptimizerEntry:
    """Everything about one optimizer, declared in its module and listed by ``registry.py``.

    An elementwise optimizer runs in the fused kernel (``path`` "fused") with ``update``,
    ``constants`` and ``reference``; L-BFGS has its own path ("lbfgs": lbfgs_kernel.py and
    ``lbfgs.reference_step``) and no rule. The rest is what the app shows of the state:
    ``effective`` names the quantity ``effective_step(slots, lr, mom, n, params)`` gives
    (NumPy, from the kernel's slots after update n; None on the "lbfgs" path, whose
    kernel keeps its step t); ``adaptive`` says it is per coordinate (rows x then y) and
    the step anatomy shows it; ``split(h, slots, theta, g, lr, mom, n)`` splits an
    update exactly into (gradient part, momentum part) labelled ``split_labels``;
    ``averaged(slots, x, y, beta1)`` is the averaged point kept beside each particle
    (``eval_columns``: ``lrsim export --state`` writes it as eval_x, eval_y).
    """

    spec: OptimizerSpec
    update: Callable | None  # numba rule: update(s, i, n, x, y, gx, gy, lr, mom, h, c)
    constants: Callable | None  # numba: constants(n, mom, h) -> 3 floats per step
    reference: Callable | None  # NumPy: reference(theta, grad, state, n, lr, mom, params)
    path: str = "fused"
    effective: str = ""
    effective_step: Callable | None = None
    adaptive: bool = False
    split: Callable | None = None
    split_labels: tuple[str, str] = ("-lr·g", "-lr·β1·m")
    averaged: Callable | None = None
    eval_columns: bool = False  # ``--state`` adds the averaged point as eval_x, eval_y
