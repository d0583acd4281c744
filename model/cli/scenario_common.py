"""Pieces the scenario verbs (compare, attribute, sweep, report) share: progress bars,
periods, provenance, the Dask scheduler option, output formats."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from rebound.cli.common import fail_one

PERIOD = re.compile(r"^(\d{4}-\d{2})(?:\.\.(\d{4}-\d{2}))?$")


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
    from rebound.params.source import display
    from rebound.writers import build_time

    files: dict[str, str] = {}
    for ld in loadeds:
        files.update(ld.hashes())
        obs = pipeline.observed_file(ld)
        if obs is not None and obs.exists():
            files[display(obs)] = pipeline.sha256_file(obs)
    base = pipeline.provenance(loadeds[0], seed if seed is not None else 0, n_draws)
    base["inputs"] = files
    base["seed"] = seed
    base["command"] = command
    base["argv"] = sys.argv[1:]
    created = build_time()  # SOURCE_DATE_EPOCH when set; left out with REBOUND_NO_TIMESTAMP=1
    if created is not None:
        base["created"] = created.isoformat(timespec="seconds")
    if extra:
        base.update(extra)
    return base


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


def figure_label(r: Any) -> tuple[str, str]:
    from rebound.cli.fmt import indicator_label, period_label

    per = period_label(r.period_start, r.period_end, r.measure)
    if r.compare_start:
        per += f" vs {period_label(r.compare_start, r.compare_end)}"
    return indicator_label(r.indicator), per
