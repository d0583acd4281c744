"""Speed and memory benchmark: ratios measured in the same run (absolute times mean little).

Run from the repository root:

    python benchmarks/run.py            # full (about a minute)
    python benchmarks/run.py --quick    # smaller samples

Prints:
  1. a 10,000-draw ensemble over the two-year daily horizon vs one single-draw run
     (engine only, and the whole `run` pipeline with its tables);
  2. the same ensemble vs 10,000 separate single runs (a sample of single runs, scaled);
  3. a full Changchun 2022 calibration in single-run equivalents;
  4. `rebound --help` wall time vs `python -c "import click"`, and
     `rebound run params/changchun_2022.toml` vs `python -c "import numpy, pandas, scipy"`;
  5. peak memory (max RSS) of the 10,000-draw ensemble run, in a fresh process.
Then one summary line.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PARAMS = ROOT / "params" / "changchun_2022.toml"
N_ENSEMBLE = 10_000
SEED = 20220311


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """Minimum wall time of ``repeat`` calls (the least disturbed by other load)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def wall(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def peak_rss_mib(n: int) -> float:
    code = (
        f"import resource, sys; sys.path.insert(0, {str(ROOT)!r});"
        "from rebound.params.load import load; from rebound.fit import pipeline;"
        f"L = load({str(PARAMS)!r}); pipeline.run(L, n_draws={n}, seed={SEED});"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer repetitions and a smaller sample of single runs")
    args = ap.parse_args()
    rep = 2 if args.quick else 5
    sample = 20 if args.quick else 100

    import numpy as np

    from rebound.fit import pipeline
    from rebound.fit.calibrate import calibrate
    from rebound.fit.draws import draw_values
    from rebound.params.load import load, with_values
    from rebound.sim.engine import simulate

    loaded = load(PARAMS)
    p = loaded.params
    draws = draw_values(p, N_ENSEMBLE, np.random.default_rng(SEED))

    # 1. ensemble vs one single run
    simulate(p)
    t_single = best_of(lambda: simulate(p), rep * 4)
    t_ens = best_of(lambda: simulate(p, N_ENSEMBLE, draws), rep)
    r1 = t_ens / t_single
    t_pipe1 = best_of(lambda: pipeline.run(loaded, n_draws=0, seed=SEED), rep * 2)
    t_pipeN = best_of(lambda: pipeline.run(loaded, n_draws=N_ENSEMBLE, seed=SEED), rep)
    r1p = t_pipeN / t_pipe1
    print(f"1. ensemble of {N_ENSEMBLE} draws vs one single run: engine {t_ens*1e3:.0f} ms / {t_single*1e3:.1f} ms = {r1:.1f}x; "
          f"whole run pipeline {t_pipeN*1e3:.0f} ms / {t_pipe1*1e3:.0f} ms = {r1p:.1f}x  (target <= 10)")

    # 2. ensemble vs 10,000 separate single runs (sample and scale)
    keys = list(draws)

    def separate() -> None:
        for j in range(sample):
            simulate(with_values(p, {k: float(draws[k][j]) for k in keys}))

    t_sample = best_of(separate, 1)
    t_sep = t_sample / sample * N_ENSEMBLE
    r2 = t_sep / t_ens
    print(f"2. {N_ENSEMBLE} separate single runs (scaled from {sample}): {t_sep:.1f} s vs ensemble {t_ens:.2f} s = {r2:.0f}x faster  (target >= 100)")

    # 3. calibration in single-run equivalents
    obs = pipeline.load_observations(loaded)
    t = time.perf_counter()
    cal = calibrate(p, obs, model_error_pp=p.calibration.model_error_pp)
    t_cal = time.perf_counter() - t
    r3 = t_cal / t_single
    print(f"3. Changchun 2022 calibration: {t_cal:.2f} s = {r3:.0f} single-run equivalents "
          f"({cal.n_runs} engine runs, {cal.n_draws_total} draws, objective {cal.objective:.3f})  (target <= 100)")

    # 4. CLI start-up
    exe = [sys.executable, "-m", "rebound"] if not (Path(sys.executable).parent / "rebound").exists() else [str(Path(sys.executable).parent / "rebound")]
    t_help = wall([*exe, "--help"], rep)
    t_click = wall([sys.executable, "-c", "import click"], rep)
    t_run = wall([*exe, "run", str(PARAMS)], rep)
    t_imp = wall([sys.executable, "-c", "import numpy, pandas, scipy"], rep)
    r4a, r4b = t_help / t_click, t_run / t_imp
    print(f"4. `rebound --help` {t_help*1e3:.0f} ms vs `import click` {t_click*1e3:.0f} ms = {r4a:.2f}x  (target <= 2); "
          f"`rebound run` {t_run*1e3:.0f} ms vs `import numpy, pandas, scipy` {t_imp*1e3:.0f} ms = {r4b:.2f}x  (target <= 2)")

    # 5. memory
    mib = peak_rss_mib(N_ENSEMBLE)
    print(f"5. peak memory of a {N_ENSEMBLE}-draw `run` pipeline: {mib:.0f} MiB max RSS  (target < 2048)")

    print(
        f"SUMMARY ensemble/single={r1:.1f}x (pipeline {r1p:.1f}x) separate/ensemble={r2:.0f}x "
        f"calibration={r3:.0f} runs help/click={r4a:.2f}x run/imports={r4b:.2f}x peak={mib:.0f}MiB"
    )


if __name__ == "__main__":
    main()
