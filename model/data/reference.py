"""TEMPORARY stand-in for the reference loader being built on main (replaced at merge)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "reference" / "china_national_2018_2023.csv"
CN = {"industry": "规模以上工业增加值", "retail": "社会消费品零售总额", "fai": "固定资产投资(不含农户)", "gdp": "国内生产总值(不变价)"}


@dataclass
class Reference:
    name: str
    frame: pd.DataFrame

    def monthly_yoy(self, indicator: str, months: list[str]) -> tuple[np.ndarray, list[str]]:
        d = self.frame[self.frame.indicator == CN[indicator]].drop_duplicates(["period_start", "period_end", "measure"], keep="last")
        out = np.full(len(months), np.nan)
        how = ["missing"] * len(months)
        for i, m in enumerate(months):
            y, mm = int(m[:4]), int(m[5:])
            r = d[(d.measure == "yoy_month_pct") & (d.period_start == m) & (d.period_end == m)]
            if len(r):
                out[i], how[i] = float(r.value.iloc[-1]), "yoy_month_pct"
                continue
            if mm <= 2:
                r = d[(d.measure == "yoy_cum_pct") & (d.period_start == f"{y}-01") & (d.period_end == f"{y}-02")]
                if len(r):
                    out[i], how[i] = float(r.value.iloc[-1]), "jan-feb"
                    continue
            q0 = (mm - 1) // 3 * 3 + 1
            r = d[(d.measure == "yoy_quarter_pct") & (d.period_start == f"{y}-{q0:02d}")]
            if len(r):
                out[i], how[i] = float(r.value.iloc[-1]), "quarter"
                continue
            if indicator == "fai":
                lv = d[d.measure == "level_100m_yuan"].set_index("period_end").value
                def month_level(yy: int, m2: int) -> float:
                    cur = lv.get(f"{yy}-{m2:02d}", np.nan)
                    if m2 <= 2:
                        return float(lv.get(f"{yy}-02", np.nan)) / 2
                    return float(cur - lv.get(f"{yy}-{m2 - 1:02d}", np.nan)) if m2 > 3 else float(cur - lv.get(f"{yy}-02", np.nan))
                a, b = month_level(y, mm), month_level(y - 1, mm)
                if np.isfinite(a) and np.isfinite(b) and b > 0:
                    out[i], how[i] = 100 * (a / b - 1), "fai-levels"
        return out, how


@functools.lru_cache(maxsize=8)
def load_reference(name_or_path: str, relative_to: Path | None = None) -> Reference:
    return Reference(name_or_path, pd.read_csv(SHARED))
