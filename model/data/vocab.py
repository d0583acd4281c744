"""Controlled vocabulary shared by the observed data, the model and the text extractor.

Indicator ids come from a data file shipped in the package, ``model/data/indicators.csv`` (id,
Chinese and English names, unit, default basis, whether and from what the model computes it,
what it is a proxy for, a note). A user adds context indicators with a CSV of the same columns:
``data/indicators.csv`` in the working folder is read automatically whenever observed or
reference data are read; any other file with :func:`add_indicators` (or ``rebound data check
--indicators FILE``). Measures, units, bases and roles are fixed here.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from rebound.problems import Problem

# Sectors simulated by the model and the indicators they produce.
SECTORS: tuple[str, ...] = ("industry", "consumption", "investment")

# Measures the observation layer can compute from model paths.
MODEL_MEASURES: tuple[str, ...] = (
    "yoy_month_pct",
    "yoy_cum_pct",
    "yoy_quarter_pct",
    "level_100m_yuan",
    "pp_change",
    "pp_vs_reference",
)
# Further measures allowed in observed data for context rows only.
CONTEXT_MEASURES: tuple[str, ...] = ("level", "count", "share_pct", "ratio", "two_year_avg_pct")
MEASURES: tuple[str, ...] = MODEL_MEASURES + CONTEXT_MEASURES

MEASURE_NAMES_ZH: dict[str, str] = {
    "yoy_month_pct": "当月同比增长(%)",
    "yoy_cum_pct": "累计同比增长(%)",
    "yoy_quarter_pct": "当季同比增长(%)",
    "level_100m_yuan": "总量(亿元)",
    "pp_change": "增速变动(百分点)",
    "pp_vs_reference": "高于参照(百分点)",
    "level": "水平",
    "count": "个数",
    "share_pct": "比重(%)",
    "ratio": "倍数",
    "two_year_avg_pct": "两年平均增长(%)",
}

UNITS: tuple[str, ...] = (
    "pct",  # per cent (y/y growth)
    "pp",  # percentage points
    "100m_yuan",  # 亿元
    "10k_yuan",  # 万元
    "count",
    "vehicles_per_day",
    "10k_m2",  # 万平方米
    "10k_persons",  # 万人
    "10k_units",  # 万辆, 万台: physical output
)

BASES: tuple[str, ...] = ("real", "nominal", "na")
# fit and context in observed files; reference and context in reference files.
ROLES: tuple[str, ...] = ("fit", "context", "reference")
OBSERVED_ROLES: tuple[str, ...] = ("fit", "context")
REFERENCE_ROLES: tuple[str, ...] = ("reference", "context")

INDICATOR_COLUMNS: tuple[str, ...] = (
    "id",
    "name_zh",
    "name_en",
    "unit",
    "basis",
    "computed",
    "sector",
    "computed_from",
    "proxy_for",
    "note",
)
PACKAGED_FILE = Path(__file__).with_name("indicators.csv")
LOCAL_FILE = Path("data") / "indicators.csv"  # relative to the working folder
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Indicator:
    """One row of an indicator vocabulary file.

    Attributes
    ----------
    id : str
        Lower-case id used in the ``indicator`` column of data files.
    name_zh, name_en : str
        The name bulletins print, and an English name.
    unit : str
        Unit of its levels (from :data:`UNITS`).
    basis : str
        Default basis of its growth rates: ``real``, ``nominal`` or ``na``.
    computed : bool
        True if the model computes it (only in the packaged file).
    sector : str
        The model sector it comes from (``industry``, ``consumption``, ``investment``), ``gdp``
        for the composite, '' if not computed.
    computed_from : str
        How the model computes it ('' if it does not).
    proxy_for : str
        The computed indicator it stands in for, if any ('' otherwise).
    note : str
    file : str
        The vocabulary file that defined it.
    """

    id: str
    name_zh: str
    name_en: str
    unit: str
    basis: str
    computed: bool
    sector: str
    computed_from: str
    proxy_for: str
    note: str
    file: str = ""


def _row_problems(row: dict[str, str], packaged: bool, known: dict[str, Indicator], add: list[str]) -> None:
    if not _ID.match(row["id"]):
        add.append(f"id: '{row['id']}' is not an id (lower case letters, digits and _, starting with a letter)")
    if not row["name_zh"]:
        add.append("name_zh: missing the Chinese name bulletins print")
    if row["unit"] not in UNITS:
        add.append(f"unit: unknown unit '{row['unit']}' (known: {', '.join(UNITS)})")
    if row["basis"] not in BASES:
        add.append(f"basis: unknown basis '{row['basis']}' (use real, nominal or na)")
    if row["computed"] not in ("yes", "no"):
        add.append(f"computed: '{row['computed']}' is not yes or no")
    elif row["computed"] == "yes" and not packaged:
        add.append("computed: only the packaged vocabulary can mark an indicator computed (the model must know how); use no")
    if row["sector"] and row["sector"] not in (*SECTORS, "gdp"):
        add.append(f"sector: unknown sector '{row['sector']}' (use {', '.join(SECTORS)}, gdp or leave empty)")
    if row["proxy_for"] and row["proxy_for"] not in known and row["proxy_for"] != row["id"]:
        add.append(f"proxy_for: unknown indicator '{row['proxy_for']}'")
    if row["proxy_for"] and not row["note"]:
        add.append("note: a proxy needs a note saying how it differs from what it stands in for")


def read_indicator_file(path: str | Path, packaged: bool = False, known: dict[str, Indicator] | None = None) -> tuple[list[Indicator], list[Problem]]:
    """Read and validate an indicator vocabulary file.

    Parameters
    ----------
    path : str or Path
    packaged : bool
        True for the file shipped in the package (the only one that may mark ``computed=yes``).
    known : dict, optional
        Indicators already defined: an id defined again differently is a problem, and
        ``proxy_for`` may name them.

    Returns
    -------
    indicators : list of Indicator
        The valid new rows, in file order (ids already defined identically are skipped).
    problems : list of Problem
    """
    name = str(path)
    known = dict(known or {})
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        return [], [Problem(name, None, "", f"cannot read the indicator file ({err})")]
    reader = csv.reader(text.splitlines(keepends=True))
    header = [h.strip() for h in next(reader, [])]
    if tuple(header) != INDICATOR_COLUMNS:
        return [], [Problem(name, 1, "header", f"wrong header; expected: {','.join(INDICATOR_COLUMNS)}")]
    out: list[Indicator] = []
    problems: list[Problem] = []
    prev_end = reader.line_num
    for cells in reader:
        line, prev_end = prev_end + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(INDICATOR_COLUMNS):
            problems.append(Problem(name, line, "", f"expected {len(INDICATOR_COLUMNS)} fields, found {len(cells)} (a comma inside a field needs double quotes)"))
            continue
        row = {k: c.strip() for k, c in zip(INDICATOR_COLUMNS, cells, strict=True)}
        found: list[str] = []
        _row_problems(row, packaged, known, found)
        ind = Indicator(
            row["id"], row["name_zh"], row["name_en"], row["unit"], row["basis"], row["computed"] == "yes",
            row["sector"], row["computed_from"], row["proxy_for"], row["note"], file=name,
        )
        old = known.get(row["id"])
        if old is not None and (old.name_zh, old.unit, old.basis, old.computed) != (ind.name_zh, ind.unit, ind.basis, ind.computed):
            found.append(f"id: indicator '{row['id']}' is already defined differently in {old.file or 'the vocabulary'}; choose another id")
        for msg in found:
            key, _, text = msg.partition(": ")
            problems.append(Problem(name, line, key, text))
        if not found and old is None:
            known[ind.id] = ind
            out.append(ind)
    return out, problems


def _packaged() -> dict[str, Indicator]:
    rows, problems = read_indicator_file(PACKAGED_FILE, packaged=True)
    if problems:  # a broken package is a bug, not bad user input
        raise RuntimeError("\n".join(p.format() for p in problems))
    return {r.id: r for r in rows}


INDICATOR_INFO: dict[str, Indicator] = _packaged()
# indicator id -> (Chinese name as printed in bulletins, English name, modelled?)
INDICATORS: dict[str, tuple[str, str, bool]] = {k: (v.name_zh, v.name_en, v.computed) for k, v in INDICATOR_INFO.items()}
# What each modelled indicator is measured in, by bulletin convention.
DEFAULT_BASIS: dict[str, str] = {k: v.basis for k, v in INDICATOR_INFO.items() if v.computed}
SECTOR_OF_INDICATOR: dict[str, str] = {k: v.sector for k, v in INDICATOR_INFO.items() if v.computed and v.sector in SECTORS}
_PACKAGED_IDS = frozenset(INDICATOR_INFO)
_added_files: set[Path] = set()


def add_indicators(path: str | Path) -> list[Problem]:
    """Add the context indicators of a user vocabulary file to this process's vocabulary.

    The dicts :data:`INDICATOR_INFO` and :data:`INDICATORS` are updated in place, so every
    module that imported them sees the new ids. A file already added is skipped.

    Parameters
    ----------
    path : str or Path
        A CSV with the columns :data:`INDICATOR_COLUMNS`; ``computed`` must be ``no``.

    Returns
    -------
    list of Problem
        Empty when every row was added; rows with problems are not added.
    """
    resolved = Path(path).resolve()
    if resolved in _added_files:
        return []
    rows, problems = read_indicator_file(path, known=INDICATOR_INFO)
    for r in rows:
        INDICATOR_INFO[r.id] = r
        INDICATORS[r.id] = (r.name_zh, r.name_en, r.computed)
    if not problems:
        _added_files.add(resolved)
    return problems


def add_local_indicators(folder: str | Path | None = None) -> list[Problem]:
    """Add ``data/indicators.csv`` under ``folder`` (default: the working folder) if it exists."""
    path = Path(folder or ".") / LOCAL_FILE
    return add_indicators(path) if path.is_file() else []


def reset_indicators() -> None:
    """Forget every user-added indicator (back to the packaged vocabulary)."""
    for key in [k for k in INDICATOR_INFO if k not in _PACKAGED_IDS]:
        del INDICATOR_INFO[key]
        del INDICATORS[key]
    _added_files.clear()
