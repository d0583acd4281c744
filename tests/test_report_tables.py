"""Terminal tables fit $COLUMNS (cut with …, CJK counted double); CSVs carry unit, names and period."""

from __future__ import annotations

import pandas as pd
import pytest

from rebound.cli import fmt
from rebound.cli.tables import labelled, unit_of


def test_table_fits_the_limit_and_marks_cuts() -> None:
    rows = [["gdp 地区生产总值", "2022年上半年", "x" * 80]]
    out = fmt.table(rows, ["indicator", "period", "note"], limit=60)
    assert max(fmt.text_width(line) for line in out.splitlines()) <= 60
    assert "…" in out and "2022年上半年" in out  # the long column gives way first


def test_columns_env_and_wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "50")
    assert fmt.terminal_width() == 50
    monkeypatch.setitem(fmt.WIDE, "on", True)
    assert fmt.terminal_width() is None


def test_cut_counts_wide_characters_double() -> None:
    assert fmt.cut("规模以上工业增加值", 7) == "规模以…"
    assert fmt.text_width(fmt.cut("规模以上工业增加值", 7)) <= 7


def test_labelled_adds_unit_names_and_period() -> None:
    df = pd.DataFrame(
        {
            "indicator": ["industry", "gdp"],
            "measure": ["yoy_cum_pct", "level_100m_yuan"],
            "period_start": ["2022-01", "2022-01"],
            "period_end": ["2022-06", "2022-12"],
            "compare_start": ["", ""],
            "compare_end": ["", ""],
        }
    )
    out = labelled(df)
    assert list(out.columns[:6]) == ["indicator", "measure", "unit", "name_zh", "name_en", "period"]
    assert out["unit"].tolist() == ["pct", "100m_yuan"]
    assert out["name_zh"].tolist() == ["规模以上工业增加值", "地区生产总值"]
    assert out["period"].tolist() == ["2022年上半年", "2022年全年"]
    assert unit_of("faw_daily_output", "level") == "vehicles_per_day"


def test_busy_line_is_quiet_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    from rebound.cli.busy import busy

    with busy("calibrating"):
        x = sum(range(10))
    assert x == 45 and capsys.readouterr().err == ""
