"""First start: the NumPy engine serves the app's scenes while the kernels compile."""

from __future__ import annotations

import numpy as np
import pytest

from lrsim.core import warmup
from lrsim.core.engine import REFERENCE_PARTICLE_STEPS, Simulation
from lrsim.core.runfile import load_runfile, parse_runfile
from lrsim.core.surfaces import SURFACES

PRESETS = (
    "fixed-vs-decay", "basins", "noise-batch-04", "one-cycle", "cosine-restarts-warmup",
    "optimizers-rosenbrock", "decay-family",
)  # fmt: skip
CHAOTIC = ("plateau", "cyclical-escape")  # lr 6 on Rastrigin, cyclic rates on a rippled bowl


@pytest.mark.parametrize("preset", PRESETS)
def test_reference_simulation_gives_the_kernels_numbers(preset):
    runfile = load_runfile(f"resources/presets/{preset}.toml")
    fast = Simulation(runfile, engine="kernel")
    slow = Simulation(runfile, engine="reference")
    assert (fast.engine, slow.engine) == ("kernel", "reference")
    fast.run_to_end()
    slow.run_to(1)  # the reference engine computes the whole run at once
    assert slow.current_step == slow.steps
    for a, b in zip(fast.runs, slow.runs, strict=True):
        for name in ("x", "y", "loss", "lr", "momentum"):
            np.testing.assert_allclose(
                getattr(b, name), getattr(a, name), rtol=1e-9, atol=1e-12, err_msg=name
            )
        assert np.array_equal(a.frozen_at, b.frozen_at)


@pytest.mark.parametrize("preset", CHAOTIC)
def test_chaotic_presets_agree_until_chaos_amplifies_last_bit_differences(preset):
    # NumPy's and LLVM's sin / cos / exp may differ in the last bit; where the dynamics are
    # chaotic that grows over tens of steps (the app redoes the scene with the kernels)
    runfile = load_runfile(f"resources/presets/{preset}.toml")
    fast = Simulation(runfile, engine="kernel")
    slow = Simulation(runfile, engine="reference")
    fast.run_to_end()
    slow.run_to_end()
    for a, b in zip(fast.runs, slow.runs, strict=True):
        np.testing.assert_allclose(b.x[:, :11], a.x[:, :11], rtol=1e-12, atol=1e-12)


def test_reference_simulation_records_every_kth_step_like_the_kernel():
    runfile = load_runfile("resources/presets/fixed-vs-decay.toml")
    fast = Simulation(runfile, engine="kernel", stride=7)
    slow = Simulation(runfile, engine="reference", stride=7)
    fast.run_to_end()
    slow.run_to_end()
    assert np.array_equal(fast.recorded_steps, slow.recorded_steps)
    np.testing.assert_allclose(slow.runs[0].x, fast.runs[0].x, rtol=1e-9, atol=1e-12)


def test_grid_in_numpy_matches_the_kernel_grid():
    xs, ys = np.linspace(-1.5, 1.5, 7), np.linspace(-1.0, 2.0, 5)
    for surface in SURFACES.values():
        p = surface.param_vector({})
        np.testing.assert_allclose(
            surface.evaluate_grid(xs, ys, p, engine="reference"),
            surface.evaluate_grid(xs, ys, p, engine="kernel"),
            rtol=1e-12,
            atol=1e-12,
            err_msg=surface.name,
        )


def test_auto_uses_numpy_only_when_the_app_opted_in_and_the_cache_is_cold(tmp_path, monkeypatch):
    import numba

    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))  # env: numba reloads it
    monkeypatch.setattr(warmup, "_ready", False)
    runfile = load_runfile("resources/presets/fixed-vs-decay.toml")
    assert not warmup.kernels_ready()
    assert Simulation(runfile).engine == "kernel"  # commands and tests: always the kernels
    monkeypatch.setattr(warmup, "_numpy_while_compiling", True)
    assert Simulation(runfile).engine == "reference"
    big = parse_runfile(
        {
            "steps": 100,
            "surface": {"name": "quadratic"},
            "particles": {"random": {"n": REFERENCE_PARTICLE_STEPS // 100 + 1, "seed": 0}},
            "runs": [{"optimizer": {"name": "sgd", "lr": 0.1}}],
        }
    )
    assert Simulation(big).engine == "kernel"  # too big for NumPy: wait for the compiler
    warmup.mark_ready()
    assert (tmp_path / warmup.MARKER).exists()
    monkeypatch.setattr(warmup, "_ready", False)
    assert warmup.kernels_ready()
    assert Simulation(runfile).engine == "kernel"


def test_an_unknown_engine_is_a_programming_error():
    runfile = load_runfile("resources/presets/fixed-vs-decay.toml")
    with pytest.raises(ValueError, match="engine"):
        Simulation(runfile, engine="fast")
