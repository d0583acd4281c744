"""Issue 18: every broken input of the corpus (tests/corpus/robustness/cases.py) is handled cleanly.

Cleanly: exit status 2, nothing on stdout, one ``file:line: key: message`` line per problem on
stderr (never a traceback, never a line broken in two), and the expected message. Fuzzing of
the TOML and CSV loaders is in tests/test_robustness_fuzz.py; kills and concurrency in
tests/test_robustness_stress.py.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from rebound.cli.main import main

sys.path.insert(0, str(Path(__file__).parent / "corpus" / "robustness"))
from cases import CASES, Case  # noqa: E402

LINE = re.compile(r"^\S[^\n]*?: \S")  # `where: message` (where = file[:line] or `rebound verb`)


def invoke(argv: tuple[str, ...]) -> tuple[int, str, str, BaseException | None]:
    res = CliRunner().invoke(main, list(argv), catch_exceptions=True)
    exc = res.exception if not isinstance(res.exception, SystemExit) else None
    return res.exit_code, res.stdout, res.stderr, exc


@pytest.mark.parametrize("case", CASES, ids=[f"{c.family}: {c.name}" for c in CASES])
def test_corpus_case_is_handled_cleanly(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    case.build(tmp_path)
    code, out, err, exc = invoke(case.argv)
    assert exc is None, f"{type(exc).__name__}: {exc}"
    assert "Traceback" not in err
    if not case.expect:  # accepted input
        assert code == 0, err
        return
    assert code == 2, (code, out, err)
    assert out == ""
    lines = err.splitlines()
    assert 1 <= len(lines) <= 20
    assert all(LINE.match(line) for line in lines), lines
    assert any(case.expect in line for line in lines), lines


def test_corpus_covers_every_family() -> None:
    families = {c.family for c in CASES}
    assert families == {"symlink loop", "depth", "numbers", "posterior", "one line", "files", "csv"}
    assert len(CASES) >= 36


# ---------------------------------------------------------------- reproducibility, temp files


def test_timestamps_follow_source_date_epoch_and_can_be_left_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from rebound import api
    from rebound.cli.scenario_common import provenance_for
    from rebound.writers import build_time

    monkeypatch.chdir(tmp_path)
    p = __import__("cases").episode(tmp_path)
    loaded = api.load(p)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1647000000")
    assert build_time() == dt.datetime(2022, 3, 11, 12, 0, tzinfo=dt.UTC)
    prov = provenance_for([loaded], 7, 0, "compare")
    assert prov["created"] == "2022-03-11T12:00:00+00:00"
    # input hashes keyed by the path relative to the working directory, wherever it was named from
    assert sorted(prov["inputs"]) == ["data/observed/changchun_2022.csv", "params/p.toml"]
    assert provenance_for([api.load(tmp_path / "params" / ".." / "params" / "p.toml")], 7, 0, "compare") == prov | {"argv": prov["argv"]}
    monkeypatch.setenv("REBOUND_NO_TIMESTAMP", "1")
    assert build_time() is None
    assert "created" not in provenance_for([loaded], 7, 0, "compare")


def test_calibration_record_date_follows_the_same_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tomllib

    from rebound import api
    from rebound.fit.calfile import calibrated_text
    from rebound.fit.calibrate import Calibration

    monkeypatch.chdir(tmp_path)
    loaded = api.load(__import__("cases").episode(tmp_path))
    cal = Calibration(figures=[], params=[], objective=0.0, converged=True, message="", n_runs=0, n_draws_total=0)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1647000000")
    assert tomllib.loads(calibrated_text(loaded, cal))["calibration"]["record"]["date"] == "2022-03-11"
    monkeypatch.setenv("REBOUND_NO_TIMESTAMP", "1")
    assert "date" not in tomllib.loads(calibrated_text(loaded, cal))["calibration"]["record"]


def test_run_out_is_byte_identical_on_rerun(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    __import__("cases").episode(tmp_path)
    for out in ("a", "b"):
        code, _, err, exc = invoke(("run", "params/p.toml", "--ensemble", "2", "--seed", "3", "--out", out))
        assert code == 0 and exc is None, err
    for name in ("indicators.csv", "paths.csv", "summary.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_killed_edit_copy_is_reused_and_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    p = __import__("cases").episode(tmp_path)
    leftover = p.parent / ".p.rebound-edit.toml"  # what a SIGKILL during params set leaves
    leftover.write_text("half a file [")
    code, out, err, exc = invoke(("params", "set", "params/p.toml", "levers.vouchers.scale=2"))
    assert code == 0 and exc is None, err
    assert not leftover.exists()
    assert sorted(x.name for x in p.parent.iterdir()) == ["p.toml"]


def test_problem_lines_escape_line_breaks() -> None:
    from rebound.problems import Problem

    p = Problem("a\nb.toml", 3, "k\ney", "bad\r\nvalue\u2028x")
    assert p.format() == "a\\nb.toml:3: k\\ney: bad\\r\\nvalue\\u2028x"


def test_calibrate_write_refuses_when_the_file_changed_meanwhile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Compare-and-swap: an edit made while calibrate was fitting is never overwritten."""
    from rebound import api
    from rebound.fit.calfile import write_calibrated
    from rebound.fit.calibrate import Calibration
    from rebound.problems import InputError

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REBOUND_NO_TIMESTAMP", "1")
    p = __import__("cases").episode(tmp_path)
    loaded = api.load(p)
    cal = Calibration(figures=[], params=[], objective=0.0, converged=True, message="", n_runs=0, n_draws_total=0)
    edited = p.read_text(encoding="utf-8").replace("scale = 1.0  # factor · multiplies the voucher money", "scale = 1.5  # factor · multiplies the voucher money", 1)
    p.write_text(edited, encoding="utf-8")  # a params set while the fit ran
    with pytest.raises(InputError) as err:
        write_calibrated(loaded, cal, p)
    assert [q.format() for q in err.value.problems] == ["params/p.toml: the file changed after calibrate read it (another edit?); nothing written: run calibrate --write again"]
    assert p.read_text(encoding="utf-8") == edited
    write_calibrated(api.load(p), cal, p)  # unchanged since read: written
    assert "[calibration.record]" in p.read_text(encoding="utf-8") and "scale = 1.5" in p.read_text(encoding="utf-8")
    assert sorted(x.name for x in p.parent.iterdir()) == ["p.toml"]
