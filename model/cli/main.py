"""rebound command line: run lockdown-recovery scenarios against reported figures.

The entry point stays light (only click is imported at start) so ``rebound --help`` is fast;
each verb lives in ``rebound/cli/<verb>_cmd.py`` (folder ``model/cli/``) and is imported when it is called.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Any

import click

from rebound.problems import one_line

# verb -> (module in rebound.cli, attribute, one-line help shown by `rebound --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "new": ("new_cmd", "new", "Write a parameter file for a new episode (validates and runs at once)."),
    "run": ("run_cmd", "run", "Run an episode or scenario; reported vs model figures."),
    "compare": ("compare_cmd", "compare", "Compare scenarios with the calibrated baseline."),
    "attribute": ("attribute_cmd", "attribute", "Split the policy effect among the levers (Shapley)."),
    "sweep": ("sweep_cmd", "sweep", "Response of indicators to one lever's size or one date."),
    "report": ("report_cmd", "report", "Write one self-contained HTML report."),
    "calibrate": ("calibrate_cmd", "calibrate", "Fit free parameters to the reported figures."),
    "backtest": ("calibrate_cmd", "backtest", "Fit up to a cutoff month, score later figures."),
    "evaluate": ("evaluate_cmd", "evaluate", "Score 90% predictive intervals on held-out figures, beside a naive forecast."),
    "params": ("params_cmd", "params", "Show, get, set, validate and diff parameter files."),
    "data": ("data_cmd", "data", "Show, check and extract observed figures."),
}


class LazyGroup(click.Group):
    """A click group that imports a verb's module only when that verb runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, attr, _ = COMMANDS[cmd_name]
        module = importlib.import_module(f"rebound.cli.{module_name}")
        command: click.Command = getattr(module, attr)
        return command

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the CLI; a usage error prints one line ``rebound: <problem>`` and exits 2.

        click's own usage errors are three lines (usage, hint, error); here they are one, like
        every other problem. ``--help`` and ``--version`` keep click's behaviour.
        """
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as err:
            sub = err.ctx.command_path.partition(" ")[2] if err.ctx is not None else ""
            where = f"rebound {sub}" if sub else "rebound"
            click.echo(f"{where}: {one_line(err.format_message())}", err=True)
            sys.exit(err.exit_code)
        except click.ClickException as err:
            click.echo(f"rebound: {one_line(err.format_message())}", err=True)
            sys.exit(err.exit_code)
        except click.Abort:
            click.echo("rebound: aborted", err=True)
            sys.exit(1)
        except BrokenPipeError:
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, short) for name, (_, _, short) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="rebound", prog_name="rebound")
def main() -> None:
    """Explain and replay how a regional economy fell and recovered around a lockdown.

    \b
    Examples:
      rebound run params/changchun_2022.toml
      rebound compare scenarios/changchun_2022/no_vouchers.toml --ensemble 200
      rebound calibrate params/changchun_2022.toml --format json
      rebound params set params/changchun_2022.toml levers.vouchers.scale=2
      rebound data check data/observed/*.csv
    """


def _run(argv: Any = None) -> None:  # pragma: no cover - convenience for python -m
    main(argv)


if __name__ == "__main__":  # pragma: no cover
    main()
