"""Policy levers: small classes with dated actions and a clear apply step.

Each lever is built from its validated schema entry. Its :meth:`actions` are the dates at which
it acts (the engine schedules them as simpy processes); :meth:`apply` for one action returns an
:class:`Effect`: daily flows added to sectors, liquidity paid to firms, and a ledger that
accounts for every yuan (tests/test_levers.py checks the identities).

All money is in 亿元 at current prices; flows are returned in real terms (divided by the
sector's price index) so they add to the real output paths.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rebound.params import schema
from rebound.sim.construction import ProjectStarts, SpecialBond, cohort_flows, construction_flow
from rebound.sim.dynamics import col
from rebound.sim.lever_base import (
    SECTOR_INDEX,
    Action,
    Context,
    Effect,
    LeverModel,
    _add,
    _window,
)

FloatArray = NDArray[np.float64]
__all__ = ["Action", "Context", "Effect", "LeverModel", "SECTOR_INDEX", "build_levers", "cohort_flows", "construction_flow", "pull_forward_per_day"]


def _demand_effect(
    ctx: Context,
    sector: str,
    start: dt.date,
    days: int,
    induced_100m: FloatArray,
    above_quota_share: Any,
) -> tuple[FloatArray, FloatArray, dict[str, FloatArray], tuple[int, int]]:
    """Spread induced spending evenly over a window, limited by the sector's open share.

    Returns the realised real flow and its above-quota part on the window's days ``[d0, d1)``
    (zero outside it), the ledger (realised, lost_to_restrictions, beyond_horizon, which sums to
    ``induced_100m``) and the window.
    """
    s = SECTOR_INDEX[sector]
    d0, d1, beyond = _window(ctx, start, days)
    per_day = induced_100m / days  # (n|1, 1)
    open_share = ctx.cap_max[s][:, d0:d1]
    nominal = per_day * open_share  # the window's days only
    lost = per_day[:, 0] * np.sum(1.0 - open_share, axis=1)
    ledger: dict[str, FloatArray] = {}
    _add(ledger, "realised", nominal.sum(axis=1))
    _add(ledger, "lost_to_restrictions", np.broadcast_to(lost, nominal.shape[:1]))
    _add(ledger, "beyond_horizon", np.broadcast_to(per_day[:, 0] * beyond, nominal.shape[:1]))
    real = nominal / ctx.price[s][:, d0:d1]
    return real, real * col(above_quota_share), ledger, (d0, d1)


def _joined(a: int, b: int, *parts: tuple[int, FloatArray]) -> FloatArray:
    """Days ``[a, b)`` holding each ``(start, values)`` part (parts do not overlap; zero between)."""
    rows = max(v.shape[0] for _, v in parts)
    out = np.zeros((rows, b - a))
    for start, v in parts:
        out[:, start - a : start - a + v.shape[1]] = v
    return out


def pull_forward_per_day(spec: Any, spent: Any) -> Any:
    r"""Spending given back a day after a voucher window: :math:`\phi\,S / D`.

    ``spent`` is the extra spending realised in the window (the engine) or its upper bound
    amount x scale x incremental_spending_per_yuan (the input check in :mod:`rebound.checks`);
    :math:`\phi` = ``pull_forward_share``, :math:`D` = ``pull_forward_days``. The one place the
    give-back rule is written.
    """
    return spent * col(spec.pull_forward_share) / spec.pull_forward_days


class ConsumptionVoucher(LeverModel):
    r"""Consumption vouchers, issued in rounds.

    A round of face value :math:`A` redeemable for :math:`W` days adds retail spending
    :math:`A\,\mu / W` a day (:math:`\mu` = ``incremental_spending_per_yuan``) while shops may
    open (share :math:`c_t`); a share :math:`\phi` (``pull_forward_share``) of what is realised
    is given back evenly over the following ``pull_forward_days``.

    Ledger identity: realised + lost_to_restrictions + beyond_horizon = :math:`A\mu`.
    """

    spec: schema.ConsumptionVoucher

    def sectors(self) -> tuple[str, ...]:
        return ("consumption",)

    def actions(self) -> list[Action]:
        out = []
        for i, r in enumerate(self.spec.rounds):
            out.append(Action(r.date, "voucher_round_issued", i))
            out.append(Action(r.date + dt.timedelta(days=r.redemption_days), "voucher_round_expired", i))
        return out

    def apply(self, ctx: Context, action: Action) -> Effect:
        if action.kind != "voucher_round_issued":
            return Effect()
        sp = self.spec
        r = sp.rounds[action.index]
        amount = col(r.amount_100m) * self.multiplier
        induced = amount * col(sp.incremental_spending_per_yuan)
        real, aq, ledger, (d0, d1) = _demand_effect(ctx, "consumption", r.date, r.redemption_days, induced, sp.above_quota_share)
        _add(ledger, "money", amount[:, 0])
        _add(ledger, "incremental_spending", induced[:, 0])
        # pull-forward: give back a share of what was realised, after the window
        realised = ledger["realised"].reshape(-1, 1)
        give_back = realised * col(sp.pull_forward_share)
        e0 = ctx.cal.day(r.date) + r.redemption_days
        g0, g1 = min(e0, ctx.cal.n_days), min(e0 + sp.pull_forward_days, ctx.cal.n_days)
        per_day = pull_forward_per_day(sp, realised)
        back_in = per_day[:, 0] * (g1 - g0) if g1 > g0 else np.zeros(per_day.shape[0])
        _add(ledger, "given_back_in_horizon", back_in)
        _add(ledger, "given_back_beyond_horizon", (give_back[:, 0] - back_in))
        back_real = per_day / ctx.price[1][:, g0:g1]
        a, b = min(d0, g0), max(d1, g1)  # the window, then the give-back right after it
        flow = _joined(a, b, (d0, real), (g0, -back_real))
        above = _joined(a, b, (d0, aq), (g0, -(back_real * col(sp.above_quota_share))))
        return Effect(flows={"consumption": flow}, above_quota=above, ledger=ledger, span=(a, b))


class TaxRelief(LeverModel):
    r"""Tax and fee relief: liquidity paid to firms in tranches.

    Each tranche pays :math:`A/(e - s + 1)` a day from start to end. Cumulative relief
    relative to prior-year GDP, :math:`\ell_t`, lowers scarring and speeds recovery
    (see :mod:`rebound.sim.engine`). A share :math:`\iota` (``investment_share``) of each day's
    relief is spent on fixed investment evenly over the next ``investment_days``.

    Ledger identity: invested_in_horizon + invested_beyond_horizon + held_as_liquidity = money.
    """

    spec: schema.TaxRelief

    def sectors(self) -> tuple[str, ...]:
        return ("investment",)

    def actions(self) -> list[Action]:
        out = []
        for i, t in enumerate(self.spec.tranches):
            out.append(Action(t.start, f"relief_{t.kind}_starts", i))
            out.append(Action(t.end, f"relief_{t.kind}_ends", i))
        return out

    def apply(self, ctx: Context, action: Action) -> Effect:
        if not action.kind.endswith("_starts"):
            return Effect()
        sp = self.spec
        t = sp.tranches[action.index]
        amount = col(t.amount_100m) * self.multiplier
        days = (t.end - t.start).days + 1
        d0, d1, _ = _window(ctx, t.start, days)
        paid = np.zeros((amount.shape[0], ctx.cal.n_days))
        paid[:, d0:d1] = amount / days
        # investment funded by relief: moving sum of the last `investment_days` payments,
        # which is zero outside [d0, d1 + D)
        share = col(sp.investment_share)
        D = sp.investment_days
        c = np.cumsum(paid, axis=1)
        lagged = np.zeros_like(c)
        lagged[:, D:] = c[:, :-D] if D < c.shape[1] else 0.0
        a, b = d0, min(ctx.cal.n_days, d1 + D)
        inv_nominal = share * (c[:, a:b] - lagged[:, a:b]) / D
        ledger: dict[str, FloatArray] = {}
        _add(ledger, "money", amount[:, 0])
        inv_in = inv_nominal.sum(axis=1)
        _add(ledger, "invested_in_horizon", inv_in)
        _add(ledger, "invested_beyond_horizon", (share * amount)[:, 0] - inv_in)
        _add(ledger, "held_as_liquidity", ((1.0 - share) * amount)[:, 0])
        return Effect(flows={"investment": inv_nominal / ctx.price[2][:, a:b]}, liquidity=paid, ledger=ledger, span=(a, b))


class HousingSubsidy(LeverModel):
    r"""Home-purchase subsidies: extra real-estate investment :math:`A\,\eta` over [start, end].

    Ledger identity: realised + lost_to_restrictions + beyond_horizon = induced.
    """

    spec: schema.HousingSubsidy

    def sectors(self) -> tuple[str, ...]:
        return ("investment",)

    def actions(self) -> list[Action]:
        return [Action(self.spec.start, "housing_subsidy_starts", 0)]

    def apply(self, ctx: Context, action: Action) -> Effect:
        sp = self.spec
        money = col(sp.amount_100m) * self.multiplier
        induced = money * col(sp.investment_per_yuan)
        days = (sp.end - sp.start).days + 1
        real, _, ledger, span = _demand_effect(ctx, "investment", sp.start, days, induced, 0.0)
        _add(ledger, "money", money[:, 0])
        _add(ledger, "induced", induced[:, 0])
        return Effect(flows={"investment": real}, ledger=ledger, span=span)


class DemandPromotion(LeverModel):
    r"""Sector demand promotion (e.g. autos): extra spending :math:`A\,\eta` in one sector.

    Ledger identity: realised + lost_to_restrictions + beyond_horizon = induced.
    """

    spec: schema.DemandPromotion

    def sectors(self) -> tuple[str, ...]:
        return (self.spec.sector,)

    def actions(self) -> list[Action]:
        return [Action(self.spec.start, "promotion_starts", 0)]

    def apply(self, ctx: Context, action: Action) -> Effect:
        sp = self.spec
        money = col(sp.amount_100m) * self.multiplier
        induced = money * col(sp.spending_per_yuan)
        days = (sp.end - sp.start).days + 1
        real, aq, ledger, span = _demand_effect(ctx, sp.sector, sp.start, days, induced, sp.above_quota_share)
        _add(ledger, "money", money[:, 0])
        _add(ledger, "induced", induced[:, 0])
        return Effect(
            flows={sp.sector: real},
            above_quota=aq if sp.sector == "consumption" else None,
            ledger=ledger,
            span=span,
        )


LEVER_CLASSES: dict[str, type[LeverModel]] = {
    "consumption_voucher": ConsumptionVoucher,
    "tax_relief": TaxRelief,
    "project_starts": ProjectStarts,
    "special_bond": SpecialBond,
    "housing_subsidy": HousingSubsidy,
    "demand_promotion": DemandPromotion,
}


def build_levers(levers: dict[str, Any]) -> list[LeverModel]:
    """Lever objects from the validated ``levers`` table, in file order."""
    return [LEVER_CLASSES[spec.type](name, spec) for name, spec in levers.items()]
