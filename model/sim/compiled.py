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
    :class:`rebound.sim.step.Rates`. Same equations as :func:`rebound.sim.step.step`.
    """
    f = _c
    for s in range(3):
        _sector_clock(
            u[s], f(cap[s]), f(pot[s]), f(liq), f(gdp0), int(first),
            f(rates.tau[s]), f(rates.headroom[s]), f(rates.backlog_share[s]), f(rates.tau_backlog[s]), f(rates.tau_catchup[s]),
            f(rates.scar_rate[s]), f(rates.depth[s]), f(rates.tau_shortfall[s]), f(rates.speedup), f(rates.scar_reduction),
        )


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
    from rebound.sim.restrictions import SECTORS

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
def _price_days(out: Any, lg: float, tau: Any, month_of_day: Any, days_in_month: Any, a: int, b: int) -> None:  # pragma: no cover - compiled
    r"""Price index :math:`(1+g)^{\tau_t}` (``lg`` = ln(1 + g)) for days ``[a0, b)``, ``a0`` the
    first day of day ``a``'s month, into ``out[t - a0]``.

    :math:`e^{\tau \ln(1+g)}` on each month's first day, then times the daily ratio
    :math:`(1+g)^{1/(12 D_m)}` within the month (``tau`` steps by :math:`1/(12 D_m)` within a
    month): within about 1e-14 of numpy's power, with two exponentials a month instead of one
    a day. Every caller starts at a month's first day, so a day's price is the same bits
    whichever slice asked for it.
    """
    if a >= b:
        return
    a0 = a
    while a0 > 0 and month_of_day[a0 - 1] == month_of_day[a]:
        a0 -= 1
    step = 1.0
    for t in range(a0, b):
        m = month_of_day[t]
        if t == a0 or m != month_of_day[t - 1]:
            out[t - a0] = math.exp(tau[t] * lg)
            step = math.exp(lg / (12.0 * days_in_month[m]))
        else:
            out[t - a0] = out[t - a0 - 1] * step


def month_start(cal: Any, day: int) -> int:
    """First day of ``day``'s month (``day`` itself at the horizon's start)."""
    m = cal.month_of_day
    while 0 < day < len(m) and m[day - 1] == m[day]:
        day -= 1
    return day


def prior_days(cal: Any) -> tuple[int, int]:
    """Days ``[a, b)`` of year Y-1 (whole months, one run of days)."""
    prior = np.flatnonzero(cal.is_prior_year)
    if not prior.size:
        return 0, 0
    a, b = int(prior[0]), int(prior[-1]) + 1
    if b - a != prior.size or month_start(cal, a) != a:
        raise ValueError("the prior year must be whole months in one run of days")
    return a, b


@_jit
def _price_rows(out: Any, lg: Any, tau: Any, month_of_day: Any, days_in_month: Any, a: int, b: int) -> None:  # pragma: no cover - compiled
    for r in range(out.shape[0]):
        _price_days(out[r], lg[r], tau, month_of_day, days_in_month, a, b)


class LazyPrice:
    """A price index ``(n|1, n_days)`` computed only from the first day a lever asks for.

    ``price[:, a:b]`` gives what the full array would hold there (same bits), so levers that
    act in the episode year do not need the years before it for every draw. The days from the
    earliest request's month to the horizon's end are computed once and kept (read-only).
    """

    def __init__(self, inflation: FloatArray, cal: Any):
        self.lg = np.ascontiguousarray(np.log(1.0 + np.asarray(inflation, dtype=float)[:, 0] / 100.0))
        self.cal = cal
        self.shape = (self.lg.shape[0], int(cal.n_days))
        self._from = self.shape[1]
        self._tail = np.empty((self.shape[0], 0))

    def __getitem__(self, key: tuple[slice, slice]) -> FloatArray:
        rows, days = key
        if rows != slice(None) or not isinstance(days, slice) or days.step not in (None, 1):
            raise TypeError("LazyPrice supports [:, a:b] only")
        a, b, _ = days.indices(self.shape[1])
        if b <= a:
            return np.empty((self.shape[0], 0))
        if a < self._from:  # compute from this month to the end, once
            cal, n = self.cal, self.shape[1]
            a0 = month_start(cal, a)
            tail = np.empty((self.shape[0], n - a0))
            _price_rows(tail, self.lg, _c(cal.year_fraction), np.ascontiguousarray(cal.month_of_day, dtype=np.int64), _c(cal.days_in_month), a0, n)
            tail.flags.writeable = False
            self._from, self._tail = a0, tail
        return self._tail[:, a - self._from : b - self._from]


@_jit
def _daily_path(pot: Any, price: Any, shape: Any, month_of_day: Any, days_in_month: Any, tau: Any, infl: Any, level: Any, prior: Any) -> None:  # pragma: no cover - compiled
    n, n_days = pot.shape[0], price.shape[1]
    n_months = shape.shape[1]
    for r in range(price.shape[0]):
        _price_days(price[r], math.log(1.0 + infl[r, 0] / 100.0), tau, month_of_day, days_in_month, 0, n_days)
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
        for t in range(n_days):
            pot[i, t] = daily[month_of_day[t]]


@_jit
def _monthly_path(pot: Any, shape: Any, month_of_day: Any, days_in_month: Any, tau: Any, lg: Any, level: Any, prior_a: int, prior_b: int) -> None:  # pragma: no cover - compiled
    """:func:`_daily_path` with one daily value per month (flat within it) and no price array:
    the price is computed over the prior year only, where the level is set."""
    n, n_months = pot.shape
    scratch = np.empty(max(prior_b - prior_a, 1))
    daily = np.empty(n_months)
    for i in range(n):
        ish, ilv = _row(shape, i), _row(level, i)
        _price_days(scratch, lg[_row(lg, i)], tau, month_of_day, days_in_month, prior_a, prior_b)
        for m in range(n_months):
            daily[m] = shape[ish, m] / days_in_month[m]
        base = 0.0
        for t in range(prior_a, prior_b):
            base += daily[month_of_day[t]] * scratch[t - prior_a]
        lv = level[ilv, 0]
        for m in range(n_months):
            pot[i, m] = lv * daily[m] / base


def daily_path(shape: FloatArray, cal: Any, inflation: FloatArray, level: FloatArray, *, monthly: bool = False) -> tuple[FloatArray, Any]:
    """:func:`rebound.sim.baseline.reference_path` after the monthly shape: (potential, price).

    With ``monthly`` the potential comes as one daily value per month ``(n|1, n_months)`` (it
    is flat within a month) and the price as a :class:`LazyPrice`, for :func:`totals`.
    """
    f = _c
    rows = max(shape.shape[0], inflation.shape[0], level.shape[0])
    if monthly:
        lazy = LazyPrice(inflation, cal)
        pot = np.empty((rows, len(cal.months)))
        a, b = prior_days(cal)
        _monthly_path(pot, f(shape), np.ascontiguousarray(cal.month_of_day, dtype=np.int64), f(cal.days_in_month), f(cal.year_fraction), lazy.lg, f(level), a, b)
        return pot, lazy
    pot = np.empty((rows, cal.n_days))
    price = np.empty((inflation.shape[0], cal.n_days))
    _daily_path(pot, price, f(shape), np.ascontiguousarray(cal.month_of_day, dtype=np.int64), f(cal.days_in_month), f(cal.year_fraction), f(inflation), f(level), np.ascontiguousarray(cal.is_prior_year, dtype=np.bool_))
    return pot, price


@_jit
def _cohorts(out: Any, cap: Any, lo: int, each: Any, starts: Any, duration: float) -> None:  # pragma: no cover - compiled
    n, n_days = out.shape
    hi = lo + cap.shape[1]  # cap holds days [lo, hi); the allowed share is 1 elsewhere
    for i in range(n):
        ic, ie = _row(cap, i), _row(each, i)
        e = each[ie, 0]
        for s in starts:
            work, prev = 0.0, 0.0
            for t in range(s, n_days):
                work += cap[ic, t - lo] if lo <= t < hi else 1.0
                x = min(max(work / duration, 0.0), 1.0)
                done = x * x * (3.0 - 2.0 * x)
                out[i, t] += e * (done - prev)
                if prev == 1.0 and done == 1.0:
                    break  # finished: allowed shares are >= 0, so work only grows and every later day adds e * (1 - 1) = 0
                prev = done


def restricted_cohorts(out: FloatArray, cap: FloatArray, lo: int, each: FloatArray, starts: list[int], duration_days: int) -> None:
    """Add the cohorts that meet a restriction to ``out`` (``cohort_flows``' per-draw part);
    ``cap`` holds the allowed shares of days ``lo`` on (1 after its last day)."""
    f = _c
    _cohorts(out, f(cap), int(lo), f(np.atleast_2d(each)), np.asarray(starts, dtype=np.int64), float(duration_days))


@_jit
def _spending(  # noqa: PLR0913
    real: Any, spent: Any, cap: Any, lo: int, each: Any, starts: Any, duration: float, free: Any,
    lg: Any, tau: Any, month_of_day: Any, days_in_month: Any, a: int, a0: int,
) -> None:  # pragma: no cover - compiled
    n, width = real.shape
    n_days = a + width
    hi = lo + cap.shape[1]
    nominal = np.empty(width)
    price = np.empty(n_days - a0)
    for i in range(n):
        nominal[:] = 0.0
        ic, e = _row(cap, i), each[_row(each, i), 0]
        for s in starts:  # cohorts that meet a restriction, as _cohorts
            work, prev = 0.0, 0.0
            for t in range(s, n_days):
                work += cap[ic, t - lo] if lo <= t < hi else 1.0
                x = min(max(work / duration, 0.0), 1.0)
                done = x * x * (3.0 - 2.0 * x)
                nominal[t - a] += e * (done - prev)
                if prev == 1.0 and done == 1.0:
                    break
                prev = done
        total = 0.0
        for j in range(width):
            nominal[j] += e * free[j]  # cohorts at full pace: one shared curve
            total += nominal[j]
        spent[i] = total
        _price_days(price, lg[_row(lg, i)], tau, month_of_day, days_in_month, a, n_days)
        for j in range(width):
            real[i, j] = nominal[j] / price[a + j - a0]


def spending(cap: Any, each: FloatArray, restricted: list[int], duration_days: int, free: FloatArray, price: LazyPrice, a: int) -> tuple[FloatArray, FloatArray]:
    """Construction spending from day ``a`` on: the real flow ``(n|1, n_days - a)`` and the
    nominal total ``(n|1,)`` (``cohort_flows`` divided by the price index, in one pass).

    ``cap`` holds the allowed shares of investment (a :class:`rebound.sim.restrictions.SectorShares`),
    ``restricted`` the cohorts' start days that meet a restriction, ``free`` the shared curve of
    the others from day ``a`` on.
    """
    cal = price.cal
    rows = max(each.shape[0], cap.values.shape[0], price.lg.shape[0])
    real = np.empty((rows, cal.n_days - a))
    spent = np.empty(rows)
    _spending(
        real, spent, _c(cap.values), int(cap.lo), _c(np.atleast_2d(each)), np.asarray(restricted, dtype=np.int64), float(duration_days), _c(free),
        price.lg, _c(cal.year_fraction), np.ascontiguousarray(cal.month_of_day, dtype=np.int64), _c(cal.days_in_month), int(a), month_start(cal, a),
    )
    return real, spent
