"""Formatting helpers for terminal tables (bulletin-style labels, parameter values)."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import sys
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


WIDE = {"on": False}  # set by --wide (or REBOUND_WIDE=1): tables ignore the terminal width
MIN_COL = 12


def text_width(s: str) -> int:
    """Columns a string takes in a terminal (wide CJK characters count double)."""
    return sum(2 if ord(c) > 0x2E80 else 1 for c in s)


def terminal_width() -> int | None:
    """``$COLUMNS`` or the terminal's width; None (no limit) for pipes, files and --wide."""
    if WIDE["on"] or os.environ.get("REBOUND_WIDE", "") not in ("", "0"):
        return None
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def cut(s: str, width: int) -> str:
    """``s`` shortened to ``width`` terminal columns, ending in … when cut."""
    if text_width(s) <= width:
        return s
    out, used = "", 0
    for c in s:
        cw = 2 if ord(c) > 0x2E80 else 1
        if used + cw > width - 1:
            break
        out += c
        used += cw
    return out + "…"


def fit_widths(w: list[int], limit: int, gap: int = 2) -> list[int]:
    """Column widths that fit ``limit``: the widest column gives way first.

    No column is cut below MIN_COL (or its own width), the first (the row's name) below 24.
    """
    w = list(w)
    floor = [min(w[0], 24)] + [min(x, MIN_COL) for x in w[1:]]
    while sum(w) + gap * (len(w) - 1) > limit:
        i = max(range(len(w)), key=lambda k: w[k] - floor[k])
        if w[i] <= floor[i]:
            break
        w[i] -= 1
    return w


def table(rows: list[list[str]], header: list[str], limit: int | None = None) -> str:
    """Plain aligned text table (wide CJK characters count double) that fits the terminal.

    Columns are cut (ending in …) to fit ``limit`` or :func:`terminal_width`; piped output,
    ``--wide`` and ``REBOUND_WIDE=1`` keep every character.
    """
    cols = len(header)
    w = [max(text_width(str(r[i])) for r in [header, *rows]) for i in range(cols)]
    limit = limit if limit is not None else terminal_width()
    if limit is not None:
        w = fit_widths(w, limit)
    lines = []
    for r in [header, ["-" * x for x in w], *rows]:
        cells = []
        for i, c in enumerate(r):
            c = cut(str(c), w[i])
            cells.append(c + " " * (w[i] - text_width(c)))
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


def _set_wide(ctx: Any, param: Any, value: bool) -> None:
    WIDE["on"] = bool(value)


def wide_option(f: Any) -> Any:
    """``--wide``: print tables whole instead of fitting them to ``$COLUMNS``."""
    import click

    return click.option("--wide", is_flag=True, expose_value=False, callback=_set_wide, help="Print tables whole (by default they are cut to fit $COLUMNS on a terminal; pipes get everything).")(f)
