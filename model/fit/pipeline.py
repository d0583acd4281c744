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
from rebound.fit.draws import draw_values
from rebound.observe.indicators import Evaluator, figure_specs, why_not_computable
from rebound.params.load import Loaded
from rebound.problems import InputError, Problem
from rebound.sim.engine import SECTORS, Result, simulate
from rebound.version import __version__

FloatArray = NDArray[np.float64]
PCTL = (5.0, 50.0, 95.0)


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


def ensemble_values(loaded: Loaded, n_draws: int, seed: int) -> dict[str, FloatArray]:
    """Draw 0 is the point estimate (the file's values); draws 1..n from the posterior/prior."""
    if n_draws <= 1:
        return {}
    rng = np.random.default_rng(seed)
    draws = draw_values(loaded.params, n_draws, rng)
    out: dict[str, FloatArray] = {}
    from rebound.params.load import get_path

    for k, v in draws.items():
        point = float(get_path(loaded.params, k))
        out[k] = np.concatenate([[point], v])
    return out


def indicator_table(
    result: Result, observations: list[Observation], year: int, ensemble: bool
) -> pd.DataFrame:
    """Every standard figure plus every observed figure, reported beside model."""
    specs, by_key, context = figure_specs(year, observations)
    extra_rows = [_context_row(ob, why_not_computable(ob, year) or "not computable") for ob in context]
    ev = Evaluator(result)
    vals = ev.values(specs)  # (n, rows)
    rows: list[dict[str, Any]] = []
    for j, s in enumerate(specs):
        ob: Observation | None = by_key.get(s.key)
        row: dict[str, Any] = {
            **s.fields(),
            "reported": ob.value if ob is not None else np.nan,
            "model": float(vals[0, j]),
        }
        if ensemble:
            p = np.percentile(vals[1:, j], PCTL)
            row.update(model_p05=float(p[0]), model_p50=float(p[1]), model_p95=float(p[2]))
        row.update(
            residual=(row["model"] - ob.value) if ob is not None else np.nan,
            role=ob.role if ob is not None else "",
            basis=s.basis,
            source=ob.source if ob is not None else "",
            note="",
        )
        rows.append(row)
    for r in extra_rows:
        if ensemble:
            r.update(model_p05=np.nan, model_p50=np.nan, model_p95=np.nan)
        rows.append(r)
    cols = ["indicator", "measure", "period_start", "period_end", "compare_start", "compare_end", "reported", "model"]
    if ensemble:
        cols += ["model_p05", "model_p50", "model_p95"]
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


def run(loaded: Loaded, n_draws: int = 1, seed: int = 0) -> RunOutput:
    """Simulate the point estimate (and an ensemble) and tabulate reported vs model."""
    observations = load_observations(loaded)
    values = ensemble_values(loaded, n_draws, seed)
    n = n_draws + 1 if values else 1
    result = simulate(loaded.params, n, values)
    table = indicator_table(result, observations, loaded.params.episode.year, ensemble=bool(values))
    obs_path = observed_file(loaded)
    summary = provenance(loaded, seed, n_draws, [obs_path] if obs_path else None)
    summary.update(
        episode=loaded.params.episode.name,
        scenario=loaded.scenario_name,
        events=[str(e) for e in result.events],
        ledger={lv: {k: float(v[0]) for k, v in items.items()} for lv, items in result.ledger.items()},
        fit=fit_summary(table),
    )
    return RunOutput(indicators=table, paths=paths_table(result), summary=summary, result=result, observations=observations, draws=values)


def fit_summary(table: pd.DataFrame) -> dict[str, Any]:
    fit = table[(table["role"] == "fit") & table["model"].notna()]
    if fit.empty:
        return {"n_fit": 0}
    res = fit["residual"].to_numpy(dtype=float)
    return {"n_fit": int(len(fit)), "max_abs_residual_pp": float(np.max(np.abs(res))), "rmse_pp": float(np.sqrt(np.mean(res**2)))}
