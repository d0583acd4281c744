"""Reference series: the national file, its provenance, and monthly y/y by the documented rules."""

from __future__ import annotations

import csv
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import shared_path

from rebound.cli.main import main
from rebound.data.checks import COLUMNS
from rebound.data.observed import check_observed
from rebound.data.reference import REFERENCE_DIR, check_reference, load_reference, reference_path
from rebound.problems import InputError

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = ROOT / "data" / "reference" / "national.csv"
SHARED = shared_path("data", "reference", "china_national_2018_2023.csv")
HEADER = ",".join(COLUMNS)
MONTHS_2022 = [f"2022-{m:02d}" for m in range(1, 13)]


@pytest.fixture(scope="module")
def national():  # type: ignore[no-untyped-def]
    return load_reference("national")


def yoy(ref, indicator: str, *months: str) -> tuple[list[float], list[str]]:  # type: ignore[no-untyped-def]
    values, how = ref.monthly_yoy(indicator, list(months))
    return [round(float(v), 4) for v in values], how


# ---------------------------------------------------------------- the file and its provenance


def _builder():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("build_national", ROOT / "data" / "reference" / "build_national.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.skipif(not SHARED.is_file(), reason="the shared collection is not next to the project")
def test_national_is_rebuilt_exactly_from_the_shared_file() -> None:
    assert _builder().build(SHARED) == NATIONAL.read_text(encoding="utf-8")
    with SHARED.open(encoding="utf-8", newline="") as f:
        shared = list(csv.DictReader(f))
    ours = [r for r in csv.DictReader(NATIONAL.open(encoding="utf-8", newline=""))]
    assert len(ours) == len(shared) == 558
    for a, b in zip(shared, ours, strict=True):  # line N here is line N there
        assert (b["source"], b["quote"], b["period_start"], b["period_end"]) == (a["source"], a["quote_or_column"], a["period_start"], a["period_end"])
        assert float(b["value"]) == float(a["value"])


def test_national_validates_and_marks_one_reference_per_figure(national) -> None:  # type: ignore[no-untyped-def]
    assert check_reference(NATIONAL) == []
    groups: dict[tuple[str, ...], list[str]] = {}
    for r in national.rows:
        groups.setdefault((r.indicator, r.measure, r.period_start, r.period_end), []).append(r.role)
    assert all(roles.count("reference") == 1 for roles in groups.values())
    assert sum(len(v) > 1 for v in groups.values()) == 67
    assert sum(r.role == "context" for r in national.rows) == 67 and all(r.reason for r in national.rows if r.role == "context")
    assert national.indicators() == ["fai", "gdp", "auto_output", "retail", "industry"]


def test_gdp_prefers_the_latest_revision(national) -> None:  # type: ignore[no-untyped-def]
    q2 = {r.value: r for r in national.rows if (r.indicator, r.measure, r.period_start) == ("gdp", "yoy_quarter_pct", "2022-04")}
    assert q2[0.8].role == "reference" and "latest revision" in q2[0.8].reason and "latest vintage" in q2[0.8].source
    assert q2[0.4].role == "context" and "first release" in q2[0.4].reason
    q1_2019 = {r.value: r.role for r in national.rows if (r.indicator, r.measure, r.period_start) == ("gdp", "yoy_quarter_pct", "2019-01")}
    assert q1_2019 == {6.3: "reference", 6.4: "context"}  # January 2021 vintage over April 2020


def test_derived_and_growth_digits(national) -> None:  # type: ignore[no-untyped-def]
    derived = [r for r in national.rows if r.derived]
    assert [(r.indicator, r.period_end, r.value) for r in derived] == [("fai", "2022-04", 6.8)]
    assert "6.2 + 0.6" in derived[0].reason
    jan_feb = next(r for r in national.rows if (r.indicator, r.measure, r.period_end, r.role) == ("industry", "yoy_month_pct", "2018-04", "reference"))
    assert (jan_feb.value, jan_feb.precision) == (7.0, 0.05)  # printed 7.0, the shared file wrote 7


# ---------------------------------------------------------------- monthly y/y, national


def test_industry_single_month_and_jan_feb(national) -> None:  # type: ignore[no-untyped-def]
    assert yoy(national, "industry", "2022-04") == ([-2.9], ["yoy_month_pct"])
    assert yoy(national, "industry", "2022-01", "2022-02") == ([7.5, 7.5], ["jan_feb_cum", "jan_feb_cum"])


def test_gdp_month_takes_its_quarter_latest_vintage(national) -> None:  # type: ignore[no-untyped-def]
    assert yoy(national, "gdp", "2022-04", "2022-05", "2022-06") == ([0.8, 0.8, 0.8], ["yoy_quarter_pct"] * 3)
    assert yoy(national, "gdp", "2019-02") == ([6.3], ["yoy_quarter_pct"])


def test_retail_2022(national) -> None:  # type: ignore[no-untyped-def]
    values, how = yoy(national, "retail", *MONTHS_2022)
    assert values == [6.7, 6.7, -3.5, -11.1, -6.7, 3.1, 2.7, 5.4, 2.5, -0.5, -5.9, -1.8]
    assert how == ["jan_feb_cum"] * 2 + ["yoy_month_pct"] * 10


def test_fai_2022_from_levels_pinned_to_published_rates(national) -> None:  # type: ignore[no-untyped-def]
    values, how = yoy(national, "fai", *MONTHS_2022)
    assert how == ["jan_feb_cum"] * 2 + ["ytd_levels_scaled"] + ["yoy_month_pct"] * 3 + ["ytd_levels_scaled"] * 5 + ["cum_levels"]
    # scale on 2021's first-published levels so Jan–Dec 2022 comes out at the published 5.1%
    s = (572138 / 544547) / 1.051
    assert values[2] == pytest.approx(100 * ((104872 - 50763) / (s * (95994 - 45236)) - 1), abs=1e-4)  # March 6.64
    assert values[2] == pytest.approx(6.6356, abs=1e-4)
    # December from the Jan–Nov (5.3) and Jan–Dec (5.1) rates with this year's levels
    dec = 100 * ((572138 - 520043) / (572138 / 1.051 - 520043 / 1.053) - 1)
    assert values[11] == pytest.approx(dec, abs=1e-4) and round(dec, 2) == 3.14
    series = national.series("fai")
    # the same scale reproduces every other published 2022 year-to-date rate within 0.06 pp ...
    for month in series.pins(2022):
        implied = 100 * (series.ytd(2022, month) / (s * series.ytd(2021, month)) - 1)
        assert implied == pytest.approx(series.cum_rate(2022, month), abs=0.06), month
    # ... and the months NBS printed, derived from levels instead, match them (1.8, 4.6, 5.6)
    derived = [100 * ((series.ytd(2022, m) - series.ytd(2022, m - 1)) / (s * (series.ytd(2021, m) - series.ytd(2021, m - 1))) - 1) for m in (4, 5, 6)]
    assert derived == pytest.approx([1.8, 4.6, 5.6], abs=0.06)


def test_fai_spans_and_inconsistent_years(national) -> None:  # type: ignore[no-untyped-def]
    # 2020 March–May: between the published Jan–Feb (−24.5) and Jan–May (−6.3)
    span = 100 * ((199194 - 33323) / (199194 / (1 - 0.063) - 33323 / (1 - 0.245)) - 1)
    values, how = yoy(national, "fai", "2020-03", "2020-04", "2020-05")
    assert how == ["cum_span"] * 3 and values == pytest.approx([span] * 3, abs=1e-4) and round(span, 2) == -1.53
    # 2019 January–June: the months before the first published rate get Jan–Jun 5.8
    assert yoy(national, "fai", "2019-01", "2019-06") == ([5.8, 5.8], ["cum_span", "cum_span"])
    # 2019 after July: one scale cannot reproduce both Jan–Jun 5.8 and Jan–Jul 5.7 (it gives 8.4)
    values, how = national.monthly_yoy("fai", ["2019-08", "2019-12"])
    assert np.isnan(values).all() and how == ["ytd_levels_inconsistent"] * 2
    miss = national.series("fai").scale_misses(2019, national.series("fai").base_scale(2019))
    assert [(m, p, round(i, 1)) for m, p, i in miss] == [(6, 5.8, 8.4)]


def test_auto_output_missing_months_are_nan(national) -> None:  # type: ignore[no-untyped-def]
    values, how = national.monthly_yoy("auto_output", ["2022-08", "2022-09"])
    assert values[0] == 39.0 and math.isnan(values[1])
    assert how == ["yoy_month_pct", "missing"]


def test_coverage_2019_2023(national) -> None:  # type: ignore[no-untyped-def]
    months = [f"{y}-{m:02d}" for y in range(2019, 2024) for m in range(1, 13)]
    count = {ind: {} for ind in national.indicators()}
    for ind in count:
        for h in national.monthly_yoy(ind, months)[1]:
            count[ind][h] = count[ind].get(h, 0) + 1
    assert count["industry"] == count["retail"] == {"jan_feb_cum": 10, "yoy_month_pct": 50}
    assert count["gdp"] == {"yoy_quarter_pct": 60}
    assert count["fai"] == {"cum_span": 33, "cum_levels": 5, "ytd_levels_inconsistent": 8, "jan_feb_cum": 4, "ytd_levels_scaled": 6, "yoy_month_pct": 3, "ytd_levels_unchecked": 1}
    assert count["auto_output"] == {"yoy_month_pct": 7, "missing": 53}


def test_bad_requests(national) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="no reference rows for 'steel'"):
        national.monthly_yoy("steel", ["2022-01"])
    with pytest.raises(ValueError, match="YYYY-MM"):
        national.monthly_yoy("industry", ["2022-1"])


# ---------------------------------------------------------------- paths and a user's own reference


def test_reference_path(tmp_path: Path) -> None:
    assert reference_path("national") == REFERENCE_DIR / "national.csv"
    assert reference_path("refs/jilin.csv", relative_to=tmp_path) == tmp_path / "refs" / "jilin.csv"
    assert reference_path(str(tmp_path / "x.csv"), relative_to=Path("elsewhere")) == tmp_path / "x.csv"
    assert reference_path("jilin.csv") == Path("jilin.csv")
    with pytest.raises(InputError) as err:
        reference_path("atlantis")
    assert str(err.value) == "atlantis: unknown reference (known: national; or give a CSV file path)"


# A peer-city file with made-up round numbers, so every rule below is checked by hand.
PEER = """\
industry,yoy_cum_pct,2022-01,2022-02,,,10.0,pct,real,,reference,,no,test,q
industry,yoy_cum_pct,2022-01,2022-03,,,8.0,pct,real,,reference,,no,test,q
industry,yoy_cum_pct,2022-01,2022-04,,,5.0,pct,real,,reference,,no,test,q
industry,level_100m_yuan,2022-01,2022-02,,,110,100m_yuan,nominal,,reference,,no,test,q
industry,level_100m_yuan,2022-01,2022-03,,,162,100m_yuan,nominal,,reference,,no,test,q
industry,yoy_month_pct,2022-04,2022-04,,,-20.0,pct,real,,context,an earlier vintage,no,test,q
retail,yoy_cum_pct,2022-01,2022-05,,,4.0,pct,nominal,,reference,,no,test,q
retail,yoy_cum_pct,2022-01,2022-06,,,3.0,pct,nominal,,reference,,no,test,q
retail,level_100m_yuan,2021-07,2021-07,,,50,100m_yuan,nominal,,reference,,no,test,q
retail,level_100m_yuan,2022-07,2022-07,,,45,100m_yuan,nominal,,reference,,no,test,q
"""


def test_a_users_reference_in_a_temp_folder(tmp_path: Path) -> None:
    f = tmp_path / "peer_city.csv"
    f.write_text(f"{HEADER}\n{PEER}", encoding="utf-8")
    assert check_reference(f) == []
    ref = load_reference(f.name, relative_to=tmp_path)
    values, how = yoy(ref, "industry", "2022-01", "2022-03", "2022-04", "2022-05")
    # March from Jan–Feb 10% and Jan–Mar 8% with the levels 110 and 162: bases 100 and 150
    assert how == ["jan_feb_cum", "cum_levels", "cum_rate", "missing"]
    assert values[:3] == [10.0, 4.0, 5.0]  # (52 / 50 − 1); April has no level: the Jan–Apr rate
    values, how = yoy(ref, "retail", "2022-06", "2022-07")
    assert how == ["cum_rate", "level_ratio"] and values == [3.0, -10.0]  # 45 / 50 − 1
    res = CliRunner().invoke(main, ["data", "check", str(f)])
    assert res.exit_code == 0 and res.stdout.strip() == "1 file OK, 10 rows"


def test_reference_file_problems(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(
        f"{HEADER}\n"
        "industry,yoy_month_pct,2022-04,2022-04,,,-2.9,pct,real,,reference,,no,test,q\n"
        "industry,yoy_month_pct,2022-04,2022-04,,,-2.8,pct,real,,reference,,no,test,q\n"
        "industry,yoy_month_pct,2022-05,2022-05,,,0.7,pct,real,,fit,,no,test,q\n"
        "industry,yoy_month_pct,2022-06,2022-06,,,3.9,pct,real,,context,,no,,q\n",
        encoding="utf-8",
    )
    assert [p.format() for p in check_reference(f)] == [
        f"{f}:3: line 2 is already the reference for this figure: mark one row reference and the others context (with the reason)",
        f"{f}:4: role: role 'fit' is for observed files; a reference row is reference or context",
        f"{f}:5: reason: context rows need a reason (why another row of the same figure is the reference, or why it is not used)",
        f"{f}:5: source: missing source (where the figure was published)",
    ]
    with pytest.raises(InputError):
        load_reference(str(f))
    res = CliRunner().invoke(main, ["data", "check", str(f)])  # a reference row makes it a reference file
    assert res.exit_code == 2 and len(res.stderr.splitlines()) == 4


def test_reference_role_is_refused_in_observed_files(tmp_path: Path) -> None:
    f = tmp_path / "obs.csv"
    f.write_text(f"{HEADER}\nindustry,yoy_month_pct,2022-04,2022-04,,,-2.9,pct,real,,reference,,no,s.txt,q\n", encoding="utf-8")
    assert [p.format() for p in check_observed(f, "observed")] == [
        f"{f}:2: role: role 'reference' is only for reference files (data/reference/*.csv); use fit or context"
    ]


# ---------------------------------------------------------------- the CLI


def test_cli_show_and_check_national() -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["data", "check", str(NATIONAL)])
    assert res.exit_code == 0 and res.stdout.strip() == "1 file OK, 558 rows"
    res = runner.invoke(main, ["data", "show", "national", "--no-quotes"])
    assert res.exit_code == 0
    first = res.stdout.splitlines()[0]
    assert first.endswith("national.csv: 558 figures (491 reference, 67 context, * = derived)")
    assert "规模以上工业增加值" in res.stdout and "2022年二季度" in res.stdout and "reference" in res.stdout
    res = runner.invoke(main, ["data", "show", "national", "--format", "json"])
    assert res.exit_code == 0 and '"role": "reference"' in res.stdout
