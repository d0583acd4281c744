"""Columns every CSV carries for a reader: the unit, the Chinese and English names, the period label."""

from __future__ import annotations

from typing import Any

from rebound.cli.fmt import period_label
from rebound.data.vocab import INDICATOR_INFO

MEASURE_UNIT = {
    "yoy_month_pct": "pct",
    "yoy_cum_pct": "pct",
    "yoy_quarter_pct": "pct",
    "two_year_avg_pct": "pct",
    "share_pct": "pct",
    "pp_change": "pp",
    "pp_vs_reference": "pp",
    "level_100m_yuan": "100m_yuan",
    "count": "count",
    "ratio": "ratio",
}


def unit_of(indicator: str, measure: str) -> str:
    """The unit a figure is printed in (``pct``, ``pp``, ``100m_yuan``, or the indicator's own unit)."""
    if measure in MEASURE_UNIT:
        return MEASURE_UNIT[measure]
    info = INDICATOR_INFO.get(indicator)
    return info.unit if info is not None else ""


def labelled(df: Any) -> Any:
    """A copy of a figure table with ``unit, name_zh, name_en, period`` columns after ``measure``."""
    out = df.copy()
    if not {"indicator", "measure", "period_start", "period_end"} <= set(out.columns):
        return out
    at = list(out.columns).index("measure") + 1
    info = [INDICATOR_INFO.get(str(i)) for i in out["indicator"]]
    cs = (
        out["compare_start"].fillna("").astype(str)
        if "compare_start" in out.columns
        else [""] * len(out)
    )
    ce = (
        out["compare_end"].fillna("").astype(str)
        if "compare_end" in out.columns
        else [""] * len(out)
    )
    periods = [
        period_label(str(a), str(b), str(m)) + (f" 比 {period_label(c, d)}" if c else "")
        for a, b, m, c, d in zip(
            out["period_start"], out["period_end"], out["measure"], cs, ce, strict=True
        )
    ]
    cols = {
        "unit": [
            unit_of(str(i), str(m)) for i, m in zip(out["indicator"], out["measure"], strict=True)
        ],
        "name_zh": [x.name_zh if x is not None else "" for x in info],
        "name_en": [x.name_en if x is not None else "" for x in info],
        "period": periods,
    }
    for k, (name, vals) in enumerate(cols.items()):
        if name not in out.columns:
            out.insert(at + k, name, vals)
    return out
