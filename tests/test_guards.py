"""Numerical guard rails: each bad value is caught at validation with ``file:line: key: message``.

Uses the self-contained fixture in tests/guard_fixture.py, so the shipped episode files can
change (calibration rewrites them) without breaking these tests. docs/robustness.md lists the
same cases.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from guard_fixture import TEMPLATE, edit, write

from rebound.checks import MODEL_CHECKS, load
from rebound.params import load as load_params
from rebound.params import revalidate, with_values
from rebound.problems import InputError
from rebound.sim.engine import simulate

YY = "2021-01-01..2022-12-31 (episode.first_year..last_year)"

# name: (edits (line prefix -> new line); the last edit's line is reported unless `line` is set,
#        key, exact message)
CASES: dict[str, tuple[list[tuple[str, str]], str, str]] = {
    "anomaly_minus_one": (
        [("prior_year_anomaly", "prior_year_anomaly = [-1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]")],
        "sectors.industry.prior_year_anomaly[0]",
        "-1.0 would make the prior-year base zero or negative (y/y undefined); must be > -1",
    ),
    "seasonal_zero": (
        [("seasonal", "seasonal = [0.0, 0.8, 1.0, 1.0, 1.0, 1.0, 0.95, 0.95, 1.02, 1.05, 1.1, 1.15]")],
        "sectors.industry.seasonal[0]",
        "seasonal factor must be > 0 (got 0.0)",
    ),
    "seasonal_huge": (
        [("seasonal", "seasonal = [1e308, 0.8, 1.0, 1.0, 1.0, 1.0, 0.95, 0.95, 1.02, 1.05, 1.1, 1.15]")],
        "sectors.industry.seasonal[0]",
        "seasonal factor must be at most 100 (got 1e+308)",
    ),
    "level_zero": ([("prior_year_level_100m", "prior_year_level_100m = 0.0")], "sectors.industry.prior_year_level_100m", "Input should be greater than 0 (got 0.0)"),
    "level_huge": ([("prior_year_level_100m", "prior_year_level_100m = 1e308")], "sectors.industry.prior_year_level_100m", "Input should be less than or equal to 10000000 (got 1e+308)"),
    "gdp_zero": (
        [("secondary_100m", "secondary_100m = 0.0"), ("tertiary_100m", "tertiary_100m = 0.0"), ("primary_100m", "primary_100m = 0.0")],
        "gdp.primary_100m",
        "prior-year GDP (sum of the three sectors) must be > 0",
    ),
    "phase_outside_horizon": ([("start = 2022-03-11", "start = 2020-12-01")], "lockdown.phases[0].start", f"2020-12-01 is outside the horizon {YY}"),
    "round_outside_horizon": ([("date = 2022-05-20", "date = 2023-01-05")], "levers.vouchers.rounds[0].date", f"2023-01-05 is outside the horizon {YY}"),
    "construction_days_zero": ([("construction_days", "construction_days = 0")], "levers.projects.construction_days", "Input should be greater than 0 (got 0)"),
    "spend_days_zero": ([("spend_days", "spend_days = 0")], "levers.bonds.spend_days", "Input should be greater than 0 (got 0)"),
    "redemption_days_zero": ([("redemption_days", "redemption_days = 0")], "levers.vouchers.rounds[0].redemption_days", "Input should be greater than 0 (got 0)"),
    "headroom_unbounded": ([("headroom", "headroom = 1.5")], "sectors.industry.headroom", "Input should be less than or equal to 1 (got 1.5)"),
    "backlog_time_constant_below_a_day": (
        [("backlog_time_constant_days", "backlog_time_constant_days = 0.5")],
        "sectors.industry.backlog_time_constant_days",
        "Input should be greater than or equal to 1 (got 0.5)",
    ),
    "amount_huge": ([("amount_100m", "amount_100m = 1e308")], "levers.vouchers.rounds[0].amount_100m", "Input should be less than or equal to 10000000 (got 1e+308)"),
    "stringency_huge": ([("industry = 0.9", "industry = 1e308")], "lockdown.phases[0].stringency.industry", "Input should be less than or equal to 1 (got 1e+308)"),
    "headroom_nan": ([("headroom", "headroom = nan")], "sectors.industry.headroom", "must be a finite number (NaN and inf are not allowed)"),
    "tertiary_elasticity_above_one": (
        [("tertiary_consumption_elasticity", "tertiary_consumption_elasticity = 1.5")],
        "gdp.tertiary_consumption_elasticity",
        "Input should be less than or equal to 1 (got 1.5)",
    ),
    "base_year_month_shut": (
        [("start = 2022-03-11", "start = 2021-03-01"), ("end = 2022-04-15", "end = 2021-04-15"), ("closed_loop_share", "closed_loop_share = 0.0"), ("industry = 0.9", "industry = 1.0")],
        "lockdown.phases[0].stringency.industry",
        "shuts industry completely for all of 2021-03, the base month of the 2022-03 y/y figures (a zero base makes them undefined); use a stringency below 1",
    ),
    "base_year_scarred_away": (
        [("start = 2022-03-11", "start = 2021-03-01"), ("end = 2022-04-15", "end = 2021-04-15"), ("scarring_per_day = 0.0002", "scarring_per_day = 0.05")],
        "sectors.investment.scarring_per_day",
        "0.05 per day over the restrictions up to the end of the base year 2021 (41.4 full-stringency days) can scar away all of investment, leaving a zero y/y base; scarring_per_day x restricted days must stay below 1",
    ),
    "free_key_whole_number": (
        [('key = "sectors.industry.headroom"', 'key = "levers.projects.construction_days"')],
        "calibration.free[0].key",
        "'levers.projects.construction_days' is a whole number (days or a count); only continuous parameters can be free",
    ),
    "free_bound_outside_key_range": (
        [("upper = 0.6", "upper = 1.5")],
        "calibration.free[0].upper",
        "upper 1.5 is outside what sectors.industry.headroom allows: Input should be less than or equal to 1",
    ),
}


def problems_of(tmp_path: Path, edits: list[tuple[str, str]]) -> tuple[Path, int, list[str]]:
    text, line = TEMPLATE, 0
    for old, new in edits:
        text, line = edit(text, old, new)
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        load(path)
    return path, line, [p.format() for p in err.value.problems]


def test_fixture_is_valid(tmp_path: Path) -> None:
    load(write(tmp_path, TEMPLATE))


@pytest.mark.parametrize("name", sorted(CASES))
def test_guard_reports_exact_line_and_message(tmp_path: Path, name: str) -> None:
    edits, key, message = CASES[name]
    path, line, got = problems_of(tmp_path, edits)
    assert got == [f"{path}:{line}: {key}: {message}"]


def test_voucher_give_back_larger_than_all_retail(tmp_path: Path) -> None:
    """Pull-forward of 6.9 亿元 in one day exceeds a day's retail sales: reported at the amount."""
    path, _, got = problems_of(tmp_path, [("pull_forward_share", "pull_forward_share = 1.0"), ("pull_forward_days", "pull_forward_days = 1")])
    line = TEMPLATE.splitlines().index("amount_100m = 2.3") + 1
    assert got == [
        f"{path}:{line}: levers.vouchers.rounds[0].amount_100m: gives back 6.9 亿元 a day after the window "
        "(pull_forward_share x incremental_spending_per_yuan x amount x scale / pull_forward_days), at least all "
        "retail sales of 2022-06-29 (5.059 亿元, the no-lockdown path on the national reference); lengthen pull_forward_days or lower pull_forward_share"
    ]


def test_model_checks_come_from_the_layer_above_and_travel_with_the_loaded_set(tmp_path: Path) -> None:
    """params never imports sim: the give-back rule (it needs the potential path) is a check of
    rebound.checks, passed to the loader. Without it the file loads; a loaded set re-applies
    its checks on revalidate (sweeps, params set)."""
    path, _, got = problems_of(tmp_path, [("pull_forward_share", "pull_forward_share = 1.0"), ("pull_forward_days", "pull_forward_days = 1")])
    assert len(got) == 1 and "gives back 6.9 亿元" in got[0]
    bare = load_params(path)  # parameter rules only
    assert bare.checks == () and bare.params.levers["vouchers"].pull_forward_days == 1
    ok = load(write(tmp_path, TEMPLATE))
    assert ok.checks == MODEL_CHECKS
    with pytest.raises(InputError) as err:
        revalidate(ok, {"levers.vouchers.pull_forward_share": 1.0, "levers.vouchers.pull_forward_days": 1})
    assert [p.key for p in err.value.problems] == ["levers.vouchers.rounds[0].amount_100m"]


def test_voucher_window_past_horizon_is_accepted_and_accounted(tmp_path: Path) -> None:
    """Decision: a round whose redemption window runs past 31 December is accepted; the part
    after the horizon is in the ledger as beyond_horizon and the identity still closes."""
    text, _ = edit(TEMPLATE, "date = 2022-05-20", "date = 2022-12-22")
    p = load(write(tmp_path, text)).params
    led = {k: float(v[0]) for k, v in simulate(p).ledger["vouchers"].items()}
    induced = 2.3 * 3.0
    assert led["beyond_horizon"] == pytest.approx(induced * 30 / 40, rel=1e-12)  # 10 of 40 days inside
    assert led["realised"] + led["lost_to_restrictions"] + led["beyond_horizon"] == pytest.approx(induced, rel=1e-12)


def test_give_back_never_pushes_output_below_zero(tmp_path: Path) -> None:
    """Regression: a voucher pull-forward larger than the day's retail sales (possible when the
    give-back falls on locked-down days) made consumption negative. It is now capped at what
    would be spent, and the rest is in the ledger as given_back_not_realisable."""
    p = load(write(tmp_path, TEMPLATE)).params
    # give-back of 6.9 亿元/day on 2022-06-29, a day put under full consumption lockdown
    p = with_values(p, {"levers.vouchers.pull_forward_share": 1.0, "levers.vouchers.pull_forward_days": 1})
    ph = p.lockdown.phases[0]
    import datetime as dt

    shut = ph.model_copy(update={"name": "late", "start": dt.date(2022, 6, 20), "end": dt.date(2022, 7, 10), "stringency": ph.stringency.model_copy(update={"consumption": 0.9})})
    p = p.model_copy(update={"lockdown": p.lockdown.model_copy(update={"phases": [ph, shut]})})
    r = simulate(p)
    assert r.output["consumption"].min() >= 0.0
    led = {k: float(v[0]) for k, v in r.ledger["vouchers"].items()}
    assert led["given_back_not_realisable"] > 0.0
    give_back = led["realised"] * 1.0
    assert led["given_back_in_horizon"] + led["given_back_beyond_horizon"] + led["given_back_not_realisable"] == pytest.approx(give_back, rel=1e-12)
    # the above-quota series stays consistent with the capped flow (never above total retail)
    assert np.all(r.series["retail_above_quota"] <= r.series["retail"] + 1e-12)


def test_lever_shares_can_vary_by_draw(tmp_path: Path) -> None:
    """Regression: levers used above_quota_share as a scalar, so per-draw values (calibration,
    ensembles) failed to broadcast."""
    p = load(write(tmp_path, TEMPLATE)).params
    r = simulate(p, 3, {"levers.vouchers.above_quota_share": np.array([0.2, 0.5, 0.9])})
    aq = r.series["retail_above_quota"]
    assert aq.shape == (3, r.cal.n_days)
    assert aq[0].sum() < aq[1].sum() < aq[2].sum()
