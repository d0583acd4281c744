"""Controlled vocabulary shared by the observed data, the model and the text extractor.

Indicator ids, measure names, units and bases, with the Chinese names bulletins print.
"""

from __future__ import annotations

# indicator id -> (Chinese name as printed in bulletins, English name, modelled?)
INDICATORS: dict[str, tuple[str, str, bool]] = {
    "gdp": ("地区生产总值", "gross regional product", True),
    "industry": ("规模以上工业增加值", "value added of industry above designated size", True),
    "retail": ("社会消费品零售总额", "total retail sales of consumer goods", True),
    "retail_above_quota": ("限额以上社会消费品零售额", "retail sales above quota", True),
    "fai": ("固定资产投资", "fixed-asset investment", True),
    # reported but not a model output: kept as context with the reason
    "fai_national": ("全国固定资产投资", "national fixed-asset investment (reference)", False),
    "auto_output": ("汽车产量", "automobile output", False),
    "auto_sales": ("汽车销量", "automobile sales", False),
    "faw_daily_output": ("一汽整车日产量", "FAW daily vehicle output", False),
    "key_projects_started": ("重点项目开复工", "key projects started or resumed", False),
    "key_project_investment": ("重点项目完成投资", "investment completed in key projects", False),
    "online_sales": ("网络销售额", "online sales of selected firms", False),
    "market_entities": ("市场主体", "registered market entities", False),
}

# Sectors simulated by the model and the indicators they produce.
SECTORS: tuple[str, ...] = ("industry", "consumption", "investment")
SECTOR_OF_INDICATOR: dict[str, str] = {
    "industry": "industry",
    "retail": "consumption",
    "retail_above_quota": "consumption",
    "fai": "investment",
}

# Measures the observation layer can compute from model paths.
MODEL_MEASURES: tuple[str, ...] = (
    "yoy_month_pct",
    "yoy_cum_pct",
    "yoy_quarter_pct",
    "level_100m_yuan",
    "pp_change",
    "pp_vs_reference",
)
# Further measures allowed in observed data for context rows only.
CONTEXT_MEASURES: tuple[str, ...] = ("level", "count", "share_pct", "ratio")
MEASURES: tuple[str, ...] = MODEL_MEASURES + CONTEXT_MEASURES

MEASURE_NAMES_ZH: dict[str, str] = {
    "yoy_month_pct": "当月同比增长(%)",
    "yoy_cum_pct": "累计同比增长(%)",
    "yoy_quarter_pct": "当季同比增长(%)",
    "level_100m_yuan": "总量(亿元)",
    "pp_change": "增速变动(百分点)",
    "pp_vs_reference": "高于参照(百分点)",
    "level": "水平",
    "count": "个数",
    "share_pct": "比重(%)",
    "ratio": "倍数",
}

UNITS: tuple[str, ...] = (
    "pct",  # per cent (y/y growth)
    "pp",  # percentage points
    "100m_yuan",  # 亿元
    "10k_yuan",  # 万元
    "count",
    "vehicles_per_day",
    "10k_m2",  # 万平方米
    "10k_persons",  # 万人
)

BASES: tuple[str, ...] = ("real", "nominal", "na")
ROLES: tuple[str, ...] = ("fit", "context")

# What each modelled indicator is measured in, by bulletin convention.
DEFAULT_BASIS: dict[str, str] = {
    "gdp": "real",  # growth at comparable prices; levels at current prices
    "industry": "real",
    "retail": "nominal",
    "retail_above_quota": "nominal",
    "fai": "nominal",
}
