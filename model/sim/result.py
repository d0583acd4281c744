r"""What one run returns: daily paths per sector and the GDP composite.

GDP is a value-added composite of the model sectors' utilisation :math:`u_s` (output without
levers, relative to potential) plus the value added of lever-induced spending:

.. math::

    \text{GDP}_t = V^1_t + V^2_t\big(w\,u^{ind}_t + (1-w)\,u^{inv}_t\big)
        + V^3_t\big(1 + \epsilon\,(u^{cons}_t - 1)\big) + \sum_s \nu_s F_{s,t}

:math:`V^k_t` are the three sectors' potential value added (``gdp.primary_100m`` etc. in year
:math:`Y-1`, following GDP's own reference path and within-year profile ``gdp.seasonal``),
:math:`u_s` includes a sourced base-year shock of the sector (``prior_year_anomaly`` times
``anomaly_scale``), so a chip shortage that cut industry in :math:`Y-1` reaches GDP too;
:math:`w` = ``gdp.secondary_industry_weight``, :math:`\epsilon` =
``gdp.tertiary_consumption_elasticity``, :math:`F_s` the levers' real spending in aggregate
:math:`s` and :math:`\nu_s` = ``sectors.<s>.va_share`` the value added per yuan of it (a yuan of
voucher-induced retail turnover is not a yuan of value added).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rebound.sim.calendar import Calendar

FloatArray = NDArray[np.float64]
SECTORS = ("industry", "consumption", "investment")
INDICATOR_SECTOR = {"industry": "industry", "retail": "consumption", "fai": "investment"}
TOTAL_KEYS = tuple((ind, basis) for ind in ("industry", "retail", "retail_above_quota", "fai", "gdp") for basis in ("real", "nominal"))


@dataclass(frozen=True)
class Event:
    """One entry of the event log: what acted on which day."""

    day: int
    date: Any
    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.kind} {self.name}"


@dataclass(frozen=True)
class GdpParts:
    """Inputs of the GDP composite (arrays broadcast over draws)."""

    v1: FloatArray  # (n|1, n_days) potential primary value added, real
    v2: FloatArray
    v3: FloatArray
    w: FloatArray  # (n|1, 1) secondary_industry_weight
    eps: FloatArray  # (n|1, 1) tertiary_consumption_elasticity
    va_share: dict[str, FloatArray]  # sector -> (n|1, 1)
    base_shock: dict[str, FloatArray]  # sector -> (n|1, n_days) 1 + sourced base-year anomaly

    @property
    def potential(self) -> FloatArray:
        return np.asarray(self.v1 + self.v2 + self.v3, dtype=float)


@dataclass
class Result:
    """Paths of one run (one entry per draw on the first axis)."""

    cal: Calendar
    n_draws: int
    potential: dict[str, FloatArray]  # sector -> (n|1, n_days) real potential
    capacity: FloatArray  # (3, n, n_days) utilisation u (share of potential), without levers
    output: dict[str, FloatArray]  # sector -> (n, n_days) real output incl. levers
    price: dict[str, FloatArray]  # indicator -> (n|1, n_days) price index
    cap_max: FloatArray  # (3, n|1, n_days) allowed share from restrictions
    lever_flows: dict[str, dict[str, FloatArray]]  # lever -> sector -> real flow
    ledger: dict[str, dict[str, FloatArray]]  # lever -> item -> (n,) 亿元
    gdp: GdpParts
    above_quota_share: FloatArray  # (n|1, 1)
    above_quota_lever_flow: FloatArray  # (n|1, n_days) real above-quota part of lever flows
    events: list[Event] = field(default_factory=list)
    _series: dict[str, FloatArray] = field(default_factory=dict, repr=False)
    _levers: dict[str, FloatArray] = field(default_factory=dict, repr=False)

    @property
    def gdp_potential(self) -> FloatArray:
        return self.gdp.potential

    def lever_total(self, sector: str) -> FloatArray:
        """All levers' real flow in a sector, ``(n|1, n_days)`` (summed once, then kept)."""
        if sector not in self._levers:
            tot = np.zeros((1, self.cal.n_days))
            for flows in self.lever_flows.values():
                if sector in flows:
                    tot = tot + flows[sector]
            self._levers[sector] = tot
        return self._levers[sector]

    @property
    def series(self) -> dict[str, FloatArray]:
        """Daily real flow of every indicator (built on first use)."""
        for ind in ("industry", "retail", "retail_above_quota", "fai", "gdp"):
            if ind not in self._series:
                self._series[ind] = np.broadcast_to(self._daily(ind), (self.n_draws, self.cal.n_days))
        return self._series

    def _daily(self, ind: str) -> FloatArray:
        if ind in INDICATOR_SECTOR:
            return self.output[INDICATOR_SECTOR[ind]]
        if ind == "retail_above_quota":
            cons = self.output["consumption"] - self.lever_total("consumption")
            return np.asarray(self.above_quota_share * cons + self.above_quota_lever_flow, dtype=float)
        u = {s: self.capacity[i] for i, s in enumerate(SECTORS)}
        return gdp_composite(self.gdp, u, {s: self.lever_total(s) for s in SECTORS})

    def nominal(self, indicator: str) -> FloatArray:
        return np.asarray(self.series[indicator] * self.price[indicator], dtype=float)

    def monthly(self, indicator: str, basis: str) -> tuple[FloatArray, list[str]]:
        """Monthly totals ``(n, n_months)`` of an indicator, real or nominal."""
        daily = self.nominal(indicator) if basis == "nominal" else self.series[indicator]
        return month_sums(daily, self.cal), self.cal.months


@dataclass
class MonthlyTotals:
    """Monthly totals of some indicators for every draw: what a large ensemble keeps.

    ``totals[(indicator, basis)]`` is ``(n_draws, n_months)``; :meth:`monthly` answers like
    :meth:`Result.monthly`, so :class:`rebound.observe.indicators.Evaluator` takes either. A
    few kilobytes a draw instead of the daily paths: Dask tasks send these back.
    """

    n_draws: int
    months: list[str]
    totals: dict[tuple[str, str], FloatArray]

    @classmethod
    def of(cls, result: Result, keys: list[tuple[str, str]]) -> MonthlyTotals:
        """The totals of ``keys`` ((indicator, basis) pairs) from a run, every draw."""
        n, cal = result.n_draws, result.cal
        return cls(n, cal.months, {k: np.ascontiguousarray(np.broadcast_to(result.monthly(*k)[0], (n, len(cal.months)))) for k in keys})

    @classmethod
    def concat(cls, parts: list[MonthlyTotals]) -> MonthlyTotals:
        """Draws of several chunks, in order."""
        keys = list(parts[0].totals)
        return cls(sum(p.n_draws for p in parts), parts[0].months, {k: np.concatenate([p.totals[k] for p in parts], axis=0) for k in keys})

    def monthly(self, indicator: str, basis: str) -> tuple[FloatArray, list[str]]:
        return self.totals[(indicator, basis)], self.months


def month_sums(daily: FloatArray, cal: Calendar) -> FloatArray:
    """Totals ``(n, n_months)`` of a daily array ``(n, n_days)`` over each calendar month.

    Months are contiguous runs of days, so one ``np.add.reduceat`` over the month starts does
    it (a pass over the data, no dense day-by-month matrix product).
    """
    return np.asarray(np.add.reduceat(np.asarray(daily, dtype=float), month_starts(cal), axis=1), dtype=float)


def month_starts(cal: Calendar) -> NDArray[np.int64]:
    """Index of each calendar month's first day (months are contiguous runs of days)."""
    return np.asarray(np.searchsorted(cal.month_of_day, np.arange(len(cal.months))), dtype=np.int64)


def gdp_composite(g: GdpParts, u: dict[str, FloatArray], lever: dict[str, FloatArray]) -> FloatArray:
    """Daily real GDP from utilisation and lever flows (see the module docstring)."""
    r = {s: u[s] * g.base_shock[s] for s in SECTORS}
    core = g.v1 + g.v2 * (g.w * r["industry"] + (1.0 - g.w) * r["investment"]) + g.v3 * (1.0 + g.eps * (r["consumption"] - 1.0))
    extra = sum((g.va_share[s] * lever[s] for s in SECTORS), np.zeros((1, 1)))
    return np.asarray(core + extra, dtype=float)
