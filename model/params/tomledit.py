"""Round-trip edits of TOML text with tomlkit: change values, keep comments and layout.

Used by ``rebound params set`` and by ``rebound calibrate --write``. Only the lines whose values
change differ; each value keeps its inline comment.
"""

from __future__ import annotations

from typing import Any

import tomlkit
from tomlkit.items import Item

from rebound.params.paths import parse_path


def _container_and_key(doc: Any, path: str) -> tuple[Any, str | int]:
    parts = parse_path(path)
    cur = doc
    for part in parts[:-1]:
        cur = cur[part]
    return cur, parts[-1]


def set_value(doc: Any, path: str, value: Any) -> None:
    """Set ``path`` in a tomlkit document to ``value``, keeping the old inline comment."""
    container, key = _container_and_key(doc, path)
    replace_item(container, key, value)


def replace_item(container: Any, key: str | int, value: Any) -> None:
    """Replace ``container[key]`` keeping the old item's inline comment and indentation."""
    old = container[key]
    new = tomlkit.item(value)
    if isinstance(old, Item) and isinstance(new, Item):
        new.trivia.comment = old.trivia.comment
        new.trivia.comment_ws = old.trivia.comment_ws
        new.trivia.indent = old.trivia.indent
        new.trivia.trail = old.trivia.trail
    container[key] = new


def set_values(text: str, values: dict[str, Any]) -> str:
    """Return ``text`` with values set at key paths (comments and layout kept)."""
    doc = tomlkit.parse(text)
    for path, value in values.items():
        set_value(doc, path, value)
    return tomlkit.dumps(doc)


def round_sig(x: float, digits: int = 6) -> float:
    """Round to significant digits so calibrated files stay readable."""
    if x == 0:
        return 0.0
    return float(f"{x:.{digits}g}")
