r"""The simulation engine: simpy drives the calendar, numpy carries every draw at once.

SimPy schedules the lockdown phases and every lever action as processes, which log the event
list; each day from the first restriction on, the daily step (:func:`rebound.sim.step.step`,
its equations there) advances every draw's state. Large ensembles that keep only monthly
totals (:meth:`Engine.run_totals`) run the step in a compiled kernel (:mod:`rebound.sim.fused`)
after the events, since no lever reads the state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from typing import Any, cast

import numpy as np
import simpy
from numpy.typing import NDArray

from rebound.params.load import with_values
from rebound.params.schema import Params
from rebound.sim import windows
from rebound.sim.baseline import anomaly_factor, reference_path, yoy_multipliers
from rebound.sim.calendar import Calendar
from rebound.sim.dynamics import col
from rebound.sim.kernels import kernels_load, numba_available, use_compiled
from rebound.sim.levers import Action, Context, Effect, LeverModel, build_levers
from rebound.sim.paths import sector_path
from rebound.sim.references import reference_growth
from rebound.sim.restrictions import (
    SECTORS,
    RestrictionWindow,
    phase_days,
)
from rebound.sim.result import (
    TOTAL_KEYS,
    Event,
    GdpParts,
    MonthlyTotals,
    Result,
)
from rebound.sim.step import Rates, State, rescale_to_level, step, va_share

FloatArray = NDArray[np.float64]
CLOCK_OFFSET = 0.5  # the daily step runs after the day's events (events at whole days)


class Engine:
    """One run of one parameter set over ``n_draws`` draws (vectorised)."""

    def __init__(self, params: Params, n_draws: int = 1, values: dict[str, Any] | None = None, *, compiled: bool | None = None):
        self.params = with_values(params, values or {})
        self.values = values or {}
        self.n = int(n_draws)
        # run_totals on the compiled kernels (run, with daily paths, is always the numpy engine)
        self.compiled = use_compiled(self.n) if compiled is None else bool(compiled) and numba_available() and kernels_load()
        for k, v in (values or {}).items():
            a = np.asarray(v)
            if a.ndim > 0 and a.shape[0] not in (1, self.n):
                raise ValueError(f"values[{k!r}] has {a.shape[0]} draws, expected {self.n}")
        self.cal = Calendar.of(params)
        self.events: list[Event] = []
        self.above_quota_flow: Any = np.zeros((1, self.cal.n_days))
        self.above_quota_parts: list[windows.Window] = []
        self.liquidity_paid: Any = np.zeros((1, self.cal.n_days))
        self.cap_max: Any = None  # (3, n|1, n_days) array, or a RestrictionWindow for run_totals
        self.restricted = (0, 0)

    # --- set-up -------------------------------------------------------------------------
    def _paths(self, monthly: bool = False) -> None:
        """No-lockdown paths and prices; ``monthly`` (for :meth:`run_totals`): potential as one
        daily value per month and the GDP composite's inputs unscaled (the kernel scales)."""
        p, cal = self.params, self.cal
        self.pot: dict[str, FloatArray] = {}
        self.prc: dict[str, Any] = {}  # arrays, or LazyPrice for run_totals
        growth = reference_growth(p, cal)
        for s in SECTORS:
            self.pot[s], self.prc[s] = sector_path(p, cal, s, growth[s], use_reference=growth[s] is not None, monthly=monthly)
        g = p.gdp
        mult = yoy_multipliers(growth["gdp"], g.loading, g.offset_pct, g.trend_growth_pct, nominal_reference=False, inflation_pct=g.inflation_pct)
        total = col(g.primary_100m) + col(g.secondary_100m) + col(g.tertiary_100m)
        gdp_pot, gdp_price = reference_path(cal, total, g.inflation_pct, g.seasonal, mult, monthly=monthly)
        self.gdp_price: Any = gdp_price  # an array, or a LazyPrice for run_totals
        self.gdp_prior = total
        if monthly:
            self.price_lg = {s: cast(Any, self.prc[s]).lg for s in SECTORS} | {"gdp": cast(Any, gdp_price).lg}
            levels = np.broadcast_arrays(col(g.primary_100m), col(g.secondary_100m), col(g.tertiary_100m))
            self.gdp_monthly = {
                "potential": gdp_pot,
                "levels": np.concatenate(levels, axis=1),
                "w": col(g.secondary_industry_weight),
                "eps": col(g.tertiary_consumption_elasticity),
                "va_share": {s: col(va_share(p, s)) for s in SECTORS},
                "base_shock": {s: anomaly_factor(cal, getattr(p.sectors, s).prior_year_anomaly, getattr(p.sectors, s).anomaly_scale) for s in SECTORS},
            }
            return
        self.gdp = GdpParts(
            v1=gdp_pot * col(g.primary_100m) / total,
            v2=gdp_pot * col(g.secondary_100m) / total,
            v3=gdp_pot * col(g.tertiary_100m) / total,
            w=col(g.secondary_industry_weight),
            eps=col(g.tertiary_consumption_elasticity),
            va_share={s: col(va_share(p, s)) for s in SECTORS},
            base_shock={s: anomaly_factor(cal, getattr(p.sectors, s).prior_year_anomaly, getattr(p.sectors, s).anomaly_scale)[:, cal.month_of_day] for s in SECTORS},
        )
        self.gdp = rescale_to_level(self.gdp, cal, self.gdp_price, total)

    # --- simpy processes ---------------------------------------------------------------
    def _log(self, day: int, kind: str, name: str) -> None:
        self.events.append(Event(day, self.cal.date(day), kind, name))

    def _phase_process(self, env: simpy.Environment, i: int) -> Generator[simpy.Event, Any, None]:
        """Log a phase's start and end (the allowed shares come from the restriction calendar)."""
        ph = self.params.lockdown.phases[i]
        d0, d1 = phase_days(ph, self.cal)
        yield env.timeout(d0)
        self._log(d0, "phase_start", f"lockdown.phases[{i}] {ph.name}")
        yield env.timeout(d1 - d0)
        if d1 < self.cal.n_days:
            self._log(d1, "phase_end", f"lockdown.phases[{i}] {ph.name}")

    def _lever_process(self, env: simpy.Environment, lever: LeverModel, action: Action) -> Generator[simpy.Event, Any, None]:
        day = self.cal.day(action.date)
        yield env.timeout(day)
        effect: Effect = lever.apply(self.ctx, action)
        self._log(day, action.kind, f"levers.{lever.name}[{action.index}]")
        a = effect.span[0]
        for sector, flow in effect.flows.items():
            self.flows[lever.name].setdefault(sector, []).append((a, flow))
        if effect.above_quota is not None:
            self.above_quota_parts.append((a, effect.above_quota))
        if effect.liquidity is not None:
            self.liquidity_paid = self.liquidity_paid + effect.liquidity
        for k, v in effect.ledger.items():
            led = self.ledger[lever.name]
            led[k] = led.get(k, 0.0) + v

    def _clock(self, env: simpy.Environment, first_day: int) -> Generator[simpy.Event, Any, None]:
        """Daily step from the first restriction on; before it everything runs at potential."""
        n_days, N = self.cal.n_days, self.n
        st = State.normal(N)
        r = Rates.of(self.params)
        pot = np.stack([np.broadcast_to(self.pot[s], (self.pot[s].shape[0], n_days)) for s in SECTORS]) if len({self.pot[s].shape[0] for s in SECTORS}) == 1 else None
        gdp0 = self.gdp_prior[:, 0]
        yield env.timeout(first_day + CLOCK_OFFSET)
        # relief paid before the first restricted day counts toward liquidity
        relief = np.sum(self.liquidity_paid[:, :first_day], axis=1)
        for t in range(first_day, n_days):
            relief = relief + self.liquidity_paid[:, t]
            p_t = pot[:, :, t] if pot is not None else np.stack([np.broadcast_to(self.pot[s][:, t], (max(v.shape[0] for v in self.pot.values()),)) for s in SECTORS])
            self.u[:, :, t] = step(st, r, self.cap_max[:, :, t], p_t, relief / gdp0)
            if t + 1 < n_days:
                yield env.timeout(1)

    # --- run ----------------------------------------------------------------------------
    def _prepare(self, monthly: bool = False) -> int:
        """Paths, restrictions, levers and the simpy calendar of events; the first restricted day."""
        p, cal, N = self.params, self.cal, self.n
        self._paths(monthly)
        window = RestrictionWindow(p, cal)
        self.cap_max = window if monthly else window.full()
        self.restricted = window.restricted_days()
        self.ctx = Context(cal=cal, n_draws=N, cap_max=self.cap_max, price=[self.prc[s] for s in SECTORS], gdp_prior_100m=self.gdp_prior, compiled=monthly)
        self.levers = build_levers(p.levers)
        self.flows: dict[str, dict[str, Any]] = {lv.name: {} for lv in self.levers}
        self.ledger: dict[str, dict[str, Any]] = {lv.name: {} for lv in self.levers}
        self.above_quota_parts = []
        self.liquidity_paid = np.zeros((1, cal.n_days))
        self.env = simpy.Environment()
        for i, ph in enumerate(p.lockdown.phases):
            if phase_days(ph, cal)[1] > 0:
                self.env.process(self._phase_process(self.env, i))
        for lever in self.levers:
            for action in lever.actions():
                if 0 <= cal.day(action.date) < cal.n_days:
                    self.env.process(self._lever_process(self.env, lever, action))
        return self.restricted[0]

    def _finish_events(self) -> None:
        # stable sort: same-day order is scheduling order, except that a phase's end is
        # listed before the next phase's start
        self.events.sort(key=lambda e: (e.day, e.kind != "phase_end"))

    def run(self) -> Result:
        cal, N = self.cal, self.n
        first = self._prepare()
        self.u = np.ones((3, N, cal.n_days))
        if first < cal.n_days:
            self.env.process(self._clock(self.env, first))
        self.env.run()
        self._finish_events()
        # daily paths are kept: lever flows over the whole horizon
        self.flows = {lv: {s: windows.full(w, cal.n_days) for s, w in f.items()} for lv, f in self.flows.items()}
        self.above_quota_flow = windows.full(self.above_quota_parts, cal.n_days)
        return self._assemble()

    def run_totals(self) -> MonthlyTotals:
        """Monthly totals of every indicator and draw, real and nominal, without daily paths.

        Compiled: one fused kernel (:func:`rebound.sim.fused.totals`) steps every draw
        through the days and sums by month. Draws whose output would go negative (lever
        give-back larger than spending, handled by :meth:`_absorb_give_back`), and runs without
        the kernels, take the full engine.
        """
        # numba's threads only from the main thread: a threading layer without thread safety
        # (workqueue, where OpenMP and TBB are missing) must not be entered from two threads
        # at once (e.g. a Dask worker's task threads); other threads run the draws serially
        return self.totals_job()(threading.current_thread() is threading.main_thread())

    def totals_job(self) -> Callable[[bool], MonthlyTotals]:
        """Prepare :meth:`run_totals` (events, levers, the kernel's arguments: Python work) and
        return the rest as a function of ``parallel``, which runs the compiled kernel with the
        GIL released: a pipeline may prepare the next chunk on this thread meanwhile."""
        if not self.compiled:
            totals = MonthlyTotals.of(self.run(), list(TOTAL_KEYS))
            return lambda parallel: totals
        from rebound.sim import fused

        first = self._prepare(monthly=True)
        self.env.run()
        self._finish_events()
        self.rates = Rates.of(self.params)
        self.above_quota_share = col(self.params.sectors.consumption.above_quota_share)
        args = fused.kernel_args(self, first)

        def finish(parallel: bool) -> MonthlyTotals:
            sums, bad = fused.run_kernel(args, parallel)
            if np.any(bad):
                return MonthlyTotals.of(Engine(self.params, self.n, self.values).run(), list(TOTAL_KEYS))
            return MonthlyTotals(self.n, self.cal.months, sums)

        return finish

    def lever_window(self, sector: str) -> windows.Window | None:
        """All levers' real flow in a sector on the days they act (as :meth:`Result.lever_total`)."""
        return windows.total([part for lv in self.levers for part in self.flows[lv.name].get(sector, [])])

    def _absorb_give_back(self, sector: str, short: FloatArray) -> None:
        """Spending given back (voucher pull-forward) cannot exceed what would be spent.

        ``short`` (real, per draw and day) is how far the levers' negative flows would push
        ``sector``'s output below zero. It is taken off the give-back of the levers with a
        negative flow that day, in proportion, and booked as ``given_back_not_realisable``
        (moved out of ``given_back_in_horizon``), so every yuan stays accounted for.
        """
        neg = {lv.name: np.maximum(-self.flows[lv.name][sector], 0.0) for lv in self.levers if sector in self.flows[lv.name] and np.any(self.flows[lv.name][sector] < 0.0)}
        total = sum(neg.values())
        weight_total = np.where(total > 0.0, total, 1.0)
        for lv in self.levers:
            if lv.name not in neg:
                continue
            part = short * neg[lv.name] / weight_total
            self.flows[lv.name][sector] = self.flows[lv.name][sector] + part
            nominal = np.sum(part * self.prc[sector], axis=1)
            led = self.ledger[lv.name]
            led["given_back_in_horizon"] = led.get("given_back_in_horizon", 0.0) - nominal
            led["given_back_not_realisable"] = led.get("given_back_not_realisable", 0.0) + nominal
            if sector == "consumption":
                self.above_quota_flow = self.above_quota_flow + part * col(getattr(lv.spec, "above_quota_share", 1.0))

    def _assemble(self) -> Result:
        cal, N = self.cal, self.n
        out: dict[str, FloatArray] = {}
        for i, s in enumerate(SECTORS):
            y = self.pot[s] * self.u[i]
            levers = [self.flows[lv.name][s] for lv in self.levers if s in self.flows[lv.name]]
            if levers:
                y = y + sum(levers)
                short = np.maximum(-y, 0.0)
                if np.any(short > 0.0):
                    self._absorb_give_back(s, short)
                    y = y + short
            out[s] = np.broadcast_to(y, (N, cal.n_days))
        price = {"industry": self.prc["industry"], "retail": self.prc["consumption"], "retail_above_quota": self.prc["consumption"], "fai": self.prc["investment"], "gdp": self.gdp_price}
        ledger = {name: {k: np.broadcast_to(np.asarray(v, dtype=float), (N,)) for k, v in items.items()} for name, items in self.ledger.items()}
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
            gdp=self.gdp,
            above_quota_share=col(self.params.sectors.consumption.above_quota_share),
            above_quota_lever_flow=np.asarray(self.above_quota_flow, dtype=float),
            events=list(self.events),
        )


def simulate(params: Params, n_draws: int = 1, values: dict[str, Any] | None = None) -> Result:
    """Run the model once for ``n_draws`` draws.

    Parameters
    ----------
    params : Params
        A validated parameter set (:func:`rebound.params.load`).
    n_draws : int
        Number of parameter draws carried side by side.
    values : dict, optional
        ``{key path: array of shape (n_draws,)}`` per-draw values laid over ``params``
        (drawn parameters, a lever's scale for Shapley coalitions, ...).
    """
    return Engine(params, n_draws, values).run()


def simulate_totals(params: Params, n_draws: int = 1, values: dict[str, Any] | None = None, *, compiled: bool | None = None) -> MonthlyTotals:
    """Monthly totals of every indicator (real and nominal) for ``n_draws`` draws, no daily paths.

    What large ensembles keep (:class:`rebound.sim.result.MonthlyTotals`); same figures as
    ``MonthlyTotals.of(simulate(...))``, computed by one fused kernel when ``compiled``.
    """
    return Engine(params, n_draws, values, compiled=compiled).run_totals()
