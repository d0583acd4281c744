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

Every problem in a file is reported at once, as ``file:line: key: message``. Rules of later
layers (they need the simulation) come in as ``checks``; :func:`rebound.checks.load` passes
them. The helpers live in sibling modules; the names other rooms used from here are
re-exported (see ``__all__``).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rebound.params.episodes import resolve_episode
from rebound.params.fields import field_info
from rebound.params.guards import Check
from rebound.params.messages import Where
from rebound.params.overrides import SECTIONS, apply_override, flatten_overrides
from rebound.params.paths import (
    PathError,
    PathPart,
    format_path,
    get_path,
    leaf_paths,
    nearest_ancestor,
    parse_path,
    set_path,
    suggest,
)
from rebound.params.schema import Params
from rebound.params.source import (
    SourceFile,
    display,
    parse_toml,
    read_text,
    resolved,
    undocumented_numbers,
)
from rebound.params.tomlines import line_of
from rebound.params.validate import cross_field_problems, validate_raw
from rebound.params.values import with_values
from rebound.problems import InputError, Problem

__all__ = [
    "SCENARIO_KEYS",
    "Loaded",
    "PathError",
    "PathPart",
    "SourceFile",
    "cross_field_problems",
    "display",
    "field_info",
    "format_path",
    "get_path",
    "leaf_paths",
    "load",
    "parse_path",
    "parse_toml",
    "read_text",
    "revalidate",
    "set_path",
    "undocumented_numbers",
    "validate_source",
    "with_values",
]

SCENARIO_KEYS = {"base", "name", "description", "set", "shift_days"}
MAX_BASE_CHAIN = 32
"""Most files in one scenario chain (the scenario, its bases, the parameter file); real chains: 2-3."""
MAX_SHIFT_DAYS = 36_500
"""Largest ``[shift_days]`` entry, in days either way (100 years; dates stay inside the calendar)."""


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
    checks: tuple[Check, ...] = ()  # the later layers' rules it was validated with

    def __post_init__(self) -> None:
        # reference CSVs named by a path are relative to the parameter file (base of a chain)
        self.params._source_dir = str(self.files[0].path.parent)

    @property
    def path(self) -> Path:
        return self.files[-1].path

    @property
    def param_file(self) -> Path:
        return self.files[0].path

    def hashes(self) -> dict[str, str]:
        """SHA-256 of every file in the chain, keyed by its resolved path relative to the working directory."""
        return {display(f.path): f.sha256 for f in self.files}


def load(path: str | Path, *, checks: Sequence[Check] = (), _seen: tuple[Path, ...] = ()) -> Loaded:
    """Load a parameter or scenario file, resolve its base chain, and validate.

    A file with a top-level ``base`` key is a scenario; anything else is a parameter file.

    Parameters
    ----------
    path : str or Path
        The file, or a bare episode name (:func:`rebound.params.episodes.resolve_episode`).
    checks : sequence of Check
        Rules of later layers, run with the guards (:data:`rebound.checks.MODEL_CHECKS`).

    Raises
    ------
    InputError
        With every problem found (file, line, key, message).
    """
    p = resolve_episode(path) if not _seen else Path(path)  # a bare episode name is params/<name>.toml
    shown = display(p)
    real = resolved(p)
    if real in _seen:
        chain = " -> ".join(display(s) for s in (*_seen, real))
        raise InputError([Problem(shown, None, "base", f"scenario bases form a cycle: {chain}")])
    if len(_seen) >= MAX_BASE_CHAIN:
        first = display(_seen[0])
        raise InputError([Problem(first, None, "base", f"the chain of scenario bases is longer than {MAX_BASE_CHAIN} files (stopped at {shown}); base a scenario on the parameter file or a scenario close to it")])
    src = parse_toml(p, shown)
    if "base" not in src.data:
        if "set" in src.data or "shift_days" in src.data:
            raise InputError([Problem(shown, None, "base", 'a scenario file needs base = "<parameter file or scenario it changes, relative to this file>"')])
        return validate_source(src, tuple(checks))
    return _load_scenario(src, tuple(checks), (*_seen, real))


def _header_problems(src: SourceFile, shown: str) -> list[Problem]:
    """Unknown top-level keys and non-string name/description of a scenario file."""
    data = src.data
    problems: list[Problem] = []
    for k in data:
        if k not in SCENARIO_KEYS:
            problems.append(Problem(shown, src.lines.get(k), k, "unknown key in a scenario file" + suggest(k, sorted(SCENARIO_KEYS))))
    for k in ("name", "description"):
        if k in data and not isinstance(data[k], str):
            problems.append(Problem(shown, src.lines.get(k), k, f"must be a string (got {data[k]!r})"))
    return problems


def _base_path(src: SourceFile, shown: str, seen: tuple[Path, ...], problems: list[Problem]) -> Path:
    """The scenario's base file (raises with ``problems`` and the base's own problem)."""
    base_val = src.data["base"]
    line = src.lines.get("base")

    def fail(msg: str) -> InputError:
        return InputError([*problems, Problem(shown, line, "base", msg)])

    if not isinstance(base_val, str) or not base_val.strip():
        raise fail(f"must be a path string, relative to this file (got {base_val!r})")
    if "\0" in base_val:
        raise fail("path contains a NUL character")
    base_path = src.path.parent / base_val
    if os.path.islink(base_path) or os.path.lexists(base_path):
        try:
            os.stat(base_path)
        except OSError:
            raise fail(f"base cannot be read: symbolic links form a loop or point nowhere: {base_val}") from None
    if not base_path.exists():
        raise fail(f"base file not found: {base_val} (looked for {display(base_path)})")
    if base_path.is_dir():
        raise fail(f"base is a directory, expected a file: {base_val}")
    if resolved(base_path) in seen:
        chain = " -> ".join(display(s) for s in (*seen, resolved(base_path)))
        raise fail(f"scenario bases form a cycle: {chain}")
    return base_path


def _apply_sections(src: SourceFile, shown: str, base: Loaded, raw: dict[str, Any], origin: dict[str, tuple[str, int | None]], overridden: set[str]) -> list[Problem]:
    """Lay the scenario's [set] and [shift_days] over ``raw``; record what each entry changed."""
    problems: list[Problem] = []
    known = list(leaf_paths(base.params.model_dump()))  # valid keys (with defaults) for suggestions
    for section in SECTIONS:
        table = src.data.get(section, {})
        if not isinstance(table, dict):
            problems.append(Problem(shown, src.lines.get(section), section, 'must be a table of "key.path" = value'))
            continue
        for key, value in flatten_overrides(table):
            line = line_of(src.lines, f"{section}.{key}")
            if section == "shift_days" and isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SHIFT_DAYS:
                problems.append(Problem(shown, line, key, f"shift of {value} days is too large (at most {MAX_SHIFT_DAYS} days, 100 years, either way)"))
                continue
            try:
                msg, leaves = apply_override(raw, section, key, value, known)
            except OverflowError:
                msg, leaves = f"moves a date outside the calendar (years 1 to 9999) by {value} days", []
            if msg:
                problems.append(Problem(shown, line, key, msg))
                continue
            for leaf in leaves:
                origin[leaf] = (shown, line)
                overridden.add(leaf)
    return problems


def _where_in_chain(origin: dict[str, tuple[str, int | None]], first: SourceFile) -> Where:
    """Key -> (file, line): the scenario line that set it (or an ancestor), else the base file."""

    def where(key: str) -> tuple[str, int | None]:
        found = nearest_ancestor(key, origin)
        if found is not None:
            return origin[found]
        return display(first.path), line_of(first.lines, key)

    return where


def _load_scenario(src: SourceFile, checks: tuple[Check, ...], seen: tuple[Path, ...]) -> Loaded:
    shown = display(src.path)
    problems = _header_problems(src, shown)
    base = load(_base_path(src, shown, seen, problems), checks=checks, _seen=seen)
    raw = copy.deepcopy(base.raw)
    origin = dict(base.origin)
    overridden = set(base.overridden)
    problems += _apply_sections(src, shown, base, raw, origin, overridden)
    params: Params | None = None
    try:
        params = validate_raw(raw, _where_in_chain(origin, base.files[0]), overridden, checks)
    except InputError as err:
        # The base validated on its own, so what fails now was caused by the overrides.
        for q in err.problems:
            if q.file != shown:
                q = Problem(q.file, q.line, q.key, f"{q.message} (after the overrides in {shown})")
            problems.append(q)
    if problems or params is None:
        raise InputError(problems)
    return Loaded(
        params=params,
        raw=raw,
        files=[*base.files, src],
        origin=origin,
        overridden=overridden,
        scenario_name=str(src.data.get("name", src.path.stem)),
        scenario_description=str(src.data.get("description", "")),
        checks=checks,
    )


def validate_source(src: SourceFile, checks: Sequence[Check] = ()) -> Loaded:
    """Validate a parameter file already read (see :func:`rebound.params.source.parse_toml`)."""
    shown = display(src.path)

    def where(key: str) -> tuple[str, int | None]:
        return shown, line_of(src.lines, key)

    params = validate_raw(src.data, where, checks=checks)
    origin = {k: (shown, line_of(src.lines, k)) for k in leaf_paths(src.data)}
    return Loaded(params=params, raw=copy.deepcopy(src.data), files=[src], origin=origin, scenario_name="baseline", checks=tuple(checks))


_validate_params = validate_source  # the name rebound.fit.calfile imports


def revalidate(loaded: Loaded, values: dict[str, Any]) -> Params:
    """Validated copy of a loaded parameter set with values set at key paths.

    Runs the same rules the file was loaded with (``loaded.checks`` included).
    """
    raw = copy.deepcopy(loaded.raw)
    problems: list[Problem] = []
    for k, v in values.items():
        try:
            set_path(raw, k, v)
        except (KeyError, IndexError, TypeError):
            problems.append(Problem(str(loaded.path), None, k, "unknown key" + suggest(k, list(leaf_paths(raw)))))
    if problems:
        raise InputError(problems)

    def where(key: str) -> tuple[str, int | None]:
        return loaded.origin.get(key, (str(loaded.path), None))

    return validate_raw(raw, where, checks=loaded.checks)
