"""Investment that is built: project starts and special bonds along a construction S-curve.

Work advances with the open share of investment activity, so lockdown halts it; spending
follows :func:`rebound.sim.dynamics.smoothstep` over the construction duration.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from rebound.params import schema
from rebound.sim.dynamics import col, smoothstep
from rebound.sim.lever_base import Action, Context, Effect, LeverModel, _add
from rebound.sim.restrictions import SectorShares

FloatArray = NDArray[np.float64]


def construction_flow(
    ctx: Context, amount_100m: FloatArray, start_day: int, duration_days: int
) -> FloatArray:
    r"""Nominal daily spending of construction started on ``start_day``.

    Work advances with the open share of investment activity, :math:`W_t=\sum_{u\le t} c_u`
    (so lockdown halts it), and the share done is :math:`S(W_t / D)` (smoothstep).
    """
    return cohort_flows(ctx, amount_100m, [start_day], duration_days)


def _plan(ctx: Context, amount_100m: FloatArray, starts: list[int], duration_days: int) -> tuple[Any, int, FloatArray, list[int], FloatArray]:
    """(allowed shares, their first day, each cohort's amount, starts that meet a restriction,
    the shared full-pace curve of the others over the horizon)."""
    n = ctx.cal.n_days
    cap = ctx.cap_max[2]
    # the allowed shares may be stored over the phases' days only (RestrictionWindow)
    values, lo = (cap.values, cap.lo) if isinstance(cap, SectorShares) else (cap, 0)
    each = amount_100m / max(len(starts), 1)
    restricted = np.flatnonzero(np.any(values < 1.0, axis=0))
    last = lo + int(restricted[-1]) if restricted.size else -1
    D = duration_days
    k = np.arange(1, D + 1, dtype=float)
    base = smoothstep(k / D) - smoothstep((k - 1) / D)  # full-pace spending share by work day
    free_curve = np.zeros(n)
    for s in starts:
        if last < s < n:
            seg = base[: n - s]
            free_curve[s : s + seg.size] += seg
    return values, lo, each, [s for s in starts if s < n and s <= last], free_curve


def cohort_flows(ctx: Context, amount_100m: FloatArray, starts: list[int], duration_days: int) -> FloatArray:
    r"""Sum of :func:`construction_flow` over cohorts, each spending ``amount_100m / len(starts)``.

    Cohorts that start after the last restricted day run at full pace in every draw, so their
    curve is computed once (one row) and shifted; only cohorts that meet a restriction are
    computed per draw. Same result, much less work for large ensembles.
    """
    n = ctx.cal.n_days
    rows = max(amount_100m.shape[0], ctx.cap_max[2].shape[0])
    out = np.zeros((rows, n))
    if not starts:
        return out
    _, _, each, restricted, free_curve = _plan(ctx, amount_100m, starts, duration_days)
    cap = ctx.cap_max[2]
    values = cap[:, 0:n] if isinstance(cap, SectorShares) else cap  # every day, 1 outside phases
    D = duration_days
    for s in restricted:
        work = np.cumsum(values[:, s:], axis=1)
        done = smoothstep(work / D)
        prev = np.concatenate([np.zeros((done.shape[0], 1)), done[:, :-1]], axis=1)
        out[:, s:] += each * (done - prev)
    free = [s for s in starts if s < n and s not in restricted]
    if free:  # the free curve is zero before its first cohort
        f0 = min(free)
        out[:, f0:] += each * free_curve[None, f0:]
    return out


def spending(ctx: Context, amount_100m: FloatArray, starts: list[int], duration_days: int, a: int) -> tuple[FloatArray, FloatArray]:
    """Real construction spending from day ``a`` (the first start) on and its nominal total.

    Large ensembles (prices computed on demand) take one compiled pass
    (:func:`rebound.sim.compiled.spending`); otherwise :func:`cohort_flows` divided by the price.
    """
    price = ctx.price[2]
    if ctx.compiled and not isinstance(price, np.ndarray) and starts:
        from rebound.sim import compiled as kernels

        _, _, each, restricted, free_curve = _plan(ctx, amount_100m, starts, duration_days)
        return kernels.spending(ctx.cap_max[2], each, restricted, duration_days, free_curve[a:], price, a)
    flow = cohort_flows(ctx, amount_100m, starts, duration_days)
    return _real(ctx, flow, a), flow[:, a:].sum(axis=1)


def _real(ctx: Context, flow: FloatArray, start: int) -> FloatArray:
    """Nominal investment spending (zero before day ``start``) as a real flow from ``start`` on."""
    return np.asarray(flow[:, start:] / ctx.price[2][:, start:], dtype=float)


COHORT_DAYS = 14  # starts spread over a window are grouped in fortnightly cohorts


class ProjectStarts(LeverModel):
    r"""Extra investment projects started over a window.

    Incremental investment :math:`N\,\sigma\,\bar K` (count x incremental_share x
    mean_size_100m) starts in fortnightly cohorts spread evenly over [start, end]; each cohort is
    spent along the construction S-curve, halted while investment activity is restricted.

    Ledger identity: spent_in_horizon + beyond_horizon = money.
    """

    spec: schema.ProjectStarts

    def sectors(self) -> tuple[str, ...]:
        return ("investment",)

    def actions(self) -> list[Action]:
        return [Action(self.spec.start, "projects_start", 0), Action(self.spec.end, "projects_last_start", 1)]

    def apply(self, ctx: Context, action: Action) -> Effect:
        if action.index != 0:
            return Effect()
        sp = self.spec
        money = col(sp.count * sp.mean_size_100m) * col(sp.incremental_share) * self.multiplier
        d0 = ctx.cal.day(sp.start)
        d1 = ctx.cal.day(sp.end)
        starts = list(range(d0, d1 + 1, COHORT_DAYS))
        a = min(max(d0, 0), ctx.cal.n_days)  # nothing is spent before the first start
        real, spent = spending(ctx, money, starts, sp.construction_days, a)
        ledger: dict[str, FloatArray] = {}
        _add(ledger, "money", money[:, 0])
        _add(ledger, "spent_in_horizon", spent)
        _add(ledger, "beyond_horizon", money[:, 0] - spent)
        return Effect(flows={"investment": real}, ledger=ledger, span=(a, ctx.cal.n_days))


class SpecialBond(LeverModel):
    r"""Special-purpose bonds: issuance becomes project spending after a lag.

    Of each issue :math:`B`, :math:`B\,\kappa\,\sigma` (capex_share x incremental_share) is extra
    investment, spent along the construction S-curve from ``lag_days`` after issuance, in
    fortnightly cohorts over the issuance window.

    Ledger identity: not_capex + not_incremental + spent_in_horizon + beyond_horizon = money.
    """

    spec: schema.SpecialBond

    def sectors(self) -> tuple[str, ...]:
        return ("investment",)

    def actions(self) -> list[Action]:
        return [Action(i.start, "bonds_issued", k) for k, i in enumerate(self.spec.issues)]

    def apply(self, ctx: Context, action: Action) -> Effect:
        sp = self.spec
        iss = sp.issues[action.index]
        money = col(iss.amount_100m) * self.multiplier
        capex = money * col(sp.capex_share)
        extra = capex * col(sp.incremental_share)
        d0, d1 = ctx.cal.day(iss.start), ctx.cal.day(iss.end)
        starts = [s + sp.lag_days for s in range(d0, d1 + 1, COHORT_DAYS)]
        a = min(max(min(starts), 0), ctx.cal.n_days) if starts else ctx.cal.n_days  # nothing is spent before
        real, spent = spending(ctx, extra, starts, sp.spend_days, a)
        ledger: dict[str, FloatArray] = {}
        _add(ledger, "money", money[:, 0])
        _add(ledger, "not_capex", (money - capex)[:, 0])
        _add(ledger, "not_incremental", (capex - extra)[:, 0])
        _add(ledger, "spent_in_horizon", spent)
        _add(ledger, "beyond_horizon", extra[:, 0] - spent)
        return Effect(flows={"investment": real}, ledger=ledger, span=(a, ctx.cal.n_days))
