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


def test_every_chart_is_a_valid_png_and_draws_without_warnings(base: Loaded, comparison) -> None:  # type: ignore[no-untyped-def]
    from rebound.cli import chart_levers, chart_scenarios

    year = base.params.episode.year
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "Glyph ... missing from font" would fail here
        pngs = {
            "paths": chart_scenarios.paths_png(comparison, base.params.lockdown.phases, year, "t"),
            "deltas": chart_scenarios.deltas_png(comparison.table, year, "t"),
            "waterfall": chart_levers.waterfall_png(attribute(base, "gdp", "2022-01", "2022-06", "yoy_cum_pct", 20, 3), "t"),
            "sweep_num": chart_levers.sweep_png(sweep(base, "levers.vouchers.scale", 0, 2, 5)),
            "sweep_date": chart_levers.sweep_png(sweep(base, "lockdown.phases[1].end", "2022-04-26", "2022-05-24", 3)),
        }
    for data in pngs.values():
        check_png(data)


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
    out = tmp_path / "sweep"
    r = CliRunner().invoke(main, ["sweep", str(CC22), "--set", "levers.tax_relief.scale=0:2:3", "--out", str(out)])
    assert r.exit_code == 0, r.output
    check_png((out / "sweep.png").read_bytes())


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
    for name in ("Fit: reported vs model", "Scenarios", "Attribution", "no_vouchers", "-15.7"):
        assert name in html
    assert (tmp_path / "rep" / "report.provenance.json").exists()
    assert not [p for p in (tmp_path / "rep").iterdir() if p.name.startswith(".")]  # no temp files left
