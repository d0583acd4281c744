"""One run of an episode or scenario: parameters + observed figures -> tables.

Pure: returns data frames and dictionaries; :mod:`rebound.writers` writes them.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rebound.data.observed import Observation, load_observed
from rebound.fit.draws import draw_values, posterior_status
from rebound.observe.discrepancy import draw_discrepancy
from rebound.observe.indicators import (
    MODEL_INDICATORS,
    Evaluator,
    Spec,
    figure_specs,
    why_not_computable,
)
from rebound.params.load import Loaded, get_path
from rebound.params.schema import Params
from rebound.params.source import display
from rebound.problems import InputError, Problem
from rebound.sim.calendar import Calendar
from rebound.sim.engine import Engine, simulate
from rebound.sim.kernels import use_compiled
from rebound.sim.memory import BASE_BYTES, check_budget, engine_bytes
from rebound.sim.memory import chunk_draws as chunk_size
from rebound.sim.restrictions import SECTORS
from rebound.sim.result import MonthlyTotals, Result
from rebound.version import __version__

FloatArray = NDArray[np.float64]
QUANTILES = (5.0, 25.0, 50.0, 75.0, 95.0)
BAND_NOTE = "p05-p95 is a 90% predictive interval (parameters, model discrepancy, rounding); phase dates and reported amounts fixed by assumption"
OBS_NOISE_DEFAULT = 0.05  # half a unit of the last printed digit of a one-decimal figure


@dataclass
class RunOutput:
    indicators: pd.DataFrame
    paths: pd.DataFrame
    summary: dict[str, Any]
    result: Result
    observations: list[Observation] = field(default_factory=list)
    draws: dict[str, FloatArray] = field(default_factory=dict)


def observed_file(loaded: Loaded) -> Path | None:
    """The observed-data CSV named by the parameter file (relative to it), if any."""
    rel = loaded.params.episode.observed
    if not rel:
        return None
    return (loaded.param_file.parent / rel).resolve()


def load_observations(loaded: Loaded) -> list[Observation]:
    path = observed_file(loaded)
    if path is None:
        return []
    if not path.is_file():
        f = loaded.files[0]
        why = "is a directory, expected a CSV file" if path.is_dir() else "file not found"
        raise InputError([Problem(str(f.path), f.lines.get("episode.observed"), "episode.observed", f"observed-data {why}: {path}")])
    return load_observed(path)


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def horizon(params: Params) -> tuple[int, int]:
    """First and last simulated year."""
    return params.first_year, params.last_year


def ensemble_values(loaded: Loaded, n_draws: int, seed: int, *, use_posterior: bool = True) -> dict[str, FloatArray]:
    """Draw 0 is the point estimate (the file's values); draws 1..n from the posterior/priors."""
    if n_draws < 1:
        return {}
    rng = np.random.default_rng([seed, 0])
    draws = draw_values(loaded.params, n_draws, rng, use_posterior=use_posterior)
    return {k: np.concatenate([[float(get_path(loaded.params, k))], v]) for k, v in draws.items()}


def ensemble_discrepancy(params: Params, n_draws: int, seed: int, months: list[str]) -> dict[str, FloatArray]:
    """Discrepancy log multipliers for draws 0..n (draw 0, the point run, has none)."""
    if n_draws < 1:
        return {}
    rng = np.random.default_rng([seed, 1])
    return draw_discrepancy(params.discrepancy, params.episode.year, months, n_draws + 1, rng)


def observation_noise(n_draws: int, precisions: list[float], seed: int) -> FloatArray:
    """Rounding of the printed figure: uniform within half a unit of its last digit, ``(n+1, k)``."""
    rng = np.random.default_rng([seed, 2])
    out = np.zeros((n_draws + 1, len(precisions)))
    if n_draws >= 1 and precisions:
        out[1:] = rng.uniform(-1.0, 1.0, (n_draws, len(precisions))) * np.asarray(precisions)[None, :]
    return out


def indicator_table(
    result: Result,
    observations: list[Observation],
    year: int,
    ensemble: bool,
    *,
    horizon_years: tuple[int, int] | None = None,
    discrepancy: dict[str, FloatArray] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Every standard figure plus every observed figure, reported beside the model.

    ``point`` is the run at the file's (posterior-mode) values; with an ensemble, ``model`` is
    the predictive median and ``p05``..``p95`` predictive quantiles over draws 1..n (parameters,
    discrepancy and rounding); without one, ``model`` is the point run.
    """
    specs, by_key, context = figure_specs(year, observations, horizon_years)
    point = Evaluator(result).values(specs)[0]
    vals = Evaluator(result, discrepancy).values(specs) if ensemble else point[None, :]
    if ensemble:
        vals = vals + observation_noise(vals.shape[0] - 1, _precisions(specs, by_key), seed)
    return _table(specs, by_key, context, year, horizon_years, point, vals if ensemble else None)


def _precisions(specs: list[Spec], by_key: dict[Any, Observation]) -> list[float]:
    return [by_key[s.key].precision if s.key in by_key else OBS_NOISE_DEFAULT for s in specs]


def _table(
    specs: list[Spec],
    by_key: dict[Any, Observation],
    context: list[Observation],
    year: int,
    horizon_years: tuple[int, int] | None,
    point: FloatArray,
    vals: FloatArray | None,
) -> pd.DataFrame:
    """The rows of :func:`indicator_table` from the point values and (n+1, k) ensemble values."""
    ensemble = vals is not None
    extra_rows = [_context_row(ob, why_not_computable(ob, year, horizon_years) or "not computable") for ob in context]
    if vals is not None:
        q = np.percentile(vals[1:], QUANTILES, axis=0)
    rows: list[dict[str, Any]] = []
    for j, s in enumerate(specs):
        ob: Observation | None = by_key.get(s.key)
        model = float(q[2, j]) if ensemble else float(point[j])
        row: dict[str, Any] = {**s.fields(), "reported": ob.value if ob is not None else np.nan, "model": model, "point": float(point[j])}
        if ensemble:
            row.update(p05=float(q[0, j]), p25=float(q[1, j]), p75=float(q[3, j]), p95=float(q[4, j]))
        row.update(
            residual=(model - ob.value) if ob is not None else np.nan,
            role=ob.role if ob is not None else "",
            basis=s.basis,
            source=ob.source if ob is not None else "",
            note="",
        )
        rows.append(row)
    for r in extra_rows:
        r["point"] = np.nan
        if ensemble:
            r.update(p05=np.nan, p25=np.nan, p75=np.nan, p95=np.nan)
        rows.append(r)
    cols = ["indicator", "measure", "period_start", "period_end", "compare_start", "compare_end", "reported", "model", "point"]
    if ensemble:
        cols += ["p05", "p25", "p75", "p95"]
    cols += ["residual", "role", "basis", "source", "note"]
    return pd.DataFrame(rows, columns=cols)


def run_bytes(params: Params, n_draws: int, n_specs: int) -> tuple[int, int, int]:
    """Estimated peak bytes of :func:`run` with ``n_draws`` draws: (total, per draw, fixed).

    Per draw: its parameter draws (twice while drawing), discrepancy multipliers, rounding
    noise and one float64 per figure (twice while the quantiles are taken); fixed: the
    interpreter and one engine chunk.
    """
    cal = Calendar.of(params)
    n_keys = len(draw_values(params, 1, np.random.default_rng(0)))
    per_draw = 8 * (2 * n_keys + len(MODEL_INDICATORS) * len(cal.months) + 3 * n_specs)
    fast = use_compiled(n_draws + 1)  # the compiled pipeline holds two chunks at once
    fixed = BASE_BYTES + (2 if fast else 1) * engine_bytes(chunk_size(cal.n_days, fast), cal.n_days, fast)
    return fixed + per_draw * (n_draws + 1), per_draw, fixed


def ensemble_figures(
    params: Params,
    values: dict[str, FloatArray],
    n: int,
    specs: list[Spec],
    discrepancy: dict[str, FloatArray] | None,
    chunk: int,
) -> tuple[FloatArray, FloatArray, Result]:
    """Point values ``(k,)``, draw values ``(n, k)`` with discrepancy, and the first chunk's run
    (with the compiled kernels, :func:`rebound.sim.kernels.use_compiled`: draw 0's run alone).

    Draws are simulated ``chunk`` at a time, so memory does not grow with the daily paths of
    every draw; each draw's figures are the same as in one run over all draws.
    """
    out = np.empty((n, len(specs)))
    if use_compiled(n):
        res = simulate(params, 1, {k: v[:1] for k, v in values.items()})  # draw 0: the point run, whose paths are written
        out[0] = point = Evaluator(res).values(specs)[0]  # draw 0 carries no discrepancy
        compiled_figures(params, values, specs, discrepancy, chunk, out)
        return point, out, res
    first: Result | None = None
    point = np.empty(0)
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        part = {k: v[lo:hi] for k, v in values.items()}
        res = simulate(params, hi - lo, part)
        out[lo:hi] = Evaluator(res, {k: v[lo:hi] for k, v in (discrepancy or {}).items()}).values(specs)
        if first is None:
            first, point = res, Evaluator(res).values(specs)[0]
    assert first is not None
    return point, out, first


def compiled_figures(params: Params, values: dict[str, FloatArray], specs: list[Spec], discrepancy: dict[str, FloatArray] | None, chunk: int, out: FloatArray) -> None:
    """Figures of draws 1.. into ``out`` by the fused kernel, ``chunk`` draws at a time, as a
    two-stage pipeline: while one chunk's compiled kernel runs on a worker thread (without the
    GIL), this thread prepares the next (events, levers: Python) and evaluates the previous.
    Each draw's figures do not depend on the chunk or thread that computed them."""
    n = out.shape[0]

    def finish(job: Future[MonthlyTotals], lo: int, hi: int) -> None:
        disc = {k: v[lo:hi] for k, v in (discrepancy or {}).items()}
        out[lo:hi] = Evaluator(job.result(), disc).values(specs)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rebound-kernel") as pool:
        pending: tuple[Future[MonthlyTotals], int, int] | None = None
        for lo in range(1, n, chunk):
            hi = min(n, lo + chunk)
            job = Engine(params, hi - lo, {k: v[lo:hi] for k, v in values.items()}, compiled=True).totals_job()
            running = pool.submit(job, False)
            if pending is not None:
                finish(*pending)
            pending = (running, lo, hi)
        if pending is not None:
            finish(*pending)


def _context_row(ob: Observation, reason: str) -> dict[str, Any]:
    return {
        "indicator": ob.indicator,
        "measure": ob.measure,
        "period_start": ob.period_start,
        "period_end": ob.period_end,
        "compare_start": ob.compare_start or "",
        "compare_end": ob.compare_end or "",
        "reported": ob.value,
        "model": np.nan,
        "residual": np.nan,
        "role": ob.role,
        "basis": ob.basis,
        "source": ob.source,
        "note": f"context, not computed: {reason}",
    }


def paths_table(result: Result, draw: int = 0) -> pd.DataFrame:
    """Daily potential, capacity (share of normal) and output per sector, plus GDP."""
    cal = result.cal
    dates = pd.to_datetime(cal.dates).strftime("%Y-%m-%d")
    frames = []
    for i, s in enumerate(SECTORS):
        pot = np.broadcast_to(result.potential[s], (result.n_draws, cal.n_days))[draw]
        frames.append(pd.DataFrame({"date": dates, "sector": s, "potential": pot, "capacity": result.capacity[i, draw], "output": result.output[s][draw]}))
    gp = np.broadcast_to(result.gdp_potential, (result.n_draws, cal.n_days))[draw]
    go = result.series["gdp"][draw]
    frames.append(pd.DataFrame({"date": dates, "sector": "gdp", "potential": gp, "capacity": go / gp, "output": go}))
    return pd.concat(frames, ignore_index=True)


def provenance(loaded: Loaded, seed: int, n_draws: int, extra_files: list[Path] | None = None) -> dict[str, Any]:
    files = loaded.hashes()  # keyed by the resolved path relative to the working directory
    for p in extra_files or []:
        if p.exists():
            files[display(p)] = sha256_file(p)
    return {"version": __version__, "inputs": files, "seed": seed, "ensemble": n_draws}


def run(loaded: Loaded, n_draws: int = 0, seed: int = 0, *, chunk_draws: int | None = None) -> RunOutput:
    """Simulate the point estimate (and an ensemble) and tabulate reported vs model.

    With ``n_draws >= 1`` draws 1..n carry every uncertainty the model knows of: calibrated
    parameters from the posterior (when it is current, else from their priors), every other
    uncertain number from its prior, the discrepancy process and rounding.

    Draws are simulated ``chunk_draws`` at a time (default: :func:`rebound.sim.memory.chunk_draws`),
    so memory is bounded by what each draw keeps (its figures, float64; quantiles are exact);
    a request whose estimate exceeds the memory budget is refused with an InputError before
    anything runs. ``RunOutput.result`` is the run of the first chunk (draw 0, the point
    estimate, and the next draws), whose daily paths ``paths.csv`` shows.
    """
    params = loaded.params
    observations = load_observations(loaded)
    fit_rows = [o for o in observations if o.role == "fit"]
    stale = posterior_status(params, fit_rows)
    ensemble = n_draws >= 1
    year, hz = params.episode.year, horizon(params)
    specs, by_key, context = figure_specs(year, observations, hz)
    need, per_draw, fixed = run_bytes(params, n_draws, len(specs))
    check_budget(need, f"an ensemble of {n_draws:,} draws", per_draw, fixed)
    values = ensemble_values(loaded, n_draws, seed, use_posterior=not stale)
    n = n_draws + 1 if ensemble else 1
    months = Calendar.of(params).months
    disc = ensemble_discrepancy(params, n_draws, seed, months) if ensemble else None
    point, vals, result = ensemble_figures(params, values, n, specs, disc, chunk_draws or chunk_size(Calendar.of(params).n_days, use_compiled(n)))
    if ensemble:
        vals += observation_noise(n_draws, _precisions(specs, by_key), seed)
    table = _table(specs, by_key, context, year, hz, point, vals if ensemble else None)
    obs_path = observed_file(loaded)
    summary = provenance(loaded, seed, n_draws, [obs_path] if obs_path else None)
    summary.update(
        episode=loaded.params.episode.name,
        scenario=loaded.scenario_name,
        events=[str(e) for e in result.events],
        ledger={lv: {k: float(v[0]) for k, v in items.items()} for lv, items in result.ledger.items()},
        fit=fit_summary(table),
        warnings=[stale] if stale else [],
        band=BAND_NOTE if ensemble else "no ensemble: point run only",
        drawn=sorted(values),
    )
    return RunOutput(indicators=table, paths=paths_table(result), summary=summary, result=result, observations=observations, draws=values)


def fit_summary(table: pd.DataFrame) -> dict[str, Any]:
    fit = table[(table["role"] == "fit") & table["model"].notna()]
    if fit.empty:
        return {"n_fit": 0}
    res = fit["residual"].to_numpy(dtype=float)
    return {"n_fit": int(len(fit)), "max_abs_residual_pp": float(np.max(np.abs(res))), "rmse_pp": float(np.sqrt(np.mean(res**2)))}
