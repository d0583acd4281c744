"""Numerical guard rails: parameter sets the schema accepts field by field but the model cannot
compute with (a zero y/y base, overflow, a free parameter whose draws leave the allowed range).

Run by :func:`rebound.params.validate.cross_field_problems` after the cross-field rules; each
rule reports through ``bad(key, message)`` so the user sees ``file:line: key: message``.
docs/robustness.md lists every rule.

Rules that need the simulation itself (the voucher give-back, which needs the potential path)
cannot live here: params never imports sim. They are :data:`Check` functions that the layer
above passes to the loader (``load(path, checks=...)``, see :mod:`rebound.checks`); the
free-parameter bounds below are tried against them too.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError

from rebound.params.paths import get_path, set_path
from rebound.params.rules import SECTOR_NAMES, Bad, rule_problems
from rebound.params.schema import Calibration, Params

MAX_SEASONAL = 100.0  # largest seasonal factor (relative daily rate)
MAX_ANOMALY = 10.0  # largest prior-year anomaly (11 times trend)

Check = Callable[[Params, Bad], None]
"""A rule supplied by a later layer: report problems of a parameter set through ``bad``."""


def value_guards(p: Params, bad: Bad) -> None:
    """Guards on the values themselves (no free-parameter trials)."""
    _monthly_factors(p, bad)
    _zero_base(p, bad)


def _monthly_factors(p: Params, bad: Bad) -> None:
    for s in SECTOR_NAMES:
        sec = getattr(p.sectors, s)
        for m, v in enumerate(sec.seasonal):
            if v > MAX_SEASONAL:
                bad(f"sectors.{s}.seasonal[{m}]", f"seasonal factor must be at most {MAX_SEASONAL:g} (got {v!r})")
        for m, a in enumerate(sec.prior_year_anomaly):
            if a > MAX_ANOMALY:
                bad(f"sectors.{s}.prior_year_anomaly[{m}]", f"must be at most {MAX_ANOMALY:g} (got {a!r})")


def _months_of(year: int) -> list[tuple[dt.date, dt.date]]:
    out = []
    for m in range(1, 13):
        first = dt.date(year, m, 1)
        nxt = dt.date(year + (m == 12), m % 12 + 1, 1)
        out.append((first, nxt - dt.timedelta(days=1)))
    return out


def _shut_owner(shut: list[tuple[int, dt.date, dt.date]], first: dt.date, last: dt.date) -> int | None:
    """The first phase of a run of phases that shut a sector for all of [first, last], or None.

    Adjacent phases count together.
    """
    d, owner = first, None
    while d <= last:
        hit = next(((i, a, b) for i, a, b in shut if a <= d <= b), None)
        if hit is None:
            return None
        owner = hit[0] if owner is None else owner
        d = hit[2] + dt.timedelta(days=1)
    return owner


def _zero_base_of(p: Params, s: str, bad: Bad) -> None:
    """No month that is the base of a modelled y/y figure may be shut or scarred away.

    Base years run from the year before the episode to the year before the last simulated
    year; scarring is permanent, so restrictions count from the start of the horizon."""
    base_year = p.episode.year - 1
    last_base = max(base_year, p.last_year - 1)
    y0, y1 = dt.date(p.first_year, 1, 1), dt.date(last_base, 12, 31)
    shut: list[tuple[int, dt.date, dt.date]] = []  # phases that stop the sector completely
    restricted_share_days = 0.0
    for i, ph in enumerate(p.lockdown.phases):
        allowed = 1.0 - getattr(ph.stringency, s) * (1.0 - (ph.closed_loop_share if s == "industry" else 0.0))
        lo, hi = max(ph.start, y0), min(ph.end, y1)
        if hi >= lo:
            restricted_share_days += (1.0 - allowed) * ((hi - lo).days + 1)
        if allowed <= 0.0:
            shut.append((i, ph.start, ph.end))
    for first, last in [m for y in range(base_year, last_base + 1) for m in _months_of(y)]:
        owner = _shut_owner(shut, first, last)
        if owner is not None:
            bad(
                f"lockdown.phases[{owner}].stringency.{s}",
                f"shuts {s} completely for all of {first:%Y-%m}, the base month of the {first.year + 1}-{first:%m} "
                f"y/y figures (a zero base makes them undefined); use a stringency below 1",
            )
            break
    scar = getattr(p.sectors, s).scarring_per_day
    if scar * restricted_share_days >= 1.0:
        bad(
            f"sectors.{s}.scarring_per_day",
            f"{scar!r} per day over the restrictions up to the end of the base year {last_base} "
            f"({restricted_share_days:g} full-stringency days) can scar away all of {s}, leaving a zero "
            f"y/y base; scarring_per_day x restricted days must stay below 1",
        )


def _zero_base(p: Params, bad: Bad) -> None:
    """The prior year is the base of every y/y figure: no sector may be wiped out in it."""
    for s in SECTOR_NAMES:
        _zero_base_of(p, s, bad)


def trial_problems(q: Params, checks: Sequence[Check] = ()) -> list[str]:
    """Messages of every rule and guard ``q`` breaks, except the free-parameter ranges."""
    found: list[str] = []

    def bad(key: str, message: str) -> None:
        found.append(message)

    rule_problems(q, bad)
    value_guards(q, bad)
    for check in checks:
        check(q, bad)
    return found


def _bound_problem(bare: dict[str, Any], key: str, bound: float, checks: Sequence[Check]) -> str:
    """Why ``key`` cannot take the value ``bound`` ("" if it can)."""
    trial: dict[str, Any] = copy.deepcopy(bare)
    set_path(trial, key, float(bound))
    try:
        q = Params.model_validate(trial)
    except ValidationError as err:
        return str(err.errors()[0]["msg"])
    probs = trial_problems(q, checks)
    return probs[0] if probs else ""


def free_ranges(p: Params, bad: Bad, checks: Sequence[Check] = ()) -> None:
    """Free parameters: continuous keys, with bounds the key itself accepts (draws are clipped
    to [lower, upper] and put into the engine without validation)."""
    if not p.calibration.free:
        return
    raw = p.model_dump()
    bare = {**raw, "calibration": Calibration().model_dump()}
    if trial_problems(Params.model_validate(bare), checks):
        return  # the file has other problems; they are reported, and would repeat here
    for i, fp in enumerate(p.calibration.free):
        k = f"calibration.free[{i}]"
        try:
            val = get_path(raw, fp.key)
        except (KeyError, IndexError, TypeError):
            continue  # reported by the cross-field rules
        if isinstance(val, bool) or not isinstance(val, int | float):
            continue
        if isinstance(val, int):
            bad(f"{k}.key", f"'{fp.key}' is a whole number (days or a count); only continuous parameters can be free")
            continue
        for side, bound in (("lower", fp.lower), ("upper", fp.upper)):
            why = _bound_problem(bare, fp.key, bound, checks)
            if why:
                bad(f"{k}.{side}", f"{side} {bound!r} is outside what {fp.key} allows: {why}")
