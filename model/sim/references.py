"""Reference growth for each aggregate's no-lockdown path, read once per process.

Each aggregate names its reference (``sectors.<s>.reference``, ``gdp.reference``): a reference
file's name in ``data/reference/`` (``national``) or a CSV path relative to the parameter file,
or ``trend`` for the fixed-trend baseline. The reference's single-month y/y growth of the
matching indicator (industry value added, retail sales, fixed-asset investment, GDP) is what
:mod:`rebound.sim.baseline` follows.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rebound.data.reference import load_reference
from rebound.params.schema import Params
from rebound.sim.calendar import Calendar

FloatArray = NDArray[np.float64]
TREND = ("", "trend")
INDICATOR_OF = {"industry": "industry", "consumption": "retail", "investment": "fai", "gdp": "gdp"}


def reference_name(params: Params, aggregate: str) -> str:
    """The reference an aggregate follows (``trend`` for the fixed trend)."""
    node = params.gdp if aggregate == "gdp" else getattr(params.sectors, aggregate)
    name = str(node.reference).strip()
    return "trend" if name in TREND else name


@functools.lru_cache(maxsize=64)
def _growth(name: str, source_dir: str, indicator: str, months: tuple[str, ...]) -> tuple[FloatArray, tuple[str, ...]]:
    ref = load_reference(name, Path(source_dir) if source_dir else None)
    pct, how = ref.monthly_yoy(indicator, list(months))
    arr = np.asarray(pct, dtype=float)
    arr.setflags(write=False)
    return arr, tuple(how)


def reference_growth(params: Params, cal: Calendar) -> dict[str, FloatArray | None]:
    """``{aggregate: single-month y/y % per month of the horizon (NaN = no figure) or None}``."""
    out: dict[str, FloatArray | None] = {}
    for agg, ind in INDICATOR_OF.items():
        name = reference_name(params, agg)
        out[agg] = None if name == "trend" else _growth(name, params._source_dir, ind, tuple(cal.months))[0]
    return out


def reference_coverage(params: Params, cal: Calendar) -> dict[str, list[str]]:
    """How each month's reference growth was obtained, per aggregate (for reports and docs)."""
    out: dict[str, list[str]] = {}
    for agg, ind in INDICATOR_OF.items():
        name = reference_name(params, agg)
        out[agg] = ["trend"] * len(cal.months) if name == "trend" else list(_growth(name, params._source_dir, ind, tuple(cal.months))[1])
    return out
