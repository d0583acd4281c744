"""Run batches of simulations locally or on a Dask distributed cluster.

On one machine the fastest path is one vectorised run across draws (see benchmarks/run.py);
a cluster pays a few milliseconds per task, so work is sent in *batches* that each take
hundreds of milliseconds or more: one scenario's whole ensemble, one chunk of Shapley
coalitions × draws, one date of a sweep. Results come back in order and are identical to the
local run (same draws, same arithmetic; tested with a ``LocalCluster``).

Dask is an optional extra: ``pip install "rebound[distributed]"``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

import numpy as np
from numpy.typing import NDArray

from rebound.observe.indicators import Evaluator, Spec
from rebound.params.schema import Params
from rebound.problems import InputError, Problem
from rebound.sim.engine import simulate, simulate_totals
from rebound.sim.kernels import use_compiled
from rebound.sim.result import MonthlyTotals, Result

T = TypeVar("T")
R = TypeVar("R")
FloatArray = NDArray[np.float64]

MIN_DRAWS_PER_TASK = 2000  # about 0.3 s of engine time a task on this kind of machine


class Executor(Protocol):
    """Maps a function over items, in order."""

    workers: int

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]: ...


class LocalExecutor:
    """Runs every item in this process, one after the other."""

    workers = 1

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        return [fn(x) for x in items]


class DaskExecutor:
    """Sends each item as one task to a Dask scheduler at ``address``."""

    def __init__(self, address: str, timeout_s: float = 10.0):
        try:
            from dask.distributed import Client
        except ImportError:
            raise InputError([Problem("--scheduler", None, "", 'Dask is not installed: pip install "rebound[distributed]"')]) from None
        try:
            self.client: Any = Client(address, timeout=f"{timeout_s}s")  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as err:
            raise InputError([Problem("--scheduler", None, "", f"cannot reach the Dask scheduler at {address} ({err})")]) from None
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        futures = self.client.map(fn, list(items), pure=False)
        return list(self.client.gather(futures))

    def close(self) -> None:
        self.client.close()


def executor_for(scheduler: str | None) -> LocalExecutor | DaskExecutor:
    return LocalExecutor() if not scheduler else DaskExecutor(scheduler)


# --- picklable tasks ------------------------------------------------------------------------


def evaluate_task(task: tuple[Params, dict[str, FloatArray], int, list[Spec], bool | None]) -> FloatArray:
    """One batch: simulate ``n`` draws and return their figures ``(n, len(specs))``.

    The last element chooses the compiled kernels for the whole ensemble (None: by ``n``), so
    every batch of one ensemble runs the same code wherever it runs.
    """
    params, values, n, specs, compiled = task
    if compiled or (compiled is None and use_compiled(n)):
        return Evaluator(simulate_totals(params, n, values, compiled=True)).values(specs)
    return Evaluator(simulate(params, n, values)).values(specs)


def summary_task(task: tuple[Params, dict[str, FloatArray], int, list[tuple[str, str]], bool | None]) -> MonthlyTotals:
    """One batch: simulate ``n`` draws and return only their monthly totals (no daily paths)."""
    params, values, n, keys, compiled = task
    if compiled or (compiled is None and use_compiled(n)):
        tot = simulate_totals(params, n, values, compiled=True)
        # copies: a view would keep every indicator's totals alive, not just the keys asked for
        return MonthlyTotals(tot.n_draws, tot.months, {k: tot.totals[k].copy() for k in keys})
    return MonthlyTotals.of(simulate(params, n, values), keys)


def runs_task(task: tuple[list[Params], list[Spec]]) -> FloatArray:
    """Several one-draw runs (e.g. the dates of a sweep) in one task: ``(len(params), len(specs))``."""
    params, specs = task
    return np.concatenate([evaluate_task((p, {}, 1, specs, None)) for p in params], axis=0)


def run_task(task: tuple[Params, dict[str, FloatArray], int]) -> Result:
    """One batch that returns the whole run (paths are needed, e.g. for charts)."""
    params, values, n = task
    return simulate(params, n, values)


def draw_batches(n_total: int, max_draws: int, workers: int, min_per_task: int = MIN_DRAWS_PER_TASK) -> list[tuple[int, int]]:
    """Split ``n_total`` draws into ``[lo, hi)`` batches.

    At most ``max_draws`` a batch (memory); with several workers, enough batches to keep them
    busy but never smaller than ``min_per_task`` draws, so each task is substantial.
    """
    step = max_draws
    if workers > 1:
        step = min(step, max(min_per_task, -(-n_total // workers)))
    step = max(1, step)
    return [(lo, min(n_total, lo + step)) for lo in range(0, n_total, step)]


def evaluate_batched(
    params: Params,
    values: dict[str, FloatArray],
    n_total: int,
    specs: list[Spec],
    max_draws: int,
    executor: Executor,
    progress: Callable[[int, int], None] | None = None,
) -> FloatArray:
    """``(n_total, len(specs))`` figures, computed in batches on ``executor``."""
    batches = draw_batches(n_total, max_draws, executor.workers)
    fast = use_compiled(n_total)
    tasks = [(params, {k: v[lo:hi] for k, v in values.items()}, hi - lo, specs, fast) for lo, hi in batches]
    if isinstance(executor, LocalExecutor) and progress is not None:
        out = np.empty((n_total, len(specs)))
        for (lo, hi), t in zip(batches, tasks, strict=True):
            out[lo:hi] = evaluate_task(t)
            progress(hi, n_total)
        return out
    parts = executor.map(evaluate_task, tasks)
    if progress is not None:
        progress(n_total, n_total)
    return np.concatenate(parts, axis=0) if parts else np.empty((0, len(specs)))


def summarise_batched(
    jobs: list[tuple[Params, dict[str, FloatArray]]],
    n_total: int,
    keys: list[tuple[str, str]],
    max_draws: int,
    executor: Executor,
    progress: Callable[[int, int], None] | None = None,
) -> list[MonthlyTotals]:
    """Monthly totals of every draw of each job (parameters, per-draw values), in batches.

    All jobs' batches go to ``executor`` together (one task each, at least
    :data:`MIN_DRAWS_PER_TASK` draws when there are several workers); locally they run one
    after the other, so memory holds one batch's daily paths at a time.
    """
    batches = draw_batches(n_total, max_draws, executor.workers)
    fast = use_compiled(n_total)
    tasks = [(p, {k: v[lo:hi] for k, v in vals.items()}, hi - lo, keys, fast) for p, vals in jobs for lo, hi in batches]
    if isinstance(executor, LocalExecutor):
        parts = []
        for i, t in enumerate(tasks):
            parts.append(summary_task(t))
            if progress is not None:  # counted in jobs (runs), as callers size their bars
                progress((i + 1) * len(jobs) // len(tasks), len(jobs))
    else:
        parts = executor.map(summary_task, tasks)
        if progress is not None:
            progress(len(jobs), len(jobs))
    nb = len(batches)
    return [MonthlyTotals.concat(parts[j * nb : (j + 1) * nb]) for j in range(len(jobs))]


def _identity(x: Any) -> Any:  # pragma: no cover - used to check a cluster answers
    return x
