"""``rebound params set``: change values in a parameter or scenario file, comments kept.

The edit is planned by :func:`rebound.params.edit.plan_set`; the edited text is validated as a
whole (for a scenario, with its base chain) and written by
:func:`rebound.writers.replace_checked`, so on any problem the file stays byte-identical. The
read, edit and write happen under :func:`rebound.writers.locked`: concurrent ``params set``
runs on one file take turns, so every edit survives.
"""

from __future__ import annotations

from pathlib import Path

import click

from rebound.cli.common import handle_input_errors

FILE = click.Path(path_type=Path)  # existence and kind are checked by the loader: one plain line, exit 2


@click.command("set")
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
    from rebound.api import load
    from rebound.cli.fmt import value_text
    from rebound.params import Loaded, get_path
    from rebound.params.edit import plan_set, problems_on_real_file
    from rebound.params.source import display
    from rebound.problems import InputError
    from rebound.writers import locked, replace_checked

    with locked(file):  # read, edit and write under one lock: concurrent edits all survive
        plan = plan_set(file, assignments)
        raw = file.read_bytes()
        bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""

        def check(candidate: Path) -> Loaded:
            # the candidate is named as the user named the file, so problems point at the right path
            try:
                return load(candidate)
            except InputError as err:
                raise InputError(problems_on_real_file(err.problems, candidate, file, plan.source.text, plan.text)) from None

        result = replace_checked(file, bom + plan.text.encode("utf-8"), check)
    dump = result.params.model_dump()
    shown = display(file)
    for key, old, _ in plan.changes:
        click.echo(f"{shown}: {key}: {value_text(old, quote=True)} -> {value_text(get_path(dump, key), quote=True)}")
