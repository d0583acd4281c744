"""What a figure measures, once its indicator and period are known.

A count, a level in 亿元, a growth rate, a percentage-point change of a growth rate (against an
earlier period: ``pp_change`` when both are year to date, otherwise the earlier period's growth
rate derived from the one printed), a difference from a reference (``pp_vs_reference``), or a
share. Every lookup here reads a bounded window before the figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from rebound.extract.indicators import COUNTED, SHARE_INDICATORS, Mention, basis_of, level_unit
from rebound.extract.levers import YI_PER_WAN, YI_PER_WANYI, to_yi
from rebound.extract.numerals import Figure
from rebound.extract.periods import TIME, Period
from rebound.extract.records import fmt_decimal


class SentenceParser(Protocol):
    """What the readers need from :class:`rebound.extract.parser.SentenceParser`."""

    s: str
    growth: dict[tuple[str, str, str], Decimal]
    compare: Period | None

    def add(self, ind: str, measure: str, period: Period, value: Decimal, unit: str,
            notes: list[str], ref: Decimal | None = None, compare: tuple[str, str] = ("", ""),
            context: str = "", derived: bool = False) -> None: ...

    def add_unresolved(self, fig: Figure, reason: str) -> None: ...

ONE_WAN = Decimal("10000")
"""Units in one 万 (15万户, 118.6万辆)."""

_NEG_VERBS = ("下降", "减少", "回落", "下滑", "负增长", "降低", "下跌", "萎缩", "降幅", "年减", "按年减")
_POS_VERBS = ("增长", "增加", "上升", "提高", "提升", "回升", "上涨", "增速", "增幅", "增长率", "年增")
_PP_CHANGE = re.compile(
    r"(?P<what>降幅|增速|增幅|涨幅|跌幅)(?P<mid>[^,;]{0,14}?)"
    r"(?P<dir>收窄|缩小|扩大|加快|放缓|回落|提高|提升|回升|下降|加大|下滑|降低|上升)(?:了)?$")
_PP_CHANGE_BARE = re.compile(
    r"(?:比|较)[^,;]{1,10}?(?P<dir>提高|加快|回升|提升|回落|放缓|下降|收窄|扩大|缩小|下滑|降低|上升)(?:了)?$")
_UP = ("加快", "提高", "提升", "回升", "扩大", "加大", "上升")
_VS_REF = (
    re.compile(r"(?P<dir>高于|低于|快于|慢于|高出|低出)(?P<ref>全国|全省|全市)[^,;]{0,8}?$"),
    re.compile(r"(?:比|较)(?P<ref>全国|全省)(?:平均水平|平均|水平)?(?:增速)?(?P<dir>高出|高|低|快|慢)$"),
    re.compile(r"(?:比|较)(?P<ref>全国)、全省分别(?P<dir>高出|高|低)$"),
)
_VS_EXPECT = re.compile(r"(?P<dir>好于|高于|低于)预期(?:增速|目标)?[^,;]{0,4}?$")
_MOM = re.compile(r"环比|(?:比|较)上(?:个)?月|(?:比|较)上一?季度?|比前一个月")
_TWO_YEAR = re.compile(r"两年平均(?:增长|增速|下降)")
_MULTI_YEAR = re.compile(r"三年平均|四年平均|年均|平均增长|平均下降")
_LEVEL_FILLER = re.compile(r"(?:累计|共计|共|全年|合计)?(?:完成|实现|达到|达|为|是)?(?:了)?")


@dataclass
class Found:
    """One figure with its indicator and period."""

    fig: Figure
    ind: str
    mention: Mention
    period: Period
    ca: int
    cb: int
    notes: list[str]


def basis(ind: str, measure: str) -> str:
    """Price basis of a row (see :func:`rebound.extract.indicators.basis_of`)."""
    return basis_of(ind, measure)


def read(p: SentenceParser, f: Found) -> None:
    """Turn one placed figure into a row or an unresolved entry."""
    if f.fig.cls == "count":
        _count(p, f)
    elif f.fig.cls == "money":
        _level(p, f)
    else:
        _rate(p, f)


def _count(p: SentenceParser, f: Found) -> None:
    if f.ind not in COUNTED:
        return
    fig, notes = f.fig, list(f.notes)
    wan = fig.unit.startswith("万")
    if level_unit(f.ind) == "10k_units":  # 汽车产量118.6万辆: kept in 万辆 as the vocabulary says
        value = fig.num if wan else fig.num * YI_PER_WAN
        if not wan:
            notes.append(f"{fig.raw} = {fmt_decimal(value)} 万 (x{YI_PER_WAN})")
        p.add(f.ind, "level", f.period, value, "10k_units", notes)
        return
    value = fig.num * ONE_WAN if wan else fig.num
    if wan:
        notes.append(f"{fig.raw} = {fmt_decimal(value)} (x{ONE_WAN})")
    daily = f.ind == "faw_daily_output"
    if f.ind == "market_entities" and "新增" in p.s[max(0, f.mention.start - 3):f.mention.start]:
        notes.append("newly registered entities (新增)")
    p.add(f.ind, "level" if daily else "count", f.period, value,
          "vehicles_per_day" if daily else "count", notes)


def _filler(gap: str) -> bool:
    gap = TIME.sub("", gap)
    gap = re.sub(r"分别|[,\s]|-?[\d.]+(?:万辆|亿元|万元|辆|个)?[和、及]", "", gap)
    return bool(_LEVEL_FILLER.fullmatch(gap))


def _level(p: SentenceParser, f: Found) -> None:
    fig, notes = f.fig, list(f.notes)
    gap = p.s[max(f.mention.end, f.ca, fig.start - 40):fig.start]
    if not _filler(gap) and f.ind != "key_project_investment":
        p.add_unresolved(fig, f"amount near {f.mention.text} but not stated as its level")
        return
    if fig.unit == "万元":
        notes.append(f"{fig.raw} converted to 亿元 (x{YI_PER_WAN})")
    elif fig.unit in ("万亿元", "万亿"):
        notes.append(f"{fig.raw} converted to 亿元 (x{YI_PER_WANYI})")
    if f.period.kind not in ("cum", "upto", "month", "quarter", "year"):
        p.add_unresolved(fig, f"period {f.period.text} not supported")
        return
    p.add(f.ind, "level_100m_yuan", f.period, to_yi(fig), "100m_yuan", notes)


def _rate(p: SentenceParser, f: Found) -> None:
    s, fig = p.s, f.fig
    lo = max(f.ca, fig.start - 40)
    pre = s[max(lo, f.mention.end if f.mention.start >= f.ca else lo):fig.start]
    if re.search(r"率|比重|占比", s[max(f.mention.start, fig.start - 40):fig.start]):
        _share(p, f)
        return
    if _pp_change(p, f, pre):
        return
    if fig.cls == "pp":
        if not _vs_reference(p, f, pre):
            p.add_unresolved(fig, "percentage points without a recognised comparison")
        return
    _growth(p, f, pre)


def _share(p: SentenceParser, f: Found) -> None:
    fig = f.fig
    after_rate = p.s[max(f.mention.start, fig.start - 40):fig.start].split("率")[-1]
    if f.ind not in SHARE_INDICATORS:
        p.add_unresolved(fig, "a rate or share (率/比重), not a growth rate")
        return
    if fig.cls == "pct":
        if re.search(r"提高|下降|增长|回落|提升", after_rate):
            p.add_unresolved(fig, "change in a rate, no measure for it")
            return
        p.add(f.ind, "share_pct", f.period, fig.num, "pct", list(f.notes))
        return
    mm = re.search(r"(提高|提升|增加|上升|下降|降低|回落)$", after_rate)
    if "同比" not in after_rate or mm is None or not f.period.ytd and f.period.kind != "month":
        p.add_unresolved(fig, "change in a rate (率), no measure for it")
        return
    value = fig.num if mm.group(1) in ("提高", "提升", "增加", "上升") else -fig.num
    year = f.period.year
    assert year is not None
    prev = Period(f.period.start, f.period.end, f.period.kind, year - 1, 0, 0, "")
    p.add(f.ind, "pp_change", f.period, value, "pp", [*f.notes, "change in a share (率) on the "
          "same period a year earlier (同比), not a change of a growth rate"], compare=prev.span())


def _direction(m: re.Match[str], base: Decimal | None) -> int | None:
    what = m.groupdict().get("what") or ""
    d = m.group("dir")
    if what in ("降幅", "跌幅"):
        return 1 if d in ("收窄", "缩小") else -1 if d in ("扩大", "加大") else None
    if d in ("收窄", "缩小", "扩大"):  # bare: a narrowing of a decline is a rise
        if base is None or base == 0:
            return None
        widen = d == "扩大"
        return 1 if (base < 0) != widen else -1
    return 1 if d in _UP else -1


def _pp_change(p: SentenceParser, f: Found, pre: str) -> bool:
    """``降幅比1-5月收窄7.5个百分点`` and ``比5月回升11.2个百分点``; True if handled."""
    fig = f.fig
    m = _PP_CHANGE.search(pre)
    if m is None and fig.cls == "pp":
        m = _PP_CHANGE_BARE.search(pre)
    if m is None:
        return False
    base = p.growth.get((f.ind, *f.period.span()))
    if m.groupdict().get("what") is None and base is None:
        p.add_unresolved(fig, "change of a growth rate without the growth rate it changes")
        return True
    sign = _direction(m, base)
    if sign is None:
        p.add_unresolved(fig, "direction of the change unclear (收窄/扩大 of a rate near zero)")
        return True
    value = fig.num * sign
    notes = list(f.notes)
    if fig.cls == "pct":
        notes.append(f"printed as {m.group('dir')}{fig.raw}: a change of a growth rate is read as percentage points")
    cmp = p.compare if p.compare is not None and p.compare.pos >= f.ca else None
    earlier = _earlier(f.period, cmp, "环比" in m.group(0), notes)
    if earlier is None:
        p.add_unresolved(fig, "change of a growth rate without the period it is compared with")
        return True
    if f.period.ytd and earlier.ytd:
        p.add(f.ind, "pp_change", f.period, value, "pp", notes, compare=earlier.span())
        return True
    if base is None:
        p.add_unresolved(fig, "change between periods that are not both year to date, and no growth "
                              "rate printed to derive the earlier one from")
        return True
    derived = base - value
    notes.append(f"{earlier.text}: {fmt_decimal(base)} - ({fmt_decimal(value)}) = {fmt_decimal(derived)}, "
                 f"the growth rate implied by {f.period.text}'s rate and the change printed "
                 f"({m.group(0)}{fig.raw})")
    p.add(f.ind, _growth_measure(earlier) or "yoy_month_pct", earlier, derived, "pct", notes,
          derived=True)
    return True


def _earlier(period: Period, cmp: Period | None, mom: bool, notes: list[str]) -> Period | None:
    """The period a change is measured against, with its year and months filled in."""
    year = period.year
    assert year is not None
    if cmp is None:
        if mom and period.ytd and period.end > 2:
            notes.append(f"环比 read as versus the previous cumulative period (1-{period.end - 1}月)")
            return Period(1, period.end - 1, "cum", year, 0, 0, f"1-{period.end - 1}月")
        return None
    if cmp.kind == "prev_month":
        if period.ytd and period.end > 2:
            notes.append(f"上月 read as the previous cumulative period (1-{period.end - 1}月)")
            return Period(1, period.end - 1, "cum", year, 0, 0, f"1-{period.end - 1}月")
        if period.kind == "month":
            y, mth = (year, period.end - 1) if period.end > 1 else (year - 1, 12)
            return Period(mth, mth, "month", y, 0, 0, f"{mth}月")
        return None
    if cmp.kind == "prev_quarter":
        if period.kind != "quarter" or period.start < 4:
            return None
        a = period.start - 3
        return Period(a, a + 2, "cum" if a == 1 else "quarter", year, 0, 0, f"Q{(a + 2) // 3}")
    if cmp.kind in ("same_prev", "prev_year"):
        cy = cmp.year if cmp.year is not None else year - 1
        if cmp.kind == "prev_year":
            return Period(1, 12, "year", cy, 0, 0, f"{cy}年")
        return Period(period.start, period.end, period.kind, cy, 0, 0, f"{cy}年同期")
    cy = cmp.year if cmp.year is not None else year
    return Period(cmp.start, cmp.end, cmp.kind, cy, 0, 0, cmp.text)


def _vs_reference(p: SentenceParser, f: Found, pre: str) -> bool:
    fig = f.fig
    m = next((m for rx in _VS_REF if (m := rx.search(pre)) is not None), None)
    expect = _VS_EXPECT.search(pre) if m is None else None
    if m is None and expect is None:
        return False
    if m is not None and m.group("ref") == "全省" and "全国" in p.s[fig.end:fig.end + 30]:
        p.add_unresolved(fig, "difference from the provincial average; the national one is kept")
        return True
    d = (m or expect).group("dir")  # type: ignore[union-attr]
    value = fig.num if d in ("高于", "快于", "好于", "高出", "高", "快") else -fig.num
    base = p.growth.get((f.ind, *f.period.span())) if f.period.ytd else None
    if base is None:
        p.add_unresolved(fig, "difference from a reference without a year-to-date growth rate it refers to")
        return True
    ref = base - value
    what = ("the expected growth rate (预期, not a reported average)" if m is None else
            {"全国": "the national average", "全省": "the provincial average"}.get(m.group("ref"), "the reference"))
    notes = [*f.notes, f"reference_value = {fmt_decimal(base)} - {fmt_decimal(value)} = "
             f"{fmt_decimal(ref)}, {what} implied by the printed figures"]
    p.add(f.ind, "pp_vs_reference", f.period, value, "pp", notes, ref,
          context=f"same information as the growth rate {fmt_decimal(base)} in the sentence")
    return True


def _growth_measure(period: Period) -> str | None:
    if period.ytd:
        return "yoy_cum_pct"
    return {"month": "yoy_month_pct", "quarter": "yoy_quarter_pct"}.get(period.kind)


def _sign(tail: str) -> int | None:
    """Sign of the last growth verb (the one ending last; the longer one at the same end)."""
    best: tuple[int, int] = (-1, 0)
    sign = None
    for verbs, sgn in ((_NEG_VERBS, -1), (_POS_VERBS, 1)):
        for verb in verbs:
            i = tail.rfind(verb)
            if i >= 0 and (i + len(verb), len(verb)) > best:
                best, sign = (i + len(verb), len(verb)), sgn
    return sign


def _growth(p: SentenceParser, f: Found, pre: str) -> None:
    fig = f.fig
    if _MOM.search(pre) or "环比" in p.s[max(0, fig.start - 60):fig.start]:
        p.add_unresolved(fig, "change on the previous month or quarter (环比), not year on year")
        return
    if _TWO_YEAR.search(pre[-10:]):
        p.add(f.ind, "two_year_avg_pct", f.period, fig.num * (_sign(pre[-8:]) or 1), "pct",
              [*f.notes, "average yearly growth over two years (两年平均), against the same period "
               "two years earlier"])
        return
    if _MULTI_YEAR.search(pre[-10:]):
        p.add_unresolved(fig, "average growth over several years, not year on year")
        return
    cmp = p.compare if p.compare is not None and p.compare.pos >= f.ca else None
    year = f.period.year
    assert year is not None
    if cmp is not None and cmp.kind in ("year", "same_prev") and cmp.year not in (None, year - 1):
        p.add_unresolved(fig, f"growth against {cmp.year}, not against the year before")
        return
    if cmp is not None and cmp.kind not in ("year", "same_prev", "prev_year"):
        p.add_unresolved(fig, f"growth against {cmp.text} (an earlier period), not year on year")
        return
    sign = _sign(pre[-8:])
    if sign is None:
        p.add_unresolved(fig, "percentage without a growth verb (增长/下降)")
        return
    measure = _growth_measure(f.period)
    if measure is None:
        p.add_unresolved(fig, f"growth over {f.period.text}: period not supported")
        return
    p.add(f.ind, measure, f.period, fig.num * sign, "pct", list(f.notes))
