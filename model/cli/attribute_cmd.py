"""``rebound attribute``: the policy effect on one figure split among the levers (Shapley)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from rebound.cli.common import FORMAT_OPTION, handle_input_errors
from rebound.cli.run_cmd import ensemble_option, out_option, seed_option
from rebound.cli.scenario_common import (
    emit,
    executor_ctx,
    parse_period,
    progress_bar,
    provenance_for,
    scheduler_option,
)


@click.command("attribute")
@click.argument("params_file", metavar="PARAMS_OR_SCENARIO", type=click.Path(path_type=Path))
@click.option("--indicator", required=True, help="Indicator id: gdp, industry, retail, retail_above_quota, fai.")
@click.option("--period", "period", required=True, help="Period YYYY-MM..YYYY-MM (H1 2022 = 2022-01..2022-06).")
@click.option("--measure", default="yoy_cum_pct", show_default=True, help="Measure: yoy_cum_pct, yoy_month_pct, yoy_quarter_pct, level_100m_yuan, pp_change.")
@click.option("--compare-period", "compare_period", default=None, help="For --measure pp_change: the earlier cumulative period, e.g. 2022-01..2022-05.")
@ensemble_option
@seed_option
@FORMAT_OPTION
@out_option
@scheduler_option
@handle_input_errors
def attribute(params_file: Path, indicator: str, period: str, measure: str, compare_period: str | None, n_draws: int, seed: int, fmt: str, out_dir: Path | None, scheduler: str | None) -> None:
    """Split the policy effect on one figure among the levers (Shapley values).

    \b
    Examples:
      rebound attribute params/changchun_2022.toml --indicator gdp --period 2022-01..2022-06
      rebound attribute params/changchun_2022.toml --indicator retail_above_quota \\
          --period 2022-01..2022-06 --ensemble 200 --out out/attr
      rebound attribute params/changchun_2022.toml --indicator fai --measure pp_change \\
          --period 2022-01..2022-06 --compare-period 2022-01..2022-05

    The gap between the baseline (all levers as in the file) and "no policy" (every enabled
    lever at scale 0) is split with Shapley values: each lever's effect averaged over every
    order in which the levers could have been added, so interactions are shared fairly and
    the shares add up to the gap exactly. All 2^n coalitions and all draws run in one
    vectorised simulation. With --out DIR: attribution.csv, attribution.png, provenance.json.
    """
    from rebound import api
    from rebound.scenarios import chunk_size, lever_players

    start, end = parse_period(period)
    cs, ce = parse_period(compare_period, "--compare-period") if compare_period else ("", "")
    loaded = api.load(params_file)
    n_lev = len(lever_players(loaded.params))
    total = (n_draws + 1) * (1 << n_lev)
    chunk = chunk_size(366 * 2)
    with executor_ctx(scheduler) as ex, progress_bar(f"simulating {1 << n_lev} coalitions x {n_draws + 1} draws", total, min_total=20_000) as prog:
        attr = api.attribute(loaded, indicator, start, end, measure, n_draws, seed, compare_start=cs, compare_end=ce, max_draws_per_run=min(chunk, max(2000, total // 10)) if total >= 20_000 else None, progress=prog, executor=ex)
    prov = provenance_for([loaded], seed if n_draws else None, n_draws, "attribute", {"figure": {"indicator": indicator, "measure": measure, "period": [start, end], "compare": [cs, ce]}, "levers": attr.levers})
    df = attr.table
    if out_dir is not None:
        from rebound.cli import chart_levers as charts
        from rebound.cli.tables import labelled
        from rebound.writers import csv_bytes, json_bytes, write_all

        write_all(
            out_dir,
            {
                "attribution.csv": csv_bytes(labelled(df)),
                "attribution.png": charts.waterfall_png(attr, loaded.params.episode.name),
                "provenance.json": json_bytes(prov),
            },
        )
        click.echo(f"wrote {out_dir}/attribution.csv, attribution.png, provenance.json", err=True)
    # printed after the outputs are written: a failure to write prints only the problem lines
    emit(df, prov, fmt, lambda: render_attribution(attr, prov))


def render_attribution(attr: Any, prov: dict[str, Any]) -> str:
    from rebound.cli.fmt import indicator_label, num, period_label, table

    s = attr.spec
    ens = attr.n_draws > 1
    unit = "亿元" if s.measure == "level_100m_yuan" else "pp"
    header = ["", "value", "share of gap"]
    if ens:
        header.insert(2, "5-95%")
        header.append("share 5-95%")
    rows = []
    for r in attr.table.itertuples():
        label = {"no_policy": "no policy (all levers off)", "baseline": "baseline (all levers on)", "total": "policy effect (baseline − no policy)"}.get(r.item, f"  {r.item}")
        val = f"{r.value:+.3f}" if r.kind != "level" else f"{r.value:.3f}"
        row = [label, val, f"{100 * r.share_of_gap:.1f}%" if r.kind == "lever" and r.share_of_gap == r.share_of_gap else ""]
        if ens:
            row.insert(2, f"{num(r.p05, 3)}..{num(r.p95, 3)}")
            row.append(f"{100 * r.share_p05:.0f}%..{100 * r.share_p95:.0f}%" if r.kind == "lever" and r.share_p05 == r.share_p05 else "")
        rows.append(row)
    per = period_label(s.period_start, s.period_end, s.measure)
    head = f"attribution · {indicator_label(s.indicator)} · {per} · {s.measure} ({unit}) · rebound {prov.get('version')}" + (f" · seed {prov.get('seed')} · ensemble {attr.n_draws}" if ens else " · point estimate")
    foot = "Shapley values: each lever's effect averaged over all orders of switching the levers on; the shares add up to the policy effect."
    return head + "\n" + table(rows, header) + "\n" + foot
