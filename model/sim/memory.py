"""Memory budget of a run: an estimate up front and a one-line refusal, never an OOM kill.

Large ensembles are simulated in chunks of draws (:func:`chunk_draws`); what grows with the
ensemble size is only what every draw must keep (its parameter draws, discrepancy and one
value per reported figure, float64, so quantiles stay exact). :func:`check_budget` compares
an estimate of the peak with the budget (``REBOUND_MEMORY_BUDGET``, bytes or with a
``K``/``M``/``G`` suffix; default 1.5 GiB) and raises :class:`rebound.problems.InputError`
(exit status 2, one line) when the request cannot fit.
"""

from __future__ import annotations

import os

from rebound.problems import InputError, Problem

DEFAULT_BUDGET = 3 << 29  # 1.5 GiB
BASE_BYTES = 320 << 20  # the interpreter with numpy, pandas, scipy and the model loaded
# a chunk of the engine peaks at about this many float64 (draw x day) arrays (tracemalloc,
# Changchun 2022): state, utilisation, outputs, lever flows, GDP and numpy temporaries
ARRAYS_PER_DRAW_DAY = 40
# the fused kernel (rebound.sim.fused) keeps lever windows, restriction windows and a few
# (draw x day) arrays of set-up: 5.5 arrays a draw-day measured (tracemalloc, Changchun 2022)
COMPILED_ARRAYS_PER_DRAW_DAY = 8
MAX_COMPILED_CHUNK = 2500
CHUNK_BYTES = 192 << 20  # engine memory per chunk; small chunks also keep numpy's buffers warm
MIN_CHUNK, MAX_CHUNK = 64, 2000
_SUFFIX = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def budget_bytes() -> int:
    """The memory budget in bytes (``REBOUND_MEMORY_BUDGET`` or 1.5 GiB)."""
    raw = os.environ.get("REBOUND_MEMORY_BUDGET", "").strip().upper().removesuffix("IB").removesuffix("B")
    if not raw:
        return DEFAULT_BUDGET
    try:
        if raw[-1] in _SUFFIX:
            return int(float(raw[:-1]) * _SUFFIX[raw[-1]])
        return int(float(raw))
    except ValueError:
        raise InputError([Problem("REBOUND_MEMORY_BUDGET", None, "", f"'{os.environ['REBOUND_MEMORY_BUDGET']}' is not a size (e.g. 1.5G, 800M)")]) from None


def chunk_draws(n_days: int, compiled: bool = False) -> int:
    """Draws simulated at once: about :data:`CHUNK_BYTES` of engine arrays, 64..2000 (the
    fused kernel, ``compiled``, keeps far fewer arrays: up to 2500)."""
    per_day = COMPILED_ARRAYS_PER_DRAW_DAY if compiled else ARRAYS_PER_DRAW_DAY
    return int(min(MAX_COMPILED_CHUNK if compiled else MAX_CHUNK, max(MIN_CHUNK, CHUNK_BYTES // (8 * per_day * n_days))))


def engine_bytes(n_draws: int, n_days: int, compiled: bool = False) -> int:
    """Estimated peak of one engine call over ``n_draws`` draws."""
    return 8 * (COMPILED_ARRAYS_PER_DRAW_DAY if compiled else ARRAYS_PER_DRAW_DAY) * n_days * n_draws


def check_budget(need: int, what: str, per_draw: int, fixed: int) -> None:
    """Refuse (InputError, exit 2) when ``need`` bytes exceed the budget.

    ``per_draw`` and ``fixed`` (bytes) give the largest ensemble that would fit, named in the
    message.
    """
    budget = budget_bytes()
    if need <= budget:
        return
    most = max(0, (budget - fixed) // max(1, per_draw))
    raise InputError(
        [
            Problem(
                "--ensemble",
                None,
                "",
                f"{what} needs about {need / 2**30:.1f} GiB, more than the memory budget of {budget / 2**30:.1f} GiB "
                f"(at most about {most:,} draws fit; set REBOUND_MEMORY_BUDGET to allow more)",
            )
        ]
    )
