"""The only place the package writes files: atomically, never half-written.

Each writer renders to a temporary file in the target directory and renames it over the
target (``os.replace`` is atomic on one file system). A set of outputs is staged the same way:
if any one fails, none of the new files appears and files already in the directory (other
than the targets) are never touched.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TypeVar

import pandas as pd

Render = Callable[[IO[bytes]], None]
T = TypeVar("T")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and rename."""
    def render(f: IO[bytes]) -> None:
        f.write(data)

    atomic_write(path, render)


def _target_mode(path: Path) -> int:
    """Permissions for a file written at ``path``: the existing file's, else 0666 less umask."""
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write(path: Path, render: Render) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _target_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            render(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV that opens in pandas and Excel (UTF-8 with BOM so Excel shows Chinese)."""
    return df.to_csv(index=False, float_format="%.10g", lineterminator="\n").encode("utf-8-sig")


def json_bytes(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n").encode("utf-8")


@contextmanager
def staged_outputs(out_dir: Path) -> Iterator[dict[str, bytes]]:
    """Collect ``{file name: bytes}``; on success write them all, each atomically.

    Everything is rendered in memory first, so an error while computing or rendering leaves
    the directory exactly as it was.
    """
    files: dict[str, bytes] = {}
    yield files
    write_all(Path(out_dir), files)


def write_all(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write several files so that either all new versions appear or none does.

    All temporary files are written and synced first; only then are they renamed into place.
    If a rename fails, the files already renamed are put back as they were (previous versions
    are kept as hard links until every rename succeeded).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    staged = _stage_all(out_dir, files)
    backups: list[tuple[Path, str | None]] = []
    done: list[tuple[Path, str | None]] = []
    try:
        backups = [(target, _hard_link_backup(target)) for _, target in staged]
        for (tmp, target), backup in zip(staged, backups, strict=True):
            os.replace(tmp, target)
            done.append(backup)
    except BaseException:
        _roll_back(done)
        _remove([tmp for tmp, _ in staged] + [old for _, old in backups if old is not None])
        raise
    _remove([old for _, old in backups if old is not None])


def _stage_all(out_dir: Path, files: dict[str, bytes]) -> list[tuple[str, Path]]:
    """Write every file to a synced temporary next to its target: [(temporary, target)]."""
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in files.items():
            target = out_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            mode = _target_mode(target)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            staged.append((tmp, target))
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, mode)
    except BaseException:
        _remove([tmp for tmp, _ in staged])
        raise
    return staged


def _hard_link_backup(target: Path) -> str | None:
    """A hard link to the current ``target`` (None if there is none), to roll back to."""
    if not target.exists():
        return None
    old = tempfile.mktemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent)
    os.link(target, old)
    return old


def _roll_back(done: list[tuple[Path, str | None]]) -> None:
    """Put back what was there before each rename (or remove what was not)."""
    for target, old in done:
        if old is not None:
            os.replace(old, target)
        elif target.exists():
            os.unlink(target)


def _remove(paths: list[str]) -> None:
    for path in paths:
        if os.path.exists(path):
            os.unlink(path)


def replace_checked(path: Path, data: bytes, check: Callable[[Path], T]) -> T:
    """Replace ``path`` by ``data`` only if ``check`` accepts the new version; return its result.

    The new version is written to a temporary file in the target's directory (so relative
    paths inside it, e.g. a scenario's ``base``, resolve as for the real file) and
    ``check`` is called with that file's path *as the user named the directory*; if it raises,
    the original is left byte-identical. Then the temporary takes the original's permissions
    and is renamed over it (through symbolic links: the link's target is replaced).
    """
    target = Path(os.path.realpath(path))
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        result = check(Path(path).parent / tmp.name)
        os.chmod(tmp, os.stat(target).st_mode & 0o7777)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return result
