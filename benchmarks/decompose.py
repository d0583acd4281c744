"""Decompose Changchun 2022 H2 y/y into the model's parts by switching them on one at a time.

    python benchmarks/decompose.py [PARAMS]

Order: reference only (loading 1, offset 0) -> regional loading and offset -> sourced base-year
shock -> lockdown (no catch-up, no persistence, no scarring) -> catch-up -> persistence ->
scarring -> levers (the full model). Each step's change is that part's contribution at the
posterior mode (point run). Prints a markdown table for docs/results.md.
"""

from __future__ import annotations

import sys
from typing import Any

from rebound.observe.indicators import Evaluator, Spec
from rebound.params.load import load, with_values
from rebound.sim.engine import SECTORS, simulate

FIGURES = [
    Spec("gdp", "yoy_quarter_pct", "2022-07", "2022-09", "real"),
    Spec("gdp", "yoy_quarter_pct", "2022-10", "2022-12", "real"),
    Spec("gdp", "yoy_cum_pct", "2022-01", "2022-12", "real"),
    Spec("industry", "yoy_cum_pct", "2022-07", "2022-12", "real") if False else Spec("industry", "yoy_month_pct", "2022-09", "2022-09", "real"),
    Spec("retail", "yoy_month_pct", "2022-09", "2022-09", "nominal"),
    Spec("fai", "yoy_cum_pct", "2022-01", "2022-12", "nominal"),
]


def steps(p: Any) -> list[tuple[str, dict[str, Any], bool, bool]]:
    """(label, values, lockdown on, levers on) for each cumulative step."""
    ref = {f"sectors.{s}.{k}": v for s in SECTORS for k, v in (("loading", 1.0), ("offset_pct", 0.0))} | {"gdp.loading": 1.0, "gdp.offset_pct": 0.0}
    no_anom = {f"sectors.{s}.anomaly_scale": 0.0 for s in SECTORS}
    no_dyn = {f"sectors.{s}.{k}": 0.0 for s in SECTORS for k in ("headroom", "persistence_depth", "scarring_per_day")}
    no_pers = {f"sectors.{s}.{k}": 0.0 for s in SECTORS for k in ("persistence_depth", "scarring_per_day")}
    no_scar = {f"sectors.{s}.scarring_per_day": 0.0 for s in SECTORS}
    return [
        ("reference (national y/y, loading 1, offset 0)", {**ref, **no_anom, **no_dyn}, False, False),
        ("+ regional loading and offset", {**no_anom, **no_dyn}, False, False),
        ("+ 2021 base-year shock (chip shortage)", no_dyn, False, False),
        ("+ lockdown (capacity cut and recovery)", no_dyn, True, False),
        ("+ catch-up", no_pers, True, False),
        ("+ demand persistence", no_scar, True, False),
        ("+ scarring", {}, True, False),
        ("+ levers (full model)", {}, True, True),
    ]


def main(path: str = "params/changchun_2022.toml") -> None:
    p = load(path).params
    rows = []
    prev = None
    for label, vals, lock, lev in steps(p):
        q = p if lock else p.model_copy(update={"lockdown": p.lockdown.model_copy(update={"phases": []})})
        q = q if lev else q.model_copy(update={"levers": {}})
        v = Evaluator(simulate(with_values(q, vals))).values(FIGURES)[0]
        rows.append((label, v, None if prev is None else v - prev))
        prev = v
    head = ["step"] + [f"{f.indicator} {f.measure} {f.period_start}..{f.period_end}" for f in FIGURES]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for label, v, d in rows:
        cells = [f"{x:+.1f}" if d is None else f"{x:+.1f} ({dx:+.1f})" for x, dx in zip(v, d if d is not None else v, strict=True)]
        print("| " + label + " | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(*sys.argv[1:])
