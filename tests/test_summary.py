"""The written summary: what a scenario changes, its headline effects in pp and 亿元, the caveats."""

from __future__ import annotations

import pandas as pd

from rebound.cli.summary import Caveats, caveats_from_note, scenario_summary


def _row(ind: str, end: str, d: float, y: float, basis: str) -> dict[str, object]:
    return {
        "scenario": "s",
        "indicator": ind,
        "measure": "yoy_cum_pct",
        "period_start": "2022-01",
        "period_end": end,
        "compare_start": "",
        "baseline": 1.0,
        "delta": d,
        "delta_p05": d - 0.5,
        "delta_p95": d + 0.25,
        "delta_100m_yuan": y,
        "delta_100m_yuan_p05": y - 2.0,
        "delta_100m_yuan_p95": y + 1.0,
        "level_basis": basis,
    }


TABLE = pd.DataFrame(
    [
        _row("gdp", "2022-06", 4.04, 129.5, "real"),
        _row("retail", "2022-06", -0.78, -6.9, "nominal"),
        _row("fai", "2022-06", 0.0, 0.0, "nominal"),
    ]
)


def test_english_paragraph_carries_pp_yuan_intervals_and_caveats() -> None:
    cav = Caveats(
        prior_keys=["sectors.consumption.headroom"],
        phases=[("static", "2022-03-11", "2022-04-15")],
        n_draws=100,
    )
    text = scenario_summary(
        TABLE,
        "s",
        2022,
        "en",
        description="Vouchers never issued.",
        changes=[("levers.vouchers.enabled", "true", "false")],
        caveats=cav,
    )
    assert "levers.vouchers.enabled: true → false" in text
    assert (
        "gross regional product, H1 2022 y/y +4.04 pp (90%: +3.54 to +4.29), +129.5 亿元 at constant prices (90%: +127.5 to +130.5)"
        in text
    )
    assert "-6.9 亿元 current prices" in text
    assert "No effect on fixed-asset investment." in text
    assert (
        "prior-driven" in text
        and "sectors.consumption.headroom" in text
        and "static 2022-03-11..2022-04-15" in text
    )
    assert "19 of 22" in text  # the backtests, when no score card is given


def test_chinese_paragraph_uses_bulletin_names_and_periods() -> None:
    text = scenario_summary(
        TABLE,
        "s",
        2022,
        "zh",
        caveats=Caveats(n_draws=100, scorecard={"n": 6, "coverage90": 5 / 6}),
    )
    assert (
        "地区生产总值2022年上半年累计增速+4.04个百分点（+3.54至+4.29），合+129.5亿元（可比价，+127.5至+130.5）"
        in text
    )
    assert "不影响固定资产投资" in text
    assert "样本外：6个留出数据中，90%预测区间覆盖率83%" in text


def test_note_split_into_prior_keys_and_warnings() -> None:
    prior, other = caveats_from_note(
        "left to their priors (x): a.b, c.d; inputs, not information (y): z; industry ...: |z| > 3"
    )
    assert prior == ["a.b", "c.d"] and other == ["industry ...: |z| > 3"]


def test_chinese_paragraph_translates_the_calibration_warnings() -> None:
    """The shipped records' warnings read in Chinese, not quoted in English."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    warnings: list[str] = []
    for f in ("changchun_2022", "changchun_2020"):
        note = tomllib.loads((root / "params" / f"{f}.toml").read_text(encoding="utf-8"))["calibration"]["record"]["note"]
        warnings += caveats_from_note(note)[1]
    assert len(warnings) >= 4
    text = scenario_summary(TABLE, "s", 2022, "zh", caveats=Caveats(n_draws=100, warnings=warnings))
    assert "规模以上工业增加值 2022年7月 当月同比：标准化残差+3.0（|z|>3），在这些先验下模型达不到这个数" in text
    assert "欠识别：4个拟合数据对应8个自由参数" in text and "数据失拟10.4超过4个数据的卡方分布95%分位数9.5" in text
    for english in ("standardised residual", "under-identified", "data misfit", "the priors decide"):
        assert english not in text
