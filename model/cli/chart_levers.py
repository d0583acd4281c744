"""Lever charts: the attribution waterfall and the sweep response curves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from rebound.cli.charts import (
    COLORS,
    INDICATOR_EN,
    MEASURE_EN,
    new_figure,
    period_label,
    png_bytes,
    zh_or_en,
)
from rebound.data.vocab import INDICATORS, MEASURE_NAMES_ZH

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from rebound.scenarios import Attribution


def waterfall_png(attr: Attribution, title: str = "") -> bytes:
    """Waterfall from 'no policy' to the baseline: one floating bar per lever (Shapley share)."""
    names = [zh_or_en("no policy", "无政策"), *attr.levers, zh_or_en("with all policies", "全部政策")]
    v_none, v_all = float(attr.v_none[0]), float(attr.v_all[0])
    phi = attr.phi[:, 0]
    ens = attr.phi.shape[1] > 2
    fig = new_figure(1.6 + 1.25 * len(names), 4.6)
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
    ax.set_ylabel(zh_or_en(MEASURE_EN.get(s.measure, s.measure).replace("y/y %", "y/y, %"), MEASURE_NAMES_ZH.get(s.measure, s.measure)))
    ax.grid(True, axis="y", lw=0.3, alpha=0.6)
    zh_name = INDICATORS.get(s.indicator, (s.indicator, "", False))[0]
    head = zh_or_en(f"{INDICATOR_EN.get(s.indicator, s.indicator)}, ", f"{zh_name}，") + period_label(s.period_start, s.period_end) + zh_or_en(f", {MEASURE_EN.get(s.measure, s.measure)}", f"，{MEASURE_NAMES_ZH.get(s.measure, s.measure)}")
    sub = zh_or_en(
        f"Shapley split of the policy effect {gap:+.2f} pp among the levers" + (f"; bars: 5-95% over {attr.n_draws} draws" if ens else "") + "; axis does not start at 0",
        f"政策效应{gap:+.2f}个百分点在各政策间的沙普利分解" + (f"；误差线：{attr.n_draws}组抽样的5%-95%" if ens else "") + "；纵轴不从0开始",
    )
    ax.set_title((title + "\n" if title else "") + head + "\n" + sub, loc="left", fontsize=9)
    return png_bytes(fig)


# --- sweep ----------------------------------------------------------------------------------


def sweep_png(df: pd.DataFrame, title: str = "") -> bytes:
    """Response curves of the chosen figures to the swept parameter; the file's value marked."""
    key = str(df["key"].iloc[0])
    labels = list(dict.fromkeys(df["x_label"]))
    is_date = "-" in labels[0] and len(labels[0]) == 10
    fig = new_figure(10.5, 5)
    ax = fig.subplots()
    groups = df.groupby(["indicator", "measure", "period_start", "period_end", "compare_start", "compare_end"], sort=False)
    for k, (gkey, g) in enumerate(groups):
        xs = np.array([np.datetime64(v) for v in g["x_label"]]) if is_date else g["x"].to_numpy(dtype=float)
        ls = "-" if str(gkey[3]).endswith("-06") else "--"
        ax.plot(xs, g["value"].to_numpy(dtype=float), marker="o", ms=3, ls=ls, color=COLORS[(k // 2 if len(groups) > 4 else k) % len(COLORS)], label=zh_or_en(INDICATOR_EN.get(str(gkey[0]), str(gkey[0])), INDICATORS.get(str(gkey[0]), ("", "", False))[0] or str(gkey[0])) + ", " + period_label(str(gkey[2]), str(gkey[3])))
    cur = str(df["current"].iloc[0])
    try:
        cx: Any = np.datetime64(cur) if is_date else float(cur)
        ax.axvline(cx, color="black", lw=0.8, ls=":", label=zh_or_en(f"parameter file: {cur}", f"参数文件取值：{cur}"))
    except ValueError:
        pass
    vals = df["value"].to_numpy(dtype=float)
    if np.nanmin(vals) < 0 < np.nanmax(vals):  # a zero line only where it does not squash the curves
        ax.axhline(0, color="black", lw=0.5)
    ax.set_xlabel(key)
    ax.set_ylabel(zh_or_en("% y/y (model, point estimate)", "同比%（模型点估计）"))
    ax.grid(True, lw=0.3, alpha=0.6)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), handlelength=3.5)
    if is_date:
        import matplotlib.dates as mdates

        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=8))  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))  # type: ignore[no-untyped-call]
    ax.set_title((title + "\n" if title else "") + zh_or_en(f"Response to {key}", f"对 {key} 的响应"), loc="left", fontsize=10)
    return png_bytes(fig)
