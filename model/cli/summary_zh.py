"""Calibration warnings in Chinese, for the ``--lang zh`` summary.

The calibration record keeps its warnings in English (they are also printed by ``calibrate``);
the Chinese summary translates the ones :mod:`rebound.fit.calibrate` and
:mod:`rebound.fit.diagnostics` write, and quotes any other warning as it is.
"""

from __future__ import annotations

import re

from rebound.cli.fmt import period_label
from rebound.data.vocab import INDICATORS

MEASURE_ZH = {
    "yoy_month_pct": "当月同比",
    "yoy_cum_pct": "累计同比",
    "yoy_quarter_pct": "季度同比",
    "level_100m_yuan": "总量（亿元）",
}
_FIGURE = re.compile(r"(?P<ind>[a-z_]+) (?P<measure>[a-z0-9_]+) (?P<a>\d{4}-\d{2})\.\.(?P<b>\d{4}-\d{2})")
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?P<fig>.+): standardised residual (?P<z>[+-]?[\d.]+) \(\|z\| > (?P<t>[\d.]+)\): the model cannot reach this figure with these priors$"), "{fig}：标准化残差{z}（|z|>{t}），在这些先验下模型达不到这个数"),
    (re.compile(r"^under-identified: (?P<f>\d+) fit figure\(s\) for (?P<p>\d+) free parameter\(s\) \((?P<keys>.*)\)$"), "欠识别：{f}个拟合数据对应{p}个自由参数（{keys}）"),
    (re.compile(r"^the priors decide what the data cannot$"), "数据定不了的由先验决定"),
    (re.compile(r"^data misfit (?P<a>[\d.]+) exceeds the chi-square 95% quantile (?P<q>[\d.]+) for (?P<n>\d+) figure\(s\): model error or priors are too tight$"), "数据失拟{a}超过{n}个数据的卡方分布95%分位数{q}：模型有误差或先验过紧"),
    (re.compile(r"^optimizer did not converge: (?P<m>.*)$"), "优化未收敛：{m}"),
]


def figure_zh(text: str) -> str:
    """``industry yoy_month_pct 2022-07..2022-07`` as 规模以上工业增加值 2022年7月 当月同比."""

    def one(m: re.Match[str]) -> str:
        name = INDICATORS.get(m["ind"], (m["ind"], "", False))[0]
        return f"{name} {period_label(m['a'], m['b'], m['measure'])} {MEASURE_ZH.get(m['measure'], m['measure'])}"

    return _FIGURE.sub(one, text)


def warning_zh(text: str) -> str:
    """One calibration warning in Chinese (an unknown one is returned as it is)."""
    for pattern, template in _RULES:
        m = pattern.match(text.strip())
        if m:
            parts = {k: figure_zh(v) for k, v in m.groupdict().items()}
            return template.format(**parts)
    return text
