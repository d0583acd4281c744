"""Candidate observed-data rows from statistical text (issues 9 and 15).

Pure functions: text in, candidate rows out. Nothing here prints or writes files.

The work is split by job: :mod:`~rebound.extract.text` (normalisation, sentences),
:mod:`~rebound.extract.numerals` (numbers, Chinese numerals), :mod:`~rebound.extract.periods`,
:mod:`~rebound.extract.indicators`, :mod:`~rebound.extract.levers`, the assembling
:mod:`~rebound.extract.parser` with :mod:`~rebound.extract.measures`,
:mod:`~rebound.extract.english` for wire copy, and :mod:`~rebound.extract.records` (output
rows). This module ties them together.

The extractor never guesses silently: a statistical figure (a percentage, percentage points, an
amount in 元, or persons in 万人) that is not turned into a row is listed as unresolved, with the
reason. Every record quotes the original sentence exactly.
"""

from __future__ import annotations

import re

from rebound.extract.english import EnglishParser, is_english
from rebound.extract.indicators import known
from rebound.extract.levers import YI_PER_WAN, YI_PER_WANYI
from rebound.extract.measures import ONE_WAN, basis
from rebound.extract.parser import SentenceParser, role_of
from rebound.extract.periods import Period
from rebound.extract.records import (
    COLUMNS,
    LEVER_COLUMNS,
    Candidate,
    Extraction,
    LeverCandidate,
    Unresolved,
    fmt_decimal,
    ym,
)
from rebound.extract.text import Sentence, normalise, split_sentences

__all__ = ["COLUMNS", "LEVER_COLUMNS", "ONE_WAN", "YI_PER_WAN", "YI_PER_WANYI", "Candidate",
           "Extraction", "LeverCandidate", "Unresolved", "extract", "normalise",
           "publication_month", "split_sentences", "year_from_text"]

_DATELINE = re.compile(r"(?=2)(?<!\d)(20\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")


def publication_month(text: str) -> str | None:
    """Return the month of the first date printed as ``YYYY-MM-DD`` (the dateline), if any.

    Parameters
    ----------
    text : str
        Original or normalised text.

    Returns
    -------
    str or None
        ``YYYY-MM`` of the first ``2022-08-04``-style date in the text.
    """
    m = _DATELINE.search(normalise(text[:200_000]))
    if m is None or not 1 <= int(m.group(2)) <= 12:
        return None
    return ym(int(m.group(1)), int(m.group(2)))


def year_from_text(text: str) -> int | None:
    """Return the year of the dateline (see :func:`publication_month`), if any."""
    pub = publication_month(text)
    return int(pub[:4]) if pub else None


def _episode_year(episode: str | None) -> int | None:
    m = re.search(r"_(\d{4})$", episode or "")
    return int(m.group(1)) if m else None


class _Collector:
    """Gathers the records of all sentences, dropping repeats."""

    def __init__(self, out: Extraction, source: str):
        self.out, self.source = out, source
        self.seen: dict[tuple[str, str, str, str, str, str], Candidate] = {}
        self.seen_levers: set[tuple[str, str, str, str]] = set()
        self.seen_unres: set[tuple[tuple[str, ...], str]] = set()

    def row(self, row: Candidate) -> None:
        prev = self.seen.get(row.key)
        if prev is None:
            self.seen[row.key] = row
            self.out.indicators.append(row)
        elif prev.value == row.value:
            self.out.duplicates += 1
        else:
            self.out.unresolved.append(Unresolved(
                (fmt_decimal(row.value),),
                f"conflicts with {fmt_decimal(prev.value)} found earlier for {row.indicator} "
                f"{row.measure} {row.period_start}..{row.period_end}", self.source, row.quote))

    def lever(self, lev: LeverCandidate) -> None:
        key = (lev.kind, fmt_decimal(lev.amount), lev.period_end, lev.date)
        if key in self.seen_levers:
            self.out.duplicates += 1
            return
        self.seen_levers.add(key)
        self.out.levers.append(lev)

    def unresolved(self, found: dict[str, list[str]], quote: str) -> None:
        for reason, figs in found.items():
            fp = (tuple(figs), reason)
            if fp in self.seen_unres:
                self.out.duplicates += 1
                continue
            self.seen_unres.add(fp)
            self.out.unresolved.append(Unresolved(tuple(figs), reason, self.source, quote))


def _english(sent: Sentence, quote: str, col: _Collector, year: int | None,
             episode_year: int | None, published: str | None) -> None:
    ep = EnglishParser(sent.parse, year)
    ep.parse()
    for r in ep.rows:
        measure = "level_100m_yuan" if r.unit == "money" else (
            "yoy_cum_pct" if r.period.ytd else
            {"month": "yoy_month_pct", "quarter": "yoy_quarter_pct"}.get(r.period.kind, ""))
        ps, pe = r.period.span()
        if not known(r.ind):
            ep.unresolved.setdefault(f"{r.ind} is not in the indicator vocabulary yet "
                                     "(rebound.data.vocab)", []).append(r.raw)
            continue
        if published is not None and pe > published:
            ep.unresolved.setdefault("period ends after the article's date", []).append(r.raw)
            continue
        assert r.period.year is not None
        role, why = role_of(r.ind, measure, r.period.year, episode_year)
        col.row(Candidate(
            indicator=r.ind, measure=measure, period_start=ps, period_end=pe, value=r.value,
            unit="100m_yuan" if r.unit == "money" else "pct", basis=basis(r.ind, measure),
            role=role, reason="; ".join(n for n in (why, "read from English wire copy") if n),
            source=col.source, quote=quote))
    col.unresolved(ep.unresolved, quote)


def _next_heading(parser: SentenceParser, inherited: Period | None) -> Period | None:
    head = parser.heading()
    if head is False:
        return inherited
    return head if isinstance(head, Period) else None


def extract(text: str, source: str = "-", year: int | None = None,
            episode: str | None = None) -> Extraction:
    """Extract candidate indicator rows, lever amounts and unresolved figures from text.

    Parameters
    ----------
    text : str
        The article (simplified or traditional characters, half- or full-width, or English).
    source : str
        Recorded in the ``source`` column (a file name, a URL or a title).
    year : int, optional
        Year for 今年 and periods printed without a year; overrides everything else.
    episode : str, optional
        Episode name such as ``changchun_2022``; its year is used when ``year`` is not given,
        and figures of other years become context rows.

    Returns
    -------
    Extraction
        Candidates (duplicates removed), levers, unresolved figures and the year used.
    """
    ep_year = _episode_year(episode)
    published = publication_month(text)
    out = Extraction()
    if year is not None:
        out.year, out.year_source = year, "--year"
    elif ep_year is not None:
        out.year, out.year_source = ep_year, f"episode {episode}"
    elif published is not None:
        out.year, out.year_source = int(published[:4]), "date printed in the text"
    episode_year = ep_year if year is None else year
    col = _Collector(out, source)
    paragraph, inherited = -1, None
    for sent in split_sentences(text):
        quote = text[sent.start:sent.end]
        if sent.paragraph != paragraph:
            paragraph, inherited = sent.paragraph, None
        if is_english(sent.parse):
            _english(sent, quote, col, out.year, episode_year, published)
            continue
        parser = SentenceParser(sent.parse, quote, source, out.year, episode_year, published,
                                inherited)
        parser.parse()
        inherited = _next_heading(parser, inherited)
        for row in parser.rows:
            col.row(row)
        for lev in parser.levers:
            col.lever(lev)
        col.unresolved(parser.unresolved, quote)
    return out
