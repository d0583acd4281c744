"""Candidate observed-data rows from Chinese statistical text (issue 9).

Pure functions: text in, candidate rows out. Nothing here prints or writes files.

The text is normalised for parsing only (traditional to simplified characters, full-width digits
and punctuation to ASCII, pinyin glosses such as ``聯(lián)`` dropped, lines that a PDF dump broke
mid-sentence joined again); every candidate quotes the *original* sentence exactly, so the quote
is always a substring of the input.

Three kinds of output:

- :class:`Candidate` -- an indicator row in the observed-data format of ``docs/architecture.md``;
- :class:`LeverCandidate` -- a policy amount (vouchers, VAT credit refunds, special bonds, ...);
- :class:`Unresolved` -- figures in a sentence that could not be placed, with the reason.

The extractor never guesses silently: a statistical figure (a percentage, percentage points, an
amount in 元, or persons in 万人) that is not turned into a row is listed as unresolved. Plain
counts (个, 户, 辆, ...) are only read when attached to an indicator or lever that is counted;
other counts, dates and thresholds such as ``5000万元以上项目`` are not figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from rebound.data.observed import (
    COLUMNS as COLUMNS,  # re-exported: the extractor emits rows in this order
)
from rebound.data.vocab import DEFAULT_BASIS, INDICATORS, MODEL_MEASURES

# Columns of an observed-data CSV, in order (one definition, in rebound.data.observed).


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

YI_PER_WAN = Decimal("0.0001")
"""亿元 per 万元: 1 万元 = 0.0001 亿元."""
YI_PER_WANYI = Decimal("10000")
"""亿元 per 万亿元."""
ONE_WAN = Decimal("10000")
"""Units in one 万 (used for counts such as 15万户)."""

# --------------------------------------------------------------------------------------------
# Normalisation (length-preserving, one character for one character)
# --------------------------------------------------------------------------------------------

_TRAD_PAIRS = (
    "億亿 萬万 規规 業业 長长 產产 總总 額额 資资 區区 會会 費费 與与 計计 劃划 點点 個个 較较 實实 "
    "現现 發发 務务 當当 這这 門门 間间 時时 東东 貨货 價价 銷销 車车 輛辆 場场 營营 體体 稅税 債债 "
    "專专 項项 補补 貼贴 購购 開开 復复 減减 還还 穩稳 崗岗 險险 勞劳 動动 來来 對对 於于 為为 從从 "
    "後后 過过 進进 運运 達达 線线 網网 絡络 電电 報报 數数 據据 統统 國国 際际 經经 濟济 財财 兩两 "
    "縮缩 擴扩 漲涨 緩缓 續续 縣县 鎮镇 鄉乡 內内 舉举 辦办 證证 儲储 備备 單单 戶户 員员 廠厂 設设 "
    "構构 機机 關关 歷历 創创 帶带 屬属 興兴 環环 節节 農农 糧粮 醫医 藥药 療疗 衛卫 護护 貸贷 換换 "
    "廣广 圍围 樓楼 層层 確确 應应 響响 態态 勢势 優优 試试 驗验 導导 讓让 說说 講讲 記记 調调 檢检 "
    "測测 錢钱 銀银 權权 條条 則则 聯联 預预 負负 別别 標标 將将 並并 費费 幣币 邊边 際际 準准 "
    "錄录 億亿 紀纪 組组 織织 納纳 級级 濟济 穫获 獲获 寬宽 傳传 擔担 無无 維维 護护 質质 "
    "領领 鏈链 協协 覆覆 蓋盖 盤盘 轉转 彙汇 匯汇 餘余 額额 樣样 離离 雙双 韓韩 華华 樂乐 "
    "參参 產产 滿满 驅驱 團团 週周 階阶 氣气 勵励 積积 極极 嚴严 紓纾 擴扩 戰战 鬥斗 歲岁 "
    "齊齐 漸渐 續续 學学 獨独 賣卖 買买 約约 達达 種种 讀读 溫温 鏡镜 識识 議议 談谈 觀观 "
    "點点 產产 壓压 稱称 權权 區区 園园 圖图 態态 廳厅 陽阳 陰阴 腦脑 態态 衝冲 擊击 "
    "產产 萊莱 亞亚 歐欧 倫伦 術术 輪轮 軌轨 陸陆 島岛 鐵铁 劑剂 飛飞 驗验 線线 專专 "
    "財财 務务 補补 債债 稅税 ٠٠"
)
_TRAD_TO_SIMP: dict[str, str] = {}
for _pair in _TRAD_PAIRS.split():
    if len(_pair) == 2 and _pair[0] != _pair[1]:
        _TRAD_TO_SIMP[_pair[0]] = _pair[1]

_CHAR_MAP: dict[int, str] = {ord(k): v for k, v in _TRAD_TO_SIMP.items()}
for _code in range(0xFF01, 0xFF5F):  # full-width ASCII block: ！..～ -> !..~
    _CHAR_MAP[_code] = chr(_code - 0xFEE0)
_CHAR_MAP[0x3000] = " "  # ideographic space
_CHAR_MAP[0x2014] = "-"  # — between months (1—7月)
_CHAR_MAP[0x2013] = "-"
_CHAR_MAP[0x2212] = "-"


def normalise(text: str) -> str:
    """Return a copy of ``text`` for parsing, one character for one character.

    Traditional characters common in bulletins become simplified, full-width digits, letters
    and punctuation become ASCII (``２２．４％`` -> ``22.4%``, ``，`` -> ``,``), the ideographic
    space becomes a space. Because the mapping is one-to-one, offsets into the result are
    offsets into ``text``.

    Parameters
    ----------
    text : str
        The original text.

    Returns
    -------
    str
        The normalised copy, ``len(result) == len(text)``.
    """
    return text.translate(_CHAR_MAP)


# --------------------------------------------------------------------------------------------
# Sentences
# --------------------------------------------------------------------------------------------

_TERMINATORS = "。!?"
_CLOSERS = "”’」』)）】\"'"
_LINE_END_OK = "。!?…”’」』)）】\"'"


@dataclass(frozen=True)
class Sentence:
    """One sentence: its span in the original text and the cleaned text to parse.

    Attributes
    ----------
    start, end : int
        Span in the original (and normalised) text; ``text[start:end]`` is the quote.
    parse : str
        Normalised sentence with whitespace, pinyin glosses and U+FFFD removed.
    """

    start: int
    end: int
    parse: str


_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])\([a-zA-Z\u00c0-\u024f]{1,8}\)")
_WS = re.compile(r"[\s\ufffd]+")


def _clean(fragment: str) -> str:
    return _WS.sub("", _PINYIN.sub("", fragment))


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
    half = 5
    for i in range(n):
        lo, hi = max(0, i - half), min(n, i + half + 1)
        k = hi - lo
        if sum(short[lo:hi]) >= 3 and sum(frag[lo:hi]) >= 0.6 * k:
            broken[i] = True
    soft: set[int] = set()
    for i in range(n - 1):
        if frag[i] and broken[i] and broken[i + 1]:
            for j in range(lines[i][1], lines[i + 1][0]):
                if norm[j] == "\n":
                    soft.add(j)
    return soft


def split_sentences(text: str) -> list[Sentence]:
    """Split text into sentences (at 。!? and at line ends that end a sentence).

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
    start = 0
    i = 0
    n = len(norm)

    def emit(a: int, b: int) -> None:
        frag = text[a:b]
        lead = len(frag) - len(frag.lstrip())
        trail = len(frag.rstrip())
        a2, b2 = a + lead, a + trail
        if b2 > a2:
            parse = _clean(norm[a2:b2])
            if parse:
                out.append(Sentence(a2, b2, parse))

    while i < n:
        c = norm[i]
        if c in _TERMINATORS:
            j = i + 1
            while j < n and norm[j] in _CLOSERS:
                j += 1
            emit(start, j)
            start = i = j
            continue
        if c == "\n" and i not in soft:
            emit(start, i)
            start = i + 1
        i += 1
    emit(start, n)
    return out


# --------------------------------------------------------------------------------------------
# Output records
# --------------------------------------------------------------------------------------------


def _fmt(d: Decimal) -> str:
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


@dataclass(frozen=True)
class Candidate:
    """A candidate indicator row in the observed-data format.

    Attributes
    ----------
    indicator, measure : str
        Ids from :mod:`rebound.data.vocab`.
    period_start, period_end : str
        ``YYYY-MM``, inclusive.
    compare_start, compare_end : str
        The earlier period for ``pp_change``, else empty.
    value : Decimal
        Signed value as printed (after 万元 -> 亿元 conversion where stated in the reason).
    unit, basis : str
        From :mod:`rebound.data.vocab`.
    reference_value : Decimal or None
        For ``pp_vs_reference``.
    role : str
        ``fit`` or ``context``.
    reason : str
        Why context, how read, or the arithmetic.
    derived : str
        ``yes`` if computed from printed figures, else ``no``.
    source, quote : str
        Source file name and the exact original sentence.
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
        return (
            self.indicator,
            self.measure,
            self.period_start,
            self.period_end,
            self.compare_start,
            self.compare_end,
        )

    def as_row(self) -> dict[str, str]:
        """Return the row as strings keyed by :data:`COLUMNS`."""
        return {
            "indicator": self.indicator,
            "measure": self.measure,
            "period_start": self.period_start,
            "period_end": self.period_end,
            "compare_start": self.compare_start,
            "compare_end": self.compare_end,
            "value": _fmt(self.value),
            "unit": self.unit,
            "basis": self.basis,
            "reference_value": "" if self.reference_value is None else _fmt(self.reference_value),
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
    induced_amount : Decimal or None
        Spending the text says it pulled in (拉动/撬动), 亿元.
    period_start, period_end, date : str
        As stated (``YYYY-MM``; date ``YYYY-MM-DD``), empty when not stated.
    note : str
        Qualifiers (超过, planned, growth printed with it, ...).
    source, quote : str
        Source file name and the exact original sentence.
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
            "amount": _fmt(self.amount),
            "unit": self.unit,
            "induced_amount": "" if self.induced_amount is None else _fmt(self.induced_amount),
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
        Source file name and the exact original sentence.
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


# --------------------------------------------------------------------------------------------
# Vocabulary of the text
# --------------------------------------------------------------------------------------------

_NAMED_PERIODS: dict[str, tuple[int, int, str]] = {
    # name -> (first month, last month, kind); kind: cum | quarter | half
    "前三季度": (1, 9, "cum"),
    "前3季度": (1, 9, "cum"),
    "前两季度": (1, 6, "cum"),
    "上半年": (1, 6, "cum"),
    "下半年": (7, 12, "half"),
    "全年": (1, 12, "cum"),
    "第一季度": (1, 3, "cum"),
    "一季度": (1, 3, "cum"),
    "1季度": (1, 3, "cum"),
    "首季": (1, 3, "cum"),
    "第二季度": (4, 6, "quarter"),
    "二季度": (4, 6, "quarter"),
    "2季度": (4, 6, "quarter"),
    "第三季度": (7, 9, "quarter"),
    "三季度": (7, 9, "quarter"),
    "3季度": (7, 9, "quarter"),
    "第四季度": (10, 12, "quarter"),
    "四季度": (10, 12, "quarter"),
    "4季度": (10, 12, "quarter"),
}

_TIME = re.compile(
    r"(?P<isodate>(?P<iy>20\d{2})-(?P<im>\d{1,2})-(?P<id>\d{1,2}))"
    r"|(?P<clock>\d{1,2}:\d{2}(?::\d{2})?)"
    r"|(?P<range>(?P<r0>\d{1,2})(?:月份?)?[-~至到](?P<r1>\d{1,2})月份?)"
    r"|(?P<upto>(?:截至|截止|至|到)(?P<um>\d{1,2})月(?:末|底|份)?)"
    r"|(?P<monthlist>\d{1,2}(?:[、和及]\d{1,2})+月份?)"
    r"|(?P<date>(?P<dm>\d{1,2})月(?P<dd>\d{1,2})日)"
    r"|(?P<daynum>\d{1,2}日)"
    r"|(?P<duration>\d+(?:个月|天|年间|小时|分钟?|秒))"
    r"|(?P<monthend>(?P<mem>\d{1,2})月(?:末|底))"
    r"|(?P<month>(?P<mm>\d{1,2})月份?)"
    r"|(?P<year>(?P<yy>(?:19|20)\d{2})年(?:度)?)"
    r"|(?P<named>" + "|".join(sorted(map(re.escape, _NAMED_PERIODS), key=len, reverse=True)) + r")"
    r"|(?P<rel>今年|本年|去年|上年|前年)"
)

_NUMBER = re.compile(
    r"(?<![\d.A-Za-z])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d.]*[A-Za-z])"
    r"(?P<approx>余|多)?"
    r"(?P<unit>个百分点|百分点|%|万亿元|万亿|亿元|亿|万元|万人次|万人|万户次|万户|万辆|个|项|户|辆)?"
)

# indicator mention patterns -> indicator ids (a tuple when 分别 lists several)
_INDICATOR_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"全国固定资产投资", ("fai_national",)),
    (
        r"(?:限额以上|限上)(?:单位)?(?:社会)?(?:消费品)?(?:零售(?:总)?额|社零(?:总)?额?|零售)",
        ("retail_above_quota",),
    ),
    (r"社会消费品零售(?:总)?额|社会消费品零售|社零(?:总)?额?|消费品零售(?:总)?额", ("retail",)),
    (r"地区生产总值|生产总值|GDP|gdp", ("gdp",)),
    (r"规模以上工业(?:增加值)?|规上工业(?:增加值)?|工业增加值", ("industry",)),
    (r"固定资产投资|固投|(?:全市|全省|全区|全县|全社会)投资", ("fai",)),
    (r"汽车产销", ("auto_output", "auto_sales")),
    (r"汽车产量", ("auto_output",)),
    (r"汽车销(?:售)?量", ("auto_sales",)),
    (r"整车日产量|日整车产量", ("faw_daily_output",)),
    (r"开复工率?|开\(复\)工|开工率", ("key_projects_started",)),
    (r"完成投资|投资完成", ("key_project_investment",)),
    (r"网络(?:零售|销售)额|网上零售额|线上销售额", ("online_sales",)),
    (r"市场主体", ("market_entities",)),
)
_INDICATOR_RE = re.compile("|".join(f"(?:{p})" for p, _ in _INDICATOR_PATTERNS))
_INDICATOR_SUBS = [(re.compile(p), ids) for p, ids in _INDICATOR_PATTERNS]

# Which figure classes each indicator accepts (default: pct, pp, money).
_COUNTED = {"key_projects_started", "market_entities", "faw_daily_output"}
_ACCEPTS: dict[str, tuple[str, ...]] = {
    "key_projects_started": ("count", "pct", "pp"),
    "market_entities": ("count", "pct", "pp"),
    "faw_daily_output": ("count",),
    "auto_output": ("pct", "pp"),
    "auto_sales": ("pct", "pp"),
    "fai_national": ("pct", "pp"),
}

# lever keyword -> (kind, figure class)
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
_LEVER_RE = [(re.compile(p), kind, cls) for p, kind, cls in _LEVER_PATTERNS]

_PLAN = re.compile(r"计划|目标|力争|预计|规划|预期目标|要达到")
_NEG_VERBS = ("下降", "减少", "回落", "下滑", "负增长", "降低", "下跌", "萎缩", "降幅")
_POS_VERBS = ("增长", "增加", "上升", "提高", "提升", "回升", "上涨", "增速", "增幅", "增长率")
_PP_CHANGE = re.compile(
    r"(?P<what>降幅|增速|增幅|涨幅|跌幅)(?P<mid>[^,;]{0,14}?)"
    r"(?P<dir>收窄|缩小|扩大|加快|放缓|回落|提高|提升|回升|下降|加大)"
    r"(?:了)?$"
)
_PP_CHANGE_BARE = re.compile(
    r"(?:比|较)[^,;]{1,8}?(?P<dir>提高|加快|回升|提升|回落|放缓|下降)(?:了)?$"
)
_VS_REF = re.compile(r"(?P<dir>高于|低于|快于|慢于)(?P<ref>全国|全省|全市)[^,;]{0,8}?$")
_VS_EXPECT = re.compile(r"(?P<dir>好于|高于|低于)预期(?:增速|目标)?[^,;]{0,4}?$")


@dataclass
class _Period:
    start: int
    end: int
    kind: str  # cum | month | quarter | half | upto | range
    year: int | None
    pos: int
    text: str
    compare: bool = False


@dataclass
class _Mention:
    ids: tuple[str, ...]
    start: int
    end: int
    text: str


def _ym(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


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
    m = re.search(r"(20\d{2})[-/.](\d{1,2})[-/.](\d{1,2})", normalise(text))
    return _ym(int(m.group(1)), int(m.group(2))) if m else None


def year_from_text(text: str) -> int | None:
    """Return the year of the dateline (see :func:`publication_month`), if any."""
    pub = publication_month(text)
    return int(pub[:4]) if pub else None


# --------------------------------------------------------------------------------------------
# Sentence parser
# --------------------------------------------------------------------------------------------


@dataclass
class _Fig:
    num: Decimal
    raw: str
    unit: str
    cls: str  # pct | pp | money | persons | count
    start: int
    end: int
    approx: str


class _SentenceParser:
    """Turns one sentence into candidates, levers and unresolved figures."""

    def __init__(self, sent: Sentence, quote: str, source: str, doc_year: int | None,
                 episode_year: int | None, published: str | None = None):
        self.s = sent.parse
        self.quote = quote
        self.source = source
        self.doc_year = doc_year
        self.episode_year = episode_year
        self.published = published
        self._fig: _Fig | None = None
        self.rows: list[Candidate] = []
        self.levers: list[LeverCandidate] = []
        self.unresolved: dict[str, list[str]] = {}
        self.periods: list[_Period] = []
        self.time_spans: list[tuple[int, int]] = []
        self.dates: list[tuple[int, str]] = []
        self.mentions: list[_Mention] = []
        self._lever_pos = -1
        self._lever_end = -1
        self._scan()

    # ---- scanning ----
    def _scan(self) -> None:
        s = self.s
        year = self.doc_year
        for m in _TIME.finditer(s):
            self.time_spans.append((m.start(), m.end()))
            g = m.lastgroup
            before = s[max(0, m.start() - 2):m.start()]
            compare = before.endswith(("比", "较", "与")) or before in ("比今", "较今")
            if g == "year":
                year = int(m.group("yy"))
                continue
            if g == "rel":
                word = m.group("rel")
                if compare or s[m.end():m.end() + 2].startswith(("同期", "同比")):
                    continue
                if self.doc_year is not None:
                    year = self.doc_year if word in ("今年", "本年") else (
                        self.doc_year - (2 if word == "前年" else 1))
                continue
            if g == "date":
                if year is not None:
                    self.dates.append(
                        (m.start(), f"{year:04d}-{int(m.group('dm')):02d}-{int(m.group('dd')):02d}")
                    )
                continue
            p: _Period | None = None
            if g == "range":
                a, b = int(m.group("r0")), int(m.group("r1"))
                if 1 <= a < b <= 12:
                    p = _Period(a, b, "cum" if a == 1 else "range", year, m.start(), m.group(0))
            elif g == "upto":
                mo = int(m.group("um"))
                if 1 <= mo <= 12:
                    p = _Period(1, mo, "upto", year, m.start(), m.group(0))
            elif g == "monthend":
                mo = int(m.group("mem"))
                if 1 <= mo <= 12:
                    p = _Period(1, mo, "upto", year, m.start(), m.group(0))
            elif g == "month":
                mo = int(m.group("mm"))
                if 1 <= mo <= 12:
                    p = _Period(mo, mo, "month", year, m.start(), m.group(0))
            elif g == "named":
                a, b, kind = _NAMED_PERIODS[m.group("named")]
                p = _Period(a, b, kind, year, m.start(), m.group(0))
            if p is not None:
                p.compare = compare
                self.periods.append(p)
        for m in _INDICATOR_RE.finditer(s):
            for rx, ids in _INDICATOR_SUBS:
                if rx.fullmatch(m.group(0)):
                    self.mentions.append(_Mention(ids, m.start(), m.end(), m.group(0)))
                    break

    def _in_time(self, a: int, b: int) -> bool:
        return any(a < te and b > ts for ts, te in self.time_spans)

    def figures(self) -> list[_Fig]:
        out: list[_Fig] = []
        for m in _NUMBER.finditer(self.s):
            if self._in_time(m.start(), m.end()):
                continue
            unit = m.group("unit") or ""
            if not unit:
                continue
            after = self.s[m.end():m.end() + 2]
            if unit in ("个", "项") and after.startswith(("月", "小时")):
                continue
            num = Decimal(m.group("num").replace(",", ""))
            if unit in ("个百分点", "百分点"):
                cls = "pp"
            elif unit == "%":
                cls = "pct"
            elif unit in ("万亿元", "万亿", "亿元", "亿", "万元"):
                cls = "money"
            elif unit in ("万人次", "万人"):
                cls = "persons"
            else:
                cls = "count"
            raw = m.group(0)
            out.append(_Fig(num, raw, unit, cls, m.start(), m.end(), m.group("approx") or ""))
        return out

    # ---- context lookups ----
    def clause_bounds(self, pos: int) -> tuple[int, int]:
        s = self.s
        a = max(s.rfind(c, 0, pos) for c in ",;:") + 1
        ends = [i for i in (s.find(c, pos) for c in ",;:") if i != -1]
        return a, (min(ends) if ends else len(s))

    def main_period(self, pos: int) -> _Period | None:
        cands = [p for p in self.periods if p.pos < pos and not p.compare]
        return cands[-1] if cands else None

    def compare_period(self, a: int, b: int) -> _Period | None:
        cands = [p for p in self.periods if a <= p.pos < b and p.compare]
        return cands[-1] if cands else None

    def indicator_before(self, pos: int) -> _Mention | None:
        cands = [m for m in self.mentions if m.end <= pos]
        return cands[-1] if cands else None

    def add_unresolved(self, fig: _Fig, reason: str) -> None:
        self.unresolved.setdefault(reason, []).append(fig.raw)

    # ---- main ----
    def parse(self) -> None:
        figs = self.figures()
        used_fenbie: dict[int, int] = {}
        last_lever: LeverCandidate | None = None
        for fig in figs:
            s = self.s
            if self._is_threshold(fig):
                continue
            ca, cb = self.clause_bounds(fig.start)
            pre_clause = s[ca:fig.start]
            if fig.cls == "money" and re.search(r"拉动|撬动|带动", pre_clause) and \
                    last_lever is not None and last_lever.kind == "consumption_voucher":
                note = last_lever.note
                if fig.approx or re.search(r"超过|超|以上", s[ca:fig.end + 2]):
                    note = (note + "; " if note else "") + "induced amount is a lower bound (超过)"
                idx = self.levers.index(last_lever)
                last_lever = replace(last_lever, induced_amount=self._yi(fig), note=note)
                self.levers[idx] = last_lever
                continue
            if fig.cls in ("money", "count"):
                lever = self._lever(fig, ca, cb)
                if lever is not None:
                    self.levers.append(lever)
                    last_lever = lever
                    if fig.cls == "count" and lever.kind == "project_starts":
                        self._indicator_figure(fig, used_fenbie, lever_done=True)
                    continue
            if fig.cls == "pct" and last_lever is not None and \
                    self.clause_bounds(self._lever_pos)[0] == ca and \
                    re.search(r"同比|增长|下降", pre_clause):
                idx = self.levers.index(last_lever)
                extra = "printed with " + s[self._lever_end:fig.end].lstrip("、,和及")
                last_lever = replace(last_lever, note=(last_lever.note + "; " if last_lever.note else "") + extra)
                self.levers[idx] = last_lever
                continue
            self._indicator_figure(fig, used_fenbie)

    def _is_threshold(self, fig: _Fig) -> bool:
        after = self.s[fig.end:fig.end + 6]
        if fig.cls == "money" and re.match(r"(?:以上|以下)?(?:的)?(?:工业|重点|产业)?项目", after):
            return True
        return bool(fig.cls == "money" and re.match(r"以上(?:工业|重点)?(?:项目|企业)", after))

    def _yi(self, fig: _Fig) -> Decimal:
        if fig.unit == "万元":
            return fig.num * YI_PER_WAN
        if fig.unit in ("万亿元", "万亿"):
            return fig.num * YI_PER_WANYI
        return fig.num

    def _lever(self, fig: _Fig, ca: int, cb: int) -> LeverCandidate | None:
        s = self.s
        prev_a = self.clause_bounds(max(ca - 2, 0))[0] if ca > 0 else ca
        best: tuple[int, str, int] | None = None
        for rx, kind, cls in _LEVER_RE:
            if cls != fig.cls:
                continue
            for m in rx.finditer(s):
                in_clause = ca <= m.start() < cb
                in_prev = prev_a <= m.start() < ca and fig.cls == "money"
                if not (in_clause or in_prev):
                    continue
                if kind == "project_starts" and m.start() > fig.start:
                    continue
                dist = abs(m.start() - fig.start) + (0 if in_clause else 1000)
                if best is None or dist < best[0]:
                    best = (dist, kind, m.start())
        if best is None:
            return None
        kind = best[1]
        if kind == "subsidy":
            if re.search(r"购房|房地产|住房", s):
                kind = "housing_subsidy"
            else:
                return None
        clause = s[ca:cb]
        if re.search(r"最高|每人|每户|人均|每辆", s[ca:fig.start]):
            return None
        notes = []
        if fig.approx or re.search(r"超过|超|以上|余", s[max(ca, fig.start - 3):fig.end + 2]):
            notes.append("printed as a bound or approximate")
        if _PLAN.search(clause) or "将" in s[ca:fig.start]:
            notes.append("announced or planned amount")
        period = self.main_period(fig.start)
        ps = pe = ""
        if period is not None and period.year is not None:
            pe = _ym(period.year, period.end)
            if period.kind != "upto":
                ps = _ym(period.year, period.start)
        date = ""
        dates = [d for pos, d in self.dates if pos < fig.start]
        if dates:
            date = dates[-1]
        self._lever_pos = fig.start
        self._lever_end = fig.end
        amount = self._yi(fig) if fig.cls == "money" else fig.num
        if fig.unit == "万元":
            notes.append(f"{fig.raw} converted to 亿元 (x{YI_PER_WAN})")
        return LeverCandidate(
            kind=kind,
            amount=amount,
            unit="100m_yuan" if fig.cls == "money" else "count",
            source=self.source,
            quote=self.quote,
            period_start=ps,
            period_end=pe,
            date=date,
            note="; ".join(notes),
        )

    def _role(self, indicator: str, measure: str, year: int, extra: str = "") -> tuple[str, str]:
        modelled = INDICATORS.get(indicator, ("", "", False))[2]
        if not modelled:
            return "context", "not a model output"
        if measure not in MODEL_MEASURES:
            return "context", "context measure"
        if self.episode_year is not None and year != self.episode_year:
            return "context", f"{year} figure, before the episode year {self.episode_year}"
        if extra:
            return "context", extra
        return "fit", ""

    def _basis(self, indicator: str, measure: str) -> str:
        if measure == "level_100m_yuan":
            return "nominal"
        if measure in ("count", "share_pct", "level", "ratio"):
            return "na"
        return DEFAULT_BASIS.get(indicator, "na")

    def _indicator_figure(self, fig: _Fig, used_fenbie: dict[int, int], lever_done: bool = False) -> None:
        s = self.s
        self._fig = fig
        if self._project_total(fig):
            return
        ca, cb = self.clause_bounds(fig.start)
        mention = self.indicator_before(fig.start)
        carried = ""
        if mention is not None and mention.start < ca:
            # mention in an earlier clause: only carried over a bare growth/period clause
            between = s[mention.end:fig.start]
            if re.search(r"[一-龥]{0,2}(?:企业|产业|行业|产品|主体|项目|率|比重|占比|面积|车速|人员|就业)", s[ca:fig.start]):
                mention = None
            elif len(between) > 40:
                mention = None
            elif ";" in between:
                carried = "indicator carried from the preceding clause"
        if mention is not None:
            gap = s[mention.end:fig.start]
            if re.search(r"企业|产业|行业|受益|党员|人员|就业|车速|产值", gap):
                mention = None
            elif s[max(0, mention.start - 2):mention.start] == "受益" or fig.unit == "万户次":
                mention = None
            elif fig.cls not in _ACCEPTS.get(mention.ids[0], ("pct", "pp", "money")):
                mention = None
        if mention is None:
            if lever_done:
                return
            reasons = {
                "pct": "percentage with no recognised indicator in the sentence",
                "pp": "percentage points with no recognised indicator in the sentence",
                "money": "amount not attached to an indicator or a lever keyword",
                "persons": "persons (万人): no indicator in the vocabulary (employment, population)",
            }
            if fig.cls == "count":
                return
            reason = reasons[fig.cls]
            if fig.cls == "pct" and _PLAN.search(s[:fig.start]):
                reason += " (the sentence states a plan or target)"
            if fig.cls == "money" and _PLAN.search(s[ca:cb]):
                reason = "planned or target amount, not an outcome"
            elif fig.cls == "money" and "红利" in s[ca:fig.start]:
                reason = "aggregate policy benefit (政策红利), not one lever"
            elif fig.cls == "money" and re.search(r"总投资|投资$", s[max(ca, fig.start - 4):fig.start]):
                reason = "investment of individual projects, not an indicator"
            elif fig.cls == "money" and re.search(r"最高|每人|每户|人均|每辆", s[ca:fig.start]):
                reason = "per-person or per-household cap, not a total"
            self.add_unresolved(fig, reason)
            return
        ids = mention.ids
        ind = ids[0]
        if len(ids) > 1:
            if "分别" not in s[mention.end:fig.start]:
                self.add_unresolved(fig, f"{mention.text} names several indicators; cannot tell which")
                return
            k = used_fenbie.get(mention.start, 0)
            used_fenbie[mention.start] = k + 1
            if k >= len(ids):
                self.add_unresolved(fig, f"more figures than indicators after {mention.text}分别")
                return
            ind = ids[k]
        if fig.cls == "persons":
            self.add_unresolved(fig, "persons (万人) are not a measure of this indicator")
            return
        if ind == "key_project_investment" and not re.search(r"项目", s):
            ind = "fai"
        window = s[mention.start:fig.start]
        if _PLAN.search(window) or _PLAN.search(s[ca:fig.start]):
            self.add_unresolved(fig, "planned or target figure, not an outcome")
            return
        if fig.approx:
            self.add_unresolved(fig, "approximate figure (余/多)")
            return
        period = self.main_period(fig.start)
        if period is None:
            self.add_unresolved(fig, f"no period stated in the sentence for {ind}")
            return
        if period.year is None:
            self.add_unresolved(fig, "year unknown: give --year or --episode")
            return
        y = period.year
        notes = [carried] if carried else []
        if fig.cls == "count":
            if ind not in _COUNTED:
                return
            value = fig.num * ONE_WAN if fig.unit.startswith("万") else fig.num
            if fig.unit.startswith("万"):
                notes.append(f"{fig.raw} = {_fmt(value)} (x{ONE_WAN})")
            unit = "vehicles_per_day" if ind == "faw_daily_output" else "count"
            measure = "level" if ind == "faw_daily_output" else "count"
            if ind == "market_entities" and "新增" in s[max(0, mention.start - 3):mention.start]:
                notes.append("newly registered entities (新增)")
            self._add(ind, measure, period, value, unit, notes, None)
            return
        if fig.cls == "money":
            if not re.search(r"完成|实现|达到|达|为|共|累计|总额|总量|^$", s[mention.end:fig.start]) \
                    and ind != "key_project_investment":
                self.add_unresolved(fig, f"amount near {mention.text} but not stated as its level")
                return
            value = self._yi(fig)
            if fig.unit == "万元":
                notes.append(f"{fig.raw} converted to 亿元 (x{YI_PER_WAN})")
            elif fig.unit in ("万亿元", "万亿"):
                notes.append(f"{fig.raw} converted to 亿元 (x{YI_PER_WANYI})")
            if period.kind not in ("cum", "upto", "month", "quarter"):
                self.add_unresolved(fig, f"period {period.text} not supported")
                return
            self._add(ind, "level_100m_yuan", period, value, "100m_yuan", notes, None)
            return
        pre = s[max(ca, mention.end if mention.start >= ca else ca):fig.start]
        if re.search(r"率|比重|占比", s[mention.start:fig.start]) and fig.cls == "pct":
            if re.search(r"提高|下降|增长|回落|提升", s[max(mention.end, ca):fig.start].split("率")[-1]):
                self.add_unresolved(fig, "change in a rate, no measure for it")
                return
            self._add(ind, "share_pct", period, fig.num, "pct", notes, None)
            return
        if fig.cls == "pp" and re.search(r"率", s[mention.start:fig.start]):
            after_rate = s[mention.start:fig.start].split("率")[-1]
            mm = re.search(r"(提高|提升|增加|上升|下降|降低|回落)$", after_rate)
            if "同比" in after_rate and mm is not None and period.kind in ("cum", "upto", "month", "quarter"):
                value = fig.num if mm.group(1) in ("提高", "提升", "增加", "上升") else -fig.num
                notes.append("change in a share (率) on the same period a year earlier (同比), "
                             "not a change of a growth rate")
                self._add(ind, "pp_change", period, value, "pp", notes, None,
                          compare=(_ym(y - 1, period.start), _ym(y - 1, period.end)))
                return
            self.add_unresolved(fig, "change in a rate (率), no measure for it")
            return
        # percentage-point change of a growth rate
        m = _PP_CHANGE.search(pre)
        bare = _PP_CHANGE_BARE.search(pre) if fig.cls == "pp" else None
        if m is None and bare is not None and any(
                r.indicator == ind and r.measure.startswith("yoy_") for r in self.rows):
            m = bare  # 增长1.5%，比上半年提高2.0个百分点: the growth rate just printed
        if m is not None:
            what = m.groupdict().get("what") or "增速"
            direction = m.group("dir")
            up = direction in ("收窄", "缩小") if what in ("降幅", "跌幅") else direction in (
                "加快", "提高", "提升", "回升", "扩大", "加大")
            if what in ("降幅", "跌幅") and direction in ("扩大", "加大"):
                up = False
            value = fig.num if up else -fig.num
            if fig.cls == "pct":
                notes.append(f"printed as {direction}{fig.raw}: a change of a growth rate is read as percentage points")
            cmp_p = self.compare_period(max(ca, mention.start), fig.start)
            if cmp_p is None and "环比" in m.group(0):
                if period.kind in ("cum", "upto") and period.end > 2:
                    cmp_p = _Period(1, period.end - 1, "cum", y, -1, "环比")
                    notes.append(f"环比 read as versus the previous cumulative period (1-{period.end - 1}月)")
            if cmp_p is None:
                self.add_unresolved(fig, "change of a growth rate without the period it is compared with")
                return
            cy = cmp_p.year if cmp_p.year is not None else y
            if period.kind not in ("cum", "upto") or cmp_p.kind not in ("cum", "upto"):
                self.add_unresolved(fig, "pp change between periods that are not both year-to-date")
                return
            self._add(ind, "pp_change", period, value, "pp", notes, None,
                      compare=(_ym(cy, cmp_p.start), _ym(cy, cmp_p.end)))
            return
        m2 = _VS_REF.search(pre)
        m3 = _VS_EXPECT.search(pre)
        if fig.cls == "pp" and (m2 is not None or m3 is not None):
            direction = (m2 or m3).group("dir")  # type: ignore[union-attr]
            value = fig.num if direction in ("高于", "快于", "好于") else -fig.num
            base = self._base_growth(ind, period) if period.kind in ("cum", "upto") else None
            if base is None:
                self.add_unresolved(fig, "difference from a reference without the growth rate it refers to")
                return
            ref = base - value
            if m3 is not None and m2 is None:
                what = "the expected growth rate (预期, not a reported average)"
            else:
                what = {"全国": "the national average", "全省": "the provincial average"}.get(
                    m2.group("ref") if m2 else "", "the reference")
            notes.append(f"reference_value = {_fmt(base)} - {_fmt(value)} = {_fmt(ref)}, "
                         f"{what} implied by the printed figures")
            self._add(ind, "pp_vs_reference", period, value, "pp", notes, ref,
                      context=f"same information as the growth rate {_fmt(base)} in the sentence")
            return
        if fig.cls == "pp":
            self.add_unresolved(fig, "percentage points without a recognised comparison")
            return
        # growth rate
        tail = pre[-8:]
        sign: int | None = None
        best = -1
        for verb in _NEG_VERBS:
            i = tail.rfind(verb)
            if i > best:
                best, sign = i, -1
        for verb in _POS_VERBS:
            i = tail.rfind(verb)
            if i > best:
                best, sign = i, 1
        if sign is None:
            self.add_unresolved(fig, "percentage without a growth verb (增长/下降)")
            return
        value = fig.num * sign
        if period.kind in ("cum", "upto"):
            measure = "yoy_cum_pct"
        elif period.kind == "month":
            measure = "yoy_month_pct"
        elif period.kind == "quarter":
            measure = "yoy_quarter_pct"
        else:
            self.add_unresolved(fig, f"growth over {period.text}: period not supported")
            return
        self._add(ind, measure, period, value, "pct", notes, None)

    def _project_total(self, fig: _Fig) -> bool:
        """The first count of projects before 开复工: the total the start rate refers to."""
        s = self.s
        if fig.cls != "count" or fig.unit not in ("个", "项"):
            return False
        kw = re.search(r"开复工|开\(复\)工", s)
        if kw is None or kw.start() < fig.end:
            return False
        if not (s[fig.end:fig.end + 10].find("项目") >= 0 or s[max(0, fig.start - 2):fig.start] == "项目"):
            return False
        firsts = [f for f in self.figures() if f.cls == "count" and f.unit in ("个", "项")
                  and not self._is_threshold(f)]
        if not firsts or firsts[0].start != fig.start:
            return True  # a sub-count (续建/新建): not a figure of its own
        period = self.main_period(fig.start)
        if period is None or period.year is None:
            self.add_unresolved(fig, "number of projects without a period")
            return True
        self._add("key_projects_started", "level", period, fig.num, "count",
                  ["total number of projects (the base of the start rate)"], None)
        return True

    def _base_growth(self, ind: str, period: _Period) -> Decimal | None:
        assert period.year is not None
        for r in reversed(self.rows):
            if r.indicator == ind and r.measure == "yoy_cum_pct" and r.period_end == _ym(period.year, period.end):
                return r.value
        return None

    def _add(self, ind: str, measure: str, period: _Period, value: Decimal, unit: str,
             notes: list[str], ref: Decimal | None, compare: tuple[str, str] = ("", ""),
             context: str = "") -> None:
        assert period.year is not None
        y = period.year
        if self.published is not None and _ym(y, period.end) > self.published and self._fig:
            self.add_unresolved(self._fig, f"period {period.text} ends after the article's date "
                                f"({self.published}): a plan horizon, not the figure's period")
            return
        role, why = self._role(ind, measure, y, context)
        reason = "; ".join([n for n in (why, *notes) if n])
        self.rows.append(Candidate(
            indicator=ind,
            measure=measure,
            period_start=_ym(y, period.start),
            period_end=_ym(y, period.end),
            value=value,
            unit=unit,
            basis=self._basis(ind, measure),
            role=role,
            reason=reason,
            source=self.source,
            quote=self.quote,
            compare_start=compare[0],
            compare_end=compare[1],
            reference_value=ref,
        ))


def _episode_year(episode: str | None) -> int | None:
    if not episode:
        return None
    m = re.search(r"_(\d{4})$", episode)
    return int(m.group(1)) if m else None


def _fingerprint(figures: tuple[str, ...], reason: str) -> tuple[tuple[str, ...], str]:
    return figures, reason


def extract(text: str, source: str = "-", year: int | None = None,
            episode: str | None = None) -> Extraction:
    """Extract candidate indicator rows, lever amounts and unresolved figures from text.

    Parameters
    ----------
    text : str
        The article (simplified or traditional characters, half- or full-width).
    source : str
        Name recorded in the ``source`` column (the seed file name).
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
    else:
        printed = year_from_text(text)
        if printed is not None:
            out.year, out.year_source = printed, "date printed in the text"
    seen: dict[tuple[str, str, str, str, str, str], Candidate] = {}
    seen_levers: set[tuple[str, str, str, str]] = set()
    seen_unres: set[tuple[tuple[str, ...], str]] = set()
    for sent in split_sentences(text):
        quote = text[sent.start:sent.end]
        parser = _SentenceParser(sent, quote, source, out.year, ep_year if year is None else year,
                                 published)
        parser.parse()
        for row in parser.rows:
            prev = seen.get(row.key)
            if prev is None:
                seen[row.key] = row
                out.indicators.append(row)
            elif prev.value == row.value:
                out.duplicates += 1
            else:
                out.unresolved.append(Unresolved(
                    (_fmt(row.value),),
                    f"conflicts with {_fmt(prev.value)} found earlier for {row.indicator} "
                    f"{row.measure} {row.period_start}..{row.period_end}",
                    source, quote))
        for lev in parser.levers:
            lkey = (lev.kind, _fmt(lev.amount), lev.period_end, lev.date)
            if lkey in seen_levers:
                out.duplicates += 1
                continue
            seen_levers.add(lkey)
            out.levers.append(lev)
        for reason, figs in parser.unresolved.items():
            fp = _fingerprint(tuple(figs), reason)
            if fp in seen_unres:
                out.duplicates += 1
                continue
            seen_unres.add(fp)
            out.unresolved.append(Unresolved(tuple(figs), reason, source, quote))
    return out
