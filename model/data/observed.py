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
from dataclasses import dataclass
from pathlib import Path

from rebound.data.checks import (
    COLUMNS,
    KINDS,
    UNIT_OF_MEASURE,
    Adder,
    check_row,
    header_problem,
    precision_of,
    read_text,
)
from rebound.data.vocab import add_local_indicators
from rebound.problems import InputError, Problem

__all__ = [
    "COLUMNS",
    "UNIT_OF_MEASURE",
    "Observation",
    "check_observed",
    "known_episodes",
    "load_observed",
    "observed_path_for",
    "precision_of",
    "printed",
    "read_observed",
]

ROOT = Path(__file__).resolve().parents[2]
OBSERVED_DIR = ROOT / "data" / "observed"
_KEY = ("indicator", "measure", "period_start", "period_end", "compare_start", "compare_end")


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


def detect_kind(path: Path, roles: list[str]) -> str:
    """``reference`` for a file in a folder named ``reference`` or with a ``reference`` row."""
    return "reference" if path.parent.name == "reference" or "reference" in roles else "observed"


def _duplicate(key: tuple[str, ...], row: dict[str, str], kind: str, seen: dict[tuple[str, ...], int], refs: dict[tuple[str, ...], int]) -> str:
    """Why a row repeats an earlier one in a way its kind of file forbids ('' if it may)."""
    if kind == "observed":
        return f"duplicate of line {seen[key]} (same indicator, measure, period and compare period)" if key in seen else ""
    if row["role"] == "reference" and key in refs:
        return f"line {refs[key]} is already the reference for this figure: mark one row reference and the others context (with the reason)"
    return ""


def _observation(row: dict[str, str], line: int) -> Observation:
    return Observation(
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


MAX_FIELD = 1 << 24
"""Longest CSV field read (16 MiB; csv's own default, 131,072 characters, is below a long quote)."""


def _cells(text: str, name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and each non-blank record with the line it starts on.

    Raises
    ------
    InputError
        A field longer than :data:`MAX_FIELD` or malformed quoting the csv module refuses.
    """
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD))
    reader = csv.reader(text.splitlines(keepends=True))
    records: list[tuple[int, list[str]]] = []
    prev_end = 0
    try:
        header = [h.strip() for h in next(reader)]
        prev_end = reader.line_num
        for cells in reader:
            line, prev_end = prev_end + 1, reader.line_num
            if cells and any(c.strip() for c in cells):
                records.append((line, cells))
    except csv.Error as err:
        msg = str(err).replace("field larger than field limit", f"a field is longer than {MAX_FIELD:,} characters")
        raise InputError([Problem(name, prev_end + 1, "", f"cannot read the CSV record: {msg}")]) from None
    return header, records


def parse(path: str | Path, kind: str | None = None) -> tuple[list[Observation], list[Problem]]:
    """The valid rows of an observed or reference file and every problem found.

    Parameters
    ----------
    path : str or Path
    kind : str, optional
        ``observed`` or ``reference``; by default :func:`detect_kind` decides.

    Returns
    -------
    rows : list of Observation
        Rows without problems, in file order.
    problems : list of Problem
        Those of ``data/indicators.csv`` in the working folder (if any) come first.
    """
    p = Path(path)
    name = str(path)
    text, problems = read_text(p, name)
    if text is None:
        return [], problems
    problems = add_local_indicators()
    try:
        header, records = _cells(text, name)
    except InputError as err:
        return [], [*problems, *err.problems]
    bad_header = header_problem(header, name)
    if bad_header is not None:
        return [], [*problems, bad_header]
    if kind is None:
        role_at = COLUMNS.index("role")
        kind = detect_kind(p, [c[role_at].strip() for _, c in records if len(c) > role_at])
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    rows: list[Observation] = []
    seen: dict[tuple[str, ...], int] = {}
    refs: dict[tuple[str, ...], int] = {}
    for line, cells in records:
        add = Adder(name, line, problems)
        if len(cells) != len(COLUMNS):
            add("", f"expected {len(COLUMNS)} fields, found {len(cells)} (a comma inside a field needs double quotes)")
            continue
        row = {k: c.strip() for k, c in zip(COLUMNS, cells, strict=True)}
        before = len(problems)
        check_row(row, add, kind)
        key = tuple(row[k] for k in _KEY)
        dup = _duplicate(key, row, kind, seen, refs)
        if dup:
            add("", dup)
            continue
        seen.setdefault(key, line)
        if row["role"] == "reference":
            refs[key] = line
        if len(problems) == before:
            rows.append(_observation(row, line))
    return rows, problems


def read_observed(path: str | Path, kind: str | None = None) -> tuple[list[Observation], list[Problem]]:
    """The valid rows of a file and every problem found (both, so a checker can count rows).

    Parameters
    ----------
    path : str or Path
    kind : str, optional
        ``observed`` or ``reference``; by default a file in a folder named ``reference`` or
        with a ``reference`` row is a reference file.

    Returns
    -------
    rows : list of Observation
        Rows without problems, in file order.
    problems : list of Problem
    """
    return parse(path, kind)


def printed(ob: Observation) -> str:
    """The value with the digits it was printed with (``7103.1``, ``-9.9``, ``6000``)."""
    digits = max(0, round(-math.log10(2.0 * ob.precision)))
    return f"{ob.value:.{digits}f}"


def check_observed(path: str | Path, kind: str | None = None) -> list[Problem]:
    """Every problem in an observed-data (or reference-data) file (empty list when it is valid).

    Parameters
    ----------
    path : str or Path
        The CSV file; problems name it as given.
    kind : str, optional
        As for :func:`read_observed`.

    Returns
    -------
    list of Problem
        One per problem, with the 1-based line and the column name as ``key``; whole-file
        problems (missing, a directory, not UTF-8, empty) come alone.
    """
    return parse(path, kind)[1]


def load_observed(path: str | Path) -> list[Observation]:
    """Load an observed-data file (roles ``fit`` and ``context``).

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
    rows, problems = parse(path, "observed")
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
