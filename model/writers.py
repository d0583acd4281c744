"""The only place the package writes files: atomically, never half-written, one writer at a time.

Each writer renders to a temporary file in the target directory and renames it over the
target (``os.replace`` is atomic on one file system). Writers of one directory take an
exclusive ``flock`` on that directory (:func:`locked`; no lock file is left behind), so
concurrent edits are serialised and none is lost. Temporary names are fixed per target
(``.<name>.rebound-tmp``): one killed by SIGKILL is reused and removed by the next write.

A set of outputs (:func:`write_all`) is switched in with one rename when the output directory
holds nothing but these outputs (or does not exist yet): the whole set is written to
``.<dir>.rebound-new`` beside it, which is then exchanged with the directory in one
``renameat2(RENAME_EXCHANGE)`` (or renamed, when the directory is new). A kill at any moment
leaves all old files or all new ones. When the directory holds other files too, the files are
staged, synced and renamed one by one (a kill inside that short window can mix old and new;
the other files are never touched).
"""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import fcntl
import json
import os
import shutil
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


def build_time() -> dt.datetime | None:
    """The time recorded in provenance files, reports and calibration records.

    ``REBOUND_NO_TIMESTAMP=1``: None (leave it out, so reruns are byte-identical);
    else ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC) when set; else now (UTC). A
    ``SOURCE_DATE_EPOCH`` that is not a whole number is ignored.
    """
    if os.environ.get("REBOUND_NO_TIMESTAMP", "").strip() not in ("", "0"):
        return None
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit() and len(epoch) <= 11:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC)


_HELD: dict[str, tuple[int, int]] = {}  # directory -> (fd, depth): locks this process holds


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the directory that holds ``path`` (symbolic links followed).

    ``fcntl.flock`` on the directory itself: waits for other writers, is released by the
    kernel when a process dies (no stale lock after a kill), and leaves no file behind.
    Re-entrant within a process.
    """
    folder = os.path.dirname(os.path.realpath(path)) or "."
    if not os.path.isdir(folder):  # nothing there to write into: the caller reports it
        yield
        return
    if folder in _HELD:
        fd, depth = _HELD[folder]
        _HELD[folder] = (fd, depth + 1)
        try:
            yield
        finally:
            _HELD[folder] = (fd, depth)
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _HELD[folder] = (fd, 1)
        try:
            yield
        finally:
            del _HELD[folder]
    finally:
        os.close(fd)  # closing releases the lock


def temp_name(target: Path, tag: str = "tmp") -> Path:
    """The fixed temporary name of ``target``: ``.<name>.rebound-<tag>`` beside it."""
    return target.parent / f".{target.name}.rebound-{tag}"


def _write_synced(path: Path, data: bytes | None, mode: int, render: Render | None = None) -> None:
    """Write (truncating a leftover of a killed run) and fsync ``path``, then set ``mode``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        if render is not None:
            render(f)
        elif data is not None:
            f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(path, mode)


def atomic_write(path: Path, render: Render) -> None:
    """Render into ``.<name>.rebound-tmp`` beside ``path`` (under :func:`locked`), then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked(path):
        mode = _target_mode(path)
        tmp = temp_name(path)
        try:
            _write_synced(tmp, None, mode, render)
            os.replace(tmp, path)
        except BaseException:
            _remove([str(tmp)])
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

    When ``out_dir`` is new or holds only these outputs, the set is switched in with one
    rename (see the module docstring); otherwise all temporary files are written and synced
    first, then renamed into place, and if a rename fails the files already renamed are put
    back as they were (previous versions are kept as hard links until every rename succeeded).
    """
    out_dir = Path(os.path.abspath(out_dir))  # "." and "out/" get a name to stage beside
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with locked(out_dir):
        staging = temp_name(out_dir, "new")
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)  # left by a killed run
        if _only_outputs(out_dir, files) and _switch_dir(out_dir, staging, files):
            return
        out_dir.mkdir(parents=True, exist_ok=True)
        _write_in_place(out_dir, files)


def _only_outputs(out_dir: Path, files: dict[str, bytes]) -> bool:
    """True when ``out_dir`` is missing or a real directory holding nothing but ``files``."""
    if not os.path.lexists(out_dir):
        return True
    if out_dir.is_symlink() or not out_dir.is_dir() or any("/" in n or "\\" in n for n in files):
        return False
    names = set(files)
    return all(e.name in names or e.name.endswith((".rebound-tmp", ".rebound-old")) for e in os.scandir(out_dir))


def _switch_dir(out_dir: Path, staging: Path, files: dict[str, bytes]) -> bool:
    """Write the set into ``staging`` and switch it in with one rename; False if the file system cannot."""
    staging.mkdir()
    try:
        for name, data in files.items():
            _write_synced(staging / name, data, _target_mode(out_dir / name))
        _sync_dir(staging)
        if not out_dir.exists():
            os.rename(staging, out_dir)
            _sync_dir(out_dir.parent)
            return True
        os.chmod(staging, os.stat(out_dir).st_mode & 0o7777)
        if not _exchange(staging, out_dir):
            shutil.rmtree(staging)
            return False
        _sync_dir(out_dir.parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)  # now the previous set
    return True


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where that is not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_in_place(out_dir: Path, files: dict[str, bytes]) -> None:
    """Stage every file, then rename each over its target; roll back if a rename fails."""
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
            tmp = temp_name(target)
            staged.append((str(tmp), target))
            _write_synced(tmp, data, _target_mode(target))
    except BaseException:
        _remove([tmp for tmp, _ in staged])
        raise
    return staged


def _hard_link_backup(target: Path) -> str | None:
    """A hard link to the current ``target`` (None if there is none), to roll back to."""
    if not target.exists():
        return None
    old = str(temp_name(target, "old"))
    _remove([old])  # left by a killed run
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
    tmp = target.parent / f".{target.stem}.rebound-edit{target.suffix}"  # fixed: a killed edit's copy is reused
    with locked(target):
        try:
            _write_synced(tmp, data, 0o600)
            result = check(Path(path).parent / tmp.name)
            os.chmod(tmp, os.stat(target).st_mode & 0o7777)
            os.replace(tmp, target)
        finally:
            _remove([str(tmp)])
    return result
