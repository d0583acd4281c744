"""``rebound report``: one self-contained HTML file (tables and charts, no external assets)."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

import click

from rebound.cli.common import handle_input_errors
from rebound.cli.run_cmd import seed_option
from rebound.cli.scenario_common import progress_bar, provenance_for

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
th,td{padding:.2em .6em;border-bottom:1px solid #eee;text-align:right}
th{background:#f4f4f4}td.l,th.l{text-align:left}
tr.first td{border-top:1px solid #bbb}
img{max-width:100%;border:1px solid #eee}
.small{font-size:.8em;color:#555}
"""


@click.command("report")
@click.argument("scenario_files", metavar="SCENARIO...", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), required=True, help="HTML file to write (atomically); provenance goes next to it as <name>.provenance.json.")
@click.option("--ensemble", "n_draws", type=click.IntRange(0, 100_000), default=100, show_default=True, help="Parameter draws for the 5-95% intervals (paired across scenarios).")
@seed_option
@handle_input_errors
def report(scenario_files: tuple[Path, ...], out_file: Path, n_draws: int, seed: int) -> None:
    """Write one self-contained HTML report: fit, scenarios, attribution, charts.

    \b
    Examples:
      rebound report scenarios/changchun_2022/*.toml --out report.html
      rebound report params/changchun_2022.toml scenarios/changchun_2022/no_vouchers.toml \\
          --ensemble 200 --out out/changchun.html

    The report holds the fit table (reported vs model, baseline), the scenario table
    (each scenario's value and delta with its 90% interval over paired draws), the Shapley
    attribution of H1 GDP and H1 (above-quota) retail among the levers, and the charts,
    embedded as PNG: it opens anywhere with no other file.
    """
    from rebound import api
    from rebound.cli import chart_levers, chart_scenarios
    from rebound.problems import InputError
    from rebound.scenarios import attribute, compare_runs
    from rebound.writers import json_bytes, write_all

    base, loadeds = api.load_scenarios(scenario_files)
    year = base.params.episode.year
    with progress_bar("report", 5, min_total=1 if n_draws >= 50 else 99) as prog:
        fit = api.run(base, n_draws, seed).output
        prog(1, 5)
        cmp = compare_runs(base, loadeds, n_draws, seed, observations=fit.observations)
        prog(2, 5)
        retail = "retail_above_quota" if any(o.indicator == "retail_above_quota" for o in fit.observations) or not any(o.indicator == "retail" for o in fit.observations) else "retail"
        attrs: list[Any] = []
        attr_note = ""
        try:
            for ind in ("gdp", retail):
                attrs.append(attribute(base, ind, f"{year}-01", f"{year}-06", "yoy_cum_pct", n_draws, seed))
        except InputError as err:
            attr_note = "; ".join(p.message for p in err.problems)
        prog(3, 5)
        title = f"{base.params.episode.name}"
        pngs = {
            "paths": chart_scenarios.paths_png(cmp, base.params.lockdown.phases, year, title + ": baseline and scenarios"),
            "deltas": chart_scenarios.deltas_png(cmp.table, year, title),
        }
        for a in attrs:
            pngs[f"attr_{a.spec.indicator}"] = chart_levers.waterfall_png(a, title)
        prog(4, 5)
        prov = provenance_for([base, *loadeds], seed if n_draws else None, n_draws, "report", {"scenarios": list(cmp.scenarios), "baseline": str(base.path)})
        page = render_html(base, loadeds, fit, cmp, attrs, attr_note, pngs, prov)
        prog(5, 5)
    write_all(out_file.parent if str(out_file.parent) else Path("."), {out_file.name: page.encode("utf-8"), out_file.stem + ".provenance.json": json_bytes(prov)})
    click.echo(f"wrote {out_file} and {out_file.with_name(out_file.stem + '.provenance.json')}", err=True)


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'


def _num(x: Any, d: int = 2) -> str:
    from rebound.cli.fmt import num

    return html.escape(num(x, d))


def _table(header: list[str], rows: list[list[str]], left: int = 3, first_flags: list[bool] | None = None) -> str:
    th = "".join(f'<th class="{"l" if i < left else ""}">{html.escape(h)}</th>' for i, h in enumerate(header))
    body = []
    for k, r in enumerate(rows):
        cls = ' class="first"' if first_flags and first_flags[k] else ""
        tds = "".join(f'<td class="{"l" if i < left else ""}">{c}</td>' for i, c in enumerate(r))
        body.append(f"<tr{cls}>{tds}</tr>")
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render_html(base: Any, loadeds: list[Any], fit: Any, cmp: Any, attrs: list[Any], attr_note: str, pngs: dict[str, bytes], prov: dict[str, Any]) -> str:
    from rebound.cli.fmt import indicator_label, period_label
    from rebound.cli.scenario_common import shown_rows

    ep = base.params.episode
    year = ep.year
    ens = cmp.n_draws > 1
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-Hans"><head><meta charset="utf-8">',
        f"<title>rebound report: {esc(ep.name)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>rebound report: {esc(ep.name)} · {esc(ep.region)}</h1>",
        f"<p>{esc(ep.description)}</p>",
        f'<p class="small">rebound {esc(str(prov["version"]))} · baseline {esc(str(base.path))} · seed {esc(str(prov["seed"]))} · ensemble {cmp.n_draws} draws '
        "(the same draws in the baseline and every scenario) · created " + esc(str(prov["created"])) + "</p>",
    ]
    # fit table
    df = fit.indicators
    rep = df[df["reported"].notna()]
    header = ["indicator", "period", "measure", "reported", "model", "residual"] + (["90% predictive interval"] if ens else []) + ["role", "note"]
    rows = []
    for r in rep.itertuples():
        per = period_label(r.period_start, r.period_end, r.measure) + (f" vs {period_label(r.compare_start, r.compare_end)}" if r.compare_start else "")
        row = [esc(indicator_label(r.indicator)), esc(per), esc(r.measure), _num(r.reported, 1), _num(r.model), _num(r.residual)]
        if ens:
            row.append(f"{_num(r.p05)}..{_num(r.p95)}" if r.model == r.model else "")
        row += [esc(r.role), esc(r.note)]
        rows.append(row)
    fs = fit.summary.get("fit", {})
    parts += [
        "<h2>Fit: reported vs model (baseline)</h2>",
        _table(header, rows),
        f'<p class="small">fit figures: {fs.get("n_fit", 0)}' + (f'; largest |residual| {fs["max_abs_residual_pp"]:.2f} pp; RMSE {fs["rmse_pp"]:.2f} pp' if fs.get("n_fit") else "") + ". Units: % y/y, pp, 亿元.</p>",
    ]
    # scenario table
    t = shown_rows(cmp.table, year, False)
    t = t[t["baseline"].notna()]
    header = ["indicator", "period", "measure", "reported", "baseline", "scenario", "value", "delta"] + (["delta 5-95%"] if ens else [])
    rows, flags = [], []
    last = None
    for r in t.itertuples():
        key = (r.indicator, r.measure, r.period_start, r.period_end, r.compare_start, r.compare_end)
        first = key != last
        last = key
        per = period_label(r.period_start, r.period_end, r.measure) + (f" vs {period_label(r.compare_start, r.compare_end)}" if r.compare_start else "")
        row = [esc(indicator_label(r.indicator)) if first else "", esc(per) if first else "", esc(r.measure) if first else "", _num(r.reported, 1) if first else "", _num(r.baseline) if first else "", esc(r.scenario), _num(r.value), esc(f"{r.delta:+.2f}")]
        if ens:
            row.append(esc(f"{r.delta_p05:+.2f}..{r.delta_p95:+.2f}"))
        rows.append(row)
        flags.append(first)
    desc = "".join(f"<li><b>{esc(name)}</b>: {esc(sc.scenario_description or str(sc.path))}</li>" for name, sc in zip(cmp.scenarios, loadeds, strict=True))
    parts += [
        "<h2>Scenarios: value and delta against the baseline</h2>",
        f"<ul>{desc}</ul>" if desc else "",
        _table(header, rows, left=3, first_flags=flags),
        '<p class="small">delta = scenario − baseline, in the figure\'s unit (pp for y/y growth, 亿元 for levels); interval: 5th–95th percentile of the paired per-draw deltas.</p>',
        _img(pngs["paths"], "daily output and year-to-date growth, baseline and scenarios"),
        _img(pngs["deltas"], "scenario deltas with 90% intervals"),
    ]
    # attribution
    parts.append(f"<h2>Attribution of the policy effect, H1 {year} (Shapley values)</h2>")
    if attr_note:
        parts.append(f"<p>Not computed: {esc(attr_note)}</p>")
    for a in attrs:
        header = ["item", "value (pp)"] + (["5-95%"] if ens else []) + ["share of gap"]
        rows = []
        for r in a.table.itertuples():
            row = [esc(r.item), esc(f"{r.value:+.3f}" if r.kind != "level" else f"{r.value:.3f}")]
            if ens:
                row.append(f"{_num(r.p05, 3)}..{_num(r.p95, 3)}")
            row.append(esc(f"{100 * r.share_of_gap:.1f}%") if r.kind == "lever" and r.share_of_gap == r.share_of_gap else "")
            rows.append(row)
        s = a.spec
        parts += [
            f"<h3>{esc(indicator_label(s.indicator))}, {esc(period_label(s.period_start, s.period_end, s.measure))}, {esc(s.measure)}</h3>",
            _table(header, rows, left=1),
            _img(pngs[f"attr_{s.indicator}"], f"attribution waterfall {s.indicator}"),
        ]
    parts += [
        '<p class="small">Shapley value of lever i: the average over all orders of switching the levers on of the change in the figure when i is switched on; '
        "the values add up to baseline − no policy exactly.</p>",
        "<h2>Provenance</h2>",
        "<table><tbody>" + "".join(f'<tr><td class="l">{esc(k)}</td><td class="l"><code>{esc(v)}</code></td></tr>' for k, v in prov["inputs"].items()) + "</tbody></table>",
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p)

