"""Stopping a run safely: SIGTERM (what SLURM and other schedulers send at their time limit) and
Ctrl-C are noted, not obeyed at once; the training loop finishes its batch, writes a checkpoint
and stops with a line that says how to continue.

>>> with StopSignals() as stop:
...     stop.requested is None
True
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

NAMES = {signal.SIGTERM: "SIGTERM", signal.SIGINT: "Ctrl-C"}
EXIT_CODES = {"SIGTERM": 143, "Ctrl-C": 130}
"""The exit status of a run stopped by each (128 + the signal's number, as a shell reports it)."""


class StopSignals:
    """While entered, SIGTERM and SIGINT set :attr:`requested` instead of ending the process; a
    second Ctrl-C ends it at once. Outside the main thread (where Python cannot take signals)
    nothing is installed."""

    def __init__(self) -> None:
        self.requested: str | None = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            for number in NAMES:
                self._previous[number] = signal.signal(number, self._note)
        return self

    def __exit__(self, *exc: object) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)  # type: ignore[arg-type]
        self._previous = {}

    def _note(self, number: int, frame: FrameType | None) -> None:
        if self.requested == "Ctrl-C" and number == signal.SIGINT:
            raise KeyboardInterrupt  # asked twice: stop now
        self.requested = NAMES[number]
