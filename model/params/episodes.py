"""Episode names wherever a path works: ``rebound run changchun_2022``.

A bare name (letters, digits, ``_ . -``; no folder, no ``.toml``) that is not an existing path
is the parameter file ``params/<name>.toml`` of the project, else ``./params/<name>.toml`` in
the working folder. Anything else is returned unchanged, so a missing path still reports
"file not found" where the user named it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from rebound.problems import InputError, Problem

ROOT = Path(__file__).resolve().parents[2]
PARAMS_DIR = ROOT / "params"
LOCAL_PARAMS_DIR = Path("params")  # relative to the working folder
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def is_episode_name(text: str) -> bool:
    """True for a bare name such as ``changchun_2022`` (no folder, not ending in ``.toml``)."""
    return bool(_NAME.match(text)) and not text.lower().endswith(".toml")


def known_episode_files() -> list[str]:
    """Names of the parameter files in the project's ``params/`` and the working folder's."""
    names = {p.stem for d in (PARAMS_DIR, LOCAL_PARAMS_DIR) if d.is_dir() for p in d.glob("*.toml")}
    return sorted(names)


def resolve_episode(path: str | Path) -> Path:
    """The parameter file a command-line argument names.

    Parameters
    ----------
    path : str or Path
        A path, or a bare episode name.

    Returns
    -------
    Path
        ``path`` itself when it exists or is not a bare name; else the first of
        ``<project>/params/<name>.toml`` and ``./params/<name>.toml`` that is a file.

    Raises
    ------
    InputError
        For a bare name that is neither a file nor an episode; the message lists the known ones.
    """
    p = Path(path)
    text = str(path)
    if os.path.lexists(p) or not is_episode_name(text):
        return p
    for folder in (PARAMS_DIR, LOCAL_PARAMS_DIR):
        candidate = folder / f"{text}.toml"
        if candidate.is_file():
            return candidate
    known = ", ".join(known_episode_files()) or "(none)"
    raise InputError([Problem(text, None, "", f"file not found, and no episode of that name in params/ (known: {known})")])
