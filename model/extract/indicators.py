"""Indicator names as bulletins print them, and what the vocabulary says about each id.

:func:`find_mentions` finds, left to right, every indicator name of a parse copy: the names of
the vocabulary's indicators (地区生产总值, 规上工业增加值, 社零额, ...) and the names of other
quantities that must stop a figure from being read as one of them (民间投资, 全部工业增加值,
除汽车以外的消费品零售额, 利润总额, 制造业, ...). Those *other* mentions carry no id.

The ids come from the indicator vocabulary (:mod:`rebound.data.vocab`, read from
``model/data/indicators.csv``). An id the vocabulary does not define is never emitted as a row:
its figures are listed as unresolved with the reason, so ``rebound data check`` accepts every row
the extractor writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rebound.data import vocab

# name patterns -> ids; () is another quantity (it stops a figure from being read as an indicator)
_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"全部工业增加值|除汽车以外的消费品零售额|实物商品网上零售额|城镇消费品零售额|乡村消费品零售额", ()),
    (r"民间(?:固定资产)?投资|(?:第[一二三]产业|工业|制造业|基础设施|基建|技改|技术改造|高技术产业|"
     r"高技术制造业|社会领域|住宅|设备工器具购置|建筑安装工程|民生|交通|能源|水利|城镇|农村|乡村)投资", ()),
    (r"全国固定资产投资", ("fai_national",)),
    (r"房地产开发投资|房地产投资|房地产开发完成投资", ("fai_real_estate",)),
    (r"(?:限额以上|限上)(?:单位)?(?:社会)?(?:消费品)?(?:零售(?:总)?额|社零(?:总)?额?|零售)",
     ("retail_above_quota",)),
    (r"社会消费品零售(?:总)?额|社会消费品零售|社零(?:总)?额?|消费品零售(?:总)?额", ("retail",)),
    (r"餐饮(?:业)?(?:收入|营业额)", ("catering_revenue",)),
    (r"住宿业?(?:营业额|收入)", ("accommodation_revenue",)),
    (r"(?:规模以上|规上)服务业(?:企业)?营业收入", ("services_revenue",)),
    (r"第一产业增加值", ("va_primary",)),
    (r"第二产业增加值", ("va_secondary",)),
    (r"第三产业增加值", ("va_tertiary",)),
    (r"地区生产总值|国内生产总值|本地生产总值|生产总值|GDP|gdp|经济总量", ("gdp",)),
    (r"(?:规模以上|规上)?工业总产值", ("industry_gross_output",)),
    (r"规模以上工业(?:增加值)?|规上工业(?:增加值)?|工业增加值", ("industry",)),
    (r"固定资产投资|固投|(?:全市|全省|全区|全县|全社会)投资", ("fai",)),
    (r"汽车产销", ("auto_output", "auto_sales")),
    (r"汽车产量|汽车生产", ("auto_output",)),
    (r"汽车销(?:售)?量", ("auto_sales",)),
    (r"整车日产量|日整车产量", ("faw_daily_output",)),
    (r"开复工率?|开\(复\)工|开工率", ("key_projects_started",)),
    (r"完成投资|投资完成", ("key_project_investment",)),
    (r"网络(?:零售|销售)额|网上零售额|线上销售额", ("online_sales",)),
    (r"市场主体", ("market_entities",)),
)
# Characters a name can start with: the lookahead lets the regex engine skip every other
# position at C speed (tests/test_extract_speed.py checks the set against the patterns).
MENTION_FIRST = "全除实城乡民第工制基技高社住设建交能水农国房限消餐地本生Gg经规汽整日开完投网线市固"
_MENTION_RE = re.compile(f"(?=[{MENTION_FIRST}])(?:"
                         + "|".join(f"(?P<p{i}>{p})" for i, (p, _) in enumerate(_PATTERNS)) + ")")

# Heads of other quantities: where one of these is not part of a name above, it is a mention
# of something the vocabulary does not have (利润总额, 居民消费价格, 制造业, 用电量, ...).
HEAD_FIRST = "增投零收利产销进出用发价指余营成运业面税存贷人支行企制工门失客票"
_HEADS = re.compile(
    f"(?=[{HEAD_FIRST}])(?:"
    r"增加值|投资|零售额|零售|收入|利润|产量|销量|产值|进出口|出口|进口|用电量|发电量|"
    r"(?<!不变)(?<!可比)(?<!扣除)(?<!现行)价格|指数|余额|"
    r"营业额|销售额|成交额|运量|业务量|面积|税收|存款|贷款|人数|支出|行业|产业|企业|制造业|工业|产品|"
    r"门类|失业率|收益|客流|票房)"
)
_HEAD_OK_BEFORE = ("实现", "完成", "累计")

# Which figure classes each indicator accepts (default: pct, pp, money).
COUNTED = frozenset({"key_projects_started", "market_entities", "faw_daily_output", "auto_output",
                     "auto_sales"})
ACCEPTS: dict[str, tuple[str, ...]] = {
    "key_projects_started": ("count", "pct", "pp"),
    "market_entities": ("count", "pct", "pp"),
    "faw_daily_output": ("count",),
    "auto_output": ("count", "pct", "pp"),
    "auto_sales": ("count", "pct", "pp"),
    "fai_national": ("pct", "pp", "money"),
}
SHARE_INDICATORS = frozenset({"key_projects_started", "key_project_investment"})
"""Indicators a 率/比重 figure is a measure of (开复工率, 投资完成率)."""


@dataclass(frozen=True)
class Mention:
    """An indicator name in a parse copy; ``ids`` is empty for another quantity."""

    ids: tuple[str, ...]
    start: int
    end: int
    text: str


def find_mentions(s: str) -> list[Mention]:
    """Indicator names and other quantities of a parse copy, in order of position."""
    out: list[Mention] = []
    covered_to = 0
    heads = iter(_HEADS.finditer(s))
    head = next(heads, None)
    for m in _MENTION_RE.finditer(s):
        while head is not None and head.start() < m.start():
            if head.start() >= covered_to and s[max(0, head.start() - 2):head.start()] not in _HEAD_OK_BEFORE:
                out.append(Mention((), head.start(), head.end(), head.group(0)))
            head = next(heads, None)
        ids = _PATTERNS[int((m.lastgroup or "p0")[1:])][1]
        out.append(Mention(ids, m.start(), m.end(), m.group(0)))
        covered_to = m.end()
    while head is not None:
        if head.start() >= covered_to and s[max(0, head.start() - 2):head.start()] not in _HEAD_OK_BEFORE:
            out.append(Mention((), head.start(), head.end(), head.group(0)))
        head = next(heads, None)
    return out


def known(ind: str) -> bool:
    """The vocabulary defines ``ind`` (``rebound data check`` accepts it)."""
    return ind in vocab.INDICATORS


def modelled(ind: str) -> bool:
    """The model computes ``ind`` (so it can be a ``fit`` row)."""
    entry = vocab.INDICATORS.get(ind)
    return bool(entry[2]) if entry is not None else False


def level_unit(ind: str) -> str:
    """The unit the vocabulary gives the indicator's levels (``10k_units`` for 汽车产量)."""
    info = vocab.INDICATOR_INFO.get(ind)
    return info.unit if info is not None else ""


def basis_of(ind: str, measure: str) -> str:
    """Price basis of a row: levels nominal, counts and shares ``na``, growth by indicator."""
    if measure == "level_100m_yuan":
        return "nominal"
    if measure in ("count", "share_pct", "level", "ratio"):
        return "na"
    info = vocab.INDICATOR_INFO.get(ind)
    return info.basis if info is not None else "na"
