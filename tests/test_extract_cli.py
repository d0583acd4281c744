"""``rebound data extract`` on bad input and unwritable targets: exit 2, one line, nothing written."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from rebound.extract.core import COLUMNS

TEXT = "1-7月，全市规上工业增加值同比增长5.9%。\n"


def _cli(args: list[str], input: str | bytes | None = None) -> tuple[int, str, str]:
    from rebound.cli.main import main

    res = CliRunner().invoke(main, ["data", "extract", *args], input=input)
    return res.exit_code, res.stdout, res.stderr


def _one_problem_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_stdin_closed_exits_2_with_one_line() -> None:
    res = subprocess.run(["bash", "-c", f'"{sys.executable}" -m rebound data extract - --year 2022 <&-'],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2, res.stderr
    line = _one_problem_line(res.stderr)
    assert line.startswith("-: standard input is closed")
    assert res.stdout == ""


def test_stdin_empty_exits_2() -> None:
    res = subprocess.run([sys.executable, "-m", "rebound", "data", "extract", "-", "--year", "2022"],
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    assert _one_problem_line(res.stderr) == "-: empty input: no text to extract from"


def test_stdin_not_utf8_names_the_line() -> None:
    code, out, err = _cli(["-", "--year", "2022"], input="第一行\n".encode() + b"\xff\xfe bad\n")
    assert code == 2 and out == ""
    line = _one_problem_line(err)
    assert line.startswith("-:2: not valid UTF-8 text (byte 0xff")


def test_gb18030_file_is_refused_with_its_line(tmp_path: Path) -> None:
    src = tmp_path / "gbk.txt"
    src.write_bytes("1-7月，全市规上工业增加值同比增长5.9%。".encode("gb18030"))
    code, out, err = _cli([str(src), "--year", "2022"])
    assert code == 2 and out == ""
    assert _one_problem_line(err).startswith(f"{src}:1: not valid UTF-8 text")


def _source(tmp_path: Path) -> Path:
    src = tmp_path / "a.txt"
    src.write_text(TEXT, encoding="utf-8")
    return src


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_append_to_read_only_file_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "obs.csv"
    target.write_text(",".join(COLUMNS) + "\n", encoding="utf-8")
    before = target.read_bytes()
    target.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        code, out, err = _cli([str(_source(tmp_path)), "--year", "2022", "--append", str(target)])
    finally:
        target.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert code == 2 and out == ""
    assert _one_problem_line(err) == f"{target}: file is read-only: nothing appended (make it writable first)"
    assert target.read_bytes() == before and not _leftovers(tmp_path)


def test_append_into_read_only_directory_creates_nothing(tmp_path: Path) -> None:
    src = _source(tmp_path)
    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "obs.csv"
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        code, out, err = _cli([str(src), "--year", "2022", "--append", str(target)])
        listing = list(folder.iterdir())
    finally:
        folder.chmod(stat.S_IRWXU)
    assert code == 2 and out == ""
    assert _one_problem_line(err) == f"{target}: directory {folder} is read-only: nothing appended"
    assert listing == []


@pytest.mark.parametrize("kind", ["directory", "missing folder"])
def test_append_to_a_directory_or_missing_folder(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "d" if kind == "directory" else tmp_path / "nope" / "obs.csv"
    if kind == "directory":
        target.mkdir()
    code, out, err = _cli([str(_source(tmp_path)), "--year", "2022", "--append", str(target)])
    assert code == 2 and out == ""
    line = _one_problem_line(err)
    assert line.startswith(f"{target}: ") and ("directory" in line)


def test_failed_append_prints_no_table(tmp_path: Path) -> None:
    """Nothing goes to stdout before the rows are safely written."""
    target = tmp_path / "obs.csv"
    target.write_bytes(b"a,b\n1,2\n")
    code, out, err = _cli([str(_source(tmp_path)), "--year", "2022", "--append", str(target)])
    assert code == 2 and out == "" and target.read_bytes() == b"a,b\n1,2\n"
    assert _one_problem_line(err).startswith(f"{target}:1: header is not the observed-data header")


def test_append_then_print(tmp_path: Path) -> None:
    target = tmp_path / "obs.csv"
    code, out, err = _cli([str(_source(tmp_path)), "--year", "2022", "--append", str(target),
                           "--source", "https://tjj.example.gov.cn/2022-08.html"])
    assert code == 0, err
    assert "indicator rows (1)" in out and "added 1 rows" in err
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert rows[0]["source"] == "https://tjj.example.gov.cn/2022-08.html" and rows[0]["value"] == "5.9"


def test_source_fills_the_source_column() -> None:
    code, out, _ = _cli(["-", "--year", "2022", "--format", "csv", "--source", "吉林省统计局 2022年7月月报"],
                        input=TEXT)
    assert code == 0
    rows = list(csv.DictReader(out.splitlines()))
    assert [r["source"] for r in rows] == ["吉林省统计局 2022年7月月报"]


@pytest.mark.parametrize("value", ["", "  ", "two\nlines"])
def test_source_must_be_one_line(value: str) -> None:
    code, out, err = _cli(["-", "--year", "2022", "--source", value], input=TEXT)
    assert code == 2 and out == ""
    assert ": --source: the source text must be one non-empty line" in _one_problem_line(err)


def test_english_wire_copy_from_stdin() -> None:
    code, out, err = _cli(["-", "--year", "2022", "--format", "csv"],
                          input="China's industrial output fell 2.9 percent in April from a year earlier. "
                                "Analysts had expected it to grow 0.4 percent.\n")
    assert code == 0
    rows = list(csv.DictReader(out.splitlines()))
    assert [(r["indicator"], r["measure"], r["period_start"], r["value"]) for r in rows] == [
        ("industry", "yoy_month_pct", "2022-04", "-2.9")]
    assert "# unresolved: 0.4 percent: forecast, target or expectation" in err


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_unreadable_input_file_one_line(tmp_path: Path) -> None:
    src = _source(tmp_path)
    code, out, err = _cli([str(src / "x"), "--year", "2022"])
    assert code == 2 and out == ""
    assert _one_problem_line(err) == f"{src / 'x'}: file not found"
