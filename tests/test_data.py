"""Observed data: every seed figure is present with its quote; broken files name the line."""

from __future__ import annotations

import csv
import glob
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import shared_file, shared_path

from rebound.cli.main import main
from rebound.data.observed import (
    COLUMNS,
    Observation,
    check_observed,
    load_observed,
    observed_path_for,
    printed,
)
from rebound.problems import InputError

ROOT = Path(__file__).resolve().parents[1]
OBSERVED = ROOT / "data" / "observed"
SEEDS = shared_path("seeds")
REGIONAL = shared_path("data", "regional", "changchun_jinzhong_figures.csv")
S0 = "000_0988c2cfc370426a.txt"
S1 = "001_b66a70e138ba882a.txt"
S3 = "003_f34ac04e32c0b974.txt"
S4 = "004_c1a6ac948ebf7dd6.txt"
HEADER = ",".join(COLUMNS)

# (episode, indicator, measure, start, end, compare, value, role, derived, reference, source, words in the quote)
EXPECTED = [
    ("changchun_2020", "gdp", "level_100m_yuan", "2020-01", "2020-06", None, 3058.2, "fit", False, None, S0, "3058.2亿元"),
    ("changchun_2020", "gdp", "yoy_cum_pct", "2020-01", "2020-06", None, 1.2, "fit", False, None, S0, "增长1.2%"),
    ("changchun_2020", "industry", "yoy_cum_pct", "2020-01", "2020-07", None, 5.9, "fit", False, None, S0, "规上工业增加值增长5.9%"),
    ("changchun_2020", "fai", "yoy_cum_pct", "2020-01", "2020-07", None, 9.2, "fit", False, None, S0, "固定资产投资增长9.2%"),
    ("changchun_2020", "fai", "pp_vs_reference", "2020-01", "2020-07", None, 10.8, "context", False, -1.6, S0, "高于全国平均水平10.8个百分点"),
    ("changchun_2020", "fai_national", "yoy_cum_pct", "2020-01", "2020-07", None, -1.6, "context", True, None, S0, "高于全国平均水平10.8个百分点"),
    ("changchun_2020", "auto_output", "yoy_cum_pct", "2020-01", "2020-06", None, 5.3, "context", False, None, S0, "分别增长5.3%和6.4%"),
    ("changchun_2020", "auto_sales", "yoy_cum_pct", "2020-01", "2020-06", None, 6.4, "context", False, None, S0, "分别增长5.3%和6.4%"),
    ("changchun_2022", "gdp", "level_100m_yuan", "2021-01", "2021-12", None, 7103.1, "fit", False, None, S1, "7103.1亿元"),
    ("changchun_2022", "gdp", "yoy_cum_pct", "2021-01", "2021-12", None, 6.2, "fit", False, None, S1, "增长6.2%"),
    ("changchun_2022", "gdp", "yoy_cum_pct", "2022-01", "2022-06", None, -9.9, "fit", False, None, S1, "上半年地区生产总值下降9.9%"),
    ("changchun_2022", "gdp", "pp_vs_reference", "2022-01", "2022-06", None, 5.1, "context", False, -15.0, S1, "好于预期增速5.1个百分点"),
    ("changchun_2022", "retail_above_quota", "yoy_cum_pct", "2022-01", "2022-06", None, -15.7, "fit", False, None, S1, "下降15.7%"),
    ("changchun_2022", "retail_above_quota", "pp_change", "2022-01", "2022-06", ("2022-01", "2022-05"), 7.5, "fit", False, None, S1, "降幅比1-5月收窄7.5%"),
    ("changchun_2022", "retail_above_quota", "yoy_cum_pct", "2022-01", "2022-05", None, -23.2, "context", True, None, S1, "降幅比1-5月收窄7.5%"),
    ("changchun_2022", "fai", "pp_change", "2022-01", "2022-06", ("2022-01", "2022-05"), 12.9, "fit", False, None, S1, "固定资产投资降幅环比收窄12.9个百分点"),
    ("changchun_2022", "faw_daily_output", "level", "2022-04", "2022-04", None, 100.0, "context", False, None, S1, "由100辆恢复到6000辆"),
    ("changchun_2022", "faw_daily_output", "level", "2022-05", "2022-05", None, 6000.0, "context", False, None, S1, "由100辆恢复到6000辆"),
    ("changchun_2022", "industry", "yoy_month_pct", "2022-07", "2022-07", None, 22.4, "fit", False, None, S3, "7月，规上工业增长22.4%"),
    ("changchun_2022", "industry", "yoy_month_pct", "2022-08", "2022-08", None, 41.6, "fit", False, None, S3, "8月，增长41.6%"),
    ("jinzhong_2022", "key_projects_started", "level", "2022-01", "2022-04", None, 110.0, "context", False, None, S4, "110个省市重点工程项目"),
    ("jinzhong_2022", "key_projects_started", "count", "2022-01", "2022-04", None, 91.0, "context", False, None, S4, "开复工91个"),
    ("jinzhong_2022", "key_projects_started", "share_pct", "2022-01", "2022-04", None, 82.7, "context", False, None, S4, "开复工率82.7%"),
    ("jinzhong_2022", "key_project_investment", "level_100m_yuan", "2022-01", "2022-04", None, 70.34, "context", False, None, S4, "完成投资70.34亿元"),
    ("jinzhong_2022", "key_project_investment", "share_pct", "2022-01", "2022-04", None, 19.8, "context", False, None, S4, "投资完成率19.8%"),
]


def seed_text(name: str) -> str:
    return shared_file("seeds", name).read_text(encoding="utf-8")


def find(episode: str, indicator: str, measure: str, start: str, end: str, compare: tuple[str, str] | None) -> Observation:
    rows = [
        o
        for o in load_observed(OBSERVED / f"{episode}.csv")
        if (o.indicator, o.measure, o.period_start, o.period_end) == (indicator, measure, start, end)
        and (o.compare_start, o.compare_end) == (compare or (None, None))
    ]
    assert len(rows) == 1, (episode, indicator, measure, start, end)
    return rows[0]


@pytest.mark.parametrize("case", EXPECTED, ids=[f"{c[0]}-{c[1]}-{c[2]}-{c[4]}" for c in EXPECTED])
def test_seed_figure_is_in_the_data(case: tuple) -> None:  # type: ignore[type-arg]
    episode, ind, meas, start, end, compare, value, role, derived, ref, source, words = case
    ob = find(episode, ind, meas, start, end, compare)
    assert ob.value == value
    assert ob.role == role
    assert ob.derived is derived
    assert ob.reference_value == ref
    assert ob.source == source
    assert words in ob.quote
    assert ob.quote in seed_text(source)
    if role == "context" or derived:
        assert ob.reason


def is_seed(source: str) -> bool:
    return re.fullmatch(r"\d{3}_[0-9a-f]{16}\.txt", source) is not None


def test_every_quote_is_copied_exactly_from_its_seed() -> None:
    n = 0
    for path in sorted(OBSERVED.glob("*.csv")):
        for ob in load_observed(path):
            if is_seed(ob.source):
                assert ob.quote in seed_text(ob.source), (path.name, ob.line)
                n += 1
    assert n == 35


def shared_regional() -> list[dict[str, str]]:
    with REGIONAL.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.skipif(not REGIONAL.is_file(), reason="the shared collection is not next to the project")
def test_regional_rows_copy_source_and_quote_from_the_shared_file() -> None:
    pairs = {(r["source"], r["quote"]) for r in shared_regional()}
    rows = [(p.stem, ob) for p in sorted(OBSERVED.glob("*.csv")) for ob in load_observed(p) if not is_seed(ob.source)]
    assert len(rows) == 44
    for episode, ob in rows:
        assert (ob.source, ob.quote) in pairs, (episode, ob.line)
        if not ob.derived:
            assert printed(ob).lstrip("-") in ob.quote, (episode, ob.line)  # the figure is in the sentence it cites (下降 for the sign)
    # every shared source is cited, except the one of Changchun's 2021 GDP growth: the seed row holds
    # that figure (its reason names the release); the level's source is cited by the two-year average
    used = {(ob.source, ob.quote) for _, ob in rows}
    left = [(r["region"], r["indicator_cn"], r["period"], r["value"]) for r in shared_regional() if (r["source"], r["quote"]) not in used]
    assert left == [("Changchun", "地区生产总值", "2021-01..2021-12 cumulative", "6.2")]


REGIONAL_EXPECTED = [
    # (episode, indicator, measure, start, end, value, role, derived, words in the reason)
    ("changchun_2022", "industry", "yoy_cum_pct", "2021-01", "2021-12", 4.6, "fit", False, "2021 growth against 2020"),
    ("changchun_2022", "fai", "yoy_cum_pct", "2021-01", "2021-12", 16.0, "fit", False, "third-party"),
    ("changchun_2022", "gdp", "yoy_cum_pct", "2021-01", "2021-03", 17.3, "fit", False, "2021 growth against 2020"),
    ("changchun_2022", "industry", "yoy_cum_pct", "2021-01", "2021-03", 36.3, "fit", False, "2021 growth against 2020"),
    ("changchun_2022", "va_secondary", "level_100m_yuan", "2021-01", "2021-06", 1435.0, "context", False, "not a model output"),
    ("changchun_2022", "va_secondary", "yoy_cum_pct", "2021-01", "2021-06", 14.0, "context", False, "not a model output"),
    ("changchun_2022", "gdp", "two_year_avg_pct", "2021-01", "2021-03", 4.5, "context", True, "6.2 − 1.7"),
    ("changchun_2022", "gdp", "level_100m_yuan", "2022-01", "2022-06", 3073.83, "context", False, "secondary source"),
    ("changchun_2022", "gdp_nominal", "yoy_cum_pct", "2022-01", "2022-06", -10.53, "context", False, "secondary source"),
    ("changchun_2022", "tax_fee_relief", "level_100m_yuan", "2022-01", "2022-12", 347.0, "context", False, "lever amount"),
    ("changchun_2020", "gdp", "level_100m_yuan", "2019-01", "2019-12", 5904.14, "context", True, "boundary change"),
    ("jinzhong_2022", "gdp", "level_100m_yuan", "2021-01", "2021-12", 1843.4, "fit", False, ""),
    ("jinzhong_2022", "gdp", "yoy_cum_pct", "2021-01", "2021-12", 6.8, "fit", False, "2021 growth against 2020"),
    ("jinzhong_2022", "gdp", "yoy_cum_pct", "2021-01", "2021-09", 9.8, "fit", False, "2021 growth against 2020"),
    ("jinzhong_2022", "industry", "yoy_cum_pct", "2021-01", "2021-09", 14.5, "fit", False, "2021 growth against 2020"),
    ("jinzhong_2022", "gdp", "yoy_cum_pct", "2018-01", "2018-12", 7.09, "context", False, "before the simulated years"),
    ("jinzhong_2022", "va_tertiary", "level_100m_yuan", "2021-01", "2021-12", 750.9, "context", False, "not a model output"),
]


@pytest.mark.parametrize("case", REGIONAL_EXPECTED, ids=[f"{c[0]}-{c[1]}-{c[2]}-{c[4]}" for c in REGIONAL_EXPECTED])
def test_regional_figure_is_in_the_data(case: tuple) -> None:  # type: ignore[type-arg]
    episode, ind, meas, start, end, value, role, derived, words = case
    ob = find(episode, ind, meas, start, end, None)
    assert (ob.value, ob.role, ob.derived) == (value, role, derived)
    assert words in ob.reason


def test_fit_rows_per_episode() -> None:
    fit = {p.stem: sum(o.role == "fit" for o in load_observed(p)) for p in OBSERVED.glob("*.csv")}
    assert fit == {"changchun_2020": 4, "changchun_2022": 12, "jinzhong_2022": 6}


def test_derived_rows_hold_their_arithmetic() -> None:
    fai = find("changchun_2020", "fai", "yoy_cum_pct", "2020-01", "2020-07", None)
    national = find("changchun_2020", "fai_national", "yoy_cum_pct", "2020-01", "2020-07", None)
    vs = find("changchun_2020", "fai", "pp_vs_reference", "2020-01", "2020-07", None)
    assert national.value == pytest.approx(fai.value - vs.value, abs=1e-9)  # 9.2 − 10.8
    h1 = find("changchun_2022", "retail_above_quota", "yoy_cum_pct", "2022-01", "2022-06", None)
    may = find("changchun_2022", "retail_above_quota", "yoy_cum_pct", "2022-01", "2022-05", None)
    pp = find("changchun_2022", "retail_above_quota", "pp_change", "2022-01", "2022-06", ("2022-01", "2022-05"))
    assert may.value == pytest.approx(h1.value - pp.value, abs=1e-9)  # −15.7 − 7.5
    assert "%" in pp.reason  # the seed prints 收窄7.5% for a pp narrowing: said in reason


def test_precision_and_line() -> None:
    ob = find("changchun_2022", "industry", "yoy_month_pct", "2022-07", "2022-07", None)
    assert ob.precision == 0.05
    lines = (OBSERVED / "changchun_2022.csv").read_text(encoding="utf-8").splitlines()
    assert lines[ob.line - 1].startswith("industry,yoy_month_pct,2022-07,2022-07,")
    assert find("changchun_2022", "gdp", "level_100m_yuan", "2021-01", "2021-12", None).precision == 0.05
    assert find("jinzhong_2022", "key_project_investment", "level_100m_yuan", "2022-01", "2022-04", None).precision == 0.005
    assert find("changchun_2022", "faw_daily_output", "level", "2022-05", "2022-05", None).precision == 0.5


def test_observed_path_for() -> None:
    assert observed_path_for("changchun_2022") == OBSERVED / "changchun_2022.csv"
    with pytest.raises(InputError) as err:
        observed_path_for("wuhan_2020")
    assert str(err.value) == "wuhan_2020: unknown episode (known: changchun_2020, changchun_2022, jinzhong_2022; or give a CSV file path)"


# ---------------------------------------------------------------- the CLI and broken files


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


def test_cli_check_all_files_ok() -> None:
    files = sorted(glob.glob(str(OBSERVED / "*.csv")))
    res = run("data", "check", *files)
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == "3 files OK, 79 rows"


def test_cli_show_table_and_json() -> None:
    res = run("data", "show", "changchun_2022")
    assert res.exit_code == 0
    assert "规模以上工业增加值" in res.stdout and "2022年7月" in res.stdout and "2022年上半年 比 1-5月" in res.stdout
    res = run("data", "show", str(OBSERVED / "changchun_2020.csv"), "--format", "json")
    assert res.exit_code == 0 and '"value": 3058.2' in res.stdout
    res = run("data", "show", "nowhere")
    assert res.exit_code == 2
    assert "unknown episode" in res.stderr


def test_cli_broken_row_names_its_line(tmp_path: Path) -> None:
    src = (OBSERVED / "changchun_2022.csv").read_text(encoding="utf-8")
    lines = src.splitlines(keepends=True)
    n = next(i for i, s in enumerate(lines) if s.startswith("industry,yoy_month_pct,2022-08"))
    lines[n] = lines[n].replace(",41.6,", ",forty,")
    bad = tmp_path / "cc22.csv"
    bad.write_text("".join(lines), encoding="utf-8")
    res = run("data", "check", str(OBSERVED / "changchun_2020.csv"), str(bad))
    assert res.exit_code == 2
    assert res.stderr.strip() == f"{bad}:{n + 1}: value: 'forty' is not a plain decimal number (e.g. -9.9)"
    assert res.stdout == ""


OK = "industry,yoy_month_pct,2022-06,2022-06,,,-5.1,pct,real,,fit,,no,s.txt,q"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("steel,yoy_month_pct,2022-07,2022-07,,,22.4,pct,real,,fit,,no,s.txt,q", "indicator: unknown indicator 'steel' (known: gdp, industry,"),
        ("industry,yoy_month_pct,2022-07,2022-07,,,22.4,percent,real,,fit,,no,s.txt,q", "unit: unknown unit 'percent' (known: pct, pp,"),
        ("industry,yoy_month_pct,2022-07,2022-07,,,22.4,pp,real,,fit,,no,s.txt,q", "unit: measure yoy_month_pct is in 'pct', not 'pp'"),
        ("industry,yoy_month_pct,2022-07,2022-07,,,22.4,pct,current,,fit,,no,s.txt,q", "basis: unknown basis 'current' (use real, nominal or na)"),
        ("industry,yoy_month_pct,2022-07,2022-07,,,22.4,pct,real,,fitted,,no,s.txt,q", "role: unknown role 'fitted' (use fit or context)"),
        ("industry,yoy_cum_pct,2022-07,2022-01,,,22.4,pct,real,,fit,,no,s.txt,q", "period_end: period ends (2022-01) before it starts (2022-07)"),
        ("industry,yoy_month_pct,2022-7,2022-07,,,22.4,pct,real,,fit,,no,s.txt,q", "period_start: '2022-7' is not a month written YYYY-MM (e.g. 2022-07)"),
        ("industry,yoy_cum_pct,2022-02,2022-07,,,22.4,pct,real,,fit,,no,s.txt,q", "period_start: yoy_cum_pct is year to date: the period must start in January of the year it ends in"),
        ("industry,pp_change,2022-01,2022-06,,,7.5,pp,real,,fit,,no,s.txt,q", "compare_start: pp_change needs the compare period (the earlier cumulative period, e.g. 2022-01..2022-05)"),
        ("industry,yoy_cum_pct,2022-01,2022-06,2022-01,2022-05,7.5,pct,real,,fit,,no,s.txt,q", "compare_start: a compare period is only for pp_change rows, not yoy_cum_pct; leave it empty"),
        ("fai,pp_vs_reference,2020-01,2020-07,,,10.8,pp,nominal,,fit,,no,s.txt,q", "reference_value: pp_vs_reference needs the reference figure (e.g. the national growth rate)"),
        ("industry,yoy_month_pct,2022-07,2022-07,,,nan,pct,real,,fit,,no,s.txt,q", "value: 'nan' is not a plain decimal number (e.g. -9.9)"),
        ("industry,yoy_month_pct,2022-07,2022-07,,,22.4,pct,real,,fit,,no,s.txt,", "quote: missing quote (the exact sentence from the source)"),
        ("industry,yoy_month_pct,2022-07,2022-07,,,22.4,pct,real,,fit,,no,,q", "source: missing source (the seed file name)"),
        ("auto_output,yoy_cum_pct,2020-01,2020-06,,,5.3,pct,real,,fit,,no,s.txt,q", "indicator: 'auto_output' is not a model output: role must be context (with a reason)"),
        ("industry,yoy_month_pct,2022-07,2022-07,,,22.4,pct,real,,context,,no,s.txt,q", "reason: context rows need a reason (why the model does not fit it)"),
        ("industry,yoy_month_pct,2022-07,2022-07,,,22.4,pct,real,,fit,,yes,s.txt,q", "reason: derived rows need the arithmetic in reason"),
        ("industry,yoy_month_pct,2022-07,2022-07,,,22.4,pct,real,,fit,,no,s.txt", "expected 15 fields, found 14 (a comma inside a field needs double quotes)"),
        (OK, "duplicate of line 2 (same indicator, measure, period and compare period)"),
    ],
)
def test_broken_row_messages(tmp_path: Path, row: str, message: str) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(f"{HEADER}\n{OK}\n{row}\n", encoding="utf-8")
    formatted = [p.format() for p in check_observed(f)]
    assert len(formatted) == 1, formatted
    assert formatted[0].startswith(f"{f}:3: {message}")
    res = run("data", "check", str(f))
    assert res.exit_code == 2
    assert res.stderr.strip() == formatted[0]


def test_load_raises_with_every_problem(tmp_path: Path) -> None:
    f = tmp_path / "two.csv"
    f.write_text(
        f"{HEADER}\n"
        "industry,yoy_month_pct,2022-07,2022-07,,,x,pct,real,,fit,,no,s.txt,q\n"
        "\n"
        "gdp,yoy_cum_pct,2022-01,2022-06,,,-9.9,pct,real,,fit,,no,s.txt,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load_observed(f)
    assert [(p.line, p.key) for p in err.value.problems] == [(2, "value"), (4, "quote")]


def test_quoted_field_spanning_lines_keeps_line_numbers(tmp_path: Path) -> None:
    f = tmp_path / "multi.csv"
    f.write_text(
        f'{HEADER}\nindustry,yoy_month_pct,2022-07,2022-07,,,22.4,pct,real,,fit,,no,s.txt,"one\ntwo"\n'
        "industry,yoy_month_pct,2022-08,2022-08,,,41.6,pct,real,,fit,,no,s.txt,q\n",
        encoding="utf-8",
    )
    assert [o.line for o in load_observed(f)] == [2, 4]


def test_whole_file_problems(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    assert [p.format() for p in check_observed(missing)] == [f"{missing}: file not found"]
    assert [p.format() for p in check_observed(tmp_path)] == [f"{tmp_path}: is a directory, expected a CSV file"]
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert [p.format() for p in check_observed(empty)] == [f"{empty}: file is empty; expected a header line: {HEADER}"]
    latin = tmp_path / "latin.csv"
    latin.write_bytes(f"{HEADER}\n".encode() + "industry,x,,,,,,,,,,,,,\u00e9\n".encode("latin-1"))
    assert [p.format() for p in check_observed(latin)] == [f"{latin}:2: not valid UTF-8 text (byte 0xe9); save the file as UTF-8"]
    header = tmp_path / "header.csv"
    header.write_text(HEADER.replace("quote", "sentence") + "\n", encoding="utf-8")
    assert [p.format() for p in check_observed(header)] == [
        f"{header}:1: header: wrong header (missing quote; unexpected sentence); expected: {HEADER}"
    ]
    res = run("data", "check", str(missing), str(empty))
    assert res.exit_code == 2
    assert res.stderr.splitlines() == [f"{empty}: file is empty; expected a header line: {HEADER}", f"{missing}: file not found"]


# ---------------------------------------------------------------- the indicator vocabulary file


@pytest.fixture
def clean_vocabulary():  # type: ignore[no-untyped-def]
    from rebound.data import vocab

    yield vocab
    vocab.reset_indicators()


def test_vocabulary_comes_from_the_packaged_file() -> None:
    from rebound.data import vocab

    assert vocab.PACKAGED_FILE.name == "indicators.csv" and vocab.PACKAGED_FILE.parent.name == "data"
    assert vocab.INDICATORS["industry"] == ("规模以上工业增加值", "value added of industry above designated size", True)
    assert vocab.INDICATORS["auto_output"] == ("汽车产量", "automobile output", False)
    assert vocab.DEFAULT_BASIS == {"gdp": "real", "industry": "real", "retail": "nominal", "retail_above_quota": "nominal", "fai": "nominal"}
    assert vocab.SECTOR_OF_INDICATOR == {"industry": "industry", "retail": "consumption", "retail_above_quota": "consumption", "fai": "investment"}
    for new in ("va_primary", "va_secondary", "va_tertiary", "industry_gross_output", "catering_revenue", "accommodation_revenue", "fai_real_estate", "services_revenue"):
        assert vocab.INDICATORS[new][2] is False, new
    proxy = vocab.INDICATOR_INFO["industry_gross_output"]
    assert (proxy.name_zh, proxy.proxy_for, proxy.basis) == ("规模以上工业总产值", "industry", "nominal")
    assert "intermediate inputs" in proxy.note
    assert vocab.INDICATOR_INFO["va_secondary"].name_zh == "第二产业增加值"


def test_a_context_indicator_added_in_the_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_vocabulary) -> None:  # type: ignore[no-untyped-def]
    row = "nev_output,yoy_cum_pct,2022-01,2022-06,,,45.7,pct,na,,context,not a model output,no,s.txt,q"
    f = tmp_path / "figures.csv"
    f.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    res = run("data", "check", str(f))
    assert res.exit_code == 2
    assert res.stderr.startswith(f"{f}:2: indicator: unknown indicator 'nev_output'")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "indicators.csv").write_text(
        ",".join(clean_vocabulary.INDICATOR_COLUMNS) + "\nnev_output,新能源汽车产量,new-energy vehicle output,10k_units,na,no,,,,volume\n",
        encoding="utf-8",
    )
    res = run("data", "check", str(f))
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == "1 file OK, 1 rows"
    assert clean_vocabulary.INDICATORS["nev_output"] == ("新能源汽车产量", "new-energy vehicle output", False)
    assert load_observed(f)[0].value == 45.7


def test_user_indicator_file_problems(tmp_path: Path, clean_vocabulary) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "mine.csv"
    bad.write_text(
        ",".join(clean_vocabulary.INDICATOR_COLUMNS) + "\n"
        "steel,钢材产量,steel output,tonnes,na,no,,,,\n"
        "gdp,国内生产总值,GDP,100m_yuan,nominal,no,,,,\n"
        "power,发电量,power generation,count,na,yes,,,,\n"
        "ok_one,好,fine,count,na,no,,,,\n",
        encoding="utf-8",
    )
    problems = [p.format() for p in clean_vocabulary.add_indicators(bad)]
    assert problems == [
        f"{bad}:2: unit: unknown unit 'tonnes' (known: {', '.join(clean_vocabulary.UNITS)})",
        f"{bad}:3: id: indicator 'gdp' is already defined differently in {clean_vocabulary.PACKAGED_FILE}; choose another id",
        f"{bad}:4: computed: only the packaged vocabulary can mark an indicator computed (the model must know how); use no",
    ]
    assert "ok_one" in clean_vocabulary.INDICATORS and "steel" not in clean_vocabulary.INDICATORS
    clean_vocabulary.reset_indicators()
    assert "ok_one" not in clean_vocabulary.INDICATORS


def test_cli_indicators_option(tmp_path: Path, clean_vocabulary) -> None:  # type: ignore[no-untyped-def]
    vocab_file = tmp_path / "mine.csv"
    vocab_file.write_text(",".join(clean_vocabulary.INDICATOR_COLUMNS) + "\nnev_output,新能源汽车产量,new-energy vehicle output,10k_units,na,no,,,,volume\n", encoding="utf-8")
    f = tmp_path / "figures.csv"
    f.write_text(f"{HEADER}\nnev_output,yoy_cum_pct,2022-01,2022-06,,,45.7,pct,na,,context,not a model output,no,s.txt,q\n", encoding="utf-8")
    res = run("data", "check", str(f), "--indicators", str(vocab_file))
    assert res.exit_code == 0 and res.stdout.strip() == "1 file OK, 1 rows"
    res = run("data", "show", str(f), "--indicators", str(vocab_file), "--no-quotes")
    assert res.exit_code == 0 and "新能源汽车产量" in res.stdout
    vocab_file.write_text(",".join(clean_vocabulary.INDICATOR_COLUMNS) + "\nx,,x,count,na,no,,,,\n", encoding="utf-8")
    clean_vocabulary.reset_indicators()
    res = run("data", "check", str(f), "--indicators", str(vocab_file))
    assert res.exit_code == 2
    assert res.stderr.strip() == f"{vocab_file}:2: name_zh: missing the Chinese name bulletins print"
