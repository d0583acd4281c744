"""``rebound new``, episode names, ``params validate`` on the observed data and calibration record.

The must-show script of issue 15 runs end to end on a region the project does not ship
(Jilin province 2022), from tests/fixtures/jilin_2022_test.csv: TEST DATA, figures made up in
bulletin style (plausible, not sourced). A copy of Changchun 2022 pointed at other data must
never run from Changchun's posterior.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result

from rebound.cli.main import main
from rebound.fit.draws import posterior_status
from rebound.params.template import NewEpisode, horizon_for, parse_lockdown, render

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "jilin_2022_test.csv"
CHANGCHUN = ROOT / "params" / "changchun_2022.toml"
NEW = ["new", "jilin_2022", "--year", "2022", "--region", "吉林省"]


def cli(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture()
def jl(tmp_path: Path) -> Path:
    shutil.copy(FIXTURE, tmp_path / "jl.csv")
    return tmp_path / "jl.csv"


def test_script_new_calibrate_run_on_a_region_not_shipped(tmp_path: Path, jl: Path) -> None:
    out_dir, out = tmp_path / "DIR", tmp_path / "OUT"
    r = cli(*NEW, "--observed", jl, "--lockdown", "2022-03-11..2022-04-28", "--out", out_dir)
    assert r.exit_code == 0, r.stderr
    toml = out_dir / "jilin_2022.toml"
    assert r.stdout.strip() == str(toml)
    assert f"copied {jl} to {out_dir / 'jilin_2022.csv'}" in r.stderr
    assert (out_dir / "jilin_2022.csv").read_bytes() == jl.read_bytes()
    data = tomllib.loads(toml.read_text(encoding="utf-8"))
    assert "record" not in data["calibration"]
    assert (data["episode"]["first_year"], data["episode"]["last_year"], data["episode"]["observed"]) == (2019, 2023, "jilin_2022.csv")
    # 2021 GDP 13235.5 from the CSV split with national 2021 shares 7.3/39.4/53.3%
    assert data["gdp"]["secondary_100m"] == pytest.approx(13235.5 * 0.394, abs=0.01)
    assert data["sectors"]["consumption"]["prior_year_level_100m"] == pytest.approx(13235.5 * 0.385, abs=0.1)
    assert [f["key"] for f in data["calibration"]["free"]][:3] == [f"lockdown.phases[0].stringency.{s}" for s in ("industry", "consumption", "investment")]
    assert cli("params", "validate", toml, "--require-src").exit_code == 0

    r = cli("calibrate", toml, "--write", toml)
    assert r.exit_code == 0, r.stderr
    record = tomllib.loads(toml.read_text(encoding="utf-8"))["calibration"]["record"]
    assert len(record["posterior"]["keys"]) == 8 and len(record["figures"]) == 8

    r = cli("run", toml, "--ensemble", 1000, "--out", out)
    assert r.exit_code == 0, r.stderr
    table = pd.read_csv(out / "indicators.csv")
    context = table[table["role"] == "context"].set_index(["indicator", "measure", "period_start", "period_end"])
    computable = [("industry", "yoy_cum_pct", "2022-01", "2022-12"), ("retail", "yoy_month_pct", "2022-05", "2022-05"), ("gdp", "yoy_cum_pct", "2022-01", "2022-12")]
    for key in computable:
        row = context.loc[key]
        assert np.isfinite([row["model"], row["p05"], row["p95"]]).all(), key
        assert row["p05"] < row["model"] < row["p95"] and row["p95"] - row["p05"] > 1.0, key
    for key in [("va_secondary", "yoy_cum_pct", "2022-01", "2022-06"), ("auto_output", "yoy_cum_pct", "2022-01", "2022-06")]:
        assert np.isnan(context.loc[key]["model"]) and "not a model output" in context.loc[key]["note"]
    fit = table[table["role"] == "fit"]
    assert len(fit) == 8 and fit["p05"].notna().all()


def test_copy_pointed_at_other_data_never_runs_from_the_old_posterior(tmp_path: Path) -> None:
    from rebound import api

    text = CHANGCHUN.read_text(encoding="utf-8").replace('"../data/observed/changchun_2022.csv"', '"other.csv"')
    (tmp_path / "copy.toml").write_text(text, encoding="utf-8")
    shutil.copy(FIXTURE, tmp_path / "other.csv")  # different fit rows (Jilin's)
    orig = api.run(CHANGCHUN, ensemble=400, seed=3)
    copy = api.run(tmp_path / "copy.toml", ensemble=400, seed=3)
    assert orig.summary["warnings"] == []
    status = posterior_status(copy.loaded.params, [o for o in copy.output.observations if o.role == "fit"])
    assert "data_sha256" in status
    assert copy.summary["warnings"] == [status]
    # drawn from the prior (sd 3.0) around the current value, not the posterior (sd 1.62)
    key = "sectors.industry.offset_pct"
    assert np.std(orig.output.draws[key][1:]) == pytest.approx(np.sqrt(2.619276253805), rel=0.15)
    assert np.std(copy.output.draws[key][1:]) == pytest.approx(3.0, rel=0.15)
    r = cli("params", "validate", tmp_path / "copy.toml")
    assert r.exit_code == 0
    assert re.search(r"copy\.toml:\d+: calibration\.record: warning: the observed fit figures differ", r.stderr), r.stderr


def test_validate_reports_a_missing_observed_file_at_its_line(tmp_path: Path) -> None:
    text = CHANGCHUN.read_text(encoding="utf-8").replace('"../data/observed/changchun_2022.csv"', '"nowhere.csv"')
    (tmp_path / "cc.toml").write_text(text, encoding="utf-8")
    line = next(i for i, t in enumerate(text.split("\n"), 1) if t.startswith("observed ="))
    r = cli("params", "validate", tmp_path / "cc.toml")
    assert r.exit_code == 2
    assert f"cc.toml:{line}: episode.observed: observed-data file not found" in r.stderr


def test_bad_arguments_one_line_each_and_nothing_written(tmp_path: Path, jl: Path) -> None:
    r = cli(*NEW, "--lockdown", "2022-04-28..2022-03-11", "--lockdown", "2022-02-30..2022-03-01", "--lockdown", "March", "--reference", "nope", "--out", tmp_path / "D")
    assert r.exit_code == 2
    lines = r.stderr.strip().split("\n")
    assert len(lines) == 4, lines
    assert any("END 2022-03-11 is before START 2022-04-28" in x for x in lines)
    assert any("not a calendar date" in x for x in lines)
    assert any("expected START..END" in x for x in lines)
    assert any(x.startswith("--reference") and "unknown reference (known: national" in x for x in lines)
    r = cli("new", "x_2030", "--year", 2030, "--region", "X", "--out", tmp_path / "D")
    assert r.exit_code == 2 and "2030 is outside the reference 'national' (2018-2023" in r.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text(jl.read_text(encoding="utf-8").replace("13235.5,100m_yuan", "lots,100m_yuan"), encoding="utf-8")
    r = cli(*NEW, "--observed", bad, "--out", tmp_path / "D")
    assert r.exit_code == 2 and "bad.csv:2: value" in r.stderr, r.stderr
    assert not (tmp_path / "D").exists()


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    assert cli(*NEW, "--out", tmp_path).exit_code == 0
    before = (tmp_path / "jilin_2022.toml").read_bytes()
    r = cli(*NEW, "--region", "吉林省 Jilin", "--out", tmp_path)
    assert r.exit_code == 2 and "exists already (use --force to overwrite)" in r.stderr
    assert (tmp_path / "jilin_2022.toml").read_bytes() == before
    assert cli(*NEW, "--region", "吉林省 Jilin", "--out", tmp_path, "--force").exit_code == 0
    assert 'region = "吉林省 Jilin"' in (tmp_path / "jilin_2022.toml").read_text(encoding="utf-8")


def test_without_gdp_level_placeholder_and_no_phase_still_runs(tmp_path: Path) -> None:
    from rebound import api

    path = api.new("plain_2021", 2021, "某市", out_dir=tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "PLACEHOLDER" in text and "lockdown.phases[0]" not in text
    data = tomllib.loads(text)
    assert data["gdp"]["tertiary_100m"] == pytest.approx(5000 * 0.533)
    assert (data["episode"]["first_year"], data["episode"]["last_year"]) == (2019, 2022)
    run = api.run(path, ensemble=20, seed=1)
    assert run.summary["warnings"] == ["not calibrated: calibrated keys are drawn from their priors around the current values"]


def test_like_copies_behaviour_never_the_calibration(tmp_path: Path) -> None:
    from rebound import api

    path = api.new("sh_2022", 2022, "上海市", lockdowns=["2022-04-01..2022-05-31"], like="changchun_2022", out_dir=tmp_path)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert "record" not in data["calibration"]
    inv, ind = data["sectors"]["investment"], data["sectors"]["industry"]
    assert inv["headroom"] == 0.3  # Changchun's prior centre, not its estimate 0.142493
    assert ind["time_constant_days"] == 10.0 and ind["persistence_days"] == 90.0
    assert inv["seasonal"][0] == 0.3  # Changchun's north-east construction season
    assert data["gdp"]["tertiary_consumption_elasticity"] == 0.5  # prior centre, not 0.401616
    assert data["sectors"]["consumption"]["headroom"] == 0.15  # free here: the prior centre
    assert "copied from params/changchun_2022.toml" in path.read_text(encoding="utf-8")


def test_episode_names_work_where_a_path_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = cli("params", "validate", "changchun_2022")
    assert r.exit_code == 0 and r.stdout.startswith("changchun_2022: OK"), r.stderr
    assert cli("params", "get", "jinzhong_2022", "episode.year").stdout.strip() == "2022"
    r = cli("params", "validate", "nonesuch_2022")
    assert r.exit_code == 2 and "no episode of that name in params/ (known: changchun_2020, changchun_2022" in r.stderr
    (tmp_path / "params").mkdir()
    assert cli(*NEW).exit_code == 0  # default --out ./params
    r = cli("params", "validate", "jilin_2022")
    assert r.exit_code == 0 and "episode jilin_2022" in r.stdout


def test_template_pieces() -> None:
    assert parse_lockdown("2022-03-11..2022-04-28")[0] is not None
    assert "before START" in parse_lockdown("2022-04-28..2022-03-11")[1]
    assert horizon_for(2022, 2018, 2023) == (2019, 2023)
    assert horizon_for(2019, 2018, 2023) == (2018, 2020)  # never after year-1
    assert horizon_for(2023, 2018, 2023) == (2020, 2023)
    text = render(NewEpisode(name="a", year=2022, region="A", first_year=2019, last_year=2023))
    numbers = [ln for ln in text.split("\n") if re.match(r"^\w+ = [-\d\[]", ln)]
    assert numbers and all("· src:" in ln for ln in numbers)
