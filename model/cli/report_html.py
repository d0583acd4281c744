"""The HTML of ``rebound report``: summary, contents, fit, scenario pivots, attribution, caveats.

Pure: data in, one HTML string out (no scripts, no external assets; images are data: URIs).
Figures are named as bulletins name them (规模以上工业增加值 · value added of industry above
designated size, 2022年上半年), never by ids.
"""

from __future__ import annotations

import base64
import html
import math
from typing import Any

from rebound.cli.fmt import period_label
from rebound.cli.tables import unit_of
from rebound.data.vocab import INDICATOR_INFO, MEASURE_NAMES_ZH

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
th,td{padding:.2em .6em;border-bottom:1px solid #eee;text-align:right;vertical-align:top}
th{background:#f4f4f4}td.l,th.l{text-align:left}
img{max-width:100%;border:1px solid #eee}
.small{font-size:.8em;color:#555}.summary{background:#f7f7fb;padding:.6em 1em;border-left:4px solid #1f77b4}
.sw{display:inline-block;width:.8em;height:.8em;margin-right:.3em;vertical-align:baseline}
"""
esc = html.escape


def img(png: bytes, alt: str) -> str:
    return f'<img alt="{esc(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'


def figure_name(ind: str, measure: str, start: str, end: str, cs: str = "", ce: str = "") -> str:
    """规模以上工业增加值 · value added of industry above designated size, 2022年上半年 累计同比增长(%)."""
    info = INDICATOR_INFO.get(ind)
    name = f"{info.name_zh} · {info.name_en}" if info is not None else ind
    per = period_label(start, end, measure) + (f" 比 {period_label(cs, ce)}" if cs else "")
    return f"{name}, {per} {MEASURE_NAMES_ZH.get(measure, measure)}"


def _f(x: Any, d: int = 2, sign: bool = False) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return ""
    if math.isnan(v):
        return ""
    return f"{v:+.{d}f}" if sign else f"{v:.{d}f}"


def table(header: list[str], rows: list[list[str]], left: int = 1) -> str:
    th = "".join(f'<th class="{"l" if i < left else ""}">{h}</th>' for i, h in enumerate(header))
    body = "".join(
        "<tr>"
        + "".join(f'<td class="{"l" if i < left else ""}">{c}</td>' for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def fit_table(df: Any, ens: bool) -> str:
    rep = df[df["reported"].notna()]
    header = (
        ["figure", "unit", "reported", "model" + (" (median)" if ens else "")]
        + (["90% predictive interval"] if ens else [])
        + ["role", "note"]
    )
    rows = []
    for r in rep.itertuples():
        row = [
            esc(
                figure_name(
                    r.indicator,
                    r.measure,
                    r.period_start,
                    r.period_end,
                    r.compare_start,
                    r.compare_end,
                )
            ),
            esc(unit_of(r.indicator, r.measure)),
            _f(r.reported, 1),
            _f(r.model),
        ]
        if ens:
            row.append(f"{_f(r.p05)}..{_f(r.p95)}" if r.model == r.model else "")
        row += [esc("fitted" if r.role == "fit" else "out of sample (context)"), esc(r.note)]
        rows.append(row)
    return table(header, rows)


def pivot_table(t: Any, names: list[str], colors: dict[str, str], ens: bool) -> str:
    """Figure × scenario: one row per figure, each scenario's delta (pp) and effect (亿元) in its columns."""
    keys = ["indicator", "measure", "period_start", "period_end", "compare_start", "compare_end"]
    header = ["figure", "reported", "baseline"] + [
        f'<span class="sw" style="background:{colors[n]}"></span>{esc(n)}' for n in names
    ]
    rows = []
    for key, g in t.groupby(keys, sort=False):
        first = g.iloc[0]
        row = [
            esc(figure_name(*[str(k) for k in key])),
            _f(first["reported"], 1),
            _f(first["baseline"]),
        ]
        by = {str(r["scenario"]): r for _, r in g.iterrows()}
        for n in names:
            r = by.get(n)
            if r is None:
                row.append("")
                continue
            cell = f"<b>{_f(r['delta'], 2, True)}</b> pp"
            if ens and r["delta_p05"] == r["delta_p05"]:
                cell += f'<br><span class="small">{_f(r["delta_p05"], 2, True)}..{_f(r["delta_p95"], 2, True)}</span>'
            if r.get("delta_100m_yuan", math.nan) == r.get("delta_100m_yuan", math.nan):
                cell += f"<br>{_f(r['delta_100m_yuan'], 1, True)} 亿元"
                if ens and r["delta_100m_yuan_p05"] == r["delta_100m_yuan_p05"]:
                    cell += f'<br><span class="small">{_f(r["delta_100m_yuan_p05"], 1, True)}..{_f(r["delta_100m_yuan_p95"], 1, True)}</span>'
            row.append(cell)
        rows.append(row)
    return table(header, rows)


def scorecard_table(card: Any) -> str:
    s = card.summary.get("model", {})
    n = s.get("n", 0)
    rows = []
    for r in card.scored.itertuples():
        rows.append(
            [
                esc(
                    figure_name(
                        r.indicator,
                        r.measure,
                        r.period_start,
                        r.period_end,
                        r.compare_start or "",
                        r.compare_end or "",
                    )
                ),
                _f(r.reported, 1),
                _f(r.median),
                f"{_f(r.p05)}..{_f(r.p95)}",
                "yes" if r.covered90 else "no",
                _f(r.interval_score, 1),
                _f(r.naive, 1),
            ]
        )
    head = (
        f"<p>{n} held-out figures; 90% interval coverage {100 * s.get('coverage90', math.nan):.0f}%, 50% coverage {100 * s.get('coverage50', math.nan):.0f}%.</p>"
        if n
        else "<p>No held-out figure could be scored.</p>"
    )
    return head + table(
        ["figure", "reported", "model median", "90% interval", "in 90%", "interval score", "naive"],
        rows,
    )


def render(ctx: dict[str, Any]) -> str:
    """The whole page from a context dict (see :func:`rebound.cli.report_cmd.report`)."""
    ep, prov, cmp = ctx["episode"], ctx["prov"], ctx["cmp"]
    ens = cmp.n_draws > 1
    sections: list[tuple[str, str, str]] = []  # (anchor, title, html)
    summ = "".join(f'<p class="summary">{esc(t)}</p>' for t in ctx["summaries"])
    sections.append(("summary", "Summary 摘要", summ))
    fit_html = fit_table(ctx["fit"].indicators, ens)
    fs = ctx["fit"].summary.get("fit", {})
    fit_html += (
        f'<p class="small">fit figures: {fs.get("n_fit", 0)}'
        + (
            f"; largest |residual| {fs['max_abs_residual_pp']:.2f} pp; RMSE {fs['rmse_pp']:.2f} pp"
            if fs.get("n_fit")
            else ""
        )
        + "</p>"
    )
    fit_html += img(
        ctx["pngs"]["fit"], "fit: reported figures against the predictive median and bands"
    )
    sections.append(("fit", "Fit: reported vs model (baseline) 拟合", fit_html))
    desc = "".join(
        f'<li><span class="sw" style="background:{ctx["colors"][n]}"></span><b>{esc(n)}</b>: {esc(d)}</li>'
        for n, d in ctx["descriptions"].items()
    )
    scen = f"<ul>{desc}</ul>" + pivot_table(ctx["shown"], list(cmp.scenarios), ctx["colors"], ens)
    scen += '<p class="small">Each cell: scenario − baseline in pp (growth) and its effect on the period\'s level in 亿元 (real for GDP and industry, nominal for retail and investment); small print: 5th–95th percentile of the paired per-draw differences.</p>'
    scen += (
        img(ctx["pngs"]["effect"], "effect picture: levels, monthly and cumulative effect")
        + img(ctx["pngs"]["paths"], "daily output and year-to-date growth")
        + img(ctx["pngs"]["deltas"], "scenario deltas with 90% intervals")
    )
    sections.append(("scenarios", "Scenarios 情景", scen))
    attr = f"<p>Not computed: {esc(ctx['attr_note'])}</p>" if ctx["attr_note"] else ""
    for a in ctx["attrs"]:
        rows = [
            [esc(r.item), esc(f"{r.value:+.3f}" if r.kind != "level" else f"{r.value:.3f}")]
            + ([f"{_f(r.p05, 3)}..{_f(r.p95, 3)}"] if ens else [])
            + [
                esc(f"{100 * r.share_of_gap:.1f}%")
                if r.kind == "lever" and r.share_of_gap == r.share_of_gap
                else ""
            ]
            for r in a.table.itertuples()
        ]
        s = a.spec
        attr += (
            f"<h3>{esc(figure_name(s.indicator, s.measure, s.period_start, s.period_end))}</h3>"
            + table(["item", "value (pp)"] + (["5-95%"] if ens else []) + ["share of gap"], rows)
        )
        attr += img(ctx["pngs"][f"attr_{s.indicator}"], f"attribution waterfall {s.indicator}")
    sections.append(("attribution", "Attribution (Shapley values) 归因", attr))
    if ctx.get("card") is not None:
        sections.append(
            ("scorecard", "Out of sample: score card 样本外检验", scorecard_table(ctx["card"]))
        )
    cav = "".join(f"<li>{esc(c)}</li>" for c in ctx["caveats"])
    sections.append(("caveats", "Caveats 注意事项", f"<ul>{cav}</ul>"))
    provt = (
        "<table><tbody>"
        + "".join(
            f'<tr><td class="l">{esc(k)}</td><td class="l"><code>{esc(v)}</code></td></tr>'
            for k, v in prov["inputs"].items()
        )
        + "</tbody></table>"
    )
    sections.append(("provenance", "Provenance 来源", provt))
    toc = (
        "<nav><b>Contents 目录</b><ol>"
        + "".join(f'<li><a href="#{a}">{esc(t)}</a></li>' for a, t, _ in sections)
        + "</ol></nav>"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-Hans"><head><meta charset="utf-8">',
        f"<title>rebound report: {esc(ep.name)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>rebound report: {esc(ep.name)} · {esc(ep.region)}</h1>",
        f"<p>{esc(ep.description)}</p>",
        f'<p class="small">rebound {esc(str(prov["version"]))} · baseline {esc(str(ctx["base_path"]))} · seed {esc(str(prov["seed"]))} · ensemble {cmp.n_draws} draws (the same draws in the baseline and every scenario) · created {esc(str(prov.get("created", "(not recorded)")))}</p>',
        toc,
    ]
    parts += [f'<h2 id="{a}">{esc(t)}</h2>{body}' for a, t, body in sections]
    parts.append("</body></html>")
    return "\n".join(parts)
