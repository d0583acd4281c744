"""``rebound params``: show, get, set, validate and diff parameter and scenario files.

Values are always the *resolved* ones: a scenario is laid over its base chain and validated
exactly as ``rebound run`` would. ``set`` (``params_set.py``) edits the file in place with
tomlkit (comments and layout kept; only the changed lines differ), validates the edited text
as a whole, and writes it atomically; on any problem the file is left byte-identical and the
exit status is 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from rebound.cli.common import EXIT_BAD_INPUT, fail, handle_input_errors
from rebound.cli.params_set import FILE, set_

if TYPE_CHECKING:  # pragma: no cover
    from rebound.params import Loaded
    from rebound.problems import Problem

FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format on stdout.",
)


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


params.add_command(set_)


def resolved_values(loaded: Loaded) -> dict[str, Any]:
    """Every resolved leaf value (schema defaults included), keyed by path."""
    from rebound.params import leaf_paths

    return leaf_paths(loaded.params.model_dump())


def _display(path: Path) -> str:
    from rebound.params.source import display

    return display(path)


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
    from rebound.params import field_info

    lines = _source_lines(loaded)
    rows: list[dict[str, Any]] = []
    for key, value in resolved_values(loaded).items():
        if only and not (key == only or key.startswith((only + ".", only + "["))):
            continue
        unit, meaning = field_info(key, loaded.raw)
        file, line = loaded.origin.get(key, ("", None))
        src = _src_of(_comment_at(lines, file, line)) if file else "(schema default)"
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
    from rebound.api import load

    loaded = load(file)
    rows = show_rows(loaded, only)
    if only and not rows:
        _unknown_key(loaded, file, only)
    if fmt == "json":
        from rebound.cli.fmt import json_value

        out = {
            "file": _display(file),
            "scenario": loaded.scenario_name if len(loaded.files) > 1 else None,
            "files": [_display(f.path) for f in loaded.files],
            "values": [{**r, "value": json_value(r["value"])} for r in rows],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    from rebound.cli.fmt import clip, table, value_text

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


def _unknown_key(loaded: Loaded, file: Path, key: str) -> None:
    from rebound.params import PathError, parse_path
    from rebound.params.paths import suggest
    from rebound.problems import Problem

    try:
        parse_path(key)
        msg = "unknown key" + suggest(key, list(resolved_values(loaded)))
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
    from rebound.api import load
    from rebound.cli.fmt import value_text
    from rebound.params import get_path, leaf_paths, parse_path

    loaded = load(file)
    dump = loaded.params.model_dump()
    try:
        value = get_path(dump, key)
    except KeyError:  # PathError is a KeyError
        _unknown_key(loaded, file, key)
        return
    if isinstance(value, dict) or (isinstance(value, list) and value and all(isinstance(v, dict) for v in value)):
        for k, v in leaf_paths(value, parse_path(key)).items():
            click.echo(f"{k} = {value_text(v, quote=True)}")
        return
    click.echo(value_text(value))


# ---------------------------------------------------------------- validate


@params.command("validate")
@click.argument("files", nargs=-1, required=True, type=FILE)
@click.option("--require-src", is_flag=True, help='Also require an inline "src:" comment on every number of a parameter file.')
@handle_input_errors
def validate(files: tuple[Path, ...], require_src: bool) -> None:
    """Check parameter and scenario files; list every problem of every file.

    Prints one OK line per good file on stdout and "file:line: key: message" lines on
    stderr; exits with status 2 if any file has a problem. The observed-data file
    (episode.observed) must exist and validate. A calibration record that no longer applies
    (values or fit figures changed since) is a warning line, not an error: run then draws the
    calibrated keys from their priors.

    \b
    Examples:
      rebound params validate params/changchun_2022.toml
      rebound params validate params/*.toml scenarios/*/*.toml --require-src
    """
    from rebound.api import load
    from rebound.params import undocumented_numbers
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
        episode_bad, warnings = episode_data_checks(loaded)
        for w in warnings:
            click.echo(w.format(), err=True)
        if episode_bad:
            problems += episode_bad
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


def episode_data_checks(loaded: Loaded) -> tuple[list[Problem], list[Problem]]:
    """(problems, warnings) of the observed-data file and the calibration record.

    A missing or invalid observed-data file is a problem (``run`` would fail). A calibration
    record that does not apply to these values or these fit figures is a warning: ``run`` still
    works and draws the calibrated keys from their priors (docs/new-episode.md).
    """
    from rebound.data.observed import load_observed
    from rebound.fit.draws import posterior_status
    from rebound.fit.pipeline import observed_file
    from rebound.problems import InputError, Problem

    first = loaded.files[0]
    shown = _display(first.path)
    path = observed_file(loaded)
    rows = None
    if path is not None:
        line = first.lines.get("episode.observed")
        if not path.is_file():
            what = "is a directory, expected a CSV file" if path.is_dir() else "not found"
            return [Problem(shown, line, "episode.observed", f"observed-data file {what}: {_display(path)} (relative to {shown})")], []
        try:
            rows = [o for o in load_observed(path) if o.role == "fit"]
        except InputError as err:
            return [Problem(shown, line, "episode.observed", f"observed-data file has problems: {q.format()}") for q in err.problems], []
    rec = loaded.params.calibration.record
    status = posterior_status(loaded.params, rows) if rec is not None else ""
    if not status:
        return [], []
    line = first.lines.get("calibration.record")
    return [], [Problem(shown, line, "calibration.record", f"warning: {status}")]


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
    from rebound.api import load
    from rebound.cli.fmt import json_value
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
    from rebound.cli.fmt import clip, table, value_text

    def cell(v: Any) -> str:
        return "(absent)" if v is _ABSENT else clip(value_text(v, quote=True))

    click.echo(table([[k, cell(x), cell(y)] for k, x, y in rows], ["key", da, db]))


__all__ = ["params", "EXIT_BAD_INPUT"]
