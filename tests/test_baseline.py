"""The reference baseline, value-added shares, discrepancy and stale-posterior rules (issues 13, 14)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rebound.fit.calibrate import calibrate
from rebound.fit.draws import draw_values, posterior_status
from rebound.fit.pipeline import load_observations, run
from rebound.observe.discrepancy import ar1_paths, horizon_sd
from rebound.params.load import load, with_values
from rebound.params.schema import Params
from rebound.sim.engine import SECTORS, simulate
from rebound.sim.references import reference_growth

ROOT = Path(__file__).resolve().parents[1]
CC22 = ROOT / "params" / "changchun_2022.toml"


@pytest.fixture(scope="module")
def cc22() -> Params:
    return load(CC22).params


def bare(p: Params) -> Params:
    return p.model_copy(update={"levers": {}, "lockdown": p.lockdown.model_copy(update={"phases": []})})


def month_sum(x: np.ndarray, cal, ym: str) -> np.ndarray:
    return x[:, cal.month_of_day == cal.months.index(ym)].sum(axis=1)


def test_placebo_zero_stringency_changes_nothing(cc22: Params) -> None:
    no_levers = cc22.model_copy(update={"levers": {}})
    zeros = {f"lockdown.phases[{i}].stringency.{s}": 0.0 for i in range(len(cc22.lockdown.phases)) for s in SECTORS}
    r0, r1 = simulate(bare(cc22)), simulate(with_values(no_levers, zeros))
    for s in SECTORS:
        np.testing.assert_array_equal(r0.output[s], r1.output[s])


def test_counterfactual_follows_reference_plus_offset(cc22: Params) -> None:
    """No lockdown, no levers, no base shock: each month's y/y = loading x reference + offset."""
    p = with_values(bare(cc22), {"sectors.industry.anomaly_scale": 0.0, "sectors.industry.loading": 1.0, "sectors.industry.offset_pct": 1.5, "sectors.consumption.loading": 1.0, "sectors.consumption.offset_pct": -2.0})
    r = simulate(p)
    ref = reference_growth(p, r.cal)
    for m in ("2022-03", "2022-04", "2022-07", "2022-11", "2021-05"):
        k = r.cal.months.index(m)
        prev = r.cal.months[k - 12]
        ind = month_sum(r.series["industry"], r.cal, m) / month_sum(r.series["industry"], r.cal, prev)
        assert ind[0] == pytest.approx(1 + ref["industry"][k] / 100 + 0.015, rel=1e-12)
        # retail follows a nominal reference: nominal y/y = 1 + ref + offset
        ret = month_sum(r.nominal("retail"), r.cal, m) / month_sum(r.nominal("retail"), r.cal, prev)
        assert ret[0] == pytest.approx(1 + ref["consumption"][k] / 100 - 0.02, rel=1e-9)


def test_reference_is_the_national_series(cc22: Params) -> None:
    r = simulate(bare(cc22))
    ref = reference_growth(cc22, r.cal)
    k = r.cal.months.index("2022-04")
    assert ref["industry"][k] == pytest.approx(-2.9)  # NBS: April 2022 industrial value added -2.9%
    assert ref["consumption"][k] == pytest.approx(-11.1)  # NBS: April 2022 retail sales -11.1%


def test_voucher_retail_reaches_gdp_through_its_value_added_share(cc22: Params) -> None:
    only_v = bare(cc22).model_copy(update={"levers": {"vouchers": cc22.levers["vouchers"]}})
    r1 = simulate(only_v)
    r0 = simulate(with_values(only_v, {"levers.vouchers.scale": 0.0}))
    extra_retail = (r1.series["retail"] - r0.series["retail"])[0].sum()
    extra_gdp = (r1.series["gdp"] - r0.series["gdp"])[0].sum()
    assert extra_retail > 1.0
    assert extra_gdp / extra_retail == pytest.approx(cc22.sectors.consumption.va_share, rel=1e-9)


def test_discrepancy_band_widens_with_the_horizon() -> None:
    rng = np.random.default_rng(7)
    paths = ar1_paths(20001, 24, 12, 0.85, 0.03, rng)
    assert np.all(paths[0] == 0.0) and np.all(paths[:, :12] == 0.0)
    sd = paths[1:, 12:].std(axis=0)
    assert np.all(np.diff(sd[[0, 2, 5, 11]]) > 0)
    for h in (1, 6, 12):
        assert sd[h - 1] == pytest.approx(horizon_sd_value(0.85, 0.03, h), rel=0.03)


def horizon_sd_value(rho: float, s: float, h: int) -> float:
    return s * np.sqrt((1 - rho ** (2 * h)) / (1 - rho**2))


def test_horizon_sd_closed_form(cc22: Params) -> None:
    assert horizon_sd(cc22.discrepancy, "industry", 6) == pytest.approx(horizon_sd_value(cc22.discrepancy.rho, cc22.discrepancy.industry, 6))


def test_every_behavioural_parameter_is_drawn(cc22: Params) -> None:
    v = draw_values(cc22, 50, np.random.default_rng(1))
    for key in ("levers.vouchers.incremental_spending_per_yuan", "sectors.industry.time_constant_days", "sectors.consumption.persistence_depth", "sectors.consumption.backlog_share", "gdp.tertiary_consumption_elasticity", "lockdown.phases[1].stringency.industry"):
        assert key in v and np.std(v[key]) > 0, key
    mult = draw_values(cc22, 20000, np.random.default_rng(2))["levers.vouchers.incremental_spending_per_yuan"]
    lo, hi = np.percentile(mult, [5, 95])
    assert 1.6 < lo < 2.2 and 4.9 < hi < 5.8  # literature range 2-5.8 around 3


def test_shipped_posterior_is_current_and_stale_after_an_edit(cc22: Params) -> None:
    loaded = load(CC22)
    fit = [o for o in load_observations(loaded) if o.role == "fit"]
    assert posterior_status(cc22, fit) == ""
    edited = with_values(cc22, {"sectors.industry.loading": 2.0})
    assert "sectors.industry.loading is 2" in posterior_status(edited, fit)
    assert "fixed" in posterior_status(with_values(cc22, {"sectors.consumption.time_constant_days": 30.0}), fit)
    assert "observed fit figures differ" in posterior_status(cc22, fit[:-1])


def test_band_contains_point_and_model_is_the_median() -> None:
    out = run(load(CC22), n_draws=300, seed=5)
    t = out.indicators.dropna(subset=["p05"])
    assert {"point", "model", "p05", "p25", "p75", "p95"} <= set(t.columns)
    assert (t.p05 <= t.p25).all() and (t.p25 <= t.model).all() and (t.model <= t.p75).all() and (t.p75 <= t.p95).all()
    inside = ((t.point >= t.p05) & (t.point <= t.p95)).mean()
    assert inside == 1.0
    assert out.summary["warnings"] == []


def test_multi_start_does_not_beat_the_shipped_calibration(cc22: Params) -> None:
    """Restarts from 20 prior draws (one vectorised run) do not beat the shipped objective by more than 1%."""
    loaded = load(CC22)
    rec = cc22.calibration.record
    assert rec is not None
    cal = calibrate(cc22, load_observations(loaded), n_starts=20, seed=11)
    assert cal.objective >= rec.objective * 0.99
    assert len(cal.starts) >= 5
