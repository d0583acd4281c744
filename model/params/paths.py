"""Key paths into nested parameter values: ``levers.vouchers.rounds[0].amount_100m``.

Pure helpers on dicts, lists and pydantic models; they know nothing about the schema.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import BaseModel

PathPart = str | int


class PathError(KeyError, ValueError):
    """A key path that is not of the form ``a.b[0].c``."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "malformed key path"


# a.b[0].c; a path relative to a list may start with an index ([0].c, used by with_values)
_PATH = re.compile(r"(?:[A-Za-z0-9_-]+|(?=\[))(\[\d+\])*(\.[A-Za-z0-9_-]+(\[\d+\])*)*")


def parse_path(path: str) -> list[PathPart]:
    """``"a.b[0].c"`` -> ``["a", "b", 0, "c"]``.

    Raises :class:`PathError` (a KeyError) for anything else: empty parts (``a..b``),
    spaces, negative or non-numeric indices.
    """
    if not path:
        raise PathError("empty key path")
    if not _PATH.fullmatch(path):
        raise PathError(f"malformed key path '{path}' (expected names joined by '.', indices like [0])")
    parts: list[PathPart] = []
    for m in re.finditer(r"([A-Za-z0-9_-]+)|\[(\d+)\]", path):
        parts.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
    return parts


def format_path(parts: list[PathPart] | tuple[PathPart, ...]) -> str:
    """``["a", "b", 0, "c"]`` -> ``"a.b[0].c"`` (the inverse of :func:`parse_path`)."""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else ("." if out else "") + str(p)
    return out


def get_path(obj: Any, path: str) -> Any:
    """Value at a key path in nested dicts/lists (or pydantic models).

    Raises KeyError (never AttributeError/IndexError/TypeError) when the path is absent.
    """
    cur = obj
    for part in parse_path(path):
        if isinstance(cur, BaseModel) and isinstance(part, str) and part in type(cur).model_fields:
            cur = getattr(cur, part)
        elif isinstance(cur, dict) and isinstance(part, str) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and part < len(cur):
            cur = cur[part]
        else:
            raise KeyError(path)
    return cur


def set_path(obj: Any, path: str, value: Any) -> None:
    """Set a value at a key path in nested dicts/lists (the path must exist)."""
    parts = parse_path(path)
    cur = get_path(obj, format_path(parts[:-1])) if len(parts) > 1 else obj
    last = parts[-1]
    if isinstance(cur, dict):
        if last not in cur:
            raise KeyError(path)
        cur[last] = value
    elif isinstance(cur, list) and isinstance(last, int) and last < len(cur):
        cur[last] = value
    else:
        raise KeyError(path)


def leaf_paths(obj: Any, prefix: list[PathPart] | None = None) -> dict[str, Any]:
    """All leaf values of a nested dict/list, keyed by path."""
    prefix = prefix or []
    out: dict[str, Any] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.update(leaf_paths(v, [*prefix, k]))
    elif isinstance(obj, list) and obj and all(isinstance(v, dict) for v in obj):
        for i, v in enumerate(obj):
            out.update(leaf_paths(v, [*prefix, i]))
    else:
        out[format_path(prefix)] = obj
    return out


def nearest_ancestor(path: str, known: dict[str, Any]) -> str | None:
    """``path`` or its nearest ancestor (``a.b[0]`` -> ``a.b`` -> ``a``) that is in ``known``."""
    k = path
    while k:
        if k in known:
            return k
        cut = max(k.rfind("."), k.rfind("["))
        if cut <= 0:
            break
        k = k[:cut]
    return None


def suggest(word: str, options: list[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest option, or ``""``."""
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
