"""Normalisation and sentence splitting.

The text is normalised for parsing only: traditional characters become simplified through
OpenCC (``t2s``), full-width digits, letters and punctuation become ASCII, dashes between months
become ``-``. The normalisation is character for character, so offsets into the normalised text
are offsets into the original and every quote is an exact substring of the input. Each sentence
also gets a *parse copy* (whitespace between digits and CJK removed so ``33 323`` reads 33323,
pinyin glosses and digit-free parentheticals such as ``(不含农户)`` dropped, Chinese numerals
written in digits); the parse copy is not aligned with the original and is never quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import opencc

from rebound.extract.numerals import to_arabic

_CONVERTER = opencc.OpenCC("t2s")

_CHAR_MAP: dict[int, str] = {}
for _code in range(0xFF01, 0xFF5F):  # full-width ASCII block: ！..～ -> !..~
    _CHAR_MAP[_code] = chr(_code - 0xFEE0)
_CHAR_MAP[0x3000] = " "  # ideographic space
for _dash in (0x2014, 0x2013, 0x2012, 0x2212, 0x2015, 0xFE63):  # — – ‒ − ― ﹣ between months
    _CHAR_MAP[_dash] = "-"
_CHAR_MAP[0x301C] = "~"  # 〜


@lru_cache(maxsize=8192)
def _char_t2s(ch: str) -> str:
    out = str(_CONVERTER.convert(ch))
    return out if len(out) == 1 else ch


def _t2s_line(line: str) -> str:
    if line.isascii():
        return line
    out = str(_CONVERTER.convert(line))
    if len(out) == len(line):
        return out
    return "".join(_char_t2s(c) for c in line)  # a phrase changed length: one char at a time


def normalise(text: str) -> str:
    """Return a copy of ``text`` for parsing, one character for one character.

    Traditional characters become simplified (OpenCC ``t2s``, line by line; a line whose
    phrase conversion would change its length is converted one character at a time),
    full-width digits, letters and punctuation become ASCII (``２２．４％`` -> ``22.4%``,
    ``，`` -> ``,``), dashes become ``-`` and the ideographic space a space.

    Parameters
    ----------
    text : str
        The original text.

    Returns
    -------
    str
        The normalised copy, ``len(result) == len(text)``.
    """
    simplified = "".join(_t2s_line(line) for line in text.splitlines(keepends=True))
    return simplified.translate(_CHAR_MAP)


@dataclass(frozen=True)
class Sentence:
    """One sentence: its span in the original text and the cleaned text to parse.

    Attributes
    ----------
    start, end : int
        Span in the original (and normalised) text; ``text[start:end]`` is the quote.
    parse : str
        Parse copy (see the module docstring).
    paragraph : int
        Index of the paragraph (a hard line break starts a new one).
    """

    start: int
    end: int
    parse: str
    paragraph: int = 0


_PINYIN = re.compile(r"(?=\()(?<=[\u4e00-\u9fff])\([a-zA-Z\u00c0-\u024f]{1,8}\)")
_SPACE_RUN = re.compile(r"[\s\ufffd]+")
_PAREN = re.compile(r"\([^()0-9%]{2,40}\)")
_TERMINATORS = "。!?"
_BREAK = re.compile(r"[。!?.\n]")
_CLOSERS = "”’」』)）】\"'"
_LINE_END_OK = "。!?…”’」』)）】\"'."


def _space(m: re.Match[str]) -> str:
    s = m.string
    a, b = m.start(), m.end()
    left = s[a - 1] if a > 0 else ""
    right = s[b] if b < len(s) else ""
    if (left.isascii() and left.isalpha()) or (right.isascii() and right.isalpha()):
        return " "
    return ""


def clean(fragment: str) -> str:
    """The parse copy of a normalised sentence (see the module docstring)."""
    s = _PINYIN.sub("", fragment)
    s = _SPACE_RUN.sub(_space, s).strip()
    s = _PAREN.sub("", s)
    return to_arabic(s)


def _soft_breaks(norm: str) -> set[int]:
    """Offsets of newlines that a broken (PDF-dump) layout put inside a sentence.

    A region is broken when, around a line, most non-empty lines end without sentence-ending
    punctuation and several are very short (a digit, ``月，``). Inside such a region a newline
    after a line that does not end a sentence is joined rather than splitting.
    """
    lines: list[tuple[int, int, str]] = []
    pos = 0
    for raw in norm.split("\n"):
        stripped = raw.strip()
        if stripped:
            lines.append((pos, pos + len(raw), stripped))
        pos += len(raw) + 1
    n = len(lines)
    frag = [not s.rstrip("\ufffd").endswith(tuple(_LINE_END_OK)) for _, _, s in lines]
    short = [len(s) <= 4 for _, _, s in lines]
    broken = [False] * n
    for i in range(n):
        lo, hi = max(0, i - 5), min(n, i + 6)
        if sum(short[lo:hi]) >= 3 and sum(frag[lo:hi]) >= 0.6 * (hi - lo):
            broken[i] = True
    soft: set[int] = set()
    for i in range(n - 1):
        if frag[i] and broken[i] and broken[i + 1]:
            soft.update(j for j in range(lines[i][1], lines[i + 1][0]) if norm[j] == "\n")
    return soft


def _english_stop(norm: str, i: int) -> bool:
    """A ``.`` that ends an English sentence: after a word or %, before a space and a capital."""
    if i == 0 or i + 2 >= len(norm) or norm[i + 1] not in " \t":
        return i + 1 == len(norm) and i > 0 and norm[i - 1].isalpha()
    before, after = norm[i - 1], norm[i + 2]
    return (before.islower() or before in "%)") and (after.isupper() or after in "\"'")


def split_sentences(text: str) -> list[Sentence]:
    """Split text into sentences (at 。!?, an English full stop, and line ends).

    Parameters
    ----------
    text : str
        Original text.

    Returns
    -------
    list of Sentence
        Non-empty sentences in order; quotes are ``text[s.start:s.end]``.
    """
    norm = normalise(text)
    soft = _soft_breaks(norm)
    out: list[Sentence] = []
    paragraph = 0

    def emit(a: int, b: int) -> None:
        frag = text[a:b]
        a2 = a + len(frag) - len(frag.lstrip())
        b2 = a + len(frag.rstrip())
        if b2 > a2:
            parse = clean(norm[a2:b2])
            if parse:
                out.append(Sentence(a2, b2, parse, paragraph))

    start = 0
    for m in _BREAK.finditer(norm):
        i = m.start()
        if i < start:
            continue  # inside the closers of the previous sentence
        c = norm[i]
        if c == "\n":
            if i not in soft:
                emit(start, i)
                start = i + 1
                paragraph += 1
            continue
        if c == "." and not _english_stop(norm, i):
            continue
        j = i + 1
        while j < len(norm) and norm[j] in _CLOSERS:
            j += 1
        emit(start, j)
        start = j
    emit(start, len(norm))
    return out
