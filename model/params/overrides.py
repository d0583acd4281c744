"""A scenario's ``[set]`` and ``[shift_days]`` tables laid over the raw values of its base.

Each entry is applied to the raw values (before validation) and records which leaves it
changed, so a later problem is reported at the scenario line that caused it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rebound.params.fields import field_at
from rebound.params.paths import (
    PathError,
    PathPart,
    format_path,
    get_path,
    leaf_paths,
    parse_path,
    set_path,
    suggest,
)

SECTIONS = ("set", "shift_days")


def flatten_overrides(table: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """``[set]`` entries as (key path, value); nested tables become dotted paths.

    ``"a.b" = 1``, ``a.b = 1`` and ``[set.a] b = 1`` all mean the path ``a.b``. (Before, an
    unquoted dotted key replaced the whole table ``a`` by ``{b = 1}``.)
    """
    out: list[tuple[str, Any]] = []
    for k, v in table.items():
        path = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, dict):
            out += flatten_overrides(v, path)
        else:
            out.append((path, v))
    return out


def _date_leaves(obj: Any, parts: list[PathPart]) -> list[str]:
    items = leaf_paths(obj, parts).items() if isinstance(obj, dict | list) else [(format_path(parts), obj)]
    return [k for k, v in items if isinstance(v, dt.date) and not isinstance(v, dt.datetime)]


def _shift(raw: dict[str, Any], parts: list[PathPart], current: Any, value: Any) -> tuple[str, list[str]]:
    """Move every date at or below ``parts`` by ``value`` days."""
    if not isinstance(value, int) or isinstance(value, bool):
        return f"shift must be a whole number of days (got {value!r})", []
    dates = _date_leaves(current, parts)
    if not dates:
        return f"[shift_days] applies to dates (or tables holding dates); this key holds {current!r}", []
    for k in dates:
        set_path(raw, k, get_path(raw, k) + dt.timedelta(days=value))
    return "", dates


def _replace_existing(raw: dict[str, Any], key: str, parts: list[PathPart], current: Any, value: Any) -> tuple[str, list[str]]:
    if isinstance(current, dict):
        return f"is a table; set its keys one by one (e.g. \"{key}.{next(iter(current), 'x')}\" = ...)", []
    if isinstance(current, list) and not isinstance(value, list):
        return f"holds a list; give a whole list (got {value!r})", []
    set_path(raw, key, value)
    return "", list(leaf_paths(value, parts)) if isinstance(value, list) else [key]


def _create(raw: dict[str, Any], parts: list[PathPart], value: Any) -> None:
    """Create a key the file leaves at its schema default (and any missing tables)."""
    cur: Any = raw
    for part in parts[:-1]:
        cur = cur.setdefault(part, {}) if isinstance(cur, dict) else cur[part]
    cur[parts[-1]] = value


def apply_override(raw: dict[str, Any], section: str, key: str, value: Any, known: list[str]) -> tuple[str, list[str]]:
    """Apply one ``[set]`` or ``[shift_days]`` entry to ``raw``.

    Returns (problem message or "", key paths of the leaves it changed).
    """
    try:
        parts = parse_path(key)
    except PathError as err:
        return str(err), []
    try:
        current = get_path(raw, key)
        exists = True
    except KeyError:
        current, exists = None, False
    if section == "shift_days":
        if not exists:
            return missing_message(raw, parts, section, known), []
        return _shift(raw, parts, current, value)
    if exists:
        return _replace_existing(raw, key, parts, current, value)
    msg = missing_message(raw, parts, section, known)
    if msg:
        return msg, []
    _create(raw, parts, value)
    return "", [key]


def _walk_problem(raw: dict[str, Any], parts: list[PathPart]) -> str:
    """Why the existing part of an absent path cannot hold it ("" if nothing is wrong)."""
    cur: Any = raw
    for i, part in enumerate(parts):
        if isinstance(part, int):
            if not isinstance(cur, list):
                return f"{format_path(parts[:i])} is not a list" if i else "unknown key"
            if part >= len(cur):
                return f"index {part} is out of range: {format_path(parts[:i])} has {len(cur)} entries"
            cur = cur[part]
            continue
        if i == 1 and parts[0] == "levers" and isinstance(cur, dict) and part not in cur:
            names = sorted(cur)
            return f"no lever '{part}' in this episode" + suggest(str(part), names) + f" (levers: {', '.join(names) or 'none'})"
        if not isinstance(cur, dict) or part not in cur:
            break
        cur = cur[part]
    return ""


def missing_message(raw: dict[str, Any], parts: list[PathPart], section: str, known: list[str]) -> str:
    """Why a path absent from ``raw`` cannot be set ("" if the schema declares it)."""
    why = _walk_problem(raw, parts)
    if why:
        return why
    if section == "set" and not isinstance(parts[-1], int) and field_at(parts, raw) is not None:
        return ""
    return f"unknown key in [{section}]" + suggest(format_path(parts), known)
