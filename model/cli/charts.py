"""Chart basics: labels, fonts, an Agg figure, PNG bytes (matplotlib, no pyplot state).

The charts are in :mod:`rebound.cli.chart_scenarios` (paths, deltas) and
:mod:`rebound.cli.chart_levers` (attribution waterfall, sweep). Every chart returns PNG bytes; the caller writes them with :mod:`rebound.writers`.
matplotlib is imported inside the functions so ``rebound --help`` stays fast.

Chinese labels are used when a CJK font is installed (looked up by family name in
matplotlib's font list, then with ``fc-list :lang=zh``); otherwise labels are English only,
so no glyph is ever drawn as an empty box.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from functools import lru_cache
from typing import Any

import numpy as np

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "AR PL UMing CN",
)

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
COLORS = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"]


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Family name of an installed CJK font matplotlib can use, or None."""
    from matplotlib import font_manager

    have = {f.name for f in font_manager.fontManager.ttflist}
    for fam in CJK_FAMILIES:
        if fam in have:
            return fam
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=5, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in out.splitlines():
        path = line.split(":")[0].strip()
        if not path.lower().endswith((".ttf", ".otf", ".ttc")):
            continue
        try:
            font_manager.fontManager.addfont(path)
            return str(font_manager.FontProperties(fname=path).get_name())
        except (OSError, RuntimeError, ValueError):
            continue
    return None


def label(en: str, zh: str = "") -> str:
    """English label, with the Chinese name appended when a CJK font can draw it."""
    return f"{en} {zh}" if zh and cjk_font() else en


def indicator_label(ind: str) -> str:
    return label(INDICATOR_EN.get(ind, ind), INDICATOR_ZH.get(ind, ""))


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
