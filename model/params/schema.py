"""Declared schema of a parameter file: types, units, meanings, bounds, defaults.

Every numeric field carries ``unit`` and ``meaning`` (shown by ``rebound params show`` and in
docs/model.md); the *source* of each value is written next to it in the parameter file.
Validation is strict: no coercion of strings to numbers, no unknown keys, no NaN.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

SectorName = Literal["industry", "consumption", "investment"]

# Upper bound of any money amount or level in 亿元: ten times China's GDP (about 1.2e6 亿元 in
# 2022). Far above any city, low enough that sums over two years of days cannot overflow.
MAX_100M = 1e7

# Default within-year GDP profile (relative daily rate by month): national quarterly GDP at
# current prices in 2022, 277175.8 / 299111.5 / 315399.6 / 342342.4 亿元 (NBS export,
# ../shared/data/reference/raw/tsvetoslavtsachev__nbs_quarterly_gdp_current_prices.csv), each
# quarter's share x 365 / its days: 0.911, 0.972, 1.014, 1.101.
GDP_PROFILE_2022 = (0.911,) * 3 + (0.972,) * 3 + (1.014,) * 3 + (1.101,) * 3


def P(  # noqa: N802 - reads like a declaration
    default: Any = ...,
    *,
    unit: str,
    meaning: str,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
) -> Any:
    """A parameter field with unit and meaning (covasim-style annotation)."""
    return Field(
        default,
        ge=ge,
        le=le,
        gt=gt,
        allow_inf_nan=False,
        json_schema_extra={"unit": unit, "meaning": meaning},
    )


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


Fraction = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Month12 = Annotated[list[Annotated[float, Field(allow_inf_nan=False)]], Field(min_length=12, max_length=12)]


class Episode(Strict):
    name: str = Field(min_length=1)
    region: str = ""
    year: int = P(unit="calendar year", meaning="year whose y/y figures are modelled (the episode year)", ge=2000, le=2100)
    first_year: int | None = P(None, unit="calendar year", meaning="first simulated year (default year-1); the path is anchored there, so choose a normal year to fit figures whose base lies before year-1", ge=1990, le=2100)
    last_year: int | None = P(None, unit="calendar year", meaning="last simulated year (default year); year+1 simulates the year after the episode", ge=1990, le=2101)
    observed: str = Field(default="", description="observed-data CSV, relative to this file")
    description: str = ""


class Gdp(Strict):
    primary_100m: float = P(unit="亿元/yr", meaning="prior-year primary-sector value added (current prices)", ge=0, le=MAX_100M)
    secondary_100m: float = P(unit="亿元/yr", meaning="prior-year secondary-sector value added (current prices)", ge=0, le=MAX_100M)
    tertiary_100m: float = P(unit="亿元/yr", meaning="prior-year tertiary-sector value added (current prices)", ge=0, le=MAX_100M)
    trend_growth_pct: float = P(unit="%/yr", meaning="real potential GDP growth (used where the reference has no figure, and by the fixed-trend baseline)", ge=-20, le=30)
    inflation_pct: float = P(0.0, unit="%/yr", meaning="GDP deflator growth (turns real paths into current-price levels)", ge=-20, le=50)
    reference: str = Field(default="national", description="reference series the no-lockdown GDP path follows (name in data/reference/ or a CSV path relative to this file); 'trend' = fixed trend")
    loading: float = P(1.0, unit="ratio", meaning="regional y/y growth per unit of the reference's y/y growth", ge=-5, le=5)
    offset_pct: float = P(0.0, unit="pp/yr", meaning="regional y/y growth above loading x reference", ge=-50, le=50)
    seasonal: Month12 = Field(default_factory=lambda: list(GDP_PROFILE_2022), json_schema_extra={"unit": "index", "meaning": "within-year profile of GDP by month, relative daily rate (quarters are not weighted by days alone)"})
    secondary_industry_weight: float = P(unit="fraction", meaning="share of secondary value added that follows industry (rest follows investment/construction)", ge=0, le=1)
    tertiary_consumption_elasticity: float = P(unit="ratio", meaning="% change in tertiary value added per % change in retail sales relative to potential (at most 1, so tertiary value added stays >= 0)", ge=0, le=1)


class Sector(Strict):
    prior_year_level_100m: float = P(unit="亿元/yr", meaning="prior-year total of the reported aggregate (current prices)", gt=0, le=MAX_100M)
    trend_growth_pct: float = P(unit="%/yr", meaning="real potential growth of the sector", ge=-30, le=50)
    inflation_pct: float = P(0.0, unit="%/yr", meaning="price growth used for nominal figures", ge=-20, le=50)
    seasonal: Month12 = Field(json_schema_extra={"unit": "index", "meaning": "monthly seasonal factors Jan..Dec (relative daily rate) of the first simulated year"})
    prior_year_anomaly: Month12 = Field(default_factory=lambda: [0.0] * 12, json_schema_extra={"unit": "fraction", "meaning": "profile of a prior-year (year-1) deviation from the reference path by month, times anomaly_scale; needs a source fixed before the episode's figures"})
    anomaly_scale: float = P(1.0, unit="factor", meaning="multiplies prior_year_anomaly (the uncertain depth of a sourced base-year shock)", ge=0, le=5)
    reference: str = Field(default="national", description="reference series the no-lockdown path follows (name in data/reference/ or CSV path relative to this file); 'trend' = the fixed trend_growth_pct")
    loading: float = P(1.0, unit="ratio", meaning="regional y/y growth per unit of the reference's y/y growth", ge=-5, le=5)
    offset_pct: float = P(0.0, unit="pp/yr", meaning="regional y/y growth above loading x reference", ge=-50, le=50)
    time_constant_days: float = P(unit="days", meaning="recovery time constant of capacity after restrictions ease", gt=0, le=720)
    headroom: float = P(unit="fraction of potential", meaning="largest extra output above potential while making up backlog (满产超产)", ge=0, le=1)
    catchup_time_constant_days: float = P(15.0, unit="days", meaning="time constant with which catch-up output approaches its target (not instantly)", ge=1, le=720)
    persistence_depth: float = P(0.0, unit="fraction of potential", meaning="demand shortfall below the reference path left by a full-stringency lockdown, decaying afterwards", ge=0, le=0.9)
    persistence_days: float = P(120.0, unit="days", meaning="decay time constant of that post-lockdown demand shortfall", ge=1, le=2000)
    va_share: float | None = P(None, unit="yuan/yuan", meaning="value added per yuan of lever-induced spending in this aggregate (reaches GDP); default by sector: industry 1.0 (already value added), consumption 0.2 (retail margin), investment 0.25 (construction value added)", ge=0, le=1)
    backlog_share: float = P(unit="fraction", meaning="share of lost output/demand postponed (made up later) rather than lost", ge=0, le=1)
    backlog_time_constant_days: float = P(unit="days", meaning="time constant of working off the backlog (at least one day: the step is daily)", ge=1, le=720)
    scarring_per_day: float = P(0.0, unit="fraction/day", meaning="permanent capacity loss per day at full stringency, before liquidity relief", ge=0, le=0.05)
    above_quota_share: float = P(1.0, unit="fraction", meaning="share of the aggregate that is above-quota (限额以上; consumption only)", ge=0, le=1)


class Sectors(Strict):
    industry: Sector
    consumption: Sector
    investment: Sector


class Stringency(Strict):
    industry: float = P(0.0, unit="fraction", meaning="share of normal activity shut by the rules", ge=0, le=1)
    consumption: float = P(0.0, unit="fraction", meaning="share of normal activity shut by the rules", ge=0, le=1)
    investment: float = P(0.0, unit="fraction", meaning="share of normal activity shut by the rules", ge=0, le=1)


class Phase(Strict):
    name: str = Field(min_length=1)
    start: dt.date
    end: dt.date
    closed_loop_share: float = P(0.0, unit="fraction", meaning="share of shut industrial capacity kept running in closed-loop production", ge=0, le=1)
    stringency: Stringency


class Lockdown(Strict):
    phases: list[Phase] = Field(default_factory=list)


class Liquidity(Strict):
    scar_reduction: float = P(0.0, unit="1/(share of GDP)", meaning="scarring multiplier is exp(-scar_reduction * cumulative relief / prior-year GDP)", ge=0, le=1000)
    recovery_speedup: float = P(0.0, unit="1/(share of GDP)", meaning="recovery rate multiplier is 1 + recovery_speedup * cumulative relief / prior-year GDP", ge=0, le=1000)


class LeverBase(Strict):
    enabled: bool = True
    scale: float = P(1.0, unit="factor", meaning="multiplies the lever's money (0 = off)", ge=0, le=100)
    description: str = ""


class VoucherRound(Strict):
    date: dt.date
    amount_100m: float = P(unit="亿元", meaning="voucher face value issued in this round", ge=0, le=MAX_100M)
    redemption_days: int = P(unit="days", meaning="days the vouchers can be redeemed", gt=0, le=365)


class ConsumptionVoucher(LeverBase):
    type: Literal["consumption_voucher"]
    incremental_spending_per_yuan: float = P(unit="yuan/yuan", meaning="extra retail spending per yuan of voucher, within the redemption window", ge=0, le=20)
    reported_gross_leverage: float = P(0.0, unit="yuan/yuan", meaning="linked spending per yuan as reported (context only, not used)", ge=0, le=1000)
    pull_forward_share: float = P(0.0, unit="fraction", meaning="share of the extra spending borrowed from later months", ge=0, le=1)
    pull_forward_days: int = P(120, unit="days", meaning="days after the window over which pulled-forward spending is given back", gt=0, le=730)
    above_quota_share: float = P(1.0, unit="fraction", meaning="share of the extra spending in above-quota retail", ge=0, le=1)
    rounds: list[VoucherRound] = Field(min_length=1)


class Tranche(Strict):
    kind: Literal["vat_credit_refund", "tax_cut", "social_insurance_relief", "job_retention_refund", "direct_subsidy", "fee_relief"]
    start: dt.date
    end: dt.date
    amount_100m: float = P(unit="亿元", meaning="relief paid out between start and end", ge=0, le=MAX_100M)


class TaxRelief(LeverBase):
    type: Literal["tax_relief"]
    investment_share: float = P(0.0, unit="fraction", meaning="share of relief spent on fixed investment", ge=0, le=1)
    investment_days: int = P(180, unit="days", meaning="days over which that investment is spent", gt=0, le=730)
    tranches: list[Tranche] = Field(min_length=1)


class ProjectStarts(LeverBase):
    type: Literal["project_starts"]
    count: int = P(unit="projects", meaning="projects started or resumed (开复工)", ge=0, le=1_000_000)
    incremental_share: float = P(unit="fraction", meaning="share of those projects that are extra to the normal pipeline", ge=0, le=1)
    mean_size_100m: float = P(unit="亿元", meaning="mean investment per project spent over its construction", ge=0, le=MAX_100M)
    start: dt.date
    end: dt.date
    construction_days: int = P(unit="working days", meaning="construction duration (S-curve; halted by lockdown)", gt=0, le=2000)


class BondIssue(Strict):
    start: dt.date
    end: dt.date
    amount_100m: float = P(unit="亿元", meaning="special bonds issued between start and end", ge=0, le=MAX_100M)


class SpecialBond(LeverBase):
    type: Literal["special_bond"]
    capex_share: float = P(unit="fraction", meaning="share of bond money spent on fixed investment", ge=0, le=1)
    incremental_share: float = P(unit="fraction", meaning="share of that spending extra to what would have happened anyway", ge=0, le=1)
    lag_days: int = P(unit="days", meaning="delay from issuance to the start of spending", ge=0, le=730)
    spend_days: int = P(unit="working days", meaning="duration of spending (S-curve; halted by lockdown)", gt=0, le=2000)
    issues: list[BondIssue] = Field(min_length=1)


class HousingSubsidy(LeverBase):
    type: Literal["housing_subsidy"]
    amount_100m: float = P(unit="亿元", meaning="purchase subsidies paid", ge=0, le=MAX_100M)
    start: dt.date
    end: dt.date
    investment_per_yuan: float = P(unit="yuan/yuan", meaning="extra real-estate investment per yuan of subsidy", ge=0, le=50)


class DemandPromotion(LeverBase):
    type: Literal["demand_promotion"]
    sector: SectorName
    amount_100m: float = P(unit="亿元", meaning="public money spent on the promotion", ge=0, le=MAX_100M)
    start: dt.date
    end: dt.date
    spending_per_yuan: float = P(unit="yuan/yuan", meaning="extra sector spending per yuan", ge=0, le=50)
    above_quota_share: float = P(1.0, unit="fraction", meaning="share in above-quota retail (consumption only)", ge=0, le=1)


Lever = Annotated[
    ConsumptionVoucher | TaxRelief | ProjectStarts | SpecialBond | HousingSubsidy | DemandPromotion,
    Field(discriminator="type"),
]
LEVER_TYPES = ("consumption_voucher", "tax_relief", "project_starts", "special_bond", "housing_subsidy", "demand_promotion")


class FreeParam(Strict):
    key: str = Field(min_length=1)
    prior: Literal["normal", "lognormal"]
    centre: float = P(unit="as the key", meaning="prior centre (median for lognormal)")
    spread: float = P(unit="as the key (normal) or log units", meaning="prior standard deviation", gt=0)
    lower: float = P(unit="as the key", meaning="lower bound")
    upper: float = P(unit="as the key", meaning="upper bound")
    source: str = Field(min_length=1)

    @field_validator("spread")
    @classmethod
    def _spread_not_vanishing(cls, v: float, info: ValidationInfo) -> float:
        centre = info.data.get("centre", 0.0)
        floor = MIN_SPREAD * max(1.0, abs(centre)) if isinstance(centre, float) else MIN_SPREAD
        if v < floor:
            raise PydanticCustomError("spread_too_small", "prior spread {got} is too small to compute with: at least {floor} (1e-9, relative to the centre when |centre| > 1); fix the parameter instead of giving it a free prior", {"got": f"{v:g}", "floor": f"{floor:g}"})
        return v


MIN_SPREAD = 1e-9
"""Smallest prior spread, absolute, or relative to ``|centre|`` when that is above 1."""
COV_TOL = 1e-8
"""Tolerance (relative to the largest variance) for the posterior's symmetry and semi-definiteness."""


class Posterior(Strict):
    """Gaussian approximation of the posterior (z units) written by ``calibrate --write``."""

    keys: list[str]
    mean: list[Annotated[float, Field(allow_inf_nan=False)]]
    cov: list[list[Annotated[float, Field(allow_inf_nan=False)]]]

    @field_validator("mean")
    @classmethod
    def _mean_per_key(cls, v: list[float], info: ValidationInfo) -> list[float]:
        k = len(info.data.get("keys", []))
        if len(v) != k:
            raise PydanticCustomError("posterior_shape", "has {n} values but keys names {k} parameters; rerun rebound calibrate --write", {"n": len(v), "k": k})
        return v

    @field_validator("cov")
    @classmethod
    def _cov_is_covariance(cls, v: list[list[float]], info: ValidationInfo) -> list[list[float]]:
        k = len(info.data.get("keys", []))
        if len(v) != k or any(len(row) != k for row in v):
            shape = f"{len(v)} rows of " + "/".join(sorted({str(len(row)) for row in v}) or ["0"])
            raise PydanticCustomError("posterior_shape", "must be a {k} x {k} matrix (one row and column per key), got {shape}; rerun rebound calibrate --write", {"k": k, "shape": shape})
        if k == 0:
            return v
        m = np.array(v, dtype=float)
        scale = max(1.0, float(np.max(np.abs(np.diag(m)))))
        if np.any(np.diag(m) < 0):
            i = int(np.argmin(np.diag(m)))
            raise PydanticCustomError("posterior_cov", "variance of {key} is negative ({var}); a covariance has variances >= 0", {"key": info.data["keys"][i], "var": f"{float(m[i, i]):g}"})
        if np.max(np.abs(m - m.T)) > COV_TOL * scale:
            raise PydanticCustomError("posterior_cov", "is not symmetric (cov[i][j] must equal cov[j][i])", {})
        low = float(np.min(np.linalg.eigvalsh((m + m.T) / 2)))
        if low < -COV_TOL * scale:
            raise PydanticCustomError("posterior_cov", "is not positive semi-definite (smallest eigenvalue {low}); rerun rebound calibrate --write", {"low": f"{low:g}"})
        return v


class CalibrationRecord(Strict):
    date: str = ""
    figures: list[str] = Field(default_factory=list)
    objective: float = 0.0
    note: str = ""
    data_sha256: str = Field(default="", description="hash of the fitted rows (indicator, measure, periods, value)")
    fixed_sha256: str = Field(default="", description="hash of the values of the parameters that were not fitted (outside levers and lockdown)")
    posterior: Posterior | None = None


class Discrepancy(Strict):
    """Model error that reaches predictions: an AR(1) in each indicator's monthly log level."""

    rho: float = P(0.85, unit="ratio", meaning="monthly persistence of the model discrepancy (AR(1) coefficient)", ge=0, le=1)
    start: str = Field(default="", description="first month YYYY-MM with discrepancy (default: January of the episode year)")
    industry: float = P(0.035, unit="log units/month", meaning="innovation sd of industry's discrepancy", ge=0, le=1)
    retail: float = P(0.03, unit="log units/month", meaning="innovation sd of retail sales' discrepancy", ge=0, le=1)
    retail_above_quota: float = P(0.04, unit="log units/month", meaning="innovation sd of above-quota retail's discrepancy", ge=0, le=1)
    fai: float = P(0.05, unit="log units/month", meaning="innovation sd of fixed-asset investment's discrepancy", ge=0, le=1)
    gdp: float = P(0.012, unit="log units/month", meaning="innovation sd of GDP's discrepancy", ge=0, le=1)


class Calibration(Strict):
    model_error_pp: float = P(0.5, unit="pp", meaning="model's own error per figure (per cent of the level for levels), added to the printed precision", gt=0, le=20)
    default_priors: bool = Field(default=True, description="draw every behavioural parameter from its documented default prior (rebound.params.priors) unless [[priors]] or [[calibration.free]] names it")
    free: list[FreeParam] = Field(default_factory=list)
    record: CalibrationRecord | None = None


class Params(Strict):
    """A whole, validated parameter file."""

    episode: Episode
    gdp: Gdp
    sectors: Sectors
    lockdown: Lockdown = Field(default_factory=Lockdown)
    liquidity: Liquidity = Field(default_factory=Liquidity)
    levers: dict[str, Lever] = Field(default_factory=dict)
    priors: list[FreeParam] = Field(default_factory=list)
    discrepancy: Discrepancy = Field(default_factory=Discrepancy)
    calibration: Calibration = Field(default_factory=Calibration)
    _source_dir: str = PrivateAttr(default="")

    @property
    def first_year(self) -> int:
        return self.episode.first_year if self.episode.first_year is not None else self.episode.year - 1

    @property
    def last_year(self) -> int:
        return self.episode.last_year if self.episode.last_year is not None else self.episode.year
