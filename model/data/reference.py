"""Reference series (national, a province, a peer city): ``data/reference/<name>.csv``.

A reference file has the columns of an observed-data file (:data:`rebound.data.checks.COLUMNS`)
and is validated by the same checks; its roles are ``reference`` (the row used) and
``context`` (another source or vintage of the same figure, kept with the reason it is not
used). :meth:`Reference.monthly_yoy` turns the published rows of one indicator into a
single-month y/y path, saying for each month which rule gave it (``docs/data.md``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rebound.data.derive import Series
from rebound.data.observed import ROOT, Observation, parse
from rebound.problems import InputError, Problem

REFERENCE_DIR = ROOT / "data" / "reference"
LOCAL_REFERENCE_DIR = Path("data") / "reference"  # relative to the working folder
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def known_references() -> list[str]:
    """Names of the reference files shipped in ``data/reference`` and in the working folder's."""
    names = {p.stem for d in (REFERENCE_DIR, LOCAL_REFERENCE_DIR) if d.is_dir() for p in d.glob("*.csv")}
    return sorted(names)


def _is_name(text: str) -> bool:
    return bool(_NAME.match(text)) and not text.lower().endswith(".csv") and text not in (".", "..")


def reference_path(name_or_path: str, relative_to: Path | None = None) -> Path:
    """The file of a reference series.

    Parameters
    ----------
    name_or_path : str
        A bare name (``"national"``, no folder and no ``.csv``) is ``data/reference/<name>.csv``
        in the project, or else in the working folder. Anything else is a path.
    relative_to : Path, optional
        Folder a relative path is taken from (the parameter file's folder); default: as given.

    Returns
    -------
    Path
        The path of the file (a path is returned without checking that it exists).

    Raises
    ------
    InputError
        For a bare name with no such file; the message lists the known names.
    """
    if _is_name(name_or_path):
        for folder in (REFERENCE_DIR, LOCAL_REFERENCE_DIR):
            path = folder / f"{name_or_path}.csv"
            if path.is_file():
                return path
        known = ", ".join(known_references()) or "(none)"
        message = f"unknown reference (known: {known}; or give a CSV file path)"
        raise InputError([Problem(name_or_path, None, "", message)])
    path = Path(name_or_path).expanduser()
    if relative_to is not None and not path.is_absolute():
        return Path(relative_to) / path
    return path


@dataclass(frozen=True)
class Reference:
    """The rows of one reference file.

    Attributes
    ----------
    path : Path
    rows : tuple of Observation
        Every row (``reference`` and ``context``), in file order.
    """

    path: Path
    rows: tuple[Observation, ...]

    def indicators(self) -> list[str]:
        """Indicator ids with at least one ``reference`` row, in file order."""
        return list(dict.fromkeys(r.indicator for r in self.rows if r.role == "reference"))

    def series(self, indicator: str) -> Series:
        """The ``reference`` rows of one indicator, indexed for derivation."""
        if indicator not in self.indicators():
            has = ", ".join(self.indicators()) or "none"
            raise InputError([Problem(str(self.path), None, "indicator", f"no reference rows for '{indicator}' (this file has: {has})")])
        return Series.of(r for r in self.rows if r.indicator == indicator and r.role == "reference")

    def monthly_yoy(self, indicator: str, months: list[str]) -> tuple[NDArray[np.float64], list[str]]:
        """Single-month y/y growth (%) of ``indicator`` for each month, and how it was obtained.

        Rules, in order (names from :data:`rebound.data.derive.RULES`): a published
        single-month y/y (``yoy_month_pct``); for January and February the combined Jan–Feb
        figure (``jan_feb_cum``); the y/y of the quarter containing the month
        (``yoy_quarter_pct``); from the year-to-date y/y of Jan..m and Jan..m−1, weighted by
        year-to-date levels (``cum_levels``) or, without levels, the Jan..m rate itself
        (``cum_rate``); single-month levels against a year earlier (``level_ratio``);
        differences of year-to-date levels, with last year's base scaled so the latest
        published year-to-date rate of the year comes out exactly (``ytd_levels_scaled``;
        ``ytd_levels`` without a published rate). Else NaN and ``missing``. Only rows with
        role ``reference`` are used.

        Parameters
        ----------
        indicator : str
            An indicator id with reference rows in this file.
        months : list of str
            ``"YYYY-MM"`` labels, any order.

        Returns
        -------
        values : ndarray, shape (len(months),)
            Percent; NaN where no rule applies.
        how : list of str
            The rule that gave each value.

        Raises
        ------
        InputError
            If the file has no reference rows for ``indicator``.
        ValueError
            If a month is not written ``YYYY-MM``.
        """
        bad = [m for m in months if not _MONTH.match(m)]
        if bad:
            raise ValueError(f"months must be written YYYY-MM, not {bad[0]!r}")
        s = self.series(indicator)
        found = [s.month(m) for m in months]
        return np.array([v for v, _ in found], dtype=float), [how for _, how in found]


def check_reference(path: str | Path) -> list[Problem]:
    """Every problem in a reference file (empty list when it is valid)."""
    return parse(path, "reference")[1]


def load_reference(name_or_path: str, relative_to: Path | None = None) -> Reference:
    """Load and validate a reference file.

    Parameters
    ----------
    name_or_path : str
        As for :func:`reference_path`.
    relative_to : Path, optional
        As for :func:`reference_path`.

    Returns
    -------
    Reference

    Raises
    ------
    InputError
        Carrying every problem found (``file:line: column: message``), if there is any.
    """
    path = reference_path(name_or_path, relative_to)
    rows, problems = parse(path, "reference")
    if problems:
        raise InputError(problems)
    return Reference(path, tuple(rows))
