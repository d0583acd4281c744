"""``rebound run``: reported vs model figures for an episode or scenario."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from rebound.api import DEFAULT_SEED
from rebound.cli.common import FORMAT_OPTION, handle_input_errors
from rebound.cli.fmt import wide_option


def seed_option(f: Any) -> Any:
    return click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=DEFAULT_SEED, show_default=True, help="Seed of the random draws (recorded in summary.json).")(f)


def ensemble_option(f: Any) -> Any:
    return click.option(
        "--ensemble",
        "n_draws",
        type=click.IntRange(0, 1_000_000),
        default=0,
        show_default=True,
        help="Number of draws for the 5-95% predictive bands (every uncertain number from its posterior or prior, the discrepancy and rounding); 0 = point estimate only. 500 or more run on compiled kernels.",
    )(f)


def out_option(f: Any) -> Any:
    return click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Write output files into this directory (created if needed; other files in it are left alone).")(f)


@click.command("run")
@click.argument("params_file", metavar="PARAMS_OR_SCENARIO", type=click.Path(path_type=Path))
@ensemble_option
@seed_option
@FORMAT_OPTION
@out_option
@click.option("--all", "show_all", is_flag=True, help="Show every standard monthly/quarterly figure, not only the reported ones.")
@wide_option
@handle_input_errors
def run(params_file: Path, n_draws: int, seed: int, fmt: str, out_dir: Path | None, show_all: bool) -> None:
    """Run an episode (parameter file) or a scenario and print reported vs model figures.

    \b
    Examples:
      rebound run params/changchun_2022.toml
      rebound run scenarios/changchun_2022/no_vouchers.toml --ensemble 500 --out out/nv
      rebound run params/changchun_2022.toml --format csv > indicators.csv

    With --out DIR it writes indicators.csv (every standard figure for every month, reported
    where a bulletin printed it), paths.csv (daily potential, capacity, output per sector) and
    summary.json (version, input file hashes, seed, lever ledger, event log).
    """
    from rebound import api
    from rebound.cli.scenario_common import progress_bar

    loaded = api.load(params_file)
    steps = 2 if out_dir is not None else 1
    with progress_bar(f"run ({n_draws} draws)", steps, min_total=1 if n_draws >= 200 and sys.stderr.isatty() else 99) as prog:
        out = api.run(loaded, n_draws, seed)
        prog(1, steps)
        if out_dir is not None:  # outputs first: a failure to write prints only the problem lines
            write_run(out, out_dir, loaded)
            prog(2, steps)
    emit(out, fmt, show_all)
    if out_dir is not None:
        click.echo(f"wrote {out_dir}/indicators.csv, paths.csv, summary.json, fit.png", err=True)


def write_run(out: Any, out_dir: Path, loaded: Any = None) -> None:
    from rebound.cli.chart_effects import fit_png
    from rebound.cli.tables import labelled
    from rebound.writers import csv_bytes, json_bytes, write_all

    files: dict[str, bytes] = {}
    if loaded is not None:
        p = loaded.params
        files["fit.png"] = fit_png(out.indicators, p.lockdown.phases, p.episode.year, f"{p.episode.name}: {p.episode.region}")

    write_all(
        out_dir,
        {
            "indicators.csv": csv_bytes(labelled(out.indicators)),
            "paths.csv": csv_bytes(out.paths),
            "summary.json": json_bytes({**out.summary, "units": UNITS_NOTE}),
            **files,
        },
    )


UNITS_NOTE = {
    "ledger": "亿元 (100m yuan), nominal, per lever item over the simulated horizon",
    "fit.max_abs_residual_pp": "percentage points",
    "fit.rmse_pp": "percentage points",
    "indicators": "yoy_*_pct: % y/y; pp_*: percentage points; level_100m_yuan: 亿元 (see the unit column of indicators.csv)",
}


def emit(out: Any, fmt: str, show_all: bool) -> None:
    import json

    import pandas as pd

    df: pd.DataFrame = out.indicators
    if fmt == "csv":
        sys.stdout.write(df.to_csv(index=False, float_format="%.10g"))
        return
    if fmt == "json":
        payload = {"summary": out.summary, "indicators": json.loads(df.to_json(orient="records", force_ascii=False))}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        return
    click.echo(render_table(df, out.summary, show_all))


def render_table(df: Any, summary: dict[str, Any], show_all: bool) -> str:
    from rebound.cli.fmt import indicator_label, num, period_label, table

    shown = df if show_all else df[df["reported"].notna()]
    ens = "p05" in df.columns
    header = ["indicator", "period", "measure", "reported", "model" + (" (median)" if ens else ""), "resid"]
    if ens:
        header += ["point", "90% predictive interval"]
    header += ["role", "note"]
    rows = []
    for r in shown.itertuples():
        row = [
            indicator_label(r.indicator),
            period_label(r.period_start, r.period_end, r.measure) + (f" vs {period_label(r.compare_start, r.compare_end)}" if r.compare_start else ""),
            r.measure,
            num(r.reported),
            num(r.model),
            num(r.residual),
        ]
        if ens:
            row += [num(r.point), f"{num(r.p05)}..{num(r.p95)}" if num(r.p05) else ""]
        row += [r.role, r.note]
        rows.append(row)
    head = f"{summary.get('episode')} · scenario {summary.get('scenario')} · rebound {summary.get('version')} · seed {summary.get('seed')} · ensemble {summary.get('ensemble')}"
    fit = summary.get("fit", {})
    foot = ""
    if fit.get("n_fit"):
        foot = f"\nfit figures: {fit['n_fit']}, largest |residual| {fit['max_abs_residual_pp']:.2f} pp, RMSE {fit['rmse_pp']:.2f} pp (units: % y/y, pp, 亿元)"
    for w in summary.get("warnings", []):
        foot += f"\nwarning: {w}"
    if ens:
        foot += f"\n{summary.get('band', '')}"
    return head + "\n" + table(rows, header) + foot
