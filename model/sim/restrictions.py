"""The restriction calendar: the one place that turns lockdown phases into allowed shares.

The engine's daily step, the levers (spending halted by lockdown) and the event log all read
the array built here, so the calendar is computed once per run. Large ensembles keep it only
over the phases' days (:class:`RestrictionWindow`), where it differs from 1.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from rebound.params.schema import Params, Phase
from rebound.sim.calendar import Calendar
from rebound.sim.dynamics import col
from rebound.sim.windows import day_range

FloatArray = NDArray[np.float64]
SECTORS = ("industry", "consumption", "investment")


def phase_cap(phase: Phase, sector_index: int) -> FloatArray:
    r"""Allowed activity share of a sector during a phase, per draw ``(n|1, 1)``.

    .. math:: c = 1 - \sigma_s\,(1 - \chi\,\mathbb{1}[s = \text{industry}])

    with stringency :math:`\sigma_s` and closed-loop share :math:`\chi`.
    """
    sec = SECTORS[sector_index]
    s = col(getattr(phase.stringency, sec))
    if sec == "industry":
        s = s * (1.0 - col(phase.closed_loop_share))
    return np.asarray(1.0 - s, dtype=float)


def phase_days(phase: Phase, cal: Calendar) -> tuple[int, int]:
    """First day and last day + 1 of a phase, clipped to the horizon."""
    d0 = min(max(cal.day(phase.start), 0), cal.n_days)
    d1 = min(max(cal.day(phase.end) + 1, 0), cal.n_days)
    return d0, d1


def restriction_calendar(params: Params, cal: Calendar) -> FloatArray:
    """Allowed share ``c[s, draw, day]`` implied by the lockdown phases (1 outside them).

    A later phase overrides an earlier one on days they share (phases are validated not to
    overlap, so this only matters for hand-built parameter sets).
    """
    return RestrictionWindow(params, cal).full()


class SectorShares:
    """One sector's allowed shares ``(n|1, n_days)``, stored over days ``[lo, hi)`` only (1
    elsewhere): ``shares[:, a:b]`` gives what the full array holds there."""

    def __init__(self, values: FloatArray, lo: int, n_days: int):
        self.values, self.lo, self.n_days = values, lo, n_days
        self.shape = (values.shape[0], n_days)

    def __getitem__(self, key: tuple[slice, slice]) -> FloatArray:
        a, b = day_range(key, self.n_days, "SectorShares")
        out = np.ones((self.values.shape[0], b - a))
        lo, hi = max(a, self.lo), min(b, self.lo + self.values.shape[1])
        if lo < hi:
            out[:, lo - a : hi - a] = self.values[:, lo - self.lo : hi - self.lo]
        return out


class RestrictionWindow:
    """The restriction calendar stored over the phases' days only (1 elsewhere), for large
    ensembles: ``window[s]`` is a :class:`SectorShares`; ``values`` ``(3, n|1, hi - lo)``."""

    def __init__(self, params: Params, cal: Calendar):
        phases = params.lockdown.phases
        spans = [d for d in (phase_days(ph, cal) for ph in phases) if d[1] > d[0]]
        self.lo, self.hi = (min(a for a, _ in spans), max(b for _, b in spans)) if spans else (0, 0)
        rows = max([phase_cap(ph, s).shape[0] for ph in phases for s in range(3)], default=1)
        self.values = np.ones((3, rows, self.hi - self.lo))
        for ph in phases:
            d0, d1 = phase_days(ph, cal)
            for s in range(3):
                self.values[s, :, max(d0, self.lo) - self.lo : max(d1, self.lo) - self.lo] = phase_cap(ph, s)
        self.n_days = cal.n_days
        self.shape = (3, rows, cal.n_days)

    def __getitem__(self, s: int) -> SectorShares:
        return SectorShares(self.values[s], self.lo, self.n_days)

    def full(self) -> FloatArray:
        """The calendar over every day ``(3, n|1, n_days)``."""
        cap = np.ones(self.shape)
        cap[:, :, self.lo : self.hi] = self.values
        return cap

    def restricted_days(self) -> tuple[int, int]:
        """First restricted day and last restricted day + 1 over every sector and draw
        (``(n_days, 0)`` if none)."""
        hit = np.flatnonzero(np.any(self.values < 1.0, axis=(0, 1)))
        return (self.lo + int(hit[0]), self.lo + int(hit[-1]) + 1) if hit.size else (self.n_days, 0)
