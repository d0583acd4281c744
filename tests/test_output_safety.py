"""Output safety and reproducibility of ``rebound run --out``.

Every file goes through model/writers.py (temporary name + rename, all files staged before any
rename). A failure midway leaves no partial output and never touches unrelated files; inputs are
never modified; the same seed gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from guard_fixture import TEMPLATE, write

from rebound.cli.main import main


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(d: Path) -> dict[str, str]:
    return {str(p.relative_to(d)): sha(p) for p in sorted(d.rglob("*")) if p.is_file()}


@pytest.fixture()
def params(tmp_path: Path) -> Path:
    # free parameters so that --ensemble draws something
    return write(tmp_path, TEMPLATE)


def run(argv: list[str]) -> tuple[int, str]:
    res = CliRunner().invoke(main, argv, catch_exceptions=True)
    return res.exit_code, res.stderr


@pytest.mark.parametrize("where", ["render", "replace"])
def test_failing_writer_leaves_no_partial_output(tmp_path: Path, params: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "indicators.csv").write_text("old run\n")
    before = snapshot(out)
    import rebound.writers as writers

    if where == "render":
        calls = {"n": 0}
        real = writers.csv_bytes

        def failing_csv(df: object) -> bytes:
            calls["n"] += 1
            if calls["n"] == 2:  # paths.csv, after indicators.csv rendered
                raise OSError(28, "No space left on device")
            return real(df)  # type: ignore[arg-type]

        monkeypatch.setattr(writers, "csv_bytes", failing_csv)
    else:
        real_replace = os.replace
        calls = {"n": 0}

        def failing_replace(src: str, dst: str) -> None:
            calls["n"] += 1
            if calls["n"] == 2:
                raise OSError(5, "Input/output error")
            real_replace(src, dst)

        monkeypatch.setattr(writers.os, "replace", failing_replace)
    code, _ = run(["run", str(params), "--out", str(out)])
    assert code != 0
    # no partial output: the directory is exactly as before (old indicators.csv put back,
    # unrelated file untouched, no temporary or backup file left)
    assert snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == ["indicators.csv", "notes.txt"]


def test_out_into_existing_directory_keeps_unrelated_files(tmp_path: Path, params: Path) -> None:
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (out / "notes.txt").write_text("mine")
    (out / "sub" / "keep.csv").write_text("a,b\n")
    code, err = run(["run", str(params), "--out", str(out)])
    assert code == 0, err
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "sub" / "keep.csv").read_text() == "a,b\n"
    assert {p.name for p in out.iterdir()} - {"fit.png"} == {"notes.txt", "sub", "indicators.csv", "paths.csv", "summary.json"}


def test_inputs_never_modified(tmp_path: Path, params: Path) -> None:
    before = sha(params)
    assert run(["run", str(params), "--ensemble", "20", "--out", str(tmp_path / "o")])[0] == 0
    assert run(["calibrate", str(params)])[0] == 0
    assert sha(params) == before


def test_same_seed_byte_identical_outputs(tmp_path: Path, params: Path) -> None:
    a, b = tmp_path / "A", tmp_path / "B"
    for d in (a, b):
        code, err = run(["run", str(params), "--ensemble", "50", "--seed", "7", "--out", str(d)])
        assert code == 0, err
    for name in ("indicators.csv", "paths.csv", "summary.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    summary = json.loads((a / "summary.json").read_text())
    assert summary["seed"] == 7
    assert summary["version"]
    assert summary["inputs"] == {str(params): sha(params)} or list(summary["inputs"].values()) == [sha(params)]
