"""Dispatch numbers come from the registries: every surface reaches its own kernel.

``dispatch.SURFACE_KERNELS`` and the branches of ``value_grad_block`` are derived from
``surfaces.registry.SURFACES`` (the rules' from ``optim.registry.RULES``, tested in
``test_optim_registry``), so a surface added to the registry needs no edit in dispatch.
"""

from __future__ import annotations

import numpy as np
import pytest

from lrsim.core.dispatch import (
    FORMULA_SURFACE,
    SURFACE_KERNELS,
    surface_id,
    update_block,
    value_grad_block,
)
from lrsim.core.kernel import OPT_BASE
from lrsim.core.surfaces import SURFACES

XS = np.array([0.31, -1.2, 0.77, 2.05, -0.4])
YS = np.array([-0.7, 0.45, 1.3, -1.9, 0.05])


def test_every_kernel_of_the_registry_has_a_number():
    kernels = {surface.value_grad for surface in SURFACES.values()}
    assert set(SURFACE_KERNELS[:FORMULA_SURFACE]) == kernels
    assert len(SURFACE_KERNELS[:FORMULA_SURFACE]) == len(kernels)  # no kernel twice


@pytest.mark.parametrize("name", list(SURFACES))
def test_every_surface_reaches_its_own_kernel(name):
    surface = SURFACES[name]
    p = surface.param_vector({})
    f, gx, gy = np.empty(XS.size), np.empty(XS.size), np.empty(XS.size)
    value_grad_block(surface_id(surface.value_grad), XS, YS, p, f, gx, gy)
    expected = surface.reference(XS, YS, p)
    for got, want in zip((f, gx, gy), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_surfaces_differ_so_a_wrong_number_would_show():
    values = {}
    for surface in SURFACES.values():
        f = np.empty(XS.size)
        value_grad_block(
            surface_id(surface.value_grad), XS, YS, surface.param_vector({}), f, *np.empty((2, 5))
        )
        values[surface.name] = f
    names = list(values)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not np.array_equal(values[a], values[b]), (a, b)


@pytest.mark.parametrize("number", [FORMULA_SURFACE + 1, -1, 1000])
def test_an_unknown_surface_number_raises(number):
    out = np.empty((3, XS.size))
    with pytest.raises(ValueError, match="unknown"):
        value_grad_block(number, XS, YS, np.ones(4), *out)


@pytest.mark.parametrize("number", [-1, 1000])
def test_an_unknown_rule_number_raises(number):
    state = np.zeros((OPT_BASE + 8, 2))
    with pytest.raises(ValueError, match="unknown"):
        update_block(
            number, state, 0, OPT_BASE, 1.0, 0.1, np.zeros(0), 0.0, np.zeros(8),
            np.ones(2), np.ones(2), np.empty(2), np.empty(2),
        )  # fmt: skip
