"""Hypothesis fuzzing of the TOML and CSV loaders (issue 18): never a traceback, never a hang.

Whatever the bytes or structure, loading ends with a result or an
:class:`~rebound.problems.InputError` whose problems each print on one line. Derandomised with a
small number of examples so CI is fast and sees the same inputs every run (2,000 per test
with ``REBOUND_SLOW=1``).
"""

from __future__ import annotations

import datetime as dt
import os
import string
from pathlib import Path
from typing import Any

import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebound.checks import load
from rebound.data.observed import COLUMNS, parse
from rebound.problems import InputError

FUZZ = settings(max_examples=2000 if os.environ.get("REBOUND_SLOW") else 120, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
ROOT = Path(__file__).resolve().parents[1]
PARAMS_TEXT = (ROOT / "params" / "changchun_2022.toml").read_text(encoding="utf-8")
CSV_TEXT = (ROOT / "data" / "observed" / "changchun_2022.csv").read_text(encoding="utf-8-sig")


def one_line_problems(err: InputError) -> None:
    assert err.problems
    for p in err.problems:
        assert "\n" not in p.format() and "\r" not in p.format()


def load_file(folder: Path, name: str, data: bytes) -> None:
    path = folder / name
    path.write_bytes(data)
    try:
        load(path)
    except InputError as err:
        one_line_problems(err)


@FUZZ
@given(st.binary(max_size=400))
def test_toml_random_bytes(tmp_path_factory: Any, data: bytes) -> None:
    load_file(tmp_path_factory.mktemp("b"), "f.toml", data)


keys = st.text(alphabet=string.ascii_letters + "_.[]0-9 \n\"'", min_size=1, max_size=12)
leaves = st.one_of(
    st.integers(), st.floats(), st.booleans(), st.text(max_size=20),
    st.dates(min_value=dt.date(1, 1, 1)), st.just(999_999_999), st.just(-1e308),
)
values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4), max_leaves=20)


@FUZZ
@given(st.dictionaries(keys, values, max_size=6))
def test_toml_random_structures(tmp_path_factory: Any, doc: dict[str, Any]) -> None:
    try:
        text = tomlkit.dumps(doc)
    except Exception:  # tomlkit cannot write it: not a loader input
        return
    load_file(tmp_path_factory.mktemp("s"), "f.toml", text.encode("utf-8"))


@FUZZ
@given(st.sampled_from(PARAMS_TEXT.splitlines()), st.text(max_size=30), st.integers(0, 200))
def test_toml_mutated_parameter_file(tmp_path_factory: Any, line: str, junk: str, at: int) -> None:
    """The shipped file with one line's value replaced by junk, as a scenario base too."""
    folder = tmp_path_factory.mktemp("m")
    key, eq, _ = line.partition("=")
    text = PARAMS_TEXT.replace(line, f"{key}= {junk}" if eq else junk + line[at % (len(line) + 1):], 1)
    (folder / "data" / "observed").mkdir(parents=True)
    load_file(folder, "p.toml", text.encode("utf-8", "surrogatepass"))
    load_file(folder, "s.toml", f'base = "p.toml"\n[set]\n"{junk[:10]}" = {at}\n[shift_days]\n"lockdown.phases[0].end" = {at * 10**at % 10**12}\n'.encode("utf-8", "surrogatepass"))


def parse_csv(folder: Path, data: bytes) -> None:
    path = folder / "o.csv"
    path.write_bytes(data)
    rows, problems = parse(path, "observed")
    for p in problems:
        assert "\n" not in p.format()


@FUZZ
@given(st.binary(max_size=400))
def test_csv_random_bytes(tmp_path_factory: Any, data: bytes) -> None:
    parse_csv(tmp_path_factory.mktemp("c"), data)


cells = st.one_of(st.text(max_size=12), st.sampled_from(["9999-01", "0000-00", "2022-13", "1e308", "nan", "-0", '"', "\n", "fit", "reference"]))


@FUZZ
@given(st.lists(st.lists(cells, min_size=0, max_size=len(COLUMNS) + 2), max_size=5), st.integers(0, 40))
def test_csv_random_rows_after_a_real_header(tmp_path_factory: Any, rows: list[list[str]], keep: int) -> None:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerows(rows)
    real = "\n".join(CSV_TEXT.splitlines()[: keep % 8 + 1]) + "\n"
    parse_csv(tmp_path_factory.mktemp("r"), (real + buf.getvalue()).encode("utf-8", "surrogatepass"))
