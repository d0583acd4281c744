"""Scenario comparison, Shapley attribution and sweeps (model/scenarios.py) and their CLI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rebound.observe.indicators import Evaluator, Spec
from rebound.params import Loaded, load, revalidate
from rebound.params.schema import ConsumptionVoucher
from rebound.problems import InputError
from rebound.scenarios import attribute, compare, compare_runs, paired_values, shapley, sweep

ROOT = Path(__file__).resolve().parents[1]
CC22 = ROOT / "params" / "changchun_2022.toml"
N = 50
SEED = 7


@pytest.fixture(scope="module")
def base() -> Loaded:
    return load(CC22)


def scenario(base: Loaded, name: str, values: dict[str, Any]) -> Loaded:
    """A scenario built in memory, as a scenario file with these [set] entries would be."""
    return dataclasses.replace(base, params=revalidate(base, values), overridden=set(values), scenario_name=name)


def no_levers(base: Loaded, *names: str) -> dict[str, Any]:
    return {f"levers.{n}.enabled": False for n in names}


def h1(ind: str, measure: str = "yoy_cum_pct") -> Spec:
    from rebound.data.vocab import DEFAULT_BASIS

    return Spec(ind, measure, "2022-01", "2022-06", DEFAULT_BASIS[ind])


def row(df: Any, scen: str, ind: str, measure: str, start: str, end: str) -> Any:
    r = df[(df.scenario == scen) & (df.indicator == ind) & (df.measure == measure) & (df.period_start == start) & (df.period_end == end) & (df.compare_start == "")]
    assert len(r) == 1
    return r.iloc[0]


# --- compare ------------------------------------------------------------------------------


def test_identical_scenario_has_exactly_zero_deltas(base: Loaded) -> None:
    same = scenario(base, "same", {})
    also_same = load(CC22)
    df = compare(base, [same, also_same], N, SEED)
    computed = df[df["baseline"].notna()]
    assert len(computed) > 90
    assert (computed["delta"] == 0.0).all()
    assert (computed["delta_p05"] == 0.0).all() and (computed["delta_p95"] == 0.0).all()
    assert (computed["value"] == computed["baseline"]).all()


def test_compare_columns_and_observed_rows(base: Loaded) -> None:
    df = compare(base, [scenario(base, "nv", no_levers(base, "vouchers"))], 10, SEED)
    for c in ("scenario", "indicator", "measure", "period_start", "period_end", "reported", "baseline", "value", "delta", "delta_p05", "delta_p95", "baseline_p05", "baseline_p95", "value_p05", "value_p95"):
        assert c in df.columns
    r = row(df, "nv", "retail_above_quota", "yoy_cum_pct", "2022-01", "2022-06")
    assert r.reported == pytest.approx(-15.7)
    assert r.delta_p05 <= r.delta <= r.delta_p95 + 1e-12
    # observed figures the model cannot compute are kept, with the reason
    ctx = df[df["baseline"].isna()]
    assert not ctx.empty and ctx["note"].str.startswith("context, not computed").all()


def test_removing_a_lever_never_raises_what_it_supports(base: Loaded) -> None:
    cases = {
        "no_vouchers": (no_levers(base, "vouchers"), [h1("retail_above_quota"), h1("retail"), h1("gdp")]),
        "no_tax_relief": (no_levers(base, "tax_relief"), [h1("gdp"), Spec("fai", "yoy_cum_pct", "2022-01", "2022-12", "nominal")]),
        "no_projects": (no_levers(base, "projects"), [Spec("fai", "yoy_cum_pct", "2022-01", "2022-12", "nominal")]),
        "no_policy": (no_levers(base, *base.params.levers), [h1("gdp"), h1("retail_above_quota"), Spec("fai", "yoy_cum_pct", "2022-01", "2022-12", "nominal")]),
    }
    scs = [scenario(base, name, vals) for name, (vals, _) in cases.items()]
    cmp = compare_runs(base, scs, N, SEED, observations=[])
    for name, (_, specs) in cases.items():
        b = Evaluator(cmp.baseline).values(specs)
        s = Evaluator(cmp.scenarios[name]).values(specs)
        assert b.shape == (N + 1, len(specs))
        # never higher in any draw; lower in the point run and on average (a draw may give the lever no effect)
        assert (s <= b + 1e-12).all(), f"{name} raised a figure in some draw: {(s - b).max(axis=0)}"
        assert (s[0] < b[0]).all() and (s.mean(axis=0) < b.mean(axis=0)).all()


def test_paired_intervals_are_narrower_than_unpaired(base: Loaded) -> None:
    scs = [scenario(base, "no_tax_relief", no_levers(base, "tax_relief")), scenario(base, "no_vouchers", no_levers(base, "vouchers"))]
    paired = compare(base, scs, N, SEED, observations=[])
    unpaired = compare(base, scs, N, SEED, observations=[], paired=False)
    for scen in ("no_tax_relief", "no_vouchers"):
        for ind in ("gdp", "retail_above_quota"):
            p = row(paired, scen, ind, "yoy_cum_pct", "2022-01", "2022-06")
            u = row(unpaired, scen, ind, "yoy_cum_pct", "2022-01", "2022-06")
            # same draws, same marginal distributions ...
            assert p.value_p05 == pytest.approx(u.value_p05) and p.baseline_p95 == pytest.approx(u.baseline_p95)
            assert p.delta == u.delta  # draw 0 (point estimate) is paired in both
            # ... but pairing removes the shared level uncertainty from the difference
            assert p.delta_p95 - p.delta_p05 < 0.25 * (u.delta_p95 - u.delta_p05)


def test_overridden_free_parameter_wins_in_every_draw(base: Loaded) -> None:
    key = "lockdown.phases[0].stringency.industry"
    sc = scenario(base, "milder", {key: 0.5})
    draws = {key: np.linspace(0.6, 0.9, 5), "sectors.consumption.headroom": np.linspace(0.1, 0.3, 5)}
    kept = paired_values(draws, sc)
    assert key not in kept and "sectors.consumption.headroom" in kept
    cmp = compare_runs(base, [sc], 20, SEED, observations=[])
    cap = cmp.scenarios["milder"].cap_max
    day = cmp.baseline.cal.day(dt.date(2022, 3, 20))
    closed_loop = cmp.values["lockdown.phases[0].closed_loop_share"]  # drawn from its default prior
    assert np.allclose(cap[0, :, day], 1 - 0.5 * (1 - closed_loop))
    assert np.ptp(cmp.baseline.cap_max[0, :, day]) > 0  # the baseline does vary by draw


def test_scenarios_of_another_parameter_file_are_refused(base: Loaded) -> None:
    other = load(ROOT / "params" / "jinzhong_2022.toml")
    with pytest.raises(InputError, match="compare only scenarios of one parameter file"):
        compare(base, [other], 0, SEED)


# --- the voucher effect against the voucher money ------------------------------------------


def test_voucher_effect_matches_the_voucher_money(base: Loaded) -> None:
    """no_vouchers changes H1 above-quota retail by (money x extra spending - H1 give-back) / prior H1.

    2.3亿 of vouchers x 3 yuan of extra spending per yuan = 6.9亿, all redeemed after the
    reopening (nothing lost to restrictions) and inside H1; 20% of it is given back over 120
    days from the end of the redemption window, of which only the days up to 30 June fall in
    H1. Vouchers are counted wholly above quota. The denominator is the model's H1 2021
    above-quota retail (nominal).
    """
    cmp = compare_runs(base, [scenario(base, "no_vouchers", no_levers(base, "vouchers"))], 0, SEED, observations=[])
    r = row(cmp.table, "no_vouchers", "retail_above_quota", "yoy_cum_pct", "2022-01", "2022-06")
    v = base.params.levers["vouchers"]
    assert isinstance(v, ConsumptionVoucher)
    rnd = v.rounds[0]
    induced = rnd.amount_100m * v.incremental_spending_per_yuan
    assert induced == pytest.approx(6.9)
    window_end = rnd.date + dt.timedelta(days=rnd.redemption_days)  # first give-back day
    assert rnd.date >= base.params.lockdown.phases[-1].end  # redeemed after the reopening
    assert window_end <= dt.date(2022, 6, 30)  # redeemed inside H1
    back_days_h1 = max(0, (dt.date(2022, 6, 30) - window_end).days + 1)
    given_back_h1 = induced * v.pull_forward_share * back_days_h1 / v.pull_forward_days
    monthly, months = cmp.baseline.monthly("retail_above_quota", "nominal")
    prior_h1 = float(monthly[0, months.index("2021-01") : months.index("2021-06") + 1].sum())
    expected_pp = -100.0 * v.above_quota_share * (induced - given_back_h1) / prior_h1
    assert r.delta == pytest.approx(expected_pp, rel=1e-9)
    # the numbers quoted in docs/results.md
    assert back_days_h1 == 2 and given_back_h1 == pytest.approx(0.023)
    assert 380 < prior_h1 < 420
    assert r.delta == pytest.approx(-1.74, abs=0.01)


# --- attribution --------------------------------------------------------------------------


def test_shapley_of_a_known_game() -> None:
    # v(S) = sum of a_i over S + b if both 0 and 1 are in S: the interaction is split evenly
    a = np.array([1.0, 2.0, 4.0])
    b = 3.0
    v = np.array([sum(a[i] for i in range(3) if m >> i & 1) + (b if m & 3 == 3 else 0.0) for m in range(8)])
    phi = shapley(v, 3)
    assert phi == pytest.approx([1 + b / 2, 2 + b / 2, 4])
    # against the definition by permutations
    for i in range(3):
        tot = 0.0
        for order in itertools.permutations(range(3)):
            before = 0
            for j in order:
                if j == i:
                    break
                before |= 1 << j
            tot += v[before | 1 << i] - v[before]
        assert phi[i] == pytest.approx(tot / math.factorial(3))


@pytest.mark.parametrize("indicator", ["gdp", "retail_above_quota"])
def test_shapley_shares_sum_to_the_gap(base: Loaded, indicator: str) -> None:
    at = attribute(base, indicator, "2022-01", "2022-06", "yoy_cum_pct", N, SEED)
    assert at.levers == list(base.params.levers)
    assert at.phi.shape == (len(at.levers), N + 1)
    assert np.max(np.abs(at.phi.sum(axis=0) - (at.v_all - at.v_none))) < 1e-9
    # the full coalition is the baseline, the empty one is no policy
    cmp = compare_runs(base, [scenario(base, "no_policy", no_levers(base, *base.params.levers))], N, SEED, observations=[])
    b = Evaluator(cmp.baseline).values([h1(indicator)])[:, 0]
    npol = Evaluator(cmp.scenarios["no_policy"]).values([h1(indicator)])[:, 0]
    assert at.v_all == pytest.approx(b, abs=1e-9)
    assert at.v_none == pytest.approx(npol, abs=1e-9)
    t = at.table
    levers = t[t.kind == "lever"]
    assert levers["share_of_gap"].sum() == pytest.approx(1.0, abs=1e-9)


def test_attribution_chunks_give_the_same_answer(base: Loaded) -> None:
    whole = attribute(base, "gdp", "2022-01", "2022-06", "yoy_cum_pct", 6, SEED)
    chunked = attribute(base, "gdp", "2022-01", "2022-06", "yoy_cum_pct", 6, SEED, max_draws_per_run=17)
    assert np.array_equal(whole.coalition_values, chunked.coalition_values) or np.allclose(whole.coalition_values, chunked.coalition_values, atol=1e-12)


def test_attribution_of_the_voucher_lever_is_its_solo_effect_on_retail(base: Loaded) -> None:
    # vouchers add spending without touching capacity, so they do not interact with the
    # other levers in retail: their Shapley value equals the no_vouchers delta
    at = attribute(base, "retail_above_quota", "2022-01", "2022-06", "yoy_cum_pct", 0, SEED)
    df = compare(base, [scenario(base, "nv", no_levers(base, "vouchers"))], 0, SEED, observations=[])
    r = row(df, "nv", "retail_above_quota", "yoy_cum_pct", "2022-01", "2022-06")
    assert at.phi[at.levers.index("vouchers"), 0] == pytest.approx(-r.delta, abs=1e-9)


def test_attribute_rejects_bad_figures(base: Loaded) -> None:
    with pytest.raises(InputError, match="not a model indicator"):
        attribute(base, "gdpp", "2022-01", "2022-06")
    with pytest.raises(InputError, match="outside the model horizon"):
        attribute(base, "gdp", "2019-01", "2019-06")


# --- sweep --------------------------------------------------------------------------------


def test_numeric_sweep_vectorised_equals_one_run_per_value(base: Loaded) -> None:
    from rebound.sim.engine import simulate

    specs = [h1("retail_above_quota"), h1("gdp")]
    df = sweep(base, "levers.vouchers.scale", 0.0, 2.0, 3, specs)
    assert list(df["x"].unique()) == [0.0, 1.0, 2.0]
    for x in (0.0, 2.0):
        one = Evaluator(simulate(revalidate(base, {"levers.vouchers.scale": x}), 1)).values(specs)[0]
        got = df[df.x == x]["value"].to_numpy()
        assert got == pytest.approx(one, abs=1e-9)
    # more vouchers, more above-quota retail
    aq = df[df.indicator == "retail_above_quota"]["value"].to_numpy()
    assert np.all(np.diff(aq) > 0)


def test_date_sweep_runs_one_value_at_a_time(base: Loaded) -> None:
    df = sweep(base, "lockdown.phases[1].end", "2022-04-26", "2022-05-24", 3, [h1("gdp")])
    assert list(df["x_label"]) == ["2022-04-26", "2022-05-10", "2022-05-24"]
    v = df["value"].to_numpy()
    assert v[0] > v[1] > v[2]  # a longer lockdown, a deeper H1


def test_sweep_validates_each_value(base: Loaded) -> None:
    with pytest.raises(InputError, match="before start"):
        sweep(base, "lockdown.phases[1].end", "2022-04-01", "2022-05-10", 3)
    with pytest.raises(InputError, match="did you mean"):
        sweep(base, "levers.vouchers.scal", 0, 1, 2)


# --- command line -------------------------------------------------------------------------


def write_scenario(tmp: Path, name: str, body: str, base: Path = CC22) -> Path:
    p = tmp / f"{name}.toml"
    p.write_text(f'base = "{base.as_posix()}"\nname = "{name}"\n{body}\n', encoding="utf-8")
    return p


def test_cli_compare_attribute_sweep(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from rebound.cli.main import main

    nv = write_scenario(tmp_path, "no_vouchers", '[set]\n"levers.vouchers.enabled" = false')
    jz = write_scenario(tmp_path, "jz", '[set]\n"levers.housing.scale" = 0', ROOT / "params" / "jinzhong_2022.toml")
    r = CliRunner().invoke(main, ["compare", str(nv), "--ensemble", "10", "--out", str(tmp_path / "cmp")])
    assert r.exit_code == 0, r.output
    assert "no_vouchers" in r.output and "delta 5-95%" in r.output
    prov = json.loads((tmp_path / "cmp" / "provenance.json").read_text(encoding="utf-8"))
    assert prov["seed"] is not None and prov["version"] and any(k.endswith("params/changchun_2022.toml") and not k.startswith("/work") for k in prov["inputs"])  # keyed relative to the working directory
    assert {"compare.csv", "paths.png", "deltas.png"} <= {p.name for p in (tmp_path / "cmp").iterdir()}
    r = CliRunner().invoke(main, ["compare", str(nv), str(jz)])
    assert r.exit_code == 2 and "one parameter file" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(main, ["attribute", str(CC22), "--indicator", "gdp", "--period", "2022-01..2022-06", "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)["rows"]
    assert abs(sum(x["value"] for x in rows if x["kind"] == "lever") - next(x["value"] for x in rows if x["item"] == "total")) < 1e-9
    r = CliRunner().invoke(main, ["attribute", str(CC22), "--indicator", "gdp", "--period", "2022-01..2022-13"])
    assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1
    r = CliRunner().invoke(main, ["sweep", str(CC22), "--set", "levers.vouchers.scale=0:2:3", "--indicator", "retail_above_quota", "--period", "2022-01..2022-06", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert r.output.count("\n") == 4
    r = CliRunner().invoke(main, ["sweep", str(CC22), "--set", "levers.vouchers.scale=0:2"])
    assert r.exit_code == 2 and "START:STOP:N" in r.output


SCEN = ROOT / "scenarios" / "changchun_2022"


@pytest.mark.skipif(not (SCEN / "no_vouchers.toml").exists(), reason="scenario files not written yet")
def test_shipped_scenario_files(base: Loaded) -> None:
    names = [n for n in ("baseline", "no_vouchers", "no_policy") if (SCEN / f"{n}.toml").exists()]
    scs = [load(SCEN / f"{n}.toml") for n in names]
    df = compare(base, scs, 10, SEED, observations=[])
    if "baseline" in names:
        assert (df[df.scenario == "baseline"]["delta"] == 0.0).all()
    nv = row(df, "no_vouchers", "retail_above_quota", "yoy_cum_pct", "2022-01", "2022-06")
    assert nv.delta < 0 and nv.delta_p95 < 0
