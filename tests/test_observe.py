"""Observation layer: closed-form answers for constant growth and a one-month cut."""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rebound.observe import measures as observe

FIRST = dt.date(2021, 1, 1)
N_DAYS = 730  # 2021-01-01 .. 2022-12-31, two non-leap years


def days() -> list[dt.date]:
    return [FIRST + dt.timedelta(days=i) for i in range(N_DAYS)]


def growth_path(rate: float = 0.05) -> np.ndarray:
    """Level growing at ``rate`` a year; the same date a year later is exactly (1+rate)x."""

    def level(d: dt.date) -> float:
        dim = calendar.monthrange(d.year, d.month)[1]
        t = d.year - 2021 + (d.month - 1) / 12 + (d.day - 1) / (12 * dim)
        return float((1 + rate) ** t)

    return np.array([level(d) for d in days()])


def flat_with_cut(month: int, cut: float = 0.5) -> tuple[np.ndarray, list[str]]:
    """Flow 1 a day, except ``cut`` off every day of ``month`` in 2022; monthly totals."""
    daily = np.array([1.0 - cut if (d.year == 2022 and d.month == month) else 1.0 for d in days()])
    return observe.monthly_totals(daily, FIRST)


def test_monthly_totals_whole_months_only() -> None:
    m, months = observe.monthly_totals(np.ones(N_DAYS), FIRST)
    assert months[0] == "2021-01" and months[-1] == "2022-12" and len(months) == 24
    assert m[:3].tolist() == [31.0, 28.0, 31.0]
    # starting mid-month and ending mid-month drops both partial months
    m2, months2 = observe.monthly_totals(np.ones(60), dt.date(2021, 1, 15))
    assert months2 == ["2021-02"] and m2.tolist() == [28.0]
    # an ensemble keeps its leading axes
    m3, _ = observe.monthly_totals(np.ones((3, 2, N_DAYS)), FIRST)
    assert m3.shape == (3, 2, 24)


def test_constant_growth_gives_five_per_cent_everywhere() -> None:
    monthly, months = observe.monthly_totals(growth_path(), FIRST)
    for m in range(3, 13):
        assert observe.yoy_month_pct(monthly, months, f"2022-{m:02d}", f"2022-{m:02d}") == pytest.approx(5.0, abs=1e-9)
    assert observe.yoy_month_pct(monthly, months, "2022-01", "2022-01") == pytest.approx(5.0, abs=1e-9)
    assert observe.yoy_month_pct(monthly, months, "2022-01", "2022-02") == pytest.approx(5.0, abs=1e-9)
    for m in range(1, 13):
        assert observe.yoy_cum_pct(monthly, months, "2022-01", f"2022-{m:02d}") == pytest.approx(5.0, abs=1e-9)
    for q in (1, 4, 7, 10):
        assert observe.yoy_quarter_pct(monthly, months, f"2022-{q:02d}", f"2022-{q + 2:02d}") == pytest.approx(5.0, abs=1e-9)
    assert observe.pp_change(monthly, months, "2022-01", "2022-06", "2022-01", "2022-05") == pytest.approx(0.0, abs=1e-9)
    # 5.0 − 3.0 = 2.0 pp above a reference of 3.0
    assert observe.pp_vs_reference(monthly, months, "2022-01", "2022-07", 3.0) == pytest.approx(2.0, abs=1e-9)
    # 2022 level is 1.05 x the 2021 level
    lv22 = observe.level_100m_yuan(monthly, months, "2022-01", "2022-12")
    lv21 = observe.level_100m_yuan(monthly, months, "2021-01", "2021-12")
    assert lv22 / lv21 == pytest.approx(1.05, abs=1e-12)


def test_ensemble_shapes() -> None:
    daily = np.stack([growth_path(0.05), growth_path(0.10)])
    monthly, months = observe.monthly_totals(daily, FIRST)
    got = observe.compute("yoy_cum_pct", monthly, months, "2022-01", "2022-06")
    assert got.shape == (2,)
    np.testing.assert_allclose(got, [5.0, 10.0], atol=1e-9)


def test_march_cut_by_half() -> None:
    monthly, months = flat_with_cut(3)
    ym = observe.yoy_month_pct
    # March 2022: 31 days x 0.5 = 15.5 against 31 -> 100 (15.5/31 − 1) = −50.0
    assert ym(monthly, months, "2022-03", "2022-03") == pytest.approx(-50.0, abs=1e-12)
    assert ym(monthly, months, "2022-04", "2022-04") == pytest.approx(0.0, abs=1e-12)
    assert ym(monthly, months, "2022-02", "2022-02") == pytest.approx(0.0, abs=1e-12)
    # Jan–Mar: (31 + 28 + 15.5) / (31 + 28 + 31) = 74.5 / 90 -> −17.2222…
    q1 = 100 * (74.5 / 90 - 1)
    assert observe.yoy_cum_pct(monthly, months, "2022-01", "2022-03") == pytest.approx(q1, abs=1e-12)
    assert q1 == pytest.approx(-17.2222222, abs=1e-6)
    assert observe.yoy_quarter_pct(monthly, months, "2022-01", "2022-03") == pytest.approx(q1, abs=1e-12)
    # Q2 untouched
    assert observe.yoy_quarter_pct(monthly, months, "2022-04", "2022-06") == pytest.approx(0.0, abs=1e-12)
    # Jan–May: (151 − 15.5) / 151 = 135.5 / 151 -> −10.2649…
    may = 100 * (135.5 / 151 - 1)
    assert observe.yoy_cum_pct(monthly, months, "2022-01", "2022-05") == pytest.approx(may, abs=1e-12)
    # 上半年 Jan–Jun: (181 − 15.5) / 181 = 165.5 / 181 -> −8.5635…
    h1 = 100 * (165.5 / 181 - 1)
    assert observe.yoy_cum_pct(monthly, months, "2022-01", "2022-06") == pytest.approx(h1, abs=1e-12)
    assert h1 == pytest.approx(-8.5635359, abs=1e-6)
    # pp change between Jan–Jun and Jan–May: −8.5635 − (−10.2649) = 1.7014 pp (降幅收窄)
    pp = observe.pp_change(monthly, months, "2022-01", "2022-06", "2022-01", "2022-05")
    assert pp == pytest.approx(h1 - may, abs=1e-12)
    assert pp == pytest.approx(1.7014, abs=1e-4)
    # level Jan–Jun 2022 = 181 − 15.5 = 165.5
    assert observe.level_100m_yuan(monthly, months, "2022-01", "2022-06") == pytest.approx(165.5, abs=1e-12)


def test_february_cut_in_combined_release() -> None:
    monthly, months = flat_with_cut(2)
    # 1-2月 combined: (31 + 28 x 0.5) / (31 + 28) = 45 / 59 -> 100 (45/59 − 1) = −23.7288…
    want = 100 * (45 / 59 - 1)
    got = observe.yoy_month_pct(monthly, months, "2022-01", "2022-02")
    assert got == pytest.approx(want, abs=1e-12)
    assert got == pytest.approx(-23.7288136, abs=1e-6)
    assert observe.compute("yoy_month_pct", monthly, months, "2022-01", "2022-02") == pytest.approx(want, abs=1e-12)


def test_pp_change_equals_difference_of_cumulatives_for_any_path() -> None:
    rng = np.random.default_rng(7)
    monthly, months = observe.monthly_totals(rng.uniform(0.5, 1.5, size=(4, N_DAYS)), FIRST)
    for end in range(2, 13):
        a = observe.yoy_cum_pct(monthly, months, "2022-01", f"2022-{end:02d}")
        b = observe.yoy_cum_pct(monthly, months, "2022-01", f"2022-{end - 1:02d}")
        got = observe.compute("pp_change", monthly, months, "2022-01", f"2022-{end:02d}", "2022-01", f"2022-{end - 1:02d}")
        np.testing.assert_allclose(got, a - b, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(scale=st.floats(0.01, 1000.0), month=st.integers(1, 12))
def test_yoy_does_not_depend_on_units(scale: float, month: int) -> None:
    monthly, months = flat_with_cut(month, 0.3)
    a = observe.yoy_cum_pct(monthly, months, "2022-01", "2022-12")
    b = observe.yoy_cum_pct(monthly * scale, months, "2022-01", "2022-12")
    assert a == pytest.approx(b, abs=1e-9)
    # a 30% cut in one month of 365 days: 100 x (−0.3 x days_in_month / 365)
    dim = calendar.monthrange(2022, month)[1]
    assert a == pytest.approx(-30.0 * dim / 365, abs=1e-9)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m, ms: observe.yoy_month_pct(m, ms, "2021-07", "2021-07"), "prior-year base month 2020-07 is outside the model months 2021-01..2022-12"),
        (lambda m, ms: observe.yoy_month_pct(m, ms, "2023-01", "2023-01"), "month 2023-01 is outside the model months 2021-01..2022-12"),
        (lambda m, ms: observe.yoy_cum_pct(m, ms, "2022-02", "2022-06"), "yoy_cum_pct needs a period from January of one year, got 2022-02..2022-06"),
        (lambda m, ms: observe.yoy_month_pct(m, ms, "2022-03", "2022-04"), "yoy_month_pct needs one month or Jan–Feb combined, got 2022-03..2022-04"),
        (lambda m, ms: observe.yoy_quarter_pct(m, ms, "2022-02", "2022-04"), "yoy_quarter_pct needs a calendar quarter, got 2022-02..2022-04"),
        (lambda m, ms: observe.yoy_month_pct(m, ms, "2022-7", "2022-7"), "period '2022-7' is not a month written YYYY-MM"),
        (lambda m, ms: observe.level_100m_yuan(m, ms, "2022-06", "2022-01"), "period 2022-06..2022-01 ends before it starts"),
        (lambda m, ms: observe.compute("pp_change", m, ms, "2022-01", "2022-06"), "pp_change needs compare_start and compare_end"),
        (lambda m, ms: observe.compute("pp_vs_reference", m, ms, "2022-01", "2022-06"), "pp_vs_reference needs reference_value"),
        (lambda m, ms: observe.compute("median", m, ms, "2022-01", "2022-06"), "unknown measure 'median'"),
    ],
)
def test_errors_are_clear(call, message: str) -> None:  # type: ignore[no-untyped-def]
    monthly, months = observe.monthly_totals(np.ones(N_DAYS), FIRST)
    with pytest.raises(ValueError) as err:
        call(monthly, months)
    assert message in str(err.value)


def test_zero_base_is_an_error() -> None:
    monthly, months = observe.monthly_totals(np.ones(N_DAYS), FIRST)
    monthly[months.index("2021-04")] = 0.0
    with pytest.raises(ValueError, match="prior-year base of 2022-04..2022-04 is zero"):
        observe.yoy_month_pct(monthly, months, "2022-04", "2022-04")
