"""Put values into a validated parameter set at key paths, *without* validation.

The engine and the calibrator use this to place per-draw numpy arrays where the schema has
floats; the arithmetic broadcasts. User-facing values are validated with
:func:`rebound.params.load.revalidate` instead.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from rebound.params.paths import PathPart, format_path, parse_path
from rebound.params.schema import Params


def with_values(params: Params, values: dict[str, Any]) -> Params:
    """Copy of ``params`` with values replaced at key paths, *without* validation."""
    if not values:
        return params
    by_head: dict[PathPart, dict[str, Any]] = {}
    direct: dict[str, Any] = {}
    for path, v in values.items():
        parts = parse_path(path)
        if len(parts) == 1:
            direct[str(parts[0])] = v
        else:
            rest = format_path(parts[1:])
            by_head.setdefault(parts[0], {})[rest] = v
    return _replace(params, direct, by_head)  # type: ignore[no-any-return]


def _replace(obj: Any, direct: dict[Any, Any], nested: dict[PathPart, dict[str, Any]]) -> Any:
    if isinstance(obj, BaseModel):
        update: dict[str, Any] = dict(direct)
        for head, sub in nested.items():
            update[str(head)] = _apply(getattr(obj, str(head)), sub)
        return obj.model_copy(update=update)
    if isinstance(obj, dict):
        new = dict(obj)
        new.update(direct)
        for head, sub in nested.items():
            new[head] = _apply(obj[head], sub)
        return new
    if isinstance(obj, list):
        lst = list(obj)
        for k, v in direct.items():
            lst[int(k)] = v
        for head, sub in nested.items():
            lst[int(head)] = _apply(obj[int(head)], sub)
        return lst
    raise KeyError(str(nested))


def _apply(obj: Any, values: dict[str, Any]) -> Any:
    direct: dict[Any, Any] = {}
    nested: dict[PathPart, dict[str, Any]] = {}
    for path, v in values.items():
        parts = parse_path(path)
        if len(parts) == 1:
            direct[parts[0]] = v
            continue
        nested.setdefault(parts[0], {})[format_path(parts[1:])] = v
    return _replace(obj, direct, nested)
