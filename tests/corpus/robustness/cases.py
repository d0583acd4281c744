"""Broken inputs and hostile file-system states, one builder per case (issue 18 and beyond).

Each case writes its files into an empty folder (the working directory of the command), and
names the command line and a fragment the one problem line must contain. ``family`` groups
the cases as docs/robustness.md lists them. Builders generate the big or odd files (5,000-deep
arrays, 1,200-file base chains, symbolic-link loops, 140,000-character fields) so the corpus
stays small in git.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PARAMS = ROOT / "params" / "changchun_2022.toml"
OBSERVED = ROOT / "data" / "observed" / "changchun_2022.csv"


@dataclass(frozen=True)
class Case:
    family: str
    name: str
    build: Callable[[Path], None]
    argv: tuple[str, ...]
    expect: str  # fragment of the (single or each) problem line


def episode(d: Path, edit: Callable[[str], str] = lambda t: t, name: str = "p.toml") -> Path:
    """params/<name> (the shipped Changchun 2022 file, edited) and its observed CSV."""
    (d / "params").mkdir(exist_ok=True)
    (d / "data" / "observed").mkdir(parents=True, exist_ok=True)
    if not (d / "data" / "observed" / OBSERVED.name).exists():
        shutil.copy(OBSERVED, d / "data" / "observed" / OBSERVED.name)
    p = d / "params" / name
    p.write_text(edit(PARAMS.read_text(encoding="utf-8")), encoding="utf-8")
    return p


def _loop(d: Path) -> None:
    os.symlink("loop_b.toml", d / "loop_a.toml")
    os.symlink("loop_a.toml", d / "loop_b.toml")


def _base_through_loop(d: Path) -> None:
    _loop(d)
    (d / "s.toml").write_text('base = "loop_a.toml"\nname = "x"\n')


def _deep_array(d: Path) -> None:
    (d / "deep.toml").write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")


def _deep_tables(d: Path) -> None:
    (d / "deept.toml").write_text("a = " + "{b = " * 300 + "1" + "}" * 300 + "\n")


def _long_chain(d: Path) -> None:
    episode(d)
    n = 1200
    for i in range(n):
        base = f"c{i + 1}.toml" if i < n - 1 else "params/p.toml"
        (d / f"c{i}.toml").write_text(f'base = "{base}"\n')


def _shift(days: int) -> Callable[[Path], None]:
    def build(d: Path) -> None:
        episode(d)
        (d / "s.toml").write_text(f'base = "params/p.toml"\nname = "far"\n[shift_days]\n"lockdown.phases[0].end" = {days}\n')

    return build


def _posterior(edit: Callable[[str], str]) -> Callable[[Path], None]:
    def build(d: Path) -> None:
        episode(d, edit)

    return build


def _short_mean(t: str) -> str:
    return re.sub(r"\nmean = \[[^\]]*\]", "\nmean = [0.1]", t, count=1)


def _non_square(t: str) -> str:
    return t.replace("cov = [\n    [", "cov = [\n    [1.0],\n    [", 1)


def _negative_variance(t: str) -> str:
    return t.replace("cov = [\n    [", "cov = [\n    [-", 1)


def _unknown_posterior_key(t: str) -> str:
    return t.replace("[calibration.record.posterior]\n", "[calibration.record.posterior]\nbogus = 1\n", 1)


def _asym(t: str) -> str:
    # second entry of the first row becomes 7.5 (the first column of the second row is unchanged)
    i = t.index("cov = [\n    [") + len("cov = [\n    [")
    j = t.index(",", i)
    k = t.index(",", j + 1)
    return t[: j + 1] + " 7.5" + t[k:]


def _tiny_spread(t: str) -> str:
    return re.sub(r"\nspread = [^\n#]*", "\nspread = 1e-320 ", t, count=1)


def _newline_key(d: Path) -> None:
    episode(d)
    (d / "s.toml").write_text('base = "params/p.toml"\nname = "nl"\n[set]\n"levers.vouchers.sc\\nale" = 2\n')


def _observed_dir(t: str) -> str:
    return re.sub(r'\nobserved = "[^"]*"', '\nobserved = "../data"', t, count=1)


def _csv(rows: Callable[[list[str]], list[str]]) -> Callable[[Path], None]:
    def build(d: Path) -> None:
        lines = OBSERVED.read_text(encoding="utf-8-sig").splitlines()
        (d / "o.csv").write_text("\n".join(rows(lines)) + "\n", encoding="utf-8")

    return build


def _big_field(lines: list[str]) -> list[str]:
    return [lines[0], lines[1].rsplit(",", 1)[0] + ',"' + "长" * 140_000 + '"']


def _year_9999(lines: list[str]) -> list[str]:
    return [lines[0], lines[1].replace("2021-01,2021-12", "9999-01,9999-12")]


def _year_1800(lines: list[str]) -> list[str]:
    return [lines[0], lines[1].replace("2021-01,2021-12", "1800-01,1800-12")]


def _unclosed_quote_nul(lines: list[str]) -> list[str]:
    return [lines[0], lines[1] + ',\x00"unclosed', lines[2]]


def _fit_9999(d: Path) -> None:
    episode(d)
    lines = OBSERVED.read_text(encoding="utf-8-sig").splitlines()
    fit = next(i for i, row in enumerate(lines) if ",fit," in row and "2022-" in row)
    lines[fit] = lines[fit].replace("2022-", "9999-")
    (d / "data" / "observed" / OBSERVED.name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _nothing(d: Path) -> None:
    episode(d)


CASES: list[Case] = [
    Case("symlink loop", "run", _loop, ("run", "loop_a.toml"), "symbolic links form a loop"),
    Case("symlink loop", "params show", _loop, ("params", "show", "loop_a.toml"), "symbolic links form a loop"),
    Case("symlink loop", "params validate", _loop, ("params", "validate", "loop_a.toml"), "symbolic links form a loop"),
    Case("symlink loop", "params set", _loop, ("params", "set", "loop_a.toml", "levers.vouchers.scale=2"), "loop"),
    Case("symlink loop", "base through a loop", _base_through_loop, ("run", "s.toml"), "s.toml:1: base: base cannot be read: symbolic links form a loop"),
    Case("depth", "5,000-deep array", _deep_array, ("params", "show", "deep.toml"), "deep.toml:1: tables and arrays nest more than 64 levels deep"),
    Case("depth", "5,000-deep array (run)", _deep_array, ("run", "deep.toml"), "nest more than 64 levels deep"),
    Case("depth", "300-deep inline tables", _deep_tables, ("params", "validate", "deept.toml"), "nest more than 64 levels deep"),
    Case("depth", "1,200-file base chain", _long_chain, ("run", "c0.toml"), "c0.toml: base: the chain of scenario bases is longer than 32 files"),
    Case("numbers", "shift_days 999999999 (params show)", _shift(999_999_999), ("params", "show", "s.toml"), "s.toml:4: lockdown.phases[0].end: shift of 999999999 days is too large"),
    Case("numbers", "shift_days 999999999 (run)", _shift(999_999_999), ("run", "s.toml"), "shift of 999999999 days is too large"),
    Case("numbers", "shift_days -36500 (past the horizon)", _shift(-36_500), ("run", "s.toml"), "outside the horizon"),
    Case("numbers", "prior spread 1e-320", _posterior(_tiny_spread), ("params", "validate", "params/p.toml"), "spread: prior spread 9.99989e-321 is too small"),
    Case("numbers", "--seed -1 with draws", _nothing, ("run", "params/p.toml", "--ensemble", "3", "--seed", "-1"), "rebound run: Invalid value for '--seed'"),
    Case("numbers", "--seed 2**32", _nothing, ("run", "params/p.toml", "--seed", str(2**32)), "Invalid value for '--seed'"),
    Case("posterior", "short mean (validate)", _posterior(_short_mean), ("params", "validate", "params/p.toml"), "posterior.mean: has 1 values but keys names 11 parameters"),
    Case("posterior", "short mean (run)", _posterior(_short_mean), ("run", "params/p.toml", "--ensemble", "3"), "posterior.mean: has 1 values"),
    Case("posterior", "non-square cov", _posterior(_non_square), ("params", "validate", "params/p.toml"), "posterior.cov: must be a 11 x 11 matrix"),
    Case("posterior", "negative variance", _posterior(_negative_variance), ("params", "validate", "params/p.toml"), "posterior.cov: variance of lockdown.phases[0].stringency.industry is negative"),
    Case("posterior", "negative variance (run --ensemble)", _posterior(_negative_variance), ("run", "params/p.toml", "--ensemble", "3"), "is negative"),
    Case("posterior", "unknown key", _posterior(_unknown_posterior_key), ("params", "validate", "params/p.toml"), "posterior.bogus: unknown key"),
    Case("posterior", "not symmetric", _posterior(_asym), ("params", "validate", "params/p.toml"), "posterior.cov: is not symmetric"),
    Case("one line", "newline inside a key", _newline_key, ("run", "s.toml"), "levers.vouchers.sc\\nale"),
    Case("one line", "usage error", _nothing, ("run", "params/p.toml", "--format", "xml"), "rebound run: Invalid value for '--format'"),
    Case("one line", "unknown verb", _nothing, ("runn",), "rebound: No such command 'runn'"),
    Case("one line", "missing argument", _nothing, ("run",), "rebound run: Missing argument"),
    Case("files", "episode.observed is a directory", _posterior(_observed_dir), ("run", "params/p.toml"), "params/p.toml:16: episode.observed: observed-data is a directory"),
    Case("files", "run --out under a file", _nothing, ("run", "params/p.toml", "--out", "params/p.toml/out"), "params/p.toml: exists and is not a folder"),
    Case("csv", "field of 140,000 characters is read", _csv(_big_field), ("data", "check", "o.csv"), ""),
    Case("csv", "period 9999", _csv(_year_9999), ("data", "check", "o.csv"), "o.csv:2: period_end: 9999-12 is outside the years a figure can be modelled (1949..2100)"),
    Case("csv", "period 1800", _csv(_year_1800), ("data", "check", "o.csv"), "1800-01 is outside the years"),
    Case("csv", "NUL and an unclosed quote", _csv(_unclosed_quote_nul), ("data", "check", "o.csv"), "o.csv:2"),
    Case("csv", "fit row dated 9999 (run)", _fit_9999, ("run", "params/p.toml"), "is outside the years a figure can be modelled"),
]


def _fifo(d: Path) -> None:
    os.mkfifo(d / "pipe.toml")


def _too_large(d: Path) -> None:
    with open(d / "big.toml", "wb") as f:
        f.truncate((16 << 20) + 1)


CASES += [
    Case("files", "a named pipe (would block for ever)", _fifo, ("run", "pipe.toml"), "pipe.toml: is not a regular file"),
    Case("files", "a named pipe given to data check", _fifo, ("data", "check", "pipe.toml"), "pipe.toml: is not a regular file"),
    Case("files", "a 16 MiB parameter file", _too_large, ("params", "show", "big.toml"), "big.toml: file is too large"),
]
