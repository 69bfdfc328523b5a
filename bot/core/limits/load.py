"""How many updates this process is handling: those it handled (the flood gate's drops
aside), a second, over the last two seconds, counted as each ends (Metrics.update_handled, which an
adapter calls for every update it handled: bot/telegram/updates.py). The voice notes'
engines give way to readers above a rate of them (AUDIO_YIELD_RATE,
bot/core/audio/yielding.py).

Counted in memory, per process, in slots of a tenth of a second: a flood of thousands a
second costs one addition each and a few dozen numbers in all. After a restart the count
starts from nothing (the engines run until readers come back, within a second or two).
With several replicas each counts only the updates it receives, and gives way by its own
readers' load: the engines it runs slow only its own readers.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

WINDOW = 2.0  # seconds: a reader's few presses in a row are one moment, not a trend
_SLOT = 0.1  # seconds each count covers


class UpdateRate:
    def __init__(self, window: float = WINDOW, *, clock: Callable[[], float] = time.monotonic):
        self._window = window
        self._clock = clock
        self._slots: deque[list[int]] = deque()  # [slot number, updates in it], oldest first

    def arrived(self) -> None:
        """One update more, now."""
        slot = int(self._clock() / _SLOT)
        if self._slots and self._slots[-1][0] == slot:
            self._slots[-1][1] += 1
        else:
            self._slots.append([slot, 1])
            self._forget(slot)

    def per_second(self) -> float:
        """The updates of the last `window` seconds, a second."""
        self._forget(int(self._clock() / _SLOT))
        return sum(count for _, count in self._slots) / self._window

    def _forget(self, slot: int) -> None:
        oldest = slot - round(self._window / _SLOT) + 1
        while self._slots and self._slots[0][0] < oldest:
            self._slots.popleft()
