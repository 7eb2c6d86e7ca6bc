"""AdamW (torch.optim.AdamW): Adam's rule, constants and split with decoupled decay."""

from __future__ import annotations

from lrsim.core.optim import adam
from lrsim.core.optim.torch_classic import adam_family_entry, adam_like

SPEC = adam_like(
    "adamw",
    "AdamW",
    "Adam with decoupled weight decay: theta *= 1 - lr * weight_decay before the Adam step.",
    1e-3,
    1e-2,
)


def reference(theta, grad, state, n, lr, beta1, p):
    return adam.reference(theta, grad, state, n, lr, beta1, p, decoupled=True)


ENTRIES = (
    adam_family_entry(
        SPEC,
        adam.update,  # one rule: the hyper vector's "decoupled" is 1.0
        adam.constants,
        reference,
        split=adam.split,
        split_labels=adam.ENTRIES[0].split_labels,
    ),
)
