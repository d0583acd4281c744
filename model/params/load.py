"""Load, resolve and validate parameter and scenario files.

A *parameter file* (``params/<episode>.toml``) holds a whole episode. A *scenario file*
(``scenarios/<episode>/<name>.toml``) names a ``base`` (a parameter file or another scenario,
path relative to the scenario file) and lays overrides over it::

    base = "../../params/changchun_2022.toml"
    name = "no_vouchers"
    description = "Vouchers never issued."

    [set]                       # any value, by key path
    "levers.vouchers.enabled" = false

    [shift_days]                # move dates by whole days
    "lockdown.phases[0].end" = -14

Every problem in a file is reported at once, as ``file:line: key: message``.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import hashlib
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from rebound.params.schema import LEVER_TYPES, Params
from rebound.params.tomlines import key_lines, line_of
from rebound.problems import InputError, Problem

PathPart = str | int

SCENARIO_KEYS = {"base", "name", "description", "set", "shift_days"}


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


@dataclass
class SourceFile:
    path: Path
    text: str
    data: dict[str, Any]
    lines: dict[str, int]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass
class Loaded:
    """A resolved, validated parameter set and where every value came from."""

    params: Params
    raw: dict[str, Any]
    files: list[SourceFile]  # base first, the file named by the user last
    origin: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    overridden: set[str] = field(default_factory=set)
    scenario_name: str = ""
    scenario_description: str = ""

    @property
    def path(self) -> Path:
        return self.files[-1].path

    @property
    def param_file(self) -> Path:
        return self.files[0].path

    def hashes(self) -> dict[str, str]:
        return {str(f.path): f.sha256 for f in self.files}


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


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _lever_classes() -> dict[str, type[BaseModel]]:
    from rebound.params import schema

    return {
        "consumption_voucher": schema.ConsumptionVoucher,
        "tax_relief": schema.TaxRelief,
        "project_starts": schema.ProjectStarts,
        "special_bond": schema.SpecialBond,
        "housing_subsidy": schema.HousingSubsidy,
        "demand_promotion": schema.DemandPromotion,
    }


def _model_in(ann: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation (``X``, ``list[X]``, ``X | None``), if any."""
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for a in getattr(ann, "__args__", ()):
        found = _model_in(a)
        if found is not None:
            return found
    return None


def _model_at(parts: list[PathPart], raw: dict[str, Any] | None) -> type[BaseModel] | None:
    """Schema model that a key path points into (levers resolved by their ``type`` in ``raw``)."""
    model: type[BaseModel] | None = Params
    i = 0
    while i < len(parts):
        part = parts[i]
        if isinstance(part, int):
            i += 1
            continue
        if model is None:
            return None
        if model is Params and part == "levers":
            if i + 1 >= len(parts) or raw is None:
                return None
            lever = raw.get("levers", {}).get(parts[i + 1])
            typ = lever.get("type") if isinstance(lever, dict) else None
            model = _lever_classes().get(typ) if isinstance(typ, str) else None
            i += 2
            continue
        f = model.model_fields.get(str(part))
        if f is None:
            return None
        model = _model_in(f.annotation)
        i += 1
    return model


def _field_at(parts: list[PathPart], raw: dict[str, Any] | None) -> Any:
    """Schema FieldInfo of a key path (trailing list indices ignored), or None."""
    parts = list(parts)
    while parts and isinstance(parts[-1], int):
        parts.pop()
    if not parts:
        return None
    if raw is None and parts[0] == "levers" and len(parts) > 2:
        # no file to tell the lever type: the first lever class that has the field
        for cls in _lever_classes().values():
            sub: type[BaseModel] | None = cls
            found = None
            for part in parts[2:]:
                if sub is None:
                    found = None
                    break
                if isinstance(part, int):
                    continue
                found = sub.model_fields.get(part)
                if found is None:
                    break
                sub = _model_in(found.annotation)
            if found is not None:
                return found
        return None
    parent = _model_at(parts[:-1], raw)
    if parent is None:
        return None
    return parent.model_fields.get(str(parts[-1]))


def _model_fields_at(loc: tuple[PathPart, ...], raw: dict[str, Any]) -> list[str]:
    """Field names of the schema model that holds the last element of ``loc``."""
    model = _model_at(list(loc[:-1]), raw)
    return list(model.model_fields) if model is not None else []


def _clean_loc(loc: tuple[Any, ...]) -> tuple[PathPart, ...]:
    """Drop pydantic's discriminator tags from an error location."""
    out: list[PathPart] = []
    for i, part in enumerate(loc):
        if isinstance(part, str) and part in LEVER_TYPES and i >= 2 and loc[0] == "levers":
            continue
        if isinstance(part, str) and part.startswith("function-"):
            continue
        out.append(part)
    return tuple(out)


def _pydantic_problems(err: ValidationError, raw: dict[str, Any], where: Any) -> list[Problem]:
    problems: list[Problem] = []
    for e in err.errors():
        loc = _clean_loc(tuple(e["loc"]))
        key = format_path(loc)
        kind = e["type"]
        if kind == "extra_forbidden":
            options = _model_fields_at(loc, raw)
            msg = "unknown key" + _suggest(str(loc[-1]), options)
        elif kind == "missing":
            msg = "required key is missing"
        elif kind in ("finite_number",):
            msg = "must be a finite number (NaN and inf are not allowed)"
        elif kind == "union_tag_invalid":
            got = e.get("ctx", {}).get("tag", "?")
            msg = f"unknown lever type '{got}'" + _suggest(str(got), list(LEVER_TYPES)) + f"; known: {', '.join(LEVER_TYPES)}"
        elif kind == "union_tag_not_found":
            msg = f"lever needs a 'type' ({', '.join(LEVER_TYPES)})"
        else:
            msg = e["msg"]
            inp = e.get("input")
            if kind.endswith("_type") or kind.startswith("date"):
                msg += f" (got {inp!r})"
                if isinstance(inp, str) and _unquoted_kind(inp):
                    msg += f"; write it without quotes: {inp.strip()}"
            elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
                msg += f" (got {inp!r})"
        file, line = where(key)
        problems.append(Problem(file, line, key, msg))
    return problems


def _unquoted_kind(text: str) -> str:
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


def _nan_problems(raw: Any, where: Any, prefix: list[PathPart] | None = None) -> list[Problem]:
    """NaN or inf anywhere (TOML allows ``nan``) is rejected with its key."""
    prefix = prefix or []
    out: list[Problem] = []
    if isinstance(raw, dict):
        for k, v in raw.items():
            out += _nan_problems(v, where, [*prefix, k])
    elif isinstance(raw, list):
        for i, v in enumerate(raw):
            out += _nan_problems(v, where, [*prefix, i])
    elif isinstance(raw, float) and not math.isfinite(raw):
        key = format_path(prefix)
        file, line = where(key)
        out.append(Problem(file, line, key, "must be a finite number (NaN and inf are not allowed)"))
    return out


def cross_field_problems(p: Params, where: Any, *, overridden: set[str] | frozenset[str] = frozenset()) -> list[Problem]:
    """Rules that span fields: dates in order, inside the horizon, phases not overlapping.

    When a scenario changed one side of a pair of dates (``overridden``), the problem is
    reported at that side, so the line shown is the one that caused it.
    """
    out: list[Problem] = []
    year = p.episode.year
    h0, h1 = dt.date(year - 1, 1, 1), dt.date(year, 12, 31)

    def bad(key: str, msg: str) -> None:
        f, ln = where(key)
        out.append(Problem(f, ln, key, msg))

    def moved(key: str, other: str) -> bool:
        return key in overridden and other not in overridden

    def check_span(prefix: str, start: dt.date, end: dt.date) -> None:
        if end < start:
            if moved(f"{prefix}.start", f"{prefix}.end"):
                bad(f"{prefix}.start", f"start {start} is after end {end}")
            else:
                bad(f"{prefix}.end", f"end {end} is before start {start}")
        for k, d in (("start", start), ("end", end)):
            if not h0 <= d <= h1:
                bad(f"{prefix}.{k}", f"{d} is outside the horizon {h0}..{h1} (episode.year = {year})")

    phases = p.lockdown.phases
    for i, ph in enumerate(phases):
        check_span(f"lockdown.phases[{i}]", ph.start, ph.end)
        if i > 0 and ph.start <= phases[i - 1].end:
            prev = phases[i - 1]
            if moved(f"lockdown.phases[{i - 1}].end", f"lockdown.phases[{i}].start"):
                bad(f"lockdown.phases[{i - 1}].end", f"ends {prev.end}, overlapping phase {i} ('{ph.name}', starts {ph.start}); end the day before")
            elif ph.start < prev.start:
                bad(f"lockdown.phases[{i}].start", f"phases must be in date order: starts {ph.start}, before phase {i - 1} ('{prev.name}') starts {prev.start}")
            else:
                bad(f"lockdown.phases[{i}].start", f"overlaps phase {i - 1} ('{prev.name}', ends {prev.end}); start the day after")
    for name, lever in p.levers.items():
        base = f"levers.{name}"
        if hasattr(lever, "rounds"):
            for j, r in enumerate(lever.rounds):
                if not h0 <= r.date <= h1:
                    bad(f"{base}.rounds[{j}].date", f"{r.date} is outside the horizon {h0}..{h1} (episode.year = {year})")
        for listname in ("tranches", "issues"):
            for j, t in enumerate(getattr(lever, listname, []) or []):
                check_span(f"{base}.{listname}[{j}]", t.start, t.end)
        if hasattr(lever, "start") and hasattr(lever, "end"):
            check_span(base, lever.start, lever.end)
    # sector levels must leave a non-zero base for y/y figures
    for sname in ("industry", "consumption", "investment"):
        sec = getattr(p.sectors, sname)
        for m, a in enumerate(sec.prior_year_anomaly):
            if a <= -1.0:
                bad(f"sectors.{sname}.prior_year_anomaly[{m}]", f"{a} would make the prior-year base zero or negative (y/y undefined); must be > -1")
        for m, s in enumerate(sec.seasonal):
            if s <= 0:
                bad(f"sectors.{sname}.seasonal[{m}]", f"seasonal factor must be > 0 (got {s})")
    g = p.gdp
    if g.primary_100m + g.secondary_100m + g.tertiary_100m <= 0:
        bad("gdp.primary_100m", "prior-year GDP (sum of the three sectors) must be > 0")
    # free parameters must name numeric keys and have a sensible prior
    raw = p.model_dump()
    for i, fp in enumerate(p.calibration.free):
        k = f"calibration.free[{i}]"
        try:
            val = get_path(raw, fp.key)
        except (KeyError, IndexError, TypeError):
            bad(f"{k}.key", f"'{fp.key}' is not a parameter in this file")
            continue
        if not isinstance(val, int | float) or isinstance(val, bool):
            bad(f"{k}.key", f"'{fp.key}' is not a number")
        if not fp.lower < fp.upper:
            bad(f"{k}.upper", f"upper {fp.upper} must be above lower {fp.lower}")
        elif not fp.lower <= fp.centre <= fp.upper:
            bad(f"{k}.centre", f"prior centre {fp.centre} is outside [{fp.lower}, {fp.upper}]")
        if fp.prior == "lognormal" and fp.lower <= 0:
            bad(f"{k}.lower", "a lognormal prior needs lower > 0")
    # numerical guard rails (zero y/y bases, overflow, free-parameter ranges): model/guards.py
    from rebound.params.guards import guard_problems

    guard_problems(p, bad)
    return out


def load(path: str | Path, *, _seen: tuple[Path, ...] = ()) -> Loaded:
    """Load a parameter or scenario file, resolve its base chain, and validate.

    A file with a top-level ``base`` key is a scenario; anything else is a parameter file.

    Raises
    ------
    InputError
        With every problem found (file, line, key, message).
    """
    p = Path(path)
    display = _display(p)
    resolved = p.resolve()
    if resolved in _seen:
        chain = " -> ".join(_display(s) for s in (*_seen, resolved))
        raise InputError([Problem(display, None, "base", f"scenario bases form a cycle: {chain}")])
    src = parse_toml(p, display)
    data = src.data
    if "base" not in data:
        if "set" in data or "shift_days" in data:
            raise InputError([Problem(display, None, "base", 'a scenario file needs base = "<parameter file or scenario it changes, relative to this file>"')])
        return _validate_params(src)
    # scenario file
    problems: list[Problem] = []
    for k in data:
        if k not in SCENARIO_KEYS:
            problems.append(Problem(display, src.lines.get(k), k, "unknown key in a scenario file" + _suggest(k, sorted(SCENARIO_KEYS))))
    for k in ("name", "description"):
        if k in data and not isinstance(data[k], str):
            problems.append(Problem(display, src.lines.get(k), k, f"must be a string (got {data[k]!r})"))
    base_val = data["base"]
    base_line = src.lines.get("base")
    if not isinstance(base_val, str) or not base_val.strip():
        raise InputError([*problems, Problem(display, base_line, "base", f"must be a path string, relative to this file (got {base_val!r})")])
    base_path = p.parent / base_val
    if not base_path.exists():
        raise InputError([*problems, Problem(display, base_line, "base", f"base file not found: {base_val} (looked for {_display(base_path)})")])
    if base_path.is_dir():
        raise InputError([*problems, Problem(display, base_line, "base", f"base is a directory, expected a file: {base_val}")])
    if base_path.resolve() in (*_seen, resolved):
        chain = " -> ".join(_display(s) for s in (*_seen, resolved, base_path.resolve()))
        raise InputError([*problems, Problem(display, base_line, "base", f"scenario bases form a cycle: {chain}")])
    base = load(base_path, _seen=(*_seen, resolved))
    raw = copy.deepcopy(base.raw)
    origin = dict(base.origin)
    overridden = set(base.overridden)
    # valid keys (with schema defaults) for did-you-mean suggestions
    known = list(leaf_paths(base.params.model_dump()))

    for section in ("set", "shift_days"):
        table = data.get(section, {})
        if not isinstance(table, dict):
            problems.append(Problem(display, src.lines.get(section), section, 'must be a table of "key.path" = value'))
            continue
        for key, value in _flatten_overrides(table):
            line = line_of(src.lines, f"{section}.{key}")
            msg, leaves = _apply_override(raw, section, key, value, known)
            if msg:
                problems.append(Problem(display, line, key, msg))
                continue
            for leaf in leaves:
                origin[leaf] = (display, line)
                overridden.add(leaf)

    def where(key: str) -> tuple[str, int | None]:
        if key in origin:
            return origin[key]
        k = key  # nearest ancestor
        while k:
            cut = max(k.rfind("."), k.rfind("["))
            if cut <= 0:
                break
            k = k[:cut]
            if k in origin:
                return origin[k]
        first = base.files[0]
        return _display(first.path), line_of(first.lines, key)

    params: Params | None = None
    try:
        params = _validate_raw(raw, where, overridden)
    except InputError as err:
        # The base validated on its own, so what fails now was caused by the overrides.
        for q in err.problems:
            if q.file != display:
                q = Problem(q.file, q.line, q.key, f"{q.message} (after the overrides in {display})")
            problems.append(q)
    if problems or params is None:
        raise InputError(problems)
    name = data.get("name", p.stem)
    return Loaded(
        params=params,
        raw=raw,
        files=[*base.files, src],
        origin=origin,
        overridden=overridden,
        scenario_name=str(name),
        scenario_description=str(data.get("description", "")),
    )


def _flatten_overrides(table: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """``[set]`` entries as (key path, value); nested tables become dotted paths.

    ``"a.b" = 1``, ``a.b = 1`` and ``[set.a] b = 1`` all mean the path ``a.b``. (Before, an
    unquoted dotted key replaced the whole table ``a`` by ``{b = 1}``.)
    """
    out: list[tuple[str, Any]] = []
    for k, v in table.items():
        path = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, dict):
            out += _flatten_overrides(v, path)
        else:
            out.append((path, v))
    return out


def _date_leaves(obj: Any, parts: list[PathPart]) -> list[str]:
    items = leaf_paths(obj, parts).items() if isinstance(obj, dict | list) else [(format_path(parts), obj)]
    return [k for k, v in items if isinstance(v, dt.date) and not isinstance(v, dt.datetime)]


def _apply_override(raw: dict[str, Any], section: str, key: str, value: Any, known: list[str]) -> tuple[str, list[str]]:
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
            return _missing_message(raw, parts, section, known), []
        if not isinstance(value, int) or isinstance(value, bool):
            return f"shift must be a whole number of days (got {value!r})", []
        dates = _date_leaves(current, parts)
        if not dates:
            return f"[shift_days] applies to dates (or tables holding dates); this key holds {current!r}", []
        for k in dates:
            set_path(raw, k, get_path(raw, k) + dt.timedelta(days=value))
        return "", dates
    if exists:
        if isinstance(current, dict):
            return f"is a table; set its keys one by one (e.g. \"{key}.{next(iter(current), 'x')}\" = ...)", []
        if isinstance(current, list) and not isinstance(value, list):
            return f"holds a list; give a whole list (got {value!r})", []
        set_path(raw, key, value)
        return "", list(leaf_paths(value, parts)) if isinstance(value, list) else [key]
    msg = _missing_message(raw, parts, section, known)
    if msg:
        return msg, []
    # a key the file leaves at its schema default: create it (and any missing tables)
    cur: Any = raw
    for part in parts[:-1]:
        cur = cur.setdefault(part, {}) if isinstance(cur, dict) else cur[part]
    cur[parts[-1]] = value
    return "", [key]


def _missing_message(raw: dict[str, Any], parts: list[PathPart], section: str, known: list[str]) -> str:
    """Why a path absent from ``raw`` cannot be set ("" if the schema declares it)."""
    key = format_path(parts)
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
            return f"no lever '{part}' in this episode" + _suggest(str(part), names) + f" (levers: {', '.join(names) or 'none'})"
        if not isinstance(cur, dict) or part not in cur:
            break
        cur = cur[part]
    if section == "set" and not isinstance(parts[-1], int) and _field_at(parts, raw) is not None:
        return ""
    return f"unknown key in [{section}]" + _suggest(key, known)


def _validate_raw(raw: dict[str, Any], where: Any, overridden: set[str] | None = None) -> Params:
    problems = _nan_problems(raw, where)
    try:
        params = Params.model_validate(raw)
    except ValidationError as err:
        problems += _pydantic_problems(err, raw, where)
        # de-duplicate (NaN caught twice)
        uniq = {(p.file, p.line, p.key): p for p in problems}
        raise InputError(list(uniq.values())) from None
    problems += cross_field_problems(params, where, overridden=overridden or set())
    if problems:
        raise InputError(problems)
    return params


def _validate_params(src: SourceFile) -> Loaded:
    display = _display(src.path)

    def where(key: str) -> tuple[str, int | None]:
        return display, line_of(src.lines, key)

    params = _validate_raw(src.data, where)
    origin = {k: (display, line_of(src.lines, k)) for k in leaf_paths(src.data)}
    return Loaded(params=params, raw=copy.deepcopy(src.data), files=[src], origin=origin, scenario_name="baseline")


def with_values(params: Params, values: dict[str, Any]) -> Params:
    """Copy of ``params`` with values replaced at key paths, *without* validation.

    Used by the engine and the calibrator to put per-draw numpy arrays where the schema has
    floats; the arithmetic broadcasts. Validate user-facing values with :func:`revalidate`.
    """
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
        if isinstance(obj, list) and isinstance(parts[0], int) or len(parts) == 1:
            if len(parts) == 1:
                direct[parts[0]] = v
                continue
        nested.setdefault(parts[0], {})[format_path(parts[1:])] = v
    return _replace(obj, direct, nested)


def revalidate(loaded: Loaded, values: dict[str, Any]) -> Params:
    """Validated copy of a loaded parameter set with values set at key paths."""
    raw = copy.deepcopy(loaded.raw)
    problems: list[Problem] = []
    for k, v in values.items():
        try:
            set_path(raw, k, v)
        except (KeyError, IndexError, TypeError):
            problems.append(Problem(str(loaded.path), None, k, "unknown key" + _suggest(k, list(leaf_paths(raw)))))
    if problems:
        raise InputError(problems)

    def where(key: str) -> tuple[str, int | None]:
        return loaded.origin.get(key, (str(loaded.path), None))

    return _validate_raw(raw, where)


def field_info(path: str, raw: dict[str, Any] | None = None) -> tuple[str, str]:
    """(unit, meaning) declared in the schema for a key path, or ("", "").

    Give ``raw`` (``Loaded.raw``) so a lever field is looked up in the lever's own type
    (``amount_100m`` means different things for a housing subsidy and a demand promotion).
    """
    try:
        parts = parse_path(path)
    except PathError:
        return "", ""
    f = _field_at(parts, raw)
    if f is None:
        return "", ""
    extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
    unit, meaning = str(extra.get("unit", "")), str(extra.get("meaning", ""))
    if not meaning and f.description:
        meaning = str(f.description)
    return unit, meaning


def undocumented_numbers(src: SourceFile) -> list[Problem]:
    """Numbers in a parameter file whose line lacks an inline comment with ``src:``.

    The convention is ``key = value  # unit · meaning · src: where it comes from``. The
    calibrator's own record (``calibration.record``) is exempt.
    """
    from rebound.params.tomlines import inline_comment

    display = _display(src.path)
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
            out.append(Problem(display, line, key, 'number without a source: add an inline comment "# unit · meaning · src: ..."'))
    return out
