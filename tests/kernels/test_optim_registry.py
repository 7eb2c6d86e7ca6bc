"""The optimizer registry: every id reaches its own kernel rule and reference; unknown ids raise."""

from __future__ import annotations

import numpy as np
import pytest

from lrsim.core.dispatch import OPTIMIZER_RULES, optimizer_id, update_block
from lrsim.core.errors import ConfigError
from lrsim.core.kernel import OPT_BASE
from lrsim.core.optim.registry import OPTIMIZER_ENTRIES, OPTIMIZERS, entry, get_optimizer

NAMES = sorted(name for name, item in OPTIMIZER_ENTRIES.items() if item.path == "fused")


def test_every_spec_has_one_entry_with_named_state_slots():
    assert set(OPTIMIZER_ENTRIES) == set(OPTIMIZERS)
    for name, item in OPTIMIZER_ENTRIES.items():
        spec = item.spec
        assert spec is OPTIMIZERS[name] and spec.name == name
        assert len(spec.state_names) == spec.n_slots, name
        assert len(spec.hyper_vector(spec.resolve({}))) == len(spec.hyper_names) <= 8
        assert spec.source, name


def _three_steps(name: str, rule: int):
    """Three updates of two particles through the dispatcher with rule number ``rule``,
    and the same through ``name``'s NumPy reference."""
    spec = OPTIMIZERS[name]
    params = spec.resolve({})
    state = np.zeros((OPT_BASE + spec.n_slots, 2))
    state[0], state[1] = [1.5, -0.5], [0.7, 2.0]
    state[OPT_BASE:] = spec.initial_slots(params)[:, None]
    theta = state[:2].T.copy()
    reference_state: dict = {}
    if name == "adagrad":
        reference_state["sum"] = np.zeros_like(theta)
    mom, hyper = spec.base_momentum(params), spec.hyper_vector(params)
    grads = np.array(
        [[[0.3, 2.0], [-1.2, 0.4]], [[0.5, -1.0], [-0.2, 0.9]], [[-0.4, 1.5], [1.0, 0.3]]]
    )
    nx, ny = np.empty(2), np.empty(2)
    for t, grad in enumerate(grads):
        n, lr = float(t + 1), 0.05 * (1 + t)
        update_block(
            rule, state, 0, OPT_BASE, n, lr, np.zeros(0), mom, hyper,
            grad[:, 0].copy(), grad[:, 1].copy(), nx, ny,
        )  # fmt: skip
        state[0], state[1] = nx, ny
        theta = entry(name).reference(theta, grad, reference_state, n, lr, mom, params)
    return np.column_stack([nx, ny]), theta


@pytest.mark.parametrize("name", NAMES)
def test_every_id_reaches_its_own_rule_and_reference(name):
    actual, expected = _three_steps(name, optimizer_id(name))
    np.testing.assert_allclose(actual, expected, rtol=1e-14, atol=1e-15)
    assert OPTIMIZER_RULES[optimizer_id(name)] is entry(name).update


def test_rules_differ_so_a_wrong_number_would_show():
    """Each rule gives its own first step here, so reaching a neighbour's rule would fail."""
    firsts = {}
    for name in NAMES:
        step, _ = _three_steps(name, optimizer_id(name))
        firsts.setdefault(optimizer_id(name), step)
    values = list(firsts.values())
    for i, a in enumerate(values):
        for b in values[i + 1 :]:
            assert not np.allclose(a, b)


def test_unknown_ids_raise():
    with pytest.raises(ConfigError, match="unknown optimizer 'muon'"):
        entry("muon")
    with pytest.raises(ConfigError):
        optimizer_id("sparse_adam")
    with pytest.raises(ConfigError) as raised:
        get_optimizer("muon")
    assert raised.value.field == "name" and "lion" in raised.value.problem
    with pytest.raises(ValueError, match="unknown optimizer rule"):
        _three_steps("sgd", len(OPTIMIZER_RULES))


def test_lbfgs_has_its_own_path_and_no_fused_rule():
    item = entry("lbfgs")
    assert item.path == "lbfgs" and item.update is None and optimizer_id("lbfgs") == -1
    assert set(NAMES) | {"lbfgs"} == set(OPTIMIZER_ENTRIES)
