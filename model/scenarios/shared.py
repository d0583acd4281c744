r"""Pieces the counterfactual verbs share: pairing of draws, percentiles, chunked evaluation,
figure specs.

Pairing
    The free parameters are drawn once, from the *base* parameter file (the first file of a
    scenario's chain), with :func:`rebound.fit.pipeline.ensemble_values` (draw 0 is the point
    estimate). The same draws go into the baseline and into every scenario, so a delta
    :math:`\Delta_d = y^{scen}_d - y^{base}_d` is computed draw by draw and its 5–95% interval
    holds only the uncertainty about the *difference*, not the (much larger) uncertainty
    about the level both share. A scenario that overrides a free parameter keeps its override
    in every draw.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rebound.data.vocab import DEFAULT_BASIS, MODEL_MEASURES
from rebound.observe.indicators import MODEL_INDICATORS, Spec
from rebound.observe.indicators import figure_specs as indicator_figure_specs
from rebound.params import Loaded, get_path
from rebound.params.schema import Params
from rebound.problems import InputError, Problem
from rebound.scenarios.distribute import Executor, LocalExecutor, evaluate_batched
from rebound.sim.calendar import Calendar
from rebound.sim.kernels import use_compiled
from rebound.sim.memory import chunk_draws

FloatArray = NDArray[np.float64]
Progress = Callable[[int, int], None]  # (done, total)

PCTL = (5.0, 95.0)
MEMORY_BUDGET_BYTES = 1 << 30  # about 1 GiB per simulate call
# measured (tracemalloc, Changchun 2022, 4000 draws): a run peaks at ~21 float64 arrays of
# (n_draws, n_days); 48 leaves a margin for callers' copies and numpy temporaries
BYTES_PER_DRAW_DAY = 8 * 48


def base_of(loaded: Loaded) -> Path:
    """The calibrated parameter file a scenario is laid over (first file of its chain)."""
    return loaded.files[0].path


def paired_values(base_values: dict[str, FloatArray], loaded: Loaded) -> dict[str, FloatArray]:
    """The base's free-parameter draws as they apply to a scenario.

    Keys the scenario overrides (itself or through its chain) keep the override in every
    draw; keys that no longer exist in the scenario (a phase removed) are dropped.
    """
    out: dict[str, FloatArray] = {}
    for k, v in base_values.items():
        if k in loaded.overridden:
            continue
        try:
            get_path(loaded.params, k)
        except KeyError:
            continue
        out[k] = v
    return out


def percentiles(a: FloatArray) -> tuple[float, float]:
    """5th and 95th percentile over draws 1..n (draw 0 is the point estimate)."""
    if a.shape[0] < 2:
        return math.nan, math.nan
    p = np.percentile(a[1:], PCTL)
    return float(p[0]), float(p[1])


def chunk_size(n_days: int, budget: int = MEMORY_BUDGET_BYTES) -> int:
    """Largest number of draws one simulate call may carry within the memory budget."""
    return max(1, budget // (n_days * BYTES_PER_DRAW_DAY))


def evaluate_chunked(
    params: Params,
    values: dict[str, FloatArray],
    n_total: int,
    specs: list[Spec],
    *,
    max_draws: int | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
) -> FloatArray:
    """``(n_total, len(specs))`` model figures, simulating at most ``max_draws`` draws at once.

    With a Dask ``executor`` the batches run as tasks on the cluster (rebound.scenarios.distribute).
    """
    n_days = Calendar.of(params).n_days
    step = max_draws or min(chunk_size(n_days), chunk_draws(n_days, use_compiled(n_total)))
    return evaluate_batched(params, values, n_total, specs, step, executor or LocalExecutor(), progress)


def figure_specs(base: Loaded, observations: Sequence[Any] | None = None) -> tuple[list[Spec], dict[Any, Any], list[Any]]:
    """Standard figures plus every computable observed figure; (specs, obs by key, context obs)."""
    p = base.params
    return indicator_figure_specs(p.episode.year, list(observations or []), (p.first_year, p.last_year))


def make_spec(indicator: str, measure: str, period_start: str, period_end: str, *, compare_start: str = "", compare_end: str = "", basis: str = "", reference_value: float | None = None, file: str = "-") -> Spec:
    """A validated figure spec (bad indicator, measure or period -> InputError)."""
    problems: list[Problem] = []
    if indicator not in MODEL_INDICATORS:
        problems.append(Problem(file, None, "indicator", f"'{indicator}' is not a model indicator (use one of {', '.join(MODEL_INDICATORS)})"))
    if measure not in MODEL_MEASURES:
        problems.append(Problem(file, None, "measure", f"'{measure}' is not a model measure (use one of {', '.join(MODEL_MEASURES)})"))
    if measure == "pp_change" and not (compare_start and compare_end):
        problems.append(Problem(file, None, "measure", "pp_change needs a compare period"))
    if problems:
        raise InputError(problems)
    return Spec(indicator, measure, period_start, period_end, basis or DEFAULT_BASIS[indicator], compare_start, compare_end, reference_value)


def check_spec(params: Params, spec: Spec, file: str) -> None:
    """A period must be ``YYYY-MM`` inside the simulated years (y/y figures need their base year too)."""
    first, last = params.first_year, params.last_year
    for k, p in (("period_start", spec.period_start), ("period_end", spec.period_end)):
        try:
            y, m = int(p[:4]), int(p[5:7])
            ok = len(p) == 7 and p[4] == "-" and 1 <= m <= 12
        except ValueError:
            ok = False
        if not ok:
            raise InputError([Problem(file, None, k, f"'{p}' is not a month YYYY-MM")])
        lo = first if spec.measure == "level_100m_yuan" else first + 1  # y/y figures need the year before
        if not lo <= y <= last:
            raise InputError([Problem(file, None, k, f"{p} is outside the model horizon {lo}-01..{last}-12 (simulated years {first}-{last}; y/y figures need the year before)")])
