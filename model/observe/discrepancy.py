r"""Model error that reaches predictions: a discrepancy process per indicator.

Each indicator's monthly total is multiplied by :math:`e^{\eta_k}` with an AR(1) in the log
level that starts at zero before month :math:`k_0` (``discrepancy.start``, default January of
the episode year):

.. math::

    \eta_k = 0 \;(k < k_0), \qquad \eta_k = \rho\,\eta_{k-1} + \sigma_i\,\varepsilon_k,
    \quad \varepsilon_k \sim N(0, 1)

with :math:`\rho` = ``discrepancy.rho`` and :math:`\sigma_i` = ``discrepancy.<indicator>``, so
bands widen with the horizon (the variance after :math:`h` months is
:math:`\sigma^2 (1-\rho^{2h})/(1-\rho^2)`). Above-quota retail shares retail's process and adds
its own part (:math:`\sigma^2_{aq} - \sigma^2_{retail}` when positive). Draw 0 (the point run)
has no discrepancy. docs/validation.md gives the backtests the scales come from.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from rebound.params.schema import Discrepancy

FloatArray = NDArray[np.float64]
INDICATORS = ("industry", "retail", "retail_above_quota", "fai", "gdp")


def ar1_paths(n_draws: int, n_months: int, k0: int, rho: float, sigma: float, rng: np.random.Generator) -> FloatArray:
    """``(n_draws, n_months)`` AR(1) paths, zero before month ``k0``; row 0 is all zeros."""
    out = np.zeros((n_draws, n_months))
    k0 = max(0, min(k0, n_months))
    if sigma <= 0.0 or n_draws < 2 or k0 >= n_months:
        return out
    eps = rng.standard_normal((n_draws - 1, n_months - k0))
    prev = np.zeros(n_draws - 1)
    for j in range(n_months - k0):
        prev = rho * prev + sigma * eps[:, j]
        out[1:, k0 + j] = prev
    return out


def draw_discrepancy(spec: Discrepancy, year: int, months: list[str], n_draws: int, rng: np.random.Generator) -> dict[str, FloatArray]:
    """Log multipliers ``{indicator: (n_draws, n_months)}`` for every model indicator."""
    start = spec.start or f"{year:04d}-01"
    k0 = months.index(start) if start in months else (0 if start < months[0] else len(months))
    out = {ind: ar1_paths(n_draws, len(months), k0, spec.rho, float(getattr(spec, ind)), rng) for ind in ("industry", "retail", "fai", "gdp")}
    extra = float(np.sqrt(max(spec.retail_above_quota**2 - spec.retail**2, 0.0)))
    out["retail_above_quota"] = out["retail"] + ar1_paths(n_draws, len(months), k0, spec.rho, extra, rng)
    return out


def horizon_sd(spec: Discrepancy, indicator: str, months_ahead: int) -> float:
    """Standard deviation of the log discrepancy ``months_ahead`` months after the start."""
    s = float(getattr(spec, indicator))
    rho2 = spec.rho**2
    h = max(months_ahead, 0)
    return float(s * np.sqrt(h if rho2 == 1.0 else (1.0 - rho2**h) / (1.0 - rho2)))
