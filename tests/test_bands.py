"""Bands that tell the truth (issue 14): scenario effects, attribution shares, stale posteriors."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner

from rebound.cli.main import main
from rebound.params.load import load
from rebound.scenarios.attribute import attribute
from rebound.scenarios.compare import compare

ROOT = Path(__file__).resolve().parents[1]
CC22 = ROOT / "params" / "changchun_2022.toml"
SC = ROOT / "scenarios" / "changchun_2022"


def test_no_vouchers_band_follows_the_multiplier_prior() -> None:
    """The voucher effect on H1 above-quota retail scales with incremental spending per yuan,
    whose prior puts 2-5.8 around 3: the band's ends sit near point x 2/3 and point x 5.8/3."""
    base = load(CC22)
    table = compare(base, [load(SC / "no_vouchers.toml")], 400, 11, observations=[])
    r = table[(table.indicator == "retail_above_quota") & (table.measure == "yoy_cum_pct") & (table.period_end == "2022-06")].iloc[0]
    assert r.delta < 0 and r.delta_p05 < r.delta < r.delta_p95 < 0
    width = r.delta_p95 - r.delta_p05
    assert width > 0.5 * abs(r.delta)  # not a zero-width band
    assert abs(r.delta_p05) / abs(r.delta) > 1.4  # upper end of the multiplier range (5.8/3 = 1.9)
    assert abs(r.delta_p95) / abs(r.delta) < 0.85  # lower end (2/3 = 0.67)


def test_attribution_shares_carry_intervals() -> None:
    attr = attribute(load(CC22), "gdp", "2022-01", "2022-06", n_draws=200, seed=3)
    t = attr.table
    levers = t[t.kind == "lever"]
    assert {"share_p05", "share_p95"} <= set(t.columns)
    assert (levers.share_p05 < levers.share_p95).all()
    assert abs(levers.share_of_gap.sum() - 1.0) < 1e-9
    # vouchers reach GDP through the retail margin only: a modest share of the H1 policy effect
    v = levers.set_index("item").loc["vouchers"]
    assert 0.02 < v.share_of_gap < 0.3


def test_run_after_params_set_of_a_calibrated_key_warns_and_band_contains_point(tmp_path: Path) -> None:
    d = tmp_path / "params"
    d.mkdir()
    shutil.copy(CC22, d / "cc.toml")
    (tmp_path / "data").symlink_to(ROOT / "data")
    runner = CliRunner()
    res = runner.invoke(main, ["params", "set", str(d / "cc.toml"), "sectors.industry.loading=2.2"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["run", str(d / "cc.toml"), "--ensemble", "200", "--seed", "4", "--format", "csv"])
    assert res.exit_code == 0, res.output
    from io import StringIO

    t = pd.read_csv(StringIO(res.stdout))
    b = t.dropna(subset=["p05"])
    assert ((b.point >= b.p05) & (b.point <= b.p95)).all()
    res = runner.invoke(main, ["run", str(d / "cc.toml")])
    assert "sectors.industry.loading is 2.2 but was calibrated to 1.5" in res.output
    assert np.isfinite(b.p95 - b.p05).all()
