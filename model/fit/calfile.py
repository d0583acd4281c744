"""Write a calibrated parameter file: estimates in place, calibration recorded, comments kept."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import tomlkit

from rebound.fit.calibrate import Calibration, record
from rebound.params.load import Loaded
from rebound.params.source import display, resolved
from rebound.params.tomledit import round_sig, set_value
from rebound.problems import InputError, Problem
from rebound.writers import atomic_write_bytes, build_time, locked


def calibrated_text(loaded: Loaded, cal: Calibration, out: Path | None = None) -> str:
    """The parameter file's text with estimates and a ``[calibration.record]`` table.

    When the file is written elsewhere (``out``), ``episode.observed`` is rewritten relative to
    the new location so the calibrated file still finds its observed figures.
    """
    if len(loaded.files) != 1:
        raise InputError([Problem(str(loaded.path), None, "base", "calibrate a parameter file, not a scenario (its base chain would be flattened)")])
    doc = tomlkit.parse(loaded.files[0].text)
    for p in cal.params:
        set_value(doc, p.key, round_sig(p.estimate))
    rel = loaded.params.episode.observed
    if out is not None and rel:
        target = (loaded.param_file.parent / rel).resolve()
        new_rel = os.path.relpath(target, Path(out).resolve().parent)
        if new_rel != rel:
            set_value(doc, "episode.observed", new_rel)
    stamp = build_time()  # SOURCE_DATE_EPOCH when set; no date with REBOUND_NO_TIMESTAMP=1
    rec: dict[str, Any] = record(cal, stamp.date() if stamp is not None else None)
    if stamp is None:
        del rec["date"]
    post = rec.pop("posterior")
    table = tomlkit.table()
    for k, v in rec.items():
        table[k] = v
    ptab = tomlkit.table()
    ptab["keys"] = post["keys"]
    ptab["mean"] = post["mean"]
    cov = tomlkit.array()
    cov.multiline(True)
    for row in post["cov"]:
        cov.append(row)
    ptab["cov"] = cov
    table["posterior"] = ptab
    calib = doc["calibration"]
    if "record" in calib:
        del calib["record"]
    calib["record"] = table
    return tomlkit.dumps(doc)


def write_calibrated(loaded: Loaded, cal: Calibration, out: Path) -> None:
    """Validate the calibrated text, then write it atomically to ``out``.

    Compare-and-swap under :func:`rebound.writers.locked`: when ``out`` is the parameter file
    itself and another edit (``params set``, a second ``calibrate --write``) changed it since
    it was read, nothing is written and the problem says so, so that edit is never lost.
    """
    text = calibrated_text(loaded, cal, out)
    out = Path(out)
    validate_text(text, out)
    src = loaded.files[0]
    with locked(out):
        if resolved(out) == resolved(src.path) and _current_text(out) != src.text:
            raise InputError([Problem(display(out), None, "", "the file changed after calibrate read it (another edit?); nothing written: run calibrate --write again")])
        atomic_write_bytes(out, text.encode("utf-8"))


def _current_text(path: Path) -> str | None:
    """The file's text as read now (byte-order mark dropped), None if it cannot be read."""
    try:
        return path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError):
        return None


def validate_text(text: str, path: Path) -> None:
    """Validate TOML text as if it were the file at ``path`` (raises InputError)."""
    import tomllib

    from rebound.params.load import SourceFile, _validate_params
    from rebound.params.tomlines import key_lines

    _validate_params(SourceFile(path=Path(path), text=text, data=tomllib.loads(text), lines=key_lines(text)))
