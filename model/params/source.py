"""Reading a parameter or scenario file: text, TOML values and the line of every key.

Every failure (missing file, directory, permission, bad UTF-8, empty file, TOML syntax)
becomes one :class:`~rebound.problems.Problem` in an :class:`~rebound.problems.InputError`.
"""

from __future__ import annotations

import hashlib
import re
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


def display(path: Path) -> str:
    """The path as shown in messages: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_text(path: Path, display: str) -> str:
    """Read a UTF-8 text file; every failure becomes one Problem."""
    if not path.exists():
        raise InputError([Problem(display, None, "", "file not found")])
    if path.is_dir():
        raise InputError([Problem(display, None, "", "is a directory, expected a file")])
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
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        msg = str(err)
        m = _TOML_POS.search(msg)
        line = int(m.group(1)) if m else None
        msg = _TOML_POS.sub("", msg).strip()
        raise InputError([Problem(display, line, "", f"TOML syntax error: {msg}")]) from None
    return SourceFile(path=path, text=text, data=data, lines=key_lines(text))


def source_of_text(path: Path, text: str) -> SourceFile:
    """A :class:`SourceFile` for TOML text that is not (yet) on disk at ``path``."""
    return SourceFile(path=Path(path), text=text, data=tomllib.loads(text), lines=key_lines(text))


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
