"""Model paths -> reported figures: the rows of ``indicators.csv``.

Every standard bulletin figure for every month of the modelled year (single-month and
year-to-date y/y for industry, retail, above-quota retail and investment; quarterly and
year-to-date y/y for GDP), plus every observed figure the model can compute (pp changes,
levels, vs-reference), each evaluated on all draws at once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import NDArray

from rebound.data.vocab import DEFAULT_BASIS, MODEL_MEASURES, SECTOR_OF_INDICATOR
from rebound.observe import measures as observe

if TYPE_CHECKING:
    from rebound.data.observed import Observation

FloatArray = NDArray[np.float64]

MONTHLY_INDICATORS = ("industry", "retail", "retail_above_quota", "fai")
MODEL_INDICATORS = (*MONTHLY_INDICATORS, "gdp")


@dataclass(frozen=True)
class Spec:
    """One figure the model can compute."""

    indicator: str
    measure: str
    period_start: str
    period_end: str
    basis: str
    compare_start: str = ""
    compare_end: str = ""
    reference_value: float | None = None

    @property
    def key(self) -> tuple[str, str, str, str, str, str]:
        return (self.indicator, self.measure, self.period_start, self.period_end, self.compare_start, self.compare_end)

    def fields(self) -> dict[str, str]:
        """The identifying columns of a figure, as output tables print them."""
        return {
            "indicator": self.indicator,
            "measure": self.measure,
            "period_start": self.period_start,
            "period_end": self.period_end,
            "compare_start": self.compare_start,
            "compare_end": self.compare_end,
        }


def _m(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def standard_specs(year: int) -> list[Spec]:
    """The standard monthly/quarterly table for ``year`` (Jan–Feb published combined)."""
    out: list[Spec] = []
    for ind in MONTHLY_INDICATORS:
        basis = DEFAULT_BASIS[ind]
        out.append(Spec(ind, "yoy_month_pct", _m(year, 1), _m(year, 2), basis))
        for m in range(3, 13):
            out.append(Spec(ind, "yoy_month_pct", _m(year, m), _m(year, m), basis))
        for m in range(2, 13):
            out.append(Spec(ind, "yoy_cum_pct", _m(year, 1), _m(year, m), basis))
    for q in range(4):
        out.append(Spec("gdp", "yoy_quarter_pct", _m(year, 3 * q + 1), _m(year, 3 * q + 3), "real"))
        out.append(Spec("gdp", "yoy_cum_pct", _m(year, 1), _m(year, 3 * q + 3), "real"))
    return out


def figure_specs(year: int, observations: Sequence[Observation], horizon: tuple[int, int] | None = None) -> tuple[list[Spec], dict[tuple[str, ...], Observation], list[Observation]]:
    """Standard figures plus every computable observed figure.

    Returns ``(specs, observation by spec key, context observations)``. An observed row that
    matches a standard figure replaces it (the row carries its basis and reference value);
    rows the model cannot compute are returned as context, never dropped.
    """
    last = horizon[1] if horizon else year
    specs = [sp for y in range(year, last + 1) for sp in standard_specs(y)]
    keys = {s.key: i for i, s in enumerate(specs)}
    by_key: dict[tuple[str, ...], Observation] = {}
    context: list[Observation] = []
    for ob in observations:
        sp = spec_of(ob)
        if sp is None or why_not_computable(ob, year, horizon):
            context.append(ob)
            continue
        if sp.key not in keys:
            keys[sp.key] = len(specs)
            specs.append(sp)
        else:
            specs[keys[sp.key]] = sp
        by_key[sp.key] = ob
    return specs, by_key, context


def spec_of(obs: Observation) -> Spec | None:
    """The model figure for an observed row, or None when the model cannot compute it."""
    if obs.indicator not in MODEL_INDICATORS or obs.measure not in MODEL_MEASURES:
        return None
    return Spec(
        obs.indicator,
        obs.measure,
        obs.period_start,
        obs.period_end,
        obs.basis if obs.basis in ("real", "nominal") else DEFAULT_BASIS[obs.indicator],
        obs.compare_start or "",
        obs.compare_end or "",
        obs.reference_value,
    )


def why_not_computable(obs: Observation, year: int, horizon: tuple[int, int] | None = None) -> str:
    """Plain reason an observed row has no model value ('' when it has one)."""
    if obs.indicator not in MODEL_INDICATORS:
        return f"indicator '{obs.indicator}' is not a model output"
    if obs.measure not in MODEL_MEASURES:
        return f"measure '{obs.measure}' is not computed by the model"
    first, last = horizon or (year - 1, year)
    y0, y1 = int(obs.period_start[:4]), int(obs.period_end[:4])
    needs_base = obs.measure != "level_100m_yuan"
    if y1 > last or y0 < first or (needs_base and y0 - 1 < first):
        return f"period outside the simulated years {first}-{last} (y/y figures need the year before as the base; set episode.first_year/last_year)"
    if obs.measure == "pp_change" and obs.compare_start and int(obs.compare_start[:4]) - 1 < first:
        return f"comparison period outside the simulated years {first}-{last}"
    return ""


class Monthly(Protocol):
    """What :class:`Evaluator` reads: a run (:class:`rebound.sim.result.Result`) or only its
    monthly totals (:class:`rebound.sim.result.MonthlyTotals`)."""

    n_draws: int

    def monthly(self, indicator: str, basis: str) -> tuple[FloatArray, list[str]]: ...


def monthly_keys(specs: list[Spec]) -> list[tuple[str, str]]:
    """The (indicator, basis) monthly totals that ``specs`` read, each once, in order."""
    keys = [(s.indicator, "nominal" if s.measure == "level_100m_yuan" else s.basis) for s in specs]
    return list(dict.fromkeys(keys))


class Evaluator:
    """Monthly totals of each indicator (real and nominal), computed once per run."""

    def __init__(self, result: Monthly, discrepancy: dict[str, FloatArray] | None = None):
        """``discrepancy``: log multipliers ``{indicator: (n_draws, n_months)}`` of the monthly
        totals (:func:`rebound.observe.discrepancy.draw_discrepancy`), or None for none."""
        self.result = result
        self.discrepancy = discrepancy or {}
        self._cache: dict[tuple[str, str], tuple[FloatArray, list[str]]] = {}

    def monthly(self, indicator: str, basis: str) -> tuple[FloatArray, list[str]]:
        key = (indicator, basis)
        if key not in self._cache:
            tot, months = self.result.monthly(indicator, basis)
            if indicator in self.discrepancy:
                tot = tot * np.exp(self.discrepancy[indicator])
            self._cache[key] = (tot, months)
        return self._cache[key]

    def value(self, spec: Spec) -> FloatArray:
        """The figure for every draw; in an ensemble, a draw whose y/y base is zero gets NaN.

        One draw in tens of thousands can shut a sector completely for a whole base month; the
        figure is undefined for that draw, not for the ensemble. A single run still raises.
        """
        monthly, months = self.monthly(spec.indicator, "nominal" if spec.measure == "level_100m_yuan" else spec.basis)
        try:
            return _compute(spec, monthly, months)
        except ValueError:
            if monthly.shape[0] < 2:
                raise
        zero = np.any(monthly == 0.0, axis=1)
        out = np.full(monthly.shape[0], np.nan)
        if np.any(~zero):
            out[~zero] = _compute(spec, monthly[~zero], months)
        for i in np.flatnonzero(zero):
            try:
                out[i] = _compute(spec, monthly[i : i + 1], months)[0]
            except ValueError:
                pass
        return out

    def values(self, specs: list[Spec]) -> FloatArray:
        """(n_draws, n_specs) model values."""
        if not specs:
            return np.zeros((self.result.n_draws, 0))
        return np.column_stack([np.broadcast_to(self.value(s), (self.result.n_draws,)) for s in specs])


def _compute(spec: Spec, monthly: FloatArray, months: list[str]) -> FloatArray:
    return np.asarray(
        observe.compute(
            spec.measure,
            monthly,
            months,
            spec.period_start,
            spec.period_end,
            compare_start=spec.compare_start or None,
            compare_end=spec.compare_end or None,
            reference_value=spec.reference_value,
        ),
        dtype=float,
    )


def sector_of(indicator: str) -> str:
    return SECTOR_OF_INDICATOR.get(indicator, "gdp")


def finite_or_none(x: float) -> float | None:
    return x if math.isfinite(x) else None
