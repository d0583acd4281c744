"""Record (``python tests/speed_reference.py``) the reference that tests/test_speed.py checks.

Computed with the engine as it was before the speed work of issue 17 (commit e90e5cd): monthly
totals of every indicator (real and nominal) for a 40-draw ensemble of Changchun 2022, the
draw-0 daily paths, the ledger, and the predictive table of a 60-draw ``run``. The speed work
must reproduce them to 1e-9 (relative).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = Path(__file__).with_name("data") / "speed_reference.npz"
PARAMS = ROOT / "params" / "changchun_2022.toml"
INDICATORS = ("industry", "retail", "retail_above_quota", "fai", "gdp")
N_DRAWS, N_RUN, SEED = 40, 60, 11
TABLE_COLUMNS = ("model", "point", "p05", "p25", "p75", "p95")


def compute() -> dict[str, np.ndarray]:
    from rebound.fit import pipeline
    from rebound.fit.pipeline import ensemble_values
    from rebound.params.load import load
    from rebound.sim.engine import simulate

    loaded = load(PARAMS)
    values = ensemble_values(loaded, N_DRAWS, SEED)
    r = simulate(loaded.params, N_DRAWS + 1, values)
    out: dict[str, np.ndarray] = {}
    for ind in INDICATORS:
        for basis in ("real", "nominal"):
            out[f"monthly/{ind}/{basis}"] = r.monthly(ind, basis)[0]
    paths = pipeline.paths_table(r)
    for c in ("potential", "capacity", "output"):
        out[f"paths/{c}"] = paths[c].to_numpy(dtype=float)
    for lv, items in r.ledger.items():
        for k, v in items.items():
            out[f"ledger/{lv}/{k}"] = np.asarray(v, dtype=float)
    table = pipeline.run(loaded, n_draws=N_RUN, seed=SEED).indicators
    for c in TABLE_COLUMNS:
        out[f"table/{c}"] = table[c].to_numpy(dtype=float)
    return out


if __name__ == "__main__":
    REFERENCE.parent.mkdir(exist_ok=True)
    np.savez_compressed(REFERENCE, **compute())
    print(f"wrote {REFERENCE}")
