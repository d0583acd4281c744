"""Map TOML key paths to line numbers.

tomllib and tomlkit give values but no line numbers; validation errors need them. This small
scanner reads the text line by line, tracks the current table (``[a.b]``) and array-of-tables
index (``[[a.b]]``), and records the line of each ``key = value``. Key paths use the form
``levers.vouchers.rounds[0].amount_100m``.
"""

from __future__ import annotations

import re

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _split_key(text: str) -> list[str]:
    """Split a dotted TOML key (bare or quoted parts) into its parts."""
    parts: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c in " \t.":
            i += 1
            continue
        if c in "\"'":
            j = text.find(c, i + 1)
            if j < 0:
                return parts
            parts.append(text[i + 1 : j])
            i = j + 1
            continue
        m = _BARE.match(text, i)
        if not m:
            return parts
        parts.append(m.group(0))
        i = m.end()
    return parts


def _key_of_assignment(line: str) -> str | None:
    """Return the key text of ``key = value`` (quoted keys may contain '=')."""
    i = 0
    n = len(line)
    while i < n:
        c = line[i]
        if c in "\"'":
            j = line.find(c, i + 1)
            if j < 0:
                return None
            i = j + 1
            continue
        if c == "=":
            return line[:i].strip()
        if c == "#":
            return None
        i += 1
    return None


def _code_part(value: str) -> str:
    """``value`` with string contents and a trailing comment removed (for bracket counting)."""
    out: list[str] = []
    i = 0
    n = len(value)
    while i < n:
        c = value[i]
        if c == "#":
            break
        if c in "\"'":
            j = i + 1
            while j < n and value[j] != c:
                j += 2 if c == '"' and value[j] == "\\" else 1
            i = j + 1
            out.append('""')
            continue
        out.append(c)
        i += 1
    return "".join(out)


def inline_comment(line: str) -> str:
    """Text of the ``# comment`` at the end of a TOML line (outside strings), or ``""``."""
    i = 0
    n = len(line)
    while i < n:
        c = line[i]
        if c == "#":
            return line[i + 1 :].strip()
        if c in "\"'":
            j = i + 1
            while j < n and line[j] != c:
                j += 2 if c == '"' and line[j] == "\\" else 1
            i = j + 1
            continue
        i += 1
    return ""


def _fmt(parts: list[str | int]) -> str:
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + p
    return out


class _Scanner:
    """State of :func:`key_lines` while it reads the text line by line."""

    def __init__(self) -> None:
        self.lines: dict[str, int] = {}
        self.counters: dict[str, int] = {}  # array-of-tables path -> latest index
        self.current: list[str | int] = []  # the table assignments go into
        self.depth = 0  # open brackets of a multi-line value
        self.in_multiline_str: str | None = None

    def feed(self, lineno: int, raw: str) -> None:
        line = raw.strip()
        if self.in_multiline_str:
            if self.in_multiline_str in line:
                self.in_multiline_str = None
            return
        if self.depth > 0:
            code = _code_part(line)
            self.depth += code.count("[") - code.count("]")
            return
        if not line or line.startswith("#"):
            return
        if line.startswith("[["):
            self._array_header(lineno, _split_key(line[2 : line.find("]]")]))
        elif line.startswith("["):
            self._table_header(lineno, _split_key(line[1 : line.find("]")]))
        else:
            self._assignment(lineno, line)

    def _array_header(self, lineno: int, name: list[str]) -> None:
        # [[a.b]] after [[a]] is an array inside the latest element of a: a[i].b[j]
        prefix: list[str | int] = []
        for part in name[:-1]:
            prefix.append(part)
            if _fmt(prefix) in self.counters:
                prefix.append(self.counters[_fmt(prefix)])
        full: list[str | int] = [*prefix, *name[-1:]]
        base = _fmt(full)
        idx = self.counters.get(base, -1) + 1
        self.counters[base] = idx
        # nested arrays of tables: reset counters below this table
        for k in list(self.counters):
            if k.startswith(base + "[") or (k.startswith(base + ".") and k != base):
                del self.counters[k]
        self.current = [*full, idx]
        self.lines.setdefault(base, lineno)
        self.lines[_fmt(self.current)] = lineno

    def _table_header(self, lineno: int, name: list[str]) -> None:
        # a sub-table of the latest array element: [a.b.c] after [[a.b]]
        resolved: list[str | int] = []
        for part in name:
            resolved.append(part)
            key = _fmt(resolved)
            if key in self.counters:
                resolved.append(self.counters[key])
        self.current = resolved
        self.lines[_fmt(self.current)] = lineno

    def _assignment(self, lineno: int, line: str) -> None:
        key_text = _key_of_assignment(line)
        if key_text is None:
            return
        path: list[str | int] = [*self.current, *_split_key(key_text)]
        self.lines[_fmt(path)] = lineno
        value = line[line.find("=", len(key_text)) + 1 :].strip()
        if value.startswith('"""') or value.startswith("'''"):
            q = value[:3]
            if value.count(q) == 1:
                self.in_multiline_str = q
        elif value.startswith("{"):
            inner = value[1 : value.rfind("}")]
            for m in re.finditer(r"([A-Za-z0-9_\-\"'.]+)\s*=", inner):
                sub = _split_key(m.group(1))
                self.lines.setdefault(_fmt([*path, *sub]), lineno)
        elif value.startswith("["):
            code = _code_part(value)
            self.depth = code.count("[") - code.count("]")


def key_lines(text: str) -> dict[str, int]:
    """Return ``{key path: 1-based line}`` for every table header and assignment.

    Array indices count ``[[...]]`` headers. Inline tables map their inner keys to the line
    of the assignment. Multi-line arrays map to the line where the key stands.
    """
    scanner = _Scanner()
    # TOML counts lines by "\n" only; str.splitlines() would also split on \x0c, \u2028, ...
    for lineno, raw in enumerate(text.split("\n"), start=1):
        scanner.feed(lineno, raw)
    return scanner.lines


def line_of(lines: dict[str, int], path: str) -> int | None:
    """Line of ``path``, or of its nearest ancestor that has one."""
    p = path
    while p:
        if p in lines:
            return lines[p]
        cut = max(p.rfind("."), p.rfind("["))
        if cut <= 0:
            break
        p = p[:cut]
    return lines.get(p)
