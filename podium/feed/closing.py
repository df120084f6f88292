"""Ending open feeds when the server is told to stop.

uvicorn stops by waiting for open responses to finish, and never tells the app it
is stopping; a followed feed never finishes, so a single open ``EventSource`` held
every shutdown until the graceful timeout cancelled it mid-stream. Chaining onto the
exit signals' handlers lets feeds end cleanly at once (browsers reconnect to the next
server with ``Last-Event-ID``) while the server's own handler still runs.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

CLOSING = threading.Event()
SIGNALS = (signal.SIGINT, signal.SIGTERM)

Restore = Callable[[], None]


def end_feeds_on_exit_signals() -> Restore:
    """Set ``CLOSING`` on SIGINT/SIGTERM, then pass the signal on to whoever handled it
    before; a function that puts those handlers back. Signals belong to the main thread,
    so elsewhere (servers in test threads) this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    CLOSING.clear()
    previous: dict[int, Callable[[int, FrameType | None], object] | int | None] = {}

    def on_exit(sig: int, frame: FrameType | None) -> None:
        CLOSING.set()
        handler = previous.get(sig)
        if callable(handler):
            handler(sig, frame)
        elif handler == signal.SIG_DFL:  # nobody else handled it: keep its usual effect
            signal.signal(sig, signal.SIG_DFL)
            signal.raise_signal(sig)

    for sig in SIGNALS:
        previous[sig] = signal.signal(sig, on_exit)

    def restore() -> None:
        for sig, handler in previous.items():
            if signal.getsignal(sig) is on_exit:
                signal.signal(sig, handler if handler is not None else signal.SIG_DFL)

    return restore
