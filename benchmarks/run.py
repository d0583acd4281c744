"""Speed and memory benchmark (issue 17): every ratio measured side by side, whole processes.

Run from the repository root:

    python benchmarks/run.py            # full (several minutes: 100,000 draws, an 8-scenario compare)
    python benchmarks/run.py --quick    # one repetition each, smaller compare ensembles

Prints, each as a ratio of wall times of whole ``rebound`` processes run in the same session
(absolute times on a shared machine mean little), with the target of issue 17:

  1. ``run --ensemble 10000`` vs a one-draw ``run`` of the same file            (<= 3x)
  2. ``run --ensemble 100000``: peak memory (max RSS) and time vs the one-draw run (<= 1.5 GiB, <= 15x)
  3. ``compare scenarios/changchun_2022/*.toml --ensemble 20000``: peak memory  (<= 2 GiB)
  4. ``compare --scheduler`` on a local two-worker Dask cluster vs local, and whether the
     output is identical                                                          (<= 1.3x)
  5. ``rebound --help`` vs ``python -c "import click"``                           (<= 2x)

Then one summary line.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARAMS = "params/changchun_2022.toml"
SCENARIOS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scenarios" / "changchun_2022").glob("*.toml"))
SEED = "20220311"
GIB = float(1 << 30)


def rebound_exe() -> list[str]:
    exe = Path(sys.executable).parent / "rebound"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "rebound"]


def measure(cmd: list[str]) -> tuple[float, float, bytes]:
    """Wall seconds, peak RSS (bytes) and stdout of one whole process."""
    wrapper = (
        "import resource, subprocess, sys, time; t = time.perf_counter();"
        "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL);"
        "dt = time.perf_counter() - t; sys.stderr.write(f'{dt} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss} {p.returncode}\\n');"
        "sys.stdout.buffer.write(p.stdout)"
    )
    out = subprocess.run([sys.executable, "-c", wrapper, *cmd], cwd=ROOT, capture_output=True, check=True)
    dt, rss_kib, rc = out.stderr.decode().split()[-3:]
    if rc != "0":
        raise SystemExit(f"failed ({rc}): {' '.join(cmd)}")
    return float(dt), int(rss_kib) * 1024.0, out.stdout


def median_time(cmd: list[str], repeat: int) -> float:
    return statistics.median(measure(cmd)[0] for _ in range(repeat))


def cluster_ratio(exe: list[str], n: int, repeat: int) -> tuple[float, float, float, bool]:
    """Local vs a local two-worker Dask cluster for the same compare: (local s, cluster s, ratio, identical)."""
    from distributed import LocalCluster

    cmd = [*exe, "compare", *SCENARIOS[:3], "--ensemble", str(n), "--seed", SEED, "--format", "csv"]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        # warm the workers (imports, and numba's kernels: a long-lived cluster has them loaded)
        measure([*cmd[:4], "--ensemble", "600", "--scheduler", cluster.scheduler_address])
        local, dask = [], []
        same = True
        for _ in range(repeat):
            t0, _, a = measure(cmd)
            t1, _, b = measure([*cmd, "--scheduler", cluster.scheduler_address])
            local.append(t0)
            dask.append(t1)
            same = same and a == b
    tl, td = statistics.median(local), statistics.median(dask)
    return tl, td, td / tl, same


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="one repetition each and smaller compare ensembles")
    args = ap.parse_args()
    rep = 1 if args.quick else 3
    exe = rebound_exe()
    run = [*exe, "run", PARAMS, "--seed", SEED, "--format", "csv"]

    t1 = median_time(run, rep)
    t10k = median_time([*run, "--ensemble", "10000"], rep)
    r1 = t10k / t1
    print(f"1. run --ensemble 10000 {t10k:.2f} s vs one-draw run {t1:.2f} s = {r1:.2f}x  (target <= 3)", flush=True)

    t100k, rss100k, _ = measure([*run, "--ensemble", "100000"])
    r2 = t100k / t1
    print(f"2. run --ensemble 100000: peak {rss100k / GIB:.2f} GiB (target <= 1.5), {t100k:.1f} s = {r2:.1f}x the one-draw run (target <= 15)", flush=True)

    n_cmp = "5000" if args.quick else "20000"
    tc, rssc, _ = measure([*exe, "compare", *SCENARIOS, "--ensemble", n_cmp, "--seed", SEED, "--format", "csv"])
    print(f"3. compare {len(SCENARIOS)} files of scenarios/changchun_2022 --ensemble {n_cmp}: peak {rssc / GIB:.2f} GiB (target <= 2), {tc:.1f} s", flush=True)

    n_dask = 2000 if args.quick else 4000
    tl, td, r4, same = cluster_ratio(exe, n_dask, 1)
    print(f"4. compare (3 files, --ensemble {n_dask}) on a local two-worker Dask cluster {td:.2f} s vs local {tl:.2f} s = {r4:.2f}x  (target <= 1.3); output identical: {same}", flush=True)

    th = median_time([*exe, "--help"], rep + 2)
    tk = median_time([sys.executable, "-c", "import click"], rep + 2)
    r5 = th / tk
    print(f"5. rebound --help {th * 1e3:.0f} ms vs import click {tk * 1e3:.0f} ms = {r5:.2f}x  (target <= 2)", flush=True)

    print(
        f"SUMMARY 10k/1={r1:.2f}x 100k/1={r2:.1f}x peak100k={rss100k / GIB:.2f}GiB compare{n_cmp}peak={rssc / GIB:.2f}GiB "
        f"dask/local={r4:.2f}x identical={same} help/click={r5:.2f}x cores={len(os.sched_getaffinity(0))}"
    )


if __name__ == "__main__":
    main()
