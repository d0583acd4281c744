r"""The observation layer: daily model flows -> the figures bulletins print.

Pure functions of **monthly totals**. ``monthly`` has shape ``(..., n_months)`` aligned with
``months`` (consecutive ``"YYYY-MM"`` labels); every measure returns shape ``monthly.shape[:-1]``,
so the same code serves one run or a whole ensemble. Let :math:`X(a..b)` be the total over
months *a* to *b* and :math:`X'(a..b)` the same months a year earlier.

- single month (or the combined Jan–Feb release): :math:`100\,(X(m..m)/X'(m..m) - 1)`
- year to date (上半年 = Jan–Jun): :math:`100\,(X(1..m)/X'(1..m) - 1)`
- quarter: :math:`100\,(X(q)/X'(q) - 1)`
- level in 亿元: :math:`X(a..b)` (flows are 亿元 per day)
- pp change between two cumulative figures: :math:`\text{ytd}(a..b) - \text{ytd}(c..d)`
- pp versus a reference (e.g. the national average): :math:`\text{ytd}(a..b) - r`

Real versus nominal is the caller's choice of flows (real, or real x price index).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from numpy.typing import NDArray

from model.units import PCT

FloatArray = NDArray[np.float64]


def _label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _parse(label: str) -> tuple[int, int]:
    try:
        y, m = int(label[:4]), int(label[5:7])
    except (TypeError, ValueError):
        raise ValueError(f"period '{label}' is not YYYY-MM") from None
    if len(label) != 7 or label[4] != "-" or not 1 <= m <= 12:
        raise ValueError(f"period '{label}' is not YYYY-MM")
    return y, m


def _shift_year(label: str, years: int) -> str:
    y, m = _parse(label)
    return _label(y + years, m)


def monthly_totals(daily: FloatArray, first_day: dt.date) -> tuple[FloatArray, list[str]]:
    """Sum daily flows into calendar months.

    Parameters
    ----------
    daily : array (..., n_days)
        Daily flows starting on ``first_day``.
    first_day : date
        Date of ``daily[..., 0]``.

    Returns
    -------
    monthly : array (..., n_months)
        Totals of every calendar month that the days cover completely.
    months : list of str
        ``"YYYY-MM"`` labels.
    """
    daily = np.asarray(daily, dtype=float)
    n = daily.shape[-1]
    start = np.datetime64(first_day, "D")
    dates = start + np.arange(n)
    month_of = dates.astype("datetime64[M]")
    edges = np.flatnonzero(np.r_[True, month_of[1:] != month_of[:-1]])
    sums = np.add.reduceat(daily, edges, axis=-1)
    labels = [str(m) for m in month_of[edges]]
    # keep only complete months
    keep = []
    for i, e in enumerate(edges):
        m = month_of[e]
        first = (dates[e] == m.astype("datetime64[D]"))
        end = edges[i + 1] if i + 1 < len(edges) else n
        last = (dates[end - 1] + 1).astype("datetime64[M]") != m
        if first and last:
            keep.append(i)
    return sums[..., keep], [labels[i] for i in keep]


def _index(months: list[str], label: str) -> int:
    try:
        return months.index(label)
    except ValueError:
        raise ValueError(f"month {label} is outside the model months {months[0]}..{months[-1]}") from None


def total(monthly: FloatArray, months: list[str], start: str, end: str) -> FloatArray:
    """Sum over months ``start``..``end`` inclusive."""
    _parse(start)
    _parse(end)
    if end < start:
        raise ValueError(f"period {start}..{end} ends before it starts")
    i, j = _index(months, start), _index(months, end)
    return np.asarray(np.sum(monthly[..., i : j + 1], axis=-1), dtype=float)


def _yoy(monthly: FloatArray, months: list[str], start: str, end: str) -> FloatArray:
    cur = total(monthly, months, start, end)
    base = total(monthly, months, _shift_year(start, -1), _shift_year(end, -1))
    if np.any(base == 0):
        raise ValueError(f"the base for {start}..{end} (a year earlier) is zero: y/y undefined")
    return np.asarray(PCT * (cur / base - 1.0), dtype=float)


def yoy_month_pct(monthly: FloatArray, months: list[str], start: str, end: str) -> FloatArray:
    """Single-month y/y %, or the combined January–February release."""
    ys, ms = _parse(start)
    ye, me = _parse(end)
    if not (start == end or (ys == ye and ms == 1 and me == 2)):
        raise ValueError(f"yoy_month_pct needs one month or Jan–Feb combined, got {start}..{end}")
    return _yoy(monthly, months, start, end)


def yoy_cum_pct(monthly: FloatArray, months: list[str], start: str, end: str) -> FloatArray:
    """Year-to-date y/y % (start must be January of the same year)."""
    ys, ms = _parse(start)
    ye, _ = _parse(end)
    if ms != 1 or ys != ye:
        raise ValueError(f"yoy_cum_pct needs a period from January of one year, got {start}..{end}")
    return _yoy(monthly, months, start, end)


def yoy_quarter_pct(monthly: FloatArray, months: list[str], start: str, end: str) -> FloatArray:
    """One calendar quarter's y/y %."""
    ys, ms = _parse(start)
    ye, me = _parse(end)
    if ys != ye or ms not in (1, 4, 7, 10) or me != ms + 2:
        raise ValueError(f"yoy_quarter_pct needs a calendar quarter, got {start}..{end}")
    return _yoy(monthly, months, start, end)


def level_100m_yuan(monthly: FloatArray, months: list[str], start: str, end: str) -> FloatArray:
    """Level over the period, in 亿元 (flows are 亿元 per day)."""
    return total(monthly, months, start, end)


def pp_change(monthly: FloatArray, months: list[str], start: str, end: str, compare_start: str, compare_end: str) -> FloatArray:
    """Percentage-point change between two year-to-date figures (e.g. 降幅比1-5月收窄)."""
    return yoy_cum_pct(monthly, months, start, end) - yoy_cum_pct(monthly, months, compare_start, compare_end)


def pp_vs_reference(monthly: FloatArray, months: list[str], start: str, end: str, reference_value: float) -> FloatArray:
    """Year-to-date y/y minus a reference figure (e.g. 高于全国平均水平N个百分点)."""
    return yoy_cum_pct(monthly, months, start, end) - float(reference_value)


def compute(
    measure: str,
    monthly: FloatArray,
    months: list[str],
    start: str,
    end: str,
    compare_start: str | None = None,
    compare_end: str | None = None,
    reference_value: float | None = None,
) -> FloatArray:
    """Dispatch a measure by name (see :data:`model.vocab.MODEL_MEASURES`)."""
    if measure == "yoy_month_pct":
        return yoy_month_pct(monthly, months, start, end)
    if measure == "yoy_cum_pct":
        return yoy_cum_pct(monthly, months, start, end)
    if measure == "yoy_quarter_pct":
        return yoy_quarter_pct(monthly, months, start, end)
    if measure == "level_100m_yuan":
        return level_100m_yuan(monthly, months, start, end)
    if measure == "pp_change":
        if not compare_start or not compare_end:
            raise ValueError("pp_change needs compare_start and compare_end")
        return pp_change(monthly, months, start, end, compare_start, compare_end)
    if measure == "pp_vs_reference":
        if reference_value is None:
            raise ValueError("pp_vs_reference needs reference_value")
        return pp_vs_reference(monthly, months, start, end, reference_value)
    raise ValueError(f"unknown measure '{measure}'")
