r"""The observation layer: daily model flows -> the figures bulletins print.

Pure numpy functions of **monthly totals**. ``monthly`` has shape ``(..., n_months)`` aligned
with ``months``, a list of consecutive ``"YYYY-MM"`` labels; every measure returns an array of
shape ``monthly.shape[:-1]``, so the same code serves one run (``(n_months,)`` -> ``()``) or a
whole ensemble (``(n_draws, n_months)`` -> ``(n_draws,)``).

Notation: :math:`X(a..b) = \sum_{m=a}^{b} x_m` is the total over months *a* to *b* inclusive,
and :math:`X'(a..b)` the total over the same calendar months one year earlier (the base).

=====================  =============================================  ===========================
measure                formula                                        bulletin wording
=====================  =============================================  ===========================
``yoy_month_pct``      :math:`100\,(X(m..m)/X'(m..m) - 1)`            7月 增长22.4%; 1-2月 (combined)
``yoy_cum_pct``        :math:`100\,(X(1..m)/X'(1..m) - 1)`            1-7月 增长5.9%; 上半年
``yoy_quarter_pct``    :math:`100\,(X(q)/X'(q) - 1)`                  二季度 增长…
``level_100m_yuan``    :math:`X(a..b)` (flows in 亿元 per day)         上半年 完成3058.2亿元
``pp_change``          :math:`\mathrm{ytd}(a..b) - \mathrm{ytd}(c..d)`   降幅比1-5月收窄7.5个百分点
``pp_vs_reference``    :math:`\mathrm{ytd}(a..b) - r`                 高于全国平均水平10.8个百分点
=====================  =============================================  ===========================

Growth rates are ratios of totals, never averages of monthly rates: a year-to-date figure
weights each month by its base-year size, exactly as a statistics bureau computes it.

Real versus nominal is the caller's choice of flows (real, or real x price index); these
functions do not care.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from numpy.typing import NDArray

from rebound.units import MONTHS_PER_YEAR, PCT

FloatArray = NDArray[np.float64]

QUARTER_FIRST_MONTHS: tuple[int, ...] = (1, 4, 7, 10)


def _label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def parse_month(label: str) -> tuple[int, int]:
    """Split a ``"YYYY-MM"`` label into ``(year, month)``.

    Raises
    ------
    ValueError
        If the label is not exactly ``YYYY-MM`` with a month from 01 to 12.
    """
    ok = (
        isinstance(label, str)
        and len(label) == 7
        and label[4] == "-"
        and label[:4].isdigit()
        and label[5:].isdigit()
    )
    if not ok or not 1 <= int(label[5:]) <= MONTHS_PER_YEAR:
        raise ValueError(f"period '{label}' is not a month written YYYY-MM")
    return int(label[:4]), int(label[5:])


def _shift_year(label: str, years: int) -> str:
    y, m = parse_month(label)
    return _label(y + years, m)


def monthly_totals(daily: FloatArray, first_day: dt.date) -> tuple[FloatArray, list[str]]:
    r"""Sum daily flows into calendar-month totals, :math:`x_m = \sum_{d \in m} f_d`.

    Parameters
    ----------
    daily : ndarray, shape (..., n_days)
        Daily flows; ``daily[..., 0]`` is the flow of ``first_day``.
    first_day : datetime.date
        Date of the first day.

    Returns
    -------
    monthly : ndarray, shape (..., n_months)
        Totals of every calendar month the days cover completely (a partial first or last
        month is dropped, so no total is silently short of days).
    months : list of str
        The ``"YYYY-MM"`` label of each column of ``monthly``.

    Examples
    --------
    >>> m, labels = monthly_totals(np.ones(59), dt.date(2022, 1, 1))
    >>> m.tolist(), labels
    ([31.0, 28.0], ['2022-01', '2022-02'])
    """
    arr = np.asarray(daily, dtype=np.float64)
    n = arr.shape[-1]
    if n == 0:
        return np.zeros(arr.shape[:-1] + (0,)), []
    dates = np.datetime64(first_day, "D") + np.arange(n)
    month_of = dates.astype("datetime64[M]")
    edges = np.flatnonzero(np.r_[True, month_of[1:] != month_of[:-1]])
    sums = np.add.reduceat(arr, edges, axis=-1)
    starts = month_of[edges]
    # a month is complete when its first day is present and the day after its last is not
    first_ok = dates[edges] == starts.astype("datetime64[D]")
    ends = np.r_[edges[1:], n] - 1
    last_ok = (dates[ends] + 1).astype("datetime64[M]") != starts
    keep = np.flatnonzero(first_ok & last_ok)
    labels = [str(starts[i]) for i in keep]
    return np.asarray(sums[..., keep], dtype=np.float64), labels


def _index(months: list[str], label: str, what: str) -> int:
    try:
        return months.index(label)
    except ValueError:
        span = f"{months[0]}..{months[-1]}" if months else "(none)"
        raise ValueError(f"{what} {label} is outside the model months {span}") from None


def total(monthly: FloatArray, months: list[str], start: str, end: str, what: str = "month") -> FloatArray:
    r"""Total over months ``start``..``end`` inclusive, :math:`X(a..b)`.

    Parameters
    ----------
    monthly : ndarray, shape (..., n_months)
        Monthly totals aligned with ``months``.
    months : list of str
        Consecutive ``"YYYY-MM"`` labels.
    start, end : str
        First and last month, ``"YYYY-MM"``.
    what : str
        Word used in the error message (e.g. ``"prior-year base month"``).

    Returns
    -------
    ndarray, shape (...)

    Raises
    ------
    ValueError
        If a label is malformed, the period is reversed or a month lies outside ``months``.
    """
    parse_month(start)
    parse_month(end)
    if end < start:
        raise ValueError(f"period {start}..{end} ends before it starts")
    arr = np.asarray(monthly, dtype=np.float64)
    if arr.shape[-1] != len(months):
        raise ValueError(f"monthly has {arr.shape[-1]} columns but {len(months)} month labels")
    i, j = _index(months, start, what), _index(months, end, what)
    return np.asarray(np.sum(arr[..., i : j + 1], axis=-1), dtype=np.float64)


def _yoy(monthly: FloatArray, months: list[str], start: str, end: str) -> FloatArray:
    r""":math:`100\,(X(a..b) / X'(a..b) - 1)`."""
    cur = total(monthly, months, start, end)
    base = total(monthly, months, _shift_year(start, -1), _shift_year(end, -1), "prior-year base month")
    if np.any(base == 0):
        raise ValueError(f"the prior-year base of {start}..{end} is zero: y/y growth is undefined")
    return np.asarray(PCT * (cur / base - 1.0), dtype=np.float64)


def yoy_month_pct(monthly: FloatArray, months: list[str], start: str, end: str) -> FloatArray:
    r"""Single-month year-on-year growth in per cent (当月同比).

    .. math:: g = 100\,\left(\frac{x_m}{x_{m-12}} - 1\right)

    The combined January–February release (1-2月, published as one figure because of the
    Spring Festival) is accepted as ``start="YYYY-01", end="YYYY-02"`` and uses the two-month
    totals: :math:`100\,((x_1 + x_2)/(x'_1 + x'_2) - 1)`.

    Example: 100 in July 2021 and 122.4 in July 2022 give 100 (122.4/100 − 1) = 22.4.

    Parameters
    ----------
    monthly : ndarray, shape (..., n_months)
    months : list of str
    start, end : str
        The same month, or January and February of one year.

    Returns
    -------
    ndarray, shape (...)

    Raises
    ------
    ValueError
        For any other period, a month or base outside ``months``, or a zero base.
    """
    ys, ms = parse_month(start)
    ye, me = parse_month(end)
    if not (start == end or (ys == ye and ms == 1 and me == 2)):
        raise ValueError(f"yoy_month_pct needs one month or Jan–Feb combined, got {start}..{end}")
    return _yoy(monthly, months, start, end)


def yoy_cum_pct(monthly: FloatArray, months: list[str], start: str, end: str) -> FloatArray:
    r"""Year-to-date year-on-year growth in per cent (累计同比; 上半年 = January–June).

    .. math:: g = 100\,\left(\frac{\sum_{k=1}^{m} x_k}{\sum_{k=1}^{m} x'_k} - 1\right)

    Example: months of 100 in 2021; in 2022 January–June 100 except March at 50 give
    Jan–Jun 550 against 600, so 100 (550/600 − 1) = −8.333….

    Raises
    ------
    ValueError
        If ``start`` is not January of the year of ``end``, a month or base is outside
        ``months``, or the base is zero.
    """
    ys, ms = parse_month(start)
    ye, _ = parse_month(end)
    if ms != 1 or ys != ye:
        raise ValueError(f"yoy_cum_pct needs a period from January of one year, got {start}..{end}")
    return _yoy(monthly, months, start, end)


def yoy_quarter_pct(monthly: FloatArray, months: list[str], start: str, end: str) -> FloatArray:
    r"""One calendar quarter's year-on-year growth in per cent (当季同比).

    .. math:: g = 100\,\left(\frac{X(q)}{X'(q)} - 1\right)

    Example: Q1 months 100, 50, 100 against 100, 100, 100 give 100 (250/300 − 1) = −16.667.

    Raises
    ------
    ValueError
        If the period is not Jan–Mar, Apr–Jun, Jul–Sep or Oct–Dec of one year, or as
        :func:`yoy_month_pct`.
    """
    ys, ms = parse_month(start)
    ye, me = parse_month(end)
    if ys != ye or ms not in QUARTER_FIRST_MONTHS or me != ms + 2:
        raise ValueError(f"yoy_quarter_pct needs a calendar quarter, got {start}..{end}")
    return _yoy(monthly, months, start, end)


def level_100m_yuan(monthly: FloatArray, months: list[str], start: str, end: str) -> FloatArray:
    r"""Level over the period in 亿元, :math:`X(a..b)` (flows are 亿元 per day).

    Example: 2022 GDP at 19.46 亿元 a day over 365 days is 7102.9 亿元.
    """
    return total(monthly, months, start, end)


def pp_change(
    monthly: FloatArray,
    months: list[str],
    start: str,
    end: str,
    compare_start: str,
    compare_end: str,
) -> FloatArray:
    r"""Percentage-point change between two year-to-date growth rates (收窄/扩大N个百分点).

    .. math:: \Delta = \mathrm{ytd}(a..b) - \mathrm{ytd}(c..d)

    Example: Jan–Jun −15.7 % and Jan–May −23.2 % give −15.7 − (−23.2) = 7.5 pp, printed as
    降幅比1-5月收窄7.5个百分点.
    """
    return yoy_cum_pct(monthly, months, start, end) - yoy_cum_pct(monthly, months, compare_start, compare_end)


def pp_vs_reference(
    monthly: FloatArray, months: list[str], start: str, end: str, reference_value: float
) -> FloatArray:
    r"""Year-to-date growth minus a reference growth rate (高于全国平均水平N个百分点).

    .. math:: \Delta = \mathrm{ytd}(a..b) - r

    Example: Jan–Jul FAI +9.2 % against the national −1.6 % gives 9.2 − (−1.6) = 10.8 pp.
    """
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
    """Dispatch a measure by name (one of :data:`rebound.data.vocab.MODEL_MEASURES`).

    Raises
    ------
    ValueError
        For an unknown measure, a missing compare period (``pp_change``) or reference value
        (``pp_vs_reference``), or any error of the measure itself.
    """
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
    raise ValueError(f"unknown measure '{measure}' (model measures: yoy_month_pct, yoy_cum_pct, yoy_quarter_pct, level_100m_yuan, pp_change, pp_vs_reference)")
