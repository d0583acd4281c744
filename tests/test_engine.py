"""Engine tests with real answers: closed forms, conservation, exact event log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from rebound.params.load import load, with_values
from rebound.params.schema import Params
from rebound.sim.dynamics import days_to_recover, recovery_fraction, smoothstep
from rebound.sim.engine import SECTORS, simulate
from rebound.sim.restrictions import restriction_calendar

ROOT = Path(__file__).resolve().parents[1]
CC22 = ROOT / "params" / "changchun_2022.toml"


@pytest.fixture(scope="module")
def cc22() -> Params:
    return load(CC22).params


def bare(p: Params) -> Params:
    """No lockdown, no levers."""
    return p.model_copy(update={"levers": {}, "lockdown": p.lockdown.model_copy(update={"phases": []})})


def sums(x: np.ndarray, cal, year: int, m0: int, m1: int) -> np.ndarray:
    y, m, _ = cal.ymd
    return x[:, (y == year) & (m >= m0) & (m <= m1)].sum(axis=1)


TREND = {"gdp.reference": "trend", **{f"sectors.{s}.reference": "trend" for s in ("industry", "consumption", "investment")}}


def test_no_shock_no_lever_is_potential_exactly(cc22: Params) -> None:
    """The fixed-trend baseline (an option since the reference baseline): y/y = trend exactly."""
    r = simulate(with_values(bare(cc22), TREND))
    for i, s in enumerate(SECTORS):
        assert np.array_equal(r.capacity[i], np.ones_like(r.capacity[i]))
        np.testing.assert_array_equal(r.output[s], np.broadcast_to(r.potential[s], r.output[s].shape))
    # every y/y equals trend growth: real industry grows 5.0%/yr in every month
    g = cc22.sectors.industry.trend_growth_pct
    for m in range(1, 13):
        shock = 1 + cc22.sectors.industry.anomaly_scale * np.array(cc22.sectors.industry.prior_year_anomaly)[r.cal.month_index] * r.cal.is_prior_year
        ratio = sums(r.series["industry"], r.cal, 2022, m, m) / sums(r.series["industry"] / shock, r.cal, 2021, m, m)
        assert ratio[0] == pytest.approx(1 + g / 100, abs=1e-12)
    # GDP: every month's y/y is exactly trend growth, once the industry base shock is removed
    gg = cc22.gdp.trend_growth_pct
    nos = with_values(bare(cc22), {**TREND, "sectors.industry.anomaly_scale": 0.0})
    rg = simulate(nos)
    for m in range(1, 13):
        ratio = sums(rg.series["gdp"], rg.cal, 2022, m, m) / sums(rg.series["gdp"], rg.cal, 2021, m, m)
        assert ratio[0] == pytest.approx(1 + gg / 100, abs=1e-12)


def test_prior_year_level_is_reported_level(cc22: Params) -> None:
    r = simulate(bare(cc22))
    y = r.cal.ymd[0]
    total = r.nominal("gdp")[:, y == 2021].sum()
    assert total == pytest.approx(523.74 + 2960.47 + 3618.90, rel=1e-12)
    retail = r.nominal("retail")[:, y == 2021].sum()
    assert retail == pytest.approx(cc22.sectors.consumption.prior_year_level_100m, rel=1e-12)


def test_zero_stringency_changes_nothing(cc22: Params) -> None:
    no_levers = cc22.model_copy(update={"levers": {}})
    zeros = {}
    for i in range(len(no_levers.lockdown.phases)):
        for s in SECTORS:
            zeros[f"lockdown.phases[{i}].stringency.{s}"] = 0.0
    r0 = simulate(bare(cc22))
    r1 = simulate(with_values(no_levers, zeros))
    for s in SECTORS:
        np.testing.assert_array_equal(r0.output[s], r1.output[s])


def test_capacity_within_bounds(cc22: Params) -> None:
    r = simulate(cc22)
    for i, s in enumerate(SECTORS):
        h = getattr(cc22.sectors, s).headroom
        assert r.capacity[i].min() >= 0.0
        assert r.capacity[i].max() <= 1.0 + h + 1e-12
    # during the static management the cap binds exactly: industry 1 - sigma * (1 - chi)
    # (times the post-lockdown shortfall 1 - psi (1 - c) that sets in with the restriction)
    ph = cc22.lockdown.phases[0]
    d = r.cal.day(dt.date(2022, 3, 20))
    c0 = 1 - ph.stringency.industry * (1 - ph.closed_loop_share)
    psi = cc22.sectors.industry.persistence_depth
    assert r.capacity[0, 0, d] == pytest.approx(c0 * (1 - psi * (1 - c0)), abs=1e-12)


def test_voucher_round_accounts_for_every_yuan(cc22: Params) -> None:
    """Extra spending over the window = amount x incremental spending per yuan."""
    only_v = cc22.model_copy(update={"levers": {"vouchers": cc22.levers["vouchers"]}})
    off = with_values(only_v, {"levers.vouchers.scale": 0.0})
    v = only_v.levers["vouchers"]
    r1, r0 = simulate(only_v), simulate(off)
    rnd = v.rounds[0]
    d0 = r1.cal.day(rnd.date)
    d1 = d0 + rnd.redemption_days
    extra_nominal = (r1.nominal("retail") - r0.nominal("retail"))[0, d0:d1].sum()
    assert extra_nominal == pytest.approx(rnd.amount_100m * v.incremental_spending_per_yuan, rel=1e-12)
    led = r1.ledger["vouchers"]
    total = led["realised"] + led["lost_to_restrictions"] + led["beyond_horizon"]
    assert total[0] == pytest.approx(2.3 * 3.0, rel=1e-12)
    # pulled-forward spending is given back later: net = (1 - phi) * realised within horizon
    net = (r1.nominal("retail") - r0.nominal("retail"))[0].sum()
    assert net == pytest.approx(led["realised"][0] - led["given_back_in_horizon"][0], rel=1e-9)


def test_voucher_during_lockdown_loses_spending(cc22: Params) -> None:
    v = cc22.levers["vouchers"]
    rnd = v.rounds[0].model_copy(update={"date": dt.date(2022, 3, 20), "redemption_days": 10})
    p = cc22.model_copy(update={"levers": {"vouchers": v.model_copy(update={"rounds": [rnd]})}})
    led = simulate(p).ledger["vouchers"]
    sigma = cc22.lockdown.phases[0].stringency.consumption
    assert led["realised"][0] == pytest.approx(6.9 * (1 - sigma), rel=1e-12)
    assert led["lost_to_restrictions"][0] == pytest.approx(6.9 * sigma, rel=1e-12)


@pytest.mark.parametrize("lever", ["tax_relief", "projects", "special_bonds", "housing"])
def test_every_lever_ledger_balances(cc22: Params, lever: str) -> None:
    led = simulate(cc22).ledger[lever]
    money = led["money"][0]
    if lever == "tax_relief":
        parts = led["invested_in_horizon"] + led["invested_beyond_horizon"] + led["held_as_liquidity"]
        assert money == pytest.approx(78.7 + 52.1 + 25.0, rel=1e-12)
    elif lever == "projects":
        parts = led["spent_in_horizon"] + led["beyond_horizon"]
        assert money == pytest.approx(1222 * 0.1 * 1.5, rel=1e-12)
    elif lever == "special_bonds":
        parts = led["not_capex"] + led["not_incremental"] + led["spent_in_horizon"] + led["beyond_horizon"]
        assert money == pytest.approx(263.0, rel=1e-12)
    else:
        parts = (led["realised"] + led["lost_to_restrictions"] + led["beyond_horizon"]) / 5.0
        assert money == pytest.approx(1.5, rel=1e-12)
    assert parts[0] == pytest.approx(money, rel=1e-12)


def test_lever_flows_match_ledger(cc22: Params) -> None:
    """What the ledger says was spent in the horizon is exactly what the paths gained."""
    r = simulate(cc22)
    flow = r.lever_flows["projects"]["investment"] * np.broadcast_to(r.price["fai"], r.series["fai"].shape)
    assert flow.sum() == pytest.approx(r.ledger["projects"]["spent_in_horizon"][0], rel=1e-12)


def test_identical_draws_equal_single_run(cc22: Params) -> None:
    single = simulate(cc22)
    k = "sectors.industry.headroom"
    ens = simulate(cc22, 5, {k: np.full(5, cc22.sectors.industry.headroom)})
    for s in SECTORS:
        for j in range(5):
            np.testing.assert_array_equal(ens.output[s][j], single.output[s][0])


def test_ensemble_draws_are_independent_runs(cc22: Params) -> None:
    k = "lockdown.phases[0].stringency.consumption"
    vals = np.array([0.3, 0.6, 0.9])
    ens = simulate(cc22, 3, {k: vals})
    for j, v in enumerate(vals):
        one = simulate(with_values(cc22, {k: float(v)}))
        np.testing.assert_allclose(ens.output["consumption"][j], one.output["consumption"][0], rtol=1e-13)


def test_event_log_two_phases_one_voucher_round(cc22: Params) -> None:
    v = cc22.levers["vouchers"]
    p = cc22.model_copy(update={"levers": {"vouchers": v}})
    log = [str(e) for e in simulate(p).events]
    assert log == [
        "2022-03-11 phase_start lockdown.phases[0] citywide static management",
        "2022-04-16 phase_end lockdown.phases[0] citywide static management",
        "2022-04-16 phase_start lockdown.phases[1] closed-loop restart",
        "2022-05-11 phase_end lockdown.phases[1] closed-loop restart",
        "2022-05-20 voucher_round_issued levers.vouchers[0]",
        "2022-06-29 voucher_round_expired levers.vouchers[0]",
    ]


def test_restriction_calendar_matches_phases(cc22: Params) -> None:
    r = simulate(cc22)
    cap = restriction_calendar(cc22, r.cal)
    d = r.cal.day
    p0, p1 = cc22.lockdown.phases
    assert cap[1, 0, d(dt.date(2022, 3, 10))] == 1.0
    assert cap[1, 0, d(dt.date(2022, 3, 11))] == pytest.approx(1 - p0.stringency.consumption)
    assert cap[1, 0, d(dt.date(2022, 4, 16))] == pytest.approx(1 - p1.stringency.consumption)
    assert cap[0, 0, d(dt.date(2022, 4, 16))] == pytest.approx(1 - p1.stringency.industry * (1 - p1.closed_loop_share))
    assert cap[2, 0, d(dt.date(2022, 5, 11))] == 1.0


def test_recovery_time_constant_closed_form() -> None:
    """After restrictions lift, capacity gap decays as exp(-t/tau) (no scar, no liquidity)."""
    p = bare(load(CC22).params)
    ph = load(CC22).params.lockdown.phases[0]
    p = p.model_copy(update={"lockdown": p.lockdown.model_copy(update={"phases": [ph]}), "liquidity": p.liquidity.model_copy(update={"recovery_speedup": 0.0})})
    p = with_values(p, {"sectors.industry.scarring_per_day": 0.0, "sectors.industry.headroom": 0.0, "sectors.industry.persistence_depth": 0.0})
    r = simulate(p)
    end = r.cal.day(ph.end)
    c0 = 1 - ph.stringency.industry * (1 - ph.closed_loop_share)
    for k in (1, 5, 10, 30):
        expected = 1 - (1 - c0) * np.exp(-k / 10.0)
        assert r.capacity[0, 0, end + k] == pytest.approx(expected, abs=1e-12)


def test_small_pure_functions() -> None:
    assert smoothstep(np.array([0.0, 0.5, 1.0, 2.0])).tolist() == [0.0, 0.5, 1.0, 1.0]
    assert recovery_fraction(np.array(10.0), 10.0) == pytest.approx(1 - np.exp(-1))
    assert days_to_recover(100 / 6000, 0.95, 10.0) == pytest.approx(10 * np.log((1 - 1 / 60) / 0.05))
    # the FAW figure: 30 days for 1.7% -> 95% means tau close to 10 days
    assert 30 / np.log((1 - 1 / 60) / 0.05) == pytest.approx(10.07, abs=0.005)


def test_trend_path_normalises_to_level() -> None:
    """The fixed-trend path: the prior year totals the level; each month is 1.05x a year earlier."""
    from rebound.sim.baseline import reference_path, yoy_multipliers
    from rebound.sim.calendar import Calendar

    cal = Calendar(2022)
    mult = yoy_multipliers(None, 1.0, 0.0, 5.0, nominal_reference=False, inflation_pct=2.0)
    pot, price = reference_path(cal, 100.0, 2.0, [1.0] * 12, mult)
    prior = cal.is_prior_year
    assert (pot * price)[:, prior].sum() == pytest.approx(100.0, rel=1e-12)
    d0, d1 = cal.day(dt.date(2021, 7, 15)), cal.day(dt.date(2022, 7, 15))
    assert pot[0, d1] / pot[0, d0] == pytest.approx(1.05 * 31 / 31, rel=1e-13)


@pytest.mark.parametrize("basis", ["real", "nominal"])
def test_monthly_fast_path_equals_daily_sums(cc22: Params, basis: str) -> None:
    """Result.monthly (matrix products) equals summing the daily series by month."""
    from rebound.observe.measures import monthly_totals

    k = "lockdown.phases[0].stringency.consumption"
    r = simulate(cc22, 3, {k: np.array([0.3, 0.6, 0.9])})
    for ind in ("industry", "retail", "retail_above_quota", "fai", "gdp"):
        fast, months = r.monthly(ind, basis)
        daily = r.nominal(ind) if basis == "nominal" else r.series[ind]
        slow, months2 = monthly_totals(daily, r.cal.start)
        assert months == months2
        np.testing.assert_allclose(fast, slow, rtol=1e-12)


def test_monthly_fast_path_with_per_draw_potential(cc22: Params) -> None:
    from rebound.observe.measures import monthly_totals

    k = "sectors.industry.prior_year_anomaly[7]"
    r = simulate(cc22, 3, {k: np.array([-0.3, -0.1, 0.0])})
    for ind in ("industry", "gdp"):
        fast, _ = r.monthly(ind, "real")
        slow, _ = monthly_totals(r.series[ind], r.cal.start)
        np.testing.assert_allclose(fast, slow, rtol=1e-12)


def test_atomic_write_keeps_permissions(tmp_path: Path) -> None:
    import os

    from rebound.writers import atomic_write_bytes, write_all

    f = tmp_path / "p.toml"
    f.write_text("a = 1\n")
    os.chmod(f, 0o640)
    atomic_write_bytes(f, b"a = 2\n")
    assert f.read_text() == "a = 2\n"
    assert os.stat(f).st_mode & 0o777 == 0o640
    write_all(tmp_path, {"new.csv": b"x\n"})
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(tmp_path / "new.csv").st_mode & 0o777 == 0o666 & ~umask
