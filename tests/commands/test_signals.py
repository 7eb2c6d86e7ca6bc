"""Ctrl-C is never lost, even when it lands in code that C calls back (``_signals``)."""

from __future__ import annotations

import ctypes
import signal
import sys
import time

import pytest

from lrsim.commands import _signals

CALLBACK = ctypes.CFUNCTYPE(None)


def _ctrl_c_inside_a_c_callback() -> None:
    """As when Ctrl-C arrives while LLVM calls numba back during a compile."""

    def body() -> None:
        signal.raise_signal(signal.SIGINT)  # its handler runs here, inside the callback
        sum(range(1000))

    callback = CALLBACK(body)
    callback()  # ctypes prints "Exception ignored" for what the callback raised


def test_an_interrupt_swallowed_by_a_c_caller_is_raised_again(capsys):
    with _signals.handled():
        with pytest.raises(_signals.Interrupted) as caught:
            _ctrl_c_inside_a_c_callback()
            deadline = time.monotonic() + 5.0
            while time.monotonic() < deadline:  # the command's own work goes on here
                time.sleep(0.005)
    assert caught.value.exit_code == 130
    assert "Exception ignored" not in capsys.readouterr().err


def test_other_unraisable_errors_still_reach_the_previous_hook():
    seen = []
    record = seen.append
    previous = sys.unraisablehook
    sys.unraisablehook = record
    try:
        with _signals.handled():

            def body() -> None:
                raise ValueError("not a signal")

            CALLBACK(body)()
        assert [type(report.exc_value) for report in seen] == [ValueError]
        assert sys.unraisablehook is record  # put back after the command
    finally:
        sys.unraisablehook = previous


def test_a_swallowed_interrupt_after_the_command_ended_stops_nothing():
    with _signals.handled():
        _ctrl_c_inside_a_c_callback()  # the command ends before the 20 ms re-raise
    time.sleep(0.2)  # a KeyboardInterrupt here would fail the test
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
