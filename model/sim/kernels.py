"""Which implementation of the hot loops runs: compiled (numba) or the pure-numpy reference.

The compiled kernels live in :mod:`rebound.sim.compiled`, which imports numba; this module
does not, so ``rebound --help`` and small runs never pay for it. Both implementations compute
the same equations in the same order; ``tests/test_kernels.py`` holds them to 1e-9 (relative).

``REBOUND_KERNEL`` chooses: ``auto`` (default: compiled for ensembles of
:data:`COMPILED_FROM` draws or more, when numba is installed), ``numba`` (compiled whenever
numba is installed) or ``numpy`` (the reference, always).
"""

from __future__ import annotations

import importlib.util
import os

COMPILED_FROM = 500  # below this many draws the numpy loops cost less than loading numba
_CHOICES = ("auto", "numba", "numpy")


_LOADED: list[bool] = []  # whether the kernels' modules imported, once asked


def numba_available() -> bool:
    """numba is installed (found without importing it)."""
    return importlib.util.find_spec("numba") is not None


def kernels_load() -> bool:
    """Import numba once; False if that fails (a broken numba or llvmlite install), and the
    numpy engine runs everything instead. An error in the kernels' own modules is not hidden."""
    if not _LOADED:
        try:
            importlib.import_module("numba")
            _LOADED.append(True)
        except Exception:  # noqa: BLE001 - any failure to load numba means: run without it
            _LOADED.append(False)
        if _LOADED[0]:
            importlib.import_module("rebound.sim.fused")
    return _LOADED[0]


def choice() -> str:
    """``REBOUND_KERNEL`` (auto, numba or numpy); anything else counts as auto."""
    raw = os.environ.get("REBOUND_KERNEL", "auto").strip().lower()
    return raw if raw in _CHOICES else "auto"


def use_compiled(n_draws: int) -> bool:
    """Whether a run of ``n_draws`` draws (the whole ensemble, not a chunk) uses the kernels."""
    how = choice()
    if how == "numpy" or not numba_available():
        return False
    return (how == "numba" or n_draws >= COMPILED_FROM) and kernels_load()
