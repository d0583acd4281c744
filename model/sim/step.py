r"""The daily step of the engine, for every draw at once (numpy), and its state and rates.

State per sector :math:`s` and draw (arrays of shape ``(3, n_draws)``, :class:`State`):
capacity :math:`\kappa`, permanent scar, backlog :math:`B` of postponed output (亿元, real),
catch-up rate :math:`m` and post-lockdown demand shortfall :math:`D`. Each day :math:`t` from the
first restricted day (before it everything runs at the no-lockdown path):

.. math::

    \ell_t &= \textstyle\sum_{u \le t} \text{relief}_u / \text{GDP}_{Y-1}
        &&\text{liquidity paid so far, from the horizon start}\\
    \alpha_{s,t} &= 1 - \exp\!\big(-(1 + \lambda_v \ell_t)/\tau_s\big)\\
    \kappa_{s,t} &= \min\big(c_{s,t},\ \kappa_{s,t-1} + \alpha_{s,t}(1 - \text{scar}_{s,t-1} - \kappa_{s,t-1})\big)\\
    \text{scar}_{s,t} &= \min\big(1,\ \text{scar}_{s,t-1} + \delta_s (1 - c_{s,t}) e^{-\lambda_d \ell_t}\big)\\
    B'_{s,t} &= B_{s,t-1} + \beta_s P_{s,t}\max(0, 1 - \text{scar}_{s,t} - \kappa_{s,t})\\
    m_{s,t} &= \mathbb{1}[c_{s,t} = 1]\,\min\!\Big(m_{s,t-1} + \big(\min(h_s, \tfrac{B'_{s,t}}{P_{s,t}\tau^B_s}) - m_{s,t-1}\big)(1 - e^{-1/\tau^C_s}),\ \tfrac{B'_{s,t}}{P_{s,t}}\Big)\\
    B_{s,t} &= B'_{s,t} - m_{s,t} P_{s,t}\\
    D_{s,t} &= \max\big(D_{s,t-1} e^{-1/\tau^D_s},\ \psi_s (1 - c_{s,t})\big)\\
    u_{s,t} &= \kappa_{s,t}(1 - D_{s,t}) + m_{s,t}\\
    Y_{s,t} &= P_{s,t}\,u_{s,t} + \textstyle\sum_{\text{levers}} F_{s,t}

Keys: :math:`\tau_s` ``time_constant_days``, :math:`h_s` ``headroom`` (a share of potential),
:math:`\tau^C_s` ``catchup_time_constant_days`` (catch-up approaches its target gradually, as
BoARIO's overproduction does), :math:`\beta_s` ``backlog_share``, :math:`\tau^B_s`
``backlog_time_constant_days``, :math:`\delta_s` ``scarring_per_day``, :math:`\psi_s`
``persistence_depth``, :math:`\tau^D_s` ``persistence_days``, :math:`\lambda_v`
``liquidity.recovery_speedup``, :math:`\lambda_d` ``liquidity.scar_reduction``; :math:`c` is the
restriction calendar (:mod:`rebound.sim.restrictions`) and :math:`P` the no-lockdown path
(:mod:`rebound.sim.baseline`). Shocks act on levels, never on growth rates.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rebound.params.schema import Params
from rebound.sim.calendar import Calendar
from rebound.sim.dynamics import col, step_capacity
from rebound.sim.restrictions import SECTORS
from rebound.sim.result import GdpParts, gdp_composite

FloatArray = NDArray[np.float64]


@dataclass
class State:
    """Engine state per sector and draw, each ``(3, n_draws)``."""

    kappa: FloatArray
    scar: FloatArray
    backlog: FloatArray
    catchup: FloatArray
    shortfall: FloatArray

    @classmethod
    def normal(cls, n: int) -> State:
        z = np.zeros((3, n))
        return cls(kappa=np.ones((3, n)), scar=z.copy(), backlog=z.copy(), catchup=z.copy(), shortfall=z.copy())


@dataclass(frozen=True)
class Rates:
    """Per-sector behavioural parameters, each ``(3, n|1)``, and liquidity channels ``(n|1,)``."""

    tau: FloatArray
    headroom: FloatArray
    backlog_share: FloatArray
    tau_backlog: FloatArray
    tau_catchup: FloatArray
    scar_rate: FloatArray
    depth: FloatArray
    tau_shortfall: FloatArray
    speedup: FloatArray
    scar_reduction: FloatArray

    @classmethod
    def of(cls, p: Params) -> Rates:
        def stack(attr: str) -> FloatArray:
            cols = [col(getattr(getattr(p.sectors, s), attr)) for s in SECTORS]
            rows = max(c.shape[0] for c in cols)
            return np.stack([np.broadcast_to(c[:, 0], (rows,)) for c in cols])

        return cls(
            tau=stack("time_constant_days"),
            headroom=stack("headroom"),
            backlog_share=stack("backlog_share"),
            tau_backlog=stack("backlog_time_constant_days"),
            tau_catchup=stack("catchup_time_constant_days"),
            scar_rate=stack("scarring_per_day"),
            depth=stack("persistence_depth"),
            tau_shortfall=stack("persistence_days"),
            speedup=col(p.liquidity.recovery_speedup)[:, 0],
            scar_reduction=col(p.liquidity.scar_reduction)[:, 0],
        )


VA_SHARE_DEFAULT = {"industry": 1.0, "consumption": 0.2, "investment": 0.25}  # schema meaning of va_share


def va_share(p: Params, sector: str) -> Any:
    """Value added per yuan of lever spending in a sector (the file's value or the default)."""
    v = getattr(p.sectors, sector).va_share
    return VA_SHARE_DEFAULT[sector] if v is None else v


def rescale_to_level(g: GdpParts, cal: Calendar, price: FloatArray, level: FloatArray) -> GdpParts:
    """Scale potential value added so that year Y-1 with no lockdown totals ``level`` at current
    prices, base-year shocks included (the reported level is what happened, shock and all)."""
    ones = {s: np.ones((1, 1)) for s in SECTORS}
    zero = {s: np.zeros((1, 1)) for s in SECTORS}
    daily = gdp_composite(g, ones, zero) * price
    factor = level / np.sum(daily[:, cal.is_prior_year], axis=1, keepdims=True)
    return replace(g, v1=g.v1 * factor, v2=g.v2 * factor, v3=g.v3 * factor)


def step(st: State, r: Rates, cap: FloatArray, pot: FloatArray, ell: FloatArray) -> FloatArray:
    """Advance the state one day (in place); return utilisation ``u`` ``(3, n)``."""
    with np.errstate(over="ignore"):  # a tiny time constant overflows to -inf: alpha = 1
        alpha = 1.0 - np.exp(-(1.0 + r.speedup * ell) / r.tau)
    st.kappa = step_capacity(st.kappa, cap, 1.0 - st.scar, alpha)
    st.scar = np.minimum(1.0, st.scar + r.scar_rate * (1.0 - cap) * np.exp(-r.scar_reduction * ell))
    st.backlog = st.backlog + r.backlog_share * pot * np.maximum(1.0 - st.scar - st.kappa, 0.0)
    owed = st.backlog / pot
    target = np.minimum(r.headroom, owed / r.tau_backlog)
    approach = st.catchup + (target - st.catchup) * (1.0 - np.exp(-1.0 / r.tau_catchup))
    st.catchup = np.where(cap >= 1.0, np.minimum(np.maximum(approach, 0.0), owed), 0.0)
    st.backlog = st.backlog - st.catchup * pot
    st.shortfall = np.maximum(st.shortfall * np.exp(-1.0 / r.tau_shortfall), r.depth * (1.0 - cap))
    return np.asarray(st.kappa * (1.0 - st.shortfall) + st.catchup, dtype=float)
