"""``data extract`` stays linear: pastes of any shape finish, and the regex fast paths are sound.

No timing is asserted. Every pattern of the extractor reads a bounded window or is a single
left-to-right scan; the figures of a sentence are walked once with pointers (no rescans); a
sentence with more than ``MAX_FIGURES`` figures lists the rest unresolved. The tests below run
inputs that were quadratic before (comma clauses, a long run of digits, English clauses) and
check the outcome; the 3 MB cases carry the ``slow`` marker (run them with
``REBOUND_SLOW=1 python -m pytest -m slow tests/test_extract_speed.py``).
"""

from __future__ import annotations

import os
import re
import re._parser as sre_parse
from re._constants import (
    ASSERT,
    ASSERT_NOT,
    AT,
    ATOMIC_GROUP,
    BRANCH,
    CATEGORY,
    IN,
    LITERAL,
    MAX_REPEAT,
    MIN_REPEAT,
    NEGATE,
    POSSESSIVE_REPEAT,
    RANGE,
    SUBPATTERN,
)
from typing import Any

import pytest

from rebound.extract import indicators, levers, periods
from rebound.extract.core import extract
from rebound.extract.numerals import MAX_FIGURES


def _firsts(items: Any) -> tuple[set[str], bool]:
    """Characters a parsed pattern can start with, and whether it can match empty so far."""
    out: set[str] = set()
    for op, av in items:
        if op in (ASSERT, ASSERT_NOT, AT):
            continue
        if op is LITERAL:
            return out | {chr(av)}, False
        if op is IN:
            for o, a in av:
                out |= {chr(a)} if o is LITERAL else (
                    {chr(c) for c in range(a[0], a[1] + 1)} if o is RANGE else {str(a) if o is CATEGORY else "ANY"})
                if o is NEGATE:
                    out.add("ANY")
            return out, False
        if op is BRANCH:
            empty = False
            for alt in av[1]:
                f, e = _firsts(alt.data)
                out |= f
                empty |= e
            if not empty:
                return out, False
            continue
        if op in (SUBPATTERN, ATOMIC_GROUP):
            f, e = _firsts((av[-1] if op is SUBPATTERN else av).data)
            out |= f
            if not e:
                return out, False
            continue
        if op in (MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT):
            f, e = _firsts(av[2].data)
            out |= f
            if av[0] > 0 and not e:
                return out, False
            continue
        return out | {"ANY"}, False
    return out, True


def _first_chars(pattern: str) -> set[str]:
    return _firsts(sre_parse.parse(pattern).data)[0]


@pytest.mark.parametrize(("name", "patterns", "given"), [
    ("indicator names", [p for p, _ in indicators._PATTERNS], indicators.MENTION_FIRST),
    ("lever keywords", [p for p, _, _ in levers._LEVER_PATTERNS], levers.LEVER_FIRST),
])
def test_fast_path_character_sets_cover_every_pattern(name: str, patterns: list[str], given: str) -> None:
    """The lookahead that lets the engine skip positions must not skip a name."""
    needed = set().union(*(_first_chars(p) for p in patterns))
    assert needed <= set(given), f"{name}: add {sorted(needed - set(given))}"


def test_fast_path_character_sets_of_heads_and_times() -> None:
    heads = indicators._HEADS.pattern.split("(?:", 1)[1][:-1]
    assert _first_chars(heads) <= set(indicators.HEAD_FIRST)
    time = periods.TIME.pattern
    inner = time[time.index(")(?:") + 4:-1]
    allowed = set(re.sub(r"\\d", "", periods.TIME_FIRST)) | {"CATEGORY_DIGIT"} | set("0123456789")
    assert _first_chars(inner) <= allowed


def _pastes(size: int) -> dict[str, str]:
    def fill(unit: str) -> str:
        return (unit * (size // len(unit) + 1))[:size]

    return {
        "comma clauses": "上半年，全市规上工业增加值增长5.2%" + fill("，增长5.2%"),
        "run of digits": "1-5月全市规上工业增加值" + fill("1234567890") + "%。",
        "indicator clauses": fill("1-5月，全市规上工业增加值同比增长5.2%，降幅比1-4月收窄3.1个百分点，"
                                  "社会消费品零售总额1234.5亿元，消费券2亿元，带动消费10亿元，"),
        "no punctuation": fill("规上工业增加值增长"),
        "English clauses": fill("Industrial output fell 2.9 percent in April from a year earlier, "),
        "digits and commas": fill("1,234,567,"),
    }


def _check_paste(name: str, text: str) -> None:
    ex = extract(text, source="paste", year=2022)
    keys = {(c.indicator, c.measure, c.period_start, c.value) for c in ex.indicators}
    listed = sum(len(u.figures) for u in ex.unresolved)
    if name == "comma clauses":
        assert ("industry", "yoy_cum_pct", "2022-01", 5.2) in {(a, b, c, float(d)) for a, b, c, d in keys}
        assert any(f"first {MAX_FIGURES}" in u.reason for u in ex.unresolved)
        assert listed >= len(text) // 7 - MAX_FIGURES - 10  # every figure is a row or listed
    elif name == "indicator clauses":
        assert len(ex.indicators) == 3 and ex.levers and ex.duplicates > 100
    elif name == "English clauses":
        assert {(c.indicator, c.period_start, float(c.value)) for c in ex.indicators} == {("industry", "2022-04", -2.9)}
    else:
        assert not ex.indicators


@pytest.mark.parametrize("name", list(_pastes(10)))
def test_300_kb_one_sentence_pastes_complete(name: str) -> None:
    _check_paste(name, _pastes(300_000)[name])


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("REBOUND_SLOW"), reason="3 MB pastes: set REBOUND_SLOW=1")
@pytest.mark.parametrize("name", list(_pastes(10)))
def test_3_mb_one_sentence_pastes_complete(name: str) -> None:
    _check_paste(name, _pastes(3_000_000)[name])
