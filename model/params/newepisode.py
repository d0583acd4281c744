"""``rebound new``: check the arguments, write ``DIR/NAME.toml`` (and ``DIR/NAME.csv``) atomically.

The text comes from :func:`rebound.params.template.render`; this module does the reading
(observed CSV, reference coverage, a ``--like`` episode), validates the rendered text exactly
as the loader would, and only then writes. Every bad argument is one
:class:`~rebound.problems.Problem`; on any problem nothing is written.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rebound.data.observed import Observation, load_observed
from rebound.data.reference import load_reference
from rebound.params.episodes import resolve_episode
from rebound.params.guards import Check
from rebound.params.load import load, validate_source
from rebound.params.paths import get_path
from rebound.params.source import SourceFile
from rebound.params.template import (
    LIKE_GDP_KEYS,
    LIKE_SECTOR_KEYS,
    SECTORS,
    NewEpisode,
    horizon_for,
    parse_lockdown,
    render,
)
from rebound.params.tomlines import key_lines
from rebound.problems import InputError, Problem
from rebound.writers import atomic_write_bytes

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


@dataclass
class Created:
    """What :func:`create` wrote: the parameter file, the copied CSV (or None), notes for stderr."""

    path: Path
    observed: Path | None
    notes: list[str]


def _reference_years(reference: str, bad: list[Problem]) -> tuple[int, int] | None:
    try:
        ref = load_reference(reference)
    except InputError as err:
        bad += [Problem("--reference", None, "", p.message if p.file == reference else p.format()) for p in err.problems]
        return None
    years = [int(r.period_start[:4]) for r in ref.rows] + [int(r.period_end[:4]) for r in ref.rows]
    return min(years), max(years)


def _gdp_level(rows: list[Observation], year: int) -> float | None:
    want = (f"{year - 1}-01", f"{year - 1}-12")
    for r in rows:
        if r.indicator == "gdp" and r.measure == "level_100m_yuan" and (r.period_start, r.period_end) == want:
            return float(r.value)
    return None


def _like_values(like: str, bad: list[Problem]) -> tuple[str, dict[str, Any], frozenset[str]]:
    """Behavioural numbers of a shipped episode; its free keys at their prior centres, never its record."""
    try:
        loaded = load(resolve_episode(like))
    except InputError as err:
        bad += [Problem("--like", None, "", p.format()) for p in err.problems]
        return "", {}, frozenset()
    params = loaded.params
    centres = {fp.key: fp.centre for fp in params.calibration.free}
    keys = [f"sectors.{s}.{k}" for s in SECTORS for k in LIKE_SECTOR_KEYS] + [f"gdp.{k}" for k in LIKE_GDP_KEYS]
    values: dict[str, Any] = {}
    for k in keys:
        v = centres.get(k, get_path(params, k))
        if v is not None:
            values[k] = list(v) if isinstance(v, list) else float(v)
    return loaded.param_file.stem, values, frozenset(k for k in keys if k in centres)


def _phases(lockdowns: Sequence[str], first: int, last: int, bad: list[Problem]) -> tuple[tuple[dt.date, dt.date], ...]:
    out: list[tuple[dt.date, dt.date]] = []
    for text in lockdowns:
        span, why = parse_lockdown(text)
        if span is None:
            bad.append(Problem("--lockdown", None, "", why))
        elif not (first <= span[0].year and span[1].year <= last):
            bad.append(Problem("--lockdown", None, "", f"--lockdown {text!r}: outside the simulated years {first}-{last}"))
        else:
            out.append(span)
    out.sort()
    for a, b in zip(out, out[1:], strict=False):
        if b[0] <= a[1]:
            bad.append(Problem("--lockdown", None, "", f"phases overlap: {a[0]}..{a[1]} and {b[0]}..{b[1]} (start a phase the day after the previous one ends)"))
    return tuple(out)


def _observed(observed: Path | None, target_csv: Path, force: bool, bad: list[Problem]) -> list[Observation]:
    if observed is None:
        return []
    try:
        rows = load_observed(observed)
    except InputError as err:
        bad += err.problems
        return []
    if target_csv.exists() and not force and target_csv.resolve() != observed.resolve():
        bad.append(Problem(str(target_csv), None, "", "exists already (use --force to overwrite)"))
    return rows


def _check_args(name: str, year: int, region: str, target: Path, force: bool, bad: list[Problem]) -> None:
    if not _NAME.match(name) or name.lower().endswith(".toml"):
        bad.append(Problem("NAME", None, "", f"{name!r}: use letters, digits and _ . - (e.g. jilin_2022), without .toml"))
    if not region.strip():
        bad.append(Problem("--region", None, "", "must not be empty (e.g. 吉林省 Jilin)"))
    if '"' in region or "\\" in region:
        bad.append(Problem("--region", None, "", 'must not contain " or \\'))
    if target.exists() and not force:
        bad.append(Problem(str(target), None, "", "exists already (use --force to overwrite)"))
    if not 2000 <= year <= 2100:
        bad.append(Problem("--year", None, "", f"{year}: expected a calendar year"))


def create(
    name: str,
    year: int,
    region: str,
    *,
    observed: str | Path | None = None,
    lockdowns: Sequence[str] = (),
    reference: str = "national",
    like: str | None = None,
    out_dir: str | Path = "params",
    force: bool = False,
    checks: Sequence[Check] = (),
) -> Created:
    """Write a new parameter file ``out_dir/name.toml`` that validates and runs at once.

    Raises
    ------
    InputError
        One problem per bad argument (nothing is written).
    """
    bad: list[Problem] = []
    out = Path(out_dir)
    target = out / f"{name}.toml"
    _check_args(name, year, region, target, force, bad)
    years = _reference_years(reference, bad)
    if years is not None and not years[0] + 1 <= year <= years[1]:
        bad.append(Problem("--year", None, "", f"{year} is outside the reference '{reference}' ({years[0]}-{years[1]}; the episode year needs the year before as a base)"))
    first, last = horizon_for(year, *years) if years else (year - 1, year)
    phases = _phases(lockdowns, first, last, bad)
    obs_path = Path(observed) if observed is not None else None
    target_csv = out / f"{name}.csv"
    rows = _observed(obs_path, target_csv, force, bad)
    like_name, like_values, like_reset = _like_values(like, bad) if like else ("", {}, frozenset())
    if bad:
        raise InputError(bad)
    ep = NewEpisode(
        name=name, year=year, region=region.strip(), first_year=first, last_year=last, reference=reference,
        reference_years=years or (year - 1, year), observed=target_csv.name if obs_path else "", observed_from=str(obs_path or ""),
        gdp_level=_gdp_level(rows, year), phases=phases, like=like_name, like_values=like_values, like_reset=like_reset,
    )
    text = render(ep)
    validate_source(SourceFile(path=target, text=text, data=tomllib.loads(text), lines=key_lines(text)), checks)
    notes = _notes(ep, obs_path, target_csv)
    if obs_path is not None and target_csv.resolve() != obs_path.resolve():
        atomic_write_bytes(target_csv, obs_path.read_bytes())
    atomic_write_bytes(target, text.encode("utf-8"))
    return Created(target, target_csv if obs_path else None, notes)


def _notes(ep: NewEpisode, obs_path: Path | None, target_csv: Path) -> list[str]:
    notes = []
    if obs_path is not None:
        notes.append(f"copied {obs_path} to {target_csv} (episode.observed = \"{target_csv.name}\")")
    if ep.gdp_level is None:
        notes.append(f"no {ep.year - 1} GDP level (gdp level_100m_yuan {ep.year - 1}-01..{ep.year - 1}-12) in the observed data: sector levels are PLACEHOLDERS")
    if ep.like:
        notes.append(f"behavioural numbers copied from params/{ep.like}.toml (free-parameter estimates reset to prior centres; no calibration record)")
    return notes
