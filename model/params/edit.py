"""``params set``: plan comment-keeping edits of a parameter or scenario file's text.

:func:`plan_set` turns ``KEY=VALUE`` assignments into the new text (tomlkit: only the changed
lines differ, each keeps its inline comment) or an :class:`~rebound.problems.InputError` with
every problem. Writing the new text (validated as a whole first) is the caller's job, through
:func:`rebound.writers.replace_checked`; :func:`problems_on_real_file` maps the problems
found in the candidate back to the file on disk.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit

from rebound.params.fields import field_at
from rebound.params.load import load
from rebound.params.overrides import flatten_overrides
from rebound.params.paths import (
    PathError,
    PathPart,
    format_path,
    get_path,
    leaf_paths,
    parse_path,
    suggest,
)
from rebound.params.source import SourceFile, display, parse_toml
from rebound.params.tomledit import replace_item
from rebound.params.tomlines import line_of
from rebound.problems import InputError, Problem


@dataclass
class SetPlan:
    """The edited text of a file and what changes: ``(key, old value, new value)``."""

    source: SourceFile
    text: str
    changes: list[tuple[str, Any, Any]]


def parse_value(text: str, current: Any) -> Any:
    """VALUE of KEY=VALUE as a TOML value; a bare word is a string only where a string is due.

    Raises ValueError with a plain message.
    """
    doc: dict[str, Any] | None
    try:
        doc = tomllib.loads(f"v = {text}")
    except tomllib.TOMLDecodeError:
        doc = None
    if doc is not None and list(doc) == ["v"]:
        value = doc["v"]
    elif isinstance(current, str):
        value = text
    else:
        raise ValueError(
            f"{text!r} is not a TOML value (numbers 0.5, dates 2022-04-01, true/false, "
            "lists [1, 2], text in quotes: '\"text\"')"
        )
    if isinstance(current, float) and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)  # keep 2.0 rather than 2 where the file has a float
    return value


def _edit_params_doc(doc: Any, parts: list[PathPart], value: Any) -> None:
    cur = doc
    for part in parts[:-1]:
        if isinstance(part, int):
            cur = cur[part]
        elif part in cur:
            cur = cur[part]
        else:
            cur[part] = tomlkit.table()
            cur = cur[part]
    last = parts[-1]
    if (isinstance(last, int) and last < len(cur)) or (isinstance(last, str) and last in cur):
        replace_item(cur, last, value)
    else:
        cur[last] = value


def _find_override(table: Any, key: str, prefix: str = "") -> tuple[Any, str] | None:
    """The (container, item key) in a scenario's [set] whose flattened path is ``key``."""
    for k in list(table.keys()):
        path = f"{prefix}.{k}" if prefix else str(k)
        v = table[k]
        if isinstance(v, dict):
            found = _find_override(v, key, path)
            if found is not None:
                return found
        elif path == key:
            return table, str(k)
    return None


def _edit_scenario_doc(doc: Any, key: str, value: Any) -> None:
    if "set" not in doc:
        doc["set"] = tomlkit.table()
    found = _find_override(doc["set"], key)
    if found is not None:
        replace_item(found[0], found[1], value)
    else:
        doc["set"][key] = value


def _current_value(file: Path, data: dict[str, Any], key: str) -> Any:
    """The value KEY has now (resolved if the file loads; else as written; else None)."""
    try:
        return get_path(load(file).params.model_dump(), key)
    except (InputError, KeyError):
        pass
    try:
        return get_path(data, key)
    except KeyError:
        return None


def _is_table(v: Any) -> bool:
    return isinstance(v, dict) or (isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v))


def _index_problem(data: dict[str, Any], parts: list[PathPart]) -> str:
    """An index on the way to KEY that the file's lists do not have ("" if none)."""
    cur: Any = data
    for i, part in enumerate(parts[:-1]):
        if isinstance(part, int):
            if not isinstance(cur, list) or part >= len(cur):
                n = len(cur) if isinstance(cur, list) else 0
                return f"index {part} is out of range: {format_path(parts[:i])} has {n} entries"
            cur = cur[part]
        elif isinstance(cur, dict):
            cur = cur.get(part, {})
    return ""


def _key_problem(file: Path, data: dict[str, Any], parts: list[PathPart], key: str) -> str:
    """Why KEY cannot be set in a parameter file ("" if it can)."""
    try:
        current = get_path(data, key)
    except KeyError:
        pass
    else:
        if _is_table(current):
            first = next(iter(leaf_paths(current, parts)), key)
            return f"is a table; set its values one by one (e.g. {first}=...)"
        return ""
    levers = data.get("levers", {})
    if parts[0] == "levers" and len(parts) > 1 and parts[1] not in levers:
        names = sorted(levers)
        return f"no lever '{parts[1]}' in this file" + suggest(str(parts[1]), names) + f" (levers: {', '.join(names) or 'none'})"
    why = _index_problem(data, parts)
    if why:
        return why
    if not isinstance(parts[-1], int) and field_at(parts, data) is not None:
        return ""  # a key the file leaves at its schema default: it will be added
    try:
        options = list(leaf_paths(load(file).params.model_dump()))
    except InputError:
        options = list(leaf_paths(data))
    return "unknown key" + suggest(key, options)


def _shift_conflict(data: dict[str, Any], key: str, lines: dict[str, int]) -> str:
    """A scenario's [shift_days] entry that would move KEY after [set] (else "")."""
    table = data.get("shift_days")
    if not isinstance(table, dict):
        return ""
    for path, _ in flatten_overrides(table):
        if key == path or key.startswith((path + ".", path + "[")):
            line = line_of(lines, f"shift_days.{path}")
            return (
                f"is also moved by [shift_days] \"{path}\" (line {line}), which applies after [set]; "
                "remove that shift first or change the number of days there"
            )
    return ""


def _apply_one(file: Path, src: SourceFile, doc: Any, item: str) -> tuple[Problem | None, tuple[str, Any, Any] | None]:
    """One ``KEY=VALUE``: (its problem, None) or (None, (key, old, new)) with ``doc`` edited."""
    shown = display(file)
    scenario = "base" in src.data
    key, eq, text = item.partition("=")
    key = key.strip()
    if not eq or not key:
        return Problem(shown, None, item, "expected KEY=VALUE (e.g. levers.vouchers.scale=2)"), None
    try:
        parts = parse_path(key)
    except PathError as err:
        return Problem(shown, None, key, str(err)), None
    msg = _shift_conflict(src.data, key, src.lines) if scenario else _key_problem(file, src.data, parts, key)
    if msg:
        return Problem(shown, None if scenario else src.lines.get(key), key, msg), None
    current = _current_value(file, src.data, key)
    try:
        value = parse_value(text.strip(), current)
    except ValueError as err:
        return Problem(shown, src.lines.get(key), key, str(err)), None
    if scenario:
        _edit_scenario_doc(doc, key, value)
    else:
        _edit_params_doc(doc, parts, value)
    return None, (key, current, value)


def plan_set(file: Path, assignments: Sequence[str]) -> SetPlan:
    """The text of ``file`` with every assignment applied (raises InputError with every problem).

    In a scenario file a key is set inside its ``[set]`` table (added as a quoted key if
    absent); in a parameter file the key itself is changed (or added where the file leaves
    it at its schema default).
    """
    src = parse_toml(file, display(file))  # missing file, bad UTF-8, TOML syntax -> InputError
    doc = tomlkit.parse(src.text)
    problems: list[Problem] = []
    changes: list[tuple[str, Any, Any]] = []
    for item in assignments:
        problem, change = _apply_one(file, src, doc, item)
        if problem is not None:
            problems.append(problem)
        elif change is not None:
            changes.append(change)
    if problems:
        raise InputError(problems)
    return SetPlan(src, tomlkit.dumps(doc), changes)


def _line_map(old: str, new: str) -> dict[int, int]:
    """Candidate line -> line of the file on disk, for lines that exist in both."""
    a, b = old.split("\n"), new.split("\n")
    out: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for k in range(j2 - j1):
                out[j1 + k + 1] = i1 + k + 1
    return out


def problems_on_real_file(problems: list[Problem], candidate: Path, file: Path, old: str, new: str) -> list[Problem]:
    """Problems found in the candidate file, reported against the real file.

    Lines that only the candidate has (an added key) get no line number: the file on disk,
    which is left unchanged, has no such line.
    """
    cand_disp, real_disp = display(candidate), display(file)
    lines = _line_map(old, new)
    out = []
    for p in problems:
        line = p.line
        if p.file == cand_disp:
            name = real_disp
            line = lines.get(p.line) if p.line is not None else None
        else:
            name = p.file
        out.append(Problem(name, line, p.key, p.message.replace(cand_disp, real_disp).replace(candidate.name, file.name)))
    return out
