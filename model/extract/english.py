"""English wire copy: "industrial output fell 36.7 percent in March".

A sentence is read as English when most of it is Latin words. Each percentage (or yuan amount)
is tied to the indicator named last before it, the growth verb just before it (or the noun just
after it: "a 6.7% drop"), and the period printed after it in the same clause, else the last one
before it. Forecasts, targets, month-on-month and quarter-on-quarter rates, and anything that
cannot be tied are listed as unresolved: nothing is dropped silently.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import Decimal

from rebound.extract.numerals import MAX_FIGURES
from rebound.extract.periods import Period

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_COUNT = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_MONTH_RE = "|".join(m.capitalize() for m in _MONTHS)
_WINDOW = 160  # characters an indicator, a period or a qualifier may be from its figure

MENTIONS: tuple[tuple[str, str], ...] = (
    (r"(?:value[- ]added )?industrial (?:output|production)|factory output", "industry"),
    (r"retail sales", "retail"),
    (r"property investment|real estate investment|property development investment", "fai_real_estate"),
    (r"fixed[- ]asset investment|FAI\b", "fai"),
    (r"gross domestic product|GDP\b|gross regional product|(?:the|China's|its|[A-Z][a-z]+'s) economy", "gdp"),
    (r"catering (?:revenue|sales)", "catering_revenue"),
    (r"(?:auto(?:mobile)?|car|vehicle) (?:output|production)", "auto_output"),
)
_MENTION_RE = re.compile("(?<![A-Za-z])(?:" + "|".join(f"(?P<m{i}>{p})" for i, (p, _) in enumerate(MENTIONS))
                         + ")", re.I)
_OTHER = re.compile(r"\b(?:unemployment|jobless|inflation|consumer prices|CPI|PPI|exports|imports|"
                    r"profits?|credit|loans|rate)\b", re.I)
FIGURE = re.compile(
    r"(?=\d)(?<![\d.])(?P<num>\d{1,6}(?:\.\d{1,4})?)(?![\d.]\d)\s?(?P<unit>%|percent\b|per cent\b|"
    r"percentage points?\b|pct\b|basis points?\b|(?:trillion|billion|million) yuan\b)")
PERIOD = re.compile(
    r"(?<![A-Za-z])(?=[A-Za-z])"
    rf"(?P<since>\b[Ss]ince\s+)?(?:\b(?:[Ii]n|[Ff]or|[Dd]uring|[Oo]ver) (?:the )?)?"
    rf"(?:(?P<jan>January)[-–](?P<to>{_MONTH_RE})"
    rf"|(?P<month>{_MONTH_RE})(?: (?P<my>20\d\d))?\b"
    r"|(?P<q>[Ff]irst|[Ss]econd|[Tt]hird|[Ff]ourth)[- ]quarter|\bQ(?P<qn>[1-4])\b"
    r"|(?P<half>[Ff]irst[- ]half)"
    r"|[Ff]irst (?P<nm>two|three|four|five|six|seven|eight|nine|ten|eleven|\d{1,2}) months"
    r"|(?P<fy>[Ff]ull[- ]year|(?:all|whole) of (?:the )?year)|\b[Ii]n (?P<yy>20\d\d)\b)"
    r"(?: (?:of )?(?:the )?(?:year|period|quarter))?(?: of (?P<oy>20\d\d))?")
_NEG = re.compile(r"\b(?:fell|fall|falls|dropped|drops|declined|declines|contracted|contracts|"
                  r"slumped|plunged|plummeted|shrank|shrinks|dipped|dips|slid|slides|decreased|"
                  r"tumbled|sank|down|lower)\b")
_POS = re.compile(r"\b(?:rose|rises|rise|grew|grows|grow|increased|increases|expanded|expands|edged up|"
                  r"climbed|jumped|gained|up|higher|accelerated|advanced|rebounded|surged|added)\b")
_NEG_NOUN = re.compile(r"^\s*(?:drop|decline|fall|contraction|slump|decrease|plunge)\b")
_POS_NOUN = re.compile(r"^\s*(?:rise|increase|gain|growth|expansion|jump|rebound)\b")
_FROM = re.compile(r"\bfrom (?:a |an )?$")
_UNSURE = re.compile(r"\b(?:expect|expected|expects|forecast|forecasts|target|targets|poll|polled|"
                     r"estimate|estimated|projected|would|could|seen|aims?|goal|outlook|predict)",
                     re.I)
_NOT_YOY = re.compile(r"month[- ]on[- ]month|from the previous (?:month|quarter)|quarter[- ]on[- ]quarter|"
                      r"annuali[sz]ed|seasonally adjusted|m/m|q/q", re.I)


@dataclass
class EnglishRow:
    """A figure read from English text: indicator, period, signed value, and its unit."""

    ind: str
    period: Period
    value: Decimal
    unit: str  # pct | money
    raw: str


def is_english(s: str) -> bool:
    """Most of the sentence is Latin words (and it has at least three of them)."""
    words = re.findall(r"[A-Za-z]{2,}", s)
    cjk = len(re.findall(r"[\u4e00-\u9fff]", s))
    return len(words) >= 3 and cjk < len(words)


def _period(m: re.Match[str], doc_year: int | None) -> Period | None:
    year = next((int(g) for g in (m.group("my"), m.group("oy"), m.group("yy")) if g), doc_year)
    if m.group("month"):
        k = _MONTHS.index(m.group("month").lower()) + 1
        return Period(k, k, "month", year, m.start(), m.end(), m.group(0))
    if m.group("q") or m.group("qn"):
        n = _ORDINAL[m.group("q").lower()] if m.group("q") else int(m.group("qn"))
        kind = "cum" if n == 1 else "quarter"
        return Period(3 * n - 2, 3 * n, kind, year, m.start(), m.end(), m.group(0))
    if m.group("half"):
        return Period(1, 6, "cum", year, m.start(), m.end(), m.group(0))
    if m.group("nm"):
        nm = m.group("nm").lower()
        n = int(nm) if nm.isdigit() else _COUNT[nm]
        return Period(1, n, "cum", year, m.start(), m.end(), m.group(0)) if 1 < n <= 12 else None
    if m.group("jan"):
        n = _MONTHS.index(m.group("to").lower()) + 1
        return Period(1, n, "cum", year, m.start(), m.end(), m.group(0))
    if m.group("fy") or m.group("yy"):
        return Period(1, 12, "cum", year, m.start(), m.end(), m.group(0))
    return None


class EnglishParser:
    """Reads one English sentence into rows and unresolved figures (bounded windows only)."""

    def __init__(self, s: str, doc_year: int | None):
        self.s = s
        self.rows: list[EnglishRow] = []
        self.unresolved: dict[str, list[str]] = {}
        self.periods = [(m.start(), m.end(), p) for m in PERIOD.finditer(s) if not m.group("since")
                        and (p := _period(m, doc_year)) is not None]
        self.period_starts = [a for a, _, _ in self.periods]
        self.period_ends = [b for _, b, _ in self.periods]
        self.mentions = [(m.start(), m.end(), MENTIONS[int((m.lastgroup or "m0")[1:])][1])
                         for m in _MENTION_RE.finditer(s)]
        self.mention_ends = [b for _, b, _ in self.mentions]
        self.others = [m.start() for m in _OTHER.finditer(s)]

    def _unres(self, raw: str, reason: str) -> None:
        self.unresolved.setdefault(reason, []).append(raw)

    def parse(self) -> None:
        """Read every figure of the sentence."""
        figs = list(FIGURE.finditer(self.s))
        if len(figs) > MAX_FIGURES:
            self.unresolved[f"sentence of {len(self.s)} characters: figures after the first "
                            f"{MAX_FIGURES} not read (give the text its sentence breaks)"] = [
                m.group(0) for m in figs[MAX_FIGURES:]]
            figs = figs[:MAX_FIGURES]
        for i, m in enumerate(figs):
            nxt = figs[i + 1].start() if i + 1 < len(figs) else len(self.s)
            self._figure(m, min(nxt, m.end() + _WINDOW))

    def _indicator(self, pos: int) -> str | None:
        i = bisect.bisect_right(self.mention_ends, pos)
        if i == 0:
            return None
        a, _, ind = self.mentions[i - 1]
        j = bisect.bisect_right(self.others, a)
        if (j < len(self.others) and self.others[j] < pos) or pos - a > _WINDOW:
            return None
        return ind

    def _period_of(self, m: re.Match[str], nxt: int) -> Period | None:
        """The period printed after the figure in its clause, else the last one before it."""
        limit = min(len(self.s), m.end() + _WINDOW)
        stops = [i for i in (self.s.find(c, m.end(), limit) for c in ",;") if i >= 0]
        clause_end = min([limit, *stops])
        i = bisect.bisect_left(self.period_starts, m.end())
        if i < len(self.periods) and self.periods[i][0] < clause_end:
            return self.periods[i][2]
        j = bisect.bisect_right(self.period_ends, m.start())
        return self.periods[j - 1][2] if j > 0 and m.start() - self.periods[j - 1][1] < _WINDOW else None

    def _sign(self, m: re.Match[str]) -> int | None:
        pre = self.s[max(0, m.start() - 40):m.start()]
        neg = [x.end() for x in _NEG.finditer(pre)]
        pos = [x.end() for x in _POS.finditer(pre)]
        if _NEG_NOUN.match(self.s[m.end():m.end() + 14]):
            return -1
        if _POS_NOUN.match(self.s[m.end():m.end() + 14]):
            return 1
        if _FROM.search(pre):
            return 1
        if not neg and not pos:
            return None
        return -1 if max(neg, default=-1) > max(pos, default=-1) else 1

    def _figure(self, m: re.Match[str], nxt: int) -> None:
        raw, unit = m.group(0), m.group("unit").lower()
        if unit.startswith(("percentage point", "basis point")):
            self._unres(raw, "percentage points or basis points in English copy: not read")
            return
        before = self.s[max(0, m.start() - _WINDOW):m.start()]
        after_end = min([nxt, *[i for i in (self.s.find(c, m.end(), nxt) for c in ",;") if i >= 0]])
        if _UNSURE.search(before) or _UNSURE.search(self.s, m.end(), after_end):
            self._unres(raw, "forecast, target or expectation, not an outcome")
            return
        if _NOT_YOY.search(self.s, max(0, m.start() - 60), nxt):
            self._unres(raw, "month-on-month or quarter-on-quarter rate, not year on year")
            return
        ind = self._indicator(m.start())
        period = self._period_of(m, nxt)
        sign = self._sign(m)
        if ind is None:
            self._unres(raw, "no recognised indicator before the figure")
        elif period is None or period.year is None:
            self._unres(raw, "no period (or no year) for the figure")
        elif unit.endswith("yuan"):
            scale = {"trillion": Decimal(10000), "billion": Decimal(10), "million": Decimal("0.01")}
            value = Decimal(m.group("num")) * scale[unit.split()[0]]
            self.rows.append(EnglishRow(ind, period, value, "money", raw))
        elif sign is None:
            self._unres(raw, "percentage without a growth verb (rose/fell)")
        else:
            self.rows.append(EnglishRow(ind, period, Decimal(m.group("num")) * sign, "pct", raw))
