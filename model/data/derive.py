"""Single-month y/y growth of a reference series from whatever its rows publish.

:class:`Series` indexes the ``reference`` rows of one indicator; :meth:`Series.month` applies
the rules of ``docs/data.md`` ("Reference data: from published rows to monthly y/y") in order
and says which one gave the number. Pure functions of the rows: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rebound.data.observed import Observation

# Names of the rules, in the order they are tried ("how" in Reference.monthly_yoy).
RULES: tuple[str, ...] = (
    "yoy_month_pct",  # a published single-month y/y
    "jan_feb_cum",  # January and February: the combined Jan–Feb y/y
    "yoy_quarter_pct",  # the y/y of the quarter containing the month
    "cum_levels",  # consecutive year-to-date y/y, weighted by year-to-date levels
    "cum_rate",  # consecutive year-to-date y/y without levels: the Jan..m rate itself
    "level_ratio",  # single-month levels against the same month a year earlier
    "ytd_levels_scaled",  # differences of year-to-date levels, base scaled to the published rates (checked)
    "cum_span",  # average y/y of the months between two published year-to-date rates
    "ytd_levels_unchecked",  # as ytd_levels_scaled, but the year has one published rate only
    "ytd_levels",  # differences of year-to-date levels, the year has no published rate
    "ytd_levels_inconsistent",  # NaN: one scale cannot reproduce the year's published rates
    "missing",  # NaN: no rule applies
)
# How far (pp) the scaled levels may miss another published year-to-date rate of the same year
# before the year's level differences are judged unusable (ytd_levels_inconsistent).
SCALE_TOLERANCE_PP = 2.0

Found = tuple[float, str] | None


def _ym(month: str) -> tuple[int, int]:
    return int(month[:4]), int(month[5:7])


@dataclass
class Series:
    """The reference rows of one indicator, indexed by period.

    Attributes
    ----------
    month_yoy : dict
        ``(year, month) -> %`` from single-month ``yoy_month_pct`` rows.
    jan_feb : dict
        ``year -> %`` from Jan–Feb combined rows (``yoy_cum_pct`` or ``yoy_month_pct`` 01..02).
    cum : dict
        ``(year, last month) -> %`` from ``yoy_cum_pct`` rows (Jan..m).
    quarter : dict
        ``(year, quarter 1-4) -> %`` from ``yoy_quarter_pct`` rows.
    month_level : dict
        ``(year, month) -> 亿元`` from single-month ``level_100m_yuan`` rows.
    jan_feb_level : dict
        ``year -> 亿元`` from Jan–Feb combined ``level_100m_yuan`` rows (also year to date).
    ytd_level : dict
        ``(year, last month) -> 亿元`` from year-to-date ``level_100m_yuan`` rows (Jan..m, m ≥ 2).
    """

    month_yoy: dict[tuple[int, int], float] = field(default_factory=dict)
    jan_feb: dict[int, float] = field(default_factory=dict)
    cum: dict[tuple[int, int], float] = field(default_factory=dict)
    quarter: dict[tuple[int, int], float] = field(default_factory=dict)
    month_level: dict[tuple[int, int], float] = field(default_factory=dict)
    jan_feb_level: dict[int, float] = field(default_factory=dict)
    ytd_level: dict[tuple[int, int], float] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[Observation]) -> Series:
        """Index the rows (the caller passes the ``reference`` rows of one indicator)."""
        s = cls()
        for ob in rows:
            s._add(ob)
        return s

    def _add(self, ob: Observation) -> None:
        (ys, ms), (ye, me) = _ym(ob.period_start), _ym(ob.period_end)
        jan_feb = ys == ye and (ms, me) == (1, 2)
        single = ob.period_start == ob.period_end
        if ob.measure in ("yoy_month_pct", "yoy_cum_pct") and jan_feb:
            self.jan_feb[ye] = ob.value
        if ob.measure == "yoy_month_pct" and single:
            self.month_yoy[(ye, me)] = ob.value
        elif ob.measure == "yoy_cum_pct" and ms == 1 and ys == ye:
            self.cum[(ye, me)] = ob.value
        elif ob.measure == "yoy_quarter_pct":
            self.quarter[(ye, me // 3)] = ob.value
        elif ob.measure == "level_100m_yuan" and single:
            self.month_level[(ye, me)] = ob.value
        elif ob.measure == "level_100m_yuan" and ms == 1 and ys == ye:
            self.ytd_level[(ye, me)] = ob.value
            if me == 2:
                self.jan_feb_level[ye] = ob.value

    # ------------------------------------------------------------------ building blocks

    def ytd(self, year: int, month: int) -> float | None:
        """Year-to-date level Jan..month: a published one, else the sum of month levels."""
        if (year, month) in self.ytd_level:
            return self.ytd_level[(year, month)]
        if month == 1:
            return self.month_level.get((year, 1))
        first = self.jan_feb_level.get(year)
        if first is None and (year, 1) in self.month_level and (year, 2) in self.month_level:
            first = self.month_level[(year, 1)] + self.month_level[(year, 2)]
        rest = [self.month_level.get((year, k)) for k in range(3, month + 1)]
        if first is None or any(x is None for x in rest):
            return None
        return first + sum(x for x in rest if x is not None)

    def cum_rate(self, year: int, month: int) -> float | None:
        """Published year-to-date y/y Jan..month (Jan–Feb combined for month 2)."""
        if month == 2 and year in self.jan_feb:
            return self.jan_feb[year]
        return self.cum.get((year, month))

    def _month_from_ytd(self, year: int, month: int) -> float | None:
        if month <= 2:
            return self.ytd(year, 2)
        a, b = self.ytd(year, month), self.ytd(year, month - 1)
        return None if a is None or b is None else a - b

    def base_scale(self, year: int) -> float | None:
        """Factor on last year's year-to-date levels that makes the latest published
        year-to-date rate of ``year`` come out exactly (NBS revises the prior-year base)."""
        for month in range(12, 1, -1):
            rate = self.cum_rate(year, month)
            now, before = self.ytd(year, month), self.ytd(year - 1, month)
            if rate is not None and now is not None and before:
                return (now / before) / (1.0 + rate / 100.0)
        return None

    # ------------------------------------------------------------------ the rules

    def _published(self, y: int, m: int) -> Found:
        if (y, m) in self.month_yoy:
            return self.month_yoy[(y, m)], "yoy_month_pct"
        if m <= 2 and y in self.jan_feb:
            return self.jan_feb[y], "jan_feb_cum"
        q = (m - 1) // 3 + 1
        if (y, q) in self.quarter:
            return self.quarter[(y, q)], "yoy_quarter_pct"
        return None

    def _from_cum(self, y: int, m: int) -> Found:
        if m < 3:
            return None
        r_m, r_p = self.cum_rate(y, m), self.cum_rate(y, m - 1)
        if r_m is None or r_p is None:
            return None
        bases = self._bases(y, m)
        if bases is None:
            return r_m, "cum_rate"
        b_m, b_p = bases
        if b_m - b_p <= 0:
            return None
        g = ((1 + r_m / 100) * b_m - (1 + r_p / 100) * b_p) / (b_m - b_p) - 1
        return 100.0 * g, "cum_levels"

    def _bases(self, y: int, m: int) -> tuple[float, float] | None:
        """Last year's year-to-date levels through m and m−1: implied by this year's levels
        and the published rates, else last year's published levels."""
        now_m, now_p = self.ytd(y, m), self.ytd(y, m - 1)
        r_m, r_p = self.cum_rate(y, m), self.cum_rate(y, m - 1)
        if now_m is not None and now_p is not None and r_m is not None and r_p is not None:
            return now_m / (1 + r_m / 100), now_p / (1 + r_p / 100)
        last_m, last_p = self.ytd(y - 1, m), self.ytd(y - 1, m - 1)
        if last_m is not None and last_p is not None:
            return last_m, last_p
        return None

    def _from_month_levels(self, y: int, m: int) -> Found:
        now, before = self.month_level.get((y, m)), self.month_level.get((y - 1, m))
        if now is None or not before:
            return None
        return 100.0 * (now / before - 1.0), "level_ratio"

    def scale_misses(self, year: int, scale: float) -> list[tuple[int, float, float]]:
        """Published year-to-date rates of ``year`` the scaled levels miss by more than
        :data:`SCALE_TOLERANCE_PP`: ``(month, published, implied)``."""
        out: list[tuple[int, float, float]] = []
        for month in range(2, 13):
            rate = self.cum_rate(year, month)
            now, before = self.ytd(year, month), self.ytd(year - 1, month)
            if rate is None or now is None or not before:
                continue
            implied = 100.0 * (now / (scale * before) - 1.0)
            if abs(implied - rate) > SCALE_TOLERANCE_PP:
                out.append((month, rate, implied))
        return out

    def pins(self, year: int) -> list[int]:
        """Months (2 = Jan–Feb) with a published year-to-date rate and this year's level."""
        return [k for k in range(2, 13) if self.cum_rate(year, k) is not None and self.ytd(year, k) is not None]

    def _checked_scale(self, y: int) -> float | None:
        scale = self.base_scale(y)
        checks = [k for k in self.pins(y) if self.ytd(y - 1, k)]
        if scale is None or len(checks) < 2 or self.scale_misses(y, scale):
            return None
        return scale

    def _level_months(self, y: int, m: int) -> tuple[float, float] | None:
        now, before = self._month_from_ytd(y, m), self._month_from_ytd(y - 1, m)
        if now is None or before is None or now <= 0 or before <= 0:
            return None
        return now, before

    def _from_ytd_checked(self, y: int, m: int) -> Found:
        levels, scale = self._level_months(y, m), self._checked_scale(y)
        if levels is None or scale is None:
            return None
        return 100.0 * (levels[0] / (scale * levels[1]) - 1.0), "ytd_levels_scaled"

    def _from_span(self, y: int, m: int) -> Found:
        m = max(m, 2)
        pins = self.pins(y)
        hi = next((k for k in pins if k >= m), None)
        if hi is None:
            return None
        lo = max((k for k in pins if k < m), default=0)
        y_hi, y_lo = self.ytd(y, hi) or 0.0, self.ytd(y, lo) or 0.0 if lo else 0.0
        r_hi, r_lo = self.cum_rate(y, hi) or 0.0, self.cum_rate(y, lo) or 0.0 if lo else 0.0
        base = y_hi / (1 + r_hi / 100) - y_lo / (1 + r_lo / 100)
        if base <= 0 or y_hi <= y_lo:
            return None
        return 100.0 * ((y_hi - y_lo) / base - 1.0), "cum_span"

    def _from_ytd_levels(self, y: int, m: int) -> Found:
        levels = self._level_months(y, m)
        if levels is None:
            return None
        now, before = levels
        scale = self.base_scale(y)
        if scale is None:
            return 100.0 * (now / before - 1.0), "ytd_levels"
        if self.scale_misses(y, scale):
            return math.nan, "ytd_levels_inconsistent"
        return 100.0 * (now / (scale * before) - 1.0), "ytd_levels_unchecked"

    def month(self, month: str) -> tuple[float, str]:
        """Single-month y/y (%) of ``"YYYY-MM"`` and the rule that gave it (NaN, "missing")."""
        y, m = _ym(month)
        rules: tuple[Callable[[int, int], Found], ...] = (
            self._published,
            self._from_cum,
            self._from_month_levels,
            self._from_ytd_checked,
            self._from_span,
            self._from_ytd_levels,
        )
        for rule in rules:
            found = rule(y, m)
            if found is not None:
                return found
        return math.nan, "missing"
