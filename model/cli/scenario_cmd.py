"""``rebound compare | attribute | sweep``: counterfactuals against the calibrated baseline."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from rebound.cli.common import FORMAT_OPTION, fail_one, handle_input_errors
from rebound.cli.run_cmd import ensemble_option, out_option, seed_option

PERIOD = re.compile(r"^(\d{4}-\d{2})(?:\.\.(\d{4}-\d{2}))?$")


# --- shared helpers -------------------------------------------------------------------------


@contextmanager
def progress_bar(label: str, total: int, min_total: int = 2) -> Iterator[Callable[[int, int], None]]:
    """A ``progress(done, total)`` callback drawing a bar on stderr (quiet for tiny jobs)."""
    if total < min_total:
        yield lambda done, tot: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        state = {"done": 0}

        def update(done: int, tot: int) -> None:
            bar.update(max(0, done - state["done"]))
            state["done"] = done

        yield update


def parse_period(text: str, option: str = "--period") -> tuple[str, str]:
    """``2022-01..2022-06`` (or one month ``2022-07``) -> (start, end)."""
    m = PERIOD.match(text.strip())
    if not m:
        fail_one(option, f"'{text}' is not a period; write YYYY-MM..YYYY-MM (e.g. 2022-01..2022-06) or one month YYYY-MM")
    assert m is not None
    start, end = m.group(1), m.group(2) or m.group(1)
    for p in (start, end):
        if not 1 <= int(p[5:7]) <= 12:
            fail_one(option, f"'{p}' has no month {p[5:7]}")
    if end < start:
        fail_one(option, f"period ends ({end}) before it starts ({start})")
    return start, end


def provenance_for(loadeds: list[Any], seed: int | None, n_draws: int, command: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    from rebound.fit import pipeline

    files: dict[str, str] = {}
    for ld in loadeds:
        files.update(ld.hashes())
        obs = pipeline.observed_file(ld)
        if obs is not None and obs.exists():
            files[str(obs)] = pipeline.sha256_file(obs)
    base = pipeline.provenance(loadeds[0], seed if seed is not None else 0, n_draws)
    base["inputs"] = files
    base["seed"] = seed
    base["command"] = command
    base["argv"] = sys.argv[1:]
    base["created"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    if extra:
        base.update(extra)
    return base


def load_scenarios(paths: tuple[Path, ...]) -> tuple[Any, list[Any]]:
    """(base parameter set, scenarios); the base is the first file of the first chain."""
    import os

    from rebound.params.load import load

    scenarios = [load(p) for p in paths]
    first = scenarios[0].files[0].path.resolve()
    try:
        first = Path(os.path.relpath(first)) if first.is_relative_to(Path.cwd().resolve()) else first
    except ValueError:
        pass
    base = load(first)
    return base, scenarios



def scheduler_option(f: Any) -> Any:
    return click.option(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help='Run the batches on a Dask distributed scheduler (e.g. tcp://10.0.0.5:8786); needs pip install "rebound[distributed]". Results are identical to a local run.',
    )(f)


@contextmanager
def executor_ctx(scheduler: str | None) -> Iterator[Any]:
    from rebound.scenarios.distribute import executor_for

    ex = executor_for(scheduler)
    try:
        yield ex
    finally:
        close = getattr(ex, "close", None)
        if close is not None:
            close()


# --- compare --------------------------------------------------------------------------------


@click.command("compare")
@click.argument("scenario_files", metavar="SCENARIO...", nargs=-1, required=True, type=click.Path(path_type=Path))
@ensemble_option
@seed_option
@FORMAT_OPTION
@out_option
@click.option("--all", "show_all", is_flag=True, help="Show every standard monthly/quarterly figure, not only reported and key ones.")
@click.option("--unpaired", is_flag=True, hidden=True, help="Diagnostics: shuffle the scenario draws against the baseline's.")
@scheduler_option
@handle_input_errors
def compare(scenario_files: tuple[Path, ...], n_draws: int, seed: int, fmt: str, out_dir: Path | None, show_all: bool, unpaired: bool, scheduler: str | None) -> None:
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
    from rebound.scenarios import core as sc

    base, loadeds = load_scenarios(scenario_files)
    with executor_ctx(scheduler) as ex, progress_bar("simulating", len(loadeds) + 1, min_total=4 if n_draws < 500 else 1) as prog:
        cmp = sc.compare_runs(base, loadeds, n_draws, seed, paired=not unpaired, progress=prog, executor=ex)
    prov = provenance_for([base, *loadeds], seed if n_draws else None, n_draws, "compare", {"scenarios": list(cmp.scenarios), "baseline": str(base.path), "paired": not unpaired})
    emit_compare(cmp, prov, fmt, show_all, base.params.episode.year)
    if out_dir is not None:
        write_compare(cmp, base, prov, out_dir)
        click.echo(f"wrote {out_dir}/compare.csv, paths.png, deltas.png, provenance.json", err=True)


def write_compare(cmp: Any, base: Any, prov: dict[str, Any], out_dir: Path) -> None:
    from rebound.cli import charts
    from rebound.writers import csv_bytes, json_bytes, write_all

    title = f"{base.params.episode.name}: scenarios vs baseline"
    files = {
        "compare.csv": csv_bytes(cmp.table),
        "paths.png": charts.paths_png(cmp, base.params.lockdown.phases, base.params.episode.year, title),
        "deltas.png": charts.deltas_png(cmp.table, base.params.episode.year, title),
        "provenance.json": json_bytes(prov),
    }
    write_all(out_dir, files)


def shown_rows(table: Any, year: int, show_all: bool) -> Any:
    """Reported figures and key figures (H1, full year), or everything with --all."""
    if show_all:
        return table
    key = (table["measure"] == "yoy_cum_pct") & table["period_end"].isin([f"{year}-06", f"{year}-12"])
    return table[table["reported"].notna() | key]


def emit(df: Any, prov: dict[str, Any], fmt: str, render: Callable[[], str]) -> None:
    """Write a result table to stdout as CSV, JSON (with provenance) or the rendered table."""
    import json

    if fmt == "csv":
        sys.stdout.write(df.to_csv(index=False, float_format="%.10g"))
    elif fmt == "json":
        payload = {"provenance": prov, "rows": json.loads(df.to_json(orient="records", force_ascii=False))}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(render())


def emit_compare(cmp: Any, prov: dict[str, Any], fmt: str, show_all: bool, year: int) -> None:
    emit(cmp.table, prov, fmt, lambda: render_compare(shown_rows(cmp.table, year, show_all), prov, cmp.n_draws))


def figure_label(r: Any) -> tuple[str, str]:
    from rebound.cli.fmt import indicator_label, period_label

    per = period_label(r.period_start, r.period_end, r.measure)
    if r.compare_start:
        per += f" vs {period_label(r.compare_start, r.compare_end)}"
    return indicator_label(r.indicator), per


def render_compare(df: Any, prov: dict[str, Any], n_draws: int) -> str:
    from rebound.cli.fmt import num, table

    ens = n_draws > 1
    header = ["indicator", "period", "measure", "reported", "baseline", "scenario", "value", "delta"]
    if ens:
        header.append("delta 5-95%")
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
        row = [ind if first else "", per if first else "", r.measure if first else "", num(r.reported) if first else "", num(r.baseline, 2) if first else "", r.scenario, num(r.value, 2), f"{r.delta:+.2f}"]
        if ens:
            row.append(f"{r.delta_p05:+.2f}..{r.delta_p95:+.2f}")
        row.append(r.role if first and r.role else "")
        rows.append(row)
    for r in context.itertuples():
        ind, per = figure_label(r)
        row = [ind, per, r.measure, num(r.reported), "", "", "", ""]
        if ens:
            row.append("")
        row.append(r.note)
        rows.append(row)
    head = f"compare · baseline {prov.get('baseline')} · rebound {prov.get('version')} · " + (f"seed {prov.get('seed')} · ensemble {n_draws} (paired draws)" if ens else "point estimate (use --ensemble N for intervals)")
    foot = "units: % y/y for growth figures, pp for changes, 亿元 for levels; delta = scenario − baseline"
    return head + "\n" + table(rows, header) + "\n" + foot


# --- attribute ------------------------------------------------------------------------------


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
    from rebound.params.load import load
    from rebound.scenarios import core as sc

    start, end = parse_period(period)
    cs, ce = parse_period(compare_period, "--compare-period") if compare_period else ("", "")
    loaded = load(params_file)
    n_lev = len(sc.lever_players(loaded.params))
    total = (n_draws + 1) * (1 << n_lev)
    chunk = sc.chunk_size(366 * 2)
    with executor_ctx(scheduler) as ex, progress_bar(f"simulating {1 << n_lev} coalitions x {n_draws + 1} draws", total, min_total=20_000) as prog:
        attr = sc.attribute(loaded, indicator, start, end, measure, n_draws, seed, compare_start=cs, compare_end=ce, max_draws_per_run=min(chunk, max(2000, total // 10)) if total >= 20_000 else None, progress=prog, executor=ex)
    prov = provenance_for([loaded], seed if n_draws else None, n_draws, "attribute", {"figure": {"indicator": indicator, "measure": measure, "period": [start, end], "compare": [cs, ce]}, "levers": attr.levers})
    df = attr.table
    emit(df, prov, fmt, lambda: render_attribution(attr, prov))
    if out_dir is not None:
        from rebound.cli import charts
        from rebound.writers import csv_bytes, json_bytes, write_all

        write_all(
            out_dir,
            {
                "attribution.csv": csv_bytes(df),
                "attribution.png": charts.waterfall_png(attr, loaded.params.episode.name),
                "provenance.json": json_bytes(prov),
            },
        )
        click.echo(f"wrote {out_dir}/attribution.csv, attribution.png, provenance.json", err=True)


def render_attribution(attr: Any, prov: dict[str, Any]) -> str:
    from rebound.cli.fmt import indicator_label, num, period_label, table

    s = attr.spec
    ens = attr.n_draws > 1
    unit = "亿元" if s.measure == "level_100m_yuan" else "pp"
    header = ["", "value", "share of gap"]
    if ens:
        header.insert(2, "5-95%")
    rows = []
    for r in attr.table.itertuples():
        label = {"no_policy": "no policy (all levers off)", "baseline": "baseline (all levers on)", "total": "policy effect (baseline − no policy)"}.get(r.item, f"  {r.item}")
        val = f"{r.value:+.3f}" if r.kind != "level" else f"{r.value:.3f}"
        row = [label, val, f"{100 * r.share_of_gap:.1f}%" if r.kind == "lever" and r.share_of_gap == r.share_of_gap else ""]
        if ens:
            row.insert(2, f"{num(r.p05, 3)}..{num(r.p95, 3)}")
        rows.append(row)
    per = period_label(s.period_start, s.period_end, s.measure)
    head = f"attribution · {indicator_label(s.indicator)} · {per} · {s.measure} ({unit}) · rebound {prov.get('version')}" + (f" · seed {prov.get('seed')} · ensemble {attr.n_draws}" if ens else " · point estimate")
    foot = "Shapley values: each lever's effect averaged over all orders of switching the levers on; the shares add up to the policy effect."
    return head + "\n" + table(rows, header) + "\n" + foot


# --- sweep ----------------------------------------------------------------------------------


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
    from rebound.data.vocab import DEFAULT_BASIS
    from rebound.params.load import load
    from rebound.scenarios import core as sc

    key, start, stop, n = parse_set(setting)
    loaded = load(params_file)
    year = loaded.params.episode.year
    specs = None
    if indicators:
        periods = [parse_period(period)] if period else [(f"{year}-01", f"{year}-06"), (f"{year}-01", f"{year}-12")]
        specs = [sc.make_spec(ind, measure, a, b, basis=DEFAULT_BASIS.get(ind, ""), file="--indicator") for ind in indicators for a, b in periods]
    elif period:
        fail_one("--period", "give --indicator with --period")
    with executor_ctx(scheduler) as ex, progress_bar(f"sweeping {key}", n, min_total=8) as prog:
        df = sc.sweep(loaded, key, start, stop, n, specs, progress=prog, executor=ex)
    prov = provenance_for([loaded], None, 0, "sweep", {"key": key, "range": [start, stop, n]})
    emit(df, prov, fmt, lambda: render_sweep(df, prov))
    if out_dir is not None:
        from rebound.cli import charts
        from rebound.writers import csv_bytes, json_bytes, write_all

        write_all(out_dir, {"sweep.csv": csv_bytes(df), "sweep.png": charts.sweep_png(df, loaded.params.episode.name), "provenance.json": json_bytes(prov)})
        click.echo(f"wrote {out_dir}/sweep.csv, sweep.png, provenance.json", err=True)


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
