"""``compare``: scenarios against the calibrated baseline, on paired draws.

Pure: takes loaded parameter sets, returns data frames and arrays; the CLI prints and writes.
The draws are paired (:mod:`rebound.scenarios.shared`): the same free-parameter draws go into
the baseline and every scenario, so a delta's interval is the uncertainty of the difference.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rebound.fit.pipeline import ensemble_values, load_observations
from rebound.observe.indicators import Evaluator, Spec, monthly_keys, why_not_computable
from rebound.params import Loaded
from rebound.problems import InputError, Problem
from rebound.scenarios.distribute import Executor, LocalExecutor, run_task, summarise_batched
from rebound.scenarios.shared import (
    FloatArray,
    Progress,
    base_of,
    figure_specs,
    paired_values,
    percentiles,
)
from rebound.sim.kernels import use_compiled
from rebound.sim.memory import chunk_draws
from rebound.sim.result import MonthlyTotals, Result

COMPARE_COLUMNS = [
    "scenario",
    "indicator",
    "measure",
    "period_start",
    "period_end",
    "reported",
    "baseline",
    "value",
    "delta",
    "delta_p05",
    "delta_p95",
    "baseline_p05",
    "baseline_p95",
    "value_p05",
    "value_p95",
    "delta_100m_yuan",
    "delta_100m_yuan_p05",
    "delta_100m_yuan_p95",
    "level_basis",
    "compare_start",
    "compare_end",
    "basis",
    "role",
    "note",
]


def _same_file(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


@dataclass
class Comparison:
    """Everything :func:`compare_runs` computed: the table and the runs behind it."""

    table: pd.DataFrame
    baseline: Result
    scenarios: dict[str, Result]
    specs: list[Spec]
    reported: dict[tuple[str, str, str, str, str, str], float]
    n_draws: int
    seed: int
    paired: bool = True
    values: dict[str, FloatArray] = field(default_factory=dict)
    totals: dict[str, MonthlyTotals] = field(default_factory=dict)  # 'baseline' and each scenario, every draw


def _check_shared_base(base: Loaded, scenarios: Sequence[Loaded]) -> None:
    problems = []
    for sc in scenarios:
        if not _same_file(base_of(sc), base.files[0].path) or sc.files[0].sha256 != base.files[0].sha256:
            problems.append(
                Problem(
                    str(sc.path),
                    sc.files[-1].lines.get("base"),
                    "base",
                    f"is laid over {base_of(sc)}, but the comparison's baseline is {base.files[0].path}; "
                    "compare only scenarios of one parameter file at a time",
                )
            )
    if problems:
        raise InputError(problems)


def compare_runs(
    base: Loaded,
    scenarios: Sequence[Loaded],
    n_draws: int = 0,
    seed: int = 0,
    *,
    observations: Sequence[Any] | None = None,
    paired: bool = True,
    progress: Progress | None = None,
    executor: Executor | None = None,
) -> Comparison:
    """Baseline and scenarios on the same parameter draws; see :func:`compare`.

    ``paired=False`` exists to measure what pairing buys: each scenario then gets the same
    set of draws as the baseline but in a shuffled order (independent pairing), so its delta
    interval mixes level uncertainty into the difference.
    """
    _check_shared_base(base, scenarios)
    if observations is None:
        observations = load_observations(base)
    specs, by_key, context = figure_specs(base, observations)
    values = ensemble_values(base, n_draws, seed)
    n = n_draws + 1 if values else 1
    names = _unique_names(scenarios)
    scenario_values = _scenario_values(values, scenarios, n, seed, paired)
    tasks = [(base.params, values, n)] + [(sc.params, sv, n) for sc, sv in zip(scenarios, scenario_values, strict=True)]
    runs, totals = _run_all(tasks, specs, progress, executor)
    base_res = runs[0]
    base_ev = Evaluator(totals[0])
    base_vals = base_ev.values(specs)
    base_lv = period_levels(base_ev, specs)
    rows: list[dict[str, Any]] = []
    results: dict[str, Result] = {}
    for name, res, tot in zip(names, runs[1:], totals[1:], strict=True):
        results[name] = res
        ev = Evaluator(tot)
        vals = ev.values(specs)
        lv = period_levels(ev, specs)
        for j, s in enumerate(specs):
            row = _figure_row(name, s, by_key.get(s.key), base_vals[:, j], vals[:, j])
            rows.append(row | _level_effect(s, lv[:, j] - base_lv[:, j]))
        for ob in context:
            rows.append(_context_row(name, ob, why_not_computable(ob, base.params.episode.year, (base.params.first_year, base.params.last_year)) or "not computable"))
    table = pd.DataFrame(rows, columns=COMPARE_COLUMNS)
    reported = {k: float(ob.value) for k, ob in by_key.items()}
    return Comparison(table, base_res, results, specs, reported, n_draws, seed, paired, values, dict(zip(["baseline", *names], totals, strict=True)))


def _scenario_values(values: dict[str, FloatArray], scenarios: Sequence[Loaded], n: int, seed: int, paired: bool) -> list[dict[str, FloatArray]]:
    """Each scenario's draws: the baseline's (paired), or shuffled when ``paired`` is False."""
    perm_rng = np.random.default_rng([seed, 1])
    out = []
    for sc in scenarios:
        sv = paired_values(values, sc)
        if not paired and n > 2:
            perm = np.concatenate([[0], 1 + perm_rng.permutation(n - 1)])
            sv = {k: v[perm] for k, v in sv.items()}
        out.append(sv)
    return out


KEEP_DRAWS = 64  # draws whose daily paths a Comparison keeps (draw 0 first): charts, checks


def _run_all(tasks: list[Any], specs: list[Spec], progress: Progress | None, executor: Executor | None) -> tuple[list[Result], list[MonthlyTotals]]:
    """Each run's first draws (daily paths) and the monthly totals of all its draws.

    Draws run in chunks (locally one at a time, on a cluster as tasks of at least
    :data:`rebound.scenarios.distribute.MIN_DRAWS_PER_TASK` draws), and only monthly totals
    come back, so memory grows by a few kilobytes a draw, not by the daily paths.
    """
    ex = executor or LocalExecutor()
    n = tasks[0][2]
    keep = min(n, KEEP_DRAWS)
    keys = monthly_keys(specs)
    runs = [run_task((p, {k: v[:keep] for k, v in vals.items()}, keep)) for p, vals, _ in tasks]
    if keep == n and isinstance(ex, LocalExecutor):
        if progress is not None:
            progress(len(tasks), len(tasks))
        return runs, [MonthlyTotals.of(r, keys) for r in runs]
    chunk = chunk_draws(runs[0].cal.n_days, use_compiled(n))
    return runs, summarise_batched([(p, vals) for p, vals, _ in tasks], n, keys, chunk, ex, progress)


def _figure_row(name: str, s: Spec, ob: Any, base_vals: FloatArray, vals: FloatArray) -> dict[str, Any]:
    """One computed figure of one scenario: values, delta and their 5-95% over draws."""
    delta = vals - base_vals
    bp, vp, dp = percentiles(base_vals), percentiles(vals), percentiles(delta)
    return {
        "scenario": name,
        "indicator": s.indicator,
        "measure": s.measure,
        "period_start": s.period_start,
        "period_end": s.period_end,
        "reported": float(ob.value) if ob is not None else math.nan,
        "baseline": float(base_vals[0]),
        "value": float(vals[0]),
        "delta": float(delta[0]),
        "delta_p05": dp[0],
        "delta_p95": dp[1],
        "baseline_p05": bp[0],
        "baseline_p95": bp[1],
        "value_p05": vp[0],
        "value_p95": vp[1],
        "compare_start": s.compare_start,
        "compare_end": s.compare_end,
        "basis": s.basis,
        "role": ob.role if ob is not None else "",
        "note": "",
    }


def period_levels(ev: Evaluator, specs: list[Spec]) -> FloatArray:
    """Each figure's level over its period, ``(n_draws, n_specs)`` 亿元, on the figure's basis.

    The level is the sum of the monthly totals from ``period_start`` to ``period_end``: real
    (at the model's base prices) for figures on a real basis (GDP, industry), nominal for the
    others (retail, FAI); a figure with no monthly level gives NaN.
    """
    out = np.full((ev.result.n_draws, len(specs)), np.nan)
    for j, s in enumerate(specs):
        basis = "nominal" if s.measure == "level_100m_yuan" else s.basis
        monthly, months = ev.monthly(s.indicator, basis)
        cols = [i for i, m in enumerate(months) if s.period_start <= m <= s.period_end]
        if cols:
            out[:, j] = np.broadcast_to(monthly[:, cols].sum(axis=1), (ev.result.n_draws,))
    return out


def _level_effect(s: Spec, delta: FloatArray) -> dict[str, Any]:
    """The effect on the period's level in 亿元 (scenario − baseline) and its 5-95% over draws."""
    lo, hi = percentiles(delta)
    return {
        "delta_100m_yuan": float(delta[0]),
        "delta_100m_yuan_p05": lo,
        "delta_100m_yuan_p95": hi,
        "level_basis": "nominal" if s.measure == "level_100m_yuan" else s.basis,
    }


def _context_row(name: str, ob: Any, reason: str) -> dict[str, Any]:
    nan = math.nan
    return {
        "scenario": name,
        "indicator": ob.indicator,
        "measure": ob.measure,
        "period_start": ob.period_start,
        "period_end": ob.period_end,
        "reported": float(ob.value),
        **{c: nan for c in ("baseline", "value", "delta", "delta_p05", "delta_p95", "baseline_p05", "baseline_p95", "value_p05", "value_p95", "delta_100m_yuan", "delta_100m_yuan_p05", "delta_100m_yuan_p95")},
        "level_basis": "",
        "compare_start": ob.compare_start or "",
        "compare_end": ob.compare_end or "",
        "basis": ob.basis,
        "role": ob.role,
        "note": f"context, not computed: {reason}",
    }


def _unique_names(scenarios: Sequence[Loaded]) -> list[str]:
    out: list[str] = []
    for sc in scenarios:
        name = sc.scenario_name or sc.path.stem
        k, cand = 2, name
        while cand in out:
            cand = f"{name}_{k}"
            k += 1
        out.append(cand)
    return out


def compare(
    base_loaded: Loaded,
    scenario_loadeds: Sequence[Loaded],
    n_draws: int = 0,
    seed: int = 0,
    **kwargs: Any,
) -> pd.DataFrame:
    """Deltas of each scenario against the calibrated baseline, on paired draws.

    Parameters
    ----------
    base_loaded : Loaded
        The parameter file every scenario is laid over (``scenario.files[0]``).
    scenario_loadeds : sequence of Loaded
        Scenarios (a parameter file itself is a scenario with no changes).
    n_draws, seed : int
        Ensemble size (0 = point estimate only) and seed of the free-parameter draws.

    Returns
    -------
    DataFrame
        One row per scenario and figure (every standard figure and every observed one):
        ``scenario, indicator, measure, period_start, period_end, reported, baseline, value,
        delta, delta_p05, delta_p95, baseline_p05, baseline_p95, value_p05, value_p95`` (+
        ``delta_100m_yuan, delta_100m_yuan_p05, delta_100m_yuan_p95, level_basis, compare_start,
        compare_end, basis, role, note``), in reported units (% y/y, pp, 亿元). ``delta_100m_yuan``
        is the effect on the figure's level summed over its period in 亿元 (real for GDP and
        industry, nominal for retail and FAI: ``level_basis``).
        Observed figures the model cannot compute appear with their reason in ``note``.

    Raises
    ------
    InputError
        When a scenario is laid over a different parameter file than ``base_loaded``.
    """
    return compare_runs(base_loaded, scenario_loadeds, n_draws, seed, **kwargs).table
