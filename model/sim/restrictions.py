"""The restriction calendar: the one place that turns lockdown phases into allowed shares.

The engine's daily step, the levers (spending halted by lockdown) and the event log all read
the array built here, so the calendar is computed once per run.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from rebound.params.schema import Params, Phase
from rebound.sim.calendar import Calendar
from rebound.sim.dynamics import col

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
    phases = params.lockdown.phases
    rows = max([phase_cap(ph, s).shape[0] for ph in phases for s in range(3)], default=1)
    cap = np.ones((3, rows, cal.n_days))
    for ph in phases:
        d0, d1 = phase_days(ph, cal)
        for s in range(3):
            cap[s, :, d0:d1] = phase_cap(ph, s)
    return cap


def first_restricted_day(cap: FloatArray) -> int:
    """First day on which any sector of any draw is restricted (``n_days`` if none)."""
    hit = np.flatnonzero(np.any(cap < 1.0, axis=(0, 1)))
    return int(hit[0]) if hit.size else cap.shape[-1]
