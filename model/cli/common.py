"""Shared CLI plumbing: turning input problems into exit status 2, output formats."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from rebound.problems import InputError, Problem

F = TypeVar("F", bound=Callable[..., Any])

EXIT_BAD_INPUT = 2


def fail(problems: list[Problem]) -> None:
    """Print one line per problem to stderr and exit with status 2."""
    for p in sorted(problems, key=lambda p: (p.file, p.line or 0, p.key)):
        click.echo(p.format(), err=True)
    sys.exit(EXIT_BAD_INPUT)


def fail_one(file: str, message: str, key: str = "", line: int | None = None) -> None:
    fail([Problem(file, line, key, message)])


def _shown(filename: object) -> str:
    """A file name from an OSError, relative to the working directory when inside it."""
    if not filename:
        return "?"
    name = os.fsdecode(filename) if isinstance(filename, str | bytes) else str(filename)
    here = os.getcwd() + os.sep
    return name[len(here):] if name.startswith(here) else name


def handle_input_errors(func: F) -> F:
    """Decorator: an :class:`InputError` becomes plain lines on stderr and exit 2.

    Also turns the usual file-system failures into one clear line instead of a traceback.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as err:
            fail(err.problems)
        except FileNotFoundError as err:
            fail_one(_shown(err.filename), "file not found")
        except IsADirectoryError as err:
            fail_one(_shown(err.filename), "is a directory, expected a file")
        except PermissionError as err:
            fail_one(_shown(err.filename), "permission denied (cannot read or write)")
        except FileExistsError as err:
            fail_one(_shown(err.filename), "exists and is not a folder (cannot write into it)")
        except NotADirectoryError as err:
            fail_one(_shown(err.filename), "a part of the path is a file, not a folder")
        except UnicodeDecodeError as err:
            fail_one("?", f"not valid UTF-8 text ({err.reason})")
        except OSError as err:  # read-only file system, disk full, name too long, link loop...
            fail_one(_shown(err.filename), f"cannot read or write ({err.strerror or err})")
        except (RecursionError, OverflowError) as err:  # a last guard: loaders bound depth and size
            fail_one("?", f"input too deep or a number too large to compute with ({type(err).__name__})")

    return wrapper  # type: ignore[return-value]


FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Output format on stdout.",
)
