"""Backtest: fit on figures up to a cutoff month, predict and score the later ones.

A thin layer over :func:`rebound.fit.evaluate.evaluate`: the held-out figures are the episode's
own ``fit`` rows that end after the cutoff, so the band printed is the same 90% predictive
interval as everywhere else (calibrated keys from the cutoff posterior, every other uncertain
number from its prior, the discrepancy and rounding).
"""

from __future__ import annotations

import math
from typing import Any

from rebound.fit.evaluate import evaluate
from rebound.fit.pipeline import load_observations
from rebound.params.load import Loaded


def backtest(loaded: Loaded, cutoff: str, n_draws: int = 200, seed: int = 0) -> dict[str, Any]:
    """Calibrate on ``fit`` figures ending by ``cutoff``; predict the later ``fit`` figures.

    ``predicted`` is the predictive median, ``point`` the run at the cutoff estimates and
    ``p05``..``p95`` the 90% predictive interval over ``n_draws`` draws seeded by ``seed``.
    """
    later = [o for o in load_observations(loaded) if o.role == "fit" and o.period_end > cutoff]
    card = evaluate(loaded, later, cutoff, n_draws=n_draws, seed=seed)
    preds: list[dict[str, Any]] = []
    for row in card.scored.to_dict("records"):
        med, rep = float(row["median"]), float(row["reported"])
        preds.append({"figure": str(row["figure"]), "reported": rep, "predicted": med, "point": float(row["point"]), "p05": float(row["p05"]), "p95": float(row["p95"]), "error": med - rep})
    errors = [abs(p["error"]) for p in preds]
    return {
        "cutoff": cutoff,
        "n_fitted": len(card.summary["fitted"]),
        "fitted": card.summary["fitted"],
        "predictions": preds,
        "mae": sum(errors) / len(errors) if errors else math.nan,
        "band": card.summary["band"],
        "warnings": card.summary["warnings"],
        "seed": seed,
    }
