"""Schema errors as plain problems: pydantic's validation errors and NaN/inf values.

Each pydantic error becomes one ``file:line: key: message`` problem with a plain message
(unknown keys get a did-you-mean, quoted numbers and dates a hint to drop the quotes).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from rebound.params.fields import model_fields_at
from rebound.params.paths import PathPart, format_path, suggest
from rebound.params.schema import LEVER_TYPES
from rebound.problems import Problem

Where = Callable[[str], tuple[str, int | None]]
"""Key path -> (file, line) where the value was written (for the message)."""

NOT_FINITE = "must be a finite number (NaN and inf are not allowed)"
_BOUND_KINDS = ("greater_than_equal", "less_than_equal", "greater_than", "less_than")


_VALIDATOR_TAG = re.compile(r"function-(after|before|wrap|plain)\[")


def clean_loc(loc: tuple[Any, ...]) -> tuple[PathPart, ...]:
    """Drop pydantic's discriminator tags from an error location."""
    out: list[PathPart] = []
    for i, part in enumerate(loc):
        if isinstance(part, str) and part in LEVER_TYPES and i >= 2 and loc[0] == "levers":
            continue
        if isinstance(part, str) and _VALIDATOR_TAG.match(part):  # pydantic's, not a user key "function-x"
            continue
        out.append(part)
    return tuple(out)


def unquoted_kind(text: str) -> str:
    """'number' or 'date' if a quoted string would be that TOML value without its quotes."""
    t = text.strip()
    try:
        float(t)
        return "number" if t.lower() not in ("nan", "inf", "+inf", "-inf", "infinity") else ""
    except ValueError:
        pass
    try:
        dt.date.fromisoformat(t)
        return "date" if len(t) == 10 else ""
    except ValueError:
        return ""


def _generic_message(kind: str, msg: str, inp: Any) -> str:
    if kind.endswith("_type") or kind.startswith("date"):
        msg += f" (got {inp!r})"
        if isinstance(inp, str) and unquoted_kind(inp):
            msg += f"; write it without quotes: {inp.strip()}"
    elif kind in _BOUND_KINDS:
        msg += f" (got {inp!r})"
    return msg


def error_message(e: Any, loc: tuple[PathPart, ...], raw: dict[str, Any]) -> str:
    """The plain message for one pydantic error (``e`` as in ``ValidationError.errors()``)."""
    kind = e["type"]
    if kind == "extra_forbidden":
        return "unknown key" + suggest(str(loc[-1]), model_fields_at(loc, raw))
    if kind == "missing":
        return "required key is missing"
    if kind == "finite_number":
        return NOT_FINITE
    if kind == "union_tag_invalid":
        got = e.get("ctx", {}).get("tag", "?")
        return f"unknown lever type '{got}'" + suggest(str(got), list(LEVER_TYPES)) + f"; known: {', '.join(LEVER_TYPES)}"
    if kind == "union_tag_not_found":
        return f"lever needs a 'type' ({', '.join(LEVER_TYPES)})"
    return _generic_message(kind, e["msg"], e.get("input"))


def pydantic_problems(err: ValidationError, raw: dict[str, Any], where: Where) -> list[Problem]:
    """One problem per pydantic error, at the line where the key was written."""
    problems: list[Problem] = []
    for e in err.errors():
        loc = clean_loc(tuple(e["loc"]))
        key = format_path(loc)
        file, line = where(key)
        problems.append(Problem(file, line, key, error_message(e, loc, raw)))
    return problems


def nan_problems(raw: Any, where: Where, prefix: list[PathPart] | None = None) -> list[Problem]:
    """NaN or inf anywhere (TOML allows ``nan``) is rejected with its key."""
    prefix = prefix or []
    out: list[Problem] = []
    if isinstance(raw, dict):
        for k, v in raw.items():
            out += nan_problems(v, where, [*prefix, k])
    elif isinstance(raw, list):
        for i, v in enumerate(raw):
            out += nan_problems(v, where, [*prefix, i])
    elif isinstance(raw, float) and not math.isfinite(raw):
        key = format_path(prefix)
        file, line = where(key)
        out.append(Problem(file, line, key, NOT_FINITE))
    return out
