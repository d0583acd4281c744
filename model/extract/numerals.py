"""Numbers in statistical text: Chinese numerals, digits, units, figures.

Chinese numerals (``百分之四点二``, ``一至五月``, ``前五个月``, ``两个百分点``, ``二〇二一年``) are
written in digits with ``cn2an`` where they stand for a quantity, a month or a year; the
numerals inside names (一季度, 第一产业, 一汽) are left alone. Every pattern here is bounded (at most
15 digits, atomic alternatives), so a long run of digits costs linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import cn2an

_DIGIT_CH = "零〇一二三四五六七八九"
_NUM_CH = _DIGIT_CH + "十两"
_PERCENT_CN = re.compile(rf"百分之([{_NUM_CH}百]{{1,6}}(?:点[{_DIGIT_CH}]{{1,4}})?)")
_PP_CN = re.compile(rf"(?<![{_NUM_CH}第])([{_NUM_CH}]{{1,3}}(?:点[{_DIGIT_CH}]{{1,4}})?)(?=个?百分点)")
_YEAR_CN = re.compile(rf"(?<![{_NUM_CH}])([{_DIGIT_CH}]{{4}})(?=年)")
_MONTH_CN = re.compile(rf"(?<![{_NUM_CH}第])([一二三四五六七八九十两]{{1,3}})(?=个?月|(?:月份?)?[至到-](?:\d|[{_NUM_CH}]))")
_ANY_CN = re.compile(rf"[{_NUM_CH}]")


def _cn(text: str) -> str:
    """Digits for a Chinese numeral (``四点二`` -> ``4.2``); the text itself if not a numeral."""
    try:
        value = cn2an.cn2an(text, "normal")
    except (ValueError, KeyError, IndexError):
        return text
    return str(value)


def to_arabic(s: str) -> str:
    """Write the Chinese numerals of quantities, months and years in digits.

    >>> to_arabic("一至五月，增长百分之四点二，比前四个月回落两个百分点。二〇二一年，一季度")
    '1至5月，增长4.2%，比前4个月回落2个百分点。2021年，一季度'
    """
    if not _ANY_CN.search(s):
        return s
    s = _PERCENT_CN.sub(lambda m: _cn(m.group(1)) + "%", s)
    s = _PP_CN.sub(lambda m: _cn(m.group(1)), s)
    s = _YEAR_CN.sub(lambda m: _cn(m.group(1)), s)
    return _MONTH_CN.sub(lambda m: _cn(m.group(1)), s)


# A number: digits with thousands separators, or up to 15 digits and 8 decimals; never the
# middle of a longer run of digits or of a word (2.5G).
_NUM = r"(?P<num>\d{1,3}(?:,\d{3}){1,4}(?:\.\d{1,8})?(?![\d,])|\d{1,15}(?:\.\d{1,8})?(?![\d.]))"
NUMBER = re.compile(
    rf"(?=\d)(?<![\d.A-Za-z]){_NUM}(?![A-Za-z])"
    r"(?P<approx>余|多)?"
    r"(?P<unit>个百分点|百分点|%|倍|万亿元|万亿|亿元|亿|万元|万人次|万人|万户次|万户|万辆|个|项|户|辆)?"
)

_CLASS_OF_UNIT = {
    "个百分点": "pp", "百分点": "pp", "%": "pct", "倍": "times",
    "万亿元": "money", "万亿": "money", "亿元": "money", "亿": "money", "万元": "money",
    "万人次": "persons", "万人": "persons",
}


@dataclass(frozen=True)
class Figure:
    """A number with its unit in a parse copy.

    Attributes
    ----------
    num : Decimal
        Value as printed, negative when printed with a minus sign (``增速为-3.2%``).
    raw : str
        The figure as printed in the parse copy (``7103.12亿元``).
    unit : str
        The unit as printed (``%``, ``个百分点``, ``亿元``, ``万辆``, ...).
    cls : str
        ``pct``, ``pp``, ``times`` (倍), ``money``, ``persons`` or ``count``.
    start, end : int
        Span in the parse copy (``start`` includes a printed minus sign).
    approx : str
        ``余`` or ``多`` when printed as approximate.
    """

    num: Decimal
    raw: str
    unit: str
    cls: str
    start: int
    end: int
    approx: str


def _negative(s: str, start: int) -> bool:
    return start >= 1 and s[start - 1] == "-" and (start < 2 or not s[start - 2].isdigit())


MAX_FIGURES = 2000
"""Figures read in one sentence; a paste with more (no bulletin sentence has) lists the rest."""


def find_figures(s: str, time_spans: list[tuple[int, int]],
                 overflow: list[str] | None = None) -> list[Figure]:
    """Numbers with a unit, outside the given time expressions (sorted, non-overlapping).

    Parameters
    ----------
    s : str
        A parse copy.
    time_spans : list of (int, int)
        Spans of dates and periods, sorted by start; numbers inside them are not figures.
    overflow : list of str, optional
        Receives the figures past the first :data:`MAX_FIGURES`, as printed (they are listed
        as unresolved, not read).

    Returns
    -------
    list of Figure
        In order of position, at most :data:`MAX_FIGURES`.
    """
    out: list[Figure] = []
    k = 0
    pending: re.Match[str] | None = None  # 7.8和3.4个百分点: the first number shares the unit
    for m in NUMBER.finditer(s):
        unit = m.group("unit") or ""
        while k < len(time_spans) and time_spans[k][1] <= m.start():
            k += 1
        if k < len(time_spans) and time_spans[k][0] < m.end():
            pending = None
            continue
        if not unit:
            pending = m
            continue
        if len(out) >= MAX_FIGURES:
            if overflow is not None:
                overflow.append(m.group(0))
            continue
        if pending is not None and m.start() - pending.end() == 1 and s[pending.end()] in "和、及与":
            out.append(_figure(s, pending, unit))
        pending = None
        if unit in ("个", "项") and s.startswith(("月", "小时"), m.end()):
            continue
        out.append(_figure(s, m, unit))
    return out


def _figure(s: str, m: re.Match[str], unit: str) -> Figure:
    num = Decimal(m.group("num").replace(",", ""))
    start = m.start()
    if _negative(s, start):
        num, start = -num, start - 1
    raw = s[start:m.end()] + ("" if m.group("unit") else unit)
    return Figure(num, raw, unit, _CLASS_OF_UNIT.get(unit, "count"), start, m.end(), m.group("approx") or "")
