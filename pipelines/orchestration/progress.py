"""Progress of a run as it goes, for a front door that wants to show it (the CLI's bar).

Assets call `step_done(stage, month)` after each month of each stage. `mdq` runs the job
in-process, on its own thread, so a listener registered around the run sees every call; in a run
launched from the UI nobody listens and the calls cost nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Listener = Callable[[str, str], None]
_listeners: list[Listener] = []


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def step_done(stage: str, month: str) -> None:
    for listener in list(_listeners):
        listener(stage, month)
