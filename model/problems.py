"""Problems found in user input, reported one plain line each.

Every validator in the core returns a list of :class:`Problem` instead of raising on the
first one, so a user sees every mistake in a file at once. The CLI prints them with
:meth:`Problem.format` and exits with status 2.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one input file.

    Attributes
    ----------
    file : str
        Path of the file as the user gave it (or ``"-"`` for standard input).
    line : int or None
        1-based line number, or None when the problem concerns the whole file.
    key : str
        Key path (``levers.vouchers.rounds[0].amount_100m``) or column name.
    message : str
        Plain-language description, with a suggestion where one helps.
    """

    file: str
    line: int | None
    key: str
    message: str

    def format(self) -> str:
        """Return ``file:line: key: message`` (``file: key: message`` without a line).

        Always one line: line breaks and other control characters inside the file name, key
        or message (a key or value taken from the input) are shown escaped (``\\n``).
        """
        where = f"{one_line(self.file)}:{self.line}" if self.line is not None else one_line(self.file)
        if self.key:
            return f"{where}: {one_line(self.key)}: {one_line(self.message)}"
        return f"{where}: {one_line(self.message)}"


_CONTROL = {i: f"\\x{i:02x}" for i in [*range(0x20), 0x7F]} | {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"}
_CONTROL |= {0x2028: "\\u2028", 0x2029: "\\u2029", 0x85: "\\x85"}


def one_line(text: str) -> str:
    """``text`` with line breaks and control characters escaped, so it prints as one line."""
    return str(text).translate(_CONTROL)


class InputError(Exception):
    """Raised by loaders when input is unusable; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.key))
        super().__init__("\n".join(p.format() for p in self.problems))
