"""``sweep``: the response of chosen figures to one parameter (a lever's size, a date, any number).

Point estimate only. A numeric key runs once with the swept values as draws; a date key
runs once per value. Every swept value is validated like an edit of the file.
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any

import numpy as np
import pandas as pd

from rebound.data.vocab import DEFAULT_BASIS
from rebound.observe.indicators import Spec
from rebound.params import Loaded, PathError, get_path, leaf_paths, parse_path, revalidate
from rebound.params.schema import Params
from rebound.problems import InputError, Problem
from rebound.scenarios.distribute import Executor, LocalExecutor, evaluate_task, runs_task
from rebound.scenarios.shared import FloatArray, Progress, check_spec, evaluate_chunked

RUNS_PER_TASK = 4  # one-draw runs per cluster task (a few hundred milliseconds)


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
    current = _current(loaded, key)
    if isinstance(current, bool) or not isinstance(current, int | float | dt.date):
        raise InputError([Problem(file, None, key, f"can only sweep a number or a date (this key holds {current!r})")])
    try:
        xs = sweep_points(current, start, stop, n)
    except ValueError as err:
        raise InputError([Problem(file, None, key, f"bad sweep range {start}:{stop}:{n} ({err})")]) from None
    specs = specs or default_sweep_specs(loaded.params.episode.year)
    for s in specs:
        check_spec(loaded.params, s, file)
    progress_dates = progress if isinstance(current, dt.date) else None
    validated = _validated(loaded, key, xs, progress_dates)
    vals = _evaluate(loaded.params, key, current, xs, validated, specs, progress, executor)
    return _table(key, current, xs, specs, vals)


def _current(loaded: Loaded, key: str) -> Any:
    """The value ``key`` has in the file (InputError with a suggestion when unknown)."""
    try:
        parse_path(key)
        return get_path(loaded.params, key)
    except (KeyError, PathError):
        close = difflib.get_close_matches(key, list(leaf_paths(loaded.params.model_dump())), n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else " (use a key path such as levers.vouchers.scale or lockdown.phases[0].end)"
        raise InputError([Problem(str(loaded.path), None, key, "unknown key" + hint)]) from None


def _validated(loaded: Loaded, key: str, xs: list[Any], progress: Progress | None) -> list[Params]:
    """Every swept value validated as a user override would be (bounds, date order, guards)."""
    validated: list[Params] = []
    for i, x in enumerate(xs):
        try:
            validated.append(revalidate(loaded, {key: x}))
        except InputError as err:
            first = err.problems[0]
            raise InputError([Problem(first.file, first.line, first.key, f"{first.message} (sweep value {x})")]) from None
        if progress is not None:
            progress(i, len(xs))
    return validated


def _evaluate(
    params: Params,
    key: str,
    current: Any,
    xs: list[Any],
    validated: list[Params],
    specs: list[Spec],
    progress: Progress | None,
    executor: Executor | None,
) -> FloatArray:
    """``(len(xs), len(specs))`` figures: one vectorised run when the key can vary by draw."""
    if isinstance(current, float):
        try:
            return evaluate_chunked(params, {key: np.asarray(xs, dtype=float)}, len(xs), specs, executor=executor)
        except (TypeError, ValueError, IndexError):
            pass  # a value the engine cannot carry per draw: run one value at a time
    if executor is not None and not isinstance(executor, LocalExecutor):
        size = max(RUNS_PER_TASK, -(-len(validated) // executor.workers))  # a few runs a task
        groups = [(validated[i : i + size], specs) for i in range(0, len(validated), size)]
        return np.concatenate(executor.map(runs_task, groups), axis=0)
    rows = []
    for i, p in enumerate(validated):
        rows.append(evaluate_task((p, {}, 1, specs, None))[0])
        if progress is not None:
            progress(i + 1, len(xs))
    return np.asarray(rows, dtype=float)


def _table(key: str, current: Any, xs: list[Any], specs: list[Spec], vals: FloatArray) -> pd.DataFrame:
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
