"""Documented default priors: every behavioural number in a parameter file is uncertain.

A rule names key paths with ``*`` wildcards; the prior is centred on the file's value (the
file's number is the best guess) with the stated spread, clipped to the bounds. A file can
override any rule, or give a prior to any other number, with a ``[[priors]]`` entry (same
fields as ``[[calibration.free]]``), and switch the rules off with
``calibration.default_priors = false``. Amounts reported in bulletins (lever money, counts,
dates) have no rule: they are treated as known unless a file says otherwise. Phase dates and
whole-number durations are fixed by assumption (docs/validation.md says what that leaves out).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any

from rebound.params.schema import FreeParam, Params

LIT = "literature_priors.md"


@dataclass(frozen=True)
class Rule:
    pattern: str
    prior: str  # "normal" (spread in the key's unit) or "lognormal" (spread in log units)
    spread: float
    lower: float
    upper: float
    source: str


RULES: tuple[Rule, ...] = (
    Rule("sectors.*.time_constant_days", "lognormal", 0.4, 1.0, 720.0, "assumption: recovery speed uncertain by about x1.5 (no published half-life, " + LIT + " §D)"),
    Rule("sectors.*.headroom", "lognormal", 0.5, 0.005, 1.0, "assumption: catch-up capacity above potential"),
    Rule("sectors.*.catchup_time_constant_days", "lognormal", 0.5, 1.0, 720.0, "assumption: catch-up ramps over weeks"),
    Rule("sectors.*.backlog_share", "normal", 0.15, 0.0, 1.0, "assumption: share of lost activity postponed"),
    Rule("sectors.*.backlog_time_constant_days", "lognormal", 0.5, 1.0, 720.0, "assumption"),
    Rule("sectors.*.scarring_per_day", "lognormal", 0.7, 0.0, 0.05, "assumption"),
    Rule("sectors.*.persistence_depth", "normal", 0.04, 0.0, 0.9, "assumption: services stayed weak longer than manufacturing after Wuhan (Chen et al. 2020, " + LIT + " §D)"),
    Rule("sectors.*.persistence_days", "lognormal", 0.5, 1.0, 2000.0, "assumption"),
    Rule("sectors.*.loading", "normal", 0.25, -5.0, 5.0, "assumption: regional sensitivity to the reference"),
    Rule("sectors.*.offset_pct", "normal", 2.0, -50.0, 50.0, "assumption: regional growth gap to the reference varies by a few pp a year"),
    Rule("sectors.*.inflation_pct", "normal", 1.0, -20.0, 50.0, "assumption: price growth of nominal aggregates"),
    Rule("sectors.consumption.va_share", "normal", 0.05, 0.0, 1.0, "assumption: retail margin"),
    Rule("sectors.investment.va_share", "normal", 0.07, 0.0, 1.0, "assumption: construction value added per yuan of investment"),
    Rule("sectors.*.anomaly_scale", "normal", 0.3, 0.0, 5.0, "the sourced base-year profile is uncertain in depth by about 30%"),
    Rule("sectors.consumption.above_quota_share", "normal", 0.05, 0.0, 1.0, "assumption"),
    Rule("gdp.loading", "normal", 0.2, -5.0, 5.0, "assumption: regional sensitivity to national GDP"),
    Rule("gdp.offset_pct", "normal", 1.5, -50.0, 50.0, "assumption"),
    Rule("gdp.inflation_pct", "normal", 1.0, -20.0, 50.0, "assumption"),
    Rule("gdp.secondary_industry_weight", "normal", 0.1, 0.0, 1.0, "assumption"),
    Rule("gdp.tertiary_consumption_elasticity", "normal", 0.15, 0.0, 1.0, "assumption"),
    Rule("liquidity.*", "lognormal", 0.5, 0.0, 1000.0, "assumption: strength of the liquidity channel"),
    Rule("lockdown.phases[*].stringency.*", "normal", 0.1, 0.0, 1.0, "assumption: share of activity shut"),
    Rule("lockdown.phases[*].closed_loop_share", "normal", 0.1, 0.0, 1.0, "assumption"),
    Rule("levers.*.incremental_spending_per_yuan", "lognormal", 0.33, 0.3, 12.0, "Chinese coupon studies cluster at 3-3.5 extra yuan per yuan, range 2-5.8 (" + LIT + " §A): log sd 0.33 puts 2-5.8 near the 5-95% range"),
    Rule("levers.*.pull_forward_share", "normal", 0.1, 0.0, 1.0, "Xing et al. find pull-forward, Liu et al. and Ding et al. none (" + LIT + " §A)"),
    Rule("levers.*.incremental_share", "normal", 0.15, 0.0, 1.0, "assumption: additionality of projects and bonds"),
    Rule("levers.*.capex_share", "normal", 0.1, 0.0, 1.0, "assumption"),
    Rule("levers.*.investment_share", "normal", 0.05, 0.0, 1.0, "assumption"),
    Rule("levers.*.investment_per_yuan", "lognormal", 0.5, 0.0, 50.0, "assumption"),
    Rule("levers.*.spending_per_yuan", "lognormal", 0.5, 0.0, 50.0, "assumption"),
    Rule("levers.*.above_quota_share", "normal", 0.1, 0.0, 1.0, "assumption"),
)


def _leaves(obj: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.update(_leaves(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.update(_leaves(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = obj
    return out


def _match(pattern: str, key: str) -> bool:
    return fnmatch.fnmatchcase(key, pattern.replace("[*]", "[[]*[]]"))


def uncertain_parameters(params: Params) -> list[FreeParam]:
    """Every number drawn from a prior: explicit ``[[priors]]`` first, then the default rules.

    Keys calibrated in ``[[calibration.free]]`` are left out (they are drawn from the
    posterior). Lognormal rules skip values that are zero; values that are whole numbers of
    an integer field are never drawn.
    """
    free = {fp.key for fp in params.calibration.free}
    out = [fp for fp in params.priors if fp.key not in free]
    if not params.calibration.default_priors:
        return out
    taken = free | {fp.key for fp in out}
    leaves = _leaves(params.model_dump(exclude={"calibration", "priors", "discrepancy", "episode"}))
    for key, value in leaves.items():
        if key in taken or isinstance(value, bool) or not isinstance(value, float):
            continue
        rule = next((r for r in RULES if _match(r.pattern, key)), None)
        if rule is None or (rule.prior == "lognormal" and value <= 0.0):
            continue
        lo, hi = min(rule.lower, value), max(rule.upper, value)
        out.append(FreeParam(key=key, prior=rule.prior, centre=value, spread=rule.spread, lower=lo, upper=hi, source=f"default prior ({rule.pattern}): {rule.source}"))  # type: ignore[arg-type]
        taken.add(key)
    return out
