"""Formatting helpers for terminal tables (bulletin-style labels, parameter values)."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

from rebound.data.vocab import INDICATORS

QUARTERS = {(1, 3): "一季度", (4, 6): "二季度", (7, 9): "三季度", (10, 12): "四季度"}


def period_label(start: str, end: str, measure: str = "") -> str:
    """Bulletin-style period: 2022年7月, 2022年1-7月, 2022年上半年, 2022年二季度."""
    y0, m0 = int(start[:4]), int(start[5:7])
    y1, m1 = int(end[:4]), int(end[5:7])
    if y0 != y1:
        return f"{start}..{end}"
    if m0 == m1:
        return f"{y0}年{m0}月"
    if measure == "yoy_quarter_pct" and (m0, m1) in QUARTERS:
        return f"{y0}年{QUARTERS[(m0, m1)]}"
    if m0 == 1:
        named = {6: "上半年", 3: "一季度", 9: "前三季度", 12: "全年"}
        if m1 in named:
            return f"{y0}年{named[m1]}"
        return f"{y0}年1-{m1}月"
    return f"{y0}年{m0}-{m1}月"


def indicator_label(ind: str) -> str:
    zh = INDICATORS.get(ind, ("", "", False))[0]
    return f"{ind} {zh}".strip()


def num(x: Any, digits: int = 1) -> str:
    if x is None:
        return ""
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(f):
        return ""
    out = f"{f:.{digits}f}"
    return out[1:] if out.startswith("-") and float(out) == 0 else out  # no "-0.0"


def table(rows: list[list[str]], header: list[str]) -> str:
    """Plain aligned text table (wide CJK characters count double)."""

    def width(s: str) -> int:
        return sum(2 if ord(c) > 0x2E80 else 1 for c in s)

    cols = len(header)
    w = [max(width(str(r[i])) for r in [header, *rows]) for i in range(cols)]
    lines = []
    for r in [header, ["-" * x for x in w], *rows]:
        cells = []
        for i, c in enumerate(r):
            c = str(c)
            pad = w[i] - width(c)
            cells.append(c + " " * pad)
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def value_text(v: Any, *, quote: bool = False) -> str:
    """A value as an analyst would write it in TOML (dates ISO, booleans true/false)."""
    if v is None:
        return "(none)"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False) if quote else v
    if isinstance(v, list | tuple):
        return "[" + ", ".join(value_text(x, quote=True) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {value_text(x, quote=True)}" for k, x in v.items()) + "}"
    return str(v)


def clip(text: str, width: int = 60) -> str:
    """Shorten a long cell for the terminal table (get or --format json show it whole)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def json_value(v: Any) -> Any:
    """A parameter value as JSON can carry it (dates as ISO text)."""
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return [json_value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): json_value(x) for k, x in v.items()}
    return v
