"""Output records of the extractor: indicator rows, lever amounts, unresolved figures.

Nothing here reads text; the parsers build these and :func:`rebound.extract.core.extract`
collects them into an :class:`Extraction`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from rebound.data.observed import COLUMNS

__all__ = ["COLUMNS", "LEVER_COLUMNS", "Candidate", "Extraction", "LeverCandidate", "Unresolved",
           "fmt_decimal", "ym"]

LEVER_COLUMNS: tuple[str, ...] = (
    "kind",
    "amount",
    "unit",
    "induced_amount",
    "period_start",
    "period_end",
    "date",
    "note",
    "source",
    "quote",
)
"""Columns of the lever-candidate table."""


def fmt_decimal(d: Decimal) -> str:
    """Plain decimal text without exponent or trailing zeros (``-0`` prints as ``0``)."""
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def ym(year: int, month: int) -> str:
    """``YYYY-MM``."""
    return f"{year:04d}-{month:02d}"


@dataclass(frozen=True)
class Candidate:
    """A candidate indicator row in the observed-data format.

    Attributes
    ----------
    indicator, measure : str
        Ids of the indicator vocabulary (``rebound.data.vocab``).
    period_start, period_end : str
        ``YYYY-MM``, inclusive.
    value : Decimal
        Signed value as printed (after 万元 -> 亿元 conversion where stated in the reason), or
        computed from printed figures when ``derived`` is ``yes``.
    unit, basis : str
        From the vocabulary.
    role : str
        ``fit`` or ``context``.
    reason : str
        Why context, how read, or the arithmetic.
    source, quote : str
        Source name (``--source``, else the file name) and the exact original sentence.
    compare_start, compare_end : str
        The earlier period of a ``pp_change`` row, else empty.
    reference_value : Decimal or None
        For ``pp_vs_reference``.
    derived : str
        ``yes`` if computed from printed figures, else ``no``.
    """

    indicator: str
    measure: str
    period_start: str
    period_end: str
    value: Decimal
    unit: str
    basis: str
    role: str
    reason: str
    source: str
    quote: str
    compare_start: str = ""
    compare_end: str = ""
    reference_value: Decimal | None = None
    derived: str = "no"

    @property
    def key(self) -> tuple[str, str, str, str, str, str]:
        """Identity of a row: indicator, measure and periods."""
        return (self.indicator, self.measure, self.period_start, self.period_end,
                self.compare_start, self.compare_end)

    def as_row(self) -> dict[str, str]:
        """Return the row as strings keyed by :data:`COLUMNS`."""
        return {
            "indicator": self.indicator,
            "measure": self.measure,
            "period_start": self.period_start,
            "period_end": self.period_end,
            "compare_start": self.compare_start,
            "compare_end": self.compare_end,
            "value": fmt_decimal(self.value),
            "unit": self.unit,
            "basis": self.basis,
            "reference_value": "" if self.reference_value is None else fmt_decimal(self.reference_value),
            "role": self.role,
            "reason": self.reason,
            "derived": self.derived,
            "source": self.source,
            "quote": self.quote,
        }


@dataclass(frozen=True)
class LeverCandidate:
    """A policy amount found in the text.

    Attributes
    ----------
    kind : str
        ``consumption_voucher``, ``vat_credit_refund``, ``special_bond``, ``project_starts``,
        ``housing_subsidy``, ``tax_cut``, ``social_insurance_relief``, ``job_retention_refund``
        or ``direct_subsidy``.
    amount : Decimal
        The amount (亿元) or count (projects).
    unit : str
        ``100m_yuan`` or ``count``.
    source, quote : str
        Source name and the exact original sentence.
    induced_amount : Decimal or None
        Spending the text says it pulled in (拉动/撬动), 亿元.
    period_start, period_end, date : str
        As stated (``YYYY-MM``; date ``YYYY-MM-DD``), empty when not stated.
    note : str
        Qualifiers (超过, planned, growth printed with it, ...).
    """

    kind: str
    amount: Decimal
    unit: str
    source: str
    quote: str
    induced_amount: Decimal | None = None
    period_start: str = ""
    period_end: str = ""
    date: str = ""
    note: str = ""

    def as_row(self) -> dict[str, str]:
        """Return the row as strings keyed by :data:`LEVER_COLUMNS`."""
        return {
            "kind": self.kind,
            "amount": fmt_decimal(self.amount),
            "unit": self.unit,
            "induced_amount": "" if self.induced_amount is None else fmt_decimal(self.induced_amount),
            "period_start": self.period_start,
            "period_end": self.period_end,
            "date": self.date,
            "note": self.note,
            "source": self.source,
            "quote": self.quote,
        }


@dataclass(frozen=True)
class Unresolved:
    """Figures in one sentence that could not be placed.

    Attributes
    ----------
    figures : tuple of str
        The figures as printed (normalised), e.g. ``("4.54万人", "67.9万人次")``.
    reason : str
        Why they were not turned into rows.
    source, quote : str
        Source name and the exact original sentence.
    """

    figures: tuple[str, ...]
    reason: str
    source: str
    quote: str


@dataclass
class Extraction:
    """Everything found in one text.

    Attributes
    ----------
    indicators : list of Candidate
    levers : list of LeverCandidate
    unresolved : list of Unresolved
    duplicates : int
        Rows dropped because the same row was already found (same figure printed twice).
    year : int or None
        The year used for 今年 and for periods printed without a year.
    year_source : str
        Where the year came from (``--year``, episode name, date printed in the text, none).
    """

    indicators: list[Candidate] = field(default_factory=list)
    levers: list[LeverCandidate] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    duplicates: int = 0
    year: int | None = None
    year_source: str = "none"
