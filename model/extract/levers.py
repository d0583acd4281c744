"""Policy amounts (levers): consumption vouchers, VAT credit refunds, special bonds, ...

A lever keyword must be in the same clause as the amount or in the clause just before it. The
keywords of a sentence are found once; each amount looks only at the few keywords next to it,
so a long sentence costs linear time.
"""

from __future__ import annotations

import bisect
import re
from decimal import Decimal

from rebound.extract.numerals import Figure

YI_PER_WAN = Decimal("0.0001")
"""亿元 per 万元: 1 万元 = 0.0001 亿元."""
YI_PER_WANYI = Decimal("10000")
"""亿元 per 万亿元."""

# keyword -> (kind, figure class)
_LEVER_PATTERNS: tuple[tuple[str, str, str], ...] = (
    (r"消费券", "consumption_voucher", "money"),
    (r"留抵退税", "vat_credit_refund", "money"),
    (r"专项债", "special_bond", "money"),
    (r"开复工", "project_starts", "count"),
    (r"购房补贴|住房补贴|购房补助", "housing_subsidy", "money"),
    (r"减免退税|退税减税|减税降费|减税退税", "tax_cut", "money"),
    (r"社保费|社会保险费", "social_insurance_relief", "money"),
    (r"稳岗返还", "job_retention_refund", "money"),
    (r"直接补贴", "direct_subsidy", "money"),
    (r"补贴|补助", "subsidy", "money"),  # generic: category from the sentence
)
LEVER_FIRST = "消留专开购住减退社稳直补"
_LEVER_RE = re.compile(f"(?=[{LEVER_FIRST}])(?:"
                       + "|".join(f"(?P<k{i}>{p})" for i, (p, _, _) in enumerate(_LEVER_PATTERNS)) + ")")
PLAN = re.compile(r"计划|目标|力争|预计|规划|预期目标|要达到")
_CAP = re.compile(r"最高|每人|每户|人均|每辆")
_NEIGHBOURS = 4


def to_yi(fig: Figure) -> Decimal:
    """An amount in 亿元 (万元 and 万亿元 converted with the named factors)."""
    if fig.unit == "万元":
        return fig.num * YI_PER_WAN
    if fig.unit in ("万亿元", "万亿"):
        return fig.num * YI_PER_WANYI
    return fig.num


class LeverKeywords:
    """The lever keywords of one sentence, for nearest-keyword lookups."""

    def __init__(self, s: str):
        self.s = s
        self.found: list[tuple[int, str, str]] = []
        for m in _LEVER_RE.finditer(s):
            _, kind, cls = _LEVER_PATTERNS[int((m.lastgroup or "k0")[1:])]
            self.found.append((m.start(), kind, cls))
        self.pos = [p for p, _, _ in self.found]

    def nearest(self, fig: Figure, ca: int, cb: int, prev_a: int) -> str | None:
        """Kind of the lever keyword nearest ``fig``: in its clause, else in the clause before.

        Parameters
        ----------
        fig : Figure
        ca, cb : int
            The figure's clause.
        prev_a : int
            Start of the clause before it.
        """
        i = bisect.bisect_left(self.pos, fig.start)
        best: tuple[int, str] | None = None
        for j in range(max(0, i - _NEIGHBOURS), min(len(self.found), i + _NEIGHBOURS)):
            pos, kind, cls = self.found[j]
            if cls != fig.cls:
                continue
            in_clause = ca <= pos < cb
            in_prev = prev_a <= pos < ca and fig.cls == "money"
            if not (in_clause or in_prev) or (kind == "project_starts" and pos > fig.start):
                continue
            dist = abs(pos - fig.start) + (0 if in_clause else 1000)
            if best is None or dist < best[0]:
                best = (dist, kind)
        if best is None:
            return None
        if best[1] == "subsidy":
            window = self.s[max(0, ca - 40):cb]
            return "housing_subsidy" if re.search(r"购房|房地产|住房", window) else None
        return best[1]


def lever_notes(s: str, fig: Figure, ca: int, cb: int) -> list[str] | None:
    """Qualifiers of a lever amount, or None when it is a per-person cap (not an amount)."""
    if _CAP.search(s, max(ca, fig.start - 30), fig.start):
        return None
    notes = []
    if fig.approx or re.search(r"超过|超|以上|余", s[max(ca, fig.start - 3):fig.end + 2]):
        notes.append("printed as a bound or approximate")
    if PLAN.search(s, ca, min(cb, ca + 200)) or "将" in s[max(ca, fig.start - 30):fig.start]:
        notes.append("announced or planned amount")
    if fig.unit == "万元":
        notes.append(f"{fig.raw} converted to 亿元 (x{YI_PER_WAN})")
    return notes
