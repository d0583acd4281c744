"""Where the discrepancy of a held-out prediction starts, per indicator.

The AR(1) discrepancy (:mod:`rebound.observe.discrepancy`) is the model error that the fitted
figures have not pinned down. In a backtest it starts, for each indicator, in the month after
the last figure of that indicator the fit used (rule ``data``): a fit that used no 2022
figure of industry knows nothing of industry's 2022 path, whatever the cutoff month says.
Rule ``cutoff`` starts every indicator in the month after the cutoff. Both never start before
January of the episode year (or ``discrepancy.start`` when set) unless the cutoff itself is
earlier (a pre-period backtest: then not before the month after the cutoff), and a start past
the episode year falls back to that floor. Above-quota retail shares retail's months (its discrepancy is
retail's plus its own part).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from rebound.data.observed import Observation
from rebound.observe.discrepancy import INDICATORS, ar1_paths
from rebound.params.schema import Discrepancy, Params

FloatArray = NDArray[np.float64]
GROUP = {"industry": "industry", "retail": "retail", "retail_above_quota": "retail", "fai": "fai", "gdp": "gdp"}
RULES = ("data", "cutoff")


def next_month(month: str) -> str:
    """``YYYY-MM`` of the month after ``month``.

    Examples
    --------
    >>> next_month("2021-12")
    '2022-01'
    """
    y, m = int(month[:4]), int(month[5:7])
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}"


def starts_by_indicator(params: Params, cutoff: str | None, known: Sequence[Observation], rule: str = "data") -> dict[str, str]:
    """First month with discrepancy for each model indicator.

    Parameters
    ----------
    params : Params
    cutoff : str or None
        Backtest cutoff ``YYYY-MM``; None gives every indicator the file's start.
    known : sequence of Observation
        The figures the fit used.
    rule : {"data", "cutoff"}

    Returns
    -------
    dict
        ``{indicator: "YYYY-MM"}`` for every indicator of :data:`INDICATORS`.
    """
    year = params.episode.year
    floor = params.discrepancy.start or f"{year:04d}-01"
    if cutoff is None:
        return dict.fromkeys(INDICATORS, floor)
    if rule not in RULES:
        raise ValueError(f"unknown discrepancy rule '{rule}' (use one of {', '.join(RULES)})")
    after = next_month(cutoff)
    floor = min(floor, after)  # a cutoff before the episode year predicts pre-period figures too
    out: dict[str, str] = {}
    for ind in INDICATORS:
        start = after
        if rule == "data":
            ends = [o.period_end for o in known if GROUP.get(o.indicator) == GROUP[ind] and o.period_end <= cutoff]
            start = min(next_month(max(ends)), after) if ends else floor
        out[ind] = floor if start > f"{year:04d}-12" else max(start, floor)
    return out


def _k0(months: list[str], start: str) -> int:
    if start in months:
        return months.index(start)
    return 0 if start < months[0] else len(months)


def discrepancy_draws(spec: Discrepancy, months: list[str], n_draws: int, seed: int, starts: dict[str, str]) -> dict[str, FloatArray]:
    """Log multipliers ``{indicator: (n_draws, n_months)}`` with a start month per indicator.

    The random stream is that of :func:`rebound.observe.discrepancy.draw_discrepancy` (seeded
    ``[seed, 1]`` as :func:`rebound.fit.pipeline.ensemble_discrepancy`), so with one start for
    all indicators the draws are the pipeline's. Row 0 (the point run) is zero.
    """
    rng = np.random.default_rng([seed, 1])
    n_months = len(months)
    out = {ind: ar1_paths(n_draws, n_months, _k0(months, starts[ind]), spec.rho, float(getattr(spec, ind)), rng) for ind in ("industry", "retail", "fai", "gdp")}
    extra = float(np.sqrt(max(spec.retail_above_quota**2 - spec.retail**2, 0.0)))
    out["retail_above_quota"] = out["retail"] + ar1_paths(n_draws, n_months, _k0(months, starts["retail_above_quota"]), spec.rho, extra, rng)
    return out
