"""``rebound sweep``: the response of figures to one parameter (a lever's size, a date, any number)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from rebound.cli.common import FORMAT_OPTION, fail_one, handle_input_errors
from rebound.cli.run_cmd import out_option
from rebound.cli.scenario_common import (
    emit,
    executor_ctx,
    parse_period,
    progress_bar,
    provenance_for,
    scheduler_option,
)


def parse_set(text: str) -> tuple[str, str, str, int]:
    """``KEY=START:STOP:N`` -> (key, start, stop, n)."""
    if "=" not in text:
        fail_one("--set", f"'{text}' should look like KEY=START:STOP:N (e.g. levers.vouchers.scale=0:3:7)")
    key, rng = text.split("=", 1)
    parts = rng.split(":")
    if len(parts) != 3:
        fail_one("--set", f"'{rng}' should be START:STOP:N (e.g. 0:3:7 or 2022-04-20:2022-05-30:9)")
    try:
        n = int(parts[2])
    except ValueError:
        n = 0
    if not 1 <= n <= 10_000:
        fail_one("--set", f"N must be a whole number from 1 to 10000 (got '{parts[2]}')")
    return key.strip(), parts[0].strip(), parts[1].strip(), n


@click.command("sweep")
@click.argument("params_file", metavar="SCENARIO", type=click.Path(path_type=Path))
@click.option("--set", "setting", required=True, help="KEY=START:STOP:N — the parameter and its range (numbers or dates).")
@click.option("--indicator", "indicators", multiple=True, help="Indicator id (repeatable); default: GDP, industry, above-quota retail, FAI.")
@click.option("--period", default=None, help="Period YYYY-MM..YYYY-MM for --indicator (default: H1 and full year).")
@click.option("--measure", default="yoy_cum_pct", show_default=True, help="Measure for --indicator.")
@FORMAT_OPTION
@out_option
@scheduler_option
@handle_input_errors
def sweep(params_file: Path, setting: str, indicators: tuple[str, ...], period: str | None, measure: str, fmt: str, out_dir: Path | None, scheduler: str | None) -> None:
    """Response of figures to one parameter: a lever's size, a date, any number.

    \b
    Examples:
      rebound sweep params/changchun_2022.toml --set levers.vouchers.scale=0:4:9
      rebound sweep params/changchun_2022.toml --set "lockdown.phases[1].end=2022-04-20:2022-05-30:9" \\
          --indicator gdp --indicator retail_above_quota --period 2022-01..2022-06 --out out/sweep

    A numeric key runs once with the swept values side by side (vectorised); a date key runs
    once per value. Every value is validated like an edit of the file (bounds, date order).
    Point estimate only. With --out DIR: sweep.csv, sweep.png, provenance.json.
    """
    from rebound import api
    from rebound.data.vocab import DEFAULT_BASIS
    from rebound.scenarios import make_spec

    key, start, stop, n = parse_set(setting)
    loaded = api.load(params_file)
    year = loaded.params.episode.year
    specs = None
    if indicators:
        periods = [parse_period(period)] if period else [(f"{year}-01", f"{year}-06"), (f"{year}-01", f"{year}-12")]
        specs = [make_spec(ind, measure, a, b, basis=DEFAULT_BASIS.get(ind, ""), file="--indicator") for ind in indicators for a, b in periods]
    elif period:
        fail_one("--period", "give --indicator with --period")
    with executor_ctx(scheduler) as ex, progress_bar(f"sweeping {key}", n, min_total=8) as prog:
        df = api.sweep(loaded, key, start, stop, n, specs=specs, progress=prog, executor=ex)
    prov = provenance_for([loaded], None, 0, "sweep", {"key": key, "range": [start, stop, n]})
    if out_dir is not None:
        from rebound.cli import chart_levers as charts
        from rebound.cli.tables import labelled
        from rebound.writers import csv_bytes, json_bytes, write_all

        write_all(out_dir, {"sweep.csv": csv_bytes(labelled(df)), "sweep.png": charts.sweep_png(df, loaded.params.episode.name), "provenance.json": json_bytes(prov)})
        click.echo(f"wrote {out_dir}/sweep.csv, sweep.png, provenance.json", err=True)
    # printed after the outputs are written: a failure to write prints only the problem lines
    emit(df, prov, fmt, lambda: render_sweep(df, prov))


def render_sweep(df: Any, prov: dict[str, Any]) -> str:
    from rebound.cli.charts import period_text
    from rebound.cli.fmt import table

    key = str(df["key"].iloc[0])
    cols = list(dict.fromkeys(zip(df["indicator"], df["measure"], df["period_start"], df["period_end"], strict=True)))
    header = [key] + [f"{i} {period_text(a, b)}" + ("" if m == "yoy_cum_pct" else f" {m}") for i, m, a, b in cols]
    rows = []
    for x, g in df.groupby("x_label", sort=False):
        vals = {(r.indicator, r.measure, r.period_start, r.period_end): r.value for r in g.itertuples()}
        mark = " *" if str(x) == str(df["current"].iloc[0]) or _same_number(str(x), str(df["current"].iloc[0])) else ""
        rows.append([f"{x}{mark}"] + [f"{vals[c]:.2f}" for c in cols])
    head = f"sweep · {key} · rebound {prov.get('version')} · point estimate; values in % y/y (pp for changes)"
    return head + "\n" + table(rows, header) + "\n* = the value in the file"


def _same_number(a: str, b: str) -> bool:
    try:
        return abs(float(a) - float(b)) < 1e-12
    except ValueError:
        return False
