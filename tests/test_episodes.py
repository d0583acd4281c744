"""The shipped episodes against the seeds' reported figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from rebound.cli.main import main
from rebound.fit import pipeline
from rebound.fit.backtest import backtest
from rebound.fit.calibrate import calibrate
from rebound.params.load import load, with_values

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "params"


def fit_rows(episode: str):
    loaded = load(PARAMS / f"{episode}.toml")
    out = pipeline.run(loaded)
    t = out.indicators
    return t[(t["role"] == "fit") & t["model"].notna()]


# The largest misses of the calibrated files, as docs/calibration.md reports them (pp):
# Changchun 2022 July industry +6.1, June FAI narrowing +3.5, August industry -4.4, H1 GDP -1.7.
# No per-figure dummy absorbs them; every other fit figure is within 2.2 pp.
MISS_PP = {"changchun_2022": 6.2, "changchun_2020": 2.6}


@pytest.mark.parametrize("episode", ["changchun_2022", "changchun_2020"])
def test_calibrated_file_reproduces_its_fit_figures(episode: str) -> None:
    """Growth and pp figures within the stated largest miss; levels within 6% (Changchun 2020's
    H1 GDP level is 5.6% low: Gongzhuling joined the city in 2020, the 2019 base predates it)."""
    rows = fit_rows(episode)
    assert len(rows) >= 4
    misses = []
    for r in rows.itertuples():
        if r.measure == "level_100m_yuan":
            assert abs(r.residual) <= 0.06 * abs(r.reported), (r.indicator, r.period_start, r.residual)
        else:
            assert abs(r.residual) <= MISS_PP[episode], (r.indicator, r.measure, r.period_start, r.period_end, r.model, r.reported)
            misses.append(abs(r.residual))
    assert np.median(misses) <= 1.5


def test_changchun_2022_headline_figures() -> None:
    rows = fit_rows("changchun_2022").set_index(["indicator", "measure", "period_start", "period_end"])
    assert rows.loc[("gdp", "yoy_cum_pct", "2022-01", "2022-06"), "reported"] == -9.9
    assert rows.loc[("gdp", "yoy_cum_pct", "2022-01", "2022-06"), "model"] == pytest.approx(-9.9, abs=2.0)
    assert rows.loc[("industry", "yoy_month_pct", "2022-07", "2022-07"), "model"] == pytest.approx(22.4, abs=6.2)
    assert rows.loc[("industry", "yoy_month_pct", "2022-08", "2022-08"), "model"] == pytest.approx(41.6, abs=4.5)
    # the 2021 figures now in the data are fitted through the reference baseline
    assert rows.loc[("industry", "yoy_cum_pct", "2021-01", "2021-12"), "model"] == pytest.approx(4.6, abs=0.5)
    assert rows.loc[("industry", "yoy_cum_pct", "2021-01", "2021-03"), "model"] == pytest.approx(36.3, abs=1.0)
    assert rows.loc[("gdp", "yoy_cum_pct", "2021-01", "2021-12"), "model"] == pytest.approx(6.2, abs=0.5)
    # the 2021 GDP level is an input (the path is scaled to it), reproduced exactly
    assert rows.loc[("gdp", "level_100m_yuan", "2021-01", "2021-12"), "model"] == pytest.approx(7103.1, abs=0.1)


def test_before_calibration_signs_right_and_gdp_close() -> None:
    """At the prior centres, every fit figure has the right sign and H1 GDP is within 5 pp."""
    loaded = load(PARAMS / "changchun_2022.toml")
    centres = {f.key: f.centre for f in loaded.params.calibration.free}
    prior_params = with_values(loaded.params, centres)
    loaded.params = prior_params
    out = pipeline.run(loaded)
    t = out.indicators
    fit = t[(t["role"] == "fit") & t["model"].notna()]
    for r in fit.itertuples():
        assert np.sign(r.model) == np.sign(r.reported), (r.indicator, r.measure, r.model, r.reported)
    gdp = fit[(fit.indicator == "gdp") & (fit.measure == "yoy_cum_pct")].iloc[0]
    assert abs(gdp.model - (-9.9)) <= 5.0


def test_jinzhong_lockdown_is_prior_driven_and_says_so() -> None:
    """Jinzhong's 2021 figures inform its regional offsets; nothing informs its 2022 lockdown."""
    loaded = load(PARAMS / "jinzhong_2022.toml")
    obs = pipeline.load_observations(loaded)
    cal = calibrate(loaded.params, obs, n_starts=0)
    assert all(f.period_end < "2022-01" for f in cal.figures)  # no 2022 figure in the data
    by = {p.key: p.determined_by for p in cal.params}
    assert by["lockdown.phases[0].stringency.consumption"] == "prior"
    assert by["lockdown.phases[0].stringency.industry"] == "prior"
    assert by["sectors.industry.offset_pct"] in ("data", "data+prior")
    assert any("left to their priors" in w and "lockdown.phases[0].stringency.consumption" in w for w in cal.warnings)
    # the run still works, with wide intervals
    out = pipeline.run(loaded, n_draws=200, seed=7)
    t = out.indicators
    h1 = t[(t.indicator == "gdp") & (t.measure == "yoy_cum_pct") & (t.period_end == "2022-06")].iloc[0]
    assert h1.p95 - h1.p05 > 2.0


def test_backtest_predicts_july_and_august_industry() -> None:
    loaded = load(PARAMS / "changchun_2022.toml")
    bt = backtest(loaded, "2022-06", n_draws=100, seed=1)
    figs = {p["figure"]: p for p in bt["predictions"]}
    jul = figs["industry yoy_month_pct 2022-07..2022-07"]
    aug = figs["industry yoy_month_pct 2022-08..2022-08"]
    assert jul["reported"] == 22.4 and aug["reported"] == 41.6
    assert np.isfinite(jul["predicted"]) and np.isfinite(aug["predicted"])
    assert bt["n_fitted"] == 10  # the ten fit figures that end by June 2022 (2021 figures included)


def test_readme_first_command_runs() -> None:
    res = CliRunner().invoke(main, ["run", str(PARAMS / "changchun_2022.toml")])
    assert res.exit_code == 0, res.output
    assert "2022年上半年" in res.output and "-9.9" in res.output


def test_ensemble_intervals_cover_point_and_reproduce() -> None:
    loaded = load(PARAMS / "changchun_2022.toml")
    a = pipeline.run(loaded, n_draws=100, seed=3).indicators
    b = pipeline.run(loaded, n_draws=100, seed=3).indicators
    assert a.equals(b)
    fit = a[(a.role == "fit") & a.model.notna()]
    assert (fit.p05 <= fit.model).all() and (fit.model <= fit.p95).all()


def test_table_numbers_never_print_negative_zero() -> None:
    from rebound.cli.fmt import num

    assert num(-0.001) == "0.0"
    assert num(-0.06) == "-0.1"
    assert num(float("nan")) == ""
