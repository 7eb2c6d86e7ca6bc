"""sin/cos of 2 pi x by quarter-turn reduction: exact where it must be, libm-close elsewhere."""

from __future__ import annotations

import numpy as np

from lrsim.core.surfaces.turns import sincos_turns, sincos_turns_numpy


def test_kernel_equals_numpy_twin_bit_for_bit():
    xs = np.random.default_rng(1).uniform(-40, 40, 2000)
    expected_sin, expected_cos = sincos_turns_numpy(xs)
    got = np.array([sincos_turns(x) for x in xs])
    np.testing.assert_array_equal(got[:, 0], expected_sin)
    np.testing.assert_array_equal(got[:, 1], expected_cos)


def test_quarter_turns_are_exact():
    quarters = np.arange(-40, 41) / 4.0
    sin, cos = sincos_turns_numpy(quarters)
    k = np.arange(-40, 41) % 4
    np.testing.assert_array_equal(sin, np.choose(k, [0.0, 1.0, 0.0, -1.0]))
    np.testing.assert_array_equal(cos, np.choose(k, [1.0, 0.0, -1.0, 0.0]))


def test_close_to_libm_within_argument_rounding():
    xs = np.random.default_rng(2).uniform(-6, 6, 20000)
    sin, cos = sincos_turns_numpy(xs)
    allowance = 2.3e-16 * np.abs(2 * np.pi * xs) + 2.3e-16  # libm rounds 2 pi x first
    assert np.all(np.abs(sin - np.sin(2 * np.pi * xs)) <= allowance)
    assert np.all(np.abs(cos - np.cos(2 * np.pi * xs)) <= allowance)
    np.testing.assert_allclose(sin * sin + cos * cos, 1.0, rtol=0, atol=5e-16)


def test_non_finite_inputs_give_non_finite_outputs():
    for value in (np.nan, np.inf, -np.inf):
        assert not all(np.isfinite(sincos_turns(value)))
