"""Lever flows kept on the days they act on: ``(first day, values (n|1, days))`` windows.

A voucher round that runs for a month is a month of numbers per draw; the engine adds each
lever's windows (:func:`add`), and spreads them over the horizon (:func:`full`) only where a
run keeps daily paths. Adding windows gives the numbers that adding the full-horizon arrays
gives (outside a window a flow is exactly zero, and ``x + 0 == x``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
Window = tuple[int, FloatArray]


def add(current: Window | None, start: int, values: FloatArray) -> Window:
    """``current`` plus ``values`` laid from day ``start`` on (in place when it already covers them)."""
    values = np.asarray(values, dtype=float)
    if current is None:
        return start, values
    a0, old = current
    b0, end = a0 + old.shape[1], start + values.shape[1]
    if a0 <= start and end <= b0 and old.shape[0] >= values.shape[0] and old.flags.writeable:
        old[:, start - a0 : end - a0] += values
        return current
    a, b = min(a0, start), max(b0, end)
    out = np.zeros((max(old.shape[0], values.shape[0]), b - a))
    out[:, a0 - a : b0 - a] += old
    out[:, start - a : end - a] += values
    return a, out


def full(window: Window | None, n_days: int) -> FloatArray:
    """The window spread over the horizon, ``(n|1, n_days)``; ``None`` is one row of zeros."""
    if window is None:
        return np.zeros((1, n_days))
    a, v = window
    out = np.zeros((v.shape[0], n_days))
    out[:, a : a + v.shape[1]] = v
    return out


def span(window: Window | None) -> tuple[int, int]:
    """Days ``[a, b)`` a window covers (``(0, 0)`` for none)."""
    return (0, 0) if window is None else (window[0], window[0] + window[1].shape[1])
