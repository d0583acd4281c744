"""Numerical guard rails: parameter sets the schema accepts field by field but the model cannot
compute with (a zero y/y base, overflow, a free parameter whose draws leave the allowed range).

Called from :func:`rebound.params.load.cross_field_problems`; each rule reports through ``bad(key,
message)`` so the user sees ``file:line: key: message``. docs/robustness.md lists every rule.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from rebound.params.schema import Calibration, Params

SECTOR_NAMES = ("industry", "consumption", "investment")
MAX_SEASONAL = 100.0  # largest seasonal factor (relative daily rate)
MAX_ANOMALY = 10.0  # largest prior-year anomaly (11 times trend)

Bad = Callable[[str, str], None]


def guard_problems(p: Params, bad: Bad) -> None:
    """Report every guard-rail violation of ``p`` through ``bad``."""
    _monthly_factors(p, bad)
    _zero_base(p, bad)
    _give_back(p, bad)
    _free_ranges(p, bad)


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


def _zero_base(p: Params, bad: Bad) -> None:
    """The prior year is the base of every y/y figure: no sector may be wiped out in it."""
    base_year = p.episode.year - 1
    y0, y1 = dt.date(base_year, 1, 1), dt.date(base_year, 12, 31)
    for s in SECTOR_NAMES:
        shut: list[tuple[int, dt.date, dt.date]] = []  # phases that stop the sector completely
        restricted_share_days = 0.0
        for i, ph in enumerate(p.lockdown.phases):
            allowed = 1.0 - getattr(ph.stringency, s) * (1.0 - (ph.closed_loop_share if s == "industry" else 0.0))
            lo, hi = max(ph.start, y0), min(ph.end, y1)
            if hi >= lo:
                restricted_share_days += (1.0 - allowed) * ((hi - lo).days + 1)
            if allowed <= 0.0:
                shut.append((i, ph.start, ph.end))
        for first, last in _months_of(base_year):
            # whole month covered by phases that shut the sector (adjacent phases count together)
            d, owner = first, None
            while d <= last:
                hit = next(((i, a, b) for i, a, b in shut if a <= d <= b), None)
                if hit is None:
                    break
                owner = hit[0] if owner is None else owner
                d = hit[2] + dt.timedelta(days=1)
            if d > last and owner is not None:
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
                f"{scar!r} per day over the restrictions in the base year {base_year} "
                f"({restricted_share_days:g} full-stringency days) can scar away all of {s}, leaving a zero "
                f"y/y base; scarring_per_day x restricted days must stay below 1",
            )


def _give_back(p: Params, bad: Bad) -> None:
    """Voucher pull-forward cannot give back more than all retail spending of a day."""
    from rebound.sim.calendar import Calendar
    from rebound.sim.dynamics import potential_path

    rounds = [(n, lv) for n, lv in p.levers.items() if lv.type == "consumption_voucher"]
    if not rounds:
        return
    cal = Calendar(p.episode.year)
    sec = p.sectors.consumption
    pot, price = potential_path(cal, sec.prior_year_level_100m, sec.trend_growth_pct, sec.inflation_pct, sec.seasonal, sec.prior_year_anomaly)
    nominal = (pot * price)[0]
    for name, lv in rounds:
        if not lv.enabled:
            continue
        for j, r in enumerate(lv.rounds):
            back = lv.pull_forward_share * lv.incremental_spending_per_yuan * r.amount_100m * lv.scale / lv.pull_forward_days
            g0 = cal.day(r.date) + r.redemption_days
            g1 = min(g0 + lv.pull_forward_days, cal.n_days)
            if back <= 0.0 or g0 >= g1:
                continue
            low = int(g0 + int(nominal[g0:g1].argmin()))
            if back >= nominal[low]:
                bad(
                    f"levers.{name}.rounds[{j}].amount_100m",
                    f"gives back {back:.4g} 亿元 a day after the window (pull_forward_share x incremental_spending_per_yuan "
                    f"x amount x scale / pull_forward_days), at least all retail sales of {cal.date(low)} "
                    f"({nominal[low]:.4g} 亿元); lengthen pull_forward_days or lower pull_forward_share",
                )


def _free_ranges(p: Params, bad: Bad) -> None:
    """Free parameters: continuous keys, with bounds the key itself accepts (draws are clipped
    to [lower, upper] and put into the engine without validation)."""
    from rebound.params.load import cross_field_problems, get_path, set_path

    if not p.calibration.free:
        return
    raw = p.model_dump()
    bare = {**raw, "calibration": Calibration().model_dump()}
    if cross_field_problems(Params.model_validate(bare), lambda key: ("", None)):
        return  # the file has other problems; they are reported, and would repeat here
    for i, fp in enumerate(p.calibration.free):
        k = f"calibration.free[{i}]"
        try:
            val = get_path(raw, fp.key)
        except (KeyError, IndexError, TypeError):
            continue  # reported by cross_field_problems
        if isinstance(val, bool) or not isinstance(val, int | float):
            continue
        if isinstance(val, int):
            bad(f"{k}.key", f"'{fp.key}' is a whole number (days or a count); only continuous parameters can be free")
            continue
        for side, bound in (("lower", fp.lower), ("upper", fp.upper)):
            trial: dict[str, Any] = copy.deepcopy(bare)
            set_path(trial, fp.key, float(bound))
            why = ""
            try:
                q = Params.model_validate(trial)
            except ValidationError as err:
                why = str(err.errors()[0]["msg"])
            else:
                probs = cross_field_problems(q, lambda key: ("", None))
                if probs:
                    why = probs[0].message
            if why:
                bad(f"{k}.{side}", f"{side} {bound!r} is outside what {fp.key} allows: {why}")
