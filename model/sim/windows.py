"""Lever flows kept on the days they act on: ``(first day, values (n|1, days))`` windows.

A voucher round that runs for a month is a month of numbers per draw; the engine keeps each
action's window and sums them once (:func:`total`, one array over their union), spreading
them over the horizon (:func:`full`) only where a run keeps daily paths. The sums are those of
the full-horizon arrays added in the same order (outside a window a flow is exactly zero, and
``x + 0 == x``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
Window = tuple[int, FloatArray]


def total(parts: list[Window]) -> Window | None:
    """The sum of windows, in order, over the union of their days (``None`` for no windows)."""
    if not parts:
        return None
    a = min(start for start, _ in parts)
    b = max(start + v.shape[1] for start, v in parts)
    out = np.zeros((max(v.shape[0] for _, v in parts), b - a))
    for start, v in parts:
        out[:, start - a : start - a + v.shape[1]] += v
    return a, out


def full(parts: list[Window], n_days: int) -> FloatArray:
    """The sum of windows spread over the horizon, ``(n|1, n_days)`` (one row of zeros for none)."""
    out = np.zeros((max([v.shape[0] for _, v in parts], default=1), n_days))
    for start, v in parts:
        out[:, start : start + v.shape[1]] += v
    return out


def span(window: Window | None) -> tuple[int, int]:
    """Days ``[a, b)`` a window covers (``(0, 0)`` for none)."""
    return (0, 0) if window is None else (window[0], window[0] + window[1].shape[1])


def day_range(key: tuple[slice, slice], n_days: int, what: str) -> tuple[int, int]:
    """Days ``[a, b)`` (``b >= a``) of an ``[:, a:b]`` index into an array over the horizon;
    any other index is a TypeError naming ``what``."""
    rows, days = key
    if rows != slice(None) or not isinstance(days, slice) or days.step not in (None, 1):
        raise TypeError(f"{what} supports [:, a:b] only")
    a, b, _ = days.indices(n_days)
    return a, max(a, b)
