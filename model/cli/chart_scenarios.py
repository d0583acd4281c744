"""Scenario charts: daily paths and y/y of baseline and scenarios, deltas with their intervals."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np

from rebound.cli.charts import (
    INDICATOR_EN,
    MEASURE_EN,
    SECTOR_EN,
    date_axis,
    indicator_label,
    label,
    month_mid,
    new_figure,
    period_label,
    png_bytes,
    scenario_color,
    shade_phases,
    smooth,
    zh_or_en,
)
from rebound.data.vocab import INDICATORS, MEASURE_NAMES_ZH

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from rebound.scenarios import Comparison


def paths_png(cmp: Comparison, phases: list[Any], year: int, title: str = "") -> bytes:
    """Per sector: daily output (potential, baseline, scenarios) and year-to-date y/y with reported figures.

    Left column: real daily output in 100m yuan (7-day means), lockdown phases shaded.
    Right column: the model's year-to-date y/y % by month for baseline and scenarios, the
    baseline's single-month y/y (thin grey) and its 90% band, with the reported figures marked.
    """
    from rebound.data.vocab import DEFAULT_BASIS
    from rebound.observe.indicators import Evaluator, Spec

    rows = [("industry", "industry"), ("consumption", "retail_above_quota" if _has_reported(cmp, "retail_above_quota") or not _has_reported(cmp, "retail") else "retail"), ("investment", "fai"), ("gdp", "gdp")]
    fig = new_figure(13, 13)
    axes = fig.subplots(len(rows), 2)
    # a scenario identical to the baseline (e.g. a 'baseline' scenario file) would hide under it
    runs = [("baseline", cmp.baseline)] + [(n, r) for n, r in cmp.scenarios.items() if not _same_paths(r, cmp.baseline)]
    cal = cmp.baseline.cal
    t0 = cal.day(dt.date(year, 1, 1))
    dates = cal.dates[t0:]
    for r, (sector, ind) in enumerate(rows):
        ax = axes[r, 0]
        shade_phases(ax, phases, legend=(r == 0))
        if sector == "gdp":
            pot = np.broadcast_to(cmp.baseline.gdp_potential, (cmp.baseline.n_draws, cal.n_days))[0]
        else:
            pot = np.broadcast_to(cmp.baseline.potential[sector], (cmp.baseline.n_draws, cal.n_days))[0]
        ax.plot(dates, smooth(pot)[t0:], color="grey", ls="--", lw=1.2, label=zh_or_en("potential (no shock)", "潜在产出（无冲击）"))
        for k, (name, res) in enumerate(runs):
            y = res.series["gdp"][0] if sector == "gdp" else res.output[sector][0]
            ax.plot(dates, smooth(y)[t0:], color=scenario_color(name), lw=1.4 if k == 0 else 1.1, label=zh_or_en(name, "基线") if k == 0 else name, zorder=4 if k == 0 else 3)
        ax.set_title(label(SECTOR_EN[sector], {"industry": "工业", "consumption": "消费", "investment": "投资", "gdp": "GDP"}[sector]) + zh_or_en(": daily output (7-day mean)", "：日产出（7日平均）"), loc="left", fontsize=10)
        ax.set_ylabel(zh_or_en("100m yuan/day, real", "亿元/日，可比价"))
        date_axis(ax)
        # y/y panel
        ax = axes[r, 1]
        shade_phases(ax, phases, legend=False)
        basis = DEFAULT_BASIS[ind]
        ends = list(range(2, 13))
        cum = [Spec(ind, "yoy_cum_pct", f"{year}-01", f"{year}-{m:02d}", basis) for m in ends]
        mon = [Spec(ind, "yoy_month_pct", f"{year}-01", f"{year}-02", basis)] + [Spec(ind, "yoy_month_pct", f"{year}-{m:02d}", f"{year}-{m:02d}", basis) for m in range(3, 13)]
        x = np.array([month_mid(f"{year}-{m:02d}") for m in ends])
        ev = Evaluator(cmp.baseline)
        bc = ev.values(cum)
        bm = ev.values(mon)
        if bc.shape[0] > 2:
            lo, hi = np.percentile(bc[1:], [5, 95], axis=0)
            ax.fill_between(x, lo, hi, color="black", alpha=0.12, lw=0, label=zh_or_en("baseline 90% band", "基线90%区间"))
        ax.plot(x, bm[0], color="#666666", lw=1.0, marker=".", ms=4, label=zh_or_en("baseline, single month", "基线，当月"))
        for k, (name, res) in enumerate(runs):
            vals = bc if k == 0 else Evaluator(res).values(cum)
            ax.plot(x, vals[0], color=scenario_color(name), lw=1.4 if k == 0 else 1.1, label=zh_or_en(f"{name}, year to date", "基线，累计") if k == 0 else None, zorder=4 if k == 0 else 3)
        _mark_reported(ax, cmp, ind, year)
        ax.axhline(0, color="black", lw=0.5)
        ax.set_title(indicator_label(ind) + zh_or_en(": y/y % (scenario colours as on the left)", "：同比%（情景颜色同左）"), loc="left", fontsize=10)
        ax.set_ylabel(zh_or_en("% y/y" + (" (nominal)" if basis == "nominal" else " (real)"), "同比%" + ("（现价）" if basis == "nominal" else "（可比价）")))
        date_axis(ax)
    legend: dict[str, Any] = {}
    for ax in axes.ravel():
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            legend.setdefault(lab, h)
    fig.legend(list(legend.values()), list(legend), loc="outside lower center", ncol=5, fontsize=8, frameon=False)
    note = zh_or_en("Shaded: the baseline's lockdown phases (scenarios that move dates shift them).", "阴影：基线封控阶段（改变日期的情景会移动它们）。")
    fig.suptitle((title + "\n" if title else "") + note, fontsize=10)
    return png_bytes(fig)


def _same_paths(a: Any, b: Any) -> bool:
    return all(np.array_equal(a.output[s], b.output[s]) for s in a.output) and np.array_equal(a.series["gdp"], b.series["gdp"])


def _has_reported(cmp: Comparison, ind: str) -> bool:
    return any(k[0] == ind for k in cmp.reported)


def _mark_reported(ax: Any, cmp: Comparison, ind: str, year: int) -> None:
    first_cum, first_mon = True, True
    for key, val in cmp.reported.items():
        k_ind, measure, start, end, _cs, _ce = key
        if k_ind != ind or not start.startswith(str(year)):
            continue
        x = month_mid(end)
        if measure == "yoy_cum_pct":
            ax.plot([x], [val], "o", color="black", mfc="white", mew=1.5, ms=7, zorder=5, label=zh_or_en("reported, year to date", "公布值，累计") if first_cum else None)
            first_cum = False
        elif measure in ("yoy_month_pct", "yoy_quarter_pct"):
            ax.plot([x], [val], "D", color="black", ms=5, zorder=5, label=zh_or_en("reported, single month/quarter", "公布值，当月/当季") if first_mon else None)
            first_mon = False
        else:
            continue
        ax.annotate(f"{val:g}", (x, val), textcoords="offset points", xytext=(7, 5), fontsize=7, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8}, zorder=6)


# --- deltas ---------------------------------------------------------------------------------


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
    zh = INDICATORS.get(ind, (ind, ind, False))[0]
    t = zh_or_en(f"{INDICATOR_EN.get(ind, ind)}, ", f"{zh}，") + period_label(start, end, measure)
    if measure == "pp_change":
        return t + zh_or_en(f" vs {period_label(cs, ce)}: change, pp", f"比{period_label(cs, ce)}：增速变动(百分点)")
    return t + zh_or_en(f": {MEASURE_EN.get(measure, measure)}", f"：{MEASURE_NAMES_ZH.get(measure, measure)}")


def deltas_png(table: pd.DataFrame, year: int, title: str = "") -> bytes:
    """Small multiples: each key figure's delta (pp) per scenario, with 90% interval bars."""
    keys = key_figures(table, year)
    scen = list(dict.fromkeys(table["scenario"]))
    ncol = 2
    nrow = (len(keys) + ncol - 1) // ncol
    fig = new_figure(12, 0.5 + nrow * (0.35 * len(scen) + 0.9))
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
        colors = [scenario_color(n) for n in scen]
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
        sub_t = zh_or_en(f"baseline {base.iloc[0]:.1f}", f"基线 {base.iloc[0]:.1f}") if len(base) else ""
        if len(rep):
            sub_t += zh_or_en(f", reported {rep.iloc[0]:g}", f"，公布 {rep.iloc[0]:g}")
        ax.set_title(figure_title(key) + (f"\n{sub_t}" if sub_t else ""), loc="left", fontsize=9)
        ax.set_xlabel(zh_or_en("delta vs baseline (pp)", "与基线之差（百分点）") if key[1] != "level_100m_yuan" else zh_or_en("delta vs baseline (100m yuan)", "与基线之差（亿元）"))
        ax.grid(True, axis="x", lw=0.3, alpha=0.6)
        lim = np.nanmax(np.abs(np.concatenate([d, lo, hi, [1e-3]])))
        ax.set_xlim(-1.5 * lim, 1.5 * lim)
    for ax in axes[len(keys):]:
        ax.set_visible(False)
    fig.suptitle((title + "\n" if title else "") + zh_or_en("Scenario minus baseline, point estimate; bars: 5-95% over paired parameter draws", "情景减基线（点估计）；误差线：配对参数抽样的5%-95%"), fontsize=10)
    return png_bytes(fig)
