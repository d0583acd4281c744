"""Observed figures: load and validate ``data/observed/<episode>.csv``.

One row per figure a bulletin printed, with the sentence it came from (see
``docs/architecture.md`` for the columns and ``docs/data.md`` for the conventions).
:func:`check_observed` returns every problem in a file at once (file, line, column, message);
:func:`load_observed` raises :class:`~rebound.problems.InputError` carrying them, or returns the
rows as :class:`Observation` objects.

The csv module (not pandas) reads the file so importing stays light and line numbers are
exact even when a quoted field spans lines.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

from rebound.data.vocab import (
    BASES,
    CONTEXT_MEASURES,
    INDICATORS,
    MEASURES,
    MODEL_MEASURES,
    ROLES,
    UNITS,
)
from rebound.problems import InputError, Problem

COLUMNS: tuple[str, ...] = (
    "indicator",
    "measure",
    "period_start",
    "period_end",
    "compare_start",
    "compare_end",
    "value",
    "unit",
    "basis",
    "reference_value",
    "role",
    "reason",
    "derived",
    "source",
    "quote",
)

# The unit each model measure is printed in.
UNIT_OF_MEASURE: dict[str, str] = {
    "yoy_month_pct": "pct",
    "yoy_cum_pct": "pct",
    "yoy_quarter_pct": "pct",
    "level_100m_yuan": "100m_yuan",
    "pp_change": "pp",
    "pp_vs_reference": "pp",
}

ROOT = Path(__file__).resolve().parents[2]
OBSERVED_DIR = ROOT / "data" / "observed"

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Observation:
    """One reported figure (one row of an observed-data file).

    Attributes
    ----------
    indicator : str
        Id from :data:`rebound.data.vocab.INDICATORS`.
    measure : str
        Id from :data:`rebound.data.vocab.MEASURES`.
    period_start, period_end : str
        ``"YYYY-MM"``, inclusive.
    compare_start, compare_end : str or None
        The earlier cumulative period of a ``pp_change`` row, else None.
    value : float
        The number as printed, sign applied.
    unit : str
        Id from :data:`rebound.data.vocab.UNITS`.
    basis : str
        ``real``, ``nominal`` or ``na``.
    reference_value : float or None
        The reference figure of a ``pp_vs_reference`` row, else None.
    role : str
        ``fit`` (the model should reproduce it) or ``context``.
    reason : str
        Why the row is context, or the arithmetic of a derived value ('' if not needed).
    derived : bool
        True if computed from printed figures rather than printed itself.
    source : str
        Seed file name.
    quote : str
        The sentence the figure was copied from.
    line : int
        1-based line of the row in its file.
    precision : float
        Half a unit of the last digit of ``value`` as written (``22.4`` -> 0.05).
    """

    indicator: str
    measure: str
    period_start: str
    period_end: str
    compare_start: str | None
    compare_end: str | None
    value: float
    unit: str
    basis: str
    reference_value: float | None
    role: str
    reason: str
    derived: bool
    source: str
    quote: str
    line: int
    precision: float


def precision_of(text: str) -> float:
    """Half a unit of the last printed digit of a plain decimal number.

    >>> precision_of("22.4"), precision_of("6"), precision_of("70.34")
    (0.05, 0.5, 0.005)
    """
    digits = len(text.split(".", 1)[1]) if "." in text else 0
    return 0.5 * 10.0 ** (-digits)


def _number(text: str) -> float | None:
    """The value of a plain decimal (``-9.9``, ``7103.1``, ``6``), or None."""
    if not _DECIMAL.match(text):
        return None
    x = float(text)
    return x if math.isfinite(x) else None


def _period_shape_error(measure: str, start: str, end: str) -> str:
    """Why ``start..end`` is not a period ``measure`` can be computed over ('' if it is)."""
    ys, ms = int(start[:4]), int(start[5:])
    ye, me = int(end[:4]), int(end[5:])
    if measure == "yoy_month_pct" and not (start == end or (ys == ye and ms == 1 and me == 2)):
        return "yoy_month_pct needs a single month or the combined Jan–Feb release (YYYY-01..YYYY-02)"
    if measure in ("yoy_cum_pct", "pp_change", "pp_vs_reference") and (ms != 1 or ys != ye):
        return f"{measure} is year to date: the period must start in January of the year it ends in"
    if measure == "yoy_quarter_pct" and (ys != ye or ms not in (1, 4, 7, 10) or me != ms + 2):
        return "yoy_quarter_pct needs a calendar quarter (01..03, 04..06, 07..09 or 10..12)"
    return ""


class _Adder:
    """Collects problems of one row: ``add(column, message)``."""

    def __init__(self, file: str, line: int, out: list[Problem]):
        self.file, self.line, self.out = file, line, out

    def __call__(self, key: str, message: str) -> None:
        self.out.append(Problem(self.file, self.line, key, message))


def _check_period(row: dict[str, str], start_key: str, end_key: str, add: _Adder) -> bool:
    ok = True
    for key in (start_key, end_key):
        if not _MONTH.match(row[key]):
            add(key, f"'{row[key]}' is not a month written YYYY-MM (e.g. 2022-07)")
            ok = False
    if ok and row[end_key] < row[start_key]:
        add(end_key, f"period ends ({row[end_key]}) before it starts ({row[start_key]})")
        ok = False
    return ok


def _check_row(row: dict[str, str], add: _Adder) -> None:
    """Append the problems of one row (every column, independently where possible)."""
    ind, meas, role = row["indicator"], row["measure"], row["role"]
    if ind not in INDICATORS:
        add("indicator", f"unknown indicator '{ind}' (known: {', '.join(INDICATORS)})")
    if meas not in MEASURES:
        add("measure", f"unknown measure '{meas}' (known: {', '.join(MEASURES)})")
    if row["unit"] not in UNITS:
        add("unit", f"unknown unit '{row['unit']}' (known: {', '.join(UNITS)})")
    elif meas in UNIT_OF_MEASURE and row["unit"] != UNIT_OF_MEASURE[meas]:
        add("unit", f"measure {meas} is in '{UNIT_OF_MEASURE[meas]}', not '{row['unit']}'")
    if row["basis"] not in BASES:
        add("basis", f"unknown basis '{row['basis']}' (use real, nominal or na)")
    if role not in ROLES:
        add("role", f"unknown role '{role}' (use fit or context)")
    if row["derived"] not in ("yes", "no"):
        add("derived", f"'{row['derived']}' is not yes or no")

    period_ok = _check_period(row, "period_start", "period_end", add)
    has_compare = bool(row["compare_start"] or row["compare_end"])
    if meas == "pp_change":
        if not row["compare_start"] or not row["compare_end"]:
            add("compare_start" if not row["compare_start"] else "compare_end", "pp_change needs the compare period (the earlier cumulative period, e.g. 2022-01..2022-05)")
        elif _check_period(row, "compare_start", "compare_end", add):
            shape = _period_shape_error(meas, row["compare_start"], row["compare_end"])
            if shape:
                add("compare_start", shape.replace("the period", "the compare period"))
    elif has_compare:
        add("compare_start", f"a compare period is only for pp_change rows, not {meas}; leave it empty")
    if period_ok and meas in MODEL_MEASURES:
        shape = _period_shape_error(meas, row["period_start"], row["period_end"])
        if shape:
            add("period_start", shape)

    if _number(row["value"]) is None:
        add("value", f"'{row['value']}' is not a plain decimal number (e.g. -9.9)")
    ref = row["reference_value"]
    if meas == "pp_vs_reference":
        if not ref:
            add("reference_value", "pp_vs_reference needs the reference figure (e.g. the national growth rate)")
        elif _number(ref) is None:
            add("reference_value", f"'{ref}' is not a plain decimal number")
    elif ref:
        add("reference_value", f"a reference value is only for pp_vs_reference rows, not {meas}; leave it empty")

    if role == "fit":
        if ind in INDICATORS and not INDICATORS[ind][2]:
            add("indicator", f"'{ind}' is not a model output: role must be context (with a reason)")
        if meas in CONTEXT_MEASURES:
            add("measure", f"measure '{meas}' is context-only: role must be context (with a reason)")
        if row["basis"] == "na" and meas in MODEL_MEASURES:
            add("basis", "a fitted figure needs basis real or nominal")
    if (role == "context" or row["derived"] == "yes") and not row["reason"]:
        why = "context rows need a reason (why the model does not fit it)" if role == "context" else "derived rows need the arithmetic in reason"
        add("reason", why)
    if not row["source"]:
        add("source", "missing source (the seed file name)")
    if not row["quote"]:
        add("quote", "missing quote (the exact sentence from the source)")


def _read_text(path: Path, name: str) -> tuple[str | None, list[Problem]]:
    if not path.exists():
        return None, [Problem(name, None, "", "file not found")]
    if path.is_dir():
        return None, [Problem(name, None, "", "is a directory, expected a CSV file")]
    try:
        raw = path.read_bytes()
    except PermissionError:
        return None, [Problem(name, None, "", "permission denied (cannot read the file)")]
    except OSError as err:
        return None, [Problem(name, None, "", f"cannot read the file ({err.strerror})")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        return None, [Problem(name, line, "", f"not valid UTF-8 text (byte {raw[err.start]:#04x}); save the file as UTF-8")]
    if not text.strip():
        return None, [Problem(name, None, "", f"file is empty; expected a header line: {','.join(COLUMNS)}")]
    return text, []


def _parse(path: str | Path) -> tuple[list[Observation], list[Problem]]:
    p = Path(path)
    name = str(path)
    text, problems = _read_text(p, name)
    if text is None:
        return [], problems
    reader = csv.reader(text.splitlines(keepends=True))
    header = [h.strip() for h in next(reader)]
    if tuple(header) != COLUMNS:
        missing = [c for c in COLUMNS if c not in header]
        extra = [h for h in header if h not in COLUMNS]
        detail = []
        if missing:
            detail.append(f"missing {', '.join(missing)}")
        if extra:
            detail.append(f"unexpected {', '.join(extra)}")
        if not detail:
            detail.append("columns out of order")
        return [], [Problem(name, 1, "header", f"wrong header ({'; '.join(detail)}); expected: {','.join(COLUMNS)}")]

    rows: list[Observation] = []
    seen: dict[tuple[str, ...], int] = {}
    prev_end = reader.line_num
    for cells in reader:
        line = prev_end + 1
        prev_end = reader.line_num
        if not cells or all(not c.strip() for c in cells):
            continue
        add = _Adder(name, line, problems)
        if len(cells) != len(COLUMNS):
            add("", f"expected {len(COLUMNS)} fields, found {len(cells)} (a comma inside a field needs double quotes)")
            continue
        row = {k: c.strip() for k, c in zip(COLUMNS, cells, strict=True)}
        before = len(problems)
        _check_row(row, add)
        key = tuple(row[k] for k in ("indicator", "measure", "period_start", "period_end", "compare_start", "compare_end"))
        if key in seen:
            add("", f"duplicate of line {seen[key]} (same indicator, measure, period and compare period)")
            continue
        seen[key] = line
        if len(problems) > before:
            continue
        rows.append(
            Observation(
                indicator=row["indicator"],
                measure=row["measure"],
                period_start=row["period_start"],
                period_end=row["period_end"],
                compare_start=row["compare_start"] or None,
                compare_end=row["compare_end"] or None,
                value=float(row["value"]),
                unit=row["unit"],
                basis=row["basis"],
                reference_value=float(row["reference_value"]) if row["reference_value"] else None,
                role=row["role"],
                reason=row["reason"],
                derived=row["derived"] == "yes",
                source=row["source"],
                quote=row["quote"],
                line=line,
                precision=precision_of(row["value"].lstrip("+-")),
            )
        )
    return rows, problems


def read_observed(path: str | Path) -> tuple[list[Observation], list[Problem]]:
    """The valid rows of a file and every problem found (both, so a checker can count rows).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    rows : list of Observation
        Rows without problems, in file order.
    problems : list of Problem
    """
    return _parse(path)


def printed(ob: Observation) -> str:
    """The value with the digits it was printed with (``7103.1``, ``-9.9``, ``6000``)."""
    digits = max(0, round(-math.log10(2.0 * ob.precision)))
    return f"{ob.value:.{digits}f}"


def check_observed(path: str | Path) -> list[Problem]:
    """Every problem in an observed-data file (empty list when it is valid).

    Parameters
    ----------
    path : str or Path
        The CSV file; problems name it as given.

    Returns
    -------
    list of Problem
        One per problem, with the 1-based line and the column name as ``key``; whole-file
        problems (missing, a directory, not UTF-8, empty) come alone.
    """
    return _parse(path)[1]


def load_observed(path: str | Path) -> list[Observation]:
    """Load an observed-data file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    list of Observation
        In file order.

    Raises
    ------
    InputError
        Carrying every problem found, if there is any.
    """
    rows, problems = _parse(path)
    if problems:
        raise InputError(problems)
    return rows


def known_episodes() -> list[str]:
    """Episodes with an observed-data file in ``data/observed``."""
    return sorted(p.stem for p in OBSERVED_DIR.glob("*.csv"))


def observed_path_for(episode: str) -> Path:
    """The observed-data file of an episode, ``data/observed/<episode>.csv``.

    Raises
    ------
    InputError
        If no such file exists; the message lists the known episodes.
    """
    path = OBSERVED_DIR / f"{episode}.csv"
    if episode and "/" not in episode and path.is_file():
        return path
    known = ", ".join(known_episodes()) or "(none)"
    raise InputError([Problem(episode, None, "", f"unknown episode (known: {known}; or give a CSV file path)")])
