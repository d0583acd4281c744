"""Reading a parameter or scenario file: text, TOML values and the line of every key.

Every failure (missing file, directory, permission, bad UTF-8, empty file, TOML syntax)
becomes one :class:`~rebound.problems.Problem` in an :class:`~rebound.problems.InputError`.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rebound.params.paths import leaf_paths
from rebound.params.tomlines import inline_comment, key_lines
from rebound.problems import InputError, Problem


@dataclass
class SourceFile:
    """One file as read: its text, its TOML values and ``{key path: line}``."""

    path: Path
    text: str
    data: dict[str, Any]
    lines: dict[str, int]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


MAX_BYTES = 16 << 20
"""Largest parameter or scenario file read (16 MiB; real ones are 10-20 KB)."""
MAX_DEPTH = 64
"""Deepest nesting of tables and arrays a parameter or scenario file may have (real files: 4)."""


def resolved(path: Path) -> Path:
    """``path`` made absolute with symbolic links followed; a link loop stays unresolved.

    ``Path.resolve`` raises ``RuntimeError`` on a loop in Python 3.11 (``OSError`` later);
    ``os.path.realpath`` never raises, it stops at the loop. Reading such a path then fails
    with ``ELOOP``, which :func:`read_text` reports as one problem.
    """
    return Path(os.path.realpath(os.path.abspath(path)))


def display(path: Path) -> str:
    """The path as shown in messages: relative to the working directory when inside it."""
    try:
        return str(resolved(path).relative_to(resolved(Path.cwd())))
    except ValueError:
        return str(path)


def _stat_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as a file (None if it can be tried)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "file not found"
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "symbolic links form a loop (the path never reaches a file)"
        if err.errno == errno.ENOTDIR:
            return "file not found (a part of the path is a file, not a folder)"
        if err.errno == errno.ENAMETOOLONG:
            return "path is too long"
        return None  # reported by the read below
    except ValueError:
        return "path contains a NUL character"
    if stat.S_ISDIR(st.st_mode):
        return "is a directory, expected a file"
    if not stat.S_ISREG(st.st_mode):  # a pipe with no writer would block for ever
        return "is not a regular file (a pipe, device or socket); give a file"
    if st.st_size > MAX_BYTES:
        return f"file is too large ({st.st_size:,} bytes; a parameter file is a few kilobytes, at most {MAX_BYTES:,})"
    return None


def read_text(path: Path, display: str) -> str:
    """Read a UTF-8 text file; every failure becomes one Problem."""
    why = _stat_problem(path)
    if why:
        raise InputError([Problem(display, None, "", why)])
    try:
        data = path.read_bytes()
    except PermissionError:
        raise InputError([Problem(display, None, "", "permission denied")]) from None
    except OSError as err:
        raise InputError([Problem(display, None, "", f"cannot read ({err.strerror})")]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError([Problem(display, line, "", "not valid UTF-8 text (save the file as UTF-8)")]) from None
    if text.startswith("\ufeff"):  # byte-order mark written by some Windows editors
        text = text[1:]
    if not text.strip():
        raise InputError([Problem(display, None, "", "file is empty")])
    return text


_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def parse_toml(path: Path, display: str) -> SourceFile:
    """Read and parse a TOML file (problems are reported under the name ``display``)."""
    text = read_text(path, display)
    return SourceFile(path=path, text=text, data=toml_values(text, display), lines=key_lines(text))


def _depth_line(text: str) -> int | None:
    """Line where bracket nesting (outside strings and comments, roughly) first passes MAX_DEPTH."""
    depth = 0
    line = 1
    for ch in text:
        if ch == "\n":
            line += 1
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif ch in "]}":
            depth = max(0, depth - 1)
    return None


def _too_deep(value: Any) -> bool:
    """True if tables/arrays nest deeper than MAX_DEPTH (iterative: no recursion limit)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        v, d = stack.pop()
        if d > MAX_DEPTH:
            return True
        if isinstance(v, dict):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)
    return False


def toml_values(text: str, display: str) -> dict[str, Any]:
    """Parse TOML text; syntax errors and nesting deeper than MAX_DEPTH become one Problem."""
    deep = f"tables and arrays nest more than {MAX_DEPTH} levels deep (a parameter file needs 4)"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        msg = str(err)
        m = _TOML_POS.search(msg)
        line = int(m.group(1)) if m else None
        msg = _TOML_POS.sub("", msg).strip()
        raise InputError([Problem(display, line, "", f"TOML syntax error: {msg}")]) from None
    except RecursionError:
        raise InputError([Problem(display, _depth_line(text), "", deep)]) from None
    if _too_deep(data):
        raise InputError([Problem(display, _depth_line(text), "", deep)])
    return data


def source_of_text(path: Path, text: str) -> SourceFile:
    """A :class:`SourceFile` for TOML text that is not (yet) on disk at ``path``."""
    return SourceFile(path=Path(path), text=text, data=toml_values(text, display(Path(path))), lines=key_lines(text))


def undocumented_numbers(src: SourceFile) -> list[Problem]:
    """Numbers in a parameter file whose line lacks an inline comment with ``src:``.

    The convention is ``key = value  # unit · meaning · src: where it comes from``. The
    calibrator's own record (``calibration.record``) is exempt.
    """
    shown = display(src.path)
    text_lines = src.text.split("\n")
    out: list[Problem] = []
    for key, v in leaf_paths(src.data).items():
        if key.startswith("calibration.record"):
            continue
        items = v if isinstance(v, list) else [v]
        if not items or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in items):
            continue
        line = src.lines.get(key)
        comment = inline_comment(text_lines[line - 1]) if line else ""
        if "src:" not in comment:
            out.append(Problem(shown, line, key, 'number without a source: add an inline comment "# unit · meaning · src: ..."'))
    return out
