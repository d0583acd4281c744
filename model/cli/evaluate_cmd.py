"""``rebound evaluate``: a score card of the model and a naive forecast on held-out figures."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import click

from rebound.api import DEFAULT_SEED
from rebound.cli.common import FORMAT_OPTION, handle_input_errors
from rebound.problems import InputError, Problem

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
CSV_COLUMNS = [
    "figure", "indicator", "measure", "period_start", "period_end", "compare_start", "compare_end", "reported",
    "median", "point", "p05", "p25", "p75", "p95", "covered50", "covered90", "abs_error", "interval_score",
    "naive", "naive_p05", "naive_p25", "naive_p75", "naive_p95", "naive_covered50", "naive_covered90",
    "naive_abs_error", "naive_interval_score", "naive_rule", "reason",
]


@click.command("evaluate")
@click.argument("params_file", metavar="PARAMS", type=click.Path(path_type=Path))
@click.option("--holdout", "holdout_file", required=True, type=click.Path(path_type=Path), help="Observed-data CSV of the figures to predict (same columns as data/observed/*.csv); its fit rows are scored.")
@click.option("--cutoff", default=None, help="Refit the free parameters on fit figures ending by this month (YYYY-MM) first, never on a held-out one.")
@click.option("--ensemble", "n_draws", type=click.IntRange(1, 1_000_000), default=400, show_default=True, help="Draws for the predictive bands.")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=DEFAULT_SEED, show_default=True, help="Seed of every random draw.")
@FORMAT_OPTION
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Also write scorecard.csv and scorecard.json into this directory.")
@handle_input_errors
def evaluate(params_file: Path, holdout_file: Path, cutoff: str | None, n_draws: int, seed: int, fmt: str, out_dir: Path | None) -> None:
    """Score the model's 90% predictive intervals on held-out figures, beside a naive forecast.

    For each held-out figure: reported value, predictive median, 50% and 90% bands, covered
    or not, absolute error and interval score (alpha = 0.1: band width plus 20 x the miss).
    The naive forecast is the reference series x loading + offset (no lockdown, no levers)
    with a band from its own errors on the figures not held out. A lower mean interval score
    wins.

    \b
    Examples:
      rebound evaluate params/changchun_2022.toml --holdout later.csv --cutoff 2022-06
      rebound evaluate params/changchun_2022.toml --holdout later.csv --cutoff 2022-06 --ensemble 1000 --out out/score
      rebound evaluate params/jinzhong_2022.toml --holdout new_figures.csv --format json

    Held-out figures are never fitted, even when they end before the cutoff. Without --cutoff
    the file's calibration is used as it is; if it was fitted on a held-out figure the score
    is in-sample, and the card says so. docs/validation.md has the project's own score cards.
    """
    from rebound.api import load
    from rebound.data.observed import load_observed
    from rebound.fit.evaluate import evaluate as score

    problems: list[Problem] = []
    if cutoff is not None and not _MONTH.match(cutoff):
        problems.append(Problem("--cutoff", None, "cutoff", f"'{cutoff}' is not a month written YYYY-MM (e.g. 2022-06)"))
    holdout = _collect(lambda: load_observed(holdout_file), problems)
    loaded = _collect(lambda: load(params_file), problems)
    if problems or holdout is None or loaded is None:
        raise InputError(problems)
    from rebound.cli.busy import busy

    with busy("evaluate"):
        card = score(loaded, holdout, cutoff, n_draws, seed)
    if out_dir is not None:
        from rebound.cli.tables import labelled
        from rebound.writers import csv_bytes, json_bytes, write_all

        write_all(out_dir, {"scorecard.csv": csv_bytes(labelled(card_frame(card))), "scorecard.json": json_bytes(card.to_json())})
        click.echo(f"wrote {out_dir}/scorecard.csv, scorecard.json", err=True)
    # printed after the outputs are written: a failure to write prints only the problem lines
    emit(card, fmt)


def _collect(thunk: Any, problems: list[Problem]) -> Any:
    """Call ``thunk``; an :class:`InputError` adds its problems and gives None."""
    try:
        return thunk()
    except InputError as err:
        problems.extend(err.problems)
        return None


def card_frame(card: Any) -> Any:
    """Scored and not-scored rows in one table (``reason`` empty for scored rows)."""
    import pandas as pd

    scored = card.scored.assign(reason="")
    frame = pd.concat([scored, card.not_scored], ignore_index=True) if len(card.not_scored) else scored
    return frame.reindex(columns=CSV_COLUMNS)


def emit(card: Any, fmt: str) -> None:
    if fmt == "csv":
        sys.stdout.write(card_frame(card).to_csv(index=False, float_format="%.10g"))
        return
    if fmt == "json":
        click.echo(json.dumps(card.to_json(), ensure_ascii=False, indent=2, default=str))
        return
    click.echo(render_table(card))


def _band(lo: float, hi: float) -> str:
    from rebound.cli.fmt import num

    return f"{num(lo)}..{num(hi)}"


def render_table(card: Any) -> str:
    """The score card as text: one row per figure, then the two summaries."""
    from rebound.cli.fmt import num, table

    s = card.summary
    rows = []
    for r in card.scored.itertuples():
        rows.append([
            r.figure, num(r.reported), num(r.median), _band(r.p25, r.p75), _band(r.p05, r.p95), "yes" if r.covered90 else "NO",
            num(r.interval_score), num(r.naive), _band(r.naive_p05, r.naive_p95), "yes" if r.naive_covered90 else "NO", num(r.naive_interval_score),
        ])
    head = [
        f"score card · {s['episode']} · cutoff {s['cutoff'] or 'none (file calibration)'} · seed {s['seed']} · ensemble {s['ensemble']}",
        f"fitted on {len(s['fitted'])} figure(s); model = predictive median, bands = 50% and 90% predictive interval ({s['band']})",
    ]
    header = ["figure", "reported", "model", "50% band", "90% predictive interval", "in 90%", "int. score", "naive", "naive 90%", "in", "naive score"]
    out = "\n".join(head) + "\n" + (table(rows, header) if rows else "no held-out figure the model can score")
    for r in card.not_scored.itertuples():
        out += f"\nnot scored: {r.figure}: {r.reason}"
    out += "\n" + _summary_line("model", s["model"]) + "\n" + _summary_line("naive", s["naive"])
    m, n = s["model"].get("mean_interval_score"), s["naive"].get("mean_interval_score")
    if m is not None and n is not None:
        out += f"\n{'the model beats' if m < n else 'the model does NOT beat'} the naive forecast on mean interval score ({m:.1f} vs {n:.1f}; lower is better)"
    for w in s["warnings"]:
        out += f"\nwarning: {w}"
    return out


def _summary_line(name: str, d: dict[str, Any]) -> str:
    if not d.get("n"):
        return f"{name}: nothing scored"
    line = f"{name}: {d['n']} figure(s), 50% band covers {d['coverage50']:.0%}, 90% band covers {d['coverage90']:.0%}"
    if "mae" in d:
        line += f"; MAE {d['mae']:.2f} pp, median |error| {d['median_abs_error']:.2f} pp, mean interval score {d['mean_interval_score']:.1f}, median 90% width {d['median_width90']:.1f} pp"
    return line
