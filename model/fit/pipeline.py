"""One run of an episode or scenario: parameters + observed figures -> tables.

Pure: returns data frames and dictionaries; :mod:`rebound.writers` writes them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rebound.data.observed import Observation, load_observed
from rebound.fit.draws import draw_values, posterior_status
from rebound.observe.discrepancy import draw_discrepancy
from rebound.observe.indicators import Evaluator, figure_specs, why_not_computable
from rebound.params.load import Loaded, get_path
from rebound.params.schema import Params
from rebound.problems import InputError, Problem
from rebound.sim.engine import simulate
from rebound.sim.restrictions import SECTORS
from rebound.sim.result import Result
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
    if not path.exists():
        f = loaded.files[0]
        raise InputError([Problem(str(f.path), f.lines.get("episode.observed"), "episode.observed", f"observed-data file not found: {path}")])
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
    extra_rows = [_context_row(ob, why_not_computable(ob, year, horizon_years) or "not computable") for ob in context]
    point = Evaluator(result).values(specs)[0]
    vals = Evaluator(result, discrepancy).values(specs) if ensemble else point[None, :]
    if ensemble:
        prec = [by_key[s.key].precision if s.key in by_key else OBS_NOISE_DEFAULT for s in specs]
        vals = vals + observation_noise(vals.shape[0] - 1, prec, seed)
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
    files = {str(f.path): f.sha256 for f in loaded.files}
    for p in extra_files or []:
        if p.exists():
            files[str(p)] = sha256_file(p)
    return {"version": __version__, "inputs": files, "seed": seed, "ensemble": n_draws}


def run(loaded: Loaded, n_draws: int = 0, seed: int = 0) -> RunOutput:
    """Simulate the point estimate (and an ensemble) and tabulate reported vs model.

    With ``n_draws >= 1`` draws 1..n carry every uncertainty the model knows of: calibrated
    parameters from the posterior (when it is current, else from their priors), every other
    uncertain number from its prior, the discrepancy process and rounding.
    """
    params = loaded.params
    observations = load_observations(loaded)
    fit_rows = [o for o in observations if o.role == "fit"]
    stale = posterior_status(params, fit_rows)
    ensemble = n_draws >= 1
    values = ensemble_values(loaded, n_draws, seed, use_posterior=not stale)
    n = n_draws + 1 if ensemble else 1
    result = simulate(params, n, values)
    disc = ensemble_discrepancy(params, n_draws, seed, result.cal.months) if ensemble else None
    table = indicator_table(result, observations, params.episode.year, ensemble, horizon_years=horizon(params), discrepancy=disc, seed=seed)
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
