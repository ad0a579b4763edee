"""A text progress bar for long management commands (no Django)."""

import sys
import time
from typing import TextIO

WIDTH = 30


class ProgressBar:
    """`bar.update(label, done, total)` redraws one line; `bar.close()` ends it."""

    def __init__(self, stream: TextIO = sys.stderr, every_seconds: float = 0.2) -> None:
        self.stream = stream
        self.every = every_seconds
        self.started = time.monotonic()
        self._last_draw = 0.0
        self._last_label = ""

    def update(self, label: str, done: int, total: int) -> None:
        now = time.monotonic()
        if label != self._last_label and self._last_label:
            self.stream.write("\n")
        finished = done >= total
        if not finished and label == self._last_label and now - self._last_draw < self.every:
            return
        self._last_draw, self._last_label = now, label
        share = done / total if total else 1.0
        filled = int(WIDTH * share)
        rate = done / max(now - self.started, 1e-9)
        bar = "#" * filled + " " * (WIDTH - filled)
        self.stream.write(f"\r{label:<12} [{bar}] {share:6.1%} {done:,}/{total:,} ({rate:,.0f}/s)")
        self.stream.flush()

    def close(self) -> None:
        if self._last_label:
            self.stream.write("\n")
            self.stream.flush()
