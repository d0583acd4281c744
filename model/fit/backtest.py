"""Backtest: fit on figures up to a cutoff month, predict and score the later ones."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from rebound.fit.calibrate import calibrate, label_of
from rebound.fit.draws import from_z
from rebound.observe.indicators import Evaluator, spec_of, why_not_computable
from rebound.params.load import with_values
from rebound.params.schema import Params
from rebound.sim.engine import simulate

if TYPE_CHECKING:
    from rebound.data.observed import Observation


def backtest(params: Params, observations: list[Observation], cutoff: str, n_draws: int = 200, seed: int = 0) -> dict[str, Any]:
    """Calibrate on ``fit`` figures ending by ``cutoff``; predict later ``fit`` figures.

    Prediction = model at the cutoff estimate; the 90% band comes from ``n_draws`` draws of
    the cutoff posterior (Laplace approximation), seeded by ``seed``.
    """
    cal = calibrate(params, observations, cutoff=cutoff, model_error_pp=params.calibration.model_error_pp)
    year = params.episode.year
    later = [o for o in observations if o.role == "fit" and o.period_end > cutoff and not why_not_computable(o, year, (params.first_year, params.last_year)) and spec_of(o) is not None]
    point = with_values(params, cal.estimates())
    free = list(params.calibration.free)
    values: dict[str, Any] = {}
    n = 1
    if n_draws > 0 and free:
        rng = np.random.default_rng(seed)
        z = rng.multivariate_normal(np.array(cal.posterior_mean), np.array(cal.posterior_cov), size=n_draws, method="eigh")
        values = {f.key: np.concatenate([[cal.estimates()[f.key]], from_z(f, z[:, j])]) for j, f in enumerate(free)}
        n = n_draws + 1
    specs = [s for s in (spec_of(o) for o in later) if s is not None]
    vals = Evaluator(simulate(point, n, values)).values(specs) if specs else np.zeros((n, 0))
    preds: list[dict[str, Any]] = []
    errors: list[float] = []
    for j, o in enumerate(later):
        v = vals[:, j]
        p05, p95 = (np.percentile(v[1:], [5, 95]) if n > 1 else (np.nan, np.nan))
        errors.append(float(v[0] - o.value))
        preds.append({"figure": label_of(o), "reported": o.value, "predicted": float(v[0]), "p05": float(p05), "p95": float(p95), "error": errors[-1]})
    mae = float(np.mean(np.abs(errors))) if errors else float("nan")
    return {
        "cutoff": cutoff,
        "n_fitted": len(cal.figures),
        "fitted": [f.label for f in cal.figures],
        "estimates": cal.estimates(),
        "predictions": preds,
        "mae": mae,
        "warnings": cal.warnings,
        "seed": seed,
    }
