"""Counter-based Gaussian noise: the draw for (seed, particle, step) is a pure function.

So a particle's noisy path is the same whether it is simulated alone, in a swarm,
serially or on many threads. splitmix64 hashes the counter to two uniforms and
Box-Muller turns them into a standard normal pair (one for x, one for y).
"""

from __future__ import annotations

import math

import numpy as np

from lrsim.core.jit import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)
_TWO_POW_53 = 1.0 / 9007199254740992.0


@njit(cache=True, inline="always")
def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * _MUL1
    z = (z ^ (z >> np.uint64(27))) * _MUL2
    return z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def gaussian_pair(seed, particle, step):
    """Two independent N(0, 1) draws for this (seed, particle, step)."""
    key = _mix(np.uint64(seed) ^ _mix(np.uint64(particle) * _GOLDEN + np.uint64(step)))
    second = _mix(key + _GOLDEN)
    u1 = (float(key >> np.uint64(11)) + 0.5) * _TWO_POW_53
    u2 = float(second >> np.uint64(11)) * _TWO_POW_53
    radius = math.sqrt(-2.0 * math.log(u1))
    angle = 2.0 * math.pi * u2
    return radius * math.cos(angle), radius * math.sin(angle)


def _mix_numpy(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> np.uint64(30))) * _MUL1
    z = (z ^ (z >> np.uint64(27))) * _MUL2
    return z ^ (z >> np.uint64(31))


def gaussian_pairs_numpy(seed: int, particles: np.ndarray, step: int) -> np.ndarray:
    """NumPy twin of ``gaussian_pair`` for many particles: shape (N, 2)."""
    with np.errstate(over="ignore"):
        particles = np.asarray(particles, dtype=np.uint64)
        key = _mix_numpy(np.uint64(seed) ^ _mix_numpy(particles * _GOLDEN + np.uint64(step)))
        second = _mix_numpy(key + _GOLDEN)
    u1 = ((key >> np.uint64(11)).astype(np.float64) + 0.5) * _TWO_POW_53
    u2 = (second >> np.uint64(11)).astype(np.float64) * _TWO_POW_53
    radius = np.sqrt(-2.0 * np.log(u1))
    angle = 2.0 * np.pi * u2
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
