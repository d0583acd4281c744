"""``rebound new``: write a parameter file for a new episode that validates and runs at once."""

from __future__ import annotations

from pathlib import Path

import click

from rebound.cli.common import handle_input_errors


@click.command("new")
@click.argument("name")
@click.option("--year", type=int, required=True, help="Episode year (y/y figures of this year are modelled).")
@click.option("--region", required=True, help="Region as bulletins name it, e.g. 吉林省 or '吉林省 Jilin'.")
@click.option("--observed", "observed", type=click.Path(path_type=Path), default=None, help="Observed-data CSV: validated, then copied next to the file as NAME.csv.")
@click.option("--lockdown", "lockdowns", multiple=True, metavar="START..END", help="A lockdown phase, YYYY-MM-DD..YYYY-MM-DD (repeat for several).")
@click.option("--reference", default="national", show_default=True, help="Reference series: a name in data/reference/ or a CSV path.")
@click.option("--like", default=None, metavar="EPISODE", help="Copy behavioural numbers (time constants, headrooms, persistence, va_share, seasonal) from this episode; never its calibration.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("params"), show_default=True, help="Folder to write NAME.toml into.")
@click.option("--force", is_flag=True, help="Overwrite NAME.toml (and NAME.csv) if they exist.")
@handle_input_errors
def new(name: str, year: int, region: str, observed: Path | None, lockdowns: tuple[str, ...], reference: str, like: str | None, out_dir: Path, force: bool) -> None:
    """Write OUT/NAME.toml for a new episode, ready for calibrate and run.

    Every number carries a "unit · meaning · src:" comment; unknown numbers are documented
    defaults drawn from priors. Sector levels come from the year-before GDP level in the
    observed CSV (split with national shares) or are loud placeholders. No calibration
    record is written: run `rebound calibrate` next. Bad arguments exit with status 2, one
    line each, and nothing is written.

    \b
    Examples:
      rebound new jilin_2022 --year 2022 --region 吉林省 --observed jl.csv --lockdown 2022-03-11..2022-04-28
      rebound new shanghai_2022 --year 2022 --region 上海市 --lockdown 2022-04-01..2022-05-31 --like changchun_2022
    """
    from rebound import api

    created = api.new_episode(name, year, region, observed=observed, lockdowns=lockdowns, reference=reference, like=like, out_dir=out_dir, force=force)
    for note in created.notes:
        click.echo(note, err=True)
    click.echo(str(created.path))
