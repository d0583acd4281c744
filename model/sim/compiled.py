r"""Compiled (numba) kernels for the hot loops of large ensembles.

Imported only through :mod:`rebound.sim.kernels` when a run uses them, so numba is loaded
lazily. Each kernel computes what a numpy function of the engine computes, in the same order
of operations, one draw at a time; compiled code is cached on disk (``cache=True``), so only
the first run on a machine pays for compilation. Arrays may have one row where the numpy
code broadcasts (a parameter that is not drawn): :func:`_row` picks row 0 then.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
F = TypeVar("F", bound=Callable[..., Any])


def _jit(fn: F) -> F:
    """Compile ``fn`` with numba (no Python objects, cached on disk, releases the GIL)."""
    return cast(F, numba.njit(cache=True, nogil=True, error_model="numpy")(fn))


@_jit
def _row(a: Any, i: int) -> int:  # pragma: no cover - compiled
    return i if a.shape[0] > 1 else 0


@_jit
def _sector_clock(  # noqa: PLR0913 - one argument per equation term, as in the engine
    u: Any, cap: Any, pot: Any, liq: Any, gdp0: Any, first: int,
    tau: Any, headroom: Any, backlog_share: Any, tau_backlog: Any, tau_catchup: Any,
    scar_rate: Any, depth: Any, tau_shortfall: Any, speedup: Any, scar_reduction: Any,
) -> None:  # pragma: no cover - compiled
    n_draws, n_days = u.shape
    for i in range(n_draws):
        ic, ip, il, ig = _row(cap, i), _row(pot, i), _row(liq, i), _row(gdp0, i)
        ta, hr, bs, tb = tau[_row(tau, i)], headroom[_row(headroom, i)], backlog_share[_row(backlog_share, i)], tau_backlog[_row(tau_backlog, i)]
        sr, dp = scar_rate[_row(scar_rate, i)], depth[_row(depth, i)]
        sp, sd = speedup[_row(speedup, i)], scar_reduction[_row(scar_reduction, i)]
        keep_c = 1.0 - math.exp(-1.0 / tau_catchup[_row(tau_catchup, i)])
        decay_d = math.exp(-1.0 / tau_shortfall[_row(tau_shortfall, i)])
        relief = 0.0
        for t in range(first):
            relief = relief + liq[il, t]
        kappa, scar, backlog, catchup, shortfall = 1.0, 0.0, 0.0, 0.0, 0.0
        g0 = gdp0[ig]
        for t in range(first, n_days):
            relief = relief + liq[il, t]
            ell = relief / g0
            c = cap[ic, t]
            p = pot[ip, t]
            alpha = 1.0 - math.exp(-(1.0 + sp * ell) / ta)
            kappa = min(c, kappa + alpha * ((1.0 - scar) - kappa))
            scar = min(1.0, scar + sr * (1.0 - c) * math.exp(-sd * ell))
            backlog = backlog + bs * p * max(1.0 - scar - kappa, 0.0)
            owed = backlog / p
            target = min(hr, owed / tb)
            approach = catchup + (target - catchup) * keep_c
            catchup = min(max(approach, 0.0), owed) if c >= 1.0 else 0.0
            backlog = backlog - catchup * p
            shortfall = max(shortfall * decay_d, dp * (1.0 - c))
            u[i, t] = kappa * (1.0 - shortfall) + catchup


def _c(a: Any) -> FloatArray:
    """A contiguous float64 array; a broadcast view (stride 0 along draws) keeps one row."""
    a = np.asarray(a, dtype=float)
    if a.ndim == 2 and a.shape[0] > 1 and a.strides[0] == 0:
        a = a[:1]
    return np.ascontiguousarray(a)


def clock(u: FloatArray, cap: FloatArray, pot: list[FloatArray], liq: FloatArray, gdp0: FloatArray, first: int, rates: Any) -> None:
    """Fill utilisation ``u`` ``(3, n, n_days)`` from day ``first`` on (the engine's daily step).

    ``cap`` is ``(3, n|1, n_days)``, ``pot`` one ``(n|1, n_days)`` array per sector, ``liq`` the
    relief paid per day ``(n|1, n_days)``, ``gdp0`` ``(n|1,)``; ``rates`` a
    :class:`rebound.sim.engine.Rates`. Same equations as :func:`rebound.sim.engine.step`.
    """
    f = _c
    for s in range(3):
        _sector_clock(
            u[s], f(cap[s]), f(pot[s]), f(liq), f(gdp0), int(first),
            f(rates.tau[s]), f(rates.headroom[s]), f(rates.backlog_share[s]), f(rates.tau_backlog[s]), f(rates.tau_catchup[s]),
            f(rates.scar_rate[s]), f(rates.depth[s]), f(rates.tau_shortfall[s]), f(rates.speedup), f(rates.scar_reduction),
        )


@_jit
def _gdp_day(v1: Any, v2: Any, v3: Any, w: float, eps: float, r_ind: float, r_cons: float, r_inv: float, r: int, t: int) -> float:  # pragma: no cover - compiled
    return float(v1[r, t] + v2[r, t] * (w * r_ind + (1.0 - w) * r_inv) + v3[r, t] * (1.0 + eps * (r_cons - 1.0)))


@_jit
def _gdp_daily(  # noqa: PLR0913
    out: Any, v1: Any, v2: Any, v3: Any, w: Any, eps: Any, bs: Any, u: Any, va: Any, lev: Any,
) -> None:  # pragma: no cover - compiled
    n, n_days = out.shape
    for i in range(n):
        iv1, iv2, iv3 = _row(v1, i), _row(v2, i), _row(v3, i)
        wi, ei = w[_row(w, i), 0], eps[_row(eps, i), 0]
        b0, b1, b2 = _row(bs[0], i), _row(bs[1], i), _row(bs[2], i)
        u0, u1, u2 = _row(u[0], i), _row(u[1], i), _row(u[2], i)
        a0, a1, a2 = va[0][_row(va[0], i), 0], va[1][_row(va[1], i), 0], va[2][_row(va[2], i), 0]
        l0, l1, l2 = _row(lev[0], i), _row(lev[1], i), _row(lev[2], i)
        for t in range(n_days):
            r0 = u[0][u0, t] * bs[0][b0, t]
            r1 = u[1][u1, t] * bs[1][b1, t]
            r2 = u[2][u2, t] * bs[2][b2, t]
            core = v1[iv1, t] + v2[iv2, t] * (wi * r0 + (1.0 - wi) * r2) + v3[iv3, t] * (1.0 + ei * (r1 - 1.0))
            out[i, t] = core + (((0.0 + a0 * lev[0][l0, t]) + a1 * lev[1][l1, t]) + a2 * lev[2][l2, t])


def gdp_composite(n: int, g: Any, u: dict[str, FloatArray], lever: dict[str, FloatArray]) -> FloatArray:
    """:func:`rebound.sim.result.gdp_composite` in one pass, ``(n, n_days)``."""
    from rebound.sim.result import SECTORS

    f = _c
    two = [f(np.atleast_2d(u[s])) for s in SECTORS]
    n_days = max(a.shape[1] for a in [g.v1, *two])
    out = np.empty((n, n_days))
    _gdp_daily(
        out, f(g.v1), f(g.v2), f(g.v3), f(g.w), f(g.eps),
        tuple(f(g.base_shock[s]) for s in SECTORS), tuple(two),
        tuple(f(g.va_share[s]) for s in SECTORS), tuple(f(np.broadcast_to(lever[s], (np.shape(lever[s])[0], n_days))) for s in SECTORS),
    )
    return out


@_jit
def _month_sums(out: Any, a: Any, b: Any, starts: Any, n_days: int) -> None:  # pragma: no cover - compiled
    n, n_months = out.shape
    for i in range(n):
        ia, ib = _row(a, i), _row(b, i)
        for k in range(n_months):
            lo = starts[k]
            hi = starts[k + 1] if k + 1 < n_months else n_days
            acc = 0.0
            for t in range(lo, hi):
                acc += a[ia, t] * b[ib, t]
            out[i, k] = acc


def month_sums(daily: FloatArray, starts: NDArray[np.int64], n: int, weight: FloatArray | None = None) -> FloatArray:
    """Monthly totals ``(n, n_months)`` of ``daily`` (times ``weight``, e.g. a price index)."""
    f = _c
    a = f(np.atleast_2d(np.asarray(daily, dtype=float)))
    b = f(np.atleast_2d(np.asarray(weight, dtype=float))) if weight is not None else np.ones((1, a.shape[1]))
    if np.shape(a)[1] != np.shape(b)[1]:
        raise ValueError(f"month_sums: {np.shape(a)} and {np.shape(b)} do not match in days")
    out = np.empty((n, len(starts)))
    _month_sums(out, a, b, np.ascontiguousarray(starts, dtype=np.int64), a.shape[1])
    return out


@_jit
def _daily_path(pot: Any, price: Any, shape: Any, month_of_day: Any, days_in_month: Any, tau: Any, infl: Any, level: Any, prior: Any) -> None:  # pragma: no cover - compiled
    n, n_days = pot.shape[0], price.shape[1]
    n_months = shape.shape[1]
    for r in range(price.shape[0]):
        # (1 + g)^tau: exp(tau ln(1 + g)) on each month's first day, then times the daily ratio
        # (1 + g)^(1 / (12 D_m)) within the month (tau steps by that within a month): within
        # about 1e-14 of numpy's power, with two exponentials a month instead of one a day
        lg = math.log(1.0 + infl[r, 0] / 100.0)
        step = 1.0
        for t in range(n_days):
            m = month_of_day[t]
            if t == 0 or m != month_of_day[t - 1]:
                price[r, t] = math.exp(tau[t] * lg)
                step = math.exp(lg / (12.0 * days_in_month[m]))
            else:
                price[r, t] = price[r, t - 1] * step
    daily = np.empty(n_months)
    for i in range(n):
        ish, ipr, ilv = _row(shape, i), _row(price, i), _row(level, i)
        for m in range(n_months):
            daily[m] = shape[ish, m] / days_in_month[m]
        base = 0.0
        for t in range(n_days):
            if prior[t]:
                base += daily[month_of_day[t]] * price[ipr, t]
        lv = level[ilv, 0]
        for m in range(n_months):
            daily[m] = lv * daily[m] / base
        if pot.shape[1] == n_months:  # the monthly form: one value a month (flat within it)
            for m in range(n_months):
                pot[i, m] = daily[m]
        else:
            for t in range(n_days):
                pot[i, t] = daily[month_of_day[t]]


def daily_path(shape: FloatArray, cal: Any, inflation: FloatArray, level: FloatArray, *, monthly: bool = False) -> tuple[FloatArray, FloatArray]:
    """:func:`rebound.sim.baseline.reference_path` after the monthly shape: (potential, price).

    With ``monthly`` the potential comes as one daily value per month ``(n|1, n_months)`` (it
    is flat within a month), for :func:`totals`.
    """
    f = _c
    rows = max(shape.shape[0], inflation.shape[0], level.shape[0])
    pot = np.empty((rows, len(cal.months) if monthly else cal.n_days))
    price = np.empty((inflation.shape[0], cal.n_days))
    _daily_path(pot, price, f(shape), np.ascontiguousarray(cal.month_of_day, dtype=np.int64), f(cal.days_in_month), f(cal.year_fraction), f(inflation), f(level), np.ascontiguousarray(cal.is_prior_year, dtype=np.bool_))
    return pot, price


@_jit
def _cohorts(out: Any, cap: Any, each: Any, starts: Any, duration: float) -> None:  # pragma: no cover - compiled
    n, n_days = out.shape
    for i in range(n):
        ic, ie = _row(cap, i), _row(each, i)
        e = each[ie, 0]
        for s in starts:
            work, prev = 0.0, 0.0
            for t in range(s, n_days):
                work += cap[ic, t]
                x = min(max(work / duration, 0.0), 1.0)
                done = x * x * (3.0 - 2.0 * x)
                out[i, t] += e * (done - prev)
                prev = done


def restricted_cohorts(out: FloatArray, cap: FloatArray, each: FloatArray, starts: list[int], duration_days: int) -> None:
    """Add the cohorts that meet a restriction to ``out`` (``cohort_flows``' per-draw part)."""
    f = _c
    _cohorts(out, f(cap), f(np.atleast_2d(each)), np.asarray(starts, dtype=np.int64), float(duration_days))


RATE_NAMES = ("tau", "headroom", "backlog_share", "tau_backlog", "tau_catchup", "scar_rate", "depth", "tau_shortfall")


@_jit
def _advance(st: Any, k: Any, c: float, p: float, ell: float, sp: float, scar_f: float, monotone: bool) -> float:  # pragma: no cover - compiled
    """One sector's daily step (:func:`rebound.sim.engine.step`); ``st`` holds kappa, scar,
    backlog, catch-up, shortfall; ``k`` tau, headroom, backlog share, tau_B, keep_C, scarring,
    depth, decay_D. Returns utilisation."""
    kappa, scar = st[0], st[1]
    # alpha is in [0, 1] (tau > 0, speedup and relief >= 0), so when capacity cannot move
    # (at its target to the last bit, or held at the cap with the target above) the step is
    # known without the exponential
    diff = (1.0 - scar) - kappa
    if monotone and kappa + diff == kappa:
        kappa = min(c, kappa)
    elif monotone and kappa >= c and diff >= 0.0:
        kappa = c
    else:
        alpha = 1.0 - math.exp(-(1.0 + sp * ell) / k[0])
        kappa = min(c, kappa + alpha * diff)
    if c < 1.0 or not monotone:  # (1 - c) = 0 adds nothing when exp(-sd ell) <= 1
        scar = min(1.0, scar + k[5] * (1.0 - c) * scar_f)
    backlog = st[2] + k[2] * p * max(1.0 - scar - kappa, 0.0)
    owed = backlog / p
    target = min(k[1], owed / k[3])
    approach = st[3] + (target - st[3]) * k[4]
    catchup = min(max(approach, 0.0), owed) if c >= 1.0 else 0.0
    backlog = backlog - catchup * p
    short = max(st[4] * k[7], k[6] * (1.0 - c))
    st[0], st[1], st[2], st[3], st[4] = kappa, scar, backlog, catchup, short
    return float(kappa * (1.0 - short) + catchup)


@_jit
def _gdp_levels(v1: Any, v2: Any, v3: Any, q: Any, levels: Any, w: float, eps: float, bs0: Any, bs1: Any, bs2: Any, price: Any, month_of_day: Any, prior: Any) -> None:  # pragma: no cover - compiled
    """One draw's potential value added by month (rows 0 of ``v1..v3``), scaled so that year
    Y-1 at potential (base-year shocks included) totals the prior-year level, as
    :func:`rebound.sim.engine.rescale_to_level` does."""
    tot = levels[0] + levels[1] + levels[2]
    base = 0.0
    for t in range(month_of_day.shape[0]):
        if prior[t]:
            m = month_of_day[t]
            core = q[m] * levels[0] / tot + q[m] * levels[1] / tot * (w * bs0[m] + (1.0 - w) * bs2[m]) + q[m] * levels[2] / tot * (1.0 + eps * (bs1[m] - 1.0))
            base += core * price[t]
    factor = tot / base
    for m in range(q.shape[0]):
        v1[0, m] = q[m] * levels[0] / tot * factor
        v2[0, m] = q[m] * levels[1] / tot * factor
        v3[0, m] = q[m] * levels[2] / tot * factor


@_jit
def _totals(  # noqa: PLR0913, PLR0915 - one fused daily step, written out as in the engine
    out: Any, bad: Any, first: int, month_of_day: Any,
    pot0: Any, pot1: Any, pot2: Any, prc0: Any, prc1: Any, prc2: Any, cap0: Any, cap1: Any, cap2: Any, lev0: Any, lev1: Any, lev2: Any,
    rates: Any, liquidity_rates: Any, liq: Any, gdp0: Any, aq_share: Any, aq_lev: Any,
    gdp_m: Any, shares: Any, w: Any, eps: Any, bs0: Any, bs1: Any, bs2: Any, va: Any, gdp_price: Any, prior: Any,
) -> None:  # pragma: no cover - compiled
    n, n_months = out.shape[1], out.shape[2]
    n_days = month_of_day.shape[0]
    st = np.empty((3, 5))
    k = np.empty((3, 8))
    acc = np.zeros(10)
    v1, v2, v3 = np.empty((1, n_months)), np.empty((1, n_months)), np.empty((1, n_months))
    iv1, iv2, iv3 = 0, 0, 0  # this draw's scaled potential value added is row 0
    for i in range(n):
        jb0, jb1, jb2 = _row(bs0, i), _row(bs1, i), _row(bs2, i)
        wi, ei = w[_row(w, i), 0], eps[_row(eps, i), 0]
        igp = _row(gdp_price, i)
        _gdp_levels(v1, v2, v3, gdp_m[_row(gdp_m, i)], shares[_row(shares, i)], wi, ei, bs0[jb0], bs1[jb1], bs2[jb2], gdp_price[igp], month_of_day, prior)
        for s in range(3):
            st[s, 0], st[s, 1], st[s, 2], st[s, 3], st[s, 4] = 1.0, 0.0, 0.0, 0.0, 0.0
            for j in range(8):
                k[s, j] = rates[s, j, i]
            k[s, 4] = 1.0 - math.exp(-1.0 / rates[s, 4, i])  # catch-up approach per day
            k[s, 7] = math.exp(-1.0 / rates[s, 7, i])  # shortfall decay per day
        sp, sd = liquidity_rates[0, i], liquidity_rates[1, i]
        jp0, jp1, jp2 = _row(pot0, i), _row(pot1, i), _row(pot2, i)
        jq0, jq1, jq2 = _row(prc0, i), _row(prc1, i), _row(prc2, i)
        jc0, jc1, jc2 = _row(cap0, i), _row(cap1, i), _row(cap2, i)
        jl0, jl1, jl2 = _row(lev0, i), _row(lev1, i), _row(lev2, i)
        il, ial = _row(liq, i), _row(aq_lev, i)
        aqs = aq_share[_row(aq_share, i), 0]
        a0, a1, a2 = va[0, i], va[1, i], va[2, i]
        g0 = gdp0[_row(gdp0, i)]
        monotone = sp >= 0.0 and sd >= 0.0 and g0 > 0.0 and k[0, 0] > 0.0 and k[1, 0] > 0.0 and k[2, 0] > 0.0
        relief = 0.0
        for t in range(n_days):
            if liq[il, t] < 0.0:
                monotone = False
        for t in range(min(first, n_days)):
            relief = relief + liq[il, t]
        last_ell, scar_f = math.nan, 1.0
        m_prev = month_of_day[0]
        acc[:] = 0.0
        for t in range(n_days):
            m = month_of_day[t]
            if m != m_prev:
                for j in range(10):
                    out[j, i, m_prev] = acc[j]
                acc[:] = 0.0
                m_prev = m
            if t >= first:
                relief = relief + liq[il, t]
                ell = relief / g0
                if ell != last_ell:
                    scar_f = math.exp(-sd * ell)
                    last_ell = ell
                u0 = _advance(st[0], k[0], cap0[jc0, t], pot0[jp0, m], ell, sp, scar_f, monotone)
                u1 = _advance(st[1], k[1], cap1[jc1, t], pot1[jp1, m], ell, sp, scar_f, monotone)
                u2 = _advance(st[2], k[2], cap2[jc2, t], pot2[jp2, m], ell, sp, scar_f, monotone)
            else:
                u0, u1, u2 = 1.0, 1.0, 1.0
            l0, l1, l2 = lev0[jl0, t], lev1[jl1, t], lev2[jl2, t]
            y0 = pot0[jp0, m] * u0 + l0
            y1 = pot1[jp1, m] * u1 + l1
            y2 = pot2[jp2, m] * u2 + l2
            if y0 < 0.0 or y1 < 0.0 or y2 < 0.0:
                bad[i] = True
            p1 = prc1[jq1, t]
            aq = aqs * (y1 - l1) + aq_lev[ial, t]
            r0 = u0 * bs0[jb0, m]
            r1 = u1 * bs1[jb1, m]
            r2 = u2 * bs2[jb2, m]
            core = v1[iv1, m] + v2[iv2, m] * (wi * r0 + (1.0 - wi) * r2) + v3[iv3, m] * (1.0 + ei * (r1 - 1.0))
            gdp = core + (((0.0 + a0 * l0) + a1 * l1) + a2 * l2)
            acc[0] += y0
            acc[1] += y0 * prc0[jq0, t]
            acc[2] += y1
            acc[3] += y1 * p1
            acc[4] += aq
            acc[5] += aq * p1
            acc[6] += y2
            acc[7] += y2 * prc2[jq2, t]
            acc[8] += gdp
            acc[9] += gdp * gdp_price[igp, t]
        for j in range(10):
            out[j, i, m_prev] = acc[j]


def totals(engine: Any, first: int) -> tuple[dict[tuple[str, str], FloatArray], NDArray[np.bool_]]:
    """Monthly totals of every indicator (real and nominal) of an engine after its events, in
    one fused pass over draws and days (no daily arrays), and which draws have negative output
    (the caller then runs the full engine, whose give-back rule handles them)."""
    from rebound.sim.result import SECTORS, TOTAL_KEYS

    f, n, cal = _c, engine.n, engine.cal
    r = engine.rates
    rates = np.ascontiguousarray(np.stack([np.broadcast_to(np.asarray(getattr(r, k), dtype=float), (3, n)) for k in RATE_NAMES], axis=1))
    liquidity_rates = np.ascontiguousarray(np.stack([np.broadcast_to(r.speedup, (n,)), np.broadcast_to(r.scar_reduction, (n,))]))
    n_days = cal.n_days
    lev = [f(np.broadcast_to(t, (t.shape[0], n_days))) for t in (engine.lever_total(s) for s in SECTORS)]
    g = engine.gdp_monthly
    out = np.zeros((len(TOTAL_KEYS), n, len(cal.months)))
    bad = np.zeros(n, dtype=np.bool_)
    va = np.ascontiguousarray(np.stack([np.broadcast_to(np.asarray(g["va_share"][s], dtype=float)[:, 0], (n,)) for s in SECTORS]))
    p0, p1, p2 = (f(engine.pot_monthly[s]) for s in SECTORS)
    q0, q1, q2 = (f(engine.prc[s]) for s in SECTORS)
    c0, c1, c2 = (f(engine.cap_max[j]) for j in range(3))
    l0, l1, l2 = lev
    b0, b1, b2 = (f(g["base_shock"][s]) for s in SECTORS)
    _totals(
        out, bad, int(first), np.ascontiguousarray(cal.month_of_day, dtype=np.int64), p0, p1, p2, q0, q1, q2, c0, c1, c2, l0, l1, l2,
        rates, liquidity_rates, f(np.broadcast_to(engine.liquidity_paid, (engine.liquidity_paid.shape[0], n_days))), f(engine.gdp_prior[:, 0]),
        f(engine.above_quota_share), f(np.broadcast_to(engine.above_quota_flow, (engine.above_quota_flow.shape[0], n_days))),
        f(g["potential"]), f(g["levels"]), f(g["w"]), f(g["eps"]), b0, b1, b2, va, f(engine.gdp_price), np.ascontiguousarray(cal.is_prior_year, dtype=np.bool_),
    )
    return {k: out[j] for j, k in enumerate(TOTAL_KEYS)}, bad
