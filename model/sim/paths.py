"""Each aggregate's no-lockdown path: the one function the engine and the input checks share."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from rebound.params.schema import Params
from rebound.sim.baseline import reference_path, yoy_multipliers
from rebound.sim.calendar import Calendar
from rebound.sim.references import reference_growth

FloatArray = NDArray[np.float64]
NOMINAL_REFERENCE = {"industry": False, "consumption": True, "investment": True}


def sector_path(params: Params, cal: Calendar, sector: str, growth: FloatArray | None = None, *, use_reference: bool = True, monthly: bool = False) -> tuple[FloatArray, FloatArray]:
    """Daily real no-lockdown path and price index of a model sector, ``(n|1, n_days)`` each.

    ``growth`` is the reference's monthly y/y (%) when the caller has it already; with
    ``use_reference=False`` the fixed trend is used.
    """
    sec = getattr(params.sectors, sector)
    if growth is None and use_reference:
        growth = reference_growth(params, cal)[sector]
    mult = yoy_multipliers(growth, sec.loading, sec.offset_pct, sec.trend_growth_pct, nominal_reference=NOMINAL_REFERENCE[sector], inflation_pct=sec.inflation_pct)
    return reference_path(cal, sec.prior_year_level_100m, sec.inflation_pct, sec.seasonal, mult, sec.prior_year_anomaly, sec.anomaly_scale, monthly=monthly)
