r"""The no-lockdown path: each aggregate follows an observed reference series.

As CausalImpact's counterfactual follows its control series, the regional path with no local
shock follows a reference (national by default; a province or peer cities where the user has
them), month by month, in year-on-year terms:

.. math::

    G_{y,m} = 1 + \lambda\,\frac{g^{ref}_{y,m}}{100} + \frac{o}{100},
    \qquad S_{y,m} = S_{y-1,m}\,\frac{G_{y,m}}{(1+\pi/100)^{b}}

with :math:`g^{ref}` the reference's single-month y/y growth (%), :math:`\lambda` =
``loading``, :math:`o` = ``offset_pct``, :math:`b = 1` when the reference is nominal (retail
sales, investment) and the aggregate's own price index :math:`\pi` (``inflation_pct``) turns it
real, else 0. The first simulated year anchors the chain with the seasonal profile
:math:`S_{y_0,m} = s_m D_m` (``seasonal`` times days in the month). Where the reference has no
figure for a month, or with ``reference = "trend"``, :math:`G = 1 + g/100` with
``trend_growth_pct`` (the fixed-trend baseline of earlier versions).

A base-year shock with a stated source enters as a level deviation of year :math:`Y-1` only,
:math:`M_{y,m} = S_{y,m}\,(1 + a\,d_m\,\mathbb{1}[y = Y-1])` (``anomaly_scale`` :math:`a` times
the ``prior_year_anomaly`` profile :math:`d`), so it does not carry into the next year and the
next year's y/y shows the base effect. Levels are scaled so year :math:`Y-1` totals the given
``prior_year_level_100m`` at current prices. Every function here is pure and broadcasts over
draws (parameters of shape ``(n|1, 1)``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from rebound.sim.calendar import Calendar
from rebound.sim.dynamics import col, growth_factor, month_matrix
from rebound.units import PCT

FloatArray = NDArray[np.float64]
MONTHS = 12


def yoy_multipliers(
    reference_pct: FloatArray | None,
    loading: Any,
    offset_pct: Any,
    trend_growth_pct: Any,
    *,
    nominal_reference: bool,
    inflation_pct: Any,
) -> FloatArray:
    r"""Real y/y growth multipliers :math:`G_{y,m}/(1+\pi)^b` for every month of the horizon.

    ``reference_pct`` has one entry per month (NaN where the reference has no figure); None
    means the fixed trend. Returns ``(n|1, n_months)``.
    """
    trend = 1.0 + col(trend_growth_pct) / PCT
    if reference_pct is None:
        return np.asarray(trend, dtype=float) * np.ones((1, 1))
    ref = np.asarray(reference_pct, dtype=float)[None, :]
    g = 1.0 + col(loading) * np.nan_to_num(ref) / PCT + col(offset_pct) / PCT
    if nominal_reference:
        g = g / (1.0 + col(inflation_pct) / PCT)
    return np.asarray(np.where(np.isnan(ref), trend, g), dtype=float)


def monthly_shape(cal: Calendar, seasonal: Any, multipliers: FloatArray) -> FloatArray:
    """Chained monthly totals (arbitrary scale), ``(n|1, n_months)``.

    The first year is ``seasonal x days``; each later month is the same month a year earlier
    times its multiplier (columns of ``multipliers`` for the first year are ignored).
    """
    n_months = len(cal.months)
    mult = np.broadcast_to(multipliers, (multipliers.shape[0], n_months)) if multipliers.shape[1] == n_months else np.broadcast_to(multipliers[:, :1], (multipliers.shape[0], n_months))
    first = month_matrix(seasonal) * cal.days_in_month[None, :MONTHS]
    rows = max(first.shape[0], mult.shape[0])
    out = np.empty((rows, n_months))
    out[:, :MONTHS] = first
    for k in range(MONTHS, n_months):
        out[:, k] = out[:, k - MONTHS] * mult[:, k]
    return out


def anomaly_factor(cal: Calendar, profile: Any, scale: Any) -> FloatArray:
    """``1 + scale x profile[m]`` in the months of year ``Y-1``, 1 elsewhere; ``(n|1, n_months)``."""
    prof = month_matrix(profile) * col(scale)
    out = np.ones((prof.shape[0], len(cal.months)))
    k0 = (cal.year - 1 - cal.y0) * MONTHS
    if 0 <= k0 and k0 + MONTHS <= len(cal.months):
        out[:, k0 : k0 + MONTHS] += prof
    return out


def daily_from_monthly(cal: Calendar, monthly: FloatArray) -> FloatArray:
    """Spread monthly totals evenly over their days: ``(n|1, n_days)``."""
    return np.asarray(monthly[:, cal.month_of_day] / cal.days_in_month[cal.month_of_day][None, :], dtype=float)


def reference_path(
    cal: Calendar,
    level_100m: Any,
    inflation_pct: Any,
    seasonal: Any,
    multipliers: FloatArray,
    anomaly_profile: Any = None,
    anomaly_scale: Any = 1.0,
    *,
    monthly: bool = False,
) -> tuple[FloatArray, Any]:
    r"""Daily potential (real flow, 亿元/day) and price index of one aggregate.

    Price :math:`p_t = (1+\pi)^{\tau_t}`; real potential scaled so that
    :math:`\sum_{t \in Y-1} P_t p_t` equals ``level_100m``. With ``monthly`` (large
    ensembles, :meth:`rebound.sim.engine.Engine.run_totals`) a compiled kernel gives potential as
    one daily value per month ``(n|1, n_months)`` and the price as a
    :class:`rebound.sim.compiled.LazyPrice` (:func:`rebound.sim.compiled.monthly_path`).
    """
    shape = monthly_shape(cal, seasonal, multipliers)
    if anomaly_profile is not None:
        shape = shape * anomaly_factor(cal, anomaly_profile, anomaly_scale)
    if monthly:
        from rebound.sim import compiled as kernels

        return kernels.monthly_path(shape, cal, col(inflation_pct), col(level_100m))
    daily = daily_from_monthly(cal, shape)
    price = growth_factor(cal.year_fraction, inflation_pct)
    base = np.sum((daily * price)[:, cal.is_prior_year], axis=1, keepdims=True)
    return np.asarray(col(level_100m) * daily / base, dtype=float), np.asarray(price, dtype=float)
