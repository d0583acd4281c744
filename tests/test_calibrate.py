"""Calibration tests: identification on model-generated figures, diagnostics, file writing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from rebound.fit.calibrate import calibrate
from rebound.fit.diagnostics import flat_directions
from rebound.observe.indicators import Evaluator, Spec
from rebound.params.load import get_path, load, with_values
from rebound.sim.engine import simulate

ROOT = Path(__file__).resolve().parents[1]
CC22 = ROOT / "params" / "changchun_2022.toml"


@dataclass(frozen=True)
class Obs:
    """The attributes of rebound.data.observed.Observation that calibration reads."""

    indicator: str
    measure: str
    period_start: str
    period_end: str
    value: float
    basis: str
    compare_start: str | None = None
    compare_end: str | None = None
    reference_value: float | None = None
    role: str = "fit"
    precision: float = 0.05


def synthetic(params, truth: dict[str, float], specs: list[Spec]) -> list[Obs]:
    vals = Evaluator(simulate(with_values(params, truth))).values(specs)[0]
    return [
        Obs(s.indicator, s.measure, s.period_start, s.period_end, float(round(v, 1)), s.basis, s.compare_start or None, s.compare_end or None)
        for s, v in zip(specs, vals, strict=True)
    ]


def specs_2022() -> list[Spec]:
    out = [Spec("gdp", "yoy_cum_pct", "2022-01", "2022-06", "real"), Spec("gdp", "yoy_cum_pct", "2022-01", "2022-03", "real")]
    for m in range(3, 10):
        out.append(Spec("industry", "yoy_month_pct", f"2022-{m:02d}", f"2022-{m:02d}", "real"))
        out.append(Spec("retail_above_quota", "yoy_month_pct", f"2022-{m:02d}", f"2022-{m:02d}", "nominal"))
        out.append(Spec("fai", "yoy_cum_pct", "2022-01", f"2022-{m:02d}", "nominal"))
    return out


def test_recovers_known_parameters_within_intervals() -> None:
    """Identification check: figures made by the model itself give back its parameters."""
    params = load(CC22).params
    free = [f.key for f in params.calibration.free]
    prior = {k: float(get_path(params, k)) for k in free}
    truth = dict(prior)
    truth["lockdown.phases[0].stringency.industry"] = 0.85
    truth["lockdown.phases[0].stringency.consumption"] = 0.7
    truth["sectors.consumption.headroom"] = 0.25
    truth["sectors.industry.anomaly_scale"] = 1.6
    obs = synthetic(params, truth, specs_2022())
    cal = calibrate(params, obs, model_error_pp=0.2)
    assert cal.converged
    est = cal.estimates()
    for pf in cal.params:
        assert pf.low90 <= truth[pf.key] <= pf.high90, (pf.key, pf.low90, truth[pf.key], pf.high90)
    assert est["lockdown.phases[0].stringency.consumption"] == pytest.approx(0.7, abs=0.05)
    assert est["sectors.industry.anomaly_scale"] == pytest.approx(1.6, abs=0.05)
    # rich data pin these: their posterior sd is well below the prior's
    by_key = {p.key: p for p in cal.params}
    assert by_key["sectors.industry.anomaly_scale"].determined_by == "data"
    # every figure reproduced to within its rounding plus model error
    assert max(abs(f.residual) for f in cal.figures) < 0.3


def test_underidentified_warns_and_keeps_priors() -> None:
    params = load(CC22).params
    obs = [Obs("gdp", "yoy_cum_pct", "2022-01", "2022-06", -9.9, "real")]
    cal = calibrate(params, obs)
    k = len(params.calibration.free)
    assert any(f"under-identified: 1 fit figure(s) for {k} free parameter(s)" in w for w in cal.warnings)
    prior_only = [p.key for p in cal.params if p.determined_by == "prior"]
    assert "sectors.investment.offset_pct" in prior_only  # H1 GDP barely speaks to regional FAI growth
    assert cal.jacobian_rank == 1  # one figure sees one direction
    assert len(cal.flat_directions) >= k - 1


def test_no_figures_returns_priors_exactly() -> None:
    params = load(ROOT / "params" / "jinzhong_2022.toml").params
    cal = calibrate(params, [])
    for pf in cal.params:
        assert pf.estimate == pytest.approx(pf.centre, rel=1e-9)
        assert pf.shrinkage == pytest.approx(0.0, abs=1e-9)
        assert pf.determined_by == "prior"
    assert any("under-identified: 0 fit figure(s)" in w for w in cal.warnings)


def test_flat_directions_names_the_tradeoff() -> None:
    info = np.array([[1.0, 1.0], [1.0, 1.0]])  # only the sum is identified
    flat = flat_directions(info, ["a", "b"])
    assert len(flat) == 1
    assert "a" in flat[0] and "b" in flat[0]


def test_jacobian_run_count_is_small() -> None:
    """Each iteration is one engine run (k+1 draws): two starts stay under 100 runs."""
    params = load(CC22).params
    obs = synthetic(params, {}, specs_2022()[:8])
    cal = calibrate(params, obs, n_starts=0)
    assert len(cal.starts) == 2  # prior centre and the file's values
    assert cal.n_runs <= 100
    assert cal.n_draws_total == cal.n_runs * (len(params.calibration.free) + 1)


def test_multi_start_prior_draws_are_one_vectorised_run() -> None:
    params = load(CC22).params
    obs = synthetic(params, {}, specs_2022()[:8])
    one = calibrate(params, obs, n_starts=0)
    many = calibrate(params, obs, n_starts=20, seed=3)
    k = len(params.calibration.free) + 1
    # the 20 prior draws cost one run of 20 draws; three of them are refined
    assert (many.n_draws_total - 20) % k == 0
    assert len(many.starts) == 5
    assert many.objective <= one.objective + 1e-6
