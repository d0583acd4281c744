r"""The simulation engine: simpy drives the calendar, numpy carries every draw at once.

State per sector :math:`s` and draw (arrays of shape ``(3, n_draws)``):
capacity :math:`\kappa` (share of normal, at most the allowed share), permanent scar, and the
backlog :math:`B` of postponed output (亿元, real). Each day :math:`t` of the clock:

.. math::

    c_{s,t} &= 1 - \sigma_{s,t}\,(1 - \chi_t\,\mathbb{1}[s=\text{industry}])
        &&\text{allowed share (stringency } \sigma\text{, closed-loop share } \chi)\\
    \alpha_{s,t} &= 1 - \exp\!\big(-(1 + \lambda_v \ell_t)/\tau_s\big)
        &&\text{recovery rate; } \ell_t = \text{cumulative relief / prior-year GDP}\\
    \kappa_{s,t} &= \min\big(c_{s,t},\ \kappa_{s,t-1} + \alpha_{s,t}(1 - \text{scar}_{s,t-1} - \kappa_{s,t-1})\big)\\
    \text{scar}_{s,t} &= \min\big(1,\ \text{scar}_{s,t-1} + \delta_s (1 - c_{s,t}) e^{-\lambda_d \ell_t}\big)\\
    B_{s,t} &= B_{s,t-1} + \beta_s P_{s,t}\max(0, 1 - \text{scar}_{s,t} - \kappa_{s,t}) - m_{s,t}P_{s,t}\\
    m_{s,t} &= \mathbb{1}[c_{s,t} = 1]\ \min\big(h_s\,\kappa_{s,t},\ B_{s,t-1}/(P_{s,t}\,\tau^B_s)\big)\\
    u_{s,t} &= \kappa_{s,t} + m_{s,t} \in [0, 1 + h_s]\\
    Y_{s,t} &= P_{s,t}\,u_{s,t} + \textstyle\sum_{\text{levers}} F_{s,t}

with :math:`\tau_s` = ``time_constant_days``, :math:`h_s` = ``headroom``, :math:`\beta_s` =
``backlog_share``, :math:`\tau^B_s` = ``backlog_time_constant_days``, :math:`\delta_s` =
``scarring_per_day``, :math:`\lambda_v` = ``liquidity.recovery_speedup`` and
:math:`\lambda_d` = ``liquidity.scar_reduction``. Shocks act on levels (capacity), never on
growth rates. GDP is a value-added composite (see :func:`gdp_composite`). docs/model.md has the
full list with parameter keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy
from numpy.typing import NDArray

from rebound.params.load import with_values
from rebound.params.schema import Params, Phase
from rebound.sim.calendar import Calendar
from rebound.sim.dynamics import col, potential_path, step_capacity
from rebound.sim.levers import Action, Context, Effect, LeverModel, build_levers

FloatArray = NDArray[np.float64]
SECTORS = ("industry", "consumption", "investment")
CLOCK_OFFSET = 0.5  # the daily step runs after the day's events (events at whole days)


@dataclass(frozen=True)
class Event:
    """One entry of the event log: what acted on which day."""

    day: int
    date: dt.date
    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.kind} {self.name}"


@dataclass
class Result:
    """Paths of one run (one entry per draw on the first axis).

    ``output`` holds each sector's daily real output. Indicator series (``series``) are built
    on first use; :meth:`monthly` gives the monthly totals the observation layer needs without
    building daily series (one matrix product per sector).
    """

    cal: Calendar
    n_draws: int
    potential: dict[str, FloatArray]  # sector -> (n|1, n_days) real potential
    capacity: FloatArray  # (3, n, n_days) utilisation u (share of potential)
    output: dict[str, FloatArray]  # sector -> (n, n_days) real output incl. levers
    price: dict[str, FloatArray]  # indicator -> (n|1, n_days) price index
    cap_max: FloatArray  # (3, n|1, n_days) allowed share from restrictions
    lever_flows: dict[str, dict[str, FloatArray]]  # lever -> sector -> real flow
    ledger: dict[str, dict[str, FloatArray]]  # lever -> item -> (n,) 亿元
    events: list[Event] = field(default_factory=list)
    gdp_parts: dict[str, Any] = field(default_factory=dict)
    aq_parts: dict[str, Any] = field(default_factory=dict)
    _series: dict[str, FloatArray] = field(default_factory=dict, repr=False)

    @property
    def gdp_potential(self) -> FloatArray:
        g = self.gdp_parts
        return np.asarray(g["v1"] + g["v2"] + g["v3"], dtype=float)

    @property
    def series(self) -> dict[str, FloatArray]:
        """Daily real flow of every indicator (built on first use)."""
        for ind in ("industry", "retail", "retail_above_quota", "fai", "gdp"):
            if ind not in self._series:
                self._series[ind] = self._daily(ind)
        return self._series

    def _daily(self, ind: str) -> FloatArray:
        shape = (self.n_draws, self.cal.n_days)
        if ind in INDICATOR_SECTOR:
            return self.output[INDICATOR_SECTOR[ind]]
        if ind == "retail_above_quota":
            a = self.aq_parts
            return np.broadcast_to(a["share"] * (self.output["consumption"] - a["lever_flow"]) + a["aq_flow"], shape)
        ratio = {s: self.output[s] / self.potential[s] for s in SECTORS}
        return np.broadcast_to(gdp_composite(self.gdp_parts, ratio), shape)

    def nominal(self, indicator: str) -> FloatArray:
        return self.series[indicator] * self.price[indicator]

    def monthly(self, indicator: str, basis: str) -> tuple[FloatArray, list[str]]:
        """Monthly totals (n, n_months) of an indicator, real or nominal."""
        months, M = self.cal.month_matrix
        price = self.price[indicator]
        g = self.gdp_parts
        if price.shape[0] != 1 or any(np.shape(g[k])[0] != 1 for k in ("v1", "v2", "v3")):
            from rebound.observe.measures import monthly_totals

            daily = self.nominal(indicator) if basis == "nominal" else self.series[indicator]
            return monthly_totals(daily, self.cal.start)
        W = M * price[0][:, None] if basis == "nominal" else M
        if indicator in INDICATOR_SECTOR:
            return self.output[INDICATOR_SECTOR[indicator]] @ W, months
        if indicator == "retail_above_quota":
            a = self.aq_parts
            lever = np.asarray(a["lever_flow"], dtype=float)
            aqf = np.asarray(a["aq_flow"], dtype=float)
            tot = a["share"] * (self.output["consumption"] @ W - lever @ W) + aqf @ W
            return np.broadcast_to(tot, (self.n_draws, len(months))), months
        v1, v2, v3 = (np.asarray(g[k], dtype=float)[0] for k in ("v1", "v2", "v3"))

        def weighted(sector: str, v: FloatArray) -> FloatArray:
            # sum over each month of (Y_s / P_s) * v, folding 1/P into the weights when P is common
            pot = self.potential[sector]
            if pot.shape[0] == 1:
                return np.asarray(self.output[sector] @ (W * (v / pot[0])[:, None]), dtype=float)
            return np.asarray((self.output[sector] / pot) @ (W * v[:, None]), dtype=float)

        const = (v1 + v3) @ W - np.asarray(g["eps"]) * (v3 @ W)
        tot = const + g["w"] * weighted("industry", v2) + (1.0 - g["w"]) * weighted("investment", v2) + g["eps"] * weighted("consumption", v3)
        return np.broadcast_to(tot, (self.n_draws, len(months))), months


INDICATOR_SECTOR = {"industry": "industry", "retail": "consumption", "fai": "investment"}


def phase_cap(phase: Phase, sector_index: int) -> FloatArray:
    """Allowed activity share of a sector during a phase, per draw (n|1, 1)."""
    sec = SECTORS[sector_index]
    s = col(getattr(phase.stringency, sec))
    if sec == "industry":
        s = s * (1.0 - col(phase.closed_loop_share))
    return np.asarray(1.0 - s, dtype=float)


def restriction_calendar(params: Params, cal: Calendar) -> FloatArray:
    """Allowed share ``c[s, draw, day]`` implied by the lockdown phases (1 outside them)."""
    phases = params.lockdown.phases
    rows = 1
    for ph in phases:
        for s in range(3):
            rows = max(rows, phase_cap(ph, s).shape[0])
    cap = np.ones((3, rows, cal.n_days))
    for ph in phases:
        d0, d1 = cal.day(ph.start), cal.day(ph.end) + 1
        for s in range(3):
            cap[s, :, d0:d1] = phase_cap(ph, s)
    return cap


def gdp_composite(parts: dict[str, Any], ratio: dict[str, FloatArray]) -> FloatArray:
    r"""GDP as a value-added composite.

    .. math::

        \text{GDP}_t = V^1_t + V^2_t\big(w\,r^{ind}_t + (1-w)\,r^{inv}_t\big)
            + V^3_t\big(1 + \epsilon\,(r^{cons}_t - 1)\big)

    :math:`V^k` (``parts["v1"]`` etc.) are the three sectors' potential value added (prior-year
    levels ``gdp.primary_100m`` etc., growing at ``gdp.trend_growth_pct``, flat within the
    year), :math:`r` is each model sector's output relative to potential, :math:`w` =
    ``gdp.secondary_industry_weight`` and :math:`\epsilon` = ``gdp.tertiary_consumption_elasticity``.
    The primary sector follows potential. :meth:`Result.monthly` sums the same expression by
    month with matrix products.
    """
    g = parts
    return np.asarray(
        g["v1"] + g["v2"] * (g["w"] * ratio["industry"] + (1.0 - g["w"]) * ratio["investment"]) + g["v3"] * (1.0 + g["eps"] * (ratio["consumption"] - 1.0)),
        dtype=float,
    )


class Engine:
    """One run of one parameter set over ``n_draws`` draws (vectorised)."""

    def __init__(self, params: Params, n_draws: int = 1, values: dict[str, Any] | None = None):
        self.base_params = params
        self.params = with_values(params, values or {})
        self.n = int(n_draws)
        for k, v in (values or {}).items():
            a = np.asarray(v)
            if a.ndim > 0 and a.shape[0] not in (1, self.n):
                raise ValueError(f"values[{k!r}] has {a.shape[0]} draws, expected {self.n}")
        self.cal = Calendar(params.episode.year)
        self.events: list[Event] = []
        self.above_quota_flow: Any = 0.0
        self.liquidity_paid: Any = 0.0

    # --- set-up -------------------------------------------------------------------------
    def _sector_arrays(self) -> None:
        p = self.params
        cal = self.cal
        self.pot: dict[str, FloatArray] = {}
        self.prc: dict[str, FloatArray] = {}
        for s in SECTORS:
            sec = getattr(p.sectors, s)
            pot, price = potential_path(
                cal, sec.prior_year_level_100m, sec.trend_growth_pct, sec.inflation_pct, sec.seasonal, sec.prior_year_anomaly
            )
            self.pot[s], self.prc[s] = pot, price

        def stack(attr: str) -> FloatArray:
            cols = [col(getattr(getattr(p.sectors, s), attr)) for s in SECTORS]
            rows = max(c.shape[0] for c in cols)
            return np.stack([np.broadcast_to(c[:, 0], (rows,)) for c in cols])  # (3, n|1)

        self.tau = stack("time_constant_days")
        self.headroom = stack("headroom")
        self.backlog_share = stack("backlog_share")
        self.tau_b = stack("backlog_time_constant_days")
        self.scar_rate = stack("scarring_per_day")

    # --- simpy processes ---------------------------------------------------------------
    def _log(self, day: int, kind: str, name: str) -> None:
        self.events.append(Event(day, self.cal.date(day), kind, name))

    def _phase_process(self, env: simpy.Environment, i: int, ph: Phase) -> Generator[simpy.Event, Any, None]:
        d0, d1 = self.cal.day(ph.start), self.cal.day(ph.end) + 1
        yield env.timeout(d0)
        self.active_phase = i
        for s in range(3):
            self.current_cap[s] = phase_cap(ph, s)[:, 0]
        self._log(d0, "phase_start", f"lockdown.phases[{i}] {ph.name}")
        yield env.timeout(d1 - d0)
        if d1 < self.cal.n_days:
            self._log(d1, "phase_end", f"lockdown.phases[{i}] {ph.name}")
        if self.active_phase == i:  # the next phase may have started the same day
            self.active_phase = -1
            for s in range(3):
                self.current_cap[s] = np.ones(1)

    def _lever_process(self, env: simpy.Environment, lever: LeverModel, action: Action) -> Generator[simpy.Event, Any, None]:
        day = self.cal.day(action.date)
        yield env.timeout(day)
        effect: Effect = lever.apply(self.ctx, action)
        self._log(day, action.kind, f"levers.{lever.name}[{action.index}]")
        for sector, flow in effect.flows.items():
            self.flows[lever.name][sector] = self.flows[lever.name].get(sector, 0.0) + flow
        if effect.above_quota is not None:
            self.above_quota_flow = self.above_quota_flow + effect.above_quota
        if effect.liquidity is not None:
            self.liquidity_paid = self.liquidity_paid + effect.liquidity
        for k, v in effect.ledger.items():
            led = self.ledger[lever.name]
            led[k] = led.get(k, 0.0) + v

    def _clock(self, env: simpy.Environment, first_day: int) -> Generator[simpy.Event, Any, None]:
        """Daily step from the first restriction on; before it everything runs at potential."""
        n_days = self.cal.n_days
        N = self.n
        kappa = np.ones((3, N))
        scar = np.zeros((3, N))
        backlog = np.zeros((3, N))
        cum_relief = np.zeros(self.liquidity_paid.shape[0])
        rows = max(self.pot[s].shape[0] for s in SECTORS)
        # one (3, rows, n_days) block when the sectors agree; else stack per day (saves memory)
        pot = np.stack([self.pot[s] for s in SECTORS]) if all(self.pot[s].shape[0] == rows for s in SECTORS) else None
        lp = self.params.liquidity
        speed = col(lp.recovery_speedup)[:, 0]
        scar_red = col(lp.scar_reduction)[:, 0]
        gdp0 = self.gdp_prior[:, 0]
        yield env.timeout(first_day + CLOCK_OFFSET)
        for t in range(first_day, n_days):
            # liquidity paid up to today, relative to prior-year GDP
            cum_relief = cum_relief + self.liquidity_paid[:, t]
            ell = cum_relief / gdp0
            cap = np.stack([np.broadcast_to(self.current_cap[s], (N,)) for s in range(3)])
            with np.errstate(over="ignore"):  # a tiny time constant overflows to -inf: alpha = 1, instant recovery
                alpha = 1.0 - np.exp(-(1.0 + speed * ell) / self.tau)
            kappa = step_capacity(kappa, cap, 1.0 - scar, alpha)
            scar = np.minimum(1.0, scar + self.scar_rate * (1.0 - cap) * np.exp(-scar_red * ell))
            p_t = pot[:, :, t] if pot is not None else np.stack([np.broadcast_to(self.pot[s][:, t], (rows,)) for s in SECTORS])
            gap = np.maximum(1.0 - scar - kappa, 0.0)
            open_ = cap >= 1.0
            m = np.where(open_, np.minimum(self.headroom * kappa, backlog / (p_t * self.tau_b)), 0.0)
            backlog = backlog + self.backlog_share * p_t * gap - m * p_t
            self.u[:, :, t] = kappa + m
            if t + 1 < n_days:
                yield env.timeout(1)

    # --- run ----------------------------------------------------------------------------
    def run(self) -> Result:
        p = self.params
        cal = self.cal
        N = self.n
        self._sector_arrays()
        self.cap_max = restriction_calendar(p, cal)
        g = p.gdp
        self.gdp_prior = col(g.primary_100m) + col(g.secondary_100m) + col(g.tertiary_100m)
        self.ctx = Context(
            cal=cal,
            n_draws=N,
            cap_max=self.cap_max,
            price=[self.prc[s] for s in SECTORS],
            gdp_prior_100m=self.gdp_prior,
        )
        self.current_cap: list[FloatArray] = [np.ones(1) for _ in range(3)]
        self.active_phase = -1
        self.levers = build_levers(p.levers)
        self.flows: dict[str, dict[str, Any]] = {lv.name: {} for lv in self.levers}
        self.ledger: dict[str, dict[str, Any]] = {lv.name: {} for lv in self.levers}
        self.above_quota_flow = np.zeros((1, cal.n_days))
        self.liquidity_paid = np.zeros((1, cal.n_days))
        self.u = np.ones((3, N, cal.n_days))

        env = simpy.Environment()
        for i, ph in enumerate(p.lockdown.phases):
            env.process(self._phase_process(env, i, ph))
        for lever in self.levers:
            for action in lever.actions():
                if cal.day(action.date) < cal.n_days:
                    env.process(self._lever_process(env, lever, action))
        first = min([cal.day(ph.start) for ph in p.lockdown.phases], default=cal.n_days)
        if first < cal.n_days:
            env.process(self._clock(env, first))
        env.run()
        # stable sort: same-day order is scheduling order, except that a phase's end is
        # listed before the next phase's start
        self.events.sort(key=lambda e: (e.day, e.kind != "phase_end"))
        return self._assemble()

    def _absorb_give_back(self, sector: str, short: FloatArray) -> FloatArray:
        """Spending given back (voucher pull-forward) cannot exceed what would be spent.

        ``short`` (real, per draw and day) is how far the levers' negative flows would push
        ``sector``'s output below zero. It is taken off the give-back of the levers with a
        negative flow that day, in proportion, and recorded in their ledgers as
        ``given_back_not_realisable`` (moved out of ``given_back_in_horizon``), so every yuan
        stays accounted for and output never goes below zero. Returns the added real flow.
        """
        neg = {}
        for lv in self.levers:
            if sector in self.flows[lv.name] and np.any(self.flows[lv.name][sector] < 0.0):
                neg[lv.name] = np.maximum(-self.flows[lv.name][sector], 0.0)
        total = sum(neg.values())
        weight_total = np.where(total > 0.0, total, 1.0)
        price = self.prc[sector]
        for lv in self.levers:
            if lv.name not in neg:
                continue
            part = short * neg[lv.name] / weight_total
            self.flows[lv.name][sector] = self.flows[lv.name][sector] + part
            nominal = np.sum(part * price, axis=1)
            led = self.ledger[lv.name]
            led["given_back_in_horizon"] = led.get("given_back_in_horizon", 0.0) - nominal
            led["given_back_not_realisable"] = led.get("given_back_not_realisable", 0.0) + nominal
            if sector == "consumption":
                aq_share = col(getattr(lv.spec, "above_quota_share", 1.0))
                self.above_quota_flow = self.above_quota_flow + part * aq_share
        return short

    def _assemble(self) -> Result:
        cal = self.cal
        N = self.n
        out: dict[str, FloatArray] = {}
        lever_total: dict[str, Any] = {}
        for i, s in enumerate(SECTORS):
            lever_sum: Any = 0.0
            for lv in self.levers:
                if s in self.flows[lv.name]:
                    lever_sum = lever_sum + self.flows[lv.name][s]
            y = self.pot[s] * self.u[i]
            if not isinstance(lever_sum, float):
                y = y + lever_sum
                short = np.maximum(-y, 0.0)
                if np.any(short > 0.0):
                    y = y + short
                    lever_sum = lever_sum + self._absorb_give_back(s, short)
            lever_total[s] = lever_sum
            out[s] = np.broadcast_to(y, (N, cal.n_days))
        g = self.params.gdp
        flat, zero = [1.0] * 12, [0.0] * 12
        v1, gdp_price = potential_path(cal, g.primary_100m, g.trend_growth_pct, g.inflation_pct, flat, zero)
        v2, _ = potential_path(cal, g.secondary_100m, g.trend_growth_pct, g.inflation_pct, flat, zero)
        v3, _ = potential_path(cal, g.tertiary_100m, g.trend_growth_pct, g.inflation_pct, flat, zero)
        gdp_parts = {"v1": v1, "v2": v2, "v3": v3, "w": col(g.secondary_industry_weight), "eps": col(g.tertiary_consumption_elasticity)}
        aq_parts = {
            "share": col(self.params.sectors.consumption.above_quota_share),
            "lever_flow": np.broadcast_to(np.asarray(lever_total["consumption"], dtype=float), (1, cal.n_days)) if isinstance(lever_total["consumption"], float) else lever_total["consumption"],
            "aq_flow": self.above_quota_flow,
        }
        price = {
            "industry": self.prc["industry"],
            "retail": self.prc["consumption"],
            "retail_above_quota": self.prc["consumption"],
            "fai": self.prc["investment"],
            "gdp": gdp_price,
        }
        ledger = {
            name: {k: np.broadcast_to(np.asarray(v, dtype=float), (N,)) for k, v in items.items()}
            for name, items in self.ledger.items()
        }
        return Result(
            cal=cal,
            n_draws=N,
            potential=self.pot,
            capacity=self.u,
            output=out,
            price=price,
            cap_max=self.cap_max,
            lever_flows={k: dict(v) for k, v in self.flows.items()},
            ledger=ledger,
            events=list(self.events),
            gdp_parts=gdp_parts,
            aq_parts=aq_parts,
        )


def simulate(params: Params, n_draws: int = 1, values: dict[str, Any] | None = None) -> Result:
    """Run the model once for ``n_draws`` draws.

    Parameters
    ----------
    params : Params
        A validated parameter set (:func:`rebound.params.load.load`).
    n_draws : int
        Number of parameter draws carried side by side.
    values : dict, optional
        ``{key path: array of shape (n_draws,)}`` per-draw values laid over ``params``
        (a free parameter's draws, a lever's scale for Shapley coalitions, ...).
    """
    return Engine(params, n_draws, values).run()
