"""The written summary of a scenario, in Chinese or English (pure: data in, text out).

:func:`scenario_summary` says what the scenario changes, its effect on each headline figure in
pp and in 亿元 with the 90% interval over paired draws, and the caveats that matter: what the
priors decide rather than the data, what is fixed by assumption, how the model scored out of
sample. The terminal (``compare --summary``) and the report print the same text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rebound.cli.charts import period_text
from rebound.cli.fmt import period_label
from rebound.cli.summary_zh import warning_zh
from rebound.data.vocab import INDICATORS

HEADLINE = ("gdp", "industry", "retail", "fai")
# the project's own backtests (docs/validation.md, "In one paragraph"); used when no score card is given
BACKTEST = {"covered90": 19, "n": 22, "cover50_pct": 23, "model_is": 24.2, "naive_is": 282.5}


@dataclass
class Caveats:
    """What the summary warns about; every field may be empty."""

    prior_keys: list[str] = field(default_factory=list)  # free parameters the priors decide
    warnings: list[str] = field(default_factory=list)  # other calibration/run warnings, as printed
    phases: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # (name, start, end) fixed by assumption
    n_draws: int = 0
    scorecard: dict[str, Any] | None = (
        None  # rebound.fit.evaluate ScoreCard.summary["model"], when held-out figures exist
    )


def caveats_from_note(note: str) -> tuple[list[str], list[str]]:
    """Split a calibration record's note into prior-decided keys and the other warnings."""
    prior: list[str] = []
    other: list[str] = []
    for part in (p.strip() for p in note.split("; ") if p.strip()):
        if part.startswith("left to their priors"):
            prior += [k.strip() for k in part.split(":", 1)[1].split(",") if k.strip()]
        elif part != "converged" and not part.startswith("inputs, not information"):
            other.append(part)
    return prior, other


def _iv(lo: float, hi: float, d: int, zh: bool) -> str:
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return ""
    return f"（{lo:+.{d}f}至{hi:+.{d}f}）" if zh else f" (90%: {lo:+.{d}f} to {hi:+.{d}f})"


def _name(ind: str, zh: bool) -> str:
    zh_name, en_name, _ = INDICATORS.get(ind, (ind, ind, False))
    return zh_name if zh else en_name


def _effect(r: Any, zh: bool) -> str:
    ind = str(r["indicator"])
    name = _name(ind, zh)
    per = (
        period_label(str(r["period_start"]), str(r["period_end"]))
        if zh
        else period_text(str(r["period_start"]), str(r["period_end"]))
    )
    pp = f"{r['delta']:+.2f}"
    yuan = float(r.get("delta_100m_yuan", math.nan))
    real = r.get("level_basis", "") == "real"
    if zh:
        out = f"{name}{per}累计增速{pp}个百分点{_iv(r['delta_p05'], r['delta_p95'], 2, True)}"
        if math.isfinite(yuan):
            iv = _iv(r["delta_100m_yuan_p05"], r["delta_100m_yuan_p95"], 1, True).strip("（）")
            out += (
                f"，合{yuan:+.1f}亿元（{'可比价' if real else '现价'}"
                + (f"，{iv}" if iv else "")
                + "）"
            )
        return out
    out = f"{name}, {per} y/y {pp} pp{_iv(r['delta_p05'], r['delta_p95'], 2, False)}"
    if math.isfinite(yuan):
        out += f", {yuan:+.1f} 亿元 {'at constant prices' if real else 'current prices'}{_iv(r['delta_100m_yuan_p05'], r['delta_100m_yuan_p95'], 1, False)}"
    return out


def headline_rows(table: Any, scenario: str, year: int) -> list[Any]:
    """The scenario's rows of year-to-date y/y for H1 and the full year of each headline indicator."""
    t = table[
        (table["scenario"] == scenario)
        & (table["measure"] == "yoy_cum_pct")
        & table["baseline"].notna()
    ]
    rows = []
    for ind in HEADLINE:
        for end in (f"{year}-06", f"{year}-12"):
            sel = t[
                (t["indicator"] == ind)
                & (t["period_start"] == f"{year}-01")
                & (t["period_end"] == end)
                & (t["compare_start"].fillna("") == "")
            ]
            if len(sel):
                rows.append(sel.iloc[0])
    return rows


def _changes(changes: Sequence[tuple[str, Any, Any]], zh: bool) -> str:
    if not changes:
        return "不改变任何参数（即基线）" if zh else "changes nothing (it is the baseline)"
    items = [f"{k}：{a} → {b}" if zh else f"{k}: {a} → {b}" for k, a, b in changes]
    return ("改变" + "；".join(items)) if zh else ("changes " + "; ".join(items))


def _caveat_lines(c: Caveats, zh: bool) -> list[str]:
    out = []
    if c.prior_keys:
        keys = ", ".join(c.prior_keys)
        out.append(
            f"这些参数主要由先验决定（数据几乎不提供信息）：{keys}"
            if zh
            else f"prior-driven (the reported figures barely inform them): {keys}"
        )
    for w in c.warnings:
        out.append("校准提示：" + warning_zh(w) if zh else "calibration: " + w)
    if c.phases:
        ph = ", ".join(f"{n} {a}..{b}" for n, a, b in c.phases)
        out.append(
            f"封控阶段日期（{ph}）和公布的政策金额按假设固定，不计入区间"
            if zh
            else f"fixed by assumption, not in the intervals: the lockdown phase dates ({ph}) and the reported policy amounts"
        )
    if c.scorecard:
        s = c.scorecard
        n, cov = s.get("n", 0), s.get("coverage90", math.nan)
        out.append(
            f"样本外：{n}个留出数据中，90%预测区间覆盖率{100 * cov:.0f}%"
            if zh
            else f"out of sample: the 90% predictive intervals held {100 * cov:.0f}% of {n} held-out figures"
        )
        out += [("评分提示：" if zh else "score card: ") + str(w) for w in s.get("warnings", [])]
    else:
        b = BACKTEST
        out.append(
            f"样本外（项目回测，docs/validation.md）：90%预测区间覆盖了{b['n']}个公布数中的{b['covered90']}个，50%区间偏窄（仅覆盖{b['cover50_pct']}%），模型中位数多偏悲观；平均区间得分{b['model_is']}，朴素预测为{b['naive_is']}"
            if zh
            else f"out of sample (the project's backtests, docs/validation.md): the 90% predictive intervals held {b['covered90']} of {b['n']} reported figures; the 50% bands are too narrow (they held {b['cover50_pct']}%) and the model's medians lean pessimistic; mean interval score {b['model_is']} against the naive forecast's {b['naive_is']}"
        )
    return out


def scenario_summary(
    table: Any,
    scenario: str,
    year: int,
    lang: str = "en",
    *,
    description: str = "",
    changes: Sequence[tuple[str, Any, Any]] = (),
    caveats: Caveats | None = None,
) -> str:
    """One paragraph on a scenario: what it changes, its headline effects, the caveats.

    Parameters
    ----------
    table : DataFrame
        :attr:`rebound.scenarios.Comparison.table` (with ``delta_100m_yuan`` and its interval).
    scenario : str
        The scenario's name in the table.
    year : int
        The episode year (H1 and full-year figures of it are the headline).
    lang : {"en", "zh"}
        Language of the text.
    description, changes, caveats
        The scenario file's description; ``(key, baseline value, scenario value)`` per changed
        key; what to warn about.

    Returns
    -------
    str
        The paragraph (no trailing newline).
    """
    zh = lang == "zh"
    c = caveats or Caveats()
    head = (
        f"情景“{scenario}”"
        + (f"（{description.rstrip('.')}）" if description else "")
        + "："
        + _changes(changes, True)
        + "。"
        if zh
        else (
            f"Scenario '{scenario}'"
            + (f" ({description.rstrip('.')})" if description else "")
            + " "
            + _changes(changes, False)
            + "."
        )
    )
    rows = headline_rows(table, scenario, year)
    moved = [
        r
        for r in rows
        if abs(float(r["delta"])) >= 0.005
        or abs(float(r.get("delta_100m_yuan", 0.0) or 0.0)) >= 0.05
    ]
    still = sorted(
        {_name(str(r["indicator"]), zh) for r in rows}
        - {_name(str(r["indicator"]), zh) for r in moved}
    )
    if zh:
        band = f"括号内为{c.n_draws}组配对参数抽样的90%区间" if c.n_draws > 1 else "点估计，无区间"
        eff = (
            f"与基线相比（{band}）：" + "；".join(_effect(r, True) for r in moved) + "。"
            if moved
            else "对主要指标没有影响。"
        )
        if still and moved:
            eff += "不影响" + "、".join(still) + "。"
        cav = "注意：" + "；".join(_caveat_lines(c, True)) + "。"
        return head + eff + cav
    band = (
        f"90% intervals over {c.n_draws} paired parameter draws"
        if c.n_draws > 1
        else "point estimate, no interval"
    )
    eff = (
        f"Against the baseline ({band}): " + "; ".join(_effect(r, False) for r in moved) + "."
        if moved
        else "It leaves the headline figures unchanged."
    )
    if still and moved:
        eff += " No effect on " + ", ".join(still) + "."
    cav = "Caveats: " + "; ".join(_caveat_lines(c, False)) + "."
    return head + " " + eff + " " + cav


def _text(v: Any) -> str:
    from rebound.cli.fmt import value_text

    return value_text(v)


def summary_for(
    cmp: Any,
    base: Any,
    scenario: Any,
    name: str,
    lang: str = "en",
    scorecard: dict[str, Any] | None = None,
) -> str:
    """:func:`scenario_summary` for a loaded scenario of a :class:`~rebound.scenarios.Comparison`."""
    from rebound.params.load import get_path

    params = base.params
    keys = sorted(scenario.overridden - base.overridden)
    changes = [(k, _text(get_path(params, k)), _text(get_path(scenario.params, k))) for k in keys]
    rec = params.calibration.record
    prior, other = caveats_from_note(rec.note if rec is not None else "")
    phases = [(ph.name, ph.start.isoformat(), ph.end.isoformat()) for ph in params.lockdown.phases]
    cav = Caveats(
        prior_keys=prior, warnings=other, phases=phases, n_draws=cmp.n_draws, scorecard=scorecard
    )
    return scenario_summary(
        cmp.table,
        name,
        params.episode.year,
        lang,
        description=scenario.scenario_description,
        changes=changes,
        caveats=cav,
    )
