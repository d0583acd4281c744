"""The daily calendar of an episode: prior year and current year."""

from __future__ import annotations

import calendar as _cal
import datetime as dt
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rebound.units import MONTHS_PER_YEAR

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Calendar:
    """Days from 1 January of ``first_year`` (default ``year - 1``) to 31 December of
    ``last_year`` (default ``year``); ``year`` is the episode year."""

    year: int
    first_year: int | None = None
    last_year: int | None = None

    @classmethod
    def of(cls, params: Any) -> Calendar:
        """The calendar of a parameter set (its episode year and simulated years).

        Calendars are immutable, so one instance per span is shared (its day arrays are
        computed once per process, not once per chunk of draws).
        """
        return _calendar(params.episode.year, params.first_year, params.last_year)

    @property
    def y0(self) -> int:
        return self.first_year if self.first_year is not None else self.year - 1

    @property
    def y1(self) -> int:
        return self.last_year if self.last_year is not None else self.year

    @property
    def start(self) -> dt.date:
        return dt.date(self.y0, 1, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.y1, 12, 31)

    @cached_property
    def months(self) -> list[str]:
        """Every month of the horizon, ``YYYY-MM``."""
        return [f"{y:04d}-{m:02d}" for y in range(self.y0, self.y1 + 1) for m in range(1, 13)]

    @cached_property
    def month_of_day(self) -> NDArray[np.int64]:
        """Index into :attr:`months` of each day."""
        y, m, _ = self.ymd
        return np.asarray((y - self.y0) * MONTHS_PER_YEAR + (m - 1), dtype=np.int64)

    @cached_property
    def days_in_month(self) -> FloatArray:
        """Number of days of each month of :attr:`months`."""
        return np.bincount(self.month_of_day, minlength=len(self.months)).astype(float)

    @cached_property
    def n_days(self) -> int:
        return (self.end - self.start).days + 1

    @cached_property
    def dates(self) -> NDArray[np.datetime64]:
        return np.arange(np.datetime64(self.start), np.datetime64(self.end) + 1, dtype="datetime64[D]")

    @cached_property
    def ymd(self) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        d = self.dates
        years = d.astype("datetime64[Y]").astype(np.int64) + 1970
        months = d.astype("datetime64[M]").astype(np.int64) % MONTHS_PER_YEAR + 1
        days = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
        return years, months, days

    @cached_property
    def month_index(self) -> NDArray[np.int64]:
        """0-based month of each day (0 = January)."""
        return self.ymd[1] - 1

    @cached_property
    def is_prior_year(self) -> NDArray[np.bool_]:
        return np.asarray(self.ymd[0] == self.year - 1, dtype=bool)

    @cached_property
    def year_fraction(self) -> FloatArray:
        r"""Years since the horizon start, aligned by calendar date.

        .. math:: \tau = (y - y_0) + \frac{m - 1}{12} + \frac{d - 1}{12\,D_m}

        where :math:`D_m` is the number of days in that month, so the same calendar date one
        year later is exactly one unit later and a constant growth rate gives the same y/y
        ratio for every month.
        """
        y, m, d = self.ymd
        dim = np.array([_cal.monthrange(int(a), int(b))[1] for a, b in zip(y, m, strict=True)], dtype=float)
        tau = (y - self.y0).astype(float) + (m - 1) / MONTHS_PER_YEAR + (d - 1) / (MONTHS_PER_YEAR * dim)
        return np.asarray(tau, dtype=float)

    @cached_property
    def month_matrix(self) -> tuple[list[str], FloatArray]:
        """(labels, M) with M[t, k] = 1 when day t falls in month k (all months are whole)."""
        ym = self.dates.astype("datetime64[M]")
        uniq, idx = np.unique(ym, return_inverse=True)
        M = np.zeros((self.n_days, uniq.size))
        M[np.arange(self.n_days), idx] = 1.0
        return [str(u) for u in uniq], M

    def day(self, date: dt.date) -> int:
        """Index of a date in the horizon."""
        return (date - self.start).days

    def date(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=day)


@lru_cache(maxsize=64)
def _calendar(year: int, first_year: int | None, last_year: int | None) -> Calendar:
    return Calendar(year, first_year, last_year)
