"""Loader tests: every shipped file validates, every broken input gets its exact message and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rebound.params.load import (
    PathError,
    field_info,
    format_path,
    get_path,
    leaf_paths,
    load,
    parse_path,
    parse_toml,
    undocumented_numbers,
    with_values,
)
from rebound.params.tomlines import inline_comment, key_lines
from rebound.problems import InputError

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus" / "params"
PARAM_FILES = sorted((ROOT / "params").glob("*.toml"))
SCENARIO_FILES = sorted((ROOT / "scenarios").glob("*/*.toml"))


def problems_of(path: str | Path) -> list[str]:
    with pytest.raises(InputError) as err:
        load(path)
    return [p.format() for p in err.value.problems]


# ---------------------------------------------------------------- shipped files


def test_shipped_files_exist() -> None:
    assert PARAM_FILES, "no parameter files under params/"
    assert SCENARIO_FILES, "no scenario files under scenarios/"


@pytest.mark.parametrize("path", PARAM_FILES + SCENARIO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_file_loads_and_validates(path: Path) -> None:
    loaded = load(path)
    assert loaded.params.episode.name
    if path.parent.parent.name == "scenarios":
        episode = path.parent.name
        assert loaded.param_file.resolve() == (ROOT / "params" / f"{episode}.toml").resolve()
        assert loaded.params.episode.name == episode
        assert path.read_text(encoding="utf-8").startswith("#"), "a scenario starts with a comment saying what it asks"


@pytest.mark.parametrize("path", PARAM_FILES, ids=lambda p: p.name)
def test_every_number_in_a_parameter_file_has_a_source(path: Path) -> None:
    src = parse_toml(path, path.name)
    missing = undocumented_numbers(src)
    assert not missing, "\n".join(p.format() for p in missing)
    # independent check of the same rule: every numeric leaf's own line carries "src:"
    lines = src.text.split("\n")
    checked = 0
    for key, value in leaf_paths(src.data).items():
        items = value if isinstance(value, list) else [value]
        if key.startswith("calibration.record") or not items:
            continue
        if all(isinstance(x, int | float) and not isinstance(x, bool) for x in items):
            line = src.lines[key]
            assert "src:" in inline_comment(lines[line - 1]), f"{path.name}:{line}: {key}"
            checked += 1
    assert checked > 20


def test_scenarios_do_what_their_names_say() -> None:
    base = load(ROOT / "params" / "changchun_2022.toml").params
    sc = ROOT / "scenarios" / "changchun_2022"
    assert not load(sc / "baseline.toml").overridden
    assert load(sc / "no_vouchers.toml").params.levers["vouchers"].enabled is False
    assert load(sc / "double_vouchers.toml").params.levers["vouchers"].scale == 2.0
    push = load(sc / "no_project_push.toml").params.levers
    assert not push["projects"].enabled and not push["special_bonds"].enabled and push["vouchers"].enabled
    assert not any(lever.enabled for lever in load(sc / "no_policy.toml").params.levers.values())
    for name, days in (("lockdown_two_weeks_shorter", -14), ("lockdown_two_weeks_longer", 14)):
        ph = load(sc / f"{name}.toml").params.lockdown.phases
        d = dt.timedelta(days=days)
        assert ph[0].start == base.lockdown.phases[0].start
        assert ph[0].end == base.lockdown.phases[0].end + d
        assert (ph[1].start, ph[1].end) == (base.lockdown.phases[1].start + d, base.lockdown.phases[1].end + d)


# ---------------------------------------------------------------- broken inputs

BROKEN: dict[str, list[str]] = {
    "broken_syntax.toml": ["broken_syntax.toml:4: TOML syntax error: Expected newline or end of document after a statement"],
    "broken_wrong_type.toml": ["broken_wrong_type.toml:10: gdp.trend_growth_pct: Input should be a valid number (got '5.0'); write it without quotes: 5.0"],
    "broken_out_of_range.toml": ["broken_out_of_range.toml:19: sectors.industry.headroom: Input should be less than or equal to 1 (got 1.5)"],
    "broken_unknown_key.toml": [
        "broken_unknown_key.toml:14: sectors.industry.headroom: required key is missing",
        "broken_unknown_key.toml:19: sectors.industry.headroomm: unknown key (did you mean 'headroom'?)",
    ],
    "broken_reversed_dates.toml": ["broken_reversed_dates.toml:72: levers.tax_relief.tranches[0].end: end 2022-03-31 is before start 2022-04-01"],
    "broken_overlapping_phases.toml": ["broken_overlapping_phases.toml:52: lockdown.phases[1].start: overlaps phase 0 ('static', ends 2022-04-15); start the day after"],
    "broken_nan.toml": ["broken_nan.toml:64: levers.vouchers.rounds[0].amount_100m: must be a finite number (NaN and inf are not allowed)"],
    "broken_negative_amount.toml": ["broken_negative_amount.toml:73: levers.tax_relief.tranches[0].amount_100m: Input should be greater than or equal to 0 (got -50.0)"],
    "broken_outside_horizon.toml": ["broken_outside_horizon.toml:63: levers.vouchers.rounds[0].date: 2023-05-20 is outside the horizon 2021-01-01..2022-12-31 (episode.first_year..last_year)"],
    "broken_base_not_found.toml": ["broken_base_not_found.toml:2: base: base file not found: no_such_file.toml (looked for no_such_file.toml)"],
    "broken_base_missing.toml": ['broken_base_missing.toml: base: a scenario file needs base = "<parameter file or scenario it changes, relative to this file>"'],
    "broken_cycle_a.toml": ["broken_cycle_b.toml:2: base: scenario bases form a cycle: broken_cycle_a.toml -> broken_cycle_b.toml -> broken_cycle_a.toml"],
    "broken_scenario_keys.toml": [
        "broken_scenario_keys.toml:5: levers.vouchers.enabeld: unknown key in [set] (did you mean 'levers.vouchers.enabled'?)",
        "broken_scenario_keys.toml:6: levers.projects.enabled: no lever 'projects' in this episode (levers: tax_relief, vouchers)",
        "broken_scenario_keys.toml:7: levers.vouchers.scale: Input should be a valid number (got 'two')",
        "broken_scenario_keys.toml:10: lockdown.phases[0].end: shift must be a whole number of days (got 1.5)",
    ],
    # the cause is the scenario's shift, so the scenario line is blamed, not valid.toml
    "broken_scenario_overlap.toml": ["broken_scenario_overlap.toml:5: lockdown.phases[0].end: ends 2022-04-25, overlapping phase 1 ('restart', starts 2022-04-16); end the day before"],
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_file_gets_exact_message_and_line(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    assert problems_of(name) == BROKEN[name]


def test_corpus_covers_every_broken_file() -> None:
    on_disk = {p.name for p in CORPUS.glob("broken_*.toml")} - {"broken_cycle_b.toml", "broken_missing_src.toml"}
    assert on_disk == set(BROKEN)


def test_number_without_source_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    load("broken_missing_src.toml")  # valid as parameters
    missing = undocumented_numbers(parse_toml(CORPUS / "broken_missing_src.toml", "x"))
    assert [p.format() for p in missing] == [
        'broken_missing_src.toml:19: sectors.industry.headroom: number without a source: add an inline comment "# unit · meaning · src: ..."'
    ]


def test_empty_missing_and_non_utf8_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.toml").write_text("  \n", encoding="utf-8")
    (tmp_path / "latin1.toml").write_bytes(b"[episode]\nname = \"caf\xe9\"\n")
    assert problems_of("empty.toml") == ["empty.toml: file is empty"]
    assert problems_of("nothere.toml") == ["nothere.toml: file not found"]
    assert problems_of("latin1.toml") == ["latin1.toml:2: not valid UTF-8 text (save the file as UTF-8)"]


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    text = (CORPUS / "valid.toml").read_text(encoding="utf-8")
    (tmp_path / "bom.toml").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert load(tmp_path / "bom.toml").params.episode.name == "corpus"


# ---------------------------------------------------------------- scenario resolution


def test_scenario_dotted_keys_defaults_and_table_shift() -> None:
    base = load(CORPUS / "valid.toml")
    sc = load(CORPUS / "scenario_ok.toml")
    p = sc.params
    # an unquoted dotted key used to replace the whole 'levers' table
    assert set(p.levers) == {"vouchers", "tax_relief"}
    assert p.levers["vouchers"].enabled is False and p.levers["tax_relief"].enabled is True
    assert p.calibration.model_error_pp == 1.0  # a schema default the file leaves out
    seven = dt.timedelta(days=7)
    ph0, ph1 = base.params.lockdown.phases
    assert p.lockdown.phases[1].start == ph1.start + seven and p.lockdown.phases[1].end == ph1.end + seven
    assert p.lockdown.phases[0] == ph0
    assert sc.overridden == {"levers.vouchers.enabled", "calibration.model_error_pp", "lockdown.phases[1].start", "lockdown.phases[1].end"}
    assert sc.origin["levers.vouchers.enabled"][1] == 6
    assert sc.origin["lockdown.phases[1].end"][1] == 10


def test_chained_scenario_adds_up() -> None:
    loaded = load(CORPUS / "chained_ok.toml")
    assert [f.path.name for f in loaded.files] == ["valid.toml", "scenario_ok.toml", "chained_ok.toml"]
    assert loaded.params.levers["vouchers"].scale == 3.0
    assert loaded.params.levers["vouchers"].enabled is False  # from the scenario below it
    assert loaded.origin["levers.vouchers.scale"][1] == 5


def test_problem_caused_by_scenario_in_base_file_is_marked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "valid.toml").write_text((CORPUS / "valid.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "late.toml").write_text('base = "valid.toml"\n[set]\n"episode.year" = 2020\n', encoding="utf-8")
    out = problems_of("late.toml")
    assert "valid.toml:43: lockdown.phases[0].start: 2022-03-11 is outside the horizon 2019-01-01..2020-12-31 (episode.first_year..last_year) (after the overrides in late.toml)" in out


# ---------------------------------------------------------------- key paths and helpers


def test_parse_path_accepts_and_rejects() -> None:
    assert parse_path("levers.vouchers.rounds[0].amount_100m") == ["levers", "vouchers", "rounds", 0, "amount_100m"]
    assert parse_path("[0].stringency.industry") == [0, "stringency", "industry"]  # relative, for with_values
    for bad in ("", "a..b", "a.", ".a", "a[-1]", "a [0]", "a.b c", "a[x]"):
        with pytest.raises(PathError):
            parse_path(bad)


@given(st.lists(st.one_of(st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True), st.integers(0, 99)), min_size=1, max_size=6).filter(lambda p: isinstance(p[0], str)))
def test_format_and_parse_round_trip(parts: list[str | int]) -> None:
    assert parse_path(format_path(parts)) == parts


def test_get_path_raises_key_error_only() -> None:
    p = load(CORPUS / "valid.toml").params
    assert get_path(p, "lockdown.phases[1].stringency.industry") == 0.4
    for bad in ("episode.nope", "episode.year[0]", "lockdown.phases[9]", "levers.nope.scale", "a..b"):
        with pytest.raises(KeyError):
            get_path(p, bad)


def test_with_values_replaces_only_named_values() -> None:
    p = load(CORPUS / "valid.toml").params
    q = with_values(p, {"lockdown.phases[1].stringency.industry": 0.1, "sectors.industry.seasonal[2]": 2.0, "levers.vouchers.scale": 4.0})
    assert q.lockdown.phases[1].stringency.industry == 0.1
    assert q.lockdown.phases[1].stringency.consumption == 0.3
    assert q.sectors.industry.seasonal[2] == 2.0 and q.sectors.industry.seasonal[1] == 1.0
    assert q.levers["vouchers"].scale == 4.0 and p.levers["vouchers"].scale == 1.0


def test_field_info_uses_the_lever_type() -> None:
    raw = load(ROOT / "params" / "changchun_2022.toml").raw
    assert field_info("levers.housing.amount_100m", raw) == ("亿元", "purchase subsidies paid")
    assert field_info("levers.vouchers.rounds[0].amount_100m", raw)[0] == "亿元"
    assert field_info("sectors.industry.seasonal[3]")[0] == "index"
    assert field_info("no.such.key") == ("", "")


def test_key_lines_nested_arrays_and_brackets_in_strings() -> None:
    text = '[[a]]\nx = 1\n[[a.b]]\ny = 2\n[[a]]\n[[a.b]]\ny = 3\narr = [  # a [ in a comment\n  "]",\n]\nafter = 1\n'
    lines = key_lines(text)
    assert lines["a[0].b[0].y"] == 4
    assert lines["a[1].b[0].y"] == 7
    assert lines["a[1].b[0].after"] == 11
    assert inline_comment('s = "a # b"  # real') == "real"
