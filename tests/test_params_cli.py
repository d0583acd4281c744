"""``rebound params``: show, get, set, validate and diff, on real files with real values."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from rebound.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
CC22 = ROOT / "params" / "changchun_2022.toml"
SC22 = ROOT / "scenarios" / "changchun_2022"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["params", *map(str, args)], catch_exceptions=False)


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of params/changchun_2022.toml and one scenario laid out as in the repository."""
    (tmp_path / "params").mkdir()
    (tmp_path / "scenarios" / "changchun_2022").mkdir(parents=True)
    shutil.copy(CC22, tmp_path / "params" / "changchun_2022.toml")
    (tmp_path / "data" / "observed").mkdir(parents=True)  # validate checks episode.observed too
    shutil.copy(CC22.parents[1] / "data" / "observed" / "changchun_2022.csv", tmp_path / "data" / "observed")
    for name in ("no_vouchers.toml", "lockdown_two_weeks_shorter.toml"):
        shutil.copy(SC22 / name, tmp_path / "scenarios" / "changchun_2022" / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def line_of(text: str, start: str) -> int:
    return next(i for i, ln in enumerate(text.split("\n"), 1) if ln.startswith(start))


# ---------------------------------------------------------------- get


def test_get_prints_resolved_values() -> None:
    assert run("get", CC22, "levers.vouchers.rounds[0].amount_100m").output == "2.3\n"
    assert run("get", SC22 / "lockdown_two_weeks_shorter.toml", "lockdown.phases[0].end").output == "2022-04-01\n"
    assert run("get", SC22 / "no_vouchers.toml", "levers.vouchers.enabled").output == "false\n"
    assert run("get", SC22 / "double_vouchers.toml", "levers.vouchers.scale").output == "2.0\n"
    # a schema default that the file leaves out
    assert run("get", ROOT / "params" / "jinzhong_2022.toml", "levers.projects.description").exit_code == 0
    table = run("get", CC22, "levers.vouchers.rounds").output.splitlines()
    assert table == [
        "levers.vouchers.rounds[0].date = 2022-05-20",
        "levers.vouchers.rounds[0].amount_100m = 2.3",
        "levers.vouchers.rounds[0].redemption_days = 40",
    ]


def test_get_unknown_key_exits_2_with_suggestion() -> None:
    r = run("get", CC22, "levers.voucher.scale")
    assert r.exit_code == 2
    assert r.stderr.endswith("params/changchun_2022.toml: levers.voucher.scale: unknown key (did you mean 'levers.vouchers.scale'?)\n")
    assert "Traceback" not in r.output


def test_missing_file_exits_2_without_traceback(tmp_path: Path) -> None:
    for args in (("get", tmp_path / "nope.toml", "a.b"), ("show", tmp_path / "nope.toml"), ("validate", tmp_path / "nope.toml"), ("set", tmp_path / "nope.toml", "a.b=1")):
        r = run(*args)
        assert r.exit_code == 2, args
        assert r.stderr.strip().endswith("nope.toml: file not found"), args


# ---------------------------------------------------------------- show


def test_show_table_has_unit_meaning_and_source() -> None:
    r = run("show", CC22, "--only", "levers.vouchers.rounds[0].amount_100m")
    assert r.exit_code == 0
    row = r.output.splitlines()[2]
    assert row.split()[:3] == ["levers.vouchers.rounds[0].amount_100m", "2.3", "亿元"]
    assert "voucher face value issued in this round" in row
    assert "001「定向投放大宗商品消费券2.3亿元,拉动消费26.5亿元」" in row
    assert row.rstrip().endswith(f"params/changchun_2022.toml:{line_of(CC22.read_text(encoding='utf-8'), 'amount_100m = 2.3')}")


def test_show_json_marks_scenario_overrides() -> None:
    r = run("show", SC22 / "lockdown_two_weeks_shorter.toml", "--format", "json")
    assert r.exit_code == 0
    out = json.loads(r.output)
    assert out["scenario"] == "lockdown_two_weeks_shorter"
    rows = {v["key"]: v for v in out["values"]}
    end = rows["lockdown.phases[0].end"]
    assert end["value"] == "2022-04-01" and end["overridden"] is True
    sc_text = (SC22 / "lockdown_two_weeks_shorter.toml").read_text(encoding="utf-8")
    assert end["file"].endswith("scenarios/changchun_2022/lockdown_two_weeks_shorter.toml")
    assert end["line"] == line_of(sc_text, '"lockdown.phases[0].end"')
    assert end["src"] == "2022-04-15 -> 2022-04-01"
    start = rows["lockdown.phases[0].start"]
    assert start["overridden"] is False and start["file"].endswith("params/changchun_2022.toml")
    assert rows["sectors.industry.time_constant_days"]["unit"] == "days"
    # keys the file leaves at their schema default are listed too
    assert rows["levers.vouchers.pull_forward_days"]["value"] == 120
    assert rows["episode.year"]["src"].startswith("001_b66a70e138ba882a.txt")


def test_show_table_marks_overrides_with_star() -> None:
    r = run("show", SC22 / "no_vouchers.toml", "--only", "levers.vouchers.enabled")
    lines = r.output.splitlines()
    assert lines[0].startswith("scenario 'no_vouchers': ") and lines[0].endswith("params/changchun_2022.toml <- scenarios/changchun_2022/no_vouchers.toml")
    row = next(ln for ln in lines if "levers.vouchers.enabled" in ln)
    assert row.startswith("* levers.vouchers.enabled")
    assert row.split()[2] == "false"


# ---------------------------------------------------------------- diff


def test_diff_baseline_vs_no_vouchers() -> None:
    r = run("diff", SC22 / "baseline.toml", SC22 / "no_vouchers.toml", "--format", "json")
    assert r.exit_code == 0
    assert json.loads(r.output)["differences"] == [{"key": "levers.vouchers.enabled", "a": True, "b": False, "only_in": None}]
    table = run("diff", SC22 / "baseline.toml", SC22 / "no_vouchers.toml").output.splitlines()
    assert len(table) == 3
    assert table[2].split() == ["levers.vouchers.enabled", "true", "false"]


def test_diff_lockdown_shift_and_episodes() -> None:
    out = json.loads(run("diff", CC22, SC22 / "lockdown_two_weeks_longer.toml", "--format", "json").output)["differences"]
    assert [(d["key"], d["a"], d["b"]) for d in out] == [
        ("lockdown.phases[0].end", "2022-04-15", "2022-04-29"),
        ("lockdown.phases[1].start", "2022-04-16", "2022-04-30"),
        ("lockdown.phases[1].end", "2022-05-10", "2022-05-24"),
    ]
    across = {d["key"]: d for d in json.loads(run("diff", ROOT / "params" / "jinzhong_2022.toml", CC22, "--format", "json").output)["differences"]}
    assert across["levers.vouchers.enabled"]["only_in"] == "b"
    assert across["gdp.primary_100m"]["a"] == 149.3 and across["gdp.primary_100m"]["b"] == 523.74
    same = run("diff", CC22, SC22 / "baseline.toml")
    assert same.exit_code == 0 and same.output.startswith("no differences")


# ---------------------------------------------------------------- validate


def test_validate_ok_and_problems(work: Path) -> None:
    ok = run("validate", "params/changchun_2022.toml", "scenarios/changchun_2022/no_vouchers.toml", "--require-src")
    assert ok.exit_code == 0
    assert ok.output.splitlines() == [
        "params/changchun_2022.toml: OK (parameter file, episode changchun_2022, 5 lever(s))",
        "scenarios/changchun_2022/no_vouchers.toml: OK (scenario 'no_vouchers' on params/changchun_2022.toml, 1 value(s) set here)",
    ]
    p = work / "params" / "changchun_2022.toml"
    text = p.read_text(encoding="utf-8")
    p.write_text(text.replace("scale = 1.0  # factor · multiplies the voucher money", "scale = -1.0  # factor · multiplies the voucher money", 1), encoding="utf-8")
    (work / "bad.toml").write_text('base = "params/nope.toml"\n', encoding="utf-8")
    r = run("validate", "params/changchun_2022.toml", "bad.toml", "scenarios/changchun_2022/no_vouchers.toml")
    assert r.exit_code == 2
    line = line_of(text, "scale = 1.0  # factor · multiplies the voucher money")
    # the scenario on the broken file reports the same problem, in the file that has it
    assert r.stderr.splitlines() == [
        "bad.toml:1: base: base file not found: params/nope.toml (looked for params/nope.toml)",
        f"params/changchun_2022.toml:{line}: levers.vouchers.scale: Input should be greater than or equal to 0 (got -1.0)",
        f"params/changchun_2022.toml:{line}: levers.vouchers.scale: Input should be greater than or equal to 0 (got -1.0)",
    ]


# ---------------------------------------------------------------- set


def test_set_changes_only_that_line_and_keeps_its_comment(work: Path) -> None:
    p = work / "params" / "changchun_2022.toml"
    before = p.read_text(encoding="utf-8").split("\n")
    os.chmod(p, 0o644)
    r = run("set", "params/changchun_2022.toml", "levers.vouchers.scale=2")
    assert r.exit_code == 0, r.stderr
    assert r.output == "params/changchun_2022.toml: levers.vouchers.scale: 1.0 -> 2.0\n"
    after = p.read_text(encoding="utf-8").split("\n")
    assert len(after) == len(before)
    diff = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert diff == [
        (
            "scale = 1.0  # factor · multiplies the voucher money · src: scenario knob (1 = as reported)",
            "scale = 2.0  # factor · multiplies the voucher money · src: scenario knob (1 = as reported)",
        )
    ]
    assert os.stat(p).st_mode & 0o777 == 0o644
    assert run("get", "params/changchun_2022.toml", "levers.vouchers.scale").output == "2.0\n"
    assert not [f for f in os.listdir(p.parent) if f.startswith(".")], "temporary file left behind"


def test_set_dates_strings_lists_and_defaults(work: Path) -> None:
    p = work / "params" / "changchun_2022.toml"
    before = p.read_text(encoding="utf-8").split("\n")
    r = run(
        "set", "params/changchun_2022.toml",
        "lockdown.phases[0].end=2022-04-20", "lockdown.phases[1].start=2022-04-21",
        "episode.region=Changchun", 'episode.description="two words"',
        "sectors.consumption.seasonal=[1,1,1,1,1,1,1,1,1,1,1,1.2]",
    )
    assert r.exit_code == 0, r.stderr
    after = p.read_text(encoding="utf-8").split("\n")
    changed = [b for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [
        'region = "Changchun"',
        'description = "two words"',
        "seasonal = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.2]  # index · daily rate by month Jan..Dec in 2019 · src: assumption",
        "end = 2022-04-20  # date · phase end (inclusive) · src: assumption",
        "start = 2022-04-21  # date · FAW and key suppliers restart in closed loop · src: assumption; 001「一汽五大主机厂日整车产量1个月内由100辆恢复到6000辆满产状态」",
    ]


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("sectors.industry.headroom=1.5", ":{headroom}: sectors.industry.headroom: Input should be less than or equal to 1 (got 1.5)"),
        ("lockdown.phases[0].end=2022-04-25", ": lockdown.phases[1].start: overlaps phase 0 ('citywide static management', ends 2022-04-25); start the day after"),
        ("sectors.industry.headroom=abc", ":{headroom}: sectors.industry.headroom: 'abc' is not a TOML value"),
        ("sectors.industry.headrom=0.1", ": sectors.industry.headrom: unknown key (did you mean 'sectors.industry.headroom'?)"),
        ("levers.voucher.scale=1", ": levers.voucher.scale: no lever 'voucher' in this file (did you mean 'vouchers'?)"),
        ("lockdown.phases[5].end=2022-01-01", ": lockdown.phases[5].end: index 5 is out of range: lockdown.phases has 2 entries"),
        ("gdp=1", ":{gdp}: gdp: is a table; set its values one by one (e.g. gdp.primary_100m=...)"),
        ("episode.year=2022.5", ": episode.year: Input should be a valid integer (got 2022.5)"),
        ("levers.vouchers.enabled=yes", ": levers.vouchers.enabled: 'yes' is not a TOML value"),
        ("sectors.industry.headroom=0.1\ngdp.inflation_pct = 5", ":{headroom}: sectors.industry.headroom: "),
        ("novalue", ": novalue: expected KEY=VALUE"),
    ],
)
def test_set_rejects_and_leaves_file_byte_identical(work: Path, assignment: str, message: str) -> None:
    p = work / "params" / "changchun_2022.toml"
    before = p.read_bytes()
    text = before.decode("utf-8")
    message = message.format(headroom=line_of(text, "headroom = "), gdp=line_of(text, "[gdp]"))
    r = run("set", "params/changchun_2022.toml", "levers.vouchers.scale=3", assignment)
    assert r.exit_code == 2
    assert p.read_bytes() == before
    assert message in r.stderr, r.stderr
    assert r.stderr.startswith("params/changchun_2022.toml")
    assert "Traceback" not in r.output
    assert not [f for f in os.listdir(p.parent) if f.startswith(".")]


def test_set_in_scenario_edits_its_set_table(work: Path) -> None:
    s = work / "scenarios" / "changchun_2022" / "no_vouchers.toml"
    before = s.read_text(encoding="utf-8").split("\n")
    r = run("set", s, "levers.vouchers.enabled=true", "levers.vouchers.scale=0.5")
    assert r.exit_code == 0, r.stderr
    after = s.read_text(encoding="utf-8").split("\n")
    assert after[: len(before) - 1] == [ln.replace('"levers.vouchers.enabled" = false', '"levers.vouchers.enabled" = true') for ln in before[:-1]]
    assert '"levers.vouchers.scale" = 0.5' in after
    assert run("get", s, "levers.vouchers.scale").output == "0.5\n"
    # the parameter file underneath is untouched
    assert (work / "params" / "changchun_2022.toml").read_bytes() == CC22.read_bytes()


def test_set_in_scenario_refuses_shifted_key_and_bad_value(work: Path) -> None:
    s = work / "scenarios" / "changchun_2022" / "lockdown_two_weeks_shorter.toml"
    before = s.read_bytes()
    shift_line = line_of(before.decode("utf-8"), '"lockdown.phases[0].end"')
    r = run("set", s, "lockdown.phases[0].end=2022-04-05")
    assert r.exit_code == 2 and s.read_bytes() == before
    assert f'lockdown.phases[0].end: is also moved by [shift_days] "lockdown.phases[0].end" (line {shift_line})' in r.stderr
    r = run("set", s, "levers.vouchers.enabeld=false")
    assert r.exit_code == 2 and s.read_bytes() == before
    # no line number: the added line exists only in the rejected candidate
    assert r.stderr.endswith("lockdown_two_weeks_shorter.toml: levers.vouchers.enabeld: unknown key in [set] (did you mean 'levers.vouchers.enabled'?)\n")


def test_every_subcommand_has_help_with_an_example() -> None:
    for sub in ("show", "get", "set", "validate", "diff"):
        r = run(sub, "--help")
        assert r.exit_code == 0
        assert "Examples:" in r.output and f"rebound params {sub}" in r.output, sub
