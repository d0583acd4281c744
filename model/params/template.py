"""The text of a new parameter file (``rebound new``): pure, no I/O.

:func:`render` turns a :class:`NewEpisode` into TOML text in the shipped files' format, every
number with a ``# unit · meaning · src:`` comment. What nobody knows yet is prior-driven: the
default priors of :mod:`rebound.params.priors` reach every behavioural number, and the numbers a
bulletin's figures inform are declared in ``[[calibration.free]]`` with their priors. The file
carries no calibration record: ``rebound calibrate`` writes one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

SECTORS = ("industry", "consumption", "investment")

# National 2021 structure, NBS《2021年国民经济和社会发展统计公报》: GDP 1143670亿元; primary
# 83086, secondary 450904, tertiary 609680 (7.3 / 39.4 / 53.3%); all-industry value added 372575;
# retail sales 440823; fixed-asset investment (excl. rural households) 544547.
NATIONAL_SHARES = {"primary": 0.073, "secondary": 0.394, "tertiary": 0.533}
LEVEL_RATIOS = {"industry": 0.326, "consumption": 0.385, "investment": 0.476}
SHARES_SRC = "NBS 2021 statistical communiqué (national shares 7.3/39.4/53.3% of GDP 1143670亿)"
RATIO_SRC = {
    "industry": "national all-industry value added 372575亿 / GDP 1143670亿 = 0.326 (NBS 2021 communiqué); above designated size is most of it",
    "consumption": "national retail sales 440823亿 / GDP 1143670亿 = 0.385 (NBS 2021 communiqué)",
    "investment": "national fixed-asset investment (不含农户) 544547亿 / GDP 1143670亿 = 0.476 (NBS 2021 communiqué)",
}
PLACEHOLDER_GDP = 5000.0
# Defaults informed by the shipped Changchun 2022 calibration (consumption 0.50 in its citywide
# static management, investment 0.80, industry 0.98 with 10% closed loop): a new episode starts
# below those, as most lockdowns were less strict; the first phase's are calibrated (sd 0.2).
DEFAULT_STRINGENCY = {"industry": 0.5, "consumption": 0.45, "investment": 0.5}
CLOSED_LOOP_SHARE = 0.2

# (value, unit, meaning, src) of every behavioural number a new file carries, by key path.
_A = "assumption"
_SEASONAL_IND = [0.85, 0.8, 1.0, 1.0, 1.0, 1.0, 0.95, 0.95, 1.02, 1.05, 1.1, 1.15]
_SEASONAL_CON = [1.05, 0.95, 0.95, 0.95, 1.0, 1.0, 0.95, 0.95, 1.0, 1.05, 1.05, 1.15]
_SEASONAL_INV = [0.4, 0.4, 0.75, 0.95, 1.1, 1.25, 1.25, 1.25, 1.2, 1.15, 0.9, 0.5]
SECTOR_DEFAULTS: dict[str, dict[str, Any]] = {
    "industry": {"trend_growth_pct": 5.0, "inflation_pct": 0.0, "seasonal": _SEASONAL_IND, "time_constant_days": 10.0, "headroom": 0.15, "catchup_time_constant_days": 20.0, "persistence_depth": 0.02, "persistence_days": 90.0, "va_share": 1.0, "backlog_share": 0.5, "backlog_time_constant_days": 90.0, "scarring_per_day": 0.0003, "above_quota_share": 1.0},
    "consumption": {"trend_growth_pct": 4.0, "inflation_pct": 2.0, "seasonal": _SEASONAL_CON, "time_constant_days": 20.0, "headroom": 0.15, "catchup_time_constant_days": 10.0, "persistence_depth": 0.08, "persistence_days": 150.0, "va_share": 0.2, "backlog_share": 0.25, "backlog_time_constant_days": 30.0, "scarring_per_day": 0.0005, "above_quota_share": 0.45},
    "investment": {"trend_growth_pct": 4.0, "inflation_pct": 3.0, "seasonal": _SEASONAL_INV, "time_constant_days": 20.0, "headroom": 0.2, "catchup_time_constant_days": 20.0, "persistence_depth": 0.05, "persistence_days": 150.0, "va_share": 0.25, "backlog_share": 0.6, "backlog_time_constant_days": 60.0, "scarring_per_day": 0.0002, "above_quota_share": 1.0},
}
FIELD_DOC: dict[str, tuple[str, str]] = {
    "trend_growth_pct": ("%/yr", "real growth used only for months the reference lacks"),
    "inflation_pct": ("%/yr", "price growth of the aggregate (0 for real figures)"),
    "seasonal": ("index", "daily rate by month Jan..Dec in the first simulated year"),
    "time_constant_days": ("days", "recovery time constant after restrictions ease"),
    "headroom": ("fraction of potential", "largest catch-up above potential"),
    "catchup_time_constant_days": ("days", "catch-up approaches its target with this time constant"),
    "persistence_depth": ("fraction of potential", "shortfall below the reference left by a full lockdown"),
    "persistence_days": ("days", "decay time of that shortfall"),
    "va_share": ("yuan/yuan", "value added per yuan of lever-induced spending (industry 1, retail margin about 0.2, construction about 0.25)"),
    "backlog_share": ("fraction", "share of lost activity postponed rather than lost"),
    "backlog_time_constant_days": ("days", "time constant of working off the backlog"),
    "scarring_per_day": ("fraction/day", "permanent loss per day at full stringency"),
    "above_quota_share": ("fraction", "share above quota (限额以上; consumption only)"),
}
# tertiary elasticity: Changchun 2022's H1 GDP against its retail gives 0.40 (docs/calibration.md);
# much of tertiary value added (finance, property services, public administration) is not retail-linked.
GDP_DEFAULTS: dict[str, Any] = {"secondary_industry_weight": 0.8, "tertiary_consumption_elasticity": 0.4}
LIKE_SECTOR_KEYS = tuple(k for k in SECTOR_DEFAULTS["industry"] if k not in ("trend_growth_pct", "inflation_pct"))
LIKE_GDP_KEYS = tuple(GDP_DEFAULTS)

# Free parameters of a new file: (key, prior, centre, spread, lower, upper, unit, source).
FREE_SECTOR = [
    ("sectors.industry.offset_pct", "normal", 0.0, 3.0, -20.0, 20.0, "pp/yr", "assumption: regional industry growth gap to the reference; the episode's figures inform it"),
    ("sectors.consumption.offset_pct", "normal", 0.0, 3.0, -20.0, 20.0, "pp/yr", "assumption: regional retail growth gap to the reference"),
    ("sectors.investment.offset_pct", "normal", 0.0, 4.0, -30.0, 30.0, "pp/yr", "assumption: regional investment growth gap to the reference (FAI gaps are large)"),
    ("gdp.offset_pct", "normal", 0.0, 2.0, -15.0, 15.0, "pp/yr", "assumption: regional GDP growth gap to the reference"),
    ("sectors.consumption.headroom", "lognormal", 0.15, 0.6, 0.01, 1.0, "fraction", "assumption: catch-up spending on cars and durables after reopening"),
]
FREE_STRINGENCY_SPREAD = 0.2
FREE_CENTRES = {e[0]: e[2] for e in FREE_SECTOR}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class NewEpisode:
    """What ``rebound new`` knows about an episode (all checked by the caller)."""

    name: str
    year: int
    region: str
    first_year: int
    last_year: int
    reference: str = "national"
    reference_years: tuple[int, int] = (2018, 2023)
    observed: str = ""  # file name next to the parameter file, or ""
    observed_from: str = ""  # what the user passed (shown in the comment)
    gdp_level: float | None = None  # year-1 GDP level (亿元) read from the observed CSV
    phases: tuple[tuple[dt.date, dt.date], ...] = ()
    like: str = ""  # name of the episode behavioural numbers were copied from
    like_values: dict[str, Any] = field(default_factory=dict)  # key path -> value
    like_reset: frozenset[str] = frozenset()  # keys set to their prior centre in the like file


def parse_lockdown(text: str) -> tuple[tuple[dt.date, dt.date] | None, str]:
    """``"2022-03-11..2022-04-28"`` -> ((start, end), ''), or (None, why not)."""
    parts = text.split("..")
    if len(parts) != 2 or not all(_DATE.match(p.strip()) for p in parts):
        return None, f"--lockdown {text!r}: expected START..END as YYYY-MM-DD..YYYY-MM-DD"
    try:
        start, end = (dt.date.fromisoformat(p.strip()) for p in parts)
    except ValueError as err:
        return None, f"--lockdown {text!r}: not a calendar date ({err})"
    if end < start:
        return None, f"--lockdown {text!r}: END {end} is before START {start}"
    return (start, end), ""


def horizon_for(year: int, ref_first: int, ref_last: int) -> tuple[int, int]:
    """(first_year, last_year): anchor three years before, inside the reference, and the year after."""
    first = min(max(year - 3, ref_first + 1), year - 1)
    last = year + 1 if year + 1 <= ref_last else year
    return first, last


def _num(x: float) -> str:
    return repr(float(x)) if abs(x) >= 1e-3 or x == 0 else f"{x:.6g}"


def _val(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_num(float(x)) for x in v) + "]"
    return _num(float(v))


def _line(key: str, value: Any, unit: str, meaning: str, src: str) -> str:
    return f"{key} = {_val(value)}  # {unit} · {meaning} · src: {src}"


def _behaviour(ep: NewEpisode, path: str, default: Any) -> tuple[Any, str]:
    """Value and source of one behavioural number (copied from ``--like`` or the default)."""
    if path in FREE_CENTRES:
        return FREE_CENTRES[path], f"{_A}; prior centre of [[calibration.free]] below"
    if path in ep.like_values:
        how = "prior centre of its [[calibration.free]] entry (its estimate is not copied)" if path in ep.like_reset else "copied"
        return ep.like_values[path], f"{_A}: {how} from params/{ep.like}.toml"
    return default, f"{_A} (rebound new default; default prior in rebound.params.priors)"


def _header(ep: NewEpisode) -> list[str]:
    obs = (
        f'observed = "{ep.observed}"  # copied from {ep.observed_from} next to this file by `rebound new`'
        if ep.observed
        else 'observed = ""  # no observed-data CSV yet: point this at one (relative to this file), e.g. "' + ep.name + '.csv"'
    )
    return [
        f"# rebound parameter file: {ep.region} {ep.year}, written by `rebound new`.",
        "#",
        "# Every number has a comment:  unit · meaning · src: where it comes from. \"assumption\" means",
        "# no source states it: every behavioural number is drawn from its default prior in ensembles",
        "# (rebound.params.priors), and the [[calibration.free]] numbers are fitted by `rebound calibrate`.",
        "# Replace assumptions by sourced figures as you find them (docs/new-episode.md).",
        "",
        "[episode]",
        f'name = "{ep.name}"',
        f'region = "{ep.region}"',
        f"year = {ep.year}  # calendar year · y/y figures of this year are modelled · src: rebound new --year",
        f"first_year = {ep.first_year}  # calendar year · first simulated year: the no-lockdown path is anchored in a normal year (three years before the episode, i.e. before the pandemic for 2022 episodes, but not before the reference's first year + 1 and not after the year before) and then follows the reference, so growth figures of earlier years can be fitted · src: design (docs/new-episode.md)",
        f"last_year = {ep.last_year}  # calendar year · last simulated year: the year after the episode when the reference covers it (it covers {ep.reference_years[0]}-{ep.reference_years[1]}) · src: design",
        obs,
        f'description = "{ep.region} {ep.year}: written by rebound new; describe the episode here."',
        "",
    ]


def _gdp(ep: NewEpisode) -> list[str]:
    level = ep.gdp_level if ep.gdp_level is not None else PLACEHOLDER_GDP
    if ep.gdp_level is not None:
        src = f"assumption: derived from GDP level with default shares: {ep.year - 1} GDP {level:g}亿 (observed CSV) x {{share}} ({SHARES_SRC})"
        out = [f"# Sector levels: {ep.year - 1} GDP {level:g}亿 from the observed CSV, split with national shares."]
    else:
        src = f"PLACEHOLDER: no {ep.year - 1} GDP level known; {PLACEHOLDER_GDP:g}亿 x {{share}} ({SHARES_SRC}); replace with the region's figures"
        out = [
            "# !!! PLACEHOLDER LEVELS !!! No GDP level for the year before the episode was given, so every",
            f"# level below assumes a GDP of {PLACEHOLDER_GDP:g}亿. Only y/y figures are fitted, so levels set lever",
            f"# sizes and level figures only; put the region's {ep.year - 1} GDP and its three sectors here.",
        ]
    out.append("[gdp]")
    for sec in ("primary", "secondary", "tertiary"):
        share = NATIONAL_SHARES[sec]
        out.append(_line(f"{sec}_100m", round(level * share, 2), "亿元/yr", f"{ep.year - 1} {sec}-sector value added", src.format(share=share)))
    out += [
        _line("trend_growth_pct", 5.0, "%/yr", "real GDP growth used only for months the reference lacks", _A),
        _line("inflation_pct", 2.0, "%/yr", "GDP deflator growth", _A),
        f'reference = "{ep.reference}"  # name · the no-lockdown GDP path follows this reference\'s real GDP y/y · src: data/reference/{ep.reference}.csv',
        _line("loading", 1.0, "ratio", "regional GDP y/y per unit of the reference's y/y", f"{_A} (default prior normal sd 0.2)"),
        _line("offset_pct", 0.0, "pp/yr", "regional GDP growth above loading x reference", f"{_A}; prior centre of [[calibration.free]] below"),
    ]
    for key, default in GDP_DEFAULTS.items():
        value, src2 = _behaviour(ep, f"gdp.{key}", default)
        unit, meaning = ("fraction", "share of secondary value added following industry (rest follows investment)") if key == "secondary_industry_weight" else ("ratio", "% tertiary value added per % retail shortfall")
        out.append(_line(key, value, unit, meaning, src2))
    return [*out, ""]


def _sector(ep: NewEpisode, sec: str) -> list[str]:
    level = (ep.gdp_level if ep.gdp_level is not None else PLACEHOLDER_GDP) * LEVEL_RATIOS[sec]
    what = {"industry": "value added of industry above designated size", "consumption": "total retail sales of consumer goods", "investment": "fixed-asset investment"}[sec]
    tag = "assumption: derived from GDP level with default shares" if ep.gdp_level is not None else "PLACEHOLDER: derived from a placeholder GDP"
    out = [
        f"[sectors.{sec}]",
        _line("prior_year_level_100m", round(level, 1), "亿元/yr", f"{ep.year - 1} {what}", f"{tag}: {RATIO_SRC[sec]}"),
        f'reference = "{ep.reference}"  # name · the no-lockdown path follows this reference · src: data/reference/{ep.reference}.csv',
        _line("loading", 1.0, "ratio", "regional y/y per unit of the reference's y/y", f"{_A} (default prior normal sd 0.25)"),
        _line("offset_pct", 0.0, "pp/yr", "regional growth above loading x reference", f"{_A}; prior centre of [[calibration.free]] below"),
    ]
    for key, default in SECTOR_DEFAULTS[sec].items():
        unit, meaning = FIELD_DOC[key]
        if key in ("trend_growth_pct", "inflation_pct"):
            out.append(_line(key, default, unit, meaning, _A if sec != "industry" or key != "inflation_pct" else "bulletin convention: industry figures are real"))
            continue
        value, src = _behaviour(ep, f"sectors.{sec}.{key}", default)
        out.append(_line(key, value, unit, meaning, src))
    return [*out, ""]


def _phases(ep: NewEpisode) -> list[str]:
    if not ep.phases:
        return ["# No lockdown phase given (rebound new --lockdown START..END adds one).", ""]
    out = ["# Lockdown phases from --lockdown; stringencies are documented defaults (industry 0.5, consumption 0.45,", "# investment 0.5, closed loop 0.2): assumptions with priors, the first phase's are calibrated."]
    for i, (start, end) in enumerate(ep.phases):
        out += [
            "[[lockdown.phases]]",
            f'name = "lockdown {i + 1}"',
            f"start = {start.isoformat()}  # date · phase start · src: rebound new --lockdown",
            f"end = {end.isoformat()}  # date · phase end (inclusive) · src: rebound new --lockdown",
            _line("closed_loop_share", CLOSED_LOOP_SHARE, "fraction", "share of shut industrial capacity kept running in closed loop", f"{_A} (default)"),
            "[lockdown.phases.stringency]",
        ]
        for sec, s in DEFAULT_STRINGENCY.items():
            out.append(_line(sec, s, "fraction", f"share of normal {sec} activity shut", f"{_A} (default)"))
        out.append("")
    return out


LEVER_EXAMPLE = """# No levers yet. Add one per policy the bulletins report, e.g. (uncomment and source each number):
# [levers.vouchers]
# type = "consumption_voucher"
# description = "消费券"
# scale = 1.0  # factor · multiplies the voucher money · src: scenario knob
# incremental_spending_per_yuan = 3.0  # yuan/yuan · extra retail spending per voucher yuan · src: literature_priors.md §A
# [[levers.vouchers.rounds]]
# date = 2022-05-20  # date · issue date · src: <article, quote>
# amount_100m = 1.0  # 亿元 · voucher money issued · src: <article, quote>
# redemption_days = 30  # days · redemption window · src: <article, quote>
"""

DISCREPANCY = """# Model discrepancy: an AR(1) in each indicator's monthly log level from January of the episode year.
[discrepancy]
rho = 0.85  # ratio · monthly persistence of the discrepancy · src: docs/validation.md (backtests)
industry = 0.035  # log units/month · innovation sd for industry · src: docs/validation.md (backtests)
retail = 0.03  # log units/month · innovation sd for retail sales · src: docs/validation.md
retail_above_quota = 0.04  # log units/month · innovation sd for above-quota retail · src: docs/validation.md
fai = 0.05  # log units/month · innovation sd for fixed-asset investment · src: docs/validation.md
gdp = 0.012  # log units/month · innovation sd for GDP · src: docs/validation.md

[calibration]
model_error_pp = 2.0  # pp · the model's own error per fitted figure, added to the printed precision · src: docs/validation.md: single-month city figures stray several pp from any smooth path (backtest residuals 2-6 pp)
"""


def _free_entry(key: str, prior: str, centre: float, spread: float, lower: float, upper: float, unit: str, source: str) -> list[str]:
    sunit = "log units" if prior == "lognormal" else unit
    return [
        "[[calibration.free]]",
        f'key = "{key}"',
        f'prior = "{prior}"',
        _line("centre", centre, unit, "prior centre" if prior == "normal" else "prior median", _A),
        _line("spread", spread, sunit, "prior sd", _A),
        _line("lower", lower, unit, "lower bound", _A),
        _line("upper", upper, unit, "upper bound", _A),
        f'source = "{source}"',
        "",
    ]


def free_entries(ep: NewEpisode) -> list[tuple[str, str, float, float, float, float, str, str]]:
    """The ``[[calibration.free]]`` entries of a new file (phase 0 stringencies when there is a phase)."""
    out = []
    if ep.phases:
        for sec, s in DEFAULT_STRINGENCY.items():
            why = "; upper bound below 1 so a phase covering a whole month leaves a base for next year's y/y figures"
            out.append((f"lockdown.phases[0].stringency.{sec}", "normal", s, FREE_STRINGENCY_SPREAD, 0.0, 0.95, "fraction", f"assumption: share of {sec} shut in the first phase (default {s}){why}"))
    return out + FREE_SECTOR


def render(ep: NewEpisode) -> str:
    """The whole parameter file for ``ep`` (TOML text ending in a newline)."""
    lines = _header(ep) + _gdp(ep)
    for sec in SECTORS:
        lines += _sector(ep, sec)
    lines += _phases(ep)
    lines += [
        "[liquidity]",
        _line("scar_reduction", 20.0, "1/(share of GDP)", "scarring x exp(-20 x relief/GDP)", _A),
        _line("recovery_speedup", 10.0, "1/(share of GDP)", "recovery rate x (1 + 10 x relief/GDP)", _A),
        "",
        LEVER_EXAMPLE,
        DISCREPANCY,
        "# Free parameters for `rebound calibrate` (prior, bounds and source for each). Every other behavioural",
        "# number is drawn from its default prior in ensembles. No calibration record yet: calibrate writes one.",
        "",
    ]
    for entry in free_entries(ep):
        lines += _free_entry(*entry)
    return "\n".join(lines).rstrip("\n") + "\n"
