"""rebound: explain and replay a regional economy's lockdown fall and recovery.

The Python API for notebooks (docs/api.md)::

    import rebound

    run = rebound.run("params/changchun_2022.toml", ensemble=200, seed=1)
    run.indicators            # pandas DataFrame: reported vs model, every standard figure
    cal = rebound.calibrate("params/changchun_2022.toml")
    cal.params                # DataFrame: prior, estimate, 90% interval per free parameter
    cmp = rebound.compare(["scenarios/changchun_2022/no_vouchers.toml"], ensemble=100)
    cmp.table                 # DataFrame: baseline, value, delta and its 5-95% per figure

The functions live in :mod:`rebound.api` and are imported on first use, so ``import rebound``
stays fast. The model core does no printing and writes files only through the explicit
writer functions in :mod:`rebound.writers`; the command line (:mod:`rebound.cli`) is a thin
layer over the same functions.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from rebound.version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from rebound.api import (
        DEFAULT_SEED,
        Calibrated,
        Compared,
        Run,
        attribute,
        calibrate,
        compare,
        load,
        new,
        run,
        sweep,
    )

_API = ("DEFAULT_SEED", "Calibrated", "Compared", "Run", "attribute", "calibrate", "compare", "load", "new", "run", "sweep")

__all__ = [
    "DEFAULT_SEED",
    "Calibrated",
    "Compared",
    "Run",
    "__version__",
    "attribute",
    "calibrate",
    "compare",
    "load",
    "new",
    "run",
    "sweep",
]


def __getattr__(name: str) -> Any:
    """``rebound.run`` etc.: import :mod:`rebound.api` on first use (speed, not a cycle)."""
    if name in _API:
        return getattr(importlib.import_module("rebound.api"), name)
    raise AttributeError(f"module 'rebound' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
