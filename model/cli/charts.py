"""PNG charts of scenarios, attribution and sweeps (matplotlib, Agg canvas, no pyplot state).

Every function returns PNG bytes; the caller writes them with :mod:`rebound.writers`.
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
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from rebound.scenarios.core import Attribution, Comparison

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


def _figure(w: float, h: float) -> Any:
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


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return buf.getvalue()


def _shade_phases(ax: Any, phases: list[Any], legend: bool = True) -> None:
    greys = ["#f4b6b6", "#fde0c5", "#fff3c4"]
    for i, ph in enumerate(phases):
        ax.axvspan(np.datetime64(ph.start), np.datetime64(ph.end + dt.timedelta(days=1)), color=greys[i % len(greys)], alpha=0.8, lw=0, zorder=0, label=f"lockdown: {ph.name}" if legend else None)


def _month_mid(period_end: str) -> np.datetime64:
    return np.datetime64(period_end + "-15")


# --- scenario paths ---------------------------------------------------------------------------


def paths_png(cmp: Comparison, phases: list[Any], year: int, title: str = "") -> bytes:
    """Per sector: daily output (potential, baseline, scenarios) and year-to-date y/y with reported figures.

    Left column: real daily output in 100m yuan (7-day means), lockdown phases shaded.
    Right column: the model's year-to-date y/y % by month for baseline and scenarios, the
    baseline's single-month y/y (thin grey) and its 90% band, with the reported figures marked.
    """
    from rebound.data.vocab import DEFAULT_BASIS
    from rebound.observe.indicators import Evaluator, Spec

    rows = [("industry", "industry"), ("consumption", "retail_above_quota" if _has_reported(cmp, "retail_above_quota") or not _has_reported(cmp, "retail") else "retail"), ("investment", "fai"), ("gdp", "gdp")]
    fig = _figure(13, 13)
    axes = fig.subplots(len(rows), 2)
    # a scenario identical to the baseline (e.g. a 'baseline' scenario file) would hide under it
    runs = [("baseline", cmp.baseline)] + [(n, r) for n, r in cmp.scenarios.items() if not _same_paths(r, cmp.baseline)]
    cal = cmp.baseline.cal
    t0 = cal.day(dt.date(year, 1, 1))
    dates = cal.dates[t0:]
    for r, (sector, ind) in enumerate(rows):
        ax = axes[r, 0]
        _shade_phases(ax, phases, legend=(r == 0))
        if sector == "gdp":
            pot = np.broadcast_to(cmp.baseline.gdp_potential, (cmp.baseline.n_draws, cal.n_days))[0]
        else:
            pot = np.broadcast_to(cmp.baseline.potential[sector], (cmp.baseline.n_draws, cal.n_days))[0]
        ax.plot(dates, _smooth(pot)[t0:], color="grey", ls="--", lw=1.2, label="potential (no shock)")
        for k, (name, res) in enumerate(runs):
            y = res.series["gdp"][0] if sector == "gdp" else res.output[sector][0]
            ax.plot(dates, _smooth(y)[t0:], color="black" if k == 0 else COLORS[(k - 1) % len(COLORS)], lw=1.4 if k == 0 else 1.1, label=name, zorder=4 if k == 0 else 3)
        ax.set_title(label(SECTOR_EN[sector], {"industry": "工业", "consumption": "消费", "investment": "投资", "gdp": "GDP"}[sector]) + ": daily output (7-day mean)", loc="left", fontsize=10)
        ax.set_ylabel("100m yuan/day, real")
        _date_axis(ax)
        # y/y panel
        ax = axes[r, 1]
        _shade_phases(ax, phases, legend=False)
        basis = DEFAULT_BASIS[ind]
        ends = list(range(2, 13))
        cum = [Spec(ind, "yoy_cum_pct", f"{year}-01", f"{year}-{m:02d}", basis) for m in ends]
        mon = [Spec(ind, "yoy_month_pct", f"{year}-01", f"{year}-02", basis)] + [Spec(ind, "yoy_month_pct", f"{year}-{m:02d}", f"{year}-{m:02d}", basis) for m in range(3, 13)]
        x = np.array([_month_mid(f"{year}-{m:02d}") for m in ends])
        ev = Evaluator(cmp.baseline)
        bc = ev.values(cum)
        bm = ev.values(mon)
        if bc.shape[0] > 2:
            lo, hi = np.percentile(bc[1:], [5, 95], axis=0)
            ax.fill_between(x, lo, hi, color="black", alpha=0.12, lw=0, label="baseline 90% band")
        ax.plot(x, bm[0], color="#666666", lw=1.0, marker=".", ms=4, label="baseline, single month")
        for k, (name, res) in enumerate(runs):
            vals = bc if k == 0 else Evaluator(res).values(cum)
            ax.plot(x, vals[0], color="black" if k == 0 else COLORS[(k - 1) % len(COLORS)], lw=1.4 if k == 0 else 1.1, label=f"{name}, year to date" if k == 0 else None, zorder=4 if k == 0 else 3)
        _mark_reported(ax, cmp, ind, year)
        ax.axhline(0, color="black", lw=0.5)
        ax.set_title(indicator_label(ind) + ": y/y % (scenario colours as on the left)", loc="left", fontsize=10)
        ax.set_ylabel("% y/y" + (" (nominal)" if basis == "nominal" else " (real)"))
        _date_axis(ax)
    legend: dict[str, Any] = {}
    for ax in axes.ravel():
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            legend.setdefault(lab, h)
    fig.legend(list(legend.values()), list(legend), loc="outside lower center", ncol=5, fontsize=8, frameon=False)
    note = "Shaded: the baseline's lockdown phases (scenarios that move dates shift them)."
    fig.suptitle((title + "\n" if title else "") + note, fontsize=10)
    return _png(fig)


def _same_paths(a: Any, b: Any) -> bool:
    return all(np.array_equal(a.output[s], b.output[s]) for s in a.output) and np.array_equal(a.series["gdp"], b.series["gdp"])


def _has_reported(cmp: Comparison, ind: str) -> bool:
    return any(k[0] == ind for k in cmp.reported)


def _smooth(y: Any, w: int = 7) -> Any:
    y = np.asarray(y, dtype=float)
    k = np.ones(w) / w
    pad = np.concatenate([np.full(w // 2, y[0]), y, np.full(w - 1 - w // 2, y[-1])])
    return np.convolve(pad, k, mode="valid")


def _date_axis(ax: Any) -> None:
    import matplotlib.dates as mdates

    ax.xaxis.set_major_locator(mdates.MonthLocator())  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b"))  # type: ignore[no-untyped-call]
    ax.grid(True, axis="y", lw=0.3, alpha=0.6)


def _mark_reported(ax: Any, cmp: Comparison, ind: str, year: int) -> None:
    first_cum, first_mon = True, True
    for key, val in cmp.reported.items():
        k_ind, measure, start, end, _cs, _ce = key
        if k_ind != ind or not start.startswith(str(year)):
            continue
        x = _month_mid(end)
        if measure == "yoy_cum_pct":
            ax.plot([x], [val], "o", color="black", mfc="white", mew=1.5, ms=7, zorder=5, label="reported, year to date" if first_cum else None)
            first_cum = False
        elif measure in ("yoy_month_pct", "yoy_quarter_pct"):
            ax.plot([x], [val], "D", color="black", ms=5, zorder=5, label="reported, single month/quarter" if first_mon else None)
            first_mon = False
        else:
            continue
        ax.annotate(f"{val:g}", (x, val), textcoords="offset points", xytext=(7, 5), fontsize=7, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8}, zorder=6)


# --- deltas -----------------------------------------------------------------------------------


def key_figures(table: pd.DataFrame, year: int) -> list[tuple[str, str, str, str, str, str]]:
    """Figures shown in the delta chart: reported figures of the episode year, then full-year y/y."""
    t = table[table["baseline"].notna()]
    keys: list[tuple[str, str, str, str, str, str]] = []
    for r in t[t["reported"].notna()].itertuples():
        k = (str(r.indicator), str(r.measure), str(r.period_start), str(r.period_end), str(r.compare_start), str(r.compare_end))
        if str(r.period_start).startswith(str(year)) and r.measure != "pp_vs_reference" and k not in keys:
            keys.append(k)
    for ind in ("gdp", "industry", "retail_above_quota", "fai"):
        k = (ind, "yoy_cum_pct", f"{year}-01", f"{year}-12", "", "")
        if k not in keys:
            keys.append(k)
    return keys


def figure_title(key: tuple[str, ...]) -> str:
    ind, measure, start, end, cs, ce = key
    t = f"{INDICATOR_EN.get(ind, ind)}, {period_text(start, end)}"
    if measure == "pp_change":
        return t + f" vs {period_text(cs, ce)}: change, pp"
    return t + f": {MEASURE_EN.get(measure, measure)}"


def deltas_png(table: pd.DataFrame, year: int, title: str = "") -> bytes:
    """Small multiples: each key figure's delta (pp) per scenario, with 90% interval bars."""
    keys = key_figures(table, year)
    scen = list(dict.fromkeys(table["scenario"]))
    ncol = 2
    nrow = (len(keys) + ncol - 1) // ncol
    fig = _figure(12, 0.5 + nrow * (0.35 * len(scen) + 0.9))
    axes = np.atleast_1d(fig.subplots(nrow, ncol, squeeze=False)).ravel()
    ypos = np.arange(len(scen))[::-1]
    for ax, key in zip(axes, keys, strict=False):
        sub = table
        for col, v in zip(("indicator", "measure", "period_start", "period_end", "compare_start", "compare_end"), key, strict=True):
            sub = sub[sub[col].astype(str) == v]
        sub = sub.set_index("scenario").reindex(scen)
        d = sub["delta"].to_numpy(dtype=float)
        lo = sub["delta_p05"].to_numpy(dtype=float)
        hi = sub["delta_p95"].to_numpy(dtype=float)
        colors = [COLORS[i % len(COLORS)] for i in range(len(scen))]
        ax.barh(ypos, d, color=colors, alpha=0.85, height=0.6)
        if np.isfinite(lo).any():
            err = np.vstack([np.maximum(d - lo, 0), np.maximum(hi - d, 0)])
            ax.errorbar(d, ypos, xerr=np.nan_to_num(err), fmt="none", ecolor="black", elinewidth=1, capsize=3)
        for y, v, a, b in zip(ypos, d, lo, hi, strict=True):
            if np.isfinite(v):
                # beside the bar's end or its interval, whichever lies further out
                at = max(v, b) if v >= 0 and np.isfinite(b) else (min(v, a) if np.isfinite(a) else v)
                ax.annotate(f"{v:+.2f}", (at, y), textcoords="offset points", xytext=(5 if v >= 0 else -5, -3), ha="left" if v >= 0 else "right", fontsize=7)
        ax.axvline(0, color="black", lw=0.7)
        ax.set_yticks(ypos, scen, fontsize=8)
        base = sub["baseline"].dropna()
        rep = sub["reported"].dropna()
        sub_t = f"baseline {base.iloc[0]:.1f}" if len(base) else ""
        if len(rep):
            sub_t += f", reported {rep.iloc[0]:g}"
        ax.set_title(figure_title(key) + (f"\n{sub_t}" if sub_t else ""), loc="left", fontsize=9)
        ax.set_xlabel("delta vs baseline (pp)" if key[1] != "level_100m_yuan" else "delta vs baseline (100m yuan)")
        ax.grid(True, axis="x", lw=0.3, alpha=0.6)
        lim = np.nanmax(np.abs(np.concatenate([d, lo, hi, [1e-3]])))
        ax.set_xlim(-1.5 * lim, 1.5 * lim)
    for ax in axes[len(keys):]:
        ax.set_visible(False)
    fig.suptitle((title + "\n" if title else "") + "Scenario minus baseline, point estimate; bars: 5-95% over paired parameter draws", fontsize=10)
    return _png(fig)


# --- attribution ------------------------------------------------------------------------------


def waterfall_png(attr: Attribution, title: str = "") -> bytes:
    """Waterfall from 'no policy' to the baseline: one floating bar per lever (Shapley share)."""
    names = ["no policy", *attr.levers, "with all policies"]
    v_none, v_all = float(attr.v_none[0]), float(attr.v_all[0])
    phi = attr.phi[:, 0]
    ens = attr.phi.shape[1] > 2
    fig = _figure(1.6 + 1.25 * len(names), 4.6)
    ax = fig.subplots()
    lows = [v_none, v_all]
    cum = v_none
    bottoms, heights = [], []
    for p in phi:
        bottoms.append(cum)
        heights.append(p)
        cum += p
    lo_all = min([v_none, v_all, *np.cumsum(np.concatenate([[v_none], phi]))])
    hi_all = max([v_none, v_all, *np.cumsum(np.concatenate([[v_none], phi]))])
    span = max(hi_all - lo_all, 1e-6)
    floor = lo_all - 0.6 * span if lo_all < 0 or lo_all - 0.6 * span > 0 else 0.0
    x = np.arange(len(names))
    ax.bar([x[0], x[-1]], [lows[0] - floor, lows[1] - floor], bottom=floor, color="#7f7f7f", width=0.6)
    colors = ["#2ca02c" if h >= 0 else "#d62728" for h in heights]
    ax.bar(x[1:-1], heights, bottom=bottoms, color=colors, width=0.6)
    if ens:
        p05, p95 = np.percentile(attr.phi[:, 1:], [5, 95], axis=1)
        tops = np.array(bottoms) + phi
        ax.errorbar(x[1:-1], tops, yerr=np.vstack([np.maximum(phi - p05, 0), np.maximum(p95 - phi, 0)]), fmt="none", ecolor="black", capsize=3, lw=1)
    for i in range(len(phi)):
        ax.plot([x[i] + 0.3, x[i + 1] - 0.3], [bottoms[i], bottoms[i]], color="black", lw=0.6, ls=":")
    ax.plot([x[-2] + 0.3, x[-1] - 0.3], [v_all, v_all], color="black", lw=0.6, ls=":")
    ax.annotate(f"{v_none:.2f}", (x[0], v_none), textcoords="offset points", xytext=(0, 4), ha="center", fontsize=8)
    ax.annotate(f"{v_all:.2f}", (x[-1], v_all), textcoords="offset points", xytext=(0, 4), ha="center", fontsize=8)
    gap = v_all - v_none
    for i, p in enumerate(phi):
        share = f" ({100 * p / gap:.0f}%)" if gap != 0 else ""
        ax.annotate(f"{p:+.2f}{share}", (x[i + 1], bottoms[i] + max(p, 0)), textcoords="offset points", xytext=(0, 14 if ens else 4), ha="center", fontsize=8)
    ax.set_xticks(x, names, fontsize=8)
    ax.set_ylim(floor, hi_all + 0.35 * span)
    s = attr.spec
    ax.set_ylabel(MEASURE_EN.get(s.measure, s.measure).replace("y/y %", "y/y, %"))
    ax.grid(True, axis="y", lw=0.3, alpha=0.6)
    head = f"{INDICATOR_EN.get(s.indicator, s.indicator)}, {period_text(s.period_start, s.period_end)}, {MEASURE_EN.get(s.measure, s.measure)}"
    sub = f"Shapley split of the policy effect {gap:+.2f} pp among the levers" + (f"; bars: 5-95% over {attr.n_draws} draws" if ens else "") + "; axis does not start at 0"
    ax.set_title((title + "\n" if title else "") + head + "\n" + sub, loc="left", fontsize=9)
    return _png(fig)


# --- sweep ------------------------------------------------------------------------------------


def sweep_png(df: pd.DataFrame, title: str = "") -> bytes:
    """Response curves of the chosen figures to the swept parameter; the file's value marked."""
    key = str(df["key"].iloc[0])
    labels = list(dict.fromkeys(df["x_label"]))
    is_date = "-" in labels[0] and len(labels[0]) == 10
    fig = _figure(10.5, 5)
    ax = fig.subplots()
    groups = df.groupby(["indicator", "measure", "period_start", "period_end", "compare_start", "compare_end"], sort=False)
    for k, (gkey, g) in enumerate(groups):
        xs = np.array([np.datetime64(v) for v in g["x_label"]]) if is_date else g["x"].to_numpy(dtype=float)
        ls = "-" if str(gkey[3]).endswith("-06") else "--"
        ax.plot(xs, g["value"].to_numpy(dtype=float), marker="o", ms=3, ls=ls, color=COLORS[(k // 2 if len(groups) > 4 else k) % len(COLORS)], label=f"{INDICATOR_EN.get(str(gkey[0]), str(gkey[0]))}, {period_text(str(gkey[2]), str(gkey[3]))}")
    cur = str(df["current"].iloc[0])
    try:
        cx: Any = np.datetime64(cur) if is_date else float(cur)
        ax.axvline(cx, color="black", lw=0.8, ls=":", label=f"parameter file: {cur}")
    except ValueError:
        pass
    vals = df["value"].to_numpy(dtype=float)
    if np.nanmin(vals) < 0 < np.nanmax(vals):  # a zero line only where it does not squash the curves
        ax.axhline(0, color="black", lw=0.5)
    ax.set_xlabel(key)
    ax.set_ylabel("% y/y (model, point estimate)")
    ax.grid(True, lw=0.3, alpha=0.6)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), handlelength=3.5)
    if is_date:
        import matplotlib.dates as mdates

        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=8))  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))  # type: ignore[no-untyped-call]
    ax.set_title((title + "\n" if title else "") + f"Response to {key}", loc="left", fontsize=10)
    return _png(fig)
