"""The score card (issue 14): interval score, naive bands, discrepancy starts, backtests, placebo, CLI."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from rebound.cli.main import main
from rebound.data.observed import load_observed
from rebound.fit.backtests import placebo_table, pooled, run_backtests, with_placebo
from rebound.fit.discrepancy_starts import discrepancy_draws, next_month, starts_by_indicator
from rebound.fit.evaluate import INPUT_REASON, ScoreCard, evaluate, naive_params
from rebound.fit.pipeline import ensemble_discrepancy, load_observations
from rebound.fit.scoring import NAIVE_DEFAULT_HALF_WIDTH, interval_score, naive_band
from rebound.observe.indicators import Evaluator, spec_of
from rebound.params.load import Loaded, load
from rebound.sim.engine import simulate

ROOT = Path(__file__).resolve().parents[1]
CC22 = ROOT / "params" / "changchun_2022.toml"
CC20 = ROOT / "params" / "changchun_2020.toml"
SEED = 11  # one seed for the cutoff-2022-06 card and the pooled backtests, so they share a calibration
N_DRAWS = 150


@pytest.fixture(scope="module")
def cc22() -> Loaded:
    return load(CC22)


@pytest.fixture(scope="module")
def card_2022_06(cc22: Loaded) -> ScoreCard:
    held = [o for o in load_observations(cc22) if o.role == "fit" and o.period_end > "2022-06"]
    faw = next(o for o in load_observations(cc22) if o.indicator == "faw_daily_output")
    return evaluate(cc22, [*held, faw], "2022-06", N_DRAWS, SEED, n_starts=0)


def test_interval_score_closed_form() -> None:
    # band [-2, 4] (width 6) at alpha 0.1: inside costs the width; a miss by d costs 6 + 20 d
    got = interval_score(np.array([-2.0, -2.0, -2.0, -2.0]), np.array([4.0, 4.0, 4.0, 4.0]), np.array([1.0, 5.0, -3.5, 4.0]))
    np.testing.assert_allclose(got, [6.0, 26.0, 36.0, 6.0])
    assert float(interval_score(0.0, 1.0, 3.0, alpha=0.5)) == pytest.approx(1.0 + 4.0 * 2.0)


def test_naive_band_rules() -> None:
    p05, p25, p75, p95, rule = naive_band(2.0, [-4.0, -1.0, 0.0, 1.0, 6.0])
    assert (p05, p95) == pytest.approx((2.0 + np.percentile([-4, -1, 0, 1, 6], 5), 2.0 + np.percentile([-4, -1, 0, 1, 6], 95)))
    assert (p25, p75) == pytest.approx((1.0, 3.0))
    assert "empirical" in rule
    p05, _, _, p95, _ = naive_band(0.0, [3.0, -4.0])  # RMS 3.536 -> +-5.815
    assert (p05, p95) == pytest.approx((-1.6448536 * np.sqrt(12.5), 1.6448536 * np.sqrt(12.5)))
    p05, p25, _, p95, rule = naive_band(1.0, [])
    assert (p05, p95) == (1.0 - NAIVE_DEFAULT_HALF_WIDTH, 1.0 + NAIVE_DEFAULT_HALF_WIDTH) and "default" in rule
    assert p25 == pytest.approx(1.0 - 10.0 * 0.6744898 / 1.6448536)
    lo, _, _, hi, _ = naive_band(1000.0, [1.0, 2.0, 3.0], relative=True)  # levels: per cent of the naive level
    assert (lo, hi) == pytest.approx((1011.0, 1029.0))  # 5% and 95% of 1, 2, 3 are 1.1 and 2.9


def test_discrepancy_starts(cc22: Loaded) -> None:
    assert next_month("2022-12") == "2023-01" and next_month("2022-06") == "2022-07"
    obs = [o for o in load_observations(cc22) if o.role == "fit" and o.period_end <= "2022-06"]
    by_data = starts_by_indicator(cc22.params, "2022-06", obs, "data")
    # no 2022 industry figure was fitted: industry's model error starts in January; GDP and retail after H1
    assert by_data == {"industry": "2022-01", "retail": "2022-07", "retail_above_quota": "2022-07", "fai": "2022-07", "gdp": "2022-07"}
    assert set(starts_by_indicator(cc22.params, "2022-06", obs, "cutoff").values()) == {"2022-07"}
    assert set(starts_by_indicator(cc22.params, "2021-12", obs, "cutoff").values()) == {"2022-01"}
    assert set(starts_by_indicator(cc22.params, None, obs).values()) == {"2022-01"}
    # a pre-period cutoff: the 2021 figures after it carry model error from the month after it
    assert set(starts_by_indicator(cc22.params, "2021-03", obs, "data").values()) == {"2021-04"}
    # one start for every indicator reproduces the pipeline's draws exactly
    months = simulate(cc22.params).cal.months
    ours = discrepancy_draws(cc22.params.discrepancy, months, 21, 5, dict.fromkeys(by_data, "2022-01"))
    theirs = ensemble_discrepancy(cc22.params, 20, 5, months)
    for k in theirs:
        np.testing.assert_array_equal(ours[k], theirs[k])


def test_naive_path_has_no_lockdown(cc22: Loaded) -> None:
    p = naive_params(cc22.params)
    assert p.lockdown.phases == [] and p.levers == {}
    assert {p.sectors.industry.anomaly_scale, p.sectors.consumption.anomaly_scale, p.sectors.investment.anomaly_scale} == {0.0}


def test_card_at_cutoff_2022_06(card_2022_06: ScoreCard) -> None:
    card = card_2022_06
    s = card.summary
    assert list(card.scored["figure"]) == ["industry yoy_month_pct 2022-07..2022-07", "industry yoy_month_pct 2022-08..2022-08"]
    assert not any("2022-07" in f or "2022-08" in f for f in s["fitted"]) and len(s["fitted"]) == 10
    assert list(card.not_scored["reason"]) == ["indicator 'faw_daily_output' is not a model output"]
    r = card.scored
    np.testing.assert_allclose(r["interval_score"], interval_score(r["p05"], r["p95"], r["reported"]))
    assert list(r["covered90"]) == list((r["p05"] <= r["reported"]) & (r["reported"] <= r["p95"]))
    assert (r["p05"] < r["p25"]).all() and (r["p25"] < r["median"]).all() and (r["median"] < r["p75"]).all() and (r["p75"] < r["p95"]).all()
    # measured (150 draws, seed 11): July 22.4 and August 41.6 both inside the 90% band; the naive
    # forecast (+2.5 and +3.1, no lockdown) misses both by far more than 10 pp
    assert r["covered90"].all()
    assert (r["naive_covered90"] == False).all()  # noqa: E712
    assert s["model"]["mean_interval_score"] < 0.25 * s["naive"]["mean_interval_score"]
    assert s["model"]["mae"] == pytest.approx(float(np.mean(np.abs(r["median"] - r["reported"]))))


def test_non_standard_figure_is_scored(cc22: Loaded) -> None:
    """A single-quarter retail figure is not a standard output; spec_of computes it."""
    h1 = next(o for o in load_observations(cc22) if o.measure == "yoy_cum_pct" and o.indicator == "retail_above_quota" and o.period_end == "2022-06")
    q2 = dataclasses.replace(h1, indicator="retail", measure="yoy_quarter_pct", period_start="2022-04", period_end="2022-06", value=-12.0)
    assert spec_of(q2) is not None
    card = evaluate(cc22, [q2], None, 40, 3)
    assert len(card.scored) == 1 and card.scored["p05"].iloc[0] < card.scored["p95"].iloc[0]
    assert not any(w.startswith("in-sample") for w in card.summary["warnings"])  # not among the figures the file was fitted on


def test_inputs_are_not_scored(cc22: Loaded) -> None:
    """The 2021 GDP level is set by the parameter file: every draw gives it, nothing to score."""
    level = next(o for o in load_observations(cc22) if o.measure == "level_100m_yuan" and o.period_end == "2021-12")
    card = evaluate(cc22, [level], None, 30, 2)
    assert card.scored.empty and card.summary["model"] == {"n": 0}
    assert list(card.not_scored["reason"]) == [INPUT_REASON]


def test_pooled_backtests_must_show() -> None:
    """Issue 14 must-show, on a small ensemble (150 draws, one start per fit besides centre/file).

    Measured when written: 22 scored rows (8 distinct figures), 90% coverage 0.86, 50% coverage
    0.23, model mean interval score 19.6 against naive 283.
    """
    cards = run_backtests(N_DRAWS, SEED, n_starts=0)
    rows, summary = pooled(cards)
    assert summary["n_rows"] == len(rows) == 22 and summary["n_distinct_figures"] == 8
    assert 0.75 <= summary["model"]["coverage90"] <= 0.98
    assert summary["model"]["mean_interval_score"] < summary["naive"]["mean_interval_score"]


def test_placebo_lockdown(cc22: Loaded) -> None:
    obs = load_observations(cc22)
    df = placebo_table(cc22.params, obs).set_index("figure")
    assert (df["shift_0"] == 0.0).all()  # zero stringency: exactly the unperturbed values
    assert df.loc["industry yoy_cum_pct 2021-01..2021-03", "shift_0.3"] == 0.0  # before the placebo month
    assert df.loc["industry yoy_cum_pct 2021-01..2021-12", "shift_0.3"] < -1.0
    assert df.loc["gdp yoy_cum_pct 2021-01..2021-12", "shift_0.3"] < -1.0
    zero = with_placebo(cc22.params, 0.0)
    specs = [s for s in (spec_of(o) for o in obs if o.role == "fit") if s is not None]
    np.testing.assert_array_equal(Evaluator(simulate(zero)).values(specs), Evaluator(simulate(cc22.params)).values(specs))


def test_cli_bad_input_lists_every_problem(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["evaluate", str(CC22), "--holdout", str(tmp_path / "none.csv"), "--cutoff", "2022-6"])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln]
    assert len(lines) == 2 and "--cutoff" in lines[0] and "none.csv" in lines[1]
    assert "Traceback" not in res.output


def test_cli_card_in_sample_warning(tmp_path: Path) -> None:
    holdout = ROOT / "data" / "observed" / "changchun_2020.csv"
    res = CliRunner().invoke(main, ["evaluate", str(CC20), "--holdout", str(holdout), "--ensemble", "30", "--format", "json", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout[: res.stdout.rindex("}") + 1])  # stdout only: "wrote ..." goes to stderr first
    rows = load_observed(holdout)
    assert payload["summary"]["n_scored"] == sum(o.role == "fit" for o in rows) == 4
    assert payload["summary"]["n_not_scored"] == len(rows) - 4
    assert any(w.startswith("in-sample") for w in payload["summary"]["warnings"])
    assert (tmp_path / "scorecard.csv").read_text(encoding="utf-8-sig").startswith("figure,indicator,measure,unit,name_zh,name_en,period,")
    table = CliRunner().invoke(main, ["evaluate", str(CC20), "--holdout", str(holdout), "--ensemble", "30"])
    assert "90% predictive interval" in table.output and "naive" in table.output
