"""Row checks shared by observed-data and reference-data files (one column layout).

Each check appends ``(column, message)`` problems for one row through an :class:`Adder`; the
readers in :mod:`rebound.data.observed` turn them into ``file:line: column: message`` lines.
A file is of kind ``observed`` (roles ``fit``/``context``, one row per figure) or
``reference`` (roles ``reference``/``context``; the same figure may appear once per source,
at most one of them ``reference``).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from rebound.data.vocab import (
    BASES,
    CONTEXT_MEASURES,
    INDICATORS,
    MEASURES,
    MODEL_MEASURES,
    OBSERVED_ROLES,
    REFERENCE_ROLES,
    UNITS,
)
from rebound.problems import Problem

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
KINDS: tuple[str, ...] = ("observed", "reference")

# The unit each model measure is printed in.
UNIT_OF_MEASURE: dict[str, str] = {
    "yoy_month_pct": "pct",
    "yoy_cum_pct": "pct",
    "yoy_quarter_pct": "pct",
    "level_100m_yuan": "100m_yuan",
    "pp_change": "pp",
    "pp_vs_reference": "pp",
    "two_year_avg_pct": "pct",
}

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")


def precision_of(text: str) -> float:
    """Half a unit of the last printed digit of a plain decimal number.

    >>> precision_of("22.4"), precision_of("6"), precision_of("70.34")
    (0.05, 0.5, 0.005)
    """
    digits = len(text.split(".", 1)[1]) if "." in text else 0
    return 0.5 * 10.0 ** (-digits)


def number(text: str) -> float | None:
    """The value of a plain decimal (``-9.9``, ``7103.1``, ``6``), or None."""
    if not _DECIMAL.match(text):
        return None
    x = float(text)
    return x if math.isfinite(x) else None


def period_shape_error(measure: str, start: str, end: str) -> str:
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


class Adder:
    """Collects problems of one row: ``add(column, message)``."""

    def __init__(self, file: str, line: int, out: list[Problem]):
        self.file, self.line, self.out = file, line, out

    def __call__(self, key: str, message: str) -> None:
        self.out.append(Problem(self.file, self.line, key, message))


FIRST_YEAR, LAST_YEAR = 1949, 2100  # figures of the People's Republic; the calendar must cover two years around them


def check_period(row: dict[str, str], start_key: str, end_key: str, add: Adder) -> bool:
    """Both ends are ``YYYY-MM`` and the period does not end before it starts."""
    ok = True
    for key in (start_key, end_key):
        if not MONTH.match(row[key]):
            add(key, f"'{row[key]}' is not a month written YYYY-MM (e.g. 2022-07)")
            ok = False
        elif not FIRST_YEAR <= int(row[key][:4]) <= LAST_YEAR:
            add(key, f"{row[key]} is outside the years a figure can be modelled ({FIRST_YEAR}..{LAST_YEAR})")
            ok = False
    if ok and row[end_key] < row[start_key]:
        add(end_key, f"period ends ({row[end_key]}) before it starts ({row[start_key]})")
        ok = False
    return ok


def _role_problem(role: str, kind: str) -> str:
    allowed = OBSERVED_ROLES if kind == "observed" else REFERENCE_ROLES
    if role in allowed:
        return ""
    if role == "reference":
        return "role 'reference' is only for reference files (data/reference/*.csv); use fit or context"
    if role == "fit" and kind == "reference":
        return "role 'fit' is for observed files; a reference row is reference or context"
    return f"unknown role '{role}' (use {' or '.join(allowed)})"


def _check_vocabulary(row: dict[str, str], add: Adder, kind: str) -> None:
    ind, meas = row["indicator"], row["measure"]
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
    why = _role_problem(row["role"], kind)
    if why:
        add("role", why)
    if row["derived"] not in ("yes", "no"):
        add("derived", f"'{row['derived']}' is not yes or no")


def _check_periods(row: dict[str, str], add: Adder) -> None:
    meas = row["measure"]
    period_ok = check_period(row, "period_start", "period_end", add)
    has_compare = bool(row["compare_start"] or row["compare_end"])
    if meas == "pp_change":
        if not row["compare_start"] or not row["compare_end"]:
            add("compare_start" if not row["compare_start"] else "compare_end", "pp_change needs the compare period (the earlier cumulative period, e.g. 2022-01..2022-05)")
        elif check_period(row, "compare_start", "compare_end", add):
            shape = period_shape_error(meas, row["compare_start"], row["compare_end"])
            if shape:
                add("compare_start", shape.replace("the period", "the compare period"))
    elif has_compare:
        add("compare_start", f"a compare period is only for pp_change rows, not {meas}; leave it empty")
    if period_ok and meas in MODEL_MEASURES:
        shape = period_shape_error(meas, row["period_start"], row["period_end"])
        if shape:
            add("period_start", shape)


def _check_values(row: dict[str, str], add: Adder) -> None:
    meas = row["measure"]
    if number(row["value"]) is None:
        add("value", f"'{row['value']}' is not a plain decimal number (e.g. -9.9)")
    ref = row["reference_value"]
    if meas == "pp_vs_reference":
        if not ref:
            add("reference_value", "pp_vs_reference needs the reference figure (e.g. the national growth rate)")
        elif number(ref) is None:
            add("reference_value", f"'{ref}' is not a plain decimal number")
    elif ref:
        add("reference_value", f"a reference value is only for pp_vs_reference rows, not {meas}; leave it empty")


def _check_role_rules(row: dict[str, str], add: Adder, kind: str) -> None:
    ind, meas, role = row["indicator"], row["measure"], row["role"]
    if role == "fit":
        if ind in INDICATORS and not INDICATORS[ind][2]:
            add("indicator", f"'{ind}' is not a model output: role must be context (with a reason)")
        if meas in CONTEXT_MEASURES:
            add("measure", f"measure '{meas}' is context-only: role must be context (with a reason)")
        if row["basis"] == "na" and meas in MODEL_MEASURES:
            add("basis", "a fitted figure needs basis real or nominal")
    if (role == "context" or row["derived"] == "yes") and not row["reason"]:
        why = "context rows need a reason (why the model does not fit it)" if role == "context" else "derived rows need the arithmetic in reason"
        if kind == "reference" and role == "context":
            why = "context rows need a reason (why another row of the same figure is the reference, or why it is not used)"
        add("reason", why)
    if not row["source"]:
        add("source", "missing source (the seed file name)" if kind == "observed" else "missing source (where the figure was published)")
    if not row["quote"]:
        add("quote", "missing quote (the exact sentence from the source)")


def check_row(row: dict[str, str], add: Adder, kind: str = "observed") -> None:
    """Append the problems of one row (every column, independently where possible).

    Parameters
    ----------
    row : dict
        Cell text by column name (stripped).
    add : Adder
    kind : str
        ``observed`` or ``reference`` (which roles are allowed, and the wording of messages).
    """
    _check_vocabulary(row, add, kind)
    _check_periods(row, add)
    _check_values(row, add)
    _check_role_rules(row, add, kind)


def read_text(path: Path, name: str) -> tuple[str | None, list[Problem]]:
    """The text of a UTF-8 data file, or None and the one whole-file problem."""
    if not path.exists():
        return None, [Problem(name, None, "", "file not found")]
    if path.is_dir():
        return None, [Problem(name, None, "", "is a directory, expected a CSV file")]
    if not path.is_file():  # a pipe with no writer would block for ever
        return None, [Problem(name, None, "", "is not a regular file (a pipe, device or socket); give a CSV file")]
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


def header_problem(header: list[str], name: str) -> Problem | None:
    """The problem with a header line, or None when it is exactly :data:`COLUMNS`."""
    if tuple(header) == COLUMNS:
        return None
    missing = [c for c in COLUMNS if c not in header]
    extra = [h for h in header if h not in COLUMNS]
    detail = []
    if missing:
        detail.append(f"missing {', '.join(missing)}")
    if extra:
        detail.append(f"unexpected {', '.join(extra)}")
    if not detail:
        detail.append("columns out of order")
    return Problem(name, 1, "header", f"wrong header ({'; '.join(detail)}); expected: {','.join(COLUMNS)}")
