"""``rebound calibrate`` and ``rebound backtest``."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from rebound.api import DEFAULT_SEED
from rebound.cli.common import handle_input_errors


@click.command("calibrate")
@click.argument("params_file", metavar="PARAMS", type=click.Path(path_type=Path))
@click.option("--write", "write_to", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write a calibrated parameter file here (comments kept; the calibration is recorded in it). May be PARAMS itself.")
@click.option("--cutoff", default=None, metavar="YYYY-MM", help="Fit only figures whose period ends by this month (what was known then).")
@click.option("--exclude", "exclude", multiple=True, metavar="FIGURE", help="Leave out a figure by its label or a prefix of it, e.g. 'industry yoy_month_pct 2022-08' (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@handle_input_errors
def calibrate(params_file: Path, write_to: Path | None, cutoff: str | None, exclude: tuple[str, ...], fmt: str) -> None:
    """Fit the free parameters to the reported figures (regularised least squares).

    \b
    Examples:
      rebound calibrate params/changchun_2022.toml
      rebound calibrate params/changchun_2022.toml --format json
      rebound calibrate params/changchun_2022.toml --write out/changchun_2022_calibrated.toml
      rebound calibrate params/changchun_2022.toml --cutoff 2022-06
      rebound calibrate params/changchun_2022.toml --exclude "industry yoy_month_pct 2022-08"

    Prints each fitted figure (reported, model, residual, standardised residual), each free
    parameter (prior, estimate, 90% interval, whether data or prior determine it), and the
    diagnostics: under-identification, flat directions, convergence.
    """
    from rebound import api
    from rebound.fit import pipeline

    loaded = api.load(params_file)
    pipeline.load_observations(loaded)  # a missing observed-data file fails before the message
    click.echo(f"calibrating {len(loaded.params.calibration.free)} free parameters...", err=True)
    if cutoff is not None:
        _check_month(cutoff, "--cutoff")
    from rebound.cli.busy import busy

    with busy("calibrating"):
        fitted = api.calibrate(loaded, cutoff=cutoff, exclude=exclude)
    result = fitted.result
    if write_to is not None:  # written first: a failure to write prints only the problem lines
        fitted.write(write_to)
    if fmt == "json":
        click.echo(json.dumps(as_json(result), ensure_ascii=False, indent=2))
    else:
        click.echo(render(result, str(params_file)))
    if write_to is not None:
        click.echo(f"wrote {write_to}", err=True)


def _check_month(text: str, option: str) -> None:
    import re

    from rebound.problems import InputError, Problem

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise InputError([Problem(option, None, option.lstrip("-"), f"'{text}' is not a month YYYY-MM")])


def as_json(result: Any) -> dict[str, Any]:
    d = asdict(result)
    for f, src in zip(d["figures"], result.figures, strict=True):
        f["residual"] = src.residual
        f["standardised_residual"] = src.standardised
    for p, src in zip(d["params"], result.params, strict=True):
        p["determined_by"] = src.determined_by
    return d


def render(result: Any, name: str) -> str:
    from rebound.cli.fmt import num, table

    out = [f"calibration of {name}: objective {result.objective:.3f}, {'converged' if result.converged else 'NOT converged'} ({result.message}); {result.n_runs} engine runs, {result.n_draws_total} draws"]
    rows = [[f.label, num(f.reported), num(f.model, 2), num(f.residual, 2), num(f.standardised, 2)] for f in result.figures]
    out.append("")
    out.append(table(rows, ["figure", "reported", "model", "residual", "std.resid"]) if rows else "no fit figures")
    prow = [
        [p.key, f"{p.prior}({p.centre:g}, {p.spread:g})", f"{p.estimate:.4g}", f"{p.low90:.4g}..{p.high90:.4g}", f"{p.shrinkage:.2f}", f"{p.moved_sd:+.2f}", p.determined_by]
        for p in result.params
    ]
    out.append("")
    out.append(table(prow, ["parameter", "prior", "estimate", "90% interval", "shrinkage", "moved (prior sd)", "determined by"]) if prow else "no free parameters")
    if result.flat_directions:
        out.append("")
        out.append("flat directions (combinations the figures do not pin down):")
        out += [f"  {d}" for d in result.flat_directions]
    if result.excluded:
        out.append("")
        out.append("fit figures the model cannot compute (kept out of the fit):")
        out += [f"  {e}" for e in result.excluded]
    if result.warnings:
        out.append("")
        out += [f"warning: {w}" for w in result.warnings]
    return "\n".join(out)


@click.command("backtest")
@click.argument("params_file", metavar="PARAMS", type=click.Path(path_type=Path))
@click.option("--cutoff", required=True, help="Fit on figures whose period ends by this month (YYYY-MM); predict the later ones.")
@click.option("--ensemble", "n_draws", type=click.IntRange(0, 100000), default=200, show_default=True, help="Draws from the cutoff posterior for prediction intervals.")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=DEFAULT_SEED, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@handle_input_errors
def backtest(params_file: Path, cutoff: str, n_draws: int, seed: int, fmt: str) -> None:
    """Fit on figures up to a cutoff month and score the prediction of later ones.

    \b
    Example:
      rebound backtest params/changchun_2022.toml --cutoff 2022-06
    """
    import re

    from rebound.api import load
    from rebound.cli.common import fail_one
    from rebound.cli.fmt import num, table
    from rebound.fit import pipeline
    from rebound.fit.backtest import backtest as run_backtest

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", cutoff):
        fail_one("--cutoff", f"'{cutoff}' is not a month like 2022-06")
    loaded = load(params_file)
    pipeline.load_observations(loaded)  # a missing observed-data file fails before the message
    click.echo(f"fitting on figures up to {cutoff}...", err=True)
    from rebound.cli.busy import busy

    with busy(f"backtest at {cutoff}"):
        bt = run_backtest(loaded, cutoff, n_draws=n_draws, seed=seed)
    if fmt == "json":
        click.echo(json.dumps(bt, ensure_ascii=False, indent=2, default=str))
        return
    rows = [[r["figure"], num(r["reported"]), num(r["predicted"], 2), f"{num(r['p05'], 1)}..{num(r['p95'], 1)}", num(r["error"], 2)] for r in bt["predictions"]]
    click.echo(f"backtest of {params_file}: fitted on {bt['n_fitted']} figures ending by {cutoff}; seed {seed}, {n_draws} draws")
    click.echo(table(rows, ["later figure", "reported", "predicted (median)", "90% predictive interval", "error"]) if rows else "no later fit figures to predict")
    if bt["predictions"]:
        click.echo(f"mean absolute error {bt['mae']:.2f} pp over {len(rows)} figures")
    for w in bt["warnings"]:
        click.echo(f"warning: {w}")
