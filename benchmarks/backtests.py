"""The project's backtests and placebo lockdowns, printed as the tables of docs/validation.md.

    python benchmarks/backtests.py                       # 400 draws, 8 extra starts per fit
    python benchmarks/backtests.py --ensemble 150 --starts 0 --json out/backtests.json

Backtests (rebound.fit.backtests.BACKTESTS): Changchun 2022 at cutoffs 2021-12, 2022-03,
2022-05 and 2022-06 and Changchun 2020 at 2020-06; every fit figure ending after the cutoff is
held out, the free parameters are refitted on the rest and the held-out figures are scored
with the model's 50%/90% predictive intervals and with the naive forecast. Also: the pooled
scores under the other discrepancy-start rule and with the discrepancy scales multiplied by
0.5, 1.5 and 2 (a sensitivity, nothing is changed in the files), and the placebo lockdown.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

from rebound.data.observed import ROOT
from rebound.fit.backtests import (
    BACKTESTS,
    PLACEBO_END,
    PLACEBO_START,
    PLACEBO_STRINGENCY,
    PRE_PERIOD,
    holdout_after,
    placebo_fit,
    placebo_table,
    pooled,
    run_backtests,
)
from rebound.fit.evaluate import ScoreCard, evaluate
from rebound.fit.pipeline import load_observations
from rebound.params.load import load

SEED = 20220311
SCALES = (0.5, 1.5, 2.0)


def fmt(x: Any, digits: int = 1) -> str:
    return "" if x is None or (isinstance(x, float) and x != x) else f"{x:.{digits}f}"


def summary_row(name: str, d: dict[str, Any], n: Any = "") -> str:
    return f"| {name} | {n or d.get('n', 0)} | {d.get('coverage50', 0):.0%} | {d.get('coverage90', 0):.0%} | {fmt(d.get('mae'), 2)} | {fmt(d.get('mean_interval_score'))} | {fmt(d.get('median_width90'))} |"


def per_cutoff_table(cards: list[ScoreCard], pooled_summary: dict[str, Any]) -> str:
    head = "| backtest | figures | 50% cover | 90% cover | MAE (pp) | mean interval score | median 90% width (pp) |\n|---|---|---|---|---|---|---|"
    lines = [head]
    for c in cards:
        s = c.summary
        lines.append(summary_row(f"{s['episode']} @ {s['cutoff']} · model", s["model"]))
        lines.append(summary_row(f"{s['episode']} @ {s['cutoff']} · naive", s["naive"]))
    lines.append(summary_row("**pooled · model**", pooled_summary["model"]))
    lines.append(summary_row("**pooled · naive**", pooled_summary["naive"]))
    lines.append(summary_row("pooled, each distinct prediction once · model", pooled_summary["distinct_model"]))
    lines.append(summary_row("pooled, each distinct prediction once · naive", pooled_summary["distinct_naive"]))
    return "\n".join(lines)


def figure_table(rows: pd.DataFrame) -> str:
    head = "| episode @ cutoff | figure | reported | model median | 50% band | 90% band | in 90% | int. score | naive | naive 90% band | naive score |\n|---|---|---|---|---|---|---|---|---|---|---|"
    lines = [head]
    for r in rows.itertuples():
        lines.append(
            f"| {r.episode} @ {r.cutoff} | {r.figure} | {r.reported:g} | {r.median:.1f} | {r.p25:.1f}..{r.p75:.1f} | {r.p05:.1f}..{r.p95:.1f} | {'yes' if r.covered90 else '**no**'} | {r.interval_score:.1f} | {r.naive:.1f} | {r.naive_p05:.1f}..{r.naive_p95:.1f} | {r.naive_interval_score:.1f} |"
        )
    return "\n".join(lines)


def scaled_cards(n_draws: int, seed: int, n_starts: int, factor: float) -> list[ScoreCard]:
    """The backtests with every discrepancy scale multiplied by ``factor``."""
    cards = []
    for bt in BACKTESTS:
        loaded = load(ROOT / bt.params_file)
        d = loaded.params.discrepancy
        disc = d.model_copy(update={k: getattr(d, k) * factor for k in ("industry", "retail", "retail_above_quota", "fai", "gdp")})
        scaled = dataclasses.replace(loaded, params=loaded.params.model_copy(update={"discrepancy": disc}))
        cards.append(evaluate(scaled, holdout_after(load_observations(loaded), bt.cutoff), bt.cutoff, n_draws, seed, n_starts=n_starts))
    return cards


def placebo_section() -> str:
    loaded = load(ROOT / "params" / "changchun_2022.toml")
    obs = load_observations(loaded)
    df = placebo_table(loaded.params, obs)
    s = f"{PLACEBO_STRINGENCY:g}"
    lines = [
        f"Placebo phase {PLACEBO_START}..{PLACEBO_END}, stringency {s} in every sector, added to params/changchun_2022.toml (point run):",
        "",
        f"| figure | reported | model | with placebo {s} | shift (pp) | with placebo 0 | shift |",
        "|---|---|---|---|---|---|---|",
    ]
    for d in df.to_dict(orient="records"):
        lines.append(f"| {d['figure']} | {d['reported']:g} | {d['unperturbed']:.2f} | {d['placebo_' + s]:.2f} | {d['shift_' + s]:+.2f} | {d['placebo_0']:.2f} | {d['shift_0']:+.2f} |")
    est = placebo_fit(loaded.params, obs)
    lines += ["", "Placebo stringency fitted to the pre-period figures (prior normal(0.3, 0.3) on [0, 1], everything else fixed): " + ", ".join(f"{k} {v:.2f}" for k, v in est.items() if k != "objective")]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ensemble", type=int, default=400)
    ap.add_argument("--starts", type=int, default=8, help="prior draws screened for extra starts of each fit")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--json", type=Path, default=None, help="also write every score card here")
    ap.add_argument("--no-sensitivity", action="store_true")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    cards = run_backtests(a.ensemble, a.seed, n_starts=a.starts)
    rows, summ = pooled(cards)
    print(f"## Backtests ({a.ensemble} draws, seed {a.seed}, {a.starts} extra starts per fit)\n")
    print(per_cutoff_table(cards, summ))
    print(f"\nPooled: {summ['n_rows']} scored rows, {summ['n_distinct_figures']} distinct figures, {summ['n_distinct_predictions']} distinct predictions.\n")
    print(figure_table(rows))
    print("\nNot scored:")
    for c in cards:
        for r in c.not_scored.itertuples():
            print(f"- {c.summary['episode']} @ {c.summary['cutoff']}: {r.figure}: {r.reason}")
    print("\nWarnings of the cutoff fits:")
    for c in cards:
        for w in c.summary["warnings"]:
            print(f"- {c.summary['episode']} @ {c.summary['cutoff']}: {w}")
    pre = run_backtests(a.ensemble, a.seed, n_starts=a.starts, backtests=PRE_PERIOD)
    pre_rows, pre_summ = pooled(pre)
    print("\n## Pre-period cutoffs\n")
    print(per_cutoff_table(pre, pre_summ))
    print()
    print(figure_table(pre_rows))
    if not a.no_sensitivity:
        print("\n## Sensitivity of the pooled scores\n")
        print("| variant | rows | 50% cover | 90% cover | MAE (pp) | mean interval score | median 90% width (pp) |\n|---|---|---|---|---|---|---|")
        print(summary_row("as shipped (discrepancy starts after each indicator's last fitted figure)", summ["model"]))
        _, alt = pooled(run_backtests(a.ensemble, a.seed, n_starts=a.starts, disc_rule="cutoff"))
        print(summary_row("discrepancy starts the month after the cutoff", alt["model"]))
        for f in SCALES:
            _, sc = pooled(scaled_cards(a.ensemble, a.seed, a.starts, f))
            print(summary_row(f"discrepancy scales x{f:g}", sc["model"]))
    print("\n## Placebo\n")
    print(placebo_section())
    print(f"\n(took {time.perf_counter() - t0:.0f} s)")
    if a.json is not None:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({"pooled": summ, "cards": [c.to_json() for c in cards], "pre_period": [c.to_json() for c in pre]}, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
