"""The score card: predict held-out figures with the model and a naive forecast, and score both.

:func:`evaluate` optionally refits the free parameters on the ``fit`` figures ending by a
cutoff month (never on a held-out figure), draws an ensemble carrying every uncertainty the
model knows of (calibrated keys from the cutoff posterior, every other uncertain number from
its prior, the AR(1) discrepancy, rounding) and scores each held-out figure: 50% and 90%
bands, coverage, absolute error of the predictive median and the interval score
(:mod:`rebound.fit.scoring`). The naive forecast is the no-lockdown path of the same
parameters (reference x loading + offset: no lockdown phases, no levers, no base-year
anomaly) with an empirical band from its own errors on the figures not held out.

Pure: returns a :class:`ScoreCard`; the CLI formats and writes it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rebound.data.observed import Observation
from rebound.fit.calibrate import Calibration, calibrate, label_of
from rebound.fit.discrepancy_starts import discrepancy_draws, starts_by_indicator
from rebound.fit.draws import draw_values, posterior_status, rows_sha256
from rebound.fit.pipeline import (
    BAND_NOTE,
    QUANTILES,
    ensemble_figures,
    load_observations,
    observation_noise,
)
from rebound.fit.scoring import LEVEL_MEASURE, naive_band, score_columns, summarise
from rebound.observe.indicators import Evaluator, Spec, spec_of, why_not_computable
from rebound.params.load import Loaded, get_path, with_values
from rebound.params.schema import CalibrationRecord, Params, Posterior
from rebound.sim.calendar import Calendar
from rebound.sim.engine import simulate
from rebound.sim.kernels import use_compiled
from rebound.sim.memory import chunk_draws
from rebound.sim.restrictions import SECTORS

FloatArray = NDArray[np.float64]
Key = tuple[str, str, str, str, str, str]
INPUT_TOL = 1e-9  # relative spread across draws below which a figure is an input, not a prediction
INPUT_REASON = "an input of the model, not a prediction: every draw gives the same value (e.g. the prior-year GDP level, set by the parameter file)"
ID_COLUMNS = ["figure", "indicator", "measure", "period_start", "period_end", "compare_start", "compare_end"]


@dataclass
class ScoreCard:
    """What :func:`evaluate` returns.

    Attributes
    ----------
    scored : DataFrame
        One row per scored figure: identity columns, ``reported``, the model's ``median``,
        ``point`` (run at the estimates), ``p05, p25, p75, p95``, ``covered50, covered90,
        abs_error, interval_score``, and the same with prefix ``naive_`` (``naive`` is the
        naive point) plus ``naive_rule`` (how its band was made).
    not_scored : DataFrame
        Held-out rows without a score: identity columns, ``reported`` and ``reason``.
    summary : dict
        ``model`` and ``naive`` summaries (:func:`rebound.fit.scoring.summarise`), the cutoff,
        the figures fitted, where the discrepancy starts, warnings, seed and ensemble size.
    """

    scored: pd.DataFrame
    not_scored: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Plain-data form for ``scorecard.json``."""
        return {
            "summary": self.summary,
            "scored": _records(self.scored),
            "not_scored": _records(self.not_scored),
        }


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for rec in df.to_dict(orient="records"):
        out.append({str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in rec.items()})
    return out


def key_of(ob: Observation) -> Key:
    """Identity of a figure (indicator, measure, periods), regardless of its value."""
    return (ob.indicator, ob.measure, ob.period_start, ob.period_end, ob.compare_start or "", ob.compare_end or "")


def _ident(ob: Observation) -> dict[str, Any]:
    return {
        "figure": label_of(ob),
        "indicator": ob.indicator,
        "measure": ob.measure,
        "period_start": ob.period_start,
        "period_end": ob.period_end,
        "compare_start": ob.compare_start or "",
        "compare_end": ob.compare_end or "",
    }


def split_holdout(params: Params, holdout: list[Observation]) -> tuple[list[Observation], list[dict[str, Any]]]:
    """Held-out rows the model can score, and the others with the reason they are not scored."""
    horizon = (params.first_year, params.last_year)
    scoreable: list[Observation] = []
    skipped: list[dict[str, Any]] = []
    for ob in holdout:
        reason = why_not_computable(ob, params.episode.year, horizon)
        if not reason and spec_of(ob) is None:
            reason = "not computable by the model"
        if not reason and ob.role != "fit":
            reason = f"context row, not a forecast target: {ob.reason or 'role is ' + ob.role}"
        if reason:
            skipped.append({**_ident(ob), "reported": ob.value, "reason": reason})
        else:
            scoreable.append(ob)
    return scoreable, skipped


def with_posterior(params: Params, cal: Calibration) -> Params:
    """Copy of ``params`` at the calibration's estimates, carrying its posterior as the record."""
    point = with_values(params, cal.estimates())
    post = Posterior(keys=[p.key for p in cal.params], mean=list(cal.posterior_mean), cov=[list(r) for r in cal.posterior_cov])
    calib = point.calibration.model_copy(update={"record": CalibrationRecord(posterior=post, figures=[f.label for f in cal.figures])})
    return point.model_copy(update={"calibration": calib})


def ensemble(params: Params, n_draws: int, seed: int, use_posterior: bool) -> dict[str, FloatArray]:
    """Draw 0 at the current values, draws 1..n from the posterior (when used) and priors."""
    if n_draws < 1:
        return {}
    rng = np.random.default_rng([seed, 0])
    draws = draw_values(params, n_draws, rng, use_posterior=use_posterior)
    return {k: np.concatenate([[float(get_path(params, k))], v]) for k, v in draws.items()}


def naive_params(params: Params) -> Params:
    """The no-lockdown path: no phases, no levers, no base-year anomaly (reference x loading + offset)."""
    bare = params.model_copy(update={"levers": {}, "lockdown": params.lockdown.model_copy(update={"phases": []})})
    return with_values(bare, {f"sectors.{s}.anomaly_scale": 0.0 for s in SECTORS})


def _computable(params: Params, observations: list[Observation]) -> list[tuple[Observation, Spec]]:
    horizon = (params.first_year, params.last_year)
    out: list[tuple[Observation, Spec]] = []
    for ob in observations:
        sp = spec_of(ob)
        if sp is not None and not why_not_computable(ob, params.episode.year, horizon):
            out.append((ob, sp))
    return out


def naive_scores(params: Params, targets: list[Observation], known: list[Observation]) -> pd.DataFrame:
    """Naive point and empirical bands for ``targets``; residuals from the ``known`` fit rows.

    Residuals are pooled over growth figures (pp); level figures use their own relative
    residuals (per cent of the naive level).
    """
    base = naive_params(params)
    pool = _computable(base, [o for o in known if o.role == "fit"])
    specs = [sp for _, sp in pool] + [s for s in (spec_of(o) for o in targets) if s is not None]
    vals = Evaluator(simulate(base)).values(specs)[0] if specs else np.zeros(0)
    pp_res = [ob.value - float(vals[i]) for i, (ob, _) in enumerate(pool) if ob.measure != LEVEL_MEASURE]
    lvl_res = [100.0 * (ob.value / float(vals[i]) - 1.0) for i, (ob, _) in enumerate(pool) if ob.measure == LEVEL_MEASURE and vals[i] != 0]
    rows: list[dict[str, Any]] = []
    for j, ob in enumerate(targets):
        point = float(vals[len(pool) + j])
        is_level = ob.measure == LEVEL_MEASURE
        p05, p25, p75, p95, rule = naive_band(point, lvl_res if is_level else pp_res, relative=is_level)
        rows.append({"naive": point, "naive_p05": p05, "naive_p25": p25, "naive_p75": p75, "naive_p95": p95, "naive_rule": rule})
    df = pd.DataFrame(rows, columns=["naive", "naive_p05", "naive_p25", "naive_p75", "naive_p95", "naive_rule"])
    if len(df):
        q = df[["naive_p05", "naive_p25", "naive_p75", "naive_p95"]].to_numpy(dtype=float).T
        for k, v in score_columns(np.array([o.value for o in targets]), df["naive"].to_numpy(dtype=float), q).items():
            df[f"naive_{k}"] = v
    return df


def model_scores(params: Params, targets: list[Observation], n_draws: int, seed: int, use_posterior: bool, starts: dict[str, str]) -> pd.DataFrame:
    """Predictive median, point and quantiles of ``targets`` over an ensemble, with scores."""
    specs = [s for s in (spec_of(o) for o in targets) if s is not None]
    n = max(n_draws, 1)
    values = ensemble(params, n, seed, use_posterior)
    cal = Calendar.of(params)
    disc = discrepancy_draws(params.discrepancy, cal.months, n + 1, seed, starts)
    # in chunks, on the compiled kernels for large ensembles, as `run` does
    raw = ensemble_figures(params, values, n + 1, specs, disc, chunk_draws(cal.n_days, use_compiled(n + 1)))[1]
    vals = raw + observation_noise(n, [o.precision for o in targets], seed)
    q = np.percentile(vals[1:], QUANTILES, axis=0)
    df = pd.DataFrame({"median": q[2], "point": vals[0], "p05": q[0], "p25": q[1], "p75": q[3], "p95": q[4]})
    df["is_input"] = np.ptp(raw, axis=0) <= INPUT_TOL * np.maximum(1.0, np.abs(raw[0]))
    for k, v in score_columns(np.array([o.value for o in targets]), q[2], q[[0, 1, 3, 4]]).items():
        df[k] = v
    return df


_CACHE: dict[tuple[str, str, int, int], Calibration] = {}
CACHE_SIZE = 16


def calibrate_by(params: Params, rows: list[Observation], n_starts: int, seed: int) -> Calibration:
    """:func:`rebound.fit.calibrate.calibrate` on ``rows``, remembered for the session.

    Backtests at several cutoffs often fit the same rows (no figure ends between two
    cutoffs); the key is the whole parameter set except ``[discrepancy]`` (which the fit does
    not use), the rows (values included), the number of starts and the seed, so a cached
    answer is the answer a new fit would give.
    """
    key = (hashlib.sha256(params.model_dump_json(exclude={"discrepancy"}).encode()).hexdigest(), rows_sha256(rows), n_starts, seed)
    if key not in _CACHE:
        if len(_CACHE) >= CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = calibrate(params, rows, n_starts=n_starts, seed=seed)
    return _CACHE[key]


def _fit_state(loaded: Loaded, fit_rows: list[Observation], held: set[str], cutoff: str | None, n_starts: int, seed: int) -> tuple[Params, bool, list[str], list[Observation], list[str]]:
    """Parameters to predict with, whether to draw from their posterior, fitted labels, rows known, warnings."""
    params = loaded.params
    if cutoff is not None:
        cal = calibrate_by(params, [o for o in fit_rows if o.period_end <= cutoff], n_starts, seed)
        labels = {f.label for f in cal.figures}
        known = [o for o in fit_rows if label_of(o) in labels]
        return with_posterior(params, cal), bool(cal.params), [f.label for f in cal.figures], known, list(cal.warnings)
    warnings: list[str] = []
    stale = posterior_status(params, [o for o in load_observations(loaded) if o.role == "fit"])
    if stale:
        warnings.append(stale)
    rec = params.calibration.record
    fitted = list(rec.figures) if rec is not None else []
    leaked = sorted(lab for lab in fitted if lab in held)
    if leaked:
        warnings.append("in-sample: the file's calibration was fitted on held-out figure(s) " + "; ".join(leaked) + " (give --cutoff to refit without them)")
    return params, not stale, fitted, fit_rows, warnings


def evaluate(
    loaded: Loaded,
    holdout: list[Observation],
    cutoff: str | None = None,
    n_draws: int = 400,
    seed: int = 0,
    *,
    n_starts: int = 8,
    disc_rule: str = "data",
) -> ScoreCard:
    """Score the model and the naive forecast on held-out figures.

    Parameters
    ----------
    loaded : Loaded
        The episode (its observed file gives the figures the fit may use).
    holdout : list of Observation
        Figures to predict; ``fit`` rows the model can compute are scored, others listed
        with the reason. They are never fitted.
    cutoff : str, optional
        ``YYYY-MM``: refit the free parameters on ``fit`` figures ending by this month first
        (with ``n_starts`` prior draws as extra starts) and draw them from that posterior.
        Without it the file's values and recorded posterior are used (warned about when the
        holdout was among the figures it was fitted on).
    n_draws : int
        Ensemble size (draws 1..n; draw 0 is the point run).
    seed : int
        Seed of every random draw.
    disc_rule : {"data", "cutoff"}
        Where each indicator's discrepancy starts (:mod:`rebound.fit.discrepancy_starts`):
        after the last fitted figure of that indicator (``data``) or the month after the
        cutoff for all (``cutoff``); never before January of the episode year.

    Returns
    -------
    ScoreCard
    """
    params = loaded.params
    keys = {key_of(o) for o in holdout}
    fit_rows = [o for o in load_observations(loaded) if o.role == "fit" and key_of(o) not in keys]
    targets, skipped = split_holdout(params, holdout)
    point, use_post, fitted, known, warnings = _fit_state(loaded, fit_rows, {label_of(o) for o in holdout}, cutoff, n_starts, seed)
    starts = starts_by_indicator(point, cutoff, known, disc_rule)
    ident = pd.DataFrame([{**_ident(o), "reported": o.value} for o in targets], columns=[*ID_COLUMNS, "reported"])
    if targets:
        scored = pd.concat([ident, model_scores(point, targets, n_draws, seed, use_post, starts), naive_scores(point, targets, known)], axis=1)
        skipped += [{**_ident(o), "reported": o.value, "reason": INPUT_REASON} for o, inp in zip(targets, scored["is_input"], strict=True) if inp]
        scored = scored[~scored["is_input"]].drop(columns="is_input").reset_index(drop=True)
    else:
        scored = ident
    not_scored = pd.DataFrame(skipped, columns=[*ID_COLUMNS, "reported", "reason"])
    summary = {
        "episode": params.episode.name,
        "cutoff": cutoff or "",
        "fitted": fitted,
        "n_scored": int(len(scored)),
        "n_not_scored": int(len(not_scored)),
        "model": summarise(scored) if targets else {"n": 0},
        "naive": summarise(scored, "naive_") if targets else {"n": 0},
        "discrepancy_start": starts,
        "band": BAND_NOTE,
        "naive_definition": "reference x loading + offset (no lockdown phases, no levers, no base-year anomaly) at the same parameters; band = point + empirical quantiles of its errors on the fit figures known",
        "warnings": warnings,
        "seed": seed,
        "ensemble": n_draws,
    }
    return ScoreCard(scored=scored, not_scored=not_scored, summary=summary)

