r"""Compiled (numba) kernels for the set-up of large ensembles, and the helpers they share.

Imported only when a run uses them (:mod:`rebound.sim.kernels` decides), so numba is loaded
lazily. Each kernel computes what a numpy function of the engine computes, in the same order
of operations, one draw at a time: prices computed on demand (:class:`LazyPrice`), the
no-lockdown path by month (:func:`monthly_path`) and construction spending
(:func:`spending`); the daily step itself is in :mod:`rebound.sim.fused`. Compiled code is
cached on disk (``cache=True``), so only the first run on a machine pays for compilation.
Arrays may have one row where the numpy code broadcasts (a parameter that is not drawn):
:func:`_row` picks row 0 then.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

from rebound.sim.windows import day_range

FloatArray = NDArray[np.float64]
F = TypeVar("F", bound=Callable[..., Any])


def _jit(fn: F) -> F:
    """Compile ``fn`` with numba (no Python objects, cached on disk, releases the GIL)."""
    return cast(F, numba.njit(cache=True, nogil=True, error_model="numpy")(fn))


@_jit
def _row(a: Any, i: int) -> int:  # pragma: no cover - compiled
    return i if a.shape[0] > 1 else 0


def _c(a: Any) -> FloatArray:
    """A contiguous float64 array; a broadcast view (stride 0 along draws) keeps one row."""
    a = np.asarray(a, dtype=float)
    if a.ndim == 2 and a.shape[0] > 1 and a.strides[0] == 0:
        a = a[:1]
    return np.ascontiguousarray(a)


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
        a, b = day_range(key, self.shape[1], "LazyPrice")
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
def _monthly_path(pot: Any, shape: Any, month_of_day: Any, days_in_month: Any, tau: Any, lg: Any, level: Any, prior_a: int, prior_b: int) -> None:  # pragma: no cover - compiled
    """The no-lockdown path's daily value per month (it is flat within a month), scaled so that
    year Y-1 totals ``level`` at current prices; the price is computed over the prior year only,
    where the level is set (the rest of :func:`rebound.sim.baseline.reference_path`)."""
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


def monthly_path(shape: FloatArray, cal: Any, inflation: FloatArray, level: FloatArray) -> tuple[FloatArray, LazyPrice]:
    """:func:`rebound.sim.baseline.reference_path` after the monthly shape, for large ensembles:
    potential as one daily value per month ``(n|1, n_months)`` (it is flat within a month) and
    the price index as a :class:`LazyPrice`."""
    rows = max(shape.shape[0], inflation.shape[0], level.shape[0])
    lazy = LazyPrice(inflation, cal)
    pot = np.empty((rows, len(cal.months)))
    a, b = prior_days(cal)
    _monthly_path(pot, _c(shape), np.ascontiguousarray(cal.month_of_day, dtype=np.int64), _c(cal.days_in_month), _c(cal.year_fraction), lazy.lg, _c(level), a, b)
    return pot, lazy


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
