"""A progress line for steps of unknown length (calibration, backtests): elapsed seconds on stderr.

Drawn only when stderr is a terminal (pipes, files and CliRunner get nothing), redrawn every
half second by a daemon thread, and erased when the step ends.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def busy(label: str, interval: float = 0.5) -> Iterator[None]:
    """Show ``label … 12 s`` on stderr while the block runs (only on a terminal)."""
    if not sys.stderr.isatty():
        yield
        return
    stop = threading.Event()
    t0 = time.monotonic()
    spin = "|/-\\"

    def draw() -> None:
        k = 0
        while not stop.wait(interval):
            sys.stderr.write(f"\r{label} {spin[k % 4]} {time.monotonic() - t0:.0f} s ")
            sys.stderr.flush()
            k += 1

    th = threading.Thread(target=draw, daemon=True)
    th.start()
    try:
        yield
    finally:
        stop.set()
        th.join()
        sys.stderr.write(f"\r{label} done in {time.monotonic() - t0:.1f} s\n")
        sys.stderr.flush()
