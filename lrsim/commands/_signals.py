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
"""

from __future__ import annotations

import signal
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


def _on_signal(signum, _frame) -> None:
    if _State.pending is None:
        _State.pending = signum
    if _State.deferring:
        return
    _State.deferring = True  # a second signal must not cut the clean-up short
    raise Interrupted(signum)


def requested() -> bool:
    """True once a signal arrived (polled by loops that run inside ``deferred()``)."""
    return _State.pending is not None


@contextmanager
def handled() -> Iterator[None]:
    """Install the handlers for the duration of a command (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _on_signal) for signum in SIGNALS}
    _State.deferring, _State.pending = False, None
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
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
