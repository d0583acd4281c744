r"""The fused ensemble kernel: every draw stepped through every day, summed by month, in one pass.

What a large ensemble needs of a run is each draw's monthly totals of the five indicators,
real and nominal (:class:`rebound.sim.result.MonthlyTotals`); :func:`totals` computes them
from an engine whose events have run (levers applied, restrictions set) without building any
draws x days array of state, output or GDP. Per draw and day it does what
:func:`rebound.sim.step.step`, ``Engine._assemble``, :func:`rebound.sim.result.gdp_composite`
and :func:`rebound.sim.result.month_sums` do, in the same order of operations, so the totals
agree with the numpy engine to about 1e-14 (``tests/test_kernels.py``). Draws run in parallel
threads (``numba.prange``); each draw's arithmetic does not depend on the others, so the
result does not depend on the number of threads.

Shortcuts that give the same numbers: the recovery rate :math:`\alpha` (an exponential) is
computed only when capacity can move and once per level of relief (it depends on nothing else
that changes), since :math:`0 \le \alpha \le 1` (``tau > 0``, speedup
and relief :math:`\ge 0`; checked per draw, else always computed); scarring is updated only on
restricted days (the increment is :math:`\delta (1 - c) e^{-\lambda_d \ell} = 0` otherwise);
lever flows are read only over the days they act on and restrictions up to the last
restricted day; prices are computed on the fly as :func:`rebound.sim.compiled._price_days`
does. One shortcut changes the last bits only: whole months before anything happens (before
the first restriction and every lever) run at potential, so their totals are closed forms
(days x potential, potential x the month's sum of a geometric price, :func:`_price_sum`)
instead of sums over days; they agree with the daily sums to about 1e-15.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

from rebound.sim import windows
from rebound.sim.compiled import _c, _jit, _price_days, _row, month_start, prior_days

FloatArray = NDArray[np.float64]
F = TypeVar("F", bound=Callable[..., Any])
RATE_NAMES = ("tau", "headroom", "backlog_share", "tau_backlog", "tau_catchup", "scar_rate", "depth", "tau_shortfall")


def _pjit(fn: F) -> F:
    """Compile ``fn`` with numba's parallel loops (``prange``), cached on disk."""
    return cast(F, numba.njit(cache=True, nogil=True, parallel=True, error_model="numpy")(fn))


@_jit
def _advance(  # noqa: PLR0913 - the state and rates of one sector, as scalars (kept in registers)
    kappa: float, scar: float, backlog: float, catchup: float, short: float, alpha: float,
    k: Any, c: float, p: float, ell: float, sp: float, scar_f: float, monotone: bool,
) -> tuple[float, float, float, float, float, float, float]:  # pragma: no cover - compiled
    """One sector's daily step (:func:`rebound.sim.step.step`). ``k``: tau, headroom, backlog
    share, tau_B, catch-up approach per day, scarring, depth, shortfall decay per day;
    ``alpha``: the recovery rate at this ``ell`` if known, else NaN. Returns the new state,
    utilisation and alpha (NaN if still not computed)."""
    diff = (1.0 - scar) - kappa
    if monotone and kappa + diff == kappa:  # at its target to the last bit: alpha cannot move it
        kappa = min(c, kappa)
    elif monotone and kappa >= c and diff >= 0.0:  # held at the cap with the target above
        kappa = c
    else:
        if alpha != alpha:  # NaN: not yet computed for this day's relief
            alpha = 1.0 - math.exp(-(1.0 + sp * ell) / k[0])
        kappa = min(c, kappa + alpha * diff)
    if c < 1.0 or not monotone:
        scar = min(1.0, scar + k[5] * (1.0 - c) * scar_f)
    backlog = backlog + k[2] * p * max(1.0 - scar - kappa, 0.0)
    owed = backlog / p
    target = min(k[1], owed / k[3])
    approach = catchup + (target - catchup) * k[4]
    catchup = min(max(approach, 0.0), owed) if c >= 1.0 else 0.0
    backlog = backlog - catchup * p
    short = max(short * k[7], k[6] * (1.0 - c))
    return kappa, scar, backlog, catchup, short, kappa * (1.0 - short) + catchup, alpha


@_jit
def _gdp_levels(  # noqa: PLR0913
    v: Any, q: Any, levels: Any, w: float, eps: float, bs0: Any, bs1: Any, bs2: Any,
    lg: float, tau: Any, month_of_day: Any, days_in_month: Any, prior_a: int, prior_b: int, scratch: Any,
) -> None:  # pragma: no cover - compiled
    """One draw's potential value added by month (``v`` rows 0..2), scaled so that year Y-1 at
    potential (base-year shocks included) totals the prior-year level, as
    :func:`rebound.sim.step.rescale_to_level` does."""
    tot = levels[0] + levels[1] + levels[2]
    _price_days(scratch, lg, tau, month_of_day, days_in_month, prior_a, prior_b)  # prior_a starts a month
    base = 0.0
    for t in range(prior_a, prior_b):
        m = month_of_day[t]
        core = q[m] * levels[0] / tot + q[m] * levels[1] / tot * (w * bs0[m] + (1.0 - w) * bs2[m]) + q[m] * levels[2] / tot * (1.0 + eps * (bs1[m] - 1.0))
        base += core * scratch[t - prior_a]
    factor = tot / base
    for m in range(q.shape[0]):
        v[0, m] = q[m] * levels[0] / tot * factor
        v[1, m] = q[m] * levels[1] / tot * factor
        v[2, m] = q[m] * levels[2] / tot * factor


@_jit
def _price_sum(tau: float, lg: float, days: float) -> float:  # pragma: no cover - compiled
    r"""Sum of the daily price index over a whole month from its first day:
    :math:`p_a \sum_{k<D} f^k = p_a\,\mathrm{expm1}(\ln(1+g)/12) / \mathrm{expm1}(\ln(1+g)/(12D))`
    with :math:`p_a = (1+g)^{\tau_a}`, :math:`f = (1+g)^{1/(12D)}` (the daily ratio)."""
    p = math.exp(tau * lg)
    if lg == 0.0:
        return p * days
    return p * math.expm1(lg / 12.0) / math.expm1(lg / (12.0 * days))


@_jit
def _draw(  # noqa: C901, PLR0912, PLR0913, PLR0915 - one draw's fused daily step, written out as in the engine
    i: Any, out: Any, bad: Any, days: Any, month_of_day: Any, tau: Any, days_in_month: Any,
    pot0: Any, pot1: Any, pot2: Any, lg: Any, cap0: Any, cap1: Any, cap2: Any, lev0: Any, lev1: Any, lev2: Any, spans: Any,
    rates: Any, liquidity_rates: Any, liq: Any, gdp0: Any, aq_share: Any, aq_lev: Any,
    gdp_m: Any, levels: Any, w: Any, eps: Any, bs0: Any, bs1: Any, bs2: Any, va: Any,
    month_first: Any, liq_ok: Any, relief0: Any,
) -> None:  # pragma: no cover - compiled
    n_days = month_of_day.shape[0]
    first, cap_end, prior_a, prior_b, cap_lo = days[0], days[1], days[2], days[3], days[4]
    k = np.empty((3, 8))
    for s in range(3):
        for j in range(8):
            k[s, j] = rates[s, j, i]
        k[s, 4] = 1.0 - math.exp(-1.0 / rates[s, 4, i])  # catch-up approach per day
        k[s, 7] = math.exp(-1.0 / rates[s, 7, i])  # shortfall decay per day
    k0, k1, k2 = k[0], k[1], k[2]
    jb0, jb1, jb2 = _row(bs0, i), _row(bs1, i), _row(bs2, i)
    wi, ei = w[_row(w, i), 0], eps[_row(eps, i), 0]
    v = np.empty((3, out.shape[2]))
    _gdp_levels(v, gdp_m[_row(gdp_m, i)], levels[_row(levels, i)], wi, ei, bs0[jb0], bs1[jb1], bs2[jb2], lg[3, i], tau, month_of_day, days_in_month, prior_a, prior_b, np.empty(max(prior_b - prior_a, 1)))
    sp, sd = liquidity_rates[0, i], liquidity_rates[1, i]
    jp0, jp1, jp2 = _row(pot0, i), _row(pot1, i), _row(pot2, i)
    jc0, jc1, jc2 = _row(cap0, i), _row(cap1, i), _row(cap2, i)
    jl0, jl1, jl2 = _row(lev0, i), _row(lev1, i), _row(lev2, i)
    il, ial = _row(liq, i), _row(aq_lev, i)
    aqs = aq_share[_row(aq_share, i), 0]
    a0, a1, a2 = va[0, i], va[1, i], va[2, i]
    lg0, lg1, lg2, lg3 = lg[0, i], lg[1, i], lg[2, i], lg[3, i]
    g0 = gdp0[_row(gdp0, i)]
    # relief is never negative in a valid file; relief0 is what was paid before the first restriction
    monotone = sp >= 0.0 and sd >= 0.0 and g0 > 0.0 and k0[0] > 0.0 and k1[0] > 0.0 and k2[0] > 0.0 and liq_ok[il]
    relief = relief0[il]
    # whole months before anything happens (before the first restriction and every lever):
    # everything runs at potential, so a month's totals are closed forms
    quiet = days[5]
    for m in range(month_of_day[quiet] if quiet < n_days else out.shape[2]):
        y0, y1, y2 = pot0[jp0, m], pot1[jp1, m], pot2[jp2, m]
        if y0 < 0.0 or y1 < 0.0 or y2 < 0.0:
            bad[i] = True
        aq = aqs * y1
        gdp = v[0, m] + v[1, m] * (wi * bs0[jb0, m] + (1.0 - wi) * bs2[jb2, m]) + v[2, m] * (1.0 + ei * (bs1[jb1, m] - 1.0))
        tm, dm = tau[month_first[m]], days_in_month[m]
        q0, q1, q2, q3 = _price_sum(tm, lg0, dm), _price_sum(tm, lg1, dm), _price_sum(tm, lg2, dm), _price_sum(tm, lg3, dm)
        out[0, i, m], out[1, i, m], out[2, i, m], out[3, i, m], out[4, i, m] = y0 * dm, y0 * q0, y1 * dm, y1 * q1, aq * dm
        out[5, i, m], out[6, i, m], out[7, i, m], out[8, i, m], out[9, i, m] = aq * q1, y2 * dm, y2 * q2, gdp * dm, gdp * q3
    # state of the three sectors: capacity, scar, backlog, catch-up, shortfall
    ka0, sc0, bl0, cu0, sh0 = 1.0, 0.0, 0.0, 0.0, 0.0
    ka1, sc1, bl1, cu1, sh1 = 1.0, 0.0, 0.0, 0.0, 0.0
    ka2, sc2, bl2, cu2, sh2 = 1.0, 0.0, 0.0, 0.0, 0.0
    last_ell, scar_f = math.nan, 1.0
    al0 = al1 = al2 = math.nan  # each sector's recovery rate at last_ell, once computed
    p0 = p1 = p2 = p3 = f0 = f1 = f2 = f3 = 0.0  # price indices and their daily ratios
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = s8 = s9 = 0.0  # this month's totals
    for t in range(quiet, n_days):
        m = month_of_day[t]
        if t == quiet or m != month_of_day[t - 1]:
            if t > quiet:
                mp = month_of_day[t - 1]
                out[0, i, mp], out[1, i, mp], out[2, i, mp], out[3, i, mp], out[4, i, mp] = s0, s1, s2, s3, s4
                out[5, i, mp], out[6, i, mp], out[7, i, mp], out[8, i, mp], out[9, i, mp] = s5, s6, s7, s8, s9
                s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = s8 = s9 = 0.0
            tm, dm = tau[t], 12.0 * days_in_month[m]
            p0, p1, p2, p3 = math.exp(tm * lg0), math.exp(tm * lg1), math.exp(tm * lg2), math.exp(tm * lg3)
            f0, f1, f2, f3 = math.exp(lg0 / dm), math.exp(lg1 / dm), math.exp(lg2 / dm), math.exp(lg3 / dm)
        else:
            p0, p1, p2, p3 = p0 * f0, p1 * f1, p2 * f2, p3 * f3
        if t >= first:
            relief = relief + liq[il, t]
            ell = relief / g0
            if ell != last_ell:  # relief paid: the exponentials of ell change (else reused)
                scar_f = math.exp(-sd * ell)
                al0 = al1 = al2 = math.nan
                last_ell = ell
            restricted = cap_lo <= t < cap_end  # the shares are stored from cap_lo; 1 after the last restricted day
            ka0, sc0, bl0, cu0, sh0, u0, al0 = _advance(ka0, sc0, bl0, cu0, sh0, al0, k0, cap0[jc0, t - cap_lo] if restricted else 1.0, pot0[jp0, m], ell, sp, scar_f, monotone)
            ka1, sc1, bl1, cu1, sh1, u1, al1 = _advance(ka1, sc1, bl1, cu1, sh1, al1, k1, cap1[jc1, t - cap_lo] if restricted else 1.0, pot1[jp1, m], ell, sp, scar_f, monotone)
            ka2, sc2, bl2, cu2, sh2, u2, al2 = _advance(ka2, sc2, bl2, cu2, sh2, al2, k2, cap2[jc2, t - cap_lo] if restricted else 1.0, pot2[jp2, m], ell, sp, scar_f, monotone)
        else:
            u0, u1, u2 = 1.0, 1.0, 1.0
        l0 = lev0[jl0, t - spans[0, 0]] if spans[0, 0] <= t < spans[0, 1] else 0.0
        l1 = lev1[jl1, t - spans[1, 0]] if spans[1, 0] <= t < spans[1, 1] else 0.0
        l2 = lev2[jl2, t - spans[2, 0]] if spans[2, 0] <= t < spans[2, 1] else 0.0
        y0 = pot0[jp0, m] * u0 + l0
        y1 = pot1[jp1, m] * u1 + l1
        y2 = pot2[jp2, m] * u2 + l2
        if y0 < 0.0 or y1 < 0.0 or y2 < 0.0:
            bad[i] = True
        aq = aqs * (y1 - l1) + (aq_lev[ial, t - spans[3, 0]] if spans[3, 0] <= t < spans[3, 1] else 0.0)
        r0 = u0 * bs0[jb0, m]
        r1 = u1 * bs1[jb1, m]
        r2 = u2 * bs2[jb2, m]
        core = v[0, m] + v[1, m] * (wi * r0 + (1.0 - wi) * r2) + v[2, m] * (1.0 + ei * (r1 - 1.0))
        gdp = core + (((0.0 + a0 * l0) + a1 * l1) + a2 * l2)
        s0 += y0
        s1 += y0 * p0
        s2 += y1
        s3 += y1 * p1
        s4 += aq
        s5 += aq * p1
        s6 += y2
        s7 += y2 * p2
        s8 += gdp
        s9 += gdp * p3
    if quiet < n_days:  # the last month went through the daily loop (else its closed form stands)
        mp = month_of_day[n_days - 1]
        out[0, i, mp], out[1, i, mp], out[2, i, mp], out[3, i, mp], out[4, i, mp] = s0, s1, s2, s3, s4
        out[5, i, mp], out[6, i, mp], out[7, i, mp], out[8, i, mp], out[9, i, mp] = s5, s6, s7, s8, s9


@_pjit
def _totals(*args: Any) -> None:  # pragma: no cover - compiled
    """Monthly totals of every indicator for every draw (:func:`_draw`'s arguments after the
    draw index; see :func:`kernel_args`), draws in parallel."""
    for i in numba.prange(args[0].shape[1]):
        _draw(np.int64(i), *args)


@_jit
def _totals_serial(*args: Any) -> None:  # pragma: no cover - compiled
    """:func:`_totals` on the calling thread (with the GIL released), for a pipeline in which
    another thread prepares the next chunk meanwhile."""
    for i in range(args[0].shape[1]):
        _draw(i, *args)


def kernel_args(engine: Any, first: int) -> tuple[Any, ...]:
    """The fused kernel's arguments for an engine after its events (Python and numpy work).

    ``engine`` ran :meth:`rebound.sim.engine.Engine._prepare` with ``monthly=True``: potential
    one value per month, prices as :class:`rebound.sim.compiled.LazyPrice`, GDP inputs unscaled.
    The first two arguments are the outputs: totals ``(10, n, n_months)`` and the draws with
    negative output.
    """
    from rebound.sim.result import SECTORS, TOTAL_KEYS, month_starts

    f, n, cal = _c, engine.n, engine.cal
    r = engine.rates
    rates = np.ascontiguousarray(np.stack([np.broadcast_to(np.asarray(getattr(r, k), dtype=float), (3, n)) for k in RATE_NAMES], axis=1))
    liquidity_rates = np.ascontiguousarray(np.stack([np.broadcast_to(r.speedup, (n,)), np.broadcast_to(r.scar_reduction, (n,))]))
    n_days = cal.n_days
    wins = [*(engine.lever_window(s) for s in SECTORS), windows.total(engine.above_quota_parts)]
    spans = np.array([windows.span(w) for w in wins], dtype=np.int64)
    l0, l1, l2, aq = (np.zeros((1, 1)) if w is None else f(w[1]) for w in wins)
    g = engine.gdp_monthly
    lg = np.ascontiguousarray(np.stack([np.broadcast_to(engine.price_lg[s], (n,)) for s in (*SECTORS, "gdp")]))
    quiet = min([int(first), *(a for a, b in spans if b > a)])
    quiet = month_start(cal, quiet) if quiet < n_days else n_days  # whole months before anything happens
    days = np.array([int(first), engine.restricted[1], *prior_days(cal), engine.cap_max.lo, quiet], dtype=np.int64)
    liq = f(np.broadcast_to(engine.liquidity_paid, (engine.liquidity_paid.shape[0], n_days)))
    va = np.ascontiguousarray(np.stack([np.broadcast_to(np.asarray(g["va_share"][s], dtype=float)[:, 0], (n,)) for s in SECTORS]))
    p0, p1, p2 = (f(engine.pot[s]) for s in SECTORS)  # one value a month in this mode
    c0, c1, c2 = (f(engine.cap_max.values[j]) for j in range(3))  # a RestrictionWindow: days [lo, hi)
    b0, b1, b2 = (f(g["base_shock"][s]) for s in SECTORS)
    return (
        np.zeros((len(TOTAL_KEYS), n, len(cal.months))), np.zeros(n, dtype=np.bool_),
        days, np.ascontiguousarray(cal.month_of_day, dtype=np.int64), f(cal.year_fraction), f(cal.days_in_month),
        p0, p1, p2, lg, c0, c1, c2, l0, l1, l2, spans,
        rates, liquidity_rates, liq, f(engine.gdp_prior[:, 0]),
        f(engine.above_quota_share), aq,
        f(g["potential"]), f(g["levels"]), f(g["w"]), f(g["eps"]), b0, b1, b2, va,
        month_starts(cal), np.ascontiguousarray(np.all(liq >= 0.0, axis=1)), np.ascontiguousarray(np.sum(liq[:, :first], axis=1)),
    )


def run_kernel(args: tuple[Any, ...], parallel: bool = True) -> tuple[dict[tuple[str, str], FloatArray], NDArray[np.bool_]]:
    """Run the fused kernel on :func:`kernel_args`: (totals by (indicator, basis), draws whose
    output went negative: the caller reruns those with the full engine, whose give-back rule
    handles them). ``parallel``: draws on numba's threads, else on this thread only."""
    from rebound.sim.result import TOTAL_KEYS

    (_totals if parallel else _totals_serial)(*args)
    out, bad = args[0], args[1]
    return {k: out[j] for j, k in enumerate(TOTAL_KEYS)}, bad


def totals(engine: Any, first: int) -> tuple[dict[tuple[str, str], FloatArray], NDArray[np.bool_]]:
    """Monthly totals of every indicator (real and nominal) of an engine after its events, and
    which draws have negative output (:func:`kernel_args`, then :func:`run_kernel`)."""
    return run_kernel(kernel_args(engine, first))
