"""The project's own backtests and placebo lockdowns (docs/validation.md).

Backtests: for each shipped episode and cutoff, every ``fit`` figure ending after the cutoff
is held out, the free parameters are refitted on the rest (ending by the cutoff) and the held
-out figures are scored (:func:`rebound.fit.evaluate.evaluate`). Placebo: a fake lockdown
phase of moderate stringency in a month of the year before the episode, where nothing
happened, shows how far the model's pre-period figures move away from the reported ones;
at zero stringency they must not move at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rebound.data.observed import ROOT, Observation
from rebound.fit.calibrate import calibrate, label_of
from rebound.fit.evaluate import ScoreCard, evaluate
from rebound.fit.pipeline import load_observations
from rebound.fit.scoring import summarise
from rebound.observe.indicators import Evaluator, spec_of, why_not_computable
from rebound.params.load import load
from rebound.params.schema import FreeParam, Params, Phase, Stringency
from rebound.sim.engine import simulate
from rebound.sim.restrictions import SECTORS


@dataclass(frozen=True)
class Backtest:
    """One backtest: a shipped parameter file (relative to the project) and a cutoff month."""

    params_file: str
    cutoff: str


BACKTESTS: tuple[Backtest, ...] = (
    Backtest("params/changchun_2022.toml", "2021-12"),
    Backtest("params/changchun_2022.toml", "2022-03"),
    Backtest("params/changchun_2022.toml", "2022-05"),
    Backtest("params/changchun_2022.toml", "2022-06"),
    Backtest("params/changchun_2020.toml", "2020-06"),
)
PRE_PERIOD: tuple[Backtest, ...] = (  # cutoffs before the episode year: the baseline is tested too
    Backtest("params/changchun_2022.toml", "2021-03"),
    Backtest("params/jinzhong_2022.toml", "2021-09"),
)
PLACEBO_START = dt.date(2021, 5, 10)  # a quiet month of the pre-period of Changchun 2022 (assumption: no restriction is reported)
PLACEBO_END = dt.date(2021, 5, 31)
PLACEBO_STRINGENCY = 0.3  # moderate: a third of normal activity shut for three weeks


def holdout_after(observations: list[Observation], cutoff: str) -> list[Observation]:
    """Every ``fit`` figure ending after ``cutoff``."""
    return [o for o in observations if o.role == "fit" and o.period_end > cutoff]


def run_backtests(n_draws: int, seed: int, *, n_starts: int = 8, disc_rule: str = "data", backtests: tuple[Backtest, ...] = BACKTESTS) -> list[ScoreCard]:
    """Score cards of the project's backtests, in the order of ``backtests``."""
    cards: list[ScoreCard] = []
    for bt in backtests:
        loaded = load(ROOT / bt.params_file)
        held = holdout_after(load_observations(loaded), bt.cutoff)
        cards.append(evaluate(loaded, held, bt.cutoff, n_draws, seed, n_starts=n_starts, disc_rule=disc_rule))
    return cards


def pooled(cards: list[ScoreCard]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """All scored rows (with ``episode`` and ``cutoff`` columns) and their model/naive summaries.

    Cutoffs that fit the same figures give the same predictions; ``distinct_model`` and
    ``distinct_naive`` summarise each distinct prediction once.
    """
    frames = [c.scored.assign(episode=c.summary["episode"], cutoff=c.summary["cutoff"]) for c in cards if len(c.scored)]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if rows.empty:
        return rows, {"model": {"n": 0}, "naive": {"n": 0}}
    distinct = rows.drop_duplicates(subset=["episode", "figure", "median", "p05", "p95"])
    return rows, {
        "model": summarise(rows),
        "naive": summarise(rows, "naive_"),
        "distinct_model": summarise(distinct),
        "distinct_naive": summarise(distinct, "naive_"),
        "n_rows": int(len(rows)),
        "n_distinct_figures": int(rows[["episode", "figure"]].drop_duplicates().shape[0]),
        "n_distinct_predictions": int(len(distinct)),
    }


def with_placebo(params: Params, stringency: float, start: dt.date = PLACEBO_START, end: dt.date = PLACEBO_END) -> Params:
    """Copy of ``params`` with a fake phase (same stringency in every sector) before the others."""
    phase = Phase(name="placebo", start=start, end=end, closed_loop_share=0.0, stringency=Stringency(industry=stringency, consumption=stringency, investment=stringency))
    return params.model_copy(update={"lockdown": params.lockdown.model_copy(update={"phases": [phase, *params.lockdown.phases]})})


def pre_period_figures(params: Params, observations: list[Observation]) -> list[Observation]:
    """``fit`` figures that end before the episode year and the model can compute."""
    horizon = (params.first_year, params.last_year)
    first = f"{params.episode.year:04d}-01"
    return [o for o in observations if o.role == "fit" and o.period_end < first and spec_of(o) is not None and not why_not_computable(o, params.episode.year, horizon)]


def placebo_table(params: Params, observations: list[Observation], stringencies: tuple[float, ...] = (0.0, PLACEBO_STRINGENCY)) -> pd.DataFrame:
    """Pre-period figures without and with a placebo phase of each stringency (point runs).

    Columns: ``figure, reported, unperturbed`` and per stringency ``s`` the model value
    ``placebo_<s>`` and its shift ``shift_<s>`` (placebo minus unperturbed).
    """
    figs = pre_period_figures(params, observations)
    specs = [s for s in (spec_of(o) for o in figs) if s is not None]
    base = Evaluator(simulate(params)).values(specs)[0]
    df = pd.DataFrame({"figure": [label_of(o) for o in figs], "reported": [o.value for o in figs], "unperturbed": base})
    for s in stringencies:
        v = Evaluator(simulate(with_placebo(params, s))).values(specs)[0]
        df[f"placebo_{s:g}"] = v
        df[f"shift_{s:g}"] = v - base
    return df


def placebo_fit(params: Params, observations: list[Observation], seed: int = 0) -> dict[str, float]:
    """Stringency of the placebo phase fitted to the pre-period figures (all else fixed).

    Prior normal(0.3, 0.3) on [0, 1] per sector: a model that does not invent lockdowns
    brings it down to near zero. Returns ``{sector: estimate}`` and the objective.
    """
    base = with_placebo(params, PLACEBO_STRINGENCY)
    free = [FreeParam(key=f"lockdown.phases[0].stringency.{s}", prior="normal", centre=PLACEBO_STRINGENCY, spread=0.3, lower=0.0, upper=1.0, source="placebo") for s in SECTORS]
    calib = base.calibration.model_copy(update={"free": free, "record": None})
    cal = calibrate(base.model_copy(update={"calibration": calib}), pre_period_figures(params, observations), n_starts=0, seed=seed)
    out = {k.rsplit(".", 1)[1]: float(v) for k, v in cal.estimates().items()}
    out["objective"] = float(cal.objective)
    return out


def max_abs(values: Any) -> float:
    """Largest absolute value (0 for none)."""
    a = np.abs(np.asarray(values, dtype=float))
    return float(a.max()) if a.size else 0.0
