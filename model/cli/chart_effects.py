"""The fit chart (``run --out``: fit.png) and the effect picture (``compare --out``: effect.png).

The effect picture is drawn as CausalImpact draws one: per headline indicator, the monthly
level of the baseline and of each scenario with their 90% bands; the monthly effect
(scenario − baseline, paired draw by draw) with its band; the cumulative effect from January
in 亿元 with its band. Labels are Chinese when a CJK font is found, else English.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from rebound.cli.charts import (
    date_axis,
    month_mid,
    new_figure,
    period_label,
    png_bytes,
    scenario_color,
    shade_phases,
    zh_or_en,
)
from rebound.data.vocab import INDICATORS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from rebound.scenarios import Comparison

EFFECT_INDICATORS = ("gdp", "industry", "retail", "fai")
FIT_MEASURES = ("yoy_cum_pct", "yoy_month_pct", "yoy_quarter_pct")
MEASURE_LABEL = {
    "yoy_cum_pct": ("year-to-date y/y %", "累计同比%"),
    "yoy_month_pct": ("single-month y/y %", "当月同比%"),
    "yoy_quarter_pct": ("quarter y/y %", "当季同比%"),
}


def ind_name(ind: str) -> str:
    """The indicator's Chinese name with a CJK font, else its English name."""
    zh, en, _ = INDICATORS.get(ind, (ind, ind, False))
    return zh_or_en(en, zh)


def fit_png(df: pd.DataFrame, phases: list[Any], year: int, title: str = "") -> bytes:
    """Each fitted indicator and measure: reported figures against the predictive median and bands.

    ``df`` is :attr:`rebound.fit.pipeline.RunOutput.indicators` (an ensemble run: columns
    ``model`` = predictive median, ``p05 p25 p75 p95``). Filled markers: figures the fit used;
    hollow squares: figures it did not (context or held out), i.e. out of sample.
    """
    fitted = df[(df["role"] == "fit") & df["model"].notna() & df["measure"].isin(FIT_MEASURES)]
    panels = list(dict.fromkeys(zip(fitted["indicator"], fitted["measure"], strict=True)))
    ncol = 2
    nrow = max(1, (len(panels) + ncol - 1) // ncol)
    fig = new_figure(12, 0.8 + 3.2 * nrow)
    axes = np.atleast_1d(fig.subplots(nrow, ncol, squeeze=False)).ravel()
    ens = "p05" in df.columns
    for ax, (ind, measure) in zip(axes, panels, strict=False):
        sub = df[
            (df["indicator"] == ind)
            & (df["measure"] == measure)
            & (df["compare_start"].fillna("") == "")
            & df["model"].notna()
        ]
        line = sub[
            sub["period_start"].str.startswith(str(year))
            & ((sub["period_start"] == f"{year}-01") if measure == "yoy_cum_pct" else True)
        ]
        line = line.drop_duplicates(["period_end"]).sort_values("period_end")
        x = np.array([month_mid(str(e)) for e in line["period_end"]])
        shade_phases(ax, phases, legend=False)
        if ens and len(line):
            ax.fill_between(
                x,
                line["p05"].to_numpy(float),
                line["p95"].to_numpy(float),
                color="#1f77b4",
                alpha=0.15,
                lw=0,
                label=zh_or_en("90% predictive band", "90%预测区间"),
            )
            ax.fill_between(
                x,
                line["p25"].to_numpy(float),
                line["p75"].to_numpy(float),
                color="#1f77b4",
                alpha=0.3,
                lw=0,
                label=zh_or_en("50% predictive band", "50%预测区间"),
            )
        ax.plot(
            x,
            line["model"].to_numpy(float),
            color="#1f77b4",
            lw=1.4,
            label=zh_or_en("model, predictive median", "模型预测中位数")
            if ens
            else zh_or_en("model", "模型"),
        )
        rep = sub[
            sub["reported"].notna() & sub["period_end"].str.startswith(str(year))
        ]  # earlier years' figures would stretch the axis
        for role_fit, marker, name in (
            (True, "o", zh_or_en("reported, fitted", "公布值（用于校准）")),
            (False, "s", zh_or_en("reported, out of sample", "公布值（样本外）")),
        ):
            r = rep[(rep["role"] == "fit") == role_fit]
            if len(r):
                xs = np.array([month_mid(str(e)) for e in r["period_end"]])
                ax.plot(
                    xs,
                    r["reported"].to_numpy(float),
                    marker,
                    color="black",
                    mfc="black" if role_fit else "white",
                    mew=1.5,
                    ms=7,
                    ls="none",
                    zorder=5,
                    label=name,
                )
                if ens:
                    ax.errorbar(
                        xs,
                        r["model"].to_numpy(float),
                        yerr=np.vstack([r["model"] - r["p05"], r["p95"] - r["model"]]).astype(
                            float
                        ),
                        fmt="none",
                        ecolor="#1f77b4",
                        capsize=3,
                        lw=0.8,
                    )
        ax.axhline(0, color="black", lw=0.4)
        en, zh = MEASURE_LABEL[measure]
        ax.set_title(f"{ind_name(ind)} · {zh_or_en(en, zh)}", loc="left", fontsize=10)
        date_axis(ax)
        ax.legend(fontsize=7, loc="best")
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    note = zh_or_en(
        "Shaded: lockdown phases. Filled circles: figures the fit used; hollow squares: out of sample.",
        "阴影：封控阶段。实心圆：用于校准的公布值；空心方块：样本外公布值。",
    )
    fig.suptitle((title + "\n" if title else "") + note, fontsize=10)
    return png_bytes(fig)


def _monthly(cmp: Comparison, name: str, ind: str, basis: str, year: int) -> tuple[Any, Any]:
    from rebound.observe.indicators import Evaluator

    res = cmp.baseline if name == "baseline" else cmp.scenarios[name]
    tot, months = Evaluator(res).monthly(ind, basis)
    cols = [i for i, m in enumerate(months) if m.startswith(str(year))]
    return np.broadcast_to(tot, (res.n_draws, tot.shape[1]))[:, cols], [months[i] for i in cols]


def _band(ax: Any, x: Any, vals: Any, color: str, name: str | None, lw: float = 1.3) -> None:
    ax.plot(x, vals[0], color=color, lw=lw, label=name)
    if vals.shape[0] > 2:
        lo, hi = np.percentile(vals[1:], [5, 95], axis=0)
        ax.fill_between(x, lo, hi, color=color, alpha=0.15, lw=0)


def effect_png(cmp: Comparison, phases: list[Any], year: int, title: str = "") -> bytes:
    """Baseline and scenarios (levels), the monthly effect and the cumulative effect in 亿元."""
    from rebound.data.vocab import DEFAULT_BASIS

    # a scenario identical to the baseline (a 'baseline' scenario file) would only hide under it
    names = [n for n, r in cmp.scenarios.items() if not all(np.array_equal(r.output[k], cmp.baseline.output[k]) for k in r.output)]
    fig = new_figure(4.0 * len(EFFECT_INDICATORS), 10)
    axes = fig.subplots(3, len(EFFECT_INDICATORS), sharex=True)
    for c, ind in enumerate(EFFECT_INDICATORS):
        basis = DEFAULT_BASIS[ind]
        base, months = _monthly(cmp, "baseline", ind, basis, year)
        x = np.array([month_mid(m) for m in months])
        for r in range(3):
            shade_phases(axes[r, c], phases, legend=False)
        _band(axes[0, c], x, base, "#000000", zh_or_en("baseline", "基线"), lw=1.6)
        for name in names:
            vals, _ = _monthly(cmp, name, ind, basis, year)
            col = scenario_color(name)
            _band(axes[0, c], x, vals, col, name)
            _band(axes[1, c], x, vals - base, col, name)
            _band(axes[2, c], x, np.cumsum(vals - base, axis=1), col, name)
        kind = zh_or_en("real", "可比价") if basis == "real" else zh_or_en("nominal", "现价")
        axes[0, c].set_title(
            f"{ind_name(ind)}\n"
            + zh_or_en(f"monthly level, 100m yuan ({kind})", f"月度总量（亿元，{kind}）"),
            loc="left",
            fontsize=9,
        )
        axes[1, c].set_title(
            zh_or_en(
                "monthly effect (scenario − baseline), 100m yuan", "当月影响（情景−基线，亿元）"
            ),
            loc="left",
            fontsize=9,
        )
        axes[2, c].set_title(
            zh_or_en(
                f"cumulative effect since Jan {year}, 100m yuan", f"{year}年1月以来累计影响（亿元）"
            ),
            loc="left",
            fontsize=9,
        )
        for r in (1, 2):
            axes[r, c].axhline(0, color="black", lw=0.6)
        for r in range(3):
            date_axis(axes[r, c])
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncol=min(6, len(labels)),
        fontsize=8,
        frameon=False,
    )
    band = (
        zh_or_en(
            f"bands: 5-95% over {cmp.n_draws} paired draws",
            f"区间：{cmp.n_draws}组配对抽样的5%-95%",
        )
        if cmp.n_draws > 1
        else zh_or_en("point estimate", "点估计")
    )
    sub = zh_or_en(
        f"Scenario effects, {period_label(f'{year}-01', f'{year}-12')}; shaded: baseline lockdown phases; ",
        f"情景影响，{period_label(f'{year}-01', f'{year}-12')}；阴影：基线封控阶段；",
    )
    fig.suptitle((title + "\n" if title else "") + sub + band, fontsize=10)
    return png_bytes(fig)
