"""``rebound params``: show, get, set, validate and diff parameter and scenario files.

Values are always the *resolved* ones: a scenario is laid over its base chain and validated
exactly as ``rebound run`` would. ``set`` edits the file in place with tomlkit (comments and
layout kept; only the changed lines differ), validates the edited text as a whole, and writes
it atomically; on any problem the file is left byte-identical and the exit status is 2.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from rebound.cli.common import EXIT_BAD_INPUT, fail, handle_input_errors

if TYPE_CHECKING:  # pragma: no cover
    from rebound.params.load import Loaded
    from rebound.problems import Problem

FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format on stdout.",
)
FILE = click.Path(path_type=Path)  # existence and kind are checked by the loader: one plain line, exit 2


@click.group("params")
def params() -> None:
    """Show, get, set, validate and diff parameter and scenario files.

    \b
    Key paths look like gdp.trend_growth_pct, sectors.industry.headroom,
    lockdown.phases[0].end, levers.vouchers.rounds[0].amount_100m.

    \b
    Examples:
      rebound params show params/changchun_2022.toml
      rebound params get scenarios/changchun_2022/no_vouchers.toml levers.vouchers.enabled
      rebound params set params/changchun_2022.toml levers.vouchers.scale=2
      rebound params validate params/*.toml scenarios/*/*.toml
      rebound params diff params/changchun_2022.toml scenarios/changchun_2022/no_policy.toml
    """


# ---------------------------------------------------------------- value formatting


def value_text(v: Any, *, quote: bool = False) -> str:
    """A value as an analyst would write it in TOML (dates ISO, booleans true/false)."""
    if v is None:
        return "(none)"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False) if quote else v
    if isinstance(v, list | tuple):
        return "[" + ", ".join(value_text(x, quote=True) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {value_text(x, quote=True)}" for k, x in v.items()) + "}"
    return str(v)


def clip(text: str, width: int = 60) -> str:
    """Shorten a long cell for the terminal table (get or --format json show it whole)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def json_value(v: Any) -> Any:
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return [json_value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): json_value(x) for k, x in v.items()}
    return v


def resolved_values(loaded: Loaded) -> dict[str, Any]:
    """Every resolved leaf value (schema defaults included), keyed by path."""
    from rebound.params.load import leaf_paths

    return leaf_paths(loaded.params.model_dump())


def _display(path: Path) -> str:
    from rebound.params.load import _display as disp

    return disp(path)


# ---------------------------------------------------------------- show


def _source_lines(loaded: Loaded) -> dict[str, list[str]]:
    return {_display(f.path): f.text.split("\n") for f in loaded.files}


def _comment_at(lines: dict[str, list[str]], file: str, line: int | None) -> str:
    from rebound.params.tomlines import inline_comment

    text = lines.get(file)
    if text is None or line is None or not 0 < line <= len(text):
        return ""
    return inline_comment(text[line - 1])


def _src_of(comment: str) -> str:
    """The text after ``src:`` in a ``unit · meaning · src: ...`` comment (else the comment)."""
    i = comment.find("src:")
    return comment[i + 4 :].strip() if i >= 0 else comment


def show_rows(loaded: Loaded, only: str = "") -> list[dict[str, Any]]:
    from rebound.params.load import field_info

    lines = _source_lines(loaded)
    rows: list[dict[str, Any]] = []
    for key, value in resolved_values(loaded).items():
        if only and not (key == only or key.startswith((only + ".", only + "["))):
            continue
        unit, meaning = field_info(key, loaded.raw)
        file, line = loaded.origin.get(key, ("", None))
        if file:
            src = _src_of(_comment_at(lines, file, line))
        else:
            src = "(schema default)"
        rows.append(
            {
                "key": key,
                "value": value,
                "unit": unit,
                "meaning": meaning,
                "src": src,
                "file": file,
                "line": line,
                "overridden": key in loaded.overridden,
            }
        )
    return rows


@params.command("show")
@click.argument("file", type=FILE)
@FORMAT
@click.option("--only", default="", metavar="KEY", help="Only keys at or below this path (e.g. levers.vouchers).")
@handle_input_errors
def show(file: Path, fmt: str, only: str) -> None:
    """Resolved values of FILE with unit, meaning and source.

    FILE is a parameter file or a scenario. Every value is listed, including schema defaults
    the file leaves out. The src column is the text after "src:" in the value's inline
    comment; values set by a scenario are marked * and the from column names the scenario
    line that set them.

    \b
    Examples:
      rebound params show params/changchun_2022.toml
      rebound params show scenarios/changchun_2022/no_vouchers.toml --only levers.vouchers
      rebound params show params/jinzhong_2022.toml --format json
    """
    from rebound.params.load import load

    loaded = load(file)
    rows = show_rows(loaded, only)
    if only and not rows:
        _unknown_key(loaded, file, only)
    if fmt == "json":
        out = {
            "file": _display(file),
            "scenario": loaded.scenario_name if len(loaded.files) > 1 else None,
            "files": [_display(f.path) for f in loaded.files],
            "values": [{**r, "value": json_value(r["value"])} for r in rows],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    from rebound.cli.fmt import table

    body = [
        [
            ("* " if r["overridden"] else "  ") + r["key"],
            clip(value_text(r["value"], quote=False)),
            r["unit"],
            r["meaning"],
            r["src"],
            f"{r['file']}:{r['line']}" if r["file"] and r["line"] else r["file"],
        ]
        for r in rows
    ]
    if len(loaded.files) > 1:
        chain = " <- ".join(_display(f.path) for f in loaded.files)
        click.echo(f"scenario '{loaded.scenario_name}': {chain}")
        if loaded.scenario_description:
            click.echo(loaded.scenario_description)
    click.echo(table(body, ["  key", "value", "unit", "meaning", "src", "from"]))
    if loaded.overridden:
        click.echo("* set by a scenario (see the from column)")


# ---------------------------------------------------------------- get


def _suggest(word: str, options: list[str]) -> str:
    from rebound.params.load import _suggest as sug

    return sug(word, options)


def _unknown_key(loaded: Loaded, file: Path, key: str) -> None:
    from rebound.params.load import PathError, parse_path
    from rebound.problems import Problem

    try:
        parse_path(key)
        msg = "unknown key" + _suggest(key, list(resolved_values(loaded)))
    except PathError as err:
        msg = str(err)
    fail([Problem(_display(file), None, key, msg)])


@params.command("get")
@click.argument("file", type=FILE)
@click.argument("key")
@handle_input_errors
def get(file: Path, key: str) -> None:
    """Print the resolved value of KEY in FILE (dates as YYYY-MM-DD).

    A table prints every value below it as "key = value" lines. An unknown key exits with
    status 2 and a suggestion.

    \b
    Examples:
      rebound params get params/changchun_2022.toml lockdown.phases[0].end
      rebound params get scenarios/changchun_2022/double_vouchers.toml levers.vouchers.scale
      rebound params get params/changchun_2022.toml levers.vouchers
    """
    from rebound.params.load import PathError, get_path, leaf_paths, load, parse_path

    loaded = load(file)
    dump = loaded.params.model_dump()
    try:
        value = get_path(dump, key)
    except PathError:
        _unknown_key(loaded, file, key)
        return
    except KeyError:
        _unknown_key(loaded, file, key)
        return
    if isinstance(value, dict) or (isinstance(value, list) and value and all(isinstance(v, dict) for v in value)):
        for k, v in leaf_paths(value, parse_path(key)).items():
            click.echo(f"{k} = {value_text(v, quote=True)}")
        return
    click.echo(value_text(value))


# ---------------------------------------------------------------- set


def parse_value(text: str, current: Any) -> Any:
    """VALUE of KEY=VALUE as a TOML value; a bare word is a string only where a string is due.

    Raises ValueError with a plain message.
    """
    import tomllib

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


def _set_leaf(container: Any, key: Any, value: Any) -> None:
    """Replace ``container[key]`` keeping the old item's inline comment and indentation."""
    from rebound.params.tomledit import replace_item

    replace_item(container, key, value)


def _edit_params_doc(doc: Any, parts: list[Any], value: Any) -> None:
    import tomlkit

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
        _set_leaf(cur, last, value)
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
    import tomlkit

    if "set" not in doc:
        doc["set"] = tomlkit.table()
    found = _find_override(doc["set"], key)
    if found is not None:
        _set_leaf(found[0], found[1], value)
    else:
        doc["set"][key] = value


def _current_value(file: Path, data: dict[str, Any], key: str) -> Any:
    """The value KEY has now (resolved if the file loads; else as written; else None)."""
    from rebound.params.load import get_path, load
    from rebound.problems import InputError

    try:
        return get_path(load(file).params.model_dump(), key)
    except (InputError, KeyError):
        pass
    try:
        return get_path(data, key)
    except KeyError:
        return None


def _key_problem(file: Path, data: dict[str, Any], parts: list[Any], key: str) -> str:
    """Why KEY cannot be set in a parameter file ("" if it can)."""
    from rebound.params.load import _field_at, get_path, leaf_paths, load
    from rebound.problems import InputError

    try:
        current = get_path(data, key)
    except KeyError:
        current = None
        exists = False
    else:
        exists = True
    if exists:
        if isinstance(current, dict) or (isinstance(current, list) and current and all(isinstance(v, dict) for v in current)):
            first = next(iter(leaf_paths(current, parts)), key)
            return f"is a table; set its values one by one (e.g. {first}=...)"
        return ""
    if parts[0] == "levers" and len(parts) > 1 and parts[1] not in data.get("levers", {}):
        names = sorted(data.get("levers", {}))
        return f"no lever '{parts[1]}' in this file" + _suggest(str(parts[1]), names) + f" (levers: {', '.join(names) or 'none'})"
    cur: Any = data
    for i, part in enumerate(parts[:-1]):
        if isinstance(part, int):
            if not isinstance(cur, list) or part >= len(cur):
                from rebound.params.load import format_path

                n = len(cur) if isinstance(cur, list) else 0
                return f"index {part} is out of range: {format_path(parts[:i])} has {n} entries"
            cur = cur[part]
        elif isinstance(cur, dict):
            cur = cur.get(part, {})
    if not isinstance(parts[-1], int) and _field_at(parts, data) is not None:
        return ""  # a key the file leaves at its schema default: it will be added
    try:
        options = list(leaf_paths(load(file).params.model_dump()))
    except InputError:
        options = list(leaf_paths(data))
    return "unknown key" + _suggest(key, options)


def _line_map(old: str, new: str) -> dict[int, int]:
    """Candidate line -> line of the file on disk, for lines that exist in both."""
    import difflib

    a, b = old.split("\n"), new.split("\n")
    out: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for k in range(j2 - j1):
                out[j1 + k + 1] = i1 + k + 1
    return out


def _rename_problems(problems: list[Problem], tmp: Path, file: Path, old: str, new: str) -> list[Problem]:
    """Problems found in the candidate file, reported against the real file.

    Lines that only the candidate has (an added key) get no line number: the file on disk,
    which is left unchanged, has no such line.
    """
    from rebound.problems import Problem

    tmp_disp, real_disp = _display(tmp), _display(file)
    lines = _line_map(old, new)
    out = []
    for p in problems:
        line = p.line
        if p.file == tmp_disp:
            name = real_disp
            line = lines.get(p.line) if p.line is not None else None
        else:
            name = p.file
        out.append(Problem(name, line, p.key, p.message.replace(tmp_disp, real_disp).replace(tmp.name, file.name)))
    return out


def _shift_conflict(data: dict[str, Any], key: str, lines: dict[str, int]) -> str:
    """A scenario's [shift_days] entry that would move KEY after [set] (else "")."""
    from rebound.params.load import _flatten_overrides
    from rebound.params.tomlines import line_of

    table = data.get("shift_days")
    if not isinstance(table, dict):
        return ""
    for path, _ in _flatten_overrides(table):
        if key == path or key.startswith((path + ".", path + "[")):
            line = line_of(lines, f"shift_days.{path}")
            return (
                f"is also moved by [shift_days] \"{path}\" (line {line}), which applies after [set]; "
                "remove that shift first or change the number of days there"
            )
    return ""


@params.command("set")
@click.argument("file", type=FILE)
@click.argument("assignments", nargs=-1, required=True, metavar="KEY=VALUE...")
@handle_input_errors
def set_(file: Path, assignments: tuple[str, ...]) -> None:
    """Set values in FILE in place, keeping comments and layout.

    VALUE is a TOML value: 0.5, 2022-04-01, true, "text", [1, 2]. A bare word that is not
    valid TOML is taken as text only where the key holds text. Each changed line keeps its
    inline comment. The whole edited file is validated (for a scenario, with its base chain)
    before it is written atomically; on any problem the file is left byte-identical and the
    exit status is 2. In a scenario file the key is set inside its [set] table (added as a
    quoted key if absent). Quote the argument in the shell when VALUE has spaces or quotes.

    \b
    Examples:
      rebound params set params/changchun_2022.toml levers.vouchers.scale=2
      rebound params set params/changchun_2022.toml lockdown.phases[0].end=2022-04-20 lockdown.phases[1].start=2022-04-21
      rebound params set params/changchun_2022.toml 'episode.description="Omicron, March 2022"'
      rebound params set scenarios/changchun_2022/double_vouchers.toml levers.vouchers.scale=3
    """
    import tempfile

    import tomlkit

    from rebound.params.load import PathError, load, parse_path, parse_toml
    from rebound.problems import InputError, Problem

    disp = _display(file)
    src = parse_toml(file, disp)  # missing file, bad UTF-8, TOML syntax -> exit 2
    data = src.data
    scenario = "base" in data
    doc = tomlkit.parse(src.text)
    problems: list[Problem] = []
    changes: list[tuple[str, Any, Any]] = []
    for item in assignments:
        key, eq, text = item.partition("=")
        key = key.strip()
        if not eq or not key:
            problems.append(Problem(disp, None, item, "expected KEY=VALUE (e.g. levers.vouchers.scale=2)"))
            continue
        try:
            parts = parse_path(key)
        except PathError as err:
            problems.append(Problem(disp, None, key, str(err)))
            continue
        msg = _shift_conflict(data, key, src.lines) if scenario else _key_problem(file, data, parts, key)
        if msg:
            problems.append(Problem(disp, None if scenario else src.lines.get(key), key, msg))
            continue
        current = _current_value(file, data, key)
        try:
            value = parse_value(text.strip(), current)
        except ValueError as err:
            problems.append(Problem(disp, src.lines.get(key), key, str(err)))
            continue
        if scenario:
            _edit_scenario_doc(doc, key, value)
        else:
            _edit_params_doc(doc, parts, value)
        changes.append((key, current, value))
    if problems:
        fail(problems)

    new_text = tomlkit.dumps(doc)
    raw = file.read_bytes()
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    target = Path(os.path.realpath(file))
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".toml", dir=target.parent)
    tmp = Path(tmp_name)
    # the candidate is named as the user named the file, so problems point at the right path
    tmp_user = file.parent / tmp.name
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(bom + new_text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        try:
            result = load(tmp_user)
        except InputError as err:
            fail(_rename_problems(err.problems, tmp_user, file, src.text, new_text))
        os.chmod(tmp, os.stat(target).st_mode & 0o7777)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    from rebound.params.load import get_path

    dump = result.params.model_dump()
    for key, old, _ in changes:
        click.echo(f"{disp}: {key}: {value_text(old, quote=True)} -> {value_text(get_path(dump, key), quote=True)}")


# ---------------------------------------------------------------- validate


@params.command("validate")
@click.argument("files", nargs=-1, required=True, type=FILE)
@click.option("--require-src", is_flag=True, help='Also require an inline "src:" comment on every number of a parameter file.')
@handle_input_errors
def validate(files: tuple[Path, ...], require_src: bool) -> None:
    """Check parameter and scenario files; list every problem of every file.

    Prints one OK line per good file on stdout and "file:line: key: message" lines on
    stderr; exits with status 2 if any file has a problem.

    \b
    Examples:
      rebound params validate params/changchun_2022.toml
      rebound params validate params/*.toml scenarios/*/*.toml --require-src
    """
    from rebound.params.load import load, undocumented_numbers
    from rebound.problems import InputError

    problems: list[Problem] = []
    for file in files:
        try:
            loaded = load(file)
        except InputError as err:
            problems += err.problems
            continue
        if require_src and len(loaded.files) == 1:
            missing = undocumented_numbers(loaded.files[0])
            if missing:
                problems += missing
                continue
        if len(loaded.files) > 1:
            n = len({k for k, (f, _) in loaded.origin.items() if f == _display(file) and k in loaded.overridden})
            what = f"scenario '{loaded.scenario_name}' on {_display(loaded.param_file)}, {n} value(s) set here"
        else:
            what = f"parameter file, episode {loaded.params.episode.name}, {len(loaded.params.levers)} lever(s)"
        click.echo(f"{_display(file)}: OK ({what})")
    if problems:
        sys.stdout.flush()
        fail(problems)


# ---------------------------------------------------------------- diff

_ABSENT = object()


def diff_rows(a: Loaded, b: Loaded) -> list[tuple[str, Any, Any]]:
    va, vb = resolved_values(a), resolved_values(b)
    keys = list(va) + [k for k in vb if k not in va]
    rows = []
    for k in keys:
        x, y = va.get(k, _ABSENT), vb.get(k, _ABSENT)
        if x is _ABSENT or y is _ABSENT or type(x) is not type(y) or x != y:
            rows.append((k, x, y))
    return rows


@params.command("diff")
@click.argument("a", type=FILE)
@click.argument("b", type=FILE)
@FORMAT
@handle_input_errors
def diff(a: Path, b: Path, fmt: str) -> None:
    """Resolved values that differ between A and B (parameter or scenario files).

    \b
    Examples:
      rebound params diff scenarios/changchun_2022/baseline.toml scenarios/changchun_2022/no_vouchers.toml
      rebound params diff params/changchun_2020.toml params/changchun_2022.toml --format json
    """
    from rebound.params.load import load
    from rebound.problems import InputError

    problems: list[Problem] = []
    loaded: list[Loaded] = []
    for f in (a, b):
        try:
            loaded.append(load(f))
        except InputError as err:
            problems += err.problems
    if problems:
        fail(problems)
    rows = diff_rows(loaded[0], loaded[1])
    da, db = _display(a), _display(b)
    if fmt == "json":
        out = {
            "a": da,
            "b": db,
            "differences": [
                {"key": k, "a": None if x is _ABSENT else json_value(x), "b": None if y is _ABSENT else json_value(y), "only_in": "a" if y is _ABSENT else "b" if x is _ABSENT else None}
                for k, x, y in rows
            ],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(f"no differences: {da} and {db} resolve to the same values")
        return
    from rebound.cli.fmt import table

    def cell(v: Any) -> str:
        return "(absent)" if v is _ABSENT else clip(value_text(v, quote=True))

    click.echo(table([[k, cell(x), cell(y)] for k, x, y in rows], ["key", da, db]))


__all__ = ["params", "EXIT_BAD_INPUT"]
