"""Ctrl-C, SIGTERM and SIGHUP during a command: stop cleanly, leave nothing behind.

While a command runs, each of the three signals raises ``Interrupted`` (a
``KeyboardInterrupt``) in the main thread, so the atomic writers' clean-up runs
and the command exits 128 + the signal's number (130 for Ctrl-C) with one line.
A second signal during that clean-up is only recorded, so the clean-up
finishes. Code that Qt calls back into (painting a frame) must not be
interrupted by an exception, so ``deferred()`` turns the signal into a request
that the render loop polls (``requested()``); a render it stopped raises it then.
A signal that arrives after the output was committed is too late to stop
anything: the command reports what it wrote.

Python cannot propagate an exception out of a function that C code calls back
(numba's compiler is such a caller: LLVM notifies it through a ctypes callback).
``Interrupted`` raised there is only reported as "ignored", and Ctrl-C would be
lost; the unraisable hook installed by ``handled()`` raises it again a moment
later, in ordinary code, instead of printing it.
"""

from __future__ import annotations

import _thread
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
NAMES = {signal.SIGINT: "interrupted"} | {
    getattr(signal, name): f"stopped by {name}"
    for name in ("SIGTERM", "SIGHUP")
    if hasattr(signal, name)
}


class Interrupted(KeyboardInterrupt):
    """A signal ended the command; ``exit_code`` is 128 + its number."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + int(self.signum)

    @property
    def description(self) -> str:
        return NAMES.get(self.signum, f"stopped by signal {int(self.signum)}")


class _State:
    deferring = False
    pending: int | None = None
    previous_hook = staticmethod(sys.__unraisablehook__)
    active = False  # inside handled()
    again: threading.Timer | None = None


def _on_signal(signum, _frame) -> None:
    if _State.pending is None:
        _State.pending = signum
    if _State.deferring:
        return
    _State.deferring = True  # a second signal must not cut the clean-up short
    raise Interrupted(signum)


def _raise_again(unraisable) -> None:
    """sys.unraisablehook: an ``Interrupted`` that a C caller swallowed is raised again."""
    error = unraisable.exc_value
    if not isinstance(error, Interrupted):
        _State.previous_hook(unraisable)
        return
    _State.deferring = False  # it did not interrupt anything: let it raise once more
    again = threading.Timer(0.02, _interrupt_if_handled, args=(error.signum,))
    again.daemon = True
    _State.again = again
    again.start()


def _interrupt_if_handled(signum: int) -> None:
    """Interrupt the main thread, unless the command ended meanwhile (then it is too late
    to stop anything, as for any signal after the output was committed)."""
    if _State.active:
        _thread.interrupt_main(signum)


def requested() -> bool:
    """True once a signal arrived (polled by loops that run inside ``deferred()``)."""
    return _State.pending is not None


@contextmanager
def handled() -> Iterator[None]:
    """Install the handlers for the duration of a command (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if _State.active:  # nested: the outer command's handlers stay
        yield
        return
    previous = {signum: signal.signal(signum, _on_signal) for signum in SIGNALS}
    _State.deferring, _State.pending, _State.active = False, None, True
    _State.previous_hook, sys.unraisablehook = sys.unraisablehook, _raise_again
    try:
        yield
    finally:
        _State.active = False
        if _State.again is not None:
            _State.again.cancel()
            _State.again = None
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        sys.unraisablehook = _State.previous_hook
        _State.deferring, _State.pending = False, None


@contextmanager
def deferred() -> Iterator[None]:
    """Inside, a signal only sets ``requested()``; the caller decides what it stops
    (``raise_requested()`` once the work it interrupted is cleaned up)."""
    before = _State.deferring
    _State.deferring = True
    try:
        yield
    finally:
        _State.deferring = before


def raise_requested() -> None:
    """Raise ``Interrupted`` for a signal that arrived inside ``deferred()``."""
    if _State.pending is not None:
        _State.deferring = True
        raise Interrupted(_State.pending)
