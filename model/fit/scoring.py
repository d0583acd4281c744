r"""Scores of interval forecasts: coverage, absolute error and the interval score.

The interval score of a central :math:`(1-\alpha)` interval :math:`[l, u]` for an outcome
:math:`y` (Gneiting and Raftery 2007, eq. 43) is

.. math::

    S_\alpha(l, u; y) = (u - l) + \frac{2}{\alpha}(l - y)_+ + \frac{2}{\alpha}(y - u)_+

in the unit of the figure (pp for growth rates): the width of the band plus a penalty of
:math:`2/\alpha` (20 at :math:`\alpha = 0.1`) per unit by which the band misses. Lower is
better; a band that is honest and narrow wins.

The naive forecast's band is empirical: its point plus the quantiles of its own errors
(reported minus naive) on the figures it could see (:func:`naive_band`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
ALPHA = 0.1  # the 90% band is scored
Z90 = 1.6448536269514722  # standard normal 95th percentile
Z50 = 0.6744897501960817  # standard normal 75th percentile
NAIVE_DEFAULT_HALF_WIDTH = 10.0  # pp (per cent of the level for levels): the naive 90% half-width with no residual to learn from
MIN_EMPIRICAL = 3  # residuals needed for empirical quantiles; fewer use +-z x RMS
LEVEL_MEASURE = "level_100m_yuan"


def interval_score(lower: FloatArray | float, upper: FloatArray | float, y: FloatArray | float, alpha: float = ALPHA) -> FloatArray:
    r"""Interval score :math:`S_\alpha(l, u; y)`, elementwise.

    Parameters
    ----------
    lower, upper : array_like
        Band limits (``lower <= upper``).
    y : array_like
        Outcomes (reported figures).
    alpha : float
        One minus the nominal coverage (0.1 for a 90% band).

    Returns
    -------
    ndarray
        Scores in the unit of ``y``.

    Examples
    --------
    >>> float(interval_score(-2.0, 4.0, 5.0))  # width 6, missed by 1: 6 + 20 x 1
    26.0
    """
    lo = np.asarray(lower, dtype=float)
    hi = np.asarray(upper, dtype=float)
    yy = np.asarray(y, dtype=float)
    return np.asarray((hi - lo) + 2.0 / alpha * np.maximum(lo - yy, 0.0) + 2.0 / alpha * np.maximum(yy - hi, 0.0), dtype=float)


def naive_band(point: float, residuals: list[float], relative: bool = False) -> tuple[float, float, float, float, str]:
    """The naive forecast's 50% and 90% bands around ``point``.

    Parameters
    ----------
    point : float
        The naive forecast.
    residuals : list of float
        Reported minus naive on the figures the naive forecast could learn from (in pp, or in
        per cent of the naive value when ``relative``).
    relative : bool
        Residuals are per cent of the level (for ``level_100m_yuan`` figures).

    Returns
    -------
    tuple
        ``(p05, p25, p75, p95, rule)``: with at least :data:`MIN_EMPIRICAL` residuals the
        empirical 5/25/75/95% quantiles of the residuals are added to the point; with one or
        two, +-1.645 and +-0.674 times their root mean square; with none, +-10 (and +-4.1).
    """
    r = np.asarray(residuals, dtype=float)
    if r.size >= MIN_EMPIRICAL:
        q = np.percentile(r, [5.0, 25.0, 75.0, 95.0])
        rule = f"empirical quantiles of {r.size} residuals"
    else:
        half = float(np.sqrt(np.mean(r**2))) * Z90 if r.size else NAIVE_DEFAULT_HALF_WIDTH
        q = np.array([-half, -half * Z50 / Z90, half * Z50 / Z90, half])
        rule = f"+-1.645 x RMS of {r.size} residual(s)" if r.size else f"default +-{NAIVE_DEFAULT_HALF_WIDTH:g} (no residuals)"
    band = point * (1.0 + q / 100.0) if relative else point + q
    return float(band[0]), float(band[1]), float(band[2]), float(band[3]), rule


def score_columns(reported: FloatArray, centre: FloatArray, q: FloatArray) -> dict[str, FloatArray]:
    """Coverage, absolute error and interval score of each figure.

    Parameters
    ----------
    reported : ndarray, shape (k,)
    centre : ndarray, shape (k,)
        The point forecast (predictive median for the model).
    q : ndarray, shape (4, k)
        Band limits p05, p25, p75, p95.

    Returns
    -------
    dict
        ``covered50, covered90, abs_error, interval_score`` arrays.
    """
    y = np.asarray(reported, dtype=float)
    return {
        "covered50": (q[1] <= y) & (y <= q[2]),
        "covered90": (q[0] <= y) & (y <= q[3]),
        "abs_error": np.abs(np.asarray(centre, dtype=float) - y),
        "interval_score": interval_score(q[0], q[3], y),
    }


def summarise(df: pd.DataFrame, prefix: str = "") -> dict[str, Any]:
    """Summary of scored rows: coverage of both bands, errors, interval score, band width.

    Coverage counts every row; the averages in pp (absolute error, interval score, width)
    leave out level figures (亿元), which would swamp them.

    Parameters
    ----------
    df : DataFrame
        Scored rows with ``measure`` and the columns ``<prefix>covered50``,
        ``<prefix>covered90``, ``<prefix>abs_error``, ``<prefix>interval_score``,
        ``<prefix>p05`` and ``<prefix>p95``.
    prefix : str
        ``""`` for the model, ``"naive_"`` for the naive forecast.
    """
    n = int(len(df))
    if n == 0:
        return {"n": 0}
    pp = df[df["measure"] != LEVEL_MEASURE]
    width = (pp[f"{prefix}p95"] - pp[f"{prefix}p05"]).to_numpy(dtype=float)
    out: dict[str, Any] = {
        "n": n,
        "coverage50": float(df[f"{prefix}covered50"].astype(bool).mean()),
        "coverage90": float(df[f"{prefix}covered90"].astype(bool).mean()),
        "n_pp": int(len(pp)),
    }
    if len(pp):
        out.update(
            mae=float(pp[f"{prefix}abs_error"].mean()),
            median_abs_error=float(pp[f"{prefix}abs_error"].median()),
            mean_interval_score=float(pp[f"{prefix}interval_score"].mean()),
            median_width90=float(np.median(width)),
        )
    return out
