"""The sentence parser: figures, their indicator, period and lever, read left to right.

Each sentence is scanned once for time expressions, indicator names, figures, clause breaks
and lever keywords; figures are then walked in order with pointers to the last indicator name
and the last period before them, so a sentence of any length costs linear time. What a figure
measures (a growth rate, a level, a percentage-point change, ...) is read by
:mod:`rebound.extract.measures`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace
from decimal import Decimal

from rebound.data.vocab import MODEL_MEASURES
from rebound.extract import measures
from rebound.extract.indicators import ACCEPTS, Mention, find_mentions, known, modelled
from rebound.extract.levers import PLAN, LeverKeywords, lever_notes, to_yi
from rebound.extract.numerals import MAX_FIGURES, Figure, find_figures
from rebound.extract.periods import Period, scan_times
from rebound.extract.records import Candidate, LeverCandidate, ym

_CARRY_LIMIT = 48  # characters between an indicator name and a figure in a later clause
_GAP_LIMIT = 80  # characters between an indicator name and a figure in the same clause
_NO_CARRY = re.compile(r"率|比重|占比|贡献|拉动|人员|就业|主体|项目|车速|面积")
_NOT_THIS = re.compile(r"受益|惠及|党员|人员|就业|车速")
_REASONS = {
    "pct": "percentage with no recognised indicator in the sentence",
    "pp": "percentage points with no recognised indicator in the sentence",
    "money": "amount not attached to an indicator or a lever keyword",
    "persons": "persons (万人): no indicator in the vocabulary (employment, population)",
    "times": "multiple (倍) with no recognised indicator in the sentence",
}


def role_of(ind: str, measure: str, year: int, episode_year: int | None,
            extra: str = "") -> tuple[str, str]:
    """``fit`` or ``context``, and why context."""
    if not modelled(ind):
        return "context", "not a model output"
    if measure not in MODEL_MEASURES:
        return "context", "context measure"
    if episode_year is not None and year != episode_year:
        return "context", f"{year} figure, not of the episode year {episode_year}"
    if extra:
        return "context", extra
    return "fit", ""


class SentenceParser:
    """Turns one sentence into candidates, levers and unresolved figures.

    Parameters
    ----------
    parse : str
        The sentence's parse copy.
    quote, source : str
        The original sentence and the source name, copied into every record.
    doc_year, episode_year : int or None
        Year of the document (for periods printed without one) and of the episode.
    published : str or None
        ``YYYY-MM`` of the article's dateline: periods ending later are plans.
    inherited : Period or None
        The period that heads the paragraph so far (used when the sentence names none).
    """

    def __init__(self, parse: str, quote: str, source: str, doc_year: int | None,
                 episode_year: int | None, published: str | None = None,
                 inherited: Period | None = None):
        self.s = parse
        self.quote, self.source = quote, source
        self.episode_year, self.published, self.inherited = episode_year, published, inherited
        scan = scan_times(parse, doc_year)
        self.periods, self.dates = scan.periods, scan.dates
        self.mentions = find_mentions(parse)
        overflow: list[str] = []
        self.figs = find_figures(parse, scan.spans, overflow)
        self.delims = [m.start() for m in re.finditer(r"[,;:]", parse)]
        self.keywords = LeverKeywords(parse)
        self.rows: list[Candidate] = []
        self.levers: list[LeverCandidate] = []
        self.unresolved: dict[str, list[str]] = {}
        if overflow:
            self.unresolved[f"sentence of {len(parse)} characters: figures after the first "
                            f"{MAX_FIGURES} not read (give the text its sentence breaks)"] = overflow
        self.growth: dict[tuple[str, str, str], Decimal] = {}
        self.fenbie: dict[tuple[int, str], int] = {}
        self.fig: Figure | None = None
        self._mi = self._pi = self._di = 0
        self.mention: Mention | None = None
        self.main: Period | None = None
        self.compare: Period | None = None
        self.date = ""
        self._lever_clause = -1
        self._lever_end = -1
        kw = re.search(r"开复工|开\(复\)工", parse)
        self._starts_kw = kw.start() if kw else -1
        self._first_project: int | None = None

    # ---- positions ----
    def _advance(self, pos: int) -> None:
        while self._mi < len(self.mentions) and self.mentions[self._mi].end <= pos:
            self.mention = self.mentions[self._mi]
            self._mi += 1
        while self._pi < len(self.periods) and self.periods[self._pi].pos < pos:
            p = self.periods[self._pi]
            if p.compare:
                self.compare = p
            else:
                self.main = p
            self._pi += 1
        while self._di < len(self.dates) and self.dates[self._di][0] < pos:
            self.date = self.dates[self._di][1]
            self._di += 1

    def clause(self, pos: int) -> tuple[int, int]:
        """Bounds of the clause (between , ; :) around ``pos``."""
        i = bisect.bisect_left(self.delims, pos)
        a = self.delims[i - 1] + 1 if i > 0 else 0
        return a, (self.delims[i] if i < len(self.delims) else len(self.s))

    def heading(self) -> Period | None | bool:
        """The period this sentence hands on to the next sentence of the paragraph.

        False when the sentence names no period (the inherited one stays), None when its periods
        do not head it or are several different ones (nothing is handed on).
        """
        mains = [p for p in self.periods if not p.compare]
        if not mains:
            return False
        first = mains[0]
        distinct = {(p.start, p.end, p.kind, p.year) for p in mains}
        if len(distinct) > 1 or (self.figs and self.figs[0].start < first.pos):
            return None
        return first

    def add_unresolved(self, fig: Figure, reason: str) -> None:
        """List a figure as unresolved with the reason."""
        self.unresolved.setdefault(reason, []).append(fig.raw)

    # ---- main ----
    def parse(self) -> None:
        """Read every figure of the sentence."""
        for fig in self.figs:
            self._advance(fig.start)
            if self._is_threshold(fig):
                continue
            ca, cb = self.clause(fig.start)
            if self._induced(fig, ca) or self._lever_growth(fig, ca):
                continue
            if fig.cls in ("money", "count") and self._lever(fig, ca, cb):
                continue
            self._indicator_figure(fig, ca, cb)

    def _is_threshold(self, fig: Figure) -> bool:
        after = self.s[fig.end:fig.end + 8]
        return fig.cls == "money" and bool(
            re.match(r"(?:以上|以下)?(?:的)?(?:工业|重点|产业)?项目|以上(?:工业|重点)?(?:项目|企业)", after))

    def _induced(self, fig: Figure, ca: int) -> bool:
        last = self.levers[-1] if self.levers else None
        if fig.cls != "money" or last is None or last.kind != "consumption_voucher":
            return False
        if not re.search(r"拉动|撬动|带动", self.s[max(ca, fig.start - 30):fig.start]):
            return False
        note = last.note
        if fig.approx or re.search(r"超过|超|以上", self.s[max(ca, fig.start - 6):fig.end + 2]):
            note = (note + "; " if note else "") + "induced amount is a lower bound (超过)"
        self.levers[-1] = replace(last, induced_amount=to_yi(fig), note=note)
        return True

    def _lever_growth(self, fig: Figure, ca: int) -> bool:
        """A growth rate printed with a lever amount (已发行263亿元、同比增长200%): a note."""
        if fig.cls != "pct" or not self.levers or self._lever_clause != ca:
            return False
        if not re.search(r"同比|增长|下降", self.s[ca:fig.start][-30:]):
            return False
        last = self.levers[-1]
        extra = "printed with " + self.s[self._lever_end:fig.end].lstrip("、,和及")
        self.levers[-1] = replace(last, note=(last.note + "; " if last.note else "") + extra)
        return True

    def _lever(self, fig: Figure, ca: int, cb: int) -> bool:
        i = bisect.bisect_left(self.delims, ca - 1)
        prev_a = self.delims[i - 1] + 1 if ca > 0 and i > 0 else 0
        kind = self.keywords.nearest(fig, ca, cb, prev_a)
        if kind is None:
            return False
        notes = lever_notes(self.s, fig, ca, cb)
        if notes is None:
            return False
        ps = pe = ""
        if self.main is not None and self.main.year is not None:
            pe = ym(self.main.year, self.main.end)
            ps = "" if self.main.kind == "upto" else ym(self.main.year, self.main.start)
        self._lever_clause, self._lever_end = ca, fig.end
        self.levers.append(LeverCandidate(
            kind=kind, amount=to_yi(fig) if fig.cls == "money" else fig.num,
            unit="100m_yuan" if fig.cls == "money" else "count", source=self.source,
            quote=self.quote, period_start=ps, period_end=pe, date=self.date, note="; ".join(notes)))
        if fig.cls == "count" and kind == "project_starts":
            self._indicator_figure(fig, ca, cb, lever_done=True)
        return True

    # ---- indicator figures ----
    def _mention_for(self, fig: Figure, ca: int) -> tuple[Mention | None, str]:
        m = self.mention
        if m is None:
            return None, ""
        note = ""
        if m.start < ca:
            if fig.start - m.end > _CARRY_LIMIT or _NO_CARRY.search(self.s, ca, fig.start):
                return None, ""
            if self.s.find(";", m.end, fig.start) >= 0:
                note = "indicator carried from the preceding clause"
        elif fig.start - m.end > _GAP_LIMIT:
            return None, ""
        if _NOT_THIS.search(self.s, m.end, fig.start) or self.s[max(0, m.start - 2):m.start] in ("受益", "惠及"):
            return None, ""
        if m.ids and (fig.unit == "万户次" or fig.cls not in ACCEPTS.get(m.ids[0], ("pct", "pp", "money", "times"))):
            return None, ""
        return m, note

    def _pick_id(self, m: Mention, fig: Figure) -> str | None:
        if len(m.ids) == 1:
            return m.ids[0]
        if "分别" not in self.s[m.end:fig.start]:
            self.add_unresolved(fig, f"{m.text} names several indicators; cannot tell which")
            return None
        k = self.fenbie.get((m.start, fig.cls), 0)
        self.fenbie[(m.start, fig.cls)] = k + 1
        if k >= len(m.ids):
            self.add_unresolved(fig, f"more figures than indicators after {m.text}分别")
            return None
        return m.ids[k]

    def _no_indicator(self, fig: Figure, ca: int, cb: int) -> None:
        if fig.cls == "count":
            return
        s = self.s
        reason = _REASONS[fig.cls]
        if fig.cls == "pct" and PLAN.search(s, max(0, fig.start - 60), fig.start):
            reason += " (the sentence states a plan or target)"
        if fig.cls == "money":
            before = s[max(ca, fig.start - 30):fig.start]
            if PLAN.search(s, ca, min(cb, ca + 200)):
                reason = "planned or target amount, not an outcome"
            elif "红利" in before:
                reason = "aggregate policy benefit (政策红利), not one lever"
            elif re.search(r"总投资|投资$", before[-4:]):
                reason = "investment of individual projects, not an indicator"
            elif re.search(r"最高|每人|每户|人均|每辆", before):
                reason = "per-person or per-household cap, not a total"
        self.add_unresolved(fig, reason)

    def period_for(self) -> tuple[Period | None, str]:
        """The figure's own period and how it was found."""
        if self.main is not None:
            return self.main, ""
        if self.inherited is not None:
            return self.inherited, (f"period {self.inherited.text} carried from an earlier "
                                    "sentence of the paragraph")
        return None, ""

    def _indicator_figure(self, fig: Figure, ca: int, cb: int, lever_done: bool = False) -> None:
        self.fig = fig
        if self._project_total(fig):
            return
        mention, carried = self._mention_for(fig, ca)
        if mention is None:
            if not lever_done:
                self._no_indicator(fig, ca, cb)
            return
        if not mention.ids:
            if fig.cls != "count" and not lever_done:
                self.add_unresolved(fig, f"figure of {mention.text}: not an indicator of the vocabulary")
            return
        ind = self._pick_id(mention, fig)
        if ind is None:
            return
        if fig.cls == "persons":
            self.add_unresolved(fig, "persons (万人) are not a measure of this indicator")
            return
        if PLAN.search(self.s, max(0, fig.start - 60), fig.start):
            self.add_unresolved(fig, "planned or target figure, not an outcome")
            return
        if fig.approx or self.s.startswith(("左右", "以上", "以内", "上下"), fig.end) or \
                self.s[max(0, fig.start - 2):fig.start].endswith(("近", "约", "超", "逾", "超过", "接近", "突破")):
            self.add_unresolved(fig, "approximate figure or a bound (余, 多, 左右, 以上, 近, 约, 超过, 突破)")
            return
        if fig.cls == "times":
            self.add_unresolved(fig, "growth printed as a multiple (倍): not converted")
            return
        period, how = self.period_for()
        if period is None:
            self.add_unresolved(fig, f"no period stated in the sentence for {ind}")
            return
        if period.year is None:
            self.add_unresolved(fig, "year unknown: give --year or --episode")
            return
        if not known(ind):
            self.add_unresolved(fig, f"{ind} is not in the indicator vocabulary yet (rebound.data.vocab)")
            return
        notes = [n for n in (carried, how) if n]
        measures.read(self, measures.Found(fig, ind, mention, period, ca, cb, notes))

    def _project_total(self, fig: Figure) -> bool:
        """The first count of projects before 开复工: the total the start rate refers to."""
        s = self.s
        if fig.cls != "count" or fig.unit not in ("个", "项") or self._starts_kw < fig.end:
            return False
        if not (s.find("项目", fig.end, fig.end + 10) >= 0 or s[max(0, fig.start - 2):fig.start] == "项目"):
            return False
        if self._first_project is None:
            self._first_project = next((f.start for f in self.figs if f.cls == "count"
                                        and f.unit in ("个", "项") and not self._is_threshold(f)), -1)
        if self._first_project != fig.start:
            return True  # a sub-count (续建/新建): not a figure of its own
        period, _ = self.period_for()
        if period is None or period.year is None:
            self.add_unresolved(fig, "number of projects without a period")
            return True
        self.add("key_projects_started", "level", period, fig.num, "count",
                 ["total number of projects (the base of the start rate)"])
        return True

    # ---- rows ----
    def add(self, ind: str, measure: str, period: Period, value: Decimal, unit: str,
            notes: list[str], ref: Decimal | None = None, compare: tuple[str, str] = ("", ""),
            context: str = "", derived: bool = False) -> None:
        """Record a candidate row (or an unresolved figure if its period is after the dateline)."""
        assert period.year is not None and self.fig is not None
        ps, pe = period.span()
        if self.published is not None and pe > self.published:
            self.add_unresolved(self.fig, f"period {period.text} ends after the article's date "
                                f"({self.published}): a plan horizon, not the figure's period")
            return
        role, why = role_of(ind, measure, period.year, self.episode_year, context)
        if measure.startswith("yoy_") and not derived:
            self.growth[(ind, ps, pe)] = value
        self.rows.append(Candidate(
            indicator=ind, measure=measure, period_start=ps, period_end=pe, value=value,
            unit=unit, basis=measures.basis(ind, measure), role=role,
            reason="; ".join(n for n in (why, *notes) if n), source=self.source,
            quote=self.quote, compare_start=compare[0], compare_end=compare[1],
            reference_value=ref, derived="yes" if derived else "no"))

