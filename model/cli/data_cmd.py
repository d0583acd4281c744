"""``rebound data``: show and check observed figures (``data/observed/*.csv``) and reference
series (``data/reference/*.csv``, the same columns).

The group is ``data``; each subcommand is a plain ``@data.command`` below, so adding one (for
example ``extract``) is one more decorated function in this module or another.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from rebound.cli.common import FORMAT_OPTION, fail, handle_input_errors
from rebound.problems import InputError, Problem


@click.group("data")
def data() -> None:
    """Show, check and extract observed figures and reference series (figures with their quotes).

    \b
    Examples:
      rebound data show changchun_2022
      rebound data show national
      rebound data check data/observed/*.csv data/reference/*.csv
    """


INDICATORS_OPTION = click.option(
    "--indicators",
    "indicator_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    metavar="CSV",
    help="A vocabulary file of extra context indicators (columns as model/data/indicators.csv); repeatable. data/indicators.csv in the working folder is read anyway.",
)


def _add_indicators(files: tuple[str, ...]) -> None:
    from rebound.data.vocab import add_indicators

    problems = [p for f in files for p in add_indicators(f)]
    if problems:
        raise InputError(problems)


def _resolve(episode_or_file: str) -> Path:
    """A CSV path as given, or the file of a named episode or reference series."""
    from rebound.data.observed import known_episodes, observed_path_for
    from rebound.data.reference import known_references, reference_path

    p = Path(episode_or_file)
    if p.suffix.lower() == ".csv" or p.exists():
        return p
    if episode_or_file in known_episodes():
        return observed_path_for(episode_or_file)
    if episode_or_file in known_references():
        return reference_path(episode_or_file)
    episodes = ", ".join(known_episodes()) or "(none)"
    references = ", ".join(known_references()) or "(none)"
    message = f"unknown episode or reference (episodes: {episodes}; references: {references}; or give a CSV file path)"
    raise InputError([Problem(episode_or_file, None, "", message)])


def _records(path: Path) -> list[dict[str, Any]]:
    from rebound.data.observed import parse, printed

    rows, problems = parse(path)
    if problems:
        raise InputError(problems)
    out: list[dict[str, Any]] = []
    for ob in rows:
        out.append(
            {
                "line": ob.line,
                "indicator": ob.indicator,
                "measure": ob.measure,
                "period_start": ob.period_start,
                "period_end": ob.period_end,
                "compare_start": ob.compare_start,
                "compare_end": ob.compare_end,
                "value": ob.value,
                "printed": printed(ob),
                "precision": ob.precision,
                "unit": ob.unit,
                "basis": ob.basis,
                "reference_value": ob.reference_value,
                "role": ob.role,
                "reason": ob.reason,
                "derived": ob.derived,
                "source": ob.source,
                "quote": ob.quote,
            }
        )
    return out


def _period(r: dict[str, Any]) -> str:
    from rebound.cli.fmt import period_label

    s = period_label(r["period_start"], r["period_end"], r["measure"])
    if r["compare_start"]:
        s += " 比 " + period_label(r["compare_start"], r["compare_end"]).removeprefix(r["period_start"][:4] + "年")
    return s


def _value(r: dict[str, Any], raw: str) -> str:
    unit = {"pct": "%", "pp": "个百分点", "100m_yuan": "亿元", "10k_yuan": "万元", "count": "个", "vehicles_per_day": "辆/日", "10k_m2": "万平方米", "10k_persons": "万人", "10k_units": "万辆"}.get(r["unit"], " " + r["unit"])
    s = f"{raw}{unit}"
    if r["reference_value"] is not None:
        s += f" (参照 {r['reference_value']})"
    return s


@data.command("show")
@click.argument("episode_or_file", metavar="EPISODE_OR_FILE")
@FORMAT_OPTION
@click.option("--quotes/--no-quotes", default=True, show_default=True, help="Table format: print each row's quote and reason under it.")
@INDICATORS_OPTION
@handle_input_errors
def show(episode_or_file: str, fmt: str, quotes: bool, indicator_files: tuple[str, ...]) -> None:
    """Show the reported figures of an episode or a reference series (or one CSV file).

    EPISODE_OR_FILE is an episode name (changchun_2020, changchun_2022, jinzhong_2022), a
    reference name (national, or any data/reference/<name>.csv) or the path of a CSV in the
    observed-data layout. The table names each indicator in Chinese as bulletins print it, with
    the period in bulletin style (2022年上半年, 2022年1-7月, 2022年7月).

    \b
    Examples:
      rebound data show changchun_2022
      rebound data show national --no-quotes
      rebound data show data/observed/jinzhong_2022.csv --no-quotes
      rebound data show changchun_2020 --format json > cc20.json
    """
    _add_indicators(indicator_files)
    path = _resolve(episode_or_file)
    records = _records(path)
    if fmt == "json":
        click.echo(json.dumps({"file": str(path), "rows": records}, ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        import pandas as pd

        pd.DataFrame(records).to_csv(sys.stdout, index=False)
        return
    from rebound.cli.fmt import table
    from rebound.data.vocab import INDICATORS, MEASURE_NAMES_ZH

    rows: list[list[str]] = []
    for r in records:
        rows.append(
            [
                str(r["line"]),
                r["indicator"],
                INDICATORS[r["indicator"]][0],
                MEASURE_NAMES_ZH[r["measure"]],
                _period(r),
                _value(r, r["printed"]),
                r["basis"],
                r["role"] + ("*" if r["derived"] else ""),
            ]
        )
    header = ["line", "indicator", "指标", "measure", "period", "value", "basis", "role"]
    shown = os.path.relpath(path) if path.is_absolute() and not os.path.relpath(path).startswith("..") else str(path)
    n_ref = sum(r["role"] == "reference" for r in records)
    if n_ref:
        click.echo(f"{shown}: {len(records)} figures ({n_ref} reference, {len(records) - n_ref} context, * = derived)")
    else:
        click.echo(f"{shown}: {len(records)} figures ({sum(r['role'] == 'fit' for r in records)} fit, * = derived)")
    if not quotes:
        click.echo(table(rows, header))
        return
    lines = table(rows, header).split("\n")
    click.echo("\n".join(lines[:2]))
    for line, r in zip(lines[2:], records, strict=True):
        click.echo(line)
        click.echo(f"    「{r['quote']}」 ({r['source']})")
        if r["reason"]:
            click.echo(f"    reason: {r['reason']}")


@data.command("check")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@INDICATORS_OPTION
@handle_input_errors
def check(files: tuple[str, ...], indicator_files: tuple[str, ...]) -> None:
    """Check observed-data or reference CSV files; exit 0 when all are valid, 2 otherwise.

    A file in a folder named reference, or with a row of role reference, is checked as a
    reference file (roles reference and context; the same figure may come from several
    sources, one of them the reference); any other as observed data (roles fit and context).
    On success prints one line ("3 files OK, 35 rows"); otherwise one line per problem,
    file:line: column: message, on stderr.

    \b
    Examples:
      rebound data check data/observed/*.csv
      rebound data check data/reference/national.csv
      rebound data check my_figures.csv --indicators my_indicators.csv
    """
    from rebound.data.observed import read_observed

    _add_indicators(indicator_files)
    problems: list[Problem] = []
    n_rows = 0
    for f in files:
        rows, found = read_observed(f)
        n_rows += len(rows)
        problems.extend(found)
    if problems:
        fail(problems)
    click.echo(f"{len(files)} file{'s' if len(files) != 1 else ''} OK, {n_rows} rows")


from rebound.cli.extract_cmd import extract  # noqa: E402  (issue 9: rebound data extract)

data.add_command(extract)
