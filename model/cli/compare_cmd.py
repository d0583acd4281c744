"""``rebound compare``: scenarios against the calibrated baseline, on paired draws."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from rebound.cli.common import FORMAT_OPTION, handle_input_errors
from rebound.cli.fmt import wide_option
from rebound.cli.run_cmd import ensemble_option, out_option, seed_option
from rebound.cli.scenario_common import (
    emit,
    executor_ctx,
    figure_label,
    progress_bar,
    provenance_for,
    scheduler_option,
    shown_rows,
)


@click.command("compare")
@click.argument("scenario_files", metavar="SCENARIO...", nargs=-1, required=True, type=click.Path(path_type=Path))
@ensemble_option
@seed_option
@FORMAT_OPTION
@out_option
@click.option("--all", "show_all", is_flag=True, help="Show every standard monthly/quarterly figure, not only reported and key ones.")
@click.option("--summary", "show_summary", is_flag=True, help="Print a written summary of each scenario (what it changes, headline effects in pp and 亿元 with 90% intervals, caveats).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Language of the summary.")
@click.option("--unpaired", is_flag=True, hidden=True, help="Diagnostics: shuffle the scenario draws against the baseline's.")
@scheduler_option
@wide_option
@handle_input_errors
def compare(scenario_files: tuple[Path, ...], n_draws: int, seed: int, fmt: str, out_dir: Path | None, show_all: bool, show_summary: bool, lang: str, unpaired: bool, scheduler: str | None) -> None:
    """Compare scenarios with the calibrated baseline (their parameter file), on paired draws.

    \b
    Examples:
      rebound compare scenarios/changchun_2022/no_vouchers.toml
      rebound compare scenarios/changchun_2022/*.toml --ensemble 200 --out out/cmp
      rebound compare scenarios/changchun_2022/no_policy.toml --ensemble 100 --format csv

    Every scenario must be laid over the same parameter file; that file's values are the
    baseline. With --ensemble N the free parameters are drawn N times from the calibrated
    posterior and the SAME draws are used in the baseline and in every scenario, so each
    delta's 5-95% interval is the uncertainty of the difference itself.

    The table shows, per figure: reported value, baseline model value, and for each
    scenario its value, delta (pp or 亿元) and 90% interval. With --out DIR it writes
    compare.csv (every figure, every scenario), paths.png, deltas.png and provenance.json.
    """
    from rebound import api

    loadeds = [api.load(p) for p in scenario_files]
    with executor_ctx(scheduler) as ex, progress_bar("simulating", len(loadeds) + 1, min_total=4 if n_draws < 500 else 1) as prog:
        res = api.compare(loadeds, n_draws, seed, paired=not unpaired, progress=prog, executor=ex)
    base, cmp = res.base, res.comparison
    prov = provenance_for([base, *loadeds], seed if n_draws else None, n_draws, "compare", {"scenarios": list(cmp.scenarios), "baseline": str(base.path), "paired": not unpaired})
    if out_dir is not None:
        write_compare(cmp, base, prov, out_dir)
        click.echo(f"wrote {out_dir}/compare.csv, paths.png, deltas.png, effect.png, provenance.json", err=True)
    # printed after the outputs are written: a failure to write prints only the problem lines
    emit_compare(cmp, prov, fmt, show_all, base.params.episode.year)
    if show_summary:
        from rebound.cli.summary import summary_for

        for name, sc in zip(cmp.scenarios, loadeds, strict=True):
            click.echo("\n" + summary_for(cmp, base, sc, name, lang), err=fmt != "table")


def write_compare(cmp: Any, base: Any, prov: dict[str, Any], out_dir: Path) -> None:
    from rebound.cli import chart_scenarios as charts
    from rebound.cli.chart_effects import effect_png
    from rebound.cli.tables import labelled
    from rebound.writers import csv_bytes, json_bytes, write_all

    title = f"{base.params.episode.name}: scenarios vs baseline"
    files = {
        "compare.csv": csv_bytes(labelled(cmp.table)),
        "effect.png": effect_png(cmp, base.params.lockdown.phases, base.params.episode.year, title),
        "paths.png": charts.paths_png(cmp, base.params.lockdown.phases, base.params.episode.year, title),
        "deltas.png": charts.deltas_png(cmp.table, base.params.episode.year, title),
        "provenance.json": json_bytes(prov),
    }
    write_all(out_dir, files)


def emit_compare(cmp: Any, prov: dict[str, Any], fmt: str, show_all: bool, year: int) -> None:
    emit(cmp.table, prov, fmt, lambda: render_compare(shown_rows(cmp.table, year, show_all), prov, cmp.n_draws))


def render_compare(df: Any, prov: dict[str, Any], n_draws: int) -> str:
    from rebound.cli.fmt import num, table

    ens = n_draws > 1
    header = ["indicator", "period", "measure", "reported", "baseline", "scenario", "value", "delta", "亿元"]
    if ens:
        header += ["delta 5-95%", "亿元 5-95%"]
    header.append("note")
    rows: list[list[str]] = []
    last = None
    computed = df[df["baseline"].notna()]
    context = df[df["baseline"].isna()].drop_duplicates(["indicator", "measure", "period_start", "period_end", "compare_start", "compare_end"])
    rank = {ind: i for i, ind in enumerate(("gdp", "industry", "retail", "retail_above_quota", "fai"))}
    order = computed.assign(_r=computed["indicator"].map(rank).fillna(99), _o=range(len(computed)))
    order = order.sort_values(["_r", "period_start", "period_end", "measure", "compare_start", "_o"], kind="stable")
    for r in order.itertuples():
        fig_key = (r.indicator, r.measure, r.period_start, r.period_end, r.compare_start, r.compare_end)
        first = fig_key != last
        last = fig_key
        ind, per = figure_label(r)
        row = [ind if first else "", per if first else "", r.measure if first else "", num(r.reported) if first else "", num(r.baseline, 2) if first else "", r.scenario, num(r.value, 2), f"{r.delta:+.2f}", _yuan(r.delta_100m_yuan)]
        if ens:
            row += [f"{r.delta_p05:+.2f}..{r.delta_p95:+.2f}", f"{_yuan(r.delta_100m_yuan_p05)}..{_yuan(r.delta_100m_yuan_p95)}" if r.delta_100m_yuan_p05 == r.delta_100m_yuan_p05 else ""]
        row.append(r.role if first and r.role else "")
        rows.append(row)
    for r in context.itertuples():
        ind, per = figure_label(r)
        row = [ind, per, r.measure, num(r.reported), "", "", "", "", ""]
        if ens:
            row += ["", ""]
        row.append(r.note)
        rows.append(row)
    head = f"compare · baseline {prov.get('baseline')} · rebound {prov.get('version')} · " + (f"seed {prov.get('seed')} · ensemble {n_draws} (paired draws)" if ens else "point estimate (use --ensemble N for intervals)")
    foot = "units: % y/y for growth figures, pp for changes, 亿元 for levels; delta = scenario − baseline; 亿元: the effect on the figure's level over its period (real for GDP and industry, nominal otherwise)"
    return head + "\n" + table(rows, header) + "\n" + foot


def _yuan(x: float) -> str:
    return "" if x != x else f"{x:+.1f}"
