"""Periods and dates in a Chinese parse copy.

:func:`scan_times` finds every time expression of a sentence once, left to right: the periods a
figure can belong to (上半年, 1-5月, 前5月, 首7个月, 二季度, 全年, a bare 2021年, ...), the periods
a comparison names (比1-4月, 较上月, 比上年同期), dates (6月1日) and durations, so that their
numbers are never read as figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rebound.extract.records import ym

NAMED_PERIODS: dict[str, tuple[int, int, str]] = {
    # name -> (first month, last month, kind); kind: cum | quarter | half
    "前三季度": (1, 9, "cum"), "前3季度": (1, 9, "cum"), "前两季度": (1, 6, "cum"),
    "上半年": (1, 6, "cum"), "下半年": (7, 12, "half"), "全年": (1, 12, "cum"),
    "第一季度": (1, 3, "cum"), "一季度": (1, 3, "cum"), "1季度": (1, 3, "cum"),
    "首季度": (1, 3, "cum"), "首季": (1, 3, "cum"),
    "第二季度": (4, 6, "quarter"), "二季度": (4, 6, "quarter"), "2季度": (4, 6, "quarter"),
    "第三季度": (7, 9, "quarter"), "三季度": (7, 9, "quarter"), "3季度": (7, 9, "quarter"),
    "第四季度": (10, 12, "quarter"), "四季度": (10, 12, "quarter"), "4季度": (10, 12, "quarter"),
}

_NAMED_RE = "|".join(sorted(map(re.escape, NAMED_PERIODS), key=len, reverse=True))
TIME_FIRST = r"\d前首截止至到今本去上当全第下一二三四"
TIME = re.compile(
    f"(?=[{TIME_FIRST}])(?:(?<!\\d)(?:"  # one check skips the inside of a run of digits
    r"(?P<isodate>(?P<iy>20\d{2})-(?P<im>\d{1,2})-(?P<id>\d{1,2})(?!\d))"
    r"|(?P<clock>\d{1,2}:\d{2}(?::\d{2})?(?!\d))"
    r"|(?P<range>(?P<r0>\d{1,2})(?:月份?)?[-~至到](?P<r1>\d{1,2})月份?)"
    r"|(?P<monthlist>\d{1,2}(?:[、和及]\d{1,2}){1,11}月份?)"
    r"|(?P<date>(?P<dm>\d{1,2})月(?P<dd>\d{1,2})日)"
    r"|(?P<daynum>\d{1,2}日)"
    r"|(?P<duration>\d{1,4}(?:个月|天|年间|年来|小时|分钟?|秒|周))"
    r"|(?P<monthend>(?P<mem>\d{1,2})月(?:末|底))"
    r"|(?P<month>(?P<mm>\d{1,2})月份?(?:当月)?)"
    r"|(?P<year>(?P<yy>(?:19|20)\d{2})年(?:度)?)"
    r"|(?P<named>" + _NAMED_RE + r"))"
    r"|(?P<first>(?:前|首)(?P<fm>\d{1,2})个?月份?)"
    r"|(?P<upto>(?:截至|截止|至|到)(?:(?P<uy>(?:19|20)\d{2})年)?(?P<um>\d{1,2})月(?:末|底|份)?)"
    r"|(?P<rel>今年|本年|去年|上年|前年|当年)"
    r"|(?P<prevm>上个?月)"
    r"|(?P<prevq>上一?季度?))"
)

_COMPARE_BEFORE = ("比", "较", "与", "同")


@dataclass
class Period:
    """A period named in a sentence.

    Attributes
    ----------
    start, end : int
        First and last month.
    kind : str
        ``cum`` (year to date, Q1 and 全年 included), ``upto`` (截至N月末), ``month``,
        ``quarter``, ``half`` (下半年), ``range`` (M-N月 with M > 1), ``year`` (a bare year:
        the whole year), and for comparisons only ``prev_month`` / ``prev_quarter`` (上月,
        上季度: the one before the figure's period), ``same_prev`` (上年同期, 2019年同期: the same
        months of that year, a year before the figure's when no year is printed) and
        ``prev_year`` (比上年: the whole year before the figure's).
    year : int or None
        The year, when known.
    pos, endpos : int
        Span in the parse copy.
    text : str
        As printed.
    compare : bool
        Named after 比/较/与: the period a figure is compared with, not the figure's own.
    """

    start: int
    end: int
    kind: str
    year: int | None
    pos: int
    endpos: int
    text: str
    compare: bool = False

    @property
    def ytd(self) -> bool:
        """Year to date: starts in January (cum, upto, a bare year, Q1)."""
        return self.kind in ("cum", "upto", "year") or (self.kind == "quarter" and self.start == 1)

    def span(self) -> tuple[str, str]:
        """``(YYYY-MM, YYYY-MM)``; the year must be known."""
        assert self.year is not None
        return ym(self.year, self.start), ym(self.year, self.end)


@dataclass
class TimeScan:
    """What :func:`scan_times` found in one sentence."""

    periods: list[Period] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    dates: list[tuple[int, str]] = field(default_factory=list)


def _is_compare(s: str, m: re.Match[str], prev: Period | None) -> bool:
    before = s[max(0, m.start() - 2):m.start()]
    if before.endswith(_COMPARE_BEFORE) or before in ("比今", "较今"):
        return True
    return prev is not None and prev.compare and prev.endpos == m.start()


def _month_period(g: str, m: re.Match[str], year: int | None) -> Period | None:
    """Periods printed with month numbers (ranges, 前N月, 截至N月, N月)."""
    if g == "range":
        a, b, kind = int(m.group("r0")), int(m.group("r1")), ""
        kind = "cum" if a == 1 else "range"
    elif g == "first":
        a, b, kind = 1, int(m.group("fm")), "cum"
    elif g == "upto":
        a, b, kind = 1, int(m.group("um")), "upto"
        year = int(m.group("uy")) if m.group("uy") else year
    elif g == "monthend":
        a, b, kind = 1, int(m.group("mem")), "upto"
    elif g == "month":
        a = b = int(m.group("mm"))
        kind = "month"
    else:
        return None
    if not 1 <= a <= b <= 12 or (kind == "range" and a == b):
        return None
    return Period(a, b, kind, year, m.start(), m.end(), m.group(0))


def _relative(word: str, doc_year: int | None) -> int | None:
    if doc_year is None:
        return None
    return doc_year - {"去年": 1, "上年": 1, "前年": 2}.get(word, 0)


class _Scanner:
    def __init__(self, s: str, doc_year: int | None):
        self.s = s
        self.year = doc_year
        self.doc_year = doc_year
        self.out = TimeScan()
        self.prev: Period | None = None

    def add(self, p: Period, compare: bool) -> None:
        p.compare = compare
        prev = self.prev
        if prev is not None and prev.kind == "year" and prev.endpos == p.pos and prev.compare == compare \
                and self.out.periods and self.out.periods[-1] is prev:
            self.out.periods.pop()  # 2022年上半年, 比2022年全年: the year only dates the period after it
            p.year = prev.year if prev.year is not None else p.year
        self.out.periods.append(p)
        self.prev = p

    def year_token(self, m: re.Match[str], year: int | None, compare: bool) -> None:
        after = self.s[m.end():m.end() + 2]
        if after.startswith("以来"):
            return
        if after.startswith("同期") and not compare:
            return
        if not compare:
            self.year = year
        if after.startswith(("末", "底")):
            return
        kind = "same_prev" if compare and after.startswith("同期") else "year"
        self.add(Period(1, 12, kind, year, m.start(), m.end(), m.group(0)), compare)

    def rel(self, m: re.Match[str], compare: bool) -> None:
        word = m.group("rel")
        year = _relative(word, self.doc_year)
        after = self.s[m.end():m.end() + 2]
        if word in ("今年", "本年", "当年"):
            if not compare:
                self.year = year if word != "当年" else self.year
            return
        if compare:  # relative to the figure's own year: filled in when it is read
            kind = "same_prev" if after.startswith("同期") else "prev_year"
            self.add(Period(1, 12, kind, None, m.start(), m.end(), m.group(0)), True)
            return
        self.year_token(m, year, False)

    def token(self, m: re.Match[str]) -> None:
        g = m.lastgroup or ""
        compare = _is_compare(self.s, m, self.prev)
        if g == "year":
            self.year_token(m, int(m.group("yy")), compare)
        elif g == "rel":
            self.rel(m, compare)
        elif g == "date":
            if self.year is not None:
                self.out.dates.append((m.start(), f"{self.year:04d}-{int(m.group('dm')):02d}-{int(m.group('dd')):02d}"))
        elif g in ("prevm", "prevq"):
            if compare:
                kind = "prev_month" if g == "prevm" else "prev_quarter"
                self.add(Period(0, 0, kind, self.year, m.start(), m.end(), m.group(0)), True)
        elif g == "named":
            a, b, kind = NAMED_PERIODS[m.group("named")]
            self.add(Period(a, b, kind, self.year, m.start(), m.end(), m.group(0)), compare)
        else:
            p = _month_period(g, m, self.year)
            if p is not None and not self.s.startswith("以来", m.end()):
                self.add(p, compare)


def scan_times(s: str, doc_year: int | None) -> TimeScan:
    """Every time expression of a parse copy, in order.

    Parameters
    ----------
    s : str
        Parse copy of one sentence.
    doc_year : int or None
        The document's year (for periods printed without one, 今年, 去年).

    Returns
    -------
    TimeScan
        Periods (with the year in force where printed), the spans of all time expressions,
        and dates as ``(position, YYYY-MM-DD)``.
    """
    sc = _Scanner(s, doc_year)
    for m in TIME.finditer(s):
        sc.out.spans.append((m.start(), m.end()))
        sc.token(m)
    return sc.out
