"""Charts are valid PNGs of plausible size, drawn without warnings; the HTML report is self-contained."""

from __future__ import annotations

import dataclasses
import re
import struct
import warnings
from pathlib import Path

import pytest

from rebound.params import Loaded, load, revalidate
from rebound.scenarios import attribute, compare_runs, sweep

ROOT = Path(__file__).resolve().parents[1]
CC22 = ROOT / "params" / "changchun_2022.toml"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC, "not a PNG"
    assert data[12:16] == b"IHDR"
    w, h = struct.unpack(">II", data[16:24])
    assert data.rstrip(b"\x00")[-8:-4] == b"IEND" or b"IEND" in data[-16:]
    return w, h


def check_png(data: bytes, min_w: int = 500, min_h: int = 300) -> None:
    w, h = png_size(data)
    assert min_w <= w <= 3000 and min_h <= h <= 3000, (w, h)
    assert 10_000 < len(data) < 5_000_000


@pytest.fixture(scope="module")
def base() -> Loaded:
    return load(CC22)


@pytest.fixture(scope="module")
def comparison(base: Loaded):  # type: ignore[no-untyped-def]
    scs = [
        dataclasses.replace(base, params=revalidate(base, {"levers.vouchers.enabled": False}), overridden={"levers.vouchers.enabled"}, scenario_name="no_vouchers"),
        dataclasses.replace(base, params=revalidate(base, {f"levers.{n}.enabled": False for n in base.params.levers}), scenario_name="no_policy"),
    ]
    return compare_runs(base, scs, 20, 3)


def all_charts(base: Loaded, comparison) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    from rebound import api
    from rebound.cli import chart_effects, chart_levers, chart_scenarios

    year = base.params.episode.year
    phases = base.params.lockdown.phases
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "Glyph ... missing from font" would fail here
        return {
            "fit": chart_effects.fit_png(api.run(base, 20, 3).output.indicators, phases, year, "t"),
            "effect": chart_effects.effect_png(comparison, phases, year, "t"),
            "paths": chart_scenarios.paths_png(comparison, base.params.lockdown.phases, year, "t"),
            "deltas": chart_scenarios.deltas_png(comparison.table, year, "t"),
            "waterfall": chart_levers.waterfall_png(attribute(base, "gdp", "2022-01", "2022-06", "yoy_cum_pct", 20, 3), "t"),
            "sweep_num": chart_levers.sweep_png(sweep(base, "levers.vouchers.scale", 0, 2, 5)),
            "sweep_date": chart_levers.sweep_png(sweep(base, "lockdown.phases[1].end", "2022-04-26", "2022-05-24", 3)),
        }


def test_every_chart_is_a_valid_png_and_draws_without_warnings(base: Loaded, comparison) -> None:  # type: ignore[no-untyped-def]
    for data in all_charts(base, comparison).values():
        check_png(data)


def test_every_chart_draws_chinese_labels_without_a_missing_glyph(base: Loaded, comparison) -> None:  # type: ignore[no-untyped-def]
    """With a CJK font every chart carries Chinese text and no glyph is missing (warnings are errors)."""
    from rebound.cli import charts, fonts

    if fonts.cjk_font() is None:
        pytest.skip('no CJK font: install the extra (pip install "rebound[cjk]") or fonts-noto-cjk')
    assert charts.indicator_label("industry").endswith("规上工业增加值")
    assert charts.period_label("2022-01", "2022-06") == "2022年上半年"
    pngs = all_charts(base, comparison)  # a "Glyph ... missing" warning fails here
    assert len(pngs) == 7


def test_english_fallback_draws_every_chart_without_warnings(base: Loaded, comparison, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from rebound.cli import charts

    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    assert charts.zh_or_en("baseline", "基线") == "baseline"
    assert charts.period_label("2022-01", "2022-06") == "H1 2022"
    for data in all_charts(base, comparison).values():
        check_png(data)


def test_one_colour_per_scenario_whatever_the_order() -> None:
    from rebound.cli.charts import scenario_color

    assert scenario_color("no_vouchers") == "#d62728"
    assert scenario_color("baseline") == "#000000"
    assert scenario_color("my_own") == scenario_color("my_own")  # keyed by name, not by position


def test_labels_fall_back_to_english_without_a_cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    from rebound.cli import charts

    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    assert charts.label("GDP", "地区生产总值") == "GDP"
    assert charts.indicator_label("retail_above_quota") == "Above-quota retail"
    monkeypatch.setattr(charts, "cjk_font", lambda: "Noto Sans CJK SC")
    assert charts.label("GDP", "地区生产总值") == "GDP 地区生产总值"


def test_period_text() -> None:
    from rebound.cli.charts import period_text

    assert period_text("2022-01", "2022-06") == "H1 2022"
    assert period_text("2022-07", "2022-07") == "Jul 2022"
    assert period_text("2022-01", "2022-05") == "Jan-May 2022"
    assert period_text("2022-04", "2022-06") == "Q2 2022"


def test_cli_writes_chart_files(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from rebound.cli.main import main

    out = tmp_path / "attr"
    r = CliRunner().invoke(main, ["attribute", str(CC22), "--indicator", "retail_above_quota", "--period", "2022-01..2022-06", "--ensemble", "10", "--out", str(out)])
    assert r.exit_code == 0, r.output
    check_png((out / "attribution.png").read_bytes())
    import pandas as pd

    attr = pd.read_csv(out / "attribution.csv")  # labelled like indicators.csv: unit, names, period
    assert list(attr.columns[:6]) == ["indicator", "measure", "unit", "name_zh", "name_en", "period"]
    assert set(attr["name_zh"]) == {"限额以上社会消费品零售额"} and set(attr["period"]) == {"2022年上半年"}
    out = tmp_path / "sweep"
    r = CliRunner().invoke(main, ["sweep", str(CC22), "--set", "levers.tax_relief.scale=0:2:3", "--out", str(out)])
    assert r.exit_code == 0, r.output
    check_png((out / "sweep.png").read_bytes())
    sw = pd.read_csv(out / "sweep.csv")
    assert {"unit", "name_zh", "name_en", "period"} <= set(sw.columns) and sw["name_zh"].ne("").all()


def test_report_is_one_self_contained_html_file(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from rebound.cli.main import main

    sc = tmp_path / "no_vouchers.toml"
    sc.write_text(f'base = "{CC22.as_posix()}"\nname = "no_vouchers"\n[set]\n"levers.vouchers.enabled" = false\n', encoding="utf-8")
    out = tmp_path / "rep" / "report.html"
    r = CliRunner().invoke(main, ["report", str(sc), "--ensemble", "10", "--out", str(out)])
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    # no external assets: every src is an inline data URI; no links, scripts or web addresses
    srcs = re.findall(r'src="([^"]*)"', html)
    assert len(srcs) >= 4 and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert "http://" not in html and "https://" not in html
    assert "<link" not in html and "<script" not in html and "url(" not in html
    for name in ("Fit: reported vs model", "Scenarios", "Attribution", "Caveats", "Contents", "no_vouchers", "-15.7", "2022年上半年", "规模以上工业增加值 · value added of industry above designated size", "亿元"):
        assert name in html
    assert "retail_above_quota yoy_cum_pct" not in html.split('<h2 id="caveats"')[0].split('<h2 id="fit"')[1]  # no raw ids in the tables
    assert (tmp_path / "rep" / "report.provenance.json").exists()
    assert not [p for p in (tmp_path / "rep").iterdir() if p.name.startswith(".")]  # no temp files left


def test_report_out_takes_a_directory_or_a_file(tmp_path: Path) -> None:
    from rebound.cli.report_cmd import out_path

    (tmp_path / "d").mkdir()
    assert out_path(tmp_path / "d") == tmp_path / "d" / "report.html"
    assert out_path(tmp_path / "cc") == tmp_path / "cc.html"
    assert out_path(tmp_path / "cc.html") == tmp_path / "cc.html"
    assert out_path(f"{tmp_path}/newdir/") == tmp_path / "newdir" / "report.html"  # a new directory, by its slash


def test_report_with_holdout_has_the_score_card(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from rebound.cli.main import main

    src = (ROOT / "data" / "observed" / "changchun_2022.csv").read_text(encoding="utf-8").splitlines()
    hold = tmp_path / "hold.csv"
    hold.write_text("\n".join([src[0], *[r for r in src if r.startswith("industry,yoy_month_pct")]]) + "\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["report", str(ROOT / "scenarios" / "changchun_2022" / "no_vouchers.toml"), "--ensemble", "10", "--holdout", str(hold), "--lang", "en", "--out", str(tmp_path / "r")])
    assert r.exit_code == 0, r.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<h2 id="scorecard"' in html and "2 held-out figures" in html
    assert "out of sample: the 90% predictive intervals held" in html and "in-sample" in html
