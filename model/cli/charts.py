"""Chart basics: labels, fonts, an Agg figure, PNG bytes (matplotlib, no pyplot state).

The charts are in :mod:`rebound.cli.chart_scenarios` (paths, deltas) and
:mod:`rebound.cli.chart_levers` (attribution waterfall, sweep). Every chart returns PNG bytes; the caller writes them with :mod:`rebound.writers`.
matplotlib is imported inside the functions so ``rebound --help`` stays fast.

Chinese labels are used when a CJK font is found (:mod:`rebound.cli.fonts`); otherwise labels
are English only, so no glyph is ever drawn as an empty box. Each scenario has one colour in
every chart (:func:`scenario_color`, keyed by its name).
"""

from __future__ import annotations

import datetime as dt
import io
import zlib
from typing import Any

import numpy as np

from rebound.cli.fonts import cjk_font

INDICATOR_EN = {
    "gdp": "GDP",
    "industry": "Industry (above designated size)",
    "retail": "Retail sales",
    "retail_above_quota": "Above-quota retail",
    "fai": "Fixed-asset investment",
}
INDICATOR_ZH = {
    "gdp": "地区生产总值",
    "industry": "规上工业增加值",
    "retail": "社会消费品零售总额",
    "retail_above_quota": "限上社零额",
    "fai": "固定资产投资",
}
SECTOR_EN = {"industry": "Industry", "consumption": "Consumption (retail sales)", "investment": "Investment", "gdp": "GDP"}
MEASURE_EN = {
    "yoy_month_pct": "month y/y %",
    "yoy_cum_pct": "year-to-date y/y %",
    "yoy_quarter_pct": "quarter y/y %",
    "level_100m_yuan": "level, 100m yuan",
    "pp_change": "change, pp",
    "pp_vs_reference": "vs reference, pp",
}
# one colour per scenario name, the same in every chart; other names hash into COLORS
SCENARIO_COLORS = {
    "baseline": "#000000",
    "no_vouchers": "#d62728",
    "double_vouchers": "#ff7f0e",
    "no_policy": "#7f7f7f",
    "no_project_push": "#2ca02c",
    "no_tax_relief": "#9467bd",
    "lockdown_two_weeks_shorter": "#1f77b4",
    "lockdown_two_weeks_longer": "#8c564b",
}
COLORS = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"]


def scenario_color(name: str) -> str:
    """The scenario's colour in every chart: fixed for the shipped names, else by a hash of the name."""
    if name in SCENARIO_COLORS:
        return SCENARIO_COLORS[name]
    return COLORS[zlib.crc32(name.encode("utf-8")) % len(COLORS)]


def label(en: str, zh: str = "") -> str:
    """English label, with the Chinese name appended when a CJK font can draw it."""
    return f"{en} {zh}" if zh and cjk_font() else en


def indicator_label(ind: str) -> str:
    return label(INDICATOR_EN.get(ind, ind), INDICATOR_ZH.get(ind, ""))


def zh_or_en(en: str, zh: str) -> str:
    """The Chinese text when a CJK font can draw it, else the English."""
    return zh if cjk_font() else en


def period_label(start: str, end: str, measure: str = "") -> str:
    """Bulletin-style period (2022年上半年) with a CJK font, else the English short form."""
    from rebound.cli.fmt import period_label as zh_period

    return zh_period(start, end, measure) if cjk_font() else period_text(start, end)


def period_text(start: str, end: str) -> str:
    """Short English period: H1 2022, Jan-Jul 2022, Jul 2022, Q2 2022."""
    y0, m0, y1, m1 = int(start[:4]), int(start[5:7]), int(end[:4]), int(end[5:7])
    mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    if y0 != y1:
        return f"{start}..{end}"
    if m0 == m1:
        return f"{mon[m0 - 1]} {y0}"
    if m0 == 1 and m1 == 6:
        return f"H1 {y0}"
    if m0 == 1 and m1 == 12:
        return f"{y0}"
    if (m1 - m0) == 2 and m0 % 3 == 1 and m0 > 1:
        return f"Q{(m0 + 2) // 3} {y0}"
    return f"{mon[m0 - 1]}-{mon[m1 - 1]} {y0}"


def new_figure(w: float, h: float) -> Any:
    """A Figure on an Agg canvas (no pyplot, no global backend switch)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fam = cjk_font()
    if fam and fam not in matplotlib.rcParams["font.sans-serif"]:
        matplotlib.rcParams["font.sans-serif"] = [fam, *matplotlib.rcParams["font.sans-serif"]]
        matplotlib.rcParams["axes.unicode_minus"] = False
    fig = Figure(figsize=(w, h), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return buf.getvalue()


def shade_phases(ax: Any, phases: list[Any], legend: bool = True) -> None:
    greys = ["#f4b6b6", "#fde0c5", "#fff3c4"]
    for i, ph in enumerate(phases):
        ax.axvspan(np.datetime64(ph.start), np.datetime64(ph.end + dt.timedelta(days=1)), color=greys[i % len(greys)], alpha=0.8, lw=0, zorder=0, label=f"lockdown: {ph.name}" if legend else None)


def month_mid(period_end: str) -> np.datetime64:
    return np.datetime64(period_end + "-15")


def smooth(y: Any, w: int = 7) -> Any:
    y = np.asarray(y, dtype=float)
    k = np.ones(w) / w
    pad = np.concatenate([np.full(w // 2, y[0]), y, np.full(w - 1 - w // 2, y[-1])])
    return np.convolve(pad, k, mode="valid")


def date_axis(ax: Any) -> None:
    import matplotlib.dates as mdates

    ax.xaxis.set_major_locator(mdates.MonthLocator())  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b"))  # type: ignore[no-untyped-call]
    ax.grid(True, axis="y", lw=0.3, alpha=0.6)
