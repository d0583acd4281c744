r"""Counterfactuals: paired scenario comparison, Shapley attribution, one-parameter sweeps.

Pure: takes loaded parameter sets, returns data frames and arrays; the CLI prints and writes.

Pairing
    The free parameters are drawn once, from the *base* parameter file (the first file of a
    scenario's chain), with :func:`rebound.fit.pipeline.ensemble_values` (draw 0 is the point
    estimate). The same draws go into the baseline and into every scenario, so a delta
    :math:`\Delta_d = y^{scen}_d - y^{base}_d` is computed draw by draw and its 5–95% interval
    holds only the uncertainty about the *difference*, not the (much larger) uncertainty
    about the level both share. A scenario that overrides a free parameter keeps its override
    in every draw.

Attribution
    With levers :math:`1..n` (the enabled ones) and :math:`v(S)` the indicator when only the
    levers in coalition :math:`S` act (the others at scale 0), the Shapley value of lever
    :math:`i` is

    .. math::

        \varphi_i = \sum_{S \subseteq N\setminus\{i\}}
            \frac{|S|!\,(n-|S|-1)!}{n!}\,\big[v(S\cup\{i\}) - v(S)\big],

    computed per draw. :math:`\sum_i \varphi_i = v(N) - v(\varnothing)`, the gap between the
    baseline and "no policy". All :math:`2^n` coalitions and all draws run in one vectorised
    :func:`rebound.sim.engine.simulate` call (lever scales are per-draw values), chunked when the
    run would need more than about 1 GiB.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rebound.data.vocab import DEFAULT_BASIS, MODEL_MEASURES
from rebound.fit.pipeline import ensemble_values, load_observations
from rebound.observe.indicators import Evaluator, Spec, why_not_computable
from rebound.observe.indicators import figure_specs as indicator_figure_specs
from rebound.params.load import Loaded, PathError, get_path, parse_path, revalidate
from rebound.params.schema import Params
from rebound.problems import InputError, Problem
from rebound.scenarios.distribute import (
    Executor,
    LocalExecutor,
    evaluate_batched,
    evaluate_task,
    run_task,
)
from rebound.sim.engine import Result

FloatArray = NDArray[np.float64]
Progress = Callable[[int, int], None]  # (done, total)

PCTL = (5.0, 95.0)
MEMORY_BUDGET_BYTES = 1 << 30  # about 1 GiB per simulate call
# measured (tracemalloc, Changchun 2022, 4000 draws): a run peaks at ~21 float64 arrays of
# (n_draws, n_days); 48 leaves a margin for callers' copies and numpy temporaries
BYTES_PER_DRAW_DAY = 8 * 48

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
    "compare_start",
    "compare_end",
    "basis",
    "role",
    "note",
]


# --- helpers ------------------------------------------------------------------------------


def _same_file(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


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


def _percentiles(a: FloatArray) -> tuple[float, float]:
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

    With a Dask ``executor`` the batches run as tasks on the cluster (model/distribute.py).
    """
    from rebound.sim.calendar import Calendar

    step = max_draws or chunk_size(Calendar(params.episode.year).n_days)
    return evaluate_batched(params, values, n_total, specs, step, executor or LocalExecutor(), progress)


# --- compare ------------------------------------------------------------------------------


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


def figure_specs(base: Loaded, observations: Sequence[Any] | None = None) -> tuple[list[Spec], dict[Any, Any], list[Any]]:
    """Standard figures plus every computable observed figure; (specs, obs by key, context obs)."""
    return indicator_figure_specs(base.params.episode.year, list(observations or []))


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
    total = 1 + len(scenarios)
    names = _unique_names(scenarios)
    perm_rng = np.random.default_rng([seed, 1])
    scenario_values = []
    for sc in scenarios:
        sv = paired_values(values, sc)
        if not paired and n > 2:
            perm = np.concatenate([[0], 1 + perm_rng.permutation(n - 1)])
            sv = {k: v[perm] for k, v in sv.items()}
        scenario_values.append(sv)
    tasks = [(base.params, values, n)] + [(sc.params, sv, n) for sc, sv in zip(scenarios, scenario_values, strict=True)]
    if executor is None or isinstance(executor, LocalExecutor):
        runs = []
        for i, t in enumerate(tasks):  # one run at a time: progress and memory stay local
            runs.append(run_task(t))
            if progress is not None:
                progress(i + 1, total)
    else:
        runs = executor.map(run_task, tasks)  # one task per scenario: each a whole ensemble
        if progress is not None:
            progress(total, total)
    base_res = runs[0]
    base_vals = Evaluator(base_res).values(specs)
    rows: list[dict[str, Any]] = []
    results: dict[str, Result] = {}
    for name, res in zip(names, runs[1:], strict=True):
        results[name] = res
        vals = Evaluator(res).values(specs)
        delta = vals - base_vals
        for j, s in enumerate(specs):
            ob = by_key.get(s.key)
            bp = _percentiles(base_vals[:, j])
            vp = _percentiles(vals[:, j])
            dp = _percentiles(delta[:, j])
            rows.append(
                {
                    "scenario": name,
                    "indicator": s.indicator,
                    "measure": s.measure,
                    "period_start": s.period_start,
                    "period_end": s.period_end,
                    "reported": float(ob.value) if ob is not None else math.nan,
                    "baseline": float(base_vals[0, j]),
                    "value": float(vals[0, j]),
                    "delta": float(delta[0, j]),
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
            )
        for ob in context:
            rows.append(_context_row(name, ob, why_not_computable(ob, base.params.episode.year) or "not computable"))
    table = pd.DataFrame(rows, columns=COMPARE_COLUMNS)
    reported = {k: float(ob.value) for k, ob in by_key.items()}
    return Comparison(table, base_res, results, specs, reported, n_draws, seed, paired, values)


def _context_row(name: str, ob: Any, reason: str) -> dict[str, Any]:
    nan = math.nan
    return {
        "scenario": name,
        "indicator": ob.indicator,
        "measure": ob.measure,
        "period_start": ob.period_start,
        "period_end": ob.period_end,
        "reported": float(ob.value),
        **{c: nan for c in ("baseline", "value", "delta", "delta_p05", "delta_p95", "baseline_p05", "baseline_p95", "value_p05", "value_p95")},
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
        ``compare_start, compare_end, basis, role, note``), in reported units (% y/y, pp, 亿元).
        Observed figures the model cannot compute appear with their reason in ``note``.

    Raises
    ------
    InputError
        When a scenario is laid over a different parameter file than ``base_loaded``.
    """
    return compare_runs(base_loaded, scenario_loadeds, n_draws, seed, **kwargs).table


# --- attribution --------------------------------------------------------------------------


@dataclass
class Attribution:
    """Shapley split of baseline − no policy among the levers, per draw."""

    spec: Spec
    levers: list[str]
    phi: FloatArray  # (n_levers, n_draws)
    v_all: FloatArray  # (n_draws,) baseline (all levers)
    v_none: FloatArray  # (n_draws,) no policy
    coalition_values: FloatArray  # (2**n_levers, n_draws); bit i of the row = lever i in
    n_draws: int
    seed: int

    @property
    def gap(self) -> FloatArray:
        return np.asarray(self.v_all - self.v_none, dtype=float)

    @property
    def table(self) -> pd.DataFrame:
        """Rows: no_policy, one per lever, baseline, total; point (draw 0) and 5–95%."""
        rows: list[dict[str, Any]] = []

        def row(name: str, kind: str, a: FloatArray) -> None:
            p = _percentiles(a)
            gap0 = float(self.gap[0])
            rows.append(
                {
                    "item": name,
                    "kind": kind,
                    "value": float(a[0]),
                    "p05": p[0],
                    "p95": p[1],
                    "share_of_gap": float(a[0]) / gap0 if kind == "lever" and gap0 != 0 else math.nan,
                }
            )

        row("no_policy", "level", self.v_none)
        for i, name in enumerate(self.levers):
            row(name, "lever", self.phi[i])
        row("baseline", "level", self.v_all)
        row("total", "gap", self.gap)
        df = pd.DataFrame(rows)
        s = self.spec
        df.insert(0, "indicator", s.indicator)
        df.insert(1, "measure", s.measure)
        df.insert(2, "period_start", s.period_start)
        df.insert(3, "period_end", s.period_end)
        return df


def shapley(v: FloatArray, n: int) -> FloatArray:
    """Shapley values ``(n, ...)`` from coalition values ``v`` of shape ``(2**n, ...)``.

    Row ``m`` of ``v`` is the coalition whose members are the set bits of ``m``.
    """
    if v.shape[0] != 1 << n:
        raise ValueError(f"expected {1 << n} coalition rows, got {v.shape[0]}")
    phi = np.zeros((n, *v.shape[1:]))
    fact = [math.factorial(k) for k in range(n + 1)]
    for i in range(n):
        bit = 1 << i
        for m in range(1 << n):
            if m & bit:
                continue
            s = bin(m).count("1")
            w = fact[s] * fact[n - s - 1] / fact[n]
            phi[i] += w * (v[m | bit] - v[m])
    return phi


def lever_players(params: Params) -> list[str]:
    """Levers that take part in the attribution: the enabled ones, in file order."""
    return [name for name, lv in params.levers.items() if lv.enabled]


def make_spec(indicator: str, measure: str, period_start: str, period_end: str, *, compare_start: str = "", compare_end: str = "", basis: str = "", reference_value: float | None = None, file: str = "-") -> Spec:
    """A validated figure spec (bad indicator, measure or period -> InputError)."""
    from rebound.observe.indicators import MODEL_INDICATORS

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


def _check_spec(params: Params, spec: Spec, file: str) -> None:
    """A period must be ``YYYY-MM`` inside the horizon (the year before and the episode year)."""
    year = params.episode.year
    for k, p in (("period_start", spec.period_start), ("period_end", spec.period_end)):
        try:
            y, m = int(p[:4]), int(p[5:7])
            ok = len(p) == 7 and p[4] == "-" and 1 <= m <= 12
        except ValueError:
            ok = False
        if not ok:
            raise InputError([Problem(file, None, k, f"'{p}' is not a month YYYY-MM")])
        if not year - 1 <= y <= year:
            raise InputError([Problem(file, None, k, f"{p} is outside the model horizon {year - 1}-01..{year}-12")])


def attribute(
    loaded: Loaded,
    indicator: str,
    period_start: str,
    period_end: str,
    measure: str = "yoy_cum_pct",
    n_draws: int = 0,
    seed: int = 0,
    *,
    compare_start: str = "",
    compare_end: str = "",
    max_draws_per_run: int | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
) -> Attribution:
    """Shapley split of (baseline − no policy) among the enabled levers, per draw.

    Every coalition is a set of per-draw lever scales (original scale for members, 0 for the
    others), so the :math:`2^n` coalitions × draws run as one vectorised simulation (in
    chunks of at most ``max_draws_per_run`` draws; default: what fits in about 1 GiB).
    """
    spec = make_spec(indicator, measure, period_start, period_end, compare_start=compare_start, compare_end=compare_end, file=str(loaded.path))
    _check_spec(loaded.params, spec, str(loaded.path))
    levers = lever_players(loaded.params)
    n_lev = len(levers)
    if n_lev == 0:
        raise InputError([Problem(str(loaded.path), None, "levers", "no enabled lever to attribute")])
    if n_lev > 12:
        raise InputError([Problem(str(loaded.path), None, "levers", f"{n_lev} enabled levers: 2^{n_lev} coalitions is too many (at most 12)")])
    # a scenario's calibration block is its base's, so these are the base's draws
    base_vals = paired_values(ensemble_values(loaded, n_draws, seed), loaded)
    n = n_draws + 1 if base_vals else 1
    n_coal = 1 << n_lev
    values: dict[str, FloatArray] = {k: np.tile(v, n_coal) for k, v in base_vals.items()}
    members = np.array([[(m >> i) & 1 for i in range(n_lev)] for m in range(n_coal)], dtype=float)  # (coal, lever)
    for i, name in enumerate(levers):
        key = f"levers.{name}.scale"
        scale = np.broadcast_to(np.asarray(base_vals.get(key, loaded.params.levers[name].scale), dtype=float), (n,))
        values[key] = (members[:, i][:, None] * scale[None, :]).reshape(-1)
    v = evaluate_chunked(loaded.params, values, n_coal * n, [spec], max_draws=max_draws_per_run, progress=progress, executor=executor)[:, 0]
    v = v.reshape(n_coal, n)
    phi = shapley(v, n_lev)
    return Attribution(spec, levers, phi, v[n_coal - 1], v[0], v, n_draws if base_vals else 0, seed)


# --- sweep --------------------------------------------------------------------------------


def default_sweep_specs(year: int) -> list[Spec]:
    """H1 and full-year cumulative y/y of every model indicator."""
    out = []
    for ind in ("gdp", "industry", "retail_above_quota", "fai"):
        for end in (6, 12):
            out.append(Spec(ind, "yoy_cum_pct", f"{year}-01", f"{year}-{end:02d}", DEFAULT_BASIS[ind]))
    return out


def sweep_points(current: Any, start: Any, stop: Any, n: int) -> list[Any]:
    """``n`` evenly spaced values from start to stop (dates rounded to days, ints to ints)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    if isinstance(current, dt.date):
        a, b = _as_date(start), _as_date(stop)
        span = (b - a).days
        return [a + dt.timedelta(days=round(span * k / (n - 1))) if n > 1 else a for k in range(n)]
    xs = np.linspace(float(start), float(stop), n) if n > 1 else np.array([float(start)])
    if isinstance(current, int) and not isinstance(current, bool):
        return [int(round(x)) for x in xs]
    return [float(x) for x in xs]


def _as_date(x: Any) -> dt.date:
    if isinstance(x, dt.date):
        return x
    return dt.date.fromisoformat(str(x))


def sweep(
    loaded: Loaded,
    key: str,
    start: Any,
    stop: Any,
    n: int,
    specs: list[Spec] | None = None,
    *,
    progress: Progress | None = None,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """Response of chosen figures to one parameter (point estimate).

    A numeric key runs once, with the swept values as draws; a date key (or a whole-number
    key the engine uses as a count of days) runs once per value, since dates cannot differ
    by draw. Every swept value is validated like a ``[set]`` override (bounds, date order).

    Returns a long DataFrame: ``key, x, x_label, current, indicator, measure, period_start,
    period_end, compare_start, compare_end, value``; for dates ``x`` is days after ``start``.
    """
    file = str(loaded.path)
    try:
        parse_path(key)
        current = get_path(loaded.params, key)
    except (KeyError, PathError):
        import difflib

        from rebound.params.load import leaf_paths

        close = difflib.get_close_matches(key, list(leaf_paths(loaded.params.model_dump())), n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else " (use a key path such as levers.vouchers.scale or lockdown.phases[0].end)"
        raise InputError([Problem(file, None, key, "unknown key" + hint)]) from None
    if isinstance(current, bool) or not isinstance(current, int | float | dt.date):
        raise InputError([Problem(file, None, key, f"can only sweep a number or a date (this key holds {current!r})")])
    try:
        xs = sweep_points(current, start, stop, n)
    except ValueError as err:
        raise InputError([Problem(file, None, key, f"bad sweep range {start}:{stop}:{n} ({err})")]) from None
    specs = specs or default_sweep_specs(loaded.params.episode.year)
    for s in specs:
        _check_spec(loaded.params, s, file)
    # validate every swept value as a user override would be (bounds, date order, guards)
    validated: list[Params] = []
    for i, x in enumerate(xs):
        try:
            validated.append(revalidate(loaded, {key: x}))
        except InputError as err:
            first = err.problems[0]
            raise InputError([Problem(first.file, first.line, first.key, f"{first.message} (sweep value {x})")]) from None
        if progress is not None and isinstance(current, dt.date):
            progress(i, len(xs))
    vals: FloatArray | None = None
    if isinstance(current, float):
        try:
            vals = evaluate_chunked(loaded.params, {key: np.asarray(xs, dtype=float)}, len(xs), specs, executor=executor)
        except (TypeError, ValueError, IndexError):
            vals = None  # a value the engine cannot carry per draw: run one value at a time
    if vals is None and executor is not None and not isinstance(executor, LocalExecutor):
        parts = executor.map(evaluate_task, [(p, {}, 1, specs) for p in validated])  # one run per date
        vals = np.concatenate(parts, axis=0)
    if vals is None:
        rows = []
        for i, p in enumerate(validated):
            rows.append(evaluate_task((p, {}, 1, specs))[0])
            if progress is not None:
                progress(i + 1, len(xs))
        vals = np.asarray(rows, dtype=float)
    recs: list[dict[str, Any]] = []
    for i, x in enumerate(xs):
        if isinstance(x, dt.date):
            xnum, label = float((x - _as_date(xs[0])).days), x.isoformat()
        else:
            xnum, label = float(x), f"{x:g}"
        for j, s in enumerate(specs):
            recs.append(
                {"key": key, "x": xnum, "x_label": label, "current": str(current), **s.fields(), "value": float(vals[i, j])}
            )
    return pd.DataFrame(recs)
