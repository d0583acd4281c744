"""Small pure functions for the potential path, restrictions and recovery.

Each is tested alone (tests/test_dynamics.py). Arrays broadcast over draws: a parameter may be
a float or an array of shape ``(n_draws, 1)``; day arrays have shape ``(..., n_days)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from rebound.units import PCT

FloatArray = NDArray[np.float64]


def col(x: Any) -> FloatArray:
    """A parameter as a column: float -> (1, 1); per-draw array (n,) -> (n, 1)."""
    a = np.asarray(x, dtype=float)
    return a.reshape(-1, 1)


def growth_factor(tau: FloatArray, growth_pct: Any) -> FloatArray:
    r"""Trend factor :math:`(1 + g/100)^{\tau}` for year fractions ``tau``."""
    return np.power(1.0 + col(growth_pct) / PCT, tau[None, :])


def month_matrix(values: Any) -> FloatArray:
    """Twelve monthly values, each a float or a per-draw array, as an (n|1, 12) matrix."""
    cols = [np.asarray(v, dtype=float).reshape(-1) for v in values]
    n = max(c.shape[0] for c in cols)
    return np.stack([np.broadcast_to(c, (n,)) for c in cols], axis=1)


def smoothstep(x: FloatArray) -> FloatArray:
    r"""Construction S-curve :math:`S(x) = 3x^2 - 2x^3` on [0, 1], exactly 0 and 1 at the ends."""
    x = np.clip(x, 0.0, 1.0)
    return np.asarray(x * x * (3.0 - 2.0 * x), dtype=float)


def recovery_fraction(days: FloatArray, time_constant_days: Any) -> FloatArray:
    r"""Share of the gap closed after ``days`` of free recovery: :math:`1 - e^{-d/\tau}`."""
    return np.asarray(1.0 - np.exp(-np.asarray(days, dtype=float) / np.asarray(time_constant_days, dtype=float)), dtype=float)


def days_to_recover(start_share: float, end_share: float, time_constant_days: float) -> float:
    r"""Days for capacity to go from ``start_share`` to ``end_share`` of normal.

    .. math:: d = \tau \ln\frac{1 - c_0}{1 - c_1}

    e.g. FAW's 100 -> 6000 vehicles/day (1.7% -> 95% of a 6000 full rate, taking "满产" as
    95%) within 30 days gives :math:`\tau \approx 30 / \ln(0.983/0.05) \approx 10` days.
    """
    return float(time_constant_days * np.log((1.0 - start_share) / (1.0 - end_share)))


def step_capacity(
    kappa: FloatArray,
    cap_max: FloatArray,
    target: FloatArray,
    alpha: FloatArray,
) -> FloatArray:
    r"""One day of capacity dynamics.

    .. math:: \kappa_{t} = \min\big(c_t,\; \kappa_{t-1} + \alpha_t(\bar\kappa_t - \kappa_{t-1})\big)

    Restrictions cut capacity at once to the allowed share :math:`c_t`; when they ease,
    capacity climbs back towards :math:`\bar\kappa = 1 - \text{scar}` at rate
    :math:`\alpha = 1 - e^{-\rho/\tau}`.
    """
    return np.minimum(cap_max, kappa + alpha * (target - kappa))
