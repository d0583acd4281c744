"""Rules that span fields: dates in order and inside the horizon, phases not overlapping,
non-zero y/y bases, free parameters naming numeric keys with a sensible prior.

Each rule reports through ``bad(key, message)``; :mod:`rebound.params.validate` turns that
into ``file:line: key: message`` problems.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Set
from typing import Any

from rebound.params.paths import get_path
from rebound.params.schema import Params

Bad = Callable[[str, str], None]
"""Report one problem: ``bad(key path, message)``."""

SECTOR_NAMES = ("industry", "consumption", "investment")


class _Spans:
    """Date checks of one parameter set; a scenario's moved side of a pair is blamed."""

    def __init__(self, p: Params, bad: Bad, overridden: Set[str]) -> None:
        self.year = p.episode.year
        self.h0, self.h1 = dt.date(p.first_year, 1, 1), dt.date(p.last_year, 12, 31)
        self.bad = bad
        self.overridden = overridden

    def moved(self, key: str, other: str) -> bool:
        return key in self.overridden and other not in self.overridden

    def in_horizon(self, key: str, d: dt.date) -> None:
        if not self.h0 <= d <= self.h1:
            self.bad(key, f"{d} is outside the horizon {self.h0}..{self.h1} (episode.first_year..last_year)")

    def span(self, prefix: str, start: dt.date, end: dt.date) -> None:
        if end < start:
            if self.moved(f"{prefix}.start", f"{prefix}.end"):
                self.bad(f"{prefix}.start", f"start {start} is after end {end}")
            else:
                self.bad(f"{prefix}.end", f"end {end} is before start {start}")
        self.in_horizon(f"{prefix}.start", start)
        self.in_horizon(f"{prefix}.end", end)


def _phases(p: Params, s: _Spans) -> None:
    phases = p.lockdown.phases
    for i, ph in enumerate(phases):
        s.span(f"lockdown.phases[{i}]", ph.start, ph.end)
        if i == 0 or ph.start > phases[i - 1].end:
            continue
        prev = phases[i - 1]
        if s.moved(f"lockdown.phases[{i - 1}].end", f"lockdown.phases[{i}].start"):
            s.bad(f"lockdown.phases[{i - 1}].end", f"ends {prev.end}, overlapping phase {i} ('{ph.name}', starts {ph.start}); end the day before")
        elif ph.start < prev.start:
            s.bad(f"lockdown.phases[{i}].start", f"phases must be in date order: starts {ph.start}, before phase {i - 1} ('{prev.name}') starts {prev.start}")
        else:
            s.bad(f"lockdown.phases[{i}].start", f"overlaps phase {i - 1} ('{prev.name}', ends {prev.end}); start the day after")


def _lever_dates(p: Params, s: _Spans) -> None:
    for name, lever in p.levers.items():
        base = f"levers.{name}"
        for j, r in enumerate(getattr(lever, "rounds", [])):
            s.in_horizon(f"{base}.rounds[{j}].date", r.date)
        for listname in ("tranches", "issues"):
            for j, t in enumerate(getattr(lever, listname, []) or []):
                s.span(f"{base}.{listname}[{j}]", t.start, t.end)
        if hasattr(lever, "start") and hasattr(lever, "end"):
            s.span(base, lever.start, lever.end)


def _sector_bases(p: Params, bad: Bad) -> None:
    """Sector levels must leave a non-zero base for y/y figures."""
    for sname in SECTOR_NAMES:
        sec = getattr(p.sectors, sname)
        for m, a in enumerate(sec.prior_year_anomaly):
            if a <= -1.0:
                bad(f"sectors.{sname}.prior_year_anomaly[{m}]", f"{a} would make the prior-year base zero or negative (y/y undefined); must be > -1")
        for m, v in enumerate(sec.seasonal):
            if v <= 0:
                bad(f"sectors.{sname}.seasonal[{m}]", f"seasonal factor must be > 0 (got {v})")
    g = p.gdp
    if g.primary_100m + g.secondary_100m + g.tertiary_100m <= 0:
        bad("gdp.primary_100m", "prior-year GDP (sum of the three sectors) must be > 0")


def _free_keys(p: Params, bad: Bad) -> None:
    """Free parameters must name numeric keys and have a sensible prior."""
    raw: dict[str, Any] = p.model_dump()
    for i, fp in enumerate(p.calibration.free):
        k = f"calibration.free[{i}]"
        try:
            val = get_path(raw, fp.key)
        except (KeyError, IndexError, TypeError):
            bad(f"{k}.key", f"'{fp.key}' is not a parameter in this file")
            continue
        if not isinstance(val, int | float) or isinstance(val, bool):
            bad(f"{k}.key", f"'{fp.key}' is not a number")
        if not fp.lower < fp.upper:
            bad(f"{k}.upper", f"upper {fp.upper} must be above lower {fp.lower}")
        elif not fp.lower <= fp.centre <= fp.upper:
            bad(f"{k}.centre", f"prior centre {fp.centre} is outside [{fp.lower}, {fp.upper}]")
        if fp.prior == "lognormal" and fp.lower <= 0:
            bad(f"{k}.lower", "a lognormal prior needs lower > 0")


def rule_problems(p: Params, bad: Bad, overridden: Set[str] = frozenset()) -> None:
    """Report every cross-field rule ``p`` breaks through ``bad``.

    When a scenario changed one side of a pair of dates (``overridden``), the problem is
    reported at that side, so the line shown is the one that caused it.
    """
    spans = _Spans(p, bad, overridden)
    _phases(p, spans)
    _lever_dates(p, spans)
    _sector_bases(p, bad)
    _free_keys(p, bad)
