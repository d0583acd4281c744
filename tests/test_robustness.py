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
    assert len(CASES) >= 30
