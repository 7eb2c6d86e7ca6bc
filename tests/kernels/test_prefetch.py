"""``prefetch_line`` asks for a history row's cache line ahead of the recording step.

A hint: it must compile to a prefetch instruction (else the recording speed silently
drops back, and no other test would notice) and must change no value."""

from __future__ import annotations

import numpy as np
from numba import njit

from lrsim.core.prefetch import prefetch_line


@njit(error_model="numpy")
def _copy_rows_asking_ahead(source, out):
    for row in range(out.shape[0]):
        if row + 1 < out.shape[0]:
            for k in range(0, out.shape[1], 8):
                prefetch_line(out, row + 1, k)
        for k in range(out.shape[1]):
            out[row, k] = source[row, k]


def test_it_compiles_to_a_prefetch_and_changes_nothing():
    source = np.arange(3 * 100, dtype=np.float64).reshape(3, 100)
    out = np.full_like(source, np.nan)
    _copy_rows_asking_ahead(source, out)
    assert np.array_equal(out, source)
    asm = _copy_rows_asking_ahead.inspect_asm(_copy_rows_asking_ahead.signatures[0])
    # x86: prefetchw (write intent), or prefetcht0 where the CPU has none; arm64: prfm
    assert "prefetch" in asm or "prfm" in asm
